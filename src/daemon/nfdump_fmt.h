/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nfdump_fmt.h - the lines nfdump prints in the daemon's own output
 * format, as flow records: the parser of the nfdump path (nfdump.h),
 * apart so that tests and the fuzzer can feed it text.
 *
 * nfdump is asked for raw numbers, so nothing of nfdump's presentation
 * has to be undone: epoch seconds for the times, numeric protocols,
 * unscaled counters, full IPv6 addresses.
 */
#ifndef SV_NFDUMP_FMT_H
#define SV_NFDUMP_FMT_H

#include <stdbool.h>
#include <stddef.h>

#include <snapvnf/flow.h>

#include "daemon/nfdump.h"

/*
 * nfdump's arguments before -r FILE: -N plain numbers (numeric protocol,
 * unscaled counters, the duration in seconds), -6 full IPv6 addresses
 * (nfdump 1.7 shortens those past 16 characters, "2001:47..d4:1fe2",
 * without it), -o the columns the parser reads, in this order.
 */
#define SV_NFDUMP_FMT "fmt:%tsr,%ter,%td,%sa,%da,%sp,%dp,%pr,%flg,%ipkt,%ibyt,%opkt,%obyt," \
		      "%in,%out,%svln,%ra"
#define SV_NFDUMP_ARGS "-N", "-6", "-o", SV_NFDUMP_FMT

#define SV_NFDUMP_LINE_MAX 4096  /* a row is ~250 bytes with two full IPv6 addresses */

/* A parser's state between chunks of one nfdump run's output. */
struct sv_nfdump_fmt {
	const char *what;               /* names the input in log lines */
	struct sv_nfdump_stats *st;     /* rows, records, malformed, summary_mismatch */
	uint64_t lineno;
	size_t len;                     /* of the line being gathered */
	bool overlong;
	uint64_t good, bad, packets, bytes;  /* since the last summary */
	char line[SV_NFDUMP_LINE_MAX];
};

typedef void sv_nfdump_emit_fn(void *ctx, const struct sv_flow *rec);

/* Start reading one run's output; counts go to *st. */
void sv_nfdump_fmt_init(struct sv_nfdump_fmt *p, const char *what, struct sv_nfdump_stats *st);
/*
 * Read the next `len` bytes of the output, cut anywhere. Each complete
 * row becomes an SV_FLOW_AGGREGATE record handed to emit(ctx, rec), two
 * for a bidirectional row; `rec` is valid only during the call. nfdump's
 * header, "No matching flows" and statistics lines are skipped; its
 * summary line is held against the rows before it (summary_mismatch).
 * Bad lines (fields missing, bad values, longer than SV_NFDUMP_LINE_MAX)
 * are counted in malformed and logged at most every 10 s. Returns the
 * number of records emitted.
 */
int sv_nfdump_fmt_feed(struct sv_nfdump_fmt *p, const char *buf, size_t len,
		       sv_nfdump_emit_fn *emit, void *ctx);
/* The output ended: read a last line without its newline. Returns as above. */
int sv_nfdump_fmt_end(struct sv_nfdump_fmt *p, sv_nfdump_emit_fn *emit, void *ctx);

#endif
