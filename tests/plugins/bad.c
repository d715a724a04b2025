/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bad.c - plugins the loader must refuse, one per CASE_* macro (the
 * Makefile builds each into build/tests/plugins/CASE.so):
 *   bad_abi     SV_PLUGIN's record claims another ABI
 *   no_symbol   no SV_PLUGIN at all
 *   clash       a VNF named like a built-in one (dns)
 *   bad_schema  an output member lying past the end of its struct
 *   undefined   calls a function nobody provides
 *   good        a correct one (the control), VNF "test_count"
 */
#include <stdlib.h>

#include <snapvnf/plugin.h>

struct meta {
	uint32_t n;
};

#ifdef CASE_bad_schema
static const struct sv_member meta_members[] = { { "n", SV_T_U32, 2, 4 } };
static const struct sv_schema meta_schema = { "meta", sizeof(struct meta), 1, meta_members };
#else
SV_SCHEMA(meta, SV_FIELD(struct meta, n));
#endif

#ifdef CASE_undefined
void sv_no_such_function(void);
#endif

static void *t_create(struct sv_vnf_ctx *ctx, const char *args)
{
#ifdef CASE_undefined
	sv_no_such_function();
#endif
	return calloc(1, 1);
}

static int t_process(void *state, struct sv_vnf_ctx *ctx, const struct sv_pkt *pkt,
		     const void *in, void *out)
{
	return SV_CONTINUE;
}

static const pkt_vnf t_vnf = {
	.desc = {
#ifdef CASE_clash
		.name = "dns",
#else
		.name = "test_count",
#endif
		.version = "1.0",
		.summary = "a test plugin",
		.out = &meta_schema,
		.create = t_create,
		.destroy = free,
	},
	.process = t_process,
};

#if defined(CASE_bad_abi)
static const struct sv_plugin_vnf t_vnfs[] = { { SV_PLUGIN_PKT, &t_vnf } };
SV_API const struct sv_plugin sv_plugin = { SV_PLUGIN_ABI + 1, 1, t_vnfs };
#elif defined(CASE_no_symbol)
const pkt_vnf *t_unused = &t_vnf;
#else
SV_PLUGIN(&t_vnf);
#endif
