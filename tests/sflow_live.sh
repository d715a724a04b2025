#!/bin/bash
# The live sFlow input: snapvnfd listens on a loopback UDP port (--sflow)
# and tests/sflow_send.py sends it the sFlow datagrams of every sFlow
# capture in tests/data, in order, as agents would. `snapvnf run
# flow_dump` must get what the replay (tests/sflow_replay.sh) gets, by
# tshark's truth: the same `sample` records (agent, rate, interfaces,
# header fields), the same `counters` records, estimated packets and bytes
# of the `flow` records, and the collector's datagram counts, with no
# socket drop and no sequence gap.
# Then, with an interval that never closes on its own, stopping the daemon
# hands over the open interval's flows; and a sampled header whose
# header_protocol is not parsed (MPLS, 13) gives a sample without a
# 5-tuple and no flow, while the same bytes as IPv4 (11) give both.
set -u
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/sflow_truth.bash"

command -v python3 >/dev/null || fail "python3 is missing (scripts/deps.sh installs it)"
command -v jq >/dev/null || fail "jq is missing (scripts/deps.sh installs it)"
CAPS="sflow-expanded sflow-flow sflow-ipv6 sflow-counters sflow-malformed"
files=()
for cap in $CAPS; do files+=("$D/$cap.pcap"); done

# Expected, all captures in a row.
: >"$T/exp.samples"; : >"$T/exp.counters"
dgrams=0 v5=0
for cap in $CAPS; do
	expect_samples "$cap" >>"$T/exp.samples"
	expect_counters "$cap" >>"$T/exp.counters"
	dgrams=$((dgrams + $(rows "$D/$cap.l34.tsv" | awk -F'\t' '$17 == 6343' | wc -l)))
	v5=$((v5 + $(rows "$D/$cap.sflow.tsv" | wc -l)))
done
want=$(awk '{ p += $2; b += $2 * $5 } END { printf "%.0f %.0f\n", p, b }' "$T/exp.samples")

# A free loopback port: the daemon is given it a moment after the probe
# closed it; a clash shows as the daemon failing to bind.
port=$(python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$B/snapvnfd" -q --sflow "127.0.0.1:$port" --flow-interval 1 & dpid=$!; PIDS+=($dpid)
wait_ctl
"$B/snapvnf" run --name dump flow_dump >"$T/live.json" & dump=$!; PIDS+=($dump)
for i in $(seq 101); do
	[ $i -eq 101 ] && fail "flow_dump did not attach"
	"$B/snapvnf" status --json 2>/dev/null |
		jq -e '.services[] | select(.name == "dump" and has("flow_delivered"))' >/dev/null && break
	sleep 0.1
done

sent=$(python3 "$(dirname "$0")/sflow_send.py" 127.0.0.1 "$port" "${files[@]}") ||
	fail "sflow_send.py failed"
[ "$sent" -eq "$dgrams" ] || fail "sent $sent datagrams, tshark counts $dgrams to port 6343"

# Live intervals close on the clock: wait until the collector has every
# datagram, the 5-tuples' flows are out (three distinct ones in these
# captures) and flow_dump has read every record.
for i in $(seq 101); do
	[ $i -eq 101 ] && fail "not everything arrived: $(jq -c '.collector | del(.agents)' "$T/status.json")"
	"$B/snapvnf" status --json >"$T/status.json" 2>/dev/null &&
		jq -e --argjson n "$dgrams" '.collector as $c | ($c.records_sample + $c.records_flow
			+ $c.records_counters) as $r | $c.datagrams == $n and $c.records_flow >= 3 and
			any(.services[]; .name == "dump" and .flow_delivered == $r)' \
			"$T/status.json" >/dev/null && break
	sleep 0.1
done
kill -TERM $dpid
wait_exit $dump 20 || fail "flow_dump exited with $?"
wait_exit $dpid 20 || fail "snapvnfd exited with $?"

col() { jq -r ".collector.$1" "$T/status.json"; }
check() { [ "$2" = "$3" ] || fail "$1 = $2, expected $3"; }
got_samples "$T/live.json" >"$T/got.samples"
compare "live: sample" "$T/exp.samples" "$T/got.samples"
got_counters "$T/live.json" >"$T/got.counters"
compare "live: counters" "$T/exp.counters" "$T/got.counters"
got=$(jq -rs 'map(select(.kind == "flow")) | "\(map(.packets) | add // 0) \(map(.bytes) | add // 0)"' "$T/live.json")
check "live: packets bytes of the flow records" "$got" "$want"
check "live: collector datagrams" "$(col datagrams)" "$dgrams"
check "live: collector sFlow v5 datagrams" "$(($(col datagrams) - $(col not_sflow5)))" "$v5"
check "live: collector flow_samples" "$(col flow_samples)" "$(wc -l <"$T/exp.samples")"
check "live: collector malformed" "$(col malformed)" 1
check "live: collector socket_drops" "$(col socket_drops)" 0
check "live: collector sequence_gaps" "$(col sequence_gaps)" 0
echo "live: $sent datagrams, $(wc -l <"$T/got.samples") samples, $(wc -l <"$T/got.counters") counters," \
	"flows $want (packets bytes): as tshark and the replay"

# Second run: --flow-interval 3600, so only the stop closes the interval.
"$B/snapvnfd" -q --sflow "127.0.0.1:$port" --flow-interval 3600 & dpid=$!; PIDS+=($dpid)
wait_ctl
"$B/snapvnf" run --name dump2 flow_dump >"$T/live2.json" & dump=$!; PIDS+=($dump)
for i in $(seq 101); do
	[ $i -eq 101 ] && fail "flow_dump did not attach"
	"$B/snapvnf" status --json 2>/dev/null |
		jq -e '.services[] | select(.name == "dump2" and has("flow_delivered"))' >/dev/null && break
	sleep 0.1
done
python3 "$(dirname "$0")/sflow_send.py" 127.0.0.1 "$port" "$D/sflow-ipv6.pcap" >/dev/null &&
python3 "$(dirname "$0")/sflow_send.py" 127.0.0.1 "$port" --header-protocol 13 >/dev/null &&
python3 "$(dirname "$0")/sflow_send.py" 127.0.0.1 "$port" --header-protocol 11 >/dev/null ||
	fail "sflow_send.py failed"
n=$(($(rows "$D/sflow-ipv6.sflow.tsv" | wc -l) + 2))
for i in $(seq 101); do
	[ $i -eq 101 ] && fail "second run: not everything arrived: $(jq -c '.collector | del(.agents)' "$T/status.json")"
	"$B/snapvnf" status --json >"$T/status.json" 2>/dev/null &&
		jq -e --argjson n "$n" '.collector as $c | ($c.records_sample + $c.records_counters) as $r |
			$c.datagrams == $n and any(.services[]; .name == "dump2" and .flow_delivered == $r)' \
			"$T/status.json" >/dev/null && break
	sleep 0.1
done
check "second run: flow records before the stop" "$(col records_flow)" 0
kill -TERM $dpid
wait_exit $dump 20 || fail "second run: flow_dump exited with $?"
wait_exit $dpid 20 || fail "second run: snapvnfd exited with $?"

# The flows: sflow-ipv6's one 5-tuple as tshark sums it, and the IPv4 one.
jq -r 'select(.kind == "flow") | "\(.src) \(.dst) \(.sport) \(.dport) \(.proto) \(.packets) \(.bytes)"' \
	"$T/live2.json" | sort >"$T/got.flows"
{
	echo "10.0.0.1 10.0.0.2 1234 80 6 100 6400"
	expect_samples sflow-ipv6 | awk '{ k = $6 " " $7 " 0 0 " $8; p[k] += $2; b[k] += $2 * $5 }
		END { for (k in p) printf "%s %.0f %.0f\n", k, p[k], b[k] }'
} | sort >"$T/exp.flows"
diff "$T/exp.flows" "$T/got.flows" >"$T/diff" ||
	fail "flows handed over at the stop (<: expected, >: got):"$'\n'"$(sed 's/^/  /' "$T/diff")"
# The two hand-made samples, last: MPLS without a 5-tuple, IPv4 with one.
jq -r 'select(.kind == "sample") | "\(.src) \(.dst) \(.proto) \(.sport) \(.dport) \(.packets) \(.bytes)"' \
	"$T/live2.json" | tail -2 >"$T/got.crafted"
printf '%s\n' "null null 0 0 0 100 6400" "10.0.0.1 10.0.0.2 6 1234 80 100 6400" >"$T/exp.crafted"
diff "$T/exp.crafted" "$T/got.crafted" >"$T/diff" ||
	fail "hand-made samples, MPLS then IPv4 header (<: expected, >: got):"$'\n'"$(sed 's/^/  /' "$T/diff")"
echo "live, stopped: the open interval's $(wc -l <"$T/got.flows") flows handed over; an MPLS header gives no 5-tuple"
