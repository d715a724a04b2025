/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * input_nfdump.c - the "nfdump" input (--nfdump-dir DIR): the records
 * nfdump prints of each file nfcapd finishes in DIR (nfdump.c), to the
 * collector's queue and from there to the flow ring, a bounded amount of
 * nfdump's output per burst. Lossless, nothing more is read while the
 * queue waits for room in the flow ring, and nfdump waits on its pipe.
 */
#include <stdlib.h>

#include "daemon/collector.h"
#include "daemon/daemon.h"
#include "daemon/input.h"
#include "daemon/metrics.h"
#include "daemon/nfdump.h"

/* nfdump's output read per burst: a few hundred rows, well under a millisecond. */
#define NFDUMP_BYTES (64 * 1024)

struct sv_input {
	struct sv_nfdump *nf;
	struct sv_collector *coll;
	int drain_wait_ms;
};

static void nfd_close(struct sv_input *in)
{
	if (!in)
		return;
	sv_nfdump_close(in->nf);
	free(in);
}

static struct sv_input *nfd_open(const char *dir, const struct sv_input_env *env)
{
	struct sv_input *in = calloc(1, sizeof(*in));

	if (!in)
		return NULL;
	in->coll = env->collector;
	in->drain_wait_ms = env->opts->lossless ? SV_INPUT_RING_WAIT_MS : 0;
	in->nf = sv_nfdump_open(dir);
	if (!in->nf) {
		free(in);
		return NULL;
	}
	return in;
}

static int nfd_fd(struct sv_input *in)
{
	return sv_nfdump_fd(in->nf);
}

static void emit(void *ctx, const struct sv_flow *rec)
{
	sv_collector_record(ctx, rec);
}

static int nfd_burst(struct sv_input *in, int *wait_ms)
{
	int n;

	if (!sv_collector_drain(in->coll, in->drain_wait_ms))
		return 0;
	n = sv_nfdump_poll(in->nf, NFDUMP_BYTES, emit, in->coll, wait_ms);
	sv_collector_drain(in->coll, 0);
	return n < 0 ? SV_INPUT_FAIL : n;
}

static const struct sv_metric nfd_rows[] = {
	SV_COUNTER("files", struct sv_nfdump_stats, files, "Finished nfcapd files handed to nfdump."),
	SV_COUNTER("rows", struct sv_nfdump_stats, rows, "Flow rows nfdump printed, good or bad."),
	SV_COUNTER("records", struct sv_nfdump_stats, records,
		   "Flow records made of them (a biflow row gives two)."),
	SV_COUNTER("malformed", struct sv_nfdump_stats, malformed,
		   "Lines of nfdump's output skipped as malformed."),
	SV_COUNTER("nfdump_failures", struct sv_nfdump_stats, nfdump_failures,
		   "nfdump runs that did not start, died, exited non-zero or wrote to stderr."),
	/* Not "summary_*": Prometheus names say nothing like a type. */
	SV_COUNTER("totals_mismatch", struct sv_nfdump_stats, summary_mismatch,
		   "Files whose rows disagree with the totals nfdump prints for them."),
	SV_COUNTER("stderr_bytes", struct sv_nfdump_stats, stderr_bytes,
		   "Bytes nfdump wrote to its stderr."),
	SV_COUNTER("files_missed", struct sv_nfdump_stats, files_missed,
		   "Finished nfcapd files never read: inotify overflowed, too many waiting."),
};

static void nfd_stats(const struct sv_input *in, struct sv_metrics *m)
{
	struct sv_nfdump_stats st;

	sv_nfdump_stats(in->nf, &st);
	sv_metrics_table(m, nfd_rows, SV_NROWS(nfd_rows), &st);
}

const struct sv_input_ops sv_input_nfdump = {
	.name = "nfdump",
	.section = "nfdump",
	.finite = false,
	.open = nfd_open,
	.fd = nfd_fd,
	.burst = nfd_burst,
	.stats = nfd_stats,
	.close = nfd_close,
};
