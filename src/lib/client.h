/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * client.h - a service's connection to snapvnfd: claim a unique name
 * (hello), attach to the rings it consumes, read them, notice when the
 * daemon goes away, and come back to it. Used by the service library and
 * by `snapvnf tap`.
 */
#ifndef SV_CLIENT_H
#define SV_CLIENT_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/ring.h"
#include "common/stats.h"

#define SV_CONSUME_PKT  (1U << 0)
#define SV_CONSUME_FLOW (1U << 1)

/* sv_client_wait(): the daemon hung up without ending its stream, and
 * everything it published has been read. */
#define SV_CLIENT_GONE (-2)

enum { SV_CLIENT_PKT, SV_CLIENT_FLOW, SV_CLIENT_KINDS };

struct sv_client {
	int sock;
	char name[64];
	char ctl_path[108];        /* where the daemon was found */
	unsigned consumes;         /* SV_CONSUME_* attached */
	unsigned reattach;         /* SV_CONSUME_* to attach again on reconnecting */
	struct sv_ring_reader pkt;
	struct sv_ring_reader flow;
	void *copy[SV_CLIENT_KINDS];  /* lossy rings: where items are copied to */
	bool gone;                 /* the daemon hung up */
	struct sv_stats *stats;    /* this service's counters (shared with the daemon) */
	char iface[32];            /* the daemon's live capture interface, or "" */
	/* Over every attachment before the current one (reconnects). */
	uint64_t prior_delivered[SV_CLIENT_KINDS];
	uint64_t prior_lost[SV_CLIENT_KINDS];
	uint64_t missed[SV_CLIENT_KINDS];  /* published while detached, known to us */
	unsigned reconnects;
	char error[256];           /* why the last call failed, in one line */
};

/*
 * Connect to the daemon at `ctl_path` (NULL: $SNAPVNF_CTL or the default)
 * and claim `name`. Returns 0 or -errno: -ENOENT or -ECONNREFUSED (no
 * daemon), -ETIMEDOUT (a daemon that does not answer within 10 s),
 * -EADDRINUSE (name taken), -EINVAL (bad name); c->error then holds a
 * one-line explanation. The name stays ours until close.
 */
int sv_client_open(struct sv_client *c, const char *ctl_path, const char *name);

/* Attach to the rings named by `consumes` (SV_CONSUME_* bits) and map
 * them. Reading starts at the ring's current head. Returns 0 or -errno. */
int sv_client_attach(struct sv_client *c, unsigned consumes);

/*
 * Up to `max` (<= 64) intact items of ring `kind` (SV_CLIENT_PKT or
 * SV_CLIENT_FLOW), valid until sv_client_read_done(). A lossless ring is
 * read in place (the producer does not overwrite what we have not
 * released); a lossy one is copied and each copy checked first, so an item
 * the producer rewrote while we read it is counted lost and never handed
 * out. Returns the count.
 */
unsigned sv_client_read(struct sv_client *c, unsigned kind, const void **items, unsigned max);
/* Release what the last sv_client_read() of `kind` handed out. */
void sv_client_read_done(struct sv_client *c, unsigned kind);

/*
 * Sleep until any attached ring has items or ends, at most `timeout_ms`
 * (-1: no limit). Returns 1 if items may be ready, 0 on timeout, -1 when
 * every attached ring has ended and been read to the end, SV_CLIENT_GONE
 * when the daemon hung up (killed, crashed) without ending its stream and
 * all it had published has been read: its rings stay mapped after it is
 * gone, so nothing it published is lost by its death. The control socket
 * is looked at when a wait times out, so `timeout_ms` bounds how late the
 * hang-up is noticed.
 */
int sv_client_wait(struct sv_client *c, int timeout_ms);

/* Items delivered and lost over every attachment, this one included. */
uint64_t sv_client_delivered(const struct sv_client *c, unsigned kind);
uint64_t sv_client_lost(const struct sv_client *c, unsigned kind);

/*
 * After sv_client_wait() said -1 or SV_CLIENT_GONE: leave the old daemon,
 * then connect again (every second, until it answers or *stop is set),
 * claim the same name, attach to the same rings, and keep the counters
 * (the new counters segment is mapped where the old one was, so pointers
 * into it stay valid). Writes into `msg` one line saying what was missed,
 * as far as a service can know. Returns 0, -EINTR when stopped, or -errno
 * of a failure that retrying cannot cure (c->error says why).
 */
int sv_client_reconnect(struct sv_client *c, volatile sig_atomic_t *stop, char *msg,
			size_t size);

/* The running service's control socket (service.c), -1 when not
 * connected: block requests (action.c) go over it. */
int sv_service_sock(void);

/* Unmap and disconnect (the daemon frees the cursors at once). */
void sv_client_close(struct sv_client *c);

#endif
