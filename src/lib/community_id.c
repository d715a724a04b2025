/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * community_id.c - Community ID v1 (community_id.h). The ICMP tables are
 * Zeek's (ICMP.cc), which the spec adopts: a message with a counterpart
 * (echo and echo reply, router solicitation and advertisement, ...) gets
 * the counterpart's type as its "destination port", so both directions
 * order into the same tuple; any other message is one-way, keeps its
 * code as the destination port and is never flipped.
 */
#include <errno.h>
#include <string.h>

#include "lib/community_id.h"
#include "lib/sha1.h"

#define PROTO_ICMP   1
#define PROTO_TCP    6
#define PROTO_UDP    17
#define PROTO_ICMPV6 58
#define PROTO_SCTP   132

/* The counterpart of an ICMP type, or -1 for a one-way message. */
static int icmp4_peer(uint8_t type)
{
	switch (type) {
	case 8: return 0;    /* echo -> echo reply */
	case 0: return 8;
	case 13: return 14;  /* timestamp */
	case 14: return 13;
	case 15: return 16;  /* information */
	case 16: return 15;
	case 10: return 9;   /* router solicitation -> advertisement */
	case 9: return 10;
	case 17: return 18;  /* address mask */
	case 18: return 17;
	}
	return -1;
}

static int icmp6_peer(uint8_t type)
{
	switch (type) {
	case 128: return 129; /* echo request -> reply */
	case 129: return 128;
	case 130: return 131; /* MLD query -> report */
	case 131: return 130;
	case 133: return 134; /* router solicitation -> advertisement */
	case 134: return 133;
	case 135: return 136; /* neighbor solicitation -> advertisement */
	case 136: return 135;
	case 139: return 140; /* node information query -> reply */
	case 140: return 139;
	case 144: return 145; /* home agent address discovery */
	case 145: return 144;
	}
	return -1;
}

static bool has_ports(uint8_t proto)
{
	return proto == PROTO_TCP || proto == PROTO_UDP || proto == PROTO_SCTP ||
	       proto == PROTO_ICMP || proto == PROTO_ICMPV6;
}

static void base64(const uint8_t *in, size_t len, char *out)
{
	static const char abc[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i;

	for (i = 0; len - i >= 3; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];

		*out++ = abc[v >> 18];
		*out++ = abc[v >> 12 & 63];
		*out++ = abc[v >> 6 & 63];
		*out++ = abc[v & 63];
	}
	if (len - i == 1) {
		*out++ = abc[in[i] >> 2];
		*out++ = abc[(in[i] & 3) << 4];
		*out++ = '=';
		*out++ = '=';
	} else if (len - i == 2) {
		*out++ = abc[in[i] >> 2];
		*out++ = abc[(in[i] & 3) << 4 | in[i + 1] >> 4];
		*out++ = abc[(in[i + 1] & 15) << 2];
		*out++ = '=';
	}
	*out = '\0';
}

int sv_community_id(const struct sv_cid_tuple *t, uint16_t seed, char out[SV_COMMUNITY_ID_SIZE])
{
	size_t alen = t->family == 4 ? 4 : 16;
	const uint8_t *a = t->src, *b = t->dst;
	uint16_t pa = t->sport, pb = t->dport;
	bool one_way = false;
	uint8_t buf[2 + 16 + 16 + 2 + 4], digest[SV_SHA1_LEN];
	struct sv_sha1 sha;
	size_t n = 0;
	int cmp;

	if ((t->family != 4 && t->family != 6) || (has_ports(t->proto) && !t->ports))
		return -EINVAL;
	if (t->ports && (t->proto == PROTO_ICMP || t->proto == PROTO_ICMPV6)) {
		int peer = t->proto == PROTO_ICMP ? icmp4_peer((uint8_t)t->sport)
						  : icmp6_peer((uint8_t)t->sport);

		if (peer >= 0)
			pb = (uint16_t)peer;
		else
			one_way = true;
	}
	/* The smaller endpoint first; equal addresses: the smaller port. */
	cmp = memcmp(a, b, alen);
	if (!one_way && (cmp > 0 || (cmp == 0 && t->ports && pa >= pb))) {
		const uint8_t *ta = a;
		uint16_t tp = pa;

		a = b, b = ta;
		pa = pb, pb = tp;
	}
	buf[n++] = (uint8_t)(seed >> 8);
	buf[n++] = (uint8_t)seed;
	memcpy(buf + n, a, alen);
	n += alen;
	memcpy(buf + n, b, alen);
	n += alen;
	buf[n++] = t->proto;
	buf[n++] = 0;
	if (t->ports) {
		buf[n++] = (uint8_t)(pa >> 8);
		buf[n++] = (uint8_t)pa;
		buf[n++] = (uint8_t)(pb >> 8);
		buf[n++] = (uint8_t)pb;
	}
	sv_sha1_init(&sha);
	sv_sha1_update(&sha, buf, n);
	sv_sha1_final(&sha, digest);
	out[0] = '1';
	out[1] = ':';
	base64(digest, sizeof(digest), out + 2);
	return 0;
}

int sv_community_id_pkt(const struct sv_pkt *p, uint16_t seed, char out[SV_COMMUNITY_ID_SIZE])
{
	struct sv_cid_tuple t = { .family = p->ip_version, .proto = p->proto, .src = p->src,
				  .dst = p->dst };
	size_t l4_left;

	if ((p->ip_version != 4 && p->ip_version != 6) || (p->flags & SV_PKT_FRAGMENT))
		return -ENOENT;
	l4_left = p->l4_off == SV_OFF_NONE || p->l4_off > p->cap_len ? 0
								      : (size_t)(p->cap_len - p->l4_off);
	switch (p->proto) {
	case PROTO_TCP:
	case PROTO_UDP:
		/* The decoder fills the ports from the first four bytes. */
		t.ports = l4_left >= 4;
		t.sport = p->sport;
		t.dport = p->dport;
		break;
	case PROTO_SCTP:
		t.ports = l4_left >= 4;
		if (t.ports) {
			const uint8_t *h = p->data + p->l4_off;

			t.sport = (uint16_t)(h[0] << 8 | h[1]);
			t.dport = (uint16_t)(h[2] << 8 | h[3]);
		}
		break;
	case PROTO_ICMP:
	case PROTO_ICMPV6:
		t.ports = l4_left >= 2;
		t.sport = p->icmp_type;
		t.dport = p->icmp_code;
		break;
	}
	return sv_community_id(&t, seed, out) < 0 ? -ENOENT : 0;
}
