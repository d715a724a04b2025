/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "common/ctl.h"
#include "lib/client.h"

static void close_fds(const int *fds, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		close(fds[i]);
}

/* Send a request and take the reply; an "error …" reply becomes c->error. */
static int request(struct sv_client *c, const char *msg, char *reply, size_t size, int *fds,
		   unsigned *nfds)
{
	ssize_t n;
	int err;

	err = sv_ctl_send(c->sock, msg, strlen(msg), NULL, 0);
	if (err)
		goto fail;
	n = sv_ctl_recv(c->sock, reply, size, fds, nfds);
	if (n < 0) {
		err = (int)n;
		goto fail;
	}
	if (strncmp(reply, "ok", 2) != 0) {
		close_fds(fds, *nfds);
		*nfds = 0;
		snprintf(c->error, sizeof(c->error), "snapvnfd refused '%.63s': %.150s", c->name,
			 strncmp(reply, "error ", 6) == 0 ? reply + 6 : reply);
		return strstr(reply, "already registered") ? -EADDRINUSE : -EPROTO;
	}
	return 0;
fail:
	if (err == -EAGAIN) {
		snprintf(c->error, sizeof(c->error),
			 "snapvnfd did not answer '%.63s' within %d s (stopped or overloaded?)",
			 c->name, SV_CTL_QUERY_TIMEOUT_S);
		return -ETIMEDOUT;
	}
	snprintf(c->error, sizeof(c->error), "talking to snapvnfd for '%.63s' failed: %s", c->name,
		 strerror(-err));
	return err;
}

int sv_client_open(struct sv_client *c, const char *ctl_path, const char *name)
{
	struct timeval tmo = { .tv_sec = SV_CTL_QUERY_TIMEOUT_S };
	char msg[SV_CTL_MSG_MAX];
	int fds[SV_CTL_MAX_FDS];
	unsigned nfds = SV_CTL_MAX_FDS;
	void *p;
	int err;

	memset(c, 0, sizeof(*c));
	c->sock = -1;
	if (!ctl_path)
		ctl_path = sv_ctl_path();
	if (!sv_ctl_name_valid(name)) {
		snprintf(c->error, sizeof(c->error),
			 "bad service name '%.64s': 1 to 63 characters of A-Z a-z 0-9 . _ -", name);
		return -EINVAL;
	}
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->sock = sv_ctl_connect(ctl_path, SV_CTL_QUERY_TIMEOUT_S * 1000);
	if (c->sock < 0) {
		err = c->sock;
		snprintf(c->error, sizeof(c->error), "cannot reach snapvnfd at %s: %s", ctl_path,
			 strerror(-err));
		c->sock = -1;
		return err;
	}
	/* Each reply (hello, attach) comes at once or the daemon is stuck. */
	setsockopt(c->sock, SOL_SOCKET, SO_RCVTIMEO, &tmo, sizeof(tmo));
	snprintf(msg, sizeof(msg), "hello name=%s", name);
	err = request(c, msg, msg, sizeof(msg), fds, &nfds);
	if (err)
		goto fail;
	if (nfds != 1) {
		close_fds(fds, nfds);
		snprintf(c->error, sizeof(c->error), "snapvnfd sent no counters segment");
		err = -EPROTO;
		goto fail;
	}
	p = mmap(NULL, SV_STATS_SEGMENT, PROT_READ | PROT_WRITE, MAP_SHARED, fds[0], 0);
	err = p == MAP_FAILED ? -errno : 0;
	close(fds[0]);
	if (err) {
		snprintf(c->error, sizeof(c->error), "cannot map the counters: %s", strerror(-err));
		goto fail;
	}
	c->stats = p;
	return 0;
fail:
	close(c->sock);
	c->sock = -1;
	return err;
}

int sv_client_attach(struct sv_client *c, unsigned consumes)
{
	char msg[SV_CTL_MSG_MAX];
	int fds[SV_CTL_MAX_FDS];
	unsigned nfds = SV_CTL_MAX_FDS, want, k = 0;
	int err;

	snprintf(msg, sizeof(msg), "attach consumes=%s%s%s", consumes & SV_CONSUME_PKT ? "pkt" : "",
		 consumes == (SV_CONSUME_PKT | SV_CONSUME_FLOW) ? "," : "",
		 consumes & SV_CONSUME_FLOW ? "flow" : "");
	err = request(c, msg, msg, sizeof(msg), fds, &nfds);
	if (err)
		return err;
	/* Absent (a replay, an older daemon): the events just do not say. */
	if (sv_ctl_get(msg, "iface", c->iface, sizeof(c->iface)) < 0)
		c->iface[0] = '\0';
	want = 2 * (unsigned)__builtin_popcount(consumes & (SV_CONSUME_PKT | SV_CONSUME_FLOW));
	if (nfds != want) {
		close_fds(fds, nfds);
		snprintf(c->error, sizeof(c->error), "snapvnfd sent %u descriptors, not %u", nfds,
			 want);
		return -EPROTO;
	}
	if (consumes & SV_CONSUME_PKT) {
		err = sv_ring_reader_open(&c->pkt, fds[k], fds[k + 1]);
		k += 2;
		if (!err)
			c->consumes |= SV_CONSUME_PKT;
	}
	if (!err && (consumes & SV_CONSUME_FLOW)) {
		err = sv_ring_reader_open(&c->flow, fds[k], fds[k + 1]);
		if (!err)
			c->consumes |= SV_CONSUME_FLOW;
	}
	/* The mappings keep the segments alive. */
	close_fds(fds, nfds);
	if (err)
		snprintf(c->error, sizeof(c->error), "cannot map the rings: %s", strerror(-err));
	return err;
}

int sv_client_wait(struct sv_client *c, int timeout_ms)
{
	switch (c->consumes) {
	case SV_CONSUME_PKT:
		return sv_ring_wait(&c->pkt, timeout_ms);
	case SV_CONSUME_FLOW:
		return sv_ring_wait(&c->flow, timeout_ms);
	case SV_CONSUME_PKT | SV_CONSUME_FLOW:
		/* Sleep on the packet ring; the daemon rings it for flow
		 * records too (sv_ring_wake), and we look at both first. */
		return sv_ring_wait2(&c->pkt, &c->flow, timeout_ms);
	default:
		return -1;
	}
}

void sv_client_close(struct sv_client *c)
{
	if (c->sock < 0)
		return;
	if (c->consumes & SV_CONSUME_PKT)
		sv_ring_reader_close(&c->pkt);
	if (c->consumes & SV_CONSUME_FLOW)
		sv_ring_reader_close(&c->flow);
	if (c->stats)
		munmap(c->stats, SV_STATS_SEGMENT);
	close(c->sock);
	c->sock = -1;
	c->consumes = 0;
}
