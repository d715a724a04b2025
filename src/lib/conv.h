/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * conv.h - metadata converters: check them once, compile them into copy
 * plans, run the plan per item.
 *
 * The original design walked its index table for every item and copied
 * member by member; here the rows are resolved to offsets and sizes at
 * start, sorted, and adjacent members merged into one copy, so a link in
 * the chain costs a few memcpy calls and no lookups.
 */
#ifndef SV_CONV_H
#define SV_CONV_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <snapvnf/vnf.h>

typedef void (*sv_conv_fn)(void *value);

/* One checked row: member indices and the adjusting function. */
struct sv_conv_row {
	uint32_t dst;  /* member of the input schema */
	uint32_t src;  /* member of the previous output schema */
	sv_conv_fn fn;
};

struct sv_copy {
	uint32_t dst_off, src_off, len;
	sv_conv_fn fn;
};

struct sv_plan {
	unsigned n;
	struct sv_copy *ops;
};

/*
 * Check index rows (ended by {0,0,0}) against the schemas and append them
 * to *out (malloc'd, *n_out entries). `from`/`to` are the VNF names for
 * messages. Returns 0 or -EINVAL with the reason in err.
 */
int sv_conv_rows(const char *from, const struct sv_schema *out_schema, const char *to,
		 const struct sv_schema *in_schema, size_t (*rows)[3],
		 struct sv_conv_row **out, unsigned *n_out, char *err, size_t errlen);
/* The same from "dst <- src, dst <- src". */
int sv_conv_named(const char *from, const struct sv_schema *out_schema, const char *to,
		  const struct sv_schema *in_schema, const char *spec,
		  struct sv_conv_row **out, unsigned *n_out, char *err, size_t errlen);
/*
 * Match members by name and type: every input member for which the
 * previous output has a member of the same name, type and a fitting size.
 * Used by `snapvnf run`. Returns 0 or -ENOMEM.
 */
int sv_conv_auto(const struct sv_schema *out_schema, const struct sv_schema *in_schema,
		 struct sv_conv_row **out, unsigned *n_out);

/* Compile checked rows into a plan (sorted, merged). Returns 0 or -ENOMEM. */
int sv_plan_compile(struct sv_plan *plan, const struct sv_schema *out_schema,
		    const struct sv_schema *in_schema, const struct sv_conv_row *rows, unsigned n);
void sv_plan_free(struct sv_plan *plan);

/*
 * Copy len bytes between buffers that do not overlap. Members of up to 64
 * bytes (most of them) are copied inline with fixed-size moves, two of
 * them overlapping, instead of calling memcpy with a size known only at
 * run time: a plan is mostly such small copies.
 */
static inline void sv_plan_copy(uint8_t *d, const uint8_t *s, uint32_t len)
{
	if (len > 64) {
		memcpy(d, s, len);
	} else if (len > 32) {
		memcpy(d, s, 16);
		memcpy(d + 16, s + 16, 16);
		memcpy(d + len - 32, s + len - 32, 16);
		memcpy(d + len - 16, s + len - 16, 16);
	} else if (len > 16) {
		memcpy(d, s, 16);
		memcpy(d + len - 16, s + len - 16, 16);
	} else if (len >= 8) {
		memcpy(d, s, 8);
		memcpy(d + len - 8, s + len - 8, 8);
	} else if (len >= 4) {
		memcpy(d, s, 4);
		memcpy(d + len - 4, s + len - 4, 4);
	} else if (len >= 2) {
		memcpy(d, s, 2);
		memcpy(d + len - 2, s + len - 2, 2);
	} else if (len) {
		*d = *s;
	}
}

/* Run a plan: fill `in` from `prev_out`. */
static inline void sv_plan_run(const struct sv_plan *plan, void *in, const void *prev_out)
{
	const struct sv_copy *ops = plan->ops;
	unsigned n = plan->n;

	/* By index: an empty plan's ops is NULL, and NULL + 0 is undefined in C. */
	for (unsigned i = 0; i < n; i++) {
		const struct sv_copy *c = &ops[i];
		uint8_t *d = (uint8_t *)in + c->dst_off;

		sv_plan_copy(d, (const uint8_t *)prev_out + c->src_off, c->len);
		if (c->fn)
			c->fn(d);
	}
}

/*
 * Can converters use this schema? Members named [a-z0-9_] once each, of a
 * known type, non-empty and inside the struct. Checked for every VNF a
 * program loads (a plugin's schema is not trusted). Returns 0 or -EINVAL
 * with the reason in err.
 */
int sv_schema_check(const struct sv_schema *s, char *err, size_t errlen);

/* "char[128]", "uint16", … for messages. */
const char *sv_type_name(const struct sv_member *m, char *buf, size_t size);

#endif
