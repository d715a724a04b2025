/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * http_host_count - a VNF shipped as a plugin: HTTP requests per Host
 * header seen in the snaps, one "http_host_count" event per host at the
 * end of the stream:
 *
 *   {"event":"http_host_count","host":"example.org","requests":12,
 *    "truncated_requests":3, ...}
 *
 * requests counts every request whose Host header the snap holds;
 * truncated_requests those of them whose head (request line and headers)
 * the snap or the segment cut before its end. Requests whose Host the
 * snap cut off (or that sent none) count under "host": null. At most
 * `hosts` hosts are kept (argument, default 1024); further hosts count as
 * "other_hosts".
 *
 * Built only from the installed headers (see Makefile); loaded with
 * `snapvnf run --plugin ./http_host_count.so http_host_count`.
 */
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include <snapvnf/plugin.h>
#include <snapvnf/vnf_util.h>

#define HOST_MAX 256

struct host_key {
	char name[HOST_MAX];  /* "" for no Host */
};

struct host_count {
	uint64_t requests;    /* first: the table's weight */
	uint64_t truncated;
};

struct hhc_opts {
	uint64_t hosts;
};

static const struct sv_arg hhc_args[] = {
	{ "hosts", SV_ARG_UINT, offsetof(struct hhc_opts, hosts), "1024", 8, 1 << 20, NULL,
	  "distinct hosts kept (the least requested make room for new ones)" },
	SV_ARG_END,
};

struct hhc_state {
	struct sv_table *tab;
	uint64_t evicted_requests;
	_Atomic uint64_t *requests;
	_Atomic uint64_t *evicted;
};

static void hhc_destroy(void *state)
{
	struct hhc_state *st = state;

	if (!st)
		return;
	sv_table_free(st->tab);
	free(st);
}

static void *hhc_create(struct sv_vnf_ctx *ctx, const char *args)
{
	struct hhc_opts o;
	struct hhc_state *st;

	if (sv_vnf_args(ctx, args, &o) < 0)
		return NULL;
	st = calloc(1, sizeof(*st));
	if (st)
		st->tab = sv_table_new(o.hosts, sizeof(struct host_key), sizeof(struct host_count));
	if (!st || !st->tab) {
		hhc_destroy(st);
		sv_vnf_error(ctx, "out of memory");
		return NULL;
	}
	st->requests = sv_counter(ctx, "requests");
	st->evicted = sv_counter(ctx, "evicted");
	return st;
}

static int hhc_process(void *state, struct sv_vnf_ctx *ctx, const struct sv_pkt *pkt,
		       const void *in, void *out)
{
	struct hhc_state *st = state;
	struct sv_http_request r;
	struct host_key key;
	struct host_count *c;
	bool evicted;

	if (pkt->proto != IPPROTO_TCP || pkt->payload_off == SV_OFF_NONE || !pkt->payload_len)
		return SV_CONTINUE;
	if (sv_http_parse_request(pkt->data + pkt->payload_off, pkt->payload_len, &r) != 1)
		return SV_CONTINUE;
	/* The key is compared byte for byte: clear it all, then the name. */
	memset(&key, 0, sizeof(key));
	sv_field_copy(key.name, sizeof(key.name), r.host.ptr, r.host.len);
	c = sv_table_get(st->tab, &key, &evicted);
	if (evicted) {
		sv_counter_add(st->evicted, 1);
		st->evicted_requests++;
	}
	c->requests++;
	c->truncated += r.truncated;
	sv_counter_add(st->requests, 1);
	return SV_CONTINUE;
}

static void hhc_report(void *state, struct sv_vnf_ctx *ctx)
{
	struct hhc_state *st = state;
	const void *k;
	struct host_count *c;
	size_t pos = 0;

	while ((c = sv_table_next(st->tab, &pos, &k)) != NULL) {
		const struct host_key *key = k;
		struct sv_event *ev = sv_event_begin(ctx, "http_host_count");

		sv_event_str(ev, "host", key->name[0] ? key->name : NULL, SIZE_MAX);
		sv_event_u64(ev, "requests", c->requests);
		sv_event_u64(ev, "truncated_requests", c->truncated);
		sv_event_end(ev);
	}
	if (st->evicted_requests) {
		struct sv_event *ev = sv_event_begin(ctx, "http_host_count");

		sv_event_str(ev, "other_hosts", "evicted", SIZE_MAX);
		sv_event_u64(ev, "requests", st->evicted_requests);
		sv_event_end(ev);
	}
}

static const pkt_vnf http_host_count = {
	.desc = {
		.name = "http_host_count",
		.version = "1.0",
		.summary = "HTTP requests per Host header, reported at the end",
		.events = "`http_host_count` per host: host, requests, truncated_requests",
		.args = hhc_args,
		.create = hhc_create,
		.report = hhc_report,
		.destroy = hhc_destroy,
	},
	.process = hhc_process,
};

SV_PLUGIN(&http_host_count);
