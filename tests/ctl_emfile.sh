#!/bin/bash
# accept() out of descriptors (EMFILE): the daemon backs off instead of
# polling a listening socket that stays readable, counts the failures, says
# so in its log, and serves connections again once descriptors are free.
# The kernel's own account of the daemon's CPU time (/proc/PID/stat) tells
# a spinning loop (a whole CPU: about 3 s in 3 s) from a waiting one.
set -u
. "$(dirname "$0")/lib.bash"

command -v python3 >/dev/null || fail "python3 is missing (scripts/deps.sh installs it)"
cap=tests/data/http-get.pcap
tck=$(getconf CLK_TCK)

( ulimit -n 40 && exec "$B/snapvnfd" -r $cap --wait-for 1 ) 2> "$T/daemon.log" & d=$!; PIDS+=($d)
wait_ctl

cpu_ticks() { awk '{ print $14 + $15 }' /proc/$d/stat; }

# Hold connections until the daemon has no descriptor left, and a few more
# waiting in its queue; hold them until told to stop.
cat > "$T/hold.py" <<'EOF'
import socket, sys
held = []
for _ in range(60):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.connect(sys.argv[1])
    held.append(s)
print("holding", len(held), flush=True)
sys.stdin.read()
EOF
mkfifo "$T/hold.in"
python3 "$T/hold.py" "$SNAPVNF_CTL" < "$T/hold.in" > "$T/hold.out" 2>&1 & holder=$!; PIDS+=($holder)
exec 3> "$T/hold.in"
for _ in $(seq 100); do grep -q holding "$T/hold.out" && break; sleep 0.1; done
grep -q holding "$T/hold.out" || fail "holder: $(cat "$T/hold.out")"
for _ in $(seq 100); do grep -q "accept: Too many open files" "$T/daemon.log" && break; sleep 0.1; done
grep -q "accept: Too many open files" "$T/daemon.log" || fail "the daemon never ran out of descriptors: $(cat "$T/daemon.log")"

t0=$(cpu_ticks) s0=$(date +%s%N)
sleep 3
t1=$(cpu_ticks) s1=$(date +%s%N)
cpu_ms=$(( (t1 - t0) * 1000 / tck )) wall_ms=$(( (s1 - s0) / 1000000 ))
echo "daemon CPU while out of descriptors: $cpu_ms ms in $wall_ms ms"
[ $cpu_ms -lt $((wall_ms / 4)) ] || fail "the daemon spins at EMFILE: $cpu_ms ms of CPU in $wall_ms ms"
echo "ok: no spinning at EMFILE"

exec 3>&-
wait $holder
for _ in $(seq 50); do "$B/snapvnf" status --json > "$T/st.json" 2>/dev/null && break; sleep 0.1; done
failures=$(jq -r '.control.accept_failures' "$T/st.json") || fail "no status after the descriptors came back"
[ "$failures" -ge 1 ] 2>/dev/null || fail "accept failures not counted: $(jq -c .control "$T/st.json")"
[ "$(grep -c "accept: Too many open files" "$T/daemon.log")" -le 3 ] ||
	fail "EMFILE logged line by line: $(grep -c "accept:" "$T/daemon.log") lines"
echo "ok: $failures accept failures counted, logged $(grep -c "accept:" "$T/daemon.log") time(s), served again"
