/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * hostport.h - the [ADDR:]PORT of the command line (--sflow, --metrics):
 * PORT, 127.0.0.1:PORT, [::1]:PORT. One parser for every option that
 * takes one, so they read alike.
 */
#ifndef SV_HOSTPORT_H
#define SV_HOSTPORT_H

#include <stddef.h>

/*
 * Split spec into host (empty when only a port is given; an IPv6 address
 * without its brackets) and port (decimal, 1-65535, or 0 when allow_zero:
 * "any free port"). Returns 0, or -1 when spec is not of that form or a
 * part does not fit its buffer. Numeric checks only: the caller resolves.
 */
int sv_hostport_parse(const char *spec, char *host, size_t hsize, char *port, size_t psize,
		      int allow_zero);

#endif
