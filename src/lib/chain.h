/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * chain.h - a service's chain of VNFs and the converters between them,
 * independent of where items come from (the rings, or a test feeding
 * packets straight from a capture file).
 */
#ifndef SV_CHAIN_H
#define SV_CHAIN_H

#include <stddef.h>

#include <snapvnf/vnf.h>

#include "common/stats.h"
#include "lib/conv.h"
#include "lib/event.h"
#include "lib/vnf_ctx.h"

#define SV_CHAIN_MAX 32

enum sv_vnf_kind { SV_KIND_PKT = 1, SV_KIND_FLOW = 2 };

struct sv_chain;

/*
 * A chain for service `service`. Counters go to `stats` (the service's
 * cursor page), or to private memory when NULL (tests). Returns NULL and
 * sets errno.
 */
struct sv_chain *sv_chain_new(const char *service, struct sv_stats *stats);
/* Destroy every VNF's state, flush and close its events' sink, and free
 * the chain. Accepts NULL. */
void sv_chain_free(struct sv_chain *ch);
/* The chain's event output (event.h): its sink, options, flush, reopen.
 * Events go to standard output until it is given a sink. */
struct sv_event_out *sv_chain_events(struct sv_chain *ch);

/*
 * Append a VNF of `kind` (the table is a pkt_vnf or flow_vnf), create its
 * state with `args`, and check its converter: index rows (`rows`, ended by
 * {0,0,0}) or named ("a <- b, c <- d"), at most one of them. Returns 0, or
 * -errno with a message in err naming both VNFs and the members.
 */
int sv_chain_add(struct sv_chain *ch, enum sv_vnf_kind kind, const void *vnf, const char *args,
		 size_t (*rows)[3], const char *named, char *err, size_t errlen);
unsigned sv_chain_len(const struct sv_chain *ch);
/* Which item kinds the chain consumes (SV_KIND_* bits). */
unsigned sv_chain_kinds(const struct sv_chain *ch);

/* Compile the converters into copy plans; the chain is then ready to run.
 * Returns 0 or -errno. */
int sv_chain_compile(struct sv_chain *ch);

/* Run one item through the VNFs of its kind, in order, until one stops.
 * Returns how many VNFs ran. */
unsigned sv_chain_pkt(struct sv_chain *ch, const struct sv_pkt *pkt);
unsigned sv_chain_flow(struct sv_chain *ch, const struct sv_flow *rec);
/* Periodic tick with the newest item time. */
void sv_chain_tick(struct sv_chain *ch, uint64_t now_ns);
/* End of stream: every VNF's report. */
void sv_chain_report(struct sv_chain *ch);

#endif
