#!/bin/bash
# The registry: a service killed with SIGKILL is removed at once, its name
# can be taken again, and the others keep going; a late service joins.
set -u
. "$(dirname "$0")/lib.bash"

cap=tests/data/http-get.pcap
[ -f $cap ] || cap=../shared/testdata/pcap/http-get.pcap

"$B/snapvnfd" -q -r $cap --wait-for 3 & dpid=$!; PIDS+=($dpid)
wait_ctl
"$B/snapvnf" tap --name victim --count > "$T/victim.json" & victim=$!; PIDS+=($victim)
"$B/snapvnf" tap --name keeper --count > "$T/keeper.json" & PIDS+=($!)
wait_services 2
kill -9 $victim
wait $victim 2>/dev/null
for _ in $(seq 50); do
	"$B/snapvnf" services | grep -q '^victim ' || break
	sleep 0.1
done
"$B/snapvnf" services | grep -q '^victim ' && fail "killed service still registered"
echo "ok: killed service removed"
# The name is free again; the third registration starts the replay.
"$B/snapvnf" tap --name victim --count > "$T/victim2.json" & v2=$!; PIDS+=($v2)
"$B/snapvnf" tap --name third --count > "$T/third.json" & t3=$!; PIDS+=($t3)
wait_exit $dpid 60 || fail "daemon exit code $?"
wait_exit $v2 10
wait_exit $t3 10
want=$(tshark -r $cap 2>/dev/null | wc -l)
for f in keeper victim2 third; do
	got=$(sed -n 's/.*"packets":\([0-9]*\).*/\1/p' "$T/$f.json")
	[ "$got" = "$want" ] || fail "$f got $got packets, tshark counts $want"
	grep -q '"lost":0' "$T/$f.json" || fail "$f lost packets: $(cat "$T/$f.json")"
done
echo "ok: the survivors and the newcomers got all $want packets"
