/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * snapvnf - the command-line tool: run a tap service, read the daemon's
 * status. One file per subcommand (tools/<name>.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/ctl.h"
#include "common/log.h"
#include "common/version.h"
#include "lib/plugin.h"
#include "tools/cli.h"

const char *sv_cli_ctl_path;

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
} cmds[] = {
	{ "tap", sv_cli_tap, "register as a service and print or count snaps" },
	{ "run", sv_cli_run, "run a service: run VNF[=ARGS] ..., or run -f SERVICE_FILE" },
	{ "check", sv_cli_check, "check service files without running them" },
	{ "vnfs", sv_cli_vnfs, "every VNF with its arguments and schemas (--json)" },
	{ "status", sv_cli_status, "capture and per-service counters (--json)" },
	{ "services", sv_cli_status, "the registered services, one a line" },
	{ "metrics", sv_cli_metrics, "the counters as Prometheus text" },
	{ "actions", sv_cli_actions, "the block rules in force (--json)" },
	{ "block", sv_cli_block, "ask the door to block ADDR (as the operator)" },
	{ "unblock", sv_cli_unblock, "remove a block rule: unblock ID|ADDR" },
};

/* A daemon that does not answer within the deadline: one message, whoever asks. */
static void unreachable(int err)
{
	if (err == -ETIMEDOUT)
		sv_err("snapvnfd at %s did not answer within %d s (stopped or overloaded?)",
		       sv_cli_ctl_path, SV_CTL_QUERY_TIMEOUT_S);
	else
		sv_err("cannot reach snapvnfd at %s: %s", sv_cli_ctl_path, strerror(-err));
}

int sv_cli_request(const char *cmd, char *reply, size_t size)
{
	int err = sv_ctl_ask(sv_cli_ctl_path, cmd, reply, size);

	if (err)
		unreachable(err);
	return err;
}

int sv_cli_query(const char *cmd, char **reply)
{
	int err = sv_ctl_query(sv_cli_ctl_path, cmd, reply);

	if (err) {
		unreachable(err);
		return err;
	}
	if (strncmp(*reply, "error ", 6) == 0) {
		sv_err("snapvnfd: %s", *reply + 6);
		free(*reply);
		*reply = NULL;
		return -EPROTO;
	}
	return 0;
}

static void warn_plugin(const char *msg)
{
	sv_warn("%s (skipped)", msg);
}

void sv_cli_plugin_dir(void)
{
	sv_plugin_load_dir(sv_plugin_dir(), warn_plugin);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: snapvnf [--ctl PATH] [-v|-q] COMMAND [options]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(f, "  %-9s %s\n", cmds[i].name, cmds[i].help);
	fprintf(f, "\nThe control socket is --ctl, else $SNAPVNF_CTL, else %s.\n"
		   "-v logs more (-vv more still), -q errors only (tap and run take -v after\n"
		   "COMMAND too); --version prints the version. `snapvnf COMMAND --help`\n"
		   "tells more.\n",
		SV_CTL_DEFAULT_PATH);
}

void sv_cli_verbose(void)
{
	if (sv_log_level() < SV_LOG_TRACE)
		sv_log_init("snapvnf", sv_log_level() + 1);
}

int main(int argc, char **argv)
{
	int i = 1;

	sv_log_init("snapvnf", SV_LOG_INFO);
	sv_cli_ctl_path = sv_ctl_path();
	/* Options before the command: as many as given, in any order. */
	for (; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--ctl") == 0) {
			if (i + 1 >= argc) {
				sv_err("--ctl needs a path (see snapvnf --help)");
				return 2;
			}
			sv_cli_ctl_path = argv[++i];
		} else if (strncmp(a, "--ctl=", 6) == 0) {
			sv_cli_ctl_path = a + 6;
		} else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
			sv_log_init("snapvnf", SV_LOG_ERR);
		} else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
			sv_cli_verbose();
		} else if (strcmp(a, "-vv") == 0) {
			sv_cli_verbose();
			sv_cli_verbose();
		} else if (strcmp(a, "-V") == 0 || strcmp(a, "--version") == 0) {
			printf("snapvnf %s\n", sv_version());
			return 0;
		} else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(stdout);
			return 0;
		} else {
			sv_err("unknown option %s before the command (see snapvnf --help)", a);
			return 2;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[i], "help") == 0) {
		usage(stdout);
		return 0;
	}
	for (size_t k = 0; k < sizeof(cmds) / sizeof(cmds[0]); k++)
		if (strcmp(argv[i], cmds[k].name) == 0)
			return cmds[k].fn(argc - i, argv + i);
	sv_err("unknown command '%s' (see snapvnf --help)", argv[i]);
	return 2;
}
