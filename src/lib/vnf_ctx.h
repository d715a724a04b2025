/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vnf_ctx.h - the context one VNF of one service runs in: who it is, where
 * its counters go, where its events are counted, why create() failed. The
 * chain owns one per stage; events and the VNF-facing helpers of
 * <snapvnf/vnf.h> only need this, not the chain.
 */
#ifndef SV_VNF_CTX_H
#define SV_VNF_CTX_H

#include <stdint.h>

#include <snapvnf/vnf.h>

#include "common/stats.h"

struct sv_vnf_ctx {
	const char *service;           /* the service's name (the chain keeps it) */
	const struct sv_vnf_desc *desc;
	struct sv_stats *stats;        /* the service's counters segment */
	_Atomic uint64_t *events;      /* events emitted by this VNF */
	struct sv_event_out *out;      /* where they go: the chain's (event.h) */
	char error[256];
};

struct sv_event_out;

/* Point ctx at its service, VNF and event output, and take its "events"
 * counter. */
void sv_vnf_ctx_init(struct sv_vnf_ctx *ctx, const char *service, const struct sv_vnf_desc *desc,
		     struct sv_stats *stats, struct sv_event_out *out);

#endif
