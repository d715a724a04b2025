/* SPDX-License-Identifier: BSD-3-Clause */
/* addr.c - IP addresses as metadata (struct sv_addr). */
#include <string.h>

#include <snapvnf/vnf.h>

void sv_addr_from_pkt(struct sv_addr *a, const struct sv_pkt *p, bool dst)
{
	memset(a, 0, sizeof(*a));
	if (p->ip_version != 4 && p->ip_version != 6)
		return;
	a->family = p->ip_version;
	memcpy(a->a, dst ? p->dst : p->src, p->ip_version == 4 ? 4 : 16);
}

void sv_addr_from_flow(struct sv_addr *a, const struct sv_flow *f, bool dst)
{
	memset(a, 0, sizeof(*a));
	if (f->ip_version != 4 && f->ip_version != 6)
		return;
	a->family = f->ip_version;
	memcpy(a->a, dst ? f->dst : f->src, f->ip_version == 4 ? 4 : 16);
}
