/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cursor.h - bounds-checked reading of wire data.
 *
 * Every decoder reads packet and datagram fields through a cursor. The
 * first read past the end marks the cursor failed; later reads return 0
 * and keep it failed, so a decoder reads like the spec and checks once
 * (sv_cur_ok) where a decision depends on it. Lengths are compared as
 * "remaining < n", never "off + n > len", so nothing overflows.
 */
#ifndef SV_DECODE_CURSOR_H
#define SV_DECODE_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct sv_cur {
	const uint8_t *base;
	size_t len;
	size_t off;
	bool failed;
};

static inline void sv_cur_init(struct sv_cur *c, const void *base, size_t len)
{
	c->base = base;
	c->len = len;
	c->off = 0;
	c->failed = false;
}

static inline size_t sv_cur_left(const struct sv_cur *c)
{
	return c->failed ? 0 : c->len - c->off;
}

static inline bool sv_cur_ok(const struct sv_cur *c)
{
	return !c->failed;
}

/* True if n more bytes are there; otherwise the cursor fails. */
static inline bool sv_cur_need(struct sv_cur *c, size_t n)
{
	if (c->failed || c->len - c->off < n) {
		c->failed = true;
		return false;
	}
	return true;
}

/* Pointer to the next n bytes and advance, or NULL (cursor failed). */
static inline const uint8_t *sv_cur_take(struct sv_cur *c, size_t n)
{
	const uint8_t *p;

	if (!sv_cur_need(c, n))
		return NULL;
	p = c->base + c->off;
	c->off += n;
	return p;
}

/* Pointer to the current position without advancing (may be at the end). */
static inline const uint8_t *sv_cur_peek(const struct sv_cur *c)
{
	return c->base + c->off;
}

static inline void sv_cur_skip(struct sv_cur *c, size_t n)
{
	(void)sv_cur_take(c, n);
}

static inline uint8_t sv_cur_u8(struct sv_cur *c)
{
	const uint8_t *p = sv_cur_take(c, 1);

	return p ? p[0] : 0;
}

static inline uint16_t sv_cur_be16(struct sv_cur *c)
{
	const uint8_t *p = sv_cur_take(c, 2);

	return p ? (uint16_t)(p[0] << 8 | p[1]) : 0;
}

static inline uint32_t sv_cur_be24(struct sv_cur *c)
{
	const uint8_t *p = sv_cur_take(c, 3);

	return p ? (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2] : 0;
}

static inline uint32_t sv_cur_be32(struct sv_cur *c)
{
	const uint8_t *p = sv_cur_take(c, 4);

	return p ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
			   (uint32_t)p[2] << 8 | p[3]
		 : 0;
}

static inline uint64_t sv_cur_be64(struct sv_cur *c)
{
	uint64_t hi = sv_cur_be32(c);

	return hi << 32 | sv_cur_be32(c);
}

/*
 * Copy n bytes out (zero-filled on failure). memcpy, not a byte loop: with
 * n known where this is inlined (an address: 4 or 16 bytes) it is one or
 * two moves, where the loop cost a test and a branch per byte (a tenth of
 * the daemon's instructions per packet).
 */
static inline bool sv_cur_copy(struct sv_cur *c, void *dst, size_t n)
{
	const uint8_t *p = sv_cur_take(c, n);

	if (p)
		memcpy(dst, p, n);
	else
		memset(dst, 0, n);
	return p != NULL;
}

/*
 * A cursor over the next n bytes, and advance past them. When fewer than n
 * are left, the sub-cursor gets what is there and *short_out is set (if
 * given): the caller tells "truncated" (short capture) from "malformed".
 */
static inline struct sv_cur sv_cur_sub(struct sv_cur *c, size_t n, bool *short_out)
{
	struct sv_cur s;
	size_t left = sv_cur_left(c);
	size_t take = n < left ? n : left;

	sv_cur_init(&s, c->base + (c->failed ? 0 : c->off), c->failed ? 0 : take);
	if (short_out)
		*short_out = take < n;
	if (!c->failed)
		c->off += take;
	return s;
}

#endif
