#!/bin/bash
# The sonic enforcer against a real redis-server (started here on a free
# loopback port): the ACL_TABLE and ACL_RULE hashes it writes to database
# 4 are compared field by field, nothing more and nothing less, with the
# layout sonic-utilities writes (`config acl add table`, acl-loader) and
# docs/actions.md documents; read back with redis-cli, not with our code.
# Also: a leftover rule of an earlier run is removed at start, allow-listed
# addresses are refused and never reach Redis, a rule goes at its TTL and
# with `snapvnf unblock`, everything goes at exit, and a killed enforcer
# makes the door refuse.
set -u
. "$(dirname "$0")/lib.bash"
command -v redis-server >/dev/null || fail "redis-server is missing (scripts/deps.sh test installs it)"
command -v redis-cli >/dev/null || fail "redis-cli is missing (scripts/deps.sh test installs redis-tools)"
command -v jq >/dev/null || fail "jq is missing"

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
RP=$(free_port)
redis-server --port "$RP" --bind 127.0.0.1 --save '' --appendonly no --dir "$T" \
	>"$T/redis.log" 2>&1 &
PIDS+=($!)
R() { redis-cli -p "$RP" -n 4 "$@"; }
for i in $(seq 101); do
	[ "$i" -eq 101 ] && fail "redis-server did not answer on port $RP: $(tail -3 "$T/redis.log")"
	[ "$(redis-cli -p "$RP" ping 2>/dev/null)" = PONG ] && break
	sleep 0.1
done

# hash KEY: its fields as sorted "FIELD=VALUE" lines.
hash() { R HGETALL "$1" | paste -d= - - | sort; }
expect_hash() {
	local got want
	got=$(hash "$1")
	want=$(printf '%s\n' "${@:2}" | sort)
	[ "$got" = "$want" ] || fail "$1 in Redis:
$got
documented:
$want"
}
# wait_for DESC 'SHELL TEST': until it holds (evaluated anew each time), at most 10 s.
wait_for() {
	local what=$1 cond=$2
	for i in $(seq 101); do
		[ "$i" -eq 101 ] && fail "waited 10 s for $what; events: $(cut -c1-160 "$T/door.json"); log: $(cat "$T/daemon.log")"
		eval "$cond" && return 0
		sleep 0.1
	done
}

# A rule an earlier run left behind, and one of somebody else's table.
R HSET 'ACL_RULE|SNAPVNF|RULE_77' PRIORITY 9000 PACKET_ACTION DROP SRC_IP 10.5.5.5/32 >/dev/null
R HSET 'ACL_RULE|OTHER|RULE_1' PRIORITY 10 PACKET_ACTION FORWARD SRC_IP 10.6.6.6/32 >/dev/null

SP=$(python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
start() {
	"$B/snapvnfd" --sflow 127.0.0.1:"$SP" --enforcer "sonic:Ethernet0,Ethernet4,port=$RP" \
		--never-block 10.200.0.0/16 --action-events "$T/door.json" 2>>"$T/daemon.log" &
	D=$!
	PIDS+=($D)
	wait_ctl
}
start
[ "$(R EXISTS 'ACL_RULE|SNAPVNF|RULE_77')" = 0 ] || fail "the leftover rule is still there"
[ "$(R EXISTS 'ACL_RULE|OTHER|RULE_1')" = 1 ] || fail "a rule of another table was removed"
[ "$("$B/snapvnf" status --json | jq .actions.leftovers)" = 1 ] || fail "leftovers not counted"
jq -se 'any(.[]; .decision == "leftovers" and .removed == 1)' "$T/door.json" >/dev/null ||
	fail "no leftovers event"

"$B/snapvnf" block 10.77.10.3 --ttl 3 --reason syn_flood >"$T/b1" || fail "block refused: $(cat "$T/b1")"
"$B/snapvnf" block 2001:db8::7 --to 2001:db8::8 --proto tcp --dport 443 --ttl 60 >"$T/b2" ||
	fail "pair block refused"
grep -q '^id=1 ' "$T/b1" && grep -q '^id=2 ' "$T/b2" || fail "unexpected ids: $(cat "$T/b1" "$T/b2")"
wait_for "two applied events" '[ "$(jq -c '\''select(.decision == "applied")'\'' "$T/door.json" | wc -l)" -eq 2 ]'

expect_hash 'ACL_TABLE|SNAPVNF' 'policy_desc=snapvnf blocks' type=L3V4V6 stage=ingress \
	'ports@=Ethernet0,Ethernet4'
expect_hash 'ACL_RULE|SNAPVNF|RULE_1' PRIORITY=9000 PACKET_ACTION=DROP ETHER_TYPE=2048 \
	SRC_IP=10.77.10.3/32
expect_hash 'ACL_RULE|SNAPVNF|RULE_2' PRIORITY=9000 PACKET_ACTION=DROP ETHER_TYPE=34525 \
	SRC_IPV6=2001:db8::7/128 DST_IPV6=2001:db8::8/128 IP_PROTOCOL=6 L4_DST_PORT=443

# The allow-list: refused, reported, and nothing written.
"$B/snapvnf" block 10.200.3.4 2>"$T/refused" && fail "a never-block address was accepted"
grep -q 'refused=allowlist' "$T/refused" || fail "no allowlist refusal: $(cat "$T/refused")"
jq -se 'any(.[]; .decision == "refused" and .src == "10.200.3.4" and .refused == "allowlist")' \
	"$T/door.json" >/dev/null || fail "no refused event for 10.200.3.4"
[ "$(R KEYS 'ACL_RULE|SNAPVNF|*' | grep -c SNAPVNF)" = 2 ] || fail "a refused rule reached Redis"

# TTL: rule 1 goes after 3 s, rule 2 stays until unblocked.
wait_for "rule 1 to expire" '[ "$(R EXISTS '\''ACL_RULE|SNAPVNF|RULE_1'\'')" = 0 ]'
jq -se 'any(.[]; .decision == "expired" and .id == 1)' "$T/door.json" >/dev/null || fail "no expired event"
[ "$(R EXISTS 'ACL_RULE|SNAPVNF|RULE_2')" = 1 ] || fail "rule 2 went early"
"$B/snapvnf" unblock 2 >/dev/null || fail "unblock 2 failed"
wait_for "rule 2 to go" '[ "$(R EXISTS '\''ACL_RULE|SNAPVNF|RULE_2'\'')" = 0 ]'

# At exit everything of ours goes, the table too; the enforcer exits.
"$B/snapvnf" block 10.77.10.4 >/dev/null || fail "block refused"
wait_for "rule 3" '[ "$(R EXISTS '\''ACL_RULE|SNAPVNF|RULE_3'\'')" = 1 ]'
EP=$("$B/snapvnf" status --json | jq .actions.enforcer_pid)
kill "$D"
wait_exit "$D" 20
[ "$(R KEYS '*' | grep -c SNAPVNF)" = 0 ] || fail "left in Redis: $(R KEYS 'ACL_*SNAPVNF*')"
kill -0 "$EP" 2>/dev/null && fail "the enforcer (pid $EP) outlived the daemon"

# A killed enforcer: reported, and the door refuses rather than pretends.
start
EP=$("$B/snapvnf" status --json | jq .actions.enforcer_pid)
kill -9 "$EP"
wait_for "the daemon to notice" '[ "$("$B/snapvnf" status --json | jq .actions.enforcer_up)" = false ]'
"$B/snapvnf" block 10.77.10.5 2>"$T/refused" && fail "a block was accepted without an enforcer"
grep -q 'refused=enforcer' "$T/refused" || fail "not refused for the enforcer: $(cat "$T/refused")"
jq -se 'any(.[]; .decision == "enforcer_down")' "$T/door.json" >/dev/null || fail "no enforcer_down event"
kill "$D"
wait_exit "$D" 20
echo "ok: sonic ACL layout, leftovers, allow-list, TTL, unblock, exit, enforcer death"
