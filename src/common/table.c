/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * table.c - fixed-size set-associative tables (see table.h).
 *
 * An entry is a used flag, the key and the value, each rounded to 8
 * bytes so the value (whose first member is the uint64_t weight) is
 * aligned; the table is one array of them, a bucket being WAYS adjacent
 * entries, so a lookup reads a few cache lines and nothing else.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <snapvnf/hash.h>
#include <snapvnf/table.h>

#define ALIGN8(n) (((n) + 7) & ~(size_t)7)
#define TABLE_MAX_ENTRIES (1u << 26)
#define TABLE_MAX_KEY 256

struct sv_table {
	size_t nbuckets;    /* a power of two */
	size_t key_size, value_size;
	size_t stride;      /* bytes per entry */
	size_t key_off, value_off;
	size_t count;
	uint64_t seed;
	unsigned char *mem;
};

/* Entry layout: uint64_t used; key; value. */
static inline unsigned char *entry_at(const struct sv_table *t, size_t i)
{
	return t->mem + i * t->stride;
}

static inline uint64_t *entry_used(unsigned char *e)
{
	return (uint64_t *)e;
}

struct sv_table *sv_table_new(size_t entries, size_t key_size, size_t value_size)
{
	struct sv_table *t;
	size_t n = SV_TABLE_WAYS;

	if (key_size == 0 || key_size > TABLE_MAX_KEY || value_size < sizeof(uint64_t) ||
	    entries > TABLE_MAX_ENTRIES) {
		errno = EINVAL;
		return NULL;
	}
	while (n < entries)
		n <<= 1;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->nbuckets = n / SV_TABLE_WAYS;
	t->key_size = key_size;
	t->value_size = value_size;
	t->key_off = sizeof(uint64_t);
	t->value_off = t->key_off + ALIGN8(key_size);
	t->stride = t->value_off + ALIGN8(value_size);
	t->seed = sv_hash_seed();
	t->mem = calloc(n, t->stride);
	if (!t->mem) {
		free(t);
		errno = ENOMEM;
		return NULL;
	}
	return t;
}

void sv_table_free(struct sv_table *t)
{
	if (!t)
		return;
	free(t->mem);
	free(t);
}

static unsigned char *bucket_of(const struct sv_table *t, const void *key)
{
	return entry_at(t, (sv_hash(key, t->key_size, t->seed) & (t->nbuckets - 1)) *
			    SV_TABLE_WAYS);
}

void *sv_table_find(const struct sv_table *t, const void *key)
{
	unsigned char *b = bucket_of(t, key);

	for (unsigned w = 0; w < SV_TABLE_WAYS; w++) {
		unsigned char *e = b + w * t->stride;

		if (*entry_used(e) && memcmp(e + t->key_off, key, t->key_size) == 0)
			return e + t->value_off;
	}
	return NULL;
}

void *sv_table_get(struct sv_table *t, const void *key, bool *evicted)
{
	unsigned char *b = bucket_of(t, key), *free_e = NULL, *light = NULL;
	uint64_t light_w = UINT64_MAX;

	*evicted = false;
	for (unsigned w = 0; w < SV_TABLE_WAYS; w++) {
		unsigned char *e = b + w * t->stride;
		uint64_t weight;

		if (!*entry_used(e)) {
			if (!free_e)
				free_e = e;
			continue;
		}
		if (memcmp(e + t->key_off, key, t->key_size) == 0)
			return e + t->value_off;
		memcpy(&weight, e + t->value_off, sizeof(weight));
		if (weight < light_w) {
			light_w = weight;
			light = e;
		}
	}
	if (!free_e) {
		free_e = light;
		*evicted = true;
	} else {
		t->count++;
	}
	*entry_used(free_e) = 1;
	memcpy(free_e + t->key_off, key, t->key_size);
	memset(free_e + t->value_off, 0, t->value_size);
	return free_e + t->value_off;
}

void *sv_table_victim(const struct sv_table *t, const void *key, const void **victim_key)
{
	unsigned char *b = bucket_of(t, key), *light = NULL;
	uint64_t light_w = UINT64_MAX;

	for (unsigned w = 0; w < SV_TABLE_WAYS; w++) {
		unsigned char *e = b + w * t->stride;
		uint64_t weight;

		if (!*entry_used(e) || memcmp(e + t->key_off, key, t->key_size) == 0)
			return NULL;
		memcpy(&weight, e + t->value_off, sizeof(weight));
		if (weight < light_w) {
			light_w = weight;
			light = e;
		}
	}
	if (victim_key)
		*victim_key = light + t->key_off;
	return light + t->value_off;
}

void sv_table_del(struct sv_table *t, void *value)
{
	unsigned char *e = (unsigned char *)value - t->value_off;

	if (*entry_used(e)) {
		*entry_used(e) = 0;
		t->count--;
	}
}

void sv_table_clear(struct sv_table *t)
{
	memset(t->mem, 0, t->nbuckets * SV_TABLE_WAYS * t->stride);
	t->count = 0;
}

size_t sv_table_count(const struct sv_table *t)
{
	return t->count;
}

void *sv_table_next(const struct sv_table *t, size_t *pos, const void **key)
{
	size_t n = t->nbuckets * SV_TABLE_WAYS;

	for (; *pos < n; (*pos)++) {
		unsigned char *e = entry_at(t, *pos);

		if (*entry_used(e)) {
			(*pos)++;
			if (key)
				*key = e + t->key_off;
			return e + t->value_off;
		}
	}
	return NULL;
}
