/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sha1.h - SHA-1 (FIPS 180-4), for the Community ID flow hash only.
 *
 * Not for security: Community ID v1 is defined over SHA-1, and the hash is
 * what makes an event join Zeek's and Suricata's logs, so it is written
 * here rather than pulling a crypto library into the build for 20 bytes
 * per event (tests/test_community_id.c holds it to FIPS 180's vectors).
 */
#ifndef SV_SHA1_H
#define SV_SHA1_H

#include <stddef.h>
#include <stdint.h>

#define SV_SHA1_LEN 20

struct sv_sha1 {
	uint32_t h[5];
	uint64_t len;        /* bytes hashed so far */
	uint8_t buf[64];
	unsigned n;          /* bytes waiting in buf */
};

void sv_sha1_init(struct sv_sha1 *s);
void sv_sha1_update(struct sv_sha1 *s, const void *data, size_t len);
void sv_sha1_final(struct sv_sha1 *s, uint8_t out[SV_SHA1_LEN]);

#endif
