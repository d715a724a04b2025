#!/bin/bash
# Bad input from the command line gets a one-line message and a non-zero
# exit: unknown option, missing file, a file that is not a capture, a
# missing interface, a second daemon on the same socket, a duplicate name.
set -u
. "$(dirname "$0")/lib.bash"

expect() {  # expect EXIT_NONZERO PATTERN CMD...
	local pattern=$1; shift
	local out rc
	out=$("$@" 2>&1 >/dev/null); rc=$?
	[ $rc -ne 0 ] || fail "'$*' exited 0"
	echo "$out" | grep -q -- "$pattern" || fail "'$*' said '$out', not '$pattern'"
	[ "$(echo "$out" | wc -l)" -le 2 ] || fail "'$*' said more than a line or two: $out"
	echo "ok: $* -> $out"
}

cap=tests/data/http-get.pcap
[ -f $cap ] || cap=../shared/testdata/pcap/http-get.pcap
echo "not a capture" > "$T/text.pcap"

expect "unknown option --bogus" "$B/snapvnfd" --bogus
expect "give an input" "$B/snapvnfd"
expect "No such file" "$B/snapvnfd" -r "$T/missing.pcap"
expect "cannot read" "$B/snapvnfd" -r "$T/text.pcap"
expect "no such interface" "$B/snapvnfd" -i svtest-nope0
expect "snaplen must be a number" "$B/snapvnfd" -r $cap -s 99999
expect "bad filter" "$B/snapvnfd" -r $cap -f "tcp port"
# tcpdump's -c and -w are not the daemon's: refused, pointing to the long
# options and to `snapvnf tap`, and nothing named 100 is touched.
touch "$T/100"
( cd "$T" && expect "snapvnf tap -c COUNT" "$B/snapvnfd" -r "$OLDPWD/$cap" -c 100 )
[ -f "$T/100" ] || fail "snapvnfd -c 100 removed a file named 100"
expect "snapvnf tap -w FILE" "$B/snapvnfd" -r $cap -w out.pcap
expect "snapvnf tap -c COUNT" "$B/snapvnfd" -r $cap -c
expect "--metrics takes \[ADDR:\]PORT" "$B/snapvnfd" -r $cap --metrics 127.0.0.1:99999
expect "--metrics takes \[ADDR:\]PORT" "$B/snapvnfd" -r $cap --metrics ::1:9464
expect "as in ddos=pps=50000" "$B/snapvnf" run syn_flood ddos pps=50000
expect "unknown command" "$B/snapvnf" frobnicate
expect "unknown option" "$B/snapvnf" tap --bogus
expect "cannot reach snapvnfd" "$B/snapvnf" status
expect "cannot reach snapvnfd" "$B/snapvnf" tap --name x --count
expect "bad service name" "$B/snapvnf" tap --name 'bad name!' --count

# A daemon holding the socket (waiting for 5 services that never come).
"$B/snapvnfd" -q -r $cap --wait-for 5 & PIDS+=($!)
wait_ctl
expect "already listening" "$B/snapvnfd" -r $cap
# A port another program holds (the running daemon's own --metrics port).
mport=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$B/snapvnfd" -q -r $cap --wait-for 5 --ctl "$T/other.sock" --metrics $mport & PIDS+=($!)
for _ in $(seq 100); do [ -S "$T/other.sock" ] && break; sleep 0.1; done
expect "--metrics $mport: Address already in use" "$B/snapvnfd" -r $cap --ctl "$T/third.sock" --metrics $mport
"$B/snapvnf" tap --name dup --count > /dev/null & PIDS+=($!)
wait_services 1
expect "already registered" "$B/snapvnf" tap --name dup --count
"$B/snapvnf" status >/dev/null || fail "status failed"
echo "all refused cleanly"
