/* SPDX-License-Identifier: BSD-3-Clause */
/* vnf_ctx.c - what a VNF's callbacks may ask of their context. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lib/vnf_ctx.h"

void sv_vnf_ctx_init(struct sv_vnf_ctx *ctx, const char *service, const struct sv_vnf_desc *desc,
		     struct sv_stats *stats, struct sv_event_out *out)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->service = service;
	ctx->desc = desc;
	ctx->stats = stats;
	ctx->out = out;
	ctx->events = sv_stats_add(stats, desc->name, "events");
}

const char *sv_vnf_service_name(const struct sv_vnf_ctx *ctx)
{
	return ctx->service;
}

void sv_vnf_error(struct sv_vnf_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ctx->error, sizeof(ctx->error), fmt, ap);
	va_end(ap);
}

_Atomic uint64_t *sv_counter(struct sv_vnf_ctx *ctx, const char *name)
{
	return sv_stats_add(ctx->stats, ctx->desc->name, name);
}

_Atomic uint64_t *sv_gauge(struct sv_vnf_ctx *ctx, const char *name)
{
	return sv_stats_add_gauge(ctx->stats, ctx->desc->name, name);
}
