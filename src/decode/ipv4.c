/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ipv4.c - IPv4 header (RFC 791): addresses, protocol, options, fragments.
 */
#include "decode/l234.h"

#define IPV4_HLEN_MIN 20
#define IPV4_MF       0x2000
#define IPV4_OFFMASK  0x1FFF

bool sv_ipv4_decode(struct sv_pkt *p, struct sv_cur *c, struct sv_l234_ip *ip)
{
	uint16_t start = sv_l234_off(p, c);
	struct sv_cur h = *c; /* the header; c itself is re-cut by the total length */
	uint8_t vihl;
	uint16_t tot, frag;
	size_t hlen;

	vihl = sv_cur_u8(&h);
	if (!sv_cur_ok(&h)) {
		sv_l234_short(p, true);
		return false;
	}
	if (vihl >> 4 != 4) {
		/* The link layer said IPv4; the header does not agree. */
		p->flags |= SV_PKT_MALFORMED;
		return false;
	}
	p->ip_version = 4;
	p->l3_off = start;
	hlen = (size_t)(vihl & 0x0F) * 4;

	sv_cur_skip(&h, 1); /* DSCP, ECN */
	tot = sv_cur_be16(&h);
	sv_cur_skip(&h, 2); /* identification */
	frag = sv_cur_be16(&h);
	p->ttl = sv_cur_u8(&h);
	p->proto = sv_cur_u8(&h);
	sv_cur_skip(&h, 2); /* checksum */
	sv_cur_copy(&h, p->src, 4);
	sv_cur_copy(&h, p->dst, 4);
	if (!sv_cur_ok(&h)) {
		sv_l234_short(p, true);
		return false;
	}
	if (hlen < IPV4_HLEN_MIN || tot < hlen) {
		p->flags |= SV_PKT_MALFORMED;
		return false;
	}
	if (hlen > IPV4_HLEN_MIN)
		p->flags |= SV_PKT_IPOPTS;

	/*
	 * A total length beyond the end of the frame on the wire is a lie; one
	 * beyond the end of the snap is only a short capture. Either way the
	 * L4 decoder gets what is there, and never the Ethernet padding after
	 * an honest total length.
	 */
	if (tot > sv_l234_wire_left(p, start))
		p->flags |= SV_PKT_MALFORMED;
	ip->c = sv_cur_sub(c, tot, &ip->snapped);
	ip->more_frags = (frag & IPV4_MF) != 0;
	sv_cur_skip(&ip->c, hlen);
	if (!sv_cur_ok(&ip->c)) {
		sv_l234_short(p, ip->snapped);
		return false;
	}

	if (frag & IPV4_OFFMASK) {
		/* The L4 header travelled in the first fragment. */
		p->flags |= SV_PKT_FRAGMENT;
		return false;
	}
	p->l4_len = tot - hlen;
	return true;
}
