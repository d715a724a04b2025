/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * client.h - a service's connection to snapvnfd: register a unique name,
 * receive and map the ring segments. Used by the service library and by
 * `snapvnf tap`.
 */
#ifndef SV_CLIENT_H
#define SV_CLIENT_H

#include "lib/ring.h"
#include "lib/stats.h"

#define SV_CONSUME_PKT  (1U << 0)
#define SV_CONSUME_FLOW (1U << 1)

struct sv_client {
	int sock;
	char name[64];
	unsigned consumes;
	struct sv_ring_reader pkt;
	struct sv_stats *stats;    /* this service's counters, in its cursor page */
	char error[256];           /* the daemon's words when it refused us */
};

/*
 * Connect to the daemon at `ctl_path` (NULL: $SNAPVNF_CTL or the default),
 * register `name` and map the rings. Returns 0 or -errno: -ENOENT or
 * -ECONNREFUSED (no daemon), -EADDRINUSE (name taken), -EINVAL (bad name);
 * c->error then holds a one-line explanation.
 */
int sv_client_open(struct sv_client *c, const char *ctl_path, const char *name,
		   unsigned consumes);
/* Unmap and disconnect (the daemon frees the cursor at once). */
void sv_client_close(struct sv_client *c);

#endif
