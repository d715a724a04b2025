#!/bin/bash
# Run snapvnf's tests and end with the line "N passed, N failed[, N skipped]".
#   run-tests.sh [--unit|--e2e] BUILD_DIR
# Unit tests are the cmocka binaries in BUILD/tests/ (each reports how many
# of its cases passed, failed and were skipped: a skipped case is counted
# and named). Script tests are tests/*.sh: exit 0 passes, 77 skips (with the
# reason on the last line), anything else fails.
set -u
mode=all
case "${1:-}" in --unit|--e2e) mode=${1#--}; shift ;; esac
build=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
export SNAPVNF_BUILD="$top/$build" SNAPVNF_TOP="$top"
[ -d "$SNAPVNF_BUILD" ] || SNAPVNF_BUILD=$build

passed=0 failed=0 skipped=0
failures=()
log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT

if [ "$mode" != e2e ]; then
	for t in "$SNAPVNF_BUILD"/tests/test_*; do
		[ -x "$t" ] || continue
		n=$(basename "$t")
		( cd "$top" && "$t" ) >"$log/$n" 2>&1
		rc=$?
		p=$(sed -n 's/.*\[  PASSED  \] \([0-9][0-9]*\) test(s).*/\1/p' "$log/$n" | tail -1)
		f=$(sed -n 's/.*\[  FAILED  \] \([0-9][0-9]*\) test(s).*/\1/p' "$log/$n" | tail -1)
		s=$(sed -n 's/.*\[  SKIPPED \] \([0-9][0-9]*\) test(s).*/\1/p' "$log/$n" | tail -1)
		p=${p:-0} f=${f:-0} s=${s:-0}
		if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi  # crashed or aborted
		passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
		if [ "$f" -ne 0 ]; then
			failures+=("$n")
			echo "FAIL $n ($p passed, $f failed)"
			grep -E '^\[  (FAILED|ERROR) \]|error|Assert|Sanitizer|runtime error' "$log/$n" | head -20 | sed 's/^/    /'
		elif [ "$s" -ne 0 ]; then
			# A skipped case is said, with its name and why, not folded into "ok".
			echo "ok   $n ($p cases, $s skipped: $(sed -n 's/^\[  SKIPPED \] \([^ ]*\)$/\1/p' "$log/$n" | sort -u | paste -sd ' '))"
			grep -B1 '^\[  SKIPPED \] [^ ]*$' "$log/$n" | grep -v '^\[\|^--' | sort -u | head -5 | sed 's/^/    /'
		else
			echo "ok   $n ($p cases)"
		fi
	done
fi

if [ "$mode" != unit ]; then
	for t in "$top"/tests/*.sh; do
		[ -f "$t" ] || continue
		n=$(basename "$t" .sh)
		( cd "$top" && bash "$t" ) >"$log/$n" 2>&1
		rc=$?
		if [ $rc -eq 0 ]; then
			passed=$((passed + 1)); echo "ok   $n"
		elif [ $rc -eq 77 ]; then
			skipped=$((skipped + 1)); echo "skip $n: $(tail -1 "$log/$n")"
		else
			failed=$((failed + 1)); failures+=("$n")
			echo "FAIL $n (exit $rc)"; tail -25 "$log/$n" | sed 's/^/    /'
		fi
	done
fi

if [ $skipped -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ $failed -eq 0 ]
