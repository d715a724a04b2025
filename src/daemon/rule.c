/* SPDX-License-Identifier: BSD-3-Clause */
/* rule.c - one block rule: how it reads, and what makes one invalid. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "daemon/action.h"

void sv_rule_addr(int family, const uint8_t *a, char *buf, size_t size)
{
	if (!inet_ntop(family == 6 ? AF_INET6 : AF_INET, a, buf, (socklen_t)size))
		snprintf(buf, size, "?");
}

static const char *proto_name(uint8_t p)
{
	switch (p) {
	case 1: return "icmp";
	case 6: return "tcp";
	case 17: return "udp";
	case 58: return "icmpv6";
	case 132: return "sctp";
	default: return NULL;
	}
}

void sv_rule_describe(const struct sv_rule *r, char *buf, size_t size)
{
	char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN], p[16] = "";
	const char *pn = proto_name(r->proto);

	sv_rule_addr(r->family, r->src, s, sizeof(s));
	if (r->scope != SV_SCOPE_PAIR) {
		snprintf(buf, size, "%s", s);
		return;
	}
	sv_rule_addr(r->family, r->dst, d, sizeof(d));
	if (r->proto && pn)
		snprintf(p, sizeof(p), " %s", pn);
	else if (r->proto)
		snprintf(p, sizeof(p), " proto %u", r->proto);
	if (r->dport)
		snprintf(p + strlen(p), sizeof(p) - strlen(p), "/%u", r->dport);
	snprintf(buf, size, "%s -> %s%s", s, d, p);
}

static bool is_zero(const uint8_t *a, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (a[i])
			return false;
	return true;
}

const char *sv_rule_invalid(const struct sv_rule *r)
{
	size_t alen = r->family == 4 ? 4 : 16;

	if (r->family != 4 && r->family != 6)
		return "address family is not 4 or 6";
	if (r->id == 0 || r->id > UINT32_MAX)
		return "rule id out of range";
	if (r->ttl_s == 0 || r->ttl_s > SV_RULE_TTL_MAX)
		return "ttl out of range";
	if (r->pad || r->pad2 || !is_zero(r->src + alen, 16 - alen))
		return "padding not zero";
	if (r->scope == SV_SCOPE_SRC) {
		if (r->proto || r->dport || !is_zero(r->dst, 16))
			return "a source rule carries a destination";
		return NULL;
	}
	if (r->scope != SV_SCOPE_PAIR)
		return "scope is not src or pair";
	if (!is_zero(r->dst + alen, 16 - alen))
		return "padding not zero";
	if (r->dport && r->proto != 6 && r->proto != 17 && r->proto != 132)
		return "a port needs tcp, udp or sctp";
	return NULL;
}
