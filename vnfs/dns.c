/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dns.c - DNS queries and responses: UDP with port 53 on either side, and
 * TCP port 53 (RFC 1035 4.2.2: a 2-byte length prefix), IPv4 and IPv6.
 *
 * Emits "dns" {id, response, qname, qtype, rcode (responses only),
 * truncated} per message and fills struct sv_dns_meta. qname and qtype
 * are null when the snap ended inside the question; the meta's qname is
 * cut to its 255 characters (only names full of \DDD escapes are longer).
 *
 * Only the start of a TCP segment is looked at: a message that begins
 * inside a segment (after another message, or continued from an earlier
 * segment) is not found, and a continuation segment is usually counted
 * as malformed. Reassembly would need per-flow state that snaps, which
 * carry at most the first bytes of a segment, could rarely feed.
 *
 * Verdict: SV_CONTINUE always, with the output cleared for packets that
 * hold no DNS message (qname[0] == '\0'), so VNFs after this one still
 * see every packet; with the argument "stop", other packets end the chain.
 * See http_request.c for why stopping is not the default.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include <snapvnf/builtin.h>

#include "vnfs/l7_common.h"

#define DNS_PORT 53
#define UDP_HLEN 8u

SV_SCHEMA(sv_dns_meta,
	  SV_FIELD(struct sv_dns_meta, qname),
	  SV_FIELD(struct sv_dns_meta, qtype),
	  SV_FIELD(struct sv_dns_meta, id),
	  SV_FIELD(struct sv_dns_meta, rcode),
	  SV_FIELD(struct sv_dns_meta, response),
	  SV_FIELD(struct sv_dns_meta, truncated));

struct dns_state {
	struct l7_common l7;
	_Atomic uint64_t *queries;
	_Atomic uint64_t *responses;
};

static void *dns_create(struct sv_vnf_ctx *ctx, const char *args)
{
	struct dns_state *st = calloc(1, sizeof(*st));

	if (!st) {
		sv_vnf_error(ctx, "out of memory");
		return NULL;
	}
	st->queries = sv_counter(ctx, "queries");
	st->responses = sv_counter(ctx, "responses");
	if (l7_common_init(&st->l7, ctx, args) < 0) {
		free(st);
		return NULL;
	}
	return st;
}

/*
 * Whether the snap holds the UDP datagram's whole payload, so that a
 * message ending early lies about its counts rather than was cut. Not so
 * when the snap ends with the payload, or in a first fragment (the UDP
 * length counts bytes of later fragments). The decoder read the UDP
 * header; its length field is all that sv_pkt does not keep.
 */
static bool dns_udp_whole(const struct sv_pkt *p)
{
	const uint8_t *udp = p->data + p->l4_off;
	unsigned ulen = (unsigned)udp[4] << 8 | udp[5];

	if ((unsigned)p->payload_off + p->payload_len >= p->cap_len && p->cap_len < p->wire_len)
		return false;
	return p->payload_len + UDP_HLEN >= ulen;
}

/* Parse the payload: 1 a message, 0 none, -EINVAL malformed. */
static int dns_parse_pkt(const struct sv_pkt *p, struct sv_dns_msg *msg)
{
	const uint8_t *payload;
	int ret;

	if (p->sport != DNS_PORT && p->dport != DNS_PORT)
		return 0;
	if (p->payload_off == SV_OFF_NONE)
		return 0;
	payload = p->data + p->payload_off;

	if (p->proto == IPPROTO_TCP) {
		/* Handshakes and bare ACKs carry nothing. */
		if (!p->payload_len)
			return 0;
		return sv_dns_parse_tcp(payload, p->payload_len, msg);
	}
	if (p->proto != IPPROTO_UDP)
		return 0;
	ret = sv_dns_parse(payload, p->payload_len, msg);
	if (ret >= 0 && msg->truncated && dns_udp_whole(p))
		return -EINVAL;
	return ret;
}

static int dns_process(void *state, struct sv_vnf_ctx *ctx, const struct sv_pkt *pkt,
		       const void *in, void *out)
{
	struct dns_state *st = state;
	struct sv_dns_meta *m = out;
	struct sv_dns_msg msg;
	struct sv_event *ev;
	int ret;

	l7_common_begin(&st->l7, m, sizeof(*m));
	ret = dns_parse_pkt(pkt, &msg);
	if (ret <= 0)
		return l7_common_none(&st->l7, ret);

	sv_counter_add(msg.qr ? st->responses : st->queries, 1);
	l7_common_item(&st->l7);
	if (msg.has_qname)
		sv_field_copy(m->qname, sizeof(m->qname), msg.qname, msg.qname_len);
	m->qtype = msg.has_qtype ? msg.qtype : 0;
	m->id = msg.id;
	m->rcode = msg.qr ? msg.rcode : 0;
	m->response = msg.qr;
	m->truncated = msg.truncated;

	ev = sv_event_begin(ctx, "dns");
	sv_event_u64(ev, "id", msg.id);
	sv_event_bool(ev, "response", msg.qr);
	sv_event_str(ev, "qname", msg.has_qname ? msg.qname : NULL, msg.qname_len);
	if (msg.has_qtype)
		sv_event_u64(ev, "qtype", msg.qtype);
	else
		sv_event_str(ev, "qtype", NULL, 0);
	if (msg.qr)
		sv_event_u64(ev, "rcode", msg.rcode);
	sv_event_bool(ev, "truncated", msg.truncated);
	sv_event_end(ev);
	return SV_CONTINUE;
}

static void dns_destroy(void *state)
{
	free(state);
}

pkt_vnf sv_vnf_dns = {
	.desc = {
		.name = "dns",
		.version = "1.0",
		.summary = "DNS queries and responses over UDP and TCP: name, type, rcode",
		.events = "`dns`: id, response, qname, qtype, rcode, truncated (UDP and TCP)",
		.args = l7_common_args,
		.out = &sv_dns_meta_schema,
		.create = dns_create,
		.destroy = dns_destroy,
	},
	.process = dns_process,
};
