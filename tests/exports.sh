#!/bin/bash
# libsnapvnf.so exports its public API and nothing else: every symbol in
# its dynamic table (nm -D, binutils) must be declared SV_API in an
# installed header (include/snapvnf/), and every SV_API declaration must be
# exported, by the library and by `snapvnf` (which plugins are loaded
# into); and no function an installed header declares may lack SV_API. The library's SONAME carries the major version of its file name.
set -u
. "$(dirname "$0")/lib.bash"

command -v nm >/dev/null || fail "nm is missing (binutils, with gcc)"
so=$(ls "$B"/libsnapvnf.so.*.*.* 2>/dev/null | head -1)
[ -n "$so" ] || fail "no $B/libsnapvnf.so.X.Y.Z (make builds it)"

# Names declared SV_API: the word before "(" or ";" (or "[]") of each
# SV_API declaration, which may span lines until it ends.
awk '/^SV_API / { decl = ""; on = 1 }
     on { decl = decl " " $0; if ($0 ~ /[;{]/) { on = 0; print decl } }' include/snapvnf/*.h |
	sed -E 's/\(.*//; s/\[.*//; s/;.*//' | awk '{ print $NF }' | tr -d '*' | sort -u > "$T/declared"
[ "$(wc -l < "$T/declared")" -ge 40 ] || fail "only $(wc -l < "$T/declared") SV_API declarations found"

# A function an installed header declares without SV_API would be hidden:
# every VNF or service calling it would fail to load or link.
grep -nE '^[A-Za-z_][^#(]*\b(sv_[a-z0-9_]+|service_[a-z_]+|register_[a-z_]+)\(' include/snapvnf/*.h |
	grep -vE ':(SV_API|static inline) ' > "$T/unmarked"
[ -s "$T/unmarked" ] && fail "declared without SV_API: $(cat "$T/unmarked")"

soname=$(readelf -d "$so" | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')
major=$(basename "$so" | sed -E 's/^libsnapvnf\.so\.([0-9]+)\..*/\1/')
[ "$soname" = "libsnapvnf.so.$major" ] || fail "SONAME is '$soname', want libsnapvnf.so.$major"

check() {  # check FILE: its exported symbols against the headers
	nm -D --defined-only "$1" | awk '$2 ~ /^[TDBRVW]$/ { print $3 }' |
		grep -vE '^(_.*|edata|end|data_start)$' | sort -u > "$T/exported"
	comm -23 "$T/exported" "$T/declared" > "$T/extra"
	comm -13 "$T/exported" "$T/declared" > "$T/missing"
	[ -s "$T/extra" ] && fail "$1 exports what no installed header declares: $(paste -sd ' ' "$T/extra")"
	[ -s "$T/missing" ] && fail "$1 does not export: $(paste -sd ' ' "$T/missing")"
	echo "$1: $(wc -l < "$T/exported") symbols, each declared SV_API in include/snapvnf/"
}
check "$so"
check "$B/snapvnf"
