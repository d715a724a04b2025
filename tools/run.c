/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * run.c - `snapvnf run`: a service without C.
 *
 *   snapvnf run [--name NAME] [--plugin FILE]... VNF[=ARGS] ...
 *     the VNFs in the order given, each joined to the one before by
 *     members of the same name and type;
 *   snapvnf run -f FILE
 *     the service a file describes (src/lib/svcfile.h).
 *
 * VNFs are the built-in ones, those of the plugin directory and those of
 * --plugin files. Options given on the command line win over the file's.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <snapvnf/service.h>

#include "common/log.h"
#include "lib/plugin.h"
#include "lib/svcfile.h"
#include "tools/cli.h"

#define RUN_PLUGINS_MAX 16

static void usage(FILE *f)
{
	fprintf(f, "usage: snapvnf run [options] VNF[=ARGS] ...\n"
		   "       snapvnf run [options] -f SERVICE_FILE\n"
		   "Run a service: VNFs in the order given, each VNF's input filled from\n"
		   "the previous VNF's output members of the same name and type; or the\n"
		   "service a file describes (docs/vnf-authors.md). Events are JSON lines\n"
		   "(docs/events.md).\n\n"
		   "  -f, --file FILE      the service file\n"
		   "  -n, --name NAME      service name (default: the file's, or run-PID)\n"
		   "  -e, --events SINK    where events go: - (stdout, the default), syslog,\n"
		   "                       journald, or a file, appended and reopened on\n"
		   "                       SIGHUP (default $SNAPVNF_EVENTS)\n"
		   "  -F, --filter EXPR    run only snaps matching this BPF filter\n"
		   "  -p, --plugin FILE    load VNFs from a plugin (.so); may repeat\n"
		   "  -v, --verbose        say more (-vv: more still)\n"
		   "      --reconnect      when the daemon stops or dies, wait for it to come\n"
		   "                       back and go on under the same name, VNF state kept\n"
		   "                       (until SIGINT); without it, a daemon that died is\n"
		   "                       an error\n"
		   "environment: SNAPVNF_TIME=iso adds an ISO 8601 \"timestamp\";\n"
		   "SNAPVNF_COMMUNITY_ID_SEED=N seeds the community_id (default 0)\n\n"
		   "VNFs (snapvnf vnfs tells more; plugins from %s too):\n",
		sv_plugin_dir());
	for (unsigned i = 0; sv_vnf_at(i); i++) {
		const struct sv_vnf_entry *e = sv_vnf_at(i);
		const struct sv_vnf_desc *d = sv_vnf_desc_of(e);

		fprintf(f, "  %-14s %s%s\n", e->name, e->pkt ? "" : "(flow) ",
			d->summary ? d->summary : "");
	}
}

/* Append a VNF by name; a name of both kinds (block) takes the kind of
 * the VNF before it. */
static int run_add(const char *name, const char *args, const char *conv, enum sv_vnf_kind *prev)
{
	const void *vnf = sv_vnf_pick(sv_vnf_find(name), *prev, prev);

	sv_debug("%s%s%s%s", name, args ? " with " : "", args ? args : "",
		 conv ? ", converter by name" : "");
	return *prev == SV_KIND_PKT ? sv_register_pkt(vnf, args, conv)
				    : sv_register_flow(vnf, args, conv);
}

/* Register the chain of a checked service file. */
static int run_file(const struct sv_svc *svc)
{
	enum sv_vnf_kind prev = 0;

	for (unsigned i = 0; i < svc->nvnfs; i++) {
		const struct sv_svc_vnf *v = &svc->vnfs[i];
		int rc = run_add(v->name, v->args, v->conv, &prev);

		if (rc < 0)
			return rc;
	}
	return 0;
}

/* Register VNF[=ARGS] words, each joined to the one before by name. */
static int run_words(int n, char **words)
{
	enum sv_vnf_kind prev = 0;

	for (int i = 0; i < n; i++) {
		char *arg = strchr(words[i], '=');
		int rc;

		if (arg)
			*arg++ = '\0';
		rc = run_add(words[i], arg, i > 0 ? "*" : NULL, &prev);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int sv_cli_run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "file", required_argument, NULL, 'f' },
		{ "name", required_argument, NULL, 'n' },
		{ "events", required_argument, NULL, 'e' },
		{ "filter", required_argument, NULL, 'F' },
		{ "plugin", required_argument, NULL, 'p' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "reconnect", no_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *file = NULL, *name = NULL, *events = NULL, *filter = NULL;
	const char *plugins[RUN_PLUGINS_MAX];
	unsigned nplugins = 0;
	struct sv_svc svc = { 0 };
	char defname[64], err[1024];
	int c, rc = 2;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:f:n:e:F:p:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'f': file = optarg; break;
		case 'n': name = optarg; break;
		case 'e': events = optarg; break;
		case 'F': filter = optarg; break;
		case 'v': sv_cli_verbose(); break;
		case 'R': sv_service_reconnect(1); break;
		case 'p':
			if (nplugins == RUN_PLUGINS_MAX) {
				sv_err("at most %d --plugin options", RUN_PLUGINS_MAX);
				return 2;
			}
			plugins[nplugins++] = optarg;
			break;
		case 'h':
			sv_cli_plugin_dir();
			usage(stdout);
			return 0;
		case ':':
			sv_err("option %s needs a value (see snapvnf run --help)", argv[optind - 1]);
			return 2;
		default:
			sv_err("unknown option %s (see snapvnf run --help)", argv[optind - 1]);
			return 2;
		}
	}
	if (file && optind < argc) {
		sv_err("give VNFs on the command line or in %s, not both", file);
		return 2;
	}
	if (!file && optind >= argc) {
		sv_err("name at least one VNF, or a service file with -f (see snapvnf run --help)");
		return 2;
	}
	/* Everything is checked before connecting, so a typo costs nothing. */
	sv_cli_plugin_dir();
	for (unsigned i = 0; i < nplugins; i++) {
		if (sv_plugin_load(plugins[i], err, sizeof(err)) < 0) {
			sv_err("%s", err);
			return 2;
		}
	}
	if (file) {
		if (sv_svcfile_load(file, &svc, err, sizeof(err)) < 0 ||
		    sv_svcfile_check(&svc, err, sizeof(err)) < 0) {
			sv_err("%s", err);
			goto out;
		}
		name = name ? name : svc.name;
		events = events ? events : svc.events;
		filter = filter ? filter : svc.filter;
	} else {
		for (int i = optind; i < argc; i++) {
			size_t len = strcspn(argv[i], "=");
			char vname[64];

			snprintf(vname, sizeof(vname), "%.*s", (int)len, argv[i]);
			if (sv_vnf_find(vname))
				continue;
			/* `ddos pps=50000`: arguments written apart from their VNF. */
			if (argv[i][len] == '=' && i > optind && !strchr(argv[i - 1], '='))
				sv_err("no VNF named '%s': a VNF's arguments follow its name and "
				       "'=', as in %s=%s", vname, argv[i - 1], argv[i]);
			else
				sv_err("no VNF named '%s' (see snapvnf vnfs)", vname);
			goto out;
		}
	}
	if (!name) {
		snprintf(defname, sizeof(defname), "run-%d", (int)getpid());
		name = defname;
	}
	rc = 1;
	sv_service_ctl(sv_cli_ctl_path);
	if ((events && sv_events_to(events) < 0) || (filter && sv_service_filter(filter) < 0) ||
	    service_init(name) < 0)
		goto out;
	if ((file ? run_file(&svc) : run_words(argc - optind, argv + optind)) < 0)
		goto out;
	rc = service_run() < 0;
out:
	sv_svcfile_free(&svc);
	return rc;
}
