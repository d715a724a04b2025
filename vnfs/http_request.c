/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * http_request.c - the request line, Host and User-Agent of HTTP/1.x
 * requests, from TCP snaps on any port.
 *
 * Emits "http_request" {method, host, uri, user_agent (when sent),
 * truncated} per request and fills struct sv_http_meta. host or uri is
 * null when the snap ended before the value did (the decoder never
 * reports half a value).
 *
 * Verdict: SV_CONTINUE for every packet, and the output is cleared for a
 * packet without a request (method[0] == '\0', host[0] == '\0'). A VNF
 * that stopped non-requests would starve every VNF after it of the DNS
 * and TLS packets it needs, so chains could not be composed freely; a VNF
 * fed by this one (url_filter) skips empty hosts instead. With the
 * argument "stop" this VNF is a filter: packets that carry no request end
 * the chain, for chains in which only requests matter.
 */
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include <snapvnf/builtin.h>

#include "vnfs/l7_common.h"

SV_SCHEMA(sv_http_meta,
	  SV_FIELD(struct sv_http_meta, method),
	  SV_FIELD(struct sv_http_meta, host),
	  SV_FIELD(struct sv_http_meta, uri),
	  SV_FIELD(struct sv_http_meta, user_agent),
	  SV_FIELD(struct sv_http_meta, truncated),
	  SV_FIELD(struct sv_http_meta, client),
	  SV_FIELD(struct sv_http_meta, server),
	  SV_FIELD(struct sv_http_meta, server_port));

struct http_state {
	struct l7_common l7;
	_Atomic uint64_t *requests;
	_Atomic uint64_t *truncated;
};

static void http_event_span(struct sv_event *ev, const char *key, struct sv_http_span s)
{
	sv_event_str(ev, key, (const char *)s.ptr, s.len);
}

static void *http_create(struct sv_vnf_ctx *ctx, const char *args)
{
	struct http_state *st = calloc(1, sizeof(*st));

	if (!st) {
		sv_vnf_error(ctx, "out of memory");
		return NULL;
	}
	st->requests = sv_counter(ctx, "requests");
	st->truncated = sv_counter(ctx, "truncated");
	if (l7_common_init(&st->l7, ctx, args) < 0) {
		free(st);
		return NULL;
	}
	return st;
}

static int http_process(void *state, struct sv_vnf_ctx *ctx, const struct sv_pkt *pkt,
			const void *in, void *out)
{
	struct http_state *st = state;
	struct sv_http_meta *m = out;
	struct sv_http_request r;
	struct sv_event *ev;
	int ret;

	l7_common_begin(&st->l7, m, sizeof(*m));
	if (pkt->proto != IPPROTO_TCP || pkt->payload_off == SV_OFF_NONE || !pkt->payload_len)
		return l7_common_none(&st->l7, 0);

	ret = sv_http_parse_request(pkt->data + pkt->payload_off, pkt->payload_len, &r);
	if (ret <= 0)
		return l7_common_none(&st->l7, ret);

	sv_counter_add(st->requests, 1);
	l7_common_item(&st->l7);
	if (r.truncated)
		sv_counter_add(st->truncated, 1);

	sv_field_copy(m->method, sizeof(m->method), r.method.ptr, r.method.len);
	sv_field_copy(m->host, sizeof(m->host), r.host.ptr, r.host.len);
	sv_field_copy(m->uri, sizeof(m->uri), r.uri.ptr, r.uri.len);
	sv_field_copy(m->user_agent, sizeof(m->user_agent), r.user_agent.ptr, r.user_agent.len);
	m->truncated = r.truncated;
	sv_addr_from_pkt(&m->client, pkt, false);
	sv_addr_from_pkt(&m->server, pkt, true);
	m->server_port = pkt->dport;

	/* The event carries the whole values, not the meta's cut copies. */
	ev = sv_event_begin(ctx, "http_request");
	http_event_span(ev, "method", r.method);
	http_event_span(ev, "host", r.host);
	http_event_span(ev, "uri", r.uri);
	if (r.user_agent.ptr)
		http_event_span(ev, "user_agent", r.user_agent);
	sv_event_bool(ev, "truncated", r.truncated);
	sv_event_end(ev);
	return SV_CONTINUE;
}

static void http_destroy(void *state)
{
	free(state);
}

pkt_vnf sv_vnf_http_request = {
	.desc = {
		.name = "http_request",
		.version = "1.0",
		.summary = "HTTP/1.x requests: method, host, uri, user agent",
		.events = "`http_request`: method, host, uri, user_agent, truncated",
		.args = l7_common_args,
		.out = &sv_http_meta_schema,
		.create = http_create,
		.destroy = http_destroy,
	},
	.process = http_process,
};
