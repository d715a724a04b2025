/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * syn_flood.c - destinations whose sampled TCP packets are mostly
 * connection attempts (SYN set, ACK clear).
 *
 * Arguments ("min_samples=200,share=0.6"):
 *   min_samples=100  TCP samples a destination needs in an interval
 *                    before it is judged (1 to 1G)
 *   share=0.5        the fraction of them that are SYNs without ACK at
 *                    which it is flagged (0.001 to 1)
 *   interval=10      seconds per judgement (1 to 3600)
 *   table=16384      destinations tracked (64 to 16M)
 *
 * Only sFlow sample records count: the tcp_flags of one sample are those
 * of one packet, while an aggregate's are the OR over many, which says
 * nothing about a share. Samples are counted as samples (a share needs no
 * scaling); the estimated SYN packets are their sampling rates summed.
 * At the end of each interval (sv_interval_roll() in snapvnf/vnf_util.h) a destination with at
 * least min_samples TCP samples of which at least `share` are SYNs
 * without ACK gets one "alert":
 *   {reason "syn_flood", dst, samples, syn_samples, share, syn_packets,
 *    syn_pps (whole, rounded down), seconds, threshold (the share),
 *    min_samples}
 * report() judges the interval in progress the same way (syn_pps over the
 * time it has run, at least a second).
 *
 * Output (struct sv_syn_meta), for each TCP sample (cleared for other
 * records): its destination, the SYN share so far this interval, and
 * alert: flagged last interval, or already meeting both conditions now.
 * Then the verdict for a `block` VNF after it: the sample's source,
 * protocol and destination port, and culprit - a SYN without ACK to a
 * flagged destination from a source that sent at least half of that
 * destination's SYN samples over this and the last interval (lib/
 * culprit.h: one flooder is named, a crowd of spoofed sources is not),
 * with reason "syn_flood" and the figures as evidence.
 *
 * Memory is fixed: a full table bucket evicts its destination with the
 * fewest TCP samples this interval ("evicted"). Never stops the chain.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <snapvnf/builtin.h>
#include <snapvnf/vnf_util.h>

#define TCP_SYN 0x02
#define TCP_ACK 0x10

SV_SCHEMA(sv_syn_meta,
	  SV_FIELD(struct sv_syn_meta, dst),
	  SV_FIELD(struct sv_syn_meta, share),
	  SV_FIELD(struct sv_syn_meta, alert),
	  SV_FIELD(struct sv_syn_meta, src),
	  SV_FIELD(struct sv_syn_meta, proto),
	  SV_FIELD(struct sv_syn_meta, dport),
	  SV_FIELD(struct sv_syn_meta, culprit),
	  SV_FIELD(struct sv_syn_meta, reason),
	  SV_FIELD(struct sv_syn_meta, evidence));

struct syn_opts {
	uint64_t min_samples, interval, table;
	double share;
};

static const struct sv_arg syn_args[] = {
	{ "min_samples", SV_ARG_UINT, offsetof(struct syn_opts, min_samples), "100", 1, 1e9, NULL,
	  "TCP samples a destination needs in an interval before it is judged" },
	{ "share", SV_ARG_DOUBLE, offsetof(struct syn_opts, share), "0.5", 0.001, 1, NULL,
	  "the fraction of them that are SYNs without ACK at which it is flagged" },
	{ "interval", SV_ARG_UINT, offsetof(struct syn_opts, interval), "10", 1, 3600, NULL,
	  "seconds per judgement" },
	{ "table", SV_ARG_UINT, offsetof(struct syn_opts, table), "16384", 64, 1 << 24, NULL,
	  "destinations tracked" },
	SV_ARG_END,
};

struct syn_dest {
	uint64_t samples;     /* TCP samples this interval; first: the table's weight */
	uint64_t syn;         /* of them, SYN without ACK */
	uint64_t syn_packets; /* estimated */
	bool flagged;         /* last interval */
};

struct syn_state {
	uint64_t min_samples;
	double share;
	struct sv_interval iv;
	struct sv_table *tab;
	struct sv_culprits *culprits;  /* SYN samples per (source, destination) */
	_Atomic uint64_t *samples;
	_Atomic uint64_t *alerts;
	_Atomic uint64_t *evicted;
};

static void syn_destroy(void *state)
{
	struct syn_state *st = state;

	if (!st)
		return;
	sv_table_free(st->tab);
	sv_culprits_free(st->culprits);
	free(st);
}

static void *syn_create(struct sv_vnf_ctx *ctx, const char *args)
{
	struct syn_opts o;
	struct syn_state *st;

	if (sv_vnf_args(ctx, args, &o) < 0)
		return NULL;
	st = calloc(1, sizeof(*st));
	if (st) {
		st->tab = sv_table_new(o.table, sizeof(struct sv_addr), sizeof(struct syn_dest));
		/* Heavy pairs are what it is for; the light ones may be evicted. */
		st->culprits = sv_culprits_new(o.table < SV_CULPRITS_MAX ? o.table : SV_CULPRITS_MAX);
	}
	if (!st || !st->tab || !st->culprits) {
		syn_destroy(st);
		sv_vnf_error(ctx, "out of memory");
		errno = ENOMEM;
		return NULL;
	}
	st->min_samples = o.min_samples;
	st->share = o.share;
	st->iv.len_ns = o.interval * SV_NS_PER_S;
	st->samples = sv_counter(ctx, "samples");
	st->alerts = sv_counter(ctx, "alerts");
	st->evicted = sv_counter(ctx, "evicted");
	return st;
}

static bool syn_over(const struct syn_state *st, const struct syn_dest *d)
{
	/* The epsilon keeps "share=0.6" meaning 60 of 100 despite binary fractions. */
	return d->samples >= st->min_samples &&
	       (double)d->syn / (double)d->samples >= st->share - 1e-12;
}

static void syn_alert(struct syn_state *st, struct sv_vnf_ctx *ctx, const struct sv_addr *dst,
		      const struct syn_dest *d, uint64_t len_ns)
{
	struct sv_event *ev = sv_event_begin(ctx, "alert");
	double secs = (double)len_ns / 1e9;

	sv_event_str(ev, "reason", "syn_flood", SIZE_MAX);
	sv_event_addr(ev, "dst", dst);
	sv_event_u64(ev, "samples", d->samples);
	sv_event_u64(ev, "syn_samples", d->syn);
	sv_event_double(ev, "share", (double)d->syn / (double)d->samples);
	sv_event_u64(ev, "syn_packets", d->syn_packets);
	sv_event_u64(ev, "syn_pps", (uint64_t)((double)d->syn_packets / secs));
	sv_event_double(ev, "seconds", secs);
	sv_event_double(ev, "threshold", st->share);
	sv_event_u64(ev, "min_samples", st->min_samples);
	sv_event_end(ev);
	sv_counter_add(st->alerts, 1);
}

static void syn_close(struct syn_state *st, struct sv_vnf_ctx *ctx, uint64_t len_ns)
{
	const void *key;
	struct syn_dest *d;
	size_t pos = 0;

	while ((d = sv_table_next(st->tab, &pos, &key)) != NULL) {
		if (!d->samples) {  /* silent for a whole interval */
			sv_table_del(st->tab, d);
			continue;
		}
		d->flagged = syn_over(st, d);
		if (d->flagged)
			syn_alert(st, ctx, key, d, len_ns);
		d->samples = d->syn = d->syn_packets = 0;
	}
	sv_culprits_roll(st->culprits);
}

static int syn_process(void *state, struct sv_vnf_ctx *ctx, const struct sv_flow *rec,
		       const void *in, void *out)
{
	struct syn_state *st = state;
	struct sv_syn_meta *m = out;
	struct syn_dest *d;
	uint64_t start;
	bool evicted, syn;

	memset(m, 0, sizeof(*m));
	if (rec->kind != SV_FLOW_SAMPLE || rec->proto != IPPROTO_TCP ||
	    (rec->ip_version != 4 && rec->ip_version != 6))
		return SV_CONTINUE;
	if (sv_interval_roll(&st->iv, rec->ts_ns, true, &start))
		syn_close(st, ctx, st->iv.len_ns);
	sv_counter_add(st->samples, 1);
	sv_addr_from_flow(&m->dst, rec, true);
	d = sv_table_get(st->tab, &m->dst, &evicted);
	if (evicted)
		sv_counter_add(st->evicted, 1);
	d->samples++;
	sv_addr_from_flow(&m->src, rec, false);
	m->proto = IPPROTO_TCP;
	m->dport = rec->dport;
	syn = (rec->tcp_flags & (TCP_SYN | TCP_ACK)) == TCP_SYN;
	if (syn) {
		d->syn++;
		d->syn_packets += rec->packets;
		sv_culprits_add(st->culprits, &m->src, &m->dst, 1);
	}
	m->share = (double)d->syn / (double)d->samples;
	m->alert = d->flagged || syn_over(st, d);
	if (m->alert && syn) {
		double part = sv_culprits_share(st->culprits, &m->src, &m->dst);

		if (part >= 0.5 - 1e-12) {
			m->culprit = true;
			memcpy(m->reason, "syn_flood", sizeof("syn_flood"));
			snprintf(m->evidence, sizeof(m->evidence),
				 "%llu of %llu TCP samples to the destination SYN without ACK "
				 "(threshold %.3g), %.0f%% of them from this source",
				 (unsigned long long)d->syn, (unsigned long long)d->samples,
				 st->share, part * 100.0);
		}
	}
	return SV_CONTINUE;
}

static void syn_tick(void *state, struct sv_vnf_ctx *ctx, uint64_t now_ns)
{
	struct syn_state *st = state;
	uint64_t start;

	if (sv_interval_roll(&st->iv, now_ns, false, &start))
		syn_close(st, ctx, st->iv.len_ns);
}

static void syn_report(void *state, struct sv_vnf_ctx *ctx)
{
	struct syn_state *st = state;
	uint64_t len_ns = sv_interval_partial(&st->iv);
	const void *key;
	struct syn_dest *d;
	size_t pos = 0;

	if (len_ns < SV_NS_PER_S)
		len_ns = SV_NS_PER_S;
	while ((d = sv_table_next(st->tab, &pos, &key)) != NULL)
		if (d->samples && syn_over(st, d))
			syn_alert(st, ctx, key, d, len_ns);
}

flow_vnf sv_vnf_syn_flood = {
	.desc = {
		.name = "syn_flood",
		.version = "1.0",
		.summary = "destinations whose sampled TCP is mostly SYN without ACK",
		.events = "`alert` (syn_flood): a destination's share of SYN-only samples",
		.args = syn_args,
		.out = &sv_syn_meta_schema,
		.create = syn_create,
		.tick = syn_tick,
		.report = syn_report,
		.destroy = syn_destroy,
	},
	.process = syn_process,
};
