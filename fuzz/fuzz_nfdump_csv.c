/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_nfdump_csv.c - libFuzzer harness for sv_nfdump_csv_read().
 *
 * The input is the text nfdump prints (header, rows, summary, or rows
 * alone as -q prints them). It is read from a memfd, the way the reader
 * reads nfdump's pipe: to the end, in its own chunks. Each record must
 * make sense on its own (an aggregate of IPv4 or IPv6, ending no earlier
 * than it starts), and the counts must agree: what the call returns is
 * what it emitted, at most two records a row, every line counted once.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/log.h"
#include "daemon/nfdump_csv.h"

struct seen {
	uint64_t n;
};

static void emit(void *ctx, const struct sv_flow *r)
{
	struct seen *s = ctx;

	if (r->kind != SV_FLOW_AGGREGATE || r->sampling_rate != 1)
		abort();
	if (r->ip_version != 4 && r->ip_version != 6)
		abort();
	if (r->agent_family != 0 && r->agent_family != 4 && r->agent_family != 6)
		abort();
	if (r->last_ns < r->first_ns)
		abort();
	s->n++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	struct sv_nfdump_stats st = { 0 };
	struct seen seen = { 0 };
	uint64_t lines = 1;
	int n;

	if (fd < 0) {
		/* Bad lines are the point here: only errors would be news. */
		sv_log_init("fuzz_nfdump_csv", SV_LOG_ERR);
		fd = memfd_create("nfdump-csv", MFD_CLOEXEC);
		if (fd < 0)
			abort();
	}
	if (ftruncate(fd, 0) < 0 || pwrite(fd, data, size, 0) != (ssize_t)size ||
	    lseek(fd, 0, SEEK_SET) != 0)
		abort();
	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';

	n = sv_nfdump_csv_read(fd, "fuzz", &st, emit, &seen);
	if (n < 0 || (uint64_t)n != seen.n || st.records != seen.n)
		abort();
	if (st.records > 2 * st.rows || st.rows > lines || st.malformed > lines)
		abort();
	if (st.rows + st.malformed > 2 * lines || st.summary_mismatch > lines)
		abort();
	if (st.files || st.nfdump_failures)
		abort();
	return 0;
}
