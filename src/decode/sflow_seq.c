/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sflow_seq.c - last sequence number per sFlow agent and source.
 *
 * Slots are never emptied once used, only taken over, so a lookup may stop
 * at the first empty slot of its probe window: the key, had it been stored,
 * would sit at or before that slot. That is what lets eviction work
 * without tombstones.
 */
#include <errno.h>
#include <string.h>

#include <snapvnf/hash.h>
#include "decode/sflow_seq.h"

/* Slots looked at per key: bounds the work per lookup. */
#define SEQ_PROBE 8
/*
 * An uptime that went back by more than this (ms) is a restart; less is
 * read as datagrams overtaking each other on the way.
 */
#define SEQ_UPTIME_BACK 1000

int sv_sflow_seq_init(struct sv_sflow_seq *t, struct sv_sflow_seq_slot *slots, size_t n)
{
	if (n < SEQ_PROBE || n > UINT32_MAX || (n & (n - 1)))
		return -EINVAL;
	memset(t, 0, sizeof(*t));
	memset(slots, 0, n * sizeof(*slots));
	t->slots = slots;
	t->mask = (uint32_t)(n - 1);
	t->seed = (uint32_t)sv_hash_seed();
	return 0;
}

static uint32_t seq_mix(uint32_t h)
{
	h ^= h >> 16;
	h *= 0x7feb352du;
	h ^= h >> 15;
	h *= 0x846ca68bu;
	h ^= h >> 16;
	return h;
}

static uint32_t seq_hash(const struct sv_sflow_seq *t, const struct sv_sflow_seq_slot *k)
{
	uint32_t h = seq_mix(t->seed ^ ((uint32_t)k->kind << 8 | k->agent_af));

	for (size_t i = 0; i < sizeof(k->agent); i += 4) {
		uint32_t w;

		memcpy(&w, k->agent + i, 4);
		h = seq_mix(h ^ w);
	}
	h = seq_mix(h ^ k->sub_agent_id);
	h = seq_mix(h ^ k->source_type);
	return seq_mix(h ^ k->source_index);
}

static bool seq_same(const struct sv_sflow_seq_slot *a, const struct sv_sflow_seq_slot *b)
{
	return a->kind == b->kind && a->agent_af == b->agent_af &&
	       a->sub_agent_id == b->sub_agent_id && a->source_type == b->source_type &&
	       a->source_index == b->source_index && !memcmp(a->agent, b->agent, sizeof(a->agent));
}

static int seq_check(struct sv_sflow_seq *t, const struct sv_sflow_seq_slot *k,
		     uint32_t seq, uint32_t uptime_ms, uint32_t *lost)
{
	struct sv_sflow_seq_slot *s, *victim = NULL;
	uint32_t h = seq_hash(t, k);
	int32_t d;

	if (lost)
		*lost = 0;
	t->tick++;
	for (unsigned i = 0; i < SEQ_PROBE; i++) {
		s = &t->slots[(h + i) & t->mask];
		if (!s->used) {
			t->st.entries++;
			goto fresh;
		}
		if (seq_same(s, k))
			goto found;
		if (!victim || s->used < victim->used)
			victim = s;
	}
	s = victim;
	t->st.evictions++;
fresh:
	*s = *k;
	s->used = t->tick;
	s->last = seq;
	s->uptime_ms = uptime_ms;
	return SV_SFLOW_SEQ_NEW;

found:
	s->used = t->tick;
	d = (int32_t)(seq - s->last);
	/* a restart resets the uptime too, which catches one that lands near the old number */
	if ((int32_t)(uptime_ms - s->uptime_ms) < -SEQ_UPTIME_BACK || d < -SV_SFLOW_SEQ_REORDER) {
		t->st.resets++;
		s->last = seq;
		s->uptime_ms = uptime_ms;
		return SV_SFLOW_SEQ_RESET;
	}
	if (d <= 0) {
		t->st.dups++;
		return SV_SFLOW_SEQ_DUP;
	}
	s->last = seq;
	s->uptime_ms = uptime_ms;
	if (d == 1)
		return SV_SFLOW_SEQ_OK;
	t->st.gaps++;
	t->st.lost += (uint32_t)d - 1;
	if (lost)
		*lost = (uint32_t)d - 1;
	return SV_SFLOW_SEQ_GAP;
}

static void seq_key(struct sv_sflow_seq_slot *k, const struct sv_sflow_datagram *d)
{
	memset(k, 0, sizeof(*k));
	memcpy(k->agent, d->agent, sizeof(k->agent));
	k->agent_af = d->agent_af;
	k->sub_agent_id = d->sub_agent_id;
}

int sv_sflow_seq_datagram(struct sv_sflow_seq *t, const struct sv_sflow_datagram *d,
			  uint32_t *lost)
{
	struct sv_sflow_seq_slot k;

	seq_key(&k, d);
	return seq_check(t, &k, d->seq, d->uptime_ms, lost);
}

int sv_sflow_seq_sample(struct sv_sflow_seq *t, const struct sv_sflow_datagram *d,
			const struct sv_sflow_sample *s, uint32_t *lost)
{
	struct sv_sflow_seq_slot k;

	seq_key(&k, d);
	/* compact and expanded forms of one source share its numbering */
	k.kind = s->type == SV_SFLOW_COUNTER || s->type == SV_SFLOW_COUNTER_EXPANDED ?
		 SV_SFLOW_COUNTER : SV_SFLOW_FLOW;
	k.source_type = s->source_type;
	k.source_index = s->source_index;
	return seq_check(t, &k, s->seq, d->uptime_ms, lost);
}
