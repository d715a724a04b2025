/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * snapvnf/tls.h - the ClientHello of a TLS handshake (RFC 8446 4.1.2, RFC 5246
 * 7.4.1.2) and its server_name (RFC 6066 3) and ALPN (RFC 7301)
 * extensions, read from the start of a TCP payload.
 *
 * The payload usually comes from a snap and may stop anywhere. Values
 * point into the caller's buffer and are set only when complete in it;
 * nothing is copied or allocated.
 */
#ifndef SNAPVNF_TLS_H
#define SNAPVNF_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <snapvnf/api.h>

/* Bytes of the caller's buffer; ptr is NULL (and len 0) when absent. */
struct sv_tls_span {
	const uint8_t *ptr;
	size_t len;
};

struct sv_tls_hello {
	uint16_t record_version;         /* TLSPlaintext.legacy_record_version */
	uint16_t version;                /* ClientHello.legacy_version */
	const uint8_t *random;           /* 32 bytes, or NULL */
	struct sv_tls_span session_id;   /* ptr set even when empty */
	struct sv_tls_span cipher_suites; /* 2 bytes per suite */
	struct sv_tls_span compression;
	struct sv_tls_span extensions;   /* the whole block, once all there */
	struct sv_tls_span sni;          /* first host_name of server_name */
	struct sv_tls_span alpn;         /* first protocol of ALPN */
	bool truncated; /* the buffer (or the record) ended inside the ClientHello */
};

/*
 * Parse the TLS record at p[0..len): a handshake record (type 22, version
 * 3.x) whose first message is a ClientHello. The hello is read as far as
 * the buffer and this one record go; a hello continued in a later record
 * reads as truncated. Vector lengths are checked against the vector that
 * holds them, down to the inner lists of server_name, ALPN, the common
 * list-shaped extensions and the draft ESNI extension: one that claims
 * more than its container is malformed, one that merely runs past the
 * buffer is truncated. The SNI is the host_name as sent, not checked as a
 * DNS name (it may hold any byte).
 *
 * Returns 1 for a ClientHello (maybe truncated: sni is then set only if it
 * was complete before the cut), 0 when p holds no ClientHello (another
 * record or handshake type, not TLS; truncated is set when p is too short
 * to tell), -EINVAL when a length lies or a field is out of range. *h is
 * always filled; on 0 and -EINVAL it is all zero but for truncated.
 */
SV_API int sv_tls_parse_client_hello(const uint8_t *p, size_t len, struct sv_tls_hello *h);

#endif
