/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_decode.c - sv_packet_decode() against tshark, by hand, and cut short.
 *
 * Every capture in tests/data/ is decoded packet by packet and compared with
 * tshark's fields in NAME.l34.tsv (tests/data/README.md). A few packets are
 * checked field by field against values read off the hex dump. Every packet
 * is also decoded cut at every length, each time in a buffer of exactly that
 * size, so that AddressSanitizer sees any read past the snap.
 */
#include <arpa/inet.h>
#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "decode/packet.h"

#include "testutil.h"

#define NONE SV_OFF_NONE
#define BAD (SV_PKT_TRUNCATED | SV_PKT_MALFORMED)

/* tshark columns of NAME.l34.tsv */
enum {
	T_NUM, T_LEN, T_CAPLEN, T_ETYPE, T_AD_ID, T_VLAN_ID, T_VLAN_ETYPE,
	T_IP_SRC, T_IP_DST, T_IP_PROTO, T_IP6_SRC, T_IP6_DST, T_IP6_NXT,
	T_TCP_SPORT, T_TCP_DPORT, T_UDP_SPORT, T_UDP_DPORT, T_PROTOCOLS,
	T_NCOLS
};

/* Captures with deliberately broken packets; the others must decode clean. */
static const char *const broken[] = {
	"erspan3-malformed", "gre-bad", "ipv4-badlen", "ipv6-badlen",
	"tcp-hdr-trunc",
};

static const char *const captures[] = {
	"dns-badnames", "dns-ipv6-frag", "dns-longname", "dns-tcp", "dns-udp",
	"dns-udplen", "erspan1", "erspan2", "erspan3-ft7", "erspan3-malformed",
	"erspan3-subhdr", "erspan3-vlan", "erspan3", "gre-bad", "http-get",
	"http-ipv6-frag", "http-nonprint", "http-oneside", "http-split",
	"http-vlan", "ipfix-ipv6", "ipfix-single", "ipfix", "ipv4-badlen",
	"ipv6-badlen", "nfv9-options", "nfv9", "sflow-counters",
	"sflow-expanded", "sflow-flow", "sflow-ipv6", "sflow-malformed",
	"tcp-hdr-trunc", "tls-ch-split", "tls-fuzzed", "tls-ipv6", "tls-nosni",
	"tls-pq-large", "tls-sni-edge", "tls-sni", "tls13-ech", "vlan-8021ad",
	"vlan-stack",
};
#define NCAPTURES (sizeof(captures) / sizeof(captures[0]))

/* Calls fn for every packet of tests/data/NAME.pcap; returns the count. */
static int for_each_packet(const char *name,
			   void (*fn)(const struct pcap_pkthdr *, const uint8_t *,
				      int linktype, int num, void *arg),
			   void *arg)
{
	char path[256], err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const uint8_t *bytes;
	pcap_t *pc;
	int n = 0, rc;

	snprintf(path, sizeof(path), DATA_DIR "%s.pcap", name);
	pc = pcap_open_offline(path, err);
	if (!pc) {
		/* A libpcap that rejects a damaged file header skips, a missing file fails. */
		if (access(path, R_OK) == 0) {
			print_message("%s: %s\n", path, err);
			skip();
		}
		fail_msg("%s: %s", path, err);
	}
	while ((rc = pcap_next_ex(pc, &h, &bytes)) == 1) {
		assert_in_range(h->caplen, 0, UINT16_MAX);
		fn(h, bytes, pcap_datalink(pc), ++n, arg);
	}
	/* A damaged record ends the file; what came before still counts. */
	if (rc == PCAP_ERROR)
		print_message("%s: %s after %d packets\n", path, pcap_geterr(pc), n);
	pcap_close(pc);
	return n;
}

/* Checks that hold for every decode, whatever the input. */
static void check_invariants(const struct sv_pkt *p)
{
	if (p->l3_off == NONE) {
		assert_int_equal(p->ip_version, 0);
		assert_int_equal(p->l4_off, NONE);
	} else {
		assert_true(p->ip_version == 4 || p->ip_version == 6);
		assert_true(p->l3_off < p->cap_len);
	}
	if (p->l4_off != NONE) {
		assert_true(p->l4_off > p->l3_off);
		assert_true(p->l4_off < p->cap_len);
		assert_false(p->flags & SV_PKT_FRAGMENT);
	}
	if (p->payload_off != NONE) {
		assert_int_not_equal(p->l4_off, NONE);
		assert_true(p->payload_off > p->l4_off);
		assert_true(p->payload_off <= p->cap_len);
		assert_true(p->payload_len <= p->cap_len - p->payload_off);
		/* The payload never runs past the end the IP header claims. */
		assert_true(p->payload_off + p->payload_len <= p->l4_off + p->l4_len);
	} else {
		assert_int_equal(p->payload_len, 0);
	}
	if (p->flags & SV_PKT_FRAGMENT) {
		assert_int_equal(p->sport, 0);
		assert_int_equal(p->dport, 0);
	}
	if (p->nvlan < 2)
		assert_int_equal(p->vlan[1], 0);
	if (p->nvlan < 1)
		assert_int_equal(p->vlan[0], 0);

	/* A clean, whole TCP/UDP/ICMP packet has its payload located. */
	if (!(p->flags & (BAD | SV_PKT_FRAGMENT)) && p->ip_version &&
	    (p->proto == 6 || p->proto == 17 ||
	     (p->proto == 1 && p->ip_version == 4) ||
	     (p->proto == 58 && p->ip_version == 6)))
		assert_int_not_equal(p->payload_off, NONE);
}

/* ---- against tshark ---- */

struct truth {
	FILE *f;
	const char *name;
	char line[4096];
	char *col[T_NCOLS];
};

static void truth_next(struct truth *t, int num)
{
	char *s;
	int i;

	if (!fgets(t->line, sizeof(t->line), t->f))
		fail_msg("%s: no truth row for frame %d", t->name, num);
	t->line[strcspn(t->line, "\n")] = '\0';
	s = t->line;
	for (i = 0; i < T_NCOLS; i++) {
		t->col[i] = strsep(&s, "\t");
		if (!t->col[i])
			fail_msg("%s: frame %d: short truth row", t->name, num);
	}
	assert_int_equal(atoi(t->col[T_NUM]), num);
}

/* The n-th (0-based) comma-separated value of a tshark field, or "". */
static const char *nth(const char *field, int n, char *buf, size_t size)
{
	size_t len;

	while (n-- > 0) {
		field = strchr(field, ',');
		if (!field)
			return "";
		field++;
	}
	len = strcspn(field, ",");
	if (len >= size)
		len = size - 1;
	memcpy(buf, field, len);
	buf[len] = '\0';
	return buf;
}

static void assert_addr(const char *text, int af, const uint8_t *got)
{
	uint8_t want[16] = { 0 };

	assert_int_equal(inet_pton(af, text, want), 1);
	assert_memory_equal(got, want, 16);
}

/*
 * tshark lists the fields of every layer, tunnelled ones too, but
 * frame.protocols gives their order: the outer packet is its L2 tokens,
 * then the first IP header, its IPv6 extension headers and the next token.
 */
static void compare_truth(const struct pcap_pkthdr *h, const uint8_t *bytes,
			  int linktype, int num, void *arg)
{
	struct truth *t = arg;
	struct sv_pkt *p = pkt_new(bytes, h->caplen, h->len);
	char buf[64], protos[512], *tok, *save;
	int nq = 0, nad = 0, ntag = 0, last_q = -1;
	uint16_t vlan[2] = { 0 };
	bool ext = false;
	const char *l3 = NULL, *l4 = NULL;

	truth_next(t, num);
	sv_packet_decode(p, linktype);
	check_invariants(p);
	assert_int_equal(p->wire_len, strtoul(t->col[T_LEN], NULL, 10));
	assert_int_equal(p->cap_len, strtoul(t->col[T_CAPLEN], NULL, 10));

	snprintf(protos, sizeof(protos), "%s", t->col[T_PROTOCOLS]);
	for (tok = strtok_r(protos, ":", &save); tok; tok = strtok_r(NULL, ":", &save)) {
		if (!l3 && !strcmp(tok, "vlan")) {
			if (ntag < 2)
				vlan[ntag] = (uint16_t)atoi(nth(t->col[T_VLAN_ID], nq, buf, sizeof(buf)));
			last_q = nq++;
			ntag++;
		} else if (!l3 && !strcmp(tok, "ieee8021ad")) {
			if (ntag < 2)
				vlan[ntag] = (uint16_t)atoi(nth(t->col[T_AD_ID], nad, buf, sizeof(buf)));
			last_q = -1;
			nad++;
			ntag++;
		} else if (!l3 && (!strcmp(tok, "ip") || !strcmp(tok, "ipv6"))) {
			l3 = tok;
		} else if (l3 && !strncmp(tok, "ipv6.", 5)) {
			ext = true;
		} else if (l3) {
			l4 = tok;
			break;
		}
	}

	/* L2: tags, and the ethertype after the last outer tag. */
	assert_int_equal(p->nvlan, ntag);
	assert_int_equal(p->vlan[0], vlan[0]);
	assert_int_equal(p->vlan[1], vlan[1]);
	if (linktype != SV_LINK_ETHERNET)
		assert_int_equal(p->ethertype, 0);
	else if (ntag == 0)
		assert_int_equal(p->ethertype, strtoul(nth(t->col[T_ETYPE], 0, buf, sizeof(buf)), NULL, 16));
	else if (last_q >= 0)
		assert_int_equal(p->ethertype, strtoul(nth(t->col[T_VLAN_ETYPE], last_q, buf, sizeof(buf)), NULL, 16));

	/* L3: the first IP header. tshark names no address for a bogus header. */
	if (l3 && !strcmp(l3, "ip") && *t->col[T_IP_SRC]) {
		assert_int_equal(p->ip_version, 4);
		assert_addr(nth(t->col[T_IP_SRC], 0, buf, sizeof(buf)), AF_INET, p->src);
		assert_addr(nth(t->col[T_IP_DST], 0, buf, sizeof(buf)), AF_INET, p->dst);
		assert_int_equal(p->proto, atoi(nth(t->col[T_IP_PROTO], 0, buf, sizeof(buf))));
	} else if (l3 && !strcmp(l3, "ipv6") && *t->col[T_IP6_SRC]) {
		assert_int_equal(p->ip_version, 6);
		assert_addr(nth(t->col[T_IP6_SRC], 0, buf, sizeof(buf)), AF_INET6, p->src);
		if (*t->col[T_IP6_DST])
			assert_addr(nth(t->col[T_IP6_DST], 0, buf, sizeof(buf)), AF_INET6, p->dst);
		/* ipv6.nxt is the fixed header's: ours is the last extension header's. */
		if (!ext)
			assert_int_equal(p->proto, atoi(nth(t->col[T_IP6_NXT], 0, buf, sizeof(buf))));
		assert_int_equal(!!(p->flags & SV_PKT_IPOPTS), ext);
	} else {
		assert_int_equal(p->ip_version, 0);
		assert_int_equal(p->l3_off, NONE);
	}

	/* L4: ports when tshark decoded TCP or UDP right after that IP header. */
	if (l4 && !strcmp(l4, "tcp")) {
		assert_int_equal(p->proto, 6);
		assert_int_equal(p->sport, atoi(nth(t->col[T_TCP_SPORT], 0, buf, sizeof(buf))));
		assert_int_equal(p->dport, atoi(nth(t->col[T_TCP_DPORT], 0, buf, sizeof(buf))));
	} else if (l4 && !strcmp(l4, "udp")) {
		assert_int_equal(p->proto, 17);
		assert_int_equal(p->sport, atoi(nth(t->col[T_UDP_SPORT], 0, buf, sizeof(buf))));
		assert_int_equal(p->dport, atoi(nth(t->col[T_UDP_DPORT], 0, buf, sizeof(buf))));
	} else {
		assert_int_equal(p->sport, 0);
		assert_int_equal(p->dport, 0);
	}
	if (l4 && !strcmp(l4, "data") && (p->flags & SV_PKT_FRAGMENT))
		assert_int_equal(p->l4_off, NONE);

	for (size_t i = 0; i < sizeof(broken) / sizeof(broken[0]); i++)
		if (!strcmp(t->name, broken[i]))
			goto out;
	assert_int_equal(p->flags & BAD, 0);
out:
	free(p);
}

static void test_truth(void **state)
{
	struct truth t = { .name = *state };
	char path[256];
	int n;

	snprintf(path, sizeof(path), DATA_DIR "%s.l34.tsv", t.name);
	t.f = fopen(path, "r");
	assert_non_null(t.f);
	assert_non_null(fgets(t.line, sizeof(t.line), t.f)); /* header row */
	n = for_each_packet(t.name, compare_truth, &t);
	assert_true(n > 0);
	assert_null(fgets(t.line, sizeof(t.line), t.f)); /* every row used */
	fclose(t.f);
}

/* ---- cut at every length ---- */

/* Every field decode fills, except the payload length, which the cut may shorten. */
static void assert_same_decode(const struct sv_pkt *a, const struct sv_pkt *b)
{
	assert_int_equal(a->flags, b->flags);
	assert_int_equal(a->ethertype, b->ethertype);
	assert_int_equal(a->l3_off, b->l3_off);
	assert_int_equal(a->payload_off, b->payload_off);
	assert_int_equal(a->nvlan, b->nvlan);
	assert_memory_equal(a->vlan, b->vlan, sizeof(a->vlan));
	assert_int_equal(a->ip_version, b->ip_version);
	assert_int_equal(a->proto, b->proto);
	assert_int_equal(a->ttl, b->ttl);
	assert_int_equal(a->tcp_flags, b->tcp_flags);
	assert_int_equal(a->icmp_type, b->icmp_type);
	assert_int_equal(a->icmp_code, b->icmp_code);
	assert_int_equal(a->sport, b->sport);
	assert_int_equal(a->dport, b->dport);
	assert_int_equal(a->l4_len, b->l4_len);
	assert_memory_equal(a->src, b->src, 16);
	assert_memory_equal(a->dst, b->dst, 16);
}

static void cut_packet(const struct pcap_pkthdr *h, const uint8_t *bytes,
		       int linktype, int num, void *arg)
{
	struct sv_pkt *full = pkt_new(bytes, h->caplen, h->len);
	bool was_truncated = false;
	int *decodes = arg;

	sv_packet_decode(full, linktype);
	for (uint32_t n = h->caplen + 1; n-- > 0;) {
		struct sv_pkt *p = pkt_new(bytes, n, h->len);

		sv_packet_decode(p, linktype);
		(*decodes)++;
		check_invariants(p);
		/* Losing bytes at the end can hide a lie, never invent one. */
		if (p->flags & SV_PKT_MALFORMED)
			assert_true(full->flags & SV_PKT_MALFORMED);
		if (p->flags & SV_PKT_TRUNCATED) {
			was_truncated = true;
		} else {
			/* Truncation only grows as the snap shrinks ... */
			assert_false(was_truncated);
			/* ... and short of it the headers decode as in full. */
			assert_same_decode(p, full);
			assert_int_equal(p->l4_off, full->l4_off != NONE && n > full->l4_off
							    ? full->l4_off : NONE);
			if (full->payload_off != NONE)
				assert_int_equal(p->payload_len,
						 n - full->payload_off < full->payload_len
							 ? n - full->payload_off
							 : full->payload_len);
		}
		/* A clean packet is truncated exactly when a header is cut. */
		if (!(full->flags & BAD) && full->payload_off != NONE)
			assert_int_equal(!!(p->flags & SV_PKT_TRUNCATED), n < full->payload_off);
		free(p);
	}
	free(full);
}

static void test_cut_every_length(void **state)
{
	int decodes = 0;

	for (size_t i = 0; i < NCAPTURES; i++)
		for_each_packet(captures[i], cut_packet, &decodes);
	assert_true(decodes > 200000);
}

/* ---- by hand ---- */

/* Decode packet `num` of a capture into a fresh sv_pkt (caller frees). */
struct pick {
	int num;
	struct sv_pkt *p;
};

static void pick_packet(const struct pcap_pkthdr *h, const uint8_t *bytes,
			int linktype, int num, void *arg)
{
	struct pick *k = arg;

	if (num != k->num)
		return;
	k->p = pkt_new(bytes, h->caplen, h->len);
	sv_packet_decode(k->p, linktype);
	check_invariants(k->p);
}

static struct sv_pkt *decode_one(const char *name, int num)
{
	struct pick k = { .num = num };

	for_each_packet(name, pick_packet, &k);
	assert_non_null(k.p);
	return k.p;
}

static const uint8_t v4_48[4] = { 48, 48, 48, 48 };

/* 46 of 262144 bytes: Ethernet, IPv4, then 12 bytes of TCP. */
static void test_tcp_header_truncated(void **state)
{
	struct sv_pkt *p = decode_one("tcp-hdr-trunc", 1);

	assert_int_equal(p->flags, SV_PKT_TRUNCATED);
	assert_int_equal(p->ethertype, 0x0800);
	assert_int_equal(p->l3_off, 14);
	assert_int_equal(p->ip_version, 4);
	assert_int_equal(p->ttl, 48);
	assert_int_equal(p->proto, 6);
	assert_memory_equal(p->src, v4_48, 4);
	assert_memory_equal(p->dst, v4_48, 4);
	assert_int_equal(p->l4_len, 0x3030 - 20);
	/* The ports are in, the data offset and flags (bytes 12, 13) are not. */
	assert_int_equal(p->l4_off, 34);
	assert_int_equal(p->sport, 12336);
	assert_int_equal(p->dport, 12336);
	assert_int_equal(p->tcp_flags, 0);
	assert_int_equal(p->payload_off, NONE);
	free(p);
}

/* Total length 85 where the whole 98-byte frame leaves 84 for IP. */
static void test_ipv4_bad_length(void **state)
{
	static const uint8_t src[4] = { 140, 211, 9, 206 };
	struct sv_pkt *p = decode_one("ipv4-badlen", 1);

	assert_int_equal(p->flags, SV_PKT_MALFORMED);
	assert_int_equal(p->ip_version, 4);
	assert_memory_equal(p->src, src, 4);
	assert_int_equal(p->proto, 17);
	assert_int_equal(p->l4_len, 85 - 20);
	assert_int_equal(p->l4_off, 34);
	assert_int_equal(p->sport, 39095);
	assert_int_equal(p->dport, 53);
	/* UDP says 57 bytes of payload; 56 are there. */
	assert_int_equal(p->payload_off, 42);
	assert_int_equal(p->payload_len, 56);
	free(p);
}

/* A whole 53-byte frame: the IPv6 header stops one byte short. */
static void test_ipv6_bad_length(void **state)
{
	static const uint8_t src[16] = { 0x26, 0x05, 0xbc, 0x80, 0x30, 0x10, 0x01, 0x04,
					 0, 0, 0, 0, 0x8c, 0xd3, 0x09, 0xce };
	static const uint8_t zero[16];
	struct sv_pkt *p = decode_one("ipv6-badlen", 1);

	assert_int_equal(p->flags, SV_PKT_MALFORMED);
	assert_int_equal(p->ethertype, 0x86DD);
	assert_int_equal(p->l3_off, 14);
	assert_int_equal(p->ip_version, 6);
	assert_int_equal(p->proto, 17);
	assert_int_equal(p->ttl, 64);
	assert_memory_equal(p->src, src, 16);
	assert_memory_equal(p->dst, zero, 16);
	assert_int_equal(p->l4_off, NONE);
	assert_int_equal(p->payload_off, NONE);
	free(p);
}

static void test_gre_bad(void **state)
{
	struct sv_pkt *p = decode_one("gre-bad", 1);

	/* Unknown ethertype: nothing past L2, and nothing wrong with that. */
	assert_int_equal(p->flags, 0);
	assert_int_equal(p->ethertype, 0x3030);
	assert_int_equal(p->l3_off, NONE);
	free(p);

	/* Ethertype IPv4, version nibble 3. */
	p = decode_one("gre-bad", 2);
	assert_int_equal(p->flags, SV_PKT_MALFORMED);
	assert_int_equal(p->ethertype, 0x0800);
	assert_int_equal(p->ip_version, 0);
	assert_int_equal(p->l3_off, NONE);
	free(p);
}

/* ICMP echo requests behind 1, 2 and 3 stacked 802.1Q tags. */
static void test_vlan_stack(void **state)
{
	static const uint8_t bcast[4] = { 255, 255, 255, 255 };
	static const uint16_t ids[3][2] = { { 6, 0 }, { 1, 10 }, { 1, 10 } };

	for (int i = 0; i < 3; i++) {
		struct sv_pkt *p = decode_one("vlan-stack", i + 1);
		uint16_t l3 = (uint16_t)(14 + 4 * (i + 1));

		assert_int_equal(p->flags, 0);
		assert_int_equal(p->nvlan, i + 1);
		assert_int_equal(p->vlan[0], ids[i][0]);
		assert_int_equal(p->vlan[1], ids[i][1]);
		assert_int_equal(p->ethertype, 0x0800);
		assert_int_equal(p->l3_off, l3);
		assert_memory_equal(p->dst, bcast, 4);
		assert_int_equal(p->proto, 1);
		assert_int_equal(p->l4_off, l3 + 20);
		assert_int_equal(p->icmp_type, 8);
		assert_int_equal(p->icmp_code, 0);
		assert_int_equal(p->payload_off, l3 + 28);
		assert_int_equal(p->payload_len, 0);
		free(p);
	}
}

/* 802.1ad S-tag 200 (0x88A8), 802.1Q C-tag 2001, ARP. */
static void test_vlan_8021ad(void **state)
{
	struct sv_pkt *p = decode_one("vlan-8021ad", 1);

	assert_int_equal(p->flags, 0);
	assert_int_equal(p->nvlan, 2);
	assert_int_equal(p->vlan[0], 200);
	assert_int_equal(p->vlan[1], 2001);
	assert_int_equal(p->ethertype, 0x0806);
	assert_int_equal(p->l3_off, NONE);
	free(p);
}

/* One handshake SYN each behind dstopts, an atomic fragment, hop-by-hop, routing. */
static void test_ipv6_ext_headers(void **state)
{
	static const struct {
		int num;
		uint16_t sport;
	} syn[] = { { 4, 36951 }, { 13, 59694 }, { 23, 27393 }, { 33, 45805 } };
	struct sv_pkt *p;

	for (size_t i = 0; i < sizeof(syn) / sizeof(syn[0]); i++) {
		p = decode_one("http-ipv6-frag", syn[i].num);
		assert_int_equal(p->flags, SV_PKT_IPOPTS);
		assert_int_equal(p->ip_version, 6);
		assert_int_equal(p->proto, 6);
		assert_int_equal(p->l3_off, 14);
		assert_int_equal(p->l4_off, 14 + 40 + 8);
		assert_int_equal(p->l4_len, 20);
		assert_int_equal(p->sport, syn[i].sport);
		assert_int_equal(p->dport, 80);
		assert_int_equal(p->tcp_flags, 0x02);
		assert_int_equal(p->payload_off, 82);
		assert_int_equal(p->payload_len, 0);
		free(p);
	}

	/* No extension header: a neighbour solicitation, ICMPv6 135. */
	p = decode_one("http-ipv6-frag", 2);
	assert_int_equal(p->flags, 0);
	assert_int_equal(p->proto, 58);
	assert_int_equal(p->ttl, 255);
	assert_int_equal(p->icmp_type, 135);
	assert_int_equal(p->l4_off, 54);
	assert_int_equal(p->payload_off, 62);
	assert_int_equal(p->payload_len, 24);
	free(p);
}

static void test_ipv6_fragments(void **state)
{
	/* First fragment: UDP says more than this fragment carries, rightly. */
	struct sv_pkt *p = decode_one("dns-ipv6-frag", 6);

	assert_int_equal(p->flags, SV_PKT_IPOPTS);
	assert_int_equal(p->proto, 17);
	assert_int_equal(p->l4_off, 62);
	assert_int_equal(p->l4_len, 1432);
	assert_int_equal(p->sport, 53);
	assert_int_equal(p->dport, 51851);
	assert_int_equal(p->payload_off, 70);
	assert_int_equal(p->payload_len, 1424);
	free(p);

	/* A later fragment: no L4 header in it. */
	p = decode_one("dns-ipv6-frag", 7);
	assert_int_equal(p->flags, SV_PKT_IPOPTS | SV_PKT_FRAGMENT);
	assert_int_equal(p->proto, 17);
	assert_int_equal(p->l4_off, NONE);
	assert_int_equal(p->sport, 0);
	assert_int_equal(p->payload_off, NONE);
	free(p);
}

/* UDP length 8 inside 43 bytes of IP payload: the payload is UDP's, empty. */
static void test_udp_short_length(void **state)
{
	struct sv_pkt *p = decode_one("dns-udplen", 1);

	assert_int_equal(p->flags, 0);
	assert_int_equal(p->l4_len, 43);
	assert_int_equal(p->dport, 53);
	assert_int_equal(p->payload_off, 42);
	assert_int_equal(p->payload_len, 0);
	free(p);
}

/* Raw IPv6, destination options, then GRE: located, not decoded. */
static void test_raw_ipv6_gre(void **state)
{
	struct sv_pkt *p = decode_one("erspan3-malformed", 1);

	assert_int_equal(p->flags, SV_PKT_IPOPTS);
	assert_int_equal(p->ethertype, 0);
	assert_int_equal(p->l3_off, 0);
	assert_int_equal(p->ip_version, 6);
	assert_int_equal(p->ttl, 1);
	assert_int_equal(p->proto, 47);
	assert_int_equal(p->l4_off, 56);
	assert_int_equal(p->l4_len, 288 - 16);
	assert_int_equal(p->payload_off, NONE);
	free(p);
}

/* The same bytes under each raw link type number, and an unknown one. */
static void test_link_types(void **state)
{
	struct sv_pkt *e = decode_one("dns-udp", 1), *p;
	static const int raw[] = { SV_LINK_RAW, 12, 14 };

	for (size_t i = 0; i < sizeof(raw) / sizeof(raw[0]); i++) {
		p = pkt_new(e->data + 14, e->cap_len - 14u, e->wire_len - 14u);
		sv_packet_decode(p, raw[i]);
		check_invariants(p);
		assert_int_equal(p->flags, 0);
		assert_int_equal(p->ethertype, 0);
		assert_int_equal(p->l3_off, 0);
		assert_int_equal(p->l4_off, e->l4_off - 14);
		assert_int_equal(p->payload_off, e->payload_off - 14);
		assert_int_equal(p->payload_len, e->payload_len);
		assert_int_equal(p->sport, e->sport);
		assert_memory_equal(p->src, e->src, 16);
		free(p);
	}
	p = pkt_new(e->data, e->cap_len, e->wire_len);
	assert_int_equal(sv_packet_decode(p, 113 /* Linux cooked */), 0);
	assert_int_equal(p->l3_off, NONE);
	free(p);
	free(e);
}

/*
 * Real packets with a few bytes changed, for what the captures lack: IPv4
 * fragments and options, lying UDP and TCP lengths, AH, ESP, 0x9100 tags.
 * Each is also cut at every length.
 */
struct patch {
	uint16_t off;
	uint8_t len;
	uint8_t b[2];
};

static const struct crafted {
	const char *what, *capture;
	int num;
	struct patch patch[2];
	uint16_t flags, l4_off, payload_off, payload_len, sport;
	uint8_t proto;
} crafted[] = {
	/* dns-udp 1: IPv4 total length 67 at 16, fragment word at 20, UDP length 47 at 38 */
	{ "ipv4 later fragment", "dns-udp", 1, { { 20, 2, { 0x00, 0x01 } } },
	  SV_PKT_FRAGMENT, NONE, NONE, 0, 0, 17 },
	{ "ipv4 first fragment", "dns-udp", 1, { { 20, 2, { 0x20, 0x00 } }, { 38, 2, { 0, 147 } } },
	  0, 34, 42, 39, 55398, 17 },
	{ "udp length > ip", "dns-udp", 1, { { 38, 2, { 0, 147 } } },
	  SV_PKT_MALFORMED, 34, 42, 39, 55398, 17 },
	{ "udp length < 8", "dns-udp", 1, { { 38, 2, { 0, 7 } } },
	  SV_PKT_MALFORMED, 34, NONE, 0, 55398, 17 },
	{ "ipv4 ihl 4", "dns-udp", 1, { { 14, 1, { 0x44 } } },
	  SV_PKT_MALFORMED, NONE, NONE, 0, 0, 17 },
	{ "ipv4 total < ihl", "dns-udp", 1, { { 16, 2, { 0, 19 } } },
	  SV_PKT_MALFORMED, NONE, NONE, 0, 0, 17 },
	{ "ipv4 total > wire", "dns-udp", 1, { { 16, 2, { 0, 200 } } },
	  SV_PKT_MALFORMED, 34, 42, 39, 55398, 17 },
	{ "trailer after ip", "dns-udp", 1, { { 16, 2, { 0, 57 } }, { 38, 2, { 0, 37 } } },
	  0, 34, 42, 29, 55398, 17 },
	/* http-get 1: TCP SYN, data offset 11 at 46, IP payload 44 */
	{ "tcp offset 4", "http-get", 1, { { 46, 1, { 0x40 } } },
	  SV_PKT_MALFORMED, 34, NONE, 0, 59856, 6 },
	{ "tcp offset > ip", "http-get", 1, { { 46, 1, { 0xF0 } } },
	  SV_PKT_MALFORMED, 34, NONE, 0, 59856, 6 },
	/* http-ipv6-frag 4: next header 60 at 20, payload length 28 at 18, dstopts at 54 */
	{ "ipv6 ah", "http-ipv6-frag", 4, { { 20, 1, { 51 } } },
	  SV_PKT_IPOPTS, 62, 82, 0, 36951, 6 },
	{ "ipv6 esp", "http-ipv6-frag", 4, { { 20, 1, { 50 } } },
	  0, 54, NONE, 0, 0, 50 },
	{ "ipv6 no next header", "http-ipv6-frag", 4, { { 20, 1, { 59 } } },
	  0, NONE, NONE, 0, 0, 59 },
	{ "ipv6 later fragment", "http-ipv6-frag", 4, { { 20, 1, { 44 } }, { 56, 2, { 0x00, 0x08 } } },
	  SV_PKT_IPOPTS | SV_PKT_FRAGMENT, NONE, NONE, 0, 0, 6 },
	{ "ipv6 ext > payload", "http-ipv6-frag", 4, { { 18, 2, { 0, 4 } } },
	  SV_PKT_IPOPTS | SV_PKT_MALFORMED, NONE, NONE, 0, 0, 60 },
	{ "ipv6 ext > wire", "http-ipv6-frag", 4, { { 55, 1, { 200 } } },
	  SV_PKT_IPOPTS | SV_PKT_MALFORMED, NONE, NONE, 0, 0, 60 },
	{ "ipv6 says 4", "http-ipv6-frag", 4, { { 14, 1, { 0x40 } } },
	  SV_PKT_MALFORMED, NONE, NONE, 0, 0, 0 },
	/* vlan-stack 1: one 802.1Q tag at 12 */
	{ "tpid 0x9100", "vlan-stack", 1, { { 12, 2, { 0x91, 0x00 } } },
	  0, 38, 46, 0, 0, 1 },
};

static void check_crafted(struct sv_pkt *p, const struct crafted *k)
{
	struct pcap_pkthdr h = { .caplen = p->cap_len, .len = p->wire_len };
	int decodes = 0;

	sv_packet_decode(p, SV_LINK_ETHERNET);
	check_invariants(p);
	assert_int_equal(p->flags, k->flags);
	assert_int_equal(p->proto, k->proto);
	assert_int_equal(p->l4_off, k->l4_off);
	assert_int_equal(p->payload_off, k->payload_off);
	assert_int_equal(p->payload_len, k->payload_len);
	assert_int_equal(p->sport, k->sport);
	cut_packet(&h, p->data, SV_LINK_ETHERNET, 1, &decodes);
}

static void test_crafted(void **state)
{
	const struct crafted *k = *state;
	struct sv_pkt *p = decode_one(k->capture, k->num);

	for (int j = 0; j < 2; j++) {
		assert_true(k->patch[j].off + k->patch[j].len <= p->cap_len);
		memcpy(p->data + k->patch[j].off, k->patch[j].b, k->patch[j].len);
	}
	check_crafted(p, k);
	free(p);
}

/* Four bytes of IPv4 options (NOPs) pushed in front of dns-udp 1's UDP header. */
static void test_ipv4_options(void **state)
{
	struct sv_pkt *e = decode_one("dns-udp", 1);
	uint8_t buf[128];
	struct sv_pkt *p;

	assert_true(e->cap_len + 4u <= sizeof(buf));
	memcpy(buf, e->data, 34);
	memset(buf + 34, 0x01, 4);
	memcpy(buf + 38, e->data + 34, e->cap_len - 34u);
	buf[14] = 0x46;
	buf[17] += 4;
	p = pkt_new(buf, e->cap_len + 4u, e->wire_len + 4u);
	check_crafted(p, &(struct crafted){ "ipv4 options", "", 0, { { 0 } },
					    SV_PKT_IPOPTS, 38, 46, 39, 55398, 17 });
	free(p);
	free(e);
}

/* Raw IP that is neither version, and raw IP cut to nothing. */
static void test_raw_bad(void **state)
{
	static const uint8_t v5[20] = { 0x50 };
	struct sv_pkt *p = pkt_new(v5, sizeof(v5), sizeof(v5));

	assert_int_equal(sv_packet_decode(p, SV_LINK_RAW), SV_PKT_MALFORMED);
	assert_int_equal(p->l3_off, NONE);
	free(p);
	p = pkt_new(v5, 0, 60);
	assert_int_equal(sv_packet_decode(p, SV_LINK_RAW), SV_PKT_TRUNCATED);
	free(p);
}

static const struct CMUnitTest by_hand[] = {
	cmocka_unit_test(test_tcp_header_truncated),
	cmocka_unit_test(test_ipv4_bad_length),
	cmocka_unit_test(test_ipv6_bad_length),
	cmocka_unit_test(test_gre_bad),
	cmocka_unit_test(test_vlan_stack),
	cmocka_unit_test(test_vlan_8021ad),
	cmocka_unit_test(test_ipv6_ext_headers),
	cmocka_unit_test(test_ipv6_fragments),
	cmocka_unit_test(test_udp_short_length),
	cmocka_unit_test(test_raw_ipv6_gre),
	cmocka_unit_test(test_link_types),
	cmocka_unit_test(test_ipv4_options),
	cmocka_unit_test(test_raw_bad),
	cmocka_unit_test(test_cut_every_length),
};

#define NBY_HAND  (sizeof(by_hand) / sizeof(by_hand[0]))
#define NCRAFTED  (sizeof(crafted) / sizeof(crafted[0]))

int main(void)
{
	/* One case per capture and per crafted packet, named after it. */
	struct CMUnitTest tests[NCAPTURES + NCRAFTED + NBY_HAND];
	size_t n = 0;

	for (size_t i = 0; i < NCAPTURES; i++)
		tests[n++] = (struct CMUnitTest){ .name = captures[i], .test_func = test_truth,
						  .initial_state = (void *)captures[i] };
	for (size_t i = 0; i < NCRAFTED; i++)
		tests[n++] = (struct CMUnitTest){ .name = crafted[i].what, .test_func = test_crafted,
						  .initial_state = (void *)&crafted[i] };
	for (size_t i = 0; i < NBY_HAND; i++)
		tests[n++] = by_hand[i];
	return cmocka_run_group_tests_name("decode", tests, NULL, NULL);
}
