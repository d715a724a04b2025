/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/hostport.h"

int sv_hostport_parse(const char *spec, char *host, size_t hsize, char *port, size_t psize,
		      int allow_zero)
{
	const char *colon = strrchr(spec, ':'), *p;
	unsigned long v;
	char *end;

	host[0] = port[0] = '\0';
	if (spec[0] == '[') {  /* [v6]:port */
		const char *close = strchr(spec, ']');

		if (!close || close[1] != ':' || (size_t)(close - spec - 1) >= hsize)
			return -1;
		snprintf(host, hsize, "%.*s", (int)(close - spec - 1), spec + 1);
		colon = close + 1;
	} else if (colon) {
		/* One colon only: a bare IPv6 address needs its brackets. */
		if ((size_t)(colon - spec) >= hsize || strchr(spec, ':') != colon)
			return -1;
		snprintf(host, hsize, "%.*s", (int)(colon - spec), spec);
	}
	p = colon ? colon + 1 : spec;
	if (!*p || strspn(p, "0123456789") != strlen(p) || strlen(p) >= psize || strlen(p) > 5)
		return -1;
	v = strtoul(p, &end, 10);
	if (v > 65535 || (v == 0 && !allow_zero))
		return -1;
	snprintf(port, psize, "%lu", v);
	return 0;
}
