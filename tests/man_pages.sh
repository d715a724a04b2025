#!/bin/bash
# The man pages (man/, as the build stamps them):
#  - groff formats each with every warning on (-ww) and says nothing;
#  - the options cannot drift from the programs: the long options the
#    pages document (the tags of their option lists) are exactly those
#    `snapvnfd --help` prints, and for snapvnf, section by section, those
#    of `snapvnf --help` (GLOBAL OPTIONS) and of `snapvnf COMMAND --help`
#    (one .SS per command `snapvnf --help` lists, no more);
#  - the service files snapvnf.service(5) shows pass `snapvnf check`, and
#    the pages the units' Documentation= names exist;
#  - snapvnf_service(3) has every function <snapvnf/service.h> exports
#    (SV_API) in its SYNOPSIS and DESCRIPTION, and no other; its example
#    compiles and links against the library.
set -u
. "$(dirname "$0")/lib.bash"
for t in groff python3; do
	command -v $t >/dev/null || fail "$t is missing (scripts/deps.sh test installs it)"
done
M=$B/man
for p in snapvnfd.8 snapvnf.1 snapvnf.service.5 snapvnf_service.3; do
	[ -f "$M/$p" ] || fail "no $M/$p (make builds it from man/$p)"
	LC_ALL=C.UTF-8 groff -man -ww -z -t "$M/$p" > "$T/groff.log" 2>&1 || fail "groff $p: $(cat "$T/groff.log")"
	[ -s "$T/groff.log" ] && fail "groff warns on $p: $(cat "$T/groff.log")"
done
# The check is shown to catch a bad request.
printf '.TH X 1\n.SH NAME\nx \\- y\n.BX foo\n\\fQbar\n' > "$T/bad.1"
LC_ALL=C.UTF-8 groff -man -ww -z "$T/bad.1" > "$T/groff.log" 2>&1
[ -s "$T/groff.log" ] || fail "groff -ww said nothing about an undefined macro"
echo "groff -man -ww: no warning on four pages"

# tags PAGE: "SECTION OPTION" for each long option in a .TP tag; SECTION is
# the .SS (or .SH) heading above it.
tags() {
	python3 - "$1" <<'PY'
import re, sys
sec = None; tag = False
for line in open(sys.argv[1], encoding="utf-8"):
    line = line.rstrip("\n")
    m = re.match(r'\.(SH|SS) +"?([^"]*)"?$', line)
    if m:
        sec = m.group(2).strip(); tag = False; continue
    if line.startswith(".TP"):
        tag = True; continue
    if tag:
        text = re.sub(r'\\f[BIRP]', '', line).replace('\\-', '-')
        for o in re.findall(r'--[a-z][a-z0-9-]*', text):
            print(sec, o)
        tag = False
PY
}
helpopts() { grep -o -- '--[a-z][a-z0-9-]*' | sort -u; }

tags "$M/snapvnfd.8" | cut -d' ' -f2 | sort -u > "$T/man.d"
"$B/snapvnfd" --help | helpopts > "$T/help.d"
diff "$T/help.d" "$T/man.d" > "$T/diff" || fail "snapvnfd(8) against --help (< help only, > page only): $(cat "$T/diff")"
echo "snapvnfd: $(wc -l < "$T/help.d") long options, the same in --help and snapvnfd(8)"

tags "$M/snapvnf.1" > "$T/man.tags"
sections() { sed -n 's/^\.SS \(.*\)$/\1/p' "$M/snapvnf.1" | sort; }
"$B/snapvnf" --help | sed -n '/^commands:/,/^$/s/^  \([a-z]*\) .*/\1/p' | sort > "$T/cmds"
[ "$(wc -l < "$T/cmds")" -ge 10 ] || fail "snapvnf --help lists $(wc -l < "$T/cmds") commands"
diff "$T/cmds" <(sections) > "$T/diff" || fail "snapvnf(1)'s command sections against --help: $(cat "$T/diff")"
n=0
while read -r c; do
	"$B/snapvnf" "$c" --help 2>&1 | helpopts | grep -vx -- --help > "$T/help.c"
	awk -v c="$c" '$1 == c {print $2}' "$T/man.tags" | sort -u > "$T/man.c"
	diff "$T/help.c" "$T/man.c" > "$T/diff" || fail "snapvnf $c: the page against --help (< help only, > page only): $(cat "$T/diff")"
	n=$((n + $(wc -l < "$T/help.c")))
done < "$T/cmds"
# Global: what --help says outside its list of commands (that list names
# the commands' own options too).
"$B/snapvnf" --help | sed '/^commands:/,/^$/d' | helpopts | grep -vx -- --help > "$T/help.g"
awk '$1 == "GLOBAL" {print $3}' "$T/man.tags" | sort -u > "$T/man.g"
diff "$T/help.g" "$T/man.g" > "$T/diff" || fail "snapvnf's global options against --help: $(cat "$T/diff")"
echo "snapvnf: $(wc -l < "$T/cmds") commands, $((n + $(wc -l < "$T/help.g"))) long options, the same in --help and snapvnf(1)"

# The pages the units name (systemd_units.sh verifies them with --man=no).
for d in $(grep -ho 'man:[a-z.@]*([0-9])' dist/systemd/*.in | sort -u); do
	d=${d#man:}; p="${d%(*}.${d#*(}"; p=${p%)}
	[ -f "man/$p" ] || fail "a unit names $d, and man/ has no $p"
done

# The examples of snapvnf.service(5), with the blocklist the tree has.
sed -e 's/\\-/-/g' "$M/snapvnf.service.5" |
	awk -v d="$T" '/^\.nf/ {f = 1; n++; next} /^\.fi/ {f = 0} f {print > (d "/ex" n ".service")}'
ls "$T"/ex*.service > /dev/null 2>&1 || fail "no example in snapvnf.service(5)"
sed -i "s|/etc/snapvnf/blocklist.txt|$PWD/examples/blocklist.txt|" "$T"/ex*.service
"$B/snapvnf" check "$T"/ex*.service > "$T/check.log" 2>&1 || fail "snapvnf check: $(cat "$T/check.log")"
cat "$T/check.log"

# snapvnf_service(3) against the header.
P3=$M/snapvnf_service.3
tr '\n' ' ' < include/snapvnf/service.h | grep -oE 'SV_API [^;(]*[ *]([a-z_]+)\(' |
	sed 's/.*[ *]\([a-z_]*\)($/\1/' | sort -u > "$T/api"
[ "$(wc -l < "$T/api")" -ge 10 ] || fail "found $(wc -l < "$T/api") functions in service.h"
sed -n '/^\.SH SYNOPSIS/,/^\.SH DESCRIPTION/p' "$P3" | sed 's/\\f[BIRP]//g; s/"//g' |
	grep -oE '[a-z_]+ ?\(' | tr -d ' (' | grep -vx -e pkg-config | sort -u > "$T/syn"
diff "$T/api" "$T/syn" > "$T/diff" || fail "service.h (<) against snapvnf_service(3)'s SYNOPSIS (>): $(cat "$T/diff")"
awk '/^\.SH DESCRIPTION/ {d = 1} /^\.SH ENVIRONMENT/ {d = 0} d && /^\.TP/ {t = 1; next} t {t = 0; print}' "$P3" |
	sed 's/^\.B[RI]* //; s/"//g' | tr ',' '\n' | tr -d ' ' | grep . | sort -u > "$T/desc"
diff "$T/api" "$T/desc" > "$T/diff" || fail "service.h (<) against snapvnf_service(3)'s DESCRIPTION (>): $(cat "$T/diff")"
sed -n '/^\.SH EXAMPLES/,$p' "$P3" | awk '/^\.nf/ {n++; f = (n == 1); next} /^\.fi/ {f = 0} f' |
	sed 's/\\-/-/g; s|/etc/snapvnf/blocklist.txt|examples/blocklist.txt|' > "$T/ex.c"
grep -q 'service_run' "$T/ex.c" || fail "no example program in snapvnf_service(3)"
${CC:-cc} -std=c11 -Wall -Wextra -Werror -Iinclude -o "$T/ex" "$T/ex.c" "$B/libsnapvnf.a" \
	$(pkg-config --libs libpcap json-c yaml-0.1 libsystemd) -lm -lpthread -ldl > "$T/cc.log" 2>&1 ||
	fail "snapvnf_service(3)'s example does not build: $(cat "$T/cc.log")"
echo "snapvnf_service(3): the $(wc -l < "$T/api") functions of service.h; its example builds"
echo ok
