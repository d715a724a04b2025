#!/bin/bash
# make bench: run every benchmark (BUILD/bench/bench_*) in turn, from the top of
# the tree. Each prints its own table of figures measured in that run and
# writes it as TSV (-t FILE) into BUILD/bench/results/, beside the printed
# table (NAME.txt); bench_flowpath also every record's times (-o FILE).
# Then scripts/bench-plot.sh draws the PNG charts there (gnuplot).
#   bench.sh [BUILD_DIR]
set -u
build=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1

status=0
ran=0
out=$build/bench/results
# Only this script's own results: bench-live's (live*) stay.
mkdir -p "$out" || exit 1
rm -f "$out"/bench_*
for b in "$build"/bench/bench_*; do
	[ -f "$b" ] && [ -x "$b" ] || continue
	name=$(basename "$b")
	args=(-t "$out/$name.tsv")
	[ "$name" = bench_flowpath ] && args+=(-o "$out/$name.records.tsv")
	echo "== $name"
	"$b" "${args[@]}" | tee "$out/$name.txt"
	rc=${PIPESTATUS[0]}
	[ "$rc" -eq 0 ] || { echo "$name failed (exit $rc)"; status=1; }
	echo
	ran=$((ran + 1))
done
[ $ran -gt 0 ] || { echo "no benchmark in $build/bench/"; exit 1; }

# The flow path in one place: what decoding costs (bench_sflow) and how
# long a record takes to reach a flow VNF (bench_flowpath), this run.
if [ -s "$out/bench_sflow.txt" ] && [ -s "$out/bench_flowpath.txt" ]; then
	echo "== flow path summary"
	awk 'f { printf "sflow decode: %s samples per CPU-second (%s ns/sample)\n", $1, $3; exit }
	     /^ *samples\/cpu-s/ { f = 1 }' "$out/bench_sflow.txt"
	grep -E '^(path|sflow|nfdump) ' "$out/bench_flowpath.txt"
	grep '^ratio' "$out/bench_flowpath.txt"
	echo
fi

echo "== charts"
scripts/bench-plot.sh "$out" || status=1
echo "tables: $out/*.tsv (printed: *.txt)"
exit $status
