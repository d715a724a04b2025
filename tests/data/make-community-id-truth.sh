#!/bin/bash
# tshark's Community ID (its "communityid" post-dissector, seed 0, base64)
# of every packet of every capture here, for tests/test_community_id.c:
#   NAME.cid.tsv           frame.number, communityid (empty: none)
#   NAME.sflow_origin.tsv  for each sFlow datagram with sampled headers
#                          (tests/test_events.c): the agent (v4 or v6),
#                          each flow sample's input ifIndex (compact or
#                          expanded form, comma-joined in sample order) and
#                          each sampled header's Community ID (see below)
# Reassembly is off, so each packet is hashed as it stands, as a snap is:
# a first fragment has its ports, a later one has none; and an sFlow
# datagram's sampled headers are not dissected, so its ID is the datagram's
# own (the daemon unwraps ERSPAN only; tshark's ID is always of the
# innermost IP it dissected). Run from
# tests/data: ./make-community-id-truth.sh
set -eu
export WIRESHARK_CONFIG_DIR=$(mktemp -d)
trap 'rm -rf "$WIRESHARK_CONFIG_DIR"' EXIT

for pcap in *.pcap; do
	name=${pcap%.pcap}
	{
		printf 'frame.number\tcommunityid\n'
		tshark -n -r "$pcap" --enable-protocol communityid \
			-o ip.defragment:FALSE -o ipv6.defragment:FALSE \
			-o sflow.enable_dissection:FALSE \
			-o communityid.seed:0 -o communityid.do_base64:TRUE \
			-T fields -e frame.number -e communityid 2>/dev/null
	} >"$name.cid.tsv"
done

# tshark's ID of a datagram is no truth for its sampled headers: it mixes
# layers (an ICMP echo inside sFlow is dissected "in an error packet", so
# the ICMP type never reaches its Community ID code). Each sampled header
# is cut out (all here are Ethernet, header_protocol 1), written to a
# capture of its own with text2pcap and hashed there, as a packet.
work=$(mktemp -d)
trap 'rm -rf "$WIRESHARK_CONFIG_DIR" "$work"' EXIT
for pcap in sflow-*.pcap; do
	name=${pcap%.pcap}
	tshark -n -r "$pcap" -o sflow.enable_dissection:FALSE -Y sflow_245.header \
		-T fields -E occurrence=a -e frame.number -e sflow_245.header_protocol \
		-e sflow_245.agent -e sflow_245.agent.v6 -e sflow.flow_sample.input_interface \
		-e sflow.flow_sample.input_interface_value -e sflow_245.header \
		2>/dev/null >"$work/rows"
	if cut -f2 "$work/rows" | tr , '\n' | grep -qv '^1$'; then
		echo "$pcap: a sampled header that is not Ethernet" >&2
		exit 1
	fi
	# One text2pcap packet per sampled header, in order.
	cut -f7 "$work/rows" | tr , '\n' | sed '/^$/d' |
		awk '{ printf "000000"; for (i = 1; i < length($0); i += 2)
			printf " %s", substr($0, i, 2); print "" }' >"$work/hex"
	ids=""
	if [ -s "$work/hex" ]; then
		text2pcap -q "$work/hex" "$work/headers.pcap" >/dev/null 2>&1
		ids=$(tshark -n -r "$work/headers.pcap" --enable-protocol communityid \
			-o ip.defragment:FALSE -o ipv6.defragment:FALSE -T fields \
			-e communityid 2>/dev/null | tr '\n' ' ')
	fi
	{
		printf 'frame.number\tagent\tagent.v6\tinput_interface\tinput_interface_value\tcommunityid\n'
		echo "$ids" | awk -F'\t' -v OFS='\t' '
			NR == 1 { n = split($0, id, " "); k = 0; next }
			{
				m = split($7, h, ",")
				list = ""
				for (j = 1; j <= m; j++)
					list = list (j > 1 ? "," : "") id[++k]
				print $1, $3, $4, $5, $6, list
			}' - "$work/rows"
	} >"$name.sflow_origin.tsv"
done
