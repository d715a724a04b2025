#!/bin/bash
# The journald and syslog sinks against Debian's real systemd-journald,
# which is also a syslog daemon (its /dev/log socket). Everything runs in a
# private mount namespace of this test: a tmpfs on /run (journald's sockets
# and its runtime journal) and on /var/log/journal, and /dev/log bound to
# journald's syslog socket, so nothing reaches the machine's own logs.
# The daemon replays data/demo.pcap to two services, one with --events
# journald and one with --events syslog; journalctl then reads back:
#   - each journald line's MESSAGE, in order, is byte for byte the line
#     the same service prints to standard output (the reference run), and
#     its SNAPVNF_SERVICE, SNAPVNF_VNF and SNAPVNF_EVENT fields are the
#     line's service, vnf and event;
#   - the syslog lines arrive likewise, with SYSLOG_IDENTIFIER snapvnf,
#     facility daemon (3) and priority notice (5).
set -u
. "$(dirname "$0")/lib.bash"

cap=data/demo.pcap
journald=/lib/systemd/systemd-journald
[ -x "$journald" ] || fail "no $journald (systemd, with libsystemd-dev's build group)"
command -v journalctl >/dev/null || fail "journalctl is missing"
command -v unshare >/dev/null || fail "unshare is missing (util-linux)"
[ "$(id -u)" -eq 0 ] || skip "needs root for a private mount namespace and journald"

# The reference: standard output.
"$B/snapvnfd" -q -r "$cap" --wait-for 2 & dpid=$!; PIDS+=($dpid)
wait_ctl
"$B/snapvnf" run --name j7 http_request dns tls_sni > "$T/ref.j7" & r1=$!; PIDS+=($r1)
"$B/snapvnf" run --name s7 http_request dns tls_sni > "$T/ref.s7" & r2=$!; PIDS+=($r2)
wait_exit $dpid 60 || fail "snapvnfd exited with $?"
wait_exit $r1 30 || fail "snapvnf run exited with $?"
wait_exit $r2 30 || fail "snapvnf run exited with $?"
[ "$(wc -l < "$T/ref.j7")" -ge 100 ] || fail "only $(wc -l < "$T/ref.j7") reference events"

cat > "$T/inside.sh" <<EOF
set -eu
trap 'kill \$(jobs -p) 2>/dev/null || true' EXIT
mkdir -p "$T/hostdev"
mount --bind /dev "$T/hostdev"
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /var/log/journal 2>/dev/null || true
mount -t tmpfs -o mode=755 tmpfs /dev
for n in null zero urandom random; do touch /dev/\$n; mount --bind "$T/hostdev/\$n" /dev/\$n; done
mkdir -p /run/systemd/journal /run/log
$journald & jpid=\$!
for i in \$(seq 100); do [ -S /run/systemd/journal/dev-log ] && break; sleep 0.1; done
[ -S /run/systemd/journal/dev-log ] || { echo "journald did not start"; exit 1; }
touch /dev/log
mount --bind /run/systemd/journal/dev-log /dev/log
"$B/snapvnfd" -q -r "$cap" --wait-for 2 & dpid=\$!
for i in \$(seq 100); do "$B/snapvnf" status >/dev/null 2>&1 && break; sleep 0.1; done
"$B/snapvnf" run --name j7 --events journald http_request dns tls_sni & r1=\$!
"$B/snapvnf" run --name s7 --events syslog http_request dns tls_sni & r2=\$!
wait \$dpid; wait \$r1; wait \$r2
want=\$(wc -l < "$T/ref.j7")
for i in \$(seq 100); do
	[ "\$(journalctl -q -D /run/log/journal -o cat SYSLOG_IDENTIFIER=snapvnf | wc -l)" -ge \$((2 * want)) ] && break
	sleep 0.1
done
journalctl -q -D /run/log/journal -o json SNAPVNF_SERVICE=j7 > "$T/journal.j7"
journalctl -q -D /run/log/journal -o json _TRANSPORT=syslog SYSLOG_IDENTIFIER=snapvnf > "$T/journal.s7"
kill \$jpid
wait \$jpid || true
EOF
timeout 120 unshare -m --propagation private bash "$T/inside.sh" > "$T/inside.out" 2>&1 ||
	fail "inside the namespace: $(tail -5 "$T/inside.out")"

python3 - "$T" <<'EOF'
import json, sys
tmp = sys.argv[1]
fails = []
for name, fields in (("j7", {}), ("s7", {"SYSLOG_FACILITY": "3", "PRIORITY": "5",
                                         "SYSLOG_IDENTIFIER": "snapvnf"})):
    ref = [l.rstrip("\n") for l in open(f"{tmp}/ref.{name}")]
    got = [json.loads(l) for l in open(f"{tmp}/journal.{name}")]
    if [g["MESSAGE"] for g in got] != ref:
        fails.append(f"{name}: {len(got)} journal messages, not the {len(ref)} reference lines in order")
    for g in got:
        ev = json.loads(g["MESSAGE"])
        want = dict(fields)
        if name == "j7":
            want.update(SNAPVNF_SERVICE=ev["service"], SNAPVNF_VNF=ev["vnf"],
                        SNAPVNF_EVENT=ev["event"], PRIORITY="5", SYSLOG_IDENTIFIER="snapvnf")
        for k, v in want.items():
            if g.get(k) != v:
                fails.append(f"{name}: {k}={g.get(k)!r}, want {v!r} in {g['MESSAGE'][:80]}")
                break
    print(f"{name}: {len(got)} lines in the journal, equal to the reference")
for f in fails[:10]:
    print("FAIL:", f)
sys.exit(1 if fails else 0)
EOF
