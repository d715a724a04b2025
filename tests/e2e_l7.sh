#!/bin/bash
# The L7 VNFs on real traffic: the daemon replays the bundled capture to
# `snapvnf run http_request dns tls_sni`, once with 1024-byte snaps and
# once with the default 150, and every event is checked against sources
# that do not come from snapvnf:
#
#  (a) tshark, one packet at a time (no TCP reassembly, as the decoders
#      see them): with 1024-byte snaps the (method, host, uri) multiset of
#      HTTP requests, the (qname, qtype, response, id) multiset of DNS
#      messages and the SNIs of ClientHellos equal tshark's;
#  (b) the clients' own record (demo-clients.log): every curl request's
#      host, URI and User-Agent, every HTTPS and openssl SNI and every dig
#      query (name, type, transport, server, answer code) is among the
#      events of the 1024-byte run;
#  (c) per frame (matched by time and ports), for both snap lengths:
#      every value equals tshark's for that frame when tshark places its
#      last byte (and the byte that ends it) inside the snap, is null
#      when it does not, `truncated` says whether the snap ended inside
#      the message, and no event lacks a frame or a frame an event.
#
# tshark's values are its fields (http.request.method, http.host,
# http.request.uri, dns.id, dns.qry.name, ..., the same as `-T fields -e`
# prints), read from its PDML because that also gives each field's position
# and size, so which values a snap cuts off is computed, not copied from a
# previous run, and keeps apart several DNS messages in one TCP segment.
#   e2e_l7.sh [CAPTURE [CLIENTS_LOG]]
set -u
. "$(dirname "$0")/lib.bash"

cap=${1:-data/demo.pcap}
clients=${2:-data/demo-clients.log}
[ -f "$cap" ] || fail "missing $cap"
[ -f "$clients" ] || fail "missing $clients"
command -v tshark >/dev/null || fail "tshark is missing (scripts/deps.sh installs it)"
command -v python3 >/dev/null || fail "python3 is missing (scripts/deps.sh installs it)"

# run_l7 OUT [daemon options]: replay $cap to one l7 service, events to OUT.
run_l7() {
	local out=$1 dpid rpid
	shift
	"$B/snapvnfd" -q -r "$cap" --wait-for 1 "$@" & dpid=$!; PIDS+=($dpid)
	wait_ctl
	"$B/snapvnf" run --name l7 http_request dns tls_sni > "$out" & rpid=$!; PIDS+=($rpid)
	wait_exit $dpid 60 || fail "snapvnfd $* exited with $?"
	wait_exit $rpid 30 || fail "snapvnf run ($*) exited with $?"
}
run_l7 "$T/ev1024.json" -s 1024
run_l7 "$T/ev150.json"   # the default snap length, 150

tshark -n -r "$cap" -o tcp.desegment_tcp_streams:FALSE -o ip.defragment:FALSE \
	-o ipv6.defragment:FALSE -Y 'http.request or dns or tls.handshake.type == 1' \
	-T pdml > "$T/frames.pdml" 2>"$T/tshark.err" || fail "tshark: $(cat "$T/tshark.err")"

python3 - "$T" "$clients" <<'EOF'
import collections, decimal, json, sys, urllib.parse
import xml.etree.ElementTree as ET

tmp, clients_log = sys.argv[1], sys.argv[2]
failures = []
compared = collections.Counter()   # values compared, per snap length
cut_off = collections.Counter()    # ... of which tshark's lie beyond the snap
excluded = collections.Counter()   # tshark findings deliberately left out, by reason
INF = float("inf")


def us(ts):
    """A timestamp in whole microseconds, from text or Decimal."""
    return int((decimal.Decimal(ts) * 1000000).to_integral_value())


def end(f):
    return int(f.get("pos")) + int(f.get("size"))


def first(node, name):
    for f in node.iter("field"):
        if f.get("name") == name:
            return f
    return None


# ---- tshark's view: one item per HTTP request, DNS message, ClientHello.
# Each value is (value, end): end is how many bytes of the frame a snap
# must hold for the decoder to be able to report the value, i.e. up to the
# byte that ends it (SP after method and URI, LF after a header line).
class Item:
    def __init__(self, kind, frame, ts, sport, dport, src, dst, proto):
        self.kind, self.frame, self.ts = kind, frame, ts
        self.sport, self.dport, self.src, self.dst, self.proto = sport, dport, src, dst, proto
        self.vals = {}
        self.need = 0         # an event at all needs this many bytes
        self.trunc_end = 0    # the message (what `truncated` is about) ends here

    def where(self):
        return "frame %d (ts %d.%06d, port %d > %d)" % (
            self.frame, self.ts // 1000000, self.ts % 1000000, self.sport, self.dport)


def dns_item(item, dns):
    ident = first(dns, "dns.id")
    hdr_end = int(ident.get("pos")) + 12
    resp = first(dns, "dns.flags.response").get("show") == "1"
    item.need = hdr_end
    item.vals["id"] = (int(ident.get("show"), 16), hdr_end)
    item.vals["response"] = (resp, hdr_end)
    if resp:
        item.vals["rcode"] = (int(first(dns, "dns.flags.rcode").get("show")), hdr_end)
    name, qtype, qclass = (first(dns, n) for n in ("dns.qry.name", "dns.qry.type", "dns.qry.class"))
    item.vals["qname"] = (name.get("show"), end(name)) if name is not None else (None, 0)
    # the decoder gives the type once type and class are both there
    item.vals["qtype"] = (int(qtype.get("show")), end(qclass)) if qtype is not None else (None, 0)
    item.trunc_end = end(qclass) if qclass is not None else hdr_end


def http_item(item, http):
    meth, uri = first(http, "http.request.method"), first(http, "http.request.uri")
    item.need = end(meth) + 1
    item.vals["method"] = (meth.get("show"), end(meth) + 1)
    item.vals["uri"] = (uri.get("show"), end(uri) + 1)
    version = first(http, "http.request.version")
    if version is not None and version.get("show") == "":
        # HTTP/0.9 "GET /x" CRLF: the line end ends the URI and the request
        line = next(f for f in http.findall("field") if first(f, "http.request.method") is not None)
        item.vals["uri"] = (uri.get("show"), end(line))
        item.vals["host"] = item.vals["user_agent"] = (None, 0)
        item.trunc_end = end(line)
        return
    # tshark's http.host / http.user_agent span the whole header line, LF included
    for key, name in (("host", "http.host"), ("user_agent", "http.user_agent")):
        f = first(http, name)
        item.vals[key] = (f.get("show"), end(f)) if f is not None else (None, 0)
    # the empty line that ends the head is an unnamed field "\r\n" of its own
    item.trunc_end = INF
    for f in http.findall("field"):
        if f.get("name") == "" and f.get("value") in ("0d0a", "0a"):
            item.trunc_end = end(f)


def tls_item(item, hs):
    item.need = int(hs.get("pos")) + 1
    item.trunc_end = end(hs)
    for key, name in (("sni", "tls.handshake.extensions_server_name"),
                      ("alpn", "tls.handshake.extensions_alpn_str")):
        f = first(hs, name)
        item.vals[key] = (f.get("show"), end(f)) if f is not None else (None, 0)


truth = []
for _, pkt in ET.iterparse(tmp + "/frames.pdml"):
    if pkt.tag != "packet":
        continue
    frame = int(first(pkt, "frame.number").get("show"))
    ts = us(first(pkt, "frame.time_epoch").get("show"))
    protos = pkt.findall("proto")
    names = [p.get("name") for p in protos]
    if "icmp" in names or "icmpv6" in names:
        # DNS quoted in an ICMP error: not a DNS message on the wire
        excluded["DNS inside ICMP errors"] += 1
        pkt.clear()
        continue
    l4 = next(p for p in protos if p.get("name") in ("tcp", "udp"))
    proto = l4.get("name")
    sport = int(first(l4, proto + ".srcport").get("show"))
    dport = int(first(l4, proto + ".dstport").get("show"))
    ipsrc = first(pkt, "ip.src") if "ip" in names else first(pkt, "ipv6.src")
    ipdst = first(pkt, "ip.dst") if "ip" in names else first(pkt, "ipv6.dst")
    new = lambda kind: Item(kind, frame, ts, sport, dport, ipsrc.get("show"),
                            ipdst.get("show"), 6 if proto == "tcp" else 17)

    dnss = [p for p in protos if p.get("name") == "dns"]
    if dnss:
        item = new("dns")
        dns_item(item, dnss[0])
        truth.append(item)
        # Like with like: the decoder reads the message at the start of a
        # segment only (vnfs/dns.c); tshark also dissects the ones after it.
        excluded["DNS messages after the first in a TCP segment"] += len(dnss) - 1
    for http in (p for p in protos if p.get("name") == "http"):
        if first(http, "http.request.method") is not None:
            item = new("http_request")
            http_item(item, http)
            truth.append(item)
            break
    for tls in (p for p in protos if p.get("name") == "tls"):
        hellos = [f for f in tls.iter("field") if f.get("name") == "tls.handshake"
                  and first(f, "tls.handshake.type") is not None
                  and first(f, "tls.handshake.type").get("show") == "1"]
        if hellos:
            item = new("tls_client_hello")
            tls_item(item, hellos[0])
            truth.append(item)
            break
    pkt.clear()


def events(path):
    out = []
    with open(path) as f:
        for line in f:
            ev = json.loads(line, parse_float=decimal.Decimal)
            ev["_us"] = us(ev["ts"])
            out.append(ev)
    return out


def key(kind, ts, sport, dport):
    return (kind, ts, sport, dport)


def show(v):
    return "null" if v is None else json.dumps(v)


# ---- (c) per frame, for one snap length
def check_frames(snap, evs):
    want = collections.defaultdict(list)
    for item in truth:
        if item.need <= snap:
            want[key(item.kind, item.ts, item.sport, item.dport)].append(item)
    for ev in evs:
        k = key(ev.get("event"), ev["_us"], ev.get("sport"), ev.get("dport"))
        if not want.get(k):
            failures.append("snap %d: event without a matching tshark frame (invented): %s"
                            % (snap, json.dumps(ev, default=str)))
            continue
        item = want[k].pop(0)
        at = "snap %d: %s %s" % (snap, item.where(), item.kind)
        if ev.get("service") != "l7":
            failures.append("%s: service %s, not \"l7\"" % (at, show(ev.get("service"))))
        for field, exp in (("src", item.src), ("dst", item.dst), ("proto", item.proto)):
            compared[snap] += 1
            if ev.get(field) != exp:
                failures.append("%s: %s is %s, tshark says %s" % (at, field, show(ev.get(field)), show(exp)))
        for field, (value, need) in item.vals.items():
            exp = value if need <= snap else None
            compared[snap] += 1
            if value is not None and need > snap:
                cut_off[snap] += 1
            if ev.get(field) != exp:
                why = (" (tshark's value)" if need <= snap else
                       " (tshark's %s ends at byte %d, beyond the snap)" % (show(value), need))
                failures.append("%s: %s is %s, expected %s%s"
                                % (at, field, show(ev.get(field)), show(exp), why))
        if item.kind == "dns" and not ev.get("response") and "rcode" in ev:
            failures.append("%s: a query with an rcode" % at)
        exp = item.trunc_end > snap
        compared[snap] += 1
        if ev.get("truncated") is not exp:
            failures.append("%s: truncated is %s, expected %s (the message ends at byte %s)"
                            % (at, show(ev.get("truncated")), show(exp), item.trunc_end))
    for items in want.values():
        for item in items:
            failures.append("snap %d: no %s event for tshark's %s (%s)" % (
                snap, item.kind, item.where(),
                ", ".join("%s=%s" % (k, show(v)) for k, (v, _) in item.vals.items())))


ev1024 = events(tmp + "/ev1024.json")
ev150 = events(tmp + "/ev150.json")
check_frames(1024, ev1024)
check_frames(150, ev150)


# ---- (a) multisets, 1024-byte snaps, against tshark's fields
def multiset_check(what, mine, theirs):
    mine, theirs = collections.Counter(mine), collections.Counter(theirs)
    for v in sorted(theirs - mine, key=str):
        failures.append("%s: tshark has %s, the events do not (x%d)" % (what, v, (theirs - mine)[v]))
    for v in sorted(mine - theirs, key=str):
        failures.append("%s: the events have %s, tshark does not (x%d)" % (what, v, (mine - theirs)[v]))
    print("%-44s %d in tshark, %d in events" % (what + ":", sum(theirs.values()), sum(mine.values())))


def tv(item, k):
    return item.vals[k][0]


multiset_check("HTTP (method, host, uri)",
               [(e["method"], e["host"], e["uri"]) for e in ev1024 if e["event"] == "http_request"],
               [(tv(i, "method"), tv(i, "host"), tv(i, "uri")) for i in truth if i.kind == "http_request"])
multiset_check("DNS (qname, qtype, response, id)",
               [(e["qname"], e["qtype"], e["response"], e["id"]) for e in ev1024 if e["event"] == "dns"],
               [(tv(i, "qname"), tv(i, "qtype"), tv(i, "response"), tv(i, "id"))
                for i in truth if i.kind == "dns"])
# every reported SNI is one of tshark's, and every one of tshark's whose
# ClientHello fits in 1024 bytes is reported
multiset_check("TLS SNI (ClientHellos within 1024 bytes)",
               [e["sni"] for e in ev1024 if e["event"] == "tls_client_hello" and e["sni"] is not None],
               [tv(i, "sni") for i in truth if i.kind == "tls_client_hello"
                and tv(i, "sni") is not None and i.vals["sni"][1] <= 1024])

# ---- (b) the clients' own record, against the 1024-byte events
QTYPE = {"A": 1, "NS": 2, "CNAME": 5, "SOA": 6, "PTR": 12, "MX": 15, "TXT": 16, "AAAA": 28, "SRV": 33}
RCODE = {"NOERROR": 0, "FORMERR": 1, "SERVFAIL": 2, "NXDOMAIN": 3, "NOTIMP": 4, "REFUSED": 5}
used = set()
pool = collections.Counter()
for e in ev1024:
    if e["event"] == "dns":
        pool[(e["response"], e["qname"], e["qtype"], e["proto"],
              e["src"] if e["response"] else e["dst"], e.get("rcode"))] += 1
n_client = collections.Counter()
tls_seen = collections.Counter((e["sni"], e["dst"]) for e in ev1024 if e["event"] == "tls_client_hello")
with open(clients_log) as f:
    for line in f:
        if line.startswith("#") or not line.strip():
            continue
        tool, *fields = line.rstrip("\n").split("\t")
        d = dict(x.split("=", 1) for x in fields)
        if tool == "CURL":
            u = urllib.parse.urlsplit(d["url"])
            port = int(d["local_port"])
            if u.scheme == "http":
                host = d.get("host_header", u.hostname)
                uri = (u.path or "/") + ("?" + u.query if u.query else "")
                got = [e for e in ev1024 if e["event"] == "http_request" and e["sport"] == port
                       and e["dst"] == d["remote_ip"] and e["dport"] == int(d["remote_port"])]
                n_client["curl http"] += 1
                if len(got) != 1:
                    failures.append("client log: curl %s from port %d: %d http_request events, expected 1"
                                    % (d["url"], port, len(got)))
                    continue
                for field, exp in (("method", d["method"]), ("host", host), ("uri", uri),
                                   ("user_agent", d["ua"])):
                    if got[0][field] != exp:
                        failures.append("client log: curl %s: %s is %s, curl sent %s"
                                        % (d["url"], field, show(got[0][field]), show(exp)))
            else:  # https: the URI is encrypted, the host is the SNI
                got = [e for e in ev1024 if e["event"] == "tls_client_hello" and e["sport"] == port]
                n_client["curl https"] += 1
                if [e["sni"] for e in got] != [u.hostname]:
                    failures.append("client log: curl %s from port %d: SNIs %s, expected [%s]"
                                    % (d["url"], port, [e["sni"] for e in got], u.hostname))
                else:
                    tls_seen[(u.hostname, d["remote_ip"])] -= 1
        elif tool == "TLS":
            dst = d["connect"].rsplit(":", 1)[0].strip("[]")
            n_client["openssl"] += 1
            if tls_seen[(d["sni"], dst)] <= 0:
                failures.append("client log: openssl s_client -servername %s to %s: no ClientHello with that SNI"
                                % (d["sni"], dst))
            tls_seen[(d["sni"], dst)] -= 1
        elif tool == "DIG":
            proto = 6 if d["transport"] == "tcp" else 17
            qtype = QTYPE[d["qtype"]]
            n_client["dig"] += 1
            for q in ((False, d["qname"], qtype, proto, d["server"], None),
                      (True, d["qname"], qtype, proto, d["server"], RCODE[d["status"]])):
                if pool[q] <= 0:
                    failures.append("client log: dig %s %s over %s to %s: no DNS %s event%s"
                                    % (d["qname"], d["qtype"], d["transport"], d["server"],
                                       "response" if q[0] else "query",
                                       " with " + d["status"] if q[0] else ""))
                pool[q] -= 1
print("client log: %d curl over HTTP, %d over HTTPS, %d openssl s_client, %d dig: %s"
      % (n_client["curl http"], n_client["curl https"], n_client["openssl"], n_client["dig"],
         "see FAIL below" if any(x.startswith("client log") for x in failures)
         else "all among the events"))

# Nothing to compare is no pass: tshark finds each kind in the capture, the
# client log has each kind of client, and each run wrote events.
for kind in ("http_request", "dns", "tls_client_hello"):
    if not any(i.kind == kind for i in truth):
        failures.append("tshark found no %s in the capture" % kind)
for what in ("curl http", "curl https", "openssl", "dig"):
    if not n_client[what]:
        failures.append("client log: no %s line" % what)
if not ev1024 or not ev150:
    failures.append("no events: %d at 1024 bytes, %d at 150" % (len(ev1024), len(ev150)))

# ---- figures
for reason, n in excluded.items():
    if n:
        print("left out: %d %s" % (n, reason))
for snap in (1024, 150):
    print("values compared per frame, %4d-byte snaps: %d (%d of tshark's beyond the snap, so null)"
          % (snap, compared[snap], cut_off[snap]))


def present(evs, kind, field):
    return sum(1 for e in evs if e["event"] == kind and e.get(field) is not None)


print("what 150-byte snaps lose against 1024:")
for kind, field in (("tls_client_hello", "sni"), ("http_request", "host"), ("http_request", "uri"),
                    ("http_request", "user_agent"), ("dns", "qname")):
    a, b = present(ev1024, kind, field), present(ev150, kind, field)
    print("  %-28s %3d of %3d lost (%d kept)" % (kind + " " + field, a - b, a, b))

if failures:
    for f in failures[:40]:
        print("FAIL:", f)
    if len(failures) > 40:
        print("... and %d more" % (len(failures) - 40))
    sys.exit(1)
print("every L7 event agrees with tshark and with the clients' record")
EOF
