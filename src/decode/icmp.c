/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * icmp.c - ICMP (RFC 792) and ICMPv6 (RFC 4443) type and code.
 *
 * Both start with type, code, checksum and four bytes whose meaning depends
 * on the type (echo id and sequence, MTU, pointer, unused); what follows is
 * the payload, for errors the start of the offending packet.
 */
#include "decode/l234.h"

void sv_icmp_decode(struct sv_pkt *p, struct sv_l234_ip *ip)
{
	struct sv_cur *c = &ip->c;

	p->icmp_type = sv_cur_u8(c);
	p->icmp_code = sv_cur_u8(c);
	sv_cur_skip(c, 6); /* checksum, rest of header */
	if (!sv_cur_ok(c)) {
		sv_l234_short(p, ip->snapped);
		return;
	}
	sv_l234_payload(p, c, SIZE_MAX);
}
