#!/bin/bash
# Remake nfdump-sample.txt, nfdump-biflow.txt and nfdump-ipv6.txt: what a
# real nfcapd and nfdump (Debian 12: nfdump 1.7.1, softflowd 1.1.0) print
# of real NetFlow, in the output format the daemon asks nfdump for
# (SV_NFDUMP_ARGS in src/daemon/nfdump_fmt.h, read from there). Run from
# the repository root; it uses UDP port 19996 on 127.0.0.1 only.
#
#   nfdump-sample.txt  softflowd -v 9 (NetFlow v9) over data/demo.pcap:
#                      213 flows, IPv4 and IPv6, TCP, UDP, ICMP, ICMPv6.
#                      softflowd counted 17355 IP packets (the capture's
#                      17357 less 2 ARP), 4108838 IP bytes, as tshark does
#                      (sum of ip.len and ipv6.plen + 40); per protocol
#                      tcp 706/224552, udp 16620/3881862, icmp 6/504,
#                      ipv6-icmp 23/1920 packets/bytes. Its first row is
#                      dated 1970: softflowd's -a starts its clock at the
#                      first packet and stamps that flow before it.
#   nfdump-biflow.txt  softflowd -v 10 -b (IPFIX biflows) over
#                      tests/data/dns-udp.pcap: 3 rows with both directions
#                      (opkt/obyt), 6 packets, 730 IP bytes. softflowd's
#                      end time is a few milliseconds before its start
#                      time: nfdump prints the negative duration unsigned.
#   nfdump-ipv6.txt    softflowd -v 9 over tests/data/dns-ipv6-frag.pcap:
#                      2 flows between 2001:470:1f11:81f:d138:5f55:6d4:1fe2
#                      and 2607:f740:b::f93, an address nfdump shortens
#                      ("2001:47..d4:1fe2") without -6.
# Beside each, NAME.raw is `nfdump -o raw` of the same file: the
# milliseconds of each flow's start and end as nfdump stores them.
#
# -a makes softflowd use the capture's times.
set -eu
tmp=$(mktemp -d)
ncp=
trap '[ -n "$ncp" ] && kill "$ncp" 2>/dev/null; rm -rf "$tmp"' EXIT
# the string literals of the #define, joined
fmt=$(awk '/^#define SV_NFDUMP_FMT / { on = 1 }
	on { while (match($0, /"[^"]*"/)) { s = s substr($0, RSTART + 1, RLENGTH - 2)
					     $0 = substr($0, RSTART + RLENGTH) }
	     if ($0 !~ /\\$/) exit }
	END { print s }' src/daemon/nfdump_fmt.h)
case "$fmt" in fmt:%tsr,*,%ra) ;; *) echo "cannot read SV_NFDUMP_FMT: '$fmt'" >&2; exit 1 ;; esac

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
	f=$(ls "$tmp"/d/nfcapd.2* | head -1)
	nfdump -N -6 -o "$fmt" -r "$f" > "$3.txt"
	nfdump -o raw -r "$f" | awk '$1 == "first" || $1 == "last" { print $1, $3 }' > "$3.raw"
}

one data/demo.pcap "-v 9" tests/data/nfdump-sample
one tests/data/dns-udp.pcap "-v 10 -b" tests/data/nfdump-biflow
one tests/data/dns-ipv6-frag.pcap "-v 9" tests/data/nfdump-ipv6
