/* SPDX-License-Identifier: BSD-3-Clause */
/* unblock.c - `snapvnf unblock ID|ADDR`: remove block rules by number, or
 * every rule against a source address. */
#include <stdio.h>
#include <string.h>

#include "common/ctl.h"
#include "common/log.h"
#include "tools/cli.h"

int sv_cli_unblock(int argc, char **argv)
{
	char cmd[128], reply[SV_CTL_MSG_MAX];

	if (argc == 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
		printf("usage: snapvnf unblock ID|ADDR\n"
		       "Remove the rule numbered ID (see snapvnf actions), or every rule\n"
		       "against the source address ADDR, from the switch now.\n");
		return 0;
	}
	if (argc != 2 || strlen(argv[1]) > 64 || strpbrk(argv[1], " =")) {
		sv_err("usage: snapvnf unblock ID|ADDR");
		return 2;
	}
	snprintf(cmd, sizeof(cmd), "unblock %s=%s",
		 strspn(argv[1], "0123456789") == strlen(argv[1]) ? "id" : "addr", argv[1]);
	if (sv_cli_request(cmd, reply, sizeof(reply)) < 0)
		return 1;
	if (strncmp(reply, "ok", 2) != 0) {
		sv_err("snapvnfd: %s", strncmp(reply, "error ", 6) == 0 ? reply + 6 : reply);
		return 1;
	}
	printf("%s\n", reply + (reply[2] == ' ' ? 3 : 2));
	return 0;
}
