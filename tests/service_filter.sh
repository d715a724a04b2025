#!/bin/bash
# A service's BPF filter (--filter, a service file's filter:,
# sv_service_filter()) runs before the chain: on data/demo.pcap an l7
# service filtered with 'udp port 53' gives exactly the DNS events of the
# unfiltered one that travel over UDP port 53, no HTTP or TLS event at
# all, and as many as tcpdump (an independent reader of the same BPF)
# finds DNS packets on that port. A filter that does not compile is
# refused in one line before connecting.
set -u
. "$(dirname "$0")/lib.bash"

command -v jq >/dev/null || fail "jq is missing (scripts/deps.sh installs it)"
command -v tcpdump >/dev/null || fail "tcpdump is missing (scripts/deps.sh installs it)"
export SNAPVNF_PLUGIN_DIR=$T/none
cap=data/demo.pcap

printf 'name: l7-file\nfilter: udp port 53\nchain: [http_request, dns, tls_sni]\n' > "$T/f.service"
"$B/snapvnfd" -q -r $cap --wait-for 3 & dpid=$!; PIDS+=($dpid)
wait_ctl
"$B/snapvnf" run --name l7-all http_request dns tls_sni > "$T/all" & a=$!; PIDS+=($a)
"$B/snapvnf" run --name l7-dns --filter 'udp port 53' http_request dns tls_sni > "$T/dns" &
b=$!; PIDS+=($b)
"$B/snapvnf" run -f "$T/f.service" > "$T/file" & c=$!; PIDS+=($c)
wait_exit $dpid 60 || fail "snapvnfd exited with $?"
for p in $a $b $c; do wait_exit $p 30 || fail "a service exited with $?"; done

jq -c 'select(.event == "dns" and .proto == 17 and (.sport == 53 or .dport == 53)) |
	del(.service)' "$T/all" | sort > "$T/want"
jq -c 'del(.service)' "$T/dns" | sort > "$T/got"
jq -c 'del(.service)' "$T/file" | sort > "$T/got-file"
[ -s "$T/want" ] || fail "no DNS over UDP port 53 in the unfiltered events"
diff "$T/want" "$T/got" > "$T/diff" || fail "--filter: events differ (< unfiltered on port 53): $(head -5 "$T/diff")"
diff "$T/want" "$T/got-file" > "$T/diff" || fail "filter: line: events differ: $(head -5 "$T/diff")"
[ "$(jq -c 'select(.event != "dns")' "$T/all" | wc -l)" -gt 0 ] || fail "the unfiltered run saw only DNS"

# tcpdump's count of DNS packets on UDP port 53 (its own dissector says "A?",
# "AAAA?", answers ...: every packet it prints on that port is one message).
n=$(tcpdump -n -r $cap 'udp port 53' 2> /dev/null | wc -l)
[ "$(wc -l < "$T/got")" -eq "$n" ] || fail "filtered: $(wc -l < "$T/got") DNS events, tcpdump finds $n packets"
echo "filter 'udp port 53': the $n DNS events of UDP port 53 (tcpdump: $n packets), nothing else"

"$B/snapvnf" run --filter 'udp prot 53' dns > /dev/null 2> "$T/err" && fail "a bad filter was taken"
[ "$(wc -l < "$T/err")" -eq 1 ] && grep -q 'filter "udp prot 53": can.t parse filter expression: syntax error' "$T/err" ||
	fail "bad filter: $(cat "$T/err")"
echo "ok: $(cat "$T/err")"
