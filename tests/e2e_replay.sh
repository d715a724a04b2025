#!/bin/bash
# The daemon replays the bundled capture of real traffic to three
# `snapvnf tap --count` services: each must get every packet and lose
# none, and its per-protocol counts must equal what tshark finds in the
# same file (the independent count).
set -u
. "$(dirname "$0")/lib.bash"

cap=${1:-data/demo.pcap}
[ -f "$cap" ] || fail "missing $cap"
command -v tshark >/dev/null || fail "tshark is missing (scripts/deps.sh installs it)"

"$B/snapvnfd" -q -r "$cap" --wait-for 3 & dpid=$!; PIDS+=($dpid)
wait_ctl
for i in 1 2 3; do
	"$B/snapvnf" tap --name "tap$i" --count > "$T/tap$i.json" & PIDS+=($!)
	eval "tap$i=\$!"
done
wait_exit $dpid 300 || fail "snapvnfd exited with $?"
for i in 1 2 3; do eval "wait_exit \$tap$i 30" || fail "tap$i exited with $?"; done

# tshark's view, one packet at a time (no reassembly), classified by the
# outermost IP header and the first transport header after it.
tshark -n -r "$cap" -o tcp.desegment_tcp_streams:FALSE -o ip.defragment:FALSE \
	-o ipv6.defragment:FALSE -T fields -e frame.len -e frame.protocols 2>/dev/null |
awk -F'\t' '
{ packets++; bytes += $1; n = split($2, p, ":"); ip = ""; l4 = ""
  for (i = 1; i <= n; i++) {
    if (ip == "" && (p[i] == "ip" || p[i] == "ipv6")) ip = p[i]
    else if (ip != "" && l4 == "" && (p[i] == "tcp" || p[i] == "udp" || p[i] == "icmp" || p[i] == "icmpv6")) l4 = p[i]
  }
  if (ip == "ip") ipv4++; else if (ip == "ipv6") ipv6++; else other++
  if (l4 == "tcp") tcp++; else if (l4 == "udp") udp++; else if (l4 != "") icmp++
}
END { printf "packets=%d bytes=%d ipv4=%d ipv6=%d tcp=%d udp=%d icmp=%d other=%d lost=0\n",
      packets, bytes, ipv4, ipv6, tcp, udp, icmp, other }' > "$T/truth"
echo "tshark: $(cat "$T/truth")"

for i in 1 2 3; do
	got=$(sed 's/[{}"]//g; s/:/=/g; s/,/ /g' "$T/tap$i.json")
	echo "tap$i:   $got"
	for kv in $(cat "$T/truth"); do
		echo " $got " | grep -q " $kv " || fail "tap$i: expected $kv"
	done
done
echo "all three services got every packet with tshark's counts"
