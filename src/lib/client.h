/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * client.h - a service's connection to snapvnfd: claim a unique name
 * (hello), then attach to the rings it consumes. Used by the service
 * library and by `snapvnf tap`.
 */
#ifndef SV_CLIENT_H
#define SV_CLIENT_H

#include <stdbool.h>

#include "common/ring.h"
#include "common/stats.h"

#define SV_CONSUME_PKT  (1U << 0)
#define SV_CONSUME_FLOW (1U << 1)

struct sv_client {
	int sock;
	char name[64];
	unsigned consumes;         /* SV_CONSUME_* attached */
	struct sv_ring_reader pkt;
	struct sv_ring_reader flow;
	struct sv_stats *stats;    /* this service's counters (shared with the daemon) */
	char iface[32];            /* the daemon's live capture interface, or "" */
	char error[256];           /* why the last call failed, in one line */
};

/*
 * Connect to the daemon at `ctl_path` (NULL: $SNAPVNF_CTL or the default)
 * and claim `name`. Returns 0 or -errno: -ENOENT or -ECONNREFUSED (no
 * daemon), -EADDRINUSE (name taken), -EINVAL (bad name); c->error then
 * holds a one-line explanation. The name stays ours until close.
 */
int sv_client_open(struct sv_client *c, const char *ctl_path, const char *name);

/* Attach to the rings named by `consumes` (SV_CONSUME_* bits) and map
 * them. Reading starts at the ring's current head. Returns 0 or -errno. */
int sv_client_attach(struct sv_client *c, unsigned consumes);

/*
 * Sleep until any attached ring has items or ends, at most `timeout_ms`
 * (-1: no limit). Returns 1 if items may be ready, 0 on timeout, -1 when
 * every attached ring has ended and been read to the end.
 */
int sv_client_wait(struct sv_client *c, int timeout_ms);

/* The running service's control socket (service.c), -1 when not
 * connected: block requests (action.c) go over it. */
int sv_service_sock(void);

/* Unmap and disconnect (the daemon frees the cursors at once). */
void sv_client_close(struct sv_client *c);

#endif
