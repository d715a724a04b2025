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
for b in "$build"/bench/*; do
	[ -f "$b" ] && [ -x "$b" ] || continue
	echo "== $(basename "$b")"
	"$b" || { echo "$(basename "$b") failed (exit $?)"; status=1; }
	echo
	ran=$((ran + 1))
done
[ $ran -gt 0 ] || { echo "no benchmark in $build/bench/"; exit 1; }
exit $status
