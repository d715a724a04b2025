#!/bin/bash
# What the enforcer holds, read from the kernel (/proc/PID/status, maps,
# fd), not from snapvnfd: it is forked before any input, ring or socket is
# open, so it maps no ring and holds no descriptor but its socketpair,
# stderr and /dev/null; its capabilities are its backend's alone, in every
# set (none for log, CAP_NET_ADMIN for nft, CAP_DAC_OVERRIDE for ovs), with
# NoNewPrivs. The daemon, beside it, does map the rings (the check can
# fail). Root only; nft runs in a network namespace of the test's own.
set -u
. "$(dirname "$0")/lib.bash"
[ "$(id -u)" -eq 0 ] || skip "needs root (capabilities, network namespaces)"
command -v jq >/dev/null || fail "jq is missing"

NS=svpriv$$
ip netns add "$NS" || fail "cannot make a network namespace"
trap 'cleanup; ip netns del "$NS" 2>/dev/null' EXIT
ip -n "$NS" link set lo up

SP=$(python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
field() { sed -n "s/^$2:[[:space:]]*//p" "/proc/$1/status"; }

# check BACKEND CAPMASK: start a daemon with that backend, read both processes.
check() {
	local backend=$1 want=$2 ep d fds f
	ip netns exec "$NS" "$B/snapvnfd" --sflow 127.0.0.1:"$SP" --enforcer "$backend" \
		--action-events "$T/door.json" 2>>"$T/daemon.log" &
	d=$!
	PIDS+=($d)
	wait_ctl
	ep=$("$B/snapvnf" status --json | jq .actions.enforcer_pid)
	[ "$ep" -gt 0 ] 2>/dev/null || fail "$backend: no enforcer pid in status"
	[ "$(cat "/proc/$ep/comm")" = snapvnf-enforce ] || fail "$backend: pid $ep is $(cat "/proc/$ep/comm")"
	[ "$(field "$ep" PPid)" = "$d" ] || fail "$backend: the enforcer is not the daemon's child"

	# Rings: the daemon maps them, the enforcer does not.
	grep -q 'memfd:snapvnf-ring' "/proc/$d/maps" || fail "$backend: the daemon maps no ring (the check is blind)"
	grep -q 'memfd:snapvnf' "/proc/$ep/maps" && fail "$backend: the enforcer maps: $(grep memfd "/proc/$ep/maps")"
	# Descriptors: 0 and 1 /dev/null, 2 the daemon's stderr, 3 its socket;
	# past that only what the backend opened itself (nft: its netlink
	# socket, found in the kernel's list of netlink sockets).
	fds=$(ls "/proc/$ep/fd" | sort -n | paste -sd ' ')
	[ "${fds:0:7}" = "0 1 2 3" ] || fail "$backend: the enforcer holds descriptors $fds: $(ls -l "/proc/$ep/fd")"
	for f in ${fds:8}; do
		ino=$(readlink "/proc/$ep/fd/$f" | sed -n 's/^socket:\[\([0-9]*\)\]$/\1/p')
		[ -n "$ino" ] && awk -v i="$ino" 'NR > 1 && $NF == i { found = 1 } END { exit !found }' \
			"/proc/$ep/net/netlink" || fail "$backend: fd $f is $(readlink "/proc/$ep/fd/$f"), not a netlink socket"
	done
	[ "$backend" = nft ] || [ "$fds" = "0 1 2 3" ] || fail "$backend: the enforcer holds descriptors $fds"
	# The null device by its numbers (1:3), not its path: under a
	# chroot readlink shows the path from outside.
	for f in 0 1; do
		[ "$(stat -L -c %t:%T "/proc/$ep/fd/$f")" = "1:3" ] || fail "$backend: fd $f is $(readlink "/proc/$ep/fd/$f")"
	done
	[ "$(readlink "/proc/$ep/fd/2")" = "$(readlink "/proc/$d/fd/2")" ] || fail "$backend: fd 2 is not the daemon's stderr"
	readlink "/proc/$ep/fd/3" | grep -q '^socket:' || fail "$backend: fd 3 is $(readlink "/proc/$ep/fd/3")"

	# Capabilities: the backend's, in every set; no new privileges.
	for f in CapEff CapPrm CapBnd; do
		[ $((16#$(field "$ep" $f))) = $((want)) ] ||
			fail "$backend: $f is $(field "$ep" $f), want $(printf '%016x' $((want)))"
	done
	[ "$(field "$ep" CapInh)" = 0000000000000000 ] || fail "$backend: CapInh is $(field "$ep" CapInh)"
	[ "$(field "$ep" NoNewPrivs)" = 1 ] || fail "$backend: NoNewPrivs is $(field "$ep" NoNewPrivs)"
	echo "$backend: enforcer $ep Uid $(field "$ep" Uid | cut -f1) CapEff $(field "$ep" CapEff) fds $fds; daemon $d CapEff $(field "$d" CapEff)"

	kill "$d"
	wait_exit "$d" 20 >/dev/null
	kill -0 "$ep" 2>/dev/null && fail "$backend: the enforcer (pid $ep) outlived the daemon"
	return 0
}

# Capability numbers are the kernel's (linux/capability.h).
CAP_DAC_OVERRIDE=1 CAP_NET_ADMIN=12
check log 0
check nft $((1 << CAP_NET_ADMIN))
echo "ok: the enforcer maps no ring, holds 4 descriptors, keeps its backend's capability only"
