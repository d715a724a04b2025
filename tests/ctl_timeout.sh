#!/bin/bash
# Every CLI call gives up on a daemon that does not answer within 10 s,
# with a message: a stopped daemon (SIGSTOP) whose listen queue is full
# (connect() itself would wait for ever), and one whose queue still takes
# the connection but which never replies.
set -u
. "$(dirname "$0")/lib.bash"

command -v python3 >/dev/null || fail "python3 is missing (scripts/deps.sh installs it)"
cap=tests/data/http-get.pcap

"$B/snapvnfd" -q -r $cap --wait-for 1 & d=$!; PIDS+=($d)
# A stopped daemon would not die of the SIGTERM the clean-up sends it.
trap 'kill -CONT $d 2>/dev/null; cleanup' EXIT
wait_ctl

# calls LABEL: run each CLI call at once, guarded by timeout(1) at 30 s;
# each must fail within 12 s (10 s and the time to start) with a message.
calls() {
	local label=$1 pids=() names=(status metrics services actions block tap run) i
	for i in "${!names[@]}"; do
		case ${names[$i]} in
		tap) args=(tap --count --name "t-$label") ;;
		run) args=(run --name "r-$label" pkt_stats) ;;
		block) args=(block 192.0.2.7) ;;
		*) args=("${names[$i]}") ;;
		esac
		( s=$(date +%s%N); timeout 30 "$B/snapvnf" "${args[@]}" >/dev/null 2> "$T/$label.${names[$i]}.err"
		  echo "$? $(( ($(date +%s%N) - s) / 1000000 ))" > "$T/$label.${names[$i]}.rc" ) &
		pids+=($!)
	done
	wait "${pids[@]}"
	for i in "${names[@]}"; do
		read -r rc ms < "$T/$label.$i.rc"
		[ "$rc" = 124 ] && fail "$label: snapvnf $i hung (killed after 30 s)"
		[ "$rc" = 0 ] && fail "$label: snapvnf $i succeeded against a stopped daemon"
		[ "$ms" -le 12000 ] || fail "$label: snapvnf $i gave up after $ms ms, not within 10 s"
		grep -q "within 10 s" "$T/$label.$i.err" || fail "$label: snapvnf $i said: $(cat "$T/$label.$i.err")"
		echo "ok: $label: snapvnf $i gave up after $ms ms: $(head -1 "$T/$label.$i.err")"
	done
}

kill -STOP $d
fill_queue "$SNAPVNF_CTL"
echo "$(cat "$T/fill.out") connections fill the stopped daemon's queue"
calls full
kill $FILLER; wait $FILLER 2>/dev/null
calls stopped
kill -CONT $d
"$B/snapvnf" status >/dev/null || fail "no status once the daemon runs again"
echo "ok: the daemon answers again after SIGCONT"
