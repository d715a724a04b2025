/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * enforce_opts.h - a backend's option string, "word,key=value,…": bare
 * words name what to bind to (a bridge, switch ports), keys set the rest.
 */
#ifndef SV_ENFORCE_OPTS_H
#define SV_ENFORCE_OPTS_H

#include <stdbool.h>
#include <stddef.h>

/* Call fn for each item (key NULL for a bare word). Stops at and returns
 * the first non-zero return of fn; -EINVAL for an empty item. */
int sv_enforce_opts(const char *opts, int (*fn)(void *ctx, const char *key, const char *val),
		    void *ctx);
/* A decimal number in [min, max] into *out; -EINVAL otherwise. */
int sv_enforce_uint(const char *s, unsigned min, unsigned max, unsigned *out);

#endif
