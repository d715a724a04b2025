/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_collector.c - the sFlow collector against datagrams made here, whose
 * agents, sequence numbers, times and 5-tuples are the truth:
 *   - the agent table: 64 made-up agents cannot keep a real agent out of
 *     it, nor hide its lost datagrams, whether they fill the table once or
 *     keep coming; an agent silent for --agent-idle is forgotten;
 *   - the 5-tuple totals of an interval: more 5-tuples than the
 *     aggregation table holds still add up, per 5-tuple, to what was
 *     sampled, with the early records counted.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include <snapvnf/flow.h>

#include "common/log.h"
#include "common/ring.h"
#include "daemon/collector.h"
#include "daemon/metrics.h"
#include "decode/sflow.h"

#define SEC 1000000000ull

struct xdr {
	uint8_t b[512];
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

/*
 * An sFlow v5 datagram of IPv4 agent `agent`, sequence `seq`; with
 * `sport` non-zero, one flow sample (rate 1) whose raw header record is
 * an IPv4/UDP header 10.0.0.1:sport > 10.0.0.2:dport of a 100-byte frame.
 */
static void dgram(struct xdr *x, uint32_t agent, uint32_t seq, uint16_t sport, uint16_t dport)
{
	uint8_t ip[28] = { 0x45, 0, 0, 100, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2 };

	x->n = 0;
	put32(x, 5);
	put32(x, 1);              /* IPv4 agent */
	put32(x, agent);
	put32(x, 0);              /* sub-agent */
	put32(x, seq);
	put32(x, seq * 1000);     /* uptime, ms */
	put32(x, sport ? 1 : 0);
	if (!sport)
		return;
	put32(x, SV_SFLOW_FLOW);
	put32(x, 4 * 8 + 8 + 4 * 4 + sizeof(ip));
	put32(x, seq);            /* sample sequence */
	put32(x, 3);              /* source: ifIndex 3 */
	put32(x, 1);              /* rate */
	put32(x, seq);            /* pool */
	put32(x, 0);              /* drops */
	put32(x, 3);              /* input */
	put32(x, 4);              /* output */
	put32(x, 1);              /* one record */
	put32(x, 1);              /* raw packet header */
	put32(x, 4 * 4 + sizeof(ip));
	put32(x, SV_SFLOW_HP_IPV4);
	put32(x, 100);            /* frame length */
	put32(x, 0);              /* stripped */
	put32(x, sizeof(ip));
	ip[20] = (uint8_t)(sport >> 8);
	ip[21] = (uint8_t)sport;
	ip[22] = (uint8_t)(dport >> 8);
	ip[23] = (uint8_t)dport;
	memcpy(x->b + x->n, ip, sizeof(ip));
	x->n += sizeof(ip);
}

struct fixture {
	struct sv_ring *flow, *pkt;
	struct sv_collector *c;
};

static void open_collector(struct fixture *f, unsigned flow_slots, unsigned idle_s)
{
	struct sv_collector_opts o = { .snaplen = 128, .interval_s = 3600, .agent_idle_s = idle_s };

	f->flow = sv_ring_create(flow_slots, sizeof(struct sv_flow), SV_RING_KIND_FLOW, 0);
	f->pkt = sv_ring_create(64, 256, SV_RING_KIND_PKT, 0);
	assert_non_null(f->flow);
	assert_non_null(f->pkt);
	f->c = sv_collector_new(f->flow, f->pkt, &o);
	assert_non_null(f->c);
}

static void close_collector(struct fixture *f)
{
	sv_collector_free(f->c);
	sv_ring_destroy(f->flow);
	sv_ring_destroy(f->pkt);
}

static void feed(struct fixture *f, uint32_t agent, uint32_t seq, uint64_t ts)
{
	struct xdr x;

	dgram(&x, agent, seq, 0, 0);
	sv_collector_datagram(f->c, x.b, x.n, x.n, ts);
	assert_true(sv_collector_drain(f->c, 0));
}

/* The collector's section of status, parsed. */
static json_object *status(struct fixture *f)
{
	struct sv_metrics *m = sv_metrics_json();
	json_object *root, *col;
	char *text;

	assert_non_null(m);
	sv_collector_metrics(f->c, m);
	text = sv_metrics_done(m);
	assert_non_null(text);
	root = json_tokener_parse(text);
	free(text);
	assert_non_null(root);
	assert_true(json_object_object_get_ex(root, "collector", &col));
	json_object_get(col);
	json_object_put(root);
	return col;
}

static uint64_t u64(json_object *o, const char *k)
{
	json_object *v;

	if (!json_object_object_get_ex(o, k, &v))
		fail_msg("no %s", k);
	return json_object_get_uint64(v);
}

/* The agents entry of `addr`, or NULL. */
static json_object *agent(json_object *col, const char *addr)
{
	json_object *list, *a, *name;

	assert_true(json_object_object_get_ex(col, "agents", &list));
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		a = json_object_array_get_idx(list, i);
		if (json_object_object_get_ex(a, "agent", &name) &&
		    strcmp(json_object_get_string(name), addr) == 0)
			return a;
	}
	return NULL;
}

static size_t nagents(json_object *col)
{
	json_object *list;

	assert_true(json_object_object_get_ex(col, "agents", &list));
	return json_object_array_length(list);
}

#define REAL  0xc0000201u   /* 192.0.2.1 */
#define FAKE0 0xc6120000u   /* 198.18.0.0 */

/* 64 made-up agents fill the table, then the real one loses 2 datagrams. */
static void test_spoofed_fill(void **state)
{
	struct fixture f;
	json_object *col, *a;

	open_collector(&f, 64, 0);
	for (uint32_t i = 1; i <= 64; i++)
		feed(&f, FAKE0 + i, 1, i * SEC);
	feed(&f, REAL, 1, 100 * SEC);
	feed(&f, REAL, 2, 101 * SEC);
	feed(&f, REAL, 5, 102 * SEC);  /* 3 and 4 lost */
	col = status(&f);
	a = agent(col, "192.0.2.1");
	if (!a)
		fail_msg("the real agent is not in the agent table");
	assert_int_equal(u64(a, "datagrams"), 3);
	assert_int_equal(u64(a, "sequence_gaps"), 1);
	assert_int_equal(u64(a, "sequence_lost"), 2);
	assert_int_equal(u64(col, "sequence_lost"), 2);
	assert_int_equal(u64(col, "datagrams"), 67);
	/* the made-up agent heard from least recently made room */
	assert_null(agent(col, "198.18.0.1"));
	assert_non_null(agent(col, "198.18.0.2"));
	assert_int_equal(nagents(col), 64);
	assert_int_equal(u64(col, "agents_evicted"), 1);
	assert_int_equal(u64(col, "agents_expired"), 0);
	json_object_put(col);
	close_collector(&f);
}

/* New made-up agents keep coming, more than the table holds, between each of
 * the real agent's datagrams: its losses are still all counted. */
static void test_spoofed_churn(void **state)
{
	struct fixture f;
	json_object *col, *a;
	uint32_t fake = FAKE0;
	uint64_t t = SEC;

	open_collector(&f, 64, 0);
	for (uint32_t round = 0; round < 10; round++) {
		for (int i = 0; i < 100; i++)
			feed(&f, ++fake, 1, t++);
		feed(&f, REAL, 1 + 2 * round, t++);  /* every other number lost */
	}
	col = status(&f);
	assert_int_equal(u64(col, "sequence_gaps"), 9);
	assert_int_equal(u64(col, "sequence_lost"), 9);
	a = agent(col, "192.0.2.1");
	assert_non_null(a);  /* the last to come */
	assert_int_equal(u64(col, "agents_evicted"), 10 * 101 - 64);
	assert_int_equal(nagents(col), 64);
	json_object_put(col);
	close_collector(&f);
}

/* Silent for --agent-idle: forgotten, not evicted. */
static void test_idle(void **state)
{
	struct fixture f;
	json_object *col;

	open_collector(&f, 64, 600);
	for (uint32_t i = 1; i <= 64; i++)
		feed(&f, FAKE0 + i, 1, i * SEC);
	feed(&f, FAKE0 + 64, 2, 500 * SEC);  /* heard from again at 500 s */
	/* at 700 s, 1..63 (last heard at most at 63 s) have been idle for more
	 * than 600 s: the real agent takes a place they left */
	feed(&f, REAL, 1, 700 * SEC);
	col = status(&f);
	assert_non_null(agent(col, "192.0.2.1"));
	assert_int_equal(u64(col, "agents_evicted"), 0);
	assert_int_equal(u64(col, "agents_expired"), 63);
	assert_int_equal(nagents(col), 2);
	assert_non_null(agent(col, "198.18.0.64"));
	assert_non_null(agent(col, "192.0.2.1"));
	json_object_put(col);
	sv_collector_tick(f.c, 1102 * SEC, true);
	col = status(&f);
	assert_int_equal(u64(col, "agents_expired"), 64);
	assert_int_equal(nagents(col), 1);
	json_object_put(col);
	close_collector(&f);
}

/*
 * 40000 5-tuples in one interval, more than the aggregation table holds:
 * the flow records still add up to one packet and 100 bytes per 5-tuple,
 * each 5-tuple in exactly one record, the early ones counted.
 */
static void test_aggregation_overflow(void **state)
{
	enum { N = 40000 };
	struct fixture f;
	struct sv_ring_reader rd;
	struct sv_cursor *cur;
	static uint8_t seen[65536];
	uint64_t flows = 0, packets = 0, bytes = 0, samples = 0;
	const void *items[64];
	json_object *col;
	struct xdr x;
	int cfd;

	open_collector(&f, 1u << 17, 0);
	cfd = sv_ring_attach(f.flow, &cur);
	assert_true(cfd >= 0);
	assert_int_equal(sv_ring_reader_open(&rd, sv_ring_fd(f.flow), cfd), 0);
	memset(seen, 0, sizeof(seen));
	for (uint32_t i = 0; i < N; i++) {
		dgram(&x, REAL, i + 1, (uint16_t)(1 + i % 60000), (uint16_t)(1000 + i / 60000));
		sv_collector_datagram(f.c, x.b, x.n, x.n, SEC + i);
		assert_true(sv_collector_drain(f.c, 0));
	}
	sv_collector_tick(f.c, 0, true);
	assert_true(sv_collector_drain(f.c, 0));
	for (unsigned n; (n = sv_ring_read_burst(&rd, items, 64)) > 0;) {
		for (unsigned k = 0; k < n; k++) {
			const struct sv_flow *r = items[k];

			if (r->kind == SV_FLOW_SAMPLE) {
				samples++;
				continue;
			}
			assert_int_equal(r->kind, SV_FLOW_AGGREGATE);
			assert_int_equal(r->packets, 1);
			assert_int_equal(r->bytes, 100);
			assert_int_equal(r->proto, 17);
			assert_int_equal(r->dport, 1000);
			assert_int_equal(seen[r->sport]++, 0);
			flows++;
			packets += r->packets;
			bytes += r->bytes;
		}
		assert_int_equal(sv_ring_read_done(&rd, NULL), n);
	}
	assert_int_equal(samples, N);
	assert_int_equal(flows, N);
	assert_int_equal(packets, N);
	assert_int_equal(bytes, 100ull * N);
	col = status(&f);
	assert_int_equal(u64(col, "records_flow"), N);
	assert_true(u64(col, "aggregate_evictions") >= N - 32768);
	assert_int_equal(u64(col, "queue_drops"), 0);
	json_object_put(col);
	sv_ring_reader_close(&rd);
	close_collector(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spoofed_fill),
		cmocka_unit_test(test_spoofed_churn),
		cmocka_unit_test(test_idle),
		cmocka_unit_test(test_aggregation_overflow),
	};

	sv_log_init("test_collector", SV_LOG_ERR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
