/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_sflow.c - what decoding sFlow costs the collector: samples decoded
 * per CPU-second.
 *
 *   bench_sflow [-t FILE] [passes]
 *          (default: enough for about a second; -t: the figures also as
 *          TSV in FILE)
 *
 * The datagrams are the UDP payloads of the sFlow test captures (flow
 * samples with sampled headers, counter samples, several per datagram),
 * held in memory and decoded over and over with sv_sflow_open and
 * sv_sflow_next, every field of every known record read. The figure is
 * the thread's CPU time (CLOCK_THREAD_CPUTIME_ID), the best of three runs.
 */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "decode/packet.h"
#include "decode/sflow.h"

#define DATA_DIR "tests/data/"
#define MAX_DGRAMS 128
#define REPEAT 3

static const char *const captures[] = {
	"sflow-expanded", "sflow-flow", "sflow-ipv6", "sflow-counters",
};

struct dgram {
	uint8_t *buf;
	size_t len;
};

static struct dgram dgrams[MAX_DGRAMS];
static unsigned ndgrams;

static int load(const char *name)
{
	char path[256], err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *bytes;
	pcap_t *pc;

	snprintf(path, sizeof(path), DATA_DIR "%s.pcap", name);
	pc = pcap_open_offline(path, err);
	if (!pc) {
		fprintf(stderr, "bench_sflow: %s: %s (run from the top of the tree)\n", path, err);
		return -1;
	}
	while (pcap_next_ex(pc, &h, &bytes) == 1 && ndgrams < MAX_DGRAMS) {
		struct sv_pkt *p = calloc(1, sizeof(*p) + h->caplen);

		if (!p || h->caplen > UINT16_MAX)
			break;
		p->cap_len = (uint16_t)h->caplen;
		p->wire_len = h->len;
		memcpy(p->data, bytes, h->caplen);
		sv_packet_decode(p, pcap_datalink(pc));
		/* only datagrams that open: the NetFlow ones on 6343 are left out */
		if (p->payload_off != SV_OFF_NONE && p->payload_len >= 4 &&
		    p->data[p->payload_off + 3] == 5 && !p->data[p->payload_off + 2]) {
			struct dgram *d = &dgrams[ndgrams++];

			d->len = p->payload_len;
			d->buf = malloc(d->len);
			if (d->buf)
				memcpy(d->buf, p->data + p->payload_off, d->len);
			else
				ndgrams--;
		}
		free(p);
	}
	pcap_close(pc);
	return 0;
}

static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* One pass over every datagram; returns the samples decoded. */
static uint64_t pass(struct sv_sflow_stats *st, uint64_t *sink)
{
	struct sv_sflow_datagram d;
	struct sv_sflow_sample s;
	struct sv_sflow_iter it;
	uint64_t n = 0;

	for (unsigned i = 0; i < ndgrams; i++) {
		if (sv_sflow_open(&it, dgrams[i].buf, dgrams[i].len, dgrams[i].len, &d, st))
			continue;
		while (sv_sflow_next(&it, &s) > 0) {
			/* keep the decode from being optimised away */
			*sink += s.seq + s.records + s.hdr.len + s.ifc.in_octets;
			n++;
		}
	}
	return n;
}

int main(int argc, char **argv)
{
	struct sv_sflow_stats st = { 0 };
	uint64_t sink = 0, per_pass, passes = 0;
	double best = 0;
	FILE *tsv = NULL;
	int opt;

	for (size_t i = 0; i < sizeof(captures) / sizeof(captures[0]); i++)
		if (load(captures[i]))
			return 1;
	per_pass = pass(&st, &sink);
	if (!ndgrams || !per_pass || st.malformed || st.truncated) {
		fprintf(stderr, "bench_sflow: no sound datagram to decode\n");
		return 1;
	}
	while ((opt = getopt(argc, argv, "t:")) != -1) {
		if (opt != 't') {
			fprintf(stderr, "usage: bench_sflow [-t FILE] [passes]\n");
			return 2;
		}
		if (!(tsv = fopen(optarg, "w"))) {
			perror(optarg);
			return 2;
		}
	}
	if (optind < argc)
		passes = strtoull(argv[optind], NULL, 10);
	if (!passes) {
		/* about a second: calibrate on a short run */
		double t0 = cpu_now();
		uint64_t k = 0;

		while (cpu_now() - t0 < 0.05)
			k += pass(&st, &sink) ? 1 : 0;
		passes = k * 20;
	}

	for (int r = 0; r < REPEAT; r++) {
		double t0 = cpu_now(), dt;

		for (uint64_t k = 0; k < passes; k++)
			pass(&st, &sink);
		dt = cpu_now() - t0;
		if (dt > 0 && (best == 0 || dt < best))
			best = dt;
	}

	printf("bench_sflow: sFlow v5 decode, %u datagrams (%llu samples) of the test captures, "
	       "best of %d runs of %llu passes, thread CPU time\n",
	       ndgrams, (unsigned long long)per_pass, REPEAT, (unsigned long long)passes);
	printf("%14s %14s %12s %14s\n", "samples/cpu-s", "dgrams/cpu-s", "ns/sample", "(checksum)");
	printf("%14.0f %14.0f %12.1f %14llu\n", (double)(per_pass * passes) / best,
	       (double)ndgrams * (double)passes / best, best * 1e9 / (double)(per_pass * passes),
	       (unsigned long long)(sink & 0xffff));
	if (tsv) {
		fprintf(tsv, "samples_per_cpu_s\tdgrams_per_cpu_s\tns_per_sample\n");
		fprintf(tsv, "%.0f\t%.0f\t%.1f\n", (double)(per_pass * passes) / best,
			(double)ndgrams * (double)passes / best,
			best * 1e9 / (double)(per_pass * passes));
		if (fclose(tsv)) {
			perror("bench_sflow: -t");
			return 1;
		}
	}
	return 0;
}
