#!/bin/bash
# sFlow from the stand-in switch (scripts/testbed, Open vSwitch, userspace
# datapath) into `snapvnfd --sflow 127.0.0.1:PORT` and `snapvnf run
# flow_dump`, checked against Open vSwitch's own counters for the same
# period (read with ovs-ofctl before and after the traffic):
#
# 1. Sampled estimates. OVS samples each frame the bridge processes with
#    probability 1/N (a random draw per packet), once, at its input port;
#    a `sample` record's packets is N and its bytes N * frame_len. If n
#    frames pass, the number of samples k is Binomial(n, 1/N), so the
#    estimate N*k has mean n and variance N^2 * n * (1/N) * (1 - 1/N), i.e.
#        sigma = sqrt(n * (N - 1))       (relative error ~ 1/sqrt(k)).
#    For bytes (Horvitz-Thompson), Var = (N - 1) * sum over all frames of
#    len^2, which N * sum over the sampled frames of len^2 estimates:
#        sigma_bytes = sqrt((N - 1) * N * sum_sampled len^2).
#    An estimate passes if |estimate - counter| <= 5 sigma + N * e, where e
#    is the samples the comparison cannot place (below) plus 2 for the
#    edges of the period (a background ARP or ND frame just before the
#    first reading whose sample arrives after it). 5 sigma fails a correct
#    run about once in 1.7 million per comparison.
#    frame_len is the frame with its 4-byte FCS (the sFlow definition; OVS
#    adds 4 to what it saw), OVS's byte counters exclude it, so bytes are
#    compared as N * sum(frame_len - 4).
# 2. What the counters count, and the mirror caveat:
#    - the mirror port svtb-mirror1 sends one copy of every frame the
#      bridge processed, and sFlow samples never count those copies (a
#      sample's output is 0x80000000|n, "n ports", not the mirror), so the
#      total estimate is compared with the mirror port's tx packets and
#      bytes, not with the sum of all ports' tx (which has each frame twice);
#    - a host port's rx counter is the kernel's count on the veth, which
#      includes frames the userspace datapath never read (its socket
#      overflows under the iperf3 bulk; TCP retransmits them). So the
#      estimate per input port is compared with what OVS processed from that
#      port: an OpenFlow rule per host port (in_port=P, NORMAL, as the
#      bridge's own rule does) counts it. The rx counter is then only an
#      upper bound, and the gap is printed;
#    - per host port, frames out of the switch: the tx counter against the
#      samples addressed to that host (destination IP; multicast and
#      broadcast count for every host port but the input one), and samples
#      without addresses (ARP) as the unplaced e above.
# 3. Counter samples (OVS polls every port every 10 s): every `counters`
#    record's in/out octets and packets lie between OVS's readings before
#    and after it (the record reaches us at most ~1.5 s after OVS polled),
#    and each port sends one after the traffic, taken in a quiet moment,
#    which must sit between two readings taken a few seconds apart.
# No datagram lost (sequence gaps), no socket or queue drop, no record lost.
#   e2e_live_sflow.sh [SECONDS]   (traffic time, default 3)
set -u
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/live.bash"
trap live_cleanup EXIT   # our PIDs, then `scripts/testbed down`
secs=${1:-3}

# 1-in-16 and a 30 MB iperf3 transfer: about 1,500 samples, so the total is
# known to ~2.5 % (5 sigma ~13 %).
export SVTB_SAMPLING=16 SVTB_IPERF_TCP=30000000
export SVTB_SFLOW_PORT=$(python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
live_up --variant ovs
live_ovs_env
command -v ovs-ofctl >/dev/null || fail "ovs-ofctl is missing (scripts/testbed installs openvswitch-switch)"
BR=svtb-br0 HOSTPORTS="svtb-h1p svtb-h2p svtb-h3p" PORTS="svtb-h1p svtb-h2p svtb-h3p svtb-mirror1"
for h in 1 2 3; do
	ovs-ofctl add-flow $BR "cookie=$h,priority=100,in_port=svtb-h${h}p,actions=NORMAL" ||
		fail "ovs-ofctl add-flow in_port=svtb-h${h}p"
done

# readings NAME: OVS's counters now, one line per port and per rule:
#   port NAME T0 T1 IFINDEX RX_PKTS RX_BYTES TX_PKTS TX_BYTES
#   rule HOST T0 T1 N_PACKETS N_BYTES
readings() {
	local t0 t1 p
	t0=$(date +%s.%N)
	for p in $PORTS; do
		echo "$p $(cat /sys/class/net/$p/ifindex) $(ovs-ofctl dump-ports $BR $p | tr -d , |
			sed -n 's/.*rx pkts=\([0-9]*\) bytes=\([0-9]*\).*/\1 \2/p; s/.*tx pkts=\([0-9]*\) bytes=\([0-9]*\).*/\1 \2/p' |
			paste -sd ' ')"
	done >"$T/$1.ports"
	ovs-ofctl dump-flows $BR | sed -n 's/.*cookie=0x\([0-9]\),.*n_packets=\([0-9]*\), n_bytes=\([0-9]*\),.*/\1 \2 \3/p' >"$T/$1.rules"
	t1=$(date +%s.%N)
	awk -v a="$t0" -v b="$t1" '{ print "port", $1, a, b, $2, $3, $4, $5, $6 }' "$T/$1.ports"
	awk -v a="$t0" -v b="$t1" '{ print "rule", $1, a, b, $2, $3 }' "$T/$1.rules"
}

"$B/snapvnfd" -q --sflow "127.0.0.1:$SVTB_SFLOW_PORT" & dpid=$!; PIDS+=($dpid)
wait_ctl
"$B/snapvnf" run --name dump flow_dump >"$T/dump.json" & dump=$!; PIDS+=($dump)
wait_attached "$SNAPVNF_CTL" dump

readings c0 >"$T/before"
tb traffic "$secs" 2>"$T/traffic.err" || fail "testbed traffic: $(cat "$T/traffic.err")"
tail -1 "$T/traffic.err"
grep iperf3-tcp "$SVTB_LOG/events.tsv" | cut -f 2,6,7
# OVS sends its samples at most a second after the frame, and rule
# counters follow within a second too: wait until both have stood still
# for 1.5 s (on a slow machine that takes longer), not for a fixed time.
prev= same=0
for i in $(seq 301); do
	[ "$i" -eq 301 ] && fail "samples or rule counters still moving 30 s after the traffic: $cur"
	cur="$(grep -c '"kind":"sample"' "$T/dump.json") $(ovs-ofctl dump-flows $BR |
		sed -n 's/.*cookie=0x[1-3],.*n_packets=\([0-9]*\),.*/\1/p' | paste -sd ' ')"
	if [ "$cur" = "$prev" ]; then
		same=$((same + 1))
		[ $same -ge 15 ] && break
	else
		same=0
	fi
	prev=$cur
	sleep 0.1
done
readings c1 >"$T/after"
t_after=$(date +%s.%N)
# Wait for a counter sample of every port polled after that reading.
idx=$(for p in $PORTS; do cat /sys/class/net/$p/ifindex; done | paste -sd,)
for i in $(seq 301); do
	[ "$i" -eq 301 ] && fail "no counter sample of every port ($idx) after the traffic within 30 s (OVS polls every 10 s)"
	jq -se --argjson t "$t_after" --argjson want "[$idx]" \
		'[.[] | select(.kind == "counters" and .ts > $t + 1.5) | .ifindex] | unique as $got |
		 all($want[]; . as $w | $got | index($w) != null)' "$T/dump.json" >/dev/null && break
	sleep 0.1
done
sleep 0.2
readings c2 >"$T/later"
st >"$T/status.json"
kill -TERM $dpid
wait_exit $dump 20 || fail "flow_dump exited with $?"
wait_exit $dpid 20 || fail "snapvnfd exited with $?"

jq -e '.collector as $c | $c.sequence_gaps == 0 and $c.socket_drops == 0 and $c.queue_drops == 0
	and $c.malformed == 0 and all(.services[]; .flow_lost == 0)' "$T/status.json" >/dev/null ||
	fail "loss: $(jq -c '[(.collector | del(.agents)), (.services[] | {name, flow_delivered, flow_lost})]' "$T/status.json")"
echo "collector: $(jq -c '.collector | {datagrams, flow_samples, counter_samples, sequence_gaps, socket_drops}' "$T/status.json")"

python3 - "$T" "$SVTB_SAMPLING" "$t_after" <<'EOF'
import collections, ipaddress, json, math, sys

tmp, N, t_after = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
SIG, EDGE, FCS = 5.0, 2, 4
failures = []
HOSTS = {1: "svtb-h1p", 2: "svtb-h2p", 3: "svtb-h3p"}


def readings(name):
    ports, rules = {}, {}
    with open("%s/%s" % (tmp, name)) as f:
        for line in f:
            w = line.split()
            if w[0] == "port":
                ports[w[1]] = dict(t0=float(w[2]), t1=float(w[3]), ifindex=int(w[4]),
                                   rx_p=int(w[5]), rx_b=int(w[6]), tx_p=int(w[7]), tx_b=int(w[8]))
            elif int(w[1]) in HOSTS:  # not the bridge's own rule, cookie 0
                rules[HOSTS[int(w[1])]] = dict(n_p=int(w[4]), n_b=int(w[5]))
    return ports, rules


(p0, r0), (p1, r1), (p2, r2) = (readings(n) for n in ("before", "after", "later"))
t_before = p0["svtb-h1p"]["t1"]
ifname = {v["ifindex"]: k for k, v in p0.items()}
host_of_port = {v: k for k, v in HOSTS.items()}
recs = [json.loads(l) for l in open(tmp + "/dump.json") if l.strip()]
samples = [r for r in recs if r["kind"] == "sample" and r["ts"] <= t_after]
late = [r for r in recs if r["kind"] == "sample" and r["ts"] > t_after]
for r in samples:
    if r["sampling_rate"] != N or r["packets"] != N or r["bytes"] != N * r["frame_len"]:
        failures.append("sample record not scaled by 1-in-%d: %s" % (N, r))


def host(addr):
    """1..3 for a unicast address of a host, 0 for multicast/broadcast, None if unknown."""
    if addr is None:
        return None
    a = ipaddress.ip_address(addr)
    if a.is_multicast or addr == "255.255.255.255":
        return 0
    if a.version == 4 and addr.startswith("10.77.10."):
        return int(addr.rsplit(".", 1)[1])
    if a.version == 6 and (addr.startswith("fd77:10::") or addr.startswith("fe80::77:ff:fe00:")):
        return int(addr.rsplit(":", 1)[1], 16)
    return None


def est(rs):
    k = len(rs)
    b = sum(r["frame_len"] - FCS for r in rs)
    b2 = sum((r["frame_len"] - FCS) ** 2 for r in rs)
    return k, N * k, N * b, math.sqrt((N - 1) * N * b2)


def check(what, rs, n, nb, unplaced=0):
    k, ep, eb, sb = est(rs)
    sp = math.sqrt(max(n, 1) * (N - 1))
    slack_p = N * (unplaced + EDGE)
    slack_b = N * 1514 * (unplaced + EDGE)
    okp = abs(ep - n) <= SIG * sp + slack_p
    okb = nb is None or abs(eb - nb) <= SIG * sb + slack_b
    line = "%-34s %5d samples: packets %8d vs %8d (%+6.1f%%, %4.1f sigma, bound %d)" % (
        what, k, ep, n, 100.0 * (ep - n) / max(n, 1), abs(ep - n) / sp, SIG * sp + slack_p)
    if nb is not None:
        line += "; bytes %10d vs %10d (%+5.1f%%, bound %d)" % (
            eb, nb, 100.0 * (eb - nb) / max(nb, 1), SIG * sb + slack_b)
    print(line)
    if not okp or not okb:
        failures.append(what + ": outside the bound: " + line.strip())


d = lambda a, b, p, f: a[p][f] - b[p][f]
print("sampling 1-in-%d; %d sample records in the period, %d after it" % (N, len(samples), len(late)))
# total: every processed frame is mirrored once
check("all frames vs mirror tx", samples, d(p1, p0, "svtb-mirror1", "tx_p"), d(p1, p0, "svtb-mirror1", "tx_b"))
# input per host port: OpenFlow rule of that port; the rx counter an upper bound
for port in HOSTS.values():
    rs = [r for r in samples if r["in_if"] == p0[port]["ifindex"]]
    n = r1[port]["n_p"] - r0[port]["n_p"]
    check("in from %s vs its rule" % port, rs, n, r1[port]["n_b"] - r0[port]["n_b"])
    rx = d(p1, p0, port, "rx_p")
    print("%-34s rx counter %d: %d frames (%.1f%%) counted but never read by the datapath"
          % ("", rx, rx - n, 100.0 * (rx - n) / max(rx, 1)))
    _, ep, _, _ = est(rs)
    if ep > rx + SIG * math.sqrt(max(rx, 1) * (N - 1)) + N * EDGE:
        failures.append("%s: estimate %d over the rx counter %d" % (port, ep, rx))
others = [r for r in samples if ifname.get(r["in_if"]) not in HOSTS.values()]
if others:
    failures.append("%d samples from an input that is not a host port: %s" % (len(others), others[0]))
# the mirror's copies: one per frame the host ports' rules passed (a frame
# or two of background traffic may fall between the two readings)
nrules = sum(r1[p]["n_p"] - r0[p]["n_p"] for p in HOSTS.values())
nmir = d(p1, p0, "svtb-mirror1", "tx_p")
print("frames through the host ports' rules %d, mirror copies %d" % (nrules, nmir))
if abs(nrules - nmir) > EDGE:
    failures.append("the mirror sent %d copies of %d frames" % (nmir, nrules))
# output per host port, by destination
unplaced = [r for r in samples if host(r["dst"]) is None]
for h, port in HOSTS.items():
    rs = [r for r in samples if host(r["dst"]) == h or
          (host(r["dst"]) == 0 and r["in_if"] != p0[port]["ifindex"])]
    check("out to %s vs its tx" % port, rs, d(p1, p0, port, "tx_p"), None, len(unplaced))
print("samples without a placeable destination (ARP): %d" % len(unplaced))

# counter samples
M32 = 1 << 32
FIELDS = (("in_octets", "rx_b", 0), ("out_octets", "tx_b", 0), ("in_ucast", "rx_p", M32), ("out_ucast", "tx_p", M32))
snaps = [p0, p1, p2]
ncnt = 0
after = {}
for r in recs:
    if r["kind"] != "counters":
        continue
    port = ifname.get(r["ifindex"])
    if port is None:
        continue  # another interface OVS polls (the bridge's own)
    ncnt += 1
    lo = [s for s in snaps if s[port]["t1"] <= r["ts"] - 1.5]
    hi = [s for s in snaps if s[port]["t0"] >= r["ts"]]
    for rf, of, mod in FIELDS:
        v = r[rf]
        a = lo[-1][port][of] if lo else 0
        b = hi[0][port][of] if hi else None
        if mod:
            a, b = a % mod, (b % mod if b is not None else None)
        if v < a or (b is not None and v > b):
            failures.append("counters %s %s = %d, OVS read %s before it and %s after" % (port, rf, v, a, b))
    if r["ts"] > t_after + 1.5:
        after[port] = r
for port in p0:
    r = after.get(port)
    if r is None:
        failures.append("no counter sample of %s after the traffic" % port)
        continue
    print("counters %-13s after the traffic: in %d octets %d packets, out %d octets %d packets;"
          " OVS read rx %d/%d tx %d/%d then rx %d/%d tx %d/%d"
          % (port, r["in_octets"], r["in_ucast"], r["out_octets"], r["out_ucast"],
             p1[port]["rx_b"], p1[port]["rx_p"], p1[port]["tx_b"], p1[port]["tx_p"],
             p2[port]["rx_b"], p2[port]["rx_p"], p2[port]["tx_b"], p2[port]["tx_p"]))
print("%d counter samples of the switch's ports, each within OVS's readings around it" % ncnt)

if failures:
    for f in failures[:30]:
        print("FAIL:", f)
    sys.exit(1)
print("sFlow estimates within 5 sigma of OVS's counters; counter samples equal to them")
EOF
[ $? -eq 0 ] || fail "sFlow and OVS's counters disagree"
live_took
