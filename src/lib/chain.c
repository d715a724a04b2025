/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * chain.c - run items through a service's VNFs.
 *
 * Each VNF owns one input and one output buffer, allocated here once. A
 * converter always reads the newest output of the VNF registered just
 * before (docs/design.md, "Service library"), whatever its kind, so a packet VNF may feed a
 * flow VNF and the other way round.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/chain.h"
#include "lib/event.h"

struct stage {
	enum sv_vnf_kind kind;
	const struct sv_vnf_desc *desc;
	int (*pkt_fn)(void *, struct sv_vnf_ctx *, const struct sv_pkt *, const void *, void *);
	int (*flow_fn)(void *, struct sv_vnf_ctx *, const struct sv_flow *, const void *, void *);
	void *state;
	void *in, *out;
	struct sv_conv_row *rows;
	unsigned nrows;
	struct sv_plan plan;
	struct sv_vnf_ctx ctx;
	_Atomic uint64_t *items, *stops;
};

struct sv_chain {
	char service[64];
	struct sv_stats *stats;
	struct sv_stats private_stats;
	struct sv_event_out *out;
	unsigned n;
	struct stage st[SV_CHAIN_MAX];
	/* Stages per kind, in order, so an item skips the others for free. */
	unsigned npkt, nflow;
	struct stage *pkt[SV_CHAIN_MAX], *flow[SV_CHAIN_MAX];
};

struct sv_chain *sv_chain_new(const char *service, struct sv_stats *stats)
{
	struct sv_chain *ch = calloc(1, sizeof(*ch));

	if (!ch)
		return NULL;
	snprintf(ch->service, sizeof(ch->service), "%s", service);
	ch->stats = stats ? stats : &ch->private_stats;
	ch->out = sv_event_out_new(ch->stats);
	if (!ch->out) {
		free(ch);
		return NULL;
	}
	return ch;
}

void sv_chain_free(struct sv_chain *ch)
{
	if (!ch)
		return;
	for (unsigned i = 0; i < ch->n; i++) {
		struct stage *s = &ch->st[i];

		if (s->desc->destroy && s->state)
			s->desc->destroy(s->state);
		free(s->in);
		free(s->out);
		free(s->rows);
		sv_plan_free(&s->plan);
	}
	sv_event_out_free(ch->out);
	free(ch);
}

struct sv_event_out *sv_chain_events(struct sv_chain *ch)
{
	return ch->out;
}

static void *alloc_meta(const struct sv_schema *s)
{
	/* One zeroed buffer per VNF and direction, for the service's life. */
	return s ? calloc(1, s->size ? s->size : 1) : NULL;
}

int sv_chain_add(struct sv_chain *ch, enum sv_vnf_kind kind, const void *vnf, const char *args,
		 size_t (*rows)[3], const char *named, char *err, size_t errlen)
{
	const struct sv_vnf_desc *d = vnf;  /* desc is the first member of both tables */
	struct stage *s, *prev;
	uint32_t stats_mark = UINT32_MAX;
	int rc = 0;

	err[0] = '\0';
	if (!vnf || !d->name) {
		snprintf(err, errlen, "a VNF table without a name");
		return -EINVAL;
	}
	if (ch->n == SV_CHAIN_MAX) {
		snprintf(err, errlen, "%s: a chain holds at most %d VNFs", d->name, SV_CHAIN_MAX);
		return -E2BIG;
	}
	if ((kind == SV_KIND_PKT && !((const pkt_vnf *)vnf)->process) ||
	    (kind == SV_KIND_FLOW && !((const flow_vnf *)vnf)->process) || !d->create) {
		snprintf(err, errlen, "%s: the VNF has no create or process callback", d->name);
		return -EINVAL;
	}
	for (unsigned i = 0; i < ch->n; i++) {
		if (strcmp(ch->st[i].desc->name, d->name) == 0) {
			snprintf(err, errlen, "%s is already in this chain (a VNF appears once)",
				 d->name);
			return -EEXIST;
		}
	}
	prev = ch->n ? &ch->st[ch->n - 1] : NULL;
	s = &ch->st[ch->n];
	memset(s, 0, sizeof(*s));
	s->kind = kind;
	s->desc = d;
	if (kind == SV_KIND_PKT)
		s->pkt_fn = ((const pkt_vnf *)vnf)->process;
	else
		s->flow_fn = ((const flow_vnf *)vnf)->process;

	if ((rows || (named && *named)) && !prev) {
		snprintf(err, errlen, "%s is the first VNF: there is no output to convert from",
			 d->name);
		return -EINVAL;
	}
	if (named && strcmp(named, "*") == 0)
		rc = sv_conv_auto(prev->desc->out, d->in, &s->rows, &s->nrows);
	else if (rows)
		rc = sv_conv_rows(prev->desc->name, prev->desc->out, d->name, d->in, rows, &s->rows,
				  &s->nrows, err, errlen);
	else if (named && *named)
		rc = sv_conv_named(prev->desc->name, prev->desc->out, d->name, d->in, named,
				   &s->rows, &s->nrows, err, errlen);
	if (rc < 0)
		return rc;

	s->in = alloc_meta(d->in);
	s->out = alloc_meta(d->out);
	if ((d->in && !s->in) || (d->out && !s->out)) {
		rc = -ENOMEM;
		goto fail;
	}
	stats_mark = atomic_load_explicit(&ch->stats->count, memory_order_relaxed);
	sv_vnf_ctx_init(&s->ctx, ch->service, d, ch->stats, ch->out);
	s->items = sv_stats_add(ch->stats, d->name, "items");
	s->state = d->create(&s->ctx, args);
	if (!s->state) {
		snprintf(err, errlen, "%s: %s", d->name,
			 s->ctx.error[0] ? s->ctx.error : "could not start");
		rc = -EINVAL;
		goto fail;
	}
	ch->n++;
	if (kind == SV_KIND_PKT)
		ch->pkt[ch->npkt++] = s;
	else
		ch->flow[ch->nflow++] = s;
	return 0;
fail:
	/* Give back the counters this VNF took (only this service writes the
	 * area; the daemon just stops listing them). */
	if (stats_mark != UINT32_MAX)
		atomic_store_explicit(&ch->stats->count, stats_mark, memory_order_release);
	free(s->in);
	free(s->out);
	free(s->rows);
	memset(s, 0, sizeof(*s));
	return rc;
}

unsigned sv_chain_len(const struct sv_chain *ch)
{
	return ch->n;
}

unsigned sv_chain_kinds(const struct sv_chain *ch)
{
	return (ch->npkt ? SV_KIND_PKT : 0) | (ch->nflow ? SV_KIND_FLOW : 0);
}

int sv_chain_compile(struct sv_chain *ch)
{
	for (unsigned i = 1; i < ch->n; i++) {
		struct stage *s = &ch->st[i], *prev = &ch->st[i - 1];
		int rc;

		sv_plan_free(&s->plan);
		rc = sv_plan_compile(&s->plan, prev->desc->out, s->desc->in, s->rows, s->nrows);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* The previous stage's output buffer for stage s (its position in st[]). */
static inline const void *prev_out(const struct sv_chain *ch, const struct stage *s)
{
	return s == ch->st ? NULL : s[-1].out;
}

unsigned sv_chain_pkt(struct sv_chain *ch, const struct sv_pkt *pkt)
{
	unsigned i;

	sv_event_out_item(ch->out, pkt, NULL);
	for (i = 0; i < ch->npkt; i++) {
		struct stage *s = ch->pkt[i];

		if (s->plan.n)
			sv_plan_run(&s->plan, s->in, prev_out(ch, s));
		sv_counter_add(s->items, 1);
		if (s->pkt_fn(s->state, &s->ctx, pkt, s->in, s->out) == SV_STOP) {
			i++;
			break;
		}
	}
	return i;
}

unsigned sv_chain_flow(struct sv_chain *ch, const struct sv_flow *rec)
{
	unsigned i;

	sv_event_out_item(ch->out, NULL, rec);
	for (i = 0; i < ch->nflow; i++) {
		struct stage *s = ch->flow[i];

		if (s->plan.n)
			sv_plan_run(&s->plan, s->in, prev_out(ch, s));
		sv_counter_add(s->items, 1);
		if (s->flow_fn(s->state, &s->ctx, rec, s->in, s->out) == SV_STOP) {
			i++;
			break;
		}
	}
	return i;
}

void sv_chain_tick(struct sv_chain *ch, uint64_t now_ns)
{
	sv_event_out_item(ch->out, NULL, NULL);
	for (unsigned i = 0; i < ch->n; i++)
		if (ch->st[i].desc->tick)
			ch->st[i].desc->tick(ch->st[i].state, &ch->st[i].ctx, now_ns);
}

void sv_chain_report(struct sv_chain *ch)
{
	sv_event_out_item(ch->out, NULL, NULL);
	for (unsigned i = 0; i < ch->n; i++)
		if (ch->st[i].desc->report)
			ch->st[i].desc->report(ch->st[i].state, &ch->st[i].ctx);
	sv_event_out_flush(ch->out);
}
