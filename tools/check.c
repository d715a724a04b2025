/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * check.c - `snapvnf check FILE...`: is each service file one that
 * `snapvnf run -f` would start? Everything but the daemon is tried: the
 * file's shape, its plugins, its filter, every VNF's arguments and
 * converters. Prints "FILE: ok" or the first error as FILE:LINE: ...
 */
#include <stdio.h>
#include <string.h>

#include "common/log.h"
#include "lib/plugin.h"
#include "lib/svcfile.h"
#include "tools/cli.h"

int sv_cli_check(int argc, char **argv)
{
	int bad = 0;

	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		fprintf(argc < 2 ? stderr : stdout,
			"usage: snapvnf check SERVICE_FILE...\n"
			"Check service files as `snapvnf run -f` reads them, without a daemon.\n");
		return argc < 2 ? 2 : 0;
	}
	sv_cli_plugin_dir();
	for (int i = 1; i < argc; i++) {
		struct sv_svc svc;
		char err[1024];

		if (sv_svcfile_load(argv[i], &svc, err, sizeof(err)) < 0 ||
		    sv_svcfile_check(&svc, err, sizeof(err)) < 0) {
			sv_err("%s", err);
			bad++;
		} else {
			printf("%s: ok (service %s, %u VNFs)\n", argv[i], svc.name, svc.nvnfs);
		}
		sv_svcfile_free(&svc);
	}
	return bad ? 1 : 0;
}
