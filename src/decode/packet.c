/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * packet.c - sv_packet_decode(): the link layer, then IP, then L4, once.
 */
#include <stddef.h>

#include "decode/packet.h"
#include "decode/l234.h"

/* DLT_RAW as some systems number it (12 on most BSDs, 14 on OpenBSD). */
#define LINK_RAW_BSD     12
#define LINK_RAW_OPENBSD 14

/* The snap starts 8-byte aligned in its slot: no gap of padding before data[]. */
_Static_assert(offsetof(struct sv_pkt, data) % 8 == 0, "struct sv_pkt: data[] must stay 8-byte aligned");

/*
 * Clear what we fill, and only that: the caller's fields stay, and
 * data[] is never touched.
 */
static void reset(struct sv_pkt *p)
{
	p->flags = 0;
	p->ethertype = 0;
	p->l3_off = SV_OFF_NONE;
	p->l4_off = SV_OFF_NONE;
	p->payload_off = SV_OFF_NONE;
	p->payload_len = 0;
	p->vlan[0] = 0;
	p->vlan[1] = 0;
	p->nvlan = 0;
	p->ip_version = 0;
	p->proto = 0;
	p->ttl = 0;
	p->tcp_flags = 0;
	p->icmp_type = 0;
	p->icmp_code = 0;
	p->span_ip_version = 0;
	p->sport = 0;
	p->dport = 0;
	p->span_id = 0;
	p->l4_len = 0;
	for (int i = 0; i < 16; i++) {
		p->src[i] = 0;
		p->dst[i] = 0;
		p->span_src[i] = 0;
	}
}

/* Raw IP has no type field: the version nibble is the only hint. */
static uint16_t raw_type(struct sv_pkt *p, struct sv_cur *c)
{
	if (!sv_cur_need(c, 1)) {
		sv_l234_short(p, true);
		return 0;
	}
	switch (sv_cur_peek(c)[0] >> 4) {
	case 4:
		return SV_ETH_IPV4;
	case 6:
		return SV_ETH_IPV6;
	}
	p->flags |= SV_PKT_MALFORMED;
	return 0;
}

uint16_t sv_packet_decode(struct sv_pkt *p, int linktype)
{
	struct sv_cur c;
	struct sv_l234_ip ip;
	uint16_t type;
	bool l4;

	reset(p);
	sv_cur_init(&c, p->data, p->cap_len);

	switch (linktype) {
	case SV_LINK_ETHERNET:
		if (!sv_ether_decode(p, &c))
			return p->flags;
		type = p->ethertype;
		break;
	case SV_LINK_RAW:
	case LINK_RAW_BSD:
	case LINK_RAW_OPENBSD:
		type = raw_type(p, &c);
		break;
	default:
		return p->flags;
	}

	switch (type) {
	case SV_ETH_IPV4:
		l4 = sv_ipv4_decode(p, &c, &ip);
		break;
	case SV_ETH_IPV6:
		l4 = sv_ipv6_decode(p, &c, &ip);
		break;
	default:
		return p->flags;
	}

	if (!l4)
		return p->flags;

	/*
	 * Say where the L4 header starts even for protocols we do not decode
	 * (GRE, ESP, SCTP, ...), so a service can go on from there; but not
	 * when none of it is in the snap.
	 */
	if (sv_cur_left(&ip.c) > 0)
		p->l4_off = sv_l234_off(p, &ip.c);

	switch (p->proto) {
	case SV_IPPROTO_TCP:
		sv_tcp_decode(p, &ip);
		break;
	case SV_IPPROTO_UDP:
		sv_udp_decode(p, &ip);
		break;
	case SV_IPPROTO_ICMP:
		if (p->ip_version == 4)
			sv_icmp_decode(p, &ip);
		break;
	case SV_IPPROTO_ICMPV6:
		if (p->ip_version == 6)
			sv_icmp_decode(p, &ip);
		break;
	}
	return p->flags;
}
