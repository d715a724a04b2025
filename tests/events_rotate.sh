#!/bin/bash
# Rotating event files and the daemon's log while they are written, the
# way an operator's logrotate does it:
#   - a service writes `--events FILE` during a paced replay (16 s of
#     data/demo.pcap); Debian's logrotate, with examples/logrotate/snapvnf
#     pointed at this test's directory and its postrotate signalling this
#     test's service, renames the file midway and sends SIGHUP; the
#     service then writes a new file;
#   - the daemon's --log and --action-events files are renamed and the
#     daemon gets SIGHUP: it stays up and writes new ones;
#   - the renamed file and the new one together hold, byte for byte, the
#     lines the same service prints to standard output on an unrotated
#     replay of the same capture (held to tshark by e2e_l7.sh): no line
#     lost, none written twice, none cut.
set -u
. "$(dirname "$0")/lib.bash"

cap=data/demo.pcap
conf=examples/logrotate/snapvnf
command -v logrotate >/dev/null || fail "logrotate is missing (scripts/deps.sh test installs it)"
[ -f "$conf" ] || fail "missing $conf"

# The reference: the same service, the same capture, standard output.
"$B/snapvnfd" -q -r "$cap" --wait-for 1 & dpid=$!; PIDS+=($dpid)
wait_ctl
"$B/snapvnf" run --name l7 http_request dns tls_sni > "$T/reference.json" & rpid=$!; PIDS+=($rpid)
wait_exit $dpid 60 || fail "reference snapvnfd exited with $?"
wait_exit $rpid 30 || fail "reference snapvnf run exited with $?"
total=$(wc -l < "$T/reference.json")
[ "$total" -ge 100 ] || fail "only $total reference events"

mkdir "$T/log"
"$B/snapvnfd" -r "$cap" --pace --wait-for 1 --log "$T/log/snapvnfd.log" \
	--action-events "$T/log/actions.json" & dpid=$!; PIDS+=($dpid)
wait_ctl
"$B/snapvnf" run --name l7 --events "$T/log/l7.json" http_request dns tls_sni & rpid=$!
PIDS+=($rpid)
# A quarter of the events in, rotate.
wait_until 30 "events in $T/log/l7.json" has_lines "$T/log/l7.json" $((total / 4))

# The shipped configuration, its paths moved here; no `create` (the
# service makes the new file itself) and its postrotate signals this
# test's service instead of the snapvnf@ units.
sed -e "s|/var/log/snapvnf/|$T/log/|" -e '/^\tcreate /d' \
	-e "s|^\t\tsystemctl kill .*|\t\tkill -HUP $rpid|" "$conf" > "$T/logrotate.conf"
grep -q "kill -HUP $rpid" "$T/logrotate.conf" || fail "the postrotate of $conf was not found"
logrotate -f -s "$T/logrotate.state" "$T/logrotate.conf" 2>"$T/logrotate.err" ||
	fail "logrotate: $(cat "$T/logrotate.err")"
[ -s "$T/log/l7.json.1" ] || fail "logrotate did not rotate l7.json: $(ls "$T/log")"
wait_until 20 "new $T/log/l7.json after SIGHUP" has_lines "$T/log/l7.json" 1
kill -0 $rpid 2>/dev/null || fail "the service did not survive SIGHUP"

# The daemon's own files, rotated by hand.
mv "$T/log/snapvnfd.log" "$T/log/snapvnfd.log.1"
mv "$T/log/actions.json" "$T/log/actions.json.1"
kill -HUP $dpid
wait_until 10 "new daemon log after SIGHUP" grep -q "reopened" "$T/log/snapvnfd.log"
[ -e "$T/log/actions.json" ] || fail "the daemon did not reopen --action-events"
kill -0 $dpid 2>/dev/null || fail "snapvnfd did not survive SIGHUP"
grep -q "reading file:$cap" "$T/log/snapvnfd.log.1" ||
	fail "the first daemon log lacks its start line: $(head -3 "$T/log/snapvnfd.log.1")"

wait_exit $dpid 60 || fail "snapvnfd exited with $?"
wait_exit $rpid 30 || fail "snapvnf run exited with $?"

before=$(wc -l < "$T/log/l7.json.1")
after=$(wc -l < "$T/log/l7.json")
cat "$T/log/l7.json.1" "$T/log/l7.json" > "$T/rotated.json"
cmp -s "$T/rotated.json" "$T/reference.json" ||
	fail "rotated events differ from the reference: $(diff "$T/rotated.json" "$T/reference.json" | head -5)"
[ "$before" -gt 0 ] && [ "$after" -gt 0 ] || fail "a side of the rotation is empty ($before, $after)"
echo "$total events: $before before the rotation, $after after, identical to the unrotated run"
