/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_flow_vnfs.c - the built-in flow VNFs, run in a chain.
 *
 * Records are made by hand with known values (so an alert's numbers can be
 * checked exactly, and thresholds approached from both sides), or made
 * from the sFlow captures the way a collector does: each flow sample
 * becomes a sample record whose 5-tuple comes from its sampled header
 * (sv_packet_decode), with packets = sampling rate and bytes = sampling
 * rate x frame length; each generic interface counter record becomes a
 * counters record. What flow_dump and top_talkers say of the captures is
 * compared with tshark (tests/data/NAME.sflow.tsv, .sflow_samples.tsv,
 * and .sflow_flows.tsv / .sflow_counters.tsv from
 * make-sflow-records-truth.sh).
 *
 * The JSON lines the VNFs emit go to a temporary file and are read back
 * after each record, tick and report.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <json-c/json.h>
#include <math.h>
#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <snapvnf/builtin.h>
#include <snapvnf/service.h>

#include <snapvnf/table.h>
#include "decode/packet.h"
#include "decode/sflow.h"
#include <snapvnf/vnf_util.h>
#include "lib/chain.h"
#include "lib/event.h"

#include "testutil.h"

#define NS 1000000000ull
#define T0 (1700000000ull * NS) /* hand-made records start here */

#define TCP_SYN 0x02
#define TCP_ACK 0x10

/* ------------------------------------------------------------------ */
/* Truth files                                                          */

static unsigned long long cell_u64(const struct table *t, int row, int col)
{
	const char *c = t->rows[row].f[col];

	return c ? strtoull(c, NULL, 10) : 0;
}

/* ------------------------------------------------------------------ */
/* A chain of flow VNFs and the events it wrote                         */

static int run_try_add(struct run *r, enum sv_vnf_kind kind, const void *vnf, const char *args,
		       const char *named, char *err, size_t errlen)
{
	return sv_chain_add(r->ch, kind, vnf, args, NULL, named, err, errlen);
}

static void run_add(struct run *r, const flow_vnf *vnf, const char *args)
{
	char err[512] = "";

	if (run_try_add(r, SV_KIND_FLOW, vnf, args, NULL, err, sizeof(err)) < 0)
		fail_msg("adding %s: %s", vnf->desc.name, err);
}

static void run_compile(struct run *r)
{
	assert_int_equal(sv_chain_compile(r->ch), 0);
}

static void run_rec(struct run *r, const struct sv_flow *rec)
{
	sv_chain_flow(r->ch, rec);
	run_collect(r, ++r->items);
}

static void run_tick(struct run *r, uint64_t now_ns)
{
	sv_chain_tick(r->ch, now_ns);
	run_collect(r, 0);
}

static void run_report(struct run *r)
{
	sv_chain_report(r->ch);
	run_collect(r, 0);
}

static const char *str_of(json_object *ev, const char *key)
{
	json_object *v = member(ev, key);

	return v ? json_object_get_string(v) : NULL;
}

static uint64_t u64_of(json_object *ev, const char *key)
{
	json_object *v = member(ev, key);

	assert_int_equal(json_object_get_type(v), json_type_int);
	return json_object_get_uint64(v);
}

static double double_of(json_object *ev, const char *key)
{
	return json_object_get_double(member(ev, key));
}

/* Does ev have event `event` (and, if given, reason and `key` = `value`)? */
static bool ev_is(json_object *ev, const char *event, const char *reason)
{
	json_object *v;

	if (!json_object_object_get_ex(ev, "event", &v) ||
	    strcmp(json_object_get_string(v), event) != 0)
		return false;
	return !reason || (json_object_object_get_ex(ev, "reason", &v) &&
			   strcmp(json_object_get_string(v), reason) == 0);
}

/* The events of a kind (all of them, or those written at `item`; -1: any). */
static int count_ev(const struct run *r, const char *event, const char *reason, int item)
{
	int n = 0;

	for (int i = 0; i < r->nev; i++)
		if ((item < 0 || r->ev[i].item == item) && ev_is(r->ev[i].obj, event, reason))
			n++;
	return n;
}

/* The k-th (from 0) event of a kind, whichever item wrote it. */
static json_object *nth_ev(const struct run *r, const char *event, const char *reason, int k)
{
	for (int i = 0, left = k; i < r->nev; i++)
		if (ev_is(r->ev[i].obj, event, reason) && left-- == 0)
			return r->ev[i].obj;
	fail_msg("no %s %s event #%d", event, reason ? reason : "", k);
	return NULL;
}

/* The alert of `reason` naming addr as `key`, or NULL; it must be unique. */
static json_object *alert_for(const struct run *r, const char *reason, const char *key,
			      const char *addr)
{
	json_object *found = NULL;

	for (int i = 0; i < r->nev; i++) {
		const char *a;

		if (!ev_is(r->ev[i].obj, "alert", reason))
			continue;
		a = str_of(r->ev[i].obj, key);
		if (a && strcmp(a, addr) == 0) {
			if (found)
				fail_msg("two %s alerts for %s", reason, addr);
			found = r->ev[i].obj;
		}
	}
	return found;
}

/* ------------------------------------------------------------------ */
/* Hand-made records                                                    */

static void set_addr(uint8_t *a, uint8_t *version, const char *text)
{
	memset(a, 0, 16);
	if (inet_pton(AF_INET, text, a) == 1) {
		*version = 4;
	} else {
		assert_int_equal(inet_pton(AF_INET6, text, a), 1);
		*version = 6;
	}
}

/* One sFlow sample, as a collector makes it. */
static struct sv_flow sample(uint64_t ts, const char *src, const char *dst, uint8_t proto,
			     uint16_t sport, uint16_t dport, uint8_t flags, uint32_t rate,
			     uint32_t frame_len)
{
	struct sv_flow f;

	memset(&f, 0, sizeof(f));
	f.ts_ns = f.first_ns = f.last_ns = ts;
	f.kind = SV_FLOW_SAMPLE;
	f.agent_family = 4;
	f.agent[0] = 192, f.agent[1] = 0, f.agent[2] = 2, f.agent[3] = 1;
	set_addr(f.src, &f.ip_version, src);
	set_addr(f.dst, &f.proto, dst);  /* proto is set below */
	assert_int_equal(f.proto, f.ip_version);
	f.proto = proto;
	f.sport = sport;
	f.dport = dport;
	f.tcp_flags = flags;
	f.sampling_rate = rate;
	f.frame_len = frame_len;
	f.packets = rate;
	f.bytes = (uint64_t)rate * frame_len;
	return f;
}

static struct sv_flow aggregate(uint64_t ts, const char *src, const char *dst, uint64_t packets,
				uint64_t bytes)
{
	struct sv_flow f = sample(ts, src, dst, 17, 1000, 53, 0, 0, 0);

	f.kind = SV_FLOW_AGGREGATE;
	f.packets = packets;
	f.bytes = bytes;
	f.first_ns = ts - 5 * NS;
	return f;
}

/* ------------------------------------------------------------------ */
/* Records from the sFlow captures                                      */

struct capture {
	struct sv_flow *v;
	unsigned *frame;
	unsigned n;
};

/* Interfaces: the ifIndex, or sFlow's compact form for the other formats. */
static uint32_t if_value(const struct sv_sflow_if *i)
{
	return i->format ? i->format << 30 | (i->value & 0x3fffffff) : i->value;
}

static void map_flow_sample(struct sv_flow *f, const struct sv_sflow_sample *s)
{
	struct sv_pkt *p;

	f->kind = SV_FLOW_SAMPLE;
	f->in_if = if_value(&s->input);
	f->out_if = if_value(&s->output);
	f->sampling_rate = s->sampling_rate;
	assert_true(s->records & SV_SFLOW_R_HEADER);
	p = pkt_new(s->hdr.data, s->hdr.len, s->hdr.frame_length);
	sv_packet_decode(p, s->hdr.protocol == SV_SFLOW_HP_ETHERNET ? SV_LINK_ETHERNET
								   : SV_LINK_RAW);
	f->ip_version = p->ip_version;
	f->proto = p->proto;
	memcpy(f->src, p->src, 16);
	memcpy(f->dst, p->dst, 16);
	f->sport = p->sport;
	f->dport = p->dport;
	f->tcp_flags = p->tcp_flags;
	f->vlan = p->nvlan ? p->vlan[0] : 0;
	f->frame_len = s->hdr.frame_length;
	f->packets = s->sampling_rate;
	f->bytes = (uint64_t)s->sampling_rate * s->hdr.frame_length;
	free(p);
}

static void map_counters(struct sv_flow *f, const struct sv_sflow_if_counters *k)
{
	f->kind = SV_FLOW_COUNTERS;
	f->ifindex = k->if_index;
	f->if_type = k->if_type;
	f->if_speed = k->if_speed;
	f->if_direction = k->direction;
	f->if_status = k->status;
	f->in_octets = k->in_octets;
	f->in_ucast = k->in_ucast;
	f->in_mcast = k->in_mcast;
	f->in_bcast = k->in_bcast;
	f->in_discards = k->in_discards;
	f->in_errors = k->in_errors;
	f->in_unknown = k->in_unknown_protos;
	f->out_octets = k->out_octets;
	f->out_ucast = k->out_ucast;
	f->out_mcast = k->out_mcast;
	f->out_bcast = k->out_bcast;
	f->out_discards = k->out_discards;
	f->out_errors = k->out_errors;
	f->promisc = k->promisc;
}

static void capture_load(struct capture *c, const char *name)
{
	struct pcap_pkthdr *h;
	const u_char *bytes;
	unsigned frame = 0;
	pcap_t *pc = open_pcap(name);

	memset(c, 0, sizeof(*c));
	while (pcap_next_ex(pc, &h, &bytes) == 1) {
		struct sv_pkt *p = pkt_new(bytes, h->caplen, h->len);
		struct sv_sflow_stats st = { 0 };
		struct sv_sflow_datagram d;
		struct sv_sflow_sample s;
		struct sv_sflow_iter it;
		size_t wire_len;

		frame++;
		sv_packet_decode(p, pcap_datalink(pc));
		assert_int_equal(p->dport, SV_SFLOW_PORT);
		wire_len = (size_t)(p->data[p->l4_off + 4] << 8 | p->data[p->l4_off + 5]) - 8;
		if (sv_sflow_open(&it, p->data + p->payload_off, p->payload_len, wire_len, &d,
				  &st) < 0) {
			free(p);
			continue;
		}
		while (sv_sflow_next(&it, &s) == 1) {
			struct sv_flow *f;
			bool flow = s.type == SV_SFLOW_FLOW || s.type == SV_SFLOW_FLOW_EXPANDED;

			if (!flow && !(s.records & SV_SFLOW_R_IF))
				continue;
			c->v = realloc(c->v, (c->n + 1) * sizeof(*c->v));
			c->frame = realloc(c->frame, (c->n + 1) * sizeof(*c->frame));
			assert_non_null(c->v);
			assert_non_null(c->frame);
			f = &c->v[c->n];
			c->frame[c->n++] = frame;
			memset(f, 0, sizeof(*f));
			f->ts_ns = f->first_ns = f->last_ns =
				(uint64_t)h->ts.tv_sec * NS + (uint64_t)h->ts.tv_usec * 1000;
			f->agent_family = d.agent_af;
			memcpy(f->agent, d.agent, 16);
			f->sub_agent = d.sub_agent_id;
			f->source_id = s.source_type << 24 | (s.source_index & 0xffffff);
			if (flow)
				map_flow_sample(f, &s);
			else
				map_counters(f, &s.ifc);
		}
		free(p);
	}
	pcap_close(pc);
	assert_true(c->n > 0);
}

static void capture_free(struct capture *c)
{
	free(c->v);
	free(c->frame);
}

/* Feed the capture's records, ticking each second of record time; report. */
static void run_capture(struct run *r, const struct capture *c)
{
	uint64_t last_tick = 0;

	run_compile(r);
	for (unsigned i = 0; i < c->n; i++) {
		run_rec(r, &c->v[i]);
		if (!last_tick)
			last_tick = c->v[i].ts_ns;
		if (c->v[i].ts_ns - last_tick >= NS) {
			run_tick(r, c->v[i].ts_ns);
			last_tick = c->v[i].ts_ns;
		}
	}
	run_report(r);
}

/* ------------------------------------------------------------------ */
/* flow_dump                                                            */

static void test_flow_dump_handmade(void **unused)
{
	struct run *r = run_new();
	struct sv_flow s = sample(T0, "2001:db8::1", "2001:db8::7", 6, 40000, 443, TCP_SYN, 512,
				  1500);
	struct sv_flow a = aggregate(T0 + NS, "10.0.0.2", "10.0.0.3", 4096, 3000000);
	struct sv_flow k, junk = s;
	json_object *ev;

	s.in_if = 7;
	s.out_if = 9;
	s.vlan = 100;
	memset(&k, 0, sizeof(k));
	k.ts_ns = T0 + 2 * NS;
	k.kind = SV_FLOW_COUNTERS;
	k.agent_family = 6;
	inet_pton(AF_INET6, "2001:db8::a", k.agent);
	k.ifindex = 3;
	k.if_speed = 10000000000ull;
	k.if_status = 3;
	k.in_octets = 1ull << 40;
	k.out_errors = 5;
	junk.kind = 99;

	run_add(r, &sv_vnf_flow_dump, NULL);
	run_compile(r);
	run_rec(r, &s);
	run_rec(r, &a);
	run_rec(r, &k);
	run_rec(r, &junk);
	run_report(r);
	assert_int_equal(count_ev(r, "flow", NULL, -1), 3);

	ev = nth_ev(r, "flow", NULL, 0);
	assert_string_equal(str_of(ev, "kind"), "sample");
	assert_string_equal(str_of(ev, "agent"), "192.0.2.1");
	assert_string_equal(str_of(ev, "src"), "2001:db8::1");
	assert_string_equal(str_of(ev, "dst"), "2001:db8::7");
	assert_int_equal(u64_of(ev, "sport"), 40000);
	assert_int_equal(u64_of(ev, "dport"), 443);
	assert_int_equal(u64_of(ev, "proto"), 6);
	assert_int_equal(u64_of(ev, "tcp_flags"), TCP_SYN);
	assert_int_equal(u64_of(ev, "vlan"), 100);
	assert_int_equal(u64_of(ev, "in_if"), 7);
	assert_int_equal(u64_of(ev, "out_if"), 9);
	assert_int_equal(u64_of(ev, "sampling_rate"), 512);
	assert_int_equal(u64_of(ev, "frame_len"), 1500);
	assert_int_equal(u64_of(ev, "packets"), 512);
	assert_int_equal(u64_of(ev, "bytes"), 512 * 1500);
	assert_false(json_object_object_get_ex(ev, "ifindex", NULL));

	ev = nth_ev(r, "flow", NULL, 1);
	assert_string_equal(str_of(ev, "kind"), "flow");
	assert_string_equal(str_of(ev, "src"), "10.0.0.2");
	assert_int_equal(u64_of(ev, "packets"), 4096);
	assert_int_equal(u64_of(ev, "bytes"), 3000000);
	assert_true(fabs(double_of(ev, "first") - (double)(T0 - 4 * NS) / 1e9) < 1e-3);
	assert_true(fabs(double_of(ev, "last") - (double)(T0 + NS) / 1e9) < 1e-3);
	assert_false(json_object_object_get_ex(ev, "frame_len", NULL));

	ev = nth_ev(r, "flow", NULL, 2);
	assert_string_equal(str_of(ev, "kind"), "counters");
	assert_string_equal(str_of(ev, "agent"), "2001:db8::a");
	assert_int_equal(u64_of(ev, "ifindex"), 3);
	assert_int_equal(u64_of(ev, "if_speed"), 10000000000ull);
	assert_int_equal(u64_of(ev, "if_status"), 3);
	assert_int_equal(u64_of(ev, "in_octets"), 1ull << 40);
	assert_int_equal(u64_of(ev, "out_errors"), 5);
	assert_false(json_object_object_get_ex(ev, "src", NULL));

	assert_int_equal(run_counter(r, "flow_dump.records"), 3);
	assert_int_equal(run_counter(r, "flow_dump.unknown"), 1);
	run_free(r);
}

static void test_flow_dump_kind(void **unused)
{
	static const char *const kinds[] = { "sample", "flow", "counters" };
	struct sv_flow recs[3];

	recs[0] = sample(T0, "10.0.0.1", "10.0.0.2", 17, 1, 2, 0, 1, 100);
	recs[1] = aggregate(T0, "10.0.0.1", "10.0.0.2", 1, 100);
	recs[2] = recs[0];
	recs[2].kind = SV_FLOW_COUNTERS;
	for (int i = 0; i < 3; i++) {
		struct run *r = run_new();
		char args[32];

		snprintf(args, sizeof(args), "kind=%s", kinds[i]);
		run_add(r, &sv_vnf_flow_dump, args);
		run_compile(r);
		for (int j = 0; j < 3; j++)
			run_rec(r, &recs[j]);
		assert_int_equal(count_ev(r, "flow", NULL, -1), 1);
		assert_string_equal(str_of(nth_ev(r, "flow", NULL, 0), "kind"), kinds[i]);
		run_free(r);
	}
}

static const char *const sflow_captures[] = {
	"sflow-flow", "sflow-ipv6", "sflow-expanded", "sflow-counters",
};

/* The agent of `frame` as tshark shows it. */
static const char *truth_agent(const struct table *dg, unsigned frame)
{
	for (int i = 1; i < dg->n; i++)
		if (cell_u64(dg, i, 0) == frame)
			return *dg->rows[i].f[1] ? dg->rows[i].f[1] : dg->rows[i].f[2];
	fail_msg("frame %u: not in sflow.tsv", frame);
	return NULL;
}

static void check_dump_sample(json_object *ev, const struct table *fl, int row,
			      const struct table *sm)
{
	char **f = fl->rows[row].f;
	uint64_t rate = cell_u64(fl, row, 3), len = cell_u64(fl, row, 2);
	uint64_t out = cell_u64(sm, row, 8), fmt = cell_u64(sm, row, 9);

	/* sflow_flows.tsv and sflow_samples.tsv list the same samples in order. */
	assert_int_equal(cell_u64(sm, row, 0), cell_u64(fl, row, 0));
	assert_string_equal(str_of(ev, "src"), f[4]);
	assert_string_equal(str_of(ev, "dst"), f[5]);
	assert_int_equal(u64_of(ev, "proto"), strtoul(f[6], NULL, 10));
	assert_int_equal(u64_of(ev, "sport"), strtoul(f[7], NULL, 10));
	assert_int_equal(u64_of(ev, "dport"), strtoul(f[8], NULL, 10));
	assert_int_equal(u64_of(ev, "sampling_rate"), rate);
	assert_int_equal(u64_of(ev, "sampling_rate"), cell_u64(sm, row, 4));
	assert_int_equal(u64_of(ev, "frame_len"), len);
	assert_int_equal(u64_of(ev, "packets"), rate);
	assert_int_equal(u64_of(ev, "bytes"), rate * len);
	assert_int_equal(u64_of(ev, "in_if"), cell_u64(sm, row, 7));
	assert_int_equal(u64_of(ev, "out_if"), fmt ? fmt << 30 | out : out);
}

static void check_dump_counters(json_object *ev, const struct table *ct, int row)
{
	static const char *const keys[] = {
		[2] = "ifindex", "if_type", "if_speed", "if_direction", NULL, NULL,
		"in_octets", "in_ucast", "in_mcast", "in_bcast", "in_discards", "in_errors",
		"in_unknown", "out_octets", "out_ucast", "out_mcast", "out_bcast", "out_discards",
		"out_errors", "promisc",
	};

	for (int col = 2; col < 22; col++) {
		if (!keys[col])
			continue;
		if (u64_of(ev, keys[col]) != cell_u64(ct, row, col))
			fail_msg("frame %llu: %s is %llu, tshark %llu", cell_u64(ct, row, 0),
				 keys[col], (unsigned long long)u64_of(ev, keys[col]),
				 cell_u64(ct, row, col));
	}
	/* bit 0 admin up, bit 1 oper up */
	assert_int_equal(u64_of(ev, "if_status"), cell_u64(ct, row, 6) | cell_u64(ct, row, 7) << 1);
}

static void test_flow_dump_sflow(void **unused)
{
	for (size_t i = 0; i < sizeof(sflow_captures) / sizeof(sflow_captures[0]); i++) {
		const char *name = sflow_captures[i];
		struct table dg, sm, fl, ct;
		struct capture c;
		struct run *r = run_new();
		int nflow = 0, nctr = 0;

		table_load(&dg, name, "sflow");
		table_load(&sm, name, "sflow_samples");
		table_load(&fl, name, "sflow_flows");
		table_load(&ct, name, "sflow_counters");
		capture_load(&c, name);
		run_add(r, &sv_vnf_flow_dump, NULL);
		run_capture(r, &c);

		/* One event per record, written while it was processed, in order. */
		assert_int_equal(r->nev, c.n);
		for (int e = 0; e < r->nev; e++) {
			json_object *ev = r->ev[e].obj;
			unsigned frame = c.frame[r->ev[e].item - 1];
			const char *kind = str_of(ev, "kind");

			assert_int_equal(r->ev[e].item, e + 1);
			assert_string_equal(str_of(ev, "agent"), truth_agent(&dg, frame));
			if (strcmp(kind, "sample") == 0) {
				nflow++;
				assert_true(nflow < fl.n);
				assert_int_equal(cell_u64(&fl, nflow, 0), frame);
				check_dump_sample(ev, &fl, nflow, &sm);
			} else {
				assert_string_equal(kind, "counters");
				nctr++;
				assert_true(nctr < ct.n);
				assert_int_equal(cell_u64(&ct, nctr, 0), frame);
				check_dump_counters(ev, &ct, nctr);
			}
		}
		/* Every sample and counter record tshark lists was written. */
		assert_int_equal(nflow, fl.n ? fl.n - 1 : 0);
		assert_int_equal(nctr, ct.n ? ct.n - 1 : 0);
		assert_int_equal(run_counter(r, "flow_dump.records"), c.n);
		capture_free(&c);
		table_free(&dg);
		table_free(&sm);
		table_free(&fl);
		table_free(&ct);
		run_free(r);
	}
}

/* ------------------------------------------------------------------ */
/* top_talkers                                                          */

static void check_rank(json_object *ev, const char *dir, unsigned rank, const char *addr,
		       uint64_t bytes, uint64_t packets, double share)
{
	assert_string_equal(str_of(ev, "direction"), dir);
	assert_int_equal(u64_of(ev, "rank"), rank);
	assert_string_equal(str_of(ev, "addr"), addr);
	assert_int_equal(u64_of(ev, "bytes"), bytes);
	assert_int_equal(u64_of(ev, "packets"), packets);
	assert_true(fabs(double_of(ev, "share") - share) < 1e-9);
}

static void test_top_talkers_handmade(void **unused)
{
	struct run *r = run_new();
	struct sv_flow f;

	run_add(r, &sv_vnf_top_talkers, "n=2,interval=10");
	run_compile(r);
	/* Bytes: .1 -> 3000x64 x 3, .2 -> 1000x64 x 2 (more packets than .3),
	 * .3 -> 2000x64 x 1 (ties .2 on bytes: 128000), .4 -> 100x64. */
	for (int i = 0; i < 3; i++) {
		f = sample(T0 + (uint64_t)i * NS, "10.0.0.1", "10.9.9.9", 6, 1, 80, 0, 64, 3000);
		run_rec(r, &f);
	}
	for (int i = 0; i < 2; i++) {
		f = sample(T0 + 4 * NS, "10.0.0.2", "10.9.9.8", 6, 1, 80, 0, 64, 1000);
		run_rec(r, &f);
	}
	f = sample(T0 + 5 * NS, "10.0.0.3", "10.9.9.8", 17, 1, 53, 0, 32, 4000);
	run_rec(r, &f);
	f = sample(T0 + 6 * NS, "10.0.0.4", "10.9.9.9", 17, 1, 53, 0, 64, 100);
	run_rec(r, &f);
	/* Not counted: aggregates (kind=sample), counters, no IP. */
	f = aggregate(T0 + 6 * NS, "10.0.0.5", "10.9.9.9", 1000000, 1000000000);
	run_rec(r, &f);
	f.kind = SV_FLOW_COUNTERS;
	run_rec(r, &f);
	f = sample(T0 + 6 * NS, "10.0.0.6", "10.9.9.9", 0, 0, 0, 0, 64, 100);
	f.ip_version = 0;
	run_rec(r, &f);
	assert_int_equal(count_ev(r, "top_talkers", NULL, -1), 0);

	/* A tick before the end changes nothing; one at the end reports. */
	run_tick(r, T0 + 9 * NS);
	assert_int_equal(count_ev(r, "top_talkers", NULL, -1), 0);
	run_tick(r, T0 + 10 * NS);
	assert_int_equal(count_ev(r, "top_talkers", NULL, 0), 4);
	{
		double total = 3 * 192000.0 + 2 * 64000.0 + 128000.0 + 6400.0;

		check_rank(nth_ev(r, "top_talkers", NULL, 0), "src", 1, "10.0.0.1", 576000, 192,
			   576000 / total);
		check_rank(nth_ev(r, "top_talkers", NULL, 1), "src", 2, "10.0.0.2", 128000, 128,
			   128000 / total);
		check_rank(nth_ev(r, "top_talkers", NULL, 2), "dst", 1, "10.9.9.9", 582400, 256,
			   582400 / total);
		check_rank(nth_ev(r, "top_talkers", NULL, 3), "dst", 2, "10.9.9.8", 256000, 160,
			   256000 / total);
		assert_true(fabs(double_of(nth_ev(r, "top_talkers", NULL, 0), "start") -
				 (double)T0 / 1e9) < 1e-3);
		assert_true(fabs(double_of(nth_ev(r, "top_talkers", NULL, 0), "seconds") - 10) < 1e-9);
	}
	assert_int_equal(run_counter(r, "top_talkers.records"), 7);
	assert_int_equal(run_counter(r, "top_talkers.no_ip"), 1);

	/* The next interval starts afresh; report() gives the part that ran. */
	f = sample(T0 + 12 * NS, "10.0.0.4", "10.9.9.9", 17, 1, 53, 0, 10, 100);
	run_rec(r, &f);
	f = sample(T0 + 14 * NS, "10.0.0.4", "10.9.9.9", 17, 1, 53, 0, 10, 100);
	run_rec(r, &f);
	run_report(r);
	assert_int_equal(count_ev(r, "top_talkers", NULL, -1), 6);
	check_rank(nth_ev(r, "top_talkers", NULL, 4), "src", 1, "10.0.0.4", 2000, 20, 1);
	assert_true(fabs(double_of(nth_ev(r, "top_talkers", NULL, 4), "seconds") - 4) < 1e-9);
	run_free(r);
}

/* kind=flow counts aggregates only; a bare number is n. */
static void test_top_talkers_kind(void **unused)
{
	struct run *r = run_new();
	struct sv_flow f;

	run_add(r, &sv_vnf_top_talkers, "1, kind=flow");
	run_compile(r);
	f = sample(T0, "10.0.0.1", "10.9.9.9", 6, 1, 80, 0, 1000, 1500);
	run_rec(r, &f);
	f = aggregate(T0, "10.0.0.2", "10.9.9.9", 10, 5000);
	run_rec(r, &f);
	f = aggregate(T0 + NS, "10.0.0.3", "10.9.9.9", 4, 4000);
	run_rec(r, &f);
	run_report(r);
	assert_int_equal(count_ev(r, "top_talkers", NULL, -1), 2);
	check_rank(nth_ev(r, "top_talkers", NULL, 0), "src", 1, "10.0.0.2", 5000, 10, 5.0 / 9);
	check_rank(nth_ev(r, "top_talkers", NULL, 1), "dst", 1, "10.9.9.9", 9000, 14, 1);
	run_free(r);
}

/* A table of 64 under 5000 one-record sources: the heavy one stays exact. */
static void test_top_talkers_evict(void **unused)
{
	struct run *r = run_new();
	struct sv_flow f;
	char src[32];

	run_add(r, &sv_vnf_top_talkers, "n=1,table=64");
	run_compile(r);
	f = sample(T0, "10.0.0.1", "10.9.9.9", 6, 1, 80, 0, 64, 1500);
	run_rec(r, &f);
	for (int i = 0; i < 5000; i++) {
		snprintf(src, sizeof(src), "10.1.%d.%d", i / 250, i % 250 + 1);
		f = sample(T0 + NS, src, "10.9.9.9", 6, 1, 80, 0, 1, 64);
		sv_chain_flow(r->ch, &f);
		if (i % 100 == 0) {
			f = sample(T0 + NS, "10.0.0.1", "10.9.9.9", 6, 1, 80, 0, 64, 1500);
			sv_chain_flow(r->ch, &f);
		}
	}
	run_report(r);
	check_rank(nth_ev(r, "top_talkers", NULL, 0), "src", 1, "10.0.0.1", 51 * 64 * 1500,
		   51 * 64, (51.0 * 64 * 1500) / (51.0 * 64 * 1500 + 5000 * 64));
	assert_true(run_counter(r, "top_talkers.evicted") >= 5000 - 64);
	run_free(r);
}

/* Per interval over a real capture: sums of tshark's rate x frame length. */
static void test_top_talkers_sflow(void **unused)
{
	static const char *const names[] = { "sflow-flow", "sflow-ipv6", "sflow-expanded" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct table fl;
		struct capture c;
		struct run *r = run_new();
		uint64_t bytes[8] = { 0 }, packets[8] = { 0 }, first = 0;
		unsigned nint = 0;
		int row = 0, e = 0;

		table_load(&fl, names[i], "sflow_flows");
		capture_load(&c, names[i]);
		/* The truth rows are the capture's sample records, in order. */
		for (unsigned k = 0; k < c.n; k++) {
			unsigned iv;

			if (c.v[k].kind != SV_FLOW_SAMPLE)
				continue;
			row++;
			if (!first)
				first = c.v[k].ts_ns;
			iv = (unsigned)((c.v[k].ts_ns - first) / (10 * NS));
			assert_true(iv < 8);
			bytes[iv] += cell_u64(&fl, row, 3) * cell_u64(&fl, row, 2);
			packets[iv] += cell_u64(&fl, row, 3);
			nint = iv + 1;
		}
		assert_int_equal(row, fl.n - 1);
		run_add(r, &sv_vnf_top_talkers, "n=3,interval=10");
		run_capture(r, &c);
		/* One source and one destination per capture: two events per interval. */
		for (unsigned iv = 0; iv < nint; iv++) {
			if (!bytes[iv])
				continue;
			check_rank(nth_ev(r, "top_talkers", NULL, e++), "src", 1, fl.rows[1].f[4],
				   bytes[iv], packets[iv], 1);
			check_rank(nth_ev(r, "top_talkers", NULL, e++), "dst", 1, fl.rows[1].f[5],
				   bytes[iv], packets[iv], 1);
		}
		assert_int_equal(count_ev(r, "top_talkers", NULL, -1), e);
		capture_free(&c);
		table_free(&fl);
		run_free(r);
	}
}

/* ------------------------------------------------------------------ */
/* ddos                                                                 */

/* n samples of rate x frame_len to dst, spread over [t, t + 9 s]. */
static void send_n(struct run *r, uint64_t t, const char *dst, int n, uint32_t rate,
		   uint32_t frame_len)
{
	for (int i = 0; i < n; i++) {
		struct sv_flow f = sample(t + (uint64_t)i * 9 * NS / (uint64_t)n, "198.51.100.1", dst,
					  17, 1234, 53, 0, rate, frame_len);

		sv_chain_flow(r->ch, &f);
	}
	run_collect(r, -1);
}

static void test_ddos_thresholds(void **unused)
{
	struct run *r = run_new();
	json_object *ev;

	/* 1000 pps over 10 s: 10000 packets is not over, 10100 is. */
	run_add(r, &sv_vnf_ddos, "pps=1000,bps=0,interval=10");
	run_compile(r);
	send_n(r, T0, "203.0.113.1", 100, 100, 60);   /* 10000 packets: at, not over */
	send_n(r, T0, "203.0.113.2", 101, 100, 60);   /* 10100: over */
	send_n(r, T0, "203.0.113.3", 1, 100, 60);
	/* A gauge, not a counter: the destinations in the table now. */
	assert_int_equal(run_counter(r, "ddos.tracked"), 3);
	assert_true(run_is_gauge(r, "ddos.tracked"));
	assert_false(run_is_gauge(r, "ddos.records"));
	run_tick(r, T0 + 10 * NS);
	assert_int_equal(count_ev(r, "alert", "ddos", -1), 1);
	assert_null(alert_for(r, "ddos", "dst", "203.0.113.1"));
	ev = alert_for(r, "ddos", "dst", "203.0.113.2");
	assert_non_null(ev);
	assert_int_equal(u64_of(ev, "pps"), 1010);
	assert_int_equal(u64_of(ev, "bps"), 10100 * 60 * 8 / 10);
	assert_int_equal(u64_of(ev, "packets"), 10100);
	assert_int_equal(u64_of(ev, "bytes"), 10100 * 60);
	assert_int_equal(u64_of(ev, "threshold"), 1000);
	assert_string_equal(str_of(ev, "metric"), "pps");
	assert_true(fabs(double_of(ev, "seconds") - 10) < 1e-9);

	/* Next interval: one alert per destination, however many records. */
	send_n(r, T0 + 10 * NS, "203.0.113.2", 500, 100, 60);
	send_n(r, T0 + 10 * NS, "203.0.113.1", 101, 100, 60);
	run_tick(r, T0 + 20 * NS);
	assert_int_equal(count_ev(r, "alert", "ddos", -1), 3);
	/* .3 was silent for the second interval: it left the table. */
	assert_int_equal(run_counter(r, "ddos.tracked"), 2);
	assert_int_equal(run_counter(r, "ddos.alerts"), 3);
	assert_int_equal(run_counter(r, "ddos.records"), 100 + 101 + 1 + 500 + 101);
	run_free(r);

	/* Bits: 1 Mbit/s over 10 s is 1250000 bytes. */
	r = run_new();
	run_add(r, &sv_vnf_ddos, "pps=0,bps=1M");
	run_compile(r);
	send_n(r, T0, "203.0.113.1", 125, 10, 1000);  /* 1250000 bytes: at, not over */
	send_n(r, T0, "203.0.113.2", 126, 10, 1000);  /* 1260000: over */
	run_tick(r, T0 + 10 * NS);
	assert_int_equal(count_ev(r, "alert", "ddos", -1), 1);
	ev = alert_for(r, "ddos", "dst", "203.0.113.2");
	assert_non_null(ev);
	assert_int_equal(u64_of(ev, "bps"), 1008000);
	assert_int_equal(u64_of(ev, "pps"), 126);
	assert_string_equal(str_of(ev, "metric"), "bps");
	assert_int_equal(u64_of(ev, "threshold"), 1000000);
	run_free(r);
}

/* The interval in progress is judged at the end, over the time it ran. */
static void test_ddos_report(void **unused)
{
	struct run *r = run_new();
	struct sv_flow f;
	json_object *ev;

	run_add(r, &sv_vnf_ddos, "pps=100,interval=60,kind=flow");
	run_compile(r);
	f = aggregate(T0, "2001:db8::1", "2001:db8::99", 300, 30000);
	run_rec(r, &f);
	f = sample(T0, "2001:db8::1", "2001:db8::99", 6, 1, 80, 0, 100000, 100);
	run_rec(r, &f);   /* a sample: not counted with kind=flow */
	f = aggregate(T0 + 2 * NS, "2001:db8::1", "2001:db8::99", 100, 10000);
	run_rec(r, &f);
	f = aggregate(T0 + 2 * NS, "2001:db8::1", "2001:db8::98", 100, 10000);
	run_rec(r, &f);
	run_report(r);
	assert_int_equal(count_ev(r, "alert", "ddos", -1), 1);
	ev = alert_for(r, "ddos", "dst", "2001:db8::99");
	assert_non_null(ev);
	assert_int_equal(u64_of(ev, "pps"), 200);
	assert_true(fabs(double_of(ev, "seconds") - 2) < 1e-9);
	run_free(r);
}

/*
 * A flow VNF that keeps each input it is given, to check what a VNF before
 * it writes: its input schema is set by each test.
 */
#define TAP_MAX 64
static unsigned char tap_in[TAP_MAX][512];
static int tap_n;

static void *tap_create(struct sv_vnf_ctx *ctx, const char *args)
{
	assert_true(ctx->desc->in->size <= sizeof(tap_in[0]));
	tap_n = 0;
	return ctx;
}

static int tap_process(void *state, struct sv_vnf_ctx *ctx, const struct sv_flow *rec,
		       const void *in, void *out)
{
	if (tap_n < TAP_MAX)
		memcpy(tap_in[tap_n++], in, ctx->desc->in->size);
	return SV_CONTINUE;
}

static flow_vnf tap_vnf = {
	.desc = { .name = "tap", .version = "1", .create = tap_create },
	.process = tap_process,
};

/* What a user's VNF might take from ddos, by member name. */
struct act_in {
	bool alert;
	uint64_t pps;
	struct sv_addr dst;
};
SV_SCHEMA(act_in, SV_FIELD(struct act_in, alert), SV_FIELD(struct act_in, pps),
	  SV_FIELD(struct act_in, dst));

static void test_ddos_meta(void **unused)
{
	struct run *r = run_new();
	char err[256];
	struct sv_flow f;

	run_add(r, &sv_vnf_ddos, "pps=10,bps=0,interval=1");
	tap_vnf.desc.in = &act_in_schema;
	if (run_try_add(r, SV_KIND_FLOW, &tap_vnf, NULL, "dst <- dst, pps <- pps, alert <- alert",
			err, sizeof(err)) < 0)
		fail_msg("%s", err);
	run_compile(r);
	/* 5, 5 then 6 packets in the first second: over 10 x 1 s at the third. */
	f = sample(T0, "198.51.100.1", "203.0.113.5", 17, 1, 53, 0, 5, 100);
	run_rec(r, &f);
	run_rec(r, &f);
	f.sampling_rate = 6;
	f.packets = 6;
	f.ts_ns += NS / 2;
	run_rec(r, &f);
	/* The next second: last second's rate, still flagged. */
	f.ts_ns = T0 + NS;
	f.packets = 1;
	run_rec(r, &f);
	/* And the one after: the rate of a quiet second, no flag. */
	f.ts_ns = T0 + 2 * NS;
	run_rec(r, &f);
	/* Counters: a cleared output. */
	f.kind = SV_FLOW_COUNTERS;
	run_rec(r, &f);
	assert_int_equal(tap_n, 6);
#define SEEN(i) ((const struct act_in *)tap_in[i])
	assert_int_equal(SEEN(0)->dst.family, 4);
	assert_string_equal(inet_ntoa(*(const struct in_addr *)SEEN(0)->dst.a), "203.0.113.5");
	assert_false(SEEN(0)->alert);
	assert_false(SEEN(1)->alert);
	assert_true(SEEN(2)->alert);
	assert_int_equal(SEEN(2)->pps, 0);
	assert_true(SEEN(3)->alert);
	assert_int_equal(SEEN(3)->pps, 16);
	assert_false(SEEN(4)->alert);
	assert_int_equal(SEEN(4)->pps, 1);
	assert_int_equal(SEEN(5)->dst.family, 0);
	assert_false(SEEN(5)->alert);
#undef SEEN
	assert_int_equal(count_ev(r, "alert", "ddos", -1), 1);
	run_free(r);
}

/* ------------------------------------------------------------------ */
/* syn_flood                                                            */

static void send_tcp(struct run *r, uint64_t t, const char *dst, int n, uint8_t flags,
		     uint32_t rate)
{
	for (int i = 0; i < n; i++) {
		char src[32];
		struct sv_flow f;

		snprintf(src, sizeof(src), "100.64.%d.%d", i / 200, i % 200 + 1);
		f = sample(t + (uint64_t)i * NS / (uint64_t)n, src, dst, 6, (uint16_t)(1024 + i),
			   80, flags, rate, 60);
		sv_chain_flow(r->ch, &f);
	}
	run_collect(r, -1);
}

static void test_syn_flood(void **unused)
{
	struct run *r = run_new();
	json_object *ev;

	run_add(r, &sv_vnf_syn_flood, "min_samples=100,share=0.5");
	run_compile(r);
	/* 2000 SYN samples at 1 in 64 to one destination. */
	send_tcp(r, T0, "203.0.113.10", 2000, TCP_SYN, 64);
	/* Exactly half SYNs (SYN|ACK and ACK do not count): flagged. */
	send_tcp(r, T0, "203.0.113.11", 50, TCP_SYN, 64);
	send_tcp(r, T0, "203.0.113.11", 30, TCP_SYN | TCP_ACK, 64);
	send_tcp(r, T0, "203.0.113.11", 20, TCP_ACK, 64);
	/* One short of half: not. */
	send_tcp(r, T0, "203.0.113.12", 49, TCP_SYN, 64);
	send_tcp(r, T0, "203.0.113.12", 51, TCP_ACK, 64);
	/* All SYNs but one sample short: not. */
	send_tcp(r, T0, "203.0.113.13", 99, TCP_SYN, 64);
	run_tick(r, T0 + 10 * NS);

	assert_int_equal(count_ev(r, "alert", "syn_flood", -1), 2);
	ev = alert_for(r, "syn_flood", "dst", "203.0.113.10");
	assert_non_null(ev);
	assert_int_equal(u64_of(ev, "samples"), 2000);
	assert_int_equal(u64_of(ev, "syn_samples"), 2000);
	assert_true(double_of(ev, "share") == 1.0);
	assert_int_equal(u64_of(ev, "syn_packets"), 128000);
	assert_int_equal(u64_of(ev, "syn_pps"), 12800);
	assert_true(double_of(ev, "threshold") == 0.5);
	assert_int_equal(u64_of(ev, "min_samples"), 100);
	ev = alert_for(r, "syn_flood", "dst", "203.0.113.11");
	assert_non_null(ev);
	assert_int_equal(u64_of(ev, "samples"), 100);
	assert_int_equal(u64_of(ev, "syn_samples"), 50);
	assert_int_equal(u64_of(ev, "syn_packets"), 3200);
	assert_int_equal(run_counter(r, "syn_flood.samples"), 2000 + 100 + 100 + 99);
	run_free(r);
}

/* Aggregates and other protocols are not counted; output per TCP sample. */
static void test_syn_flood_meta(void **unused)
{
	struct run *r = run_new();
	char err[256];
	struct sv_flow f;

	run_add(r, &sv_vnf_syn_flood, "min_samples=2,share=0.6,interval=5");
	tap_vnf.desc.in = sv_vnf_syn_flood.desc.out;
	assert_int_equal(run_try_add(r, SV_KIND_FLOW, &tap_vnf, NULL, "*", err, sizeof(err)), 0);
	run_compile(r);
	f = aggregate(T0, "10.0.0.1", "10.0.0.2", 100, 1000);
	f.proto = 6;
	f.tcp_flags = TCP_SYN;
	run_rec(r, &f);
	f = sample(T0, "10.0.0.1", "10.0.0.2", 17, 1, 2, TCP_SYN, 1, 100);
	run_rec(r, &f);
	f = sample(T0, "10.0.0.1", "10.0.0.2", 6, 1, 2, TCP_SYN, 1, 100);
	run_rec(r, &f);
	f.tcp_flags = TCP_ACK;
	run_rec(r, &f);
	f.tcp_flags = TCP_SYN;
	run_rec(r, &f);
	run_report(r);
	/* 2 SYNs of 3 TCP samples: 0.667 >= 0.6 */
	assert_int_equal(count_ev(r, "alert", "syn_flood", -1), 1);
	assert_int_equal(run_counter(r, "syn_flood.samples"), 3);
	assert_int_equal(tap_n, 5);
#define SEEN(i) ((const struct sv_syn_meta *)tap_in[i])
	assert_int_equal(SEEN(0)->dst.family, 0);  /* aggregate */
	assert_int_equal(SEEN(1)->dst.family, 0);  /* UDP */
	assert_int_equal(SEEN(2)->dst.family, 4);
	assert_true(SEEN(2)->share == 1.0);
	assert_false(SEEN(2)->alert);              /* one sample: fewer than 2 */
	assert_true(SEEN(3)->share == 0.5);
	assert_false(SEEN(3)->alert);
	assert_true(fabs(SEEN(4)->share - 2.0 / 3) < 1e-12);
	assert_true(SEEN(4)->alert);
#undef SEEN
	run_free(r);
}

/* ------------------------------------------------------------------ */
/* port_scan                                                            */

static void probe_ports(struct run *r, uint64_t t, const char *src, const char *dst, int first,
			int n, uint8_t proto, uint8_t flags)
{
	for (int i = 0; i < n; i++) {
		struct sv_flow f = sample(t, src, dst, proto, 40000, (uint16_t)(first + i), flags, 1,
					  60);

		sv_chain_flow(r->ch, &f);
		/* Seen twice (a sample and an aggregate): still one port. */
		f.kind = SV_FLOW_AGGREGATE;
		sv_chain_flow(r->ch, &f);
	}
	run_collect(r, -1);
}

static void test_port_scan(void **unused)
{
	struct run *r = run_new();
	json_object *ev;
	char dst[32];

	run_add(r, &sv_vnf_port_scan, "ports=100,hosts=50");
	run_compile(r);
	/* A source touching 100 ports of one host, 20 of another. */
	probe_ports(r, T0, "192.0.2.66", "203.0.113.20", 1, 100, 6, TCP_SYN);
	probe_ports(r, T0, "192.0.2.66", "203.0.113.21", 1, 20, 6, TCP_SYN);
	/* 99 ports: not. */
	probe_ports(r, T0, "192.0.2.67", "203.0.113.20", 1000, 99, 6, TCP_SYN);
	/* A server answering on 200 client ports (SYN|ACK): no probe. */
	probe_ports(r, T0, "203.0.113.20", "192.0.2.67", 1000, 200, 6, TCP_SYN | TCP_ACK);
	/* UDP is not a probe by default. */
	probe_ports(r, T0, "192.0.2.68", "203.0.113.20", 1, 200, 17, 0);
	/* 60 hosts on port 22, over IPv6. */
	for (int i = 0; i < 60; i++) {
		snprintf(dst, sizeof(dst), "2001:db8:1::%x", i + 1);
		probe_ports(r, T0 + NS, "2001:db8::bad", dst, 22, 1, 6, TCP_SYN);
	}
	run_tick(r, T0 + 10 * NS);

	assert_int_equal(count_ev(r, "alert", "port_scan", -1), 2);
	ev = alert_for(r, "port_scan", "src", "192.0.2.66");
	assert_non_null(ev);
	assert_int_equal(u64_of(ev, "ports"), 100);
	assert_int_equal(u64_of(ev, "hosts"), 2);
	assert_string_equal(str_of(ev, "dst"), "203.0.113.20");
	assert_string_equal(str_of(ev, "scan"), "vertical");
	assert_int_equal(u64_of(ev, "ports_threshold"), 100);
	ev = alert_for(r, "port_scan", "src", "2001:db8::bad");
	assert_non_null(ev);
	assert_int_equal(u64_of(ev, "hosts"), 60);
	assert_int_equal(u64_of(ev, "ports"), 1);
	assert_string_equal(str_of(ev, "scan"), "horizontal");
	assert_int_equal(u64_of(ev, "hosts_threshold"), 50);

	/* A new interval counts afresh: 60 more ports are not 160. */
	probe_ports(r, T0 + 10 * NS, "192.0.2.66", "203.0.113.20", 101, 60, 6, TCP_SYN);
	run_report(r);
	assert_int_equal(count_ev(r, "alert", "port_scan", -1), 2);
	run_free(r);
}

static void test_port_scan_probe(void **unused)
{
	struct run *r = run_new();
	json_object *ev;

	run_add(r, &sv_vnf_port_scan, "ports=50,hosts=1000,probe=udp");
	run_compile(r);
	/* UDP and TCP ports count apart: 30 + 30 distinct (proto, port). */
	probe_ports(r, T0, "192.0.2.68", "203.0.113.20", 1, 30, 17, 0);
	probe_ports(r, T0, "192.0.2.68", "203.0.113.20", 1, 30, 6, TCP_SYN);
	/* Plain ACKs are still no probe. */
	probe_ports(r, T0, "192.0.2.69", "203.0.113.20", 1, 60, 6, TCP_ACK);
	run_report(r);
	assert_int_equal(count_ev(r, "alert", "port_scan", -1), 1);
	ev = alert_for(r, "port_scan", "src", "192.0.2.68");
	assert_non_null(ev);
	assert_int_equal(u64_of(ev, "ports"), 60);
	run_free(r);

	r = run_new();
	run_add(r, &sv_vnf_port_scan, "hosts=3,probe=any");
	run_compile(r);
	probe_ports(r, T0, "192.0.2.70", "203.0.113.1", 0, 1, 1, 0);
	probe_ports(r, T0, "192.0.2.70", "203.0.113.2", 0, 1, 1, 0);
	probe_ports(r, T0, "192.0.2.70", "203.0.113.3", 0, 1, 1, 0);
	run_report(r);
	ev = alert_for(r, "port_scan", "src", "192.0.2.70");
	assert_non_null(ev);
	assert_int_equal(u64_of(ev, "hosts"), 3);
	assert_int_equal(u64_of(ev, "ports"), 0);
	assert_null(member(ev, "dst"));
	run_free(r);
}

/* Output per probe: the counts so far and the flag. */
static void test_port_scan_meta(void **unused)
{
	static const struct { uint32_t ports; bool alert; } want[] = {
		{ 1, false }, { 1, false }, { 2, false }, { 2, false }, { 3, true }, { 3, true },
		{ 1, true }, { 1, true },  /* next interval: flagged last time */
	};
	struct run *r = run_new();
	char err[256];

	run_add(r, &sv_vnf_port_scan, "ports=3,hosts=100,interval=1");
	tap_vnf.desc.in = sv_vnf_port_scan.desc.out;
	assert_int_equal(run_try_add(r, SV_KIND_FLOW, &tap_vnf, NULL, "*", err, sizeof(err)), 0);
	run_compile(r);
	probe_ports(r, T0, "192.0.2.66", "203.0.113.20", 1, 3, 6, TCP_SYN);
	assert_int_equal(count_ev(r, "alert", "port_scan", -1), 0);
	probe_ports(r, T0 + NS, "192.0.2.66", "203.0.113.20", 1, 1, 6, TCP_SYN);
	assert_int_equal(count_ev(r, "alert", "port_scan", -1), 1);
	assert_int_equal(run_counter(r, "port_scan.probes"), 8);
	assert_int_equal(tap_n, 8);
	for (int i = 0; i < 8; i++) {
		const struct sv_scan_meta *m = (const struct sv_scan_meta *)tap_in[i];

		assert_int_equal(m->src.family, 4);
		assert_int_equal(m->hosts, 1);
		assert_int_equal(m->ports, want[i].ports);
		assert_int_equal(m->alert, want[i].alert);
	}
	run_free(r);
}

/* ------------------------------------------------------------------ */
/* Arguments and the table under them                                   */

static void test_args(void **unused)
{
	static const char *const words[] = { "sample", "flow", NULL };
	struct opts {
		uint64_t n, bps;
		double share;
		unsigned kind;
		bool stop;
		char file[8];
	} o;
	static const struct sv_arg spec[] = {
		{ "n", SV_ARG_UINT, offsetof(struct opts, n), "10", 1, 1000, NULL, NULL },
		{ "bps", SV_ARG_UINT, offsetof(struct opts, bps), NULL, 0, 1e15, NULL, NULL },
		{ "share", SV_ARG_DOUBLE, offsetof(struct opts, share), "0.5", 0.001, 1, NULL, NULL },
		{ "kind", SV_ARG_WORD, offsetof(struct opts, kind), "flow", 0, 0, words, NULL },
		{ "stop", SV_ARG_FLAG, offsetof(struct opts, stop), NULL, 0, 0, NULL, NULL },
		{ "file", SV_ARG_STR, offsetof(struct opts, file), "a", 0, 8, NULL, NULL },
		SV_ARG_END,
	};
	char err[256];

	memset(&o, 0xa5, sizeof(o));
	assert_int_equal(sv_args_parse(NULL, spec, &o, err, sizeof(err)), 0);
	assert_int_equal(o.n, 10);
	assert_int_equal(o.bps, 0);
	assert_true(o.share == 0.5);
	assert_int_equal(o.kind, 1);
	assert_false(o.stop);
	assert_string_equal(o.file, "a");
	assert_int_equal(sv_args_parse("25", spec, &o, err, sizeof(err)), 0);
	assert_int_equal(o.n, 25);
	assert_int_equal(sv_args_parse("bps=1.5G; kind=sample share=0.25,n=3 stop file=1234567",
				       spec, &o, err, sizeof(err)), 0);
	assert_int_equal(o.bps, 1500000000ull);
	assert_int_equal(o.kind, 0);
	assert_true(o.share == 0.25);
	assert_int_equal(o.n, 3);
	assert_true(o.stop);
	assert_string_equal(o.file, "1234567");
	assert_int_equal(sv_args_parse("bps=2k,stop=no", spec, &o, err, sizeof(err)), 0);
	assert_int_equal(o.bps, 2000);
	assert_int_equal(o.n, 10);  /* every call starts from the defaults */
	assert_false(o.stop);
	assert_int_equal(sv_args_parse("file=12345678", spec, &o, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "longer than 7 bytes"));
	assert_int_equal(sv_args_parse("stop=maybe", spec, &o, err, sizeof(err)), -EINVAL);

	assert_int_equal(sv_args_parse("n=0", spec, &o, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "n=0"));
	assert_int_equal(sv_args_parse("n=2.5", spec, &o, err, sizeof(err)), -EINVAL);
	assert_int_equal(sv_args_parse("n=10x", spec, &o, err, sizeof(err)), -EINVAL);
	assert_int_equal(sv_args_parse("bps=1.0005k", spec, &o, err, sizeof(err)), -EINVAL);
	assert_int_equal(sv_args_parse("share=2", spec, &o, err, sizeof(err)), -EINVAL);
	assert_int_equal(sv_args_parse("share=nan", spec, &o, err, sizeof(err)), -EINVAL);
	assert_int_equal(sv_args_parse("kind=both", spec, &o, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "sample, flow"));
	assert_int_equal(sv_args_parse("rate=5", spec, &o, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "n, bps, share, kind, stop, file"));
	assert_int_equal(sv_args_parse("n=", spec, &o, err, sizeof(err)), -EINVAL);
}

/* Every VNF refuses what its arguments cannot mean, naming it. */
static void test_bad_args(void **unused)
{
	static const struct {
		const flow_vnf *vnf;
		const char *args, *says;
	} bad[] = {
		{ &sv_vnf_flow_dump, "kind=pkt", "kind=pkt" },
		{ &sv_vnf_top_talkers, "0", "n=0" },
		{ &sv_vnf_top_talkers, "interval=0", "interval=0" },
		{ &sv_vnf_ddos, "pps=0,bps=0", "nothing to detect" },
		{ &sv_vnf_ddos, "pps=fast", "pps=fast" },
		{ &sv_vnf_syn_flood, "share=0", "share=0" },
		{ &sv_vnf_syn_flood, "min=3", "unknown argument" },
		{ &sv_vnf_port_scan, "ports=1", "ports=1" },
		{ &sv_vnf_port_scan, "probe=icmp", "syn, udp, any" },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct run *r = run_new();
		char err[512];

		assert_int_equal(run_try_add(r, SV_KIND_FLOW, bad[i].vnf, bad[i].args, NULL, err,
					     sizeof(err)), -EINVAL);
		if (!strstr(err, bad[i].says))
			fail_msg("%s %s: \"%s\" does not say \"%s\"", bad[i].vnf->desc.name,
				 bad[i].args, err, bad[i].says);
		assert_int_equal(sv_chain_len(r->ch), 0);
		run_free(r);
	}
}

static void test_table(void **unused)
{
	struct sv_table *t = sv_table_new(1, 4, 16);
	uint64_t *v, *found[SV_TABLE_WAYS + 1];
	const void *key;
	size_t pos = 0;
	bool evicted;
	int n = 0;

	assert_non_null(t);
	/* One bucket of WAYS entries: weights 10, 11, ... */
	for (uint32_t k = 0; k < SV_TABLE_WAYS; k++) {
		v = sv_table_get(t, &k, &evicted);
		assert_false(evicted);
		assert_int_equal(v[0], 0);
		v[0] = 10 + k;
		found[k] = v;
	}
	assert_int_equal(sv_table_count(t), SV_TABLE_WAYS);
	for (uint32_t k = 0; k < SV_TABLE_WAYS; k++)
		assert_ptr_equal(sv_table_find(t, &k), found[k]);
	/* The lightest (key 0) makes room for a new key; weights decide. */
	found[0][0] = 100;
	{
		uint32_t k = 99;

		v = sv_table_get(t, &k, &evicted);
		assert_true(evicted);
		assert_int_equal(v[0], 0);
		assert_ptr_equal(v, found[1]);
		k = 1;
		assert_null(sv_table_find(t, &k));
	}
	assert_int_equal(sv_table_count(t), SV_TABLE_WAYS);
	while ((v = sv_table_next(t, &pos, &key)) != NULL) {
		n++;
		sv_table_del(t, v);  /* allowed during the walk */
	}
	assert_int_equal(n, SV_TABLE_WAYS);
	assert_int_equal(sv_table_count(t), 0);
	{
		uint32_t k = 5;

		sv_table_get(t, &k, &evicted);
		assert_int_equal(sv_table_count(t), 1);
		sv_table_clear(t);
		assert_null(sv_table_find(t, &k));
		assert_int_equal(sv_table_count(t), 0);
	}
	sv_table_free(t);
	sv_table_free(NULL);
	assert_null(sv_table_new(16, 4, 4));
	assert_int_equal(errno, EINVAL);
}

/* A packet VNF and a flow VNF in one chain, each sees its own items. */
static void test_mixed_chain(void **unused)
{
	struct run *r = run_new();
	char err[256];
	struct sv_pkt *p = calloc(1, sizeof(*p) + 64);

	assert_non_null(p);
	assert_int_equal(run_try_add(r, SV_KIND_PKT, &sv_vnf_pkt_stats, NULL, NULL, err,
				     sizeof(err)), 0);
	run_add(r, &sv_vnf_syn_flood, "min_samples=10");
	run_compile(r);
	p->ts_ns = T0;
	p->wire_len = p->cap_len = 64;
	sv_packet_decode(p, SV_LINK_ETHERNET);
	sv_chain_pkt(r->ch, p);
	send_tcp(r, T0, "203.0.113.10", 10, TCP_SYN, 1);
	run_report(r);
	assert_int_equal(count_ev(r, "pkt_stats", NULL, -1), 1);
	assert_int_equal(count_ev(r, "alert", "syn_flood", -1), 1);
	assert_int_equal(run_counter(r, "pkt_stats.items"), 1);
	assert_int_equal(run_counter(r, "syn_flood.items"), 10);
	free(p);
	run_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flow_dump_handmade),
		cmocka_unit_test(test_flow_dump_kind),
		cmocka_unit_test(test_flow_dump_sflow),
		cmocka_unit_test(test_top_talkers_handmade),
		cmocka_unit_test(test_top_talkers_kind),
		cmocka_unit_test(test_top_talkers_evict),
		cmocka_unit_test(test_top_talkers_sflow),
		cmocka_unit_test(test_ddos_thresholds),
		cmocka_unit_test(test_ddos_report),
		cmocka_unit_test(test_ddos_meta),
		cmocka_unit_test(test_syn_flood),
		cmocka_unit_test(test_syn_flood_meta),
		cmocka_unit_test(test_port_scan),
		cmocka_unit_test(test_port_scan_probe),
		cmocka_unit_test(test_port_scan_meta),
		cmocka_unit_test(test_args),
		cmocka_unit_test(test_bad_args),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_mixed_chain),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
