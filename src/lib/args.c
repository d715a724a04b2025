/* SPDX-License-Identifier: BSD-3-Clause */
/* args.c - "key=value,key=value" argument strings of VNFs. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <snapvnf/vnf.h>

#include "lib/args.h"

#define ARGS_MAX 1024
#define ARGS_SEP ",; \t\n"

__attribute__((format(printf, 3, 4)))
static int args_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* "1.5G" -> 1500000000; the value must come out whole and in range. */
static int args_uint(const struct sv_arg *a, const char *s, char *err, size_t errlen)
{
	static const char suffixes[] = "kMG";
	double v, mult = 1;
	char *end;

	errno = 0;
	v = strtod(s, &end);
	if (end != s && *end && end[1] == '\0') {
		const char *sfx = strchr(suffixes, *end);

		if (sfx) {
			for (const char *p = suffixes; p <= sfx; p++)
				mult *= 1000;
			end++;
		}
	}
	v *= mult;
	if (errno || end == s || *end || !isfinite(v) || v != floor(v) || v < a->min ||
	    v > a->max) {
		return args_fail(err, errlen,
				 "%s=%s: want a whole number from %.0f to %.0f (k, M, G: x1000)",
				 a->key, s, a->min, a->max);
	}
	*(uint64_t *)a->value = (uint64_t)v;
	return 0;
}

static int args_double(const struct sv_arg *a, const char *s, char *err, size_t errlen)
{
	double v;
	char *end;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v < a->min || v > a->max) {
		return args_fail(err, errlen, "%s=%s: want a number from %g to %g", a->key, s,
				 a->min, a->max);
	}
	*(double *)a->value = v;
	return 0;
}

static int args_word(const struct sv_arg *a, const char *s, char *err, size_t errlen)
{
	char list[256] = "";
	size_t off = 0;

	for (unsigned i = 0; a->words[i]; i++) {
		if (strcmp(a->words[i], s) == 0) {
			*(unsigned *)a->value = i;
			return 0;
		}
		if (off < sizeof(list))
			off += (size_t)snprintf(list + off, sizeof(list) - off, "%s%s",
						i ? ", " : "", a->words[i]);
	}
	return args_fail(err, errlen, "%s=%s: want one of %s", a->key, s, list);
}

static int args_unknown(const struct sv_arg *spec, const char *key, char *err, size_t errlen)
{
	char list[256] = "";
	size_t off = 0;

	for (const struct sv_arg *a = spec; a->key && off < sizeof(list); a++)
		off += (size_t)snprintf(list + off, sizeof(list) - off, "%s%s",
					a == spec ? "" : ", ", a->key);
	return args_fail(err, errlen, "unknown argument \"%s\" (known: %s)", key, list);
}

int sv_args_parse(const char *args, const struct sv_arg *spec, char *err, size_t errlen)
{
	char buf[ARGS_MAX], *save = NULL;

	err[0] = '\0';
	if (!args || !*args)
		return 0;
	if (strlen(args) >= sizeof(buf))
		return args_fail(err, errlen, "arguments longer than %d bytes", ARGS_MAX - 1);
	memcpy(buf, args, strlen(args) + 1);
	for (char *tok = strtok_r(buf, ARGS_SEP, &save); tok; tok = strtok_r(NULL, ARGS_SEP, &save)) {
		char *eq = strchr(tok, '=');
		const char *key = eq ? tok : spec[0].key, *val = eq ? eq + 1 : tok;
		const struct sv_arg *a;
		int rc;

		if (eq)
			*eq = '\0';
		for (a = spec; a->key && strcmp(a->key, key) != 0; a++)
			;
		if (!a->key)
			return args_unknown(spec, key, err, errlen);
		if (!*val)
			return args_fail(err, errlen, "%s=: no value", key);
		switch (a->type) {
		case SV_ARG_UINT:
			rc = args_uint(a, val, err, errlen);
			break;
		case SV_ARG_DOUBLE:
			rc = args_double(a, val, err, errlen);
			break;
		case SV_ARG_WORD:
			rc = args_word(a, val, err, errlen);
			break;
		default:
			rc = args_fail(err, errlen, "%s: bad argument table", key);
		}
		if (rc < 0)
			return rc;
	}
	return 0;
}

int sv_args_parse_vnf(struct sv_vnf_ctx *ctx, const char *args, const struct sv_arg *spec)
{
	char err[256];

	if (sv_args_parse(args, spec, err, sizeof(err)) < 0) {
		sv_vnf_error(ctx, "%s", err);
		errno = EINVAL;
		return -EINVAL;
	}
	return 0;
}

int sv_args_stop(struct sv_vnf_ctx *ctx, const char *args, bool *stop)
{
	if (args && *args && strcmp(args, "stop") != 0) {
		sv_vnf_error(ctx, "unknown argument \"%s\" (only \"stop\" is known)", args);
		errno = EINVAL;
		return -EINVAL;
	}
	*stop = args && *args;
	return 0;
}
