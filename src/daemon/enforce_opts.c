/* SPDX-License-Identifier: BSD-3-Clause */
/* enforce_opts.c - the backends' option strings (enforce_opts.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/enforce_opts.h"

int sv_enforce_opts(const char *opts, int (*fn)(void *ctx, const char *key, const char *val),
		    void *ctx)
{
	char *copy, *item, *save = NULL;
	int rc = 0;

	if (!opts || !*opts)
		return 0;
	copy = strdup(opts);
	if (!copy)
		return -ENOMEM;
	if (copy[0] == ',' || copy[strlen(copy) - 1] == ',' || strstr(copy, ",,")) {
		free(copy);
		return -EINVAL;
	}
	for (item = strtok_r(copy, ",", &save); item && !rc; item = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(item, '=');

		if (eq) {
			*eq = '\0';
			rc = fn(ctx, item, eq + 1);
		} else {
			rc = fn(ctx, NULL, item);
		}
	}
	free(copy);
	return rc;
}

int sv_enforce_uint(const char *s, unsigned min, unsigned max, unsigned *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || *s == '-' || *s == '+' || v < min || v > max)
		return -EINVAL;
	*out = (unsigned)v;
	return 0;
}
