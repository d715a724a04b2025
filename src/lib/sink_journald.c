/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sink_journald.c - event lines into the systemd journal with libsystemd's
 * sd_journal_send(): the JSON line is MESSAGE, and the service, the VNF
 * and the event type are fields of their own, so `journalctl
 * SNAPVNF_EVENT=alert` finds alerts without parsing JSON. Each line is one
 * datagram to journald's socket: nothing to flush or reopen.
 */
#include <errno.h>
#include <unistd.h>

#include <systemd/sd-journal.h>

#include "lib/sink.h"

#define JOURNAL_SOCKET "/run/systemd/journal/socket"

static void *open_journald(const char *spec)
{
	static int token;

	/* sd_journal_send() fails on every line without a journal: say so
	 * once, now, rather than lose every event quietly. */
	if (access(JOURNAL_SOCKET, W_OK) < 0)
		return NULL;
	return &token;
}

static int write_journald(void *st, const struct sv_sink_line *l)
{
	return sd_journal_send("MESSAGE=%.*s", (int)l->len, l->text, "PRIORITY=5",
			       "SYSLOG_IDENTIFIER=snapvnf", "SNAPVNF_SERVICE=%s", l->service,
			       "SNAPVNF_VNF=%s", l->vnf, "SNAPVNF_EVENT=%s", l->event, NULL);
}

static void close_journald(void *st)
{
}

const struct sv_sink_ops sv_sink_journald = {
	.name = "journald",
	.keyword = "journald",
	.open = open_journald,
	.write = write_journald,
	.close = close_journald,
};
