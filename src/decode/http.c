/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * http.c - HTTP/1.x request line, Host and User-Agent (RFC 9112).
 *
 * Text is scanned inside the cursor's remaining bytes only, and a value is
 * taken only once the byte that ends it has been seen: a snap cut in the
 * middle of "Host: exam" must give no host rather than "exam".
 */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "decode/cursor.h"
#include <snapvnf/http.h>

/* The scanners' outcomes besides 0 and -EINVAL. */
#define HTTP_SHORT  1 /* the buffer ended */
#define HTTP_SIMPLE 2 /* an HTTP/0.9 request line ended the request */

static const struct {
	const char *name;
	uint8_t len;
	enum sv_http_method id;
} http_methods[] = {
	{ "GET", 3, SV_HTTP_GET },
	{ "POST", 4, SV_HTTP_POST },
	{ "HEAD", 4, SV_HTTP_HEAD },
	{ "PUT", 3, SV_HTTP_PUT },
	{ "DELETE", 6, SV_HTTP_DELETE },
	{ "OPTIONS", 7, SV_HTTP_OPTIONS },
	{ "PATCH", 5, SV_HTTP_PATCH },
	{ "CONNECT", 7, SV_HTTP_CONNECT },
	{ "TRACE", 5, SV_HTTP_TRACE },
};

static struct sv_http_span span(const uint8_t *p, size_t len)
{
	return (struct sv_http_span){ .ptr = p, .len = len };
}

/*
 * Match "METHOD SP" at the cursor. A buffer that stops inside a method
 * name (or right before its SP) is reported as HTTP_SHORT, so a snap that
 * holds only "GE" is "maybe a request", not "not a request".
 */
static int http_method(struct sv_cur *c, struct sv_http_request *r)
{
	const uint8_t *s = sv_cur_peek(c);
	size_t left = sv_cur_left(c);
	bool prefix = false;

	for (size_t i = 0; i < sizeof(http_methods) / sizeof(http_methods[0]); i++) {
		size_t n = http_methods[i].len;

		if (left > n) {
			if (memcmp(s, http_methods[i].name, n) == 0 && s[n] == ' ') {
				r->method_id = http_methods[i].id;
				r->method = span(s, n);
				sv_cur_skip(c, n + 1);
				return 0;
			}
		} else if (left > 0 && memcmp(s, http_methods[i].name, left) == 0) {
			prefix = true;
		}
	}
	return prefix ? HTTP_SHORT : -ENOENT;
}

static bool http_ctl(uint8_t b)
{
	return b < 0x20 || b == 0x7f;
}

/*
 * request-target: everything up to the next SP; no control bytes. A line
 * end instead of the SP is an HTTP/0.9 simple request (RFC 1945 4.1):
 * no version, no headers, and the request is complete. Returns 0, or
 * HTTP_SIMPLE for that case, HTTP_SHORT or -EINVAL.
 */
static int http_uri(struct sv_cur *c, struct sv_http_request *r)
{
	const uint8_t *s = sv_cur_peek(c);
	size_t left = sv_cur_left(c);
	size_t i, eol;

	for (i = 0; i < left && s[i] != ' ' && s[i] != '\r' && s[i] != '\n'; i++)
		if (http_ctl(s[i]))
			return -EINVAL;
	if (i == left)
		return HTTP_SHORT;
	if (i == 0)
		return -EINVAL;
	if (s[i] == ' ') {
		r->uri = span(s, i);
		sv_cur_skip(c, i + 1);
		return 0;
	}
	/* CR must be followed by LF before the URI can be called complete */
	eol = s[i] == '\r' ? 2 : 1;
	if (left - i < eol)
		return HTTP_SHORT;
	if (s[i + eol - 1] != '\n')
		return -EINVAL;
	r->uri = span(s, i);
	sv_cur_skip(c, i + eol);
	r->head_len = c->off;
	return HTTP_SIMPLE;
}

/*
 * HTTP-version = "HTTP/" DIGIT "." DIGIT, then the line end. The bytes
 * that are there are checked before running out is reported, so garbage
 * is refused even when cut short.
 */
static int http_version(struct sv_cur *c, struct sv_http_request *r)
{
	static const char pat[] = "HTTP/0.0";
	const uint8_t *s = sv_cur_peek(c);
	size_t left = sv_cur_left(c);
	size_t n = sizeof(pat) - 1;
	size_t i;

	for (i = 0; i < n && i < left; i++) {
		bool ok = pat[i] == '0' ? s[i] >= '0' && s[i] <= '9' : s[i] == pat[i];

		if (!ok)
			return -EINVAL;
	}
	if (left < n + 1)
		return HTTP_SHORT;
	if (s[n] == '\r') {
		if (left < n + 2)
			return HTTP_SHORT;
		if (s[n + 1] != '\n')
			return -EINVAL;
		r->version = span(s, n);
		sv_cur_skip(c, n + 2);
		return 0;
	}
	if (s[n] != '\n')
		return -EINVAL;
	r->version = span(s, n);
	sv_cur_skip(c, n + 1);
	return 0;
}

/* tchar of RFC 9110 section 5.6.2: what a header name may hold. */
static bool http_tchar(uint8_t b)
{
	if ((b >= '0' && b <= '9') || (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z'))
		return true;
	return b != 0 && strchr("!#$%&'*+-.^_`|~", b) != NULL;
}

static bool http_name_is(const uint8_t *name, size_t len, const char *want)
{
	return strlen(want) == len && strncasecmp((const char *)name, want, len) == 0;
}

/*
 * One header line, "name: value", already cut at its line end (LF and an
 * optional CR removed).
 */
static int http_header(const uint8_t *s, size_t n, struct sv_http_request *r)
{
	const uint8_t *colon = memchr(s, ':', n);
	size_t name_len, i, end;

	if (!colon)
		return -EINVAL;
	name_len = (size_t)(colon - s);
	if (name_len == 0)
		return -EINVAL;
	for (i = 0; i < name_len; i++)
		if (!http_tchar(s[i]))
			return -EINVAL;

	i = name_len + 1;
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	end = n;
	while (end > i && (s[end - 1] == ' ' || s[end - 1] == '\t'))
		end--;

	if (!r->host.ptr && http_name_is(s, name_len, "host"))
		r->host = span(s + i, end - i);
	else if (!r->user_agent.ptr && http_name_is(s, name_len, "user-agent"))
		r->user_agent = span(s + i, end - i);
	return 0;
}

/* Header lines up to the empty one. Only complete lines are looked at. */
static int http_headers(struct sv_cur *c, struct sv_http_request *r)
{
	for (;;) {
		const uint8_t *s = sv_cur_peek(c);
		size_t left = sv_cur_left(c);
		const uint8_t *lf = left ? memchr(s, '\n', left) : NULL;
		size_t n;
		int ret;

		if (!lf)
			return HTTP_SHORT;
		n = (size_t)(lf - s);
		sv_cur_skip(c, n + 1);
		if (n > 0 && s[n - 1] == '\r')
			n--;
		if (n == 0) {
			r->head_len = c->off;
			return 0;
		}
		/* obs-fold continues the previous value; it is not joined. */
		if (s[0] == ' ' || s[0] == '\t')
			continue;
		ret = http_header(s, n, r);
		if (ret < 0)
			return ret;
	}
}

int sv_http_parse_request(const uint8_t *p, size_t len, struct sv_http_request *r)
{
	struct sv_cur c;
	int ret;

	memset(r, 0, sizeof(*r));
	sv_cur_init(&c, p, len);

	ret = http_method(&c, r);
	if (ret == HTTP_SHORT) {
		r->truncated = true;
		return 0;
	}
	if (ret < 0)
		return 0;

	ret = http_uri(&c, r);
	if (ret == HTTP_SIMPLE)
		return 1;
	if (ret == 0)
		ret = http_version(&c, r);
	if (ret == 0)
		ret = http_headers(&c, r);
	if (ret < 0) {
		/* what was read before the error is not to be acted on */
		memset(r, 0, sizeof(*r));
		return ret;
	}
	r->truncated = ret == HTTP_SHORT;
	return 1;
}
