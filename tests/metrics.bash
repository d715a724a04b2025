# The daemon the metrics tests read (sourced after lib.bash): every section
# has something in it. A replay of data/demo.pcap and of an sFlow capture
# (collector, one agent), an nfdump directory (a live input: the daemon
# stays after the replays), the --metrics endpoint on a free loopback port,
# and three services: a tap, l7 (VNF counters) and flows (flow records, and
# the VNF gauge ddos.tracked). metrics_daemon returns once every snap is
# published and read, with the daemon's pid in $dpid, the capture's packet
# count (capinfos) in $want_snaps and the settled status in $T/status.json.
metrics_daemon() {
	local cap=data/demo.pcap i
	want_snaps=$(capinfos -M -c $cap | sed -n 's/^Number of packets: *//p')
	mkdir -p "$T/nfdump"
	"$B/snapvnfd" -q -r $cap --sflow-pcap tests/data/sflow-flow.pcap --nfdump-dir "$T/nfdump" \
		--lossless --wait-for 3 --metrics 0 2>"$T/daemon.log" & dpid=$!; PIDS+=($dpid)
	wait_ctl
	"$B/snapvnf" tap --name snaps --count >/dev/null & PIDS+=($!)
	"$B/snapvnf" run --name l7 http_request dns tls_sni >/dev/null & PIDS+=($!)
	"$B/snapvnf" run --name flows ddos=pps=1 flow_dump >/dev/null & PIDS+=($!)
	for i in $(seq 300); do
		"$B/snapvnf" status --json > "$T/status.json" 2>/dev/null &&
		jq -e --argjson n "$want_snaps" '.capture.received == $n and .collector.datagrams > 0 and
			([.services[] | (.backlog // 0) + (.flow_backlog // 0)] | add) == 0 and
			(.services | length) == 3' "$T/status.json" >/dev/null && return 0
		sleep 0.1
	done
	fail "the replays did not settle: $(jq -c '[.capture.received, .collector.datagrams, [.services[] | [.name, .backlog, .flow_backlog]]]' "$T/status.json")"
}
