/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * input_sflow_udp.c - the "sflow" input (--sflow [ADDR:]PORT): sFlow
 * datagrams from a UDP socket, in batches (recvmmsg), to the collector.
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

#include "common/log.h"
#include "daemon/collector.h"
#include "daemon/daemon.h"
#include "daemon/hostport.h"
#include "daemon/input.h"
#include "daemon/metrics.h"

#define BATCH     32
#define DGRAM_MAX 65536
#define RCVBUF    (16 << 20)

struct sv_input {
	int fd;
	struct sv_collector *coll;
	int drain_wait_ms;       /* how long to wait for the flow ring: lossless only */
	uint64_t drops;          /* the kernel's count (SO_RXQ_OVFL) */
	uint8_t *bufs;           /* BATCH datagrams */
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	char cmsg[BATCH][CMSG_SPACE(sizeof(uint32_t))];
};

static void udp_close(struct sv_input *in)
{
	if (!in)
		return;
	if (in->fd >= 0)
		close(in->fd);
	free(in->bufs);
	free(in);
}

static struct sv_input *udp_open(const char *spec, const struct sv_input_env *env)
{
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM,
				  .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE };
	struct addrinfo *ai = NULL;
	struct sv_input *in;
	char host[64], port[16];
	int one = 1, zero = 0, buf = RCVBUF, rc;

	if (sv_hostport_parse(spec, host, sizeof(host), port, sizeof(port), 0) < 0) {
		sv_err("--sflow takes [ADDR:]PORT, e.g. 6343, 127.0.0.1:6343 or [::1]:6343; not '%s'",
		       spec);
		return NULL;
	}
	/* No address: loopback only, where the switch's own agent (SONiC's
	 * hsflowd) sends; agents elsewhere need 0.0.0.0 or [::] said. */
	if (!host[0])
		snprintf(host, sizeof(host), "127.0.0.1");
	rc = getaddrinfo(host, port, &hints, &ai);
	if (rc) {
		sv_err("--sflow %s: %s", spec, gai_strerror(rc));
		return NULL;
	}
	in = calloc(1, sizeof(*in));
	if (!in)
		goto fail;
	in->coll = env->collector;
	in->drain_wait_ms = env->opts->lossless ? SV_INPUT_RING_WAIT_MS : 0;
	in->fd = socket(ai->ai_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (in->fd < 0)
		goto fail_errno;
	/* [::] takes IPv4 too (v4-mapped), whatever net.ipv6.bindv6only says. */
	if (ai->ai_family == AF_INET6 && strcmp(host, "::") == 0)
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
	udp_close(in);
	return NULL;
}

static int udp_fd(struct sv_input *in)
{
	return in->fd;
}

static int udp_burst(struct sv_input *in, int *wait_ms)
{
	struct timespec ts;
	uint64_t now;
	int n;

	/* Lossless: the next datagrams wait in the socket until the
	 * collector's records are in the flow ring. */
	if (!sv_collector_drain(in->coll, in->drain_wait_ms))
		return 0;
	for (unsigned i = 0; i < BATCH; i++) {
		in->iov[i] = (struct iovec){ in->bufs + (size_t)i * DGRAM_MAX, DGRAM_MAX };
		in->msgs[i].msg_hdr = (struct msghdr){ .msg_iov = &in->iov[i], .msg_iovlen = 1,
						       .msg_control = in->cmsg[i],
						       .msg_controllen = sizeof(in->cmsg[i]) };
	}
	/* MSG_TRUNC: msg_len is the datagram's real length even if cut. */
	n = recvmmsg(in->fd, in->msgs, BATCH, MSG_DONTWAIT | MSG_TRUNC, NULL);
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
		sv_collector_datagram(in->coll, in->iov[i].iov_base,
				      wire < DGRAM_MAX ? wire : DGRAM_MAX, wire, now);
	}
	sv_collector_drain(in->coll, 0);
	return n;
}

static const struct sv_metric udp_rows[] = {
	SV_COUNTER("socket_drops", struct sv_input, drops,
		   "sFlow datagrams the kernel dropped on a full socket buffer (SO_RXQ_OVFL)."),
};

static void udp_stats(const struct sv_input *in, struct sv_metrics *m)
{
	sv_metrics_table(m, udp_rows, SV_NROWS(udp_rows), in);
}

const struct sv_input_ops sv_input_sflow_udp = {
	.name = "sflow",
	.section = "collector",
	.finite = false,
	.open = udp_open,
	.fd = udp_fd,
	.burst = udp_burst,
	.stats = udp_stats,
	.close = udp_close,
};
