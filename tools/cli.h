/* SPDX-License-Identifier: BSD-3-Clause */
/* cli.h - the subcommands of `snapvnf`, one file each. */
#ifndef SV_CLI_H
#define SV_CLI_H

int sv_cli_tap(int argc, char **argv);
int sv_cli_status(int argc, char **argv);
int sv_cli_metrics(int argc, char **argv);
int sv_cli_run(int argc, char **argv);
int sv_cli_actions(int argc, char **argv);
int sv_cli_block(int argc, char **argv);
int sv_cli_unblock(int argc, char **argv);
int sv_cli_check(int argc, char **argv);
int sv_cli_vnfs(int argc, char **argv);

/* Send one request, take its one-message reply ("ok …"/"error …").
 * Returns 0 or -errno (logged). */
#include <stddef.h>
int sv_cli_request(const char *cmd, char *reply, size_t size);
/* Send a request with a long reply (status, metrics, actions) and take it
 * into a malloc'd *reply. Returns 0, or -errno with the reason logged (a
 * daemon that does not answer within 10 s, an "error …" reply). */
int sv_cli_query(const char *cmd, char **reply);

/* Load the plugin directory's VNFs; a plugin it refuses is a warning. */
void sv_cli_plugin_dir(void);

/* Common: parse "--ctl PATH" style options shared by all subcommands. */
extern const char *sv_cli_ctl_path;
/* -v given to snapvnf or a subcommand: one log level more (to trace). */
void sv_cli_verbose(void);

#endif
