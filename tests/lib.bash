# Helpers for the script tests (sourced). Each test gets a private
# control socket and temp dir, and ends every process it started.
B=${SNAPVNF_BUILD:-build}
T=$(mktemp -d /tmp/snapvnf-test.XXXXXX)
export SNAPVNF_CTL=$T/ctl.sock
PIDS=()

cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT

fail() { echo "FAIL: $*"; exit 1; }
skip() { echo "$*"; exit 77; }

# Wait until the control socket answers (daemon up), at most ~10 s.
# wait_until SECONDS WHAT COMMAND...: until COMMAND succeeds, or fail
# naming WHAT.
wait_until() {
	local limit=$1 what=$2 i
	shift 2
	for ((i = 0; i < limit * 10; i++)); do
		"$@" && return 0
		sleep 0.1
	done
	fail "no $what after ${limit}s"
}
# has_lines FILE N: FILE has at least N lines.
has_lines() { [ -s "$1" ] && [ "$(wc -l < "$1")" -ge "$2" ]; }

wait_ctl() {
	for _ in $(seq 100); do
		"$B/snapvnf" status >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	fail "snapvnfd did not come up on $SNAPVNF_CTL"
}

# Wait until `snapvnf services` lists $1 services.
wait_services() {
	for _ in $(seq 100); do
		[ "$("$B/snapvnf" services 2>/dev/null | wc -l)" -ge "$1" ] && return 0
		sleep 0.1
	done
	fail "expected $1 registered services"
}

# Wait for a PID to exit, at most $2 seconds; returns its exit code.
wait_exit() {
	local pid=$1 limit=${2:-60} i=0
	while kill -0 "$pid" 2>/dev/null; do
		i=$((i + 1)); [ $i -gt $((limit * 10)) ] && fail "pid $pid still running after ${limit}s"
		sleep 0.1
	done
	wait "$pid"
}

# fill_queue SOCKET: connect to SOCKET without being accepted until its
# listen queue is full, and hold those connections (in the background,
# pid in $FILLER, added to PIDS) until killed. Fails unless it got there.
fill_queue() {
	python3 - "$1" > "$T/fill.out" 2>&1 <<'EOF' &
import socket, sys, time
held = []
while True:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.setblocking(False)
    try:
        s.connect(sys.argv[1])
    except BlockingIOError:
        break
    held.append(s)
print("queued", len(held), flush=True)
time.sleep(600)
EOF
	FILLER=$!; PIDS+=($FILLER)
	for _ in $(seq 100); do grep -q queued "$T/fill.out" && return 0; sleep 0.1; done
	fail "could not fill the listen queue of $1: $(cat "$T/fill.out")"
}
