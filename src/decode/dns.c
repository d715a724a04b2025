/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dns.c - DNS message header, first question, answer addresses (RFC 1035).
 *
 * Every read goes through one cursor over the message, so a compression
 * pointer's target is an offset from the cursor's base and can only land
 * on bytes already bounds-checked (it must point backwards).
 */
#include <assert.h>
#include <errno.h>
#include <string.h>

#include "decode/cursor.h"
#include <snapvnf/dns.h>

#define DNS_HDR_LEN     12
#define DNS_NAME_WIRE   255 /* RFC 1035 2.3.4, length bytes and root included */
#define DNS_Q_MIN       5   /* root name, type, class */
#define DNS_RR_MIN      11  /* root name, type, class, ttl, rdlength */
#define DNS_TYPE_A      1
#define DNS_TYPE_AAAA   28
#define DNS_CLASS_IN    1

/* The third outcome of a step besides 0 and -EINVAL: the buffer ended. */
#define DNS_SHORT 1

/*
 * Append one label to the text form. '.' and '\' are escaped so the text
 * splits back into the same labels; bytes outside printable ASCII become
 * \DDD as dig and the zone file format (RFC 1035 5.1) write them.
 */
static size_t dns_put_label(char *t, size_t n, const uint8_t *s, size_t len)
{
	if (n > 0)
		t[n++] = '.';
	for (size_t i = 0; i < len; i++) {
		uint8_t b = s[i];

		if (b == '.' || b == '\\') {
			t[n++] = '\\';
			t[n++] = (char)b;
		} else if (b > 0x20 && b < 0x7f) {
			t[n++] = (char)b;
		} else {
			t[n++] = '\\';
			t[n++] = (char)('0' + b / 100);
			t[n++] = (char)('0' + b / 10 % 10);
			t[n++] = (char)('0' + b % 10);
		}
	}
	return n;
}

/*
 * Read the name at c and move c past it as it sits in the message (up to
 * its first pointer). Text goes to text (SV_DNS_NAME_MAX bytes) unless
 * text is NULL. Each pointer must land before the labels that hold it
 * started, so the chain of targets strictly decreases: no loop can form
 * and the walk ends after at most one jump per byte.
 */
static int dns_name(struct sv_cur *c, char *text, uint16_t *text_len)
{
	struct sv_cur r = *c;
	size_t limit = c->off;
	size_t wire = 1;
	size_t n = 0;
	bool jumped = false;

	for (;;) {
		const uint8_t *label;
		uint8_t b = sv_cur_u8(&r);

		if (!sv_cur_ok(&r))
			return DNS_SHORT;
		if ((b & 0xc0) == 0xc0) {
			size_t target = (size_t)(b & 0x3f) << 8 | sv_cur_u8(&r);

			if (!sv_cur_ok(&r))
				return DNS_SHORT;
			if (!jumped) {
				sv_cur_skip(c, r.off - c->off);
				jumped = true;
			}
			if (target >= limit || target < DNS_HDR_LEN)
				return -EINVAL;
			limit = target;
			sv_cur_init(&r, c->base, c->len);
			sv_cur_skip(&r, target);
			continue;
		}
		/* 0x40 (extended) and 0x80 (reserved) label types. */
		if (b & 0xc0)
			return -EINVAL;
		if (b == 0)
			break;
		wire += 1 + (size_t)b;
		if (wire > DNS_NAME_WIRE)
			return -EINVAL;
		label = sv_cur_take(&r, b);
		if (!label)
			return DNS_SHORT;
		if (text) {
			n = dns_put_label(text, n, label, b);
			assert(n < SV_DNS_NAME_MAX);
		}
	}
	if (!jumped)
		sv_cur_skip(c, r.off - c->off);
	if (text) {
		if (n == 0)
			text[n++] = '.';
		text[n] = '\0';
		*text_len = (uint16_t)n;
	}
	return 0;
}

/* A question after the first: name, type, class; only checked. */
static int dns_skip_question(struct sv_cur *c)
{
	int ret = dns_name(c, NULL, NULL);

	if (ret)
		return ret;
	sv_cur_skip(c, 4);
	return sv_cur_ok(c) ? 0 : DNS_SHORT;
}

/* One resource record; A and AAAA of class IN are kept in *m. */
static int dns_answer(struct sv_cur *c, struct sv_dns_msg *m)
{
	uint16_t type, class, rdlen;
	const uint8_t *rdata;
	int ret = dns_name(c, NULL, NULL);

	if (ret)
		return ret;
	type = sv_cur_be16(c);
	class = sv_cur_be16(c);
	sv_cur_skip(c, 4); /* TTL */
	rdlen = sv_cur_be16(c);
	rdata = sv_cur_take(c, rdlen);
	if (!rdata)
		return DNS_SHORT;

	/* mDNS sets the top bit of the class (cache flush). */
	if ((class & 0x7fff) != DNS_CLASS_IN)
		return 0;
	if (type == DNS_TYPE_A) {
		if (rdlen != 4)
			return -EINVAL;
		if (m->n_a < SV_DNS_ADDR_MAX)
			memcpy(m->a[m->n_a++], rdata, 4);
	} else if (type == DNS_TYPE_AAAA) {
		if (rdlen != 16)
			return -EINVAL;
		if (m->n_aaaa < SV_DNS_ADDR_MAX)
			memcpy(m->aaaa[m->n_aaaa++], rdata, 16);
	}
	return 0;
}

/*
 * Walk count items of at least min bytes each. A count larger than the
 * bytes left could hold is not looped over: the walk stops where the
 * bytes do and reports DNS_SHORT.
 */
static int dns_walk(struct sv_cur *c, unsigned count, size_t min, struct sv_dns_msg *m)
{
	unsigned fit = sv_cur_left(c) / min < count ? (unsigned)(sv_cur_left(c) / min) : count;

	for (unsigned i = 0; i < fit; i++) {
		int ret = m ? dns_answer(c, m) : dns_skip_question(c);

		if (ret)
			return ret;
	}
	return fit < count ? DNS_SHORT : 0;
}

/* whole: the buffer is known to hold the entire message. */
static int dns_parse(const uint8_t *p, size_t len, bool whole, struct sv_dns_msg *m)
{
	struct sv_cur c;
	int ret;

	memset(m, 0, sizeof(*m));
	sv_cur_init(&c, p, len);
	m->id = sv_cur_be16(&c);
	m->flags = sv_cur_be16(&c);
	m->qdcount = sv_cur_be16(&c);
	m->ancount = sv_cur_be16(&c);
	m->nscount = sv_cur_be16(&c);
	m->arcount = sv_cur_be16(&c);
	if (!sv_cur_ok(&c)) {
		memset(m, 0, sizeof(*m));
		m->truncated = true;
		return whole ? -EINVAL : 0;
	}
	m->qr = m->flags >> 15;
	m->opcode = m->flags >> 11 & 0xf;
	m->rcode = m->flags & 0xf;

	if (m->qdcount > 0) {
		ret = dns_name(&c, m->qname, &m->qname_len);
		if (ret == 0) {
			m->has_qname = true;
			m->qtype = sv_cur_be16(&c);
			m->qclass = sv_cur_be16(&c);
			m->has_qtype = sv_cur_ok(&c);
			if (!m->has_qtype)
				ret = DNS_SHORT;
		}
		if (ret < 0)
			return ret;
		if (ret == DNS_SHORT) {
			m->qtype = m->qclass = 0;
			m->truncated = true;
			return whole ? -EINVAL : 1;
		}
	}

	ret = dns_walk(&c, m->qdcount ? m->qdcount - 1u : 0, DNS_Q_MIN, NULL);
	if (ret == 0)
		ret = dns_walk(&c, m->ancount, DNS_RR_MIN, m);
	if (ret == DNS_SHORT && !whole)
		m->rr_truncated = true;
	else if (ret)
		m->rr_malformed = true;
	return 1;
}

int sv_dns_parse(const uint8_t *p, size_t len, struct sv_dns_msg *m)
{
	return dns_parse(p, len, false, m);
}

int sv_dns_parse_tcp(const uint8_t *p, size_t len, struct sv_dns_msg *m)
{
	struct sv_cur c;
	uint16_t msg_len;
	size_t have;

	sv_cur_init(&c, p, len);
	msg_len = sv_cur_be16(&c);
	if (!sv_cur_ok(&c)) {
		memset(m, 0, sizeof(*m));
		m->truncated = true;
		return 0;
	}
	if (msg_len < DNS_HDR_LEN) {
		memset(m, 0, sizeof(*m));
		return -EINVAL;
	}
	have = sv_cur_left(&c);
	if (have >= msg_len)
		return dns_parse(sv_cur_peek(&c), msg_len, true, m);
	return dns_parse(sv_cur_peek(&c), have, false, m);
}
