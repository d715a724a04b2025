/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * input_pcap_file.c - the "file" input (-r): a capture replayed as fast as
 * the slowest service allows (lossless), or at recorded pace (--pace).
 *
 * A paced replay waits, before each packet, the gap the capture recorded
 * since the packet before, counted from when that one was due (so waits
 * do not add up to drift). A capture's clock can jump: merged files,
 * a clock set while capturing, a corrupt timestamp. A packet recorded
 * before the one it follows goes at once; a gap longer than
 * --pace-max-gap is cut to it. Both are counted and logged.
 */
#include <stdlib.h>
#include <time.h>

#include "common/log.h"
#include "common/ring.h"
#include "daemon/daemon.h"
#include "daemon/input.h"
#include "daemon/metrics.h"
#include "daemon/pcap.h"

#define BURST 64
#define LOG_EVERY_NS (10ull * 1000000000ull)

struct sv_input {
	pcap_t *p;
	const char *path;
	struct sv_ring *ring;
	struct sv_snapper *sn;
	/* the packet held back until it is due (--pace) or there is room */
	bool held;
	struct pcap_pkthdr *held_h;
	const u_char *held_d;
	uint64_t packets;          /* read from the file so far */
	/* --pace */
	bool pace;
	bool due_known;            /* due_ns is the held packet's */
	uint64_t max_gap_ns;
	uint64_t prev_ts, prev_due, due_ns;
	uint64_t clock_back, clock_jumps;
	uint64_t back_last, back_suppressed, jump_last, jump_suppressed;  /* log limits */
	bool at_end;               /* libpcap said end or error: never ask again */
	unsigned put;              /* next slot for pcap_dispatch's callback */
	uint64_t read_errors;      /* the file could not be read to its end */
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Hold the next packet: 1, 0 at the end, -1 on an error (logged, counted). */
static int read_next(struct sv_input *in)
{
	for (;;) {
		int rc = pcap_next_ex(in->p, &in->held_h, &in->held_d);

		if (rc == 1) {
			in->held = true;
			in->packets++;
			return 1;
		}
		if (rc == PCAP_ERROR_BREAK) {
			in->at_end = true;
			return 0;
		}
		if (rc == PCAP_ERROR) {
			/* A cut or corrupt file: what came before was good. */
			sv_pcap_read_failed(in->p, in->path, in->packets);
			in->read_errors++;
			in->at_end = true;
			return -1;
		}
	}
}

static void file_close(struct sv_input *in)
{
	if (!in)
		return;
	if (in->p)
		pcap_close(in->p);
	sv_snapper_free(in->sn);
	free(in);
}

static struct sv_input *file_open(const char *path, const struct sv_input_env *env)
{
	const struct sv_opts *o = env->opts;
	struct sv_input *in = calloc(1, sizeof(*in));

	if (!in)
		return NULL;
	in->path = path;
	in->ring = env->pkt_ring;
	in->pace = o->pace;
	in->max_gap_ns = (uint64_t)o->pace_max_gap_ms * 1000000u;
	in->p = sv_pcap_open_file(path);
	if (!in->p || sv_pcap_filter(in->p, o->filter, path) < 0)
		goto fail;
	in->sn = sv_snapper_new(in->ring, o->snaplen, pcap_datalink(in->p), o->erspan);
	if (!in->sn)
		goto fail;
	/* A file that fails before its first packet is refused now, not
	 * replayed as nothing. */
	if (read_next(in) < 0)
		goto fail;
	return in;
fail:
	file_close(in);
	return NULL;
}

static int file_fd(struct sv_input *in)
{
	return -1;
}

/* When the held packet is due (monotonic ns): the previous one's due time
 * plus the recorded gap, clamped. */
static uint64_t pace_due(struct sv_input *in, const struct pcap_pkthdr *h)
{
	uint64_t ts = (uint64_t)h->ts.tv_sec * 1000000000u + (uint64_t)h->ts.tv_usec;
	uint64_t gap;

	if (in->packets == 1) {  /* the first is due at once */
		in->prev_ts = ts;
		return now_ns();
	}
	if (ts < in->prev_ts) {
		gap = 0;
		in->clock_back++;
		sv_log_ratelimited(&in->back_last, &in->back_suppressed, LOG_EVERY_NS, SV_LOG_WARN,
				   "%s: packet %llu is recorded %.3f s before the one it follows; "
				   "replayed at once (--pace)", in->path,
				   (unsigned long long)in->packets, (double)(in->prev_ts - ts) / 1e9);
	} else if (ts - in->prev_ts > in->max_gap_ns) {
		gap = in->max_gap_ns;
		in->clock_jumps++;
		sv_log_ratelimited(&in->jump_last, &in->jump_suppressed, LOG_EVERY_NS, SV_LOG_WARN,
				   "%s: packet %llu comes %.3f s after the one before; waiting "
				   "%.3f s instead (--pace-max-gap)", in->path,
				   (unsigned long long)in->packets, (double)(ts - in->prev_ts) / 1e9,
				   (double)in->max_gap_ns / 1e9);
	} else {
		gap = ts - in->prev_ts;
	}
	in->prev_ts = ts;
	return in->prev_due + gap;
}

/* With --pace, hold a packet back until it is due; *wait_ms says how long. */
static bool file_due(struct sv_input *in, const struct pcap_pkthdr *h, int *wait_ms)
{
	uint64_t now;

	if (!in->due_known) {
		in->due_ns = pace_due(in, h);
		in->due_known = true;
	}
	now = now_ns();
	if (now >= in->due_ns) {
		in->prev_due = in->due_ns;
		in->due_known = false;
		return true;
	}
	/* At most --pace-max-gap: an int of ms whatever the capture says. */
	*wait_ms = (int)((in->due_ns - now + 999999) / 1000000u);
	return false;
}

/* pcap_dispatch's callback: the next reserved slot. */
static void file_put(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct sv_input *in = (struct sv_input *)user;

	sv_snapper_put(in->sn, in->put++, h, bytes);
	in->packets++;
}

/*
 * As fast as the ring takes them: up to n packets into the slots from
 * `first` on, in one pcap_dispatch, as tcpdump reads a file, rather than a
 * pcap_next_ex per packet (the same work in libpcap, less of it around
 * each packet). The count of packets put is ours: on a read error
 * pcap_dispatch returns -1, not how many it handed over before.
 */
static unsigned file_dispatch(struct sv_input *in, unsigned first, unsigned n)
{
	int rc;

	in->put = first;
	rc = pcap_dispatch(in->p, (int)n, file_put, (u_char *)in);
	if (rc == PCAP_ERROR) {
		/* A cut or corrupt file: what came before was good. */
		sv_pcap_read_failed(in->p, in->path, in->packets);
		in->read_errors++;
		in->at_end = true;
	} else if (rc == 0 || rc == PCAP_ERROR_BREAK) {
		/* 0: the end of the file (filtered packets are read past, not counted) */
		in->at_end = true;
	}
	return in->put - first;
}

static int file_burst(struct sv_input *in, int *wait_ms)
{
	unsigned room, i = 0;

	if (in->at_end && !in->held) {
		sv_info("end of %s: %llu packets", in->path,
			(unsigned long long)sv_snapper_received(in->sn));
		return in->read_errors ? SV_INPUT_SHORT : SV_INPUT_END;
	}
	room = sv_ring_reserve(in->ring, BURST, SV_INPUT_RING_WAIT_MS);
	while (i < room) {
		if (!in->held) {
			/* Not paced: the rest of the burst in one pcap_dispatch. */
			if (!in->pace) {
				i += file_dispatch(in, i, room - i);
				break;
			}
			if (read_next(in) <= 0)
				break;
		}
		if (in->pace && !file_due(in, in->held_h, wait_ms))
			break;
		sv_snapper_put(in->sn, i++, in->held_h, in->held_d);
		in->held = false;
	}
	if (i)
		sv_ring_publish(in->ring, i);
	return (int)i;
}

static const struct sv_metric file_rows[] = {
	SV_COUNTER("read_errors", struct sv_input, read_errors,
		   "Capture files that could not be read to their end (cut, corrupt)."),
	SV_COUNTER("pace_clock_back", struct sv_input, clock_back,
		   "Packets recorded before the one they follow, replayed at once (--pace)."),
	SV_COUNTER("pace_clock_jumps", struct sv_input, clock_jumps,
		   "Recorded gaps longer than --pace-max-gap, cut to it (--pace)."),
};

static void file_stats(const struct sv_input *in, struct sv_metrics *m)
{
	sv_snapper_metrics(in->sn, m);
	sv_metrics_table(m, file_rows, SV_NROWS(file_rows), in);
}

const struct sv_input_ops sv_input_pcap_file = {
	.name = "file",
	.section = "capture",
	.finite = true,
	.open = file_open,
	.fd = file_fd,
	.burst = file_burst,
	.stats = file_stats,
	.close = file_close,
};
