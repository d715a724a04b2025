/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nfdump.h - flow records from the files nfcapd rotates (the nfdump path,
 * docs/design.md, "Data path").
 *
 * nfcapd writes nfcapd.current.PID in a directory and renames it to
 * nfcapd.YYYYmmddHHMM[SS] every -t seconds. This module watches that
 * directory with inotify, runs `nfdump -r FILE -o csv` on each finished
 * file (no shell; TZ=UTC in nfdump's environment so its local times are
 * UTC) and turns each CSV row into an SV_FLOW_AGGREGATE record. NetFlow
 * v5/v9 and IPFIX thus arrive through a real collector, and the pipeline
 * of the original design can be measured against the native sFlow path.
 *
 * Files already in the directory when it is opened are left alone, and
 * subdirectories (nfcapd -S) are not watched. Each file is read to the end
 * inside sv_nfdump_poll: the caller's loop waits for nfdump meanwhile.
 */
#ifndef SV_NFDUMP_H
#define SV_NFDUMP_H

#include <stdint.h>

#include <snapvnf/flow.h>

struct sv_nfdump;

struct sv_nfdump_stats {
	uint64_t files;           /* finished files handed to nfdump */
	uint64_t rows;            /* flow rows nfdump printed, good or bad */
	uint64_t records;         /* records emitted (a bidirectional row gives two) */
	uint64_t malformed;       /* lines skipped: fields missing, bad values, too long */
	uint64_t nfdump_failures; /* runs that did not start, died or exited non-zero */
	uint64_t summary_mismatch;/* files whose rows disagree with nfdump's own summary */
};

/*
 * Watch `dir` (which must exist) for files nfcapd finishes. Fails, logging
 * why, if the directory cannot be watched or no `nfdump` is in PATH.
 * Returns NULL and sets errno on failure.
 */
struct sv_nfdump *sv_nfdump_open(const char *dir);

/* The descriptor to poll for POLLIN (non-blocking inotify). */
int sv_nfdump_fd(const struct sv_nfdump *nf);

/*
 * Call when the descriptor is readable. Runs nfdump on each file finished
 * since the last call (renamed into the directory, or closed after writing
 * under a final name) and hands each record to emit(ctx, rec); `rec` is
 * valid only during the call, with ts_ns the wall-clock time it was handed
 * over. Bad rows are counted and skipped (logged at most every 10 s).
 * Returns the number of records emitted, or -1 when the watch itself is
 * lost (directory removed or moved, read error).
 */
int sv_nfdump_poll(struct sv_nfdump *nf, void (*emit)(void *ctx, const struct sv_flow *rec),
		   void *ctx);

void sv_nfdump_stats(const struct sv_nfdump *nf, struct sv_nfdump_stats *st);

/* Stop watching and free; accepts NULL. */
void sv_nfdump_close(struct sv_nfdump *nf);

#endif
