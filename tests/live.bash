# Helpers for the live end-to-end tests (tests/e2e_live_*.sh), sourced after
# lib.bash: the stand-in switch of scripts/testbed comes up for the test and
# goes down when it exits, pass or fail. Not run as a test itself.
TOP=$(cd "$(dirname "$0")/.." && pwd)
TB=$TOP/scripts/testbed
# The clients' and servers' logs, and OVS's, stay private to the test.
export SVTB_LOG=$T/svtb
T_START=$SECONDS

# End our own processes (by PID), then the testbed, then the temp dir.
live_cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
	# Only the holder of the lock takes the testbed down (a test that
	# skipped while waiting must not take down the other's).
	if flock -n 8 2>/dev/null; then tb down >/dev/null 2>&1; fi
	rm -rf "$T"
}

# There is one testbed per machine (fixed names), so whoever uses it holds
# this lock from `up` to `down`: another live test or `make demo-live`
# waits for it instead of tearing the testbed down under it. fd 8 is not
# handed to what the testbed starts (OVS would keep the lock).
LIVE_LOCK=/run/lock/snapvnf-testbed.lock
live_lock() {
	mkdir -p "$(dirname "$LIVE_LOCK")"
	exec 8>>"$LIVE_LOCK"
	flock -w "${1:-150}" 8
}
tb() { "$TB" "$@" 8<&-; }

# live_up [testbed options]: skip unless root; as root the testbed must come
# up (it installs what it needs), and the tools scripts/deps.sh installs must
# be there: a missing one is a broken machine, not a reason to skip.
live_up() {
	[ "$(id -u)" -eq 0 ] || skip "needs root (network namespaces, veth, Open vSwitch)"
	command -v python3 >/dev/null || fail "python3 is missing (scripts/deps.sh installs it)"
	command -v jq >/dev/null || fail "jq is missing (scripts/deps.sh installs it)"
	live_lock || skip "the testbed stayed in use by another test or demo for 150 s ($LIVE_LOCK)"
	if ! tb "$@" up >"$T/up.out" 2>"$T/up.err"; then
		cat "$T/up.out" "$T/up.err"
		fail "the testbed did not come up: $(tail -1 "$T/up.err")"
	fi
}

# The testbed's own OVS (ovsdb-server, ovs-vswitchd) when it started them,
# so that ovs-vsctl and ovs-ofctl find it; the system's otherwise.
live_ovs_env() {
	if grep -qx 'ovs_started=1' /run/svtb/state 2>/dev/null; then
		export OVS_RUNDIR=/run/svtb/ovs
	fi
}

# st [CTL]: snapvnf status --json of the daemon on CTL (default $SNAPVNF_CTL).
st() { "$B/snapvnf" --ctl "${1:-$SNAPVNF_CTL}" status --json 2>/dev/null; }

# wait_attached CTL NAME...: every NAME is registered and has its cursor.
wait_attached() {
	local ctl=$1 n
	shift
	for n in "$@"; do
		for i in $(seq 101); do
			[ "$i" -eq 101 ] && fail "service $n did not attach to $ctl"
			st "$ctl" | jq -e --arg n "$n" \
				'.services[] | select(.name == $n and (has("delivered") or has("flow_delivered")))' \
				>/dev/null && break
			sleep 0.1
		done
	done
}

# wait_drained CTL: the capture has stopped growing and every packet
# service has read all of it (backlog 0). `received` also counts what came
# before a service attached, so it can be more than delivered + lost.
wait_drained() {
	local ctl=$1 prev=-1 cur
	for i in $(seq 101); do
		[ "$i" -eq 101 ] && fail "services on $ctl did not catch up: $(st "$ctl" | jq -c '[.capture, (.services[] | {name, delivered, lost, backlog})]')"
		cur=$(st "$ctl" | jq -r '.capture.received as $r |
			if all(.services[] | select(has("delivered")); .backlog == 0)
			then $r else -1 end')
		[ "$cur" != -1 ] && [ "$cur" = "$prev" ] && return 0
		prev=$cur
		sleep 0.2
	done
}

# Nothing of ours left: the testbed's namespaces and links, our processes.
live_took() { echo "took $((SECONDS - T_START)) s"; }
