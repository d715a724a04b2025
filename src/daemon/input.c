/* SPDX-License-Identifier: BSD-3-Clause */
/* input.c - the table of input backends (input.h); a new one is a new file and a line here. */
#include <string.h>

#include "daemon/input.h"

static const struct sv_input_ops *const backends[] = {
	&sv_input_pcap_live,
	&sv_input_pcap_file,
	&sv_input_sflow_udp,
	&sv_input_sflow_file,
	&sv_input_nfdump,
};

const struct sv_input_ops *sv_input_find(const char *name)
{
	for (size_t i = 0; i < sizeof(backends) / sizeof(backends[0]); i++)
		if (strcmp(backends[i]->name, name) == 0)
			return backends[i];
	return NULL;
}
