#!/bin/bash
# examples/nolib/phishing_nolib (libpcap only, for the line count in
# README.md) must report the same alerts as examples/phishing through
# snapvnfd replaying the same capture, at the daemon's default snap
# length and at 1024 bytes (where more requests hold their Host).
set -u
. "$(dirname "$0")/lib.bash"

command -v jq >/dev/null || fail "jq is missing (scripts/deps.sh installs it)"
nolib=$B/examples/nolib/phishing_nolib
[ -x "$nolib" ] || fail "no $nolib (make builds it)"
cap=data/demo.pcap bl=examples/blocklist.txt
key='[.ts, .src, .dst, .sport, .dport, .host, .uri, .entry, .client] | @tsv'

for snap in 150 1024; do
	"$B/snapvnfd" -q -s $snap -r $cap --wait-for 1 & dpid=$!; PIDS+=($dpid)
	wait_ctl
	"$B/examples/phishing" $bl > "$T/lib.$snap" || fail "phishing exited with $?"
	wait_exit $dpid 60 || fail "snapvnfd exited with $?"
	"$nolib" -s $snap -r $cap $bl > "$T/nolib.$snap" 2> "$T/nolib.$snap.err" ||
		fail "phishing_nolib exited with $?: $(cat "$T/nolib.$snap.err")"
	jq -r "select(.event == \"alert\") | $key" "$T/lib.$snap" > "$T/a"
	jq -r "$key" "$T/nolib.$snap" > "$T/b"
	[ -s "$T/a" ] || fail "snaplen $snap: the library reported no alert"
	diff "$T/a" "$T/b" > "$T/diff" || fail "snaplen $snap: alerts differ: $(head -5 "$T/diff")"
	echo "snaplen $snap: the same $(wc -l < "$T/a") alerts; $(cat "$T/nolib.$snap.err")"
done
