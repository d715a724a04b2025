#!/bin/bash
# Services yield the CPU to the daemon's capture: a service (snapvnf run,
# the library's service_init, and snapvnf tap) runs at nice 10, or at
# $SNAPVNF_NICE; one started nicer stays so (a service never raises its
# priority); a bad $SNAPVNF_NICE is refused with a message. As root, the
# daemon raises its own priority to --nice (default -5). The levels are
# read with ps, not from the programs themselves.
set -u
. "$(dirname "$0")/lib.bash"

# ni PID: the nice level ps reports.
ni() { ps -o ni= -p "$1" | tr -d ' '; }

# The replay waits for more services than come, so all stay up.
"$B/snapvnfd" -q -r data/demo.pcap --wait-for 10 & dpid=$!; PIDS+=($dpid)
wait_ctl
"$B/snapvnf" run --name plain --events /dev/null pkt_stats & a=$!; PIDS+=($a)
SNAPVNF_NICE=15 "$B/snapvnf" run --name env15 --events /dev/null pkt_stats & b=$!; PIDS+=($b)
"$B/snapvnf" tap --name tap --count >/dev/null & c=$!; PIDS+=($c)
nice -n 19 "$B/snapvnf" run --name started19 --events /dev/null pkt_stats & d=$!; PIDS+=($d)
SNAPVNF_NICE=3 "$B/snapvnf" tap --name tap3 --count >/dev/null & e=$!; PIDS+=($e)
SNAPVNF_NICE=0 "$B/examples/l7_monitor" >/dev/null & f=$!; PIDS+=($f)
wait_services 6

check() {   # check PID WANT WHAT
	local got
	got=$(ni "$1")
	[ "$got" = "$2" ] || fail "$3 runs at nice '$got', not $2"
	echo "ok: $3 at nice $got"
}
check $a 10 "snapvnf run"
check $b 15 "snapvnf run with SNAPVNF_NICE=15"
check $c 10 "snapvnf tap"
check $d 19 "snapvnf run started at nice 19"
check $e 3 "snapvnf tap with SNAPVNF_NICE=3"
check $f 0 "examples/l7_monitor (service_init) with SNAPVNF_NICE=0"

out=$(SNAPVNF_NICE=fast "$B/snapvnf" run --name bad pkt_stats 2>&1) && fail "SNAPVNF_NICE=fast was accepted"
grep -q "SNAPVNF_NICE must be a nice level" <<<"$out" || fail "no clear message for SNAPVNF_NICE=fast: $out"
out=$(SNAPVNF_NICE=20 "$B/snapvnf" tap --name bad2 2>&1) && fail "SNAPVNF_NICE=20 was accepted by tap"
grep -q "SNAPVNF_NICE must be a nice level" <<<"$out" || fail "no clear message from tap for SNAPVNF_NICE=20: $out"
echo "ok: a bad SNAPVNF_NICE is refused with a message"

if [ "$(id -u)" -eq 0 ]; then
	check $dpid -5 "snapvnfd (root, default --nice)"
	"$B/snapvnfd" -q -r data/demo.pcap --wait-for 1 --nice -2 --ctl "$T/ctl2" & d2=$!; PIDS+=($d2)
	# It answers once its loop runs, after raising its priority.
	for i in $(seq 101); do
		[ "$i" -eq 101 ] && fail "the second snapvnfd did not come up"
		"$B/snapvnf" --ctl "$T/ctl2" status >/dev/null 2>&1 && break
		sleep 0.1
	done
	check $d2 -2 "snapvnfd --nice -2"
else
	check $dpid "$(ni $$)" "snapvnfd (not root: as started)"
fi
"$B/snapvnfd" -r data/demo.pcap --nice -21 2>"$T/err" && fail "--nice -21 was accepted"
grep -q -- "--nice must be a nice level" "$T/err" || fail "no clear message for --nice -21: $(cat "$T/err")"
echo "ok: --nice -21 refused"
