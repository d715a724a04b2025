/* SPDX-License-Identifier: BSD-3-Clause */
/* args.c - "key=value,key=value" argument strings of VNFs. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <snapvnf/vnf_util.h>

#include "lib/vnf_ctx.h"

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
static int args_uint(const struct sv_arg *a, const char *s, void *opts, char *err,
		     size_t errlen)
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
	*(uint64_t *)((char *)opts + a->offset) = (uint64_t)v;
	return 0;
}

static int args_double(const struct sv_arg *a, const char *s, void *opts, char *err,
		       size_t errlen)
{
	double v;
	char *end;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v < a->min || v > a->max) {
		return args_fail(err, errlen, "%s=%s: want a number from %g to %g", a->key, s,
				 a->min, a->max);
	}
	*(double *)((char *)opts + a->offset) = v;
	return 0;
}

static int args_word(const struct sv_arg *a, const char *s, void *opts, char *err,
		     size_t errlen)
{
	char list[256] = "";
	size_t off = 0;

	for (unsigned i = 0; a->words[i]; i++) {
		if (strcmp(a->words[i], s) == 0) {
			*(unsigned *)((char *)opts + a->offset) = i;
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

static int args_flag(const struct sv_arg *a, const char *s, void *opts, char *err,
		     size_t errlen)
{
	bool *v = (bool *)((char *)opts + a->offset);

	if (strcmp(s, "yes") == 0 || strcmp(s, "true") == 0 || strcmp(s, "1") == 0)
		*v = true;
	else if (strcmp(s, "no") == 0 || strcmp(s, "false") == 0 || strcmp(s, "0") == 0)
		*v = false;
	else
		return args_fail(err, errlen, "%s=%s: want yes or no (or %s alone)", a->key, s,
				 a->key);
	return 0;
}

static int args_str(const struct sv_arg *a, const char *s, void *opts, char *err,
		    size_t errlen)
{
	size_t size = (size_t)a->max, len = strlen(s);

	if (size == 0 || len >= size)
		return args_fail(err, errlen, "%s: longer than %zu bytes", a->key,
				 size ? size - 1 : 0);
	memcpy((char *)opts + a->offset, s, len + 1);
	return 0;
}

static int args_set(const struct sv_arg *a, const char *val, void *opts, char *err,
		    size_t errlen)
{
	switch (a->type) {
	case SV_ARG_UINT:
		return args_uint(a, val, opts, err, errlen);
	case SV_ARG_DOUBLE:
		return args_double(a, val, opts, err, errlen);
	case SV_ARG_WORD:
		return args_word(a, val, opts, err, errlen);
	case SV_ARG_FLAG:
		return args_flag(a, val, opts, err, errlen);
	case SV_ARG_STR:
		return args_str(a, val, opts, err, errlen);
	}
	return args_fail(err, errlen, "%s: bad argument table", a->key);
}

/* The defaults first, so a VNF's options struct needs no other init. */
static int args_defaults(const struct sv_arg *spec, void *opts, char *err, size_t errlen)
{
	for (const struct sv_arg *a = spec; a->key; a++) {
		int rc;

		if (!a->def) {
			switch (a->type) {
			case SV_ARG_UINT: *(uint64_t *)((char *)opts + a->offset) = 0; break;
			case SV_ARG_DOUBLE: *(double *)((char *)opts + a->offset) = 0; break;
			case SV_ARG_WORD: *(unsigned *)((char *)opts + a->offset) = 0; break;
			case SV_ARG_FLAG: *(bool *)((char *)opts + a->offset) = false; break;
			case SV_ARG_STR:
				if (a->max >= 1)
					*((char *)opts + a->offset) = '\0';
				break;
			}
			continue;
		}
		rc = args_set(a, a->def, opts, err, errlen);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int sv_args_parse(const char *args, const struct sv_arg *spec, void *opts, char *err,
		  size_t errlen)
{
	char buf[ARGS_MAX], *save = NULL;
	int rc;

	err[0] = '\0';
	rc = args_defaults(spec, opts, err, errlen);
	if (rc < 0 || !args || !*args)
		return rc;
	if (!spec[0].key)
		return args_fail(err, errlen, "takes no arguments (got \"%.64s\")", args);
	if (strlen(args) >= sizeof(buf))
		return args_fail(err, errlen, "arguments longer than %d bytes", ARGS_MAX - 1);
	memcpy(buf, args, strlen(args) + 1);
	for (char *tok = strtok_r(buf, ARGS_SEP, &save); tok; tok = strtok_r(NULL, ARGS_SEP, &save)) {
		char *eq = strchr(tok, '=');
		const char *key = eq ? tok : spec[0].key, *val = eq ? eq + 1 : tok;
		const struct sv_arg *a;

		if (eq) {
			*eq = '\0';
		} else {
			/* A flag's key alone sets it. */
			for (a = spec; a->key; a++)
				if (a->type == SV_ARG_FLAG && strcmp(a->key, tok) == 0)
					break;
			if (a->key) {
				*(bool *)((char *)opts + a->offset) = true;
				continue;
			}
			if (spec[0].type == SV_ARG_FLAG)
				return args_unknown(spec, tok, err, errlen);
		}
		for (a = spec; a->key && strcmp(a->key, key) != 0; a++)
			;
		if (!a->key)
			return args_unknown(spec, key, err, errlen);
		if (!*val)
			return args_fail(err, errlen, "%s=: no value", key);
		rc = args_set(a, val, opts, err, errlen);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int sv_vnf_args(struct sv_vnf_ctx *ctx, const char *args, void *opts)
{
	static const struct sv_arg none[] = { SV_ARG_END };
	const struct sv_arg *spec = ctx->desc->args ? ctx->desc->args : none;
	char err[256];

	if (sv_args_parse(args, spec, opts, err, sizeof(err)) < 0) {
		sv_vnf_error(ctx, "%s", err);
		errno = EINVAL;
		return -EINVAL;
	}
	return 0;
}
