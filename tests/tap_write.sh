#!/bin/bash
# snapvnf tap -w FILE writes the snaps as pcap, as tcpdump -w does: read
# back by tcpdump and tshark, each packet equals the replayed capture cut
# to the daemon's snaplen by editcap (time, wire and captured length, every
# byte). -c COUNT stops after COUNT, -w - streams to a reader, and a raw-IP
# capture gives a raw-IP file.
set -u
. "$(dirname "$0")/lib.bash"

for t in tcpdump tshark editcap capinfos; do
	command -v $t >/dev/null || fail "$t missing (scripts/deps.sh test installs it)"
done
cap=data/demo.pcap
editcap -s 150 $cap "$T/cut.pcap" || fail "editcap -s 150 $cap"
# What the snaps must be: per packet time (µs, as tcpdump prints), the
# decode and the bytes; per packet wire and captured length from tshark.
dump() { tcpdump -nn -tt -xx -r "$@" 2>/dev/null; }
lens() { tshark -r "$1" -T fields -e frame.len -e frame.cap_len 2>/dev/null; }

"$B/snapvnfd" -q -r $cap --wait-for 3 & dpid=$!; PIDS+=($dpid)
wait_ctl
"$B/snapvnf" tap --name file -w "$T/all.pcap" & all=$!; PIDS+=($all)
"$B/snapvnf" tap --name first -c 100 -w "$T/first.pcap" & first=$!; PIDS+=($first)
"$B/snapvnf" tap --name pipe -w - 2>"$T/pipe.err" | tcpdump -nn -tt -xx -r - >"$T/pipe.txt" 2>/dev/null &
pipe=$!; PIDS+=($pipe)
wait_exit $dpid 120 || fail "daemon exit code $?"
wait_exit $all 10 || fail "tap -w FILE exit code $?"
wait_exit $first 10 || fail "tap -c 100 -w FILE exit code $?"
wait_exit $pipe 10 || fail "tap -w - | tcpdump -r - exit code $?"

want=$(capinfos -M -c $cap | sed -n 's/^Number of packets: *//p')
got=$(capinfos -M -c "$T/all.pcap" | sed -n 's/^Number of packets: *//p')
[ "$got" = "$want" ] || fail "tap -w wrote $got packets, the capture has $want"
capinfos -E "$T/all.pcap" | grep -q "Ethernet" || fail "not an Ethernet file: $(capinfos -E "$T/all.pcap")"
dump "$T/cut.pcap" >"$T/want.txt"
dump "$T/all.pcap" >"$T/got.txt"
cmp -s "$T/want.txt" "$T/got.txt" ||
	fail "tcpdump reads other packets: $(diff "$T/want.txt" "$T/got.txt" | head -8)"
cmp -s <(lens "$T/cut.pcap") <(lens "$T/all.pcap") ||
	fail "tshark's frame.len/cap_len differ: $(diff <(lens "$T/cut.pcap") <(lens "$T/all.pcap") | head -4)"
echo "ok: tap -w wrote all $want snaps; tcpdump and tshark read them as the capture cut at 150"

cmp -s <(dump "$T/cut.pcap" -c 100) <(dump "$T/first.pcap") ||
	fail "tap -c 100 -w: not the first 100 packets ($(capinfos -M -c "$T/first.pcap" | tail -1))"
echo "ok: tap -c 100 -w wrote the first 100"
cmp -s "$T/want.txt" "$T/pipe.txt" || fail "tap -w - | tcpdump -r -: $(diff "$T/want.txt" "$T/pipe.txt" | head -4) $(cat "$T/pipe.err")"
echo "ok: tap -w - streams to tcpdump -r -"

# A raw-IP capture (an IP/GRE packet the daemon keeps whole) gives a raw-IP file.
raw=tests/data/erspan3-malformed.pcap
"$B/snapvnfd" -q -r $raw --wait-for 1 & dpid=$!; PIDS+=($dpid)
wait_ctl
"$B/snapvnf" tap --name raw -w "$T/raw.pcap" & t=$!; PIDS+=($t)
wait_exit $dpid 60 || fail "daemon exit code $?"
wait_exit $t 10 || fail "tap -w (raw IP) exit code $?"
editcap -s 150 $raw "$T/rawcut.pcap"
capinfos -E "$T/raw.pcap" | grep -qi "raw ip" || fail "not a raw-IP file: $(capinfos -E "$T/raw.pcap")"
cmp -s <(dump "$T/rawcut.pcap") <(dump "$T/raw.pcap") ||
	fail "raw IP: $(diff <(dump "$T/rawcut.pcap") <(dump "$T/raw.pcap") | head -4)"
echo "ok: a raw-IP capture gives a raw-IP file with the same packets"
