#!/bin/bash
# A verdict reaches the stand-in switch (scripts/testbed), end to end, and
# every claim is read from a source of its own: the switch's flow and port
# counters (ovs-ofctl), captures on h2 and on the mirror (tcpdump), the
# clients' own logs (curl), nft's listing.
#  1. OVS, sFlow: h3 floods h2 with hping3 SYNs while h1 fetches HTTP from
#     h2 every 0.2 s; the service `syn_flood block`, from a service file,
#     gets h3 blocked on the bridge (a drop flow with our cookie) within
#     2 s of its request; from the rule on h2 receives nothing from h3 (the
#     capture on h2) while the flood goes on (the mirror sees it, the port
#     counts it in, the drop flow counts it, the forwarding rule of h3's
#     port forwards none of it); every h1 request succeeds; after the TTL
#     the flow is gone and h3 reaches h2 again.
#  2. The allow-list: h1 (--never-block) fetching a blocklisted host, and
#     the operator's `snapvnf block` of h1: refused, reported by the door
#     and by the block VNF, no flow.
#  3. OVS, mirrored snaps: `http_request url_filter block` blocks h3 when
#     it fetches a blocklisted host; h1 keeps working against other hosts.
#  4. Linux bridge variant, nft backend (family bridge): the same.
# At every exit no flow, table or process of ours is left. The delays from
# the block VNF's request to the door's `applied` and to the first packet
# the switch dropped (mirror capture against h2's) are printed; `make
# bench-block` measures them over many blocks.
set -u
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/live.bash"
trap live_cleanup EXIT

free_udp() { python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
export SVTB_SFLOW_PORT=$(free_udp)
export SVTB_SAMPLING=16
BR=svtb-br0
COOKIE=0x736e617000000000/0xffffffff00000000
H1=10.77.10.1 H2=10.77.10.2 H3=10.77.10.3
# Background processes in a host are started with `ip netns exec` itself,
# not through this function: $! must be the process, not a subshell.
ns() { local n=$1; shift; ip netns exec "svtb-$n" "$@"; }
# wait_for DESC SECONDS 'TEST': until it holds, evaluated anew each time.
wait_for() {
	local what=$1 secs=$2 cond=$3 i
	for i in $(seq $((secs * 10 + 1))); do
		[ "$i" -eq $((secs * 10 + 1)) ] && fail "waited $secs s for $what; door: $(tail -c 600 "$T/door.json"); daemon: $(tail -5 "$T/daemon.log"); services: $(tail -qc 400 "$T"/*.json 2>/dev/null); $(tail -qn 3 "$T/guard.log" "$T/phish.log" 2>/dev/null)"
		eval "$cond" && return 0
		sleep 0.1
	done
}
ev() { jq -sc "[.[] | select($1)]" "$T/door.json"; }
n_ev() { ev "$1" | jq length; }
ours() { ovs-ofctl dump-flows $BR cookie=$COOKIE | grep cookie= ; }
# port_rx PORT: packets OVS received on PORT; rule_n COOKIE: a rule's packets.
port_rx() { ovs-ofctl dump-ports $BR "$1" | tr -d , | sed -n 's/.*rx pkts=\([0-9]*\).*/\1/p'; }
rule_n() { ovs-ofctl dump-flows $BR "cookie=$1/-1" | sed -n 's/.*n_packets=\([0-9]*\),.*/\1/p' | head -1; }
pcap_ts() { tcpdump -r "$1" -n -tt 2>/dev/null | awk '{ print $1 }'; }

# capture NAME NS|- IFACE FILTER: tcpdump into $T/NAME.pcap until stopped;
# returns once it listens.
capture() {
	local name=$1 where=$2 ifc=$3 filter=$4
	if [ "$where" = - ]; then
		tcpdump -i "$ifc" -n -U -w "$T/$name.pcap" "$filter" 2>"$T/$name.err" &
	else
		ip netns exec "svtb-$where" tcpdump -i "$ifc" -n -U -w "$T/$name.pcap" "$filter" 2>"$T/$name.err" &
	fi
	PIDS+=($!)
	eval "CAP_$name=$!"
	wait_for "tcpdump on $ifc" 10 'grep -q "listening on" "$T/$name.err"'
}
stop_capture() { local p; eval "p=\$CAP_$1"; kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; }

start_web() {  # a web server on h2, and h1 fetching from it every 0.2 s
	mkdir -p "$T/www" && echo hello >"$T/www/index.html"
	ip netns exec svtb-h2 python3 -m http.server 80 --bind 0.0.0.0 --directory "$T/www" >"$T/web.log" 2>&1 &
	PIDS+=($!)
	wait_for "the web server" 10 'ns h1 curl -s -o /dev/null -m 1 http://$H2/'
	: >"$T/h1.log"
	( while :; do
		code=$(ns h1 curl -s -o /dev/null -m 2 -H 'Host: www.svtb.test' -w '%{http_code}' "http://$H2/")
		echo "$(date +%s.%N) $code"
		sleep 0.2
	done ) >>"$T/h1.log" 2>&1 &
	H1LOOP=$!
	PIDS+=($H1LOOP)
}
stop_web() { kill "$H1LOOP"; wait "$H1LOOP" 2>/dev/null; }
# h1_ok FROM TO: every request of h1's between two times succeeded; prints how many.
h1_ok() {
	awk -v a="$1" -v b="$2" '$1 >= a && $1 <= b { n++; if ($2 != 200) bad++ }
		END { print n + 0; exit bad > 0 }' "$T/h1.log" >"$T/h1.count" ||
		fail "h1's requests failed between $1 and $2: $(awk -v a="$1" -v b="$2" '$1 >= a && $1 <= b && $2 != 200' "$T/h1.log" | head -3)"
	cat "$T/h1.count"
}

start_daemon() {  # start_daemon ARGS...
	: >"$T/door.json"
	"$B/snapvnfd" "$@" --ctl "$SNAPVNF_CTL" --action-events "$T/door.json" \
		--never-block $H1/32 2>>"$T/daemon.log" &
	D=$!
	PIDS+=($D)
	wait_ctl
	EP=$("$B/snapvnf" status --json | jq .actions.enforcer_pid)
}
# The daemon's exit takes its enforcer, and the enforcer takes the rules.
stop_daemon() {
	local s
	for s in "$@"; do kill "$s" 2>/dev/null; wait "$s" 2>/dev/null; done
	kill "$D"
	wait_exit "$D" 20 >/dev/null
	kill -0 "$EP" 2>/dev/null && fail "the enforcer (pid $EP) outlived the daemon"
	return 0
}

# ---- 1. OVS, sFlow, syn_flood from a service file ----
live_up --variant ovs
live_ovs_env
command -v hping3 >/dev/null || fail "hping3 is missing (scripts/deps.sh testbed installs it)"
# h3's port forwards through a rule of its own, so that OVS counts what it
# forwarded from h3 (cookie 3, not ours: the enforcer must leave it alone).
ovs-ofctl add-flow $BR "cookie=3,priority=100,in_port=svtb-h3p,actions=NORMAL" || fail "ovs-ofctl add-flow"
start_web
# The testbed's own ovs-vswitchd has its control socket by name in
# OVS_RUNDIR (the enforcer asks it for revalidation rounds).
start_daemon -i svtb-mirror0 --sflow 127.0.0.1:$SVTB_SFLOW_PORT \
	--enforcer "ovs:$BR${OVS_RUNDIR:+,ctl=$OVS_RUNDIR/ovs-vswitchd.ctl}"
[ "$(rule_n 3)" != "" ] || fail "the enforcer removed a flow that is not ours"
cat >"$T/guard.service" <<EOF
name: guard
chain:
  - vnf: syn_flood
    args: min_samples=20,interval=2
  - vnf: block
    args: ttl=8
EOF
"$B/snapvnf" run -f "$T/guard.service" >"$T/guard.json" 2>"$T/guard.log" &
GUARD=$!
PIDS+=($GUARD)
wait_attached "$SNAPVNF_CTL" guard
capture h2 h2 eth0 "ip src $H3"
capture mirror - svtb-mirror0 "ip src $H3"
ip netns exec svtb-h3 timeout 30 hping3 -S -p 80 -i u200 $H2 >/dev/null 2>&1 &
FLOOD=$!
PIDS+=($FLOOD)
wait_for "h3 to be blocked" 20 '[ "$(n_ev ".decision == \"applied\" and .src == \"$H3\"")" -ge 1 ]'
t_req=$(jq -s '[.[] | select(.event == "block" and .decision == "pending")][0].ts' "$T/guard.json")
t_applied=$(ev '.decision == "applied"' | jq '.[0].ts')
echo "request to applied: $(python3 -c "print(round($t_applied - $t_req, 3))") s (block event $t_req, applied $t_applied; door: $(ev '.decision == "applied"' | jq '.[0].delay_ms') ms)"
flow=$(ours)
echo "$flow" | grep -q "nw_src=$H3" && echo "$flow" | grep -q "actions=drop" &&
	echo "$flow" | grep -q "hard_timeout=8" || fail "not the documented drop flow: $flow"
[ "$(echo "$flow" | wc -l)" = 1 ] || fail "more than one flow of ours: $flow"
DROP=$(printf '0x736e6170%08x' "$(ev '.decision == "applied"' | jq '.[0].id')")
# The counters once the rule has taken over (the megaflow that forwarded
# h3 is gone and its statistics pushed); then the flood goes on past the
# renewal (the block VNF asks again 2 s before the 8 s are over, and the
# door extends the rule: the same flow, replaced in one step, counters
# kept), and the counters are read again once they stand still
# (statistics come every 0.5 s).
sleep 1
rx0=$(port_rx svtb-h3p) fw0=$(rule_n 3) dr0=$(rule_n $DROP)
wait_for "the rule to be extended" 15 '[ "$(n_ev ".decision == \"extended\" and .src == \"$H3\"")" -ge 1 ]'
sleep 1
kill "$FLOOD"; wait "$FLOOD" 2>/dev/null
t_flood_end=$(date +%s.%N)
prev="" cur=""
for i in $(seq 21); do
	cur="$(rule_n 3) $(rule_n $DROP)"
	[ "$cur" = "$prev" ] && break
	[ "$i" = 21 ] && fail "the counters did not stand still in 10 s: $prev / $cur"
	prev=$cur
	sleep 0.5
done
rx1=$(port_rx svtb-h3p)
read -r fw1 dr1 <<<"$cur"
[ -n "$dr1" ] || fail "the drop flow went before its TTL: $(ours); $(jq -c "{decision,id,src,ttl,ts,why}" "$T/door.json"); $(jq -c "select(.event == \"block\")" "$T/guard.json" | head -5)"
echo "while blocked: port svtb-h3p received $((rx1 - rx0)), the drop flow dropped $((dr1 - dr0)), h3's rule forwarded $((fw1 - fw0))"
# The port's counter is the kernel's (it also counts what the datapath's
# socket could not take in time); the flow's first reading may lack the
# last half-second of its statistics. So: most of what came in, dropped.
[ $((rx1 - rx0)) -ge 1000 ] || fail "the flood did not go on ($((rx1 - rx0)) packets)"
[ "$(ours | grep -c cookie=)" = 1 ] && ours | grep -q "cookie=$DROP," ||
	fail "the renewal did not keep the flow: $(ours)"
[ "$(n_ev ".decision == \"applied\" or .decision == \"expired\"")" = 1 ] ||
	fail "the rule was not extended but ended and made again: $(jq -c "{decision,id,ts}" "$T/door.json")"
[ $((dr1 - dr0)) -ge $(((rx1 - rx0) / 2)) ] || fail "the drop flow counted $((dr1 - dr0)) of $((rx1 - rx0))"
[ $((fw1 - fw0)) -le 3 ] || fail "h3's rule forwarded $((fw1 - fw0)) packets while h3 was blocked"
stop_capture h2
stop_capture mirror
pcap_ts "$T/h2.pcap" >"$T/h2.ts"
pcap_ts "$T/mirror.pcap" >"$T/mirror.ts"
read -r before after <<<"$(awk -v t="$t_applied" '$1 <= t { b++ } $1 > t { a++ } END { print b + 0, a + 0 }' "$T/h2.ts")"
seen=$(awk -v t="$t_applied" '$1 > t' "$T/mirror.ts" | wc -l)
echo "h3's IP packets: h2 received $before before the rule and $after after it; the mirror saw $seen after it"
[ "$before" -gt 0 ] || fail "the capture on h2 saw no flood at all"
[ "$seen" -ge 1000 ] || fail "the mirror saw only $seen of h3's packets after the rule: the flood stopped?"
[ "$after" -eq 0 ] || fail "h2 received $after of h3's packets after the rule, the last $(awk -v t="$t_applied" '$1 > t { l = $1 } END { print l - t }' "$T/h2.ts") s after"
# The first packet the switch dropped: the first one the mirror saw after
# the last one h2 received.
last_h2=$(tail -1 "$T/h2.ts")
first_drop=$(awk -v t="$last_h2" '$1 > t { print; exit }' "$T/mirror.ts")
delay=$(python3 -c "print(round($first_drop - $t_req, 3))")
echo "request to first dropped packet: $delay s"
python3 -c "import sys; sys.exit(not ($delay < 2))" || fail "blocked $delay s after the request"
n=$(h1_ok "$t_req" "$t_flood_end")
[ "$n" -ge 10 ] || fail "h1 made only $n requests during the flood"
echo "h1: $n requests during the flood, all 200"
# At most 8 s after the last renewal the flow is gone, the door says so, h3 gets through.
wait_for "the rule to expire" 30 '[ -z "$(ours)" ] && [ "$(n_ev ".decision == \"expired\"")" -ge 1 ]'
ns h3 curl -s -o /dev/null -m 2 "http://$H2/" || fail "h3 does not reach h2 after the TTL"

# ---- 2. the allow-list ----
echo bad.svtb.test >"$T/blocklist"
"$B/snapvnf" run --name phish http_request url_filter="$T/blocklist" block=ttl=30 >"$T/phish.json" 2>"$T/phish.log" &
PHISH=$!
PIDS+=($PHISH)
wait_attached "$SNAPVNF_CTL" phish
ns h1 curl -s -o /dev/null -m 2 -H 'Host: bad.svtb.test' "http://$H2/" || fail "h1's blocklisted request failed"
wait_for "the door to refuse h1" 10 '[ "$(n_ev ".decision == \"refused\" and .src == \"$H1\" and .refused == \"allowlist\" and .service == \"phish\"")" = 1 ]'
wait_for "the block VNF to report it" 10 'jq -se "any(.[]; .event == \"block\" and .decision == \"refused\" and .refused == \"allowlist\" and .culprit == \"$H1\")" "$T/phish.json" >/dev/null'
"$B/snapvnf" block $H1 2>"$T/refused" && fail "the operator's block of an allow-listed address was accepted"
grep -q refused=allowlist "$T/refused" || fail "not refused by the allow-list: $(cat "$T/refused")"
[ "$(n_ev ".decision == \"refused\" and .src == \"$H1\" and .service == \"cli\"")" = 1 ] ||
	fail "no refused event for the operator's request"
[ -z "$(ours)" ] || fail "a refused request reached the switch: $(ours)"
echo "refused: $(ev '.decision == "refused"' | jq -c '[.[] | {service, src, refused, why}]')"

# ---- 3. OVS, mirrored snaps, url_filter ----
t3=$(date +%s.%N)
ns h3 curl -s -o /dev/null -m 2 -H 'Host: bad.svtb.test' "http://$H2/" || fail "h3's first request failed"
wait_for "h3 blocked for the blocklist" 10 '[ "$(n_ev ".decision == \"applied\" and .reason == \"blocklist\" and .src == \"$H3\"")" = 1 ]'
ours | grep -q "nw_src=$H3" || fail "no drop flow for $H3: $(ours)"
ns h3 curl -s -o /dev/null -m 2 "http://$H2/" && fail "h3 still reaches h2 after the blocklist hit"
sleep 0.5  # h1's loop goes on meanwhile
n=$(h1_ok "$t3" "$(date +%s.%N)")
[ "$n" -ge 3 ] || fail "h1 made only $n requests while h3 was blocked"
stop_daemon "$GUARD" "$PHISH"
[ -z "$(ours)" ] || fail "flows left after exit: $(ours)"
[ "$(rule_n 3)" != "" ] || fail "the enforcer removed a flow that is not ours at exit"
ns h3 curl -s -o /dev/null -m 2 "http://$H2/" || fail "h3 does not reach h2 after exit"
stop_web

# ---- 4. Linux bridge, nft ----
tb down >/dev/null 2>&1
tb --variant bridge up >"$T/up2.out" 2>&1 || fail "the bridge testbed did not come up: $(tail -3 "$T/up2.out")"
command -v nft >/dev/null || fail "nft is missing (scripts/deps.sh test installs nftables)"
start_web
start_daemon -i svtb-mirror0 --enforcer nft:family=bridge
"$B/snapvnf" run --name phish http_request url_filter="$T/blocklist" block=ttl=30 >"$T/phish2.json" 2>"$T/phish2.log" &
PHISH=$!
PIDS+=($PHISH)
wait_attached "$SNAPVNF_CTL" phish
t4=$(date +%s.%N)
ns h3 curl -s -o /dev/null -m 2 -H 'Host: bad.svtb.test' "http://$H2/" || fail "h3's first request failed (bridge)"
wait_for "h3 blocked by nft" 10 '[ "$(n_ev ".decision == \"applied\" and .src == \"$H3\"")" = 1 ]'
nft -j list set bridge snapvnf src4 | jq -e --arg a $H3 '.nftables[].set.elem[]? | select(.elem.val == $a and .elem.timeout == 30)' >/dev/null ||
	fail "no nft element for $H3: $(nft list table bridge snapvnf)"
ns h3 curl -s -o /dev/null -m 2 "http://$H2/" && fail "h3 still reaches h2 through the bridge"
dropped=$(nft -j list chain bridge snapvnf pre | jq '[.nftables[].rule? | select(.expr[0].match.right == "@src4") | .expr[] | .counter.packets? // empty] | add')
[ "${dropped:-0}" -ge 1 ] || fail "the nft rule dropped nothing"
sleep 0.5
n=$(h1_ok "$t4" "$(date +%s.%N)")
[ "$n" -ge 3 ] || fail "h1 made only $n requests on the bridge"
echo "bridge: h3 blocked (nft dropped $dropped), h1 made $n requests, all 200"
stop_daemon "$PHISH"
nft list table bridge snapvnf >/dev/null 2>&1 && fail "the nft table is left after exit"
ns h3 curl -s -o /dev/null -m 2 "http://$H2/" || fail "h3 does not reach h2 after exit (bridge)"
stop_web
live_took
echo "ok: syn_flood (service file) and url_filter blocks on OVS, url_filter on a Linux bridge with nft, allow-list refused"
