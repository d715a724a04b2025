/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * allow.c - the addresses a block request may never name: the switch's
 * own (a rule against them would cut the operator off, or the sFlow and
 * mirror feeds the door depends on), what --never-block lists, and
 * addresses that are no host's (unspecified, loopback, multicast,
 * broadcast). Checked by the door and again by the enforcer.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/action.h"

#define ALLOW_MAX 256

struct prefix {
	uint8_t family;
	uint8_t len;
	uint8_t a[16];
};

struct sv_allow {
	struct prefix user[ALLOW_MAX];  /* --never-block */
	unsigned nuser;
	struct prefix own[ALLOW_MAX];   /* the switch's addresses, /32 or /128 */
	unsigned nown;
};

struct sv_allow *sv_allow_new(void)
{
	return calloc(1, sizeof(struct sv_allow));
}

void sv_allow_free(struct sv_allow *a)
{
	free(a);
}

static int parse_prefix(const char *s, struct prefix *p)
{
	char buf[INET6_ADDRSTRLEN + 8];
	char *slash, *end;
	unsigned long len;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	memset(p, 0, sizeof(*p));
	if (inet_pton(AF_INET, buf, p->a) == 1)
		p->family = 4;
	else if (inet_pton(AF_INET6, buf, p->a) == 1)
		p->family = 6;
	else
		return -EINVAL;
	p->len = p->family == 4 ? 32 : 128;
	if (slash) {
		len = strtoul(slash + 1, &end, 10);
		if (!slash[1] || *end || slash[1] == '-' || slash[1] == '+' || len > p->len)
			return -EINVAL;
		p->len = (uint8_t)len;
	}
	return 0;
}

int sv_allow_add(struct sv_allow *a, const char *cidr)
{
	struct prefix p;

	if (a->nuser == ALLOW_MAX || parse_prefix(cidr, &p) < 0)
		return -EINVAL;
	a->user[a->nuser++] = p;
	return 0;
}

int sv_allow_refresh(struct sv_allow *a)
{
	struct ifaddrs *ifa, *i;

	if (getifaddrs(&ifa) < 0)
		return -errno;
	a->nown = 0;
	for (i = ifa; i && a->nown < ALLOW_MAX; i = i->ifa_next) {
		struct prefix *p = &a->own[a->nown];

		if (!i->ifa_addr)
			continue;
		memset(p, 0, sizeof(*p));
		if (i->ifa_addr->sa_family == AF_INET) {
			memcpy(p->a, &((struct sockaddr_in *)i->ifa_addr)->sin_addr, 4);
			p->family = 4;
			p->len = 32;
		} else if (i->ifa_addr->sa_family == AF_INET6) {
			memcpy(p->a, &((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr, 16);
			p->family = 6;
			p->len = 128;
		} else {
			continue;
		}
		a->nown++;
	}
	freeifaddrs(ifa);
	return 0;
}

static bool in_prefix(const struct prefix *p, int family, const uint8_t *addr)
{
	unsigned full = p->len / 8, rest = p->len % 8;

	if (p->family != family || memcmp(p->a, addr, full) != 0)
		return false;
	return !rest || ((p->a[full] ^ addr[full]) & (0xff00 >> rest) & 0xff) == 0;
}

static bool is_zero(const uint8_t *a, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (a[i])
			return false;
	return true;
}

const char *sv_allow_check(const struct sv_allow *a, int family, const uint8_t *addr, char *buf,
			   size_t size)
{
	if (family == 4) {
		if (is_zero(addr, 4) || addr[0] == 127 || addr[0] >= 224)
			return "not a unicast host address";
	} else if (family == 6) {
		static const uint8_t loop6[16] = { [15] = 1 };

		if (is_zero(addr, 16) || memcmp(addr, loop6, 16) == 0 || addr[0] == 0xff)
			return "not a unicast host address";
	} else {
		return "not an IP address";
	}
	for (unsigned i = 0; i < a->nown; i++)
		if (in_prefix(&a->own[i], family, addr))
			return "the switch's own address";
	for (unsigned i = 0; i < a->nuser; i++) {
		if (in_prefix(&a->user[i], family, addr)) {
			char p[INET6_ADDRSTRLEN];

			sv_rule_addr(family, a->user[i].a, p, sizeof(p));
			snprintf(buf, size, "on the never-block list (%s/%u)", p, a->user[i].len);
			return buf;
		}
	}
	return NULL;
}
