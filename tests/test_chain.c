/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_chain.c - chains of VNFs and their converters, with known values:
 * index rows with a transform function, merged copies, named converters,
 * a stop filter, and every kind of bad row refused with its message.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <unistd.h>

#include <snapvnf/service.h>

#include "lib/chain.h"
#include "lib/event.h"

/* Stage A: emits a fixed record derived from the packet. */
struct a_out {
	uint32_t addr;
	uint16_t port;
	uint16_t pad;
	char name[32];
	uint64_t bytes;
};
SV_SCHEMA(a_out, SV_FIELD(struct a_out, addr), SV_FIELD(struct a_out, port),
	  SV_FIELD(struct a_out, name), SV_FIELD(struct a_out, bytes));

/* Stage B: takes a subset under other names, outputs a verdict. */
struct b_in {
	char host[64];
	uint64_t size;
	uint16_t dport;
};
SV_SCHEMA(b_in, SV_FIELD(struct b_in, host), SV_FIELD(struct b_in, size),
	  SV_FIELD(struct b_in, dport));
struct b_out {
	uint64_t size;
	uint16_t dport;
	char host[64];
	bool big;
};
SV_SCHEMA(b_out, SV_FIELD(struct b_out, size), SV_FIELD(struct b_out, dport),
	  SV_FIELD(struct b_out, host), SV_FIELD(struct b_out, big));

/* Stage C: records what reached it. */
struct c_in {
	uint64_t size;
	uint16_t dport;
	char host[64];
	bool big;
};
SV_SCHEMA(c_in, SV_FIELD(struct c_in, size), SV_FIELD(struct c_in, dport),
	  SV_FIELD(struct c_in, host), SV_FIELD(struct c_in, big));

static struct c_in seen_by_c[8];
static unsigned n_seen_by_c, n_seen_by_b;
static int dummy_state;

static void *create(struct sv_vnf_ctx *ctx, const char *args)
{
	return &dummy_state;
}

static int a_process(void *st, struct sv_vnf_ctx *ctx, const struct sv_pkt *p, const void *in,
		     void *out)
{
	struct a_out *o = out;

	o->addr = p->wire_len;
	o->port = p->dport;
	snprintf(o->name, sizeof(o->name), "host-%u", p->wire_len);
	o->bytes = (uint64_t)p->wire_len * 10;
	return SV_CONTINUE;
}

static int b_process(void *st, struct sv_vnf_ctx *ctx, const struct sv_pkt *p, const void *in,
		     void *out)
{
	const struct b_in *i = in;
	struct b_out *o = out;

	n_seen_by_b++;
	o->size = i->size;
	o->dport = i->dport;
	memcpy(o->host, i->host, sizeof(o->host));
	o->big = i->size > 5000;
	/* A filter: only big ones go on. */
	return o->big ? SV_CONTINUE : SV_STOP;
}

static int c_process(void *st, struct sv_vnf_ctx *ctx, const struct sv_pkt *p, const void *in,
		     void *out)
{
	if (n_seen_by_c < 8)
		memcpy(&seen_by_c[n_seen_by_c], in, sizeof(struct c_in));
	n_seen_by_c++;
	return SV_CONTINUE;
}

static pkt_vnf vnf_a = { .desc = { .name = "a", .out = &a_out_schema, .create = create },
			 .process = a_process };
static pkt_vnf vnf_b = { .desc = { .name = "b", .in = &b_in_schema, .out = &b_out_schema,
				   .create = create },
			 .process = b_process };
static pkt_vnf vnf_c = { .desc = { .name = "c", .in = &c_in_schema, .create = create },
			 .process = c_process };

/* The transform: ports are shown to C plus 1000. */
static void add_1000(void *v)
{
	uint16_t x;

	memcpy(&x, v, sizeof(x));
	x += 1000;
	memcpy(v, &x, sizeof(x));
}

static void run_packets(struct sv_chain *ch)
{
	static const uint32_t lens[] = { 100, 600, 1500, 300 };
	struct sv_pkt p = { 0 };

	for (unsigned i = 0; i < 4; i++) {
		p.wire_len = lens[i];
		p.dport = (uint16_t)(80 + i);
		sv_chain_pkt(ch, &p);
	}
}

static void test_three_stage_chain(void **state)
{
	size_t ab[][3] = { { 0, 2, 0 }, { 1, 3, 0 }, { 2, 1, 0 }, { 0, 0, 0 } };
	size_t bc[][3] = { { 0, 0, (size_t)sv_conv_identity }, { 1, 1, (size_t)add_1000 },
			   { 2, 2, 0 }, { 3, 3, 0 }, { 0, 0, 0 } };
	struct sv_chain *ch = sv_chain_new("t", NULL);
	char err[256];

	n_seen_by_b = n_seen_by_c = 0;
	assert_int_equal(sv_chain_add(ch, SV_KIND_PKT, &vnf_a, NULL, NULL, NULL, err, sizeof(err)), 0);
	assert_int_equal(sv_chain_add(ch, SV_KIND_PKT, &vnf_b, NULL, ab, NULL, err, sizeof(err)), 0);
	assert_int_equal(sv_chain_add(ch, SV_KIND_PKT, &vnf_c, NULL, bc, NULL, err, sizeof(err)), 0);
	assert_int_equal(sv_chain_compile(ch), 0);
	run_packets(ch);
	assert_int_equal(n_seen_by_b, 4);
	/* Only wire_len 600 (6000 bytes) and 1500 (15000) pass B's filter. */
	assert_int_equal(n_seen_by_c, 2);
	assert_int_equal(seen_by_c[0].size, 6000);
	assert_int_equal(seen_by_c[0].dport, 81 + 1000);
	assert_string_equal(seen_by_c[0].host, "host-600");
	assert_true(seen_by_c[0].big);
	assert_int_equal(seen_by_c[1].size, 15000);
	assert_int_equal(seen_by_c[1].dport, 82 + 1000);
	assert_string_equal(seen_by_c[1].host, "host-1500");
	sv_chain_free(ch);
}

static void test_named_converters(void **state)
{
	struct sv_chain *ch = sv_chain_new("t", NULL);
	char err[256];

	n_seen_by_b = n_seen_by_c = 0;
	assert_int_equal(sv_chain_add(ch, SV_KIND_PKT, &vnf_a, NULL, NULL, NULL, err, sizeof(err)), 0);
	assert_int_equal(sv_chain_add(ch, SV_KIND_PKT, &vnf_b, NULL, NULL,
				      "host <- name, size <- bytes; dport<-port", err, sizeof(err)), 0);
	assert_int_equal(sv_chain_add(ch, SV_KIND_PKT, &vnf_c, NULL, NULL,
				      "size <- size, dport <- dport, host <- host, big <- big", err,
				      sizeof(err)), 0);
	assert_int_equal(sv_chain_compile(ch), 0);
	run_packets(ch);
	assert_int_equal(n_seen_by_c, 2);
	assert_int_equal(seen_by_c[1].dport, 82);
	assert_string_equal(seen_by_c[1].host, "host-1500");
	sv_chain_free(ch);
}

static void expect_refused(size_t (*rows)[3], const char *named, const char *needle)
{
	struct sv_chain *ch = sv_chain_new("t", NULL);
	char err[256];

	assert_int_equal(sv_chain_add(ch, SV_KIND_PKT, &vnf_a, NULL, NULL, NULL, err, sizeof(err)), 0);
	assert_int_equal(sv_chain_add(ch, SV_KIND_PKT, &vnf_b, NULL, rows, named, err, sizeof(err)),
			 -EINVAL);
	if (!strstr(err, needle))
		fail_msg("message '%s' does not say '%s'", err, needle);
	/* Both VNFs are named in every message. */
	assert_non_null(strstr(err, "a -> b"));
	assert_int_equal(sv_chain_len(ch), 1);
	sv_chain_free(ch);
}

static void test_bad_rows_refused(void **state)
{
	size_t out_of_range_in[][3] = { { 7, 0, 0 }, { 0, 0, 0 } };
	size_t out_of_range_out[][3] = { { 0, 9, 0 }, { 0, 0, 0 } };
	size_t wrong_type[][3] = { { 1, 1, 0 }, { 0, 0, 0 } };     /* uint64 <- uint16 */
	size_t str_too_long[][3] = { { 0, 2, 0 }, { 0, 0, 0 } };   /* fits: 64 >= 32, taken */
	size_t twice[][3] = { { 2, 1, 0 }, { 2, 1, 0 }, { 0, 0, 0 } };

	expect_refused(out_of_range_in, NULL, "b has no input member 7");
	expect_refused(out_of_range_out, NULL, "a has no output member 9");
	expect_refused(wrong_type, NULL, "b.size (uint64) cannot take a.port (uint16)");
	expect_refused(twice, NULL, "b.dport is filled twice");
	expect_refused(NULL, "host <- nosuch", "a has no output member 'nosuch'");
	expect_refused(NULL, "nosuch <- name", "b has no input member 'nosuch'");
	expect_refused(NULL, "host name", "expected 'member <- member'");

	/* The control: b.host (char[64]) <- a.name (char[32]) is taken, so what
	 * the rows above are refused for is their own fault. */
	{
		struct sv_chain *ch = sv_chain_new("t", NULL);
		char err[256] = "";

		assert_int_equal(sv_chain_add(ch, SV_KIND_PKT, &vnf_a, NULL, NULL, NULL, err,
					      sizeof(err)), 0);
		if (sv_chain_add(ch, SV_KIND_PKT, &vnf_b, NULL, str_too_long, NULL, err,
				 sizeof(err)) != 0)
			fail_msg("b.host <- a.name refused: %s", err);
		assert_int_equal(sv_chain_len(ch), 2);
		sv_chain_free(ch);
	}
}

static void test_string_must_fit(void **state)
{
	/* b.host (char[64]) into a narrower string is refused the other way:
	 * a string may only grow. Check with C's host <- B's host reversed
	 * through a schema with a short string. */
	struct short_in {
		char host[8];
	};
	static const struct sv_member m[] = { SV_FIELD(struct short_in, host) };
	static const struct sv_schema s = { "short_in", sizeof(struct short_in), 1, m };
	pkt_vnf narrow = { .desc = { .name = "narrow", .in = &s, .create = create },
			   .process = c_process };
	size_t rows[][3] = { { 0, 2, 0 }, { 0, 0, 0 } };
	struct sv_chain *ch = sv_chain_new("t", NULL);
	char err[256];

	assert_int_equal(sv_chain_add(ch, SV_KIND_PKT, &vnf_a, NULL, NULL, NULL, err, sizeof(err)), 0);
	assert_int_equal(sv_chain_add(ch, SV_KIND_PKT, &narrow, NULL, rows, NULL, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "narrow.host (char[8]) cannot take a.name (char[32])"));
	sv_chain_free(ch);
}

static void test_first_vnf_has_no_converter(void **state)
{
	size_t rows[][3] = { { 0, 0, (size_t)sv_conv_identity }, { 0, 0, 0 } };
	struct sv_chain *ch = sv_chain_new("t", NULL);
	char err[256];

	assert_int_equal(sv_chain_add(ch, SV_KIND_PKT, &vnf_b, NULL, rows, NULL, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "first VNF"));
	sv_chain_free(ch);
}

static void test_plan_merges_adjacent(void **state)
{
	/* b_out {size, dport, host} -> c_in {size, dport, host} laid out alike:
	 * three rows compile into one copy; with a function on dport, three. */
	struct sv_conv_row rows[] = { { 0, 0, NULL }, { 1, 1, NULL }, { 2, 2, NULL } };
	struct sv_plan plan;

	assert_int_equal(sv_plan_compile(&plan, &b_out_schema, &c_in_schema, rows, 3), 0);
	assert_int_equal(plan.n, 1);
	assert_int_equal(plan.ops[0].len, offsetof(struct b_out, host) + 64);
	sv_plan_free(&plan);
	rows[1].fn = add_1000;
	assert_int_equal(sv_plan_compile(&plan, &b_out_schema, &c_in_schema, rows, 3), 0);
	assert_int_equal(plan.n, 3);
	sv_plan_free(&plan);
}

/* A spec naming nothing gives an empty plan, and running it copies nothing
 * (fuzz_conv: clang's UBSan caught the run doing arithmetic on NULL ops). */
static void test_plan_empty(void **state)
{
	struct b_out out = { .size = 7 };
	struct c_in in = { .size = 9 };
	struct sv_conv_row *rows;
	struct sv_plan plan;
	unsigned n;
	char err[256];

	assert_int_equal(sv_conv_named("b", &b_out_schema, "c", &c_in_schema, " ,; ", &rows, &n,
				       err, sizeof(err)), 0);
	assert_int_equal(n, 0);
	assert_int_equal(sv_plan_compile(&plan, &b_out_schema, &c_in_schema, rows, n), 0);
	assert_int_equal(plan.n, 0);
	assert_null(plan.ops);
	sv_plan_run(&plan, &in, &out);
	assert_int_equal(in.size, 9);
	sv_plan_free(&plan);
	free(rows);
}

/* Every copy length, small ones inline and large ones by memcpy, copies
 * exactly its bytes: none short, none past either end. */
static void test_plan_copies_every_length(void **state)
{
	uint8_t src[160], dst[160];
	struct sv_copy op = { 3, 5, 0, NULL };
	struct sv_plan plan = { 1, &op };

	for (unsigned i = 0; i < sizeof(src); i++)
		src[i] = (uint8_t)(i * 7 + 1);
	for (op.len = 0; op.len <= 140; op.len++) {
		memset(dst, 0xEE, sizeof(dst));
		sv_plan_run(&plan, dst, src);
		assert_memory_equal(dst + 3, src + 5, op.len);
		for (unsigned i = 0; i < sizeof(dst); i++)
			if (i < 3 || i >= 3 + op.len)
				assert_int_equal(dst[i], 0xEE);
	}
}

static void test_schema_types_from_c(void **state)
{
	assert_int_equal(a_out_schema.count, 4);
	assert_int_equal(a_out_members[0].type, SV_T_U32);
	assert_int_equal(a_out_members[1].type, SV_T_U16);
	assert_int_equal(a_out_members[2].type, SV_T_STR);
	assert_int_equal(a_out_members[2].size, 32);
	assert_int_equal(a_out_members[2].offset, offsetof(struct a_out, name));
	assert_int_equal(a_out_members[3].type, SV_T_U64);
	assert_int_equal(b_out_members[3].type, SV_T_BOOL);
}

static int emit_process(void *st, struct sv_vnf_ctx *ctx, const struct sv_pkt *p,
			const void *in, void *out)
{
	struct sv_event *ev = sv_event_begin(ctx, "probe");

	/* "a", a lone continuation byte, "b", an overlong '/', then a real é */
	sv_event_str(ev, "v", "a\x80" "b\xc0\xaf\xc3\xa9", 7);
	sv_event_str(ev, "none", NULL, 0);
	sv_event_end(ev);
	return SV_CONTINUE;
}

/* Events are valid JSON lines even when packet bytes are not UTF-8. */
static void test_event_utf8(void **state)
{
	pkt_vnf emitter = { .desc = { .name = "emitter", .create = create },
			    .process = emit_process };
	char path[] = "/tmp/snapvnf-ev-XXXXXX", line[512], err[128];
	struct sv_chain *ch = sv_chain_new("svc", NULL);
	struct sv_pkt p = { .ts_ns = 1700000000123456789ull, .ip_version = 4,
			    .src = { 10, 0, 0, 1 }, .dst = { 10, 0, 0, 2 }, .proto = 6,
			    .sport = 1234, .dport = 80 };
	json_object *o, *v;
	int fd = mkstemp(path);
	FILE *f;

	assert_true(fd >= 0);
	close(fd);
	sv_event_out_sink(sv_chain_events(ch), sv_sink_open(path));
	assert_int_equal(sv_chain_add(ch, SV_KIND_PKT, &emitter, NULL, NULL, NULL, err, sizeof(err)), 0);
	assert_int_equal(sv_chain_compile(ch), 0);
	sv_chain_pkt(ch, &p);
	sv_chain_free(ch);
	f = fopen(path, "r");
	assert_non_null(fgets(line, sizeof(line), f));
	fclose(f);
	unlink(path);
	o = json_tokener_parse(line);
	assert_non_null(o);
	assert_true(json_object_object_get_ex(o, "v", &v));
	assert_string_equal(json_object_get_string(v), "a\xef\xbf\xbd" "b\xef\xbf\xbd\xef\xbf\xbd\xc3\xa9");
	assert_true(json_object_object_get_ex(o, "none", &v));
	assert_null(v);
	assert_non_null(strstr(line, "\"ts\":1700000000.123456,"));
	assert_non_null(strstr(line, "\"src\":\"10.0.0.1\""));
	assert_non_null(strstr(line, "\"dport\":80"));
	assert_non_null(strstr(line, "\"service\":\"svc\",\"vnf\":\"emitter\",\"event\":\"probe\""));
	json_object_put(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_three_stage_chain),
		cmocka_unit_test(test_named_converters),
		cmocka_unit_test(test_bad_rows_refused),
		cmocka_unit_test(test_string_must_fit),
		cmocka_unit_test(test_first_vnf_has_no_converter),
		cmocka_unit_test(test_plan_merges_adjacent),
		cmocka_unit_test(test_plan_empty),
		cmocka_unit_test(test_plan_copies_every_length),
		cmocka_unit_test(test_schema_types_from_c),
		cmocka_unit_test(test_event_utf8),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
