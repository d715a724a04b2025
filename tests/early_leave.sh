#!/bin/bash
# A replay that waited for two services goes on when one of them leaves
# early (tap -c 3): the other still gets every packet, and the daemon ends.
set -u
. "$(dirname "$0")/lib.bash"

cap=data/demo.pcap
"$B/snapvnfd" -q -r $cap --wait-for 2 & dpid=$!; PIDS+=($dpid)
wait_ctl
"$B/snapvnf" tap --name early -c 3 > "$T/early.txt" & e=$!; PIDS+=($e)
"$B/snapvnf" tap --name stays --count > "$T/stays.json" & s=$!; PIDS+=($s)
wait_exit $dpid 120 || fail "daemon exit code $?"
wait_exit $e 10
wait_exit $s 10
[ "$(wc -l < "$T/early.txt")" -eq 3 ] || fail "early printed $(wc -l < "$T/early.txt") lines, not 3"
want=$(tshark -r $cap 2>/dev/null | wc -l)
got=$(sed -n 's/.*"packets":\([0-9]*\).*/\1/p' "$T/stays.json")
[ "$got" = "$want" ] || fail "the remaining service got $got packets, tshark counts $want"
echo "ok: the replay went on after a service left; the other got all $want"
