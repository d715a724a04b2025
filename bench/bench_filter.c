/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_filter.c - what a service's BPF filter saves: the CPU a DNS-only
 * service spends per snap of data/demo.pcap (HTTP, TLS, DNS, iperf3 UDP,
 * as the daemon would hand them: 150-byte snaps, decoded once), with its
 * chain run on every snap, against the same chain behind the filter
 * 'udp port 53' (what service.c does: sv_filter_match, then the chain for
 * the snaps that pass). Two chains: `dns` alone, and the three L7 VNFs of
 * l7_monitor (http_request dns tls_sni) with the same filter.
 *
 *   bench_filter [-r reps] [-t FILE] [-f CAPTURE] [rounds]
 *          (default: data/demo.pcap, 20 rounds over it, best of 5)
 *
 * Time is this thread's CPU time (the machine is shared), the best of the
 * repetitions, the variants taking turns in each. Events go to /dev/null.
 */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <snapvnf/builtin.h>

#include "decode/packet.h"
#include "lib/chain.h"
#include "lib/event.h"
#include "lib/filter.h"

#define SNAP 150
#define SLOT (sizeof(struct sv_pkt) + SNAP + 8)

static unsigned char *pkts;
static size_t npkts;

static int load(const char *path)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	pcap_t *p = pcap_open_offline(path, err);
	size_t cap = 0;

	if (!p) {
		fprintf(stderr, "bench_filter: %s\n", err);
		return -1;
	}
	while (pcap_next_ex(p, &h, &data) == 1) {
		struct sv_pkt *s;

		if (npkts == cap) {
			cap = cap ? 2 * cap : 4096;
			pkts = realloc(pkts, cap * SLOT);
			if (!pkts)
				return -1;
		}
		s = (struct sv_pkt *)(pkts + npkts * SLOT);
		memset(s, 0, sizeof(*s));
		s->cap_len = (uint16_t)(h->caplen < SNAP ? h->caplen : SNAP);
		s->wire_len = h->len;
		s->ts_ns = (uint64_t)h->ts.tv_sec * 1000000000ull + (uint64_t)h->ts.tv_usec * 1000;
		s->sampling_rate = 1;
		memcpy(s->data, data, s->cap_len);
		sv_packet_decode(s, pcap_datalink(p));
		npkts++;
	}
	pcap_close(p);
	return npkts ? 0 : -1;
}

static double cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* CPU ns per snap for `rounds` passes, through the filter when f. */
static double run(struct sv_chain *ch, const struct sv_filter *f, unsigned rounds,
		  size_t *passed)
{
	double t0 = cpu_ns();

	*passed = 0;
	for (unsigned r = 0; r < rounds; r++) {
		for (size_t i = 0; i < npkts; i++) {
			const struct sv_pkt *p = (const struct sv_pkt *)(pkts + i * SLOT);

			if (f && !sv_filter_match(f, p))
				continue;
			(*passed)++;
			sv_chain_pkt(ch, p);
		}
		sv_event_out_flush(sv_chain_events(ch));
	}
	return (cpu_ns() - t0) / ((double)rounds * (double)npkts);
}

static struct sv_chain *chain(const pkt_vnf *const *v, unsigned n)
{
	struct sv_chain *ch = sv_chain_new("bench", NULL);
	struct sv_sink *sink = ch ? sv_sink_open("/dev/null") : NULL;
	char err[256];

	if (!sink)
		return NULL;
	/* Events cost their share, written where they cost nothing to keep. */
	sv_event_out_sink(sv_chain_events(ch), sink);
	for (unsigned i = 0; ch && i < n; i++) {
		if (sv_chain_add(ch, SV_KIND_PKT, v[i], NULL, NULL, i ? "*" : NULL, err,
				 sizeof(err)) < 0) {
			fprintf(stderr, "bench_filter: %s\n", err);
			return NULL;
		}
	}
	if (ch && sv_chain_compile(ch) < 0)
		return NULL;
	return ch;
}

int main(int argc, char **argv)
{
	static const pkt_vnf *const dns[] = { &sv_vnf_dns };
	static const pkt_vnf *const l7[] = { &sv_vnf_http_request, &sv_vnf_dns, &sv_vnf_tls_sni };
	const char *cap = "data/demo.pcap", *tsv_path = NULL, *expr = "udp port 53";
	unsigned reps = 5, rounds = 20;
	struct {
		const char *name;
		struct sv_chain *ch;
		double all, filtered;
		size_t passed;
	} c[2] = { { "dns", NULL, 0, 0, 0 }, { "http_request dns tls_sni", NULL, 0, 0, 0 } };
	struct sv_filter *f;
	char err[256];
	FILE *tsv = NULL;
	int o;

	while ((o = getopt(argc, argv, "r:t:f:")) != -1) {
		switch (o) {
		case 'r': reps = (unsigned)atoi(optarg); break;
		case 't': tsv_path = optarg; break;
		case 'f': cap = optarg; break;
		default:
			fprintf(stderr, "usage: bench_filter [-r reps] [-t FILE] [-f CAPTURE] [rounds]\n");
			return 2;
		}
	}
	if (optind < argc)
		rounds = (unsigned)atoi(argv[optind]);
	if (!reps || !rounds || load(cap) < 0)
		return 1;
	f = sv_filter_new(expr, err, sizeof(err));
	c[0].ch = chain(dns, 1);
	c[1].ch = chain(l7, 3);
	if (!f || !c[0].ch || !c[1].ch) {
		fprintf(stderr, "bench_filter: cannot set up (%s)\n", f ? "chain" : err);
		return 1;
	}
	for (unsigned k = 0; k < 2; k++)
		c[k].all = c[k].filtered = 1e30;
	for (unsigned r = 0; r < reps; r++) {
		for (unsigned k = 0; k < 2; k++) {
			size_t n;
			double t = run(c[k].ch, NULL, rounds, &n);

			if (t < c[k].all)
				c[k].all = t;
			t = run(c[k].ch, f, rounds, &c[k].passed);
			if (t < c[k].filtered)
				c[k].filtered = t;
		}
	}
	printf("filter: CPU ns per snap of %s (%zu snaps of %d bytes, %u rounds, best of %u),\n"
	       "the chain on every snap against behind the BPF filter '%s'\n", cap, npkts, SNAP,
	       rounds, reps, expr);
	printf("%-26s %12s %12s %9s %8s\n", "chain", "every snap", "filtered", "passed", "ratio");
	if (tsv_path && (tsv = fopen(tsv_path, "w")))
		fprintf(tsv, "chain\tns_per_snap_unfiltered\tns_per_snap_filtered\tpassed_share\tratio\n");
	for (unsigned k = 0; k < 2; k++) {
		double share = (double)c[k].passed / ((double)rounds * (double)npkts);

		printf("%-26s %12.1f %12.1f %8.1f%% %7.2fx\n", c[k].name, c[k].all, c[k].filtered,
		       100 * share, c[k].all / c[k].filtered);
		if (tsv)
			fprintf(tsv, "%s\t%.2f\t%.2f\t%.4f\t%.3f\n", c[k].name, c[k].all, c[k].filtered,
				share, c[k].all / c[k].filtered);
		sv_chain_free(c[k].ch);
	}
	if (tsv)
		fclose(tsv);
	sv_filter_free(f);
	free(pkts);
	return 0;
}
