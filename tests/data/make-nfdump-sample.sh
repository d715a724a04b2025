#!/bin/bash
# Remake nfdump-sample.csv and nfdump-biflow.csv: what a real nfcapd and
# nfdump (Debian 12: nfdump 1.7.1, softflowd 1.1.0) make of real NetFlow.
# Run from the repository root; it uses UDP port 19996 on 127.0.0.1 only.
#
#   nfdump-sample.csv  softflowd -v 9 (NetFlow v9) over data/demo.pcap:
#                      213 flows, IPv4 and IPv6, TCP, UDP, ICMP, ICMPv6.
#                      softflowd counted 17355 IP packets (the capture's
#                      17357 less 2 ARP), 4108838 IP bytes, as tshark does
#                      (sum of ip.len and ipv6.plen + 40); per protocol
#                      tcp 706/224552, udp 16620/3881862, icmp 6/504,
#                      ipv6-icmp 23/1920 packets/bytes. Its first row is
#                      dated 1970: softflowd's -a starts its clock at the
#                      first packet and stamps that flow before it.
#   nfdump-biflow.csv  softflowd -v 10 -b (IPFIX biflows) over
#                      tests/data/dns-udp.pcap: 3 rows with both directions
#                      (opkt/obyt), 6 packets, 730 IP bytes. Every td is
#                      18446744073709552.000: softflowd's end time is a few
#                      milliseconds before its start time, and nfdump
#                      prints the negative difference unsigned.
#
# -a makes softflowd use the capture's times; TZ=UTC makes nfdump print UTC.
set -eu
tmp=$(mktemp -d)
ncp=
trap '[ -n "$ncp" ] && kill "$ncp" 2>/dev/null; rm -rf "$tmp"' EXIT

one() {  # capture, softflowd version options, output
	rm -rf "$tmp/d" && mkdir "$tmp/d"
	nfcapd -w "$tmp/d" -b 127.0.0.1 -p 19996 -t 60 >/dev/null 2>&1 & ncp=$!
	sleep 0.5
	# -c none: softflowd 1.1.0 with -r and a control socket blocks in accept()
	softflowd -r "$1" -n 127.0.0.1:19996 $2 -a -d -p "$tmp/sf.pid" -c none >/dev/null 2>&1
	sleep 0.5
	kill "$ncp"  # nfcapd renames its current file on the way out
	while kill -0 "$ncp" 2>/dev/null; do sleep 0.1; done
	ncp=
	TZ=UTC nfdump -r "$(ls "$tmp"/d/nfcapd.2* | head -1)" -o csv > "$3"
}

one data/demo.pcap "-v 9" tests/data/nfdump-sample.csv
one tests/data/dns-udp.pcap "-v 10 -b" tests/data/nfdump-biflow.csv
