#!/bin/bash
# Events through the whole path carry the flow's Community ID that tshark
# computes for their packet: the daemon replays data/demo.pcap (real
# HTTP, DNS and TLS) to `snapvnf run http_request dns tls_sni`, once with
# the default seed and once with SNAPVNF_COMMUNITY_ID_SEED=7, and each
# event's community_id equals tshark's "communityid" (with the same seed)
# of the frame it came from, found by capture time and 5-tuple. The run
# has SNAPVNF_TIME=iso: each "timestamp" is "ts" as Python's datetime
# writes it in ISO 8601 UTC. A replay names no capture interface, so no
# event has in_iface.
set -u
. "$(dirname "$0")/lib.bash"

cap=data/demo.pcap
command -v tshark >/dev/null || fail "tshark is missing (scripts/deps.sh installs it)"
command -v python3 >/dev/null || fail "python3 is missing (scripts/deps.sh installs it)"

for seed in 0 7; do
	"$B/snapvnfd" -q -r "$cap" --wait-for 1 & dpid=$!; PIDS+=($dpid)
	wait_ctl
	SNAPVNF_TIME=iso SNAPVNF_COMMUNITY_ID_SEED=$seed \
		"$B/snapvnf" run --name l7 http_request dns tls_sni > "$T/events.$seed" & rpid=$!
	PIDS+=($rpid)
	wait_exit $dpid 60 || fail "snapvnfd exited with $?"
	wait_exit $rpid 30 || fail "snapvnf run exited with $?"
	tshark -n -r "$cap" --enable-protocol communityid -o communityid.seed:$seed \
		-o ip.defragment:FALSE -o ipv6.defragment:FALSE -o tcp.desegment_tcp_streams:FALSE \
		-T fields -E separator=/t -e frame.time_epoch -e ip.src -e ipv6.src -e ip.dst \
		-e ipv6.dst -e tcp.srcport -e udp.srcport -e tcp.dstport -e udp.dstport \
		-e communityid > "$T/tshark.$seed" 2>"$T/tshark.err" ||
		fail "tshark: $(cat "$T/tshark.err")"
done

python3 - "$T" <<'EOF'
import collections, datetime, decimal, json, sys

tmp = sys.argv[1]
failures = []
for seed in ("0", "7"):
    frames = collections.defaultdict(set)
    for line in open(f"{tmp}/tshark.{seed}"):
        f = line.rstrip("\n").split("\t")
        t, src, src6, dst, dst6, ts, us, td, ud, cid = f
        # Microseconds, as the events write them (the capture has no more).
        usec = decimal.Decimal(t).quantize(decimal.Decimal("0.000001"), rounding=decimal.ROUND_DOWN)
        key = (str(usec), src or src6, dst or dst6, int(ts or us or 0), int(td or ud or 0))
        frames[key].add(cid)
    n = 0
    for line in open(f"{tmp}/events.{seed}"):
        ev = json.loads(line)
        n += 1
        key = ("%.6f" % decimal.Decimal(line.split('"ts":', 1)[1].split(",", 1)[0]),
               ev["src"], ev["dst"], ev["sport"], ev["dport"])
        want = frames.get(key)
        if not want:
            failures.append(f"seed {seed}: no tshark frame for {key}")
        elif ev.get("community_id") not in want or len(want) != 1:
            failures.append(f"seed {seed}: {key}: community_id {ev.get('community_id')}, tshark {want}")
        iso = datetime.datetime.fromtimestamp(int(key[0].split(".")[0]), datetime.timezone.utc)
        iso = iso.strftime("%Y-%m-%dT%H:%M:%S") + "." + key[0].split(".")[1] + "Z"
        if ev.get("timestamp") != iso:
            failures.append(f"seed {seed}: timestamp {ev.get('timestamp')}, ts says {iso}")
        if "in_iface" in ev:
            failures.append(f"seed {seed}: in_iface {ev['in_iface']} on a replay")
    if n < 100:
        failures.append(f"seed {seed}: only {n} events")
    print(f"seed {seed}: {n} events, each with tshark's community_id and its ISO timestamp")
a = [json.loads(l)["community_id"] for l in open(f"{tmp}/events.0")]
b = [json.loads(l)["community_id"] for l in open(f"{tmp}/events.7")]
if any(x == y for x, y in zip(a, b)):
    failures.append("a seed of 7 left some community_id unchanged")
for f in failures[:20]:
    print("FAIL:", f)
sys.exit(1 if failures else 0)
EOF
