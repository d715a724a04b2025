/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ipv6.c - IPv6 header (RFC 8200) and the extension headers in front of L4:
 * hop-by-hop, routing, fragment, destination options and AH (RFC 4302).
 */
#include "decode/l234.h"

#define IPV6_HLEN     40
#define IPV6_HOPOPTS  0
#define IPV6_ROUTING  43
#define IPV6_FRAGMENT 44
#define IPV6_AH       51
#define IPV6_NONXT    59
#define IPV6_DSTOPTS  60
#define IPV6_FRAG_OFFMASK 0xFFF8
#define IPV6_FRAG_MF      0x0001

/*
 * Skip one extension header at c. Returns the next header, or -1 when `nxt`
 * is not an extension header we walk: that is the L4 protocol (or ESP, or
 * something unknown, which we locate but do not decode).
 */
static int skip_ext(struct sv_pkt *p, struct sv_cur *c, uint8_t nxt,
		    struct sv_l234_ip *ip)
{
	uint8_t next, len;
	uint16_t fo;

	switch (nxt) {
	case IPV6_HOPOPTS:
	case IPV6_ROUTING:
	case IPV6_DSTOPTS:
		next = sv_cur_u8(c);
		len = sv_cur_u8(c);
		sv_cur_skip(c, (size_t)len * 8 + 6);
		break;
	case IPV6_AH:
		/* AH counts 4-byte words, minus 2. */
		next = sv_cur_u8(c);
		len = sv_cur_u8(c);
		sv_cur_skip(c, (size_t)len * 4 + 6);
		break;
	case IPV6_FRAGMENT:
		next = sv_cur_u8(c);
		sv_cur_skip(c, 1);
		fo = sv_cur_be16(c);
		sv_cur_skip(c, 4); /* identification */
		if (!sv_cur_ok(c))
			break;
		/* Offset 0 without M is an atomic fragment (RFC 6946): whole. */
		if (fo & IPV6_FRAG_OFFMASK)
			p->flags |= SV_PKT_FRAGMENT;
		else if (fo & IPV6_FRAG_MF)
			ip->more_frags = true;
		break;
	default:
		return -1;
	}
	p->flags |= SV_PKT_IPOPTS;
	return next;
}

bool sv_ipv6_decode(struct sv_pkt *p, struct sv_cur *c, struct sv_l234_ip *ip)
{
	uint16_t start = sv_l234_off(p, c);
	struct sv_cur h = *c; /* the header; c itself is re-cut by the payload length */
	uint32_t tot;
	uint8_t nxt;
	int next;

	if (!sv_cur_need(&h, 1)) {
		sv_l234_short(p, true);
		return false;
	}
	if (sv_cur_peek(&h)[0] >> 4 != 6) {
		/* The link layer said IPv6; the header does not agree. */
		p->flags |= SV_PKT_MALFORMED;
		return false;
	}
	p->ip_version = 6;
	p->l3_off = start;

	sv_cur_skip(&h, 4); /* version, traffic class, flow label */
	tot = IPV6_HLEN + (uint32_t)sv_cur_be16(&h);
	nxt = sv_cur_u8(&h);
	p->proto = nxt;
	p->ttl = sv_cur_u8(&h);
	sv_cur_copy(&h, p->src, 16);
	sv_cur_copy(&h, p->dst, 16);
	if (!sv_cur_ok(&h)) {
		sv_l234_short(p, true);
		return false;
	}

	/* As for IPv4: longer than the wire frame lies, longer than the snap is cut. */
	if (tot > sv_l234_wire_left(p, start))
		p->flags |= SV_PKT_MALFORMED;
	ip->c = sv_cur_sub(c, tot, &ip->snapped);
	ip->more_frags = false;
	sv_cur_skip(&ip->c, IPV6_HLEN);

	/*
	 * Each extension header takes at least 8 bytes of a cursor that
	 * cannot grow, so the walk ends however the headers chain.
	 */
	while ((next = skip_ext(p, &ip->c, nxt, ip)) >= 0) {
		if (!sv_cur_ok(&ip->c)) {
			sv_l234_short(p, ip->snapped);
			return false;
		}
		nxt = (uint8_t)next;
		p->proto = nxt;
		if (p->flags & SV_PKT_FRAGMENT)
			return false;
	}
	if (nxt == IPV6_NONXT)
		return false;
	p->l4_len = tot - (uint32_t)(sv_l234_off(p, &ip->c) - start);
	return true;
}
