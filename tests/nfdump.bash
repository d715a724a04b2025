# Helpers for the tests of snapvnfd --nfdump-dir with the real nfcapd,
# softflowd and nfdump (sourced after lib.bash).
for p in nfcapd nfdump softflowd jq; do
	command -v $p >/dev/null || fail "$p is missing (scripts/deps.sh installs it)"
done

# An nfcapd file of a capture's NetFlow v9 export by softflowd: $2.
export_file() {
	local cap=$1 out=$2 dir=$T/nfcapd.$$ port ncpid i
	rm -rf "$dir"; mkdir "$dir"
	for i in $(seq 20); do
		port=$((20000 + RANDOM % 30000))
		nfcapd -w "$dir" -b 127.0.0.1 -p $port -t 3600 > "$dir.log" 2>&1 & ncpid=$!
		for _ in $(seq 30); do
			kill -0 $ncpid 2>/dev/null || break
			ls "$dir"/nfcapd.current.* >/dev/null 2>&1 && break 2
			sleep 0.1
		done
		kill $ncpid 2>/dev/null; wait $ncpid 2>/dev/null
		[ $i -eq 20 ] && fail "nfcapd did not start: $(tail -3 "$dir.log")"
	done
	timeout 60 softflowd -r "$cap" -n 127.0.0.1:$port -v 9 -a -d -c none -p "$T/sf.pid" \
		> "$T/softflowd.log" 2>&1 || fail "softflowd failed on $cap"
	# softflowd is done sending, but nfcapd may not have read it all: a
	# datagram still queued at SIGTERM is lost. Wait for an empty queue.
	for i in $(seq 100); do
		[ "$(ss -Hunl "sport = :$port" | awk '{ print $2; exit }')" = 0 ] && break
		[ $i -eq 100 ] && fail "nfcapd left datagrams unread for 10 s"
		sleep 0.1
	done
	kill $ncpid  # nfcapd writes and renames its file on the way out
	wait_exit $ncpid 20 >/dev/null
	mv "$dir"/nfcapd.2* "$out" || fail "nfcapd wrote no file for $cap"
}

# nfdump's own view, one line per record: src dst sport dport proto packets bytes first_ms last_ms
raw() {
	nfdump -r "$1" -o raw | awk '
	function out() { if (n) print sa, da, sp, dp, pr, pk, by, f, l }
	/^Flow Record:/ { out(); n = 1; sp = dp = 0; next }
	$1 == "first" { f = $3 } $1 == "last" { l = $3 } $1 == "proto" { pr = $3 }
	$1 == "src" && $2 == "addr" { sa = $4 } $1 == "dst" && $2 == "addr" { da = $4 }
	$1 == "src" && $2 == "port" { sp = $4 } $1 == "dst" && $2 == "port" { dp = $4 }
	$1 == "ICMP" { split($3, t, "."); dp = t[1] * 256 + t[2] }
	$1 == "in" && $2 == "packets" { pk = $4 } $1 == "in" && $2 == "bytes" { by = $4 }
	END { out() }'
}

# flow_dump's records in the same form.
mine() {
	jq -r 'select(.event == "flow") | "\(.src) \(.dst) \(.sport) \(.dport) \(.proto) \(.packets) \(.bytes) \(.first * 1000 | round) \(.last * 1000 | round)"' "$1"
}

st() { "$B/snapvnf" status --json > "$T/status.json" 2>/dev/null; }
val() { jq -r "$1" "$T/status.json"; }

# Wait until status --json says $1 (a jq condition), at most $2 s.
wait_for() {
	local i
	for i in $(seq $(($2 * 10))); do
		st && jq -e "$1" "$T/status.json" >/dev/null && return 0
		sleep 0.1
	done
	fail "waited $2 s for $1: $(jq -c '{nfdump, c: .collector | del(.agents), s: .services}' "$T/status.json")"
}

# snapvnfd --nfdump-dir $T/flows with options $1, its log in $2; sets $dpid.
start_daemon() {
	W=$T/flows
	mkdir -p "$W"
	"$B/snapvnfd" --nfdump-dir "$W" $1 2> "$2" & dpid=$!; PIDS+=($dpid)
	wait_ctl
}
