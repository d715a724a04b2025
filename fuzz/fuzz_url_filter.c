/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_url_filter.c - libFuzzer harness for url_filter's blocklist: the
 * file its argument names, read by create(), and the matching of requests
 * against what was read.
 *
 * The input up to its first NUL byte is the blocklist, written to a memfd
 * whose /proc/self/fd path is url_filter's argument. What follows the NUL,
 * if anything, is one more TCP payload to send. A chain http_request ->
 * url_filter is built over it; a blocklist that loads takes a few fixed
 * requests (Host with a port, an IPv6 literal, an absolute URI, a trailing
 * dot) and the fuzzed one. A blocklist that does not load must say why.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <snapvnf/builtin.h>

#include "lib/chain.h"
#include "lib/event.h"
#include "lib/sink.h"

#define PAYLOAD_MAX 1400

static void send_payload(struct sv_chain *ch, const void *payload, size_t len)
{
	struct sv_pkt *p;

	if (len > PAYLOAD_MAX)
		len = PAYLOAD_MAX;
	/* Only the payload and the addresses matter to these two VNFs. */
	p = calloc(1, sizeof(*p) + (len ? len : 1));
	if (!p)
		return;
	memcpy(p->data, payload, len);
	p->cap_len = p->wire_len = (uint16_t)len;
	p->ip_version = 4;
	p->proto = 6;
	p->src[0] = 10;
	p->dst[0] = 10;
	p->dport = 80;
	p->l3_off = SV_OFF_NONE;
	p->l4_off = SV_OFF_NONE;
	p->payload_off = len ? 0 : SV_OFF_NONE;
	p->payload_len = (uint16_t)len;
	sv_chain_pkt(ch, p);
	free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const requests[] = {
		"GET / HTTP/1.1\r\nHost: example.com\r\n\r\n",
		"GET /wp-admin/x HTTP/1.1\r\nHost: Shop.Example:8080\r\n\r\n",
		"GET /a HTTP/1.1\r\nHost: [2001:db8::1]:80\r\n\r\n",
		"GET http://a.b.c.example./p?q HTTP/1.1\r\nHost: other\r\n\r\n",
		"GET https://x HTTP/1.1\r\n\r\n",
		"POST /login HTTP/1.0\r\nHost: .\r\n\r\n",
	};
	static int fd = -1;
	const uint8_t *nul = memchr(data, '\0', size);
	size_t list = nul ? (size_t)(nul - data) : size;
	char path[64], err[256];
	struct sv_chain *ch;
	int rc;

	if (fd < 0) {
		fd = memfd_create("blocklist", MFD_CLOEXEC);
		if (fd < 0)
			abort();
	}
	if (ftruncate(fd, 0) < 0 || pwrite(fd, data, list, 0) != (ssize_t)list)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);

	ch = sv_chain_new("fuzz", NULL);
	if (!ch)
		return 0;
	sv_event_out_sink(sv_chain_events(ch), sv_sink_open("/dev/null"));
	if (sv_chain_add(ch, SV_KIND_PKT, &sv_vnf_http_request, NULL, NULL, NULL, err,
			 sizeof(err)) < 0)
		abort();
	rc = sv_chain_add(ch, SV_KIND_PKT, &sv_vnf_url_filter, path, NULL,
			  "host <- host, uri <- uri, client <- client", err, sizeof(err));
	if (rc < 0) {
		if (!err[0] || sv_chain_len(ch) != 1)
			abort();
		goto out;
	}
	if (sv_chain_compile(ch) < 0)
		abort();
	for (size_t i = 0; i < sizeof(requests) / sizeof(requests[0]); i++)
		send_payload(ch, requests[i], strlen(requests[i]));
	if (nul)
		send_payload(ch, nul + 1, size - list - 1);
	sv_chain_report(ch);
out:
	sv_chain_free(ch);
	return 0;
}
