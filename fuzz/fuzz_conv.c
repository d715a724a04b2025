/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_conv.c - libFuzzer harness for sv_conv_named(), the converter
 * specs of service files and `snapvnf run` ("dst <- src, dst <- src").
 *
 * The input is one spec, checked between fixed pairs of schemas: the
 * built-in http_request -> url_filter, two made-up ones with a member of
 * every type and sizes that do and do not fit, and a missing schema on
 * either side. A spec that passes must name real members that fit, each
 * input member once; its plan is then compiled and run between buffers of
 * exactly the schemas' sizes, so AddressSanitizer catches a copy that
 * leaves them. A spec that fails says why and hands back nothing.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <snapvnf/builtin.h>

#include "lib/conv.h"

struct wide {
	bool on;
	uint8_t u8;
	uint16_t port;
	uint32_t u32;
	uint64_t bytes;
	int32_t i32;
	int64_t i64;
	double share;
	struct sv_addr addr;
	char host[128];
	char tag[8];
	uint8_t raw[6];
};
SV_SCHEMA(wide,
	  SV_FIELD(struct wide, on), SV_FIELD(struct wide, u8), SV_FIELD(struct wide, port),
	  SV_FIELD(struct wide, u32), SV_FIELD(struct wide, bytes), SV_FIELD(struct wide, i32),
	  SV_FIELD(struct wide, i64), SV_FIELD(struct wide, share), SV_FIELD(struct wide, addr),
	  SV_FIELD(struct wide, host), SV_FIELD(struct wide, tag), SV_FIELD(struct wide, raw));

/* Same names, other sizes: a longer and a shorter string, other ints. */
struct narrow {
	char host[256];
	char tag[4];
	uint32_t port;
	uint64_t bytes;
	struct sv_addr addr;
	uint8_t raw[6];
	bool on;
	double share;
};
SV_SCHEMA(narrow,
	  SV_FIELD(struct narrow, host), SV_FIELD(struct narrow, tag),
	  SV_FIELD(struct narrow, port), SV_FIELD(struct narrow, bytes),
	  SV_FIELD(struct narrow, addr), SV_FIELD(struct narrow, raw),
	  SV_FIELD(struct narrow, on), SV_FIELD(struct narrow, share));

static bool fits(const struct sv_member *d, const struct sv_member *s)
{
	if (d->type != s->type)
		return false;
	return d->type == SV_T_STR ? d->size >= s->size : d->size == s->size;
}

static void check(const struct sv_schema *os, const struct sv_schema *is, const char *spec)
{
	struct sv_conv_row *rows = (struct sv_conv_row *)1;
	struct sv_plan plan;
	unsigned n = 1;
	char err[256] = "";
	int rc;

	rc = sv_conv_named("prev", os, "next", is, spec, &rows, &n, err, sizeof(err));
	if (rc < 0) {
		if (rc != -EINVAL || rows || n || !err[0] || !memchr(err, '\0', sizeof(err)))
			abort();
		return;
	}
	if (rc != 0 || (n && !rows) || !os || !is || n > is->count)
		abort();
	for (unsigned i = 0; i < n; i++) {
		if (rows[i].dst >= is->count || rows[i].src >= os->count || rows[i].fn ||
		    !fits(&is->members[rows[i].dst], &os->members[rows[i].src]))
			abort();
		for (unsigned k = 0; k < i; k++)
			if (rows[k].dst == rows[i].dst)
				abort();
	}
	if (sv_plan_compile(&plan, os, is, rows, n) == 0) {
		uint8_t *in = malloc(is->size), *out = malloc(os->size);

		for (unsigned i = 0; i < plan.n; i++) {
			const struct sv_copy *c = &plan.ops[i];

			if (c->len > is->size || c->dst_off > is->size - c->len ||
			    c->len > os->size || c->src_off > os->size - c->len)
				abort();
		}
		if (in && out) {
			memset(out, 0xa5, os->size);
			sv_plan_run(&plan, in, out);
		}
		free(in);
		free(out);
		sv_plan_free(&plan);
	}
	free(rows);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct sv_schema *pairs[][2] = {
		{ sv_vnf_http_request.desc.out, sv_vnf_url_filter.desc.in },
		{ &wide_schema, &narrow_schema },
		{ &narrow_schema, &wide_schema },
		{ &wide_schema, &wide_schema },
		{ NULL, &wide_schema },
		{ &wide_schema, NULL },
	};
	char *spec = malloc(size + 1);

	if (!spec)
		return 0;
	memcpy(spec, data, size);
	spec[size] = '\0';
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++)
		check(pairs[i][0], pairs[i][1], spec);
	free(spec);
	return 0;
}
