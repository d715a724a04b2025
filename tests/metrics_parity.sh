#!/bin/bash
# One counter table, two renderings: every number in `snapvnf status
# --json` is a sample of `snapvnf metrics` and every sample a number of the
# status, by the naming rule of src/daemon/metrics.h, with the same value;
# counters (and only they) end in _total with TYPE counter; and promtool,
# Prometheus's own checker, accepts the text. The daemon runs every kind of
# section: a capture replay, an sFlow replay (collector and an agent), an
# nfdump directory, services on both rings, VNF counters and a VNF gauge.
set -u
. "$(dirname "$0")/lib.bash"

command -v promtool >/dev/null || fail "promtool missing (scripts/deps.sh test installs prometheus)"
cap=data/demo.pcap
sfl=tests/data/sflow-flow.pcap
want_snaps=$(capinfos -M -c $cap | sed -n 's/^Number of packets: *//p')
mkdir "$T/nfdump"

"$B/snapvnfd" -q -r $cap --sflow-pcap $sfl --nfdump-dir "$T/nfdump" --lossless --wait-for 3 \
	2>"$T/daemon.log" & dpid=$!; PIDS+=($dpid)
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
import json, re, sys

status = json.load(open(sys.argv[1]))
samples, types = {}, {}
for line in open(sys.argv[2]):
    line = line.rstrip("\n")
    m = re.fullmatch(r"# TYPE (\S+) (counter|gauge)", line)
    if m:
        types[m[1]] = m[2]
        continue
    if line.startswith("#") or not line:
        continue
    m = re.fullmatch(r'([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)', line)
    assert m, "not a sample line: %r" % line
    labels = frozenset(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', m[2] or ""))
    key = (m[1], labels)
    assert key not in samples, "sample twice: %r" % line
    samples[key] = float(m[3])

# The rule of metrics.h, from the JSON side: (names it may have, labels, value).
want = []
def leaf(prefix, key, v, labels):
    if isinstance(v, bool):
        v = int(v)
    if isinstance(v, str):        # a description: a label of an _info sample
        want.append((None, frozenset(labels | {(key, v)}), 1.0, prefix + "." + key))
    else:
        n = "snapvnf_%s_%s" % (prefix, key)
        want.append(((n, n + "_total"), frozenset(labels), float(v), prefix + "." + key))

for section, obj in status.items():
    if section == "services":
        for s in obj:
            lab = {("service", s["name"])}
            for k, v in s.items():
                if k == "name":
                    continue
                if k in ("counters", "gauges"):
                    fam = "snapvnf_vnf_count_total" if k == "counters" else "snapvnf_vnf_value"
                    for n, val in v.items():
                        vnf, _, name = n.partition(".") if "." in n else ("", "", n)
                        want.append(((fam,), frozenset(lab | {("vnf", vnf), ("name", name)}),
                                     float(val), "services[%s].%s.%s" % (s["name"], k, n)))
                else:
                    leaf("service", k, v, lab)
        continue
    for k, v in obj.items():
        if k == "agents":
            for a in v:
                for ak, av in a.items():
                    if ak != "agent":
                        leaf(section + "_agent", ak, av, {("agent", a["agent"])})
        else:
            leaf(section, k, v, set())

bad, seen = [], set()
for names, labels, value, where in want:
    if names is None:
        hits = [k for k in samples if k[0].endswith("_info") and k[1] == labels]
    else:
        hits = [(n, labels) for n in names if (n, labels) in samples]
    if len(hits) != 1:
        bad.append("%s: %d samples in the metrics" % (where, len(hits)))
        continue
    seen.add(hits[0])
    got = samples[hits[0]]
    name = hits[0][0]
    # Two queries apart: the uptime moved on, and the metrics query was one
    # more connection accepted.
    if where == "daemon.uptime_seconds":
        ok = value <= got <= value + 30
    elif where == "control.accepted":
        ok = got == value + 1
    else:
        ok = got == value
    if not ok:
        bad.append("%s = %r in status, %s = %r in metrics" % (where, value, name, got))
    want_type = "counter" if name.endswith("_total") else "gauge"
    if types.get(name) != want_type:
        bad.append("%s: TYPE %s, not %s" % (name, types.get(name), want_type))
for k in samples:
    if k not in seen:
        bad.append("metrics only: %s%s" % (k[0], dict(k[1])))
for b in bad:
    print("FAIL:", b)
kinds = {n.split("_")[1] for (n, _) in samples}
if not bad:
    print("ok: %d samples in %d families, each a number of status with its value (%s)" %
          (len(samples), len(types), " ".join(sorted(kinds))))
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
