#!/bin/bash
# The plugin loader refuses what it cannot run, with one line naming the
# file, whether the plugin comes from --plugin, a service file's plugins:
# or the plugin directory: another ABI, no SV_PLUGIN symbol, a VNF name
# that clashes with a built-in one, a schema the converters reject, and a
# symbol the plugin needs that nobody provides (build/tests/plugins/, made
# from tests/plugins/bad.c). The control, good.so, loads and its VNF is
# listed with the schema its source declares. No daemon is needed: every
# refusal comes before connecting.
set -u
. "$(dirname "$0")/lib.bash"

P=$B/tests/plugins
for c in good bad_abi no_symbol clash bad_schema undefined; do
	[ -f "$P/$c.so" ] || fail "no $P/$c.so (make test builds it)"
done
export SNAPVNF_PLUGIN_DIR=$T/none

# expect CASE WORDS: refused by run --plugin and by a service file, in
# one line that names the file and says WORDS.
expect() {
	local c=$1 says=$2 rc
	"$B/snapvnf" run --plugin "$P/$c.so" dns > "$T/out" 2> "$T/err"; rc=$?
	[ $rc -ne 0 ] || fail "$c: run --plugin exited 0"
	[ "$(wc -l < "$T/err")" -eq 1 ] || fail "$c: want one line, got: $(cat "$T/err")"
	grep -qF "$P/$c.so: $says" "$T/err" || fail "$c: '$(cat "$T/err")' does not say '$P/$c.so: $says'"
	[ -s "$T/out" ] && fail "$c: printed on stdout: $(cat "$T/out")"
	printf 'name: t\nplugins:\n  - %s\nchain:\n  - dns\n' "$P/$c.so" > "$T/$c.service"
	"$B/snapvnf" check "$T/$c.service" 2> "$T/err"; rc=$?
	[ $rc -eq 1 ] || fail "$c: check exited $rc"
	grep -qF "$T/$c.service:3: $P/$c.so: $says" "$T/err" ||
		fail "$c: check says '$(cat "$T/err")', want '$T/$c.service:3: $P/$c.so: $says'"
	echo "$c: $(cat "$T/err")"
}
expect bad_abi "built for plugin ABI 2, this snapvnf loads ABI 1"
expect no_symbol "not a snapvnf plugin: no symbol sv_plugin"
expect clash "VNF dns clashes with the built-in VNF dns"
expect bad_schema "VNF test_count: output schema meta: member n (bytes 2 to 6) lies outside the struct's 4 bytes"
expect undefined "cannot load: undefined symbol: sv_no_such_function"

# The control: it loads, and `vnfs --json` shows its schema as bad.c
# declares it (one uint32 "n" at offset 0 of a 4-byte struct).
"$B/snapvnf" vnfs --json --plugin "$P/good.so" > "$T/vnfs.json" 2> "$T/err" ||
	fail "good.so refused: $(cat "$T/err")"
[ -s "$T/err" ] && fail "good.so: said $(cat "$T/err")"
jq -e --arg o "$P/good.so" '.[] | select(.name == "test_count") |
	.origin == $o and .kind == "pkt" and .output.size == 4 and
	(.output.members == [{"name": "n", "type": "uint32", "offset": 0, "size": 4}])' \
	"$T/vnfs.json" > /dev/null || fail "test_count is not listed as bad.c declares it"

# The same clash between two plugins names the first file.
cp "$P/good.so" "$T/again.so"
"$B/snapvnf" vnfs --plugin "$P/good.so" --plugin "$T/again.so" > /dev/null 2> "$T/err" &&
	fail "a second test_count was accepted"
grep -qF "$T/again.so: VNF test_count clashes with VNF test_count from $P/good.so" "$T/err" ||
	fail "plugin clash: $(cat "$T/err")"

# The plugin directory: the bad ones are skipped with a warning each, the
# good one loads.
mkdir "$T/dir"
cp "$P"/good.so "$P"/bad_abi.so "$P"/undefined.so "$T/dir/"
SNAPVNF_PLUGIN_DIR=$T/dir "$B/snapvnf" vnfs --json > "$T/vnfs.json" 2> "$T/err" ||
	fail "vnfs with a plugin directory exited $?"
[ "$(grep -c 'skipped' "$T/err")" -eq 2 ] || fail "want two skipped plugins, got: $(cat "$T/err")"
grep -qF "$T/dir/bad_abi.so: built for plugin ABI 2" "$T/err" || fail "dir: $(cat "$T/err")"
jq -e --arg o "$T/dir/good.so" '[.[] | select(.origin == $o)] | length == 1' "$T/vnfs.json" \
	> /dev/null || fail "dir: good.so's VNF is not listed"
echo "ok: five kinds of bad plugin refused with their file named; the good one loads"
