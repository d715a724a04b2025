/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * plugin.c - the catalogue of VNFs: built-ins first, then each plugin
 * file loaded, every VNF checked once here (a name, the callbacks a chain
 * calls, a name no other VNF has, schemas the converters can use) so
 * that the chain can trust what it is given.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "lib/conv.h"
#include "lib/plugin.h"

#define CATALOGUE_MAX 256
#define FILES_MAX 64

/* The sources, by name (one file each). */
static const struct sv_plugin_ops *const sources[] = { &sv_plugin_builtin, &sv_plugin_so };

static struct {
	bool init;
	unsigned n;
	struct sv_vnf_entry v[CATALOGUE_MAX];
	unsigned nfiles;
	struct {
		const struct sv_plugin_ops *ops;
		void *handle;
		char *path;
		char *real;  /* realpath, so one file is loaded once */
	} files[FILES_MAX];
} cat;

static const struct sv_plugin_ops *source(const char *name)
{
	for (size_t i = 0; i < sizeof(sources) / sizeof(sources[0]); i++)
		if (strcmp(sources[i]->name, name) == 0)
			return sources[i];
	return NULL;
}

static bool name_ok(const char *name)
{
	size_t len = strlen(name);

	if (len == 0 || len > 63)
		return false;
	return strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_") == len;
}

const void *sv_vnf_pick(const struct sv_vnf_entry *e, enum sv_vnf_kind prev,
			enum sv_vnf_kind *kind)
{
	if (e->pkt && (!e->flow || prev != SV_KIND_FLOW)) {
		*kind = SV_KIND_PKT;
		return e->pkt;
	}
	*kind = SV_KIND_FLOW;
	return e->flow;
}

const struct sv_vnf_desc *sv_vnf_desc_of(const struct sv_vnf_entry *e)
{
	return e->pkt ? &e->pkt->desc : &e->flow->desc;
}

/*
 * Check one VNF table; the reason in err (without the origin). A table
 * of the other kind under a name this same source gave already joins
 * that entry: *join is set to it.
 */
static int check_vnf(const struct sv_plugin_vnf *pv, unsigned nnew, struct sv_vnf_entry **join,
		     char *err, size_t errlen)
{
	const struct sv_vnf_desc *d = pv->vnf;
	const void *process;
	char why[256];

	if (!d || (pv->kind != SV_PLUGIN_PKT && pv->kind != SV_PLUGIN_FLOW)) {
		snprintf(err, errlen, "an entry of SV_PLUGIN is not a VNF table");
		return -EINVAL;
	}
	if (!d->name || !name_ok(d->name)) {
		snprintf(err, errlen, "a VNF's name \"%.64s\" is not 1 to 63 of [a-z0-9_]",
			 d->name ? d->name : "");
		return -EINVAL;
	}
	process = pv->kind == SV_PLUGIN_PKT ? (const void *)((const pkt_vnf *)d)->process
					    : (const void *)((const flow_vnf *)d)->process;
	if (!d->create || !process) {
		snprintf(err, errlen, "VNF %s has no create or process callback", d->name);
		return -EINVAL;
	}
	*join = NULL;
	for (unsigned i = 0; i < cat.n + nnew; i++) {
		if (strcmp(cat.v[i].name, d->name) == 0) {
			struct sv_vnf_entry *e = &cat.v[i];

			if (i >= cat.n && (pv->kind == SV_PLUGIN_PKT ? !e->pkt : !e->flow)) {
				*join = e;
				break;
			}
			if (strcmp(cat.v[i].origin, "built-in") == 0)
				snprintf(err, errlen, "VNF %s clashes with the built-in VNF %s",
					 d->name, d->name);
			else
				snprintf(err, errlen, "VNF %s clashes with VNF %s from %s", d->name,
					 d->name, cat.v[i].origin);
			return -EEXIST;
		}
	}
	if ((d->in && sv_schema_check(d->in, why, sizeof(why)) < 0) ||
	    (d->out && sv_schema_check(d->out, why, sizeof(why)) < 0)) {
		snprintf(err, errlen, "VNF %s: %s %s", d->name,
			 d->in && sv_schema_check(d->in, why, sizeof(why)) < 0 ? "input" : "output",
			 why);
		return -EINVAL;
	}
	return 0;
}

/* Open `where` with a source and add its VNFs, all or none. */
static int add_source(const struct sv_plugin_ops *ops, const char *where, const char *origin,
		      char *err, size_t errlen)
{
	const struct sv_plugin_vnf *vnfs;
	void *handle = NULL;
	char why[384];
	unsigned n, added = 0;
	int rc;

	if (cat.nfiles == FILES_MAX) {
		snprintf(err, errlen, "%s: more than %d plugin files", origin, FILES_MAX);
		return -E2BIG;
	}
	rc = ops->open(where, &handle, &vnfs, &n, why, sizeof(why));
	if (rc < 0) {
		snprintf(err, errlen, "%s: %s", origin, why);
		return rc;
	}
	if (cat.n + n > CATALOGUE_MAX) {
		snprintf(err, errlen, "%s: more than %d VNFs in all", origin, CATALOGUE_MAX);
		rc = -E2BIG;
		goto fail;
	}
	for (unsigned i = 0; i < n; i++) {
		const struct sv_vnf_desc *d = vnfs[i].vnf;
		struct sv_vnf_entry *e;

		rc = check_vnf(&vnfs[i], added, &e, why, sizeof(why));
		if (rc < 0) {
			snprintf(err, errlen, "%s: %s", origin, why);
			goto fail;
		}
		/* Entered as checked, so the next one is checked against it. */
		if (!e) {
			e = &cat.v[cat.n + added++];
			e->name = d->name;
		}
		if (vnfs[i].kind == SV_PLUGIN_PKT)
			e->pkt = vnfs[i].vnf;
		else
			e->flow = vnfs[i].vnf;
	}
	cat.files[cat.nfiles].path = strdup(origin);
	if (!cat.files[cat.nfiles].path) {
		snprintf(err, errlen, "%s: out of memory", origin);
		rc = -ENOMEM;
		goto fail;
	}
	cat.files[cat.nfiles].ops = ops;
	cat.files[cat.nfiles].handle = handle;
	for (unsigned i = 0; i < added; i++)
		cat.v[cat.n + i].origin = cat.files[cat.nfiles].path;
	cat.nfiles++;
	cat.n += added;
	return 0;
fail:
	memset(&cat.v[cat.n], 0, added * sizeof(cat.v[0]));
	ops->close(handle);
	return rc;
}

static void init(void)
{
	char err[512];

	if (cat.init)
		return;
	cat.init = true;
	/* The built-ins are ours: a failure here is a bug, said loudly. */
	if (add_source(source("builtin"), NULL, "built-in", err, sizeof(err)) < 0)
		fprintf(stderr, "snapvnf: %s\n", err);
}

int sv_plugin_load(const char *path, char *err, size_t errlen)
{
	char *real;
	int rc;

	init();
	real = realpath(path, NULL);
	for (unsigned i = 0; real && i < cat.nfiles; i++) {
		if (cat.files[i].real && strcmp(cat.files[i].real, real) == 0) {
			free(real);
			return 0;  /* the plugin directory's, named again */
		}
	}
	rc = add_source(source("so"), path, path, err, errlen);
	if (rc == 0)
		cat.files[cat.nfiles - 1].real = real;
	else
		free(real);
	return rc;
}

static int so_file(const struct dirent *e)
{
	size_t len = strlen(e->d_name);

	return e->d_name[0] != '.' && len > 3 && strcmp(e->d_name + len - 3, ".so") == 0;
}

int sv_plugin_load_dir(const char *dir, void (*warn)(const char *msg))
{
	struct dirent **names;
	int n, loaded = 0;

	init();
	n = scandir(dir, &names, so_file, alphasort);
	if (n < 0)
		return errno == ENOENT ? 0 : -errno;
	for (int i = 0; i < n; i++) {
		char path[4096], err[768];

		if (snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name) <
		    (int)sizeof(path)) {
			if (sv_plugin_load(path, err, sizeof(err)) == 0)
				loaded++;
			else if (warn)
				warn(err);
		}
		free(names[i]);
	}
	free(names);
	return loaded;
}

const char *sv_plugin_dir(void)
{
	const char *env = getenv("SNAPVNF_PLUGIN_DIR");

	return env && *env ? env : SV_PLUGIN_DIR;
}

const struct sv_vnf_entry *sv_vnf_find(const char *name)
{
	init();
	for (unsigned i = 0; i < cat.n; i++)
		if (strcmp(cat.v[i].name, name) == 0)
			return &cat.v[i];
	return NULL;
}

const struct sv_vnf_entry *sv_vnf_at(unsigned i)
{
	init();
	return i < cat.n ? &cat.v[i] : NULL;
}

void sv_plugin_unload_all(void)
{
	for (unsigned i = 0; i < cat.nfiles; i++) {
		cat.files[i].ops->close(cat.files[i].handle);
		free(cat.files[i].path);
		free(cat.files[i].real);
	}
	memset(&cat, 0, sizeof(cat));
}
