/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_svcfile.c - libFuzzer harness for service files: the input is the
 * file's text, parsed by sv_svcfile_parse() (libyaml underneath, and our
 * walk of its document). A file that parses must hold a valid service
 * name and 1 to SV_CHAIN_MAX VNFs, each named; one that does not must say
 * why, starting "PATH:" (LINE follows), in a buffer of any size. Checking
 * the names (sv_svcfile_check) would open the plugins and files the input
 * names, so it is left to the tests.
 */
#include <stdlib.h>
#include <string.h>

#include "common/ctl.h"
#include "lib/chain.h"
#include "lib/svcfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t errlens[] = { 512, 7 };

	for (size_t i = 0; i < sizeof(errlens) / sizeof(errlens[0]); i++) {
		char *err = malloc(errlens[i]);
		struct sv_svc svc;
		int rc;

		if (!err)
			return 0;
		rc = sv_svcfile_parse("f.service", (const char *)data, size, &svc, err, errlens[i]);
		if (!memchr(err, '\0', errlens[i]))
			abort();
		if (rc == 0) {
			if (!svc.name || !sv_ctl_name_valid(svc.name) || svc.nvnfs < 1 ||
			    svc.nvnfs > SV_CHAIN_MAX || svc.nplugins > SV_SVC_PLUGINS_MAX)
				abort();
			for (unsigned v = 0; v < svc.nvnfs; v++)
				if (!svc.vnfs[v].name || !svc.vnfs[v].line)
					abort();
		} else if (strncmp(err, "f.service:", errlens[i] - 1 < 10 ? errlens[i] - 1 : 10) ||
			   svc.nvnfs || svc.name) {
			abort();
		}
		sv_svcfile_free(&svc);
		free(err);
	}
	return 0;
}
