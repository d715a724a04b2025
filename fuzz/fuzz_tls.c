/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_tls.c - libFuzzer harness for sv_tls_parse_client_hello().
 *
 * The input is one TCP payload. It is parsed from a heap block of exactly
 * its size, so AddressSanitizer catches any read past the end, and again
 * cut short at two places: a cut may report less than the whole, never
 * something else, and never turns a sound ClientHello into a malformed one.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <snapvnf/tls.h>

static void span_ok(const struct sv_tls_span *s, const uint8_t *p, size_t len)
{
	if (!s->ptr) {
		if (s->len)
			abort();
		return;
	}
	if (s->ptr < p || (size_t)(s->ptr - p) > len || s->len > len - (size_t)(s->ptr - p))
		abort();
}

static int parse(const uint8_t *p, size_t len, struct sv_tls_hello *h)
{
	int ret = sv_tls_parse_client_hello(p, len, h);

	if (ret != 1 && ret != 0 && ret != -EINVAL)
		abort();
	/* nothing but the truncated flag comes out of a non-hello */
	if (ret != 1 && (h->sni.ptr || h->alpn.ptr || h->random || h->session_id.ptr ||
			 h->cipher_suites.ptr || h->extensions.ptr || h->record_version))
		abort();
	if (h->sni.ptr && h->sni.len == 0)
		abort();
	if (h->random && (h->random < p || len - (size_t)(h->random - p) < 32))
		abort();
	span_ok(&h->session_id, p, len);
	span_ok(&h->cipher_suites, p, len);
	span_ok(&h->compression, p, len);
	span_ok(&h->extensions, p, len);
	span_ok(&h->sni, p, len);
	span_ok(&h->alpn, p, len);
	return ret;
}

static void same(const struct sv_tls_span *w, const uint8_t *wp,
		 const struct sv_tls_span *c, const uint8_t *cp)
{
	if (c->ptr && (!w->ptr || c->ptr - cp != w->ptr - wp || c->len != w->len))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sv_tls_hello w, h;
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
		ret = parse(c, cuts[i], &h);
		if (wret == 1) {
			if (ret == -EINVAL || (ret == 0 && cuts[i] && !h.truncated))
				abort();
			if (ret == 1) {
				same(&w.sni, p, &h.sni, c);
				same(&w.alpn, p, &h.alpn, c);
				same(&w.extensions, p, &h.extensions, c);
				if (!h.truncated && (!h.sni.ptr != !w.sni.ptr))
					abort();
			}
		}
		free(c);
	}
	free(p);
	return 0;
}
