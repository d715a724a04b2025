#!/bin/bash
# ERSPAN through the daemon: a replay of an ERSPAN capture reaches
# `snapvnf tap --count` as the mirrored frames, whose per-protocol counts and
# bytes must equal tshark's view of the inner packets (the layers after
# "erspan" in frame.protocols); `snapvnf status` counts them as unwrapped.
# With --no-erspan the same services see the outer IP/GRE packets instead.
set -u
. "$(dirname "$0")/lib.bash"

cap=${1:-tests/data/erspan2.pcap}
[ -f "$cap" ] || fail "missing $cap"
command -v tshark >/dev/null || fail "tshark is missing (scripts/deps.sh installs it)"
command -v jq >/dev/null || fail "jq is missing (scripts/deps.sh installs it)"

# tshark, one packet at a time. Inner: classified by the first IP header
# and transport after "erspan"; its length is the frame's minus the outer
# Ethernet, IP (IPv4 header length, or 40), GRE (4, +4 per optional field)
# and ERSPAN (type II 8, type III 12, +8 with the O bit) headers.
tshark -n -r "$cap" -T fields -E occurrence=f -e frame.len -e frame.protocols -e ip.hdr_len \
	-e gre.flags.checksum -e gre.flags.key -e gre.flags.sequence_number -e erspan.version \
	-e erspan.o 2>/dev/null |
awk -F'\t' '
{ n = split($2, p, ":"); e = 0; ip = ""; l4 = ""
  for (i = 1; i <= n; i++) {
    if (p[i] == "erspan") e = 1
    else if (e && ip == "" && (p[i] == "ip" || p[i] == "ipv6")) ip = p[i]
    else if (e && ip != "" && l4 == "" && (p[i] == "tcp" || p[i] == "udp" || p[i] == "icmp" || p[i] == "icmpv6")) l4 = p[i]
  }
  if (!e) { print "not ERSPAN: " $0 > "/dev/stderr"; bad = 1 }
  outer = 14 + ($3 != "" ? $3 : 40) + 4 + 4 * ($4 + $5 + $6)
  if ($7 == 1) outer += 8; else if ($7 == 2) outer += 12 + 8 * $8
  packets++; bytes += $1 - outer; obytes += $1
  if (ip == "ip") ipv4++; else if (ip == "ipv6") ipv6++; else other++
  if (l4 == "tcp") tcp++; else if (l4 == "udp") udp++; else if (l4 != "") icmp++
}
END { printf "packets=%d bytes=%d ipv4=%d ipv6=%d tcp=%d udp=%d icmp=%d other=%d lost=0\n",
      packets, bytes, ipv4, ipv6, tcp, udp, icmp, other
      printf "packets=%d bytes=%d ipv4=%d ipv6=0 tcp=0 udp=0 icmp=0 other=0 lost=0\n",
      packets, obytes, packets > "'"$T/outer"'"
      exit bad }' > "$T/inner" || fail "$cap: a packet tshark does not see as ERSPAN"
echo "tshark inner: $(cat "$T/inner")"
n=$(sed 's/^packets=\([0-9]*\).*/\1/' "$T/inner")

# $1: the counts expected; the rest: snapvnfd's options. A second service,
# stopped once attached (the replay waits for both), keeps the daemon up
# after the replay, for `status`.
replay() {
	local want=$1 dpid tap hold got kv i
	shift
	"$B/snapvnfd" -q -r "$cap" --wait-for 2 "$@" & dpid=$!; PIDS+=($dpid)
	wait_ctl
	"$B/snapvnf" tap --name hold >/dev/null & hold=$!; PIDS+=($hold)
	for i in $(seq 101); do
		[ $i -eq 101 ] && fail "tap hold did not attach"
		"$B/snapvnf" status --json 2>/dev/null |
			jq -e 'any(.services[]; .name == "hold" and has("delivered"))' >/dev/null && break
		sleep 0.1
	done
	kill -STOP $hold
	"$B/snapvnf" tap --name count --count > "$T/tap.json" & tap=$!; PIDS+=($tap)
	wait_exit $tap 30 || fail "tap exited with $?"
	"$B/snapvnf" status --json > "$T/status.json" || fail "snapvnf status --json"
	"$B/snapvnf" status > "$T/status.txt" || fail "snapvnf status"
	kill -CONT $hold  # it reads the end of the stream and leaves
	wait_exit $dpid 30 || fail "snapvnfd exited with $?"

	got=$(sed 's/[{}"]//g; s/:/=/g; s/,/ /g' "$T/tap.json")
	echo "tap:          $got"
	for kv in $want; do
		echo " $got " | grep -q " $kv " || fail "tap: expected $kv"
	done
	echo "status:       $(jq -c '.capture' "$T/status.json")"
}

replay "$(cat "$T/inner")"
jq -e --argjson n "$n" '.capture | .received == $n and .erspan == $n and .erspan_kept == 0
	and .truncated == 0 and .malformed == 0' "$T/status.json" >/dev/null ||
	fail "status: expected $n ERSPAN packets unwrapped, none kept"
grep -q "^erspan    unwrapped $n  kept whole 0" "$T/status.txt" ||
	fail "status: no erspan line: $(cat "$T/status.txt")"
echo "unwrapped: the services got tshark's inner packets"

replay "$(cat "$T/outer")" --no-erspan
jq -e '.capture | .erspan == 0 and .erspan_kept == 0' "$T/status.json" >/dev/null ||
	fail "status: --no-erspan counted ERSPAN packets"
! grep -q "^erspan" "$T/status.txt" || fail "status: an erspan line with --no-erspan"
echo "--no-erspan: the services got the outer IP/GRE packets"
