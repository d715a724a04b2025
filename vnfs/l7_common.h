/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * l7_common.h - what the L7 packet VNFs (http_request, dns, tls_sni) share:
 * the "stop" argument, the malformed counter, and an output struct that is
 * cleared only after an item filled it, so the many packets of other
 * protocols cost no clearing.
 */
#ifndef SV_VNFS_L7_COMMON_H
#define SV_VNFS_L7_COMMON_H

#include <stdbool.h>
#include <string.h>

#include <snapvnf/vnf_util.h>

struct l7_common {
	bool stop;     /* a filter: a packet without an item ends the chain */
	bool filled;   /* the output holds the last item's values */
	_Atomic uint64_t *malformed;
};

/* The argument of each: "stop" (desc.args). */
static const struct sv_arg l7_common_args[] = {
	{ "stop", SV_ARG_FLAG, offsetof(struct l7_common, stop), NULL, 0, 0, NULL,
	  "end the chain for packets that hold no message of this protocol" },
	SV_ARG_END,
};

/* From create(), after the VNF's own counters: -1 after sv_vnf_error(). */
static inline int l7_common_init(struct l7_common *c, struct sv_vnf_ctx *ctx, const char *args)
{
	if (sv_vnf_args(ctx, args, c) < 0)
		return -1;
	c->malformed = sv_counter(ctx, "malformed");
	return 0;
}

/* First thing in process(): the buffer outlives the packet, so stale
 * values must not leak on to the next VNF. */
static inline void l7_common_begin(struct l7_common *c, void *out, size_t size)
{
	if (c->filled) {
		memset(out, 0, size);
		c->filled = false;
	}
}

/* The packet holds no item (ret < 0: a malformed one). The verdict. */
static inline int l7_common_none(struct l7_common *c, int ret)
{
	if (ret < 0)
		sv_counter_add(c->malformed, 1);
	return c->stop ? SV_STOP : SV_CONTINUE;
}

/* An item was decoded: the output is about to hold it. */
static inline void l7_common_item(struct l7_common *c)
{
	c->filled = true;
}

#endif
