/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * snapvnf/flow.h - a flow record as flow VNFs see it.
 *
 * Fixed-size binary records in the shared flow ring (docs/design.md, "Data path"):
 * one per sFlow flow sample, one per aggregated 5-tuple and interval, one
 * per interface counter sample. Read-only for services.
 */
#ifndef SNAPVNF_FLOW_H
#define SNAPVNF_FLOW_H

#include <stdint.h>

enum sv_flow_kind {
	SV_FLOW_SAMPLE = 1,   /* one sFlow flow sample */
	SV_FLOW_AGGREGATE,    /* packets/bytes of a 5-tuple over an interval */
	SV_FLOW_COUNTERS,     /* interface counters */
};

struct sv_flow {
	uint64_t ts_ns;          /* when the record was made (arrival / interval end) */
	uint32_t kind;           /* enum sv_flow_kind */
	uint32_t agent_index;    /* daemon's index of the agent, for status */
	uint8_t agent_family;    /* 4 or 6 */
	uint8_t ip_version;      /* of the flow's addresses, 0 if none */
	uint8_t proto;
	uint8_t tcp_flags;       /* OR of the flags seen */
	uint8_t agent[16];
	uint32_t sub_agent;
	uint32_t source_id;      /* sFlow data source (type << 24 | index) */
	uint8_t src[16];         /* IPv4 in the first 4 bytes */
	uint8_t dst[16];
	uint16_t sport, dport;
	uint16_t vlan;
	uint16_t pad0;
	/* The ifIndex; a dropped packet's out_if is 0x40000000 | reason and
	 * one sent to several ports 0x80000000 | count, as sFlow encodes them. */
	uint32_t in_if, out_if;
	uint32_t sampling_rate;
	uint32_t frame_len;      /* sampled frame length (sample records) */
	uint64_t packets;        /* estimated: sampling rate x samples */
	uint64_t bytes;          /* estimated: sampling rate x frame lengths */
	uint64_t first_ns, last_ns;

	/* SV_FLOW_COUNTERS: generic interface counters (sFlow record 1) */
	uint32_t ifindex;
	uint32_t if_type;
	uint64_t if_speed;
	uint32_t if_direction, if_status;
	uint64_t in_octets, out_octets;
	uint32_t in_ucast, in_mcast, in_bcast, in_discards, in_errors, in_unknown;
	uint32_t out_ucast, out_mcast, out_bcast, out_discards, out_errors, promisc;
};

#endif
