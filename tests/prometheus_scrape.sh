#!/bin/bash
# Debian's prometheus scrapes snapvnfd --metrics, and what it stored
# (asked through its HTTP API with curl) equals `snapvnf status --json`:
# every number of status a series with its value, every snapvnf series a
# number of status, each family of the type the rule says (Prometheus's
# own metadata). The daemon replays a capture and sFlow to three services
# and keeps running on an nfdump directory; the values are compared once
# the replays have settled and Prometheus has scraped since. The endpoint
# is served by the daemon's loop, not a thread of libmicrohttpd's.
set -u
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/metrics.bash"

for t in prometheus curl jq python3; do
	command -v $t >/dev/null || fail "$t missing (scripts/deps.sh test installs it)"
done
metrics_daemon
settled=$(date +%s.%N)
listen=$(jq -r .http.listen "$T/status.json")
case $listen in 127.0.0.1:[0-9]*) ;; *) fail "--metrics 0 listens on '$listen', not loopback" ;; esac
[ "$(ls /proc/$dpid/task | wc -l)" -eq 1 ] || fail "snapvnfd runs $(ls /proc/$dpid/task | wc -l) threads with --metrics"

# Prometheus on a free loopback port, scraping every second.
cat > "$T/prometheus.yml" <<YML
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: snapvnf
    static_configs:
      - targets: ['$listen']
YML
for _ in $(seq 10); do
	pport=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	prometheus --config.file="$T/prometheus.yml" --storage.tsdb.path="$T/tsdb" \
		--web.listen-address=127.0.0.1:$pport >"$T/prometheus.log" 2>&1 & ppid=$!; PIDS+=($ppid)
	for _ in $(seq 100); do
		kill -0 $ppid 2>/dev/null || break
		curl -sf "http://127.0.0.1:$pport/-/ready" >/dev/null && break 2
		sleep 0.1
	done
	kill $ppid 2>/dev/null; wait $ppid 2>/dev/null
done
curl -sf "http://127.0.0.1:$pport/-/ready" >/dev/null || fail "prometheus did not start: $(tail -5 "$T/prometheus.log")"
echo "prometheus $(prometheus --version 2>&1 | sed -n '1s/prometheus, version \([^ ]*\).*/\1/p') on 127.0.0.1:$pport scraping $listen"

api() { curl -sf "http://127.0.0.1:$pport/api/v1/$1" "${@:2}"; }
# A scrape after the replays settled: its received count is the capture's.
for i in $(seq 300); do
	api query --data-urlencode 'query=timestamp(snapvnf_capture_received_total{job="snapvnf"})' > "$T/q.json" &&
	api query --data-urlencode 'query=snapvnf_capture_received_total{job="snapvnf"}' > "$T/v.json" &&
	jq -e --argjson t "$settled" '(.data.result[0].value[1] // "0") | tonumber > $t' "$T/q.json" >/dev/null &&
	jq -e --arg n "$want_snaps" '.data.result[0].value[1] == $n' "$T/v.json" >/dev/null && break
	[ "$i" -eq 300 ] && fail "no scrape after the replays in 30 s: $(cat "$T/v.json"); targets: $(api targets | jq -c '[.data.activeTargets[] | {health, lastError}]')"
	sleep 0.1
done
echo "ok: prometheus scraped $want_snaps snaps after the replays settled"

"$B/snapvnf" status --json > "$T/status.json" || fail "status"
api query --data-urlencode 'query={__name__=~"snapvnf_.+",job="snapvnf"}' > "$T/series.json" || fail "query"
api metadata > "$T/metadata.json" || fail "metadata"
python3 - "$T/status.json" "$T/series.json" "$T/metadata.json" <<'PY' || fail "prometheus and status differ (above)"
import json, sys
sys.path.insert(0, "tests")
from metrics_rule import compare

status = json.load(open(sys.argv[1]))
series = json.load(open(sys.argv[2]))["data"]["result"]
samples = {}
for s in series:
    labels = {k: v for k, v in s["metric"].items() if k not in ("__name__", "job", "instance")}
    samples[(s["metric"]["__name__"], frozenset(labels.items()))] = float(s["value"][1])
types = {n: m[0]["type"] for n, m in json.load(open(sys.argv[3]))["data"].items()
         if n.startswith("snapvnf_")}

def close(where, s, m):
    # What moves between the last scrape and this status: the uptime, the
    # control connections (this status query is one), the scrapes.
    if where == "daemon.uptime_seconds":
        return abs(s - m) <= 30
    if where in ("control.accepted", "control.connections"):
        return m <= s
    if where == "http.scrapes":
        return abs(s - m) <= 3
    if where == "http.connections":
        return 0 <= m <= 2
    return None

bad = compare(status, samples, types, close)
for b in bad:
    print("FAIL:", b)
if not bad:
    print("ok: %d series in prometheus, each a number of status with its value and type" % len(samples))
sys.exit(1 if bad else 0)
PY
gauge=$(api query --data-urlencode 'query=snapvnf_vnf_value{vnf="ddos",name="tracked"}' | jq -r '.data.result[0].value[1]')
echo "ok: the VNF gauge ddos.tracked is a gauge in prometheus ($gauge)"

# docs/grafana-dashboard.json: each panel's query is PromQL this
# Prometheus accepts, and answers with data when the series it names were
# scraped (Grafana's variables given their "All" values).
jq -r '.panels[].targets[]?.expr' docs/grafana-dashboard.json > "$T/exprs"
[ "$(wc -l < "$T/exprs")" -ge 15 ] || fail "only $(wc -l < "$T/exprs") queries in docs/grafana-dashboard.json"
n=0
while IFS= read -r e; do
	# A minute's window: rate() needs two samples in it, and a slow
	# machine may miss a 1 s scrape now and then.
	q=$(printf '%s' "$e" | sed 's/\$__rate_interval/1m/g; s/\$instance/.*/g; s/\$service/.*/g')
	api query --data-urlencode "query=$q" > "$T/d.json" || fail "prometheus refuses the dashboard's '$q'"
	scraped=1
	for m in $(grep -o 'snapvnf_[a-z_]*' <<<"$q" | sort -u); do
		grep -q "\"$m\"" "$T/series.json" && continue
		# Only live inputs have these (-i, --sflow); any other name
		# the daemon did not give is a typo.
		case $m in
		snapvnf_capture_kernel_drops_total|snapvnf_capture_if_drops_total|\
		snapvnf_collector_socket_drops_total) scraped=0 ;;
		*) fail "the dashboard asks for $m, which snapvnfd does not give" ;;
		esac
	done
	# Data may need one more scrape (a rate needs two): up to 15 s.
	for i in $(seq 150); do
		[ $scraped = 0 ] || [ "$(jq '.data.result | length' "$T/d.json")" -gt 0 ] && break
		[ "$i" -eq 150 ] && fail "the dashboard's '$q' finds nothing"
		sleep 0.1
		api query --data-urlencode "query=$q" > "$T/d.json" || fail "prometheus refuses the dashboard's '$q'"
	done
	n=$((n + 1))
done < "$T/exprs"
echo "ok: the dashboard's $n queries are valid PromQL, and find data where the daemon has it"
