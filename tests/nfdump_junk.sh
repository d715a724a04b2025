#!/bin/bash
# snapvnfd --nfdump-dir with the real nfdump: files named as nfcapd's
# finished files that nfdump cannot read (garbage, empty, a cut nfcapd
# file) count as nfdump failures (nfdump 1.7 exits 0 on them), nfdump's
# stderr is counted, as many bytes as nfdump writes when run on them by
# hand, and the failures are logged once per interval, not once per file.
set -u
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/nfdump.bash"

export_file data/demo.pcap "$T/demo.nfcapd"
start_daemon "" "$T/daemon.log"
cp "$T/demo.nfcapd" "$W/nfcapd.202601010001"
n=$(raw "$T/demo.nfcapd" | wc -l)
wait_for ".nfdump.files == 1 and .nfdump.rows == $n" 30

head -c 3000 "$T/demo.nfcapd" > "$T/cut"
printf 'not an nfcapd file\n' > "$T/garbage"
: > "$T/empty"
want=0
for j in garbage empty cut; do
	cp "$T/$j" "$W/nfcapd.20260101000$j"
	want=$((want + $(nfdump -N -6 -r "$W/nfcapd.20260101000$j" -o 'fmt:%ts' 2>&1 >/dev/null | wc -c)))
done
[ "$want" -gt 0 ] || fail "nfdump says nothing on stderr about junk files"
wait_for ".nfdump.files == 4 and .nfdump.nfdump_failures + .nfdump.files - 1 >= 6" 30
[ "$(val .nfdump.nfdump_failures)" = 3 ] || fail "junk: $(val .nfdump.nfdump_failures) failures, want 3"
[ "$(val .nfdump.stderr_bytes)" = "$want" ] || fail "junk: stderr_bytes $(val .nfdump.stderr_bytes), nfdump wrote $want"
[ "$(val .nfdump.rows)" = "$n" ] || fail "junk gave rows"
"$B/snapvnf" metrics | grep -q "^snapvnf_nfdump_nfdump_failures_total 3$" || fail "metrics: no failures"
"$B/snapvnf" status | grep -q "nfdump failures 3" || fail "status: no failures"
[ "$(grep -c 'nfdump said' "$T/daemon.log")" = 1 ] || fail "junk logged $(grep -c 'nfdump said' "$T/daemon.log") times, want once: $(cat "$T/daemon.log")"
echo "3 junk files: 3 failures, $want bytes of stderr counted, one log line"

