/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sflow_in.c - sFlow datagrams from a UDP socket, in batches (recvmmsg),
 * or from the UDP packets of a capture file, in recorded order.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include <snapvnf/pkt.h>

#include "common/log.h"
#include "daemon/collector.h"
#include "daemon/sflow_in.h"
#include "decode/packet.h"

#define BATCH    32
#define DGRAM_MAX 65536
#define RCVBUF   (16 << 20)

struct sv_sflow_in {
	int fd;                  /* UDP socket, or -1 */
	pcap_t *pcap;            /* capture file, or NULL */
	int linktype;
	uint16_t port;
	uint64_t drops;
	uint8_t *bufs;           /* BATCH datagrams */
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	char cmsg[BATCH][CMSG_SPACE(sizeof(uint32_t))];
	struct sv_pkt *pkt;      /* the file's current packet, decoded */
};

static int parse_spec(const char *spec, char *host, size_t hsize, char *port, size_t psize)
{
	const char *colon = strrchr(spec, ':');

	host[0] = '\0';
	if (spec[0] == '[') {  /* [v6]:port */
		const char *end = strchr(spec, ']');

		if (!end || end[1] != ':' || (size_t)(end - spec - 1) >= hsize)
			return -1;
		snprintf(host, hsize, "%.*s", (int)(end - spec - 1), spec + 1);
		colon = end + 1;
	} else if (colon) {
		if ((size_t)(colon - spec) >= hsize || strchr(spec, ':') != colon)
			return -1;
		snprintf(host, hsize, "%.*s", (int)(colon - spec), spec);
	}
	snprintf(port, psize, "%s", colon ? colon + 1 : spec);
	return port[0] && strspn(port, "0123456789") == strlen(port) && atoi(port) > 0 &&
			       atoi(port) < 65536
		       ? 0
		       : -1;
}

struct sv_sflow_in *sv_sflow_in_udp(const char *spec)
{
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM,
				  .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE };
	struct addrinfo *ai = NULL;
	struct sv_sflow_in *in;
	char host[64], port[16];
	int one = 1, zero = 0, buf = RCVBUF, rc;

	if (parse_spec(spec, host, sizeof(host), port, sizeof(port)) < 0) {
		sv_err("--sflow takes [ADDR:]PORT, e.g. 6343, 127.0.0.1:6343 or [::1]:6343; not '%s'",
		       spec);
		return NULL;
	}
	/* No address: one IPv6 socket that also takes IPv4 (v4-mapped). */
	hints.ai_family = host[0] ? AF_UNSPEC : AF_INET6;
	rc = getaddrinfo(host[0] ? host : NULL, port, &hints, &ai);
	if (rc) {
		sv_err("--sflow %s: %s", spec, gai_strerror(rc));
		return NULL;
	}
	in = calloc(1, sizeof(*in));
	if (!in)
		goto fail;
	in->fd = socket(ai->ai_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (in->fd < 0)
		goto fail_errno;
	if (ai->ai_family == AF_INET6 && !host[0])
		setsockopt(in->fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	/* A big buffer rides out bursts; FORCE needs root, plain is capped. */
	if (setsockopt(in->fd, SOL_SOCKET, SO_RCVBUFFORCE, &buf, sizeof(buf)) < 0)
		setsockopt(in->fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
	/* The kernel tells how many datagrams it dropped, with each read. */
	setsockopt(in->fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof(one));
	if (bind(in->fd, ai->ai_addr, ai->ai_addrlen) < 0)
		goto fail_errno;
	in->bufs = malloc((size_t)BATCH * DGRAM_MAX);
	if (!in->bufs)
		goto fail_errno;
	freeaddrinfo(ai);
	return in;
fail_errno:
	sv_err("--sflow %s: %s", spec, strerror(errno));
fail:
	freeaddrinfo(ai);
	sv_sflow_in_close(in);
	return NULL;
}

struct sv_sflow_in *sv_sflow_in_pcap(const char *file, uint16_t port)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	struct sv_sflow_in *in = calloc(1, sizeof(*in));

	if (!in)
		return NULL;
	in->fd = -1;
	in->port = port;
	in->pcap = pcap_open_offline_with_tstamp_precision(file, PCAP_TSTAMP_PRECISION_NANO, errbuf);
	if (!in->pcap) {
		sv_err("cannot read %s", errbuf);
		goto fail;
	}
	in->linktype = pcap_datalink(in->pcap);
	if (in->linktype != DLT_EN10MB && in->linktype != DLT_RAW && in->linktype != SV_LINK_RAW) {
		sv_err("%s: link type %s is not supported (Ethernet or raw IP only)", file,
		       pcap_datalink_val_to_name(in->linktype) ?: "unknown");
		goto fail;
	}
	in->pkt = malloc(sizeof(struct sv_pkt) + 65536);
	if (!in->pkt)
		goto fail;
	return in;
fail:
	sv_sflow_in_close(in);
	return NULL;
}

void sv_sflow_in_close(struct sv_sflow_in *in)
{
	if (!in)
		return;
	if (in->fd >= 0)
		close(in->fd);
	if (in->pcap)
		pcap_close(in->pcap);
	free(in->bufs);
	free(in->pkt);
	free(in);
}

int sv_sflow_in_fd(const struct sv_sflow_in *in)
{
	return in->fd;
}

bool sv_sflow_in_finite(const struct sv_sflow_in *in)
{
	return in->pcap != NULL;
}

uint64_t sv_sflow_in_drops(const struct sv_sflow_in *in)
{
	return in->drops;
}

static int udp_burst(struct sv_sflow_in *in, struct sv_collector *c, unsigned max)
{
	struct timespec ts;
	uint64_t now;
	int n;

	if (max > BATCH)
		max = BATCH;
	for (unsigned i = 0; i < max; i++) {
		in->iov[i] = (struct iovec){ in->bufs + (size_t)i * DGRAM_MAX, DGRAM_MAX };
		in->msgs[i].msg_hdr = (struct msghdr){ .msg_iov = &in->iov[i], .msg_iovlen = 1,
						       .msg_control = in->cmsg[i],
						       .msg_controllen = sizeof(in->cmsg[i]) };
	}
	/* MSG_TRUNC: msg_len is the datagram's real length even if cut. */
	n = recvmmsg(in->fd, in->msgs, max, MSG_DONTWAIT | MSG_TRUNC, NULL);
	if (n <= 0)
		return 0;
	/* One clock read per batch: all arrived within a few microseconds. */
	clock_gettime(CLOCK_REALTIME, &ts);
	now = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	for (int i = 0; i < n; i++) {
		struct msghdr *mh = &in->msgs[i].msg_hdr;
		size_t wire = in->msgs[i].msg_len;

		for (struct cmsghdr *cm = CMSG_FIRSTHDR(mh); cm; cm = CMSG_NXTHDR(mh, cm)) {
			if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SO_RXQ_OVFL) {
				uint32_t d;

				memcpy(&d, CMSG_DATA(cm), sizeof(d));
				in->drops = d;  /* the kernel's running total */
			}
		}
		sv_collector_datagram(c, in->iov[i].iov_base, wire < DGRAM_MAX ? wire : DGRAM_MAX,
				      wire, now);
	}
	sv_collector_set_socket_drops(c, in->drops);
	return n;
}

static int pcap_burst(struct sv_sflow_in *in, struct sv_collector *c, unsigned max)
{
	unsigned done = 0;

	while (done < max) {
		struct pcap_pkthdr *h;
		const u_char *d;
		struct sv_pkt *p = in->pkt;
		size_t wire, len;
		int rc = pcap_next_ex(in->pcap, &h, &d);

		if (rc == PCAP_ERROR_BREAK || rc == PCAP_ERROR) {
			if (rc == PCAP_ERROR)
				sv_err("reading the sFlow capture failed: %s", pcap_geterr(in->pcap));
			return done ? (int)done : -1;
		}
		if (rc != 1)
			continue;
		memset(p, 0, sizeof(*p));
		p->cap_len = (uint16_t)(h->caplen < 65535 ? h->caplen : 65535);
		p->wire_len = h->len;
		memcpy(p->data, d, p->cap_len);
		sv_packet_decode(p, in->linktype);
		if (p->ip_version == 0 || p->proto != 17 || p->l4_off == SV_OFF_NONE ||
		    p->payload_off == SV_OFF_NONE || p->dport != in->port)
			continue;
		/* The UDP length says how long the datagram is; the capture may
		 * hold less (a cut copy) - the decoder tells the two apart. */
		len = p->payload_len;
		wire = len;
		if (p->cap_len - p->l4_off >= 8) {
			size_t ulen = (size_t)p->data[p->l4_off + 4] << 8 | p->data[p->l4_off + 5];

			wire = ulen >= 8 ? ulen - 8 : 0;
			if (wire < len)
				len = wire;
		}
		sv_collector_datagram(c, p->data + p->payload_off, len, wire,
				      (uint64_t)h->ts.tv_sec * 1000000000u + (uint64_t)h->ts.tv_usec);
		done++;
	}
	return (int)done;
}

int sv_sflow_in_burst(struct sv_sflow_in *in, struct sv_collector *c, unsigned max)
{
	return in->pcap ? pcap_burst(in, c, max) : udp_burst(in, c, max);
}
