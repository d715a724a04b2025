/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ddos_nolib - examples/ddos_guard.c written without snapvnf, as a switch
 * user would: sFlow v5 datagrams from a UDP socket (or from a capture
 * file), their flow samples and the sampled packet headers in them,
 * per-destination rates over fixed intervals, the alerts. It exists to
 * count the lines the library saves (README.md); it reports the same
 * alerts as the library's ddos VNF fed by snapvnfd's sFlow collector.
 *
 *   ddos_nolib -p PORT | -r FILE [-P PORT]  [PPS BPS SECONDS]
 *          (defaults: pps 100000, bps 1000000000, intervals of 10 s; 0
 *          turns a threshold off; -r reads the UDP datagrams to port -P,
 *          default 6343, of a capture, timed as captured)
 *
 * Each flow sample (plain or expanded) whose raw packet header record
 * (Ethernet, IPv4 or IPv6) holds an IP packet stands for sampling-rate
 * packets of its frame length to its destination. An interval starts
 * with the first such sample and ends with the first at or past its end
 * (the next starts on the grid); the last one is judged over the time it
 * ran, at least a second. A destination strictly over a threshold gets
 * one JSON line on stdout: pps first when both are crossed.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pcap/pcap.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define TABLE 65536   /* destinations per interval, a power of two */

struct dest {
	uint8_t af;        /* 0: free slot */
	uint8_t addr[16];
	uint64_t packets, bytes;
};

static struct dest table[TABLE];
static uint64_t pps_max = 100000, bps_max = 1000000000, len_ns = 10000000000ull;
static uint64_t start_ns, last_ns;
static volatile sig_atomic_t stop;

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Judge every destination over len, print the alerts, start afresh. */
static void close_interval(uint64_t len)
{
	double secs = (double)len / 1e9;

	for (size_t i = 0; i < TABLE; i++) {
		struct dest *d = &table[i];
		double pps = (double)d->packets / secs, bps = (double)d->bytes * 8 / secs;
		const char *metric = pps_max && pps > (double)pps_max ? "pps"
				   : bps_max && bps > (double)bps_max ? "bps" : NULL;
		char a[INET6_ADDRSTRLEN];

		if (!d->af)
			continue;
		if (metric) {
			inet_ntop(d->af == 4 ? AF_INET : AF_INET6, d->addr, a, sizeof(a));
			printf("{\"event\":\"alert\",\"reason\":\"ddos\",\"dst\":\"%s\",\"pps\":%llu,"
			       "\"bps\":%llu,\"packets\":%llu,\"bytes\":%llu,\"seconds\":%g,"
			       "\"metric\":\"%s\",\"threshold\":%llu}\n", a,
			       (unsigned long long)pps, (unsigned long long)bps,
			       (unsigned long long)d->packets, (unsigned long long)d->bytes, secs,
			       metric, (unsigned long long)(metric[0] == 'p' ? pps_max : bps_max));
		}
		d->af = 0;
	}
	fflush(stdout);
}

/* One sample: `rate` packets of `frame_len` bytes to dst, at t_ns. */
static void count(uint64_t t_ns, int af, const uint8_t *dst, uint32_t rate, uint32_t frame_len)
{
	uint32_t h = 2166136261u;
	size_t n = af == 4 ? 4 : 16, i;

	if (!start_ns)
		start_ns = t_ns;
	if (t_ns >= start_ns && t_ns - start_ns >= len_ns) {
		uint64_t passed = t_ns - start_ns;

		close_interval(len_ns);
		start_ns += passed - passed % len_ns;
	}
	if (t_ns > last_ns)
		last_ns = t_ns;
	for (i = 0; i < n; i++)
		h = (h ^ dst[i]) * 16777619u;
	for (i = h & (TABLE - 1);; i = (i + 1) & (TABLE - 1)) {
		struct dest *d = &table[i];

		if (!d->af) {
			memset(d, 0, sizeof(*d));
			d->af = (uint8_t)af;
			memcpy(d->addr, dst, n);
		}
		if (d->af == af && memcmp(d->addr, dst, n) == 0) {
			d->packets += rate;
			d->bytes += (uint64_t)rate * frame_len;
			return;
		}
	}
}

/* The destination of a sampled header: Ethernet (1), IPv4 (11), IPv6 (12). */
static int header_dst(uint32_t proto, const uint8_t *p, size_t len, const uint8_t **dst)
{
	size_t off = 0;
	uint16_t etype = proto == 11 ? 0x0800 : 0x86dd;

	if (proto == 1) {
		if (len < 14)
			return 0;
		etype = (uint16_t)(p[12] << 8 | p[13]);
		off = 14;
		while ((etype == 0x8100 || etype == 0x88a8 || etype == 0x9100) && len >= off + 4) {
			etype = (uint16_t)(p[off + 2] << 8 | p[off + 3]);
			off += 4;
		}
	} else if (proto != 11 && proto != 12) {
		return 0;
	}
	if (etype == 0x0800 && len >= off + 20 && p[off] >> 4 == 4) {
		*dst = p + off + 16;
		return 4;
	}
	if (etype == 0x86dd && len >= off + 40 && p[off] >> 4 == 6) {
		*dst = p + off + 24;
		return 6;
	}
	return 0;
}

/* An sFlow v5 datagram: every flow sample with an IP header record. */
static void datagram(uint64_t t_ns, const uint8_t *p, size_t len)
{
	size_t off, alen;
	uint32_t nsamples;

	if (len < 8 || be32(p) != 5)
		return;
	alen = be32(p + 4) == 1 ? 4 : be32(p + 4) == 2 ? 16 : 0;
	off = 8 + alen + 12;
	if (!alen || len < off + 4)
		return;
	nsamples = be32(p + off);
	off += 4;
	for (uint32_t s = 0; s < nsamples && len - off >= 8; s++) {
		uint32_t format = be32(p + off), slen = be32(p + off + 4), rate, nrec;
		const uint8_t *q = p + off + 8;
		size_t qo;

		if (slen > len - off - 8)
			return;
		off += 8 + slen;
		/* flow_sample: rate at 8, 8 words; expanded: rate at 12, 11 words */
		if (format == 1 && slen >= 32)
			rate = be32(q + 8), qo = 28;
		else if (format == 3 && slen >= 44)
			rate = be32(q + 12), qo = 40;
		else
			continue;
		nrec = be32(q + qo);
		qo += 4;
		for (uint32_t r = 0; r < nrec && slen - qo >= 8; r++) {
			uint32_t rformat = be32(q + qo), rlen = be32(q + qo + 4);
			const uint8_t *h = q + qo + 8, *dst;
			int af;

			if (rlen > slen - qo - 8)
				break;
			qo += 8 + rlen;
			/* raw packet header: protocol, frame length, stripped, length, bytes */
			if (rformat != 1 || rlen < 16 || be32(h + 12) > rlen - 16)
				continue;
			af = header_dst(be32(h), h + 16, be32(h + 12), &dst);
			if (af)
				count(t_ns, af, dst, rate, be32(h + 4));
			break;
		}
	}
}

/* A captured frame: the UDP payload if it goes to `port`. */
static void frame(u_char *user, const struct pcap_pkthdr *h, const u_char *p)
{
	unsigned port = *(unsigned *)user;
	size_t len = h->caplen, off = 14, l4;
	uint16_t etype;

	if (len < 14)
		return;
	etype = (uint16_t)(p[12] << 8 | p[13]);
	while ((etype == 0x8100 || etype == 0x88a8) && len >= off + 4) {
		etype = (uint16_t)(p[off + 2] << 8 | p[off + 3]);
		off += 4;
	}
	if (etype == 0x0800 && len >= off + 20 && p[off + 9] == 17 &&
	    !(((p[off + 6] & 0x1f) << 8) | p[off + 7]))
		l4 = off + (p[off] & 15u) * 4;
	else if (etype == 0x86dd && len >= off + 40 && p[off + 6] == 17)
		l4 = off + 40;
	else
		return;
	if (len < l4 + 8 || (unsigned)(p[l4 + 2] << 8 | p[l4 + 3]) != port)
		return;
	len = len - l4 - 8 < (size_t)(p[l4 + 4] << 8 | p[l4 + 5]) - 8
	    ? len - l4 - 8 : (size_t)(p[l4 + 4] << 8 | p[l4 + 5]) - 8;
	datagram((uint64_t)h->ts.tv_sec * 1000000000u + (uint64_t)h->ts.tv_usec * 1000u,
		 p + l4 + 8, len);
}

static void on_signal(int sig)
{
	stop = 1;
}

int main(int argc, char **argv)
{
	char err[PCAP_ERRBUF_SIZE];
	const char *file = NULL;
	unsigned port = 0, file_port = 6343;
	uint64_t len;
	int opt;

	while ((opt = getopt(argc, argv, "p:r:P:")) != -1) {
		switch (opt) {
		case 'p': port = (unsigned)atoi(optarg); break;
		case 'r': file = optarg; break;
		case 'P': file_port = (unsigned)atoi(optarg); break;
		default: goto usage;
		}
	}
	if (argc - optind == 3) {
		pps_max = strtoull(argv[optind], NULL, 10);
		bps_max = strtoull(argv[optind + 1], NULL, 10);
		len_ns = strtoull(argv[optind + 2], NULL, 10) * 1000000000ull;
	} else if (argc != optind) {
		goto usage;
	}
	if (!port == !file || port > 65535 || !len_ns || (!pps_max && !bps_max)) {
usage:
		fprintf(stderr, "usage: ddos_nolib -p PORT | -r FILE [-P PORT] [PPS BPS SECONDS]\n");
		return 2;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (file) {
		pcap_t *pc = pcap_open_offline(file, err);

		if (!pc) {
			fprintf(stderr, "%s\n", err);
			return 1;
		}
		if (pcap_datalink(pc) != DLT_EN10MB) {
			fprintf(stderr, "%s: only Ethernet captures\n", file);
			return 1;
		}
		pcap_loop(pc, -1, frame, (u_char *)&file_port);
		pcap_close(pc);
	} else {
		struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port),
					  .sin6_addr = IN6ADDR_ANY_INIT };
		int fd = socket(AF_INET6, SOCK_DGRAM, 0), off = 0;
		uint8_t buf[65536];

		/* One socket for IPv4 and IPv6 agents. */
		if (fd < 0 || setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off)) < 0 ||
		    bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
			perror("ddos_nolib: udp");
			return 1;
		}
		while (!stop) {
			ssize_t n = recv(fd, buf, sizeof(buf), 0);
			struct timespec ts;

			if (n < 0)
				continue;
			clock_gettime(CLOCK_REALTIME, &ts);
			datagram((uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec, buf,
				 (size_t)n);
		}
		close(fd);
	}
	len = last_ns - start_ns;
	if (start_ns)
		close_interval(len < 1000000000u ? 1000000000u : len);
	return 0;
}
