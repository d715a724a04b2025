/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * phishing_nolib - examples/phishing.c written straight on libpcap, as a
 * switch user would without snapvnf: capture, Ethernet/VLAN, IPv4/IPv6,
 * TCP, the HTTP request line and Host header, the blocklist, the output.
 * It exists to count the lines the library saves (README.md); it reports
 * the same alerts as the library's http_request -> url_filter chain.
 *
 *   phishing_nolib -i IFACE | -r FILE  [-s SNAPLEN] [BLOCKLIST]
 *          (default snaplen 150, as snapvnfd; blocklist examples/blocklist.txt)
 *
 * Blocklist: one entry per line, '#' starts a comment. "host" matches the
 * host and its subdomains, "host/path" URLs of exactly that host whose
 * path starts with /path. Hosts compare without case, port or trailing
 * dot; an absolute-form request target ("GET http://host/...") names the
 * host instead of the Host header. One JSON line per alert on stdout.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <pcap/pcap.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

struct entry {
	char *text;        /* as written, for the alert */
	char *host;        /* lower case, no trailing dot */
	const char *path;  /* into text, or NULL: the host and its subdomains */
};

static struct entry *entries;
static size_t nentries;
static pcap_t *pc;
static unsigned snaplen = 150;
static unsigned long packets, requests, alerts;

/* ---- blocklist ---- */

static const char *skip_scheme(const char *s)
{
	if (strncasecmp(s, "http://", 7) == 0)
		return s + 7;
	if (strncasecmp(s, "https://", 8) == 0)
		return s + 8;
	return s;
}

/* Lower case, without ":port" (unless an [IPv6] literal) and trailing dots. */
static void norm_host(char *dst, size_t size, const char *host, size_t len)
{
	const char *end = host[0] == '[' ? memchr(host, ']', len) : memchr(host, ':', len);
	size_t n;

	if (end)
		len = (size_t)(end - host) + (host[0] == '[');
	while (len > 0 && host[len - 1] == '.')
		len--;
	for (n = 0; n < len && n < size - 1; n++)
		dst[n] = (char)tolower((unsigned char)host[n]);
	dst[n] = '\0';
}

static int load_blocklist(const char *file)
{
	FILE *f = fopen(file, "r");
	char line[1024];
	unsigned lineno = 0;

	if (!f) {
		perror(file);
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		char *s = line, *end, host[256];
		const char *e, *slash;
		struct entry *v;
		size_t hlen;

		lineno++;
		s[strcspn(s, "#\r\n")] = '\0';
		while (isspace((unsigned char)*s))
			s++;
		end = s + strlen(s);
		while (end > s && isspace((unsigned char)end[-1]))
			*--end = '\0';
		if (!*s)
			continue;
		e = skip_scheme(s);
		slash = strchr(e, '/');
		hlen = slash ? (size_t)(slash - e) : strlen(e);
		if (strpbrk(e, " \t") || hlen == 0 || (e[0] != '[' && memchr(e, ':', hlen))) {
			fprintf(stderr, "%s:%u: not a host or host/path\n", file, lineno);
			fclose(f);
			return -1;
		}
		norm_host(host, sizeof(host), e, hlen);
		v = realloc(entries, (nentries + 1) * sizeof(*v));
		if (!v || !(v[nentries].text = strdup(e)) || !(v[nentries].host = strdup(host))) {
			fprintf(stderr, "out of memory\n");
			exit(1);
		}
		entries = v;
		v[nentries].path = slash ? v[nentries].text + hlen : NULL;
		nentries++;
	}
	fclose(f);
	return 0;
}

/* The entry for `host` (normalised) and `path`: the host itself first,
 * then each parent domain; a host/path entry only for the host itself. */
static const struct entry *match(const char *host, const char *path)
{
	for (const char *s = host; s; s = strchr(s, '.') ? strchr(s, '.') + 1 : NULL) {
		for (size_t i = 0; i < nentries; i++)
			if (!entries[i].path && strcmp(entries[i].host, s) == 0)
				return &entries[i];
		for (size_t i = 0; s == host && i < nentries; i++)
			if (entries[i].path && strcmp(entries[i].host, s) == 0 &&
			    strncmp(path, entries[i].path, strlen(entries[i].path)) == 0)
				return &entries[i];
	}
	return NULL;
}

/* ---- output ---- */

static void json_str(const char *key, const char *s)
{
	printf(",\"%s\":\"", key);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

/* ---- HTTP ---- */

static const char *const methods[] = { "GET", "POST", "HEAD", "PUT", "DELETE",
				       "OPTIONS", "PATCH", "CONNECT", "TRACE" };

/*
 * A request at the start of p[0..len): the request target and the Host
 * value, each only when the byte ending it is inside the buffer. Returns
 * 0 when p holds no request.
 */
static int parse_request(const char *p, size_t len, char *uri, size_t usize, char *host,
			 size_t hsize)
{
	size_t i = 0, ulen, n;
	const char *line, *lf;

	for (n = 0; n < sizeof(methods) / sizeof(methods[0]); n++) {
		size_t m = strlen(methods[n]);

		if (len > m && memcmp(p, methods[n], m) == 0 && p[m] == ' ') {
			i = m + 1;
			break;
		}
	}
	if (!i)
		return 0;
	for (ulen = 0; i + ulen < len && !strchr(" \r\n", p[i + ulen]); ulen++)
		if ((unsigned char)p[i + ulen] < 0x20 || p[i + ulen] == 0x7f)
			return 0;
	uri[0] = host[0] = '\0';
	if (i + ulen == len || ulen == 0)
		return i + ulen == len;  /* cut short: a request without a target */
	snprintf(uri, usize, "%.*s", (int)ulen, p + i);
	i += ulen;
	if (p[i] != ' ')
		return 1;  /* HTTP/0.9: no headers */
	i++;
	if (len - i >= 5 && memcmp(p + i, "HTTP/", 5) != 0) {
		uri[0] = '\0';
		return 0;
	}
	/* headers, one complete line at a time, up to the empty one */
	line = memchr(p + i, '\n', len - i);
	while (line && (lf = memchr(line + 1, '\n', len - (size_t)(line + 1 - p)))) {
		const char *s = line + 1, *colon, *v, *end = lf;

		line = lf;
		if (end > s && end[-1] == '\r')
			end--;
		if (end == s)
			break;
		colon = memchr(s, ':', (size_t)(end - s));
		if (!colon || colon - s != 4 || strncasecmp(s, "host", 4) != 0)
			continue;
		for (v = colon + 1; v < end && (*v == ' ' || *v == '\t'); v++)
			;
		while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		snprintf(host, hsize, "%.*s", (int)(end - v), v);
		break;
	}
	return 1;
}

/* ---- packets ---- */

static void request(const struct pcap_pkthdr *h, int af, const uint8_t *src, const uint8_t *dst,
		    uint16_t sport, uint16_t dport, const char *payload, size_t len)
{
	char uri[256], host[128], name[256], a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
	const char *n = host, *path = uri, *auth;
	const struct entry *e;
	size_t nlen;

	if (!parse_request(payload, len, uri, sizeof(uri), host, sizeof(host)))
		return;
	requests++;
	nlen = strlen(host);
	auth = skip_scheme(uri);
	if (auth != uri) {  /* absolute form names the host itself */
		nlen = strcspn(auth, "/?");
		n = auth;
		path = auth[nlen] ? auth + nlen : "/";
	}
	if (!nlen)
		return;
	norm_host(name, sizeof(name), n, nlen);
	if (!name[0] || !(e = match(name, path)))
		return;
	alerts++;
	inet_ntop(af, src, a, sizeof(a));
	inet_ntop(af, dst, b, sizeof(b));
	printf("{\"ts\":%ld.%06ld,\"service\":\"phishing\",\"event\":\"alert\"", (long)h->ts.tv_sec,
	       (long)h->ts.tv_usec);
	printf(",\"src\":\"%s\",\"dst\":\"%s\",\"sport\":%u,\"dport\":%u,\"proto\":6", a, b, sport,
	       dport);
	json_str("reason", "blocklist");
	json_str("host", host);
	json_str("uri", uri);
	json_str("entry", e->text);
	json_str("client", a);
	printf("}\n");
	fflush(stdout);
}

static void packet(u_char *user, const struct pcap_pkthdr *h, const u_char *p)
{
	size_t len = h->caplen < snaplen ? h->caplen : snaplen, off = 0, l4;
	uint16_t etype;
	uint8_t proto;
	int af;

	packets++;
	if (*(int *)user == DLT_EN10MB) {
		if (len < 14)
			return;
		etype = (uint16_t)(p[12] << 8 | p[13]);
		off = 14;
		while ((etype == 0x8100 || etype == 0x88a8 || etype == 0x9100) && len >= off + 4) {
			etype = (uint16_t)(p[off + 2] << 8 | p[off + 3]);
			off += 4;
		}
	} else {  /* raw IP */
		if (len < 1)
			return;
		etype = p[0] >> 4 == 4 ? 0x0800 : 0x86dd;
	}
	if (etype == 0x0800) {
		size_t ihl, tot;

		if (len < off + 20 || p[off] >> 4 != 4 || (ihl = (p[off] & 15u) * 4u) < 20)
			return;
		tot = (size_t)(p[off + 2] << 8 | p[off + 3]);
		if (tot < ihl || (((p[off + 6] & 0x1f) << 8) | p[off + 7]))
			return;  /* bad length, or a fragment past the first */
		if (len > off + tot)
			len = off + tot;  /* Ethernet padding */
		proto = p[off + 9];
		af = AF_INET;
		l4 = off + ihl;
	} else if (etype == 0x86dd) {
		size_t plen;

		if (len < off + 40 || p[off] >> 4 != 6)
			return;
		plen = (size_t)(p[off + 4] << 8 | p[off + 5]);
		if (len > off + 40 + plen)
			len = off + 40 + plen;
		proto = p[off + 6];
		af = AF_INET6;
		l4 = off + 40;
		/* extension headers: hop-by-hop, routing, fragment, destination */
		for (int k = 0; k < 8 && (proto == 0 || proto == 43 || proto == 44 || proto == 60);
		     k++) {
			if (len < l4 + 8)
				return;
			size_t hlen = proto == 44 ? 8 : (size_t)(p[l4 + 1] + 1) * 8;

			if (proto == 44 && ((p[l4 + 2] << 8 | p[l4 + 3]) & 0xfff8))
				return;  /* a fragment past the first */
			proto = p[l4];
			l4 += hlen;
		}
	} else {
		return;
	}
	if (proto != 6 || len < l4 + 20 || (p[l4 + 12] >> 4) < 5 || len <= l4 + (p[l4 + 12] >> 4) * 4u)
		return;
	request(h, af, p + off + (af == AF_INET ? 12 : 8), p + off + (af == AF_INET ? 16 : 24),
		(uint16_t)(p[l4] << 8 | p[l4 + 1]), (uint16_t)(p[l4 + 2] << 8 | p[l4 + 3]),
		(const char *)p + l4 + (p[l4 + 12] >> 4) * 4, len - l4 - (p[l4 + 12] >> 4) * 4u);
}

static void on_signal(int sig)
{
	pcap_breakloop(pc);
}

int main(int argc, char **argv)
{
	char err[PCAP_ERRBUF_SIZE];
	const char *iface = NULL, *file = NULL, *blocklist = "examples/blocklist.txt";
	int c, dlt;

	while ((c = getopt(argc, argv, "i:r:s:")) != -1) {
		switch (c) {
		case 'i': iface = optarg; break;
		case 'r': file = optarg; break;
		case 's': snaplen = (unsigned)atoi(optarg); break;
		default: goto usage;
		}
	}
	if (optind < argc)
		blocklist = argv[optind];
	if (!iface == !file || snaplen < 64 || snaplen > 65535) {
usage:
		fprintf(stderr, "usage: phishing_nolib -i IFACE | -r FILE [-s SNAPLEN] [BLOCKLIST]\n");
		return 2;
	}
	if (load_blocklist(blocklist) < 0)
		return 1;
	if (file) {
		pc = pcap_open_offline(file, err);
	} else if ((pc = pcap_create(iface, err))) {
		pcap_set_snaplen(pc, (int)snaplen);
		pcap_set_promisc(pc, 1);
		pcap_set_timeout(pc, 100);
		pcap_set_buffer_size(pc, 64 << 20);
		if (pcap_activate(pc) < 0) {
			fprintf(stderr, "%s: %s\n", iface, pcap_geterr(pc));
			return 1;
		}
	}
	if (!pc) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	dlt = pcap_datalink(pc);
	if (dlt != DLT_EN10MB && dlt != DLT_RAW && dlt != 101) {
		fprintf(stderr, "link type %d: only Ethernet and raw IP\n", dlt);
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (pcap_loop(pc, -1, packet, (u_char *)&dlt) == PCAP_ERROR)
		fprintf(stderr, "capture: %s\n", pcap_geterr(pc));
	fprintf(stderr, "phishing_nolib: %lu packets, %lu requests, %lu alerts\n", packets,
		requests, alerts);
	pcap_close(pc);
	return 0;
}
