/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tls_sni.c - the server name of TLS ClientHellos, from TCP snaps whose
 * payload starts with a handshake record, on any port.
 *
 * Emits "tls_client_hello" {sni, alpn (when sent), truncated} and fills
 * struct sv_tls_meta. sni is null both when the hello has no server_name
 * and when the snap (or the record) ended before the name did: a 150-byte
 * snap often stops inside a modern ClientHello, and half a name is not
 * reported. truncated tells the two apart.
 *
 * Verdict: SV_CONTINUE always, with the output cleared for packets that
 * hold no ClientHello, so VNFs after this one still see every packet;
 * with the argument "stop", other packets end the chain. See
 * http_request.c for why stopping is not the default.
 */
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include <snapvnf/builtin.h>

#include "vnfs/l7_common.h"

SV_SCHEMA(sv_tls_meta,
	  SV_FIELD(struct sv_tls_meta, sni),
	  SV_FIELD(struct sv_tls_meta, has_sni),
	  SV_FIELD(struct sv_tls_meta, truncated));

struct tls_state {
	struct l7_common l7;
	_Atomic uint64_t *hellos;
	_Atomic uint64_t *truncated;
};

static void *tls_create(struct sv_vnf_ctx *ctx, const char *args)
{
	struct tls_state *st = calloc(1, sizeof(*st));

	if (!st) {
		sv_vnf_error(ctx, "out of memory");
		return NULL;
	}
	st->hellos = sv_counter(ctx, "client_hellos");
	st->truncated = sv_counter(ctx, "truncated");
	if (l7_common_init(&st->l7, ctx, args) < 0) {
		free(st);
		return NULL;
	}
	return st;
}

static int tls_process(void *state, struct sv_vnf_ctx *ctx, const struct sv_pkt *pkt,
		       const void *in, void *out)
{
	struct tls_state *st = state;
	struct sv_tls_meta *m = out;
	struct sv_tls_hello h;
	struct sv_event *ev;
	int ret;

	l7_common_begin(&st->l7, m, sizeof(*m));
	if (pkt->proto != IPPROTO_TCP || pkt->payload_off == SV_OFF_NONE || !pkt->payload_len)
		return l7_common_none(&st->l7, 0);

	ret = sv_tls_parse_client_hello(pkt->data + pkt->payload_off, pkt->payload_len, &h);
	if (ret <= 0)
		return l7_common_none(&st->l7, ret);

	sv_counter_add(st->hellos, 1);
	l7_common_item(&st->l7);
	if (h.truncated)
		sv_counter_add(st->truncated, 1);
	if (h.sni.ptr) {
		sv_field_copy(m->sni, sizeof(m->sni), h.sni.ptr, h.sni.len);
		m->has_sni = true;
	}
	m->truncated = h.truncated;

	ev = sv_event_begin(ctx, "tls_client_hello");
	sv_event_str(ev, "sni", (const char *)h.sni.ptr, h.sni.len);
	if (h.alpn.ptr)
		sv_event_str(ev, "alpn", (const char *)h.alpn.ptr, h.alpn.len);
	sv_event_bool(ev, "truncated", h.truncated);
	sv_event_end(ev);
	return SV_CONTINUE;
}

static void tls_destroy(void *state)
{
	free(state);
}

pkt_vnf sv_vnf_tls_sni = {
	.desc = {
		.name = "tls_sni",
		.version = "1.0",
		.summary = "TLS ClientHello: server name (SNI) and ALPN",
		.events = "`tls_client_hello`: sni (null when absent or cut off), alpn, truncated",
		.args = l7_common_args,
		.out = &sv_tls_meta_schema,
		.create = tls_create,
		.destroy = tls_destroy,
	},
	.process = tls_process,
};
