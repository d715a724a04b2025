#!/bin/bash
# snapvnfd --nfdump-dir with the real nfcapd, softflowd and nfdump: every
# record of a NetFlow v9 export of data/demo.pcap and of
# tests/data/dns-ipv6-frag.pcap (IPv6 addresses nfdump shortens unless told
# not to) reaches a service with nfdump's own values: 5-tuple, packets,
# bytes, and start and end to the millisecond, as `nfdump -o raw` reads
# them from the same files.
set -u
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/nfdump.bash"

export_file data/demo.pcap "$T/demo.nfcapd"
export_file tests/data/dns-ipv6-frag.pcap "$T/ipv6.nfcapd"
start_daemon --lossless "$T/daemon.log"
"$B/snapvnf" run --name dump flow_dump > "$T/dump.json" & dump=$!; PIDS+=($dump)
wait_for '.services[0] | has("flow_delivered")' 10

cp "$T/demo.nfcapd" "$W/nfcapd.202601010001"
cp "$T/ipv6.nfcapd" "$W/nfcapd.202601010002"
{ raw "$T/demo.nfcapd"; raw "$T/ipv6.nfcapd"; } | sort > "$T/theirs"
n=$(wc -l < "$T/theirs")
wait_for ".nfdump.files == 2 and (.services[] | select(.name == \"dump\") | .flow_delivered) == $n" 30
mine "$T/dump.json" | sort > "$T/mine"
diff "$T/mine" "$T/theirs" > "$T/diff" || fail "records differ from nfdump's: $(head -6 "$T/diff")"
grep -q "2001:470:1f11:81f:d138:5f55:6d4:1fe2" "$T/mine" || fail "no whole IPv6 address"
echo "$n records equal nfdump's own, times to the millisecond"

