#!/bin/bash
# make demo-live: snapvnf on live traffic through the stand-in switch
# (scripts/testbed: Open vSwitch in network namespaces, a port mirror to
# svtb-mirror0 and sFlow to 127.0.0.1). One daemon takes both inputs,
#   snapvnfd -i svtb-mirror0 -s 1024 --sflow 127.0.0.1:PORT
# and two services read it:
#   l7     snapvnf run http_request dns tls_sni   (snaps of the mirror)
#   flows  snapvnf run top_talkers ddos            (sFlow records)
# while `scripts/testbed traffic` drives about a minute of HTTP, DNS and
# TLS rounds and then an iperf3 bulk transfer and an hping3 SYN burst.
# Then it prints what the services saw and `snapvnf status`, and takes the
# testbed down (also on Ctrl-C or an error). Needs root.
#   demo-live.sh [BUILD_DIR]      DEMO_SECONDS=N for a shorter or longer run
set -u
B=${1:-build}
SECS=${DEMO_SECONDS:-60}
TOP=$(cd "$(dirname "$0")/.." && pwd)
TB=$TOP/scripts/testbed
[ "$(id -u)" -eq 0 ] || { echo "demo-live: needs root (network namespaces, Open vSwitch); try: sudo make demo-live" >&2; exit 1; }
for c in jq python3; do
	command -v $c >/dev/null || { echo "demo-live: $c is missing (scripts/deps.sh installs it)" >&2; exit 1; }
done

# One testbed per machine: hold its lock (as the live tests do) from `up`
# to `down`, so that nobody takes it down under us, nor we under them.
LOCK=/run/lock/snapvnf-testbed.lock
mkdir -p "$(dirname "$LOCK")"
exec 8>>"$LOCK"
if ! flock -n 8; then
	echo "demo-live: the testbed is in use (a live test or demo holds $LOCK); waiting up to 5 minutes"
	flock -w 300 8 || { echo "demo-live: still in use, giving up" >&2; exit 1; }
fi
tb() { "$TB" "$@" 8<&-; }

T=$(mktemp -d /tmp/snapvnf-demo-live.XXXXXX)
export SNAPVNF_CTL=$T/ctl.sock SVTB_LOG=$T/svtb
PIDS=()
done_=0
finish() {
	[ $done_ = 1 ] && return
	done_=1
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
	echo
	echo "== scripts/testbed down"
	tb down 2>&1 | tail -1
	rm -rf "$T"
}
trap finish EXIT
trap 'exit 130' INT TERM

# A free loopback port for the sFlow export.
export SVTB_SFLOW_PORT=$(python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

echo "== scripts/testbed up: three hosts in namespaces, Open vSwitch, mirror to svtb-mirror0, sFlow to 127.0.0.1:$SVTB_SFLOW_PORT"
tb --variant ovs up || exit 1

echo
echo "== snapvnfd -i svtb-mirror0 -s 1024 --sflow 127.0.0.1:$SVTB_SFLOW_PORT, services l7 and flows"
"$B/snapvnfd" -q -i svtb-mirror0 -s 1024 --sflow "127.0.0.1:$SVTB_SFLOW_PORT" & d=$!; PIDS+=($d)
for _ in $(seq 100); do "$B/snapvnf" status >/dev/null 2>&1 && break; sleep 0.1; done
"$B/snapvnf" run --name l7 http_request dns tls_sni >"$T/l7.jsonl" & l7=$!; PIDS+=($l7)
"$B/snapvnf" run --name flows top_talkers=n=3,interval=10 ddos=bps=2M,interval=5 >"$T/flows.jsonl" & fl=$!; PIDS+=($fl)
for _ in $(seq 100); do [ "$("$B/snapvnf" services 2>/dev/null | wc -l)" -ge 2 ] && break; sleep 0.1; done
"$B/snapvnf" services

echo
echo "== scripts/testbed traffic $SECS: HTTP, DNS and TLS rounds for $SECS s, then iperf3 and hping3"
tb traffic "$SECS" & tr=$!; PIDS+=($tr)
t0=$SECONDS
while kill -0 $tr 2>/dev/null; do
	sleep 5
	kill -0 $tr 2>/dev/null || break
	printf '   %3d s: %s\n' $((SECONDS - t0)) "$("$B/snapvnf" status --json 2>/dev/null | jq -r \
		'"\(.capture.received) snaps, \(.collector.flow_samples) sFlow samples; " +
		 ([.services[] | "\(.name) \(.delivered // .flow_delivered) read, \(.lost // .flow_lost) lost"] | join(", "))')"
done
wait $tr
# Let the services read the last snaps and OVS send its last samples.
sleep 2
kill -0 $d 2>/dev/null || echo "demo-live: snapvnfd stopped during the run (see its message above)"
"$B/snapvnf" status >"$T/status.txt" 2>&1
kill -TERM $d
wait $l7 $fl $d 2>/dev/null

echo
echo "== l7: what the snaps of the mirror showed"
jq -rs 'group_by(.event) | map("   \(.[0].event): \(length) events") | .[]' "$T/l7.jsonl"
echo "-- HTTP requests, by host and path (most first)"
jq -r 'select(.event == "http_request") | "\(.method) \(.host)\(.uri | sub("\\?.*"; "?…"))"' "$T/l7.jsonl" |
	sort | uniq -c | sort -rn | head -5
echo "-- DNS queries, by name and type"
jq -r 'select(.event == "dns" and (.response | not)) | "\(.qname) \({"1": "A", "28": "AAAA"}[.qtype | tostring] // .qtype) over \(if .proto == 6 then "TCP" else "UDP" end)"' "$T/l7.jsonl" |
	sed 's/nx[0-9]*\.svtb/nx*.svtb/' | sort | uniq -c | sort -rn | head -6
echo "-- DNS answers: $(jq -r 'select(.event == "dns" and .response) | .rcode' "$T/l7.jsonl" |
	sed 's/^0$/NOERROR/; s/^3$/NXDOMAIN/' | sort | uniq -c | awk '{ printf "%s%d %s", (NR > 1 ? ", " : ""), $1, $2 }')"
echo "-- TLS ClientHellos, by SNI"
jq -r 'select(.event == "tls_client_hello") | "\(.sni // "(none)") alpn=\(.alpn // "-")"' "$T/l7.jsonl" |
	sed 's/login[0-9]*\.svtb/login*.svtb/' | sort | uniq -c | sort -rn | head -4

echo
echo "== flows: from OVS's sFlow (1-in-${SVTB_SAMPLING:-64} samples, scaled)"
echo "-- top talkers of the busiest 10-second interval"
jq -rs '[.[] | select(.event == "top_talkers")] | group_by(.start) |
	max_by(map(select(.direction == "src") | .bytes) | add) // [] |
	.[] | "   \(.direction) #\(.rank) \(.addr): \(.bytes) bytes, \(.packets) packets (\(.share * 100 | floor) %)"' "$T/flows.jsonl"
echo "-- ddos alerts (a destination over 2 Mbit/s for 5 s)"
jq -r 'select(.event == "alert") | "   \(.dst): \(.pps) packets/s, \(.bps) bit/s over \(.seconds * 10 | round / 10) s (\(.metric))"' "$T/flows.jsonl" |
	head -5
[ -n "$(jq -r 'select(.event == "alert")' "$T/flows.jsonl")" ] || echo "   none"

echo
echo "== the clients' own record ($SVTB_LOG/events.tsv)"
tail -n +2 "$SVTB_LOG/events.tsv" | cut -f2 | sort | uniq -c | awk '{printf "   %s: %d\n", $2, $1}'

echo
echo "== snapvnf status (just before the daemon stopped)"
cat "$T/status.txt"
