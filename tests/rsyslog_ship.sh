#!/bin/bash
# Shipping events with rsyslog, as docs/events.md tells an operator to:
#   - examples/rsyslog/snapvnf.conf as written (imfile, and omkafka to a
#     Kafka broker) passes Debian rsyslogd's own check, `rsyslogd -N1`,
#     included as /etc/rsyslog.d/ files are;
#   - Debian's rsyslogd runs the same file with its paths moved into this
#     test's directory and the Kafka action swapped for a file action with
#     the same template (there is no broker here), while a service writes
#     events during a paced replay and logrotate (examples/logrotate/
#     snapvnf) rotates the service's file midway. What rsyslog shipped
#     equals, line for line and byte for byte, what the service wrote to
#     both files: every line arrives, intact, once.
set -u
. "$(dirname "$0")/lib.bash"

cap=data/demo.pcap
conf=examples/rsyslog/snapvnf.conf
for tool in rsyslogd logrotate; do
	command -v $tool >/dev/null || [ -x /usr/sbin/$tool ] ||
		fail "$tool is missing (scripts/deps.sh test installs it)"
done
export PATH=$PATH:/usr/sbin
[ -f "$conf" ] || fail "missing $conf"

mkdir "$T/log" "$T/work"
# As /etc/rsyslog.d/ files are read: after the main file, which sets the
# work directory (Debian's: /var/spool/rsyslog).
printf 'global(workDirectory="%s")\ninclude(file="%s")\n' "$T/work" "$PWD/$conf" > "$T/main.conf"
rsyslogd -N1 -f "$T/main.conf" > "$T/check.out" 2>&1 ||
	fail "rsyslogd -N1 refuses $conf: $(cat "$T/check.out")"

# The same file, run here: paths moved, the Kafka action swapped for a file.
sed -e "s|/var/log/snapvnf/|$T/log/|" -e '/module(load="omkafka")/d' \
	-e 's|action(type="omkafka".*|action(type="omfile" file="'"$T"'/shipped.json" template="snapvnf_json")|' \
	-e '/^\s*template="snapvnf_json" confParam/d' -e '/^\s*action.resumeRetryCount/d' \
	"$conf" > "$T/rsyslog.conf"
grep -v "^#" "$T/rsyslog.conf" | grep -q omkafka && fail "the Kafka action of $conf was not swapped: $(cat "$T/rsyslog.conf")"
grep -q 'type="omfile"' "$T/rsyslog.conf" || fail "no file action in $(cat "$T/rsyslog.conf")"
printf 'global(workDirectory="%s")\n' "$T/work" | cat - "$T/rsyslog.conf" > "$T/rsyslog.run.conf"
rsyslogd -N1 -f "$T/rsyslog.run.conf" > "$T/check.out" 2>&1 ||
	fail "rsyslogd -N1 refuses the test's copy: $(cat "$T/check.out")"
rsyslogd -n -f "$T/rsyslog.run.conf" -i "$T/rsyslogd.pid" > "$T/rsyslogd.out" 2>&1 & spid=$!
PIDS+=($spid)

"$B/snapvnfd" -q -r "$cap" --pace --wait-for 1 & dpid=$!; PIDS+=($dpid)
wait_ctl
"$B/snapvnf" run --name l7 --events "$T/log/l7.json" http_request dns tls_sni & rpid=$!
PIDS+=($rpid)
wait_until 30 "events in $T/log/l7.json" has_lines "$T/log/l7.json" 40
sed -e "s|/var/log/snapvnf/|$T/log/|" -e '/^\tcreate /d' \
	-e "s|^\t\tsystemctl kill .*|\t\tkill -HUP $rpid|" examples/logrotate/snapvnf > "$T/logrotate.conf"
logrotate -f -s "$T/logrotate.state" "$T/logrotate.conf" 2>"$T/logrotate.err" ||
	fail "logrotate: $(cat "$T/logrotate.err")"
[ -s "$T/log/l7.json.1" ] || fail "logrotate did not rotate l7.json"
wait_exit $dpid 60 || fail "snapvnfd exited with $?"
wait_exit $rpid 30 || fail "snapvnf run exited with $?"

cat "$T/log/l7.json.1" "$T/log/l7.json" > "$T/written.json"
total=$(wc -l < "$T/written.json")
[ "$(wc -l < "$T/log/l7.json")" -gt 0 ] || fail "nothing was written after the rotation"
kill -0 $spid 2>/dev/null || fail "rsyslogd is not running: $(cat "$T/rsyslogd.out")"
wait_until 30 "$total lines shipped by rsyslog (have $(wc -l < "$T/shipped.json" 2>/dev/null))" \
	has_lines "$T/shipped.json" "$total"
# Stopped, rsyslog writes what it still holds: a line shipped twice would
# show now.
kill $spid
wait_exit $spid 20 || true
cmp -s "$T/shipped.json" "$T/written.json" ||
	fail "shipped lines differ: $(diff "$T/shipped.json" "$T/written.json" | head -5)"
python3 -c 'import json, sys; [json.loads(l) for l in open(sys.argv[1])]' "$T/shipped.json" ||
	fail "a shipped line is not JSON"
echo "rsyslog shipped all $total lines byte for byte, across a rotation"
