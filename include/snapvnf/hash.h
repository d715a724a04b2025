/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * snapvnf/hash.h - a seeded hash of short keys for the VNFs' fixed-size tables
 * and filters. Not cryptographic: the seed, drawn per table, only keeps
 * traffic from aiming many keys at one bucket or bit on purpose.
 */
#ifndef SNAPVNF_HASH_H
#define SNAPVNF_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

/* MurmurHash3's 64-bit finaliser. */
static inline uint64_t sv_hash_mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 33;
	return h;
}

static inline uint64_t sv_hash(const void *key, size_t len, uint64_t seed)
{
	const unsigned char *k = key;
	uint64_t h = seed ^ (len * 0x9e3779b97f4a7c15ull);
	size_t i = 0;

	for (; len - i >= 8; i += 8) {
		uint64_t w;

		memcpy(&w, k + i, 8);
		h = sv_hash_mix(h ^ w);
	}
	if (i < len) {
		uint64_t w = 0;

		memcpy(&w, k + i, len - i);
		h = sv_hash_mix(h ^ w ^ 0x80);
	}
	return h;
}

static inline uint64_t sv_hash_seed(void)
{
	uint64_t s;

	if (getrandom(&s, sizeof(s), GRND_NONBLOCK) == (ssize_t)sizeof(s))
		return s;
	/* No entropy yet (early boot): the clock still varies per run. */
	return sv_hash_mix((uint64_t)time(NULL) ^ (uint64_t)(uintptr_t)&s);
}

#endif
