/* SPDX-License-Identifier: BSD-3-Clause */
/* culprit.c - the heaviest source of a destination (culprit.h). */
#include <stdlib.h>
#include <string.h>

#include <snapvnf/table.h>
#include <snapvnf/culprit.h>

/* A (src, dst) pair, or (none, dst) for the destination's total. */
struct pair_key {
	struct sv_addr src;
	struct sv_addr dst;
};

struct pair_val {
	uint64_t weight;  /* cur + last: the table's eviction weight */
	uint64_t cur;
	uint64_t last;
};

struct sv_culprits {
	struct sv_table *t;
};

struct sv_culprits *sv_culprits_new(size_t entries)
{
	struct sv_culprits *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->t = sv_table_new(entries, sizeof(struct pair_key), sizeof(struct pair_val));
	if (!c->t) {
		free(c);
		return NULL;
	}
	return c;
}

void sv_culprits_free(struct sv_culprits *c)
{
	if (!c)
		return;
	sv_table_free(c->t);
	free(c);
}

static void key_of(struct pair_key *k, const struct sv_addr *src, const struct sv_addr *dst)
{
	memset(k, 0, sizeof(*k));
	if (src) {
		k->src.family = src->family;
		memcpy(k->src.a, src->a, sizeof(k->src.a));
	}
	k->dst.family = dst->family;
	memcpy(k->dst.a, dst->a, sizeof(k->dst.a));
}

void sv_culprits_add(struct sv_culprits *c, const struct sv_addr *src, const struct sv_addr *dst,
		     uint64_t w)
{
	struct pair_key k;
	struct pair_val *v;
	bool evicted;

	for (int i = 0; i < 2; i++) {
		key_of(&k, i ? NULL : src, dst);
		v = sv_table_get(c->t, &k, &evicted);
		v->cur += w;
		v->weight = v->cur + v->last;
	}
}

double sv_culprits_share(const struct sv_culprits *c, const struct sv_addr *src,
			 const struct sv_addr *dst)
{
	struct pair_key k;
	const struct pair_val *p, *t;

	key_of(&k, src, dst);
	p = sv_table_find(c->t, &k);
	key_of(&k, NULL, dst);
	t = sv_table_find(c->t, &k);
	if (!p || !t || !(t->cur + t->last))
		return 0;
	return (double)(p->cur + p->last) / (double)(t->cur + t->last);
}

void sv_culprits_roll(struct sv_culprits *c)
{
	struct pair_val *v;
	size_t pos = 0;

	while ((v = sv_table_next(c->t, &pos, NULL)) != NULL) {
		if (!v->cur && !v->last) {
			sv_table_del(c->t, v);
			continue;
		}
		v->last = v->cur;
		v->cur = 0;
		v->weight = v->last;
	}
}
