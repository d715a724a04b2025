/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_vnfs.c - the built-in VNFs, run in a chain over real captures.
 *
 * Packets of tests/data/NAME.pcap are cut to a snap length, decoded with
 * sv_packet_decode() as the daemon does, and fed to a chain (lib/chain.h)
 * one by one; the JSON lines the VNFs emit go to a temporary file and are
 * read back after each packet, so every event is tied to its frame. The
 * events are compared with tshark's values (NAME.http.tsv, NAME.dns.tsv,
 * NAME.tls.tsv): at the full length every value must come out exactly; at
 * 150 bytes, a value NAME.offsets.tsv places past the cut must be null.
 * pkt_stats is compared with the frame counts of NAME.l34.tsv, url_filter
 * with temporary blocklists.
 */
#include <errno.h>
#include <json-c/json.h>
#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <snapvnf/builtin.h>
#include <snapvnf/service.h>

#include "decode/packet.h"
#include "lib/chain.h"
#include "lib/event.h"

#include "testutil.h"

#define SNAP 150
#define FULL 65535
#define NS 1000000000ull

/* ------------------------------------------------------------------ */
/* Truth files                                                          */

/* The first value of a ","-joined cell, into buf. */
static const char *first(const char *cell, char *buf, size_t size)
{
	snprintf(buf, size, "%.*s", (int)strcspn(cell ? cell : "", ","), cell ? cell : "");
	return buf;
}

/* End offset (in the frame) of the first `field` of `frame`, or -1. */
static long offset_end(const struct table *off, int frame, const char *field)
{
	const struct row *o = offset_of(off, (unsigned long)frame, field, 0);

	return o ? atol(cell(o, 3)) : -1;
}

/* ------------------------------------------------------------------ */
/* Running a chain over a capture                                       */

/* Add a VNF; 0 or -errno, with the message in err. */
static int run_try_add(struct run *r, const pkt_vnf *vnf, const char *args,
		       size_t (*rows)[3], const char *named, char *err, size_t errlen)
{
	return sv_chain_add(r->ch, SV_KIND_PKT, vnf, args, rows, named, err, errlen);
}

static void run_add(struct run *r, const pkt_vnf *vnf, const char *args, size_t (*rows)[3],
		    const char *named)
{
	char err[512] = "";

	if (run_try_add(r, vnf, args, rows, named, err, sizeof(err)) < 0)
		fail_msg("adding %s: %s", vnf->desc.name, err);
}

/*
 * Feed every packet of NAME.pcap, cut to snaplen, through the chain,
 * ticking once a second of packet time, then report. Returns the number
 * of packets.
 */
static int run_pcap(struct run *r, const char *name, unsigned snaplen)
{
	struct pcap_pkthdr *h;
	const uint8_t *bytes;
	uint64_t last_tick = 0;
	pcap_t *pc;
	int n = 0;

	assert_int_equal(sv_chain_compile(r->ch), 0);
	pc = open_pcap(name);
	while (pcap_next_ex(pc, &h, &bytes) == 1) {
		uint32_t caplen = h->caplen < snaplen ? h->caplen : snaplen;
		struct sv_pkt *p = pkt_new(bytes, caplen, h->len);

		p->ts_ns = (uint64_t)h->ts.tv_sec * NS + (uint64_t)h->ts.tv_usec * 1000;
		sv_packet_decode(p, pcap_datalink(pc) & 0xFFFF);
		n++;
		sv_chain_pkt(r->ch, p);
		if (!last_tick)
			last_tick = p->ts_ns;
		if (p->ts_ns - last_tick >= NS) {
			sv_chain_tick(r->ch, p->ts_ns);
			last_tick = p->ts_ns;
		}
		run_collect(r, n);
		free(p);
	}
	pcap_close(pc);
	sv_chain_report(r->ch);
	run_collect(r, 0);
	return n;
}

/* The events named `event` of `frame`; returns how many, the first in *out. */
static int find_events(const struct run *r, int frame, const char *event, json_object **out)
{
	int n = 0;

	for (int i = 0; i < r->nev; i++) {
		json_object *e;

		if (r->ev[i].item != frame ||
		    !json_object_object_get_ex(r->ev[i].obj, "event", &e) ||
		    strcmp(json_object_get_string(e), event) != 0)
			continue;
		if (!n++ && out)
			*out = r->ev[i].obj;
	}
	return n;
}

static int count_events(const struct run *r, const char *event)
{
	int n = 0;

	for (int i = 0; i < r->nev; i++) {
		json_object *e;

		if (json_object_object_get_ex(r->ev[i].obj, "event", &e) &&
		    strcmp(json_object_get_string(e), event) == 0)
			n++;
	}
	return n;
}

static const char *str_or_null(json_object *ev, const char *key)
{
	json_object *v = member(ev, key);

	if (!v)
		return NULL;
	assert_int_equal(json_object_get_type(v), json_type_string);
	return json_object_get_string(v);
}

/* expect NULL: the member must be null. */
static void expect_str(json_object *ev, const char *key, const char *expect, const char *what)
{
	const char *got = str_or_null(ev, key);

	if (!expect && got)
		fail_msg("%s: %s is \"%s\", want null", what, key, got);
	if (expect && (!got || strcmp(got, expect) != 0))
		fail_msg("%s: %s is %s%s%s, want \"%s\"", what, key, got ? "\"" : "",
			 got ? got : "null", got ? "\"" : "", expect);
}

/* ------------------------------------------------------------------ */
/* http_request                                                         */

static const char *const http_captures[] = {
	"http-get", "http-vlan", "http-ipv6-frag", "http-nonprint", "http-oneside", "http-split",
};

static void check_http(const char *name, unsigned snaplen)
{
	struct table truth, off;
	struct run *r = run_new();
	char what[128];
	int want = 0;

	table_load(&truth, name, "http");
	table_load(&off, name, "offsets");
	assert_true(truth.n > 1);
	run_add(r, &sv_vnf_http_request, NULL, NULL, NULL);
	run_pcap(r, name, snaplen);

	for (int i = 1; i < truth.n; i++) {
		char **row = truth.rows[i].f;
		int frame = atoi(row[0]);
		long uri_end = offset_end(&off, frame, "http.request.uri");
		long host_end = offset_end(&off, frame, "http.host");
		bool host_in = *row[4] && host_end >= 0 && host_end <= (long)snaplen;
		json_object *ev;

		snprintf(what, sizeof(what), "%s frame %d snap %u", name, frame, snaplen);
		if (find_events(r, frame, "http_request", &ev) != 1)
			fail_msg("%s: want one http_request event", what);
		want++;
		expect_str(ev, "method", row[3], what);
		expect_str(ev, "uri", uri_end <= (long)snaplen ? row[5] : NULL, what);
		expect_str(ev, "host", host_in ? row[4] : NULL, what);
		/* A Host line the snap cut means the head was cut. */
		if (*row[4] && !host_in)
			assert_true(json_object_get_boolean(member(ev, "truncated")));
	}
	assert_int_equal(count_events(r, "http_request"), want);
	assert_int_equal(run_counter(r, "http_request.requests"), want);
	table_free(&truth);
	table_free(&off);
	run_free(r);
}

static void test_http_request_truth(void **unused)
{
	for (size_t i = 0; i < sizeof(http_captures) / sizeof(http_captures[0]); i++) {
		check_http(http_captures[i], FULL);
		check_http(http_captures[i], SNAP);
	}
}

/* The user agent is reported only when sent, and the meta is filled. */
static void test_http_request_user_agent(void **unused)
{
	struct run *r = run_new();
	json_object *ev;

	run_add(r, &sv_vnf_http_request, NULL, NULL, NULL);
	run_pcap(r, "http-get", FULL);
	assert_int_equal(find_events(r, 4, "http_request", &ev), 1);
	/* tshark -Y http.request -e http.user_agent: frame 4 */
	expect_str(ev, "user_agent", "Wget/1.14 (darwin12.2.0)", "http-get frame 4");
	assert_false(json_object_get_boolean(member(ev, "truncated")));
	assert_string_equal(str_or_null(ev, "src"), "141.142.228.5");
	run_free(r);

	/* HTTP/1.0 without Host or User-Agent: host null, no user_agent. */
	r = run_new();
	run_add(r, &sv_vnf_http_request, NULL, NULL, NULL);
	run_pcap(r, "http-ipv6-frag", FULL);
	assert_int_equal(find_events(r, 8, "http_request", &ev), 1);
	assert_null(member(ev, "host"));
	assert_false(json_object_object_get_ex(ev, "user_agent", NULL));
	run_free(r);
}

/* ------------------------------------------------------------------ */
/* dns                                                                  */

static const char *const dns_captures[] = {
	"dns-udp", "dns-tcp", "dns-ipv6-frag", "dns-badnames", "dns-longname", "ipv4-badlen",
	"dns-udplen",
};

static void check_dns(const char *name, unsigned snaplen)
{
	struct table truth, off;
	struct run *r = run_new();
	char what[128], qname[1024], qtype[16];
	int want = 0, bad = 0;

	table_load(&truth, name, "dns");
	table_load(&off, name, "offsets");
	/* Only dns-udplen has no DNS message for tshark (its UDP length is 8). */
	if (strcmp(name, "dns-udplen") != 0)
		assert_true(truth.n > 1);
	run_add(r, &sv_vnf_dns, NULL, NULL, NULL);
	run_pcap(r, name, snaplen);

	for (int i = 1; i < truth.n; i++) {
		char **row = truth.rows[i].f;
		int frame = atoi(row[0]);
		long end = offset_end(&off, frame, "dns.qry.name");
		json_object *ev;

		snprintf(what, sizeof(what), "%s frame %d snap %u", name, frame, snaplen);
		first(row[1], qname, sizeof(qname));
		first(row[2], qtype, sizeof(qtype));
		/* tshark could not read the first name: neither may we. */
		if (!*qname || qname[0] == '<') {
			assert_int_equal(find_events(r, frame, "dns", NULL), 0);
			bad++;
			continue;
		}
		if (find_events(r, frame, "dns", &ev) != 1)
			fail_msg("%s: want one dns event", what);
		want++;
		assert_int_equal(json_object_get_int(member(ev, "id")), strtol(row[4], NULL, 16));
		assert_int_equal(json_object_get_boolean(member(ev, "response")), atoi(row[3]));
		assert_int_equal(json_object_object_get_ex(ev, "rcode", NULL), atoi(row[3]));
		expect_str(ev, "qname", end <= (long)snaplen ? qname : NULL, what);
		/* Type and class follow the name. */
		if (end + 4 <= (long)snaplen)
			assert_int_equal(json_object_get_int(member(ev, "qtype")), atoi(qtype));
		else
			assert_null(member(ev, "qtype"));
		assert_int_equal(json_object_get_boolean(member(ev, "truncated")),
				 end > (long)snaplen);
	}
	assert_int_equal(count_events(r, "dns"), want);
	assert_int_equal(run_counter(r, "dns.queries") + run_counter(r, "dns.responses"), want);
	if (bad)
		assert_int_equal(run_counter(r, "dns.malformed"), bad);
	table_free(&truth);
	table_free(&off);
	run_free(r);
}

static void test_dns_truth(void **unused)
{
	for (size_t i = 0; i < sizeof(dns_captures) / sizeof(dns_captures[0]); i++) {
		check_dns(dns_captures[i], FULL);
		check_dns(dns_captures[i], SNAP);
	}
	/*
	 * Every question name here ends inside 150 bytes, so the branches for
	 * a name the snap cuts never ran. 64 bytes hold the header of a DNS
	 * message over IPv4/UDP (it ends at byte 54) but not the names of
	 * these two: qname and qtype null, truncated.
	 */
	check_dns("dns-udp", 64);
	check_dns("ipv4-badlen", 64);
}

/* UDP length 8 under a 35-byte IP payload: an empty message, malformed. */
static void test_dns_udplen(void **unused)
{
	struct run *r = run_new();

	run_add(r, &sv_vnf_dns, NULL, NULL, NULL);
	run_pcap(r, "dns-udplen", FULL);
	assert_int_equal(r->nev, 0);
	assert_int_equal(run_counter(r, "dns.malformed"), 1);
	run_free(r);
}

static void test_dns_rcode(void **unused)
{
	struct run *r = run_new();
	json_object *ev;

	run_add(r, &sv_vnf_dns, NULL, NULL, NULL);
	run_pcap(r, "dns-udp", SNAP);
	assert_int_equal(find_events(r, 2, "dns", &ev), 1);
	assert_int_equal(json_object_get_int(member(ev, "rcode")), 0);
	assert_int_equal(find_events(r, 1, "dns", &ev), 1);
	assert_false(json_object_object_get_ex(ev, "rcode", NULL));
	assert_int_equal(run_counter(r, "dns.queries"), 3);
	assert_int_equal(run_counter(r, "dns.responses"), 3);
	run_free(r);
}

/* ------------------------------------------------------------------ */
/* tls_sni                                                              */

static const char *const tls_captures[] = {
	"tls-sni", "tls-sni-edge", "tls13-ech", "tls-pq-large", "tls-nosni", "tls-ipv6",
	"tls-fuzzed", "tls-ch-split",
};

static void check_tls(const char *name, unsigned snaplen)
{
	struct table truth, off;
	struct run *r = run_new();
	char what[128];
	int want = 0, bad = 0;

	table_load(&truth, name, "tls");
	table_load(&off, name, "offsets");
	run_add(r, &sv_vnf_tls_sni, NULL, NULL, NULL);
	run_pcap(r, name, snaplen);

	for (int i = 1; i < truth.n; i++) {
		char **row = truth.rows[i].f;
		int frame = atoi(row[0]);
		long end = offset_end(&off, frame, "tls.handshake.extensions_server_name");
		json_object *ev;

		snprintf(what, sizeof(what), "%s frame %d snap %u", name, frame, snaplen);
		/* Lying vector lengths (tls-fuzzed) are refused, not reported. */
		if (find_events(r, frame, "tls_client_hello", &ev) == 0) {
			if (strcmp(name, "tls-fuzzed") != 0)
				fail_msg("%s: no tls_client_hello event", what);
			bad++;
			continue;
		}
		want++;
		expect_str(ev, "sni", *row[1] && end <= (long)snaplen ? row[1] : NULL, what);
		if (*row[1] && end > (long)snaplen)
			assert_true(json_object_get_boolean(member(ev, "truncated")));
	}
	/*
	 * Beyond tshark's, only hellos cut short: tshark sees none in a lone
	 * segment of a hello that spans several. tls-ch-split's first segment
	 * holds all of its name, at bytes 285-298 (tests/data/README.md).
	 */
	for (int i = 0; i < r->nev; i++) {
		json_object *ev = r->ev[i].obj;
		bool known = false;

		for (int j = 1; j < truth.n; j++)
			known |= atoi(truth.rows[j].f[0]) == r->ev[i].item;
		if (known)
			continue;
		assert_true(json_object_get_boolean(member(ev, "truncated")));
		if (strcmp(name, "tls-ch-split") == 0 && r->ev[i].item == 4 && snaplen >= 298)
			expect_str(ev, "sni", "www.google.com", name);
		else
			expect_str(ev, "sni", NULL, name);
		want++;
	}
	assert_int_equal(run_counter(r, "tls_sni.client_hellos"), want);
	assert_int_equal(run_counter(r, "tls_sni.malformed"), bad);
	table_free(&truth);
	table_free(&off);
	run_free(r);
}

static void test_tls_sni_truth(void **unused)
{
	for (size_t i = 0; i < sizeof(tls_captures) / sizeof(tls_captures[0]); i++) {
		check_tls(tls_captures[i], FULL);
		check_tls(tls_captures[i], SNAP);
	}
}

/* ------------------------------------------------------------------ */
/* Chains: no built-in VNF starves the ones after it, unless asked      */

static void test_l7_chain_any_order(void **unused)
{
	static const pkt_vnf *const order[][3] = {
		{ &sv_vnf_http_request, &sv_vnf_dns, &sv_vnf_tls_sni },
		{ &sv_vnf_tls_sni, &sv_vnf_http_request, &sv_vnf_dns },
		{ &sv_vnf_dns, &sv_vnf_tls_sni, &sv_vnf_http_request },
	};

	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		struct run *r = run_new();

		for (int j = 0; j < 3; j++)
			run_add(r, order[i][j], NULL, NULL, NULL);
		run_pcap(r, "dns-udp", SNAP);
		assert_int_equal(count_events(r, "dns"), 6);
		run_free(r);

		r = run_new();
		for (int j = 0; j < 3; j++)
			run_add(r, order[i][j], NULL, NULL, NULL);
		run_pcap(r, "tls-sni", SNAP);
		assert_int_equal(count_events(r, "tls_client_hello"), 1);
		run_free(r);
	}
}

/* With "stop", http_request ends the chain for packets without a request. */
static void test_http_request_stop(void **unused)
{
	struct run *r = run_new();
	char err[256];

	run_add(r, &sv_vnf_http_request, "stop", NULL, NULL);
	run_add(r, &sv_vnf_dns, NULL, NULL, NULL);
	run_pcap(r, "dns-udp", SNAP);
	assert_int_equal(count_events(r, "dns"), 0);
	run_free(r);

	r = run_new();
	assert_int_equal(run_try_add(r, &sv_vnf_http_request, "stpo", NULL, NULL, err,
				     sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "stpo"));
	run_free(r);
}

/* ------------------------------------------------------------------ */
/* url_filter                                                           */

static size_t phishing_rows[][3] = {
	{ SV_URL_HOST, SV_HTTP_HOST, 0 },
	{ SV_URL_URI, SV_HTTP_URI, 0 },
	{ SV_URL_CLIENT, SV_HTTP_CLIENT, 0 },
	{ 0, 0, 0 },
};

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/* A source VNF that outputs whatever feed_meta holds, for url_filter. */
static struct sv_url_meta feed_meta;

SV_SCHEMA(sv_url_meta,
	  SV_FIELD(struct sv_url_meta, host),
	  SV_FIELD(struct sv_url_meta, uri),
	  SV_FIELD(struct sv_url_meta, client));

static void *feed_create(struct sv_vnf_ctx *ctx, const char *args)
{
	return ctx;
}

static int feed_process(void *state, struct sv_vnf_ctx *ctx, const struct sv_pkt *pkt,
			const void *in, void *out)
{
	memcpy(out, &feed_meta, sizeof(feed_meta));
	return SV_CONTINUE;
}

static const pkt_vnf feed_vnf = {
	.desc = { .name = "feed", .version = "0", .out = &sv_url_meta_schema,
		  .create = feed_create },
	.process = feed_process,
};

/* Run host/uri through url_filter with `list`; the matched entry or NULL. */
static const char *url_check(const char *list, const char *host, const char *uri)
{
	static char entry[256];
	static const struct sv_pkt pkt;
	char file[] = "/tmp/test_vnfs_list.XXXXXX";
	struct run *r = run_new();
	json_object *ev;
	int fd = mkstemp(file);

	assert_true(fd >= 0);
	close(fd);
	write_file(file, list);
	run_add(r, &feed_vnf, NULL, NULL, NULL);
	run_add(r, &sv_vnf_url_filter, file, NULL, "host <- host, uri <- uri, client <- client");
	assert_int_equal(sv_chain_compile(r->ch), 0);
	memset(&feed_meta, 0, sizeof(feed_meta));
	snprintf(feed_meta.host, sizeof(feed_meta.host), "%s", host);
	snprintf(feed_meta.uri, sizeof(feed_meta.uri), "%s", uri);
	sv_chain_pkt(r->ch, &pkt);
	run_collect(r, 1);
	if (find_events(r, 1, "alert", &ev) == 0) {
		assert_int_equal(run_counter(r, "url_filter.alerts"), 0);
		run_free(r);
		unlink(file);
		return NULL;
	}
	assert_int_equal(run_counter(r, "url_filter.alerts"), 1);
	expect_str(ev, "reason", "blocklist", "alert");
	expect_str(ev, "host", host, "alert");
	expect_str(ev, "uri", uri, "alert");
	snprintf(entry, sizeof(entry), "%s", str_or_null(ev, "entry"));
	run_free(r);
	unlink(file);
	return entry;
}

static void test_url_filter_match(void **unused)
{
	static const char list[] =
		"# phishing\n"
		"login-paypa1.example\n"
		"  Micros0ft-Account-Update.example.   # trailing dot, capitals\n"
		"\n"
		"shop.example/wp-admin/\n"
		"http://free-giftcards.test/claim.php\n"
		"evil.test\n";

	assert_string_equal(url_check(list, "login-paypa1.example", "/"), "login-paypa1.example");
	assert_string_equal(url_check(list, "LOGIN-PAYPA1.Example:8080", "/x"),
			    "login-paypa1.example");
	assert_string_equal(url_check(list, "a.b.login-paypa1.example.", "/"),
			    "login-paypa1.example");
	assert_string_equal(url_check(list, "micros0ft-account-update.example", "/"),
			    "Micros0ft-Account-Update.example.");
	assert_null(url_check(list, "xlogin-paypa1.example", "/"));
	assert_null(url_check(list, "login-paypa1.example.com", "/"));
	assert_null(url_check(list, "paypal.com", "/"));

	/* URL entries: that host only, path prefix, byte for byte. */
	assert_string_equal(url_check(list, "shop.example", "/wp-admin/install.php"),
			    "shop.example/wp-admin/");
	assert_null(url_check(list, "shop.example", "/wp-admin"));
	assert_null(url_check(list, "shop.example", "/WP-ADMIN/install.php"));
	assert_null(url_check(list, "www.shop.example", "/wp-admin/install.php"));
	assert_string_equal(url_check(list, "free-giftcards.test", "/claim.php?id=1337"),
			    "free-giftcards.test/claim.php");
	assert_null(url_check(list, "free-giftcards.test", "/"));

	/* Domain entries take every subdomain. */
	assert_string_equal(url_check(list, "login.bank.example.evil.test", "/login/"),
			    "evil.test");
	/* An absolute-form target names the host, over Host. */
	assert_string_equal(url_check(list, "", "http://evil.test/x"), "evil.test");
	assert_string_equal(url_check(list, "proxy.local", "http://shop.example/wp-admin/x"),
			    "shop.example/wp-admin/");
	/* No host: no request, nothing checked. */
	assert_null(url_check(list, "", ""));
	assert_null(url_check(list, "", "/wp-admin/"));
}

static void test_url_filter_errors(void **unused)
{
	char file[] = "/tmp/test_vnfs_list.XXXXXX";
	struct run *r = run_new();
	char err[512];
	int fd = mkstemp(file);

	assert_true(fd >= 0);
	close(fd);
	unlink(file);
	/* A missing file names the path and why. */
	assert_true(run_try_add(r, &sv_vnf_url_filter, file, NULL, NULL, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, file));
	assert_non_null(strstr(err, strerror(ENOENT)));

	/* A line that cannot be an entry names its line. */
	write_file(file, "ok.example\n/no/host\n");
	assert_true(run_try_add(r, &sv_vnf_url_filter, file, NULL, NULL, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, ":2:"));
	write_file(file, "ok.example\nbad entry.example\n");
	assert_true(run_try_add(r, &sv_vnf_url_filter, file, NULL, NULL, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, ":2:"));
	write_file(file, "# ports\nok.example:8080/x\n");
	assert_true(run_try_add(r, &sv_vnf_url_filter, file, NULL, NULL, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, ":2:"));

	/* No argument: $SNAPVNF_BLOCKLIST, else a clear refusal. */
	unsetenv("SNAPVNF_BLOCKLIST");
	assert_true(run_try_add(r, &sv_vnf_url_filter, NULL, NULL, NULL, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "SNAPVNF_BLOCKLIST"));
	write_file(file, "# nothing blocked yet\n");
	setenv("SNAPVNF_BLOCKLIST", file, 1);
	assert_int_equal(run_try_add(r, &sv_vnf_url_filter, NULL, NULL, NULL, err, sizeof(err)),
			 0);
	unsetenv("SNAPVNF_BLOCKLIST");
	unlink(file);
	run_free(r);
}

/*
 * The phishing example's chain on a capture: one alert for the one
 * request, none for the packets after it (http_request clears its output,
 * so no stale host is checked again); none at 150 bytes, where the Host
 * line of http-get is cut off.
 */
static void test_url_filter_chain(void **unused)
{
	char file[] = "/tmp/test_vnfs_list.XXXXXX";
	int fd = mkstemp(file);
	struct run *r;
	json_object *ev;

	assert_true(fd >= 0);
	close(fd);
	write_file(file, "bro.org/download/\n");

	r = run_new();
	run_add(r, &sv_vnf_http_request, NULL, NULL, NULL);
	run_add(r, &sv_vnf_url_filter, file, phishing_rows, NULL);
	run_pcap(r, "http-get", FULL);
	assert_int_equal(count_events(r, "alert"), 1);
	assert_int_equal(find_events(r, 4, "alert", &ev), 1);
	expect_str(ev, "entry", "bro.org/download/", "alert");
	expect_str(ev, "client", "141.142.228.5", "alert");
	assert_int_equal(run_counter(r, "url_filter.checked"), 1);
	run_free(r);

	r = run_new();
	run_add(r, &sv_vnf_http_request, NULL, NULL, NULL);
	run_add(r, &sv_vnf_url_filter, file, phishing_rows, NULL);
	run_pcap(r, "http-get", SNAP);
	assert_int_equal(count_events(r, "alert"), 0);
	assert_int_equal(run_counter(r, "url_filter.checked"), 0);
	run_free(r);
	unlink(file);
}

/* ------------------------------------------------------------------ */
/* pkt_stats                                                            */

enum { C_TCP, C_UDP, C_ICMP, C_OTHER, C_IPV4, C_IPV6, C_N };
static const char *const class_names[C_N] = { "tcp", "udp", "icmp", "other", "ipv4", "ipv6" };

/* Whether tshark's frame.protocols ("eth:ethertype:ip:udp:dns") names `want`. */
static bool has_proto(const char *protocols, const char *want)
{
	char all[1024], one[64];

	snprintf(all, sizeof(all), ":%s:", protocols);
	snprintf(one, sizeof(one), ":%s:", want);
	return strstr(all, one) != NULL;
}

static void check_pkt_stats(const char *name)
{
	struct table l34;
	struct run *r = run_new();
	uint64_t want[C_N][2] = { { 0 } }, got[C_N][2] = { { 0 } };
	uint64_t want_pkts = 0, want_bytes = 0, got_pkts = 0, got_bytes = 0;
	char key[32];

	table_load(&l34, name, "l34");
	assert_true(l34.n > 1);
	for (int i = 1; i < l34.n; i++) {
		uint64_t len = strtoull(l34.rows[i].f[1], NULL, 10);
		const char *pr = l34.rows[i].f[17];
		int l4 = C_OTHER;

		if (has_proto(pr, "tcp"))
			l4 = C_TCP;
		else if (has_proto(pr, "udp"))
			l4 = C_UDP;
		else if (has_proto(pr, "icmp") || has_proto(pr, "icmpv6"))
			l4 = C_ICMP;

		want[l4][0]++;
		want[l4][1] += len;
		if (has_proto(pr, "ip")) {
			want[C_IPV4][0]++;
			want[C_IPV4][1] += len;
		} else if (has_proto(pr, "ipv6")) {
			want[C_IPV6][0]++;
			want[C_IPV6][1] += len;
		}
		want_pkts++;
		want_bytes += len;
	}

	run_add(r, &sv_vnf_pkt_stats, "1", NULL, NULL);
	run_pcap(r, name, SNAP);
	assert_true(r->nev >= 1);
	for (int i = 0; i < r->nev; i++) {
		json_object *ev = r->ev[i].obj;

		got_pkts += json_object_get_uint64(member(ev, "packets"));
		got_bytes += json_object_get_uint64(member(ev, "bytes"));
		for (int c = 0; c < C_N; c++) {
			snprintf(key, sizeof(key), "%s_packets", class_names[c]);
			got[c][0] += json_object_get_uint64(member(ev, key));
			snprintf(key, sizeof(key), "%s_bytes", class_names[c]);
			got[c][1] += json_object_get_uint64(member(ev, key));
		}
	}
	assert_int_equal(got_pkts, want_pkts);
	assert_int_equal(got_bytes, want_bytes);
	for (int c = 0; c < C_N; c++) {
		if (got[c][0] != want[c][0] || got[c][1] != want[c][1])
			fail_msg("%s %s: %llu packets %llu bytes, tshark %llu %llu", name,
				 class_names[c], (unsigned long long)got[c][0],
				 (unsigned long long)got[c][1], (unsigned long long)want[c][0],
				 (unsigned long long)want[c][1]);
	}
	assert_int_equal(run_counter(r, "pkt_stats.packets"), want_pkts);
	table_free(&l34);
	run_free(r);
}

static void test_pkt_stats_truth(void **unused)
{
	static const char *const names[] = {
		"http-get", "http-ipv6-frag", "dns-ipv6-frag", "dns-udp", "tls-ipv6", "vlan-stack",
		"vlan-8021ad", "tls13-ech",
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		check_pkt_stats(names[i]);
}

/* Intervals follow packet time; report() emits the last, partial one. */
static void test_pkt_stats_intervals(void **unused)
{
	struct run *r = run_new();
	uint64_t t0 = 1700000000ull * NS;
	struct sv_pkt *p = calloc(1, sizeof(*p) + 64);
	char err[256];

	assert_non_null(p);
	run_add(r, &sv_vnf_pkt_stats, "10", NULL, NULL);
	assert_int_equal(sv_chain_compile(r->ch), 0);
	p->wire_len = 100;
	p->cap_len = 64;
	p->sampling_rate = 1;
	for (int s = 0; s < 25; s++) {
		p->ts_ns = t0 + (uint64_t)s * NS;
		sv_chain_pkt(r->ch, p);
		sv_chain_tick(r->ch, p->ts_ns);
		run_collect(r, s + 1);
	}
	/* Ticks at 10 s and 20 s close an interval each (10 packets). */
	assert_int_equal(find_events(r, 11, "pkt_stats", NULL), 1);
	assert_int_equal(find_events(r, 21, "pkt_stats", NULL), 1);
	assert_int_equal(r->nev, 2);
	assert_int_equal(json_object_get_uint64(member(r->ev[0].obj, "packets")), 11);
	assert_int_equal(json_object_get_uint64(member(r->ev[1].obj, "packets")), 10);
	assert_int_equal(json_object_get_uint64(member(r->ev[1].obj, "other_bytes")), 1000);
	assert_true(json_object_get_double(member(r->ev[1].obj, "seconds")) == 10.0);
	sv_chain_report(r->ch);
	run_collect(r, 0);
	assert_int_equal(r->nev, 3);
	assert_int_equal(json_object_get_uint64(member(r->ev[2].obj, "packets")), 4);

	/* A 1-in-100 sample counts as 100 packets. */
	p->sampling_rate = 100;
	sv_chain_pkt(r->ch, p);
	sv_chain_report(r->ch);
	run_collect(r, 0);
	assert_int_equal(json_object_get_uint64(member(r->ev[3].obj, "packets")), 100);
	assert_int_equal(json_object_get_uint64(member(r->ev[3].obj, "bytes")), 10000);
	run_free(r);
	free(p);

	r = run_new();
	assert_true(run_try_add(r, &sv_vnf_pkt_stats, "0", NULL, NULL, err, sizeof(err)) < 0);
	assert_true(run_try_add(r, &sv_vnf_pkt_stats, "10s", NULL, NULL, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "10s"));
	run_free(r);
}

/* ------------------------------------------------------------------ */

static void test_builtin_find(void **unused)
{
	const struct sv_builtin *b;
	int n = 0;

	for (b = sv_builtins; b->name; b++, n++) {
		assert_ptr_equal(sv_builtin_find(b->name), b);
		/* One kind, or both under one name (block fits either chain). */
		assert_true(b->pkt || b->flow);
		if (b->pkt)
			assert_string_equal(b->pkt->desc.name, b->name);
		if (b->flow)
			assert_string_equal(b->flow->desc.name, b->name);
	}
	assert_int_equal(n, 11);
	assert_ptr_equal(sv_builtin_find("block")->pkt, &sv_vnf_block);
	assert_ptr_equal(sv_builtin_find("block")->flow, &sv_vnf_block_flow);
	assert_ptr_equal(sv_builtin_find("url_filter")->pkt, &sv_vnf_url_filter);
	assert_ptr_equal(sv_builtin_find("ddos")->flow, &sv_vnf_ddos);
	assert_null(sv_builtin_find("nope"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_http_request_truth),
		cmocka_unit_test(test_http_request_user_agent),
		cmocka_unit_test(test_http_request_stop),
		cmocka_unit_test(test_dns_truth),
		cmocka_unit_test(test_dns_udplen),
		cmocka_unit_test(test_dns_rcode),
		cmocka_unit_test(test_tls_sni_truth),
		cmocka_unit_test(test_l7_chain_any_order),
		cmocka_unit_test(test_url_filter_match),
		cmocka_unit_test(test_url_filter_errors),
		cmocka_unit_test(test_url_filter_chain),
		cmocka_unit_test(test_pkt_stats_truth),
		cmocka_unit_test(test_pkt_stats_intervals),
		cmocka_unit_test(test_builtin_find),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
