/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vnfs.c - `snapvnf vnfs [--json] [--plugin FILE]...`: every VNF this
 * program can run (built-in, the plugin directory's, the files named),
 * with its kind, arguments and the schemas of its input and output
 * metadata, so a switch user can write converters without reading C. The
 * README's tables are made from the --json form (scripts/vnf-tables.sh).
 */
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include <snapvnf/vnf_util.h>

#include "common/log.h"
#include "lib/conv.h"
#include "lib/plugin.h"
#include "tools/cli.h"

#define VNFS_PLUGINS_MAX 16

static const char *const arg_types[] = {
	[SV_ARG_UINT] = "uint", [SV_ARG_DOUBLE] = "number", [SV_ARG_WORD] = "word",
	[SV_ARG_FLAG] = "flag", [SV_ARG_STR] = "text",
};

static const char *arg_type(const struct sv_arg *a)
{
	return a->type >= SV_ARG_UINT && a->type <= SV_ARG_STR ? arg_types[a->type] : "?";
}

/* "pkt", "flow", or "pkt,flow" for a name with both tables. */
static const char *kind_name(const struct sv_vnf_entry *e)
{
	return e->pkt && e->flow ? "pkt,flow" : e->pkt ? "pkt" : "flow";
}

static json_object *schema_json(const struct sv_schema *s)
{
	json_object *o, *members;
	char buf[32];

	if (!s)
		return NULL;
	o = json_object_new_object();
	members = json_object_new_array();
	json_object_object_add(o, "struct", json_object_new_string(s->name));
	json_object_object_add(o, "size", json_object_new_int64(s->size));
	for (uint32_t i = 0; i < s->count; i++) {
		const struct sv_member *m = &s->members[i];
		json_object *jm = json_object_new_object();

		json_object_object_add(jm, "name", json_object_new_string(m->name));
		json_object_object_add(jm, "type",
				       json_object_new_string(sv_type_name(m, buf, sizeof(buf))));
		json_object_object_add(jm, "offset", json_object_new_int64(m->offset));
		json_object_object_add(jm, "size", json_object_new_int64(m->size));
		json_object_array_add(members, jm);
	}
	json_object_object_add(o, "members", members);
	return o;
}

static json_object *args_json(const struct sv_arg *spec)
{
	json_object *arr = json_object_new_array();

	for (const struct sv_arg *a = spec; a && a->key; a++) {
		json_object *ja = json_object_new_object();

		json_object_object_add(ja, "key", json_object_new_string(a->key));
		json_object_object_add(ja, "type", json_object_new_string(arg_type(a)));
		json_object_object_add(ja, "default", a->def ? json_object_new_string(a->def) : NULL);
		if (a->type == SV_ARG_UINT || a->type == SV_ARG_DOUBLE) {
			json_object_object_add(ja, "min", json_object_new_double(a->min));
			json_object_object_add(ja, "max", json_object_new_double(a->max));
		}
		if (a->type == SV_ARG_WORD) {
			json_object *w = json_object_new_array();

			for (unsigned i = 0; a->words && a->words[i]; i++)
				json_object_array_add(w, json_object_new_string(a->words[i]));
			json_object_object_add(ja, "words", w);
		}
		json_object_object_add(ja, "help", json_object_new_string(a->help ? a->help : ""));
		json_object_array_add(arr, ja);
	}
	return arr;
}

static void print_json(void)
{
	json_object *arr = json_object_new_array();

	for (unsigned i = 0; sv_vnf_at(i); i++) {
		const struct sv_vnf_entry *e = sv_vnf_at(i);
		const struct sv_vnf_desc *d = sv_vnf_desc_of(e);
		json_object *o = json_object_new_object();

		json_object_object_add(o, "name", json_object_new_string(e->name));
		json_object_object_add(o, "kind", json_object_new_string(kind_name(e)));
		json_object_object_add(o, "version", json_object_new_string(d->version ? d->version : ""));
		json_object_object_add(o, "summary", json_object_new_string(d->summary ? d->summary : ""));
		json_object_object_add(o, "events", json_object_new_string(d->events ? d->events : ""));
		json_object_object_add(o, "origin", json_object_new_string(e->origin));
		json_object_object_add(o, "args", args_json(d->args));
		json_object_object_add(o, "input", schema_json(d->in));
		json_object_object_add(o, "output", schema_json(d->out));
		json_object_array_add(arr, o);
	}
	puts(json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PRETTY |
					    JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(arr);
}

static void print_schema(const char *what, const struct sv_schema *s)
{
	char buf[32];

	if (!s)
		return;
	printf("    %s: struct %s (%u bytes):", what, s->name, s->size);
	for (uint32_t i = 0; i < s->count; i++)
		printf("%s %s %s", i ? "," : "", s->members[i].name,
		       sv_type_name(&s->members[i], buf, sizeof(buf)));
	printf("\n");
}

static void print_text(void)
{
	for (unsigned i = 0; sv_vnf_at(i); i++) {
		const struct sv_vnf_entry *e = sv_vnf_at(i);
		const struct sv_vnf_desc *d = sv_vnf_desc_of(e);

		printf("%s (%s VNF, %s %s)\n    %s\n", e->name, kind_name(e), e->origin,
		       d->version ? d->version : "", d->summary ? d->summary : "");
		if (d->events)
			printf("    emits %s\n", d->events);
		for (const struct sv_arg *a = d->args; a && a->key; a++) {
			printf("    arg %s (%s", a->key, arg_type(a));
			if (a->def)
				printf(", default %s", a->def);
			if (a->type == SV_ARG_UINT || a->type == SV_ARG_DOUBLE)
				printf(", %.15g to %.15g", a->min, a->max);
			for (unsigned w = 0; a->type == SV_ARG_WORD && a->words[w]; w++)
				printf("%s%s", w ? "|" : ": ", a->words[w]);
			printf("): %s\n", a->help ? a->help : "");
		}
		print_schema("input", d->in);
		print_schema("output", d->out);
	}
}

int sv_cli_vnfs(int argc, char **argv)
{
	bool json = false;
	char err[1024];
	int rc = 0;

	sv_cli_plugin_dir();
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			json = true;
		} else if ((strcmp(argv[i], "--plugin") == 0 || strcmp(argv[i], "-p") == 0) &&
			   i + 1 < argc) {
			if (sv_plugin_load(argv[++i], err, sizeof(err)) < 0) {
				sv_err("%s", err);
				rc = 1;
			}
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			printf("usage: snapvnf vnfs [--json] [--plugin FILE]...\n"
			       "Every VNF snapvnf can run: built-in, from %s, and the\n"
			       "plugins named; with arguments and metadata schemas.\n",
			       sv_plugin_dir());
			return 0;
		} else {
			sv_err("unknown argument %s (see snapvnf vnfs --help)", argv[i]);
			return 2;
		}
	}
	if (json)
		print_json();
	else
		print_text();
	return rc;
}
