/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * erspan.c - ERSPAN types I, II and III inside GRE (draft-foschiano-erspan),
 * and unwrapping the mirrored frame in place.
 */
#include <string.h>

#include "decode/erspan.h"
#include "decode/l234.h"
#include "decode/packet.h"

#define ETH_HLEN         14
#define ERSPAN3_SUB_HLEN 8 /* platform-specific sub-header, when O is set */

/* Cut by the capture, or a packet too short for its headers (cf. sv_l234_short). */
static enum sv_erspan_result short_of(const struct sv_pkt *p, bool snapped)
{
	return snapped && p->cap_len < p->wire_len ? SV_ERSPAN_TRUNCATED : SV_ERSPAN_MALFORMED;
}

/* The first word, the same in types II and III: Ver, VLAN | COS, En/BSO, T, session. */
static void common_word(struct sv_cur *c, struct sv_erspan *e)
{
	uint16_t w = sv_cur_be16(c);

	e->version = (uint8_t)(w >> 12);
	e->vlan = w & 0x0FFF;
	w = sv_cur_be16(c);
	e->cos = (uint8_t)(w >> 13);
	e->en = (w >> 11) & 0x3;
	e->t = (w >> 10) & 0x1;
	e->span_id = w & 0x03FF;
}

/* Type III after the common word: timestamp, SGT | P, FT, HW id, D, Gra, O. */
static void type3_rest(struct sv_cur *c, struct sv_erspan *e)
{
	uint16_t w;

	e->timestamp = sv_cur_be32(c);
	e->sgt = sv_cur_be16(c);
	w = sv_cur_be16(c);
	e->p = w >> 15;
	e->ft = (w >> 10) & 0x1F;
	e->hw_id = (w >> 4) & 0x3F;
	e->d = (w >> 3) & 0x1;
	e->gra = (w >> 1) & 0x3;
	e->o = w & 0x1;
}

enum sv_erspan_result sv_erspan_decode(const struct sv_pkt *p, struct sv_erspan *e)
{
	struct sv_cur c;
	uint32_t end;
	bool snapped, whole;

	*e = (struct sv_erspan){ 0 };
	if (p->ip_version == 0 || p->proto != SV_IPPROTO_GRE || p->l4_off == SV_OFF_NONE)
		return SV_ERSPAN_NONE;

	/* The GRE packet: from the L4 offset to the end the outer IP header claims. */
	end = (uint32_t)p->l4_off + p->l4_len;
	snapped = end > p->cap_len;
	sv_cur_init(&c, p->data + p->l4_off, (snapped ? p->cap_len : end) - p->l4_off);

	whole = sv_gre_decode(&c, &e->gre);
	/* Until the protocol field is read, this is just GRE. */
	if (e->gre.proto != SV_ETH_ERSPAN2 && e->gre.proto != SV_ETH_ERSPAN3)
		return SV_ERSPAN_NONE;
	/* The lengths below come from the outer header; it lied already. */
	if (p->flags & SV_PKT_MALFORMED)
		return SV_ERSPAN_MALFORMED;
	if (!whole)
		return sv_cur_ok(&c) ? SV_ERSPAN_MALFORMED : short_of(p, snapped);

	if (e->gre.proto == SV_ETH_ERSPAN3) {
		e->type = 3;
		common_word(&c, e);
		type3_rest(&c, e);
		if (!sv_cur_ok(&c))
			return short_of(p, snapped);
		if (e->version != 2)
			return SV_ERSPAN_MALFORMED;
		if (e->ft != SV_ERSPAN_FT_ETHERNET)
			return SV_ERSPAN_NOT_ETHER;
		if (e->o)
			sv_cur_skip(&c, ERSPAN3_SUB_HLEN);
	} else if (e->gre.flags & SV_GRE_S) {
		/* 0x88BE with a sequence number is type II (the type I form has none). */
		e->type = 2;
		common_word(&c, e);
		e->index = sv_cur_be32(&c) & 0xFFFFF; /* 12 reserved bits, then the index */
		if (!sv_cur_ok(&c))
			return short_of(p, snapped);
		if (e->version != 1)
			return SV_ERSPAN_MALFORMED;
	} else {
		e->type = 1;
	}
	if (!sv_cur_ok(&c))
		return short_of(p, snapped);

	/* An Ethernet header at least, so that the snap can become the frame. */
	e->inner_off = sv_l234_off(p, &c);
	if (!sv_cur_need(&c, ETH_HLEN))
		return short_of(p, snapped);
	return SV_ERSPAN_OK;
}

enum sv_erspan_result sv_erspan_decap(struct sv_pkt *p)
{
	struct sv_erspan e;
	enum sv_erspan_result r = sv_erspan_decode(p, &e);
	uint8_t outer_src[16], outer_version;
	uint32_t end;
	uint16_t cap;

	switch (r) {
	case SV_ERSPAN_OK:
		break;
	case SV_ERSPAN_TRUNCATED:
		p->flags |= SV_PKT_TRUNCATED;
		return r;
	case SV_ERSPAN_MALFORMED:
		p->flags |= SV_PKT_MALFORMED;
		return r;
	default:
		return r;
	}

	/*
	 * The frame ends where the outer IP packet does: a short Ethernet
	 * frame's padding after it is not part of the mirrored frame.
	 */
	end = (uint32_t)p->l4_off + p->l4_len;
	cap = p->cap_len < end ? p->cap_len : (uint16_t)end;
	memcpy(outer_src, p->src, sizeof(outer_src));
	outer_version = p->ip_version;

	memmove(p->data, p->data + e.inner_off, (size_t)(cap - e.inner_off));
	p->cap_len = (uint16_t)(cap - e.inner_off);
	p->wire_len = end - e.inner_off;
	sv_packet_decode(p, SV_LINK_ETHERNET);

	p->flags |= SV_PKT_ERSPAN;
	p->span_id = e.span_id;
	p->span_ip_version = outer_version;
	memcpy(p->span_src, outer_src, sizeof(p->span_src));
	return r;
}
