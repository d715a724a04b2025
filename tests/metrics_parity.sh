#!/bin/bash
# One counter table, two renderings: every number in `snapvnf status
# --json` is a sample of `snapvnf metrics` and every sample a number of the
# status, by the naming rule of src/daemon/metrics.h, with the same value;
# counters (and only they) end in _total with TYPE counter; and promtool,
# Prometheus's own checker, accepts the text. The daemon runs every kind of
# section: a capture replay, an sFlow replay (collector and an agent), an
# nfdump directory, services on both rings, VNF counters and a VNF gauge,
# the actions door and the --metrics endpoint.
set -u
. "$(dirname "$0")/lib.bash"

command -v promtool >/dev/null || fail "promtool missing (scripts/deps.sh test installs prometheus)"
cap=data/demo.pcap
sfl=tests/data/sflow-flow.pcap
want_snaps=$(capinfos -M -c $cap | sed -n 's/^Number of packets: *//p')
mkdir "$T/nfdump"

"$B/snapvnfd" -q -r $cap --sflow-pcap $sfl --nfdump-dir "$T/nfdump" --lossless --wait-for 3 \
	--metrics 0 2>"$T/daemon.log" & dpid=$!; PIDS+=($dpid)
wait_ctl
"$B/snapvnf" tap --name snaps --count >/dev/null & PIDS+=($!)
"$B/snapvnf" run --name l7 http_request dns tls_sni >/dev/null & PIDS+=($!)
"$B/snapvnf" run --name flows ddos=pps=1 flow_dump >/dev/null & PIDS+=($!)

# Still: every snap published and read, every sFlow datagram in.
for i in $(seq 300); do
	"$B/snapvnf" status --json > "$T/status.json" 2>/dev/null &&
	jq -e --argjson n "$want_snaps" '.capture.received == $n and .collector.datagrams > 0 and
		([.services[] | (.backlog // 0) + (.flow_backlog // 0)] | add) == 0 and
		(.services | length) == 3' "$T/status.json" >/dev/null && break
	[ "$i" -eq 300 ] && fail "the replays did not settle: $(jq -c '[.capture.received, .collector.datagrams, [.services[] | [.name, .backlog, .flow_backlog]]]' "$T/status.json")"
	sleep 0.1
done
"$B/snapvnf" status --json > "$T/status.json" || fail "status"
"$B/snapvnf" metrics > "$T/metrics.txt" || fail "metrics"

python3 - "$T/status.json" "$T/metrics.txt" <<'PY' || fail "the two renderings differ (above)"
import json, sys
sys.path.insert(0, "tests")
from metrics_rule import parse_text, compare

status = json.load(open(sys.argv[1]))
samples, types = parse_text(open(sys.argv[2]).read())

def close(where, s, m):
    # Two queries apart: the uptime moved on, and the metrics query was
    # one more connection accepted.
    if where == "daemon.uptime_seconds":
        return s <= m <= s + 30
    if where == "control.accepted":
        return m == s + 1
    return None

bad = compare(status, samples, types, close)
for b in bad:
    print("FAIL:", b)
if not bad:
    print("ok: %d samples in %d families, each a number of status with its value (%s)" %
          (len(samples), len(types), " ".join(sorted({n.split("_")[1] for n, _ in samples}))))
sys.exit(1 if bad else 0)
PY

# The sections asked of it are all there, with what the sources say.
jq -e --argjson n "$want_snaps" '.capture.received == $n and (.nfdump | has("files")) and
	(.collector.agents | length) == 1 and (.services[] | select(.name == "flows") | .gauges."ddos.tracked") >= 1' \
	"$T/status.json" >/dev/null || fail "sections missing: $(jq -c '{capture, nfdump, agents: .collector.agents}' "$T/status.json")"

# Prometheus's checker: HELP and TYPE for every family, counters _total.
# It objects to one name only, sFlow's own term "counter sample" (a
# name must not hint at a type).
promtool check metrics < "$T/metrics.txt" > "$T/promtool.txt" 2>&1
grep -v "counter_samples_total metric name should not include type 'counter'" "$T/promtool.txt" |
	grep . && fail "promtool check metrics: $(cat "$T/promtool.txt")"
echo "ok: promtool check metrics finds nothing but sFlow's 'counter samples'"
