#!/bin/bash
# Services come and go on a live daemon (snapvnfd -i svtb-mirror0 of the
# stand-in switch) without disturbing each other, with tcpdump on the same
# mirror port as the independent count:
#   - three services attach: two `snapvnf tap --count` (t1, t2) and
#     `snapvnf run --name l7 http_request dns tls_sni`;
#   - `scripts/testbed traffic` runs; once l7 has had some of it, l7 is
#     killed with SIGKILL: the daemon stays up and drops it from `status`
#     at once;
#   - a second later a fourth service, `snapvnf tap` (t3, one line per
#     snap), joins;
#   - at the end t1 and t2 each counted exactly the packets and bytes
#     tcpdump captured, t3 exactly the packets tcpdump captured from its
#     first snap on (same times and lengths, in order), nobody lost one,
#     and neither the daemon's capture nor tcpdump's dropped one.
# Daemon and tcpdump take the same filter, 'tcp or udp': the clients' and
# servers' traffic only, so the hosts' own ARP and neighbour discovery,
# which may come at any moment, cannot fall between tcpdump starting and
# the taps attaching.
#   e2e_live_resilience.sh [SECONDS]   (traffic time, default 5)
set -u
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/live.bash"
trap live_cleanup EXIT   # our PIDs, then `scripts/testbed down`
secs=${1:-5}
FILTER='tcp or udp'

live_up --variant ovs
command -v tcpdump >/dev/null || fail "tcpdump is missing (scripts/deps.sh installs it)"
"$B/snapvnfd" -q -i svtb-mirror0 -f "$FILTER" & dpid=$!; PIDS+=($dpid)
wait_ctl
# --immediate-mode -U: every packet is read and written at once; by default
# the last ones wait in a ring block that a SIGINT leaves unread (and
# uncounted as dropped).
tcpdump -i svtb-mirror0 -n -s 96 -B 65536 --immediate-mode -U -w "$T/mirror.pcap" "$FILTER" 2>"$T/tcpdump.err" & tdp=$!; PIDS+=($tdp)
for i in $(seq 101); do
	[ "$i" -eq 101 ] && fail "tcpdump did not start: $(cat "$T/tcpdump.err")"
	grep -q listening "$T/tcpdump.err" && break
	sleep 0.1
done
"$B/snapvnf" tap --count --name t1 >"$T/t1.json" & t1=$!; PIDS+=($t1)
"$B/snapvnf" tap --count --name t2 >"$T/t2.json" & t2=$!; PIDS+=($t2)
"$B/snapvnf" run --name l7 http_request dns tls_sni >"$T/l7.json" & l7=$!; PIDS+=($l7)
wait_attached "$SNAPVNF_CTL" t1 t2 l7

tb traffic "$secs" 2>"$T/traffic.err" & tr=$!; PIDS+=($tr)
# Mid-traffic: l7 has had snaps of it (the servers start first, for a
# while on a slow machine), and the traffic goes on. Not a fixed sleep.
for i in $(seq 301); do
	[ "$i" -eq 301 ] && fail "no traffic reached l7 in 30 s: $(cat "$T/traffic.err")"
	st | jq -e '.services[] | select(.name == "l7" and .delivered >= 50)' >/dev/null && break
	kill -0 $tr 2>/dev/null || break
	sleep 0.1
done
kill -0 $tr 2>/dev/null || fail "the traffic ended before l7 was killed: $(cat "$T/traffic.err")"
st | jq -c '[.services[] | {name, delivered, lost}]' >"$T/before-kill"
{ kill -KILL $l7; wait $l7; } 2>/dev/null   # without bash's "Killed" line
for i in $(seq 21); do
	[ "$i" -eq 21 ] && fail "l7 still registered 2 s after SIGKILL: $(st | jq -c '[.services[].name]')"
	st | jq -e '[.services[].name] | sort == ["t1", "t2"]' >/dev/null && break
	sleep 0.1
done
kill -0 $dpid 2>/dev/null || fail "snapvnfd died with its service"
echo "l7 killed (SIGKILL) mid-traffic at $(jq -r '.[] | select(.name == "l7") | .delivered' "$T/before-kill") snaps; gone from status, daemon up"
sleep 1
"$B/snapvnf" tap --name t3 >"$T/t3.txt" & t3=$!; PIDS+=($t3)
wait_attached "$SNAPVNF_CTL" t3
wait $tr || fail "testbed traffic: $(cat "$T/traffic.err")"
tail -1 "$T/traffic.err"
wait_drained "$SNAPVNF_CTL"
st >"$T/status.json"
kill -INT $tdp
wait $tdp
kill -TERM $dpid
for p in $t1 $t2 $t3; do wait_exit $p 20 || fail "a tap exited with $?"; done
wait_exit $dpid 20 || fail "snapvnfd exited with $?"

grep -q '^0 packets dropped by kernel' "$T/tcpdump.err" &&
	[ "$(sed -n 's/ packets captured//p' "$T/tcpdump.err")" = "$(sed -n 's/ packets received by filter//p' "$T/tcpdump.err")" ] ||
	fail "tcpdump did not write every packet: $(cat "$T/tcpdump.err")"
jq -e '.capture.kernel_drops == 0 and .capture.if_drops == 0 and all(.services[]; .lost == 0)' \
	"$T/status.json" >/dev/null ||
	fail "loss: $(jq -c '[.capture, (.services[] | {name, delivered, lost})]' "$T/status.json")"
echo "status at the end: $(jq -c '[.services[] | {name, delivered, lost}]' "$T/status.json")"

python3 - "$T" <<'EOF'
import struct, sys, time

tmp = sys.argv[1]
failures = []

# tcpdump's file: classic pcap, microseconds
frames = []
with open(tmp + "/mirror.pcap", "rb") as f:
    hdr = f.read(24)
    magic = struct.unpack("<I", hdr[:4])[0]
    if magic != 0xa1b2c3d4:
        sys.exit("FAIL: unexpected pcap magic %#x" % magic)
    while True:
        h = f.read(16)
        if len(h) < 16:
            break
        sec, usec, incl, orig = struct.unpack("<IIII", h)
        f.read(incl)
        frames.append((time.strftime("%H:%M:%S", time.gmtime(sec)) + ".%06d" % usec, orig))
nbytes = sum(w for _, w in frames)
print("tcpdump on svtb-mirror0: %d packets, %d bytes" % (len(frames), nbytes))

import json
for name in ("t1", "t2"):
    with open("%s/%s.json" % (tmp, name)) as f:
        c = json.load(f)
    print("%s: %d packets, %d bytes, %d lost" % (name, c["packets"], c["bytes"], c["lost"]))
    if (c["packets"], c["bytes"], c["lost"]) != (len(frames), nbytes, 0):
        failures.append("%s counted %d packets %d bytes (lost %d), tcpdump %d packets %d bytes"
                        % (name, c["packets"], c["bytes"], c["lost"], len(frames), nbytes))

# the late tap: TIME PROTO SRC > DST wire=N cap=N
late = []
with open(tmp + "/t3.txt") as f:
    for line in f:
        w = line.split()
        late.append((w[0], int(next(x for x in w if x.startswith("wire="))[5:])))
if not late:
    failures.append("t3 got nothing")
else:
    starts = [i for i, fr in enumerate(frames) if fr == late[0]]
    if not any(frames[i:] == late for i in starts):
        failures.append("t3's %d snaps from %s are not tcpdump's from that frame on (%s)"
                        % (len(late), late[0][0], "candidates at %s" % starts if starts else "no frame with that time"))
    else:
        i = next(i for i in starts if frames[i:] == late)
        print("t3 joined late: its %d snaps are tcpdump's from frame %d of %d on, same times and lengths"
              % (len(late), i + 1, len(frames)))
if failures:
    for f in failures:
        print("FAIL:", f)
    sys.exit(1)
EOF
rc=$?
# KEEP=DIR keeps the files of the run (pcap, counts, status) for a look.
[ -n "${KEEP:-}" ] && cp -r "$T" "$KEEP"
[ $rc -eq 0 ] || fail "the services' counts differ from tcpdump's"
live_took
