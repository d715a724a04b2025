#!/bin/bash
# The nfdump path with real programs, for NetFlow v5, v9 and IPFIX:
# softflowd exports the flows of data/demo.pcap to a real nfcapd on
# 127.0.0.1 that rotates its file every 2 s; the nfdump module, run by
# test_nfdump's harness (NFDUMP_DIR), must take every rotated file through
# nfdump, and its records must add up, overall and per 5-tuple, to what
# nfdump itself reports for the same files, and to the IP packets and bytes
# tshark counts in the capture (softflowd counts IP length, and v5 carries
# IPv4 only). The daemon's own --nfdump-dir input is not used here yet.
set -u
. "$(dirname "$0")/lib.bash"

cap=${1:-data/demo.pcap}
[ -f "$cap" ] || fail "missing $cap"
for p in nfcapd nfdump softflowd tshark; do
	command -v $p >/dev/null || fail "$p is missing (scripts/deps.sh installs it)"
done
harness=$B/tests/test_nfdump
[ -x "$harness" ] || fail "no $harness: make build/tests/test_nfdump (make test builds it)"

# tshark's IP packets and bytes (the first IP header of each frame).
tshark -n -r "$cap" -T fields -e ip.len -e ipv6.plen 2>/dev/null |
awk -F'\t' '{ split($1, a, ","); split($2, b, ",")
	if (a[1] != "") { p4++; b4 += a[1] } else if (b[1] != "") { p6++; b6 += b[1] + 40 } }
	END { printf "%d %d %d %d\n", p4, b4, p4 + p6, b4 + b6 }' > "$T/tshark"
read -r v4_packets v4_bytes ip_packets ip_bytes < "$T/tshark"
echo "tshark: $ip_packets IP packets, $ip_bytes bytes ($v4_packets, $v4_bytes IPv4)"

# Start nfcapd on a free port of 127.0.0.1; sets $port and $ncpid.
start_nfcapd() {
	local dir=$1
	for _ in $(seq 20); do
		port=$((20000 + RANDOM % 30000))
		nfcapd -w "$dir" -b 127.0.0.1 -p $port -t 2 -P "$dir.pid" > "$dir.log" 2>&1 &
		ncpid=$!; PIDS+=($ncpid)
		for _ in $(seq 30); do
			kill -0 $ncpid 2>/dev/null || break
			ls "$dir"/nfcapd.current.* >/dev/null 2>&1 && return 0
			sleep 0.1
		done
		kill $ncpid 2>/dev/null
		wait $ncpid 2>/dev/null
	done
	fail "nfcapd did not start: $(tail -3 "$dir.log")"
}

# nfdump's view of one directory: summary totals, and rows per 5-tuple.
nfdump_truth() {
	local dir=$1 f
	: > "$T/nf.sum"; : > "$T/nf.rows"
	for f in "$dir"/nfcapd.2*; do
		TZ=UTC nfdump -r "$f" -o csv | tail -1 >> "$T/nf.sum" || fail "nfdump -r $f"
		TZ=UTC nfdump -r "$f" -o csv -q >> "$T/nf.rows"
	done
	awk -F, '{ f += $1; b += $2; p += $3 } END { printf "%d %d %d\n", f, p, b }' "$T/nf.sum"
}

for v in 5 9 10; do
	dir=$T/v$v
	mkdir "$dir"
	start_nfcapd "$dir"
	NFDUMP_DIR=$dir NFDUMP_RECORDS=$T/v$v.records "$harness" > "$T/v$v.harness" 2>&1 &
	hpid=$!; PIDS+=($hpid)
	for _ in $(seq 50); do grep -q '^watching' "$T/v$v.harness" && break; sleep 0.1; done
	grep -q '^watching' "$T/v$v.harness" || fail "harness: $(cat "$T/v$v.harness")"

	# -c none: softflowd 1.1.0 reading a file blocks on its control socket
	timeout 60 softflowd -r "$cap" -n 127.0.0.1:$port -v $v -a -d -c none \
		-p "$T/softflowd.pid" > "$T/v$v.softflowd" 2>&1 || fail "softflowd -v $v failed"
	# At least one rotation while running, after softflowd's last datagram:
	# wait for it (nfcapd -t 2) rather than for a fixed time.
	rotated=$(ls "$dir"/nfcapd.2* 2>/dev/null | wc -l)
	for i in $(seq 301); do
		[ "$i" -eq 301 ] && fail "v$v: nfcapd -t 2 did not rotate its file in 30 s: $(tail -3 "$dir.log")"
		[ "$(ls "$dir"/nfcapd.2* 2>/dev/null | wc -l)" -gt "$rotated" ] && break
		sleep 0.1
	done
	kill $ncpid
	wait_exit $ncpid 20 >/dev/null  # nfcapd renames its last file on the way out
	kill $hpid
	wait_exit $hpid 20 || fail "harness exited with $?: $(tail -3 "$T/v$v.harness")"

	got=$(tail -1 "$T/v$v.harness")
	nfiles=$(ls "$dir"/nfcapd.2* | wc -l)
	read -r flows packets bytes < <(nfdump_truth "$dir")
	echo "v$v: $nfiles files; nfdump: $flows flows, $packets packets, $bytes bytes"
	echo "v$v: module: $got"
	[ "$nfiles" -ge 2 ] || fail "v$v: expected at least two rotated files"
	for kv in files=$nfiles records=$flows packets=$packets bytes=$bytes malformed=0 \
		  nfdump_failures=0 summary_mismatch=0 stderr_bytes=0; do
		echo " $got " | grep -q " $kv " || fail "v$v: expected $kv"
	done

	# Per 5-tuple: the records against nfdump's rows of the same files.
	awk '{ k = $1 " " $2 " " $3 " " $4 " " $5; p[k] += $6; b[k] += $7 }
	     END { for (k in p) print k, p[k], b[k] }' "$T/v$v.records" | sort > "$T/v$v.mine"
	awk -F, 'BEGIN { n["TCP"] = 6; n["UDP"] = 17; n["ICMP"] = 1; n["ICMP6"] = 58 }
	     NF < 13 { next }  # "No matching flows" of an empty file
	     { pr = $8; gsub(/ /, "", pr); if (!(pr in n)) { print "protocol " pr; exit 1 }
	       k = $4 " " $5 " " $6 " " $7 " " n[pr]; p[k] += $12; b[k] += $13 }
	     END { for (k in p) print k, p[k], b[k] }' "$T/nf.rows" | sort > "$T/v$v.theirs"
	diff "$T/v$v.mine" "$T/v$v.theirs" > "$T/v$v.diff" ||
		fail "v$v: per 5-tuple totals differ: $(head -5 "$T/v$v.diff")"
	echo "v$v: $(wc -l < "$T/v$v.mine") 5-tuples agree with nfdump's rows"

	# The capture: every IP packet (IPv4 only in v5) in some record.
	if [ $v = 5 ]; then want="$v4_packets $v4_bytes"; else want="$ip_packets $ip_bytes"; fi
	[ "$packets $bytes" = "$want" ] ||
		fail "v$v: records carry $packets packets, $bytes bytes; tshark counts $want"
	echo "v$v: packets and bytes equal tshark's"
done
echo "the nfdump path agrees with nfdump and with the capture for v5, v9 and IPFIX"
