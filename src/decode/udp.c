/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * udp.c - UDP header (RFC 768): ports and the datagram length.
 */
#include "decode/l234.h"

#define UDP_HLEN 8

void sv_udp_decode(struct sv_pkt *p, struct sv_l234_ip *ip)
{
	struct sv_cur *c = &ip->c;
	uint16_t ulen;

	p->sport = sv_cur_be16(c);
	p->dport = sv_cur_be16(c);
	ulen = sv_cur_be16(c);
	sv_cur_skip(c, 2); /* checksum */
	if (!sv_cur_ok(c)) {
		sv_l234_short(p, ip->snapped);
		return;
	}

	/*
	 * A UDP length longer than the IP payload lies (unless this is the
	 * first of several fragments). A shorter one is legal: the bytes after
	 * it are not part of the datagram (Linux trims them too), so the
	 * payload ends where UDP says and the application sees no trailer.
	 */
	if (ulen < UDP_HLEN) {
		p->flags |= SV_PKT_MALFORMED;
		return;
	}
	if (ulen > p->l4_len && !ip->more_frags)
		p->flags |= SV_PKT_MALFORMED;
	sv_l234_payload(p, c, ulen - UDP_HLEN);
}
