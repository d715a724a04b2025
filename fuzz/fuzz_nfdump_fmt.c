/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_nfdump_fmt.c - libFuzzer harness for the nfdump output parser
 * (sv_nfdump_fmt_feed/_end).
 *
 * The input is the text nfdump prints in the daemon's format (header,
 * rows, summary and statistics, or rows alone). It is fed twice: at once,
 * and in two pieces cut where its first byte says, the way a pipe may cut
 * it; both must give the same records and counts. Each record must make
 * sense on its own (an aggregate of IPv4 or IPv6, ending no earlier than
 * it starts), and the counts must agree: what the calls return is what
 * they emitted, at most two records a row, every line counted once.
 */
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "daemon/nfdump_fmt.h"

struct seen {
	uint64_t n, sum;
};

static void emit(void *ctx, const struct sv_flow *r)
{
	struct seen *s = ctx;

	if (r->kind != SV_FLOW_AGGREGATE || r->sampling_rate != 1)
		abort();
	if (r->ip_version != 4 && r->ip_version != 6)
		abort();
	if (r->agent_family != 4 && r->agent_family != 6)
		abort();
	if (r->last_ns < r->first_ns)
		abort();
	s->n++;
	s->sum += r->packets ^ r->bytes ^ r->first_ns ^ r->last_ns ^ r->sport ^ r->dport;
}

static void run(const uint8_t *data, size_t size, size_t cut, struct sv_nfdump_stats *st,
		struct seen *seen)
{
	static struct sv_nfdump_fmt p;
	int n;

	sv_nfdump_fmt_init(&p, "fuzz", st);
	n = sv_nfdump_fmt_feed(&p, (const char *)data, cut, emit, seen);
	n += sv_nfdump_fmt_feed(&p, (const char *)data + cut, size - cut, emit, seen);
	n += sv_nfdump_fmt_end(&p, emit, seen);
	if (n < 0 || (uint64_t)n != seen->n || st->records != seen->n)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int once;
	struct sv_nfdump_stats st = { 0 }, st2 = { 0 };
	struct seen seen = { 0 }, seen2 = { 0 };
	uint64_t lines = 1;

	if (!once) {
		/* Bad lines are the point here: only errors would be news. */
		sv_log_init("fuzz_nfdump_fmt", SV_LOG_ERR);
		once = 1;
	}
	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';

	run(data, size, 0, &st, &seen);
	run(data, size, size ? data[0] % (size + 1) : 0, &st2, &seen2);
	if (memcmp(&st, &st2, sizeof(st)) || seen.n != seen2.n || seen.sum != seen2.sum)
		abort();
	if (st.records > 2 * st.rows || st.rows > lines || st.malformed > lines)
		abort();
	if (st.rows + st.malformed > 2 * lines || st.summary_mismatch > lines)
		abort();
	if (st.files || st.nfdump_failures || st.stderr_bytes)
		abort();
	return 0;
}
