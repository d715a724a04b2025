#!/bin/bash
# tshark's view of what the sFlow captures hold per sample, as the flow
# records a collector makes of them (tests/test_flow_vnfs.c):
#   NAME.sflow_flows.tsv     one row per flow sample with a sampled header
#   NAME.sflow_counters.tsv  one row per generic interface counter record
# Run from tests/data: ./make-sflow-records-truth.sh
set -eu
export WIRESHARK_CONFIG_DIR=$(mktemp -d)
trap 'rm -rf "$WIRESHARK_CONFIG_DIR"' EXIT

# tshark prints a frame's values of a field as one comma-joined list; the
# k-th value of each list belongs to the k-th sample (or record).
for cap in sflow-flow sflow-ipv6 sflow-expanded sflow-counters; do
	# The sampled headers are dissected here, so ip.src lists the outer
	# address first (IPv4 transport) and then each sample's inner one:
	# the last N values are the N samples'. TCP ports are inner only.
	tshark -n -r "$cap.pcap" -o sflow.enable_dissection:TRUE \
		-Y sflow_245.header.frame_length -T fields -E occurrence=a \
		-e frame.number -e sflow_245.header.frame_length \
		-e sflow.flow_sample.sampling_rate -e ip.src -e ip.dst -e ip.proto \
		-e tcp.srcport -e tcp.dstport 2>/dev/null |
	awk -F'\t' 'BEGIN { OFS = "\t"
		print "frame.number", "flow_index", "frame_length", "sampling_rate",
		      "ip.src", "ip.dst", "ip.proto", "tcp.srcport", "tcp.dstport" }
	{
		n = split($2, len, ","); split($3, rate, ",")
		ns = split($4, src, ","); split($5, dst, ","); np = split($6, proto, ",")
		nt = split($7, sp, ","); split($8, dp, ",")
		for (k = 1; k <= n; k++) {
			i = ns - n + k; j = np - n + k
			tcp = (proto[j] == 6 && nt == n) ? k : 0
			print $1, k, len[k], rate[k], src[i], dst[i], proto[j],
			      tcp ? sp[k] : "", tcp ? dp[k] : ""
		}
	}' >"$cap.sflow_flows.tsv"

	tshark -n -r "$cap.pcap" -Y sflow_245.ifindex -T fields -E occurrence=a \
		-e frame.number -e sflow_245.ifindex -e sflow_245.iftype \
		-e sflow_245.ifspeed -e sflow_245.ifdirection -e sflow_245.ifadmin_status \
		-e sflow_245.ifoper_status -e sflow_245.ifinoct -e sflow_245.ifinpkt \
		-e sflow_245.ifinmcast -e sflow_245.ifinbcast -e sflow_245.ifindisc \
		-e sflow_245.ifinerr -e sflow_245.ifinunk -e sflow_245.ifoutoct \
		-e sflow_245.ifoutpkt -e sflow_245.ifoutmcast -e sflow_245.ifoutbcast \
		-e sflow_245.ifoutdisc -e sflow_245.ifouterr -e sflow_245.ifpromisc 2>/dev/null |
	awk -F'\t' 'BEGIN { OFS = "\t"
		print "frame.number", "counters_index", "ifindex", "iftype", "ifspeed",
		      "ifdirection", "ifadmin_status", "ifoper_status", "ifinoct", "ifinpkt",
		      "ifinmcast", "ifinbcast", "ifindisc", "ifinerr", "ifinunk", "ifoutoct",
		      "ifoutpkt", "ifoutmcast", "ifoutbcast", "ifoutdisc", "ifouterr",
		      "ifpromisc" }
	{
		n = split($2, v, ",")
		for (k = 1; k <= n; k++) {
			line = $1 OFS k
			for (f = 2; f <= NF; f++) { split($f, v, ","); line = line OFS v[k] }
			print line
		}
	}' >"$cap.sflow_counters.tsv"
done
# A capture without such samples gets no file.
for f in *.sflow_flows.tsv *.sflow_counters.tsv; do
	[ "$(wc -l <"$f")" -gt 1 ] || rm -f "$f"
done
