/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * input_pcap_file.c - the "file" input (-r): a capture replayed as fast as
 * the slowest service allows (lossless), or at recorded pace (--pace).
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

struct sv_input {
	pcap_t *p;
	const char *path;
	struct sv_ring *ring;
	struct sv_snapper *sn;
	/* the packet held back until it is due (--pace) or there is room */
	bool held;
	struct pcap_pkthdr *held_h;
	const u_char *held_d;
	bool pace;
	uint64_t pace_pkt0, pace_wall0;
	bool at_end;               /* libpcap said end or error: never ask again */
	unsigned put;              /* slots filled by this pcap_dispatch */
	uint64_t read_errors;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
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
	in->p = sv_pcap_open_file(path);
	if (!in->p || sv_pcap_filter(in->p, o->filter, path) < 0)
		goto fail;
	in->sn = sv_snapper_new(in->ring, o->snaplen, pcap_datalink(in->p), o->erspan);
	if (!in->sn)
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

/* With --pace, hold a packet back until its recorded offset has passed. */
static bool file_due(struct sv_input *in, const struct pcap_pkthdr *h, int *wait_ms)
{
	uint64_t ts = (uint64_t)h->ts.tv_sec * 1000000000u + (uint64_t)h->ts.tv_usec;
	uint64_t now = now_ns();

	if (!in->pace_wall0) {
		in->pace_wall0 = now;
		in->pace_pkt0 = ts;
	}
	if (ts <= in->pace_pkt0 || ts - in->pace_pkt0 <= now - in->pace_wall0)
		return true;
	*wait_ms = (int)((ts - in->pace_pkt0 - (now - in->pace_wall0)) / 1000000u) + 1;
	return false;
}

/* pcap_dispatch's callback: the next reserved slot. */
static void file_put(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct sv_input *in = (struct sv_input *)user;

	sv_snapper_put(in->sn, in->put++, h, bytes);
}

/*
 * As fast as the ring takes them: up to `room` packets in one
 * pcap_dispatch, as tcpdump reads a file, rather than a pcap_next_ex per
 * packet (the same work in libpcap, less of it around each packet). The
 * count of packets put is ours: on a read error pcap_dispatch returns -1,
 * not how many it handed over before.
 */
static unsigned file_dispatch(struct sv_input *in, unsigned room)
{
	int rc;

	in->put = 0;
	rc = pcap_dispatch(in->p, (int)room, file_put, (u_char *)in);
	if (rc == PCAP_ERROR) {
		/* A cut or corrupt file: what came before was good. */
		sv_err("reading the capture failed: %s", pcap_geterr(in->p));
		in->read_errors++;
		in->at_end = true;
	} else if (rc == 0 || rc == PCAP_ERROR_BREAK) {
		/* 0: the end of the file (filtered packets are read past, not counted) */
		in->at_end = true;
	}
	return in->put;
}

static int file_burst(struct sv_input *in, int *wait_ms)
{
	unsigned room, i = 0;

	if (in->at_end) {
		sv_info("end of %s: %llu packets", in->path,
			(unsigned long long)sv_snapper_received(in->sn));
		return SV_INPUT_END;
	}
	room = sv_ring_reserve(in->ring, BURST, SV_INPUT_RING_WAIT_MS);
	if (!in->pace && room)
		i = file_dispatch(in, room);
	while (in->pace && i < room) {
		if (!in->held) {
			int rc = pcap_next_ex(in->p, &in->held_h, &in->held_d);

			if (rc == PCAP_ERROR_BREAK) {
				in->at_end = true;
				break;
			}
			if (rc == PCAP_ERROR) {
				/* A cut or corrupt file: what came before was good. */
				sv_err("reading the capture failed: %s", pcap_geterr(in->p));
				in->read_errors++;
				in->at_end = true;
				break;
			}
			if (rc != 1)
				continue;
			in->held = true;
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

static void file_stats(const struct sv_input *in, struct sv_metrics *m)
{
	sv_snapper_metrics(in->sn, m);
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
