#!/bin/bash
# snapvnfd --nfdump-dir reads nfdump's output as a stream, with the real
# nfcapd, softflowd and nfdump:
#   1. a file of 1,512,300 flows (nfdump -R/-w over copies of a NetFlow v9
#      export of data/demo.pcap), lossless: a service gets every record
#      (nfdump's own count) and nothing is dropped, while `snapvnf status`
#      keeps answering (its latency is printed, not judged here);
#   2. lossy, a stopped service loses the records the flow ring (16384
#      slots) cannot hold of a 21,300-flow file, and once it reads again
#      delivered + lost equals what was published; the daemon logs it.
set -u
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/nfdump.bash"

export_file data/demo.pcap "$T/demo.nfcapd"
start_daemon --lossless "$T/daemon.log"
"$B/snapvnf" run --name count flow_dump=kind=counters > /dev/null & count=$!; PIDS+=($count)
wait_for '.services[0] | has("flow_delivered")' 10

# 1. 1,512,300 flows in one file, lossless.
mkdir "$T/c100" "$T/c71"
for i in $(seq -w 1 100); do ln "$T/demo.nfcapd" "$T/c100/nfcapd.2026010100$i"; done
nfdump -R "$T/c100" -w "$T/f100" > /dev/null || fail "nfdump -w"
for i in $(seq -w 1 71); do ln "$T/f100" "$T/c71/nfcapd.20260101000$i"; done
nfdump -R "$T/c71" -w "$T/big" > /dev/null || fail "nfdump -w"
flows=$(nfdump -N -r "$T/big" -o null | sed -n 's/^Summary: total flows: \([0-9]*\),.*/\1/p')
[ "$flows" = 1512300 ] || fail "nfdump -R/-w made $flows flows"
cp "$T/big" "$T/big.tmp" && mv "$T/big.tmp" "$W/nfcapd.202601010001"
: > "$T/lat"
for i in $(seq 1200); do
	[ $i -eq 1200 ] && fail "1.5M flows: not through in 120 s: $(jq -c .nfdump "$T/status.json")"
	t0=$(date +%s%N)
	st || fail "status did not answer"
	echo $((($(date +%s%N) - t0) / 1000000)) >> "$T/lat"
	jq -e ".collector.queue_drops > 0 or (.nfdump.files == 1 and
		.collector.records_nfdump == $flows and .services[0].flow_backlog == 0)" \
		"$T/status.json" >/dev/null && break
	sleep 0.1
done
got=$(val .collector.records_nfdump)
[ "$got" = "$flows" ] || fail "1.5M flows: $got records, nfdump has $flows"
[ "$(val .collector.queue_drops)" = 0 ] || fail "1.5M flows: queue_drops $(val .collector.queue_drops)"
[ "$(jq -r '.services[0] | "\(.flow_delivered) \(.flow_lost)"' "$T/status.json")" = "$flows 0" ] ||
	fail "1.5M flows: the service got $(jq -c '.services[0]' "$T/status.json"), want $flows, none lost"
echo "1. $flows flows: all delivered, none dropped; status answered $(wc -l < "$T/lat") times meanwhile, in $(sort -n "$T/lat" | awk '{ a[NR] = $1 } END { printf "%d ms median, %d ms max", a[int((NR + 1) / 2)], a[NR] }') (the date/jq/CLI start included)"
kill $count; wait_exit $count 10 >/dev/null
kill $dpid; wait_exit $dpid 20 || fail "snapvnfd exited with $?"

# 2. Lossy: a stopped service loses what the flow ring (16384) cannot hold.
start_daemon "" "$T/daemon2.log"
"$B/snapvnf" run --name slow flow_dump=kind=counters > /dev/null & slow=$!; PIDS+=($slow)
wait_for '.services[0] | has("flow_delivered")' 10
kill -STOP $slow
cp "$T/f100" "$T/f100.tmp" && mv "$T/f100.tmp" "$W/nfcapd.202601010007"
wait_for '.nfdump.files == 1 and .collector.records_nfdump == 21300' 30
kill -CONT $slow
wait_for '.services[0].flow_backlog == 0 and .services[0].flow_delivered + .services[0].flow_lost == 21300' 30
lost=$(val '.services[0].flow_lost')
[ "$lost" -gt 0 ] || fail "lossy: nothing lost"
for i in $(seq 50); do grep -q "service slow lost [0-9]* flow records" "$T/daemon2.log" && break; sleep 0.1; done
grep -q "service slow lost [0-9]* flow records ($lost in all)" "$T/daemon2.log" ||
	fail "lossy: the loss was not logged: $(cat "$T/daemon2.log")"
echo "2. lossy: 21300 records, the stopped service lost $lost, counted and logged"
