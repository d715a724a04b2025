/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_reader.c - what reading a snap costs a service: in place
 * (sv_ring_read_burst, how a lossless service reads) against copied and
 * checked first (sv_ring_read_copy, how a lossy one reads, so that a VNF
 * never acts on a slot the daemon is rewriting), alone and in front of
 * two real chains.
 *
 *   bench_reader [-t FILE] [snaps]   (default 1000000 per run, best of 5)
 *
 * A producer thread publishes the snaps of data/demo.pcap (150 bytes,
 * decoded as the daemon does: 262-byte payloads) into a lossless ring, so
 * both ways read every item; the reader thread runs on another CPU, as a
 * service does, and the lines it reads were written by the producer's.
 * The figure is the reader thread's CPU time per snap, measured around the
 * read and the chain only (not while it waits for the producer).
 *
 * Chains: "pkt_stats" (a counter per protocol: next to no work, so the
 * copy's share is at its largest) and "http_request dns tls_sni" (what the
 * demo's l7 service runs).
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include <snapvnf/builtin.h>
#include <snapvnf/pkt.h>

#include "common/ring.h"
#include "decode/packet.h"
#include "lib/chain.h"
#include "lib/event.h"

#define SNAPLEN 150u
#define PAYLOAD ((uint32_t)sizeof(struct sv_pkt) + SNAPLEN)
#define SLOTS   4096u
#define BURST   32u
#define POOL    256u
#define REPEAT  5

static uint8_t pool[POOL][PAYLOAD];
static unsigned npool;
static cpu_set_t producer_cpus, reader_cpus;

enum chain_kind { CH_NONE, CH_STATS, CH_L7, CH_N };
static const char *const chain_names[CH_N] = { "read only", "pkt_stats", "http_request dns tls_sni" };

struct run {
	int ring_fd, cursor_fd;
	int copy;
	enum chain_kind chain;
	uint64_t snaps, got, sum;
	double cpu_ns;
	int err;
};

static double thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* The first allowed CPU for the producer, the rest for the reader. */
static void split_cpus(void)
{
	cpu_set_t all;
	int first = -1;

	CPU_ZERO(&producer_cpus);
	CPU_ZERO(&reader_cpus);
	if (sched_getaffinity(0, sizeof(all), &all) < 0 || CPU_COUNT(&all) < 2)
		return;
	for (int c = 0; c < CPU_SETSIZE; c++) {
		if (!CPU_ISSET(c, &all))
			continue;
		if (first < 0) {
			first = c;
			CPU_SET(c, &producer_cpus);
		} else {
			CPU_SET(c, &reader_cpus);
		}
	}
}

static void pin(const cpu_set_t *set)
{
	if (CPU_COUNT(set))
		pthread_setaffinity_np(pthread_self(), sizeof(*set), set);
}

/* The demo capture's first snaps, decoded once, as the daemon writes them. */
static void load_pool(const char *path)
{
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline(path, err);
	struct pcap_pkthdr *h;
	const u_char *bytes;

	if (!p) {
		fprintf(stderr, "bench_reader: %s: %s\n", path, err);
		exit(1);
	}
	while (npool < POOL && pcap_next_ex(p, &h, &bytes) == 1) {
		struct sv_pkt *s = (struct sv_pkt *)pool[npool++];
		uint32_t cap = h->caplen < SNAPLEN ? h->caplen : SNAPLEN;

		s->ts_ns = (uint64_t)h->ts.tv_sec * 1000000000u + (uint64_t)h->ts.tv_usec * 1000u;
		s->wire_len = h->len;
		s->cap_len = (uint16_t)cap;
		s->sampling_rate = 1;
		memcpy(s->data, bytes, cap);
		sv_packet_decode(s, pcap_datalink(p));
	}
	pcap_close(p);
	if (npool == 0) {
		fprintf(stderr, "bench_reader: no packets in %s\n", path);
		exit(1);
	}
}

static struct sv_chain *make_chain(enum chain_kind kind)
{
	static pkt_vnf *const l7[] = { &sv_vnf_http_request, &sv_vnf_dns, &sv_vnf_tls_sni };
	struct sv_chain *ch;
	struct sv_sink *sink;
	char err[256];

	if (kind == CH_NONE)
		return NULL;
	ch = sv_chain_new("bench", NULL);
	if (!ch) {
		perror("sv_chain_new");
		exit(1);
	}
	/* The L7 VNFs' events are part of their cost, written where they
	 * cost nothing to keep. */
	if (!(sink = sv_sink_open("/dev/null"))) {
		perror("bench_reader: /dev/null");
		exit(1);
	}
	sv_event_out_sink(sv_chain_events(ch), sink);
	if (kind == CH_STATS) {
		if (sv_chain_add(ch, SV_KIND_PKT, &sv_vnf_pkt_stats, NULL, NULL, NULL, err, sizeof(err)))
			goto fail;
	} else {
		for (unsigned i = 0; i < 3; i++)
			if (sv_chain_add(ch, SV_KIND_PKT, l7[i], NULL, NULL, NULL, err, sizeof(err)))
				goto fail;
	}
	if (sv_chain_compile(ch) == 0)
		return ch;
	snprintf(err, sizeof(err), "compile");
fail:
	fprintf(stderr, "bench_reader: chain: %s\n", err);
	exit(1);
}

static void *reader_main(void *p)
{
	struct run *r = p;
	struct sv_ring_reader rd;
	struct sv_chain *ch = make_chain(r->chain);
	const void *items[64];
	static _Thread_local uint8_t copies[64 * PAYLOAD];
	double cpu = 0;

	pin(&reader_cpus);
	if (sv_ring_reader_open(&rd, r->ring_fd, r->cursor_fd)) {
		r->err = 1;
		return NULL;
	}
	rd.payload_size = PAYLOAD;
	while (r->got < r->snaps) {
		double t0 = thread_cpu_ns();
		unsigned n = r->copy ? sv_ring_read_copy(&rd, copies, items, 64)
				     : sv_ring_read_burst(&rd, items, 64);

		for (unsigned i = 0; i < n; i++) {
			const struct sv_pkt *s = items[i];

			if (ch)
				sv_chain_pkt(ch, s);
			else
				r->sum += s->wire_len + s->data[s->cap_len - 1];
		}
		if (!r->copy && n && sv_ring_read_done(&rd, NULL) != n)
			r->err = 2;
		cpu += thread_cpu_ns() - t0;
		r->got += n;
		if (n == 0 && sv_ring_wait(&rd, 1000) < 0)
			break;
	}
	r->cpu_ns = cpu;
	if (atomic_load(&rd.cur->lost))
		r->err = 3;
	sv_ring_reader_close(&rd);
	sv_chain_free(ch);
	return NULL;
}

/* Reader CPU ns per snap for one way of reading and one chain. */
static double run(int copy, enum chain_kind chain, uint64_t snaps)
{
	struct sv_ring *ring = sv_ring_create(SLOTS, PAYLOAD, SV_RING_KIND_PKT, SV_RING_LOSSLESS);
	struct run r = { .copy = copy, .chain = chain, .snaps = snaps };
	struct sv_cursor *cur;
	pthread_t th;

	if (!ring) {
		perror("sv_ring_create");
		exit(1);
	}
	r.ring_fd = sv_ring_fd(ring);
	r.cursor_fd = sv_ring_attach(ring, &cur);
	if (r.cursor_fd < 0 || pthread_create(&th, NULL, reader_main, &r)) {
		fprintf(stderr, "bench_reader: cannot start the reader\n");
		exit(1);
	}
	pin(&producer_cpus);
	for (uint64_t seq = 0; seq < snaps;) {
		unsigned n = sv_ring_reserve(ring, BURST, -1);

		if (n > snaps - seq)
			n = (unsigned)(snaps - seq);
		for (unsigned i = 0; i < n; i++)
			memcpy(sv_ring_write_slot(ring, i), pool[(seq + i) % npool], PAYLOAD);
		sv_ring_publish(ring, n);
		seq += n;
	}
	sv_ring_end(ring);
	pthread_join(th, NULL);
	close(r.cursor_fd);
	sv_ring_destroy(ring);
	if (r.err || r.got != snaps) {
		fprintf(stderr, "bench_reader: the reader got %llu of %llu (err %d)\n",
			(unsigned long long)r.got, (unsigned long long)snaps, r.err);
		exit(1);
	}
	return r.cpu_ns / (double)snaps;
}

int main(int argc, char **argv)
{
	const char *tsv = NULL;
	uint64_t snaps = 1000000;
	double best[CH_N][2];
	FILE *f = NULL;
	int c;

	while ((c = getopt(argc, argv, "t:")) != -1) {
		if (c != 't') {
			fprintf(stderr, "usage: bench_reader [-t FILE] [snaps]\n");
			return 2;
		}
		tsv = optarg;
	}
	if (optind < argc)
		snaps = strtoull(argv[optind], NULL, 10);
	load_pool("data/demo.pcap");
	split_cpus();
	for (int k = 0; k < CH_N; k++)
		best[k][0] = best[k][1] = 1e30;
	/* The two ways take turns in each repetition; the best of each. */
	for (int rep = 0; rep < REPEAT; rep++)
		for (int k = 0; k < CH_N; k++)
			for (int copy = 0; copy < 2; copy++) {
				double t = run(copy, (enum chain_kind)k, snaps);

				if (t < best[k][copy])
					best[k][copy] = t;
			}
	printf("service CPU per snap (%u-byte payloads), best of %d runs of %llu snaps\n",
	       PAYLOAD, REPEAT, (unsigned long long)snaps);
	printf("%-26s %10s %10s %10s %8s\n", "chain", "in place", "copied", "+ns", "ratio");
	if (tsv && (f = fopen(tsv, "w")))
		fprintf(f, "chain\tin_place_ns\tcopied_ns\tratio\n");
	for (int k = 0; k < CH_N; k++) {
		printf("%-26s %10.1f %10.1f %10.1f %8.2f\n", chain_names[k], best[k][0], best[k][1],
		       best[k][1] - best[k][0], best[k][1] / best[k][0]);
		if (f)
			fprintf(f, "%s\t%.2f\t%.2f\t%.3f\n", chain_names[k], best[k][0], best[k][1],
				best[k][1] / best[k][0]);
	}
	if (f)
		fclose(f);
	return 0;
}
