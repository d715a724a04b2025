#!/bin/bash
# make bench: run every benchmark in BUILD/bench/ in turn, from the top of
# the tree. Each prints its own table of figures measured in that run.
#   bench.sh [BUILD_DIR]
set -u
build=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1

status=0
ran=0
out=$(mktemp -d /tmp/snapvnf-bench.XXXXXX)
trap 'rm -rf "$out"' EXIT
for b in "$build"/bench/*; do
	[ -f "$b" ] && [ -x "$b" ] || continue
	echo "== $(basename "$b")"
	"$b" | tee "$out/$(basename "$b")"
	rc=${PIPESTATUS[0]}
	[ "$rc" -eq 0 ] || { echo "$(basename "$b") failed (exit $rc)"; status=1; }
	echo
	ran=$((ran + 1))
done
[ $ran -gt 0 ] || { echo "no benchmark in $build/bench/"; exit 1; }

# The flow path in one place: what decoding costs (bench_sflow) and how
# long a record takes to reach a flow VNF (bench_flowpath), this run.
if [ -s "$out/bench_sflow" ] && [ -s "$out/bench_flowpath" ]; then
	echo "== flow path summary"
	awk 'f { printf "sflow decode: %s samples per CPU-second (%s ns/sample)\n", $1, $3; exit }
	     /^ *samples\/cpu-s/ { f = 1 }' "$out/bench_sflow"
	grep -E '^(path|sflow|nfdump) ' "$out/bench_flowpath"
	grep '^ratio' "$out/bench_flowpath"
fi
exit $status
