#!/bin/bash
# Replays that cannot read their whole input say so: exit non-zero,
# read_errors in `snapvnf status`, --json and metrics, and never "0
# packets, exit 0".
#   - data/demo.pcap cut in the middle of a record (-r): the service gets
#     the packets before the cut, as many as tshark reads from the same
#     cut file;
#   - an sFlow capture cut the same way (--sflow-pcap): the collector gets
#     the datagrams tshark reads before the cut;
#   - a pcapng whose two interfaces have different link types (mergecap of
#     an Ethernet and a raw-IP capture): libpcap cannot read it, and the
#     daemon refuses it at start with a message saying why;
#   - two pcapng sections, Ethernet then raw IP: the packets of the first
#     section (tshark's count of the Ethernet frames), then the error.
set -u
. "$(dirname "$0")/lib.bash"

for p in tshark mergecap editcap jq; do
	command -v $p >/dev/null || fail "$p is missing (scripts/deps.sh installs it)"
done
D=tests/data

# Replay $1 (daemon options) with a stopped `hold` service, so that status
# can be read after the end, and a counting service of kind $2 (tap for
# snaps, flows for flow records). Sets $rc (the daemon's exit code) and
# leaves status.json, status.txt, metrics, svc.out and daemon.log in $T.
replay() {
	local opts=$1 kind=$2 dpid hold svc i
	"$B/snapvnfd" $opts --wait-for 2 2> "$T/daemon.log" & dpid=$!; PIDS+=($dpid)
	wait_ctl
	if [ "$kind" = tap ]; then
		"$B/snapvnf" tap --name hold --count > /dev/null & hold=$!
	else
		"$B/snapvnf" run --name hold flow_dump=kind=counters > /dev/null & hold=$!
	fi
	PIDS+=($hold)
	wait_services 1
	for i in $(seq 101); do
		[ $i -eq 101 ] && fail "$opts: the held service did not attach"
		"$B/snapvnf" status --json 2>/dev/null | jq -e '.services[0] |
			has("delivered") or has("flow_delivered")' >/dev/null && break
		sleep 0.1
	done
	kill -STOP $hold
	if [ "$kind" = tap ]; then
		"$B/snapvnf" tap --name svc --count > "$T/svc.out" & svc=$!
	else
		"$B/snapvnf" run --name svc flow_dump > "$T/svc.out" & svc=$!
	fi
	PIDS+=($svc)
	wait_exit $svc 60 || fail "$opts: the service exited with $?"
	for i in $(seq 101); do
		[ $i -eq 101 ] && fail "$opts: the replay did not end: $(tail -3 "$T/daemon.log")"
		"$B/snapvnf" status --json > "$T/status.json" 2>/dev/null &&
			[ "$(jq -r .daemon.ended "$T/status.json")" = true ] && break
		sleep 0.1
	done
	"$B/snapvnf" status > "$T/status.txt" || fail "no status"
	"$B/snapvnf" metrics > "$T/metrics" || fail "no metrics"
	kill -CONT $hold
	wait_exit $dpid 30
	rc=$?
}

# read_errors in section $1 of status --json and in metrics must be $2.
check_errors() {
	local j m
	j=$(jq -r ".$1.read_errors" "$T/status.json")
	m=$(awk -v k="snapvnf_$1_read_errors_total" '$1 == k { print $2 }' "$T/metrics")
	[ "$j" = "$2" ] && [ "$m" = "$2" ] || fail "$1 read_errors: status --json $j, metrics $m; want $2"
}

# 1. A cut capture.
size=$(stat -c %s data/demo.pcap)
head -c $((size / 2)) data/demo.pcap > "$T/cut.pcap"
tshark -r "$T/cut.pcap" > /dev/null 2> "$T/tshark.err"
grep -q "cut short in the middle of a packet" "$T/tshark.err" || fail "the cut is not mid-record: $(cat "$T/tshark.err")"
want=$(tshark -r "$T/cut.pcap" 2>/dev/null | wc -l)
replay "-r $T/cut.pcap" tap
[ "$rc" -ne 0 ] || fail "cut capture: snapvnfd exited 0"
got=$(jq -r .packets "$T/svc.out")
[ "$got" = "$want" ] || fail "cut capture: the service got $got packets, tshark reads $want"
check_errors capture 1
grep -q "could not be read to its end (read errors 1)" "$T/status.txt" || fail "status: $(cat "$T/status.txt")"
grep -q "cannot read past packet $want, the rest is lost" "$T/daemon.log" || fail "log: $(cat "$T/daemon.log")"
echo "cut capture: $got packets (tshark: $want), read_errors 1, exit $rc"

# 2. A cut sFlow capture.
size=$(stat -c %s $D/sflow-flow.pcap)
head -c $((size * 2 / 3)) $D/sflow-flow.pcap > "$T/cut-sflow.pcap"
tshark -r "$T/cut-sflow.pcap" > /dev/null 2> "$T/tshark.err"
grep -q "cut short in the middle of a packet" "$T/tshark.err" || fail "the sFlow cut is not mid-record"
want=$(tshark -r "$T/cut-sflow.pcap" -Y "udp.dstport == 6343" 2>/dev/null | wc -l)
replay "--sflow-pcap $T/cut-sflow.pcap" flows
[ "$rc" -ne 0 ] || fail "cut sFlow capture: snapvnfd exited 0"
got=$(jq -r .collector.datagrams "$T/status.json")
[ "$got" = "$want" ] || fail "cut sFlow capture: $got datagrams, tshark reads $want"
check_errors collector 1
echo "cut sFlow capture: $got datagrams (tshark: $want), read_errors 1, exit $rc"

# 3. Interfaces of two link types in one section: refused at start.
mergecap -w "$T/two.pcapng" $D/dns-udp.pcap $D/erspan3-malformed.pcap
[ "$(tshark -r "$T/two.pcapng" -T fields -e frame.encap_type 2>/dev/null | sort -u | wc -l)" = 2 ] ||
	fail "mergecap did not write two link types"
"$B/snapvnfd" -r "$T/two.pcapng" 2> "$T/daemon.log" & dpid=$!; PIDS+=($dpid)
wait_exit $dpid 10 && fail "two link types: snapvnfd exited 0: $(cat "$T/daemon.log")"
grep -q "cannot be replayed: it holds interfaces of different link types" "$T/daemon.log" ||
	fail "two link types: $(cat "$T/daemon.log")"
echo "two link types: refused at start"

# 4. Two sections: Ethernet, then raw IP.
editcap -F pcapng $D/dns-udp.pcap "$T/a.pcapng"
editcap -F pcapng $D/erspan3-malformed.pcap "$T/b.pcapng"
cat "$T/a.pcapng" "$T/b.pcapng" > "$T/ab.pcapng"
want=$(tshark -r "$T/ab.pcapng" -T fields -e frame.encap_type 2>/dev/null | awk '$1 != 1 { exit } { n++ } END { print n }')
replay "-r $T/ab.pcapng" tap
[ "$rc" -ne 0 ] || fail "two sections: snapvnfd exited 0"
got=$(jq -r .packets "$T/svc.out")
[ "$got" = "$want" ] || fail "two sections: the service got $got packets, tshark has $want before the raw IP section"
check_errors capture 1
grep -q "cannot read past packet $want: it holds interfaces of different link types" "$T/daemon.log" ||
	fail "two sections: $(cat "$T/daemon.log")"
echo "two sections: $got packets of the first, then refused, exit $rc"
