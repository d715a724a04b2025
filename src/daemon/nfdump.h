/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nfdump.h - flow records from the files nfcapd rotates (the nfdump path,
 * docs/design.md, "Data path").
 *
 * nfcapd writes nfcapd.current.PID in a directory and renames it to
 * nfcapd.YYYYmmddHHMM[SS] every -t seconds. This module watches that
 * directory with inotify and runs `nfdump -N -6 -r FILE -o fmt:...` (no
 * shell; nfdump_fmt.h) on each finished file, one at a time, and turns
 * each line it prints into an SV_FLOW_AGGREGATE record. NetFlow v5/v9 and
 * IPFIX thus arrive through a real collector, and the pipeline of the
 * original design can be measured against the native sFlow path.
 *
 * nfdump's output is read as a stream: the pipe is non-blocking, each
 * call reads at most what it is allowed to, and a caller that stops
 * calling (a full lossless ring) makes nfdump wait on its full pipe. The
 * watch, the pipe and nfdump's stderr are one descriptor to poll (an
 * epoll set). A run fails when nfdump cannot start, dies, exits non-zero
 * or writes anything to stderr (nfdump 1.7 exits 0 on a file that is not
 * an nfcapd file, and says so only there); the first bytes of its stderr
 * are kept for the log, which says at most once per 10 s what failed.
 *
 * Files already in the directory when it is opened are left alone, and
 * subdirectories (nfcapd -S) are not watched.
 */
#ifndef SV_NFDUMP_H
#define SV_NFDUMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <snapvnf/flow.h>

struct sv_nfdump;

struct sv_nfdump_stats {
	uint64_t files;           /* finished files handed to nfdump */
	uint64_t rows;            /* flow rows nfdump printed, good or bad */
	uint64_t records;         /* records emitted (a bidirectional row gives two) */
	uint64_t malformed;       /* lines skipped: fields missing, bad values, too long */
	uint64_t nfdump_failures; /* runs that did not start, died, exited non-zero or complained */
	uint64_t summary_mismatch;/* files whose rows disagree with nfdump's own summary */
	uint64_t stderr_bytes;    /* bytes nfdump wrote to stderr */
	uint64_t files_missed;    /* finished files never read: inotify overflow, too many waiting */
};

/*
 * Watch `dir` (which must exist) for files nfcapd finishes. Fails, logging
 * why, if the directory cannot be watched or no `nfdump` is in PATH.
 * Returns NULL and sets errno on failure.
 */
struct sv_nfdump *sv_nfdump_open(const char *dir);

/* The descriptor to poll for POLLIN: the watch and the running nfdump. */
int sv_nfdump_fd(const struct sv_nfdump *nf);

/*
 * Take the files finished since the last call (renamed into the
 * directory, or closed after writing under a final name), start nfdump on
 * the next one when none runs, and read up to `max_bytes` of its output,
 * handing each record to emit(ctx, rec); `rec` is valid only during the
 * call, with ts_ns the wall-clock time it was handed over. Bad rows are
 * counted and skipped (logged at most every 10 s). Never blocks. Returns
 * the number of records emitted, or -1 when the watch itself is lost
 * (directory removed or moved, read error). Sets *wait_ms when it must be
 * called again within that time although its descriptor may stay quiet
 * (nfdump closed its output and is still to be reaped).
 */
int sv_nfdump_poll(struct sv_nfdump *nf, size_t max_bytes,
		   void (*emit)(void *ctx, const struct sv_flow *rec), void *ctx, int *wait_ms);

void sv_nfdump_stats(const struct sv_nfdump *nf, struct sv_nfdump_stats *st);
/* No nfdump runs and no finished file waits (as of the last poll). */
bool sv_nfdump_idle(const struct sv_nfdump *nf);

/* Stop watching, end a running nfdump, free; accepts NULL. */
void sv_nfdump_close(struct sv_nfdump *nf);

#endif
