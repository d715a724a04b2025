/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * run.c - `snapvnf run --name NAME VNF[=ARGS] ...`: a service made of
 * built-in VNFs straight from the command line, in the order given, each
 * joined to the one before by members of the same name and type.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <snapvnf/builtin.h>
#include <snapvnf/service.h>

#include "common/log.h"
#include "tools/cli.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: snapvnf run [--name NAME] [--events FILE] [-v] VNF[=ARGS] ...\n"
		   "Run a service of built-in VNFs, in the order given; each VNF's input\n"
		   "is filled from the previous VNF's output members of the same name\n"
		   "and type. Events are printed as JSON lines.\n\n"
		   "built-in VNFs:\n");
	for (const struct sv_builtin *b = sv_builtins; b->name; b++) {
		const struct sv_vnf_desc *d = b->pkt ? &b->pkt->desc : &b->flow->desc;

		fprintf(f, "  %-14s %s%s\n", b->name, b->pkt && b->flow ? "" : b->flow ? "(flow) " : "",
			d->summary ? d->summary : "");
	}
}

int sv_cli_run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "events", required_argument, NULL, 'e' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *name = NULL, *events = NULL;
	char defname[64];
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:n:e:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'n': name = optarg; break;
		case 'e': events = optarg; break;
		case 'v': sv_cli_verbose(); break;
		case 'h': usage(stdout); return 0;
		case ':':
			sv_err("option %s needs a value (see snapvnf run --help)", argv[optind - 1]);
			return 2;
		default:
			sv_err("unknown option %s (see snapvnf run --help)", argv[optind - 1]);
			return 2;
		}
	}
	if (optind >= argc) {
		sv_err("name at least one VNF (see snapvnf run --help)");
		return 2;
	}
	/* Check every name before connecting, so a typo costs nothing. */
	for (int i = optind; i < argc; i++) {
		size_t len = strcspn(argv[i], "=");
		char vname[64];

		snprintf(vname, sizeof(vname), "%.*s", (int)len, argv[i]);
		if (!sv_builtin_find(vname)) {
			/* `ddos pps=50000`: arguments written apart from their VNF. */
			if (argv[i][len] == '=' && i > optind && !strchr(argv[i - 1], '='))
				sv_err("no built-in VNF named '%s': a VNF's arguments follow its "
				       "name and '=', as in %s=%s", vname, argv[i - 1], argv[i]);
			else
				sv_err("no built-in VNF named '%s' (see snapvnf run --help)", vname);
			return 2;
		}
	}
	if (!name) {
		snprintf(defname, sizeof(defname), "run-%d", (int)getpid());
		name = defname;
	}
	sv_service_ctl(sv_cli_ctl_path);
	if (events && sv_events_to(events) < 0)
		return 1;
	if (service_init(name) < 0)
		return 1;
	for (int i = optind, prev_flow = 0; i < argc; i++) {
		char *arg = strchr(argv[i], '=');
		const struct sv_builtin *b;
		int rc;

		if (arg)
			*arg++ = '\0';
		b = sv_builtin_find(argv[i]);
		/* A VNF of both kinds (block) takes the kind of the one before it. */
		if (b->pkt && (!b->flow || !prev_flow)) {
			rc = sv_register_pkt(b->pkt, arg, i > optind ? "*" : NULL);
			prev_flow = 0;
		} else {
			rc = sv_register_flow(b->flow, arg, i > optind ? "*" : NULL);
			prev_flow = 1;
		}
		if (rc < 0)
			return 1;
		sv_debug("%s: %s %s%s%s", name, i > optind ? "then" : "first", argv[i],
			 arg ? " with " : "", arg ? arg : "");
	}
	return service_run() < 0;
}
