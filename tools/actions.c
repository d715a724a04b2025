/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * actions.c - `snapvnf actions [--json]`: the block rules in force, as the
 * daemon's door keeps them (docs/actions.md).
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "common/ctl.h"
#include "common/log.h"
#include "tools/cli.h"

static const char *field(json_object *o, const char *k, const char *none)
{
	json_object *v;

	return json_object_object_get_ex(o, k, &v) ? json_object_get_string(v) : none;
}

static void print_rule(json_object *r)
{
	char match[160];

	if (strcmp(field(r, "scope", "src"), "pair") == 0)
		snprintf(match, sizeof(match), "to %s%s%s%s%s", field(r, "dst", "?"),
			 json_object_object_get_ex(r, "proto", NULL) ? " proto " : "",
			 field(r, "proto", ""), json_object_object_get_ex(r, "dport", NULL) ? " port " : "",
			 field(r, "dport", ""));
	else
		snprintf(match, sizeof(match), "everything");
	printf("%-6s %-8s %-26s %-30s %6s %6s  %-14s %s\n", field(r, "id", "?"),
	       field(r, "state", "?"), field(r, "src", "?"), match, field(r, "ttl", "?"),
	       field(r, "expires_in", "?"), field(r, "service", "-"), field(r, "reason", "-"));
}

int sv_cli_actions(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	bool json = false;
	char *reply = NULL;
	json_object *arr;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "jh", longopts, NULL)) != -1) {
		switch (c) {
		case 'j': json = true; break;
		case 'h':
			printf("usage: snapvnf actions [--json]\n"
			       "The block rules in force: id, state (pending, applied, dry_run),\n"
			       "source, what else it matches, TTL and seconds left, the service\n"
			       "that asked and why. Remove one with snapvnf unblock ID|ADDR.\n");
			return 0;
		default:
			sv_err("unknown option %s (see snapvnf actions --help)", argv[optind - 1]);
			return 2;
		}
	}
	if (sv_cli_query("actions", &reply) < 0)
		return 1;
	if (json) {
		printf("%s\n", reply);
		free(reply);
		return 0;
	}
	arr = json_tokener_parse(reply);
	free(reply);
	if (!arr || !json_object_is_type(arr, json_type_array)) {
		sv_err("snapvnfd sent something that is not a list of rules");
		json_object_put(arr);
		return 1;
	}
	printf("%-6s %-8s %-26s %-30s %6s %6s  %-14s %s\n", "ID", "STATE", "SOURCE", "MATCH", "TTL",
	       "LEFT", "SERVICE", "REASON");
	for (size_t i = 0; i < json_object_array_length(arr); i++)
		print_rule(json_object_array_get_idx(arr, i));
	json_object_put(arr);
	return 0;
}
