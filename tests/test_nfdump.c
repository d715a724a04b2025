/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_nfdump.c - the nfdump path: real nfdump output against figures
 * found without it, bad lines counted and skipped, the output read in any
 * chunks, the directory watch and the nfdump run (with a stand-in nfdump).
 *
 * tests/data/nfdump-sample.txt is what nfcapd and nfdump 1.7.1 printed,
 * in the daemon's format (SV_NFDUMP_ARGS), of the NetFlow v9 softflowd
 * exported from data/demo.pcap; nfdump-biflow.txt the same for IPFIX
 * biflows of dns-udp.pcap, nfdump-ipv6.txt for dns-ipv6-frag.pcap
 * (make-nfdump-sample.sh there). Their totals are held against tshark's
 * and softflowd's counts, every flow's start and end against the
 * milliseconds nfdump stores (NAME.raw, `nfdump -o raw` of the same file).
 *
 * With NFDUMP_DIR set in the environment this program is instead the
 * harness tests/nfdump_path.sh drives: it watches that directory until
 * SIGTERM, then prints its totals (see harness()).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/log.h"
#include "daemon/nfdump.h"
#include "daemon/nfdump_fmt.h"

#define DATA_DIR "tests/data/"
#define SEC 1000000000ull
#define MS 1000000ull

struct got {
	struct sv_flow *r;
	size_t n, cap;
};

static void collect(void *ctx, const struct sv_flow *rec)
{
	struct got *g = ctx;

	if (g->n == g->cap) {
		g->cap = g->cap ? g->cap * 2 : 64;
		g->r = realloc(g->r, g->cap * sizeof(*g->r));
		assert_non_null(g->r);
	}
	g->r[g->n++] = *rec;
}

static uint64_t realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * SEC + (uint64_t)ts.tv_nsec;
}

/* Parse `text` as nfdump's output, fed in pieces of `chunk` bytes (0: at once). */
static int read_text(const char *text, size_t len, size_t chunk, struct sv_nfdump_stats *st,
		     struct got *g)
{
	struct sv_nfdump_fmt *p = malloc(sizeof(*p));
	int n = 0;

	assert_non_null(p);
	sv_nfdump_fmt_init(p, "test", st);
	for (size_t off = 0; off < len;) {
		size_t k = chunk && chunk < len - off ? chunk : len - off;

		n += sv_nfdump_fmt_feed(p, text + off, k, collect, g);
		off += k;
	}
	n += sv_nfdump_fmt_end(p, collect, g);
	free(p);
	return n;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static void assert_ip(const uint8_t *a, int fam, const char *s)
{
	uint8_t want[16] = { 0 };

	assert_int_equal(inet_pton(fam == 4 ? AF_INET : AF_INET6, s, want), 1);
	assert_memory_equal(a, want, 16);
}

/*
 * Every record's start and end against NAME.raw: nfdump's stored first
 * and last, in ms, one pair per row (both records of a biflow row share
 * it). An end stored before the start makes an empty flow.
 */
static void check_times(const char *raw, const struct got *g, size_t per_row)
{
	FILE *f = fopen(raw, "r");
	unsigned long long first, last;
	size_t i = 0;

	assert_non_null(f);
	while (fscanf(f, "first %llu\nlast %llu\n", &first, &last) == 2) {
		for (size_t k = 0; k < per_row; k++, i++) {
			assert_true(i < g->n);
			assert_int_equal(g->r[i].first_ns, first * MS);
			assert_int_equal(g->r[i].last_ns, (last > first ? last : first) * MS);
		}
	}
	assert_int_equal(i, g->n);
	fclose(f);
}

/* ------------------------------------------------------------------ */
/* nfdump's output                                                      */

static void check_sample(const struct got *g)
{
	uint64_t pk[256] = { 0 }, by[256] = { 0 }, packets = 0, bytes = 0, now = realtime_ns();
	const struct sv_flow *r;

	assert_int_equal(g->n, 213);  /* softflowd: "113 flows, 213 records" */
	for (size_t i = 0; i < g->n; i++) {
		r = &g->r[i];
		assert_int_equal(r->kind, SV_FLOW_AGGREGATE);
		assert_int_equal(r->sampling_rate, 1);
		assert_int_equal(r->agent_family, 4);
		assert_ip(r->agent, 4, "127.0.0.1");
		assert_true(r->last_ns >= r->first_ns);
		assert_true(r->ts_ns <= now && r->ts_ns > now - 60 * SEC);
		packets += r->packets;
		bytes += r->bytes;
		pk[r->proto] += r->packets;
		by[r->proto] += r->bytes;
	}
	/* tshark: IP packets and ip.len + (ipv6.plen + 40) of data/demo.pcap */
	assert_int_equal(packets, 17355);
	assert_int_equal(bytes, 4108838);
	/* softflowd's per-protocol statistics of the same export */
	assert_int_equal(pk[6], 706);
	assert_int_equal(by[6], 224552);
	assert_int_equal(pk[17], 16620);
	assert_int_equal(by[17], 3881862);
	assert_int_equal(pk[1], 6);
	assert_int_equal(by[1], 504);
	assert_int_equal(pk[58], 23);
	assert_int_equal(by[58], 1920);
	check_times(DATA_DIR "nfdump-sample.raw", g, 1);

	/* row 1: ::, ff02::1:ff4d:1, ICMP6 dated 0, 1 packet, 72 bytes */
	r = &g->r[0];
	assert_int_equal(r->ip_version, 6);
	assert_ip(r->src, 6, "::");
	assert_ip(r->dst, 6, "ff02::1:ff4d:1");
	assert_int_equal(r->proto, 58);
	assert_int_equal(r->packets, 1);
	assert_int_equal(r->bytes, 72);
	/* row 4: 10.77.0.1:80 -> 10.77.0.2:60590 TCP ...AP.SF, 6 packets, 766 bytes */
	r = &g->r[3];
	assert_int_equal(r->ip_version, 4);
	assert_ip(r->src, 4, "10.77.0.1");
	assert_ip(r->dst, 4, "10.77.0.2");
	assert_int_equal(r->sport, 80);
	assert_int_equal(r->dport, 60590);
	assert_int_equal(r->proto, 6);
	assert_int_equal(r->tcp_flags, 0x10 | 0x08 | 0x02 | 0x01);
	assert_int_equal(r->packets, 6);
	assert_int_equal(r->bytes, 766);
	/* the first ICMP echo request: type 8, code 0 (tshark), as nfdump's csv dp 2048 */
	for (size_t i = 0; i < g->n; i++) {
		if (g->r[i].proto == 1 && g->r[i].dport) {
			assert_int_equal(g->r[i].dport, 8 << 8);
			break;
		}
	}
	/* row 213: fd00:77::2:54863 -> fd00:77::1:5201 UDP, 5501 packets, 1364052 bytes */
	r = &g->r[212];
	assert_ip(r->src, 6, "fd00:77::2");
	assert_ip(r->dst, 6, "fd00:77::1");
	assert_int_equal(r->sport, 54863);
	assert_int_equal(r->dport, 5201);
	assert_int_equal(r->proto, 17);
	assert_int_equal(r->packets, 5501);
	assert_int_equal(r->bytes, 1364052);
}

static void sample_in_chunks(size_t chunk)
{
	struct sv_nfdump_stats st = { 0 };
	struct got g = { 0 };
	size_t len;
	char *text = slurp(DATA_DIR "nfdump-sample.txt", &len);

	assert_int_equal(read_text(text, len, chunk, &st, &g), 213);
	assert_int_equal(st.rows, 213);
	assert_int_equal(st.records, 213);
	assert_int_equal(st.malformed, 0);
	assert_int_equal(st.summary_mismatch, 0);  /* 213 flows, 4108838 bytes, 17355 packets */
	check_sample(&g);
	free(g.r);
	free(text);
}

static void test_sample(void **state)
{
	sample_in_chunks(0);
}

/* The same output cut anywhere: as a pipe hands it over. */
static void test_sample_chunks(void **state)
{
	static const size_t chunks[] = { 1, 2, 7, 100, 4095, 4096, 4097 };

	for (size_t i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++)
		sample_in_chunks(chunks[i]);
}

static void test_biflow(void **state)
{
	struct sv_nfdump_stats st = { 0 };
	struct got g = { 0 };
	uint64_t packets = 0, bytes = 0;
	size_t len;
	char *text = slurp(DATA_DIR "nfdump-biflow.txt", &len);
	const struct sv_flow *r;

	/* 3 rows with both directions */
	assert_int_equal(read_text(text, len, 0, &st, &g), 6);
	assert_int_equal(st.rows, 3);
	assert_int_equal(st.records, 6);
	assert_int_equal(st.malformed, 0);
	assert_int_equal(st.summary_mismatch, 0);
	for (size_t i = 0; i < g.n; i++) {
		packets += g.r[i].packets;
		bytes += g.r[i].bytes;
	}
	/* tshark: 6 packets, ip.len adding up to 730 in dns-udp.pcap */
	assert_int_equal(packets, 6);
	assert_int_equal(bytes, 730);
	check_times(DATA_DIR "nfdump-biflow.raw", &g, 2);
	/* 8.8.8.8:53 -> 10.16.1.11:55398 UDP, ipkt 1, ibyt 259, opkt 1, obyt 67 */
	r = &g.r[0];
	assert_ip(r->src, 4, "8.8.8.8");
	assert_ip(r->dst, 4, "10.16.1.11");
	assert_int_equal(r->sport, 53);
	assert_int_equal(r->dport, 55398);
	assert_int_equal(r->bytes, 259);
	r = &g.r[1];
	assert_ip(r->src, 4, "10.16.1.11");
	assert_ip(r->dst, 4, "8.8.8.8");
	assert_int_equal(r->sport, 55398);
	assert_int_equal(r->dport, 53);
	assert_int_equal(r->proto, 17);
	assert_int_equal(r->packets, 1);
	assert_int_equal(r->bytes, 67);
	free(g.r);
	free(text);
}

/* Addresses nfdump would shorten without -6, whole. */
static void test_ipv6(void **state)
{
	struct sv_nfdump_stats st = { 0 };
	struct got g = { 0 };
	uint64_t bytes = 0;
	size_t len;
	char *text = slurp(DATA_DIR "nfdump-ipv6.txt", &len);

	assert_int_equal(read_text(text, len, 0, &st, &g), 5);
	assert_int_equal(st.malformed, 0);
	assert_int_equal(st.summary_mismatch, 0);
	check_times(DATA_DIR "nfdump-ipv6.raw", &g, 1);
	/* tshark: ipv6.src and ipv6.dst of the first packet of dns-ipv6-frag.pcap */
	assert_int_equal(g.r[0].ip_version, 6);
	assert_ip(g.r[0].src, 6, "2001:470:1f11:81f:d138:5f55:6d4:1fe2");
	assert_ip(g.r[0].dst, 6, "2607:f740:b::f93");
	assert_int_equal(g.r[0].sport, 51850);
	assert_int_equal(g.r[0].dport, 53);
	for (size_t i = 0; i < g.n; i++)
		bytes += g.r[i].bytes;
	/* nfdump's own summary line of the same file */
	assert_non_null(strstr(text, "total bytes: "));
	assert_int_equal(bytes, strtoull(strstr(text, "total bytes: ") + 13, NULL, 10));
	free(g.r);
	free(text);
}

/* ------------------------------------------------------------------ */
/* Bad lines                                                            */

static const char header[] =
	"Date first seen (raw)     Date last seen (raw)          Duration          Src IP Addr"
	"      Dst IP Addr Src Pt Dst Pt Proto    Flags   In Pkt  In Byte  Out Pkt Out Byte"
	"  Input Output SVlan        Router IP\n";
/* Row 4 of nfdump-sample.txt, with in, out and svln set to see them read. */
static const char *const good[17] = {
	"1795681511.699", "1795681511.005", "   0.006", "10.77.0.1", "10.77.0.2", "80",
	"60590", "6    ", "...AP.SF", "6", "766", "0", "0", "3", "7", "42", "127.0.0.1",
};

/* The good row with field `k` replaced by `v` (k < 0: unchanged), and
 * only the first `nf` fields. */
static void add_row(char **buf, size_t *len, int k, const char *v, int nf)
{
	for (int i = 0; i < nf; i++) {
		const char *s = i == k ? v : good[i];
		size_t n = strlen(s);

		*buf = realloc(*buf, *len + n + 2);
		assert_non_null(*buf);
		memcpy(*buf + *len, s, n);
		*len += n;
		(*buf)[(*len)++] = i == nf - 1 ? '\n' : ',';
	}
}

static void add_text(char **buf, size_t *len, const char *s)
{
	size_t n = strlen(s);

	*buf = realloc(*buf, *len + n);
	assert_non_null(*buf);
	memcpy(*buf + *len, s, n);
	*len += n;
}

static void test_bad_lines(void **state)
{
	static const struct { int k; const char *v; } bad[] = {
		{ 0, "yesterday" }, { 0, "-1.000" }, { 0, "1795681511." }, { 0, "1.0000000001" },
		{ 0, "18446744073709552.000" }, { 1, "" }, { 1, "1.x" }, { 2, "abc" },
		{ 2, "-1.000" }, { 3, "10.77.0.256" }, { 3, "" }, { 3, "2001:47..d4:1fe2" },
		{ 4, "fd00::1" }, { 5, "70000" }, { 6, "-1" }, { 6, "" }, { 6, "8.256" },
		{ 6, "8." }, { 7, "TCP" }, { 7, "256" }, { 8, "...XP.SF" }, { 8, "..........." },
		{ 9, "12x" }, { 10, "-5" }, { 10, "18446744073709551616" }, { 11, "1e3" },
		{ 13, "4294967296" }, { 15, "65536" }, { 16, "exporter" },
	};
	static const struct { int k; const char *v; } fine[] = {
		{ 7, "200  " }, { 8, ".AP.SF" }, { 8, "0x1b" }, { 6, "3.1" },
		{ 0, "1795681511.25" }, { 2, "18446744073709552.000" },
	};
	struct sv_nfdump_stats st = { 0 };
	struct got g = { 0 };
	char *buf = NULL, *longline;
	size_t len = 0, nbad = sizeof(bad) / sizeof(bad[0]), nfine = sizeof(fine) / sizeof(fine[0]);

	add_text(&buf, &len, header);
	add_row(&buf, &len, -1, NULL, 17);
	for (size_t i = 0; i < nbad; i++)
		add_row(&buf, &len, bad[i].k, bad[i].v, 17);
	add_row(&buf, &len, -1, NULL, 10);   /* fields missing */
	add_row(&buf, &len, -1, NULL, 16);
	add_row(&buf, &len, 16, "127.0.0.1,extra", 17);
	add_text(&buf, &len, "1,2,3,4,5,6,7,8,9,10,1,2,3,4,5,6,7,8,9,20,1,2,3\n");
	longline = malloc(10001);
	assert_non_null(longline);
	memset(longline, 'x', 10000);
	longline[10000] = '\0';
	add_text(&buf, &len, longline);
	add_text(&buf, &len, "\n");
	add_text(&buf, &len, "Summary: total flows: x\n");  /* a bad summary: malformed, no row */
	for (size_t i = 0; i < nfine; i++)
		add_row(&buf, &len, fine[i].k, fine[i].v, 17);
	add_text(&buf, &len, "\r\n\n");
	add_row(&buf, &len, -1, NULL, 17);
	len--;  /* the last row ends without a newline */

	assert_int_equal(read_text(buf, len, 0, &st, &g), 2 + (int)nfine);
	assert_int_equal(st.malformed, nbad + 5 + 1);  /* 5 rows and the summary */
	assert_int_equal(st.rows, 2 + nfine + nbad + 5);
	assert_int_equal(st.records, 2 + nfine);
	/* the good row, every field as written */
	assert_int_equal(g.r[0].sport, 80);
	assert_int_equal(g.r[0].dport, 60590);
	assert_int_equal(g.r[0].in_if, 3);
	assert_int_equal(g.r[0].out_if, 7);
	assert_int_equal(g.r[0].vlan, 42);
	assert_int_equal(g.r[0].first_ns, 1795681511699 * MS);
	assert_int_equal(g.r[0].last_ns, 1795681511705 * MS);  /* ts + td; %ter's ms are wrong */
	assert_int_equal(g.r[1].proto, 200);
	assert_int_equal(g.r[2].tcp_flags, 0x1b);
	assert_int_equal(g.r[3].tcp_flags, 0x1b);
	assert_int_equal(g.r[4].dport, 3 << 8 | 1);
	assert_int_equal(g.r[5].first_ns, 1795681511250 * MS);
	assert_int_equal(g.r[6].last_ns, g.r[6].first_ns);  /* te before ts, td unusable */
	assert_int_equal(g.r[7].bytes, 766);
	free(longline);
	free(buf);
	free(g.r);
}

static void test_summary(void **state)
{
	struct sv_nfdump_stats st = { 0 };
	struct got g = { 0 };
	char *buf = NULL;
	size_t len = 0;

	add_text(&buf, &len, header);
	add_row(&buf, &len, -1, NULL, 17);
	add_row(&buf, &len, 9, "4", 17);
	add_text(&buf, &len, "Summary: total flows: 2, total bytes: 1532, total packets: 10, "
		 "avg bps: 0, avg pps: 0, avg bpp: 153\nTime window: <unknown>\n"
		 "Total flows processed: 2, passed: 2, Blocks skipped: 0, Bytes read: 0\n"
		 "Sys: 0.0010s User: 0.0000s Wall: 0.0001s flows/second: 0.0 Runtime: 0.0001s\n");
	/* a summary that disagrees with its one row (as if rows were lost) */
	add_text(&buf, &len, header);
	add_row(&buf, &len, -1, NULL, 17);
	add_text(&buf, &len, "Summary: total flows: 2, total bytes: 1532, total packets: 12, "
		 "avg bps: 0, avg pps: 0, avg bpp: 153\n");
	/* an empty file */
	add_text(&buf, &len, header);
	add_text(&buf, &len, "No matching flows\nSummary: total flows: 0, total bytes: 0, "
		 "total packets: 0, avg bps: 0, avg pps: 0, avg bpp: 0\n");
	assert_int_equal(read_text(buf, len, 0, &st, &g), 3);
	assert_int_equal(st.malformed, 0);
	assert_int_equal(st.rows, 3);
	assert_int_equal(st.summary_mismatch, 1);
	free(buf);
	free(g.r);
}

/* ------------------------------------------------------------------ */
/* The watch and the run, with a stand-in nfdump                       */

static char tmpdir[64], bindir[128], watchdir[128], oldpath[4096];

static void put(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int setup_watch(void **state)
{
	char script[sizeof(bindir) + sizeof(oldpath) + 8], body[1024];

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_nfdump.XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	snprintf(bindir, sizeof(bindir), "%s/bin", tmpdir);
	snprintf(watchdir, sizeof(watchdir), "%s/flows", tmpdir);
	if (mkdir(bindir, 0700) < 0 || mkdir(watchdir, 0700) < 0)
		return -1;
	/*
	 * It prints the file it is given (which holds nfdump's output) when
	 * called with the daemon's arguments; fails for a name with "fail";
	 * for one with "junk" it complains on stderr and exits 0, as nfdump
	 * 1.7 does on a file that is not nfcapd's; "loud" complains 10000
	 * bytes' worth.
	 */
	snprintf(body, sizeof(body), "#!/bin/sh\n"
		 "[ \"$1 $2 $3 $4 $5\" = \"-N -6 -o %s -r\" ] && [ $# = 6 ] || exit 2\n"
		 "case \"$6\" in *fail*) exit 3;; esac\n"
		 "case \"$6\" in *junk*) echo \"Short read from file: $6\" >&2; "
		 "echo 'No matching flows'; exit 0;; esac\n"
		 "case \"$6\" in *loud*) yes 'nfdump complains' | head -c 10000 >&2;; esac\n"
		 "exec cat -- \"$6\"\n", SV_NFDUMP_FMT);
	put(bindir, "nfdump", body);
	snprintf(script, sizeof(script), "%s/nfdump", bindir);
	if (chmod(script, 0700) < 0)
		return -1;
	snprintf(oldpath, sizeof(oldpath), "%s", getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
	snprintf(script, sizeof(script), "%s:%s", bindir, oldpath);
	setenv("PATH", script, 1);
	return 0;
}

static int teardown_watch(void **state)
{
	char cmd[256];

	setenv("PATH", oldpath, 1);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/*
 * Poll until `want` records came and nothing runs, or 5 s passed,
 * reading at most `budget` bytes of output per call.
 */
static int poll_for(struct sv_nfdump *nf, struct got *g, size_t want, size_t budget)
{
	struct pollfd p = { .fd = sv_nfdump_fd(nf), .events = POLLIN };
	int total = 0, wait = 10;

	for (int i = 0; i < 5000 && (g->n < want || !sv_nfdump_idle(nf)); i++) {
		int n;

		poll(&p, 1, wait);
		wait = 10;
		n = sv_nfdump_poll(nf, budget, collect, g, &wait);
		if (n < 0)
			return n;
		total += n;
	}
	return total;
}

static void test_watch(void **state)
{
	struct sv_nfdump_stats st;
	struct got g = { 0 };
	struct sv_nfdump *nf;
	char from[256], to[256], cwd[PATH_MAX];
	size_t len;
	char *text = slurp(DATA_DIR "nfdump-sample.txt", &len);
	int wait = -1;

	assert_non_null(getcwd(cwd, sizeof(cwd)));
	nf = sv_nfdump_open(watchdir);
	assert_non_null(nf);
	assert_true(sv_nfdump_fd(nf) >= 0);
	assert_int_equal(sv_nfdump_poll(nf, 65536, collect, &g, &wait), 0);
	assert_int_equal(wait, -1);

	/* nfcapd's way: write the current file, rename it on rotation */
	put(watchdir, "nfcapd.current.4242", text);
	assert_int_equal(poll_for(nf, &g, 1, 65536), 0);  /* not finished yet */
	snprintf(from, sizeof(from), "%s/nfcapd.current.4242", watchdir);
	snprintf(to, sizeof(to), "%s/nfcapd.20261126082511", watchdir);
	assert_int_equal(rename(from, to), 0);
	assert_int_equal(poll_for(nf, &g, 213, 65536), 213);
	check_sample(&g);
	g.n = 0;

	/* read a few bytes at a time: the stream resumes where it stopped */
	put(watchdir, "nfcapd.202611260826", text);
	assert_int_equal(poll_for(nf, &g, 213, 97), 213);
	check_sample(&g);
	g.n = 0;

	/* a name is an argument, never a command; the run is in watchdir */
	assert_int_equal(chdir(watchdir), 0);
	put(watchdir, "nfcapd.2026;touch pwned;$(touch pwned2)", text);
	assert_int_equal(poll_for(nf, &g, 213, 65536), 213);
	assert_int_equal(access("pwned", F_OK), -1);
	assert_int_equal(access("pwned2", F_OK), -1);
	assert_int_equal(chdir(cwd), 0);

	/* other names are not nfcapd's finished files; nfdump failing, or
	 * complaining on stderr while it exits 0, is counted */
	put(watchdir, "nfcapd.current.99", text);
	put(watchdir, "README", text);
	put(watchdir, "nfcapd.2026fail", "");
	put(watchdir, "nfcapd.2026junk", "");
	put(watchdir, "nfcapd.2026loud", text);
	assert_int_equal(poll_for(nf, &g, 2 * 213, 65536), 213);
	sv_nfdump_stats(nf, &st);
	assert_int_equal(st.files, 6);
	assert_int_equal(st.nfdump_failures, 3);
	assert_int_equal(st.records, 4 * 213);
	assert_int_equal(st.rows, 4 * 213);
	assert_int_equal(st.malformed, 0);
	assert_int_equal(st.summary_mismatch, 0);
	/* the junk's line and the loud one's 10000 bytes, all counted */
	assert_int_equal(st.stderr_bytes, strlen("Short read from file: \n") + strlen(watchdir) +
			 strlen("/nfcapd.2026junk") + 10000);

	/* the directory going away ends the watch */
	snprintf(from, sizeof(from), "rm -rf '%s'", watchdir);
	assert_int_equal(system(from), 0);
	assert_int_equal(poll_for(nf, &g, SIZE_MAX, 65536), -1);
	sv_nfdump_close(nf);
	assert_int_equal(mkdir(watchdir, 0700), 0);
	free(text);
	free(g.r);
}

/* Closing while nfdump runs ends it, counting nothing. */
static void test_close_running(void **state)
{
	struct sv_nfdump_stats st;
	struct got g = { 0 };
	struct sv_nfdump *nf = sv_nfdump_open(watchdir);
	size_t len;
	char *text = slurp(DATA_DIR "nfdump-sample.txt", &len);

	assert_non_null(nf);
	put(watchdir, "nfcapd.202611260827", text);
	/* a few bytes only: nfdump is still writing when we stop */
	for (int i = 0; i < 500 && g.n == 0; i++) {
		struct pollfd p = { .fd = sv_nfdump_fd(nf), .events = POLLIN };
		int wait = -1;

		poll(&p, 1, 10);
		assert_true(sv_nfdump_poll(nf, 600, collect, &g, &wait) >= 0);
	}
	assert_true(g.n > 0);
	assert_false(sv_nfdump_idle(nf));
	sv_nfdump_stats(nf, &st);
	assert_int_equal(st.nfdump_failures, 0);
	sv_nfdump_close(nf);
	free(text);
	free(g.r);
}

static void test_open_errors(void **state)
{
	char missing[160];

	snprintf(missing, sizeof(missing), "%s/nowhere", tmpdir);
	errno = 0;
	assert_null(sv_nfdump_open(missing));
	assert_int_equal(errno, ENOENT);
	snprintf(missing, sizeof(missing), "%s/nfdump", bindir);
	assert_null(sv_nfdump_open(missing));  /* not a directory */
	assert_int_equal(errno, ENOTDIR);

	setenv("PATH", "/nonexistent", 1);
	errno = 0;
	assert_null(sv_nfdump_open(watchdir));
	assert_int_equal(errno, ENOENT);
	sv_nfdump_close(NULL);
}

/* ------------------------------------------------------------------ */
/* The harness for tests/nfdump_path.sh                                 */

static volatile sig_atomic_t stop;

static void on_stop(int sig)
{
	stop = sig;
}

struct harness {
	FILE *out;
	uint64_t packets, bytes;
};

static void harness_emit(void *ctx, const struct sv_flow *r)
{
	struct harness *h = ctx;
	char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];
	int fam = r->ip_version == 6 ? AF_INET6 : AF_INET;

	h->packets += r->packets;
	h->bytes += r->bytes;
	if (!h->out)
		return;
	inet_ntop(fam, r->src, s, sizeof(s));
	inet_ntop(fam, r->dst, d, sizeof(d));
	fprintf(h->out, "%s %s %u %u %u %llu %llu\n", s, d, r->sport, r->dport, r->proto,
		(unsigned long long)r->packets, (unsigned long long)r->bytes);
}

/*
 * Watch NFDUMP_DIR until SIGTERM or SIGINT, then take what is left and
 * print the totals on one line. With NFDUMP_RECORDS set, write each record
 * there as "src dst sport dport proto packets bytes".
 */
static int harness(const char *dir)
{
	struct sigaction sa = { .sa_handler = on_stop };
	struct harness h = { 0 };
	struct sv_nfdump_stats st;
	struct sv_nfdump *nf;
	const char *out = getenv("NFDUMP_RECORDS");
	int rc = 0;

	sv_log_init("test_nfdump", SV_LOG_INFO);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	if (out && !(h.out = fopen(out, "w"))) {
		perror(out);
		return 1;
	}
	nf = sv_nfdump_open(dir);
	if (!nf)
		return 1;
	printf("watching %s\n", dir);
	fflush(stdout);
	/* after the signal, what is left: a rename just before it is queued */
	for (bool last = false; rc == 0;) {
		struct pollfd p = { .fd = sv_nfdump_fd(nf), .events = POLLIN };
		int wait = 200;

		if (stop && !last) {
			last = true;
			wait = 0;
		} else if (last && sv_nfdump_idle(nf)) {
			break;
		}
		poll(&p, 1, wait);
		wait = -1;
		if (sv_nfdump_poll(nf, 65536, harness_emit, &h, &wait) < 0)
			rc = 1;
	}
	sv_nfdump_stats(nf, &st);
	sv_nfdump_close(nf);
	if (h.out)
		fclose(h.out);
	printf("files=%llu rows=%llu records=%llu malformed=%llu nfdump_failures=%llu "
	       "summary_mismatch=%llu stderr_bytes=%llu packets=%llu bytes=%llu\n",
	       (unsigned long long)st.files, (unsigned long long)st.rows,
	       (unsigned long long)st.records, (unsigned long long)st.malformed,
	       (unsigned long long)st.nfdump_failures, (unsigned long long)st.summary_mismatch,
	       (unsigned long long)st.stderr_bytes,
	       (unsigned long long)h.packets, (unsigned long long)h.bytes);
	return rc;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sample),
		cmocka_unit_test(test_sample_chunks),
		cmocka_unit_test(test_biflow),
		cmocka_unit_test(test_ipv6),
		cmocka_unit_test(test_bad_lines),
		cmocka_unit_test(test_summary),
		cmocka_unit_test(test_watch),
		cmocka_unit_test(test_close_running),
		cmocka_unit_test(test_open_errors),
	};
	const char *dir = getenv("NFDUMP_DIR");

	if (dir)
		return harness(dir);
	sv_log_init("test_nfdump", SV_LOG_ERR);
	return cmocka_run_group_tests(tests, setup_watch, teardown_watch);
}
