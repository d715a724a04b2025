#!/bin/bash
# --pace over a capture whose clock jumps: three frames of dns-udp.pcap
# stamped 1 s, 3000001 s and 2 s (text2pcap writes them). The replay must
# neither spin nor wait 34 days: the jump ahead is cut to --pace-max-gap
# (1 s by default), the packet recorded before the one it follows goes at
# once, and each is counted (status, --json, metrics) as tshark's deltas
# say. A service gets all three packets, as tshark counts them.
set -u
. "$(dirname "$0")/lib.bash"

for p in tshark text2pcap jq; do
	command -v $p >/dev/null || fail "$p is missing (scripts/deps.sh installs it)"
done
src=tests/data/dns-udp.pcap
[ -f "$src" ] || fail "missing $src"
tshark -r "$src" -c 3 -x 2>/dev/null |
	awk 'BEGIN { split("1 3000001 2", t, " ") } /^0000/ { print t[++n] ".000000" } NF' > "$T/jump.txt"
text2pcap -q -t "%s.%f" "$T/jump.txt" "$T/jump.pcap" >/dev/null 2>&1 || fail "text2pcap failed"

# tshark's view: packets, gaps backwards, gaps over 1 s.
read -r packets back jumps < <(tshark -r "$T/jump.pcap" -T fields -e frame.time_delta 2>/dev/null |
	awk '{ n++; if ($1 < 0) b++; else if ($1 > 1) j++ } END { print n, b + 0, j + 0 }')
echo "tshark: $packets packets, $back gap(s) backwards, $jumps over 1 s"
[ "$packets" = 3 ] && [ "$back" = 1 ] && [ "$jumps" = 1 ] || fail "text2pcap wrote something else"

"$B/snapvnfd" -r "$T/jump.pcap" --pace --wait-for 2 2> "$T/daemon.log" & dpid=$!; PIDS+=($dpid)
wait_ctl
# `hold` stays attached, stopped, so the daemon still answers once the replay ended.
"$B/snapvnf" tap --name hold --count > /dev/null & hold=$!; PIDS+=($hold)
wait_services 1
kill -STOP $hold
"$B/snapvnf" tap --name t --count > "$T/tap.json" & tap=$!; PIDS+=($tap)
wait_exit $tap 30 || fail "tap exited with $?"
for i in $(seq 101); do
	[ $i -eq 101 ] && fail "the paced replay did not end within 10 s: $(tail -3 "$T/daemon.log")"
	"$B/snapvnf" status --json > "$T/status.json" 2>/dev/null &&
		[ "$(jq -r .daemon.ended "$T/status.json")" = true ] && break
	sleep 0.1
done
"$B/snapvnf" metrics > "$T/metrics" || fail "no metrics"
"$B/snapvnf" status > "$T/status.txt" || fail "no status"
kill -CONT $hold; kill $hold 2>/dev/null
wait_exit $dpid 20 || fail "snapvnfd exited with $?: $(tail -3 "$T/daemon.log")"

got=$(jq -r .packets "$T/tap.json")
[ "$got" = "$packets" ] || fail "the service got $got packets; tshark counts $packets"
check() {  # name want
	local j m
	j=$(jq -r ".capture.$1" "$T/status.json")
	m=$(awk -v k="snapvnf_capture_$1_total" '$1 == k { print $2 }' "$T/metrics")
	[ "$j" = "$2" ] && [ "$m" = "$2" ] || fail "$1: status --json $j, metrics $m; tshark says $2"
}
check pace_clock_back "$back"
check pace_clock_jumps "$jumps"
grep -q "clock went back $back times (replayed at once), jumped ahead $jumps times" "$T/status.txt" ||
	fail "status does not show the clock: $(cat "$T/status.txt")"
grep -q "comes 3000000.000 s after the one before; waiting 1.000 s instead" "$T/daemon.log" ||
	fail "the jump was not logged: $(cat "$T/daemon.log")"
grep -q "recorded 2999999.000 s before the one it follows" "$T/daemon.log" ||
	fail "the jump back was not logged: $(cat "$T/daemon.log")"
echo "3 packets paced; 1 jump ahead cut to 1 s, 1 jump back replayed at once, counted and logged"
