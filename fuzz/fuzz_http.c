/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_http.c - libFuzzer harness for sv_http_parse_request().
 *
 * The input is one TCP payload. It is parsed from a heap block of exactly
 * its size, so AddressSanitizer catches any read past the end, and again
 * cut short at two places: a cut may report less than the whole, never
 * something else.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <snapvnf/http.h>

static void span_ok(const struct sv_http_span *s, const uint8_t *p, size_t len)
{
	if (!s->ptr) {
		if (s->len)
			abort();
		return;
	}
	if (s->ptr < p || (size_t)(s->ptr - p) > len || s->len > len - (size_t)(s->ptr - p))
		abort();
	/* a value never spans a line end */
	if (memchr(s->ptr, '\n', s->len))
		abort();
}

static int parse(const uint8_t *p, size_t len, struct sv_http_request *r)
{
	int ret = sv_http_parse_request(p, len, r);

	if (ret != 1 && ret != 0 && ret != -EINVAL)
		abort();
	if (ret == 1 && (!r->method.ptr || r->method_id == SV_HTTP_NONE))
		abort();
	/* nothing but the truncated flag comes out of a non-request */
	if (ret != 1 && (r->method.ptr || r->uri.ptr || r->version.ptr || r->host.ptr ||
			 r->user_agent.ptr || r->head_len))
		abort();
	if (r->head_len > len || (ret == 1 && !r->truncated && !r->head_len))
		abort();
	span_ok(&r->method, p, len);
	span_ok(&r->uri, p, len);
	span_ok(&r->version, p, len);
	span_ok(&r->host, p, len);
	span_ok(&r->user_agent, p, len);
	return ret;
}

/* Span c of the cut parse is absent or the same place as w of the whole. */
static void same(const struct sv_http_span *w, const uint8_t *wp,
		 const struct sv_http_span *c, const uint8_t *cp)
{
	if (c->ptr && (!w->ptr || c->ptr - cp != w->ptr - wp || c->len != w->len))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sv_http_request w, r;
	size_t cuts[] = { size / 2, size ? size - 1 : 0 };
	uint8_t *p = malloc(size ? size : 1);
	int wret;

	if (!p)
		return 0;
	memcpy(p, data, size);
	wret = parse(p, size, &w);

	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		uint8_t *c = malloc(cuts[i] ? cuts[i] : 1);
		int ret;

		if (!c)
			break;
		memcpy(c, p, cuts[i]);
		ret = parse(c, cuts[i], &r);
		if (wret == 1) {
			/* cutting never makes a request malformed */
			if (ret == -EINVAL)
				abort();
			if (ret == 1) {
				same(&w.method, p, &r.method, c);
				same(&w.uri, p, &r.uri, c);
				same(&w.version, p, &r.version, c);
				same(&w.host, p, &r.host, c);
				same(&w.user_agent, p, &r.user_agent, c);
				if (!r.truncated && r.head_len != w.head_len)
					abort();
			}
		}
		free(c);
	}
	free(p);
	return 0;
}
