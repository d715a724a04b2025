#!/bin/bash
# snapvnfd speaks systemd's notify protocol (sd_notify(3): datagrams of
# KEY=VALUE lines to $NOTIFY_SOCKET), as a Type=notify unit with
# WatchdogSec needs. A listener of this test's takes systemd's place:
#   - READY=1 comes once, after the control socket answers, with a STATUS
#     naming the input;
#   - STATUS= lines follow while it runs, with the snaps published;
#   - WATCHDOG=1 comes while it runs, never more than WatchdogSec (here
#     WATCHDOG_USEC = 2 s) apart, also while it waits for --wait-for;
#   - SIGTERM brings STOPPING=1, and the daemon exits 0.
set -u
. "$(dirname "$0")/lib.bash"

command -v python3 >/dev/null || fail "python3 is missing (scripts/deps.sh installs it)"
sock=$T/notify.sock
python3 - "$sock" "$T/notify.log" <<'EOF' & lpid=$!
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "w", buffering=1) as out:
    while True:
        msg = s.recv(4096).decode()
        for line in msg.split("\n"):
            out.write(f"{time.monotonic():.3f} {line}\n")
        if "STOPPING=1" in msg:
            break
EOF
PIDS+=($lpid)
for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.1; done
[ -S "$sock" ] || fail "the listener did not bind $sock"

# A replay held by --wait-for: the daemon idles until SIGTERM.
NOTIFY_SOCKET=$sock WATCHDOG_USEC=2000000 "$B/snapvnfd" -r data/demo.pcap --wait-for 1 \
	2>"$T/daemon.err" & dpid=$!; PIDS+=($dpid)
wait_ctl
for _ in $(seq 100); do [ "$(grep -c 'WATCHDOG=1' "$T/notify.log")" -ge 4 ] && break; sleep 0.1; done
kill -TERM $dpid
wait_exit $dpid 20 || fail "snapvnfd exited with $? on SIGTERM: $(tail -3 "$T/daemon.err")"
wait_exit $lpid 10 || fail "the listener got no STOPPING=1: $(tail -5 "$T/notify.log")"

log=$T/notify.log
[ "$(grep -c ' READY=1$' "$log")" -eq 1 ] || fail "READY=1 not exactly once: $(cat "$log")"
first=$(head -1 "$log" | cut -d' ' -f2-)
[ "$first" = "READY=1" ] || fail "the first message is not READY=1: $(head -2 "$log")"
grep -q ' STATUS=file:data/demo.pcap; 0 snaps, 0 flow records; 0 service(s)$' "$log" ||
	fail "no STATUS with the input: $(grep STATUS "$log" | head -3)"
[ "$(grep -c ' STATUS=' "$log")" -ge 3 ] || fail "too few STATUS updates: $(cat "$log")"
kicks=$(grep ' WATCHDOG=1$' "$log" | cut -d' ' -f1)
[ "$(echo "$kicks" | wc -l)" -ge 4 ] || fail "fewer than 4 watchdog kicks: $(cat "$log")"
ready=$(grep ' READY=1$' "$log" | cut -d' ' -f1)
stop=$(grep ' STOPPING=1$' "$log" | cut -d' ' -f1)
echo "$ready $kicks $stop" | tr ' ' '\n' | awk 'NR > 1 && $1 - prev >= 2.0 {
	printf "a gap of %.3f s between watchdog kicks (WatchdogSec 2 s)\n", $1 - prev; bad = 1 }
	{ prev = $1 } END { exit bad }' || fail "the watchdog was not kicked in time"
echo "READY, $(grep -c ' STATUS=' "$log") STATUS, $(echo "$kicks" | wc -l) WATCHDOG, STOPPING"
