/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * metrics.c - walking counter tables into a writer (metrics.h). The
 * writers only ever see a row with its value, so each format decides
 * names and layout, and neither can have a counter the other lacks.
 */
#include <string.h>

#include "daemon/metrics.h"

void sv_metrics_group(struct sv_metrics *m, const struct sv_metric_group *g,
		      const char *instance)
{
	m->ops->group(m, g, instance);
}

void sv_metrics_table(struct sv_metrics *m, const struct sv_metric *tab, size_t n,
		      const void *st)
{
	for (size_t i = 0; i < n; i++) {
		const unsigned char *at = (const unsigned char *)st + tab[i].off;
		uint64_t u = 0;
		double d = 0;
		bool b;

		/* memcpy: the struct's field has the kind's type, whatever
		 * the alignment the table was written against. */
		switch (tab[i].kind) {
		case SV_METRIC_U64:
		case SV_METRIC_I64:
			memcpy(&u, at, sizeof(u));
			break;
		case SV_METRIC_BOOL:
			memcpy(&b, at, sizeof(b));
			u = b;
			break;
		case SV_METRIC_DOUBLE:
			memcpy(&d, at, sizeof(d));
			break;
		}
		m->ops->value(m, &tab[i], u, d);
	}
}

void sv_metrics_info(struct sv_metrics *m, const char *name, const char *value,
		     const char *family, const char *help)
{
	m->ops->info(m, name, value, family, help);
}

void sv_metrics_vnf(struct sv_metrics *m, const char *name, bool gauge, uint64_t value)
{
	m->ops->vnf(m, name, gauge, value);
}

char *sv_metrics_done(struct sv_metrics *m)
{
	return m ? m->ops->done(m) : NULL;
}
