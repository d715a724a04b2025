/* SPDX-License-Identifier: BSD-3-Clause */
/* nice.c - lower a service's scheduling priority (nice.h says why). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "lib/nice.h"

int sv_nice_wanted(char *err, size_t errlen)
{
	const char *s = getenv("SNAPVNF_NICE");
	char *end;
	long v;

	if (!s || !*s)
		return SV_NICE_SERVICE;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < -20 || v > 19) {
		snprintf(err, errlen, "SNAPVNF_NICE must be a nice level from -20 to 19, not '%s'",
			 s);
		return -EINVAL;
	}
	return (int)v;
}

int sv_nice_lower(int level)
{
	int now;

	if (level < -20 || level > 19)
		return -EINVAL;
	/* -1 is a valid priority: only errno tells a failure. */
	errno = 0;
	now = getpriority(PRIO_PROCESS, 0);
	if (now == -1 && errno)
		return -errno;
	if (level <= now)
		return 0;
	return setpriority(PRIO_PROCESS, 0, level) < 0 ? -errno : 0;
}
