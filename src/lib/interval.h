/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * interval.h - fixed intervals of item time, for VNFs that count over an
 * interval and judge or report at its end.
 *
 * The first item starts the first interval; the next ones follow on the
 * grid [start + k * len, start + (k + 1) * len). An interval ends when an
 * item or a tick at or past its end is seen - whichever comes first - so
 * it always lasts exactly len, and a rate over it is count / len. Time is
 * item time (a replay runs as recorded); an item older than the current
 * start (another agent's clock, reordering) counts in the current one.
 */
#ifndef SV_INTERVAL_H
#define SV_INTERVAL_H

#include <stdbool.h>
#include <stdint.h>

#define SV_NS_PER_S 1000000000ull

struct sv_interval {
	uint64_t len_ns;
	uint64_t start_ns;  /* of the current interval; 0: no item yet */
	uint64_t last_ns;   /* newest item time */
};

/*
 * Call with each item's time (item = true) and at each tick. Returns
 * true when the current interval ended before now_ns: the caller closes
 * it (its start is *ended, its length len_ns) before counting the item;
 * the interval holding now_ns is then current. A tick never starts the
 * first interval.
 */
static inline bool sv_interval_roll(struct sv_interval *iv, uint64_t now_ns, bool item,
				    uint64_t *ended)
{
	uint64_t passed;

	if (!iv->start_ns) {
		if (item)
			iv->start_ns = iv->last_ns = now_ns;
		return false;
	}
	if (item && now_ns > iv->last_ns)
		iv->last_ns = now_ns;
	if (now_ns < iv->start_ns || now_ns - iv->start_ns < iv->len_ns)
		return false;
	passed = now_ns - iv->start_ns;
	*ended = iv->start_ns;
	iv->start_ns += passed - passed % iv->len_ns;
	return true;
}

/* How long the interval in progress has run at the end of the stream:
 * from its start to the newest item. */
static inline uint64_t sv_interval_partial(const struct sv_interval *iv)
{
	return iv->last_ns > iv->start_ns ? iv->last_ns - iv->start_ns : 0;
}

#endif
