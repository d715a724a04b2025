#!/bin/bash
# examples/nolib/traffic_stats_nolib (libpcap only, for the line count in
# README.md) counts what the library's pkt_stats counts, and both count
# what tshark sees in data/demo.pcap: packets and wire bytes per L4
# protocol (tcp, udp, icmp with ICMPv6, other) and per IP version.
#   - one interval holding the whole capture: the library's service
#     (examples/traffic_stats through snapvnfd), the service without it
#     and tshark give the same fourteen counts;
#   - 5 s intervals: the service without the library closes them on the
#     grid of packet time, each as tshark's packets of that grid cell;
#     the library (which closes them on its ticks, about a second late)
#     adds up to the same totals.
set -u
. "$(dirname "$0")/lib.bash"

command -v jq >/dev/null || fail "jq is missing (scripts/deps.sh installs it)"
command -v tshark >/dev/null || fail "tshark is missing (scripts/deps.sh installs it)"
nolib=$B/examples/nolib/traffic_stats_nolib
[ -x "$nolib" ] || fail "no $nolib (make builds it)"
cap=data/demo.pcap
keys='packets bytes tcp_packets tcp_bytes udp_packets udp_bytes icmp_packets icmp_bytes other_packets other_bytes ipv4_packets ipv4_bytes ipv6_packets ipv6_bytes'
cols() { jq -r "[$(printf '.%s,' $keys | sed 's/,$//')] | map(tostring) | join(\" \")" "$@"; }

# tshark's counts, per cell of SECONDS from the first packet (a cell per
# line, in order): its protocol list decides, the token after the first
# IP header (IPv6 extension headers skipped).
tshark_counts() {
	tshark -n -r $cap -o ip.defragment:FALSE -o ipv6.defragment:FALSE -T fields \
		-e frame.time_epoch -e frame.len -e frame.protocols 2>"$T/tshark.err" |
	awk -F'\t' -v secs="$1" '
	{
		split($1, t, "."); us = t[1] * 1000000 + substr(t[2] "000000", 1, 6)
		if (NR == 1) t0 = us
		cell = int((us - t0) / (secs * 1000000)); if (cell > last) last = cell
		n = split($3, p, ":"); v = 0; l4 = "other"
		for (i = 1; i <= n; i++) if (p[i] == "ip" || p[i] == "ipv6") break
		if (i <= n) {
			v = p[i] == "ip" ? 4 : 6
			for (j = i + 1; j <= n && p[j] ~ /^ipv6\./; j++) ;
			if (p[j] == "tcp" || p[j] == "udp") l4 = p[j]
			else if (p[j] == "icmp" || p[j] == "icmpv6") l4 = "icmp"
		}
		c[cell, "packets"]++; c[cell, "bytes"] += $2
		c[cell, l4 "_packets"]++; c[cell, l4 "_bytes"] += $2
		if (v) { c[cell, "ipv" v "_packets"]++; c[cell, "ipv" v "_bytes"] += $2 }
	}
	END {
		nk = split(K, k, " ")
		for (cell = 0; cell <= last; cell++) {
			if (!c[cell, "packets"]) continue
			line = ""
			for (i = 1; i <= nk; i++) line = line (i > 1 ? " " : "") (c[cell, k[i]] + 0)
			print line
		}
	}' K="$keys"
}

# The library: snapvnfd replaying the capture to examples/traffic_stats.
"$B/snapvnfd" -q -r $cap --wait-for 1 & dpid=$!; PIDS+=($dpid)
wait_ctl
"$B/examples/traffic_stats" 3600 >"$T/lib.json" || fail "traffic_stats exited with $?"
wait_exit $dpid 60 || fail "snapvnfd exited with $?"
"$nolib" -r $cap 3600 >"$T/nolib.json" || fail "traffic_stats_nolib exited with $?"
tshark_counts 3600 >"$T/tshark" || fail "tshark: $(cat "$T/tshark.err")"
[ "$(wc -l <"$T/tshark")" -eq 1 ] || fail "tshark's counts are not one interval: $(cat "$T/tshark")"
cols "$T/lib.json" >"$T/lib"
cols "$T/nolib.json" >"$T/nolib"
[ "$(wc -l <"$T/lib")" -eq 1 ] || fail "the library reported $(wc -l <"$T/lib") intervals, not 1"
diff "$T/tshark" "$T/lib" >/dev/null || fail "library's counts ($(cat "$T/lib")) differ from tshark's ($(cat "$T/tshark")) [$keys]"
diff "$T/tshark" "$T/nolib" >/dev/null || fail "counts without the library ($(cat "$T/nolib")) differ from tshark's ($(cat "$T/tshark"))"
echo "ok: one interval, the same counts from both services and tshark: $(cat "$T/tshark")"

"$B/snapvnfd" -q -r $cap --wait-for 1 & dpid=$!; PIDS+=($dpid)
wait_ctl
"$B/examples/traffic_stats" 5 >"$T/lib5.json" || fail "traffic_stats exited with $?"
wait_exit $dpid 60 || fail "snapvnfd exited with $?"
"$nolib" -r $cap 5 >"$T/nolib5.json" || fail "traffic_stats_nolib exited with $?"
tshark_counts 5 >"$T/tshark5"
[ "$(wc -l <"$T/tshark5")" -ge 3 ] || fail "tshark finds fewer than 3 intervals of 5 s"
cols "$T/nolib5.json" >"$T/nolib5"
diff "$T/tshark5" "$T/nolib5" >"$T/diff" || fail "5 s intervals without the library differ from tshark's cells: $(head -4 "$T/diff")"
cols "$T/lib5.json" | awk '{ for (i = 1; i <= NF; i++) s[i] += $i } END { for (i = 1; i <= NF; i++) printf "%s%d", (i > 1 ? " " : ""), s[i]; print "" }' >"$T/lib5sum"
diff "$T/tshark" "$T/lib5sum" >/dev/null || fail "the library's 5 s intervals add up to $(cat "$T/lib5sum"), tshark counts $(cat "$T/tshark")"
echo "ok: $(wc -l <"$T/tshark5") intervals of 5 s as tshark's cells; the library's $(wc -l <"$T/lib5.json") add up to the totals"
