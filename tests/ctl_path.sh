#!/bin/bash
# The control socket's path: the daemon never removes anything but a socket
# no daemon answers on (a regular file stays, byte for byte, at start and at
# exit; a running or stopped daemon's socket stays), replaces a dead
# daemon's socket, and a client that finds the path can always connect:
# the socket appears there only once it listens (here listen() is made slow
# on purpose, so a socket bound in place would refuse connections).
set -u
. "$(dirname "$0")/lib.bash"

command -v python3 >/dev/null || fail "python3 is missing (scripts/deps.sh installs it)"
cap=tests/data/http-get.pcap
ctl=$T/ctl.sock

# A regular file where the socket would go: refused, left alone.
printf 'precious\n' > "$ctl"
"$B/snapvnfd" -r $cap --ctl "$ctl" --wait-for 1 2> "$T/d1.log" & d=$!; PIDS+=($d)
wait_exit $d 10 && fail "the daemon started over a regular file"
grep -q "not a socket" "$T/d1.log" || fail "no reason given: $(cat "$T/d1.log")"
[ "$(cat "$ctl")" = precious ] || fail "the regular file at --ctl was removed or changed"
echo "ok: a regular file at --ctl is refused and kept: $(tail -1 "$T/d1.log")"
rm -f "$ctl"

# A running daemon's socket: a second daemon refuses and leaves it.
"$B/snapvnfd" -q -r $cap --ctl "$ctl" --wait-for 1 & d1=$!; PIDS+=($d1)
# Stopped below: it would not die of the SIGTERM the clean-up sends it.
trap 'kill -CONT $d1 2>/dev/null; cleanup' EXIT
wait_ctl
"$B/snapvnfd" -r $cap --ctl "$ctl" --wait-for 1 2> "$T/d2.log" & d2=$!; PIDS+=($d2)
wait_exit $d2 10 && fail "a second daemon started on a live socket"
grep -q "already listening" "$T/d2.log" || fail "second daemon: $(cat "$T/d2.log")"
"$B/snapvnf" status >/dev/null || fail "the first daemon lost its socket to the second"
echo "ok: a second daemon leaves a running daemon's socket alone"

# A stopped daemon whose queue is full: still a daemon's; the second one
# must neither hang on it nor take it.
kill -STOP $d1
fill_queue "$ctl"
"$B/snapvnfd" -r $cap --ctl "$ctl" --wait-for 1 2> "$T/d3.log" & d3=$!; PIDS+=($d3)
wait_exit $d3 15 && fail "a daemon started on a stopped daemon's socket"
grep -q "does not take connections" "$T/d3.log" || fail "third daemon: $(cat "$T/d3.log")"
[ -S "$ctl" ] || fail "the stopped daemon's socket was removed"
echo "ok: a stopped daemon's socket with a full queue is left alone: $(tail -1 "$T/d3.log")"
kill $FILLER; wait $FILLER 2>/dev/null
kill -CONT $d1
"$B/snapvnf" status >/dev/null || fail "the first daemon does not answer after SIGCONT"

# While it runs, someone puts a file where its socket was: at exit the
# daemon removes only its own socket, not what replaced it.
mv "$ctl" "$T/moved.sock"
printf 'replaced\n' > "$ctl"
kill $d1
wait_exit $d1 10
[ "$(cat "$ctl" 2>/dev/null)" = replaced ] || fail "the daemon removed a file that replaced its socket"
echo "ok: at exit only its own socket is removed"
rm -f "$ctl" "$T/moved.sock"

# A dead daemon's socket is replaced, and removed at a clean exit.
"$B/snapvnfd" -q -r $cap --ctl "$ctl" --wait-for 1 & d4=$!; PIDS+=($d4)
wait_ctl
kill -9 $d4; wait $d4 2>/dev/null
[ -S "$ctl" ] || fail "no stale socket to test with"
"$B/snapvnfd" -q -r $cap --ctl "$ctl" --wait-for 1 & d5=$!; PIDS+=($d5)
wait_ctl
kill $d5
wait_exit $d5 10 || fail "daemon exit code $?"
[ -e "$ctl" ] && fail "the socket is still there after a clean exit"
echo "ok: a dead daemon's socket is replaced; a clean exit removes the socket"

# Slow listen(): the path must not appear before the socket listens.
cat > "$T/slowlisten.c" <<'EOF'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <sys/socket.h>
#include <unistd.h>
int listen(int fd, int backlog)
{
	int (*real)(int, int) = (int (*)(int, int))dlsym(RTLD_NEXT, "listen");

	usleep(300000);
	return real(fd, backlog);
}
EOF
${CC:-cc} -shared -fPIC -o "$T/slowlisten.so" "$T/slowlisten.c" -ldl || fail "cannot build the listen shim"
python3 - "$ctl" > "$T/race.out" 2>&1 <<'EOF' & racer=$!; PIDS+=($racer)
import errno, socket, sys, time
end = time.time() + 15
seen = {}
while time.time() < end:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    try:
        s.connect(sys.argv[1])
        print("connected; errors before:", seen)
        sys.exit(1 if set(seen) - {"ENOENT"} else 0)
    except OSError as e:
        name = errno.errorcode.get(e.errno, str(e.errno))
        if not seen:
            print("racing", flush=True)
        seen[name] = seen.get(name, 0) + 1
    finally:
        s.close()
    time.sleep(0.0005)
print("never connected:", seen)
sys.exit(1)
EOF
for _ in $(seq 100); do grep -q racing "$T/race.out" && break; sleep 0.1; done
grep -q racing "$T/race.out" || fail "the racing client did not start: $(cat "$T/race.out")"
LD_PRELOAD=$T/slowlisten.so "$B/snapvnfd" -q -r $cap --ctl "$ctl" --wait-for 1 & d6=$!; PIDS+=($d6)
wait $racer || fail "a client that raced the daemon's start: $(cat "$T/race.out")"
echo "ok: the socket appears only once it listens ($(tail -1 "$T/race.out"))"
