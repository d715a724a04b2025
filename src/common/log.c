/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"

static const char *log_prog = "snapvnf";
static enum sv_log_level log_max = SV_LOG_INFO;
static const char *log_path;   /* sv_log_to(): stderr is this file */

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
	if (log_path) {
		/* A file has no journal to stamp its lines. */
		struct timespec ts;
		struct tm tm;
		char when[32] = "";

		clock_gettime(CLOCK_REALTIME, &ts);
		if (gmtime_r(&ts.tv_sec, &tm))
			strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ ", &tm);
		fprintf(stderr, "%s%s: %s: %s\n", when, log_prog, names[level], line);
		return;
	}
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

/* Make fd 2 the file, so that whatever else writes to stderr (libpcap,
 * nfdump's messages passed on) lands there too. */
static int log_open(const char *path)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0640);

	if (fd < 0)
		return -errno;
	fflush(stderr);
	if (dup2(fd, STDERR_FILENO) < 0) {
		int err = errno;

		close(fd);
		return -err;
	}
	close(fd);
	return 0;
}

int sv_log_to(const char *path)
{
	int rc = log_open(path);

	if (rc == 0)
		log_path = path;
	return rc;
}

int sv_log_reopen(void)
{
	return log_path ? log_open(log_path) : 0;
}
