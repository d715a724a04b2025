#!/bin/bash
# make demo: snapvnfd replays the bundled capture of real traffic
# (data/demo.pcap) to services side by side, and prints what they saw.
set -u
B=${1:-build}
T=$(mktemp -d /tmp/snapvnf-demo.XXXXXX)
export SNAPVNF_CTL=$T/ctl.sock
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill $p 2>/dev/null; done; rm -rf "$T"' EXIT
cap=data/demo.pcap

echo "== snapvnfd replays $cap ($(tshark -r $cap 2>/dev/null | wc -l) packets) to 3 services"
"$B/snapvnfd" -r $cap --wait-for 3 & dpid=$!; PIDS+=($dpid)
for _ in $(seq 100); do "$B/snapvnf" status >/dev/null 2>&1 && break; sleep 0.1; done

"$B/snapvnf" tap --name first-snaps -c 12 > "$T/tap.txt" & PIDS+=($!)
"$B/snapvnf" tap --name counter --count > "$T/count.json" & c=$!; PIDS+=($c)
"$B/snapvnf" tap --name stats --count > "$T/count2.json" & c2=$!; PIDS+=($c2)
wait $dpid; wait $c; wait $c2
echo
echo "== snapvnf tap: the first snaps (TIME PROTO SRC > DST wire cap)"
cat "$T/tap.txt"
echo
echo "== snapvnf tap --count: two services, each read every snap from the one ring"
cat "$T/count.json" "$T/count2.json"
