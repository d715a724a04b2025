/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * field.h - the fixed-size text fields of VNF output structs (struct
 * sv_http_meta's host, struct sv_dns_meta's qname, ...), filled from
 * decoded values, which are spans of packet bytes without a NUL.
 */
#ifndef SV_FIELD_H
#define SV_FIELD_H

#include <stddef.h>
#include <string.h>

/*
 * Copy the len bytes at s into a char[size] field (size > 0), cut to
 * size - 1 bytes and always NUL-terminated. s may be NULL when len is 0.
 */
static inline void sv_field_copy(char *field, size_t size, const void *s, size_t len)
{
	size_t n = len < size - 1 ? len : size - 1;

	if (n)
		memcpy(field, s, n);
	field[n] = '\0';
}

#endif
