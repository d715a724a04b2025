/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * metrics_json.c - the counter walk as the JSON object `snapvnf status
 * --json` prints: a group is an object under the root (or under another
 * group: "collector.agents"), or with a label an array of objects, one per
 * instance, the label a string member.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "daemon/metrics.h"

struct json_writer {
	struct sv_metrics m;
	json_object *root;
	json_object *cur;     /* the current group's object */
};

/* The member `key` of o, made (an object, or an array) if it is not there. */
static json_object *member(json_object *o, const char *key, size_t len, bool array)
{
	char name[64];
	json_object *v;

	snprintf(name, sizeof(name), "%.*s", (int)len, key);
	if (!json_object_object_get_ex(o, name, &v)) {
		v = array ? json_object_new_array() : json_object_new_object();
		json_object_object_add(o, name, v);
	}
	return v;
}

static void j_group(struct sv_metrics *m, const struct sv_metric_group *g, const char *instance)
{
	struct json_writer *w = (struct json_writer *)m;
	json_object *o = w->root;
	const char *p = g->json, *dot;

	while ((dot = strchr(p, '.'))) {
		o = member(o, p, (size_t)(dot - p), false);
		p = dot + 1;
	}
	if (!g->label || !instance) {
		w->cur = member(o, p, strlen(p), g->label != NULL);
		return;
	}
	w->cur = json_object_new_object();
	json_object_object_add(w->cur, g->json_label ? g->json_label : g->label,
			       json_object_new_string(instance));
	json_object_array_add(member(o, p, strlen(p), true), w->cur);
	if (g->vnf)
		member(w->cur, "counters", strlen("counters"), false);
}

static void j_value(struct sv_metrics *m, const struct sv_metric *row, uint64_t u, double d)
{
	struct json_writer *w = (struct json_writer *)m;
	json_object *v;

	switch (row->kind) {
	case SV_METRIC_BOOL:
		v = json_object_new_boolean(u != 0);
		break;
	case SV_METRIC_DOUBLE:
		v = json_object_new_double(d);
		break;
	case SV_METRIC_I64:
		v = json_object_new_int64((int64_t)u);
		break;
	default:
		v = json_object_new_uint64(u);
		break;
	}
	json_object_object_add(w->cur, row->name, v);
}

static void j_info(struct sv_metrics *m, const char *name, const char *value, const char *family,
		   const char *help)
{
	struct json_writer *w = (struct json_writer *)m;

	json_object_object_add(w->cur, name, json_object_new_string(value));
}

static void j_vnf(struct sv_metrics *m, const char *name, bool gauge, uint64_t value)
{
	struct json_writer *w = (struct json_writer *)m;
	const char *key = gauge ? "gauges" : "counters";

	json_object_object_add(member(w->cur, key, strlen(key), false), name,
			       json_object_new_uint64(value));
}

static char *j_done(struct sv_metrics *m)
{
	struct json_writer *w = (struct json_writer *)m;
	char *out = strdup(json_object_to_json_string_ext(w->root, JSON_C_TO_STRING_PLAIN |
								   JSON_C_TO_STRING_NOSLASHESCAPE));

	json_object_put(w->root);
	free(w);
	return out;
}

static const struct sv_metrics_ops json_ops = {
	.group = j_group,
	.value = j_value,
	.info = j_info,
	.vnf = j_vnf,
	.done = j_done,
};

struct sv_metrics *sv_metrics_json(void)
{
	struct json_writer *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->m.ops = &json_ops;
	w->root = w->cur = json_object_new_object();
	return &w->m;
}
