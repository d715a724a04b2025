#!/bin/bash
# Every libFuzzer harness in fuzz/ over its committed corpus, each input
# once: the seeds and the inputs that once crashed a parser (kept there as
# regression cases) must all run clean under ASan and UBSan. Needs clang
# with libFuzzer, which scripts/deps.sh installs (clang, libclang-rt-dev):
# without it the test fails rather than skip, or the corpus would go
# unchecked on every fresh machine. The harnesses are built into
# $SNAPVNF_BUILD/fuzz (`make fuzz`), or a temp dir.
set -u
top=${SNAPVNF_TOP:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$top" || exit 1
tmp=$(mktemp -d /tmp/snapvnf-fuzz.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

fail() { echo "FAIL: $*"; exit 1; }

command -v clang >/dev/null || fail "no clang: the fuzz harnesses need clang with libFuzzer (scripts/deps.sh installs it)"
printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n);\n%s\n' \
	'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { return 0; }' \
	>"$tmp/probe.c"
clang -fsanitize=fuzzer,address,undefined "$tmp/probe.c" -o "$tmp/probe" 2>"$tmp/probe.err" ||
	fail "clang cannot link -fsanitize=fuzzer (no libFuzzer; scripts/deps.sh installs libclang-rt-dev): $(head -1 "$tmp/probe.err")"

build=${SNAPVNF_BUILD:-$tmp/build}
make -s BUILD="$build" fuzz >"$tmp/make.log" 2>&1 || { tail -20 "$tmp/make.log"; fail "make fuzz"; }

n=0
for src in fuzz/fuzz_*.c; do
	h=$(basename "$src" .c)
	corpus=fuzz/corpus/${h#fuzz_}
	[ -x "$build/fuzz/$h" ] || fail "$h was not built"
	[ -d "$corpus" ] && [ -n "$(ls -A "$corpus")" ] || fail "$h has no corpus in $corpus"
	# -runs=0: run every corpus file once, mutate nothing.
	if ! "$build/fuzz/$h" -runs=0 -timeout=20 -artifact_prefix="$tmp/$h-" "$corpus" \
		>"$tmp/$h.log" 2>&1; then
		grep -E 'ERROR|SUMMARY|runtime error|#[0-9]+ 0x' "$tmp/$h.log" | head -20
		fail "$h crashed on its corpus"
	fi
	grep -q 'Done [0-9]* runs' "$tmp/$h.log" || fail "$h did not run its corpus"
	echo "ok: $h ($(ls "$corpus" | wc -l) inputs)"
	n=$((n + 1))
done
[ $n -gt 0 ] || fail "no harnesses in fuzz/"
echo "$n harnesses clean over their corpora"
