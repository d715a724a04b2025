/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * snapvnf/table.h - per-key state of fixed size (per host, per pair of hosts) for
 * VNFs that must not grow with what the network sends them.
 *
 * Set-associative: a key hashes (with a seed drawn per table, so nobody
 * outside can aim keys at one bucket) to a bucket of SV_TABLE_WAYS
 * entries. A new key in a full bucket evicts the entry of that bucket
 * with the smallest weight - the first uint64_t of the value, which the
 * caller keeps (bytes, samples, ...) - so heavy keys stay and a flood of
 * new keys churns only the light ones. Every operation touches one
 * bucket. Not thread-safe: one table per VNF instance.
 */
#ifndef SNAPVNF_TABLE_H
#define SNAPVNF_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <snapvnf/api.h>

#define SV_TABLE_WAYS 8

struct sv_table;

/*
 * A table of at least `entries` entries (rounded up to a power of two, at
 * least SV_TABLE_WAYS) of key_size-byte keys, compared byte for byte (so
 * clear a key's padding), and value_size-byte values (at least 8: the
 * weight). Returns NULL and sets errno (EINVAL, ENOMEM).
 */
SV_API struct sv_table *sv_table_new(size_t entries, size_t key_size, size_t value_size);
/* Accepts NULL. */
SV_API void sv_table_free(struct sv_table *t);

/* The value of key, or NULL. */
SV_API void *sv_table_find(const struct sv_table *t, const void *key);
/*
 * The value of key; when absent, inserted with a zeroed value, evicting
 * the lightest entry of a full bucket (*evicted is then true). Never NULL.
 */
SV_API void *sv_table_get(struct sv_table *t, const void *key, bool *evicted);
/*
 * The entry sv_table_get(t, key) would evict: the lightest of key's full
 * bucket, with its key in *victim_key (may be NULL); NULL when key is
 * there or its bucket has room. For a caller that must hand an entry on
 * before it is overwritten.
 */
SV_API void *sv_table_victim(const struct sv_table *t, const void *key,
			     const void **victim_key);
/* Remove the entry whose value this is (from sv_table_get/find/next). */
SV_API void sv_table_del(struct sv_table *t, void *value);
/* Remove every entry. */
SV_API void sv_table_clear(struct sv_table *t);
SV_API size_t sv_table_count(const struct sv_table *t);

/*
 * Walk the entries: start with *pos = 0; returns the next value and its
 * key in *key (may be NULL), or NULL at the end. Deleting the entry just
 * returned is allowed during the walk; inserting is not.
 */
SV_API void *sv_table_next(const struct sv_table *t, size_t *pos, const void **key);

#endif
