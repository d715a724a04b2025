#!/bin/bash
# README.md's table of built-in VNFs is what `snapvnf vnfs --json` says
# (scripts/vnf-tables.sh makes it); a VNF whose arguments, schemas or
# summary changed without the README fails here. And the JSON lists every
# built-in VNF of vnfs/ (one file each) with its schemas.
set -u
. "$(dirname "$0")/lib.bash"

command -v jq >/dev/null || fail "jq is missing (scripts/deps.sh installs it)"
scripts/vnf-tables.sh --check "$B" > "$T/diff" 2>&1 || fail "$(tail -20 "$T/diff")"
SNAPVNF_PLUGIN_DIR=$T/none "$B/snapvnf" vnfs --json > "$T/vnfs.json" || fail "vnfs --json"
for f in vnfs/*.c; do
	n=$(basename "$f" .c)
	jq -e --arg n "$n" '[.[] | select(.name == $n and .origin == "built-in")] | length == 1' \
		"$T/vnfs.json" > /dev/null || fail "$f: no built-in VNF $n in snapvnf vnfs --json"
	grep -q "^| \`$n\` |" README.md || fail "README.md has no row for $n"
done
# The schemas are the structs': http_request's output is struct
# sv_http_meta as snapvnf/builtin.h declares it, 8 members, host char[128].
jq -e '.[] | select(.name == "http_request") | .output.struct == "sv_http_meta" and
	(.output.members | length) == 8 and
	(.output.members[] | select(.name == "host") | .type == "char[128]" and .size == 128)' \
	"$T/vnfs.json" > /dev/null || fail "http_request's output schema is not struct sv_http_meta's"
echo "ok: README's VNF table is snapvnf vnfs --json's; $(jq length "$T/vnfs.json") VNFs"
