/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_hostport.c - libFuzzer harness for the [ADDR:]PORT of --sflow and
 * --metrics: sv_hostport_parse().
 *
 * The input is one command-line argument, NUL-terminated in a heap block
 * of exactly its size. It is parsed into buffers of the daemon's sizes and
 * of one byte. What is accepted must read back as the input: the port a
 * number in range (0 only when allowed), the host what stands before the
 * last colon (inside brackets for [v6]), nothing left over.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/hostport.h"

static void check(const char *spec, size_t hsize, size_t psize, int allow_zero)
{
	char host[64], port[16], back[128];
	unsigned long v;

	if (sv_hostport_parse(spec, host, hsize, port, psize, allow_zero) < 0)
		return;
	if (strlen(host) >= hsize || strlen(port) >= psize || !port[0] ||
	    strspn(port, "0123456789") != strlen(port))
		abort();
	v = strtoul(port, NULL, 10);
	if (v > 65535 || (v == 0 && !allow_zero))
		abort();
	/* The port as written may have leading zeros; the host is verbatim. */
	if (!host[0])
		snprintf(back, sizeof(back), "%s", spec);
	else if (spec[0] == '[')
		snprintf(back, sizeof(back), "[%s]:%s", host, strrchr(spec, ':') + 1);
	else
		snprintf(back, sizeof(back), "%s:%s", host, strrchr(spec, ':') + 1);
	if (strcmp(back, spec) != 0 || strtoul(strrchr(back, ':') ? strrchr(back, ':') + 1 : back,
					       NULL, 10) != v)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *spec = malloc(size + 1);

	if (!spec)
		return 0;
	memcpy(spec, data, size);
	spec[size] = '\0';
	for (int zero = 0; zero < 2; zero++) {
		check(spec, 64, 16, zero);
		check(spec, 64, 8, zero);
		check(spec, 1, 1, zero);
	}
	free(spec);
	return 0;
}
