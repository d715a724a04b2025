/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nfdump_csv.h - the text `nfdump -o csv` prints, as flow records: what
 * the nfdump path (nfdump.h) runs on nfdump's output, apart so tests can
 * feed it text.
 */
#ifndef SV_NFDUMP_CSV_H
#define SV_NFDUMP_CSV_H

#include <snapvnf/flow.h>

#include "daemon/nfdump.h"

/*
 * Read nfdump's CSV from `fd` to its end: a header line, rows, then
 * "Summary" and its two lines (rows without a header, as -q prints them,
 * are read in nfdump 1.7's column order). Each row becomes an
 * SV_FLOW_AGGREGATE record handed to emit(ctx, rec), two for a
 * bidirectional row; `rec` is valid only during the call. Adds to `st`:
 * rows, records, malformed (lines skipped: fields missing, bad values,
 * longer than 4 KiB; logged at most every 10 s, named by `what`), and
 * summary_mismatch when the rows since the last summary disagree with it.
 * Returns the number of records emitted, or a negative errno if reading
 * failed.
 */
int sv_nfdump_csv_read(int fd, const char *what, struct sv_nfdump_stats *st,
		       void (*emit)(void *ctx, const struct sv_flow *rec), void *ctx);

#endif
