#!/bin/bash
# Service files (`snapvnf run -f`, `snapvnf check`).
#  (a) examples/l7_monitor.service, phishing.service and edge_guard.service
#      give the same events as their C versions (examples/*.c) on
#      data/demo.pcap, replayed with sFlow records from a capture of the
#      shared test data so the flow VNFs have work; the events must not be
#      empty (each checks itself against tshark elsewhere: e2e_l7.sh,
#      nolib_phishing.sh, test_flow_vnfs);
#  (b) every bad file is refused before connecting, with FILE:LINE: and
#      what was expected, by both `snapvnf check` and `snapvnf run -f`.
set -u
. "$(dirname "$0")/lib.bash"

command -v jq >/dev/null || fail "jq is missing (scripts/deps.sh installs it)"
export SNAPVNF_PLUGIN_DIR=$T/none

"$B/snapvnf" check examples/*.service > "$T/check" 2>&1 || fail "check: $(cat "$T/check")"
[ "$(grep -c ': ok' "$T/check")" -eq 3 ] || fail "check: $(cat "$T/check")"

# (a) The same events as the C examples. The phishing file's filter
# ("tcp") must change nothing: url_filter only alerts on HTTP.
for ex in l7_monitor phishing edge_guard; do
	args=()
	[ $ex = phishing ] && args=(examples/blocklist.txt)
	"$B/snapvnfd" -q -r data/demo.pcap --sflow-pcap tests/data/sflow-ipv6.pcap --wait-for 2 &
	dpid=$!; PIDS+=($dpid)
	wait_ctl
	"$B/examples/$ex" "${args[@]}" > "$T/$ex.c" 2> "$T/$ex.c.err" & cpid=$!; PIDS+=($cpid)
	wait_services 1
	"$B/snapvnf" run -f examples/$ex.service --name "$ex-file" > "$T/$ex.f" 2> "$T/$ex.f.err" &
	fpid=$!; PIDS+=($fpid)
	wait_exit $dpid 120 || fail "$ex: snapvnfd exited with $?"
	wait_exit $cpid 30 || fail "$ex: the C example exited with $?: $(cat "$T/$ex.c.err")"
	wait_exit $fpid 30 || fail "$ex: the service file exited with $?: $(cat "$T/$ex.f.err")"
	jq -c 'del(.service)' "$T/$ex.c" | sort > "$T/a"
	jq -c 'del(.service)' "$T/$ex.f" | sort > "$T/b"
	[ -s "$T/a" ] || fail "$ex: the C example emitted nothing"
	diff "$T/a" "$T/b" > "$T/diff" || fail "$ex: events differ (< C, > file): $(head -6 "$T/diff")"
	echo "$ex: the same $(wc -l < "$T/a") events ($(jq -r .event "$T/a" | sort | uniq -c | paste -sd ' '))"
done

# (b) Bad files: each with the line and what was expected.
bad() {  # bad NAME LINE WORDS: the file $T/NAME.service is refused so
	local f=$T/$1.service rc
	"$B/snapvnf" check "$f" > /dev/null 2> "$T/err"; rc=$?
	[ $rc -eq 1 ] || fail "$1: check exited $rc"
	[ "$(wc -l < "$T/err")" -eq 1 ] || fail "$1: want one line: $(cat "$T/err")"
	grep -qF -- "$f:$2: $3" "$T/err" || fail "$1: '$(cat "$T/err")' does not say '$f:$2: $3'"
	"$B/snapvnf" --ctl "$T/no-daemon.sock" run -f "$f" > /dev/null 2> "$T/err2"; rc=$?
	[ $rc -eq 2 ] || fail "$1: run -f exited $rc: $(cat "$T/err2")"
	cmp -s "$T/err" "$T/err2" || fail "$1: run -f said '$(cat "$T/err2")'"
	echo "$1: $(cat "$T/err")"
}
w() { printf -- "$2" > "$T/$1.service"; }
w syntax 'name: x\nchain:\n  - dns\n  bad: [\n'
bad syntax 4 "YAML: did not find expected '-' indicator"
w notmap '- dns\n'
bad notmap 1 "expected a mapping of service keys"
w unknown 'name: x\nchian:\n  - dns\n'
bad unknown 2 "unknown key 'chian' (expected name, chain, plugins, events, filter)"
w twice 'name: x\nname: y\nchain: [dns]\n'
bad twice 2 "'name' is given twice"
w noname 'chain: [dns]\n'
bad noname 1 "expected 'name: SERVICE'"
w badname 'name: "a b"\nchain: [dns]\n'
bad badname 1 "name: expected a service name"
w nochain 'name: x\n'
bad nochain 1 "expected 'chain:' with at least one VNF"
w emptychain 'name: x\nchain: []\n'
bad emptychain 1 "expected 'chain:' with at least one VNF"
w chainmap 'name: x\nchain:\n  dns: 1\n'
bad chainmap 3 "chain: expected a list of VNFs"
w novnf 'name: x\nchain:\n  - args: stop\n'
bad novnf 3 "chain entry: expected 'vnf: NAME'"
w entrykey 'name: x\nchain:\n  - vnf: dns\n    argz: stop\n'
bad entrykey 4 "chain entry: unknown key 'argz' (expected vnf, args, conv)"
w nosuch 'name: x\nchain:\n  - dns\n  - vnf: dnss\n'
bad nosuch 4 "expected a VNF, there is none named 'dnss'"
w args 'name: x\nchain:\n  - vnf: syn_flood\n    args: share=2\n'
bad args 3 "syn_flood: share=2: want a number from 0.001 to 1"
w conv 'name: x\nchain:\n  - http_request\n  - vnf: url_filter\n    args: examples/blocklist.txt\n    conv: host <- hots\n'
bad conv 4 "converter http_request -> url_filter: http_request has no output member 'hots'"
w convtype 'name: x\nchain:\n  - http_request\n  - vnf: url_filter\n    args: examples/blocklist.txt\n    conv: host <- server_port\n'
bad convtype 4 "converter http_request -> url_filter, row 0: url_filter.host (char[128]) cannot take http_request.server_port (uint16)"
w listval 'name: x\nevents: [a, b]\nchain: [dns]\n'
bad listval 2 "events: expected a single value, not a list"
w filter 'name: x\nfilter: tcp prot 80\nchain: [dns]\n'
bad filter 2 "filter \"tcp prot 80\": "
w plugin 'name: x\nplugins: [/nonexistent/x.so]\nchain: [dns]\n'
bad plugin 2 "/nonexistent/x.so: cannot load"
w twodocs 'name: x\nchain: [dns]\n---\nname: y\n'
bad twodocs 3 "expected one service, found a second document"
w empty ''
bad empty 1 "expected a service (name, chain, ...), the file is empty"
"$B/snapvnf" check "$T/missing.service" 2> "$T/err" && fail "a missing file passed"
grep -qF "$T/missing.service: No such file or directory" "$T/err" || fail "missing: $(cat "$T/err")"
echo "ok: three service files as their C examples; 20 bad files refused with their line"
