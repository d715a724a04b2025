/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * log.h - the one logging module of the daemon and the CLI.
 *
 * The service library never logs through this (it returns errors); the
 * daemon and the command-line tools do. Messages go to stderr, one line
 * each, prefixed with the program name and level (under systemd, stderr
 * is the journal), or to a file (sv_log_to), each line then stamped with
 * the UTC time.
 */
#ifndef SV_LOG_H
#define SV_LOG_H

#include <stdint.h>

/* Default INFO; -v DEBUG, -vv TRACE (one line per request), -q ERR. */
enum sv_log_level { SV_LOG_ERR, SV_LOG_WARN, SV_LOG_INFO, SV_LOG_DEBUG, SV_LOG_TRACE };

/* Set the program name shown in front of each line, and the level. */
void sv_log_init(const char *prog, enum sv_log_level level);
enum sv_log_level sv_log_level(void);
void sv_log(enum sv_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Rate-limited: log at most once per `interval_ns` for this `last_ns`
 * slot (the caller's static), and say how many were suppressed meanwhile.
 */
void sv_log_ratelimited(uint64_t *last_ns, uint64_t *suppressed, uint64_t interval_ns,
			enum sv_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/*
 * Log to the file at `path` (appended, created 0640) instead of stderr:
 * it becomes the process's stderr. `path` must stay valid. Returns 0 or
 * -errno (then stderr stays what it was).
 */
int sv_log_to(const char *path);
/* Open the file again (SIGHUP: logrotate moved it). 0 (also when logging
 * to stderr) or -errno, logging going on to the old file. */
int sv_log_reopen(void);

#define sv_err(...)   sv_log(SV_LOG_ERR, __VA_ARGS__)
#define sv_warn(...)  sv_log(SV_LOG_WARN, __VA_ARGS__)
#define sv_info(...)  sv_log(SV_LOG_INFO, __VA_ARGS__)
#define sv_debug(...) sv_log(SV_LOG_DEBUG, __VA_ARGS__)
#define sv_trace(...) sv_log(SV_LOG_TRACE, __VA_ARGS__)

#endif
