#!/bin/bash
# The picture in docs/metrics.md: Debian's prometheus scraping a real
# snapvnfd (a paced replay of data/demo.pcap, sFlow over UDP from the test
# captures' agents, two services), its graph page with the panels of docs/grafana-dashboard.json
# (capture rate, delivered and lost per service, events per VNF, datagrams
# per sFlow agent), shot by headless chromium into docs/img/.
#   scripts/metrics-screenshot.sh [BUILD_DIR] [OUT.png]
# Needs the "docs" package group (scripts/deps.sh docs) and a build.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
B=${1:-build}
out=${2:-docs/img/prometheus-graph.png}
scripts/deps.sh docs
[ -x "$B/snapvnfd" ] || make -s BUILD="$B"

T=$(mktemp -d /tmp/snapvnf-shot.XXXXXX)
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
	rm -rf "$T"
}
trap cleanup EXIT
die() { echo "metrics-screenshot: $*" >&2; exit 1; }
# Wait for a condition (a shell command) at most $2 tenths of a second.
until_ok() {
	for _ in $(seq "$2"); do eval "$1" && return 0; sleep 0.1; done
	die "gave up waiting for: $1"
}
export SNAPVNF_CTL=$T/ctl.sock

# The daemon: a paced replay for the snaps, sFlow over UDP from the test
# captures' agents (sent below, once a second); the socket keeps it up
# after the replay, so Prometheus sees the rates fall back.
sport=$(python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$B/snapvnfd" -q -r data/demo.pcap --pace --sflow 127.0.0.1:$sport \
	--lossless --wait-for 2 --metrics 0 2>"$T/daemon.log" &
PIDS+=($!)
until_ok '"$B/snapvnf" status >/dev/null 2>&1' 100
listen=$("$B/snapvnf" status --json | jq -r .http.listen)

cat > "$T/prometheus.yml" <<YML
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: snapvnf
    static_configs:
      - targets: ['$listen']
YML
pport=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
prometheus --config.file="$T/prometheus.yml" --storage.tsdb.path="$T/tsdb" \
	--web.listen-address=127.0.0.1:$pport >"$T/prometheus.log" 2>&1 &
PIDS+=($!)
until_ok 'curl -sf http://127.0.0.1:$pport/-/ready >/dev/null' 300
# Scraped once before the traffic, so the graphs start at zero.
api() { curl -sf "http://127.0.0.1:$pport/api/v1/$1" "${@:2}"; }
until_ok 'api query --data-urlencode "query=up{job=\"snapvnf\"}" | jq -e ".data.result[0].value[1] == \"1\"" >/dev/null' 300
start=$(date +%s)

"$B/snapvnf" run --name l7 http_request dns tls_sni pkt_stats >/dev/null &
PIDS+=($!)
"$B/snapvnf" run --name flows top_talkers ddos=pps=1 flow_dump >/dev/null &
PIDS+=($!)
# Agents: each round, the datagrams of three test captures (seven agents).
for _ in $(seq 16); do
	python3 tests/sflow_send.py 127.0.0.1 $sport tests/data/sflow-counters.pcap \
		tests/data/sflow-flow.pcap tests/data/sflow-ipv6.pcap >/dev/null
	sleep 1
done &
PIDS+=($!)
want=$(capinfos -M -c data/demo.pcap 2>/dev/null | sed -n 's/^Number of packets: *//p')
if [ -z "$want" ]; then want=$(tcpdump -r data/demo.pcap 2>/dev/null | wc -l); fi
# The paced replay takes its 16 s; then 10 s more of scrapes.
until_ok '[ "$("$B/snapvnf" status --json | jq .capture.received)" = "$want" ]' 600
until_ok '[ $(($(date +%s) - start)) -ge 30 ]' 200

# The classic graph page, one panel per expression, the last minute.
url="http://127.0.0.1:$pport/graph?"
n=0
while IFS= read -r expr; do
	[ -n "$expr" ] || continue
	url="${url}g$n.expr=$(jq -rn --arg e "$expr" '$e | @uri')&g$n.tab=0&g$n.range_input=1m&"
	n=$((n + 1))
done <<'EXPRS'
sum by (job) (rate(snapvnf_capture_received_total[5s]))
sum by (service, what) (label_replace(rate(snapvnf_service_delivered_total[5s]), "what", "snaps delivered", "", "") or label_replace(rate(snapvnf_service_lost_total[5s]), "what", "snaps lost", "", "") or label_replace(rate(snapvnf_service_flow_delivered_total[5s]), "what", "flow records delivered", "", ""))
sum by (service, vnf) (rate(snapvnf_vnf_count_total{name="events"}[5s]))
sum by (agent) (rate(snapvnf_collector_agent_datagrams_total[5s]))
EXPRS
mkdir -p "$(dirname "$out")"
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
	--disable-background-networking --disable-component-update --disable-sync \
	--user-data-dir="$T/chromium" --hide-scrollbars --virtual-time-budget=20000 \
	--window-size=1280,3250 --screenshot="$top/$out" "$url" >"$T/chromium.log" 2>&1 ||
	die "chromium: $(tail -3 "$T/chromium.log")"
[ "$(stat -c %s "$out")" -gt 20000 ] || die "$out is too small to hold the graphs"
echo "wrote $out ($(stat -c %s "$out") bytes): prometheus $pport scraping snapvnfd at $listen, $want snaps"
