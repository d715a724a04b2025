/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * stats.h - a service's named counters, in a small shared segment the
 * daemon hands over at hello, so the daemon reads them for `snapvnf status`
 * without a message per update.
 *
 * The service writes; the daemon only reads and must treat every byte as
 * untrusted (names are copied bounded and sanitised). A counter's name is
 * published before count is raised (release), pairing with the daemon's
 * acquire load of count.
 */
#ifndef SV_STATS_H
#define SV_STATS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#define SV_STAT_NAME_MAX 56
#define SV_STATS_MAX 255
#define SV_STATS_SEGMENT 16384  /* bytes of the shared counters segment */

struct sv_stat {
	char name[SV_STAT_NAME_MAX];  /* "vnf.counter", NUL-terminated */
	_Atomic uint64_t value;
};

struct sv_stats {
	_Atomic uint32_t count;
	/* Bit i set: counter i is a gauge (sv_gauge), not a counter. Written
	 * before count is raised, as the name is; a service built before
	 * gauges existed leaves the bits zero (what was padding). */
	_Atomic uint32_t gauge[(SV_STATS_MAX + 31) / 32];
	uint32_t pad[7];
	struct sv_stat stat[SV_STATS_MAX];
};

/*
 * Add a counter named "prefix.name" and return a pointer to its value,
 * or NULL when the area is full (the counter then simply is not shown).
 * Only the owning service calls this.
 */
_Atomic uint64_t *sv_stats_add(struct sv_stats *st, const char *prefix, const char *name);
/* The same for a gauge: a value that goes up and down (a table's size). */
_Atomic uint64_t *sv_stats_add_gauge(struct sv_stats *st, const char *prefix, const char *name);

/*
 * Daemon side: copy counter i's name (sanitised to printable ASCII) and
 * value. Returns 0, or -1 past the published count.
 */
int sv_stats_read(const struct sv_stats *st, unsigned i, char name[SV_STAT_NAME_MAX],
		  uint64_t *value);
/* Daemon side: is counter i (below the count sv_stats_read saw) a gauge? */
bool sv_stats_is_gauge(const struct sv_stats *st, unsigned i);

#endif
