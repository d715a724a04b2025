#!/bin/bash
# The nft enforcer for real, in network namespaces of this test's own (the
# host's ruleset is never touched), families inet and bridge. What the
# kernel holds is read with `nft -j list ruleset` and compared with what
# `snapvnf actions` says is in force; that the rules drop is shown by ping
# and by the chain's own counters.
#  - leftovers: a table of ours made by hand before the start is counted
#    (its elements) and removed; somebody else's table stays;
#  - apply: source, pair, pair+protocol, pair+protocol+port, IPv4 and IPv6,
#    each the element `snapvnf actions` lists, with its timeout;
#  - expire: the kernel's timeout and the daemon's TTL both remove it, and
#    the blocked host gets through again;
#  - remove: snapvnf unblock; the allow-list: refused, no element;
#  - a table deleted under the daemon is made again at the next rule;
#  - exit: no table, no enforcer.
# Root only (namespaces); nft comes from scripts/deps.sh test.
set -u
. "$(dirname "$0")/lib.bash"
[ "$(id -u)" -eq 0 ] || skip "needs root (network namespaces, nftables)"
command -v nft >/dev/null || fail "nft is missing (scripts/deps.sh test installs nftables)"
command -v jq >/dev/null || fail "jq is missing"

P=svnft$$
NSS=()
ns_cleanup() {
	local n
	cleanup
	for n in "${NSS[@]}"; do ip netns del "$n" 2>/dev/null; done
}
trap ns_cleanup EXIT
mkns() { ip netns add "$1" && NSS+=("$1") && ip -n "$1" link set lo up; }
nsx() { local n=$1; shift; ip netns exec "$n" "$@"; }

# wait_for DESC 'SHELL TEST': until it holds (evaluated anew each time), at most 10 s.
wait_for() {
	local what=$1 cond=$2
	for i in $(seq 101); do
		[ "$i" -eq 101 ] && fail "waited 10 s for $what; events: $(cut -c1-200 "$T/door.json"); log: $(cat "$T/daemon.log")"
		eval "$cond" && return 0
		sleep 0.1
	done
}
applied() { jq -sc "[.[] | select(.decision == \"applied\")] | length" "$T/door.json"; }

# The elements of our table as nft itself lists them, one line each:
# "SET VALUE TIMEOUT" (values joined by " . ", protocols as numbers).
kernel() {  # kernel NS FAMILY TABLE
	nsx "$1" nft -j list ruleset | jq -r --arg f "$2" --arg t "$3" '
		def proto: if type == "string" then ({"tcp": 6, "udp": 17, "icmp": 1, "ipv6-icmp": 58, "sctp": 132}[.] // .) else . end;
		def val: if type == "object" and has("concat") then [.concat[] | proto | tostring] | join(" . ") else tostring end;
		.nftables[] | select(.set and .set.family == $f and .set.table == $t) | .set as $s |
		($s.elem // [])[] | (if type == "object" and has("elem") then .elem else {val: .} end) |
		"\($s.name) \(.val | val) \(.timeout)"' | sort
}
# What snapvnf actions says is in force, in the same form.
ours() {
	"$B/snapvnf" actions --json | jq -r '.[] |
		(if .src | test(":") then "6" else "4" end) as $v |
		if .scope == "src" then "src\($v) \(.src) \(.ttl)"
		elif .dport then "pairpp\($v) \(.src) . \(.dst) . \(.proto) . \(.dport) \(.ttl)"
		elif .proto then "pairp\($v) \(.src) . \(.dst) . \(.proto) \(.ttl)"
		else "pair\($v) \(.src) . \(.dst) \(.ttl)" end' | sort
}
# The packets the chain's rule on SET has dropped.
dropped() {  # dropped NS FAMILY TABLE SET
	nsx "$1" nft -j list ruleset | jq --arg f "$2" --arg t "$3" --arg s "@$4" '
		[.nftables[] | select(.rule and .rule.family == $f and .rule.table == $t) | .rule.expr |
		 select(any(.[]; .match.right? == $s)) | .[] | .counter.packets? // empty] | add // 0'
}

SP=$(python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
start() {  # start NS ENFORCER
	: >"$T/door.json"
	ip netns exec "$1" "$B/snapvnfd" --sflow 127.0.0.1:"$SP" --enforcer "$2" \
		--never-block 10.99.0.9/32 --action-events "$T/door.json" 2>>"$T/daemon.log" &
	D=$!
	PIDS+=($D)
	wait_ctl
	EP=$("$B/snapvnf" status --json | jq .actions.enforcer_pid)
}
stop() {  # stop NS FAMILY TABLE
	kill "$D"
	wait_exit "$D" 20 >/dev/null
	kill -0 "$EP" 2>/dev/null && fail "the enforcer (pid $EP) outlived the daemon"
	nsx "$1" nft list table "$2" "$3" >/dev/null 2>&1 && fail "table $2 $3 left after exit: $(nsx "$1" nft list table "$2" "$3")"
	return 0
}

# ---- inet: a router R and a host C on a veth ----
R=$P-r C=$P-c
mkns "$R" && mkns "$C" || fail "cannot make network namespaces"
ip link add "$P-a" netns "$R" type veth peer name eth0 netns "$C" || fail "cannot make a veth pair"
nsx "$R" ip addr add 10.99.0.1/24 dev "$P-a"
nsx "$R" ip addr add fd99::1/64 dev "$P-a" nodad
nsx "$C" ip addr add 10.99.0.2/24 dev eth0
nsx "$C" ip addr add fd99::2/64 dev eth0 nodad
nsx "$R" ip link set "$P-a" up
nsx "$C" ip link set eth0 up
nsx "$C" ping -c 1 -w 5 10.99.0.1 >/dev/null || fail "no ping between the namespaces before any rule"

# Leftovers: our table with two elements, and somebody else's table.
nsx "$R" nft -f - <<'EOF' || fail "cannot make the leftover tables"
add table inet snapvnf
add set inet snapvnf src4 { type ipv4_addr; flags timeout; }
add element inet snapvnf src4 { 10.5.5.5 timeout 300s, 10.5.5.6 timeout 300s }
add table inet other
add set inet other keep { type ipv4_addr; }
add element inet other keep { 10.6.6.6 }
EOF
start "$R" nft
[ "$("$B/snapvnf" status --json | jq .actions.leftovers)" = 2 ] ||
	fail "leftovers: $("$B/snapvnf" status --json | jq -c .actions) (2 elements were left)"
jq -se 'any(.[]; .decision == "leftovers" and .removed == 2 and .backend == "nft")' "$T/door.json" >/dev/null ||
	fail "no leftovers event: $(cat "$T/door.json")"
nsx "$R" nft list table inet snapvnf >/dev/null 2>&1 && fail "the leftover table is still there"
[ "$(kernel "$R" inet other)" = "keep 10.6.6.6 null" ] || fail "somebody else's table was touched: $(nsx "$R" nft list table inet other)"

# Apply: one rule of each shape.
"$B/snapvnf" block 10.99.0.2 --ttl 3 --reason test >/dev/null || fail "block 10.99.0.2 refused"
"$B/snapvnf" block fd99::2 --ttl 60 >/dev/null || fail "block fd99::2 refused"
"$B/snapvnf" block 10.1.1.1 --to 10.1.1.2 --ttl 60 >/dev/null || fail "pair refused"
"$B/snapvnf" block 10.1.1.3 --to 10.1.1.4 --proto udp --ttl 60 >/dev/null || fail "pair+proto refused"
"$B/snapvnf" block 2001:db8::3 --to 2001:db8::4 --proto tcp --dport 443 --ttl 60 >/dev/null ||
	fail "pair+port refused"
wait_for "five applied events" '[ "$(applied)" = 5 ]'
got=$(kernel "$R" inet snapvnf) want=$(ours)
[ -n "$got" ] && [ "$got" = "$want" ] || fail "nft holds:
$got
snapvnf actions says:
$want"
[ "$(echo "$got" | wc -l)" = 5 ] || fail "expected 5 elements: $got"
echo "nft elements = snapvnf actions: $(echo "$got" | paste -sd ';')"

# They drop: C can reach R neither over IPv4 nor IPv6, and the counters say why.
nsx "$C" ping -c 2 -i 0.2 -W 1 10.99.0.1 >/dev/null && fail "10.99.0.2 still reaches the router"
nsx "$C" ping -6 -c 2 -i 0.2 -W 1 fd99::1 >/dev/null && fail "fd99::2 still reaches the router"
[ "$(dropped "$R" inet snapvnf src4)" -ge 2 ] || fail "the src4 rule counted $(dropped "$R" inet snapvnf src4) drops"
[ "$(dropped "$R" inet snapvnf src6)" -ge 2 ] || fail "the src6 rule counted $(dropped "$R" inet snapvnf src6) drops"

# Expire: 3 s later rule 1 is gone from the kernel and the daemon; C gets through.
wait_for "rule 1 to expire" 'jq -se "any(.[]; .decision == \"expired\" and .id == 1)" "$T/door.json" >/dev/null'
kernel "$R" inet snapvnf | grep -q '^src4 ' && fail "the expired element is still in the kernel: $(kernel "$R" inet snapvnf)"
nsx "$C" ip neigh flush dev eth0
nsx "$C" ping -c 1 -w 5 10.99.0.1 >/dev/null || fail "10.99.0.2 is still blocked after its TTL"
grep -q "rule 1 not\|cannot" "$T/daemon.log" && fail "expiry went wrong: $(cat "$T/daemon.log")"

# Remove: snapvnf unblock.
"$B/snapvnf" unblock fd99::2 >/dev/null || fail "unblock fd99::2 failed"
wait_for "fd99::2 to leave the kernel" '! kernel "$R" inet snapvnf | grep -q "^src6 "'
# While blocked, C's neighbour discovery for fd99::1 failed; a FAILED entry
# makes ping give up at once, so start C's resolution afresh.
nsx "$C" ip -6 neigh flush dev eth0
nsx "$C" ping -6 -c 1 -w 5 fd99::1 >/dev/null || fail "fd99::2 is still blocked after unblock"
[ "$(kernel "$R" inet snapvnf)" = "$(ours)" ] || fail "after unblock the kernel and the daemon disagree"

# The allow-list: refused, reported, nothing in the kernel.
"$B/snapvnf" block 10.99.0.9 2>"$T/refused" && fail "a never-block address was accepted"
grep -q 'refused=allowlist' "$T/refused" || fail "no allowlist refusal: $(cat "$T/refused")"
"$B/snapvnf" block 10.99.0.1 2>"$T/refused" && fail "the router's own address was accepted"
kernel "$R" inet snapvnf | grep -q '10\.99\.0\.[19]' && fail "a refused rule reached the kernel"

# Somebody deletes our table: the next rule makes it again.
nsx "$R" nft delete table inet snapvnf || fail "cannot delete the table"
"$B/snapvnf" block 10.99.0.2 --ttl 60 >/dev/null || fail "block after the table was deleted refused"
wait_for "a sixth applied event" '[ "$(applied)" = 6 ]'
kernel "$R" inet snapvnf | grep -q '^src4 10.99.0.2 60$' || fail "the table was not made again: $(kernel "$R" inet snapvnf)"
stop "$R" inet snapvnf
[ "$(kernel "$R" inet other)" = "keep 10.6.6.6 null" ] || fail "somebody else's table was touched at exit"
nsx "$C" ip neigh flush dev eth0
nsx "$C" ping -c 1 -w 5 10.99.0.1 >/dev/null || fail "10.99.0.2 is blocked after exit"

# ---- bridge: a Linux bridge B between hosts X (10.98.0.1) and Y (10.98.0.2) ----
Bn=$P-b X=$P-x Y=$P-y
mkns "$Bn" && mkns "$X" && mkns "$Y" || fail "cannot make network namespaces"
nsx "$Bn" ip link add br0 type bridge stp_state 0
nsx "$Bn" ip link set br0 up
for h in X Y; do
	n=${!h}
	ip link add "$P-$h" netns "$Bn" type veth peer name eth0 netns "$n"
	nsx "$Bn" ip link set "$P-$h" master br0
	nsx "$Bn" ip link set "$P-$h" up
	nsx "$n" ip link set eth0 up
done
nsx "$X" ip addr add 10.98.0.1/24 dev eth0
nsx "$Y" ip addr add 10.98.0.2/24 dev eth0
nsx "$X" ping -c 1 -w 5 10.98.0.2 >/dev/null || fail "no ping across the bridge before any rule"
start "$Bn" nft:family=bridge,table=svtest
# Only UDP from X to Y's port 9: what reaches Y is read from Y's own
# counters (UDP NoPorts: nothing listens on 9 or 10).
noports() { nsx "$Y" awk '/^Udp:/ { if (h) print $3; h = 1 }' /proc/net/snmp; }
"$B/snapvnf" block 10.98.0.1 --to 10.98.0.2 --proto udp --dport 9 --ttl 60 >/dev/null ||
	fail "bridge block refused"
wait_for "the bridge rule" '[ "$(applied)" = 1 ]'
[ "$(kernel "$Bn" bridge svtest)" = "$(ours)" ] ||
	fail "bridge: nft holds $(kernel "$Bn" bridge svtest); snapvnf actions says $(ours)"
n0=$(noports)
for port in 9 9 9 10 10 9 10; do nsx "$X" bash -c "echo x >/dev/udp/10.98.0.2/$port"; done
wait_for "Y to count the datagrams to port 10" '[ $(($(noports) - n0)) -ge 3 ]'
[ $(($(noports) - n0)) = 3 ] || fail "Y received $(($(noports) - n0)) datagrams; only the 3 to port 10 should pass"
[ "$(dropped "$Bn" bridge svtest pairpp4)" = 4 ] ||
	fail "the bridge rule counted $(dropped "$Bn" bridge svtest pairpp4) drops, not 4"
nsx "$X" ping -c 1 -w 5 10.98.0.2 >/dev/null || fail "X cannot ping Y: the rule blocks more than it says"
stop "$Bn" bridge svtest
nsx "$X" ping -c 1 -w 5 10.98.0.2 >/dev/null || fail "X is blocked after exit"
echo "ok: nft inet and bridge: leftovers, apply (= nft -j list ruleset), drop, expire, unblock, allow-list, exit"
