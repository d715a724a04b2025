#!/bin/bash
# A service whose daemon is killed (-9) does not hang: without --reconnect
# it stops within seconds with a message and exit status 1; with it
# (`snapvnf tap --reconnect`, and `snapvnf run --reconnect`, which is
# sv_service_reconnect(1) and service_run()), it waits, registers again
# under the same name with the next daemon (status lists it again), and
# reads that daemon's whole replay: every packet tshark counts.
set -u
. "$(dirname "$0")/lib.bash"

command -v tshark >/dev/null || fail "tshark is missing (scripts/deps.sh installs it)"
cap=tests/data/http-get.pcap
want=$(tshark -r $cap 2>/dev/null | wc -l)

# The first daemon waits for a fourth service that never comes.
"$B/snapvnfd" -q -r $cap --wait-for 4 & d1=$!; PIDS+=($d1)
wait_ctl
"$B/snapvnf" tap --count --name plain > "$T/plain.json" 2> "$T/plain.err" & plain=$!; PIDS+=($plain)
"$B/snapvnf" tap --count --reconnect --name back > "$T/back.json" 2> "$T/back.err" & back=$!; PIDS+=($back)
"$B/snapvnf" run --reconnect --name chain --events "$T/chain.events" pkt_stats \
	2> "$T/chain.err" & chain=$!; PIDS+=($chain)
wait_services 3
kill -9 $d1; wait $d1 2>/dev/null
start=$SECONDS
wait_exit $plain 5 && fail "a tap without --reconnect exited 0 after its daemon was killed"
grep -q "went away without ending its stream" "$T/plain.err" || fail "plain said: $(cat "$T/plain.err")"
echo "ok: without --reconnect: exit 1 after $((SECONDS - start)) s: $(cat "$T/plain.err")"
for s in back chain; do
	for _ in $(seq 50); do grep -q "waiting for it to come back" "$T/$s.err" && break; sleep 0.1; done
	grep -q "waiting for it to come back" "$T/$s.err" || fail "$s: $(cat "$T/$s.err")"
	kill -0 ${!s} 2>/dev/null || fail "$s exited instead of waiting"
done
echo "ok: with --reconnect they wait: $(head -1 "$T/chain.err")"

# The next daemon: they come back under their names; its replay starts
# when a third service joins them, and reaches them whole.
"$B/snapvnfd" -r $cap --wait-for 3 2> "$T/d2.log" & d2=$!; PIDS+=($d2)
wait_services 2
"$B/snapvnf" services > "$T/services"
grep -q '^back ' "$T/services" && grep -q '^chain ' "$T/services" ||
	fail "status after the restart: $(cat "$T/services")"
echo "ok: status lists them again: $(cut -d' ' -f1 "$T/services" | paste -sd' ')"
"$B/snapvnf" tap --count --name third > "$T/third.json" & third=$!; PIDS+=($third)
wait_exit $d2 30 || fail "the second daemon exited with $?"
wait_exit $third 10 || fail "third exited with $?"
for s in back chain; do
	grep -q "back on snapvnfd under the same name" "$T/$s.err" || fail "$s: $(cat "$T/$s.err")"
	grep -q "ended its stream; waiting" "$T/$s.err" || fail "$s: $(cat "$T/$s.err")"
done
kill $back $chain
wait_exit $back 10 || fail "back exited with $?"
wait_exit $chain 10 || fail "chain exited with $?"
got=$(jq .packets "$T/back.json")
[ "$got" = "$want" ] && [ "$(jq '.lost, .missed, .reconnects' "$T/back.json" | paste -sd' ')" = "0 0 1" ] ||
	fail "back: $(cat "$T/back.json"); tshark counts $want packets"
grep -q "service chain (pid [0-9]*) left: snaps: read $want of $want published while attached from item 0 (delivered $want, lost 0)" "$T/d2.log" ||
	fail "chain's account: $(grep 'service chain' "$T/d2.log")"
echo "ok: after the restart both read all $want packets of the replay: $(cat "$T/back.json")"
