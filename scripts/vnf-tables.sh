#!/bin/bash
# The README's table of built-in VNFs, made from `snapvnf vnfs --json`
# (the VNFs' own tables: summary, events, arguments, schemas), so there is
# no second list to drift.
#   scripts/vnf-tables.sh [BUILD]           rewrite README.md between the markers
#   scripts/vnf-tables.sh --check [BUILD]   exit 1 (and show the diff) if it differs
set -eu
check=0
[ "${1:-}" = --check ] && { check=1; shift; }
build=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
readme=$top/README.md
begin='<!-- snapvnf vnfs --json: begin (scripts/vnf-tables.sh writes this table) -->'
end='<!-- snapvnf vnfs --json: end -->'
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Built-in VNFs only: no plugin directory.
SNAPVNF_PLUGIN_DIR=$tmp/none "$build/snapvnf" vnfs --json > "$tmp/vnfs.json"
jq -r '
  def members(s): if s == null then "" else
    "`\(s.struct)`: " + ([s.members[] | "\(.name) \(.type)"] | join(", ")) end;
  def arg: "`\(.key)`" + (if .default then "=\(.default)" else "" end);
  "| VNF | reads | does | emits | arguments (default) | input | output |",
  "|---|---|---|---|---|---|---|",
  (.[] | select(.origin == "built-in") |
   "| `\(.name)` | \(if .kind == "pkt" then "snaps" elif .kind == "flow" then "flow records" else "snaps or flow records" end) | \(.summary) | \(.events) | \([.args[] | arg] | join(", ")) | \(members(.input)) | \(members(.output)) |")
' "$tmp/vnfs.json" > "$tmp/table"

awk -v b="$begin" -v e="$end" -v t="$tmp/table" '
  $0 == b { print; while ((getline l < t) > 0) print l; skip = 1; next }
  $0 == e { skip = 0 }
  !skip' "$readme" > "$tmp/README.md"
grep -qxF "$begin" "$readme" && grep -qxF "$end" "$readme" || {
	echo "vnf-tables.sh: README.md lacks the markers" >&2; exit 1; }
if [ $check -eq 1 ]; then
	diff -u "$readme" "$tmp/README.md" || {
		echo "README.md's VNF table differs from snapvnf vnfs --json: run scripts/vnf-tables.sh" >&2
		exit 1; }
else
	cp "$tmp/README.md" "$readme"
fi
