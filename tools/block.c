/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * block.c - `snapvnf block ADDR [options]`: the operator's own request,
 * through the same door as a service's (the same checks and events; its
 * rate is counted under the name "cli").
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "common/ctl.h"
#include "common/log.h"
#include "tools/cli.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: snapvnf block ADDR [--to ADDR [--proto P] [--dport N]] [--ttl S]\n"
		   "                      [--reason WORD] [--dry-run]\n"
		   "Ask snapvnfd to block traffic from ADDR (to --to only, when given) for\n"
		   "--ttl seconds (default 60). The answer is the rule's id, or why the\n"
		   "door refused it.\n");
}

int sv_cli_block(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "to", required_argument, NULL, 't' },
		{ "proto", required_argument, NULL, 'p' },
		{ "dport", required_argument, NULL, 'd' },
		{ "ttl", required_argument, NULL, 'T' },
		{ "reason", required_argument, NULL, 'r' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *to = NULL, *proto = NULL, *dport = NULL, *ttl = "60", *reason = "operator";
	char cmd[512], reply[SV_CTL_MSG_MAX];
	bool dry = false;
	int c, n;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":t:p:d:T:r:nh", longopts, NULL)) != -1) {
		switch (c) {
		case 't': to = optarg; break;
		case 'p': proto = optarg; break;
		case 'd': dport = optarg; break;
		case 'T': ttl = optarg; break;
		case 'r': reason = optarg; break;
		case 'n': dry = true; break;
		case 'h': usage(stdout); return 0;
		default:
			sv_err("bad option %s (see snapvnf block --help)", argv[optind - 1]);
			return 2;
		}
	}
	if (optind + 1 != argc || (!to && (proto || dport))) {
		usage(stderr);
		return 2;
	}
	/* The door checks every value; spaces would only split them. */
	n = snprintf(cmd, sizeof(cmd), "block src=%s scope=%s ttl=%s reason=%s%s", argv[optind],
		     to ? "pair" : "src", ttl, reason, dry ? " dry_run=1" : "");
	if (to)
		n += snprintf(cmd + n, sizeof(cmd) - (size_t)n, " dst=%s", to);
	if (proto)
		n += snprintf(cmd + n, sizeof(cmd) - (size_t)n, " proto=%s", proto);
	if (dport)
		n += snprintf(cmd + n, sizeof(cmd) - (size_t)n, " dport=%s", dport);
	if (n >= (int)sizeof(cmd) || strpbrk(argv[optind], " ")) {
		sv_err("arguments too long or with spaces");
		return 2;
	}
	if (sv_cli_request(cmd, reply, sizeof(reply)) < 0)
		return 1;
	if (strncmp(reply, "ok", 2) != 0) {
		sv_err("snapvnfd: %s", strncmp(reply, "error ", 6) == 0 ? reply + 6 : reply);
		return 1;
	}
	printf("%s\n", reply + 3);
	return 0;
}
