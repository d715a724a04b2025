/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * enforce_log.c - the backend that changes nothing: decisions are only
 * events (the daemon writes those). The default, and what a request with
 * dry_run=1 gets whatever the backend.
 */
#include <stdlib.h>

#include "daemon/action.h"

static int log_open(const char *opts, void **state, char *err, size_t errlen)
{
	*state = NULL;
	return 0;
}

static int log_add(void *state, const struct sv_rule *r, char *err, size_t errlen)
{
	return 0;
}

static int log_flush(void *state, unsigned *removed, char *err, size_t errlen)
{
	*removed = 0;
	return 0;
}

static void log_close(void *state)
{
}

const struct sv_enforce_ops sv_enforce_log = {
	.name = "log",
	.caps = { -1 },
	.open = log_open,
	.add = log_add,
	.del = log_add,
	.flush = log_flush,
	.close = log_close,
};
