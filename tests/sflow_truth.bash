# Expected flow records of the sFlow captures, from tshark's truth files in
# tests/data (sourced by the sflow_*.sh tests, after lib.bash).
D=tests/data

# A truth file's rows without the header line; nothing if there is none
# (a capture without such samples has no file).
rows() { [ -f "$1" ] && tail -n +2 "$1"; }

# Expected `sample` records, one line each:
#   agent rate in_if out_if frame_len src dst proto sport dport
# out_if as sFlow's compact form encodes it (flow.h): format << 30 | value.
# The header fields come from NAME.sflow_flows.tsv, matched on the frame
# and the sample's rank among the frame's flow samples; "*" where tshark
# has no value (no TCP ports outside TCP). A sample without its row there
# gets "no-row" fields, which match nothing: a lost truth file fails.
expect_samples() {
	awk -F'\t' -v S="$D/$1.sflow.tsv" -v H="$D/$1.sflow_flows.tsv" '
	BEGIN {
		while ((getline l < S) > 0) { split(l, f, "\t"); agent[f[1]] = f[2] != "" ? f[2] : f[3] }
		while ((getline l < H) > 0) {
			split(l, f, "\t"); k = f[1] SUBSEP f[2]
			hdr[k] = f[3] " " f[5] " " f[6] " " f[7] " " (f[8] == "" ? "*" : f[8]) " " (f[9] == "" ? "*" : f[9])
		}
	}
	NR > 1 {
		rank[$1]++
		k = $1 SUBSEP rank[$1]
		out = $10 == 0 ? $9 : $10 * 1073741824 + $9
		printf "%s %s %s %.0f %s\n", agent[$1], $5, $8, out, (k in hdr) ? hdr[k] : "no-row no-row no-row no-row no-row no-row"
	}' "$D/$1.sflow_samples.tsv" 2>/dev/null
}

# Expected `counters` records: the agent, then every generic interface
# counter in flow_dump's order (if_status: bit 0 admin up, bit 1 oper up).
expect_counters() {
	rows "$D/$1.sflow_counters.tsv" | awk -F'\t' -v S="$D/$1.sflow.tsv" '
	BEGIN { while ((getline l < S) > 0) { split(l, f, "\t"); agent[f[1]] = f[2] != "" ? f[2] : f[3] } }
	{
		printf "%s %s %s %s %s %d", agent[$1], $3, $4, $5, $6, ($7 == 1) + 2 * ($8 == 1)
		for (i = 9; i <= 22; i++) printf " %s", $i
		printf "\n"
	}'
}

# Compare expected and got, line by line; "*" in expected matches anything.
compare() {
	local what=$1 exp=$2 got=$3
	[ "$(wc -l <"$exp")" -eq "$(wc -l <"$got")" ] ||
		fail "$what: $(wc -l <"$got") records, tshark says $(wc -l <"$exp")"
	paste -d'|' "$exp" "$got" | awk -F'|' -v what="$what" '
	{
		n = split($1, e, " "); m = split($2, g, " ")
		bad = n != m
		for (i = 1; i <= n && !bad; i++) if (e[i] != "*" && e[i] != g[i]) bad = 1
		if (bad) { printf "FAIL: %s, record %d:\n  tshark: %s\n  ours:   %s\n", what, NR, $1, $2; exit 1 }
	}' || exit 1
}

# Our records in flow_dump's JSON lines ($1), in the same columns.
got_samples() {
	jq -r 'select(.kind == "sample") |
		"\(.agent) \(.sampling_rate) \(.in_if) \(.out_if) \(.frame_len) \(.src) \(.dst) \(.proto) \(.sport) \(.dport)"' "$1"
}
got_counters() {
	jq -r 'select(.kind == "counters") | [.agent, .ifindex, .if_type, .if_speed, .if_direction,
		.if_status, .in_octets, .in_ucast, .in_mcast, .in_bcast, .in_discards, .in_errors,
		.in_unknown, .out_octets, .out_ucast, .out_mcast, .out_bcast, .out_discards,
		.out_errors, .promisc] | map(tostring) | join(" ")' "$1"
}
