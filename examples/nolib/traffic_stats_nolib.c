/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * traffic_stats_nolib - examples/traffic_stats.c written straight on
 * libpcap, as a switch user would without snapvnf: capture, Ethernet/VLAN,
 * IPv4/IPv6 and their extension headers, the counts, the output. It exists
 * to count the lines the library saves (README.md); it reports the same
 * counts as the library's pkt_stats VNF.
 *
 *   traffic_stats_nolib -i IFACE | -r FILE  [-s SNAPLEN] [SECONDS]
 *          (default snaplen 150, as snapvnfd; intervals of 10 s)
 *
 * Every packet counts once under its L4 protocol (tcp, udp, icmp - ICMPv6
 * too - or other: not IP, or a fragment past the first) and under its IP
 * version; bytes are the length on the wire. An interval starts with the
 * first packet and ends with the first packet at or past its end (the
 * next starts on the grid); the last one ends with the capture. One JSON
 * line per interval on stdout.
 */
#include <pcap/pcap.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { TCP, UDP, ICMP, OTHER, IPV4, IPV6, NCLASS };

static const char *const names[NCLASS] = { "tcp", "udp", "icmp", "other", "ipv4", "ipv6" };

static struct {
	uint64_t packets, bytes;
	uint64_t n[NCLASS][2];   /* packets, bytes */
} c;
static uint64_t interval_us = 10000000, start_us, last_us;
static unsigned snaplen = 150;
static pcap_t *pc;

static void emit(uint64_t end_us)
{
	printf("{\"event\":\"pkt_stats\",\"start\":%.6f,\"seconds\":%.6f,\"packets\":%llu,"
	       "\"bytes\":%llu", start_us / 1e6, (end_us - start_us) / 1e6,
	       (unsigned long long)c.packets, (unsigned long long)c.bytes);
	for (int i = 0; i < NCLASS; i++)
		printf(",\"%s_packets\":%llu,\"%s_bytes\":%llu", names[i],
		       (unsigned long long)c.n[i][0], names[i], (unsigned long long)c.n[i][1]);
	printf("}\n");
	fflush(stdout);
	memset(&c, 0, sizeof(c));
}

/* The IP version (0: not IP) and L4 protocol (-1: none: a later
 * fragment, or the headers are not all in the snap) of a frame. */
static int classify(const uint8_t *p, size_t len, int dlt, int *l4)
{
	size_t off = 0;
	uint16_t etype;

	*l4 = -1;
	if (dlt == DLT_EN10MB) {
		if (len < 14)
			return 0;
		etype = (uint16_t)(p[12] << 8 | p[13]);
		off = 14;
		while ((etype == 0x8100 || etype == 0x88a8 || etype == 0x9100) && len >= off + 4) {
			etype = (uint16_t)(p[off + 2] << 8 | p[off + 3]);
			off += 4;
		}
	} else {  /* raw IP */
		if (len < 1)
			return 0;
		etype = p[0] >> 4 == 4 ? 0x0800 : p[0] >> 4 == 6 ? 0x86dd : 0;
	}
	if (etype == 0x0800) {
		if (len < off + 20 || p[off] >> 4 != 4)
			return len > off && p[off] >> 4 == 4 ? 4 : 0;
		if (!(((p[off + 6] & 0x1f) << 8) | p[off + 7]))
			*l4 = p[off + 9];
		return 4;
	}
	if (etype == 0x86dd) {
		size_t h = off + 40;
		int nxt;

		if (len < off + 40 || p[off] >> 4 != 6)
			return len > off && p[off] >> 4 == 6 ? 6 : 0;
		nxt = p[off + 6];
		/* hop-by-hop, routing, fragment, destination options, AH */
		while (nxt == 0 || nxt == 43 || nxt == 44 || nxt == 60 || nxt == 51) {
			if (len < h + 8)
				return 6;
			if (nxt == 44 && ((p[h + 2] << 8 | p[h + 3]) & 0xfff8))
				return 6;  /* a fragment past the first */
			size_t hlen = nxt == 44 ? 8 : nxt == 51 ? (size_t)(p[h + 1] + 2) * 4
							       : (size_t)(p[h + 1] + 1) * 8;
			nxt = p[h];
			h += hlen;
		}
		*l4 = nxt;
		return 6;
	}
	return 0;
}

static void packet(u_char *user, const struct pcap_pkthdr *h, const u_char *p)
{
	uint64_t t = (uint64_t)h->ts.tv_sec * 1000000 + (uint64_t)h->ts.tv_usec;
	int l4, v = classify(p, h->caplen < snaplen ? h->caplen : snaplen, *(int *)user, &l4);
	int cls = l4 == 6 ? TCP : l4 == 17 ? UDP : l4 == 1 || l4 == 58 ? ICMP : OTHER;

	if (!start_us)
		start_us = t;
	if (t >= start_us + interval_us) {
		uint64_t passed = t - start_us;

		emit(start_us + interval_us);
		start_us += passed - passed % interval_us;
	}
	if (t > last_us)
		last_us = t;
	c.packets++;
	c.bytes += h->len;
	c.n[cls][0]++;
	c.n[cls][1] += h->len;
	if (v) {
		c.n[v == 4 ? IPV4 : IPV6][0]++;
		c.n[v == 4 ? IPV4 : IPV6][1] += h->len;
	}
}

static void on_signal(int sig)
{
	pcap_breakloop(pc);
}

int main(int argc, char **argv)
{
	char err[PCAP_ERRBUF_SIZE];
	const char *iface = NULL, *file = NULL;
	int opt, dlt;

	while ((opt = getopt(argc, argv, "i:r:s:")) != -1) {
		switch (opt) {
		case 'i': iface = optarg; break;
		case 'r': file = optarg; break;
		case 's': snaplen = (unsigned)atoi(optarg); break;
		default: goto usage;
		}
	}
	if (optind < argc)
		interval_us = strtoull(argv[optind], NULL, 10) * 1000000;
	if (!iface == !file || snaplen < 64 || snaplen > 65535 || !interval_us) {
usage:
		fprintf(stderr, "usage: traffic_stats_nolib -i IFACE | -r FILE [-s SNAPLEN] [SECONDS]\n");
		return 2;
	}
	if (file) {
		pc = pcap_open_offline(file, err);
	} else if ((pc = pcap_create(iface, err))) {
		pcap_set_snaplen(pc, (int)snaplen);
		pcap_set_promisc(pc, 1);
		pcap_set_timeout(pc, 100);
		pcap_set_buffer_size(pc, 64 << 20);
		if (pcap_activate(pc) < 0) {
			fprintf(stderr, "%s: %s\n", iface, pcap_geterr(pc));
			return 1;
		}
	}
	if (!pc) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	dlt = pcap_datalink(pc);
	if (dlt != DLT_EN10MB && dlt != DLT_RAW && dlt != 101) {
		fprintf(stderr, "link type %d: only Ethernet and raw IP\n", dlt);
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (pcap_loop(pc, -1, packet, (u_char *)&dlt) == PCAP_ERROR)
		fprintf(stderr, "capture: %s\n", pcap_geterr(pc));
	if (c.packets)
		emit(last_us);
	pcap_close(pc);
	return 0;
}
