/* SPDX-License-Identifier: BSD-3-Clause */
/* plugin_builtin.c - the VNFs compiled into the library (vnfs/), as a
 * source of the catalogue like any plugin. */
#include <snapvnf/builtin.h>

#include "lib/plugin.h"

static struct sv_plugin_vnf builtin_vnfs[64];

static int builtin_open(const char *where, void **handle, const struct sv_plugin_vnf **vnfs,
			unsigned *n, char *err, size_t errlen)
{
	const size_t max = sizeof(builtin_vnfs) / sizeof(builtin_vnfs[0]);
	unsigned i = 0;

	/* A name of both kinds (block) is two tables under one name. */
	for (const struct sv_builtin *b = sv_builtins; b->name && i + 2 <= max; b++) {
		if (b->pkt)
			builtin_vnfs[i++] = (struct sv_plugin_vnf){ SV_PLUGIN_PKT, b->pkt };
		if (b->flow)
			builtin_vnfs[i++] = (struct sv_plugin_vnf){ SV_PLUGIN_FLOW, b->flow };
	}
	*handle = NULL;
	*vnfs = builtin_vnfs;
	*n = i;
	return 0;
}

static void builtin_close(void *handle)
{
}

const struct sv_plugin_ops sv_plugin_builtin = {
	.name = "builtin",
	.open = builtin_open,
	.close = builtin_close,
};
