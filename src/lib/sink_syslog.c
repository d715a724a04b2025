/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sink_syslog.c - event lines through syslog(3): facility daemon, level
 * notice, ident "snapvnf" with the pid. openlog() is per process, so
 * every chain of a process shares it; the line's "service" tells them
 * apart. A line longer than the syslog daemon takes is cut by it (8 KiB
 * for rsyslog by default).
 */
#include <stdbool.h>
#include <syslog.h>

#include "lib/sink.h"

static void *open_syslog(const char *spec)
{
	static bool opened;
	static int token;

	if (!opened) {
		openlog("snapvnf", LOG_PID | LOG_NDELAY, LOG_DAEMON);
		opened = true;
	}
	return &token;
}

static int write_syslog(void *st, const struct sv_sink_line *l)
{
	syslog(LOG_NOTICE, "%.*s", (int)l->len, l->text);
	return 0;
}

static void close_syslog(void *st)
{
}

const struct sv_sink_ops sv_sink_syslog = {
	.name = "syslog",
	.keyword = "syslog",
	.open = open_syslog,
	.write = write_syslog,
	.close = close_syslog,
};
