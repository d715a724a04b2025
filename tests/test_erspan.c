/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_erspan.c - GRE + ERSPAN headers and unwrapping against tshark, by
 * hand, cut short, and through the daemon's snapper.
 *
 * Every packet of the ERSPAN captures in tests/data/ is decoded as the
 * snapper does it (sv_packet_decode, then sv_erspan_decap) and compared
 * with NAME.erspan.tsv (GRE and ERSPAN fields) and NAME.l34.tsv (the
 * mirrored frame: tshark lists outer and inner values of a field joined
 * with ',', the inner last). Every packet of every capture is also
 * unwrapped cut at every length, each time in a buffer of exactly that
 * size, so that AddressSanitizer sees any read or write past the snap.
 */
#include <arpa/inet.h>
#include <glob.h>
#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/ring.h"
#include "daemon/daemon.h"
#include "decode/erspan.h"
#include "decode/l234.h"
#include "decode/packet.h"

#include "testutil.h"

#define NONE SV_OFF_NONE

/* Columns of NAME.erspan.tsv and NAME.l34.tsv (tests/data/README.md). */
enum { E_NUM, E_PROTO, E_SEQ_FLAG, E_SEQ, E_VERSION, E_SPANID, E_VLAN, E_FT, E_O,
       E_IP_SRC, E_IP_DST, E_IP6_SRC, E_IP6_DST, E_VLAN_ID };
enum { L_NUM, L_LEN, L_CAPLEN, L_ETYPE, L_AD_ID, L_VLAN_ID, L_VLAN_ETYPE, L_IP_SRC,
       L_IP_DST, L_IP_PROTO, L_IP6_SRC, L_IP6_DST, L_IP6_NXT, L_TCP_SPORT, L_TCP_DPORT,
       L_UDP_SPORT, L_UDP_DPORT, L_PROTOCOLS };

static const char *const erspan_captures[] = {
	"erspan1", "erspan2", "erspan3", "erspan3-vlan", "erspan3-subhdr",
	"erspan3-ft7", "erspan3-malformed",
};
#define NERSPAN (sizeof(erspan_captures) / sizeof(erspan_captures[0]))

typedef void (*packet_fn)(const struct pcap_pkthdr *h, const uint8_t *bytes, int linktype,
			  int num, void *arg);

/* Calls fn for every packet of DATA_DIR NAME.pcap (or of the path itself). */
static int for_each_packet(const char *name, packet_fn fn, void *arg)
{
	char path[256], err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const uint8_t *bytes;
	pcap_t *pc;
	int n = 0;

	if (strchr(name, '/'))
		snprintf(path, sizeof(path), "%s", name);
	else
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
	while (pcap_next_ex(pc, &h, &bytes) == 1)
		fn(h, bytes, pcap_datalink(pc), ++n, arg);
	pcap_close(pc);
	return n;
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

static int count_values(const char *field)
{
	int n = *field ? 1 : 0;

	for (; *field; field++)
		n += *field == ',';
	return n;
}

/* The last value (the innermost layer's). */
static const char *last(const char *field, char *buf, size_t size)
{
	return nth(field, count_values(field) - 1, buf, size);
}

static void assert_addr(const char *text, int af, const uint8_t *got)
{
	uint8_t want[16] = { 0 };

	assert_int_equal(inet_pton(af, text, want), 1);
	assert_memory_equal(got, want, 16);
}

/* How many `tok` in frame.protocols after the first `after`. */
static int tokens_after(const char *protocols, const char *after, const char *tok)
{
	char buf[512], *t, *save;
	bool seen = false;
	int n = 0;

	snprintf(buf, sizeof(buf), "%s", protocols);
	for (t = strtok_r(buf, ":", &save); t; t = strtok_r(NULL, ":", &save)) {
		if (seen && !strcmp(t, tok))
			n++;
		if (!strcmp(t, after))
			seen = true;
	}
	return n;
}

/* ---- the GRE/ERSPAN fields against tshark ---- */

struct truth {
	const char *name;
	struct table erspan, l34;
	int decapsulated, kept;
};

/* The headers sv_erspan_decode() read, as tshark prints them in erspan.tsv. */
static void check_headers(const struct sv_erspan *e, const struct row *r, int num)
{
	const char *version = cell(r, E_VERSION);

	assert_int_equal(e->gre.proto, strtoul(cell(r, E_PROTO), NULL, 16));
	assert_int_equal(!!(e->gre.flags & SV_GRE_S), atoi(cell(r, E_SEQ_FLAG)));
	if (e->gre.flags & SV_GRE_S)
		assert_int_equal(e->gre.seq, strtoul(cell(r, E_SEQ), NULL, 10));
	if (!*version) {
		/* tshark prints no ERSPAN field for type I: there is no header. */
		assert_int_equal(e->type, 1);
		assert_int_equal(e->version, 0);
		assert_int_equal(e->span_id, 0);
		assert_true(!*cell(r, E_SPANID) && !*cell(r, E_VLAN));
		return;
	}
	assert_int_equal(e->version, atoi(version));
	assert_int_equal(e->type, e->version + 1);
	assert_int_equal(e->span_id, atoi(cell(r, E_SPANID)));
	assert_int_equal(e->vlan, atoi(cell(r, E_VLAN)));
	if (e->type == 3) {
		assert_int_equal(e->ft, atoi(cell(r, E_FT)));
		assert_int_equal(e->o, atoi(cell(r, E_O)));
	} else {
		assert_string_equal(cell(r, E_FT), "");
	}
	(void)num;
}

static void compare_truth(const struct pcap_pkthdr *h, const uint8_t *bytes, int linktype,
			  int num, void *arg)
{
	struct truth *t = arg;
	const struct row *er = row_of(&t->erspan, (unsigned long)num);
	const struct row *lr = row_of(&t->l34, (unsigned long)num);
	struct sv_pkt *p = pkt_new(bytes, h->caplen, h->len);
	struct sv_erspan e;
	enum sv_erspan_result r;
	uint8_t outer_src[16];
	uint16_t outer_flags;
	char buf[64];
	const char *src;
	int ntag;

	assert_non_null(er);
	assert_non_null(lr);
	sv_packet_decode(p, linktype);
	memcpy(outer_src, p->src, 16);
	outer_flags = p->flags;
	r = sv_erspan_decode(p, &e);
	check_headers(&e, er, num);

	/* The outer source: the mirroring switch. */
	src = *cell(er, E_IP_SRC) ? nth(cell(er, E_IP_SRC), 0, buf, sizeof(buf))
				  : nth(cell(er, E_IP6_SRC), 0, buf, sizeof(buf));
	assert_addr(src, *cell(er, E_IP_SRC) ? AF_INET : AF_INET6, outer_src);

	assert_int_equal(sv_erspan_decap(p), r);
	if (r != SV_ERSPAN_OK) {
		/* Left as it came, an IP/GRE packet: only a flag may be added. */
		t->kept++;
		assert_int_equal(p->cap_len, h->caplen);
		assert_int_equal(p->wire_len, h->len);
		assert_memory_equal(p->data, bytes, h->caplen);
		assert_int_equal(p->proto, SV_IPPROTO_GRE);
		assert_false(p->flags & SV_PKT_ERSPAN);
		assert_int_equal(p->span_id, 0);
		assert_int_equal(p->span_ip_version, 0);
		if (r == SV_ERSPAN_NOT_ETHER)
			assert_int_equal(p->flags, outer_flags);
		free(p);
		return;
	}
	t->decapsulated++;

	/* The snap is the mirrored frame, within the outer packet's bytes. */
	assert_true(p->flags & SV_PKT_ERSPAN);
	assert_int_equal(p->span_id, e.span_id);
	assert_int_equal(p->span_ip_version, *cell(er, E_IP_SRC) ? 4 : 6);
	assert_memory_equal(p->span_src, outer_src, 16);
	assert_int_equal(p->cap_len, h->caplen - e.inner_off);
	assert_int_equal(p->wire_len, h->len - e.inner_off);
	assert_memory_equal(p->data, bytes + e.inner_off, p->cap_len);
	assert_int_equal(p->flags & (SV_PKT_TRUNCATED | SV_PKT_MALFORMED), 0);

	/* Its VLAN tags: tshark's vlan.id values after "erspan". */
	ntag = tokens_after(cell(lr, L_PROTOCOLS), "erspan", "vlan");
	assert_int_equal(p->nvlan, ntag);
	assert_int_equal(count_values(cell(er, E_VLAN_ID)), ntag);
	for (int i = 0; i < ntag && i < 2; i++) {
		int at = count_values(cell(lr, L_VLAN_ID)) - ntag + i;

		assert_int_equal(p->vlan[i], atoi(nth(cell(lr, L_VLAN_ID), at, buf, sizeof(buf))));
	}

	/* Its IP header: the last of tshark's ip.* values, when there are two. */
	if (count_values(cell(lr, L_IP_SRC)) >= 2) {
		assert_int_equal(p->ip_version, 4);
		assert_addr(last(cell(lr, L_IP_SRC), buf, sizeof(buf)), AF_INET, p->src);
		assert_addr(last(cell(lr, L_IP_DST), buf, sizeof(buf)), AF_INET, p->dst);
		assert_int_equal(p->proto, atoi(last(cell(lr, L_IP_PROTO), buf, sizeof(buf))));
		assert_int_equal(p->l3_off, 14 + 4 * ntag);
		if (p->proto == 1)
			assert_int_equal(p->payload_off, p->l3_off + 28);
	} else {
		/* CDP over LLC: not IP. */
		assert_int_equal(p->ip_version, 0);
		assert_int_equal(p->l3_off, NONE);
	}
	free(p);
}

static void test_truth(void **state)
{
	struct truth t = { .name = *state };
	int n;

	table_load(&t.erspan, t.name, "erspan");
	table_load(&t.l34, t.name, "l34");
	assert_true(t.erspan.n > 1);
	n = for_each_packet(t.name, compare_truth, &t);
	assert_int_equal(n, t.erspan.n - 1);
	assert_int_equal(n, t.decapsulated + t.kept);
	/* Which captures unwrap, and which are kept as they came. */
	if (!strcmp(t.name, "erspan3-ft7") || !strcmp(t.name, "erspan3-malformed"))
		assert_int_equal(t.decapsulated, 0);
	else
		assert_int_equal(t.kept, 0);
	table_free(&t.erspan);
	table_free(&t.l34);
}

/* ---- by hand ---- */

struct pick {
	int num;
	struct sv_pkt *p;
	int linktype;
};

static void pick_packet(const struct pcap_pkthdr *h, const uint8_t *bytes, int linktype,
			int num, void *arg)
{
	struct pick *k = arg;

	if (num != k->num)
		return;
	k->p = pkt_new(bytes, h->caplen, h->len);
	k->linktype = linktype;
	sv_packet_decode(k->p, linktype);
}

/* Packet `num` of a capture, decoded (outer only); the caller frees it. */
static struct sv_pkt *decode_one(const char *name, int num)
{
	struct pick k = { .num = num };

	for_each_packet(name, pick_packet, &k);
	assert_non_null(k.p);
	return k.p;
}

/* Type II, session 100, VLAN 23, GRE sequence 1796; ICMP 23.0.0.2 > 23.0.0.3 inside. */
static void test_type2_by_hand(void **state)
{
	static const uint8_t outer[4] = { 2, 2, 2, 2 }, src[4] = { 23, 0, 0, 2 },
			     dst[4] = { 23, 0, 0, 3 };
	struct sv_pkt *p = decode_one("erspan2", 3);
	struct sv_erspan e;

	assert_int_equal(sv_erspan_decode(p, &e), SV_ERSPAN_OK);
	assert_int_equal(e.type, 2);
	assert_int_equal(e.gre.flags, SV_GRE_S);
	assert_int_equal(e.gre.seq, 1796);
	assert_int_equal(e.version, 1);
	assert_int_equal(e.vlan, 23);
	assert_int_equal(e.span_id, 100);
	assert_int_equal(e.en, 1);   /* 0x0864: COS 0, En 01, T 0, session 0x064 */
	assert_false(e.t);
	assert_int_equal(e.index, 0);
	/* Ethernet 14 + IPv4 20 + GRE 4 + sequence 4 + ERSPAN II 8 */
	assert_int_equal(e.inner_off, 50);

	assert_int_equal(sv_erspan_decap(p), SV_ERSPAN_OK);
	assert_int_equal(p->flags, SV_PKT_ERSPAN);
	assert_int_equal(p->wire_len, 164 - 50);
	assert_int_equal(p->cap_len, 164 - 50);
	assert_int_equal(p->ethertype, 0x0800);
	assert_int_equal(p->l3_off, 14);
	assert_int_equal(p->ip_version, 4);
	assert_memory_equal(p->src, src, 4);
	assert_memory_equal(p->dst, dst, 4);
	assert_int_equal(p->proto, 1);
	assert_int_equal(p->l4_off, 34);
	assert_int_equal(p->icmp_type, 8);
	assert_int_equal(p->span_id, 100);
	assert_int_equal(p->span_ip_version, 4);
	assert_memory_equal(p->span_src, outer, 4);
	for (int i = 4; i < 16; i++)
		assert_int_equal(p->span_src[i], 0);
	free(p);
}

/* Type III with the 8-byte sub-header (O), no GRE sequence; 802.1Q 10 inside. */
static void test_type3_subheader_by_hand(void **state)
{
	struct sv_pkt *p = decode_one("erspan3-subhdr", 1);
	struct sv_erspan e;

	assert_int_equal(sv_erspan_decode(p, &e), SV_ERSPAN_OK);
	assert_int_equal(e.type, 3);
	assert_int_equal(e.gre.flags, 0);
	assert_int_equal(e.version, 2);
	assert_int_equal(e.vlan, 10);
	assert_int_equal(e.span_id, 0);
	assert_int_equal(e.timestamp, 0x70507e55);
	assert_int_equal(e.sgt, 0);
	/* 0x0007: P 0, FT 0, HW id 0, D 0, Gra 11, O 1 */
	assert_false(e.p);
	assert_int_equal(e.ft, 0);
	assert_int_equal(e.hw_id, 0);
	assert_false(e.d);
	assert_int_equal(e.gra, 3);
	assert_true(e.o);
	/* Ethernet 14 + IPv4 20 + GRE 4 + ERSPAN III 12 + sub-header 8 */
	assert_int_equal(e.inner_off, 58);

	assert_int_equal(sv_erspan_decap(p), SV_ERSPAN_OK);
	assert_int_equal(p->flags, SV_PKT_ERSPAN);
	assert_int_equal(p->nvlan, 1);
	assert_int_equal(p->vlan[0], 10);
	assert_int_equal(p->l3_off, 18);
	assert_int_equal(p->wire_len, 160 - 58);
	free(p);
}

/* Type I: GRE 0x88BE, no sequence, the frame right after the 4-byte GRE header. */
static void test_type1_by_hand(void **state)
{
	struct sv_pkt *p = decode_one("erspan1", 1);
	struct sv_erspan e;

	assert_int_equal(sv_erspan_decode(p, &e), SV_ERSPAN_OK);
	assert_int_equal(e.type, 1);
	assert_int_equal(e.inner_off, 38);
	assert_int_equal(sv_erspan_decap(p), SV_ERSPAN_OK);
	assert_int_equal(p->flags, SV_PKT_ERSPAN);
	assert_int_equal(p->span_id, 0);
	assert_int_equal(p->vlan[0], 101);
	assert_int_equal(p->cap_len, 140 - 38);
	free(p);
}

/* Frame type 7: the payload is not Ethernet and must not be read as such. */
static void test_ft7_kept(void **state)
{
	struct sv_pkt *p = decode_one("erspan3-ft7", 1);
	struct sv_erspan e;

	assert_int_equal(sv_erspan_decode(p, &e), SV_ERSPAN_NOT_ETHER);
	assert_int_equal(e.type, 3);
	assert_int_equal(e.ft, 7);
	assert_int_equal(e.span_id, 101);
	assert_int_equal(sv_erspan_decap(p), SV_ERSPAN_NOT_ETHER);
	assert_int_equal(p->flags, 0);
	assert_int_equal(p->cap_len, 126);
	assert_int_equal(p->ip_version, 4);
	assert_int_equal(p->proto, 47);
	assert_int_equal(p->l4_off, 34);
	free(p);
}

/* Raw IPv6 + destination options + GRE + ERSPAN III, cut inside the sub-header. */
static void test_malformed_capture(void **state)
{
	struct sv_pkt *p = decode_one("erspan3-malformed", 1);
	struct sv_erspan e;

	assert_int_equal(p->flags, SV_PKT_IPOPTS);
	assert_int_equal(p->l4_off, 56); /* IPv6 40 + destination options 16 */
	assert_int_equal(sv_erspan_decode(p, &e), SV_ERSPAN_TRUNCATED);
	assert_int_equal(e.gre.seq, 4280811777u);
	assert_int_equal(e.vlan, 3373);
	assert_true(e.o);
	assert_int_equal(sv_erspan_decap(p), SV_ERSPAN_TRUNCATED);
	assert_int_equal(p->flags, SV_PKT_IPOPTS | SV_PKT_TRUNCATED);
	assert_int_equal(p->cap_len, 79);
	assert_int_equal(p->ip_version, 6);
	free(p);

	/* The same bytes as a whole packet: the IPv6 length lies about them. */
	p = decode_one("erspan3-malformed", 1);
	p->wire_len = p->cap_len;
	sv_packet_decode(p, SV_LINK_RAW);
	assert_int_equal(sv_erspan_decap(p), SV_ERSPAN_MALFORMED);
	assert_true(p->flags & SV_PKT_MALFORMED);
	assert_false(p->flags & (SV_PKT_ERSPAN | SV_PKT_TRUNCATED));
	free(p);
}

/* One or two bytes of a good packet edited: what lies is malformed, never unwrapped. */
struct edit {
	const char *what;
	const char *capture;
	size_t off[2];
	uint8_t val[2];
	enum sv_erspan_result want;
};

static const struct edit edits[] = {
	/* erspan2 frame 3: Ethernet, IPv4 at 14 (total length at 16), GRE at 34,
	 * sequence at 38, ERSPAN II at 42, the frame at 50. */
	{ "GRE routing present", "erspan2", { 34 }, { 0x50 }, SV_ERSPAN_MALFORMED },
	{ "GRE version 1", "erspan2", { 35 }, { 0x01 }, SV_ERSPAN_MALFORMED },
	{ "GRE protocol 0x88BF", "erspan2", { 37 }, { 0xBF }, SV_ERSPAN_NONE },
	{ "GRE without sequence: type I", "erspan2", { 34 }, { 0x00 }, SV_ERSPAN_OK },
	{ "ERSPAN II version 2", "erspan2", { 42 }, { 0x20 }, SV_ERSPAN_MALFORMED },
	{ "outer length past the frame", "erspan2", { 16 }, { 0x01 }, SV_ERSPAN_MALFORMED },
	{ "outer length ends in ERSPAN", "erspan2", { 16, 17 }, { 0x00, 20 + 12 }, SV_ERSPAN_MALFORMED },
	{ "outer length ends in the frame's Ethernet header", "erspan2", { 16, 17 },
	  { 0x00, 20 + 16 + 13 }, SV_ERSPAN_MALFORMED },
	{ "outer length leaves just an Ethernet header", "erspan2", { 16, 17 },
	  { 0x00, 20 + 16 + 14 }, SV_ERSPAN_OK },
	/* erspan3 frame 1: GRE at 34 with a sequence, ERSPAN III at 42, FT in byte 52. */
	{ "ERSPAN III frame type 2 (IP)", "erspan3", { 52 }, { 0x88 }, SV_ERSPAN_NOT_ETHER },
	{ "ERSPAN III version 1", "erspan3", { 42 }, { 0x10 }, SV_ERSPAN_MALFORMED },
	{ "ERSPAN III sub-header (O) past the end", "erspan3", { 53, 17 }, { 0x31, 20 + 8 + 12 + 14 },
	  SV_ERSPAN_MALFORMED },
};
#define NEDITS (sizeof(edits) / sizeof(edits[0]))

static void test_edit(void **state)
{
	const struct edit *ed = *state;
	struct sv_pkt *orig = decode_one(ed->capture, ed->capture[6] == '3' ? 1 : 3);
	struct sv_pkt *p = pkt_new(orig->data, orig->cap_len, orig->wire_len);
	enum sv_erspan_result r;
	uint16_t before;

	free(orig);
	for (int i = 0; i < 2; i++)
		if (ed->off[i])
			p->data[ed->off[i]] = ed->val[i];
	sv_packet_decode(p, SV_LINK_ETHERNET);
	before = p->flags;
	r = sv_erspan_decap(p);
	assert_int_equal(r, ed->want);
	assert_int_equal(!!(p->flags & SV_PKT_ERSPAN), r == SV_ERSPAN_OK);
	if (r == SV_ERSPAN_MALFORMED)
		assert_int_equal(p->flags, before | SV_PKT_MALFORMED);
	if (r == SV_ERSPAN_NOT_ETHER || r == SV_ERSPAN_NONE)
		assert_int_equal(p->flags, before);
	if (r == SV_ERSPAN_OK && ed->off[0] == 16)
		assert_int_equal(p->cap_len, 14);
	free(p);
}

/* The outer IP packet ends before the Ethernet padding: the padding is not the frame's. */
static void test_padding_not_counted(void **state)
{
	struct sv_pkt *p = decode_one("erspan1", 1);
	uint8_t bytes[140 + 20];

	memcpy(bytes, p->data, 140);
	memset(bytes + 140, 0xEE, 20);
	free(p);
	p = pkt_new(bytes, sizeof(bytes), sizeof(bytes));
	sv_packet_decode(p, SV_LINK_ETHERNET);
	assert_int_equal(sv_erspan_decap(p), SV_ERSPAN_OK);
	assert_int_equal(p->wire_len, 140 - 38);
	assert_int_equal(p->cap_len, 140 - 38);
	assert_int_equal(p->flags, SV_PKT_ERSPAN);
	free(p);
}

/* ---- cut at every length ---- */

struct cut_stats {
	int decodes, unwrapped;
};

static void check_invariants(const struct sv_pkt *p)
{
	if (p->l3_off != NONE)
		assert_true(p->l3_off < p->cap_len);
	if (p->l4_off != NONE)
		assert_true(p->l4_off > p->l3_off && p->l4_off < p->cap_len);
	if (p->payload_off != NONE)
		assert_true(p->payload_off <= p->cap_len &&
			    p->payload_len <= p->cap_len - p->payload_off);
	if (!(p->flags & SV_PKT_ERSPAN)) {
		uint8_t zero[16] = { 0 };

		assert_int_equal(p->span_id, 0);
		assert_int_equal(p->span_ip_version, 0);
		assert_memory_equal(p->span_src, zero, 16);
	}
}

static void cut_packet(const struct pcap_pkthdr *h, const uint8_t *bytes, int linktype,
		       int num, void *arg)
{
	struct cut_stats *st = arg;
	struct sv_pkt *full = pkt_new(bytes, h->caplen, h->len);
	struct sv_erspan ef;
	enum sv_erspan_result rf;
	bool lost = false;

	sv_packet_decode(full, linktype);
	rf = sv_erspan_decode(full, &ef);
	sv_erspan_decap(full);
	check_invariants(full);

	for (uint32_t n = h->caplen + 1; n-- > 0;) {
		struct sv_pkt *p = pkt_new(bytes, n, h->len);
		struct sv_erspan e;
		enum sv_erspan_result r;
		uint16_t before;

		sv_packet_decode(p, linktype);
		before = p->flags;
		r = sv_erspan_decode(p, &e);
		assert_int_equal(sv_erspan_decap(p), r);
		st->decodes++;
		check_invariants(p);

		/* Losing bytes at the end can hide a lie or the whole tunnel, never invent one. */
		assert_true(r == rf || r == SV_ERSPAN_NONE || r == SV_ERSPAN_TRUNCATED);

		if (r == SV_ERSPAN_OK) {
			/* Unwrapped exactly while the headers and an Ethernet header are in. */
			assert_false(lost);
			assert_true(n >= ef.inner_off + 14u);
			st->unwrapped++;
			assert_true(p->flags & SV_PKT_ERSPAN);
			assert_int_equal(p->flags & ~full->flags & ~SV_PKT_TRUNCATED, 0);
			assert_int_equal(p->span_id, full->span_id);
			assert_memory_equal(p->span_src, full->span_src, 16);
			assert_int_equal(p->wire_len, full->wire_len);
			assert_int_equal(p->cap_len, n - ef.inner_off < full->cap_len
							     ? n - ef.inner_off : full->cap_len);
			assert_memory_equal(p->data, full->data, p->cap_len);
			/* Short of a cut header, the frame decodes as in full. */
			if (!(p->flags & SV_PKT_TRUNCATED)) {
				assert_int_equal(p->l3_off, full->l3_off);
				assert_int_equal(p->l4_off, full->l4_off);
				assert_int_equal(p->payload_off, full->payload_off);
				assert_int_equal(p->sport, full->sport);
				assert_memory_equal(p->src, full->src, 16);
			}
		} else {
			if (rf == SV_ERSPAN_OK)
				assert_true(n < ef.inner_off + 14u);
			lost = true;
			/* Kept as it came: the snap, its lengths, its decode. */
			assert_int_equal(p->cap_len, n);
			assert_int_equal(p->wire_len, h->len);
			assert_memory_equal(p->data, bytes, n);
			assert_int_equal(p->flags, before | (r == SV_ERSPAN_TRUNCATED ? SV_PKT_TRUNCATED
							     : r == SV_ERSPAN_MALFORMED ? SV_PKT_MALFORMED : 0));
		}
		free(p);
	}
	free(full);
}

static void test_cut_every_length(void **state)
{
	struct cut_stats st = { 0 };

	for (size_t i = 0; i < NERSPAN; i++)
		for_each_packet(erspan_captures[i], cut_packet, &st);
	assert_true(st.unwrapped > 1000);
	print_message("%d cuts, %d unwrapped\n", st.decodes, st.unwrapped);
}

/* Nothing else in tests/data is ERSPAN: every other packet is left alone. */
static void untouched(const struct pcap_pkthdr *h, const uint8_t *bytes, int linktype, int num,
		      void *arg)
{
	uint32_t step = h->caplen > 300 ? 7 : 1;

	for (uint32_t n = 0; n <= h->caplen; n += step) {
		struct sv_pkt *p = pkt_new(bytes, n, h->len);
		uint16_t flags = sv_packet_decode(p, linktype);

		assert_int_equal(sv_erspan_decap(p), SV_ERSPAN_NONE);
		assert_int_equal(p->flags, flags);
		assert_int_equal(p->cap_len, n);
		assert_memory_equal(p->data, bytes, n);
		(*(int *)arg)++;
		free(p);
	}
}

static void test_others_untouched(void **state)
{
	glob_t g;
	int n = 0;

	assert_int_equal(glob(DATA_DIR "*.pcap", 0, NULL, &g), 0);
	for (size_t i = 0; i < g.gl_pathc; i++)
		if (!strstr(g.gl_pathv[i], "/erspan"))
			for_each_packet(g.gl_pathv[i], untouched, &n);
	assert_true(g.gl_pathc >= 40);
	globfree(&g);
	assert_true(n > 10000);
}

/* ---- through the snapper, with the counters status shows ---- */

struct feed {
	struct sv_ring *ring;
	struct sv_snapper *sn;
	int flagged;
};

static void feed_packet(const struct pcap_pkthdr *h, const uint8_t *bytes, int linktype,
			int num, void *arg)
{
	struct feed *f = arg;
	struct sv_pkt *p;

	assert_int_equal(sv_ring_reserve(f->ring, 1, 0), 1);
	p = sv_ring_write_slot(f->ring, 0);
	sv_snapper_put(f->sn, 0, h, bytes);
	if (p->flags & SV_PKT_ERSPAN)
		f->flagged++;
	sv_ring_publish(f->ring, 1);
}

static void snap_capture(const char *name, unsigned snaplen, bool erspan,
			 struct sv_snap_stats *st, int *flagged)
{
	char path[256], err[PCAP_ERRBUF_SIZE];
	struct feed f = { 0 };
	pcap_t *pc;

	snprintf(path, sizeof(path), DATA_DIR "%s.pcap", name);
	pc = pcap_open_offline(path, err);
	assert_non_null(pc);
	f.ring = sv_ring_create(64, (uint32_t)sizeof(struct sv_pkt) + snaplen, SV_RING_KIND_PKT, 0);
	assert_non_null(f.ring);
	f.sn = sv_snapper_new(f.ring, snaplen, pcap_datalink(pc), erspan);
	assert_non_null(f.sn);
	pcap_close(pc);
	for_each_packet(name, feed_packet, &f);
	sv_snapper_stats(f.sn, st);
	*flagged = f.flagged;
	sv_snapper_free(f.sn);
	sv_ring_destroy(f.ring);
}

static void test_snapper_counts(void **state)
{
	struct sv_snap_stats st;
	int flagged;

	snap_capture("erspan2", 150, true, &st, &flagged);
	assert_int_equal(st.received, 6);
	assert_int_equal(st.erspan, 6);
	assert_int_equal(st.erspan_kept, 0);
	assert_int_equal(flagged, 6);
	/* 150-byte snaps: 50 outer bytes leave 100 of each CDP frame, cut in its data. */
	assert_int_equal(st.truncated, 0);

	snap_capture("erspan3-ft7", 150, true, &st, &flagged);
	assert_int_equal(st.received, 58);
	assert_int_equal(st.erspan, 0);
	assert_int_equal(st.erspan_kept, 58);
	assert_int_equal(st.truncated + st.malformed, 0);
	assert_int_equal(flagged, 0);

	snap_capture("erspan3-malformed", 150, true, &st, &flagged);
	assert_int_equal(st.erspan_kept, 1);
	assert_int_equal(st.truncated, 1);

	/* 70-byte snaps: the headers (50), then 20 bytes, cutting the ICMP frames' IP header. */
	snap_capture("erspan2", 70, true, &st, &flagged);
	assert_int_equal(st.erspan, 6);
	assert_int_equal(st.truncated, 4);
	assert_int_equal(flagged, 6);

	/* 60-byte snaps: no room for the frame's Ethernet header; kept, counted truncated. */
	snap_capture("erspan2", 60, true, &st, &flagged);
	assert_int_equal(st.erspan, 0);
	assert_int_equal(st.erspan_kept, 6);
	assert_int_equal(st.truncated, 6);
	assert_int_equal(flagged, 0);

	/* --no-erspan: nothing unwrapped, nothing counted. */
	snap_capture("erspan2", 150, false, &st, &flagged);
	assert_int_equal(st.received, 6);
	assert_int_equal(st.erspan + st.erspan_kept, 0);
	assert_int_equal(flagged, 0);
}

static const struct CMUnitTest by_hand[] = {
	cmocka_unit_test(test_type2_by_hand),
	cmocka_unit_test(test_type3_subheader_by_hand),
	cmocka_unit_test(test_type1_by_hand),
	cmocka_unit_test(test_ft7_kept),
	cmocka_unit_test(test_malformed_capture),
	cmocka_unit_test(test_padding_not_counted),
	cmocka_unit_test(test_cut_every_length),
	cmocka_unit_test(test_others_untouched),
	cmocka_unit_test(test_snapper_counts),
};
#define NBY_HAND (sizeof(by_hand) / sizeof(by_hand[0]))

int main(void)
{
	/* One case per capture and per edited packet, named after it. */
	struct CMUnitTest tests[NERSPAN + NEDITS + NBY_HAND];
	size_t n = 0;

	for (size_t i = 0; i < NERSPAN; i++)
		tests[n++] = (struct CMUnitTest){ .name = erspan_captures[i], .test_func = test_truth,
						  .initial_state = (void *)erspan_captures[i] };
	for (size_t i = 0; i < NEDITS; i++)
		tests[n++] = (struct CMUnitTest){ .name = edits[i].what, .test_func = test_edit,
						  .initial_state = (void *)&edits[i] };
	for (size_t i = 0; i < NBY_HAND; i++)
		tests[n++] = by_hand[i];
	return cmocka_run_group_tests_name("erspan", tests, NULL, NULL);
}
