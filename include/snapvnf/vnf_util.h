/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * snapvnf/vnf_util.h - the kit for writing a VNF: argument strings,
 * intervals of item time, text fields, and (through the headers it
 * includes) the seeded fixed-size table and hash, the culprit table of
 * the detectors, and the read-only views of the HTTP, DNS and TLS
 * decoders. Every built-in VNF is written with
 * this header and <snapvnf/vnf.h> alone; so can a plugin
 * (docs/vnf-authors.md).
 */
#ifndef SNAPVNF_VNF_UTIL_H
#define SNAPVNF_VNF_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <snapvnf/api.h>
#include <snapvnf/culprit.h>
#include <snapvnf/dns.h>
#include <snapvnf/hash.h>
#include <snapvnf/http.h>
#include <snapvnf/table.h>
#include <snapvnf/tls.h>
#include <snapvnf/vnf.h>

/* ---- arguments: "key=value,key=value" ---- */

/*
 * A VNF declares what it accepts as a static table of struct sv_arg, one
 * row per key, ended by SV_ARG_END, and points its desc.args at it; the
 * values land in an options struct of its own:
 *
 *   struct top_opts { uint64_t n, interval; unsigned kind; };
 *   static const char *const top_kinds[] = { "sample", "flow", NULL };
 *   static const struct sv_arg top_args[] = {
 *           { "n", SV_ARG_UINT, offsetof(struct top_opts, n), "10", 1, 1000,
 *             NULL, "how many to report" },
 *           { "kind", SV_ARG_WORD, offsetof(struct top_opts, kind), "sample", 0, 0,
 *             top_kinds, "which records count" },
 *           SV_ARG_END,
 *   };
 *   ...create(): struct top_opts o; if (sv_vnf_args(ctx, args, &o) < 0) return NULL;
 *
 * `snapvnf vnfs` lists the same table (key, type, default, range, words,
 * help), so what a VNF accepts is written once.
 */
enum sv_arg_type {
	SV_ARG_UINT = 1, /* uint64_t; suffixes k, M, G multiply by 1000^n ("1.5G") */
	SV_ARG_DOUBLE,   /* double */
	SV_ARG_WORD,     /* unsigned: the index of the value in words[] */
	SV_ARG_FLAG,     /* bool: the key alone ("stop") sets it; key=yes|no */
	SV_ARG_STR,      /* char[max]: the value as written, at most max - 1 bytes */
};

struct sv_arg {
	const char *key;
	enum sv_arg_type type;
	size_t offset;            /* of the value in the options struct */
	const char *def;          /* the default, written as a value; NULL: zero / "" */
	double min, max;          /* UINT, DOUBLE: the accepted range; STR: max is the size */
	const char *const *words; /* WORD: the accepted words, NULL-terminated */
	const char *help;         /* one line, for `snapvnf vnfs` */
};
#define SV_ARG_END { NULL, 0, 0, NULL, 0, 0, NULL, NULL }

/*
 * Fill opts from the defaults of spec, then from args (NULL or "" leave
 * the defaults). Pairs are separated by commas, semicolons or white space;
 * a later pair overrides an earlier one. A word without "=" is a FLAG key
 * when spec has that key, else the value of the first row ("10" means
 * "n=10" above).
 *
 * Returns 0, or -EINVAL with a one-line message in err naming the key and
 * what it accepts (an unknown key lists the known ones); opts may then be
 * partly written.
 */
SV_API int sv_args_parse(const char *args, const struct sv_arg *spec, void *opts, char *err,
			 size_t errlen);

/*
 * sv_args_parse() from a VNF's create(), against the VNF's own desc.args:
 * a failure's message goes to sv_vnf_error(ctx) and errno is set to
 * EINVAL. Returns 0 or -EINVAL. A VNF without desc.args accepts only
 * NULL or "".
 */
SV_API int sv_vnf_args(struct sv_vnf_ctx *ctx, const char *args, void *opts);

/* ---- intervals of item time ---- */

#define SV_NS_PER_S 1000000000ull

/*
 * Fixed intervals, for VNFs that count over an interval and judge or
 * report at its end. The first item starts the first interval; the next
 * ones follow on the grid [start + k * len, start + (k + 1) * len). An
 * interval ends when an item or a tick at or past its end is seen -
 * whichever comes first - so it always lasts exactly len, and a rate over
 * it is count / len. Time is item time (a replay runs as recorded); an
 * item older than the current start (another agent's clock, reordering)
 * counts in the current one.
 */
struct sv_interval {
	uint64_t len_ns;
	uint64_t start_ns;  /* of the current interval; 0: no item yet */
	uint64_t last_ns;   /* newest item time */
};

/*
 * Call with each item's time (item = true) and at each tick. Returns
 * true when the current interval ended before now_ns: the caller closes
 * it (its start is *ended, its length len_ns) before counting the item;
 * the interval holding now_ns is then current. A tick never starts the
 * first interval.
 */
static inline bool sv_interval_roll(struct sv_interval *iv, uint64_t now_ns, bool item,
				    uint64_t *ended)
{
	uint64_t passed;

	if (!iv->start_ns) {
		if (item)
			iv->start_ns = iv->last_ns = now_ns;
		return false;
	}
	if (item && now_ns > iv->last_ns)
		iv->last_ns = now_ns;
	if (now_ns < iv->start_ns || now_ns - iv->start_ns < iv->len_ns)
		return false;
	passed = now_ns - iv->start_ns;
	*ended = iv->start_ns;
	iv->start_ns += passed - passed % iv->len_ns;
	return true;
}

/* How long the interval in progress has run at the end of the stream:
 * from its start to the newest item. */
static inline uint64_t sv_interval_partial(const struct sv_interval *iv)
{
	return iv->last_ns > iv->start_ns ? iv->last_ns - iv->start_ns : 0;
}

/* ---- text fields of metadata structs ---- */

/*
 * Copy the len bytes at s (a decoder's span: packet bytes without a NUL)
 * into a char[size] field (size > 0), cut to size - 1 bytes and always
 * NUL-terminated. s may be NULL when len is 0.
 */
static inline void sv_field_copy(char *field, size_t size, const void *s, size_t len)
{
	size_t n = len < size - 1 ? len : size - 1;

	if (n)
		memcpy(field, s, n);
	field[n] = '\0';
}

#endif
