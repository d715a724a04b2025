#!/bin/bash
# The L7 VNFs on live traffic through the stand-in switch (scripts/testbed,
# Open vSwitch, select-all mirror to svtb-mirror0): two daemons capture the
# mirror side by side, one with the default 150-byte snaps and one with
# 1024, each with `snapvnf run http_request dns tls_sni`, while
# `scripts/testbed traffic` drives curl, dig, openssl s_client, iperf3 and
# hping3 between the hosts. The events must be exactly what the clients
# did, as multisets (the mirror copies each frame once):
#   - HTTP requests (client, server, method, host, uri) = the curl lines of
#     events.tsv, and (client, method, uri) = the server's access log;
#   - DNS queries (client, server, transport, qname, qtype, id) and the
#     responses (..., rcode) = the dig lines of events.tsv (id and status
#     as dig printed them), and (client, qtype, qname) = dnsmasq's log;
#   - TLS ClientHellos (client, server, SNI) = the s_client lines, and the
#     SNIs = the servers' own log of each handshake's server_name.
# HTTP and DNS from both snap lengths; SNIs from the 1024-byte snaps (an
# OpenSSL ClientHello puts server_name past byte 150: the 150-byte daemon
# must report each ClientHello with no SNI and truncated, and the test
# prints how many it lost). No service loses a packet, no capture drops one.
#   e2e_live_l7.sh [SECONDS]   (traffic time, default 4)
set -u
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/live.bash"
trap live_cleanup EXIT   # our PIDs, then `scripts/testbed down`
secs=${1:-4}

live_up --variant ovs
C150=$T/ctl150 C1024=$T/ctl1024
"$B/snapvnfd" -q -i svtb-mirror0 -s 150 --ctl "$C150" & d150=$!; PIDS+=($d150)
"$B/snapvnfd" -q -i svtb-mirror0 -s 1024 --ctl "$C1024" & d1024=$!; PIDS+=($d1024)
SNAPVNF_CTL=$C150 wait_ctl
SNAPVNF_CTL=$C1024 wait_ctl
"$B/snapvnf" --ctl "$C150" run --name l7 http_request dns tls_sni >"$T/ev150.json" & r150=$!; PIDS+=($r150)
"$B/snapvnf" --ctl "$C1024" run --name l7 http_request dns tls_sni >"$T/ev1024.json" & r1024=$!; PIDS+=($r1024)
wait_attached "$C150" l7
wait_attached "$C1024" l7

tb traffic "$secs" 2>"$T/traffic.err" || fail "testbed traffic: $(cat "$T/traffic.err")"
tail -1 "$T/traffic.err"
wait_drained "$C150"
wait_drained "$C1024"
st "$C150" >"$T/st150.json"
st "$C1024" >"$T/st1024.json"
kill -TERM $d150 $d1024
wait_exit $r150 20 || fail "snapvnf run (150) exited with $?"
wait_exit $r1024 20 || fail "snapvnf run (1024) exited with $?"
wait_exit $d150 20 || fail "snapvnfd -s 150 exited with $?"
wait_exit $d1024 20 || fail "snapvnfd -s 1024 exited with $?"

for s in 150 1024; do
	jq -e '.capture.kernel_drops == 0 and .capture.if_drops == 0 and
		all(.services[]; .lost == 0 and .delivered > 0)' "$T/st$s.json" >/dev/null ||
		fail "-s $s: loss: $(jq -c '[.capture, (.services[] | {name, delivered, lost})]' "$T/st$s.json")"
	echo "-s $s: $(jq -r '"\(.capture.received) packets captured, \(.services[0].delivered) delivered to l7"' "$T/st$s.json"), 0 lost, 0 dropped"
done

python3 - "$T" "$SVTB_LOG" <<'EOF'
import collections, json, re, sys

tmp, log = sys.argv[1], sys.argv[2]
failures = []
QTYPE = {"A": 1, "AAAA": 28}
RCODE = {"NOERROR": 0, "NXDOMAIN": 3}


def load(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def v4(a):  # the HTTP server's log writes IPv4 clients as mapped IPv6
    return a[7:] if a.startswith("::ffff:") else a


ev = {s: load("%s/ev%d.json" % (tmp, s)) for s in (150, 1024)}
http, dns_q, dns_r, tls = [], [], [], []
with open(log + "/events.tsv") as f:
    next(f)
    for line in f:
        t, kind, cli, srv, port, detail, result = line.rstrip("\n").split("\t")
        if kind == "http":
            meth, url = detail.split(" ", 1)
            m = re.match(r"http://([^/]+)(/.*)", url)
            if not result.startswith("code=200"):
                failures.append("the client failed: %s" % line.strip())
            http.append((cli, srv, meth, m.group(1), m.group(2)))
        elif kind == "dns":
            name, qtype, proto, ident = detail.split(" ")
            ident = int(ident[3:])
            status = result.split(" ")[0]
            if status not in RCODE:
                failures.append("the client failed: %s" % line.strip())
                continue
            p = 6 if proto == "tcp" else 17
            dns_q.append((cli, srv, p, name, QTYPE[qtype], ident))
            dns_r.append((srv, cli, p, name, QTYPE[qtype], ident, RCODE[status]))
        elif kind == "tls":
            if not result.startswith("ok"):
                failures.append("the client failed: %s" % line.strip())
            tls.append((cli, srv, detail.split(" ")[0][4:]))

# the servers' own logs
access, queried, hellos = [], [], []
with open(log + "/http-server.log") as f:
    for line in f:
        m = re.match(r'(\S+) - - \[[^]]*\] "(\S+) (\S+) HTTP/1\.[01]"', line)
        if m:
            access.append((v4(m.group(1)), m.group(2), m.group(3)))
with open(log + "/dnsmasq.log") as f:
    for line in f:
        m = re.search(r"query\[(\w+)\] (\S+) from (\S+)", line)
        if m:
            queried.append((m.group(3), QTYPE.get(m.group(1), m.group(1)), m.group(2)))
for fam in (4, 6):
    with open("%s/tls-server-%d.log" % (log, fam)) as f:
        hellos += re.findall(r'Hostname in TLS extension: "([^"]*)"', f.read())


def same(what, events, truth, source):
    e, t = collections.Counter(events), collections.Counter(truth)
    for v, n in sorted((t - e).items(), key=str):
        failures.append("%s: %s has %s, the events do not (x%d)" % (what, source, v, n))
    for v, n in sorted((e - t).items(), key=str):
        failures.append("%s: the events have %s, %s does not (x%d)" % (what, v, source, n))
    print("%-52s %4d events, %4d in %s%s" % (what + ":", sum(e.values()), sum(t.values()), source,
                                             "" if e == t else "  DIFFER"))


for s in (150, 1024):
    E = ev[s]
    H = [x for x in E if x["event"] == "http_request"]
    D = [x for x in E if x["event"] == "dns"]
    same("-s %d HTTP (client, server, method, host, uri)" % s,
         [(x["src"], x["dst"], x["method"], x["host"], x["uri"]) for x in H], http, "events.tsv")
    same("-s %d HTTP (client, method, uri)" % s,
         [(x["src"], x["method"], x["uri"]) for x in H], access, "http-server.log")
    same("-s %d DNS queries (client, server, proto, qname, qtype, id)" % s,
         [(x["src"], x["dst"], x["proto"], x["qname"], x["qtype"], x["id"]) for x in D if not x["response"]],
         dns_q, "events.tsv")
    same("-s %d DNS responses (..., rcode)" % s,
         [(x["src"], x["dst"], x["proto"], x["qname"], x["qtype"], x["id"], x.get("rcode"))
          for x in D if x["response"]], dns_r, "events.tsv")
    same("-s %d DNS queries (client, qtype, qname)" % s,
         [(x["src"], x["qtype"], x["qname"]) for x in D if not x["response"]], queried, "dnsmasq.log")
    # a 150-byte snap ends inside most HTTP requests (after the Host line)
    bad = [x for x in (H + D if s == 1024 else D) if x.get("truncated")]
    if bad:
        failures.append("-s %d: %d events truncated, e.g. %s" % (s, len(bad), bad[0]))

T = [x for x in ev[1024] if x["event"] == "tls_client_hello"]
same("-s 1024 TLS ClientHellos (client, server, SNI)",
     [(x["src"], x["dst"], x["sni"]) for x in T], tls, "events.tsv")
same("-s 1024 TLS SNIs", [x["sni"] for x in T], hellos, "tls-server-*.log")
T150 = [x for x in ev[150] if x["event"] == "tls_client_hello"]
same("-s 150 TLS ClientHellos (client, server)",
     [(x["src"], x["dst"]) for x in T150], [t[:2] for t in tls], "events.tsv")
kept = [x for x in T150 if x.get("sni") is not None]
untrunc = [x for x in T150 if not x.get("truncated")]
print("-s 150 loses the SNI of %d of %d ClientHellos (%d kept); %d not marked truncated"
      % (len(T150) - len(kept), len(T150), len(kept), len(untrunc)))
for x in kept:  # an SNI a short snap does report must be right
    if (x["src"], x["dst"], x["sni"]) not in collections.Counter(tls):
        failures.append("-s 150: SNI %s is not one the clients sent" % x["sni"])
if untrunc:
    failures.append("-s 150: %d ClientHellos cut by the snap not marked truncated" % len(untrunc))
if not http or not dns_q or not tls:
    failures.append("the clients did too little: %d HTTP, %d DNS, %d TLS" % (len(http), len(dns_q), len(tls)))

if failures:
    for f in failures[:40]:
        print("FAIL:", f)
    sys.exit(1)
print("every HTTP request, DNS query and response and SNI the clients made, and nothing else")
EOF
[ $? -eq 0 ] || fail "the events differ from the clients' record"
live_took
