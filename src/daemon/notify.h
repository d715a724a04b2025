/* SPDX-License-Identifier: BSD-3-Clause */
/* notify.h - the daemon's state for systemd (Type=notify, WatchdogSec). */
#ifndef SV_NOTIFY_H
#define SV_NOTIFY_H

#include <stdint.h>

/* Ready to serve (READY=1), with a first status line; reads the
 * watchdog interval the unit gave. now_ms: CLOCK_MONOTONIC. */
void sv_notify_ready(uint64_t now_ms, const char *status);
/* One line for `systemctl status`. */
void sv_notify_status(const char *status);
/* Kick the watchdog when due. Returns the ms until the next kick is due
 * (the loop must not sleep longer), or -1 without a watchdog. */
int sv_notify_tick(uint64_t now_ms);
/* On the way out. */
void sv_notify_stopping(const char *status);

#endif
