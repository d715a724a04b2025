/* SPDX-License-Identifier: BSD-3-Clause */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "common/stats.h"

_Static_assert(sizeof(struct sv_stats) <= SV_STATS_SEGMENT, "stats must fit their segment");

_Static_assert(offsetof(struct sv_stats, stat) == 64, "the counters stay where they were");

static _Atomic uint64_t *stats_add(struct sv_stats *st, const char *prefix, const char *name,
				   bool gauge)
{
	uint32_t n = atomic_load_explicit(&st->count, memory_order_relaxed);
	struct sv_stat *s;

	if (n >= SV_STATS_MAX)
		return NULL;
	s = &st->stat[n];
	snprintf(s->name, sizeof(s->name), "%s%s%s", prefix ? prefix : "",
		 prefix && *prefix ? "." : "", name);
	atomic_store_explicit(&s->value, 0, memory_order_relaxed);
	if (gauge)
		atomic_fetch_or_explicit(&st->gauge[n / 32], 1u << (n % 32), memory_order_relaxed);
	/* Pairs with the acquire load in sv_stats_read: the name (and the
	 * gauge bit) are complete before the daemon can see the counter. */
	atomic_store_explicit(&st->count, n + 1, memory_order_release);
	return &s->value;
}

_Atomic uint64_t *sv_stats_add(struct sv_stats *st, const char *prefix, const char *name)
{
	return stats_add(st, prefix, name, false);
}

_Atomic uint64_t *sv_stats_add_gauge(struct sv_stats *st, const char *prefix, const char *name)
{
	return stats_add(st, prefix, name, true);
}

bool sv_stats_is_gauge(const struct sv_stats *st, unsigned i)
{
	if (i >= SV_STATS_MAX)
		return false;
	return atomic_load_explicit(&st->gauge[i / 32], memory_order_relaxed) >> (i % 32) & 1u;
}

int sv_stats_read(const struct sv_stats *st, unsigned i, char name[SV_STAT_NAME_MAX],
		  uint64_t *value)
{
	uint32_t n = atomic_load_explicit(&st->count, memory_order_acquire);

	if (n > SV_STATS_MAX)
		n = SV_STATS_MAX;
	if (i >= n)
		return -1;
	for (unsigned k = 0; k < SV_STAT_NAME_MAX; k++) {
		char c = st->stat[i].name[k];

		if (c == '\0' || k == SV_STAT_NAME_MAX - 1) {
			name[k] = '\0';
			break;
		}
		/* The segment is writable by the service: never trust it. */
		name[k] = (c >= 0x21 && c <= 0x7e && c != '"' && c != '\\') ? c : '_';
	}
	*value = atomic_load_explicit(&st->stat[i].value, memory_order_relaxed);
	return 0;
}
