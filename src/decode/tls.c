/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tls.c - TLS ClientHello, server_name and ALPN.
 *
 * A snap cuts a ClientHello anywhere, so every vector is tracked twice:
 * the length its prefix declares, and the bytes of it the buffer holds.
 * A length larger than what its container declares is a lie (-EINVAL);
 * one that fits the declaration but not the buffer is a cut (TLS_SHORT),
 * and nothing inside the missing part is reported.
 */
#include <errno.h>
#include <string.h>

#include "decode/cursor.h"
#include <snapvnf/tls.h>

#define TLS_SHORT               1  /* third outcome: the buffer ended */
#define TLS_CT_HANDSHAKE        22
#define TLS_HS_CLIENT_HELLO     1
#define TLS_RECORD_MAX          (1u << 14) /* RFC 8446 5.1 */
#define TLS_RANDOM_LEN          32
#define TLS_SESSION_ID_MAX      32

#define TLS_EXT_SERVER_NAME     0
#define TLS_EXT_SUPPORTED_GROUPS 10
#define TLS_EXT_EC_POINT_FORMATS 11
#define TLS_EXT_SIG_ALGS        13
#define TLS_EXT_ALPN            16
#define TLS_EXT_SUPPORTED_VERSIONS 43
#define TLS_EXT_PSK_MODES       45
#define TLS_EXT_SIG_ALGS_CERT   50
#define TLS_EXT_KEY_SHARE       51
#define TLS_EXT_ECH             0xfe0d /* draft-ietf-tls-esni-13 and later */
#define TLS_EXT_ESNI            0xffce /* draft-ietf-tls-esni-01 to -03 */

#define TLS_SNI_HOST_NAME       0

/*
 * A vector: the length the wire declares and how far into it the parse
 * is (pos), and a cursor over the part that is present. Past a cut the
 * two part ways: pos keeps counting declared bytes, the cursor fails.
 */
struct tls_vec {
	struct sv_cur c;
	size_t declared;
	size_t pos;
};

static size_t vec_left(const struct tls_vec *v)
{
	return v->declared - v->pos;
}

/* Whether every declared byte is in the buffer. */
static bool vec_whole(const struct tls_vec *v)
{
	return v->c.len == v->declared;
}

static int vec_take(struct tls_vec *v, size_t n, const uint8_t **out)
{
	if (vec_left(v) < n)
		return -EINVAL;
	v->pos += n;
	*out = sv_cur_take(&v->c, n);
	return *out ? 0 : TLS_SHORT;
}

static int vec_u8(struct tls_vec *v, size_t *out)
{
	const uint8_t *b;
	int ret = vec_take(v, 1, &b);

	*out = ret ? 0 : b[0];
	return ret;
}

static int vec_u16(struct tls_vec *v, size_t *out)
{
	const uint8_t *b;
	int ret = vec_take(v, 2, &b);

	*out = ret ? 0 : (size_t)b[0] << 8 | b[1];
	return ret;
}

/* The next n bytes as a vector of their own; the parent moves past them. */
static int vec_sub(struct tls_vec *v, size_t n, struct tls_vec *sub)
{
	if (vec_left(v) < n)
		return -EINVAL;
	v->pos += n;
	sub->declared = n;
	sub->pos = 0;
	sub->c = sv_cur_sub(&v->c, n, NULL);
	return 0;
}

/* A vector with a 1- or 2-byte length prefix that must fill v exactly. */
static int vec_list(struct tls_vec *v, unsigned prefix, struct tls_vec *list)
{
	size_t n;
	int ret = prefix == 1 ? vec_u8(v, &n) : vec_u16(v, &n);

	if (ret)
		return ret;
	if (n != vec_left(v))
		return -EINVAL;
	return vec_sub(v, n, list);
}

static struct sv_tls_span span(const uint8_t *p, size_t len)
{
	return (struct sv_tls_span){ .ptr = p, .len = len };
}

/* Extensions that are one length-prefixed list filling the extension. */
static int ext_list8(struct tls_vec *e, struct sv_tls_hello *h)
{
	struct tls_vec list;

	return vec_list(e, 1, &list);
}

static int ext_list16(struct tls_vec *e, struct sv_tls_hello *h)
{
	struct tls_vec list;

	return vec_list(e, 2, &list);
}

/* RFC 6066 3: ServerNameList; the first host_name is the SNI. */
static int ext_server_name(struct tls_vec *e, struct sv_tls_hello *h)
{
	struct tls_vec list;
	int ret = vec_list(e, 2, &list);

	if (ret)
		return ret;
	if (list.declared == 0)
		return -EINVAL;
	while (vec_left(&list) > 0) {
		const uint8_t *name;
		size_t type, n;

		if ((ret = vec_u8(&list, &type)) || (ret = vec_u16(&list, &n)))
			return ret;
		if (n == 0)
			return -EINVAL;
		if ((ret = vec_take(&list, n, &name)))
			return ret;
		if (type == TLS_SNI_HOST_NAME && !h->sni.ptr)
			h->sni = span(name, n);
	}
	return 0;
}

/* RFC 7301 3.1: ProtocolNameList of non-empty names. */
static int ext_alpn(struct tls_vec *e, struct sv_tls_hello *h)
{
	struct tls_vec list;
	int ret = vec_list(e, 2, &list);

	if (ret)
		return ret;
	if (list.declared == 0)
		return -EINVAL;
	while (vec_left(&list) > 0) {
		const uint8_t *name;
		size_t n;

		if ((ret = vec_u8(&list, &n)))
			return ret;
		if (n == 0)
			return -EINVAL;
		if ((ret = vec_take(&list, n, &name)))
			return ret;
		if (!h->alpn.ptr)
			h->alpn = span(name, n);
	}
	return 0;
}

/* RFC 8446 4.2.8: KeyShareEntry { group, key_exchange<1..2^16-1> } list. */
static int ext_key_share(struct tls_vec *e, struct sv_tls_hello *h)
{
	struct tls_vec list;
	int ret = vec_list(e, 2, &list);

	while (ret == 0 && vec_left(&list) > 0) {
		const uint8_t *kx;
		size_t group, n;

		if ((ret = vec_u16(&list, &group)) || (ret = vec_u16(&list, &n)))
			return ret;
		if (n == 0)
			return -EINVAL;
		ret = vec_take(&list, n, &kx);
	}
	return ret;
}

/* Skip a 2-byte-length-prefixed opaque field. */
static int vec_opaque16(struct tls_vec *v)
{
	const uint8_t *b;
	size_t n;
	int ret = vec_u16(v, &n);

	return ret ? ret : vec_take(v, n, &b);
}

/*
 * draft-ietf-tls-esni-02: cipher_suite, KeyShareEntry, record_digest<>,
 * encrypted_sni<>. Fuzzed hellos lie here, inside an otherwise sound
 * extension, so it is worth walking.
 */
static int ext_esni(struct tls_vec *e, struct sv_tls_hello *h)
{
	const uint8_t *b;
	int ret;

	if ((ret = vec_take(e, 4, &b)) || (ret = vec_opaque16(e)) ||
	    (ret = vec_opaque16(e)) || (ret = vec_opaque16(e)))
		return ret;
	return 0;
}

/*
 * draft-ietf-tls-esni-13+ ECHClientHello: outer (0) carries cipher_suite,
 * config_id, enc<0..2^16-1>, payload<1..2^16-1>; inner (1) nothing.
 */
static int ext_ech(struct tls_vec *e, struct sv_tls_hello *h)
{
	const uint8_t *b;
	size_t type;
	int ret;

	if ((ret = vec_u8(e, &type)))
		return ret;
	if (type == 1)
		return 0;
	if (type != 0)
		return -EINVAL;
	if ((ret = vec_take(e, 5, &b)) || (ret = vec_opaque16(e)) ||
	    (ret = vec_opaque16(e)))
		return ret;
	return 0;
}

static const struct {
	uint16_t type;
	int (*parse)(struct tls_vec *e, struct sv_tls_hello *h);
} tls_exts[] = {
	{ TLS_EXT_SERVER_NAME, ext_server_name },
	{ TLS_EXT_SUPPORTED_GROUPS, ext_list16 },
	{ TLS_EXT_EC_POINT_FORMATS, ext_list8 },
	{ TLS_EXT_SIG_ALGS, ext_list16 },
	{ TLS_EXT_ALPN, ext_alpn },
	{ TLS_EXT_SUPPORTED_VERSIONS, ext_list8 },
	{ TLS_EXT_PSK_MODES, ext_list8 },
	{ TLS_EXT_SIG_ALGS_CERT, ext_list16 },
	{ TLS_EXT_KEY_SHARE, ext_key_share },
	{ TLS_EXT_ECH, ext_ech },
	{ TLS_EXT_ESNI, ext_esni },
};

static int tls_extension(struct tls_vec *blk, struct sv_tls_hello *h)
{
	struct tls_vec e;
	size_t type, n;
	int ret;

	if ((ret = vec_u16(blk, &type)) || (ret = vec_u16(blk, &n)) ||
	    (ret = vec_sub(blk, n, &e)))
		return ret;
	for (size_t i = 0; i < sizeof(tls_exts) / sizeof(tls_exts[0]); i++) {
		if (tls_exts[i].type != type)
			continue;
		ret = tls_exts[i].parse(&e, h);
		if (ret)
			return ret;
		/* Whatever the parser did not read is trailing junk. */
		return vec_left(&e) ? -EINVAL : 0;
	}
	return 0;
}

/* ClientHello body, after the handshake header. */
static int tls_hello(struct tls_vec *v, struct sv_tls_hello *h)
{
	struct tls_vec blk;
	const uint8_t *b;
	size_t n;
	int ret;

	if ((ret = vec_u16(v, &n)))
		return ret;
	h->version = (uint16_t)n;
	if ((ret = vec_take(v, TLS_RANDOM_LEN, &h->random)))
		return ret;

	if ((ret = vec_u8(v, &n)))
		return ret;
	if (n > TLS_SESSION_ID_MAX)
		return -EINVAL;
	if ((ret = vec_take(v, n, &b)))
		return ret;
	h->session_id = span(b, n);

	if ((ret = vec_u16(v, &n)))
		return ret;
	if (n < 2 || n % 2)
		return -EINVAL;
	if ((ret = vec_take(v, n, &b)))
		return ret;
	h->cipher_suites = span(b, n);

	if ((ret = vec_u8(v, &n)))
		return ret;
	if (n < 1)
		return -EINVAL;
	if ((ret = vec_take(v, n, &b)))
		return ret;
	h->compression = span(b, n);

	/* Pre-TLS 1.2 clients may end the hello here, without extensions. */
	if (vec_left(v) == 0)
		return vec_whole(v) ? 0 : TLS_SHORT;
	if ((ret = vec_list(v, 2, &blk)))
		return ret;
	while (vec_left(&blk) > 0)
		if ((ret = tls_extension(&blk, h)))
			return ret;
	/* The walk can finish on declared lengths alone, bytes missing. */
	if (!vec_whole(v))
		return TLS_SHORT;
	h->extensions = span(blk.c.base, blk.declared);
	return 0;
}

int sv_tls_parse_client_hello(const uint8_t *p, size_t len, struct sv_tls_hello *h)
{
	struct tls_vec rec, hello;
	struct sv_cur c;
	uint8_t major, minor;
	size_t type, n;
	int ret;

	memset(h, 0, sizeof(*h));
	sv_cur_init(&c, p, len);

	if (sv_cur_u8(&c) != TLS_CT_HANDSHAKE)
		return 0;
	major = sv_cur_u8(&c);
	if (sv_cur_ok(&c) && major != 3)
		return 0;
	minor = sv_cur_u8(&c);
	n = sv_cur_be16(&c);
	if (!sv_cur_ok(&c)) {
		h->truncated = true;
		return 0;
	}
	/* An empty handshake fragment is forbidden, an oversized one too. */
	if (n == 0 || n > TLS_RECORD_MAX)
		return -EINVAL;
	rec.declared = n;
	rec.pos = 0;
	rec.c = sv_cur_sub(&c, n, NULL);

	ret = vec_u8(&rec, &type);
	if (ret == TLS_SHORT) {
		h->truncated = true;
		return 0;
	}
	if (type != TLS_HS_CLIENT_HELLO)
		return 0;
	h->record_version = (uint16_t)(major << 8 | minor);

	/*
	 * The handshake length may exceed the record: the hello then goes on
	 * in the next record, which this buffer does not hold. So the hello
	 * is declared by its own length and read as far as the record goes.
	 */
	if (vec_left(&rec) < 3) {
		h->truncated = true;
		return 1;
	}
	n = sv_cur_be24(&rec.c);
	if (!sv_cur_ok(&rec.c)) {
		h->truncated = true;
		return 1;
	}
	hello.declared = n;
	hello.pos = 0;
	hello.c = sv_cur_sub(&rec.c, n, NULL);

	ret = tls_hello(&hello, h);
	if (ret < 0) {
		/* what was read before the lie is not to be acted on */
		memset(h, 0, sizeof(*h));
		return ret;
	}
	h->truncated = ret == TLS_SHORT;
	return 1;
}
