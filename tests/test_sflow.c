/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_sflow.c - the sFlow v5 decoder against tshark, cut short, and fed
 * lies; the sequence tracker.
 *
 * Every datagram of the sFlow captures is decoded and compared with
 * tshark's NAME.sflow.tsv (header) and NAME.sflow_samples.tsv (flow
 * samples; tests/data/README.md); counter samples are counted against the
 * headers' sample counts. The sampled packet headers are decoded with
 * sv_packet_decode and compared with what tshark shows of them when told
 * to dissect them. Then every datagram is decoded cut at every length
 * from a heap block of exactly that size (so AddressSanitizer sees any
 * read past it), once as a cut copy and once claiming to be whole: each
 * cut must be counted exactly once, as truncated or as malformed, and
 * what it still yields must agree with the whole datagram. Crafted
 * datagrams cover every record decoded, the interface formats, and
 * lengths and counts that lie.
 *
 * The UDP payload is found with sv_packet_decode, which bounds it by the
 * UDP length as tshark does (sflow-malformed says 8 bytes of sFlow).
 */
#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode/packet.h"
#include "decode/sflow.h"
#include "decode/sflow_seq.h"

#include "testutil.h"

#define MAX_DGRAMS 64
#define MAX_SAMPLES 16

static const char *const captures[] = {
	"sflow-expanded", "sflow-flow", "sflow-ipv6", "sflow-counters", "sflow-malformed",
};
#define NCAPTURES (sizeof(captures) / sizeof(captures[0]))

/* ------------------------------------------------------------------ */
/* Truth files                                                          */

static unsigned long num(const struct row *r, int col)
{
	return strtoul(cell(r, col), NULL, 10);
}

/* NAME.sflow.tsv columns */
enum { D_FRAME, D_AGENT4, D_AGENT6, D_SEQ, D_NSAMPLES, D_VERSION, D_SUBAGENT, D_UPTIME };
/* NAME.sflow_samples.tsv columns */
enum { S_FRAME, S_INDEX, S_TYPE, S_SEQ, S_RATE, S_POOL, S_DROPS, S_IN, S_OUT, S_OUTFMT };

/* ------------------------------------------------------------------ */
/* The datagrams of a capture                                           */

struct dgram {
	unsigned frame;
	uint8_t *buf;      /* exactly len bytes */
	size_t len;        /* UDP payload bytes present */
	size_t wire_len;   /* the UDP length less 8 */
};

struct capture {
	struct dgram d[MAX_DGRAMS];
	unsigned n;
};

static void capture_load(struct capture *c, const char *name)
{
	struct pcap_pkthdr *h;
	const u_char *bytes;
	pcap_t *pc = open_pcap(name);
	unsigned frame = 0;

	memset(c, 0, sizeof(*c));
	while (pcap_next_ex(pc, &h, &bytes) == 1) {
		struct sv_pkt *p = pkt_new(bytes, h->caplen, h->caplen);
		struct dgram *d;

		frame++;
		sv_packet_decode(p, pcap_datalink(pc));
		assert_int_equal(p->proto, 17);
		assert_int_equal(p->dport, SV_SFLOW_PORT);
		assert_int_not_equal(p->payload_off, SV_OFF_NONE);
		assert_true(c->n < MAX_DGRAMS);
		d = &c->d[c->n++];
		d->frame = frame;
		d->len = p->payload_len;
		d->wire_len = (size_t)(p->data[p->l4_off + 4] << 8 | p->data[p->l4_off + 5]) - 8;
		d->buf = malloc(d->len ? d->len : 1);
		assert_non_null(d->buf);
		memcpy(d->buf, p->data + p->payload_off, d->len);
		free(p);
	}
	pcap_close(pc);
	assert_true(c->n > 0);
}

static void capture_free(struct capture *c)
{
	for (unsigned i = 0; i < c->n; i++)
		free(c->d[i].buf);
}

/* A whole decode: the header, its return, and every sample in order. */
struct decoded {
	int open_ret;
	int end_ret;       /* what sv_sflow_next returned last */
	struct sv_sflow_datagram d;
	struct sv_sflow_sample s[MAX_SAMPLES];
	unsigned n;
	size_t left;       /* bytes the walk did not reach */
};

static void decode(const uint8_t *buf, size_t len, size_t wire_len, struct decoded *r,
		   struct sv_sflow_stats *st)
{
	struct sv_sflow_iter it;
	struct sv_sflow_sample s;

	memset(r, 0, sizeof(*r));
	r->open_ret = sv_sflow_open(&it, buf, len, wire_len, &r->d, st);
	while ((r->end_ret = sv_sflow_next(&it, &s)) > 0) {
		assert_int_equal(r->end_ret, 1);
		assert_true(r->n < MAX_SAMPLES);
		r->s[r->n++] = s;
	}
	r->left = sv_cur_left(&it.c);
}

/* ------------------------------------------------------------------ */
/* Against tshark                                                       */

static void assert_agent(const struct sv_sflow_datagram *d, const struct row *r, unsigned frame)
{
	char text[INET6_ADDRSTRLEN];

	if (*cell(r, D_AGENT4)) {
		assert_int_equal(d->agent_af, 4);
		inet_ntop(AF_INET, d->agent, text, sizeof(text));
		if (strcmp(text, cell(r, D_AGENT4)))
			fail_msg("frame %u: agent %s, tshark %s", frame, text, cell(r, D_AGENT4));
	} else {
		assert_int_equal(d->agent_af, 6);
		inet_ntop(AF_INET6, d->agent, text, sizeof(text));
		if (strcmp(text, cell(r, D_AGENT6)))
			fail_msg("frame %u: agent %s, tshark %s", frame, text, cell(r, D_AGENT6));
	}
}

static void test_truth(void **state)
{
	const char *name = *state;
	struct table dt, stt;
	struct capture c;
	struct sv_sflow_stats st = { 0 };
	unsigned long announced = 0, counters = 0;
	int flow_rows = 0;

	table_load(&dt, name, "sflow");
	table_load(&stt, name, "sflow_samples");
	assert_true(dt.n > 1);
	capture_load(&c, name);

	for (unsigned i = 0; i < c.n; i++) {
		const struct dgram *g = &c.d[i];
		const struct row *r = row_of(&dt, g->frame);
		struct decoded x;

		decode(g->buf, g->len, g->wire_len, &x, &st);
		if (!r) {
			/* tshark saw no sFlow here: NetFlow v5 sent to port 6343 */
			assert_int_equal(x.open_ret, -EPROTONOSUPPORT);
			continue;
		}
		assert_int_equal(x.d.version, num(r, D_VERSION));
		if (!*cell(r, D_SEQ)) {
			/* sflow-malformed: 8 bytes of sFlow, no header */
			assert_int_equal(x.open_ret, -EINVAL);
			assert_int_equal(x.n, 0);
			continue;
		}
		assert_int_equal(x.open_ret, 0);
		assert_int_equal(x.end_ret, 0);
		assert_int_equal(x.d.flags, 0);
		assert_int_equal(x.left, 0);
		assert_agent(&x.d, r, g->frame);
		assert_int_equal(x.d.seq, num(r, D_SEQ));
		assert_int_equal(x.d.sub_agent_id, num(r, D_SUBAGENT));
		assert_int_equal(x.d.uptime_ms, num(r, D_UPTIME));
		assert_int_equal(x.d.n_samples, num(r, D_NSAMPLES));
		/* no sample type here is skipped, so positions are tshark's */
		assert_int_equal(x.n, x.d.n_samples);
		announced += x.d.n_samples;

		for (unsigned k = 0; k < x.n; k++) {
			const struct sv_sflow_sample *s = &x.s[k];
			const struct row *sr = NULL;

			assert_int_equal(s->flags, 0);
			if (s->type == SV_SFLOW_COUNTER || s->type == SV_SFLOW_COUNTER_EXPANDED) {
				counters++;
				continue;
			}
			for (int j = 1; j < stt.n; j++)
				if (num(&stt.rows[j], S_FRAME) == g->frame &&
				    num(&stt.rows[j], S_INDEX) == k + 1)
					sr = &stt.rows[j];
			if (!sr)
				fail_msg("frame %u sample %u: flow sample tshark does not list",
					 g->frame, k + 1);
			flow_rows++;
			assert_int_equal(s->type, num(sr, S_TYPE));
			assert_int_equal(s->seq, num(sr, S_SEQ));
			assert_int_equal(s->sampling_rate, num(sr, S_RATE));
			assert_int_equal(s->sample_pool, num(sr, S_POOL));
			assert_int_equal(s->drops, num(sr, S_DROPS));
			assert_int_equal(s->input.value, num(sr, S_IN));
			assert_int_equal(s->output.value, num(sr, S_OUT));
			assert_int_equal(s->output.format, num(sr, S_OUTFMT));
			assert_true(s->records & SV_SFLOW_R_HEADER);
		}
	}
	/* every row was met, and every sample is a flow or a counter sample */
	assert_int_equal(flow_rows, stt.n ? stt.n - 1 : 0);
	assert_int_equal(flow_rows + counters, announced);
	assert_int_equal(st.flow_samples, flow_rows);
	assert_int_equal(st.counter_samples, counters);
	assert_int_equal(st.skipped_samples, 0);
	assert_int_equal(st.truncated, 0);
	assert_int_equal(st.malformed, strcmp(name, "sflow-malformed") ? 0 : 1);
	assert_int_equal(st.datagrams + st.malformed + st.bad_version, c.n);

	capture_free(&c);
	table_free(&dt);
	table_free(&stt);
}

/* Counter values by hand (tshark -V), first sample of sflow-counters. */
static void test_counter_records(void **state)
{
	struct capture c;
	struct sv_sflow_stats st = { 0 };
	struct decoded x;
	const struct sv_sflow_sample *s;

	capture_load(&c, "sflow-counters");
	decode(c.d[0].buf, c.d[0].len, c.d[0].wire_len, &x, &st);
	s = &x.s[0];
	assert_int_equal(s->type, SV_SFLOW_COUNTER_EXPANDED);
	assert_int_equal(s->seq, 87096);
	assert_int_equal(s->source_type, 0);
	assert_int_equal(s->source_index, 55);
	assert_int_equal(s->records, SV_SFLOW_R_IF | SV_SFLOW_R_ETH_IF);
	assert_int_equal(s->ifc.if_index, 55);
	assert_int_equal(s->ifc.if_type, 117);
	assert_int_equal(s->ifc.if_speed, 1000000000);
	assert_int_equal(s->ifc.direction, 1);
	assert_int_equal(s->ifc.status, 3);
	assert_int_equal(s->ifc.in_octets, 820721);
	assert_int_equal(s->ifc.in_ucast, 9601);
	assert_int_equal(s->ifc.in_mcast, 0);
	assert_int_equal(s->ifc.in_bcast, 1302);
	assert_int_equal(s->ifc.out_octets, 178785248);
	assert_int_equal(s->ifc.out_ucast, 9736);
	assert_int_equal(s->ifc.out_mcast, 132958);
	assert_int_equal(s->ifc.out_bcast, 2213534);
	assert_int_equal(s->ifc.out_errors, 0);
	assert_int_equal(s->ifc.promisc, 2);
	assert_int_equal(s->ethc.alignment_errors, 0);
	assert_int_equal(s->ethc.symbol_errors, 0);
	capture_free(&c);
}

/*
 * The sampled packet headers, decoded as snaps. tshark shows them with
 *   tshark -n -r CAPTURE -o sflow.enable_dissection:TRUE -T fields
 *     -e frame.number -e sflow.flow_sample.sequence_number -e ip.src ...
 * (the inner values are the last of each field's occurrences).
 */
static const struct inner {
	const char *capture;
	unsigned frame, sample_seq;
	uint32_t header_protocol, frame_length, stripped, header_len;
	uint16_t vlan;
	uint8_t ip_version, proto;
	const char *src, *dst;
	uint16_t sport, dport;
	uint8_t icmp_type;
} inner[] = {
	{ "sflow-expanded", 1, 2170480284u, 1, 126, 4, 122, 809, 4, 6,
	  "52.52.52.52", "53.53.53.53", 22, 52237, 0 },
	{ "sflow-flow", 4, 6, 1, 82, 4, 78, 32, 4, 1,
	  "172.21.32.254", "172.21.32.241", 0, 0, 8 },
	{ "sflow-ipv6", 4, 3, 1, 64, 4, 60, 0, 4, 63, "10.10.10.2", "50.1.1.2", 0, 0, 0 },
	{ "sflow-ipv6", 21, 15, 1, 64, 4, 60, 0, 4, 63, "10.10.10.2", "50.1.1.2", 0, 0, 0 },
};

static void test_inner(void **state)
{
	const struct inner *w = *state;
	struct capture c;
	struct sv_sflow_stats st = { 0 };
	struct decoded x = { 0 };
	const struct sv_sflow_sample *s = NULL;
	struct sv_pkt *p;
	uint8_t a[16] = { 0 };
	bool found = false;

	capture_load(&c, w->capture);
	for (unsigned i = 0; i < c.n; i++)
		if (c.d[i].frame == w->frame) {
			decode(c.d[i].buf, c.d[i].len, c.d[i].wire_len, &x, &st);
			found = true;
		}
	if (!found)
		fail_msg("%s: no frame %u", w->capture, w->frame);
	assert_int_equal(x.open_ret, 0);
	for (unsigned k = 0; k < x.n; k++)
		if ((x.s[k].type == SV_SFLOW_FLOW || x.s[k].type == SV_SFLOW_FLOW_EXPANDED) &&
		    x.s[k].seq == w->sample_seq)
			s = &x.s[k];
	assert_non_null(s);
	assert_true(s->records & SV_SFLOW_R_HEADER);
	assert_int_equal(s->hdr.protocol, w->header_protocol);
	assert_int_equal(s->hdr.frame_length, w->frame_length);
	assert_int_equal(s->hdr.stripped, w->stripped);
	assert_int_equal(s->hdr.len, w->header_len);

	p = pkt_new(s->hdr.data, s->hdr.len, s->hdr.len);
	sv_packet_decode(p, SV_LINK_ETHERNET);
	assert_int_equal(p->nvlan, w->vlan ? 1 : 0);
	assert_int_equal(p->vlan[0], w->vlan);
	assert_int_equal(p->ip_version, w->ip_version);
	assert_int_equal(p->proto, w->proto);
	assert_int_equal(inet_pton(AF_INET, w->src, a), 1);
	assert_memory_equal(p->src, a, 16);
	assert_int_equal(inet_pton(AF_INET, w->dst, a), 1);
	assert_memory_equal(p->dst, a, 16);
	assert_int_equal(p->sport, w->sport);
	assert_int_equal(p->dport, w->dport);
	if (w->proto == 1)
		assert_int_equal(p->icmp_type, w->icmp_type);
	free(p);
	capture_free(&c);
}

/* ------------------------------------------------------------------ */
/* Cut at every length                                                  */

/* What a cut decode still reports must be what the whole one reports. */
static void assert_prefix(const struct decoded *w, const struct decoded *x, size_t cut)
{
	if (x->open_ret != 0)
		return;
	assert_memory_equal(&x->d.agent, &w->d.agent, sizeof(w->d.agent));
	assert_int_equal(x->d.seq, w->d.seq);
	assert_int_equal(x->d.n_samples, w->d.n_samples);
	assert_true(x->n <= w->n);
	for (unsigned k = 0; k < x->n; k++) {
		const struct sv_sflow_sample *a = &w->s[k], *b = &x->s[k];

		if (b->type != a->type || b->seq != a->seq || b->source_index != a->source_index ||
		    b->sampling_rate != a->sampling_rate || b->input.value != a->input.value ||
		    b->output.value != a->output.value || b->n_records != a->n_records)
			fail_msg("cut at %zu: sample %u differs", cut, k);
		/* only the last sample may be short, and then only of records */
		if (b->flags) {
			assert_int_equal(k, x->n - 1);
			assert_int_equal(b->records & ~a->records, 0);
		} else {
			assert_int_equal(b->records, a->records);
			assert_int_equal(b->n_skipped, a->n_skipped);
		}
		if (b->records & SV_SFLOW_R_HEADER) {
			assert_int_equal(b->hdr.len, a->hdr.len);
			assert_memory_equal(b->hdr.data, a->hdr.data, a->hdr.len);
		}
		if (b->records & SV_SFLOW_R_IF)
			assert_memory_equal(&b->ifc, &a->ifc, sizeof(a->ifc));
	}
}

static void test_cut_everywhere(void **state)
{
	for (size_t ci = 0; ci < NCAPTURES; ci++) {
		struct capture c;

		capture_load(&c, captures[ci]);
		for (unsigned i = 0; i < c.n; i++) {
			const struct dgram *g = &c.d[i];
			struct sv_sflow_stats st = { 0 };
			struct decoded w, x;

			decode(g->buf, g->len, g->wire_len, &w, &st);
			if (w.open_ret != 0)
				continue;
			for (size_t cut = 0; cut < g->len; cut++) {
				uint8_t *b = malloc(cut ? cut : 1);
				struct sv_sflow_stats cs = { 0 }, ws = { 0 };

				assert_non_null(b);
				memcpy(b, g->buf, cut);
				/* a cut copy of the datagram: one truncation */
				decode(b, cut, g->len, &x, &cs);
				if (cs.truncated != 1 || cs.malformed != 0)
					fail_msg("%s frame %u cut at %zu: %lu truncated, %lu malformed",
						 captures[ci], g->frame, cut,
						 (unsigned long)cs.truncated, (unsigned long)cs.malformed);
				assert_true(x.open_ret == 0 || x.open_ret == -ENODATA);
				assert_true(x.end_ret == 0 || x.end_ret == -ENODATA);
				assert_prefix(&w, &x, cut);
				/* the same bytes claiming to be all: one lie */
				decode(b, cut, cut, &x, &ws);
				if (ws.truncated != 0 || ws.malformed != 1)
					fail_msg("%s frame %u whole at %zu: %lu truncated, %lu malformed",
						 captures[ci], g->frame, cut,
						 (unsigned long)ws.truncated, (unsigned long)ws.malformed);
				assert_true(x.open_ret == 0 || x.open_ret == -EINVAL);
				assert_true(x.end_ret == 0 || x.end_ret == -EINVAL);
				assert_prefix(&w, &x, cut);
				free(b);
			}
		}
		capture_free(&c);
	}
}

/* ------------------------------------------------------------------ */
/* Crafted datagrams                                                    */

struct xdr {
	uint8_t b[4096];
	size_t n;
};

static void put32(struct xdr *x, uint32_t v)
{
	assert_true(sizeof(x->b) - x->n >= 4);
	x->b[x->n++] = (uint8_t)(v >> 24);
	x->b[x->n++] = (uint8_t)(v >> 16);
	x->b[x->n++] = (uint8_t)(v >> 8);
	x->b[x->n++] = (uint8_t)v;
}

static void put64(struct xdr *x, uint64_t v)
{
	put32(x, (uint32_t)(v >> 32));
	put32(x, (uint32_t)v);
}

/* n bytes, then zeros up to a multiple of 4 */
static void put_bytes(struct xdr *x, const void *p, size_t n)
{
	assert_true(sizeof(x->b) - x->n >= n + 3);
	memcpy(x->b + x->n, p, n);
	x->n += n;
	while (x->n & 3)
		x->b[x->n++] = 0;
}

/* A tag and a length to be filled by box_end. */
static size_t box(struct xdr *x, uint32_t enterprise, uint32_t format)
{
	put32(x, enterprise << 12 | format);
	put32(x, 0);
	return x->n;
}

static void box_end(struct xdr *x, size_t start)
{
	uint32_t len = (uint32_t)(x->n - start);

	x->b[start - 4] = (uint8_t)(len >> 24);
	x->b[start - 3] = (uint8_t)(len >> 16);
	x->b[start - 2] = (uint8_t)(len >> 8);
	x->b[start - 1] = (uint8_t)len;
}

/* Overwrite the 32-bit word at off. */
static void poke32(struct xdr *x, size_t off, uint32_t v)
{
	size_t n = x->n;

	x->n = off;
	put32(x, v);
	x->n = n;
}

/* Header with an IPv4 agent 192.0.2.1, sub-agent 7, seq 1000, uptime 5000. */
static void put_header(struct xdr *x, uint32_t nsamples)
{
	static const uint8_t agent[4] = { 192, 0, 2, 1 };

	x->n = 0;
	put32(x, 5);
	put32(x, 1);
	put_bytes(x, agent, 4);
	put32(x, 7);
	put32(x, 1000);
	put32(x, 5000);
	put32(x, nsamples);
}

/* A compact flow sample with n_records announced; returns its box start. */
static size_t put_flow_head(struct xdr *x, uint32_t seq, uint32_t nrec)
{
	size_t b = box(x, 0, SV_SFLOW_FLOW);

	put32(x, seq);
	put32(x, 0 << 24 | 3);      /* source: ifIndex 3 */
	put32(x, 512);              /* rate */
	put32(x, 4096);             /* pool */
	put32(x, 2);                /* drops */
	put32(x, 0u << 30 | 3);     /* input ifIndex 3 */
	put32(x, 1u << 30 | 258);   /* output: discarded, reason 258 */
	put32(x, nrec);
	return b;
}

static void put_switch(struct xdr *x)
{
	size_t r = box(x, 0, 1001);

	put32(x, 10);
	put32(x, 1);
	put32(x, 20);
	put32(x, 2);
	box_end(x, r);
}

/* Decode x whole into r with fresh stats in *st. */
static void run(const struct xdr *x, struct decoded *r, struct sv_sflow_stats *st)
{
	uint8_t *b = malloc(x->n ? x->n : 1);

	assert_non_null(b);
	memcpy(b, x->b, x->n);
	memset(st, 0, sizeof(*st));
	decode(b, x->n, x->n, r, st);
	free(b);
	/* pointers into b are gone: only values are compared from here */
	for (unsigned k = 0; k < r->n; k++)
		r->s[k].hdr.data = NULL;
}

static void test_every_record(void **state)
{
	static const uint8_t frame[18] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0x08, 0, 0x45 };
	static const uint8_t mac_s[6] = { 0, 1, 2, 3, 4, 5 }, mac_d[6] = { 6, 7, 8, 9, 10, 11 };
	static const uint8_t v4s[4] = { 10, 0, 0, 1 }, v4d[4] = { 10, 0, 0, 2 };
	uint8_t v6s[16] = { 0x20, 0x01, 0x0d, 0xb8 }, v6d[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };
	struct xdr x;
	struct decoded r;
	struct sv_sflow_stats st;
	const struct sv_sflow_sample *s;
	size_t b, rec;
	uint8_t *copy;

	put_header(&x, 4);
	/* flow sample: every record kind, one unknown, one repeated */
	b = put_flow_head(&x, 77, 9);
	rec = box(&x, 0, 1);
	put32(&x, 1);
	put32(&x, 1514);
	put32(&x, 4);
	put32(&x, sizeof(frame));
	put_bytes(&x, frame, sizeof(frame));
	box_end(&x, rec);
	rec = box(&x, 0, 2);
	put32(&x, 1518);
	put_bytes(&x, mac_s, 6);
	put_bytes(&x, mac_d, 6);
	put32(&x, 0x0800);
	box_end(&x, rec);
	rec = box(&x, 0, 3);
	put32(&x, 1500);
	put32(&x, 6);
	put_bytes(&x, v4s, 4);
	put_bytes(&x, v4d, 4);
	put32(&x, 443);
	put32(&x, 51000);
	put32(&x, 0x12);
	put32(&x, 0x28);
	box_end(&x, rec);
	rec = box(&x, 0, 4);
	put32(&x, 1280);
	put32(&x, 17);
	put_bytes(&x, v6s, 16);
	put_bytes(&x, v6d, 16);
	put32(&x, 53);
	put32(&x, 40000);
	put32(&x, 0);
	put32(&x, 5);
	box_end(&x, rec);
	put_switch(&x);
	rec = box(&x, 0, 1002);
	put32(&x, 2);
	put_bytes(&x, v6d, 16);
	put32(&x, 48);
	put32(&x, 64);
	box_end(&x, rec);
	rec = box(&x, 0, 1003); /* extended gateway: not decoded */
	put32(&x, 0);
	box_end(&x, rec);
	rec = box(&x, 9, 1);    /* enterprise 9: skipped */
	box_end(&x, rec);
	put_switch(&x);         /* repeated: the first stays */
	box_end(&x, b);
	/* expanded flow sample: multiple output ports, big source index */
	b = box(&x, 0, SV_SFLOW_FLOW_EXPANDED);
	put32(&x, 78);
	put32(&x, 3);
	put32(&x, 0x12345678);
	put32(&x, 100);
	put32(&x, 200);
	put32(&x, 0);
	put32(&x, 0);
	put32(&x, 0x40000000);  /* a 32-bit ifIndex, beyond compact's 30 bits */
	put32(&x, 2);
	put32(&x, 7);
	put32(&x, 0);
	box_end(&x, b);
	/* counter samples, compact and expanded */
	b = box(&x, 0, SV_SFLOW_COUNTER);
	put32(&x, 5);
	put32(&x, 1u << 24 | 300);
	put32(&x, 2);
	rec = box(&x, 0, 1);
	put32(&x, 3);
	put32(&x, 6);
	put64(&x, 10000000000ULL);
	put32(&x, 1);
	put32(&x, 3);
	put64(&x, 1ULL << 40);
	for (uint32_t v = 1; v <= 6; v++)
		put32(&x, v);
	put64(&x, (1ULL << 41) + 1);
	for (uint32_t v = 11; v <= 15; v++)
		put32(&x, v);
	put32(&x, 1);
	box_end(&x, rec);
	rec = box(&x, 0, 2);
	for (uint32_t v = 101; v <= 113; v++)
		put32(&x, v);
	box_end(&x, rec);
	box_end(&x, b);
	b = box(&x, 0, SV_SFLOW_COUNTER_EXPANDED);
	put32(&x, 6);
	put32(&x, 0);
	put32(&x, 0x01000000);
	put32(&x, 1);
	rec = box(&x, 0, 1005); /* a counter format not decoded */
	put32(&x, 1);
	box_end(&x, rec);
	box_end(&x, b);

	memset(&st, 0, sizeof(st));
	copy = malloc(x.n);
	assert_non_null(copy);
	memcpy(copy, x.b, x.n);
	decode(copy, x.n, x.n, &r, &st);
	assert_int_equal(r.open_ret, 0);
	assert_int_equal(r.end_ret, 0);
	assert_int_equal(r.n, 4);
	assert_int_equal(st.truncated + st.malformed, 0);
	assert_int_equal(st.skipped_records, 4);
	assert_int_equal(r.d.agent_af, 4);
	assert_int_equal(r.d.sub_agent_id, 7);
	assert_int_equal(r.d.seq, 1000);
	assert_int_equal(r.d.uptime_ms, 5000);

	s = &r.s[0];
	assert_int_equal(s->type, SV_SFLOW_FLOW);
	assert_int_equal(s->flags, 0);
	assert_int_equal(s->seq, 77);
	assert_int_equal(s->source_type, 0);
	assert_int_equal(s->source_index, 3);
	assert_int_equal(s->sampling_rate, 512);
	assert_int_equal(s->sample_pool, 4096);
	assert_int_equal(s->drops, 2);
	assert_int_equal(s->input.format, SV_SFLOW_IF_INDEX);
	assert_int_equal(s->input.value, 3);
	assert_int_equal(s->output.format, SV_SFLOW_IF_DISCARDED);
	assert_int_equal(s->output.value, 258);
	assert_int_equal(s->n_records, 9);
	assert_int_equal(s->n_skipped, 3);
	assert_int_equal(s->records, SV_SFLOW_R_HEADER | SV_SFLOW_R_ETHERNET | SV_SFLOW_R_IPV4 |
				     SV_SFLOW_R_IPV6 | SV_SFLOW_R_SWITCH | SV_SFLOW_R_ROUTER);
	assert_int_equal(s->hdr.protocol, SV_SFLOW_HP_ETHERNET);
	assert_int_equal(s->hdr.frame_length, 1514);
	assert_int_equal(s->hdr.stripped, 4);
	assert_int_equal(s->hdr.len, sizeof(frame));
	assert_true(s->hdr.data > copy && s->hdr.data + s->hdr.len <= copy + x.n);
	assert_memory_equal(s->hdr.data, frame, sizeof(frame));
	assert_int_equal(s->eth.length, 1518);
	assert_memory_equal(s->eth.src, mac_s, 6);
	assert_memory_equal(s->eth.dst, mac_d, 6);
	assert_int_equal(s->eth.type, 0x0800);
	assert_int_equal(s->ip4.length, 1500);
	assert_int_equal(s->ip4.proto, 6);
	assert_memory_equal(s->ip4.src, v4s, 4);
	assert_memory_equal(s->ip4.dst, v4d, 4);
	assert_int_equal(s->ip4.src[4] | s->ip4.src[15], 0);
	assert_int_equal(s->ip4.sport, 443);
	assert_int_equal(s->ip4.dport, 51000);
	assert_int_equal(s->ip4.tcp_flags, 0x12);
	assert_int_equal(s->ip4.tos, 0x28);
	assert_int_equal(s->ip6.length, 1280);
	assert_int_equal(s->ip6.proto, 17);
	assert_memory_equal(s->ip6.src, v6s, 16);
	assert_memory_equal(s->ip6.dst, v6d, 16);
	assert_int_equal(s->ip6.sport, 53);
	assert_int_equal(s->ip6.dport, 40000);
	assert_int_equal(s->ip6.tos, 5);
	assert_int_equal(s->sw.src_vlan, 10);
	assert_int_equal(s->sw.src_priority, 1);
	assert_int_equal(s->sw.dst_vlan, 20);
	assert_int_equal(s->sw.dst_priority, 2);
	assert_int_equal(s->router.nexthop_af, 6);
	assert_memory_equal(s->router.nexthop, v6d, 16);
	assert_int_equal(s->router.src_mask, 48);
	assert_int_equal(s->router.dst_mask, 64);

	s = &r.s[1];
	assert_int_equal(s->type, SV_SFLOW_FLOW_EXPANDED);
	assert_int_equal(s->seq, 78);
	assert_int_equal(s->source_type, 3);
	assert_int_equal(s->source_index, 0x12345678);
	assert_int_equal(s->input.format, 0);
	assert_int_equal(s->input.value, 0x40000000);
	assert_int_equal(s->output.format, SV_SFLOW_IF_MULTIPLE);
	assert_int_equal(s->output.value, 7);
	assert_int_equal(s->records, 0);

	s = &r.s[2];
	assert_int_equal(s->type, SV_SFLOW_COUNTER);
	assert_int_equal(s->seq, 5);
	assert_int_equal(s->source_type, 1);
	assert_int_equal(s->source_index, 300);
	assert_int_equal(s->sampling_rate, 0);
	assert_int_equal(s->input.value, 0);
	assert_int_equal(s->records, SV_SFLOW_R_IF | SV_SFLOW_R_ETH_IF);
	assert_int_equal(s->ifc.if_index, 3);
	assert_int_equal(s->ifc.if_type, 6);
	assert_int_equal(s->ifc.if_speed, 10000000000ULL);
	assert_int_equal(s->ifc.direction, 1);
	assert_int_equal(s->ifc.status, 3);
	assert_int_equal(s->ifc.in_octets, 1ULL << 40);
	assert_int_equal(s->ifc.in_ucast, 1);
	assert_int_equal(s->ifc.in_mcast, 2);
	assert_int_equal(s->ifc.in_bcast, 3);
	assert_int_equal(s->ifc.in_discards, 4);
	assert_int_equal(s->ifc.in_errors, 5);
	assert_int_equal(s->ifc.in_unknown_protos, 6);
	assert_int_equal(s->ifc.out_octets, (1ULL << 41) + 1);
	assert_int_equal(s->ifc.out_ucast, 11);
	assert_int_equal(s->ifc.out_mcast, 12);
	assert_int_equal(s->ifc.out_bcast, 13);
	assert_int_equal(s->ifc.out_discards, 14);
	assert_int_equal(s->ifc.out_errors, 15);
	assert_int_equal(s->ifc.promisc, 1);
	assert_int_equal(s->ethc.alignment_errors, 101);
	assert_int_equal(s->ethc.fcs_errors, 102);
	assert_int_equal(s->ethc.single_collisions, 103);
	assert_int_equal(s->ethc.multiple_collisions, 104);
	assert_int_equal(s->ethc.sqe_test_errors, 105);
	assert_int_equal(s->ethc.deferred, 106);
	assert_int_equal(s->ethc.late_collisions, 107);
	assert_int_equal(s->ethc.excessive_collisions, 108);
	assert_int_equal(s->ethc.internal_mac_tx_errors, 109);
	assert_int_equal(s->ethc.carrier_sense_errors, 110);
	assert_int_equal(s->ethc.frame_too_longs, 111);
	assert_int_equal(s->ethc.internal_mac_rx_errors, 112);
	assert_int_equal(s->ethc.symbol_errors, 113);

	s = &r.s[3];
	assert_int_equal(s->type, SV_SFLOW_COUNTER_EXPANDED);
	assert_int_equal(s->source_type, 0);
	assert_int_equal(s->source_index, 0x01000000);
	assert_int_equal(s->records, 0);
	assert_int_equal(s->n_skipped, 1);
	free(copy);
}

/* Headers that are not decoded. */
static void test_bad_headers(void **state)
{
	struct xdr x;
	struct decoded r;
	struct sv_sflow_stats st;
	uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 9 };

	put_header(&x, 0);
	poke32(&x, 0, 4);
	run(&x, &r, &st);
	assert_int_equal(r.open_ret, -EPROTONOSUPPORT);
	assert_int_equal(r.d.version, 4);
	assert_int_equal(r.end_ret, 0);
	assert_int_equal(st.bad_version, 1);
	assert_int_equal(st.malformed + st.truncated + st.datagrams, 0);

	put_header(&x, 0);
	poke32(&x, 4, 3); /* agent address type 3 */
	run(&x, &r, &st);
	assert_int_equal(r.open_ret, -EINVAL);
	assert_int_equal(st.malformed, 1);

	/* IPv6 agent, no samples: a sound, empty datagram */
	x.n = 0;
	put32(&x, 5);
	put32(&x, 2);
	put_bytes(&x, v6, 16);
	put32(&x, 0);
	put32(&x, 1);
	put32(&x, 2);
	put32(&x, 0);
	run(&x, &r, &st);
	assert_int_equal(r.open_ret, 0);
	assert_int_equal(r.end_ret, 0);
	assert_int_equal(r.d.agent_af, 6);
	assert_memory_equal(r.d.agent, v6, 16);
	assert_int_equal(st.datagrams, 1);
	assert_int_equal(st.malformed + st.truncated, 0);

	/* address type 0 (unknown): no address bytes follow */
	x.n = 0;
	put32(&x, 5);
	put32(&x, 0);
	put32(&x, 0);
	put32(&x, 1);
	put32(&x, 2);
	put32(&x, 0);
	run(&x, &r, &st);
	assert_int_equal(r.open_ret, 0);
	assert_int_equal(r.d.agent_af, 0);
	assert_int_equal(r.d.seq, 1);
}

/* Record lengths that lie: past their sample, or not padded. */
static void test_record_lies(void **state)
{
	static const uint32_t bad_len[] = { 0x1000, 6, 0xfffffffc, 0xffffffff };
	struct xdr x;
	struct decoded r;
	struct sv_sflow_stats st;

	for (size_t i = 0; i < sizeof(bad_len) / sizeof(bad_len[0]); i++) {
		size_t b, rec;

		put_header(&x, 2);
		b = put_flow_head(&x, 1, 3);
		put_switch(&x);
		rec = box(&x, 0, 1001);
		put32(&x, 1);
		put32(&x, 2);
		put32(&x, 3);
		put32(&x, 4);
		box_end(&x, rec);
		poke32(&x, rec - 4, bad_len[i]);
		put_switch(&x);
		box_end(&x, b);
		b = put_flow_head(&x, 2, 0);
		box_end(&x, b);
		run(&x, &r, &st);
		/* the first record stays, the rest of the sample is lost, the next sample is fine */
		assert_int_equal(r.open_ret, 0);
		assert_int_equal(r.end_ret, 0);
		assert_int_equal(r.n, 2);
		assert_int_equal(r.s[0].flags, SV_SFLOW_MALFORMED);
		assert_int_equal(r.s[0].records, SV_SFLOW_R_SWITCH);
		assert_int_equal(r.s[0].sw.src_vlan, 10);
		assert_int_equal(r.s[1].flags, 0);
		assert_int_equal(r.s[1].seq, 2);
		assert_int_equal(st.malformed, 1);
		assert_int_equal(st.truncated, 0);
	}
}

/* Records whose box is sound but whose content is not. */
static void test_record_content(void **state)
{
	static const uint8_t hdr[8] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0 };
	struct xdr x;
	struct decoded r;
	struct sv_sflow_stats st;
	size_t b, rec;

	/*
	 * A sampled header longer than its record, a switch record, and a
	 * router record with next-hop address type 7: the bad two are
	 * skipped, each counted; the switch record between them stays.
	 */
	put_header(&x, 1);
	b = put_flow_head(&x, 1, 3);
	rec = box(&x, 0, 1);
	put32(&x, 1);
	put32(&x, 64);
	put32(&x, 0);
	put32(&x, 12);
	put_bytes(&x, hdr, 8);
	box_end(&x, rec);
	put_switch(&x);
	rec = box(&x, 0, 1002);
	put32(&x, 7);
	put32(&x, 0);
	put32(&x, 0);
	box_end(&x, rec);
	box_end(&x, b);
	run(&x, &r, &st);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.s[0].records, SV_SFLOW_R_SWITCH);
	assert_int_equal(r.s[0].flags, SV_SFLOW_MALFORMED);
	assert_int_equal(st.malformed, 2);
	assert_int_equal(r.end_ret, 0);

	/* 7 header bytes and their 1-byte pad fill the record exactly: sound */
	put_header(&x, 1);
	b = put_flow_head(&x, 1, 1);
	rec = box(&x, 0, 1);
	put32(&x, 1);
	put32(&x, 64);
	put32(&x, 0);
	put32(&x, 7);
	put_bytes(&x, hdr, 7);
	box_end(&x, rec);
	box_end(&x, b);
	run(&x, &r, &st);
	assert_int_equal(r.s[0].records, SV_SFLOW_R_HEADER);
	assert_int_equal(r.s[0].hdr.len, 7);
	assert_int_equal(st.malformed, 0);

	/* header bytes that end right at the record's end without their pad */
	put_header(&x, 1);
	b = put_flow_head(&x, 1, 1);
	rec = box(&x, 0, 1);
	put32(&x, 1);
	put32(&x, 64);
	put32(&x, 0);
	put32(&x, 5);
	put_bytes(&x, hdr, 5);
	x.n -= 3; /* drop the pad */
	box_end(&x, rec);
	box_end(&x, b);
	/* the box itself is now not a multiple of 4: the sample is lost */
	run(&x, &r, &st);
	assert_int_equal(st.malformed, 1);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.s[0].records, 0);

	/* every known record format with length 0 */
	static const uint32_t flow_fmt[] = { 1, 2, 3, 4, 1001, 1002 };
	put_header(&x, 2);
	b = put_flow_head(&x, 1, 6);
	for (size_t i = 0; i < 6; i++)
		box_end(&x, box(&x, 0, flow_fmt[i]));
	box_end(&x, b);
	b = box(&x, 0, SV_SFLOW_COUNTER);
	put32(&x, 1);
	put32(&x, 1);
	put32(&x, 2);
	box_end(&x, box(&x, 0, 1));
	box_end(&x, box(&x, 0, 2));
	box_end(&x, b);
	run(&x, &r, &st);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.s[0].records, 0);
	assert_int_equal(r.s[1].records, 0);
	assert_int_equal(st.malformed, 8);
	assert_int_equal(r.end_ret, 0);
}

/* Sample lengths that lie, and samples too short for their own fields. */
static void test_sample_lies(void **state)
{
	struct xdr x;
	struct decoded r;
	struct sv_sflow_stats st;
	size_t b;

	/* past the datagram: decoded as far as it goes, flagged, the last */
	put_header(&x, 2);
	b = put_flow_head(&x, 1, 1);
	put_switch(&x);
	box_end(&x, b);
	poke32(&x, b - 4, 0x10000);
	b = put_flow_head(&x, 2, 0);
	box_end(&x, b);
	run(&x, &r, &st);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.s[0].flags, SV_SFLOW_MALFORMED);
	assert_int_equal(r.s[0].records, SV_SFLOW_R_SWITCH);
	assert_int_equal(r.end_ret, 0);
	assert_int_equal(st.malformed, 1);

	/* the same as a cut copy: truncated, not malformed */
	{
		uint8_t *c = malloc(x.n);

		assert_non_null(c);
		memcpy(c, x.b, x.n);
		memset(&st, 0, sizeof(st));
		decode(c, x.n, 0x20000, &r, &st);
		assert_int_equal(r.n, 1);
		assert_int_equal(r.s[0].flags, SV_SFLOW_TRUNCATED);
		assert_int_equal(st.truncated, 1);
		assert_int_equal(st.malformed, 0);
		free(c);
	}

	/* not a multiple of 4 */
	put_header(&x, 2);
	b = put_flow_head(&x, 1, 0);
	box_end(&x, b);
	poke32(&x, b - 4, 34);
	put32(&x, 0);
	run(&x, &r, &st);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.s[0].flags, SV_SFLOW_MALFORMED);
	assert_int_equal(st.malformed, 1);

	/* an unknown sample that lies cannot be skipped */
	put_header(&x, 2);
	b = box(&x, 0, 5);
	box_end(&x, b);
	poke32(&x, b - 4, 0x7ffffff0);
	run(&x, &r, &st);
	assert_int_equal(r.n, 0);
	assert_int_equal(r.end_ret, -EINVAL);
	assert_int_equal(st.malformed, 1);

	/* each sample type with a length too short for its fixed fields */
	for (uint32_t t = SV_SFLOW_FLOW; t <= SV_SFLOW_COUNTER_EXPANDED; t++) {
		put_header(&x, 1);
		b = box(&x, 0, t);
		put32(&x, 1);
		put32(&x, 2);
		box_end(&x, b);
		run(&x, &r, &st);
		assert_int_equal(r.n, 0);
		assert_int_equal(r.end_ret, -EINVAL);
		assert_int_equal(st.malformed, 1);
	}
}

/* Counts that cannot be, and lengths of zero. */
static void test_counts_and_zero(void **state)
{
	struct xdr x;
	struct decoded r;
	struct sv_sflow_stats st;
	size_t b;

	/* 2^32-1 samples announced, one there */
	put_header(&x, 0xffffffff);
	b = put_flow_head(&x, 1, 0);
	box_end(&x, b);
	run(&x, &r, &st);
	assert_int_equal(r.d.flags, SV_SFLOW_MALFORMED);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.end_ret, -EINVAL);
	assert_int_equal(st.malformed, 1);

	/* 2^32-1 records announced, one there */
	put_header(&x, 1);
	b = put_flow_head(&x, 1, 0xffffffff);
	put_switch(&x);
	box_end(&x, b);
	run(&x, &r, &st);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.s[0].flags, SV_SFLOW_MALFORMED);
	assert_int_equal(r.s[0].records, SV_SFLOW_R_SWITCH);
	assert_int_equal(r.end_ret, 0);
	assert_int_equal(st.malformed, 1);

	/* zero-length unknown samples and records: skipped, each moving 8 bytes on */
	put_header(&x, 300);
	for (int i = 0; i < 299; i++)
		box_end(&x, box(&x, 0, 0));
	b = put_flow_head(&x, 1, 200);
	for (int i = 0; i < 200; i++)
		box_end(&x, box(&x, 0, 0));
	box_end(&x, b);
	run(&x, &r, &st);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.s[0].n_skipped, 200);
	assert_int_equal(st.skipped_samples, 299);
	assert_int_equal(st.skipped_records, 200);
	assert_int_equal(st.malformed, 0);
	assert_int_equal(r.left, 0);

	/* a zero-length record, announced a billion times over */
	put_header(&x, 1);
	b = put_flow_head(&x, 1, 1000000000);
	box_end(&x, box(&x, 0, 1001));
	box_end(&x, box(&x, 0, 0));
	box_end(&x, b);
	run(&x, &r, &st);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.s[0].n_skipped, 1);
	assert_int_equal(r.s[0].flags, SV_SFLOW_MALFORMED);
	assert_int_equal(st.malformed, 2); /* the empty switch record, the count */

	/* enterprise samples are skipped by their length */
	put_header(&x, 2);
	b = box(&x, 4413, 1);
	put32(&x, 1);
	put32(&x, 2);
	box_end(&x, b);
	b = put_flow_head(&x, 9, 0);
	box_end(&x, b);
	run(&x, &r, &st);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.s[0].seq, 9);
	assert_int_equal(st.skipped_samples, 1);
}

/* ------------------------------------------------------------------ */
/* Sequence numbers                                                     */

static void test_seq(void **state)
{
	struct sv_sflow_seq_slot slots[16];
	struct sv_sflow_seq t;
	struct sv_sflow_datagram d = { .version = 5, .agent_af = 4, .agent = { 192, 0, 2, 1 } };
	struct sv_sflow_sample s = { .type = SV_SFLOW_FLOW, .source_index = 3 };
	uint32_t lost;

	assert_int_equal(sv_sflow_seq_init(&t, slots, 12), -EINVAL);
	assert_int_equal(sv_sflow_seq_init(&t, slots, 4), -EINVAL);
	assert_int_equal(sv_sflow_seq_init(&t, slots, 16), 0);

	d.seq = 10;
	d.uptime_ms = 100000;
	assert_int_equal(sv_sflow_seq_datagram(&t, &d, &lost), SV_SFLOW_SEQ_NEW);
	d.seq = 11;
	assert_int_equal(sv_sflow_seq_datagram(&t, &d, &lost), SV_SFLOW_SEQ_OK);
	d.seq = 15;
	assert_int_equal(sv_sflow_seq_datagram(&t, &d, &lost), SV_SFLOW_SEQ_GAP);
	assert_int_equal(lost, 3);
	d.seq = 14; /* overtaken on the way */
	assert_int_equal(sv_sflow_seq_datagram(&t, &d, &lost), SV_SFLOW_SEQ_DUP);
	assert_int_equal(lost, 0);
	d.seq = 16;
	assert_int_equal(sv_sflow_seq_datagram(&t, &d, &lost), SV_SFLOW_SEQ_OK);
	/* a restart: numbering and uptime start again */
	d.seq = 1;
	d.uptime_ms = 3000;
	assert_int_equal(sv_sflow_seq_datagram(&t, &d, &lost), SV_SFLOW_SEQ_RESET);
	d.seq = 2;
	assert_int_equal(sv_sflow_seq_datagram(&t, &d, &lost), SV_SFLOW_SEQ_OK);
	/* far behind with the uptime going on: also a restart (another counter) */
	d.seq = 0xfffffff0;
	assert_int_equal(sv_sflow_seq_datagram(&t, &d, NULL), SV_SFLOW_SEQ_RESET);
	/* wrapping past 2^32 is not a gap (sub-agent 2: a key of its own) */
	d.sub_agent_id = 2;
	d.seq = 0xffffffff;
	assert_int_equal(sv_sflow_seq_datagram(&t, &d, NULL), SV_SFLOW_SEQ_NEW);
	d.seq = 0;
	assert_int_equal(sv_sflow_seq_datagram(&t, &d, NULL), SV_SFLOW_SEQ_OK);

	/* samples: flow and counter numbering apart, per source */
	s.seq = 100;
	assert_int_equal(sv_sflow_seq_sample(&t, &d, &s, &lost), SV_SFLOW_SEQ_NEW);
	s.type = SV_SFLOW_COUNTER;
	s.seq = 7;
	assert_int_equal(sv_sflow_seq_sample(&t, &d, &s, &lost), SV_SFLOW_SEQ_NEW);
	s.type = SV_SFLOW_FLOW_EXPANDED;
	s.seq = 102;
	assert_int_equal(sv_sflow_seq_sample(&t, &d, &s, &lost), SV_SFLOW_SEQ_GAP);
	assert_int_equal(lost, 1);
	s.source_index = 4;
	assert_int_equal(sv_sflow_seq_sample(&t, &d, &s, &lost), SV_SFLOW_SEQ_NEW);
	d.sub_agent_id = 1;
	assert_int_equal(sv_sflow_seq_datagram(&t, &d, &lost), SV_SFLOW_SEQ_NEW);

	assert_int_equal(t.st.entries, 6);
	assert_int_equal(t.st.evictions, 0);
	assert_int_equal(t.st.gaps, 2);
	assert_int_equal(t.st.lost, 4);
	assert_int_equal(t.st.dups, 1);
	assert_int_equal(t.st.resets, 2);
}

/* A table of 8 slots fed 1000 agents keeps the most recent 8. */
static void test_seq_eviction(void **state)
{
	struct sv_sflow_seq_slot slots[8];
	struct sv_sflow_seq t;
	struct sv_sflow_datagram d = { .version = 5, .agent_af = 4 };

	assert_int_equal(sv_sflow_seq_init(&t, slots, 8), 0);
	for (uint32_t i = 0; i < 1000; i++) {
		memcpy(d.agent, &i, sizeof(i));
		d.seq = i;
		assert_int_equal(sv_sflow_seq_datagram(&t, &d, NULL), SV_SFLOW_SEQ_NEW);
	}
	assert_int_equal(t.st.entries, 8);
	assert_int_equal(t.st.evictions, 992);
	for (uint32_t i = 992; i < 1000; i++) {
		memcpy(d.agent, &i, sizeof(i));
		d.seq = i + 1;
		assert_int_equal(sv_sflow_seq_datagram(&t, &d, NULL), SV_SFLOW_SEQ_OK);
	}
	d.agent[0] ^= 0xff;
	assert_int_equal(sv_sflow_seq_datagram(&t, &d, NULL), SV_SFLOW_SEQ_NEW);
}

/* The captures' datagrams and samples in order: no gaps but what tshark shows. */
static void test_seq_captures(void **state)
{
	struct sv_sflow_seq_slot slots[256];
	struct sv_sflow_seq t;
	struct capture c;
	unsigned news = 0, oks = 0;

	assert_int_equal(sv_sflow_seq_init(&t, slots, 256), 0);
	capture_load(&c, "sflow-counters");
	for (unsigned i = 0; i < c.n; i++) {
		struct sv_sflow_stats st = { 0 };
		struct decoded x;
		int r;

		decode(c.d[i].buf, c.d[i].len, c.d[i].wire_len, &x, &st);
		if (x.open_ret)
			continue;
		r = sv_sflow_seq_datagram(&t, &x.d, NULL);
		news += r == SV_SFLOW_SEQ_NEW;
		oks += r == SV_SFLOW_SEQ_OK;
	}
	/* seven agent/sub-agent pairs (sflow-counters.sflow.tsv), each numbered on by one */
	assert_int_equal(news, 7);
	assert_int_equal(oks, 25 - 7);
	assert_int_equal(t.st.gaps + t.st.dups + t.st.resets, 0);
	capture_free(&c);
}

int main(void)
{
	struct CMUnitTest tests[NCAPTURES + sizeof(inner) / sizeof(inner[0]) + 11];
	size_t n = 0;

	for (size_t i = 0; i < NCAPTURES; i++)
		tests[n++] = (struct CMUnitTest){ .name = captures[i], .test_func = test_truth,
						  .initial_state = (void *)captures[i] };
	for (size_t i = 0; i < sizeof(inner) / sizeof(inner[0]); i++)
		tests[n++] = (struct CMUnitTest){ .name = "inner header", .test_func = test_inner,
						  .initial_state = (void *)&inner[i] };
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_counter_records);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_cut_everywhere);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_every_record);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_bad_headers);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_record_lies);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_record_content);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_sample_lies);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_counts_and_zero);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_seq);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_seq_eviction);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_seq_captures);
	assert(n == sizeof(tests) / sizeof(tests[0]));
	return cmocka_run_group_tests_name("sflow", tests, NULL, NULL);
}
