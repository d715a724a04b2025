/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sink.h - where a chain's event lines go: a small ops table, one backend
 * per file, chosen by a spec string:
 *
 *   "-"         standard output (sink_stdout.c)
 *   "syslog"    syslog(3), facility daemon, ident "snapvnf" (sink_syslog.c)
 *   "journald"  the systemd journal, with the service, VNF and event as
 *               fields of their own (sink_journald.c)
 *   a path      a file, appended, reopened on request (sink_file.c); a
 *               file named like a keyword is "./syslog"
 *
 * A sink writes whole lines and never blocks the chain for long; a line it
 * could not write is lost, counted by the caller, and said once on stderr.
 */
#ifndef SV_SINK_H
#define SV_SINK_H

#include <stddef.h>

/* One event: its JSON text (no newline) and, for sinks that index them,
 * who wrote it. */
struct sv_sink_line {
	const char *text;
	size_t len;
	const char *service, *vnf, *event;
};

struct sv_sink_ops {
	const char *name;      /* the backend, for messages */
	const char *keyword;   /* the spec that selects it; NULL: any path (file) */
	/* State for spec, or NULL with errno set. */
	void *(*open)(const char *spec);
	/* 0 or -errno; the line is lost on failure. */
	int (*write)(void *st, const struct sv_sink_line *l);
	/* Push buffered lines out (NULL: nothing buffered). 0 or -errno. */
	int (*flush)(void *st);
	/* Start over on the same spec (a rotated file): NULL when there is
	 * nothing to reopen. 0 or -errno; on failure the sink goes on as
	 * before. */
	int (*reopen)(void *st);
	void (*close)(void *st);
};

extern const struct sv_sink_ops sv_sink_stdout, sv_sink_syslog, sv_sink_journald, sv_sink_file;

struct sv_sink;

/* Open the backend `spec` names. NULL with errno: EINVAL for an empty
 * spec, or what the backend says (ENOENT: no journal to write to, EACCES
 * for a file, ...). */
struct sv_sink *sv_sink_open(const char *spec);
int sv_sink_write(struct sv_sink *s, const struct sv_sink_line *l);
int sv_sink_flush(struct sv_sink *s);
/* 0 also when the backend has nothing to reopen. */
int sv_sink_reopen(struct sv_sink *s);
/* Flush and free. Accepts NULL. */
void sv_sink_close(struct sv_sink *s);
/* The backend's name and the spec it was opened with. */
const char *sv_sink_backend(const struct sv_sink *s);
const char *sv_sink_spec(const struct sv_sink *s);

#endif
