/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_ingest.c - what the daemon costs per packet it reads, against the
 * floor of reading: a bare libpcap reader on the same file in the same
 * run; and whether that cost holds when more services read the ring.
 *
 *   bench_ingest [-n PACKETS] [-r REPS] [-C] [-t FILE]
 *          (default 1200000 packets, 5 repetitions; -C: no callgrind;
 *          -t: the table also as TSV in FILE)
 *
 * Run from the top of the tree: the capture is data/demo.pcap written over
 * and over (timestamps moved on each time) into a temporary file of
 * PACKETS packets. The programs are the build's snapvnfd and snapvnf
 * (next to build/bench/) and tcpdump from PATH:
 *
 *   reader    tcpdump -r FILE -w /dev/null -s 150
 *   daemon    snapvnfd -r FILE --wait-for K (lossless) and K services
 *             `snapvnf tap --count`, for K = 1, 8 and 16; the taps at their
 *             default priority (nice 10), and once more at nice 0
 *             (SNAPVNF_NICE=0), to show what yielding is worth
 *
 * The figure is CPU time (user + system, as wait4 reports it for that
 * process alone) per packet in the steady state: the CPU of a replay of
 * PACKETS packets less that of a replay of the first 200000, divided by
 * the difference. What is taken off is start-up (loading, opening) and
 * the first laps of the ring (65536 slots of 320 bytes: the daemon's and
 * each tap's page faults on 20 MB of fresh shared memory, which on this
 * VM cost as much as 100 ns per packet of a 200000-packet replay). Each
 * configuration runs REPS times, the configurations taking turns; the
 * median is reported with the spread (min-max). Every tap must report
 * every packet and none lost, or the run fails: the daemon's cost is only
 * worth comparing while it does its whole job.
 *
 * Instructions (callgrind, unless -C): the daemon with one tap and the
 * reader on 100000 packets, less on 100 packets, per packet (user space
 * only, so page faults do not count): the same
 * comparison without the machine's noise. The daemon's profile, for
 * looking at where its instructions go:
 *   valgrind --tool=callgrind build/snapvnfd -q -r FILE --wait-for 1 &
 *   build/snapvnf tap --count; callgrind_annotate callgrind.out.PID
 *
 * Printed at the end, as numbers (never asserted): ingest = daemon with one
 * tap / reader (CPU, instructions), and fan-out = daemon CPU per packet
 * with 8 and 16 taps / with 1.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <pcap/pcap.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/ctl.h"

extern char **environ;

#define CAPTURE   "data/demo.pcap"
#define BASE      200000u     /* packets of the run whose cost is taken off */
#define CG_BASE   100u        /* the same, under callgrind */
#define CG_PKTS   100000u     /* packets of the callgrind runs */
#define MAX_TAPS  16
#define MAX_REPS  15

static char dir[64];          /* temporary directory of this run */
static char bindir[PATH_MAX]; /* where snapvnfd and snapvnf are */

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static void cleanup(void)
{
	char cmd[128];

	if (!dir[0])
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "bench_ingest: could not remove %s\n", dir);
}

/* Write data/demo.pcap over and over into `out` until it holds `n`
 * packets; each pass is moved on in time past the one before. */
static int make_capture(const char *out, uint64_t n)
{
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *in = NULL, *dead = NULL;
	pcap_dumper_t *d = NULL;
	struct pcap_pkthdr *h;
	const u_char *bytes;
	int64_t shift = 0, first = -1, last = 0;
	uint64_t written = 0;
	int rc = -1;

	dead = pcap_open_dead(DLT_EN10MB, 65535);
	if (!dead || !(d = pcap_dump_open(dead, out))) {
		fprintf(stderr, "bench_ingest: cannot write %s\n", out);
		goto done;
	}
	while (written < n) {
		in = pcap_open_offline(CAPTURE, err);
		if (!in) {
			fprintf(stderr, "bench_ingest: %s (run from the top of the tree)\n", err);
			goto done;
		}
		while (written < n && pcap_next_ex(in, &h, &bytes) == 1) {
			struct pcap_pkthdr o = *h;
			int64_t us = (int64_t)h->ts.tv_sec * 1000000 + h->ts.tv_usec;

			if (first < 0)
				first = us;
			us += shift;
			last = us;
			o.ts.tv_sec = us / 1000000;
			o.ts.tv_usec = us % 1000000;
			pcap_dump((u_char *)d, &o, bytes);
			written++;
		}
		pcap_close(in);
		in = NULL;
		/* The next pass starts 1 ms after this one's last packet. */
		shift = last + 1000 - first;
	}
	rc = 0;
done:
	if (d)
		pcap_dump_close(d);
	if (dead)
		pcap_close(dead);
	return rc;
}

/* Start argv (argv[0] searched in PATH), stdout to `out` (or /dev/null),
 * stderr to `err` (or ours), with `env` added to the environment. */
static pid_t spawn(char *const argv[], const char *out, const char *err, const char *env)
{
	posix_spawn_file_actions_t fa;
	char *envp[256];
	unsigned n = 0;
	pid_t pid;
	int rc;

	for (char **e = environ; *e && n < 250; e++)
		if (!env || strncmp(*e, env, strcspn(env, "=") + 1) != 0)
			envp[n++] = *e;
	if (env)
		envp[n++] = (char *)env;
	envp[n] = NULL;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, out ? out : "/dev/null",
					 O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (err)
		posix_spawn_file_actions_addopen(&fa, 2, err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	if (rc) {
		fprintf(stderr, "bench_ingest: cannot run %s: %s\n", argv[0], strerror(rc));
		return -1;
	}
	return pid;
}

/* Wait for pid (at most `secs`, then SIGKILL); its own CPU time in ns, or
 * a negative number when it failed. */
static double reap(pid_t pid, unsigned secs, const char *what)
{
	struct rusage ru;
	int status = 0;
	pid_t got = 0;

	for (unsigned i = 0; i < secs * 100 && got != pid; i++) {
		got = wait4(pid, &status, WNOHANG, &ru);
		if (got != pid)
			sleep_ms(10);
	}
	if (got != pid) {
		fprintf(stderr, "bench_ingest: %s still running after %u s; killed\n", what, secs);
		kill(pid, SIGKILL);
		wait4(pid, &status, 0, &ru);
		return -1;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "bench_ingest: %s failed (status %d)\n", what, status);
		return -1;
	}
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e9 +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e3;
}

/* Copy what a program said on stderr to ours. */
static void show(const char *file)
{
	char line[512];
	FILE *f = fopen(file, "r");

	while (f && fgets(line, sizeof(line), f))
		fprintf(stderr, "  %s", line);
	if (f)
		fclose(f);
}

/* Wait until a daemon answers on `path` (at most 10 s). */
static int wait_daemon(const char *path)
{
	for (int i = 0; i < 1000; i++) {
		char *r = NULL;
		int ok = sv_ctl_query(path, "status", &r) == 0;

		free(r);
		if (ok)
			return 0;
		sleep_ms(10);
	}
	fprintf(stderr, "bench_ingest: no daemon on %s\n", path);
	return -1;
}

/* The "packets" and "lost" of a tap's --count line. */
static int tap_counts(const char *file, uint64_t *packets, uint64_t *lost)
{
	char line[512];
	FILE *f = fopen(file, "r");
	const char *p, *l;
	int ok;

	if (!f)
		return -1;
	ok = fgets(line, sizeof(line), f) != NULL;
	fclose(f);
	if (!ok || !(p = strstr(line, "\"packets\":")) || !(l = strstr(line, "\"lost\":")))
		return -1;
	*packets = strtoull(p + 10, NULL, 10);
	*lost = strtoull(l + 7, NULL, 10);
	return 0;
}

/*
 * One replay of `file` (`pkts` packets) by snapvnfd with `taps` taps, the
 * taps' environment given `env` (or not). Returns the daemon's CPU ns and
 * adds the taps' to *taps_ns; negative when anything failed or a tap
 * missed a packet. With `cg`, the daemon runs under callgrind writing to
 * that file.
 */
static double run_daemon(const char *file, uint64_t pkts, unsigned taps, const char *env,
			 const char *cg, double *taps_ns)
{
	char daemon[PATH_MAX + 16], cli[PATH_MAX + 16], ctl[96], wait_for[8], out[MAX_TAPS][96];
	char name[MAX_TAPS][16], cgopt[160], errlog[96];
	pid_t dpid, tpid[MAX_TAPS];
	double cpu, sum = 0;
	int bad = 0;

	snprintf(daemon, sizeof(daemon), "%s/snapvnfd", bindir);
	snprintf(cli, sizeof(cli), "%s/snapvnf", bindir);
	snprintf(ctl, sizeof(ctl), "%s/ctl.sock", dir);
	snprintf(errlog, sizeof(errlog), "%s/daemon.err", dir);
	snprintf(wait_for, sizeof(wait_for), "%u", taps);
	unlink(ctl);
	if (cg) {
		snprintf(cgopt, sizeof(cgopt), "--callgrind-out-file=%s", cg);
		char *argv[] = { "valgrind", "--tool=callgrind", "-q", cgopt, daemon, "-q", "-r",
				 (char *)file, "--wait-for", wait_for, "--ctl", ctl, NULL };
		dpid = spawn(argv, NULL, errlog, NULL);
	} else {
		char *argv[] = { daemon, "-q", "-r", (char *)file, "--wait-for", wait_for,
				 "--ctl", ctl, NULL };
		dpid = spawn(argv, NULL, errlog, NULL);
	}
	if (dpid < 0)
		return -1;
	if (wait_daemon(ctl) < 0) {
		show(errlog);
		kill(dpid, SIGKILL);
		waitpid(dpid, NULL, 0);
		return -1;
	}
	for (unsigned i = 0; i < taps; i++) {
		snprintf(name[i], sizeof(name[i]), "ingest%u", i);
		snprintf(out[i], sizeof(out[i]), "%s/tap%u.json", dir, i);
		char *argv[] = { cli, "--ctl", ctl, "tap", "--count", "--name", name[i], NULL };
		tpid[i] = spawn(argv, out[i], NULL, env);
		bad |= tpid[i] < 0;
	}
	cpu = reap(dpid, cg ? 600 : 120, "snapvnfd");
	if (cpu < 0)
		show(errlog);
	for (unsigned i = 0; i < taps; i++) {
		uint64_t got = 0, lost = 0;
		double t = tpid[i] > 0 ? reap(tpid[i], 30, "snapvnf tap") : -1;

		if (t < 0 || tap_counts(out[i], &got, &lost) < 0 || got != pkts || lost) {
			fprintf(stderr, "bench_ingest: tap %u of %u got %llu of %llu packets, "
				"lost %llu\n", i, taps, (unsigned long long)got,
				(unsigned long long)pkts, (unsigned long long)lost);
			bad = 1;
		}
		sum += t;
	}
	if (taps_ns)
		*taps_ns += sum;
	return bad || cpu < 0 ? -1 : cpu;
}

/* tcpdump -r file -w /dev/null -s 150 (under callgrind with `cg`). */
static double run_reader(const char *file, const char *cg)
{
	char cgopt[160];
	pid_t pid;

	if (cg) {
		snprintf(cgopt, sizeof(cgopt), "--callgrind-out-file=%s", cg);
		/* -Z root: tcpdump gives up root for its own user even to read
		 * a file, and callgrind could then not write its counts. */
		char *argv[] = { "valgrind", "--tool=callgrind", "-q", cgopt, "tcpdump", "-r",
				 (char *)file, "-w", "/dev/null", "-s", "150", "-Z", "root", NULL };
		pid = spawn(argv, NULL, "/dev/null", NULL);
	} else {
		char *argv[] = { "tcpdump", "-r", (char *)file, "-w", "/dev/null", "-s", "150", NULL };
		pid = spawn(argv, NULL, "/dev/null", NULL);
	}
	return pid < 0 ? -1 : reap(pid, cg ? 600 : 120, "tcpdump");
}

/* The instructions callgrind counted ("summary:" line), or 0. */
static double cg_total(const char *file)
{
	char line[256];
	double v = 0;
	FILE *f = fopen(file, "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "summary:", 8) == 0)
			v = strtod(line + 8, NULL);
	fclose(f);
	return v;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

struct series {
	const char *label;
	double v[MAX_REPS];   /* ns per packet, one per repetition */
	unsigned n;
	double med, min, max;
	double instr;         /* per packet, 0: not counted */
};

static void summarize(struct series *s)
{
	double v[MAX_REPS];

	memcpy(v, s->v, sizeof(v));
	qsort(v, s->n, sizeof(v[0]), cmp_double);
	s->min = v[0];
	s->max = v[s->n - 1];
	s->med = s->n % 2 ? v[s->n / 2] : (v[s->n / 2 - 1] + v[s->n / 2]) / 2;
}

enum { R_READER, R_D1, R_D8, R_D16, R_D1_0, R_D8_0, R_D16_0, R_N };

int main(int argc, char **argv)
{
	static struct series s[R_N] = {
		[R_READER] = { "tcpdump -r FILE -w /dev/null -s 150" },
		[R_D1] = { "snapvnfd -r FILE, 1 tap" },
		[R_D8] = { "snapvnfd -r FILE, 8 taps" },
		[R_D16] = { "snapvnfd -r FILE, 16 taps" },
		[R_D1_0] = { "snapvnfd -r FILE, 1 tap at nice 0" },
		[R_D8_0] = { "snapvnfd -r FILE, 8 taps at nice 0" },
		[R_D16_0] = { "snapvnfd -r FILE, 16 taps at nice 0" },
	};
	static const unsigned taps[R_N] = { 0, 1, 8, 16, 1, 8, 16 };
	char file[96], small[96], cgfile[96], cgsmall[96], cgout[96], cgbase[96], self[PATH_MAX];
	uint64_t pkts = 1200000;
	unsigned reps = 5;
	double taps_ns[R_N] = { 0 }, taps_base = 0;
	int callgrind = 1, opt, rc = 1;
	FILE *tsv = NULL;

	while ((opt = getopt(argc, argv, "n:r:Ct:")) != -1) {
		switch (opt) {
		case 'n': pkts = strtoull(optarg, NULL, 10); break;
		case 'r': reps = (unsigned)atoi(optarg); break;
		case 'C': callgrind = 0; break;
		case 't':
			if (!(tsv = fopen(optarg, "w"))) {
				perror(optarg);
				return 2;
			}
			break;
		default: goto usage;
		}
	}
	if (optind < argc || pkts < 2 * BASE || reps < 1 || reps > MAX_REPS)
		goto usage;
	if (!realpath(argv[0], self)) {
		perror(argv[0]);
		return 2;
	}
	snprintf(bindir, sizeof(bindir), "%s/..", dirname(self));
	snprintf(dir, sizeof(dir), "/tmp/bench_ingest.XXXXXX");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	atexit(cleanup);
	signal(SIGPIPE, SIG_IGN);
	snprintf(file, sizeof(file), "%s/ingest.pcap", dir);
	snprintf(small, sizeof(small), "%s/small.pcap", dir);
	snprintf(cgfile, sizeof(cgfile), "%s/cg.pcap", dir);
	snprintf(cgsmall, sizeof(cgsmall), "%s/cgsmall.pcap", dir);
	if (make_capture(file, pkts) < 0 || make_capture(small, BASE) < 0 ||
	    (callgrind && (make_capture(cgfile, CG_PKTS) < 0 ||
			   make_capture(cgsmall, CG_BASE) < 0)))
		return 1;

	printf("bench_ingest: CPU per packet replaying %s over and over: %llu packets less "
	       "the first %u; median of %u, min-max\n", CAPTURE, (unsigned long long)pkts,
	       BASE, reps);
	fflush(stdout);

	/* The configurations take turns, so the machine's moods hit all. */
	for (unsigned r = 0; r < reps; r++) {
		for (int k = 0; k < R_N; k++) {
			const char *env = k >= R_D1_0 ? "SNAPVNF_NICE=0" : NULL;
			double base = k == R_READER ? run_reader(small, NULL)
				    : run_daemon(small, BASE, taps[k], env, NULL, &taps_base);
			double t = k == R_READER ? run_reader(file, NULL)
				 : run_daemon(file, pkts, taps[k], env, NULL, &taps_ns[k]);

			if (t < 0 || base < 0)
				return 1;
			s[k].v[s[k].n++] = (t - base) / (double)(pkts - BASE);
			taps_ns[k] -= taps_base;
			taps_base = 0;
		}
	}
	if (callgrind) {
		snprintf(cgout, sizeof(cgout), "%s/cg.large.out", dir);
		snprintf(cgbase, sizeof(cgbase), "%s/cg.small.out", dir);
		if (run_reader(cgfile, cgout) < 0 || run_reader(cgsmall, cgbase) < 0)
			return 1;
		s[R_READER].instr = (cg_total(cgout) - cg_total(cgbase)) / (CG_PKTS - CG_BASE);
		if (run_daemon(cgfile, CG_PKTS, 1, NULL, cgout, NULL) < 0 ||
		    run_daemon(cgsmall, CG_BASE, 1, NULL, cgbase, NULL) < 0)
			return 1;
		s[R_D1].instr = (cg_total(cgout) - cg_total(cgbase)) / (CG_PKTS - CG_BASE);
	}

	printf("%-40s %9s %17s %11s %13s\n", "", "ns/pkt", "min-max", "instr/pkt",
	       "taps ns/pkt");
	if (tsv)
		fprintf(tsv, "what\ttaps\ttaps_nice\tns_per_pkt\tmin\tmax\tinstr_per_pkt\t"
			     "taps_ns_per_pkt\n");
	for (int k = 0; k < R_N; k++) {
		char instr[16] = "-", tapcpu[16] = "-";
		double tp = taps[k] ? taps_ns[k] / reps / (double)(pkts - BASE) / taps[k] : 0;

		summarize(&s[k]);
		if (s[k].instr > 0)
			snprintf(instr, sizeof(instr), "%.0f", s[k].instr);
		if (taps[k])
			snprintf(tapcpu, sizeof(tapcpu), "%.1f", tp);
		printf("%-40s %9.1f %8.1f-%-8.1f %11s %13s\n", s[k].label, s[k].med, s[k].min,
		       s[k].max, instr, tapcpu);
		if (tsv)
			fprintf(tsv, "%s\t%u\t%d\t%.1f\t%.1f\t%.1f\t%.0f\t%.1f\n", s[k].label,
				taps[k], k >= R_D1_0 ? 0 : 10, s[k].med, s[k].min, s[k].max,
				s[k].instr, tp);
	}
	printf("ingest: snapvnfd with one tap / tcpdump = %.2f (CPU)", s[R_D1].med / s[R_READER].med);
	if (callgrind && s[R_READER].instr > 0)
		printf(", %.2f (instructions)", s[R_D1].instr / s[R_READER].instr);
	printf("\n");
	printf("fan-out: daemon CPU per packet, taps at nice 10: 8/1 = %.2f, 16/1 = %.2f; "
	       "at nice 0: 8/1 = %.2f, 16/1 = %.2f\n", s[R_D8].med / s[R_D1].med,
	       s[R_D16].med / s[R_D1].med, s[R_D8_0].med / s[R_D1_0].med,
	       s[R_D16_0].med / s[R_D1_0].med);
	rc = 0;
	if (tsv && fclose(tsv)) {
		perror("bench_ingest: -t");
		rc = 1;
	}
	return rc;
usage:
	fprintf(stderr, "usage: bench_ingest [-n PACKETS (>= %u)] [-r REPS (1-%d)] [-C] [-t FILE]\n",
		2 * BASE, MAX_REPS);
	return 2;
}
