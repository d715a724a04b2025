#!/bin/bash
# pmacct's sFlow collector (sfacctd) reads the same sFlow captures
# (pcap_savefile) as `snapvnfd --sflow-pcap`, and the two must agree:
#   - per 5-tuple (src, dst, sport, dport, proto), the packets and bytes
#     sfacctd renormalizes by the sampling rate (sfacctd_renormalize) equal
#     the sums of our `flow` records (however the intervals split them),
#     and the sums of our `sample` records, on the captures whose flow
#     samples carry IP 5-tuples (sflow-expanded, sflow-flow, sflow-ipv6);
#   - every generic interface counter record sfacctd logs
#     (sfacctd_counter_file) equals our `counters` record, in order, on
#     every sFlow capture.
# Left out: nothing else is compared. `counters` records have no 5-tuple and
# sfacctd's print plugin does not count them (they are compared with its
# counter log instead); the other counter record types (Ethernet, VLAN,
# processor, ...) are not records of ours.
set -u
. "$(dirname "$0")/lib.bash"

command -v sfacctd >/dev/null || fail "sfacctd is missing (scripts/deps.sh installs pmacct)"
command -v jq >/dev/null || fail "jq is missing (scripts/deps.sh installs it)"
D=tests/data
FLOW_CAPS="sflow-expanded sflow-flow sflow-ipv6"
ALL_CAPS="$FLOW_CAPS sflow-counters sflow-malformed"

# Ours, one capture at a time.
for cap in $ALL_CAPS; do
	"$B/snapvnfd" -q --sflow-pcap "$D/$cap.pcap" --wait-for 1 & dpid=$!; PIDS+=($dpid)
	wait_ctl
	"$B/snapvnf" run --name dump flow_dump >"$T/$cap.json" & dump=$!; PIDS+=($dump)
	wait_exit $dump 20 || fail "$cap: flow_dump exited with $?"
	wait_exit $dpid 20 || fail "$cap: snapvnfd exited with $?"
done

# Per 5-tuple totals, "src dst sport dport proto packets bytes", sorted.
# The CSV is appended to at each purge: a 5-tuple may have several rows.
pm_tuples() {
	[ -f "$T/$1.csv" ] || return 0
	awk -F, 'NR > 1 { k = $1 " " $2 " " $3 " " $4 " " $5; p[k] += $6; b[k] += $7 }
	END { for (k in p) printf "%s %.0f %.0f\n", k, p[k], b[k] }' "$T/$1.csv" | sort
}
our_tuples() {
	jq -r "select(.kind == \"$2\") | \"\(.src) \(.dst) \(.sport) \(.dport) \(.proto) \(.packets) \(.bytes)\"" \
		"$T/$1.json" |
	awk '{ k = $1 " " $2 " " $3 " " $4 " " $5; p[k] += $6; b[k] += $7 }
	END { for (k in p) printf "%s %.0f %.0f\n", k, p[k], b[k] }' | sort
}

# sfacctd on each capture in turn, live on a loopback port, fed the
# capture's datagrams by tests/sflow_send.py. (Reading the capture itself,
# pcap_savefile, races: at the end of the file sfacctd stops its print
# plugin, which may not have read its pipe yet and then writes nothing;
# pcap_savefile_wait, meant to avoid that, counts the last datagram twice
# in pmacct 1.7.7.) The plugin appends its cache to the CSV every second;
# sfacctd is done when its per-5-tuple totals and its counter log have
# stood still for 2.5 s, or after 20 s.
pm_counters() {
	jq -r 'select(.event_type == "log" and .sf_cnt_type == "sflow_cnt_generic") |
		[.ifIndex, .ifType, .ifSpeed, .ifDirection, .ifStatus, .ifInOctets, .ifInUcastPkts,
		 .ifInMulticastPkts, .ifInBroadcastPkts, .ifInDiscards, .ifInErrors, .ifInUnknownProtos,
		 .ifOutOctets, .ifOutUcastPkts, .ifOutMulticastPkts, .ifOutBroadcastPkts, .ifOutDiscards,
		 .ifOutErrors, .ifPromiscuousMode] | map(tostring) | join(" ")' \
		"$T/$1.counters.json" 2>/dev/null
}
for cap in $ALL_CAPS; do
	port=$(python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	cat >"$T/$cap.conf" <<EOF
daemonize: false
sfacctd_ip: 127.0.0.1
sfacctd_port: $port
sfacctd_renormalize: true
sfacctd_counter_file: $T/$cap.counters.json
sfacctd_counter_output: json
plugins: print[p]
aggregate[p]: src_host,dst_host,src_port,dst_port,proto
print_output[p]: csv
print_num_protos[p]: true
print_output_file[p]: $T/$cap.csv
print_output_file_append[p]: true
print_refresh_time[p]: 1
EOF
	sfacctd -f "$T/$cap.conf" >"$T/$cap.pm.log" 2>&1 & pm=$!; PIDS+=($pm)
	for i in $(seq 101); do
		[ "$i" -eq 101 ] && fail "$cap: sfacctd did not listen on 127.0.0.1:$port ($(tail -3 "$T/$cap.pm.log"))"
		ss -Hlun "sport = :$port" | grep -q . && break
		sleep 0.1
	done
	python3 "$(dirname "$0")/sflow_send.py" 127.0.0.1 "$port" "$D/$cap.pcap" >/dev/null ||
		fail "$cap: sflow_send.py failed"
	prev="" same=0
	for i in $(seq 200); do
		sleep 0.1
		cur="$(pm_tuples "$cap" | md5sum) $(pm_counters "$cap" | md5sum)"
		if [ "$cur" = "$prev" ]; then same=$((same + 1)); else same=0; fi
		prev=$cur
		[ $same -ge 25 ] && break
	done
	# SIGINT: sfacctd writes out what it holds and exits (it takes
	# SIGTERM for a reload).
	kill -INT "$pm"
	wait_exit "$pm" 20 >/dev/null
done

for cap in $FLOW_CAPS; do
	pm_tuples "$cap" >"$T/pm.tuples"
	[ -s "$T/pm.tuples" ] || fail "$cap: sfacctd accounted nothing ($(tail -3 "$T/$cap.pm.log"))"
	for kind in flow sample; do
		our_tuples "$cap" $kind >"$T/our.tuples"
		diff "$T/pm.tuples" "$T/our.tuples" >"$T/diff" ||
			fail "$cap: per 5-tuple packets and bytes of our $kind records (>) differ from sfacctd's (<):"$'\n'"$(sed 's/^/  /' "$T/diff")"
	done
	echo "$cap: $(wc -l <"$T/pm.tuples") 5-tuple(s) as sfacctd: $(tr '\n' ';' <"$T/pm.tuples")"
done

for cap in $ALL_CAPS; do
	pm_counters "$cap" >"$T/pm.counters"
	jq -r 'select(.kind == "counters") |
		[.ifindex, .if_type, .if_speed, .if_direction, .if_status, .in_octets, .in_ucast,
		 .in_mcast, .in_bcast, .in_discards, .in_errors, .in_unknown, .out_octets, .out_ucast,
		 .out_mcast, .out_bcast, .out_discards, .out_errors, .promisc] | map(tostring) | join(" ")' \
		"$T/$cap.json" >"$T/our.counters"
	diff "$T/pm.counters" "$T/our.counters" >"$T/diff" ||
		fail "$cap: our counters records (>) differ from sfacctd's counter log (<):"$'\n'"$(head -20 "$T/diff" | sed 's/^/  /')"
	# Both empty would agree too: as many as tshark's generic counter records.
	want=0
	[ -f "$D/$cap.sflow_counters.tsv" ] && want=$(($(wc -l <"$D/$cap.sflow_counters.tsv") - 1))
	[ "$(wc -l <"$T/our.counters")" -eq "$want" ] ||
		fail "$cap: $(wc -l <"$T/our.counters") counters records, tshark has $want"
	echo "$cap: $(wc -l <"$T/our.counters") interface counter records as sfacctd"
done
echo "sfacctd and snapvnfd agree on every 5-tuple and interface counter record"
