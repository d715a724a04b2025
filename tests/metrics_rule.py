# The naming rule of src/daemon/metrics.h, from the JSON side, for the
# tests that hold `snapvnf status --json` against the Prometheus samples of
# `snapvnf metrics` (metrics_parity.sh) and of a real Prometheus
# (prometheus_scrape.sh). Written from the rule, not from the code.
import re


def parse_text(text):
    """Prometheus text: ({(name, frozenset(labels)): value}, {name: type})."""
    samples, types = {}, {}
    for line in text.splitlines():
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
    return samples, types


def expected(status):
    """[(names it may have or None for an _info label, labels, value, where)]."""
    want = []

    def leaf(prefix, key, v, labels, where):
        if isinstance(v, bool):
            v = int(v)
        if isinstance(v, str):  # a description: a label of an _info sample
            want.append((None, frozenset(labels | {(key, v)}), 1.0, where))
        else:
            n = "snapvnf_%s_%s" % (prefix, key)
            want.append(((n, n + "_total"), frozenset(labels), float(v), where))

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
                        leaf("service", k, v, lab, "services[%s].%s" % (s["name"], k))
            continue
        for k, v in obj.items():
            if k == "agents":
                for a in v:
                    for ak, av in a.items():
                        if ak != "agent":
                            leaf(section + "_agent", ak, av, {("agent", a["agent"])},
                                 "%s.agents[%s].%s" % (section, a["agent"], ak))
            else:
                leaf(section, k, v, set(), section + "." + k)
    return want


def compare(status, samples, types=None, close=None):
    """Every number of status a sample with its value and every sample a
    number of status; close(where, status_value, sample_value) decides for
    the figures that move between two readings. Returns the differences."""
    bad, seen = [], set()
    for names, labels, value, where in expected(status):
        if names is None:
            hits = [k for k in samples if k[0].endswith("_info") and k[1] == labels]
        else:
            hits = [(n, labels) for n in names if (n, labels) in samples]
        if len(hits) != 1:
            bad.append("%s: %d samples" % (where, len(hits)))
            continue
        seen.add(hits[0])
        name, got = hits[0][0], samples[hits[0]]
        verdict = close(where, value, got) if close else None
        ok = got == value if verdict is None else verdict
        if not ok:
            bad.append("%s = %r in status, %s = %r" % (where, value, name, got))
        want_type = "counter" if name.endswith("_total") else "gauge"
        if types is not None and types.get(name) != want_type:
            bad.append("%s: TYPE %s, not %s" % (name, types.get(name), want_type))
    for k in samples:
        if k not in seen:
            bad.append("not in status: %s%s" % (k[0], dict(k[1])))
    return bad
