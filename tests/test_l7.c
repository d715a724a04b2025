/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_l7.c - the HTTP, DNS and TLS decoders against tshark, by hand, and
 * cut short.
 *
 * Each capture's L4 payloads are parsed and compared with tshark's values
 * (NAME.http.tsv, NAME.dns.tsv, NAME.tls.tsv, tests/data/README.md) twice:
 * from the whole frame, and from the frame cut at 150 bytes, where a value
 * that NAME.offsets.tsv places inside the cut must come out exactly and one
 * that reaches past it must be absent with the truncated flag set. Then
 * every payload is parsed cut at every length, each time from a heap block
 * of exactly that size so that AddressSanitizer sees any read past it, and
 * whatever a cut parse reports must be what the whole parse reports.
 *
 * The L4 payload is found by a small static walker (Ethernet, 802.1Q/AD,
 * IPv4, IPv6 extension headers, TCP, UDP) so these tests depend on the L7
 * decoders only.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <snapvnf/dns.h>
#include <snapvnf/http.h>
#include <snapvnf/tls.h>

#include "testutil.h"

#define SNAP 150

/* ------------------------------------------------------------------ */
/* Truth files                                                          */

/* The end column of an offsets row: the value lies in frame[pos..end). */
static unsigned offset_end(const struct row *r)
{
	return (unsigned)atoi(cell(r, 3));
}

/* Copy the idx-th comma-separated item of list into out; false if none. */
static bool list_item(const char *list, int idx, char *out, size_t size)
{
	const char *s = list;

	if (!*s)
		return false;
	while (idx-- > 0) {
		s = strchr(s, ',');
		if (!s)
			return false;
		s++;
	}
	size_t n = strcspn(s, ",");
	assert_true(n < size);
	memcpy(out, s, n);
	out[n] = '\0';
	return true;
}

/* ------------------------------------------------------------------ */
/* Finding the L4 payload                                              */

struct l4 {
	int proto; /* 6, 17, or 0 when no TCP/UDP header was found */
	unsigned sport, dport;
	size_t off, len; /* payload bytes inside the buffer */
	size_t ip_extra; /* payload bytes the IP length carries beyond UDP's */
};

static unsigned be16(const uint8_t *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

/*
 * Walk Ethernet to TCP/UDP. The IP length bounds the payload (Ethernet
 * pads short frames), so does the UDP length (dns-udplen lies with it),
 * and both are clamped to what was captured.
 */
static struct l4 find_l4(const uint8_t *d, size_t caplen)
{
	struct l4 r = { 0 };
	size_t off = 14, end, hl;
	unsigned type, nxt;

	if (caplen < 14)
		return r;
	type = be16(d + 12);
	while ((type == 0x8100 || type == 0x88a8) && caplen - off >= 4) {
		type = be16(d + off + 2);
		off += 4;
	}
	if (type == 0x0800) {
		if (caplen - off < 20 || d[off] >> 4 != 4)
			return r;
		hl = (size_t)(d[off] & 0xf) * 4;
		end = off + be16(d + off + 2);
		if (be16(d + off + 6) & 0x1fff) /* not the first fragment */
			return r;
		nxt = d[off + 9];
		off += hl;
	} else if (type == 0x86dd) {
		if (caplen - off < 40)
			return r;
		end = off + 40 + be16(d + off + 4);
		nxt = d[off + 6];
		off += 40;
		while (nxt == 0 || nxt == 43 || nxt == 44 || nxt == 60) {
			if (off > caplen || caplen - off < 8)
				return r;
			if (nxt == 44) {
				if (be16(d + off + 2) & 0xfff8)
					return r;
				hl = 8;
			} else {
				hl = ((size_t)d[off + 1] + 1) * 8;
			}
			nxt = d[off];
			off += hl;
		}
	} else {
		return r;
	}
	if (end > caplen)
		end = caplen;
	if (off > end)
		return r;

	if (nxt == 6) {
		if (end - off < 20)
			return r;
		hl = (size_t)(d[off + 12] >> 4) * 4;
		if (hl < 20 || end - off < hl)
			return r;
		r.sport = be16(d + off);
		r.dport = be16(d + off + 2);
		r.off = off + hl;
	} else if (nxt == 17) {
		size_t ulen;

		if (end - off < 8)
			return r;
		ulen = be16(d + off + 4);
		r.sport = be16(d + off);
		r.dport = be16(d + off + 2);
		r.off = off + 8;
		if (ulen < 8)
			return r;
		if (ulen < end - off) {
			r.ip_extra = end - off - ulen;
			end = off + ulen;
		}
	} else {
		return r;
	}
	r.proto = (int)nxt;
	r.len = end - r.off;
	return r;
}

/* ------------------------------------------------------------------ */
/* Walking a capture                                                    */

struct frame {
	unsigned num;
	const uint8_t *data;
	size_t caplen;
};

typedef void frame_fn(const char *name, const struct frame *f, void *arg);

static void each_frame(const char *name, frame_fn *fn, void *arg)
{
	struct pcap_pkthdr *h;
	const u_char *d;
	pcap_t *pc = open_pcap(name);
	unsigned num = 0;

	while (pcap_next_ex(pc, &h, &d) == 1) {
		struct frame f = { ++num, d, h->caplen };

		fn(name, &f, arg);
	}
	pcap_close(pc);
}

/* The payload of f, or of f cut at snap bytes, copied to an exact block. */
static uint8_t *payload_of(const struct frame *f, size_t snap, struct l4 *l4)
{
	size_t cap = f->caplen < snap ? f->caplen : snap;
	uint8_t *p;

	*l4 = find_l4(f->data, cap);
	p = malloc(l4->len ? l4->len : 1);
	assert_non_null(p);
	if (l4->len)
		memcpy(p, f->data + l4->off, l4->len);
	return p;
}

static bool span_is(const uint8_t *ptr, size_t len, const char *want)
{
	return ptr && strlen(want) == len && memcmp(ptr, want, len) == 0;
}

static void assert_span(const char *what, unsigned num, const uint8_t *ptr,
			size_t len, const char *want)
{
	if (!*want) {
		if (ptr)
			fail_msg("frame %u %s: got \"%.*s\", tshark has none", num,
				 what, (int)len, (const char *)ptr);
		return;
	}
	if (!span_is(ptr, len, want))
		fail_msg("frame %u %s: got \"%.*s\", tshark \"%s\"", num, what,
			 ptr ? (int)len : 6, ptr ? (const char *)ptr : "(none)", want);
}

/* Span b is absent or the same bytes as a (a: the whole-payload parse). */
static void assert_sub(const char *what, const uint8_t *ap, size_t al,
		       const uint8_t *bp, size_t bl, size_t cut)
{
	if (!bp)
		return;
	if (!ap || al != bl || memcmp(ap, bp, al))
		fail_msg("cut at %zu: %s \"%.*s\" invented (whole: \"%.*s\")", cut, what,
			 (int)bl, (const char *)bp, ap ? (int)al : 0, ap ? (const char *)ap : "");
}

/* assert_int_equal with the capture and frame in the message */
#define assert_ret(name, num, got, want)                                        \
	do {                                                                    \
		int got_ = (got), want_ = (want);                               \
		if (got_ != want_)                                              \
			fail_msg("%s frame %u: returned %d, want %d", name, num, \
				 got_, want_);                                  \
	} while (0)

/* ------------------------------------------------------------------ */
/* HTTP against tshark                                                 */

static const char *const http_caps[] = {
	"http-get", "http-vlan", "http-ipv6-frag", "http-nonprint",
	"http-oneside", "http-split",
};

struct truth {
	struct table main, offsets;
	int seen;
};

enum { H_METHOD = 3, H_HOST = 4, H_URI = 5 };

/*
 * One value in snap mode: inside the first SNAP bytes it must be exact,
 * past them absent and flagged.
 */
static void snap_value(const char *what, unsigned num, const struct row *off,
		       const uint8_t *ptr, size_t len, const char *want, bool truncated)
{
	if (!off || offset_end(off) <= SNAP) {
		assert_span(what, num, ptr, len, off ? want : "");
		return;
	}
	if (ptr)
		fail_msg("frame %u %s: \"%.*s\" reported, but it ends at byte %u",
			 num, what, (int)len, (const char *)ptr, offset_end(off));
	if (!truncated)
		fail_msg("frame %u %s: cut at %u yet not truncated", num, what, offset_end(off));
}

/*
 * Every frame of each capture against NAME.KIND.tsv (and its offsets):
 * fn counts in seen the truth rows it met, which must be all of them.
 */
static void against_tshark(const char *const *caps, size_t ncaps, const char *kind,
			   frame_fn *fn, bool rows_required)
{
	for (size_t i = 0; i < ncaps; i++) {
		struct truth t = { 0 };

		table_load(&t.main, caps[i], kind);
		table_load(&t.offsets, caps[i], "offsets");
		if (rows_required)
			assert_true(t.main.n > 1);
		each_frame(caps[i], fn, &t);
		assert_int_equal(t.seen, t.main.n ? t.main.n - 1 : 0);
		table_free(&t.main);
		table_free(&t.offsets);
	}
}

static void http_frame(const char *name, const struct frame *f, void *arg)
{
	struct truth *t = arg;
	const struct row *tr = row_of(&t->main, f->num);
	struct sv_http_request r;
	struct l4 l4;
	uint8_t *p = payload_of(f, SIZE_MAX, &l4);
	int ret;

	if (l4.proto != 6) {
		assert_null(tr);
		free(p);
		return;
	}
	ret = sv_http_parse_request(p, l4.len, &r);
	if (!tr) {
		if (ret == 1)
			fail_msg("%s frame %u: request that tshark does not see", name, f->num);
		free(p);
		return;
	}
	t->seen++;
	assert_ret(name, f->num, ret, 1);
	assert_span("method", f->num, r.method.ptr, r.method.len, cell(tr, H_METHOD));
	assert_span("uri", f->num, r.uri.ptr, r.uri.len, cell(tr, H_URI));
	assert_span("host", f->num, r.host.ptr, r.host.len, cell(tr, H_HOST));
	free(p);

	/* The same frame cut at SNAP bytes. */
	p = payload_of(f, SNAP, &l4);
	ret = sv_http_parse_request(p, l4.len, &r);
	assert_ret(name, f->num, ret, 1);
	snap_value("method", f->num, offset_of(&t->offsets, f->num, "http.request.method", 0),
		   r.method.ptr, r.method.len, cell(tr, H_METHOD), r.truncated);
	snap_value("uri", f->num, offset_of(&t->offsets, f->num, "http.request.uri", 0),
		   r.uri.ptr, r.uri.len, cell(tr, H_URI), r.truncated);
	snap_value("host", f->num, offset_of(&t->offsets, f->num, "http.host", 0),
		   r.host.ptr, r.host.len, cell(tr, H_HOST), r.truncated);
	free(p);
}

static void test_http_tshark(void **state)
{
	against_tshark(http_caps, sizeof(http_caps) / sizeof(http_caps[0]), "http",
		       http_frame, true);
}

/* ------------------------------------------------------------------ */
/* DNS against tshark                                                  */

static const char *const dns_caps[] = {
	"dns-udp", "dns-tcp", "dns-ipv6-frag", "dns-badnames", "dns-longname",
	"ipv4-badlen",
};

enum { D_QNAME = 1, D_QTYPE, D_RESPONSE, D_ID, D_ANCOUNT, D_A, D_AAAA };

static int dns_parse_l4(const uint8_t *p, const struct l4 *l4, struct sv_dns_msg *m)
{
	return l4->proto == 6 ? sv_dns_parse_tcp(p, l4->len, m)
			      : sv_dns_parse(p, l4->len, m);
}

/* Our answer addresses, in order, are where tshark's list starts. */
static void dns_addrs(unsigned num, const struct sv_dns_msg *m, const char *a, const char *aaaa)
{
	char want[INET6_ADDRSTRLEN];
	uint8_t bin[16];

	for (int i = 0; i < m->n_a; i++)
		if (!list_item(a, i, want, sizeof(want)) || inet_pton(AF_INET, want, bin) != 1 ||
		    memcmp(bin, m->a[i], 4))
			fail_msg("frame %u: A #%d %u.%u.%u.%u not in tshark's \"%s\"", num, i,
				 m->a[i][0], m->a[i][1], m->a[i][2], m->a[i][3], a);
	for (int i = 0; i < m->n_aaaa; i++)
		if (!list_item(aaaa, i, want, sizeof(want)) || inet_pton(AF_INET6, want, bin) != 1 ||
		    memcmp(bin, m->aaaa[i], 16))
			fail_msg("frame %u: AAAA #%d not in tshark's \"%s\"", num, i, aaaa);
}

static int list_len(const char *list)
{
	int n = *list ? 1 : 0;

	for (; *list; list++)
		n += *list == ',';
	return n;
}

/*
 * dns_addrs() holds with an empty list too: the number matters. tshark's
 * dns.a and dns.aaaa also list the additional section's addresses (the
 * TXT answer of dns-ipv6-frag 2 comes with an A there), which the decoder
 * does not read. So, for a sound response to an A or AAAA query that
 * tshark lists addresses of that type in: some come out; and when tshark
 * lists exactly as many as there are answers (dns-udp 2 and 4), they are
 * the answers, and every one comes out (up to the cap), none of the other.
 */
static void dns_addr_count(unsigned num, const struct sv_dns_msg *m, const struct row *tr)
{
	int qtype = atoi(cell(tr, D_QTYPE)), listed, got, other;

	if (m->rr_truncated || m->rr_malformed || !m->qr || (qtype != 1 && qtype != 28))
		return;
	listed = list_len(cell(tr, qtype == 1 ? D_A : D_AAAA));
	got = qtype == 1 ? m->n_a : m->n_aaaa;
	other = qtype == 1 ? m->n_aaaa : m->n_a;
	if (!listed)
		return;
	if (!got)
		fail_msg("frame %u: no answer of type %d, tshark lists %d", num, qtype, listed);
	if (listed != atoi(cell(tr, D_ANCOUNT)))
		return;
	if (got != (listed < SV_DNS_ADDR_MAX ? listed : SV_DNS_ADDR_MAX) || other)
		fail_msg("frame %u: %d answers of type %d and %d of the other, tshark %d and 0",
			 num, got, qtype, other, listed);
}

static void dns_frame(const char *name, const struct frame *f, void *arg)
{
	struct truth *t = arg;
	const struct row *tr = row_of(&t->main, f->num);
	const struct row *off;
	struct sv_dns_msg m;
	char qname[SV_DNS_NAME_MAX], later[SV_DNS_NAME_MAX];
	struct l4 l4;
	uint8_t *p = payload_of(f, SIZE_MAX, &l4);
	int ret;

	if (!tr || (l4.sport != 53 && l4.dport != 53)) {
		assert_null(tr);
		free(p);
		return;
	}
	t->seen++;
	ret = dns_parse_l4(p, &l4, &m);
	if (!list_item(cell(tr, D_QNAME), 0, qname, sizeof(qname)))
		qname[0] = '\0';

	if (qname[0] == '<') {
		/* tshark's marker for a broken first name */
		assert_ret(name, f->num, ret, -EINVAL);
	} else if (!qname[0]) {
		/* tshark: malformed, no name; the message ends inside it */
		assert_ret(name, f->num, ret, 1);
		assert_true(m.truncated);
		assert_false(m.has_qname);
	} else {
		assert_ret(name, f->num, ret, 1);
		assert_true(m.has_qname && m.has_qtype);
		assert_string_equal(m.qname, qname);
		assert_int_equal(m.qname_len, strlen(qname));
		assert_int_equal(m.qtype, atoi(cell(tr, D_QTYPE)));
		/* a later question tshark could not read must be flagged */
		for (int i = 1; list_item(cell(tr, D_QNAME), i, later, sizeof(later)); i++)
			if (later[0] == '<')
				assert_true(m.rr_malformed);
	}
	assert_int_equal(m.id, strtoul(cell(tr, D_ID), NULL, 16));
	assert_int_equal(m.qr, atoi(cell(tr, D_RESPONSE)));
	assert_int_equal(m.ancount, atoi(cell(tr, D_ANCOUNT)));
	dns_addrs(f->num, &m, cell(tr, D_A), cell(tr, D_AAAA));
	dns_addr_count(f->num, &m, tr);
	free(p);

	/* Cut at SNAP: the first question name as offsets.tsv places it. */
	p = payload_of(f, SNAP, &l4);
	ret = dns_parse_l4(p, &l4, &m);
	off = offset_of(&t->offsets, f->num, "dns.qry.name", 0);
	if (qname[0] == '<' && off && offset_end(off) <= SNAP) {
		assert_ret(name, f->num, ret, -EINVAL);
	} else if (qname[0] && qname[0] != '<') {
		assert_ret(name, f->num, ret, 1);
		snap_value("qname", f->num, off, m.has_qname ? (const uint8_t *)m.qname : NULL,
			   m.qname_len, qname, m.truncated);
	} else {
		assert_false(m.has_qname);
	}
	if (ret == 1) {
		assert_int_equal(m.id, strtoul(cell(tr, D_ID), NULL, 16));
		dns_addrs(f->num, &m, cell(tr, D_A), cell(tr, D_AAAA));
	}
	free(p);
}

static void test_dns_tshark(void **state)
{
	against_tshark(dns_caps, sizeof(dns_caps) / sizeof(dns_caps[0]), "dns",
		       dns_frame, true);
}

/* ------------------------------------------------------------------ */
/* TLS against tshark                                                  */

static const char *const tls_caps[] = {
	"tls-sni", "tls-sni-edge", "tls13-ech", "tls-pq-large", "tls-ch-split",
	"tls-nosni", "tls-ipv6", "tls-fuzzed",
};

/* ClientHellos tshark shows but whose lengths lie (tests/data/README.md). */
static const struct {
	const char *name;
	unsigned num;
} tls_lying[] = {
	{ "tls-fuzzed", 3 }, /* ESNI encrypted_sni<> claims 45203 of 292 bytes */
};

static bool tls_lies(const char *name, unsigned num)
{
	for (size_t i = 0; i < sizeof(tls_lying) / sizeof(tls_lying[0]); i++)
		if (!strcmp(tls_lying[i].name, name) && tls_lying[i].num == num)
			return true;
	return false;
}

/*
 * A ClientHello over several segments that tshark decodes only with TCP
 * reassembly, which the truth files turn off; the SNI extension is whole in
 * the first segment (bytes 285-298 of the frame, tests/data/README.md).
 */
static const struct {
	const char *name;
	unsigned num;
	const char *sni;
} tls_early[] = {
	{ "tls-ch-split", 4, "www.google.com" },
};

static const char *tls_early_sni(const char *name, unsigned num)
{
	for (size_t i = 0; i < sizeof(tls_early) / sizeof(tls_early[0]); i++)
		if (!strcmp(tls_early[i].name, name) && tls_early[i].num == num)
			return tls_early[i].sni;
	return NULL;
}

static void tls_frame(const char *name, const struct frame *f, void *arg)
{
	struct truth *t = arg;
	const struct row *tr = row_of(&t->main, f->num);
	struct sv_tls_hello h;
	struct l4 l4;
	uint8_t *p = payload_of(f, SIZE_MAX, &l4);
	int ret;

	if (l4.proto != 6) {
		assert_null(tr);
		free(p);
		return;
	}
	ret = sv_tls_parse_client_hello(p, l4.len, &h);
	if (!tr) {
		/* not a whole ClientHello for tshark: no SNI may come out ... */
		const char *sni = tls_early_sni(name, f->num);

		/* ... unless it is complete before the segment ends */
		assert_span("sni", f->num, h.sni.ptr, h.sni.len, sni ? sni : "");
		free(p);
		if (sni) {
			assert_ret(name, f->num, ret, 1);
			assert_true(h.truncated);
			p = payload_of(f, SNAP, &l4);
			assert_int_equal(sv_tls_parse_client_hello(p, l4.len, &h), 1);
			assert_null(h.sni.ptr);
			assert_true(h.truncated);
			free(p);
		}
		return;
	}
	t->seen++;
	if (tls_lies(name, f->num)) {
		assert_ret(name, f->num, ret, -EINVAL);
		free(p);
		return;
	}
	assert_ret(name, f->num, ret, 1);
	assert_false(h.truncated);
	assert_span("sni", f->num, h.sni.ptr, h.sni.len, cell(tr, 1));
	free(p);

	p = payload_of(f, SNAP, &l4);
	ret = sv_tls_parse_client_hello(p, l4.len, &h);
	assert_true(ret == 1 || (ret == 0 && h.truncated));
	snap_value("sni", f->num,
		   offset_of(&t->offsets, f->num, "tls.handshake.extensions_server_name", 0),
		   h.sni.ptr, h.sni.len, cell(tr, 1), h.truncated);
	free(p);
}

static void test_tls_tshark(void **state)
{
	/* Every capture but tls-ch-split has a tls.tsv: a missing one fails. */
	for (size_t i = 0; i < sizeof(tls_caps) / sizeof(tls_caps[0]); i++)
		against_tshark(&tls_caps[i], 1, "tls", tls_frame,
			       strcmp(tls_caps[i], "tls-ch-split") != 0);
}

/* ------------------------------------------------------------------ */
/* Every payload cut at every length                                   */

static void cut_http(const uint8_t *p, size_t len)
{
	struct sv_http_request w, r;
	int wret = sv_http_parse_request(p, len, &w);

	for (size_t cut = 0; cut <= len; cut++) {
		uint8_t *b = malloc(cut ? cut : 1);
		int ret;

		memcpy(b, p, cut);
		ret = sv_http_parse_request(b, cut, &r);
		if (ret == 1) {
			/* a cut can only look like a request if the whole is one */
			assert_true(wret == 1 || wret == -EINVAL);
			if (wret == 1) {
				assert_sub("method", w.method.ptr - p + b, w.method.len,
					   r.method.ptr, r.method.len, cut);
				assert_sub("uri", w.uri.ptr ? w.uri.ptr - p + b : NULL,
					   w.uri.len, r.uri.ptr, r.uri.len, cut);
				assert_sub("version", w.version.ptr ? w.version.ptr - p + b : NULL,
					   w.version.len, r.version.ptr, r.version.len, cut);
				assert_sub("host", w.host.ptr ? w.host.ptr - p + b : NULL,
					   w.host.len, r.host.ptr, r.host.len, cut);
				assert_sub("user-agent",
					   w.user_agent.ptr ? w.user_agent.ptr - p + b : NULL,
					   w.user_agent.len, r.user_agent.ptr, r.user_agent.len, cut);
				/* a complete head is the whole one's head */
				if (!r.truncated) {
					assert_false(w.truncated);
					assert_int_equal(r.head_len, w.head_len);
					assert_int_equal(!r.host.ptr, !w.host.ptr);
					assert_int_equal(!r.user_agent.ptr, !w.user_agent.ptr);
				}
			}
		}
		free(b);
	}
}

static void cut_dns(const uint8_t *p, size_t len, bool tcp)
{
	struct sv_dns_msg *w = malloc(sizeof(*w)), *m = malloc(sizeof(*m));
	int wret = tcp ? sv_dns_parse_tcp(p, len, w) : sv_dns_parse(p, len, w);

	for (size_t cut = 0; cut <= len; cut++) {
		uint8_t *b = malloc(cut ? cut : 1);
		int ret;

		memcpy(b, p, cut);
		ret = tcp ? sv_dns_parse_tcp(b, cut, m) : sv_dns_parse(b, cut, m);
		free(b);
		if (wret == 1)
			assert_true(ret == 1 || (ret == 0 && m->truncated));
		if (ret != 1 || wret != 1)
			continue;
		if (m->has_qname) {
			assert_true(w->has_qname);
			assert_string_equal(m->qname, w->qname);
		}
		if (m->has_qtype)
			assert_int_equal(m->qtype, w->qtype);
		if (!m->truncated)
			assert_int_equal(m->has_qname, w->has_qname);
		assert_true(m->n_a <= w->n_a && m->n_aaaa <= w->n_aaaa);
		assert_memory_equal(m->a, w->a, sizeof(m->a[0]) * m->n_a);
		assert_memory_equal(m->aaaa, w->aaaa, sizeof(m->aaaa[0]) * m->n_aaaa);
	}
	free(w);
	free(m);
}

static void cut_tls(const uint8_t *p, size_t len)
{
	struct sv_tls_hello w, h;
	int wret = sv_tls_parse_client_hello(p, len, &w);

	for (size_t cut = 0; cut <= len; cut++) {
		uint8_t *b = malloc(cut ? cut : 1);
		int ret;

		memcpy(b, p, cut);
		ret = sv_tls_parse_client_hello(b, cut, &h);
		if (ret == 1 && wret == 1) {
			assert_sub("sni", w.sni.ptr ? w.sni.ptr - p + b : NULL, w.sni.len,
				   h.sni.ptr, h.sni.len, cut);
			assert_sub("alpn", w.alpn.ptr ? w.alpn.ptr - p + b : NULL, w.alpn.len,
				   h.alpn.ptr, h.alpn.len, cut);
			if (!h.truncated) {
				/* a cut that is not truncated holds the whole hello */
				assert_int_equal(h.sni.len, w.sni.len);
				assert_int_equal(!h.sni.ptr, !w.sni.ptr);
			}
		}
		/* a cut of a ClientHello is one (maybe truncated) or too short */
		if (wret == 1 && cut > 0 && ret != 1 && !(ret == 0 && h.truncated))
			fail_msg("ClientHello cut at %zu of %zu: returned %d", cut, len, ret);
		free(b);
	}
}

static void cut_frame(const char *name, const struct frame *f, void *arg)
{
	struct l4 l4;
	uint8_t *p = payload_of(f, SIZE_MAX, &l4);

	if (l4.proto && l4.len) {
		cut_http(p, l4.len);
		cut_tls(p, l4.len);
		cut_dns(p, l4.len, l4.proto == 6);
		(*(unsigned *)arg)++;
	}
	free(p);
}

static void test_cut_everywhere(void **state)
{
	static const char *const *lists[] = { http_caps, dns_caps, tls_caps };
	static const size_t sizes[] = {
		sizeof(http_caps) / sizeof(http_caps[0]),
		sizeof(dns_caps) / sizeof(dns_caps[0]),
		sizeof(tls_caps) / sizeof(tls_caps[0]),
	};
	unsigned payloads = 0;

	for (size_t l = 0; l < 3; l++)
		for (size_t i = 0; i < sizes[l]; i++)
			each_frame(lists[l][i], cut_frame, &payloads);
	assert_true(payloads > 50);
}

/* ------------------------------------------------------------------ */
/* Broken captures, one by one                                         */

struct one {
	unsigned num;
	struct l4 l4;
	uint8_t *p;       /* the payload as the UDP length bounds it */
	uint8_t *ip;      /* the payload as the IP length bounds it */
	size_t ip_len;
};

static void one_frame(const char *name, const struct frame *f, void *arg)
{
	struct one *o = arg;

	if (f->num != o->num)
		return;
	o->p = payload_of(f, SIZE_MAX, &o->l4);
	o->ip_len = o->l4.len + o->l4.ip_extra;
	o->ip = malloc(o->ip_len);
	assert_non_null(o->ip);
	memcpy(o->ip, f->data + o->l4.off, o->ip_len);
}

static struct one frame_get(const char *name, unsigned num)
{
	struct one o = { .num = num };

	each_frame(name, one_frame, &o);
	assert_non_null(o.p);
	return o;
}

static void frame_put(struct one *o)
{
	free(o->p);
	free(o->ip);
}

static void test_dns_broken(void **state)
{
	struct sv_dns_msg m;
	struct one o;

	/* dns-badnames 1: "\3a" and the end of the message */
	o = frame_get("dns-badnames", 1);
	assert_int_equal(sv_dns_parse(o.p, o.l4.len, &m), 1);
	assert_true(m.truncated);
	assert_false(m.has_qname);
	frame_put(&o);

	/* dns-badnames 2: the question name is a pointer to itself */
	o = frame_get("dns-badnames", 2);
	assert_int_equal(sv_dns_parse(o.p, o.l4.len, &m), -EINVAL);
	assert_int_equal(m.id, 0x2223);
	frame_put(&o);

	/* dns-longname 2: fine first question, a second one over 255 bytes */
	o = frame_get("dns-longname", 2);
	assert_int_equal(sv_dns_parse(o.p, o.l4.len, &m), 1);
	assert_string_equal(m.qname, "www.xt.com");
	assert_true(m.rr_malformed);
	assert_false(m.rr_truncated);
	assert_int_equal(m.n_a, 0);
	frame_put(&o);

	/*
	 * dns-udplen: the UDP length leaves no DNS message at all; the 35
	 * bytes the IP packet carries beyond it are a compression loop.
	 */
	o = frame_get("dns-udplen", 1);
	assert_int_equal(o.l4.len, 0);
	assert_int_equal(o.ip_len, 35);
	assert_int_equal(sv_dns_parse(o.p, o.l4.len, &m), 0);
	assert_true(m.truncated);
	assert_int_equal(sv_dns_parse(o.ip, o.ip_len, &m), -EINVAL);
	frame_put(&o);

	/* dns-tcp 6: the answer section is two A records */
	o = frame_get("dns-tcp", 6);
	assert_int_equal(sv_dns_parse_tcp(o.p, o.l4.len, &m), 1);
	assert_int_equal(m.n_a, 2);
	assert_int_equal(m.n_aaaa, 0);
	assert_false(m.rr_truncated || m.rr_malformed);
	frame_put(&o);

	/* dns-udp 2: twelve A records */
	o = frame_get("dns-udp", 2);
	assert_int_equal(sv_dns_parse(o.p, o.l4.len, &m), 1);
	assert_int_equal(m.n_a, 12);
	assert_int_equal(m.qclass, 1);
	frame_put(&o);
}

static void test_tls_broken(void **state)
{
	struct sv_tls_hello h;
	struct one o;

	/* tls-fuzzed 1 and 2 are sound but for the ESNI payload bytes */
	for (unsigned n = 1; n <= 2; n++) {
		o = frame_get("tls-fuzzed", n);
		assert_int_equal(sv_tls_parse_client_hello(o.p, o.l4.len, &h), 1);
		assert_false(h.truncated);
		assert_null(h.sni.ptr);
		assert_true(span_is(h.alpn.ptr, h.alpn.len, "h2"));
		frame_put(&o);
	}
	o = frame_get("tls-fuzzed", 3);
	assert_int_equal(sv_tls_parse_client_hello(o.p, o.l4.len, &h), -EINVAL);
	frame_put(&o);
}

/* ------------------------------------------------------------------ */
/* Hand-made messages                                                  */

#define BUF(s) (const uint8_t *)(s), sizeof(s) - 1

static void test_http_hand(void **state)
{
	struct sv_http_request r;

	assert_int_equal(sv_http_parse_request(BUF(""), &r), 0);
	assert_false(r.truncated);
	assert_int_equal(sv_http_parse_request(BUF("GE"), &r), 0);
	assert_true(r.truncated);
	assert_int_equal(sv_http_parse_request(BUF("GET"), &r), 0);
	assert_true(r.truncated);
	assert_int_equal(sv_http_parse_request(BUF("get / HTTP/1.1\r\n"), &r), 0);
	assert_int_equal(sv_http_parse_request(BUF("GETS / HTTP/1.1\r\n"), &r), 0);
	assert_int_equal(sv_http_parse_request(BUF("HTTP/1.1 200 OK\r\n"), &r), 0);

	assert_int_equal(sv_http_parse_request(BUF("GET /a"), &r), 1);
	assert_int_equal(r.method_id, SV_HTTP_GET);
	assert_null(r.uri.ptr);
	assert_true(r.truncated);

	assert_int_equal(sv_http_parse_request(BUF("PATCH /a HTTP/1."), &r), 1);
	assert_int_equal(r.method_id, SV_HTTP_PATCH);
	assert_true(span_is(r.uri.ptr, r.uri.len, "/a"));
	assert_null(r.version.ptr);

	assert_int_equal(sv_http_parse_request(BUF("GET / HTTP/1.1\r\nHost: exam"), &r), 1);
	assert_null(r.host.ptr);
	assert_true(r.truncated);
	assert_int_equal(sv_http_parse_request(BUF("GET / HTTP/1.1\r\nHost: exam\r"), &r), 1);
	assert_null(r.host.ptr);
	assert_int_equal(sv_http_parse_request(BUF("GET / HTTP/1.1\r\nHost: ex\r\n"), &r), 1);
	assert_true(span_is(r.host.ptr, r.host.len, "ex"));
	assert_true(r.truncated);
	assert_int_equal(r.head_len, 0);

	static const char full[] = "OPTIONS * HTTP/1.0\r\nuser-AGENT:  curl/8 \t\r\n"
				   "X-A: b\r\n\tfolded\r\nHOST:h:80\r\nHost: second\r\n\r\nbody";
	assert_int_equal(sv_http_parse_request(BUF(full), &r), 1);
	assert_int_equal(r.method_id, SV_HTTP_OPTIONS);
	assert_true(span_is(r.uri.ptr, r.uri.len, "*"));
	assert_true(span_is(r.version.ptr, r.version.len, "HTTP/1.0"));
	assert_true(span_is(r.user_agent.ptr, r.user_agent.len, "curl/8"));
	assert_true(span_is(r.host.ptr, r.host.len, "h:80"));
	assert_false(r.truncated);
	assert_int_equal(r.head_len, sizeof(full) - 1 - 4);

	/* bare LF line ends, empty Host */
	assert_int_equal(sv_http_parse_request(BUF("HEAD /x HTTP/1.1\nHost:\n\n"), &r), 1);
	assert_non_null(r.host.ptr);
	assert_int_equal(r.host.len, 0);
	assert_false(r.truncated);

	/* broken */
	assert_int_equal(sv_http_parse_request(BUF("GET  / HTTP/1.1\r\n"), &r), -EINVAL);
	assert_int_equal(sv_http_parse_request(BUF("GET /\rx"), &r), -EINVAL);
	assert_int_equal(sv_http_parse_request(BUF("GET /\r\r\n"), &r), -EINVAL);

	/* HTTP/0.9: complete at the line end, which must be all there */
	assert_int_equal(sv_http_parse_request(BUF("GET /x\r"), &r), 1);
	assert_null(r.uri.ptr);
	assert_true(r.truncated);
	assert_int_equal(sv_http_parse_request(BUF("GET /x\r\n"), &r), 1);
	assert_true(span_is(r.uri.ptr, r.uri.len, "/x"));
	assert_null(r.version.ptr);
	assert_false(r.truncated);
	assert_int_equal(r.head_len, 8);
	assert_int_equal(sv_http_parse_request(BUF("GET /\x01 HTTP/1.1\r\n"), &r), -EINVAL);
	assert_int_equal(sv_http_parse_request(BUF("GET / HTTX"), &r), -EINVAL);
	assert_int_equal(sv_http_parse_request(BUF("GET / HTTP/1.1x"), &r), -EINVAL);
	assert_int_equal(sv_http_parse_request(BUF("GET / HTTP/1.1\r\nno colon\r\n"), &r), -EINVAL);
	assert_int_equal(sv_http_parse_request(BUF("GET / HTTP/1.1\r\n: v\r\n"), &r), -EINVAL);
	assert_int_equal(sv_http_parse_request(BUF("GET / HTTP/1.1\r\nHost : v\r\n"), &r), -EINVAL);
}

/* A DNS query: 12-byte header with qdcount 1 and ancount an, then body. */
static size_t dns_msg(uint8_t *out, unsigned an, const uint8_t *body, size_t n)
{
	static const uint8_t hdr[12] = { 0xbe, 0xef, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0 };

	memcpy(out, hdr, 12);
	out[7] = (uint8_t)an;
	memcpy(out + 12, body, n);
	return 12 + n;
}

static void test_dns_hand(void **state)
{
	struct sv_dns_msg m;
	uint8_t b[600];
	size_t n;

	/* escapes: '.', '\', control, space, DEL, UTF-8 */
	static const uint8_t esc[] = "\x05" "a.b\\c" "\x04" "\x07 \x7f\xc3" "\x00" "\x00\x01\x00\x01";
	n = dns_msg(b, 0, esc, sizeof(esc) - 1);
	assert_int_equal(sv_dns_parse(b, n, &m), 1);
	assert_string_equal(m.qname, "a\\.b\\\\c.\\007\\032\\127\\195");
	assert_int_equal(m.id, 0xbeef);
	assert_true(m.qr);
	assert_int_equal(m.opcode, 0);
	assert_int_equal(m.rcode, 0);
	assert_true(m.has_qtype);

	/* the root */
	n = dns_msg(b, 0, (const uint8_t *)"\0\0\x02\0\x01", 5);
	assert_int_equal(sv_dns_parse(b, n, &m), 1);
	assert_string_equal(m.qname, ".");
	assert_int_equal(m.qtype, 2);

	/* qname complete, qtype cut */
	n = dns_msg(b, 0, (const uint8_t *)"\1a\0\0", 4);
	assert_int_equal(sv_dns_parse(b, n, &m), 1);
	assert_true(m.has_qname && !m.has_qtype && m.truncated);
	assert_string_equal(m.qname, "a");

	/* label types 0x40 and 0x80 */
	n = dns_msg(b, 0, (const uint8_t *)"\x41" "a\0\0\1\0\1", 7);
	assert_int_equal(sv_dns_parse(b, n, &m), -EINVAL);
	n = dns_msg(b, 0, (const uint8_t *)"\x81" "a\0\0\1\0\1", 7);
	assert_int_equal(sv_dns_parse(b, n, &m), -EINVAL);

	/* pointer forward, into the header, to itself */
	n = dns_msg(b, 0, (const uint8_t *)"\xc0\x0e\1a\0\0\1\0\1", 9);
	assert_int_equal(sv_dns_parse(b, n, &m), -EINVAL);
	n = dns_msg(b, 0, (const uint8_t *)"\xc0\x02\0\1\0\1", 6);
	assert_int_equal(sv_dns_parse(b, n, &m), -EINVAL);
	n = dns_msg(b, 0, (const uint8_t *)"\1a\xc0\x0c\0\1\0\1", 8);
	assert_int_equal(sv_dns_parse(b, n, &m), -EINVAL);

	/*
	 * An answer whose name points back at the question's "b.c" and whose
	 * rdata is an A; then one pointing at itself (a loop) stops the walk.
	 */
	static const uint8_t ans[] =
		"\1a\1b\1c\0" "\0\1\0\1"                        /* 12: a.b.c A IN */
		"\1x\xc0\x0e" "\0\1\0\1" "\0\0\0\0" "\0\4" "\x0a\0\0\1"  /* x.b.c */
		"\xc0\x29" "\0\1\0\1" "\0\0\0\0" "\0\4" "\x0a\0\0\2"; /* 41: itself */
	n = dns_msg(b, 2, ans, sizeof(ans) - 1);
	assert_int_equal(sv_dns_parse(b, n, &m), 1);
	assert_string_equal(m.qname, "a.b.c");
	assert_int_equal(m.n_a, 1);
	assert_memory_equal(m.a[0], "\x0a\0\0\1", 4);
	assert_true(m.rr_malformed);

	/* A with a 5-byte rdata */
	static const uint8_t bad_a[] = "\1a\0\0\1\0\1" "\xc0\x0c\0\1\0\1\0\0\0\0\0\5\1\2\3\4\5";
	n = dns_msg(b, 1, bad_a, sizeof(bad_a) - 1);
	assert_int_equal(sv_dns_parse(b, n, &m), 1);
	assert_true(m.rr_malformed);
	assert_int_equal(m.n_a, 0);

	/* names of 255 bytes pass, 256 do not: 63+63+63+61 labels + root */
	for (int over = 0; over <= 1; over++) {
		uint8_t q[300], *w = q;
		int sizes[4] = { 63, 63, 63, 61 + over };

		for (int l = 0; l < 4; l++) {
			*w++ = (uint8_t)sizes[l];
			memset(w, l == 3 ? 0xff : 'a', (size_t)sizes[l]);
			w += sizes[l];
		}
		memcpy(w, "\0\0\1\0\1", 5);
		w += 5;
		n = dns_msg(b, 0, q, (size_t)(w - q));
		if (over) {
			assert_int_equal(sv_dns_parse(b, n, &m), -EINVAL);
		} else {
			assert_int_equal(sv_dns_parse(b, n, &m), 1);
			/* 189 a's, 61 \255's, 3 dots */
			assert_int_equal(m.qname_len, 189 + 61 * 4 + 3);
		}
	}

	/* counts far beyond the bytes: the walk stops, flagged */
	n = dns_msg(b, 0, (const uint8_t *)"\1a\0\0\1\0\1", 7);
	b[6] = b[7] = 0xff;
	assert_int_equal(sv_dns_parse(b, n, &m), 1);
	assert_true(m.rr_truncated);
	assert_string_equal(m.qname, "a");

	/* TCP: the prefix says whether the message is all there */
	uint8_t t[64];
	n = dns_msg(t + 2, 0, (const uint8_t *)"\1a\0\0\1\0\1", 7);
	t[0] = 0;
	t[1] = (uint8_t)n;
	assert_int_equal(sv_dns_parse_tcp(t, n + 2, &m), 1);
	assert_string_equal(m.qname, "a");
	assert_int_equal(sv_dns_parse_tcp(t, n + 1, &m), 1);
	assert_true(m.truncated);
	t[1] = (uint8_t)(n - 1); /* the message claims to end inside its question */
	assert_int_equal(sv_dns_parse_tcp(t, n + 2, &m), -EINVAL);
	t[1] = 11;
	assert_int_equal(sv_dns_parse_tcp(t, n + 2, &m), -EINVAL);
	assert_int_equal(sv_dns_parse_tcp(t, 1, &m), 0);
	assert_true(m.truncated);
	assert_int_equal(sv_dns_parse(t, 11, &m), 0);
	assert_true(m.truncated);
}

/*
 * A ClientHello record around extensions ext[0..n): legacy version 3.3,
 * zero random, empty session id, one suite, null compression.
 */
static size_t tls_msg(uint8_t *out, const uint8_t *ext, size_t n)
{
	size_t body = 2 + 32 + 1 + 4 + 2 + 2 + n, hs = 4 + body;
	uint8_t *w = out;

	*w++ = 22; *w++ = 3; *w++ = 1;
	*w++ = (uint8_t)(hs >> 8); *w++ = (uint8_t)hs;
	*w++ = 1; *w++ = 0;
	*w++ = (uint8_t)(body >> 8); *w++ = (uint8_t)body;
	*w++ = 3; *w++ = 3;
	memset(w, 0, 32);
	w += 32;
	*w++ = 0;
	*w++ = 0; *w++ = 2; *w++ = 0x13; *w++ = 0x01;
	*w++ = 1; *w++ = 0;
	*w++ = (uint8_t)(n >> 8); *w++ = (uint8_t)n;
	memcpy(w, ext, n);
	return (size_t)(w - out) + n;
}

#define EXT(s) (const uint8_t *)(s), sizeof(s) - 1

static void test_tls_hand(void **state)
{
	struct sv_tls_hello h;
	uint8_t b[512];
	size_t n;

	/* server_name "ab", ALPN "h2" */
	n = tls_msg(b, EXT("\0\0\0\7\0\5\0\0\2ab" "\0\x10\0\5\0\3\2h2"));
	assert_int_equal(sv_tls_parse_client_hello(b, n, &h), 1);
	assert_true(span_is(h.sni.ptr, h.sni.len, "ab"));
	assert_true(span_is(h.alpn.ptr, h.alpn.len, "h2"));
	assert_int_equal(h.record_version, 0x0301);
	assert_int_equal(h.version, 0x0303);
	assert_int_equal(h.cipher_suites.len, 2);
	assert_non_null(h.session_id.ptr);
	assert_int_equal(h.extensions.len, 20);
	assert_false(h.truncated);

	/* cut inside the name: no SNI, truncated; cut after it: SNI */
	assert_int_equal(sv_tls_parse_client_hello(b, n - 10, &h), 1);
	assert_null(h.sni.ptr);
	assert_true(h.truncated);
	assert_int_equal(sv_tls_parse_client_hello(b, n - 9, &h), 1);
	assert_true(span_is(h.sni.ptr, h.sni.len, "ab"));
	assert_true(h.truncated);

	/* lies: list longer than the extension, name longer than the list */
	n = tls_msg(b, EXT("\0\0\0\7\0\6\0\0\2ab"));
	assert_int_equal(sv_tls_parse_client_hello(b, n, &h), -EINVAL);
	n = tls_msg(b, EXT("\0\0\0\7\0\5\0\0\3ab"));
	assert_int_equal(sv_tls_parse_client_hello(b, n, &h), -EINVAL);
	/* extension longer than the block; junk after the last name */
	n = tls_msg(b, EXT("\0\0\0\x08\0\5\0\0\2ab"));
	assert_int_equal(sv_tls_parse_client_hello(b, n, &h), -EINVAL);
	n = tls_msg(b, EXT("\0\0\0\x08\0\5\0\0\2abX"));
	assert_int_equal(sv_tls_parse_client_hello(b, n, &h), -EINVAL);
	/* the lie is seen even when the buffer ends before the name */
	n = tls_msg(b, EXT("\0\0\0\7\0\6\0\0\2ab"));
	assert_int_equal(sv_tls_parse_client_hello(b, n - 3, &h), -EINVAL);
	/* supported_versions whose list overruns it */
	n = tls_msg(b, EXT("\0\x2b\0\3\4\3\4"));
	assert_int_equal(sv_tls_parse_client_hello(b, n, &h), -EINVAL);
	/* unknown extensions are skipped whole */
	n = tls_msg(b, EXT("\x0a\x0a\0\1\0" "\0\0\0\5\0\3\0\0\0"));
	assert_int_equal(sv_tls_parse_client_hello(b, n, &h), -EINVAL); /* empty host_name */
	n = tls_msg(b, EXT("\x0a\x0a\0\1\0" "\0\0\0\6\0\4\0\0\1z"));
	assert_int_equal(sv_tls_parse_client_hello(b, n, &h), 1);
	assert_true(span_is(h.sni.ptr, h.sni.len, "z"));

	/* no extensions at all (the hello ends after compression) */
	n = tls_msg(b, EXT("")) - 2;
	b[4] -= 2;
	b[8] -= 2;
	assert_int_equal(sv_tls_parse_client_hello(b, n, &h), 1);
	assert_false(h.truncated);
	assert_null(h.sni.ptr);

	/* not a ClientHello */
	n = tls_msg(b, EXT("\0\0\0\7\0\5\0\0\2ab"));
	b[5] = 2; /* ServerHello */
	assert_int_equal(sv_tls_parse_client_hello(b, n, &h), 0);
	b[5] = 1;
	b[0] = 23; /* application data */
	assert_int_equal(sv_tls_parse_client_hello(b, n, &h), 0);
	b[0] = 22;
	b[1] = 2;
	assert_int_equal(sv_tls_parse_client_hello(b, n, &h), 0);
	b[1] = 3;
	assert_int_equal(sv_tls_parse_client_hello(b, 3, &h), 0);
	assert_true(h.truncated);
	/* record over 2^14, empty record, session id over 32 */
	b[3] = 0x40; b[4] = 0x01;
	assert_int_equal(sv_tls_parse_client_hello(b, n, &h), -EINVAL);
	b[3] = 0; b[4] = 0;
	assert_int_equal(sv_tls_parse_client_hello(b, n, &h), -EINVAL);
	n = tls_msg(b, EXT("\0\0\0\7\0\5\0\0\2ab"));
	b[43] = 33;
	assert_int_equal(sv_tls_parse_client_hello(b, n, &h), -EINVAL);

	/* a hello longer than its record goes on in the next: truncated */
	n = tls_msg(b, EXT("\0\0\0\7\0\5\0\0\2ab"));
	b[4] -= 5;
	assert_int_equal(sv_tls_parse_client_hello(b, n, &h), 1);
	assert_null(h.sni.ptr);
	assert_true(h.truncated);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_http_hand),
		cmocka_unit_test(test_dns_hand),
		cmocka_unit_test(test_tls_hand),
		cmocka_unit_test(test_http_tshark),
		cmocka_unit_test(test_dns_tshark),
		cmocka_unit_test(test_tls_tshark),
		cmocka_unit_test(test_dns_broken),
		cmocka_unit_test(test_tls_broken),
		cmocka_unit_test(test_cut_everywhere),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
