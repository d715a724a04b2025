#!/bin/bash
# -v and -vv raise the log level of both programs (a second -v once
# lowered it again), -q leaves errors only: the daemon at -v says once a
# second what it published, at -vv every control request too; snapvnf -v
# says where a tap registered.
set -u
. "$(dirname "$0")/lib.bash"

cap=data/demo.pcap
want=$(capinfos -M -c $cap | sed -n 's/^Number of packets: *//p')

# A paced replay (16 s) runs long enough for per-second lines; each run
# ends once the daemon has been up 2.5 s by its own status.
run() {  # run LOG OPTION...
	local log=$1; shift
	"$B/snapvnfd" "$@" -r $cap --pace 2>"$log" & dpid=$!; PIDS+=($dpid)
	wait_ctl
	for i in $(seq 100); do
		"$B/snapvnf" status --json | jq -e '.daemon.uptime_seconds > 2.5' >/dev/null && break
		[ "$i" -eq 100 ] && fail "the daemon was not up 2.5 s after 10 s"
		sleep 0.1
	done
	kill $dpid
	wait $dpid
}

run "$T/default.log"
grep -q "info: reading file:$cap" "$T/default.log" || fail "default: no info line: $(cat "$T/default.log")"
grep -q "debug:\|trace:" "$T/default.log" && fail "default level logs debug lines: $(cat "$T/default.log")"
run "$T/v.log" -v
grep -q "debug: last second: [0-9]* snaps" "$T/v.log" || fail "-v: no per-second line: $(cat "$T/v.log")"
grep -q "trace:" "$T/v.log" && fail "-v logs trace lines"
got=$(sed -n 's/.*published (\([0-9]*\), [0-9]* in all).*/\1/p' "$T/v.log" | tail -1)
[ "$got" -gt 0 ] && [ "$got" -le "$want" ] || fail "-v: $got snaps published of $want in the capture"
run "$T/vv.log" -vv
grep -q "debug: last second" "$T/vv.log" || fail "-vv: no per-second line (a second -v lowered the level?)"
grep -q "trace: control: status from pid [0-9]" "$T/vv.log" || fail "-vv: the status request not logged: $(cat "$T/vv.log")"
run "$T/q.log" -v -q
[ -s "$T/q.log" ] && fail "-v -q logs: $(cat "$T/q.log")"
echo "ok: snapvnfd logs info by default, once a second with -v, every request with -vv, nothing with -q"

"$B/snapvnfd" -q -r $cap --wait-for 1 & dpid=$!; PIDS+=($dpid)
wait_ctl
"$B/snapvnf" -v tap --count >/dev/null 2>"$T/tap.log" || fail "snapvnf -v tap"
wait_exit $dpid 60
grep -q "snapvnf: debug: registered as tap-[0-9]* at $SNAPVNF_CTL" "$T/tap.log" || fail "snapvnf -v tap: $(cat "$T/tap.log")"
"$B/snapvnf" status 2>"$T/quiet.log"
grep -q debug "$T/quiet.log" && fail "snapvnf without -v logs debug lines"
echo "ok: snapvnf -v logs what it connected to"
