/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * collector.h - the flow collector: sFlow v5 datagrams in, binary flow
 * records (and, optionally, the sampled headers as snaps) out, through the
 * same broadcast rings as the capture path.
 *
 * Records are queued first and moved into the rings by
 * sv_collector_drain(), so a lossless ring that is full never blocks the
 * decoder in the middle of a datagram: the daemon feeds the next datagram
 * only once the queue has drained, and keeps serving its control socket
 * meanwhile.
 */
#ifndef SV_COLLECTOR_H
#define SV_COLLECTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <snapvnf/flow.h>

#include "daemon/input.h"

struct sv_ring;
struct sv_collector;
struct sv_metrics;

struct sv_collector_opts {
	bool snaps;            /* --sflow-snaps: sampled headers go to the packet ring */
	unsigned snaplen;      /* bytes of a sampled header kept as a snap */
	unsigned interval_s;   /* --flow-interval: aggregation period */
	unsigned agent_idle_s; /* --agent-idle: an sFlow agent silent this long is forgotten (0: 600) */
};

/* NULL and errno on failure. pkt_ring may be NULL when opts->snaps is off. */
struct sv_collector *sv_collector_new(struct sv_ring *flow_ring, struct sv_ring *pkt_ring,
				      const struct sv_collector_opts *o);
void sv_collector_free(struct sv_collector *c);

/*
 * Decode one datagram of `len` bytes (`wire_len`: what the UDP header says
 * the datagram holds; more than len when the copy was cut) received at
 * ts_ns (ns since the epoch) and queue its records.
 */
void sv_collector_datagram(struct sv_collector *c, const uint8_t *buf, size_t len,
			   size_t wire_len, uint64_t ts_ns);

/* Queue a record made elsewhere (the nfdump path). */
void sv_collector_record(struct sv_collector *c, const struct sv_flow *rec);

/*
 * Close the aggregation interval if now_ns has passed its end (or always,
 * with `all`, at the end of a replay): queue one `flow` record per 5-tuple.
 * now_ns 0 means the time of the newest datagram.
 */
void sv_collector_tick(struct sv_collector *c, uint64_t now_ns, bool all);

/*
 * Move queued items into the rings, waiting at most timeout_ms for room in
 * a lossless ring. Returns true when nothing is left queued.
 */
bool sv_collector_drain(struct sv_collector *c, int timeout_ms);

/* Its counters and each agent's (metrics.h): the "collector" section. */
void sv_collector_metrics(const struct sv_collector *c, struct sv_metrics *m);

#endif
