/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * top_talkers.c - the sources and destinations with the most traffic,
 * per interval.
 *
 * Arguments ("n=10,interval=10", or just the number n):
 *   n=10         how many of each to report (1 to 1000)
 *   interval=10  seconds of record time per report (1 to 86400)
 *   kind=sample  count sFlow sample records; kind=flow counts aggregate
 *                records instead (never both: they describe the same
 *                packets). Counter records are never counted.
 *   table=16384  addresses tracked per direction (64 to 16M)
 *
 * Traffic is the records' estimated bytes and packets (scaled by the
 * sampling rate); records without IP addresses are skipped. At the end of
 * each interval (see sv_interval_roll() in snapvnf/vnf_util.h) it emits, for "src" then "dst", one
 * "top_talkers" event per rank, most bytes first (then most packets):
 *   {start, seconds, direction, rank (from 1), addr, bytes, packets,
 *    share (of the bytes of all counted records in the interval)}
 * and starts counting afresh; report() does the same for the interval in
 * progress. No metadata; never stops the chain.
 *
 * Memory is fixed: a full table bucket makes room for a new address by
 * evicting its address with the fewest bytes (counted as "evicted"), so
 * heavy talkers stay tracked under a flood of new addresses, and the
 * bytes of a tracked address are exact from the time it was (last)
 * inserted.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <snapvnf/builtin.h>
#include <snapvnf/vnf_util.h>

enum { KIND_SAMPLE, KIND_FLOW };
enum { DIR_SRC, DIR_DST };

static const char *const top_kinds[] = { "sample", "flow", NULL };
static const uint32_t kind_of[] = { SV_FLOW_SAMPLE, SV_FLOW_AGGREGATE };

struct talker {
	uint64_t bytes;  /* first: the table's weight */
	uint64_t packets;
};

struct ranked {
	const struct sv_addr *addr;
	const struct talker *t;
};

struct top_state {
	unsigned n;
	unsigned kind;
	struct sv_interval iv;
	struct sv_table *tab[2];
	uint64_t bytes;      /* of every counted record this interval */
	struct ranked *rank; /* n entries */
	_Atomic uint64_t *records;
	_Atomic uint64_t *evicted;
	_Atomic uint64_t *no_ip;
};

struct top_opts {
	uint64_t n, interval, table;
	unsigned kind;
};

static const struct sv_arg top_args[] = {
	{ "n", SV_ARG_UINT, offsetof(struct top_opts, n), "10", 1, 1000, NULL,
	  "how many sources and destinations to report" },
	{ "interval", SV_ARG_UINT, offsetof(struct top_opts, interval), "10", 1, 86400, NULL,
	  "seconds of record time per report" },
	{ "kind", SV_ARG_WORD, offsetof(struct top_opts, kind), "sample", 0, 0, top_kinds,
	  "which records count: sFlow samples or aggregates" },
	{ "table", SV_ARG_UINT, offsetof(struct top_opts, table), "16384", 64, 1 << 24, NULL,
	  "addresses tracked per direction" },
	SV_ARG_END,
};

static void top_destroy(void *state)
{
	struct top_state *st = state;

	if (!st)
		return;
	sv_table_free(st->tab[DIR_SRC]);
	sv_table_free(st->tab[DIR_DST]);
	free(st->rank);
	free(st);
}

static void *top_create(struct sv_vnf_ctx *ctx, const char *args)
{
	struct top_opts o;
	struct top_state *st;

	if (sv_vnf_args(ctx, args, &o) < 0)
		return NULL;
	st = calloc(1, sizeof(*st));
	if (!st)
		goto nomem;
	st->n = (unsigned)o.n;
	st->kind = o.kind;
	st->iv.len_ns = o.interval * SV_NS_PER_S;
	st->tab[DIR_SRC] = sv_table_new(o.table, sizeof(struct sv_addr), sizeof(struct talker));
	st->tab[DIR_DST] = sv_table_new(o.table, sizeof(struct sv_addr), sizeof(struct talker));
	st->rank = calloc(o.n, sizeof(*st->rank));
	if (!st->tab[DIR_SRC] || !st->tab[DIR_DST] || !st->rank)
		goto nomem;
	st->records = sv_counter(ctx, "records");
	st->evicted = sv_counter(ctx, "evicted");
	st->no_ip = sv_counter(ctx, "no_ip");
	return st;
nomem:
	top_destroy(st);
	sv_vnf_error(ctx, "out of memory");
	errno = ENOMEM;
	return NULL;
}

/* More bytes ranks higher, then more packets, then the lower address. */
static bool top_above(const struct ranked *a, const struct ranked *b)
{
	if (a->t->bytes != b->t->bytes)
		return a->t->bytes > b->t->bytes;
	if (a->t->packets != b->t->packets)
		return a->t->packets > b->t->packets;
	return memcmp(a->addr, b->addr, sizeof(*a->addr)) < 0;
}

/* The top n of one table, into st->rank; returns how many. */
static unsigned top_select(struct top_state *st, const struct sv_table *tab)
{
	const void *key;
	size_t pos = 0;
	unsigned m = 0;
	struct ranked c;

	while ((c.t = sv_table_next(tab, &pos, &key)) != NULL) {
		unsigned i;

		c.addr = key;
		if (m == st->n && !top_above(&c, &st->rank[m - 1]))
			continue;
		i = m < st->n ? m++ : m - 1;
		for (; i > 0 && top_above(&c, &st->rank[i - 1]); i--)
			st->rank[i] = st->rank[i - 1];
		st->rank[i] = c;
	}
	return m;
}

static void top_close(struct top_state *st, struct sv_vnf_ctx *ctx, uint64_t start_ns,
		      uint64_t len_ns)
{
	static const char *const dirs[] = { "src", "dst" };

	for (int d = DIR_SRC; d <= DIR_DST; d++) {
		unsigned m = top_select(st, st->tab[d]);

		for (unsigned i = 0; i < m; i++) {
			struct sv_event *ev = sv_event_begin(ctx, "top_talkers");

			sv_event_double(ev, "start", (double)start_ns / 1e9);
			sv_event_double(ev, "seconds", (double)len_ns / 1e9);
			sv_event_str(ev, "direction", dirs[d], SIZE_MAX);
			sv_event_u64(ev, "rank", i + 1);
			sv_event_addr(ev, "addr", st->rank[i].addr);
			sv_event_u64(ev, "bytes", st->rank[i].t->bytes);
			sv_event_u64(ev, "packets", st->rank[i].t->packets);
			sv_event_double(ev, "share", st->bytes ? (double)st->rank[i].t->bytes /
								 (double)st->bytes : 0);
			sv_event_end(ev);
		}
		sv_table_clear(st->tab[d]);
	}
	st->bytes = 0;
}

static void top_add(struct top_state *st, int dir, const struct sv_flow *rec)
{
	struct sv_addr a;
	struct talker *t;
	bool evicted;

	sv_addr_from_flow(&a, rec, dir == DIR_DST);
	t = sv_table_get(st->tab[dir], &a, &evicted);
	if (evicted)
		sv_counter_add(st->evicted, 1);
	t->bytes += rec->bytes;
	t->packets += rec->packets;
}

static int top_process(void *state, struct sv_vnf_ctx *ctx, const struct sv_flow *rec,
		       const void *in, void *out)
{
	struct top_state *st = state;
	uint64_t start;

	if (rec->kind != kind_of[st->kind])
		return SV_CONTINUE;
	if (rec->ip_version != 4 && rec->ip_version != 6) {
		sv_counter_add(st->no_ip, 1);
		return SV_CONTINUE;
	}
	if (sv_interval_roll(&st->iv, rec->ts_ns, true, &start))
		top_close(st, ctx, start, st->iv.len_ns);
	sv_counter_add(st->records, 1);
	top_add(st, DIR_SRC, rec);
	top_add(st, DIR_DST, rec);
	st->bytes += rec->bytes;
	return SV_CONTINUE;
}

static void top_tick(void *state, struct sv_vnf_ctx *ctx, uint64_t now_ns)
{
	struct top_state *st = state;
	uint64_t start;

	if (sv_interval_roll(&st->iv, now_ns, false, &start))
		top_close(st, ctx, start, st->iv.len_ns);
}

static void top_report(void *state, struct sv_vnf_ctx *ctx)
{
	struct top_state *st = state;

	if (sv_table_count(st->tab[DIR_SRC]))
		top_close(st, ctx, st->iv.start_ns, sv_interval_partial(&st->iv));
}

flow_vnf sv_vnf_top_talkers = {
	.desc = {
		.name = "top_talkers",
		.version = "1.0",
		.summary = "top sources and destinations by estimated bytes per interval",
		.events = "`top_talkers`: top-N sources and destinations by bytes",
		.args = top_args,
		.create = top_create,
		.tick = top_tick,
		.report = top_report,
		.destroy = top_destroy,
	},
	.process = top_process,
};
