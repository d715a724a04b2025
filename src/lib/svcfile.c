/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * svcfile.c - service files (see svcfile.h). libyaml builds the document
 * (with the line of every node); this file walks it: a mapping of known
 * keys, each value of the type expected, and says at which line what was
 * expected when it is not. Values are taken as written: libyaml does not
 * turn "no" or "0.10" into a boolean or a number, so neither does this.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <yaml.h>

#include "common/ctl.h"
#include "lib/chain.h"
#include "lib/filter.h"
#include "lib/plugin.h"
#include "lib/svcfile.h"

#define SVCFILE_MAX (1u << 20)

struct walk {
	const char *path;
	yaml_document_t *doc;
	struct sv_svc *svc;
	char *err;
	size_t errlen;
};

__attribute__((format(printf, 3, 4)))
static int bad(struct walk *w, unsigned line, const char *fmt, ...)
{
	char msg[384];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(w->err, w->errlen, "%s:%u: %s", w->path, line, msg);
	return -EINVAL;
}

static unsigned line_of(const yaml_node_t *n)
{
	return (unsigned)n->start_mark.line + 1;
}

/* A scalar's value as a new C string; what else it is, an error. */
static int scalar(struct walk *w, const yaml_node_t *n, const char *what, char **out)
{
	const char *v;
	size_t len;

	if (n->type != YAML_SCALAR_NODE)
		return bad(w, line_of(n), "%s: expected a single value, not a %s", what,
			   n->type == YAML_SEQUENCE_NODE ? "list" : "mapping");
	v = (const char *)n->data.scalar.value;
	len = n->data.scalar.length;
	if (memchr(v, '\0', len))
		return bad(w, line_of(n), "%s: expected text, the value holds a NUL byte", what);
	*out = strndup(v, len);
	return *out ? 0 : -ENOMEM;
}

/* A key of a mapping, as text (keys are always scalars here). */
static int key_of(struct walk *w, const yaml_node_t *k, const char **key)
{
	if (k->type != YAML_SCALAR_NODE || memchr(k->data.scalar.value, '\0', k->data.scalar.length))
		return bad(w, line_of(k), "expected a key (a word), not a %s",
			   k->type == YAML_SCALAR_NODE ? "value with a NUL byte" : "list or mapping");
	*key = (const char *)k->data.scalar.value;
	return 0;
}

static int once(struct walk *w, const yaml_node_t *k, const char *key, const void *slot)
{
	return slot ? bad(w, line_of(k), "'%s' is given twice", key) : 0;
}

static int chain_entry(struct walk *w, const yaml_node_t *n)
{
	struct sv_svc *svc = w->svc;
	struct sv_svc_vnf *v;
	int rc;

	if (svc->nvnfs == SV_CHAIN_MAX)
		return bad(w, line_of(n), "chain: expected at most %d VNFs", SV_CHAIN_MAX);
	v = &svc->vnfs[svc->nvnfs];
	v->line = line_of(n);
	if (n->type == YAML_SCALAR_NODE) {
		rc = scalar(w, n, "chain entry", &v->name);
		if (rc == 0)
			svc->nvnfs++;
		return rc;
	}
	if (n->type != YAML_MAPPING_NODE)
		return bad(w, line_of(n), "chain entry: expected a VNF name, or a mapping with "
			   "vnf, args and conv; not a list");
	svc->nvnfs++;  /* so that sv_svcfile_free() frees what is filled */
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(w->doc, p->key);
		yaml_node_t *val = yaml_document_get_node(w->doc, p->value);
		const char *key;

		if (!k || !val)
			return bad(w, v->line, "chain entry: a key without a value");
		if ((rc = key_of(w, k, &key)) < 0)
			return rc;
		if (strcmp(key, "vnf") == 0) {
			if ((rc = once(w, k, key, v->name)) < 0 ||
			    (rc = scalar(w, val, "vnf", &v->name)) < 0)
				return rc;
		} else if (strcmp(key, "args") == 0) {
			if ((rc = once(w, k, key, v->args)) < 0 ||
			    (rc = scalar(w, val, "args", &v->args)) < 0)
				return rc;
		} else if (strcmp(key, "conv") == 0) {
			if ((rc = once(w, k, key, v->conv)) < 0 ||
			    (rc = scalar(w, val, "conv", &v->conv)) < 0)
				return rc;
		} else {
			return bad(w, line_of(k), "chain entry: unknown key '%.64s' (expected vnf, "
				   "args, conv)", key);
		}
	}
	if (!v->name)
		return bad(w, v->line, "chain entry: expected 'vnf: NAME'");
	return 0;
}

static int chain(struct walk *w, const yaml_node_t *n)
{
	int rc;

	if (n->type != YAML_SEQUENCE_NODE)
		return bad(w, line_of(n), "chain: expected a list of VNFs (lines starting \"- \")");
	w->svc->vnfs = calloc(SV_CHAIN_MAX, sizeof(*w->svc->vnfs));
	if (!w->svc->vnfs)
		return -ENOMEM;
	for (yaml_node_item_t *i = n->data.sequence.items.start; i < n->data.sequence.items.top; i++) {
		yaml_node_t *e = yaml_document_get_node(w->doc, *i);

		if (!e)
			return bad(w, line_of(n), "chain: an empty entry");
		if ((rc = chain_entry(w, e)) < 0)
			return rc;
	}
	/* A VNF without a converter takes the members of the same name and
	 * type from the one before, as `snapvnf run VNF VNF ...` does: a
	 * detector followed by `block` needs nothing more. */
	for (unsigned k = 1; k < w->svc->nvnfs; k++)
		if (!w->svc->vnfs[k].conv && !(w->svc->vnfs[k].conv = strdup("*")))
			return -ENOMEM;
	return 0;
}

static int plugins(struct walk *w, const yaml_node_t *n)
{
	struct sv_svc *svc = w->svc;
	int rc;

	if (n->type == YAML_SCALAR_NODE) {
		svc->plugin_lines[0] = line_of(n);
		rc = scalar(w, n, "plugins", &svc->plugins[0]);
		svc->nplugins = rc == 0;
		return rc;
	}
	if (n->type != YAML_SEQUENCE_NODE)
		return bad(w, line_of(n), "plugins: expected a list of .so files");
	for (yaml_node_item_t *i = n->data.sequence.items.start; i < n->data.sequence.items.top; i++) {
		yaml_node_t *e = yaml_document_get_node(w->doc, *i);

		if (!e)
			return bad(w, line_of(n), "plugins: an empty entry");
		if (svc->nplugins == SV_SVC_PLUGINS_MAX)
			return bad(w, line_of(e), "plugins: expected at most %d", SV_SVC_PLUGINS_MAX);
		svc->plugin_lines[svc->nplugins] = line_of(e);
		if ((rc = scalar(w, e, "plugins", &svc->plugins[svc->nplugins])) < 0)
			return rc;
		svc->nplugins++;
	}
	return 0;
}

static int top(struct walk *w, const yaml_node_t *root)
{
	struct sv_svc *svc = w->svc;
	bool seen_chain = false, seen_plugins = false;
	int rc;

	if (root->type != YAML_MAPPING_NODE)
		return bad(w, line_of(root), "expected a mapping of service keys (name, chain, "
			   "plugins, events, filter)");
	for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *k = yaml_document_get_node(w->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(w->doc, p->value);
		const char *key;

		if (!k || !v)
			return bad(w, line_of(root), "a key without a value");
		if ((rc = key_of(w, k, &key)) < 0)
			return rc;
		if (strcmp(key, "name") == 0) {
			svc->name_line = line_of(v);
			if ((rc = once(w, k, key, svc->name)) < 0 ||
			    (rc = scalar(w, v, "name", &svc->name)) < 0)
				return rc;
			if (!sv_ctl_name_valid(svc->name))
				return bad(w, line_of(v), "name: expected a service name (letters, "
					   "digits, '.', '_', '-'; at most %d)", SV_NAME_MAX - 1);
		} else if (strcmp(key, "events") == 0) {
			svc->events_line = line_of(v);
			if ((rc = once(w, k, key, svc->events)) < 0 ||
			    (rc = scalar(w, v, "events", &svc->events)) < 0)
				return rc;
		} else if (strcmp(key, "filter") == 0) {
			svc->filter_line = line_of(v);
			if ((rc = once(w, k, key, svc->filter)) < 0 ||
			    (rc = scalar(w, v, "filter", &svc->filter)) < 0)
				return rc;
		} else if (strcmp(key, "plugins") == 0) {
			if ((rc = once(w, k, key, seen_plugins ? key : NULL)) < 0 ||
			    (rc = plugins(w, v)) < 0)
				return rc;
			seen_plugins = true;
		} else if (strcmp(key, "chain") == 0) {
			if ((rc = once(w, k, key, seen_chain ? key : NULL)) < 0 || (rc = chain(w, v)) < 0)
				return rc;
			seen_chain = true;
		} else {
			return bad(w, line_of(k), "unknown key '%.64s' (expected name, chain, plugins, "
				   "events, filter)", key);
		}
	}
	if (!svc->name)
		return bad(w, line_of(root), "expected 'name: SERVICE'");
	if (!svc->nvnfs)
		return bad(w, line_of(root), "expected 'chain:' with at least one VNF");
	return 0;
}

int sv_svcfile_parse(const char *path, const char *text, size_t len, struct sv_svc *svc,
		     char *err, size_t errlen)
{
	struct walk w = { .path = path, .svc = svc, .err = err, .errlen = errlen };
	yaml_parser_t parser;
	yaml_document_t doc, extra;
	yaml_node_t *root;
	int rc;

	memset(svc, 0, sizeof(*svc));
	err[0] = '\0';
	if (!yaml_parser_initialize(&parser)) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -ENOMEM;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		snprintf(err, errlen, "%s:%zu: YAML: %s%s%s (column %zu)", path,
			 parser.problem_mark.line + 1, parser.problem ? parser.problem : "error",
			 parser.context ? " " : "", parser.context ? parser.context : "",
			 parser.problem_mark.column + 1);
		yaml_parser_delete(&parser);
		return -EINVAL;
	}
	w.doc = &doc;
	root = yaml_document_get_root_node(&doc);
	if (!root) {
		snprintf(err, errlen, "%s:1: expected a service (name, chain, ...), the file is empty",
			 path);
		rc = -EINVAL;
	} else {
		rc = top(&w, root);
	}
	if (rc == 0) {
		/* One service per file: a second document is a mistake, not ignored. */
		if (!yaml_parser_load(&parser, &extra)) {
			rc = bad(&w, (unsigned)parser.problem_mark.line + 1, "YAML: %s",
				 parser.problem ? parser.problem : "error");
		} else {
			if (yaml_document_get_root_node(&extra))
				rc = bad(&w, (unsigned)extra.start_mark.line + 1,
					 "expected one service, found a second document");
			yaml_document_delete(&extra);
		}
	}
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	if (rc == -ENOMEM)
		snprintf(err, errlen, "%s: out of memory", path);
	if (rc == 0)
		svc->path = strdup(path);
	if (rc == 0 && !svc->path)
		rc = -ENOMEM;
	if (rc < 0)
		sv_svcfile_free(svc);
	return rc;
}

int sv_svcfile_load(const char *path, struct sv_svc *svc, char *err, size_t errlen)
{
	char *buf = NULL;
	size_t len = 0;
	ssize_t r;
	int fd, rc;

	memset(svc, 0, sizeof(*svc));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(-rc));
		return rc;
	}
	buf = malloc(SVCFILE_MAX + 1);
	if (!buf) {
		close(fd);
		snprintf(err, errlen, "%s: out of memory", path);
		return -ENOMEM;
	}
	while ((r = read(fd, buf + len, SVCFILE_MAX + 1 - len)) > 0 && len < SVCFILE_MAX + 1)
		len += (size_t)r;
	rc = r < 0 ? -errno : 0;
	close(fd);
	if (rc < 0)
		snprintf(err, errlen, "%s: %s", path, strerror(-rc));
	else if (len > SVCFILE_MAX)
		snprintf(err, errlen, "%s: larger than %u bytes: not a service file", path,
			 SVCFILE_MAX), rc = -EFBIG;
	else
		rc = sv_svcfile_parse(path, buf, len, svc, err, errlen);
	free(buf);
	return rc;
}

int sv_svcfile_check(const struct sv_svc *svc, char *err, size_t errlen)
{
	enum sv_vnf_kind kind = 0;
	struct sv_chain *ch = NULL;
	char why[512];
	int rc = 0;

	for (unsigned i = 0; i < svc->nplugins; i++) {
		if ((rc = sv_plugin_load(svc->plugins[i], why, sizeof(why))) < 0) {
			snprintf(err, errlen, "%s:%u: %s", svc->path, svc->plugin_lines[i], why);
			return rc;
		}
	}
	if (svc->filter) {
		struct sv_filter *f = sv_filter_new(svc->filter, why, sizeof(why));

		if (!f) {
			snprintf(err, errlen, "%s:%u: filter \"%.100s\": %s", svc->path,
				 svc->filter_line, svc->filter, why);
			return -EINVAL;
		}
		sv_filter_free(f);
	}
	ch = sv_chain_new(svc->name, NULL);
	if (!ch) {
		snprintf(err, errlen, "%s: out of memory", svc->path);
		return -ENOMEM;
	}
	for (unsigned i = 0; i < svc->nvnfs; i++) {
		const struct sv_svc_vnf *v = &svc->vnfs[i];
		const struct sv_vnf_entry *e = sv_vnf_find(v->name);

		if (!e) {
			snprintf(err, errlen, "%s:%u: expected a VNF, there is none named '%.64s' "
				 "(`snapvnf vnfs` lists them)", svc->path, v->line, v->name);
			rc = -ENOENT;
			break;
		}
		rc = sv_chain_add(ch, kind, sv_vnf_pick(e, kind, &kind), v->args, NULL, v->conv, why,
				  sizeof(why));
		if (rc < 0) {
			snprintf(err, errlen, "%s:%u: %s", svc->path, v->line, why);
			break;
		}
	}
	sv_chain_free(ch);
	return rc;
}

void sv_svcfile_free(struct sv_svc *svc)
{
	for (unsigned i = 0; i < svc->nvnfs; i++) {
		free(svc->vnfs[i].name);
		free(svc->vnfs[i].args);
		free(svc->vnfs[i].conv);
	}
	for (unsigned i = 0; i < svc->nplugins; i++)
		free(svc->plugins[i]);
	free(svc->vnfs);
	free(svc->path);
	free(svc->name);
	free(svc->events);
	free(svc->filter);
	memset(svc, 0, sizeof(*svc));
}
