/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * url_filter.c - alert on HTTP requests to hosts or URLs of a blocklist.
 *
 * Argument: the blocklist file ($SNAPVNF_BLOCKLIST when none is given).
 * One entry per line, '#' starts a comment, blank lines are skipped:
 *
 *   login-paypa1.example          the host and all its subdomains
 *   shop.example/wp-admin/        URLs of exactly that host whose path
 *                                 starts with /wp-admin/
 *
 * Hosts match case-insensitively, ignoring the request's port and a
 * trailing dot; paths match byte for byte, as sent (no percent-decoding).
 * A leading "http://" or "https://" on an entry is ignored. A line the
 * file cannot mean (no host, white space inside, a port) fails create()
 * with its line number: a blocklist that silently lost entries would let
 * those hosts through.
 *
 * Input: struct sv_url_meta, from http_request's host, uri and client.
 * An empty host means "no request here" (http_request clears its output
 * for other packets) and is skipped. Emits "alert" {reason "blocklist",
 * host, uri, entry, client}. Returns SV_CONTINUE always: this is a
 * detector, and later VNFs see the request whether it matched or not.
 * Output (struct sv_url_verdict), for a `block` VNF: the packet's source
 * (the client), destination, protocol and port, and culprit on a request
 * that matched, with reason "blocklist" and the host, URI and entry as
 * evidence; cleared for every other packet.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <snapvnf/builtin.h>
#include <snapvnf/vnf_util.h>

SV_SCHEMA(sv_url_meta,
	  SV_FIELD(struct sv_url_meta, host),
	  SV_FIELD(struct sv_url_meta, uri),
	  SV_FIELD(struct sv_url_meta, client));

SV_SCHEMA(sv_url_verdict,
	  SV_FIELD(struct sv_url_verdict, src),
	  SV_FIELD(struct sv_url_verdict, dst),
	  SV_FIELD(struct sv_url_verdict, proto),
	  SV_FIELD(struct sv_url_verdict, dport),
	  SV_FIELD(struct sv_url_verdict, culprit),
	  SV_FIELD(struct sv_url_verdict, reason),
	  SV_FIELD(struct sv_url_verdict, evidence));

struct url_entry {
	char *text;        /* the line as written, for the alert */
	char *host;        /* lower case, no trailing dot */
	const char *path;  /* into text; NULL: the whole host and its subdomains */
};

struct url_state {
	struct url_entry *v;
	size_t n, cap;
	_Atomic uint64_t *checked;
	_Atomic uint64_t *alerts;
};

static void url_free(struct url_state *st)
{
	if (!st)
		return;
	for (size_t i = 0; i < st->n; i++) {
		free(st->v[i].text);
		free(st->v[i].host);
	}
	free(st->v);
	free(st);
}

static int url_cmp(const void *a, const void *b)
{
	const struct url_entry *x = a, *y = b;
	int c = strcmp(x->host, y->host);

	if (c || x->path == y->path)
		return c;
	if (!x->path || !y->path)
		return x->path ? 1 : -1;
	return strcmp(x->path, y->path);
}

static const char *url_skip_scheme(const char *s)
{
	if (strncasecmp(s, "http://", 7) == 0)
		return s + 7;
	if (strncasecmp(s, "https://", 8) == 0)
		return s + 8;
	return s;
}

/* Host part of s up to `len` bytes, lower case, without a trailing dot. */
static char *url_host_dup(const char *s, size_t len)
{
	char *h;

	while (len > 0 && s[len - 1] == '.')
		len--;
	h = strndup(s, len);
	for (size_t i = 0; h && h[i]; i++)
		h[i] = (char)tolower((unsigned char)h[i]);
	return h;
}

/* One trimmed, non-empty line. Returns 0, -EINVAL (message in ctx) or -ENOMEM. */
static int url_add(struct url_state *st, struct sv_vnf_ctx *ctx, const char *file,
		   unsigned lineno, const char *line)
{
	const char *s = url_skip_scheme(line);
	const char *slash = strchr(s, '/');
	size_t hlen = slash ? (size_t)(slash - s) : strlen(s);
	struct url_entry e;

	for (const char *c = s; *c; c++) {
		if (isspace((unsigned char)*c)) {
			sv_vnf_error(ctx, "%s:%u: white space inside an entry", file, lineno);
			return -EINVAL;
		}
	}
	if (hlen == 0 || strspn(s, ".") == hlen) {
		sv_vnf_error(ctx, "%s:%u: an entry starts with a host name", file, lineno);
		return -EINVAL;
	}
	/* Requests are matched without their port; an entry with one never would be. */
	if (s[0] != '[' && memchr(s, ':', hlen)) {
		sv_vnf_error(ctx, "%s:%u: ports are not matched, write the host alone", file,
			     lineno);
		return -EINVAL;
	}
	if (st->n == st->cap) {
		size_t cap = st->cap ? 2 * st->cap : 64;
		struct url_entry *v = realloc(st->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		st->v = v;
		st->cap = cap;
	}
	e.text = strdup(s);
	e.host = url_host_dup(s, hlen);
	if (!e.text || !e.host) {
		free(e.text);
		free(e.host);
		return -ENOMEM;
	}
	e.path = slash ? e.text + hlen : NULL;
	st->v[st->n++] = e;
	return 0;
}

static int url_load(struct url_state *st, struct sv_vnf_ctx *ctx, const char *file)
{
	FILE *f = fopen(file, "re");
	char *line = NULL;
	size_t cap = 0;
	unsigned lineno = 0;
	int ret = 0;

	if (!f) {
		ret = -errno;
		sv_vnf_error(ctx, "blocklist %s: %s", file, strerror(errno));
		return ret;
	}
	while (getline(&line, &cap, f) >= 0) {
		char *s = line, *end;

		lineno++;
		s[strcspn(s, "#")] = '\0';
		while (isspace((unsigned char)*s))
			s++;
		end = s + strlen(s);
		while (end > s && isspace((unsigned char)end[-1]))
			*--end = '\0';
		if (!*s)
			continue;
		ret = url_add(st, ctx, file, lineno, s);
		if (ret == -ENOMEM)
			sv_vnf_error(ctx, "blocklist %s: out of memory", file);
		if (ret < 0)
			goto out;
	}
	if (ferror(f)) {
		ret = -EIO;
		sv_vnf_error(ctx, "blocklist %s: %s", file, strerror(errno));
		goto out;
	}
	if (st->n)
		qsort(st->v, st->n, sizeof(*st->v), url_cmp);
out:
	free(line);
	fclose(f);
	return ret;
}

struct url_opts {
	char file[4096];
};

static const struct sv_arg url_args[] = {
	{ "file", SV_ARG_STR, offsetof(struct url_opts, file), NULL, 0,
	  sizeof(((struct url_opts *)0)->file), NULL,
	  "the blocklist (else $SNAPVNF_BLOCKLIST); no commas or blanks in the path" },
	SV_ARG_END,
};

static void *url_create(struct sv_vnf_ctx *ctx, const char *args)
{
	struct url_opts o;
	const char *file;
	struct url_state *st;
	int ret;

	if (sv_vnf_args(ctx, args, &o) < 0)
		return NULL;
	file = o.file[0] ? o.file : getenv("SNAPVNF_BLOCKLIST");
	if (!file || !*file) {
		sv_vnf_error(ctx, "no blocklist: give its path as the argument or in "
				  "$SNAPVNF_BLOCKLIST");
		errno = EINVAL;
		return NULL;
	}
	st = calloc(1, sizeof(*st));
	if (!st) {
		sv_vnf_error(ctx, "out of memory");
		return NULL;
	}
	ret = url_load(st, ctx, file);
	if (ret < 0) {
		url_free(st);
		errno = -ret;
		return NULL;
	}
	st->checked = sv_counter(ctx, "checked");
	st->alerts = sv_counter(ctx, "alerts");
	return st;
}

/* The first entry for exactly `host`, or st->n. */
static size_t url_lower_bound(const struct url_state *st, const char *host)
{
	size_t lo = 0, hi = st->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(st->v[mid].host, host) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * The name a request is for, as entries are written: lower case, without
 * ":port" and a trailing dot. An IPv6 literal keeps its brackets.
 */
static void url_norm_host(char *dst, size_t size, const char *host, size_t len)
{
	size_t n = 0;

	if (len > 0 && host[0] == '[') {
		const char *rb = memchr(host, ']', len);

		if (rb)
			len = (size_t)(rb - host) + 1;
	} else {
		const char *colon = memchr(host, ':', len);

		if (colon)
			len = (size_t)(colon - host);
	}
	while (len > 0 && host[len - 1] == '.')
		len--;
	for (; n < len && n < size - 1; n++)
		dst[n] = (char)tolower((unsigned char)host[n]);
	dst[n] = '\0';
}

/* The entry `host` and `path` fall under, or NULL. */
static const struct url_entry *url_match(const struct url_state *st, const char *host,
					 const char *path)
{
	const char *s = host;

	for (;;) {
		for (size_t i = url_lower_bound(st, s); i < st->n; i++) {
			const struct url_entry *e = &st->v[i];

			if (strcmp(e->host, s) != 0)
				break;
			if (!e->path)
				return e;
			/* A URL entry names one host, not its subdomains. */
			if (s == host && strncmp(path, e->path, strlen(e->path)) == 0)
				return e;
		}
		s = strchr(s, '.');
		if (!s)
			return NULL;
		s++;
	}
}

/* A char[size] member as a C string, even if a converter left it unterminated. */
static void url_str(char *dst, const char *src, size_t size)
{
	size_t n = strnlen(src, size - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

static int url_process(void *state, struct sv_vnf_ctx *ctx, const struct sv_pkt *pkt,
		       const void *in, void *out)
{
	struct url_state *st = state;
	const struct sv_url_meta *m = in;
	struct sv_url_verdict *v = out;
	char host[sizeof(m->host)], uri[sizeof(m->uri)], norm[sizeof(m->uri)];
	const char *name = host, *path = uri, *auth;
	size_t nlen;
	const struct url_entry *e;
	struct sv_event *ev;

	/* Cleared lazily: only a verdict leaves anything set. */
	if (v->culprit)
		memset(v, 0, sizeof(*v));
	url_str(host, m->host, sizeof(host));
	url_str(uri, m->uri, sizeof(uri));
	nlen = strlen(host);
	/*
	 * An absolute-form request-target (sent to a proxy) names the host
	 * itself and takes precedence over Host (RFC 9112 3.2.2).
	 */
	auth = url_skip_scheme(uri);
	if (auth != uri) {
		nlen = strcspn(auth, "/?");
		name = auth;
		path = auth[nlen] ? auth + nlen : "/";
	}
	if (!nlen)
		return SV_CONTINUE;

	sv_counter_add(st->checked, 1);
	url_norm_host(norm, sizeof(norm), name, nlen);
	if (!norm[0])
		return SV_CONTINUE;
	e = url_match(st, norm, path);
	if (!e)
		return SV_CONTINUE;

	sv_counter_add(st->alerts, 1);
	ev = sv_event_begin(ctx, "alert");
	sv_event_str(ev, "reason", "blocklist", SIZE_MAX);
	sv_event_str(ev, "host", host, SIZE_MAX);
	sv_event_str(ev, "uri", uri, SIZE_MAX);
	sv_event_str(ev, "entry", e->text, SIZE_MAX);
	if (m->client.family)
		sv_event_addr(ev, "client", &m->client);
	sv_event_end(ev);

	sv_addr_from_pkt(&v->src, pkt, false);
	sv_addr_from_pkt(&v->dst, pkt, true);
	v->proto = pkt->proto;
	v->dport = pkt->dport;
	v->culprit = v->src.family != 0;
	memcpy(v->reason, "blocklist", sizeof("blocklist"));
	snprintf(v->evidence, sizeof(v->evidence), "requested %.60s%.60s, blocklist entry %.40s",
		 host, uri, e->text);
	return SV_CONTINUE;
}

static void url_destroy(void *state)
{
	url_free(state);
}

pkt_vnf sv_vnf_url_filter = {
	.desc = {
		.name = "url_filter",
		.version = "1.0",
		.summary = "alert on HTTP requests to blocklisted hosts or URLs",
		.events = "`alert` (blocklist) when a host or URL is on the blocklist",
		.args = url_args,
		.in = &sv_url_meta_schema,
		.out = &sv_url_verdict_schema,
		.create = url_create,
		.destroy = url_destroy,
	},
	.process = url_process,
};
