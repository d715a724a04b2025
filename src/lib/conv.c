/* SPDX-License-Identifier: BSD-3-Clause */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <snapvnf/service.h>

#include "lib/conv.h"

void sv_conv_identity(void *value)
{
}

const char *sv_type_name(const struct sv_member *m, char *buf, size_t size)
{
	static const char *const names[] = {
		[SV_T_BOOL] = "bool", [SV_T_U8] = "uint8", [SV_T_U16] = "uint16",
		[SV_T_U32] = "uint32", [SV_T_U64] = "uint64", [SV_T_I32] = "int32",
		[SV_T_I64] = "int64", [SV_T_DOUBLE] = "double", [SV_T_ADDR] = "address",
	};

	if (m->type == SV_T_STR)
		snprintf(buf, size, "char[%u]", m->size);
	else if (m->type == SV_T_BYTES)
		snprintf(buf, size, "bytes[%u]", m->size);
	else if (m->type > 0 && m->type < (int)(sizeof(names) / sizeof(names[0])) && names[m->type])
		snprintf(buf, size, "%s", names[m->type]);
	else
		snprintf(buf, size, "type %d", (int)m->type);
	return buf;
}

/* A member name a converter can write: [a-z0-9_], not empty. */
static bool name_ok(const char *name)
{
	if (!name || !*name)
		return false;
	for (const char *c = name; *c; c++)
		if (!(islower((unsigned char)*c) || isdigit((unsigned char)*c) || *c == '_'))
			return false;
	return true;
}

int sv_schema_check(const struct sv_schema *s, char *err, size_t errlen)
{
	if (!s->name || !s->members || s->count == 0 || s->count > 4096 || s->size == 0) {
		snprintf(err, errlen, "schema %s: no name, no members or no size",
			 s->name ? s->name : "(unnamed)");
		return -EINVAL;
	}
	for (uint32_t i = 0; i < s->count; i++) {
		const struct sv_member *m = &s->members[i];

		if (!name_ok(m->name)) {
			snprintf(err, errlen, "schema %s: member %u's name \"%s\" is not [a-z0-9_]",
				 s->name, i, m->name ? m->name : "");
			return -EINVAL;
		}
		if (m->type < SV_T_BOOL || m->type > SV_T_BYTES) {
			snprintf(err, errlen, "schema %s: member %s has unknown type %d", s->name,
				 m->name, (int)m->type);
			return -EINVAL;
		}
		if (m->size == 0 || m->offset > s->size || s->size - m->offset < m->size) {
			snprintf(err, errlen, "schema %s: member %s (bytes %u to %u) lies outside "
				 "the struct's %u bytes", s->name, m->name, m->offset,
				 m->offset + m->size, s->size);
			return -EINVAL;
		}
		for (uint32_t j = 0; j < i; j++) {
			if (strcmp(s->members[j].name, m->name) == 0) {
				snprintf(err, errlen, "schema %s: member %s appears twice", s->name,
					 m->name);
				return -EINVAL;
			}
		}
	}
	return 0;
}

/* Can output member s feed input member d? Strings may grow (the copy
 * carries the terminating NUL); everything else must match exactly. */
static bool fits(const struct sv_member *d, const struct sv_member *s)
{
	if (d->type != s->type)
		return false;
	return d->type == SV_T_STR ? d->size >= s->size : d->size == s->size;
}

static int check_row(const char *from, const struct sv_schema *os, const char *to,
		     const struct sv_schema *is, size_t dst, size_t src, size_t row,
		     const struct sv_conv_row *done, unsigned ndone, char *err, size_t errlen)
{
	char tb1[32], tb2[32];

	if (dst >= is->count) {
		snprintf(err, errlen, "converter %s -> %s, row %zu: %s has no input member %zu "
			 "(its input %s has %u)", from, to, row, to, dst, is->name, is->count);
		return -EINVAL;
	}
	if (src >= os->count) {
		snprintf(err, errlen, "converter %s -> %s, row %zu: %s has no output member %zu "
			 "(its output %s has %u)", from, to, row, from, src, os->name, os->count);
		return -EINVAL;
	}
	if (!fits(&is->members[dst], &os->members[src])) {
		snprintf(err, errlen, "converter %s -> %s, row %zu: %s.%s (%s) cannot take %s.%s (%s)",
			 from, to, row, to, is->members[dst].name,
			 sv_type_name(&is->members[dst], tb1, sizeof(tb1)), from,
			 os->members[src].name, sv_type_name(&os->members[src], tb2, sizeof(tb2)));
		return -EINVAL;
	}
	for (unsigned i = 0; i < ndone; i++) {
		if (done[i].dst == dst) {
			snprintf(err, errlen, "converter %s -> %s, row %zu: %s.%s is filled twice",
				 from, to, row, to, is->members[dst].name);
			return -EINVAL;
		}
	}
	return 0;
}

static int need_schemas(const char *from, const struct sv_schema *os, const char *to,
			const struct sv_schema *is, char *err, size_t errlen)
{
	if (!os) {
		snprintf(err, errlen, "converter %s -> %s: %s has no output metadata", from, to,
			 from);
		return -EINVAL;
	}
	if (!is) {
		snprintf(err, errlen, "converter %s -> %s: %s takes no input metadata", from, to, to);
		return -EINVAL;
	}
	return 0;
}

int sv_conv_rows(const char *from, const struct sv_schema *os, const char *to,
		 const struct sv_schema *is, size_t (*rows)[3], struct sv_conv_row **out,
		 unsigned *n_out, char *err, size_t errlen)
{
	struct sv_conv_row *r = NULL;
	unsigned n = 0;
	int rc;

	*out = NULL;
	*n_out = 0;
	if ((rc = need_schemas(from, os, to, is, err, errlen)) < 0)
		return rc;
	for (size_t i = 0; rows[i][0] || rows[i][1] || rows[i][2]; i++) {
		struct sv_conv_row *grown;

		/* A table without its {0,0,0} end would run past it: no real
		 * schema has this many members, so stop and say so. */
		if (i >= 4096) {
			snprintf(err, errlen, "converter %s -> %s: no {0, 0, 0} row ends the table",
				 from, to);
			free(r);
			return -EINVAL;
		}
		rc = check_row(from, os, to, is, rows[i][0], rows[i][1], i, r, n, err, errlen);
		if (rc < 0) {
			free(r);
			return rc;
		}
		grown = realloc(r, (n + 1) * sizeof(*r));
		if (!grown) {
			free(r);
			return -ENOMEM;
		}
		r = grown;
		r[n++] = (struct sv_conv_row){ (uint32_t)rows[i][0], (uint32_t)rows[i][1],
					       (sv_conv_fn)rows[i][2] };
	}
	*out = r;
	*n_out = n;
	return 0;
}

static int member_index(const struct sv_schema *s, const char *name, size_t len)
{
	for (unsigned i = 0; i < s->count; i++)
		if (strlen(s->members[i].name) == len && memcmp(s->members[i].name, name, len) == 0)
			return (int)i;
	return -1;
}

int sv_conv_named(const char *from, const struct sv_schema *os, const char *to,
		  const struct sv_schema *is, const char *spec, struct sv_conv_row **out,
		  unsigned *n_out, char *err, size_t errlen)
{
	struct sv_conv_row *r = NULL;
	const char *p = spec;
	unsigned n = 0;
	int rc;

	*out = NULL;
	*n_out = 0;
	if ((rc = need_schemas(from, os, to, is, err, errlen)) < 0)
		return rc;
	while (*p) {
		const char *d, *s;
		size_t dl, sl;
		int di, si;
		struct sv_conv_row *grown;

		while (isspace((unsigned char)*p) || *p == ',' || *p == ';')
			p++;
		if (!*p)
			break;
		d = p;
		dl = strcspn(d, " \t<,;");
		p = d + dl;
		while (isspace((unsigned char)*p))
			p++;
		if (strncmp(p, "<-", 2) != 0 || dl == 0) {
			snprintf(err, errlen, "converter %s -> %s: expected 'member <- member' at '%.40s'",
				 from, to, d);
			rc = -EINVAL;
			goto fail;
		}
		p += 2;
		while (isspace((unsigned char)*p))
			p++;
		s = p;
		sl = strcspn(s, " \t,;");
		p = s + sl;
		di = member_index(is, d, dl);
		si = member_index(os, s, sl);
		if (di < 0 || si < 0 || sl == 0) {
			snprintf(err, errlen, "converter %s -> %s: %s has no %s member '%.*s'", from, to,
				 di < 0 ? to : from, di < 0 ? "input" : "output",
				 di < 0 ? (int)dl : (int)sl, di < 0 ? d : s);
			rc = -EINVAL;
			goto fail;
		}
		rc = check_row(from, os, to, is, (size_t)di, (size_t)si, n, r, n, err, errlen);
		if (rc < 0)
			goto fail;
		grown = realloc(r, (n + 1) * sizeof(*r));
		if (!grown) {
			rc = -ENOMEM;
			goto fail;
		}
		r = grown;
		r[n++] = (struct sv_conv_row){ (uint32_t)di, (uint32_t)si, NULL };
	}
	*out = r;
	*n_out = n;
	return 0;
fail:
	free(r);
	return rc;
}

int sv_conv_auto(const struct sv_schema *os, const struct sv_schema *is,
		 struct sv_conv_row **out, unsigned *n_out)
{
	struct sv_conv_row *r;
	unsigned n = 0;

	*out = NULL;
	*n_out = 0;
	if (!os || !is)
		return 0;
	r = calloc(is->count, sizeof(*r));
	if (!r)
		return -ENOMEM;
	for (unsigned d = 0; d < is->count; d++) {
		const struct sv_member *dm = &is->members[d];
		int s = member_index(os, dm->name, strlen(dm->name));

		if (s >= 0 && fits(dm, &os->members[s]))
			r[n++] = (struct sv_conv_row){ d, (uint32_t)s, NULL };
	}
	*out = r;
	*n_out = n;
	return 0;
}

static int by_dst(const void *a, const void *b)
{
	const struct sv_copy *x = a, *y = b;

	return (x->dst_off > y->dst_off) - (x->dst_off < y->dst_off);
}

int sv_plan_compile(struct sv_plan *plan, const struct sv_schema *os,
		    const struct sv_schema *is, const struct sv_conv_row *rows, unsigned n)
{
	struct sv_copy *ops;
	unsigned k = 0;

	plan->n = 0;
	plan->ops = NULL;
	if (n == 0)
		return 0;
	ops = calloc(n, sizeof(*ops));
	if (!ops)
		return -ENOMEM;
	for (unsigned i = 0; i < n; i++) {
		const struct sv_member *d = &is->members[rows[i].dst];
		const struct sv_member *s = &os->members[rows[i].src];

		/* A string copy takes the source's size: the NUL is inside. */
		ops[i] = (struct sv_copy){ d->offset, s->offset, s->size,
					   rows[i].fn == sv_conv_identity ? NULL : rows[i].fn };
	}
	qsort(ops, n, sizeof(*ops), by_dst);
	/* Merge runs that are adjacent on both sides: one memcpy for a block
	 * of members laid out alike. A function stays on its own member. */
	for (unsigned i = 0; i < n; i++) {
		struct sv_copy *last = k ? &ops[k - 1] : NULL;

		if (last && !last->fn && !ops[i].fn && last->dst_off + last->len == ops[i].dst_off &&
		    last->src_off + last->len == ops[i].src_off)
			last->len += ops[i].len;
		else
			ops[k++] = ops[i];
	}
	plan->ops = ops;
	plan->n = k;
	return 0;
}

void sv_plan_free(struct sv_plan *plan)
{
	free(plan->ops);
	plan->ops = NULL;
	plan->n = 0;
}
