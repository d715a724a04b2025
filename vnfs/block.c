/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * block.c - a detector's verdict becomes a block request.
 *
 * Placed after a detector (syn_flood, ddos, port_scan, url_filter) whose
 * output names a culprit, it asks snapvnfd's door to block that source
 * (scope=src) or that source towards that destination, protocol and port
 * (scope=pair) for ttl seconds, with the detector's reason and evidence.
 * The door decides; this VNF reports what it asked and what the door said
 * as a "block" event {decision: pending|folded|dry_run|refused|error, id,
 * refused, why, src, dst, ttl, reason, evidence}.
 *
 * Arguments ("ttl=120,scope=pair"):
 *   ttl=60         seconds the rule lasts (1 to 86400; the daemon bounds it)
 *   scope=src      src: everything from the culprit; pair: only towards the
 *                  destination (and protocol and port) it was seen with
 *   dry_run=0      1: the door judges and reports, the switch is untouched
 *
 * A flood names its culprit on every sampled packet: one request per
 * target is enough, so a target asked for is not asked again until shortly
 * before its TTL ends (a quarter of it, at most 5 s; a refused one after a
 * second) - counted as "held". Asked again while the rule is in force, the
 * door moves the rule's end, so a culprit still named keeps its rule with
 * no gap (docs/actions.md).
 * Never stops the chain. Two tables, one per kind of chain: `block` for
 * packets, `block` (flow) for flow records.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <snapvnf/action.h>
#include <snapvnf/builtin.h>
#include <snapvnf/vnf_util.h>

#define RETRY_MS 1000
#define RENEW_BEFORE_MS 5000  /* at most; a quarter of the TTL below 20 s */

SV_SCHEMA(sv_block_meta,
	  SV_FIELD(struct sv_block_meta, src),
	  SV_FIELD(struct sv_block_meta, dst),
	  SV_FIELD(struct sv_block_meta, proto),
	  SV_FIELD(struct sv_block_meta, dport),
	  SV_FIELD(struct sv_block_meta, culprit),
	  SV_FIELD(struct sv_block_meta, reason),
	  SV_FIELD(struct sv_block_meta, evidence));

struct target {
	struct sv_addr src;
	struct sv_addr dst;
	uint8_t proto;
	uint8_t pad;
	uint16_t dport;
};

struct asked {
	uint64_t until_ms;  /* first: the table's weight (the longest-held stays) */
};

struct block_state {
	uint32_t ttl;
	bool pair;
	bool dry_run;
	struct sv_table *asked;
	_Atomic uint64_t *requests, *accepted, *folded, *refused, *errors, *held;
};

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void block_destroy(void *state)
{
	struct block_state *st = state;

	if (!st)
		return;
	sv_table_free(st->asked);
	free(st);
}

static const char *const block_scopes[] = { "src", "pair", NULL };

struct block_opts {
	uint64_t ttl, dry_run;
	unsigned scope;
};

static const struct sv_arg block_args[] = {
	{ "ttl", SV_ARG_UINT, offsetof(struct block_opts, ttl), "60", 1, 86400, NULL,
	  "seconds the rule lasts (the daemon bounds it)" },
	{ "scope", SV_ARG_WORD, offsetof(struct block_opts, scope), "src", 0, 0, block_scopes,
	  "everything from the culprit, or only towards the destination it was seen with" },
	{ "dry_run", SV_ARG_UINT, offsetof(struct block_opts, dry_run), "0", 0, 1, NULL,
	  "1: the door judges and reports, the switch is untouched" },
	SV_ARG_END,
};

static void *block_create(struct sv_vnf_ctx *ctx, const char *args)
{
	struct block_opts o;
	struct block_state *st;

	if (sv_vnf_args(ctx, args, &o) < 0)
		return NULL;
	st = calloc(1, sizeof(*st));
	if (st)
		st->asked = sv_table_new(4096, sizeof(struct target), sizeof(struct asked));
	if (!st || !st->asked) {
		block_destroy(st);
		sv_vnf_error(ctx, "out of memory");
		errno = ENOMEM;
		return NULL;
	}
	st->ttl = (uint32_t)o.ttl;
	st->pair = o.scope == 1;
	st->dry_run = o.dry_run != 0;
	st->requests = sv_counter(ctx, "requests");
	st->accepted = sv_counter(ctx, "accepted");
	st->folded = sv_counter(ctx, "folded");
	st->refused = sv_counter(ctx, "refused");
	st->errors = sv_counter(ctx, "errors");
	st->held = sv_counter(ctx, "held");
	return st;
}

/* A char[size] member as a C string, even if a converter left it unterminated. */
static void member_str(char *dst, const char *src, size_t size)
{
	size_t n = strnlen(src, size - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

static void report(struct sv_vnf_ctx *ctx, const struct sv_block_request *rq, int rc,
		   const struct sv_action_result *res)
{
	static const char *const names[] = { [SV_ACTION_PENDING] = "pending",
					     [SV_ACTION_FOLDED] = "folded",
					     [SV_ACTION_DRY_RUN] = "dry_run",
					     [SV_ACTION_REFUSED] = "refused" };
	struct sv_event *ev = sv_event_begin(ctx, "block");

	sv_event_str(ev, "decision", rc < 0 ? "error" : names[res->decision], SIZE_MAX);
	if (rc < 0)
		sv_event_str(ev, "why", strerror(-rc), SIZE_MAX);
	else if (res->decision == SV_ACTION_REFUSED) {
		sv_event_str(ev, "refused", res->refused, SIZE_MAX);
		sv_event_str(ev, "why", res->why, SIZE_MAX);
	} else {
		sv_event_u64(ev, "id", res->id);
	}
	sv_event_addr(ev, "culprit", &rq->src);
	sv_event_str(ev, "scope", rq->pair ? "pair" : "src", SIZE_MAX);
	if (rq->pair) {
		sv_event_addr(ev, "to", &rq->dst);
		if (rq->proto)
			sv_event_u64(ev, "to_proto", rq->proto);
		if (rq->dport)
			sv_event_u64(ev, "to_port", rq->dport);
	}
	sv_event_u64(ev, "ttl", rq->ttl_s);
	sv_event_str(ev, "reason", rq->reason, SIZE_MAX);
	sv_event_str(ev, "evidence", rq->evidence, SIZE_MAX);
	sv_event_end(ev);
}

static int block_verdict(struct block_state *st, struct sv_vnf_ctx *ctx, const struct sv_block_meta *m)
{
	char reason[sizeof(m->reason)], evidence[sizeof(m->evidence)];
	struct sv_block_request rq = { .ttl_s = st->ttl, .dry_run = st->dry_run,
				       .pair = st->pair };
	struct sv_action_result res = { 0 };
	struct target t;
	struct asked *a;
	uint64_t now = mono_ms();
	bool evicted;
	int rc;

	if (!m->culprit || (m->src.family != 4 && m->src.family != 6))
		return SV_CONTINUE;
	if (st->pair && m->dst.family != m->src.family)
		return SV_CONTINUE;  /* nothing to pair it with */
	memset(&t, 0, sizeof(t));
	t.src.family = m->src.family;
	memcpy(t.src.a, m->src.a, sizeof(t.src.a));
	if (st->pair) {
		t.dst.family = m->dst.family;
		memcpy(t.dst.a, m->dst.a, sizeof(t.dst.a));
		t.proto = m->proto;
		t.dport = m->proto == 6 || m->proto == 17 || m->proto == 132 ? m->dport : 0;
	}
	a = sv_table_get(st->asked, &t, &evicted);
	if (a->until_ms > now) {
		sv_counter_add(st->held, 1);
		return SV_CONTINUE;
	}
	member_str(reason, m->reason, sizeof(reason));
	member_str(evidence, m->evidence, sizeof(evidence));
	rq.src = t.src;
	rq.dst = t.dst;
	rq.proto = t.proto;
	rq.dport = t.dport;
	rq.reason = reason[0] ? reason : "verdict";
	rq.evidence = evidence;
	sv_counter_add(st->requests, 1);
	rc = sv_action_block(ctx, &rq, &res);
	if (rc < 0)
		sv_counter_add(st->errors, 1);
	else if (res.decision == SV_ACTION_REFUSED)
		sv_counter_add(st->refused, 1);
	else if (res.decision == SV_ACTION_FOLDED)
		sv_counter_add(st->folded, 1);
	else
		sv_counter_add(st->accepted, 1);
	if (rc == 0 && res.decision != SV_ACTION_REFUSED) {
		uint64_t ttl_ms = (uint64_t)st->ttl * 1000u;

		a->until_ms = now + ttl_ms - (ttl_ms / 4 < RENEW_BEFORE_MS ? ttl_ms / 4 : RENEW_BEFORE_MS);
	} else {
		a->until_ms = now + RETRY_MS;
	}
	report(ctx, &rq, rc, &res);
	return SV_CONTINUE;
}

static int block_pkt(void *state, struct sv_vnf_ctx *ctx, const struct sv_pkt *pkt, const void *in,
		     void *out)
{
	return block_verdict(state, ctx, in);
}

static int block_flow(void *state, struct sv_vnf_ctx *ctx, const struct sv_flow *rec,
		      const void *in, void *out)
{
	return block_verdict(state, ctx, in);
}

#define BLOCK_DESC                                                                      \
	{                                                                               \
		.name = "block", .version = "1.0",                                      \
		.summary = "ask snapvnfd to block the culprit a detector names",        \
		.events = "`block`: decision, id, refused, why, src, dst, ttl, reason, evidence", \
		.args = block_args,                                                     \
		.in = &sv_block_meta_schema, .create = block_create,                    \
		.destroy = block_destroy,                                               \
	}

pkt_vnf sv_vnf_block = { .desc = BLOCK_DESC, .process = block_pkt };
flow_vnf sv_vnf_block_flow = { .desc = BLOCK_DESC, .process = block_flow };
