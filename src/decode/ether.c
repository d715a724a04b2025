/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ether.c - Ethernet II and stacked VLAN tags (802.1Q, 802.1ad, QinQ 0x9100).
 */
#include "decode/l234.h"

static bool is_vlan_tpid(uint16_t type)
{
	return type == SV_ETH_8021Q || type == SV_ETH_8021AD || type == SV_ETH_QINQ;
}

bool sv_ether_decode(struct sv_pkt *p, struct sv_cur *c)
{
	uint16_t type, tci;

	sv_cur_skip(c, 12); /* destination, source */
	type = sv_cur_be16(c);
	if (!sv_cur_ok(c))
		goto cut;
	p->ethertype = type;

	/*
	 * Tags nest without a limit on the wire; each one costs 4 bytes of
	 * the snap, so the loop ends with the data. Only the two outer ids
	 * are kept (service and customer VLAN), but all are counted.
	 */
	while (is_vlan_tpid(type)) {
		tci = sv_cur_be16(c);
		if (!sv_cur_ok(c))
			goto cut;
		if (p->nvlan < 2)
			p->vlan[p->nvlan] = tci & 0x0FFF;
		if (p->nvlan < UINT8_MAX)
			p->nvlan++;
		type = sv_cur_be16(c);
		if (!sv_cur_ok(c))
			goto cut;
		p->ethertype = type;
	}
	return true;
cut:
	sv_l234_short(p, true);
	return false;
}
