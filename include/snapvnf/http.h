/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * snapvnf/http.h - the request line and a few headers of an HTTP/1.x request, read
 * from the start of a TCP payload.
 *
 * The payload usually comes from a snap and may stop anywhere. The parser
 * never guesses: a value is reported only when the bytes that end it (the
 * SP after the method and URI, the line end after the version and after a
 * header value) are in the buffer. Values point into the caller's buffer;
 * nothing is copied or allocated, so they live as long as that buffer.
 */
#ifndef SNAPVNF_HTTP_H
#define SNAPVNF_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <snapvnf/api.h>

/* Bytes of the caller's buffer; ptr is NULL (and len 0) when absent. */
struct sv_http_span {
	const uint8_t *ptr;
	size_t len;
};

/* sv_http_request.method_id */
enum sv_http_method {
	SV_HTTP_NONE = 0,
	SV_HTTP_GET,
	SV_HTTP_POST,
	SV_HTTP_HEAD,
	SV_HTTP_PUT,
	SV_HTTP_DELETE,
	SV_HTTP_OPTIONS,
	SV_HTTP_PATCH,
	SV_HTTP_CONNECT,
	SV_HTTP_TRACE,
};

struct sv_http_request {
	enum sv_http_method method_id;
	struct sv_http_span method;     /* "GET" */
	struct sv_http_span uri;        /* request-target, as on the wire */
	struct sv_http_span version;    /* "HTTP/1.1" */
	struct sv_http_span host;       /* first Host value, OWS trimmed */
	struct sv_http_span user_agent; /* first User-Agent value, OWS trimmed */
	size_t head_len;  /* request line + headers + empty line; 0 if not seen */
	bool truncated;   /* the buffer ended before the empty line did */
};

/*
 * Parse the HTTP/1.x request that starts at p[0..len). Recognised methods:
 * GET POST HEAD PUT DELETE OPTIONS PATCH CONNECT TRACE, case-sensitive,
 * followed by one SP. Lines may end in CRLF or a bare LF. A request line
 * without a version ("GET /x" CRLF, HTTP/0.9) is a complete request with
 * no version and no headers, as tshark reads it. Header names
 * match case-insensitively; obsolete line folding is not joined (the
 * first line of a folded value is what is reported).
 *
 * Returns 1 when p holds a request (possibly cut short: see truncated,
 * and the absent spans), 0 when it does not start with a known method
 * (truncated is set when p is a proper prefix of one, e.g. "GE"), or
 * -EINVAL when it starts like a request but breaks the syntax (control
 * byte or empty URI, bad version, header line without a name and colon).
 * *r is always filled; on 0 and -EINVAL it is all zero but for truncated.
 */
SV_API int sv_http_parse_request(const uint8_t *p, size_t len, struct sv_http_request *r);

#endif
