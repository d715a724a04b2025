/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * client.c - a service's side of the control socket (client.h).
 *
 * A service sleeps on its rings' futex words, which nobody rings when the
 * daemon dies, so it looks at the control socket whenever a wait times
 * out: a hang-up there is the daemon's death (the kernel closes its end).
 * Its rings stay mapped after that, so what the dead daemon published is
 * still read; then the service either stops with a message or, asked to,
 * comes back to the next daemon under the same name.
 */
#include <errno.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "common/ctl.h"
#include "lib/client.h"

#define CLIENT_BURST 64
#define RECONNECT_EVERY_MS 1000

static const char *const kind_names[SV_CLIENT_KINDS] = { "snaps", "flow records" };

static void close_fds(const int *fds, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		close(fds[i]);
}

static struct sv_ring_reader *reader(struct sv_client *c, unsigned kind)
{
	return kind == SV_CLIENT_PKT ? &c->pkt : &c->flow;
}

static const struct sv_ring_reader *creader(const struct sv_client *c, unsigned kind)
{
	return kind == SV_CLIENT_PKT ? &c->pkt : &c->flow;
}

static bool attached(const struct sv_client *c, unsigned kind)
{
	return c->consumes & (1U << kind);
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

/*
 * Map the counters segment the daemon handed over. On a reconnect the
 * service already has counters, and its VNFs hold pointers into them: the
 * values are carried into the new segment, which then replaces the old
 * mapping at the same address (MAP_FIXED).
 */
static int map_stats(struct sv_client *c, int fd)
{
	struct sv_stats *p = mmap(NULL, SV_STATS_SEGMENT, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	if (p == MAP_FAILED)
		return -errno;
	if (!c->stats) {
		c->stats = p;
		return 0;
	}
	/* The daemon may read the new segment already: the counters first,
	 * then their number (store-release pairs with the daemon's
	 * load-acquire of count in sv_stats_read()). */
	memcpy(p->stat, c->stats->stat, sizeof(p->stat));
	atomic_store_explicit(&p->count, atomic_load_explicit(&c->stats->count, memory_order_relaxed),
			      memory_order_release);
	munmap(p, SV_STATS_SEGMENT);
	p = mmap(c->stats, SV_STATS_SEGMENT, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0);
	return p == MAP_FAILED ? -errno : 0;
}

/* Connect to c->ctl_path and claim c->name. */
static int hello(struct sv_client *c)
{
	struct timeval tmo = { .tv_sec = SV_CTL_QUERY_TIMEOUT_S };
	char msg[SV_CTL_MSG_MAX];
	int fds[SV_CTL_MAX_FDS];
	unsigned nfds = SV_CTL_MAX_FDS;
	int err;

	c->sock = sv_ctl_connect(c->ctl_path, SV_CTL_QUERY_TIMEOUT_S * 1000);
	if (c->sock < 0) {
		err = c->sock;
		if (err == -ETIMEDOUT)
			snprintf(c->error, sizeof(c->error),
				 "snapvnfd at %s did not take the connection within %d s (stopped "
				 "or overloaded?)", c->ctl_path, SV_CTL_QUERY_TIMEOUT_S);
		else
			snprintf(c->error, sizeof(c->error), "cannot reach snapvnfd at %s: %s",
				 c->ctl_path, strerror(-err));
		c->sock = -1;
		return err;
	}
	/* Each reply (hello, attach) comes at once or the daemon is stuck. */
	setsockopt(c->sock, SOL_SOCKET, SO_RCVTIMEO, &tmo, sizeof(tmo));
	snprintf(msg, sizeof(msg), "hello name=%s", c->name);
	err = request(c, msg, msg, sizeof(msg), fds, &nfds);
	if (err)
		goto fail;
	if (nfds != 1) {
		close_fds(fds, nfds);
		snprintf(c->error, sizeof(c->error), "snapvnfd sent no counters segment");
		err = -EPROTO;
		goto fail;
	}
	err = map_stats(c, fds[0]);
	close(fds[0]);
	if (err) {
		snprintf(c->error, sizeof(c->error), "cannot map the counters: %s", strerror(-err));
		goto fail;
	}
	c->gone = false;
	return 0;
fail:
	close(c->sock);
	c->sock = -1;
	return err;
}

int sv_client_open(struct sv_client *c, const char *ctl_path, const char *name)
{
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
	snprintf(c->ctl_path, sizeof(c->ctl_path), "%s", ctl_path);
	return hello(c);
}

/* The payload size the daemon announced for a kind ("pkt_payload=N"):
 * what a copy must hold, often less than the slot. Rounded up to 8 bytes,
 * as a slot's payload is placed: the copies lie one after the other, and
 * each must be as aligned as the struct sv_pkt or sv_flow at its start. */
static void take_payload_size(struct sv_ring_reader *rd, const char *reply, const char *key)
{
	char v[16];
	unsigned long n;

	if (sv_ctl_get(reply, key, v, sizeof(v)) < 0)
		return;
	n = (strtoul(v, NULL, 10) + 7) & ~7ul;
	if (n > 0 && n < rd->payload_size)
		rd->payload_size = (uint32_t)n;
}

int sv_client_attach(struct sv_client *c, unsigned consumes)
{
	static const char *const payload_keys[SV_CLIENT_KINDS] = { "pkt_payload", "flow_payload" };
	char msg[SV_CTL_MSG_MAX];
	int fds[SV_CTL_MAX_FDS];
	unsigned nfds = SV_CTL_MAX_FDS, want, k = 0;
	int err = 0;

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
	for (unsigned kind = 0; kind < SV_CLIENT_KINDS && !err; kind++) {
		struct sv_ring_reader *rd = reader(c, kind);

		if (!(consumes & (1U << kind)))
			continue;
		err = sv_ring_reader_open(rd, fds[k], fds[k + 1]);
		k += 2;
		if (err)
			break;
		take_payload_size(rd, msg, payload_keys[kind]);
		if (!(rd->flags & SV_RING_LOSSLESS)) {
			c->copy[kind] = malloc((size_t)CLIENT_BURST * rd->payload_size);
			if (!c->copy[kind]) {
				sv_ring_reader_close(rd);
				err = -ENOMEM;
				break;
			}
		}
		c->consumes |= 1U << kind;
	}
	/* The mappings keep the segments alive. */
	close_fds(fds, nfds);
	if (err)
		snprintf(c->error, sizeof(c->error), "cannot map the rings: %s", strerror(-err));
	return err;
}

unsigned sv_client_read(struct sv_client *c, unsigned kind, const void **items, unsigned max)
{
	struct sv_ring_reader *rd = reader(c, kind);

	if (max > CLIENT_BURST)
		max = CLIENT_BURST;
	/* Checked before anyone sees the bytes: a check after would come
	 * when a VNF had already acted on a torn item. */
	if (c->copy[kind])
		return sv_ring_read_copy(rd, c->copy[kind], items, max);
	return sv_ring_read_burst(rd, items, max);
}

void sv_client_read_done(struct sv_client *c, unsigned kind)
{
	struct sv_ring_reader *rd = reader(c, kind);

	if (!c->copy[kind] && rd->burst_n)
		sv_ring_read_done(rd, NULL);
}

/*
 * SOCK_SEQPACKET: the daemon never writes to a service unasked, so a
 * readable socket with the peer's side shut is its hang-up.
 */
static bool daemon_gone(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLRDHUP };

	return poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR));
}

static int rings_wait(struct sv_client *c, int timeout_ms)
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

int sv_client_wait(struct sv_client *c, int timeout_ms)
{
	int st = rings_wait(c, c->gone ? 0 : timeout_ms);

	if (st != 0)
		return st;
	if (!c->gone) {
		if (c->sock < 0 || !daemon_gone(c->sock))
			return 0;
		c->gone = true;
		/* Its head is final now: publishes from just before its death
		 * are still to be read. */
		st = rings_wait(c, 0);
		if (st != 0)
			return st;
	}
	return SV_CLIENT_GONE;
}

uint64_t sv_client_delivered(const struct sv_client *c, unsigned kind)
{
	return c->prior_delivered[kind] +
	       (attached(c, kind) ? atomic_load(&creader(c, kind)->cur->delivered) : 0);
}

uint64_t sv_client_lost(const struct sv_client *c, unsigned kind)
{
	return c->prior_lost[kind] +
	       (attached(c, kind) ? atomic_load(&creader(c, kind)->cur->lost) : 0);
}

static double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Sleep ms unless *stop is set (a signal cuts the sleep short). */
static void pause_ms(volatile sig_atomic_t *stop, int ms)
{
	struct timespec rel = { ms / 1000, (long)(ms % 1000) * 1000000 };

	while (!*stop && nanosleep(&rel, &rel) < 0 && errno == EINTR)
		;
}

/*
 * What a service can know of what it missed while it was away, and no
 * more: the dead daemon's rings stayed mapped, so all it published was
 * read or counted lost as usual; of the daemon it is back on, it knows how
 * many items were published before it attached (its cursor's start), or,
 * if that is the same daemon (same ring), how many since its last read.
 * What reached the inputs while no daemon ran was never made into items:
 * nobody counted it.
 */
static void describe_gap(struct sv_client *c, const bool *same, const uint64_t *missed,
			 double away_s, char *msg, size_t size)
{
	size_t len = 0;
	bool any_new = false;

	len += (size_t)snprintf(msg, size, "back on snapvnfd under the same name (waited %.1f s)",
				away_s);
	for (unsigned k = 0; k < SV_CLIENT_KINDS && len < size; k++) {
		if (!attached(c, k))
			continue;
		any_new |= !same[k];
		len += (size_t)snprintf(msg + len, size - len,
					same[k] ? "; missed %llu %s published while it was away"
						: "; missed %llu %s the new daemon published before "
						  "it attached",
					(unsigned long long)missed[k], kind_names[k]);
	}
	if (any_new && len < size)
		snprintf(msg + len, size - len,
			 "; the previous daemon's were all read or counted lost; what arrived "
			 "while no daemon ran was never captured, so nothing counted it");
}

static bool stream_ended(const struct sv_client *c)
{
	for (unsigned k = 0; k < SV_CLIENT_KINDS; k++)
		/* load-acquire pairs with the store-release of eos in sv_ring_end(). */
		if (attached(c, k) &&
		    atomic_load_explicit(&creader(c, k)->hdr->eos, memory_order_acquire))
			return true;
	return false;
}

int sv_client_reconnect(struct sv_client *c, volatile sig_atomic_t *stop, char *msg,
			size_t size)
{
	struct sv_ring_reader old[SV_CLIENT_KINDS];
	uint64_t missed[SV_CLIENT_KINDS] = { 0 };
	bool same[SV_CLIENT_KINDS] = { false };
	double t0 = mono_s();
	int err;

	/*
	 * Leave the old daemon. Its rings stay mapped until the new ones
	 * are: a ring's inode then cannot be reused by the new daemon's, so
	 * the same inode means the same daemon.
	 */
	for (unsigned k = 0; k < SV_CLIENT_KINDS; k++) {
		old[k] = *reader(c, k);
		if (!attached(c, k))
			continue;
		c->prior_delivered[k] += atomic_load(&old[k].cur->delivered);
		c->prior_lost[k] += atomic_load(&old[k].cur->lost);
		free(c->copy[k]);
		c->copy[k] = NULL;
		memset(reader(c, k), 0, sizeof(struct sv_ring_reader));
	}
	if (c->consumes)
		c->reattach = c->consumes;
	if (c->sock >= 0)
		close(c->sock);
	c->sock = -1;
	c->consumes = 0;
	for (;;) {
		if (*stop) {
			err = -EINTR;
			goto out;
		}
		err = hello(c);
		if (!err) {
			err = sv_client_attach(c, c->reattach);
			/* A daemon whose stream has ended is the one we left,
			 * still draining its other services: not back yet. */
			if (!err && !stream_ended(c))
				break;
			if (!err)
				err = -ECONNREFUSED;
			close(c->sock);
			c->sock = -1;
			for (unsigned k = 0; k < SV_CLIENT_KINDS; k++) {
				if (attached(c, k))
					sv_ring_reader_close(reader(c, k));
				free(c->copy[k]);
				c->copy[k] = NULL;
			}
			c->consumes = 0;
		}
		/* No daemon yet, or one still starting: try again. Anything
		 * else (a name taken meanwhile) the caller hears about. */
		if (err != -ENOENT && err != -ECONNREFUSED && err != -ETIMEDOUT && err != -EPIPE &&
		    err != -ECONNRESET)
			goto out;
		pause_ms(stop, RECONNECT_EVERY_MS);
	}
	for (unsigned k = 0; k < SV_CLIENT_KINDS; k++) {
		const struct sv_ring_reader *rd = reader(c, k);
		uint64_t start;

		if (!attached(c, k))
			continue;
		start = atomic_load(&rd->cur->start);
		same[k] = old[k].hdr && old[k].ring_ino == rd->ring_ino;
		missed[k] = same[k] ? start - old[k].pos : start;
		c->missed[k] += missed[k];
	}
	c->reconnects++;
	describe_gap(c, same, missed, mono_s() - t0, msg, size);
out:
	for (unsigned k = 0; k < SV_CLIENT_KINDS; k++)
		if (old[k].hdr)
			sv_ring_reader_close(&old[k]);
	return err;
}

void sv_client_close(struct sv_client *c)
{
	for (unsigned k = 0; k < SV_CLIENT_KINDS; k++) {
		if (attached(c, k))
			sv_ring_reader_close(reader(c, k));
		free(c->copy[k]);
		c->copy[k] = NULL;
	}
	if (c->stats)
		munmap(c->stats, SV_STATS_SEGMENT);
	c->stats = NULL;
	if (c->sock >= 0)
		close(c->sock);
	c->sock = -1;
	c->consumes = 0;
}
