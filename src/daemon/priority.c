/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * priority.c - the daemon's scheduling priority. Services lower theirs
 * (src/lib/nice.c); the daemon raises its own when it has the right to
 * (root or CAP_SYS_NICE), so that on a switch's few CPUs neither the
 * services nor other programs take the CPU the capture needs. Without the
 * right it runs as started: a capture at normal priority still works.
 */
#include <errno.h>
#include <string.h>
#include <sys/resource.h>

#include "common/log.h"
#include "daemon/daemon.h"

void sv_priority_raise(int level)
{
	int now;

	errno = 0;
	now = getpriority(PRIO_PROCESS, 0);
	if (now == -1 && errno)
		return;
	if (level >= now)
		return;
	if (setpriority(PRIO_PROCESS, 0, level) < 0)
		sv_info("staying at nice %d (raising to %d: %s)", now, level, strerror(errno));
	else
		sv_debug("running at nice %d", level);
}
