/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ddos.c - destinations receiving more packets or bits per second than a
 * threshold, from sampling-scaled flow records.
 *
 * Arguments ("pps=50k,bps=1G,interval=5"):
 *   pps=100k     packets per second a destination may receive (0: no limit)
 *   bps=1G       bits per second (0: no limit); k, M, G multiply by 1000.
 *                At least one of the two is set.
 *   interval=10  seconds over which rates are measured (1 to 3600)
 *   kind=sample  count sFlow sample records; kind=flow counts aggregate
 *                records instead (never both: they describe the same
 *                packets). Counter records are never counted.
 *   table=16384  destinations tracked (64 to 16M)
 *
 * A destination's rate over an interval is its estimated packets (or
 * bytes x 8) over the interval's length (sv_interval_roll() in snapvnf/vnf_util.h); when it is
 * strictly over a threshold at the end of the interval, one "alert" is
 * emitted for that destination and interval:
 *   {reason "ddos", dst, pps, bps (whole, rounded down), packets, bytes,
 *    seconds, metric ("pps" or "bps": the threshold crossed, pps first
 *    when both are), threshold}
 * report() judges the interval in progress the same way, over the time
 * it has run but at least a second (a few records just after a boundary
 * are no rate).
 *
 * Output (struct sv_ddos_meta), for every record of the counted kind with
 * IP addresses (cleared for the others): its destination, that
 * destination's pps and bps over the last interval, and alert: it was
 * over a threshold last interval, or its count this interval is already
 * over what the threshold allows for the whole interval - so a following
 * VNF can act on an attack before the interval ends. Then the verdict
 * for a `block` VNF: the record's source, protocol and destination port,
 * and culprit when the destination is under attack and this source sent
 * at least half of its packets over this and the last interval (lib/
 * culprit.h), with reason "ddos" and the figures as evidence.
 *
 * Memory is fixed: a full table bucket makes room for a new destination
 * by evicting its destination with the fewest packets this interval
 * (counted as "evicted"). Never stops the chain.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <snapvnf/builtin.h>
#include <snapvnf/vnf_util.h>

enum { KIND_SAMPLE, KIND_FLOW };

static const char *const ddos_kinds[] = { "sample", "flow", NULL };
static const uint32_t kind_of[] = { SV_FLOW_SAMPLE, SV_FLOW_AGGREGATE };

struct ddos_opts {
	uint64_t pps, bps, interval, table;
	unsigned kind;
};

static const struct sv_arg ddos_args[] = {
	{ "pps", SV_ARG_UINT, offsetof(struct ddos_opts, pps), "100k", 0, 1e15, NULL,
	  "packets per second a destination may receive (0: no limit)" },
	{ "bps", SV_ARG_UINT, offsetof(struct ddos_opts, bps), "1G", 0, 1e15, NULL,
	  "bits per second a destination may receive (0: no limit)" },
	{ "interval", SV_ARG_UINT, offsetof(struct ddos_opts, interval), "10", 1, 3600, NULL,
	  "seconds over which rates are measured" },
	{ "kind", SV_ARG_WORD, offsetof(struct ddos_opts, kind), "sample", 0, 0, ddos_kinds,
	  "which records count: sFlow samples or aggregates" },
	{ "table", SV_ARG_UINT, offsetof(struct ddos_opts, table), "16384", 64, 1 << 24, NULL,
	  "destinations tracked" },
	SV_ARG_END,
};

SV_SCHEMA(sv_ddos_meta,
	  SV_FIELD(struct sv_ddos_meta, dst),
	  SV_FIELD(struct sv_ddos_meta, pps),
	  SV_FIELD(struct sv_ddos_meta, bps),
	  SV_FIELD(struct sv_ddos_meta, alert),
	  SV_FIELD(struct sv_ddos_meta, src),
	  SV_FIELD(struct sv_ddos_meta, proto),
	  SV_FIELD(struct sv_ddos_meta, dport),
	  SV_FIELD(struct sv_ddos_meta, culprit),
	  SV_FIELD(struct sv_ddos_meta, reason),
	  SV_FIELD(struct sv_ddos_meta, evidence));

struct dest {
	uint64_t packets;  /* this interval; first: the table's weight */
	uint64_t bytes;
	uint64_t pps, bps; /* over the last interval */
	bool flagged;      /* over a threshold last interval */
};

struct ddos_state {
	uint64_t pps, bps; /* thresholds, 0: none */
	unsigned kind;
	struct sv_interval iv;
	struct sv_table *tab;
	struct sv_culprits *culprits;  /* packets per (source, destination) */
	_Atomic uint64_t *records;
	_Atomic uint64_t *alerts;
	_Atomic uint64_t *evicted;
	_Atomic uint64_t *no_ip;
	_Atomic uint64_t *tracked;  /* gauge: destinations in the table now */
};

static void ddos_destroy(void *state)
{
	struct ddos_state *st = state;

	if (!st)
		return;
	sv_table_free(st->tab);
	sv_culprits_free(st->culprits);
	free(st);
}

static void *ddos_create(struct sv_vnf_ctx *ctx, const char *args)
{
	struct ddos_opts o;
	struct ddos_state *st;

	if (sv_vnf_args(ctx, args, &o) < 0)
		return NULL;
	if (!o.pps && !o.bps) {
		sv_vnf_error(ctx, "pps=0 and bps=0: nothing to detect");
		errno = EINVAL;
		return NULL;
	}
	st = calloc(1, sizeof(*st));
	if (st) {
		st->tab = sv_table_new(o.table, sizeof(struct sv_addr), sizeof(struct dest));
		/* Heavy pairs are what it is for; the light ones may be evicted. */
		st->culprits = sv_culprits_new(o.table < SV_CULPRITS_MAX ? o.table : SV_CULPRITS_MAX);
	}
	if (!st || !st->tab || !st->culprits) {
		ddos_destroy(st);
		sv_vnf_error(ctx, "out of memory");
		errno = ENOMEM;
		return NULL;
	}
	st->pps = o.pps;
	st->bps = o.bps;
	st->kind = o.kind;
	st->iv.len_ns = o.interval * SV_NS_PER_S;
	st->records = sv_counter(ctx, "records");
	st->alerts = sv_counter(ctx, "alerts");
	st->evicted = sv_counter(ctx, "evicted");
	st->no_ip = sv_counter(ctx, "no_ip");
	st->tracked = sv_gauge(ctx, "tracked");
	return st;
}

/* Rates over len_ns; true when one is over its threshold, naming it. */
static bool ddos_judge(const struct ddos_state *st, const struct dest *d, uint64_t len_ns,
		       double *pps, double *bps, const char **metric)
{
	double secs = (double)len_ns / 1e9;

	*pps = (double)d->packets / secs;
	*bps = (double)d->bytes * 8 / secs;
	*metric = st->pps && *pps > (double)st->pps ? "pps"
		: st->bps && *bps > (double)st->bps ? "bps" : NULL;
	return *metric != NULL;
}

static void ddos_alert(struct ddos_state *st, struct sv_vnf_ctx *ctx, const struct sv_addr *dst,
		       const struct dest *d, uint64_t len_ns, double pps, double bps,
		       const char *metric)
{
	struct sv_event *ev = sv_event_begin(ctx, "alert");

	sv_event_str(ev, "reason", "ddos", SIZE_MAX);
	sv_event_addr(ev, "dst", dst);
	sv_event_u64(ev, "pps", (uint64_t)pps);
	sv_event_u64(ev, "bps", (uint64_t)bps);
	sv_event_u64(ev, "packets", d->packets);
	sv_event_u64(ev, "bytes", d->bytes);
	sv_event_double(ev, "seconds", (double)len_ns / 1e9);
	sv_event_str(ev, "metric", metric, SIZE_MAX);
	sv_event_u64(ev, "threshold", metric[0] == 'p' ? st->pps : st->bps);
	sv_event_end(ev);
	sv_counter_add(st->alerts, 1);
}

/* End of an interval: alert, keep the rates for the output, start afresh. */
static void ddos_close(struct ddos_state *st, struct sv_vnf_ctx *ctx, uint64_t len_ns)
{
	const void *key;
	struct dest *d;
	size_t pos = 0;

	while ((d = sv_table_next(st->tab, &pos, &key)) != NULL) {
		double pps, bps;
		const char *metric;

		if (!d->packets) {  /* silent for a whole interval */
			sv_table_del(st->tab, d);
			continue;
		}
		d->flagged = ddos_judge(st, d, len_ns, &pps, &bps, &metric);
		if (d->flagged)
			ddos_alert(st, ctx, key, d, len_ns, pps, bps, metric);
		d->pps = (uint64_t)pps;
		d->bps = (uint64_t)bps;
		d->packets = d->bytes = 0;
	}
	sv_culprits_roll(st->culprits);
	sv_gauge_set(st->tracked, sv_table_count(st->tab));
}

/* Already over what the thresholds allow for the whole interval. */
static bool ddos_over_now(const struct ddos_state *st, const struct dest *d)
{
	double secs = (double)st->iv.len_ns / 1e9;

	return (st->pps && (double)d->packets > (double)st->pps * secs) ||
	       (st->bps && (double)d->bytes * 8 > (double)st->bps * secs);
}

static int ddos_process(void *state, struct sv_vnf_ctx *ctx, const struct sv_flow *rec,
			const void *in, void *out)
{
	struct ddos_state *st = state;
	struct sv_ddos_meta *m = out;
	struct dest *d;
	uint64_t start;
	bool evicted;

	memset(m, 0, sizeof(*m));
	if (rec->kind != kind_of[st->kind])
		return SV_CONTINUE;
	if (rec->ip_version != 4 && rec->ip_version != 6) {
		sv_counter_add(st->no_ip, 1);
		return SV_CONTINUE;
	}
	if (sv_interval_roll(&st->iv, rec->ts_ns, true, &start))
		ddos_close(st, ctx, st->iv.len_ns);
	sv_counter_add(st->records, 1);
	sv_addr_from_flow(&m->dst, rec, true);
	d = sv_table_get(st->tab, &m->dst, &evicted);
	if (evicted)
		sv_counter_add(st->evicted, 1);
	d->packets += rec->packets;
	d->bytes += rec->bytes;
	sv_gauge_set(st->tracked, sv_table_count(st->tab));
	m->pps = d->pps;
	m->bps = d->bps;
	m->alert = d->flagged || ddos_over_now(st, d);
	sv_addr_from_flow(&m->src, rec, false);
	m->proto = rec->proto;
	m->dport = rec->dport;
	sv_culprits_add(st->culprits, &m->src, &m->dst, rec->packets);
	if (m->alert) {
		double part = sv_culprits_share(st->culprits, &m->src, &m->dst);

		if (part >= 0.5 - 1e-12) {
			m->culprit = true;
			memcpy(m->reason, "ddos", sizeof("ddos"));
			snprintf(m->evidence, sizeof(m->evidence),
				 "destination at %llu pps, %llu bps last interval (thresholds "
				 "%llu, %llu), %.0f%% of its packets from this source",
				 (unsigned long long)d->pps, (unsigned long long)d->bps,
				 (unsigned long long)st->pps, (unsigned long long)st->bps,
				 part * 100.0);
		}
	}
	return SV_CONTINUE;
}

static void ddos_tick(void *state, struct sv_vnf_ctx *ctx, uint64_t now_ns)
{
	struct ddos_state *st = state;
	uint64_t start;

	if (sv_interval_roll(&st->iv, now_ns, false, &start))
		ddos_close(st, ctx, st->iv.len_ns);
}

static void ddos_report(void *state, struct sv_vnf_ctx *ctx)
{
	struct ddos_state *st = state;
	uint64_t len_ns = sv_interval_partial(&st->iv);
	const void *key;
	struct dest *d;
	size_t pos = 0;

	if (len_ns < SV_NS_PER_S)
		len_ns = SV_NS_PER_S;
	while ((d = sv_table_next(st->tab, &pos, &key)) != NULL) {
		double pps, bps;
		const char *metric;

		if (d->packets && ddos_judge(st, d, len_ns, &pps, &bps, &metric))
			ddos_alert(st, ctx, key, d, len_ns, pps, bps, metric);
	}
}

flow_vnf sv_vnf_ddos = {
	.desc = {
		.name = "ddos",
		.version = "1.0",
		.summary = "destinations over a packet or bit rate",
		.events = "`alert` (ddos): a destination over a packets/s or bits/s threshold",
		.args = ddos_args,
		.out = &sv_ddos_meta_schema,
		.create = ddos_create,
		.tick = ddos_tick,
		.report = ddos_report,
		.destroy = ddos_destroy,
	},
	.process = ddos_process,
};
