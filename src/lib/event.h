/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * event.h - a chain's event output: the item its events refer to, the
 * fields every event gets, and the sink the lines go to (sink.h).
 *
 * Each chain owns one (sv_chain_events()); nothing here is per process,
 * so two chains in one process write to two sinks. The VNF-facing calls
 * (sv_event_begin ... sv_event_end) are in <snapvnf/vnf.h>.
 */
#ifndef SV_EVENT_H
#define SV_EVENT_H

#include <stdbool.h>
#include <stdint.h>

#include <snapvnf/flow.h>
#include <snapvnf/pkt.h>

#include "common/stats.h"
#include "lib/sink.h"

struct sv_event_out;

struct sv_event_opts {
	bool iso_time;        /* add "timestamp", ISO 8601 UTC, beside "ts" */
	uint16_t cid_seed;    /* the Community ID seed (0 unless chosen) */
};

/*
 * An output writing to standard output until given a sink. Its counters
 * (sink.lines, sink.errors, sink.reopens) go to `stats`, or nowhere when
 * NULL. Returns NULL and sets errno.
 */
struct sv_event_out *sv_event_out_new(struct sv_stats *stats);
/* Flush, close the sink, free. Accepts NULL. */
void sv_event_out_free(struct sv_event_out *o);

/* Write to `s` from now on (the output owns it); the previous sink is
 * flushed and closed. */
void sv_event_out_sink(struct sv_event_out *o, struct sv_sink *s);
void sv_event_out_opts(struct sv_event_out *o, const struct sv_event_opts *opts);
/* The daemon's capture interface ("" or NULL: none): packet events from
 * it get "in_iface". */
void sv_event_out_capture(struct sv_event_out *o, const char *iface);

/* Flush buffered lines (after each burst, and at the end). */
void sv_event_out_flush(struct sv_event_out *o);
/* Reopen the sink (SIGHUP: logrotate moved the file). Returns 0 or -errno;
 * on failure the lines go on to the old file. */
int sv_event_out_reopen(struct sv_event_out *o);
/* The item events of the next VNF calls refer to (at most one non-NULL). */
void sv_event_out_item(struct sv_event_out *o, const struct sv_pkt *pkt,
		       const struct sv_flow *rec);

#endif
