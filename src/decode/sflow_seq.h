/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sflow_seq.h - sFlow sequence number tracking: lost datagrams and samples,
 * agent restarts.
 *
 * An agent numbers its datagrams per (agent address, sub-agent id), and
 * each source numbers its flow samples and its counter samples apart, per
 * (agent, sub-agent, source id). The table remembers the last number of
 * each such key in caller-provided slots (open addressing, a short probe
 * window); it never grows: when the window is full the key used least
 * recently is evicted and counted, and comes back later as new. Keys
 * hash with a seed drawn per table, so that datagrams with made-up agent
 * addresses cannot be aimed at a real agent's probe window to push its
 * last number out (and hide its losses).
 */
#ifndef SV_DECODE_SFLOW_SEQ_H
#define SV_DECODE_SFLOW_SEQ_H

#include <stddef.h>
#include <stdint.h>

#include "decode/sflow.h"

/* What one sequence number says, against the last one of its key */
#define SV_SFLOW_SEQ_NEW   0 /* first seen (or seen again after eviction) */
#define SV_SFLOW_SEQ_OK    1 /* last + 1 */
#define SV_SFLOW_SEQ_GAP   2 /* ahead by more than 1: *lost were lost */
#define SV_SFLOW_SEQ_DUP   3 /* slightly behind or equal: reordered or repeated */
#define SV_SFLOW_SEQ_RESET 4 /* far behind, or the uptime went back: a restart */

/* How far behind a number may be and still read as reordering. */
#define SV_SFLOW_SEQ_REORDER 16

struct sv_sflow_seq_slot {
	uint64_t used;           /* tick of the last use; 0: empty */
	uint8_t agent[16];
	uint32_t sub_agent_id;
	uint32_t source_type;
	uint32_t source_index;
	uint32_t last;           /* last sequence number */
	uint32_t uptime_ms;      /* the datagram's uptime when last was seen */
	uint8_t agent_af;
	uint8_t kind;            /* 0 datagram, SV_SFLOW_FLOW, SV_SFLOW_COUNTER */
};

struct sv_sflow_seq_stats {
	uint64_t entries;        /* slots in use */
	uint64_t evictions;
	uint64_t gaps;           /* GAP results */
	uint64_t lost;           /* sum of *lost */
	uint64_t dups;
	uint64_t resets;
};

struct sv_sflow_seq {
	struct sv_sflow_seq_slot *slots;
	uint32_t mask;
	uint32_t seed;
	uint64_t tick;
	struct sv_sflow_seq_stats st;
};

/*
 * Use slots[0..n) (n a power of two, at least 8; the caller owns them
 * and keeps them while t is used). Clears them and draws the seed.
 * Returns 0, or -EINVAL for a bad n.
 */
int sv_sflow_seq_init(struct sv_sflow_seq *t, struct sv_sflow_seq_slot *slots, size_t n);

/*
 * Check the datagram's own sequence number (key: agent, sub-agent).
 * Returns SV_SFLOW_SEQ_*; *lost (optional) is the count of missing
 * numbers for GAP, else 0. The last number is updated except for DUP.
 */
int sv_sflow_seq_datagram(struct sv_sflow_seq *t, const struct sv_sflow_datagram *d,
			  uint32_t *lost);

/* The same for a sample of d (key: agent, sub-agent, flow or counter, source). */
int sv_sflow_seq_sample(struct sv_sflow_seq *t, const struct sv_sflow_datagram *d,
			const struct sv_sflow_sample *s, uint32_t *lost);

#endif
