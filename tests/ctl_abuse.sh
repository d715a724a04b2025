#!/bin/bash
# The control socket under abuse: garbage, oversized and empty messages,
# bad and repeated hellos, attach out of order or for unknown kinds,
# descriptors sent along with requests, more connections than the daemon
# takes, clients that never speak or half-close. Every bad request gets an
# error reply and a counter; the daemon keeps no descriptor it was sent,
# logs one line per event and few of them for a flood, and afterwards
# still hands a real service every packet of the replay.
set -u
. "$(dirname "$0")/lib.bash"

command -v python3 >/dev/null || skip "python3 not found"
command -v tshark >/dev/null || skip "tshark not found"
cap=data/demo.pcap
[ -f $cap ] || skip "$cap not found"

"$B/snapvnfd" -r $cap --wait-for 1 2> "$T/daemon.log" & dpid=$!; PIDS+=($dpid)
wait_ctl

fds() { ls /proc/$dpid/fd | wc -l; }
base=$(fds)

# Poll until the daemon's descriptor count is back to $1 (it closes a
# connection on the poll round after the peer's hang-up).
fds_back_to() {
	for _ in $(seq 50); do
		[ "$(fds)" -le "$1" ] && return 0
		sleep 0.1
	done
	fail "$2: the daemon holds $(fds) descriptors, $1 before"
}

cat > "$T/abuse.py" <<'EOF'
import array, json, mmap, os, select, socket, struct, sys, time

path = os.environ["SNAPVNF_CTL"]
what = sys.argv[1]
END = b"\x04end"
failures = []

def check(cond, msg):
    if not cond:
        failures.append(msg)
        print("FAIL:", msg)

def connect():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.connect(path)
    s.settimeout(5)
    return s

def send(s, msg, fds=()):
    if fds:
        s.sendmsg([msg], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", fds))])
    else:
        s.send(msg)

def recv_fds(s):
    """One reply and the descriptors that came with it."""
    msg, anc, _, _ = s.recvmsg(65536, socket.CMSG_SPACE(16 * 4))
    got = []
    for level, kind, data in anc:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            a = array.array("i")
            a.frombytes(data[: len(data) - len(data) % 4])
            got += list(a)
    return msg, got

def recv(s):
    """One reply: (bytes, how many descriptors came; they are closed)."""
    msg, got = recv_fds(s)
    for fd in got:
        os.close(fd)
    return msg, len(got)

def ask(s, msg, fds=()):
    send(s, msg, fds)
    return recv(s)

def status_json(s):
    """Status on this connection, parsed: it must be JSON."""
    text = status_over(s)
    try:
        return json.loads(text)
    except ValueError as e:
        check(False, "status is not JSON (%s): %r" % (e, text[:200]))
        return {"services": []}

def status_over(s):
    """A status request answered in full on this connection."""
    send(s, b"status")
    text = b""
    while True:
        msg, _ = recv(s)
        if msg == END:
            return text
        check(msg != b"", "status reply cut short")
        if msg == b"":
            return text
        text += msg

def expect_error(s, msg, why, fds=()):
    reply, n = ask(s, msg, fds)
    check(reply.startswith(b"error "), "%s: got %r" % (why, reply[:80]))
    check(n == 0, "%s: the error came with %d descriptors" % (why, n))

if what == "garbage":
    s = connect()
    for msg in [b" ", b"\n", b"\0", b"\0hello name=x", b"\xff\xfe\xfd", b"x" * 65536,
                b"hello\0name=x", b"statusx" + b"\0" * 100, b"\x1b[2J\rattach",
                b"hello " + b"name=" * 3000]:
        expect_error(s, msg, "garbage %r" % msg[:20])
    # An empty datagram reads like a hang-up on SOCK_SEQPACKET: it must be
    # answered, not taken for one.
    expect_error(s, b"", "empty message")
    check(status_over(s).startswith(b"{"), "no status on the abused connection")

elif what == "hello":
    s = connect()
    for msg in [b"hello", b"hello name=", b"hello name", b"hello name=" + b"a" * 64,
                b"hello name=" + b"a" * 20000, b"hello name=a/b", b"hello name=a\rb",
                b"hello name=\xc3\xa9t\xc3\xa9", b"hello name=a\tb", b"hello name=../x",
                b"hello name=\x1b[31m"]:
        expect_error(s, msg, "hello %r" % msg[:30])
    expect_error(s, b"attach consumes=pkt", "attach before hello")
    expect_error(s, b"attach", "attach before hello, no kinds")
    reply, n = ask(s, b"hello name=abuser-twice")
    check(reply == b"ok" and n == 1, "a good hello after bad ones: %r, %d fds" % (reply, n))
    expect_error(s, b"hello name=abuser-twice", "hello twice, same name")
    expect_error(s, b"hello name=abuser-other", "hello twice, another name")
    for kinds in [b"", b"foo", b"pktflow", b"xpkt", b"pkt,foo", b"pkt,", b",pkt", b"PKT",
                  b"flow,flow,flow,flow", b"pkt\x1b[31m", b"a" * 200]:
        expect_error(s, b"attach consumes=" + kinds, "attach consumes=%r" % kinds[:20])
    t = connect()
    expect_error(t, b"hello name=abuser-twice", "a second service of the same name")
    t.close()
    s.close()

elif what == "fds":
    s = connect()
    mine = [os.open("/dev/null", os.O_RDONLY) for _ in range(20)]
    expect_error(s, b"bogus", "garbage with 1 fd", mine[:1])
    expect_error(s, b"bogus", "garbage with 8 fds", mine[:8])
    expect_error(s, b"bogus", "garbage with 20 fds", mine)
    expect_error(s, b"hello", "bad hello with fds", mine[:3])
    expect_error(s, b"attach consumes=pkt", "attach before hello with fds", mine[:3])
    reply, n = ask(s, b"hello name=abuser-fds", mine[:5])
    check(reply == b"ok" and n == 1, "hello with fds: %r, %d" % (reply, n))
    expect_error(s, b"attach consumes=nothing", "bad attach with fds", mine)
    send(s, b"status", mine[:4])
    while recv(s)[0] != END:
        pass
    # An empty message with descriptors.
    expect_error(s, b"", "empty message with fds", mine[:2])
    for fd in mine:
        os.close(fd)
    s.close()

elif what == "flood":
    # More connections than the daemon takes: the extra ones are told so
    # and closed; the others work.
    socks = [connect() for _ in range(320)]
    # The daemon has served the flood once the refusals it owes (320 less
    # its cap of 256) are waiting to be read; at most 10 s.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if len(select.select(socks, [], [], 0.1)[0]) >= 320 - 256:
            break
    refused = working = 0
    for s in socks:
        if not select.select([s], [], [], 0)[0]:
            expect_error(s, b"ping", "a connection under the cap")
            working += 1
        else:
            msg = s.recv(1024)
            check(msg.startswith(b"error ") and b"too many" in msg,
                  "refusal message: %r" % msg[:80])
            check(s.recv(1024) == b"", "a refused connection stays open")
            refused += 1
    print("flood: %d working, %d refused" % (working, refused))
    check(working + refused == 320, "connections lost track of")
    check(refused >= 320 - 256, "only %d refused of 320" % refused)
    check(working >= 200, "only %d connections worked" % working)
    for s in socks:
        s.close()
    # Once it has seen the hang-ups, a new connection gets its status: try
    # for at most 10 s (a refusal meanwhile is a reply too).
    deadline = time.monotonic() + 10
    while True:
        s = connect()
        send(s, b"status")
        first, _ = recv(s)
        if not first.startswith(b"error too many") or time.monotonic() > deadline:
            break
        s.close()
        time.sleep(0.1)
    check(first.startswith(b"{"), "no status after the flood: %r" % first[:80])

elif what == "halfclose":
    # A request, then shutdown(SHUT_WR): the reply still comes whole.
    s = connect()
    send(s, b"status")
    s.shutdown(socket.SHUT_WR)
    text = b""
    while True:
        msg, _ = recv(s)
        if msg in (END, b""):
            break
        text += msg
    check(msg == END and text.startswith(b"{"), "half-closed client got %r" % text[:40])
    check(s.recv(10) == b"", "the daemon keeps a half-closed connection open")
    # Half-closed before saying anything.
    t = connect()
    t.shutdown(socket.SHUT_WR)
    check(t.recv(10) == b"", "a silent half-closed connection is kept")
    s.close()
    t.close()

elif what == "hold":
    # Connect and never send; hold until stdin closes.
    s = connect()
    print("holding", flush=True)
    sys.stdin.read()
    s.close()

elif what == "hostile":
    # A service that writes garbage into its counters segment, stays while
    # the replay runs (stdin open), then attaches (the replay is over, so
    # it holds nothing back), scribbles over its cursors and attaches again.
    s = connect()
    send(s, b"hello name=" + sys.argv[2].encode())
    reply, fds = recv_fds(s)
    check(reply == b"ok" and len(fds) == 1, "hello: %r, %d fds" % (reply, len(fds)))
    stats = mmap.mmap(fds[0], 16384)
    for size in (0, 1 << 20):
        try:
            os.ftruncate(fds[0], size)
            check(False, "the counters segment could be resized to %d" % size)
        except PermissionError:
            pass
    os.close(fds[0])
    stats[0:4] = struct.pack("<I", 0xFFFFFFFF)
    for k in range(255):
        off = 64 + 64 * k
        stats[off:off + 56] = (b"c%03d\"\\\n\x01\xff\x1b[2J" % k + bytes(range(200, 256)))[:56]
        stats[off + 56:off + 64] = struct.pack("<Q", 2**64 - 1 - k)
    stats[64 + 64 * 255:] = b"\xff" * (16384 - 64 - 64 * 255)
    print("holding", flush=True)
    sys.stdin.read()
    send(s, b"attach consumes=pkt,flow")
    reply, fds = recv_fds(s)
    check(reply.startswith(b"ok ") and len(fds) == 4, "attach: %r, %d fds" % (reply, len(fds)))
    cursors = [mmap.mmap(fd, 4096) for fd in fds[1::2]]
    for fd in fds:
        os.close(fd)
    for i, cur in enumerate(cursors):
        # pos, lost, delivered, start; then sleeping, progress,
        # producer_waiting, pad, producer_want.
        cur[0:32] = struct.pack("<4Q", [2**64 - 1, 0][i], 2**64 - 2, 2**64 - 1, 2**63)
        cur[64:88] = struct.pack("<4IQ", 0xFFFFFFFF, 0xDEADBEEF, 1, 7, 2**64 - 1)
        cur[128:] = os.urandom(4096 - 128)
    st = status_json(s)
    me = [x for x in st["services"] if x["name"] == sys.argv[2]]
    check(len(me) == 1, "the hostile service is not in status: %r" % st)
    if me:
        check(me[0]["delivered"] == 2**64 - 1 and me[0]["backlog"] == 0, "pkt cursor: %r" % me[0])
        check(me[0]["flow_lost"] == 2**64 - 2, "flow cursor: %r" % me[0])
        check(len(me[0]["counters"]) == 255, "%d counters" % len(me[0]["counters"]))
    expect_error(s, b"attach consumes=pkt", "attach twice")
    expect_error(s, b"attach consumes=flow", "attach a third time")
    check(status_json(s)["control"]["connections"] >= 1, "no status after the scribbling")
    s.close()

sys.exit(1 if failures else 0)
EOF
abuse() { python3 "$T/abuse.py" "$@" || fail "abuse $*"; }

# A client that connects and never sends stays connected through it all.
mkfifo "$T/silent.in"
python3 "$T/abuse.py" hold < "$T/silent.in" > "$T/silent.out" & silent=$!; PIDS+=($silent)
exec 3> "$T/silent.in"
for _ in $(seq 50); do grep -q holding "$T/silent.out" && break; sleep 0.1; done

abuse garbage
echo "ok: garbage, empty and 64 KiB messages answered with errors"
abuse hello
echo "ok: bad hellos, hello twice, attach before hello and for unknown kinds refused"
abuse fds
fds_back_to $((base + 1)) "descriptors sent with requests"
echo "ok: descriptors sent with requests are closed"
abuse flood
echo "ok: connections over the cap refused with a message, later ones served"
abuse halfclose
echo "ok: half-closed clients"
exec 3>&-
wait $silent || fail "the silent client"
fds_back_to $base "after the abuse"
echo "ok: descriptor count back to $base"

st=$("$B/snapvnf" status --json) || fail "no status after the abuse"
echo "$st" | python3 -c '
import json, sys
c = json.load(sys.stdin)["control"]
print("control:", c)
assert c["bad_requests"] >= 50, c
assert c["refused"] >= 320 - 256, c
assert c["name_taken"] >= 1, c
assert c["connections"] == 1, c   # this status request
' || fail "control counters in status --json: $st"
echo "ok: status counts the bad requests and refusals"

# The log: one line per message, nothing of the attacker's bytes that is
# not printable, and a flood summarised rather than logged line by line.
python3 - "$T/daemon.log" <<'EOF' || fail "daemon log: $(head -c 2000 "$T/daemon.log")"
import re, sys
data = open(sys.argv[1], "rb").read()
lines = data.split(b"\n")
assert lines[-1] == b"", "log does not end with a newline"
bad = [l for l in lines[:-1] if not re.fullmatch(rb"snapvnfd: (error|warning|info|debug): [\x20-\x7e]*", l)]
assert not bad, "malformed log lines: %r" % bad[:5]
warn = [l for l in lines if b": warning: " in l]
assert len(warn) <= 12, "%d warnings for the flood: %r" % (len(warn), warn[:20])
EOF
echo "ok: log lines are single printable lines, floods rate-limited ($(grep -c warning "$T/daemon.log") warnings)"

# After all that: a service that stays through the replay, then a real
# tap gets every packet.
mkfifo "$T/late.in"
python3 "$T/abuse.py" hostile abuser-late < "$T/late.in" > "$T/late.out" & late=$!; PIDS+=($late)
exec 4> "$T/late.in"
for _ in $(seq 50); do grep -q holding "$T/late.out" && break; sleep 0.1; done
grep -q holding "$T/late.out" || fail "hostile service: $(cat "$T/late.out")"
"$B/snapvnf" status --json | python3 -c '
import json, re, sys
s = [x for x in json.load(sys.stdin)["services"] if x["name"] == "abuser-late"][0]
assert len(s["counters"]) == 255, s
assert all(re.fullmatch(r"[!#-\[\]-~]{1,55}", k) for k in s["counters"]), s["counters"]
' || fail "status with a service writing garbage in its counters"
"$B/snapvnf" metrics > "$T/metrics" || fail "no metrics"
grep -q 'snapvnf_vnf_count_total{service="abuser-late",vnf="",name="c254' "$T/metrics" ||
	fail "metrics: $(grep abuser-late "$T/metrics" | head -3)"
echo "ok: garbage counters shown sanitised, the segment cannot be resized"
"$B/snapvnf" tap --name real --count > "$T/real.json" & tap=$!; PIDS+=($tap)
wait_exit $tap 60 || fail "tap exit code $?"
want=$(tshark -r $cap 2>/dev/null | wc -l)
got=$(sed -n 's/.*"packets":\([0-9]*\).*/\1/p' "$T/real.json")
[ "$got" = "$want" ] || fail "tap got $got packets, tshark counts $want: $(cat "$T/real.json")"
grep -q '"lost":0' "$T/real.json" || fail "tap lost packets: $(cat "$T/real.json")"
echo "ok: a real tap got all $want packets after the abuse"
exec 4>&-
wait $late || fail "hostile service: $(cat "$T/late.out")"
echo "ok: garbage cursors shown as numbers, attach twice refused"
wait_exit $dpid 10 || fail "daemon exit code $?"
grep -q "Sanitizer\|runtime error" "$T/daemon.log" && fail "sanitizer: $(cat "$T/daemon.log")"
echo "ok: the daemon ended cleanly"
