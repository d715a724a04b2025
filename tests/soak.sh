#!/bin/bash
# A daemon's long life, compressed into about two minutes. snapvnfd (as an
# unprivileged user, -Z) captures live on a veth of its own network
# namespace, with frames going in at a steady rate, and takes sFlow over
# UDP; services attach, detach, are stopped and killed at random; then the
# daemon is killed (-9) and started again, and the services started with
# --reconnect come back to it under their names, while the others stop
# with a message. Afterwards:
#   - the daemon's descriptors are back where they were with the same
#     services attached, and its RSS has not grown (figures printed);
#   - every service's account adds up: for each one that left, the
#     daemon's count of items it read equals delivered + lost; a tap's own
#     count equals what the daemon says it delivered; the services that
#     lived through the restart account, with their own counts, for every
#     frame the sender sent while they were attached, and what they say
#     they missed is what the new daemon published before they came back;
#   - every frame and sFlow datagram the senders sent was captured or
#     received (the senders' own counts);
#   - no process of the test is left.
# SOAK_SECONDS (default 30) is the length of each churn phase.
set -u
. "$(dirname "$0")/lib.bash"

[ "$(id -u)" -eq 0 ] || skip "needs root (a network namespace and a veth pair)"
command -v python3 >/dev/null || fail "python3 is missing (scripts/deps.sh installs it)"
command -v jq >/dev/null || fail "jq is missing (scripts/deps.sh installs it)"
command -v ip >/dev/null || fail "ip is missing (scripts/deps.sh installs iproute2)"
getent passwd nobody >/dev/null || fail "no user 'nobody' to run the daemon as"

TOP=$(cd "$(dirname "$0")/.." && pwd)
phase=${SOAK_SECONDS:-30}
seed=${SOAK_SEED:-$$}
RANDOM=$seed
ns=svsoak$$
ctl=$T/run/ctl.sock
export SNAPVNF_CTL=$ctl
chmod 0711 "$T"

soak_cleanup() {
	rm -f "$T/go"
	for p in "${PIDS[@]}"; do kill -CONT "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
	ip netns del $ns 2>/dev/null
	rm -rf "$T"
}
trap soak_cleanup EXIT
echo "seed $seed (SOAK_SEED=$seed repeats the same churn), $phase s per phase"

ip netns add $ns || fail "ip netns add"
ip -n $ns link set lo up
ip -n $ns link add va type veth peer name vb || fail "veth"
ip -n $ns link set va up
ip -n $ns link set vb up
sport=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

# The senders: frames into va at about 2000 a second, and an sFlow datagram
# (sequence numbered) every 50 ms to the daemon, while $T/go exists; then
# they say how many they sent.
cat > "$T/send.py" <<'EOF'
import os, socket, struct, sys, time
sys.path.insert(0, sys.argv[1])
import sflow_send
go, port, seq0 = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
raw = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
raw.bind(("va", 0))
udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
frames = dgrams = 0
base = sflow_send.crafted(11)
next_sflow = time.monotonic()
while os.path.exists(go):
    for _ in range(20):
        payload = struct.pack("!I", frames) + bytes(80)
        u = struct.pack("!HHHH", 40000 + frames % 16, 9, 8 + len(payload), 0) + payload
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(u), frames & 0xFFFF, 0, 64, 17, 0,
                         bytes([10, 9, 0, 1 + frames % 8]), bytes([10, 9, 0, 200])) + u
        raw.send(b"\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00" + ip)
        frames += 1
    if time.monotonic() >= next_sflow:
        d = bytearray(base)
        struct.pack_into(">I", d, 16, seq0 + dgrams + 1)
        udp.sendto(bytes(d), ("127.0.0.1", port))
        dgrams += 1
        next_sflow += 0.05
    time.sleep(0.01)
print(frames, dgrams)
EOF
# start_traffic NAME SEQ0 / stop_traffic NAME: "frames datagrams" in $T/NAME.sent
start_traffic() {
	touch "$T/go"
	ip netns exec $ns python3 "$T/send.py" "$TOP/tests" "$T/go" "$sport" "$2" > "$T/$1.sent" &
	sender=$!; PIDS+=($sender)
}
stop_traffic() {
	rm -f "$T/go"
	wait $sender || fail "the sender failed"
}

start_daemon() {
	ip netns exec $ns "$B/snapvnfd" -i vb -f 'udp port 9' --sflow "$sport" --flow-interval 1 \
		-Z nobody --group nogroup --ctl "$ctl" 2> "$T/$1.log" &
	d=$!; PIDS+=($d)
	wait_ctl
}
st() { "$B/snapvnf" status --json 2>/dev/null; }
# wait_attached NAME...: each is registered and has its cursors.
wait_attached() {
	local n
	for n in "$@"; do
		for i in $(seq 101); do
			[ "$i" -eq 101 ] && fail "service $n did not attach"
			st | jq -e --arg n "$n" '.services[] | select(.name == $n and (has("delivered") or has("flow_delivered")))' >/dev/null && break
			sleep 0.1
		done
	done
}
fds() { ls /proc/$d/fd | wc -l; }
rss_kb() { awk '/^VmRSS:/ { print $2 }' /proc/$d/status; }

# wait_quiet: the capture has stopped growing and every service has read
# all of it (packet and flow backlogs 0).
wait_quiet() {
	local prev=-1 cur
	for i in $(seq 101); do
		[ "$i" -eq 101 ] && fail "services did not catch up: $(st | jq -c '[.capture, (.services[] | {name, backlog, flow_backlog})]')"
		cur=$(st | jq -r '.capture.received as $r | if all(.services[]; (.backlog // 0) == 0 and (.flow_backlog // 0) == 0) then $r else -1 end')
		[ "$cur" != -1 ] && [ "$cur" = "$prev" ] && return 0
		prev=$cur
		sleep 0.3
	done
}

# The services that live through it all, attached before any traffic.
keepers() {
	"$B/snapvnf" tap --count --reconnect --name keep-tap > "$T/keep-tap.json" 2> "$T/keep-tap.err" &
	ktap=$!; PIDS+=($ktap)
	"$B/snapvnf" run --reconnect --name keep-pkt --events /dev/null pkt_stats 2> "$T/keep-pkt.err" &
	kpkt=$!; PIDS+=($kpkt)
	"$B/snapvnf" run --reconnect --name keep-flow --events /dev/null top_talkers 2> "$T/keep-flow.err" &
	kflow=$!; PIDS+=($kflow)
}

# The churn: every 0.2-1 s, start a service (a tap or a short chain on
# snaps or flow records), stop one (SIGTERM) or kill one (SIGKILL).
declare -A churn_pid churn_kind
n_started=0 n_stopped=0 n_killed=0
# churn SECONDS RSSFILE: the daemon's RSS goes to RSSFILE after each step,
# once it is warm: 5 s into the traffic, past its first flow intervals
# (the flow table is cleared, so touched, at the end of each).
churn() {
	local until=$((SECONDS + $1)) warm=$((SECONDS + 5)) names name r
	while [ $SECONDS -lt $until ]; do
		[ $SECONDS -ge $warm ] && rss_kb >> "$2"
		names=("${!churn_pid[@]}")
		r=$((RANDOM % 10))
		if [ ${#names[@]} -lt 2 ] || { [ $r -lt 5 ] && [ ${#names[@]} -lt 8 ]; }; then
			name=c$((n_started++))
			case $((RANDOM % 4)) in
			0|1) "$B/snapvnf" tap --count --name $name > "$T/$name.json" 2> "$T/$name.err" &
			     churn_kind[$name]=tap ;;
			2) "$B/snapvnf" run --name $name --events /dev/null pkt_stats http_request 2> "$T/$name.err" &
			   churn_kind[$name]=run ;;
			3) "$B/snapvnf" run --name $name --events /dev/null port_scan syn_flood 2> "$T/$name.err" &
			   churn_kind[$name]=flow ;;
			esac
			churn_pid[$name]=$!; PIDS+=($!)
		else
			name=${names[$((RANDOM % ${#names[@]}))]}
			if [ $r -lt 8 ]; then
				kill ${churn_pid[$name]}; n_stopped=$((n_stopped + 1))
				wait_exit ${churn_pid[$name]} 10 || fail "$name exited with $? on SIGTERM: $(cat "$T/$name.err")"
				echo "$name" >> "$T/stopped"
			else
				kill -9 ${churn_pid[$name]}; n_killed=$((n_killed + 1))
				wait ${churn_pid[$name]} 2>/dev/null
				echo "$name" >> "$T/killed"
			fi
			unset "churn_pid[$name]"
		fi
		sleep 0.$((2 + RANDOM % 8))
	done
	# Whatever is left stops.
	for name in "${!churn_pid[@]}"; do
		kill ${churn_pid[$name]}; n_stopped=$((n_stopped + 1))
		wait_exit ${churn_pid[$name]} 10 || fail "$name exited with $? on SIGTERM"
		echo "$name" >> "$T/stopped"
		unset "churn_pid[$name]"
	done
}

touch "$T/stopped" "$T/killed"

# ---- the first daemon ----
start_daemon d1
keepers
"$B/snapvnf" tap --count --name no-reconnect > "$T/no-reconnect.json" 2> "$T/no-reconnect.err" &
norec=$!; PIDS+=($norec)
wait_attached keep-tap keep-pkt keep-flow no-reconnect
fds0=$(fds) rss0=$(rss_kb)
start_traffic p1 0
sleep 2
churn "$phase" "$T/rss.d1"
stop_traffic
wait_quiet
fds1=$(fds)
st > "$T/d1.status"
echo "d1: $(jq -c '{capture: .capture | {received, kernel_drops}, datagrams: .collector.datagrams, services: [.services[].name]}' "$T/d1.status")"
echo "d1: $fds0 descriptors with 4 services before the churn, $fds1 after it"
[ "$fds1" = "$fds0" ] || fail "d1 holds $fds1 descriptors after the churn, $fds0 before"

# ---- killed, and started again ----
# The keepers are held (SIGSTOP) while the daemon dies and the new one
# starts taking traffic, so that it publishes items before they can come
# back: what they then say they missed has to match.
kill -STOP $ktap $kpkt $kflow
kill -9 $d; wait $d 2>/dev/null
wait_exit $norec 10 && fail "the service without --reconnect exited 0 when its daemon was killed"
grep -q "went away without ending its stream" "$T/no-reconnect.err" || fail "no-reconnect said: $(cat "$T/no-reconnect.err")"
[ "$(jq '.packets + .lost' "$T/no-reconnect.json")" = "$(jq .capture.received "$T/d1.status")" ] ||
	fail "no-reconnect: $(cat "$T/no-reconnect.json"), d1 captured $(jq .capture.received "$T/d1.status")"
echo "ok: without --reconnect, a service stops with exit status 1 and its counts: $(head -1 "$T/no-reconnect.err")"
start_daemon d2
start_traffic p2 100000
for _ in $(seq 100); do
	[ "$(st | jq '.capture.received')" -ge 1000 ] 2>/dev/null && break
	sleep 0.1
done
kill -CONT $ktap $kpkt $kflow
wait_attached keep-tap keep-pkt keep-flow
for k in keep-tap keep-pkt keep-flow; do
	for _ in $(seq 50); do grep -q "back on snapvnfd" "$T/$k.err" && break; sleep 0.1; done
	grep -q "back on snapvnfd" "$T/$k.err" || fail "$k: $(cat "$T/$k.err")"
done
echo "ok: the --reconnect services are back: $(grep -h "back on" "$T/keep-tap.err")"
fds2=$(fds)
churn "$phase" "$T/rss.d2"
stop_traffic
wait_quiet
fds3=$(fds)
st > "$T/d2.status"
echo "d2: $(jq -c '{capture: .capture | {received, kernel_drops}, datagrams: .collector.datagrams, services: [.services[].name]}' "$T/d2.status")"
echo "d2: $fds2 descriptors with the 3 keepers before the churn, $fds3 after it"
[ "$fds3" = "$fds2" ] || fail "d2 holds $fds3 descriptors after the churn, $fds2 before"
for i in 1 2; do
	read -r first last min max n < <(awk 'NR == 1 { f = $1; lo = $1; hi = $1 }
		{ l = $1; if ($1 < lo) lo = $1; if ($1 > hi) hi = $1 }
		END { print f, l, lo, hi, NR }' "$T/rss.d$i")
	echo "d$i: RSS over $n samples of its churn: first $first kB, last $last kB, min $min, max $max"
	[ $((max - first)) -le 1024 ] || fail "d$i's RSS grew from $first kB to $max kB during its churn"
done
echo "ok: descriptors and RSS flat"

for k in $ktap $kpkt $kflow; do kill $k; done
for k in $ktap $kpkt $kflow; do wait_exit $k 10 || fail "a keeper exited with $?"; done
kill $d
wait_exit $d 10 || fail "d2 exited with $?"

# ---- the accounts ----
read -r f1 g1 < "$T/p1.sent"
read -r f2 g2 < "$T/p2.sent"
for i in 1 2; do
	f=f$i g=g$i
	got=$(jq '.capture.received' "$T/d$i.status") dg=$(jq '.collector.datagrams' "$T/d$i.status")
	[ "$got" = "${!f}" ] || fail "d$i captured $got frames, the sender sent ${!f} ($(jq -c .capture "$T/d$i.status"))"
	[ "$dg" = "${!g}" ] || fail "d$i received $dg sFlow datagrams, the sender sent ${!g}"
done
echo "ok: every frame and datagram sent was taken: $f1 + $f2 frames, $g1 + $g2 datagrams"

# Every departure the daemons logged: read = delivered + lost.
python3 - "$T" <<'EOF' || fail "departures"
import json, re, sys
T = sys.argv[1]
pat = re.compile(r"service (\S+) \(pid \d+\) left: (.*)$")
part = re.compile(r"(snaps|flow records): read (\d+) of (\d+) published while attached from item (\d+) \(delivered (\d+), lost (\d+)\)")
left = {}
bad = 0
for d in ("d1", "d2"):
    for line in open(f"{T}/{d}.log"):
        m = pat.search(line)
        if not m:
            continue
        for kind, r, p, s, dl, l in part.findall(m.group(2)):
            r, p, s, dl, l = map(int, (r, p, s, dl, l))
            left[(d, m.group(1), kind)] = (r, p, s, dl, l)
            if dl + l != r or r > p:
                print(f"FAIL: {d} {m.group(1)} {kind}: read {r} of {p}, delivered {dl} + lost {l}")
                bad += 1
json.dump({f"{d}|{n}|{k}": v for (d, n, k), v in left.items()}, open(f"{T}/left.json", "w"))
print(f"{len(left)} departures, each read = delivered + lost")
sys.exit(1 if bad else 0)
EOF
echo "ok: $(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$T/left.json") departures logged, every one adds up"

# Taps that were stopped: their own count is what the daemon delivered.
for name in $(cat "$T/stopped"); do
	[ "${churn_kind[$name]:-}" = tap ] || continue
	for i in 1 2; do
		v=$(jq -r --arg k "d$i|$name|snaps" '.[$k] // empty | @tsv' "$T/left.json")
		[ -n "$v" ] && break
	done
	[ -n "$v" ] || fail "no departure logged for $name"
	read -r r p s dl l <<< "$v"
	[ "$(jq .packets "$T/$name.json")" = "$dl" ] && [ "$(jq .lost "$T/$name.json")" = "$l" ] ||
		fail "$name counted $(cat "$T/$name.json"); the daemon says delivered $dl, lost $l"
done
for name in $(cat "$T/killed"); do
	grep -q "service $name (pid" "$T/d1.log" "$T/d2.log" || fail "killed $name: no departure logged"
done
echo "ok: $n_started churn services, $n_stopped stopped, $n_killed killed; every stopped tap's own count matches"

# The services that lived through the restart: their own counts cover
# every frame sent while they were attached (from the first frame on), and
# they missed exactly what d2 published before they came back.
read -r r p s dl l <<< "$(jq -r '.["d2|keep-tap|snaps"] | @tsv' "$T/left.json")"
d1del=$(jq '.services[] | select(.name == "keep-tap") | .delivered' "$T/d1.status")
d1lost=$(jq '.services[] | select(.name == "keep-tap") | .lost' "$T/d1.status")
kt=$T/keep-tap.json
[ "$(jq .reconnects $kt)" = 1 ] || fail "keep-tap: $(cat $kt)"
[ "$(jq .missed $kt)" = "$s" ] || fail "keep-tap says it missed $(jq .missed $kt), d2 published $s before it attached"
[ "$(jq .packets $kt)" = $((d1del + dl)) ] || fail "keep-tap counted $(jq .packets $kt), the daemons delivered $d1del + $dl"
[ "$(jq .lost $kt)" = $((d1lost + l)) ] || fail "keep-tap: lost $(jq .lost $kt), the daemons say $d1lost + $l"
[ $((d1del + d1lost)) = "$f1" ] || fail "keep-tap read $d1del + $d1lost of d1's $f1 frames"
[ $((s + p)) = "$f2" ] && [ "$r" = "$p" ] || fail "keep-tap on d2: from item $s, read $r of $p; $f2 frames sent"
echo "ok: keep-tap: $(jq -c '{packets, lost, missed, reconnects}' $kt) = $f1 + $f2 frames sent"
for k in keep-pkt:snaps keep-flow:flow; do
	name=${k%%:*} kind=${k#*:}
	[ "$kind" = flow ] && kind="flow records"
	s=$(jq -r --arg k "d2|$name|$kind" '.[$k][2]' "$T/left.json")
	grep -q "missed $s $kind the new daemon published before it attached" "$T/$name.err" ||
		fail "$name: d2 published $s $kind before it came back; it said: $(cat "$T/$name.err")"
done
echo "ok: keep-pkt and keep-flow missed exactly what d2 published before they came back"

# Nothing of ours is left running.
for p in "${PIDS[@]}"; do
	kill -0 "$p" 2>/dev/null && fail "pid $p still runs: $(tr '\0' ' ' < /proc/$p/cmdline)"
done
left=$(pgrep -f "$T" | grep -v "^$$\$" || true)
[ -z "$left" ] || fail "processes left: $(ps -o pid,cmd -p $left)"
echo "ok: no process left"
