/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * plugin_so.c - VNFs from a shared object built with SV_PLUGIN()
 * (snapvnf/plugin.h).
 *
 * RTLD_NOW, so a plugin that needs a symbol nobody provides fails here,
 * with the loader's message, rather than at its first packet; RTLD_LOCAL,
 * so two plugins cannot see (or clash on) each other's symbols. The ABI
 * word is read before anything else of the plugin's table is trusted.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lib/plugin.h"

static int so_open(const char *where, void **handle, const struct sv_plugin_vnf **vnfs,
		   unsigned *n, char *err, size_t errlen)
{
	const struct sv_plugin *p;
	void *h;

	h = dlopen(where, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		const char *why = dlerror();
		size_t len = strlen(where);

		/* The caller names the file already; dlerror() often does too. */
		if (why && strncmp(why, where, len) == 0 && strncmp(why + len, ": ", 2) == 0)
			why += len + 2;
		snprintf(err, errlen, "cannot load: %s", why ? why : "unknown error");
		return -ENOEXEC;
	}
	p = dlsym(h, SV_PLUGIN_SYMBOL);
	if (!p) {
		snprintf(err, errlen, "not a snapvnf plugin: no symbol %s "
			 "(name its VNFs with SV_PLUGIN(), snapvnf/plugin.h)", SV_PLUGIN_SYMBOL);
		dlclose(h);
		return -ENOENT;
	}
	if (p->abi != SV_PLUGIN_ABI) {
		snprintf(err, errlen, "built for plugin ABI %u, this snapvnf loads ABI %u: "
			 "rebuild it against the installed headers", p->abi, SV_PLUGIN_ABI);
		dlclose(h);
		return -EPROTO;
	}
	if (!p->vnfs || p->count == 0 || p->count > 64) {
		snprintf(err, errlen, "SV_PLUGIN names %u VNFs (1 to 64)", p->count);
		dlclose(h);
		return -EINVAL;
	}
	*handle = h;
	*vnfs = p->vnfs;
	*n = p->count;
	return 0;
}

static void so_close(void *handle)
{
	if (handle)
		dlclose(handle);
}

const struct sv_plugin_ops sv_plugin_so = {
	.name = "so",
	.open = so_open,
	.close = so_close,
};
