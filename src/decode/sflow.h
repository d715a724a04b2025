/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sflow.h - sFlow version 5 datagrams (sflow.org, "sFlow Version 5", July
 * 2004): the datagram header, flow and counter samples (compact and
 * expanded) and the records the daemon uses from them.
 *
 * An iterator walks one datagram: sv_sflow_open() reads the header,
 * each sv_sflow_next() decodes the next sample of a known type into a
 * caller-owned struct. Nothing is allocated and nothing is called back;
 * the only pointer handed out (the sampled header bytes) points into the
 * caller's buffer and is valid as long as that buffer is.
 *
 * Everything on the wire is XDR: big-endian 32-bit words, opaque data
 * padded to a multiple of 4. Samples and records carry their length, so
 * unknown ones (another format, or a non-zero enterprise) are skipped and
 * counted. A length that runs past the end of the buffer is "truncated"
 * when the buffer is a cut copy of a longer datagram (len < wire_len) and
 * "malformed" otherwise; a length that is not a multiple of 4, too short
 * for its format, or past the end of its own container is "malformed".
 */
#ifndef SV_DECODE_SFLOW_H
#define SV_DECODE_SFLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode/cursor.h"

#define SV_SFLOW_PORT 6343

/* Sample types (enterprise 0): sv_sflow_sample.type */
#define SV_SFLOW_FLOW             1
#define SV_SFLOW_COUNTER          2
#define SV_SFLOW_FLOW_EXPANDED    3
#define SV_SFLOW_COUNTER_EXPANDED 4

/* Interface formats: sv_sflow_if.format */
#define SV_SFLOW_IF_INDEX     0 /* value is an ifIndex (0: unknown) */
#define SV_SFLOW_IF_DISCARDED 1 /* the packet was dropped; value is the reason */
#define SV_SFLOW_IF_MULTIPLE  2 /* value is the number of ports (0: unknown) */

/* Raw header protocols (sv_sflow_header.protocol), the common ones */
#define SV_SFLOW_HP_ETHERNET 1
#define SV_SFLOW_HP_IPV4     11
#define SV_SFLOW_HP_IPV6     12

/* sv_sflow_sample.records: which record structs below are filled */
#define SV_SFLOW_R_HEADER   (1U << 0) /* flow 1: raw packet header */
#define SV_SFLOW_R_ETHERNET (1U << 1) /* flow 2 */
#define SV_SFLOW_R_IPV4     (1U << 2) /* flow 3 */
#define SV_SFLOW_R_IPV6     (1U << 3) /* flow 4 */
#define SV_SFLOW_R_SWITCH   (1U << 4) /* flow 1001 */
#define SV_SFLOW_R_ROUTER   (1U << 5) /* flow 1002 */
#define SV_SFLOW_R_IF       (1U << 6) /* counter 1: generic interface */
#define SV_SFLOW_R_ETH_IF   (1U << 7) /* counter 2: Ethernet (dot3) */

/* sv_sflow_datagram.flags and sv_sflow_sample.flags */
#define SV_SFLOW_TRUNCATED (1U << 0) /* the buffer ended inside it */
#define SV_SFLOW_MALFORMED (1U << 1) /* a length or count inside it lies */

struct sv_sflow_datagram {
	uint32_t version;      /* 5 */
	uint8_t agent_af;      /* 4, 6, or 0 (address type "unknown") */
	uint8_t agent[16];     /* IPv4 in the first 4 bytes, the rest zero */
	uint32_t sub_agent_id;
	uint32_t seq;          /* datagram sequence number */
	uint32_t uptime_ms;    /* the agent's uptime */
	uint32_t n_samples;    /* as the header says (see flags) */
	uint32_t flags;        /* SV_SFLOW_MALFORMED: n_samples cannot fit */
};

struct sv_sflow_if {
	uint32_t format;       /* SV_SFLOW_IF_* (2 bits in compact samples) */
	uint32_t value;        /* 30 bits in compact samples */
};

/* Flow record 1. data points into the caller's datagram buffer. */
struct sv_sflow_header {
	uint32_t protocol;     /* SV_SFLOW_HP_* */
	uint32_t frame_length; /* of the packet on the wire, before sampling */
	uint32_t stripped;     /* bytes removed before frame_length (e.g. FCS) */
	uint32_t len;          /* header bytes at data */
	const uint8_t *data;
};

/* Flow record 2. */
struct sv_sflow_ethernet {
	uint32_t length;       /* MAC packet length */
	uint8_t src[6];
	uint8_t dst[6];
	uint32_t type;
};

/* Flow records 3 (IPv4: addresses in the first 4 bytes) and 4 (IPv6). */
struct sv_sflow_ip {
	uint32_t length;       /* IP packet length */
	uint32_t proto;
	uint8_t src[16];
	uint8_t dst[16];
	uint32_t sport;
	uint32_t dport;
	uint32_t tcp_flags;
	uint32_t tos;          /* IPv4 ToS, or the IPv6 priority */
};

/* Flow record 1001. */
struct sv_sflow_switch {
	uint32_t src_vlan;
	uint32_t src_priority;
	uint32_t dst_vlan;
	uint32_t dst_priority;
};

/* Flow record 1002. */
struct sv_sflow_router {
	uint8_t nexthop_af;    /* 4, 6, or 0 (unknown) */
	uint8_t nexthop[16];
	uint32_t src_mask;     /* prefix lengths */
	uint32_t dst_mask;
};

/* Counter record 1 (the RFC 2863 ifTable / ifXTable subset). */
struct sv_sflow_if_counters {
	uint32_t if_index;
	uint32_t if_type;
	uint64_t if_speed;
	uint32_t direction;    /* 0 unknown, 1 full duplex, 2 half, 3 in, 4 out */
	uint32_t status;       /* bit 0 admin up, bit 1 oper up */
	uint64_t in_octets;
	uint32_t in_ucast;
	uint32_t in_mcast;
	uint32_t in_bcast;
	uint32_t in_discards;
	uint32_t in_errors;
	uint32_t in_unknown_protos;
	uint64_t out_octets;
	uint32_t out_ucast;
	uint32_t out_mcast;
	uint32_t out_bcast;
	uint32_t out_discards;
	uint32_t out_errors;
	uint32_t promisc;
};

/* Counter record 2 (RFC 2358 dot3StatsTable). */
struct sv_sflow_eth_counters {
	uint32_t alignment_errors;
	uint32_t fcs_errors;
	uint32_t single_collisions;
	uint32_t multiple_collisions;
	uint32_t sqe_test_errors;
	uint32_t deferred;
	uint32_t late_collisions;
	uint32_t excessive_collisions;
	uint32_t internal_mac_tx_errors;
	uint32_t carrier_sense_errors;
	uint32_t frame_too_longs;
	uint32_t internal_mac_rx_errors;
	uint32_t symbol_errors;
};

/*
 * One flow or counter sample. The fields up to records are always set
 * (rate, pool, drops, input and output are 0 in counter samples); a
 * record struct only when its bit is in records, and the others are left
 * as they were, so a caller need not clear the struct between calls.
 * When a sample holds two records of one kind, the first is kept and the
 * second counted in n_skipped.
 */
struct sv_sflow_sample {
	uint32_t type;         /* SV_SFLOW_FLOW ... SV_SFLOW_COUNTER_EXPANDED */
	uint32_t flags;        /* SV_SFLOW_TRUNCATED, SV_SFLOW_MALFORMED */
	uint32_t seq;          /* per source id, flow and counter apart */
	uint32_t source_type;  /* 0 ifIndex, 1 VLAN, 2 physical, 3 logical entity */
	uint32_t source_index;
	uint32_t sampling_rate;
	uint32_t sample_pool;
	uint32_t drops;
	struct sv_sflow_if input;
	struct sv_sflow_if output;
	uint32_t n_records;    /* as the sample says */
	uint32_t n_skipped;    /* records of unknown formats, or repeated */
	uint32_t records;      /* SV_SFLOW_R_* */

	struct sv_sflow_header hdr;
	struct sv_sflow_ethernet eth;
	struct sv_sflow_ip ip4;
	struct sv_sflow_ip ip6;
	struct sv_sflow_switch sw;
	struct sv_sflow_router router;
	struct sv_sflow_if_counters ifc;
	struct sv_sflow_eth_counters ethc;
};

/*
 * Running totals, owned by the caller and only ever added to. A problem
 * is counted once, where it stops the decoding of what holds it: a
 * datagram header; a sample whose length or tag cannot be trusted (the
 * rest of the datagram is not read); a record whose length cannot be
 * trusted, or a record count that runs out of bytes (the rest of the
 * sample is not read); a record of a known format whose own fields lie
 * (that record is skipped, the next ones are read). A cut copy of a
 * sound datagram therefore counts exactly one truncation.
 */
struct sv_sflow_stats {
	uint64_t datagrams;        /* headers read whole (version 5) */
	uint64_t bad_version;      /* not version 5: not decoded */
	uint64_t flow_samples;     /* returned by sv_sflow_next */
	uint64_t counter_samples;
	uint64_t skipped_samples;  /* unknown format or enterprise */
	uint64_t skipped_records;  /* unknown format or enterprise, or repeated */
	uint64_t truncated;        /* the buffer ended first (short copy) */
	uint64_t malformed;        /* a length or count lies */
};

/* The state of a walk over one datagram; its fields are private. */
struct sv_sflow_iter {
	struct sv_cur c;           /* the samples not yet read */
	uint32_t left;             /* samples announced and not yet read */
	bool cut;                  /* the buffer is shorter than the datagram */
	struct sv_sflow_stats *st;
};

/*
 * Start on the datagram at buf[0..len). wire_len is the length the
 * datagram had (the UDP length less 8): when it exceeds len, the buffer
 * is a cut copy and overruns count as truncated; pass len when the
 * buffer holds all of it. Fills *d and counts in *st (both required).
 *
 * Returns 0 when the header was read (even when n_samples cannot fit,
 * see d->flags: the samples that do are still read), -EPROTONOSUPPORT
 * when the version is not 5 (d->version set, nothing else), -ENODATA
 * when the buffer ends inside the header of a cut copy, -EINVAL when the
 * header is malformed (short in a whole datagram, or an agent address
 * type other than 0, 1, 2). On failure sv_sflow_next returns 0 at once.
 */
int sv_sflow_open(struct sv_sflow_iter *it, const uint8_t *buf, size_t len,
		  size_t wire_len, struct sv_sflow_datagram *d,
		  struct sv_sflow_stats *st);

/*
 * Decode the next flow or counter sample into *s, skipping (and
 * counting) samples of other types. A sample whose fixed part is whole
 * is returned even if its records are not: the records that could be
 * read are kept, and s->flags says why others are missing. A sample
 * whose own length overruns the buffer or is not a multiple of 4 is
 * decoded as far as the bytes go, flagged, and is the last one.
 *
 * Returns 1 with a sample in *s, 0 at the end of the datagram (bytes
 * after the announced samples are ignored), -ENODATA (truncated) or
 * -EINVAL (malformed) when the walk stops early with no sample in *s;
 * every later call returns 0. Never reads outside buf[0..len); each
 * sample and record takes at least 8 bytes, so counts on the wire
 * cannot make it loop longer than len / 8 steps.
 */
int sv_sflow_next(struct sv_sflow_iter *it, struct sv_sflow_sample *s);

#endif
