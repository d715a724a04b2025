/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_dns.c - libFuzzer harness for sv_dns_parse() and sv_dns_parse_tcp().
 *
 * The input is one UDP payload, and also one TCP payload (with its length
 * prefix). Each is parsed from a heap block of exactly its size, then cut
 * short at two places: a cut may report less than the whole, never
 * something else.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <snapvnf/dns.h>

typedef int parse_fn(const uint8_t *p, size_t len, struct sv_dns_msg *m);

static int parse(parse_fn *fn, const uint8_t *p, size_t len, struct sv_dns_msg *m)
{
	int ret = fn(p, len, m);

	if (ret != 1 && ret != 0 && ret != -EINVAL)
		abort();
	if (ret == 0 && !m->truncated)
		abort();
	if (m->has_qname) {
		/* the text is printable ASCII, NUL-terminated, of the told length */
		if (m->qname_len == 0 || m->qname_len >= SV_DNS_NAME_MAX ||
		    strlen(m->qname) != m->qname_len)
			abort();
		for (size_t i = 0; i < m->qname_len; i++)
			if (m->qname[i] < 0x21 || m->qname[i] > 0x7e)
				abort();
	} else if (m->has_qtype) {
		abort();
	}
	if (m->n_a > SV_DNS_ADDR_MAX || m->n_aaaa > SV_DNS_ADDR_MAX)
		abort();
	return ret;
}

static void same(const struct sv_dns_msg *w, const struct sv_dns_msg *c)
{
	if (c->id != w->id || c->flags != w->flags)
		abort();
	if (c->has_qname && (!w->has_qname || strcmp(c->qname, w->qname)))
		abort();
	if (c->has_qtype && (c->qtype != w->qtype || c->qclass != w->qclass))
		abort();
	if (!c->truncated && c->has_qname != w->has_qname)
		abort();
	if (c->n_a > w->n_a || c->n_aaaa > w->n_aaaa ||
	    memcmp(c->a, w->a, sizeof(c->a[0]) * c->n_a) ||
	    memcmp(c->aaaa, w->aaaa, sizeof(c->aaaa[0]) * c->n_aaaa))
		abort();
}

static void run(parse_fn *fn, const uint8_t *p, size_t size,
		struct sv_dns_msg *w, struct sv_dns_msg *m)
{
	size_t cuts[] = { size / 2, size ? size - 1 : 0 };
	int wret = parse(fn, p, size, w);

	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		uint8_t *c = malloc(cuts[i] ? cuts[i] : 1);
		int ret;

		if (!c)
			return;
		memcpy(c, p, cuts[i]);
		ret = parse(fn, c, cuts[i], m);
		free(c);
		/* a cut never makes a sound first question malformed */
		if (wret == 1 && ret == -EINVAL)
			abort();
		if (wret == 1 && ret == 1)
			same(w, m);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sv_dns_msg *w = malloc(sizeof(*w)), *m = malloc(sizeof(*m));
	uint8_t *p = malloc(size ? size : 1);

	if (w && m && p) {
		memcpy(p, data, size);
		run(sv_dns_parse, p, size, w, m);
		run(sv_dns_parse_tcp, p, size, w, m);
	}
	free(p);
	free(w);
	free(m);
	return 0;
}
