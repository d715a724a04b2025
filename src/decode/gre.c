/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * gre.c - GRE header (RFC 2784): flags, protocol, and the optional
 * checksum, key and sequence number (RFC 2890), in that order.
 */
#include "decode/gre.h"

bool sv_gre_decode(struct sv_cur *c, struct sv_gre *g)
{
	*g = (struct sv_gre){ 0 };
	g->flags = sv_cur_be16(c);
	g->proto = sv_cur_be16(c);
	if (!sv_cur_ok(c))
		return false;
	/*
	 * The other reserved bits are ignored, as RFC 2784 lets a receiver
	 * that knows RFC 1701 do; a route list, though, would shift
	 * everything after it.
	 */
	if ((g->flags & SV_GRE_VER) != 0 || (g->flags & SV_GRE_R))
		return false;
	if (g->flags & SV_GRE_C) {
		g->csum = sv_cur_be16(c);
		sv_cur_skip(c, 2); /* reserved1 */
	}
	if (g->flags & SV_GRE_K)
		g->key = sv_cur_be32(c);
	if (g->flags & SV_GRE_S)
		g->seq = sv_cur_be32(c);
	return sv_cur_ok(c);
}
