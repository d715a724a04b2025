#!/bin/bash
# examples/nolib/phishing_nolib (libpcap only, for the line count in
# README.md) must report the same alerts as examples/phishing through
# snapvnfd replaying the same capture, at the daemon's default snap
# length and at 1024 bytes (where more requests hold their Host). Both
# being one project's code, the alerts are also held against tshark: they
# must be exactly the HTTP requests tshark finds (time, addresses, ports,
# Host, URI) whose Host line ends inside the snap and whose host and URI
# fall under an entry of the blocklist, by the rules its comments give.
set -u
. "$(dirname "$0")/lib.bash"

command -v jq >/dev/null || fail "jq is missing (scripts/deps.sh installs it)"
command -v tshark >/dev/null || fail "tshark is missing (scripts/deps.sh installs it)"
command -v python3 >/dev/null || fail "python3 is missing (scripts/deps.sh installs it)"
nolib=$B/examples/nolib/phishing_nolib
[ -x "$nolib" ] || fail "no $nolib (make builds it)"
cap=data/demo.pcap bl=examples/blocklist.txt
key='[.ts, .src, .dst, .sport, .dport, .host, .uri, .entry, .client] | @tsv'

# tshark's HTTP requests, one packet at a time, with each field's place.
tshark -n -r $cap -o tcp.desegment_tcp_streams:FALSE -o ip.defragment:FALSE \
	-o ipv6.defragment:FALSE -Y http.request -T pdml >"$T/http.pdml" 2>"$T/tshark.err" ||
	fail "tshark: $(cat "$T/tshark.err")"

# tshark_alerts SNAP: the alerts expected at that snap length, as $tkey prints them.
tkey='[(.ts * 1000000 | round), .src, .dst, .sport, .dport, .host, .uri, .entry, .client] | @tsv'
tshark_alerts() {
	python3 - "$T/http.pdml" "$bl" "$1" <<'EOF'
import sys
import xml.etree.ElementTree as ET

pdml, blocklist, snap = sys.argv[1], sys.argv[2], int(sys.argv[3])
# The blocklist as its comments say: "host" is the host and every subdomain
# of it, "host/path" the URLs of that one host whose path starts with
# /path; hosts without regard to case (nor a trailing dot or a port).
entries = []
for line in open(blocklist):
    e = line.split("#", 1)[0].strip()
    if e:
        host, slash, path = e.partition("/")
        entries.append((e, host.lower().rstrip("."), slash + path if slash else None))


def match(host, uri):
    h = host.lower()
    if h.count(":") == 1:
        h = h.rsplit(":", 1)[0]
    h = h.rstrip(".")
    for e, eh, path in entries:
        if path is None and (h == eh or h.endswith("." + eh)):
            return e
        if path is not None and h == eh and uri.startswith(path):
            return e
    return None


def field(pkt, name):
    return next((f for f in pkt.iter("field") if f.get("name") == name), None)


for _, pkt in ET.iterparse(pdml):
    if pkt.tag != "packet":
        continue
    host, uri = field(pkt, "http.host"), field(pkt, "http.request.uri")
    # tshark's http.host is the whole Host line, its end included
    if host is not None and uri is not None and int(host.get("pos")) + int(host.get("size")) <= snap:
        e = match(host.get("show"), uri.get("show"))
        if e:
            v6 = field(pkt, "ipv6.src") is not None
            src = field(pkt, "ipv6.src" if v6 else "ip.src").get("show")
            dst = field(pkt, "ipv6.dst" if v6 else "ip.dst").get("show")
            sec, _, frac = field(pkt, "frame.time_epoch").get("show").partition(".")
            print("\t".join([str(int(sec) * 1000000 + int((frac + "000000")[:6])), src, dst,
                             field(pkt, "tcp.srcport").get("show"),
                             field(pkt, "tcp.dstport").get("show"),
                             host.get("show"), uri.get("show"), e, src]))
    pkt.clear()
EOF
}

for snap in 150 1024; do
	"$B/snapvnfd" -q -s $snap -r $cap --wait-for 1 & dpid=$!; PIDS+=($dpid)
	wait_ctl
	"$B/examples/phishing" $bl > "$T/lib.$snap" || fail "phishing exited with $?"
	wait_exit $dpid 60 || fail "snapvnfd exited with $?"
	"$nolib" -s $snap -r $cap $bl > "$T/nolib.$snap" 2> "$T/nolib.$snap.err" ||
		fail "phishing_nolib exited with $?: $(cat "$T/nolib.$snap.err")"
	jq -r "select(.event == \"alert\") | $key" "$T/lib.$snap" > "$T/a"
	jq -r "$key" "$T/nolib.$snap" > "$T/b"
	[ -s "$T/a" ] || fail "snaplen $snap: the library reported no alert"
	diff "$T/a" "$T/b" > "$T/diff" || fail "snaplen $snap: alerts differ: $(head -5 "$T/diff")"
	tshark_alerts $snap | sort > "$T/t"
	jq -r "select(.event == \"alert\") | $tkey" "$T/lib.$snap" | sort > "$T/a.sorted"
	[ -s "$T/t" ] || fail "snaplen $snap: tshark finds no request the blocklist names"
	diff "$T/t" "$T/a.sorted" > "$T/diff" ||
		fail "snaplen $snap: alerts (>) differ from tshark's requests under the blocklist (<): $(head -5 "$T/diff")"
	echo "snaplen $snap: the same $(wc -l < "$T/a") alerts, as tshark's requests; $(cat "$T/nolib.$snap.err")"
done
