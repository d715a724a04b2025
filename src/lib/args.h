/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * args.h - VNF argument strings of the form "key=value,key=value",
 * checked against a table of the keys a VNF accepts.
 *
 *   uint64_t n = 10, interval = 10;
 *   unsigned kind = 0;
 *   static const char *const kinds[] = { "sample", "flow", NULL };
 *   const struct sv_arg spec[] = {
 *           { "n", SV_ARG_UINT, &n, 1, 1000, NULL },
 *           { "interval", SV_ARG_UINT, &interval, 1, 86400, NULL },
 *           { "kind", SV_ARG_WORD, &kind, 0, 0, kinds },
 *           { NULL },
 *   };
 *   if (sv_args_parse(args, spec, err, sizeof(err)) < 0) ...
 */
#ifndef SV_ARGS_H
#define SV_ARGS_H

#include <stdbool.h>
#include <stddef.h>

struct sv_vnf_ctx;

enum sv_arg_type {
	SV_ARG_UINT = 1, /* uint64_t; suffixes k, M, G multiply by 1000^n ("1.5G") */
	SV_ARG_DOUBLE,   /* double */
	SV_ARG_WORD,     /* unsigned: the index of the value in words[] */
};

struct sv_arg {
	const char *key;
	enum sv_arg_type type;
	void *value;              /* holds the default, receives the value given */
	double min, max;          /* UINT and DOUBLE: the accepted range */
	const char *const *words; /* WORD: the accepted words, NULL-terminated */
};

/*
 * Parse args (NULL or "" leave every default) against spec, ended by a
 * row with a NULL key. Pairs are separated by commas, semicolons or
 * white space; a later pair overrides an earlier one. A value without
 * "key=" belongs to the first row ("10" means "n=10" above).
 *
 * Returns 0, or -EINVAL with a one-line message in err naming the key
 * and what it accepts (an unknown key lists the known ones). On failure
 * the values already parsed may have been written.
 */
int sv_args_parse(const char *args, const struct sv_arg *spec, char *err, size_t errlen);

/*
 * sv_args_parse() from a VNF's create(): a failure's message goes to
 * sv_vnf_error(ctx) and errno is set to EINVAL. Returns 0 or -EINVAL.
 */
int sv_args_parse_vnf(struct sv_vnf_ctx *ctx, const char *args, const struct sv_arg *spec);

/*
 * The argument of a VNF whose only one is "stop": *stop is true for
 * "stop", false for NULL or "". Anything else is reported through
 * sv_vnf_error(ctx), sets errno to EINVAL and returns -EINVAL; else 0.
 */
int sv_args_stop(struct sv_vnf_ctx *ctx, const char *args, bool *stop);

#endif
