/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_nfdump.c - the nfdump path: real nfdump CSV against figures found
 * without it, bad lines counted and skipped, the directory watch and the
 * nfdump run (with a stand-in nfdump).
 *
 * tests/data/nfdump-sample.csv is what nfcapd and nfdump 1.7.1 made of the
 * NetFlow v9 softflowd exported from data/demo.pcap; nfdump-biflow.csv the
 * same for IPFIX biflows from dns-udp.pcap (make-nfdump-sample.sh there).
 * Their totals are held against tshark's and softflowd's counts, a few
 * rows against values read off the file by hand, times against `date -u`.
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
#include "daemon/nfdump_csv.h"

#define DATA_DIR "tests/data/"
#define SEC 1000000000ull

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

/* Parse `text` as nfdump's output; returns what sv_nfdump_csv_read does. */
static int read_text(const char *text, size_t len, struct sv_nfdump_stats *st, struct got *g)
{
	FILE *f = tmpfile();
	int n;

	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	fflush(f);
	assert_int_equal(lseek(fileno(f), 0, SEEK_SET), 0);
	n = sv_nfdump_csv_read(fileno(f), "test", st, collect, g);
	fclose(f);
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

/* ------------------------------------------------------------------ */
/* The captured CSV                                                     */

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

	/* row 1: 1970-01-01 00:00:00,...,0.000,::,ff02::1:ff4d:1,0,0,ICMP6,........,..,1,72 */
	r = &g->r[0];
	assert_int_equal(r->ip_version, 6);
	assert_ip(r->src, 6, "::");
	assert_ip(r->dst, 6, "ff02::1:ff4d:1");
	assert_int_equal(r->proto, 58);
	assert_int_equal(r->first_ns, 0);
	assert_int_equal(r->last_ns, 0);
	assert_int_equal(r->packets, 1);
	assert_int_equal(r->bytes, 72);
	/* row 4: 2026-11-26 08:25:11 (date -u: 1795681511), td 0.006,
	 * 10.77.0.1:80 -> 10.77.0.2:60590 TCP ...AP.SF, 6 packets, 766 bytes */
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
	assert_int_equal(r->first_ns, 1795681511 * SEC);
	assert_int_equal(r->last_ns, 1795681511 * SEC + 6000000);
	/* row 209: ts 08:25:13 (1795681513), te 08:25:26, td 13.471,
	 * fe80::aff:fe4d:2 -> ff02::2 ICMP6, 3 packets, 168 bytes */
	r = &g->r[208];
	assert_ip(r->src, 6, "fe80::aff:fe4d:2");
	assert_ip(r->dst, 6, "ff02::2");
	assert_int_equal(r->tcp_flags, 0);
	assert_int_equal(r->first_ns, 1795681513 * SEC);
	assert_int_equal(r->last_ns, 1795681513 * SEC + 13471000000ull);
	assert_int_equal(r->packets, 3);
	assert_int_equal(r->bytes, 168);
	/* row 213: ts 08:25:22 (1795681522), td 4.400,
	 * fd00:77::2:54863 -> fd00:77::1:5201 UDP, 5501 packets, 1364052 bytes */
	r = &g->r[212];
	assert_ip(r->src, 6, "fd00:77::2");
	assert_ip(r->dst, 6, "fd00:77::1");
	assert_int_equal(r->sport, 54863);
	assert_int_equal(r->dport, 5201);
	assert_int_equal(r->proto, 17);
	assert_int_equal(r->packets, 5501);
	assert_int_equal(r->bytes, 1364052);
	assert_int_equal(r->first_ns, 1795681522 * SEC);
	assert_int_equal(r->last_ns, 1795681522 * SEC + 4400000000ull);
}

static void test_sample(void **state)
{
	struct sv_nfdump_stats st = { 0 };
	struct got g = { 0 };
	size_t len;
	char *text = slurp(DATA_DIR "nfdump-sample.csv", &len);

	assert_int_equal(read_text(text, len, &st, &g), 213);
	assert_int_equal(st.rows, 213);
	assert_int_equal(st.records, 213);
	assert_int_equal(st.malformed, 0);
	assert_int_equal(st.summary_mismatch, 0);  /* 213 flows, 4108838 bytes, 17355 packets */
	check_sample(&g);
	free(g.r);
	free(text);
}

/* -q output: no header, no summary; the rows are read in 1.7's layout. */
static void test_sample_quiet(void **state)
{
	struct sv_nfdump_stats st = { 0 };
	struct got g = { 0 };
	size_t len;
	char *text = slurp(DATA_DIR "nfdump-sample.csv", &len);
	char *rows = strchr(text, '\n') + 1, *end = strstr(text, "Summary\n");

	assert_non_null(end);
	assert_int_equal(read_text(rows, (size_t)(end - rows), &st, &g), 213);
	assert_int_equal(st.malformed, 0);
	check_sample(&g);
	free(g.r);
	free(text);
}

static void test_biflow(void **state)
{
	struct sv_nfdump_stats st = { 0 };
	struct got g = { 0 };
	uint64_t packets = 0, bytes = 0;
	size_t len;
	char *text = slurp(DATA_DIR "nfdump-biflow.csv", &len);
	const struct sv_flow *r;

	/* 3 rows with both directions */
	assert_int_equal(read_text(text, len, &st, &g), 6);
	assert_int_equal(st.rows, 3);
	assert_int_equal(st.records, 6);
	assert_int_equal(st.malformed, 0);
	assert_int_equal(st.summary_mismatch, 0);
	for (size_t i = 0; i < g.n; i++) {
		packets += g.r[i].packets;
		bytes += g.r[i].bytes;
		/* td is "18446744073709552.000" (te before ts): no duration */
		assert_int_equal(g.r[i].last_ns, g.r[i].first_ns);
	}
	/* tshark: 6 packets, ip.len adding up to 730 in dns-udp.pcap */
	assert_int_equal(packets, 6);
	assert_int_equal(bytes, 730);
	/* 2017-05-09 21:07:38 (1494364058), 8.8.8.8:53 -> 10.16.1.11:55398 UDP,
	 * ipkt 1, ibyt 259, opkt 1, obyt 67 */
	r = &g.r[0];
	assert_ip(r->src, 4, "8.8.8.8");
	assert_ip(r->dst, 4, "10.16.1.11");
	assert_int_equal(r->sport, 53);
	assert_int_equal(r->dport, 55398);
	assert_int_equal(r->bytes, 259);
	assert_int_equal(r->first_ns, 1494364058 * SEC);
	r = &g.r[1];
	assert_ip(r->src, 4, "10.16.1.11");
	assert_ip(r->dst, 4, "8.8.8.8");
	assert_int_equal(r->sport, 55398);
	assert_int_equal(r->dport, 53);
	assert_int_equal(r->proto, 17);
	assert_int_equal(r->packets, 1);
	assert_int_equal(r->bytes, 67);
	assert_int_equal(r->first_ns, 1494364058 * SEC);
	free(g.r);
	free(text);
}

/* ------------------------------------------------------------------ */
/* Bad lines                                                            */

static const char header[] =
	"ts,te,td,sa,da,sp,dp,pr,flg,fwd,stos,ipkt,ibyt,opkt,obyt,in,out,sas,das,smk,dmk,"
	"dtos,dir,nh,nhb,svln,dvln,ismc,odmc,idmc,osmc,mpls1,mpls2,mpls3,mpls4,mpls5,"
	"mpls6,mpls7,mpls8,mpls9,mpls10,cl,sl,al,ra,eng,exid,tr\n";
/* A row of nfdump-sample.csv, with in, out and svln set to see them read. */
static const char *const good[48] = {
	"2026-11-26 08:25:11", "2026-11-26 08:25:11", "0.006", "10.77.0.1", "10.77.0.2",
	"80", "60590", "TCP", "...AP.SF", "0", "0", "6", "766", "0", "0", "3", "7", "0", "0",
	"0", "0", "0", "0", "0.0.0.0", "0.0.0.0", "42", "0", "00:00:00:00:00:00",
	"00:00:00:00:00:00", "00:00:00:00:00:00", "00:00:00:00:00:00", "0-0-0", "0-0-0",
	"0-0-0", "0-0-0", "0-0-0", "0-0-0", "0-0-0", "0-0-0", "0-0-0", "0-0-0", "    0.000",
	"    0.000", "    0.000", "127.0.0.1", "0/0", "1", "2026-11-26 08:43:26.629",
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
		{ 0, "2026-13-01 00:00:00" }, { 0, "2026-02-29 00:00:00" },
		{ 1, "2026-11-26 24:00:00" }, { 0, "yesterday" }, { 0, "1969-12-31 23:59:59" },
		{ 1, "2555-01-01 00:00:00" },
		{ 0, "2026-11-26 08:25:11.x" }, { 2, "abc" }, { 2, "-1.000" },
		{ 3, "10.77.0.256" }, { 3, "" }, { 4, "fd00::1" }, { 5, "70000" }, { 6, "-1" },
		{ 6, "" }, { 7, "FOO" }, { 7, "256" }, { 8, "...XP.SF" }, { 8, "..........." },
		{ 11, "12x" }, { 12, "-5" }, { 12, "18446744073709551616" }, { 13, "1e3" },
		{ 15, "4294967296" }, { 25, "65536" }, { 44, "exporter" },
	};
	static const struct { int k; const char *v; } fine[] = {
		{ 7, "tcp" }, { 7, "200  " }, { 7, "6" }, { 8, ".AP.SF" }, { 8, "0x1b" },
		{ 0, "2026-11-26 08:25:11.250" }, { 2, "18446744073709552.000" },
	};
	struct sv_nfdump_stats st = { 0 };
	struct got g = { 0 };
	char *buf = NULL, *longline;
	size_t len = 0, nbad = sizeof(bad) / sizeof(bad[0]), nfine = sizeof(fine) / sizeof(fine[0]);

	add_text(&buf, &len, header);
	add_row(&buf, &len, -1, NULL, 48);
	for (size_t i = 0; i < nbad; i++)
		add_row(&buf, &len, bad[i].k, bad[i].v, 48);
	add_row(&buf, &len, -1, NULL, 20);   /* fields missing */
	add_row(&buf, &len, -1, NULL, 47);
	add_row(&buf, &len, 47, "2026-11-26 08:43:26.629,extra", 48);
	add_text(&buf, &len, "1,2,3,4,5,6,7,8,9,10,1,2,3,4,5,6,7,8,9,20,1,2,3,4,5,6,7,8,9,30,"
		 "1,2,3,4,5,6,7,8,9,40,1,2,3,4,5,6,7,8,9,50,1,2,3,4,5,6,7,8,9,60,1,2,3,4,5,6\n");
	longline = malloc(10001);
	assert_non_null(longline);
	memset(longline, 'x', 10000);
	longline[10000] = '\0';
	add_text(&buf, &len, longline);
	add_text(&buf, &len, "\n");
	for (size_t i = 0; i < nfine; i++)
		add_row(&buf, &len, fine[i].k, fine[i].v, 48);
	add_text(&buf, &len, "\r\n\n");
	add_row(&buf, &len, -1, NULL, 48);
	len--;  /* the last row ends without a newline */

	assert_int_equal(read_text(buf, len, &st, &g), 2 + (int)nfine);
	assert_int_equal(st.malformed, nbad + 5);
	assert_int_equal(st.rows, 2 + nfine + nbad + 5);
	assert_int_equal(st.records, 2 + nfine);
	/* the good row, every field as written */
	assert_int_equal(g.r[0].sport, 80);
	assert_int_equal(g.r[0].in_if, 3);
	assert_int_equal(g.r[0].out_if, 7);
	assert_int_equal(g.r[0].vlan, 42);
	assert_int_equal(g.r[0].last_ns - g.r[0].first_ns, 6000000);
	assert_int_equal(g.r[1].proto, 6);
	assert_int_equal(g.r[2].proto, 200);
	assert_int_equal(g.r[3].proto, 6);
	assert_int_equal(g.r[4].tcp_flags, 0x1b);
	assert_int_equal(g.r[5].tcp_flags, 0x1b);
	assert_int_equal(g.r[6].first_ns, 1795681511 * SEC + 250000000);
	assert_int_equal(g.r[7].last_ns, g.r[7].first_ns);  /* te = ts, td unusable */
	assert_int_equal(g.r[8].bytes, 766);
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
	add_row(&buf, &len, -1, NULL, 48);
	add_row(&buf, &len, 11, "4", 48);
	add_text(&buf, &len, "Summary\nflows,bytes,packets,avg_bps,avg_pps,avg_bpp\n"
		 "2,1532,10,0,0,153\n");
	/* a summary that disagrees with its one row (as if rows were lost) */
	add_text(&buf, &len, header);
	add_row(&buf, &len, -1, NULL, 48);
	add_text(&buf, &len, "Summary\nflows,bytes,packets,avg_bps,avg_pps,avg_bpp\n"
		 "2,1532,12,0,0,153\n");
	/* an empty file */
	add_text(&buf, &len, header);
	add_text(&buf, &len, "No matching flows\nSummary\n"
		 "flows,bytes,packets,avg_bps,avg_pps,avg_bpp\n0,0,0,0,0,0\n");
	assert_int_equal(read_text(buf, len, &st, &g), 3);
	assert_int_equal(st.malformed, 0);
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
	char script[sizeof(bindir) + sizeof(oldpath) + 8];

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_nfdump.XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	snprintf(bindir, sizeof(bindir), "%s/bin", tmpdir);
	snprintf(watchdir, sizeof(watchdir), "%s/flows", tmpdir);
	if (mkdir(bindir, 0700) < 0 || mkdir(watchdir, 0700) < 0)
		return -1;
	/* It prints the file it is given (which holds CSV), and fails for a
	 * name with "fail" or without TZ=UTC in its environment. */
	put(bindir, "nfdump", "#!/bin/sh\n"
	    "[ \"$1\" = -r ] && [ \"$3 $4\" = \"-o csv\" ] || exit 2\n"
	    "case \"$2\" in *fail*) exit 3;; esac\n"
	    "[ \"$TZ\" = UTC ] || exit 4\n"
	    "exec cat -- \"$2\"\n");
	snprintf(script, sizeof(script), "%s/nfdump", bindir);
	if (chmod(script, 0700) < 0)
		return -1;
	snprintf(oldpath, sizeof(oldpath), "%s", getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
	snprintf(script, sizeof(script), "%s:%s", bindir, oldpath);
	setenv("PATH", script, 1);
	setenv("TZ", "Asia/Tokyo", 1);  /* nfdump must get UTC anyway */
	return 0;
}

static int teardown_watch(void **state)
{
	char cmd[256];

	setenv("PATH", oldpath, 1);
	unsetenv("TZ");
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Poll until `want` records came or a second passed. */
static int poll_for(struct sv_nfdump *nf, struct got *g, size_t want)
{
	struct pollfd p = { .fd = sv_nfdump_fd(nf), .events = POLLIN };
	int total = 0;

	for (int i = 0; i < 100 && g->n < want; i++) {
		int n;

		poll(&p, 1, 10);
		n = sv_nfdump_poll(nf, collect, g);
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
	char *text = slurp(DATA_DIR "nfdump-sample.csv", &len);

	assert_non_null(getcwd(cwd, sizeof(cwd)));
	nf = sv_nfdump_open(watchdir);
	assert_non_null(nf);
	assert_true(sv_nfdump_fd(nf) >= 0);
	assert_int_equal(sv_nfdump_poll(nf, collect, &g), 0);

	/* nfcapd's way: write the current file, rename it on rotation */
	put(watchdir, "nfcapd.current.4242", text);
	assert_int_equal(poll_for(nf, &g, 1), 0);  /* not finished yet */
	snprintf(from, sizeof(from), "%s/nfcapd.current.4242", watchdir);
	snprintf(to, sizeof(to), "%s/nfcapd.20261126082511", watchdir);
	assert_int_equal(rename(from, to), 0);
	assert_int_equal(poll_for(nf, &g, 213), 213);
	check_sample(&g);

	/* a file written under its final name (nfcapd -t 60 names have no seconds) */
	put(watchdir, "nfcapd.202611260826", text);
	assert_int_equal(poll_for(nf, &g, 2 * 213), 213);

	/* a name is an argument, never a command; the run is in watchdir */
	assert_int_equal(chdir(watchdir), 0);
	put(watchdir, "nfcapd.2026;touch pwned;$(touch pwned2)", text);
	assert_int_equal(poll_for(nf, &g, 3 * 213), 213);
	assert_int_equal(access("pwned", F_OK), -1);
	assert_int_equal(access("pwned2", F_OK), -1);
	assert_int_equal(chdir(cwd), 0);

	/* other names are not nfcapd's finished files; nfdump failing is counted */
	put(watchdir, "nfcapd.current.99", text);
	put(watchdir, "README", text);
	put(watchdir, "nfcapd.2026fail", "");
	assert_int_equal(poll_for(nf, &g, 4 * 213), 0);
	sv_nfdump_stats(nf, &st);
	assert_int_equal(st.files, 4);
	assert_int_equal(st.nfdump_failures, 1);
	assert_int_equal(st.records, 3 * 213);
	assert_int_equal(st.rows, 3 * 213);
	assert_int_equal(st.malformed, 0);
	assert_int_equal(st.summary_mismatch, 0);

	/* the directory going away ends the watch */
	snprintf(from, sizeof(from), "rm -rf '%s'", watchdir);
	assert_int_equal(system(from), 0);
	assert_int_equal(poll_for(nf, &g, SIZE_MAX), -1);
	sv_nfdump_close(nf);
	assert_int_equal(mkdir(watchdir, 0700), 0);
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
	while (!stop) {
		struct pollfd p = { .fd = sv_nfdump_fd(nf), .events = POLLIN };

		poll(&p, 1, 200);
		if (sv_nfdump_poll(nf, harness_emit, &h) < 0) {
			rc = 1;
			break;
		}
	}
	/* a rename just before the signal is already queued */
	if (rc == 0 && sv_nfdump_poll(nf, harness_emit, &h) < 0)
		rc = 1;
	sv_nfdump_stats(nf, &st);
	sv_nfdump_close(nf);
	if (h.out)
		fclose(h.out);
	printf("files=%llu rows=%llu records=%llu malformed=%llu nfdump_failures=%llu "
	       "summary_mismatch=%llu packets=%llu bytes=%llu\n",
	       (unsigned long long)st.files, (unsigned long long)st.rows,
	       (unsigned long long)st.records, (unsigned long long)st.malformed,
	       (unsigned long long)st.nfdump_failures, (unsigned long long)st.summary_mismatch,
	       (unsigned long long)h.packets, (unsigned long long)h.bytes);
	return rc;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sample),
		cmocka_unit_test(test_sample_quiet),
		cmocka_unit_test(test_biflow),
		cmocka_unit_test(test_bad_lines),
		cmocka_unit_test(test_summary),
		cmocka_unit_test(test_watch),
		cmocka_unit_test(test_open_errors),
	};
	const char *dir = getenv("NFDUMP_DIR");

	if (dir)
		return harness(dir);
	sv_log_init("test_nfdump", SV_LOG_ERR);
	return cmocka_run_group_tests(tests, setup_watch, teardown_watch);
}
