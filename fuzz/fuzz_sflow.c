/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_sflow.c - libFuzzer harness for sv_sflow_open() / sv_sflow_next()
 * and the sequence tracker.
 *
 * The input is one UDP payload. It is decoded whole, then as cut copies
 * of itself (half, all but one byte), each from a heap block of exactly
 * its size so that AddressSanitizer catches any read past the end. The
 * decoder must keep its own contract: return values, a bounded number of
 * samples, the sampled header inside the buffer, each problem counted
 * once; and a cut copy may report less than the whole, never something
 * else.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "decode/sflow.h"
#include "decode/sflow_seq.h"

struct run {
	int open_ret, end_ret;
	struct sv_sflow_datagram d;
	struct sv_sflow_sample *s;
	size_t n;
	size_t left;
	struct sv_sflow_stats st;
};

static struct sv_sflow_seq_slot seq_slots[64];
static struct sv_sflow_seq seq;

static void decode(const uint8_t *p, size_t len, size_t wire_len, struct run *r, size_t max)
{
	struct sv_sflow_iter it;
	struct sv_sflow_sample s;
	uint64_t problems;

	memset(&r->st, 0, sizeof(r->st));
	r->n = 0;
	r->open_ret = sv_sflow_open(&it, p, len, wire_len, &r->d, &r->st);
	if (r->open_ret != 0 && r->open_ret != -EPROTONOSUPPORT && r->open_ret != -EINVAL &&
	    r->open_ret != -ENODATA)
		abort();
	while ((r->end_ret = sv_sflow_next(&it, &s)) > 0) {
		/* every sample takes at least its 8-byte tag and length */
		if (r->end_ret != 1 || r->n >= max || r->open_ret != 0)
			abort();
		if (s.type < SV_SFLOW_FLOW || s.type > SV_SFLOW_COUNTER_EXPANDED)
			abort();
		if (s.flags & ~(uint32_t)(SV_SFLOW_TRUNCATED | SV_SFLOW_MALFORMED))
			abort();
		if ((s.records & SV_SFLOW_R_HEADER) &&
		    (s.hdr.data < p || s.hdr.len > len || (size_t)(s.hdr.data - p) > len - s.hdr.len))
			abort();
		if (r->open_ret == 0 && seq.slots) {
			sv_sflow_seq_sample(&seq, &r->d, &s, NULL);
		}
		r->s[r->n++] = s;
	}
	if (r->end_ret != 0 && r->end_ret != -EINVAL && r->end_ret != -ENODATA)
		abort();
	r->left = sv_cur_left(&it.c);
	if (r->open_ret == 0)
		sv_sflow_seq_datagram(&seq, &r->d, NULL);

	/* a whole datagram is never truncated, a cut one at most once */
	if (wire_len <= len && r->st.truncated)
		abort();
	if (r->st.truncated > 1)
		abort();
	/* a walk that stopped early said why, once */
	problems = r->st.truncated + r->st.malformed;
	if (r->open_ret == -EINVAL || r->open_ret == -ENODATA || r->end_ret < 0)
		if (problems == 0)
			abort();
	if (r->open_ret == -ENODATA && r->st.truncated != 1)
		abort();
}

/* A cut copy reports a prefix of the whole: the same samples, maybe fewer records. */
static void same(const struct run *w, const struct run *c)
{
	if (c->open_ret != 0)
		return;
	if (w->open_ret != 0 || c->d.seq != w->d.seq || c->d.n_samples != w->d.n_samples ||
	    memcmp(c->d.agent, w->d.agent, sizeof(w->d.agent)) || c->n > w->n)
		abort();
	for (size_t k = 0; k < c->n; k++) {
		const struct sv_sflow_sample *a = &w->s[k], *b = &c->s[k];

		if (b->type != a->type || b->seq != a->seq || b->source_type != a->source_type ||
		    b->source_index != a->source_index || b->sampling_rate != a->sampling_rate ||
		    b->input.value != a->input.value || b->output.format != a->output.format ||
		    b->n_records != a->n_records)
			abort();
		if (b->records & ~a->records)
			abort();
		if (!b->flags && (b->records != a->records || b->n_skipped != a->n_skipped))
			abort();
		if ((b->records & SV_SFLOW_R_HEADER) &&
		    (b->hdr.len != a->hdr.len || memcmp(b->hdr.data, a->hdr.data, a->hdr.len)))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t max = size / 8 + 1;
	size_t cuts[2] = { size / 2, size ? size - 1 : 0 };
	struct run w = { 0 }, c = { 0 };
	uint8_t *p = malloc(size ? size : 1);

	if (!seq.slots)
		sv_sflow_seq_init(&seq, seq_slots, sizeof(seq_slots) / sizeof(seq_slots[0]));
	w.s = calloc(max, sizeof(*w.s));
	c.s = calloc(max, sizeof(*c.s));
	if (!p || !w.s || !c.s)
		goto out;
	memcpy(p, data, size);
	decode(p, size, size, &w, max);

	for (size_t i = 0; i < 2; i++) {
		uint8_t *q = malloc(cuts[i] ? cuts[i] : 1);

		if (!q)
			goto out;
		memcpy(q, p, cuts[i]);
		decode(q, cuts[i], size, &c, max);
		same(&w, &c);
		/* a sound datagram cut before its end is truncated, and nothing else */
		if (w.open_ret == 0 && w.end_ret == 0 && w.st.malformed == 0 && w.d.flags == 0 &&
		    cuts[i] < size - w.left && (c.st.truncated != 1 || c.st.malformed != 0))
			abort();
		free(q);
	}
out:
	free(p);
	free(w.s);
	free(c.s);
	return 0;
}
