#!/bin/bash
# bash completion for snapvnf (dist/bash-completion/snapvnf), as bash
# calls it: COMP_WORDS and COMP_CWORD set, COMPREPLY read back.
#  - the first word: the commands snapvnf(1) has a section for;
#  - `--` after each command: the long options of that command's section
#    of snapvnf(1), and after none the GLOBAL OPTIONS (man_pages.sh holds
#    the page against --help);
#  - a VNF name after run (`snapvnf vnfs`'s, here the built-ins of the
#    README), files after -f, the sinks after --events, the command found
#    past --ctl PATH.
set -u
. "$(dirname "$0")/lib.bash"
top=$(cd "$(dirname "$0")/.." && pwd)
M=$B/man/snapvnf.1
[ -f "$M" ] || fail "no $M"
PATH=$B:$PATH
. "$top/dist/bash-completion/snapvnf"
complete -p snapvnf | grep -q -- '-F _snapvnf' || fail "no completion for snapvnf"
comp() {  # comp WORD... (the last one is completed): COMPREPLY, sorted, one a line
	COMP_WORDS=("$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	_snapvnf
	printf '%s\n' "${COMPREPLY[@]}" | grep . | sort
}
sections=$(sed -n 's/^\.SS \(.*\)$/\1/p' "$M" | sort)
diff <(comp snapvnf "") <(echo "$sections") > "$T/diff" || fail "commands (< completed, > snapvnf(1)): $(cat "$T/diff")"
# The long options of .TP tags, per section, as man_pages.sh reads them.
tagged() {  # tagged SECTION
	awk -v s="$1" '/^\.(SH|SS) / {sec = $2; next} /^\.TP/ {t = 1; next}
		t {t = 0; if (sec == s) print}' "$M" | sed 's/\\f[BIRP]//g; s/\\-/-/g' |
		grep -oE -- '--[a-z][a-z0-9-]*' | sort -u
}
n=0
for c in $sections; do
	diff <(comp snapvnf "$c" -- | grep -vx -- --help) <(tagged "$c") > "$T/diff" ||
		fail "snapvnf $c -- (< completed, > snapvnf(1)): $(cat "$T/diff")"
	n=$((n + $(tagged "$c" | wc -l)))
done
diff <(comp snapvnf -- | grep -vx -- --help) <(tagged GLOBAL) > "$T/diff" ||
	fail "snapvnf -- (< completed, > snapvnf(1)): $(cat "$T/diff")"
echo "completion: $(echo "$sections" | wc -l) commands, $n options of theirs and $(tagged GLOBAL | wc -l) global, as snapvnf(1) has them"

[ "$(comp snapvnf run http_)" = http_request ] || fail "run http_ gave '$(comp snapvnf run http_)'"
for v in dns tls_sni syn_flood url_filter top_talkers; do
	comp snapvnf run "$v" | grep -qx "$v" || fail "run $v is not completed"
done
[ "$(comp snapvnf --ctl /x/ctl.sock sta)" = status ] || fail "--ctl PATH sta gave '$(comp snapvnf --ctl /x/ctl.sock sta)'"
[ "$(comp snapvnf block 10.0.0.1 --dr)" = --dry-run ] || fail "block --dr"
[ "$(comp snapvnf run --events jou)" = journald ] || fail "run --events jou"
cd "$top"
[ "$(comp snapvnf run -f examples/l7_mon)" = examples/l7_monitor.c$'\n'examples/l7_monitor.service ] ||
	fail "run -f examples/l7_mon gave '$(comp snapvnf run -f examples/l7_mon)'"
[ -z "$(comp snapvnf tap --name x)" ] || fail "a name was completed"
echo ok
