#!/bin/bash
# -Z USER and --group GROUP: the daemon opens its capture (a veth in a
# network namespace of this test), its sFlow socket, rings and control
# socket as root, then runs as USER with no capability and no way back;
# the kernel says so (/proc/PID/status). Services run as another,
# unprivileged user of GROUP and get every frame sent; a user outside the
# group cannot connect. The unprivileged daemon still removes its socket at
# exit. --sflow PORT alone binds 127.0.0.1 only (the kernel's socket
# table). The users and the group are made for the test and removed.
set -u
. "$(dirname "$0")/lib.bash"

[ "$(id -u)" -eq 0 ] || skip "needs root (-Z drops root; users, a network namespace)"
command -v python3 >/dev/null || fail "python3 is missing (scripts/deps.sh installs it)"
command -v useradd >/dev/null || fail "useradd is missing (Debian's passwd package)"
command -v setpriv >/dev/null || fail "setpriv is missing (Debian's util-linux)"
command -v ip >/dev/null || fail "ip is missing (scripts/deps.sh installs iproute2)"

id=$$
grp=svg$id dusr=svd$id susr=svs$id ousr=svo$id ns=svpd$id
cleanup_all() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
	for u in $dusr $susr $ousr; do userdel "$u" 2>/dev/null; done
	groupdel $grp 2>/dev/null
	ip netns del $ns 2>/dev/null
	rm -rf "$T"
}
trap cleanup_all EXIT

groupadd $grp || fail "groupadd"
useradd -r -M -N -g $grp -s /usr/sbin/nologin $dusr || fail "useradd $dusr"
useradd -r -M -N -G $grp -s /usr/sbin/nologin $susr || fail "useradd $susr"
useradd -r -M -N -s /usr/sbin/nologin $ousr || fail "useradd $ousr"
duid=$(id -u $dusr) gid=$(getent group $grp | cut -d: -f3)
chmod 0711 "$T"   # the other users must reach $T/run

ip netns add $ns || fail "ip netns add"
ip -n $ns link set lo up
ip -n $ns link add va type veth peer name vb || fail "veth"
ip -n $ns link set va up
ip -n $ns link set vb up
sport=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

ctl=$T/run/ctl.sock
ip netns exec $ns "$B/snapvnfd" -i vb -f 'udp port 9' --sflow "$sport" -Z $dusr --group $grp \
	--ctl "$ctl" 2> "$T/daemon.log" & d=$!; PIDS+=($d)
export SNAPVNF_CTL=$ctl
wait_ctl
grep -q "running as $dusr" "$T/daemon.log" || fail "no word of the drop: $(cat "$T/daemon.log")"

# What the kernel says the daemon is now.
st=/proc/$d/status
for f in Uid Gid; do
	want=$([ $f = Uid ] && echo "$duid" || echo "$gid")
	read -r _ a b c e < <(grep "^$f:" $st)
	[ "$a $b $c $e" = "$want $want $want $want" ] || fail "$f: $a $b $c $e, not $want (all four)"
done
groups=$(grep '^Groups:' $st | cut -f2 | xargs)
[ -z "$groups" ] || [ "$groups" = "$gid" ] || fail "supplementary groups left: $groups"
for f in CapInh CapPrm CapEff CapBnd CapAmb; do
	v=$(grep "^$f:" $st | cut -f2)
	[ "$v" = 0000000000000000 ] || fail "$f is $v, not 0"
done
[ "$(grep '^NoNewPrivs:' $st | cut -f2)" = 1 ] || fail "NoNewPrivs not set"
echo "ok: the daemon runs as uid $duid gid $gid, no capability, NoNewPrivs ($(grep -E '^(Uid|CapEff|CapBnd|NoNewPrivs):' $st | tr '\t\n' '  '))"

read -r owner group mode < <(stat -c '%U %G %a' "$ctl")
[ "$owner $group $mode" = "$dusr $grp 660" ] || fail "socket is $owner:$group $mode"
echo "ok: control socket $owner:$group mode $mode"

# --sflow PORT alone: 127.0.0.1 only, in the kernel's socket table.
hexport=$(printf '%04X' "$sport")
ip netns exec $ns cat /proc/net/udp /proc/net/udp6 > "$T/udp"
grep -q " 0100007F:$hexport " "$T/udp" || fail "no socket on 127.0.0.1:$sport: $(cat "$T/udp")"
[ "$(grep -c ":$hexport " "$T/udp")" = 1 ] || fail "--sflow $sport bound more than loopback: $(grep ":$hexport " "$T/udp")"
echo "ok: --sflow $sport binds 127.0.0.1:$sport only"

# A service as a user of the group: every frame sent into the veth.
setpriv --reuid=$susr --regid=$gid --init-groups "$B/snapvnf" tap --count --name member \
	> "$T/member.json" 2> "$T/member.err" & tap=$!; PIDS+=($tap)
wait_services 1
[ "$(stat -c %U /proc/$tap)" = "$susr" ] || fail "the tap does not run as $susr"
n=500
ip netns exec $ns python3 - va $n > "$T/sent" <<'EOF' || fail "sender: $(cat "$T/sent")"
import socket, struct, sys
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((sys.argv[1], 0))
n = int(sys.argv[2])
for k in range(n):
    payload = struct.pack("!I", k) + bytes(60)
    udp = struct.pack("!HHHH", 40000, 9, 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), k & 0xFFFF, 0, 64, 17, 0,
                     bytes([10, 9, 0, 1]), bytes([10, 9, 0, 2])) + udp
    s.send(b"\x02\x00\x00\x00\x00\x02" + b"\x02\x00\x00\x00\x00\x01" + b"\x08\x00" + ip)
print(n)
EOF
for _ in $(seq 100); do
	got=$("$B/snapvnf" status --json | jq '[.services[] | select(.name == "member") | .delivered] | add // 0')
	[ "$got" -ge $n ] && break
	sleep 0.1
done
kill $tap; wait $tap
got=$(jq .packets "$T/member.json") lost=$(jq .lost "$T/member.json")
[ "$got" = "$(cat "$T/sent")" ] && [ "$lost" = 0 ] ||
	fail "$susr's tap counted $got packets (lost $lost); $(cat "$T/sent") were sent: $(cat "$T/member.err")"
echo "ok: a service run by $susr (group $grp) got all $got frames the sender sent"

# A user outside the group cannot even connect.
if setpriv --reuid=$ousr --regid=$(id -g $ousr) --clear-groups "$B/snapvnf" status > /dev/null 2> "$T/outsider.err"; then
	fail "a user outside $grp could talk to the daemon"
fi
grep -q "Permission denied" "$T/outsider.err" || fail "outsider: $(cat "$T/outsider.err")"
echo "ok: a user outside the group is refused: $(cat "$T/outsider.err")"

# At exit the unprivileged daemon removes its socket: the directory it
# made for it is its own.
kill $d
wait_exit $d 10 || fail "daemon exit code $?"
[ -e "$ctl" ] && fail "the socket is left behind: $(tail -3 "$T/daemon.log")"
echo "ok: the unprivileged daemon removed its socket at exit ($(stat -c '%U:%G %a' "$T/run") $T/run)"

# A directory it does not own and cannot write: it says so at start; the
# socket it cannot remove is replaced by the next start.
mkdir -m 0755 "$T/rootdir"
for round in 1 2; do
	"$B/snapvnfd" -r tests/data/http-get.pcap --wait-for 1 -Z $dusr --ctl "$T/rootdir/ctl.sock" \
		2> "$T/root$round.log" & d2=$!; PIDS+=($d2)
	SNAPVNF_CTL=$T/rootdir/ctl.sock wait_ctl
	grep -q "not writable by uid $duid" "$T/root$round.log" || fail "no warning: $(cat "$T/root$round.log")"
	kill $d2
	wait_exit $d2 10 || fail "daemon exit code $? (round $round): $(cat "$T/root$round.log")"
	[ -S "$T/rootdir/ctl.sock" ] || fail "expected the socket to stay in a directory it cannot write"
done
echo "ok: in a directory it cannot write, it warns; the next start replaces what it left"

# A user that does not exist: a clear error before anything is opened.
"$B/snapvnfd" -r tests/data/http-get.pcap -Z no-such-user-$id --ctl "$T/x.sock" 2> "$T/nouser.log" &&
	fail "started with -Z of a user that does not exist"
grep -q "no-such-user-$id: no such user" "$T/nouser.log" || fail "$(cat "$T/nouser.log")"
echo "ok: $(cat "$T/nouser.log")"
