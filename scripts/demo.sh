#!/bin/bash
# make demo: snapvnfd replays the bundled capture of real traffic
# (data/demo.pcap, recorded from curl, dig, openssl and iperf3 by
# scripts/record-demo-capture.sh) to three services side by side:
#   l7_monitor  (examples/l7_monitor.c: http_request, dns, tls_sni)
#   phishing    (examples/phishing.c: http_request -> url_filter)
#   snapvnf tap -c 12 (the first snaps) and snapvnf tap --count
# and prints what each saw.
set -u
B=${1:-build}
T=$(mktemp -d /tmp/snapvnf-demo.XXXXXX)
export SNAPVNF_CTL=$T/ctl.sock
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill $p 2>/dev/null; done; rm -rf "$T"' EXIT
cap=data/demo.pcap

echo "== snapvnfd replays $cap to 4 services (one ring, read in place by all)"
"$B/snapvnfd" -q -r $cap --wait-for 4 & dpid=$!; PIDS+=($dpid)
for _ in $(seq 100); do "$B/snapvnf" status >/dev/null 2>&1 && break; sleep 0.1; done

"$B/examples/l7_monitor" > "$T/l7.jsonl" & l7=$!; PIDS+=($l7)
"$B/examples/phishing" examples/blocklist.txt > "$T/phish.jsonl" & ph=$!; PIDS+=($ph)
"$B/snapvnf" tap --name counter --count > "$T/count.json" & tc=$!; PIDS+=($tc)
"$B/snapvnf" tap --name first-snaps -c 12 > "$T/first.txt" & PIDS+=($!)
wait $dpid; wait $l7; wait $ph; wait $tc

show() {  # show EVENT N: the first N events of a kind, and how many there were
	local n
	n=$(grep -c "\"event\":\"$1\"" "$2")
	echo
	echo "-- $1: $n events (first $3)"
	grep "\"event\":\"$1\"" "$2" | head -"$3"
}
echo
echo "== snapvnf tap: the first snaps (TIME PROTO SRC > DST wire=N cap=N)"
cat "$T/first.txt"
echo
echo "== l7_monitor: every HTTP request, DNS message and TLS ClientHello inside the snaps"
show http_request "$T/l7.jsonl" 4
show dns "$T/l7.jsonl" 4
show tls_client_hello "$T/l7.jsonl" 4
echo
echo "== phishing: requests to hosts on examples/blocklist.txt"
grep '"event":"alert"' "$T/phish.jsonl"
echo
echo "== snapvnf tap --count"
cat "$T/count.json"
