#!/bin/bash
# The daemon replays the sFlow datagrams of each sFlow capture in tests/data
# (--sflow-pcap) to `snapvnf run flow_dump`; what comes out must match what
# tshark found in the same files (tests/data/NAME.sflow*.tsv and
# NAME.l34.tsv, made by tshark, never by snapvnf):
#   - one `sample` record per flow sample, in order, with its agent,
#     sampling rate, input and output interface, and the sampled header's
#     frame length, addresses, protocol (and TCP ports);
#   - packets and bytes of the `sample` records and of the aggregated
#     `flow` records both add up to sum(rate) and sum(rate x frame length);
#   - one `counters` record per generic interface counter record, in
#     order, with every counter;
#   - the collector's counters in `snapvnf status --json`, read while a
#     second service is still attached: datagrams, sFlow v5 datagrams,
#     flow and counter samples, sequence gaps, per-agent figures, malformed
#     only for sflow-malformed.
# Then, with --sflow-snaps, `snapvnf tap --count` gets one snap per flow
# sample with a sampled header, with tshark's bytes and protocols.
set -u
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/sflow_truth.bash"

command -v jq >/dev/null || fail "jq is missing (scripts/deps.sh installs it)"
CAPS="sflow-expanded sflow-flow sflow-ipv6 sflow-counters sflow-malformed"
hold=
trap '[ -n "$hold" ] && kill -CONT "$hold" 2>/dev/null; cleanup' EXIT

# Per agent (sorted): datagrams flow_samples counter_samples, from tshark.
expect_agents() {
	awk -F'\t' -v F="$D/$1.sflow_samples.tsv" '
	FNR == 1 { next }
	FILENAME == F { flows[$1]++; next }
	{
		a = $2 != "" ? $2 : $3
		if (a == "") next
		dg[a]++; fs[a] += flows[$1]; cs[a] += $5 - flows[$1]
	}
	END { for (a in dg) print a, dg[a], fs[a], cs[a] }' \
		$( [ -f "$D/$1.sflow_samples.tsv" ] && echo "$D/$1.sflow_samples.tsv") "$D/$1.sflow.tsv" | sort
}

# Sequence gaps, by tshark's numbers: a datagram whose sequence number
# skips ahead of its (agent, sub-agent)'s previous one.
expect_gaps() {
	rows "$D/$1.sflow.tsv" | awk -F'\t' '
	$4 == "" { next }
	{ k = $2 $3 "/" $7; if ((k in last) && $4 > last[k] + 1) g++; last[k] = $4 }
	END { print g + 0 }'
}

# Status's number at a jq path, e.g. col datagrams.
col() { jq -r ".collector.$1" "$T/status.json"; }
check() {  # what got want
	[ "$2" = "$3" ] || fail "$1 = $2, tshark says $3"
}

for cap in $CAPS; do
	f=$D/$cap.pcap
	[ -f "$f" ] || fail "missing $f"
	out=$T/$cap.json

	# Two services: `hold` attaches first and is stopped, so the daemon,
	# once done, still has a service to wait for and answers status with
	# the final counters; `dump` gets every record.
	"$B/snapvnfd" -q --sflow-pcap "$f" --wait-for 2 & dpid=$!; PIDS+=($dpid)
	wait_ctl
	"$B/snapvnf" run --name hold flow_dump=kind=counters >/dev/null & hold=$!; PIDS+=($hold)
	for i in $(seq 101); do
		[ $i -eq 101 ] && fail "$cap: the held service did not attach"
		"$B/snapvnf" status --json 2>/dev/null |
			jq -e '.services[] | select(.name == "hold" and has("flow_delivered"))' >/dev/null && break
		sleep 0.1
	done
	kill -STOP $hold
	"$B/snapvnf" run --name dump flow_dump >"$out" & dump=$!; PIDS+=($dump)
	wait_exit $dump 20 || fail "$cap: flow_dump exited with $?"
	for _ in $(seq 100); do
		"$B/snapvnf" status --json >"$T/status.json" 2>/dev/null &&
			[ "$(jq -r .daemon.ended "$T/status.json")" = true ] && break
		sleep 0.1
	done
	[ "$(jq -r .daemon.ended "$T/status.json")" = true ] || fail "$cap: the replay did not end"
	kill -CONT $hold; h=$hold; hold=
	wait_exit $h 20 || fail "$cap: the held service exited with $?"
	wait_exit $dpid 20 || fail "$cap: snapvnfd exited with $?"

	# Records, per kind, against tshark.
	expect_samples "$cap" >"$T/exp.samples"
	got_samples "$out" >"$T/got.samples"
	compare "$cap: sample" "$T/exp.samples" "$T/got.samples"

	expect_counters "$cap" >"$T/exp.counters"
	got_counters "$out" >"$T/got.counters"
	compare "$cap: counters" "$T/exp.counters" "$T/got.counters"

	# Estimated packets and bytes: sum(rate), sum(rate x frame length),
	# over the samples and again over the aggregated flows.
	want=$(awk '{ p += $2; b += $2 * $5 } END { printf "%.0f %.0f\n", p, b }' "$T/exp.samples")
	for kind in sample flow; do
		got=$(jq -rs "map(select(.kind == \"$kind\")) | \"\(map(.packets) | add // 0) \(map(.bytes) | add // 0)\"" "$out")
		check "$cap: packets bytes of the $kind records" "$got" "$want"
	done

	# The collector's counters. `datagrams` counts every UDP datagram to
	# the port: sflow-counters has 30, of which 5 (frames 13, 19-22) are
	# NetFlow v5 ("00 05 00 01 ...") that tshark does not take for sFlow
	# and the collector counts as not_sflow5.
	nsamples=$(wc -l <"$T/exp.samples")
	check "$cap: collector datagrams" "$(col datagrams)" \
		"$(rows "$D/$cap.l34.tsv" | awk -F'\t' '$17 == 6343' | wc -l)"
	check "$cap: collector sFlow v5 datagrams" "$(($(col datagrams) - $(col not_sflow5)))" \
		"$(rows "$D/$cap.sflow.tsv" | wc -l)"
	check "$cap: collector flow_samples" "$(col flow_samples)" "$nsamples"
	check "$cap: collector counter_samples" "$(col counter_samples)" \
		"$(rows "$D/$cap.sflow.tsv" | awk -F'\t' -v n="$nsamples" '{ s += $5 } END { print s - n }')"
	check "$cap: collector records_sample" "$(col records_sample)" "$nsamples"
	check "$cap: collector records_counters" "$(col records_counters)" "$(wc -l <"$T/exp.counters")"
	check "$cap: collector records_flow" "$(col records_flow)" "$(jq -r 'select(.kind == "flow")' "$out" | grep -c '^{')"
	check "$cap: collector sequence_gaps" "$(col sequence_gaps)" "$(expect_gaps "$cap")"
	check "$cap: collector queue_drops" "$(col queue_drops)" 0
	jq -r '.collector.agents[] | "\(.agent) \(.datagrams) \(.flow_samples) \(.counter_samples)"' \
		"$T/status.json" | sort >"$T/got.agents"
	expect_agents "$cap" >"$T/exp.agents"
	diff "$T/exp.agents" "$T/got.agents" >/dev/null ||
		fail "$cap: per-agent datagrams, flow and counter samples:"$'\n'"$(diff "$T/exp.agents" "$T/got.agents" | sed 's/^/  /')"
	# sflow-malformed: its UDP length leaves 8 bytes of sFlow, short of a
	# datagram header (tshark: "length 8 < 28"); the others are sound.
	if [ "$cap" = sflow-malformed ]; then
		[ "$(col malformed)" -ge 1 ] || fail "$cap: malformed not counted: $(col malformed)"
	else
		check "$cap: collector malformed" "$(col malformed)" 0
		check "$cap: collector truncated" "$(col truncated)" 0
	fi
	echo "$cap: $nsamples samples, $(wc -l <"$T/exp.counters") counters," \
		"$(col records_flow) flows, $(col datagrams) datagrams, malformed $(col malformed): as tshark"
done

# --sflow-snaps: each sampled header is also a snap.
for cap in $CAPS; do
	"$B/snapvnfd" -q --sflow-pcap "$D/$cap.pcap" --sflow-snaps --wait-for 1 & dpid=$!; PIDS+=($dpid)
	wait_ctl
	"$B/snapvnf" tap --name snaps --count >"$T/tap.json" & tap=$!; PIDS+=($tap)
	wait_exit $tap 20 || fail "$cap: tap exited with $?"
	wait_exit $dpid 20 || fail "$cap: snapvnfd exited with $?"
	want=$(rows "$D/$cap.sflow_flows.tsv" | awk -F'\t' '
	{ n++; b += $3; if ($5 != "") v4++; if ($7 == 6) t++; else if ($7 == 17) u++; else if ($7 == 1) i++ }
	END { printf "packets=%d lost=0 bytes=%d ipv4=%d tcp=%d udp=%d icmp=%d\n", n, b, v4, t, u, i }')
	got=$(sed 's/[{}"]//g; s/:/=/g; s/,/ /g' "$T/tap.json")
	for kv in $want; do
		echo " $got " | grep -q " $kv " || fail "$cap --sflow-snaps: expected $kv, tap says $got"
	done
	echo "$cap --sflow-snaps: $want"
done
echo "every sFlow capture: records and collector counters as tshark has them"
