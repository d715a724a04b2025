/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "common/log.h"

static const char *log_prog = "snapvnf";
static enum sv_log_level log_max = SV_LOG_INFO;

void sv_log_init(const char *prog, enum sv_log_level level)
{
	log_prog = prog;
	log_max = level;
}

enum sv_log_level sv_log_level(void)
{
	return log_max;
}

static void log_v(enum sv_log_level level, const char *fmt, va_list ap)
{
	static const char *const names[] = { "error", "warning", "info", "debug", "trace" };
	char line[1024];

	if (level > log_max)
		return;
	vsnprintf(line, sizeof(line), fmt, ap);
	/* One fprintf per line so concurrent writers do not interleave. */
	fprintf(stderr, "%s: %s: %s\n", log_prog, names[level], line);
}

void sv_log(enum sv_log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_v(level, fmt, ap);
	va_end(ap);
}

void sv_log_ratelimited(uint64_t *last_ns, uint64_t *suppressed, uint64_t interval_ns,
			enum sv_log_level level, const char *fmt, ...)
{
	struct timespec ts;
	uint64_t now;
	va_list ap;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	if (*last_ns && now - *last_ns < interval_ns) {
		(*suppressed)++;
		return;
	}
	*last_ns = now;
	va_start(ap, fmt);
	log_v(level, fmt, ap);
	va_end(ap);
	if (*suppressed) {
		sv_log(level, "(%llu more like this since the last report)",
		       (unsigned long long)*suppressed);
		*suppressed = 0;
	}
}
