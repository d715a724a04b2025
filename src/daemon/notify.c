/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * notify.c - tell systemd how the daemon is (sd_notify(3), libsystemd):
 * READY=1 once the control socket answers and the inputs are open, so
 * that snapvnf@.service units ordered after snapvnfd.service start when
 * they can connect; STATUS= once a second for `systemctl status`;
 * WATCHDOG=1 at half the unit's WatchdogSec, from the main loop, so a
 * loop that stops turning gets the daemon restarted; STOPPING=1 on the
 * way out. Without $NOTIFY_SOCKET (not started by systemd) every call
 * is a no-op.
 */
#include <stdarg.h>
#include <stdio.h>

#include <systemd/sd-daemon.h>

#include "daemon/notify.h"

static uint64_t watchdog_ms;   /* half the watchdog interval; 0: none */
static uint64_t last_kick_ms;

static void notify(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void notify(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* Nothing to do about a manager that does not listen. */
	(void)sd_notify(0, msg);
}

void sv_notify_ready(uint64_t now_ms, const char *status)
{
	uint64_t usec = 0;

	if (sd_watchdog_enabled(0, &usec) > 0 && usec >= 2000)
		watchdog_ms = usec / 2000;
	last_kick_ms = now_ms;
	notify("READY=1\nSTATUS=%s", status);
}

void sv_notify_status(const char *status)
{
	notify("STATUS=%s", status);
}

int sv_notify_tick(uint64_t now_ms)
{
	if (!watchdog_ms)
		return -1;
	if (now_ms - last_kick_ms >= watchdog_ms) {
		notify("WATCHDOG=1");
		last_kick_ms = now_ms;
	}
	return (int)(watchdog_ms - (now_ms - last_kick_ms));
}

void sv_notify_stopping(const char *status)
{
	notify("STOPPING=1\nSTATUS=%s", status);
}
