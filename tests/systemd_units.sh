#!/bin/bash
# The systemd units as Debian installs them (PREFIX=/usr, units in
# /lib/systemd/system), in a root of this test's own: the programs, the
# units, and the systemd units and /bin/kill they refer to.
#  - `systemd-analyze verify` takes both, and says nothing: an unknown key
#    or a program that is not there is a failure, not a warning;
#  - `systemd-analyze security --offline=true`: snapvnfd.service's exposure
#    is at most 3.5 (2.9 when written; docs/deploy.md), snapvnf@ at most 1.5;
#  - the sandbox does not break the daemon: its own ExecStart, run under the
#    unit's CapabilityBoundingSet and NoNewPrivileges (setpriv does what
#    systemd would) in a network namespace, with --enforcer nft: it drops
#    to the -Z user, the enforcer keeps CAP_NET_ADMIN only, and a block
#    request becomes an element nft lists in that namespace.
# systemd is not PID 1 here, so the unit is not started for real.
set -u
. "$(dirname "$0")/lib.bash"
[ "$(id -u)" -eq 0 ] || skip "needs root (users, a network namespace)"
for t in systemd-analyze setpriv nft jq useradd python3; do
	command -v $t >/dev/null || fail "$t is missing (scripts/deps.sh test installs it)"
done
top=$(cd "$(dirname "$0")/.." && pwd)

root=$T/root
units=/lib/systemd/system
make -C "$top" -s BUILD="$T/build" PREFIX=/usr SYSTEMDUNITDIR=$units \
	"$T/build/systemd/snapvnfd.service" "$T/build/systemd/snapvnf@.service" > "$T/make.log" 2>&1 ||
	fail "rendering the units: $(tail -5 "$T/make.log")"
mkdir -p "$root/usr/sbin" "$root/usr/bin" "$root/lib/systemd" "$root/bin"
cp -a /lib/systemd/system "$root/lib/systemd/"
cp /bin/kill "$root/bin/"
cp "$B/snapvnfd" "$root/usr/sbin/"
cp "$B/snapvnf" "$root/usr/bin/"
cp "$T/build/systemd/"*.service "$root$units/"
grep -q '^ExecStart=/usr/sbin/snapvnfd ' "$root$units/snapvnfd.service" || fail "ExecStart does not name /usr/sbin/snapvnfd"

# --man=no: the man pages are another test's (man_pages.sh).
systemd-analyze verify --man=no --root="$root" $units/snapvnfd.service "$units/snapvnf@.service" \
	> "$T/verify.log" 2>&1 || fail "systemd-analyze verify: $(cat "$T/verify.log")"
[ -s "$T/verify.log" ] && fail "systemd-analyze verify warns: $(cat "$T/verify.log")"
# Each check is shown to fail on a broken unit, so a silent pass means something.
sed 's/^Nice=/Nicee=/' "$root$units/snapvnfd.service" > "$root$units/broken.service"
systemd-analyze verify --man=no --root="$root" $units/broken.service > "$T/verify.log" 2>&1
grep -q "Unknown key 'Nicee'" "$T/verify.log" || fail "verify did not notice an unknown key: $(cat "$T/verify.log")"
rm "$root$units/broken.service"
mv "$root/usr/sbin/snapvnfd" "$T/"
systemd-analyze verify --man=no --root="$root" $units/snapvnfd.service > "$T/verify.log" 2>&1 &&
	fail "verify passed with no /usr/sbin/snapvnfd"
mv "$T/snapvnfd" "$root/usr/sbin/"
echo "verify: both units, no warning"

exposure() {  # exposure UNIT MAX (tenths): prints the score
	systemd-analyze security --offline=true --root="$root" --threshold="$2" "$units/$1" > "$T/sec.log" 2>&1
	local rc=$? score
	score=$(sed -n 's/.*Overall exposure level for .*: \([0-9.]*\) .*/\1/p' "$T/sec.log")
	[ -n "$score" ] || fail "no exposure level for $1: $(tail -5 "$T/sec.log")"
	[ $rc -eq 0 ] || fail "$1: exposure $score is above $2/10: $(grep '✗' "$T/sec.log")"
	echo "$score"
}
echo "security: snapvnfd.service $(exposure snapvnfd.service 35), snapvnf@.service $(exposure snapvnf@.service 15)"

# The unit's own ExecStart and capabilities.
unit() { sed -n "s/^$1=//p" "$root$units/snapvnfd.service"; }
caps=$(unit CapabilityBoundingSet)
[ "$(unit NoNewPrivileges)" = yes ] || fail "no NoNewPrivileges=yes"
bset=-all
for c in $caps; do bset+=",+$(echo "${c#CAP_}" | tr A-Z a-z)"; done
read -r -a exec <<< "$(unit ExecStart)"
[[ " ${exec[*]} " == *" -Z snapvnf --group snapvnf "* ]] || fail "ExecStart: ${exec[*]}"

grp=svug$$ usr=svuu$$ ns=svun$$
trap 'cleanup; ip netns del $ns 2>/dev/null; userdel $usr 2>/dev/null; groupdel $grp 2>/dev/null' EXIT
groupadd $grp && useradd -r -M -N -g $grp -s /usr/sbin/nologin $usr || fail "useradd"
chmod 0711 "$T"
ip netns add $ns && ip -n $ns link set lo up || fail "ip netns add"
sport=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
args=()
for a in "${exec[@]:1}"; do
	case $a in
	'$SNAPVNFD_ARGS') args+=(--sflow 127.0.0.1:$sport --enforcer nft --action-events "$T/door.json" --ctl "$SNAPVNF_CTL") ;;
	snapvnf) args+=("$([ "${args[-1]}" = -Z ] && echo $usr || echo $grp)") ;;
	*) args+=("$a") ;;
	esac
done
ip netns exec $ns setpriv --bounding-set "$bset" --inh-caps=-all --no-new-privs \
	"$root${exec[0]}" "${args[@]}" 2> "$T/daemon.log" & d=$!; PIDS+=($d)
for i in $(seq 101); do
	[ "$i" -eq 101 ] && fail "snapvnfd did not come up: $(cat "$T/daemon.log")"
	kill -0 $d 2>/dev/null || fail "the daemon exited: $(cat "$T/daemon.log")"
	"$B/snapvnf" status > /dev/null 2>&1 && break
	sleep 0.1
done
grep -q "running as $usr" "$T/daemon.log" || fail "no drop to $usr: $(cat "$T/daemon.log")"
[ "$(awk '/^Uid:/{print $2}' /proc/$d/status)" = "$(id -u $usr)" ] || fail "the daemon's uid is not $usr's"
[ "$(awk '/^CapEff:/{print $2}' /proc/$d/status)" = 0000000000000000 ] || fail "the daemon kept capabilities"
[ "$(stat -c '%U:%G %a' "$SNAPVNF_CTL")" = "$usr:$grp 660" ] ||
	fail "the control socket is $(stat -c '%U:%G %a' "$SNAPVNF_CTL"), not $usr:$grp 660"
ep=$("$B/snapvnf" status --json | jq .actions.enforcer_pid)
[ "$ep" -gt 0 ] 2>/dev/null || fail "no enforcer: $(cat "$T/daemon.log")"
# CAP_NET_ADMIN is bit 12, alone: 0x1000.
[ "$(awk '/^CapEff:/{print $2}' /proc/$ep/status)" = 0000000000001000 ] ||
	fail "the enforcer's capabilities: $(grep ^Cap /proc/$ep/status | paste -sd ' ')"
[ "$(awk '/^NoNewPrivs:/{print $2}' /proc/$ep/status)" = 1 ] || fail "the enforcer may gain privileges"
"$B/snapvnf" block 10.77.0.5 --ttl 60 > "$T/block.out" 2>&1 || fail "block: $(cat "$T/block.out")"
for i in $(seq 101); do
	[ "$i" -eq 101 ] && fail "nft never listed 10.77.0.5: $(ip netns exec $ns nft list ruleset); $(cat "$T/daemon.log")"
	ip netns exec $ns nft -j list ruleset | jq -e '[.nftables[] | .set? // empty | .elem? // empty | .[] |
		(.elem?.val // .)] | index("10.77.0.5")' > /dev/null && break
	sleep 0.1
done
echo "the daemon under the unit's sandbox: uid $usr, no capability; enforcer: CAP_NET_ADMIN only; nft holds the block"
kill $d
wait_exit $d 15 > /dev/null
[ -z "$(ip netns exec $ns nft list tables)" ] || fail "a table left at exit: $(ip netns exec $ns nft list tables)"
echo ok
