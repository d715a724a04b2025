/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp.c - TCP header (RFC 9293): ports, flags, data offset.
 */
#include "decode/l234.h"

#define TCP_HLEN_MIN 20

void sv_tcp_decode(struct sv_pkt *p, struct sv_l234_ip *ip)
{
	struct sv_cur *c = &ip->c;
	size_t hlen;

	/* Field by field, so a header cut after the ports still names the flow. */
	p->sport = sv_cur_be16(c);
	p->dport = sv_cur_be16(c);
	sv_cur_skip(c, 8); /* sequence, acknowledgment */
	hlen = (size_t)(sv_cur_u8(c) >> 4) * 4;
	p->tcp_flags = sv_cur_u8(c);
	sv_cur_skip(c, 6); /* window, checksum, urgent pointer */
	if (!sv_cur_ok(c)) {
		sv_l234_short(p, ip->snapped);
		return;
	}
	if (hlen < TCP_HLEN_MIN) {
		p->flags |= SV_PKT_MALFORMED;
		return;
	}
	sv_cur_skip(c, hlen - TCP_HLEN_MIN); /* options */
	if (!sv_cur_ok(c)) {
		sv_l234_short(p, ip->snapped);
		return;
	}
	sv_l234_payload(p, c, SIZE_MAX);
}
