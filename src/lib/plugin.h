/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * plugin.h - every VNF a program can run, by name: the built-in ones and
 * those of plugins (snapvnf/plugin.h). Where VNFs come from is a small ops
 * table, one backend per file (plugin_builtin.c, plugin_so.c); the
 * catalogue here checks what each gives before anything can run it.
 */
#ifndef SV_PLUGIN_H
#define SV_PLUGIN_H

#include <stddef.h>

#include <snapvnf/plugin.h>

#include "lib/chain.h"

/* A source of VNFs. */
struct sv_plugin_ops {
	const char *name;  /* "builtin", "so" */
	/*
	 * Open what `where` names (ignored by "builtin") and point *vnfs at
	 * the *n VNF tables it holds, valid until close(*handle). Returns 0,
	 * or -errno with a one-line reason in err (without the file name).
	 */
	int (*open)(const char *where, void **handle, const struct sv_plugin_vnf **vnfs,
		    unsigned *n, char *err, size_t errlen);
	void (*close)(void *handle);
};

extern const struct sv_plugin_ops sv_plugin_builtin;
extern const struct sv_plugin_ops sv_plugin_so;

/*
 * One VNF the program knows, by name: a packet table, a flow table, or
 * both (as `block`, which follows a detector of either kind), when one
 * source gives the two kinds under one name.
 */
struct sv_vnf_entry {
	const char *name;
	const pkt_vnf *pkt;
	const flow_vnf *flow;
	const char *origin;  /* "built-in", or the plugin's path */
};

/*
 * The table to chain after a VNF of kind prev (0: first in the chain):
 * the entry's only one, or for a name of both kinds the one of prev's
 * kind (packet when first). Sets *kind.
 */
const void *sv_vnf_pick(const struct sv_vnf_entry *e, enum sv_vnf_kind prev,
			enum sv_vnf_kind *kind);
/* The entry's description (its packet table's when it has both). */
const struct sv_vnf_desc *sv_vnf_desc_of(const struct sv_vnf_entry *e);

/*
 * Load the VNFs of one plugin file. Returns 0, or -errno with a one-line
 * message in err that starts with the path: not loadable, no sv_plugin
 * symbol, another plugin ABI, a VNF table without name or callbacks, a
 * name another VNF has (built-in or from another file), a schema the
 * converters reject. Nothing of a refused file stays loaded.
 */
int sv_plugin_load(const char *path, char *err, size_t errlen);

/*
 * Load every *.so in dir, in name order. A missing dir is no error. A
 * file that is refused is reported through warn (one line each) and
 * skipped; the others load. Returns how many files loaded, or -errno
 * when dir cannot be read.
 */
int sv_plugin_load_dir(const char *dir, void (*warn)(const char *msg));

/* The default plugin directory: $SNAPVNF_PLUGIN_DIR, else the one this
 * build was installed with. */
const char *sv_plugin_dir(void);

/* A VNF by name (built-ins are always there), or NULL. */
const struct sv_vnf_entry *sv_vnf_find(const char *name);
/* The i-th VNF known, built-ins first then plugins in load order; NULL
 * past the end. */
const struct sv_vnf_entry *sv_vnf_at(unsigned i);

/* Unload every plugin (tests). */
void sv_plugin_unload_all(void);

#endif
