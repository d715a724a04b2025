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
. "$(dirname "$0")/metrics.bash"

command -v promtool >/dev/null || fail "promtool missing (scripts/deps.sh test installs prometheus)"
metrics_daemon
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
