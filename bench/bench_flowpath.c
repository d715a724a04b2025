/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_flowpath.c - how long a flow record takes to reach a flow VNF:
 * sFlow straight into snapvnfd against the original design's nfdump path
 * (nfcapd rotating its file every 2 s, nfdump printing it as text), one
 * after the other in the same run, with the same traffic.
 *
 *   bench_flowpath [-n RECORDS] [-r PER_SECOND] [-s] [-o FILE] [-t FILE]
 *          (default 3000 records at 500/s; -s: the sFlow path only;
 *          -o: every record's times, as TSV, for plots; -t: the table
 *          of delays also as TSV)
 *
 * Run from the top of the tree (data/demo.pcap); the daemon is the
 * snapvnfd next to this program's directory (build/bench/.. = build/).
 *
 * The traffic: the IPv4 packets of data/demo.pcap in order, one per
 * datagram, sent over loopback UDP at a steady rate by this program:
 *   sFlow   a v5 datagram holding one compact flow sample (rate 1) with a
 *           raw Ethernet header record (the frame's first 128 bytes), to
 *           `snapvnfd --sflow 127.0.0.1:PORT`;
 *   nfdump  a NetFlow v5 datagram holding one record of that packet
 *           (1 packet, its IP length, first = last = the send time), to
 *           `nfcapd -t 2`, whose directory `snapvnfd --nfdump-dir` watches.
 * The measuring service is a flow VNF registered through the service API
 * (service.h) in a child process. Each datagram carries its number as the
 * input ifIndex (sFlow's 30 bits, NetFlow v5's 16), which reaches the VNF
 * as rec->in_if; the sender keeps the CLOCK_REALTIME of each send, the
 * VNF the CLOCK_REALTIME at which process() saw the record, in a shared
 * mapping. Reported per path: sender -> VNF; for sFlow also datagram
 * arrival (rec->ts_ns, stamped by the daemon after recvmmsg) -> VNF; for
 * nfdump also the flow's end as nfdump prints it (rec->last_ns, to the
 * millisecond) -> VNF. Before measuring, 50 tagged sFlow
 * datagrams warm the path (not counted).
 *
 * Delays are wall-clock: on a shared, throttled machine they are given as
 * distributions (median, p99, max). The collectors' CPU time per record
 * (/proc/PID/stat, 10 ms ticks; for the nfdump path the daemon with its
 * nfdump children, and nfcapd) is printed beside them.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <netinet/in.h>
#include <pcap/pcap.h>
#include <signal.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <snapvnf/service.h>

#include "common/ctl.h"
#include "decode/packet.h"

extern char **environ;

#define CAPTURE    "data/demo.pcap"
#define HDR_MAX    128
#define WARM       50
#define WARM_TAG   0x3ffffff0u   /* sFlow ifIndex of the warm-up datagrams */
#define NF5_MAX    65534u        /* NetFlow v5 ifIndex: 16 bits, 0 unknown */
#define NF5_FILLER 65535u        /* NetFlow v5 ifIndex of the trailing records */
#define SVC_NAME   "flowpath"
#define NFCAPD_T   2

/* ------------------------------------------------------------------ */
/* Clocks, processes                                                    */

static uint64_t now_clock(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t now_rt(void)
{
	return now_clock(CLOCK_REALTIME);
}

static uint64_t now_mono(void)
{
	return now_clock(CLOCK_MONOTONIC);
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Start argv[0] (searched in PATH) with stdout and stderr to `log`. */
static pid_t spawn(char *const argv[], const char *log)
{
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int rc;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0644);
	posix_spawn_file_actions_adddup2(&fa, 1, 2);
	rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc) {
		fprintf(stderr, "bench_flowpath: cannot run %s: %s\n", argv[0], strerror(rc));
		return -1;
	}
	return pid;
}

/*
 * SIGTERM, then wait up to `secs` (SIGKILL after). With `cpu`: the CPU
 * time (user + system, ms) of the process and of the children it waited
 * for, as wait4 reports them.
 */
static void stop(pid_t pid, unsigned secs, double *cpu)
{
	struct rusage ru;
	int status;
	pid_t got = 0;

	if (pid <= 0)
		return;
	kill(pid, SIGTERM);
	for (unsigned i = 0; i < secs * 20 && got != pid; i++) {
		got = wait4(pid, &status, WNOHANG, &ru);
		if (got != pid)
			sleep_ms(50);
	}
	if (got != pid) {
		kill(pid, SIGKILL);
		wait4(pid, &status, 0, &ru);
	}
	if (cpu)
		*cpu = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
		       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
}

/* A loopback UDP port free a moment ago. */
static unsigned free_udp_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	unsigned port = 0;

	if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&a, &len) == 0)
		port = ntohs(a.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

static int udp_to(unsigned port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/* Wait until the daemon answers on `ctl` and, if `svc`, lists that
 * service as reading the flow ring. */
static int wait_daemon(const char *ctl, const char *svc, pid_t dpid)
{
	for (int i = 0; i < 200; i++) {
		char *r = NULL;
		int ok = sv_ctl_query(ctl, "status", &r) == 0;

		if (ok && svc) {
			char want[96];
			const char *at;

			snprintf(want, sizeof(want), "\"name\":\"%s\"", svc);
			at = strstr(r, want);
			ok = at && strstr(at, "\"flow_delivered\"");
		}
		free(r);
		if (ok)
			return 0;
		if (waitpid(dpid, NULL, WNOHANG) == dpid)
			return -1;
		sleep_ms(50);
	}
	return -1;
}

/* ------------------------------------------------------------------ */
/* The traffic                                                          */

struct item {
	uint8_t hdr[HDR_MAX];
	uint32_t hdr_len;
	uint32_t frame_len;
	uint32_t ip_len;
	uint8_t src[4], dst[4];
	uint16_t sport, dport;
	uint8_t proto, tcp_flags, tos;
};

static struct item *items;
static unsigned nitems;

static int load_capture(void)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *bytes;
	struct sv_pkt *p = malloc(sizeof(*p) + 65536);
	unsigned cap = 0;
	pcap_t *pc = pcap_open_offline(CAPTURE, err);

	if (!pc || !p) {
		fprintf(stderr, "bench_flowpath: %s: %s (run from the top of the tree)\n", CAPTURE,
			pc ? "out of memory" : err);
		free(p);
		return -1;
	}
	while (pcap_next_ex(pc, &h, &bytes) == 1) {
		struct item *it;

		if (h->caplen > 65535)
			continue;
		memset(p, 0, sizeof(*p));
		p->cap_len = (uint16_t)h->caplen;
		p->wire_len = h->len;
		memcpy(p->data, bytes, h->caplen);
		sv_packet_decode(p, pcap_datalink(pc));
		if (p->ip_version != 4 || p->l3_off == SV_OFF_NONE ||
		    (p->flags & (SV_PKT_TRUNCATED | SV_PKT_MALFORMED)))
			continue;
		if (nitems == cap) {
			struct item *n = realloc(items, (cap = cap ? cap * 2 : 4096) * sizeof(*n));

			if (!n)
				break;
			items = n;
		}
		it = &items[nitems++];
		memset(it, 0, sizeof(*it));
		it->hdr_len = h->caplen < HDR_MAX ? h->caplen : HDR_MAX;
		memcpy(it->hdr, bytes, it->hdr_len);
		it->frame_len = h->len;
		it->ip_len = (uint32_t)p->data[p->l3_off + 2] << 8 | p->data[p->l3_off + 3];
		it->tos = p->data[p->l3_off + 1];
		memcpy(it->src, p->src, 4);
		memcpy(it->dst, p->dst, 4);
		it->sport = p->sport;
		it->dport = p->dport;
		it->proto = p->proto;
		it->tcp_flags = p->proto == 6 ? p->tcp_flags : 0;
	}
	pcap_close(pc);
	free(p);
	if (!nitems) {
		fprintf(stderr, "bench_flowpath: no IPv4 packet in %s\n", CAPTURE);
		return -1;
	}
	return 0;
}

static uint8_t *put32(uint8_t *b, uint32_t v)
{
	v = htonl(v);
	memcpy(b, &v, 4);
	return b + 4;
}

static uint8_t *put16(uint8_t *b, uint16_t v)
{
	v = htons(v);
	memcpy(b, &v, 2);
	return b + 2;
}

/* sFlow v5: one compact flow sample, one raw Ethernet header record. */
static size_t sflow_dgram(uint8_t *buf, const struct item *it, uint32_t tag, uint32_t seq,
			  uint32_t uptime_ms)
{
	uint32_t pad = (4 - it->hdr_len % 4) % 4;
	uint32_t rec_len = 16 + it->hdr_len + pad;
	uint32_t smp_len = 32 + 8 + rec_len;
	uint8_t *b = buf;

	b = put32(b, 5);                   /* version */
	b = put32(b, 1);                   /* agent address: IPv4 */
	b = put32(b, INADDR_LOOPBACK);
	b = put32(b, 0);                   /* sub-agent */
	b = put32(b, seq);                 /* datagram sequence */
	b = put32(b, uptime_ms);
	b = put32(b, 1);                   /* samples */
	b = put32(b, 1);                   /* enterprise 0, format 1: flow sample */
	b = put32(b, smp_len);
	b = put32(b, seq);                 /* sample sequence */
	b = put32(b, 0 << 24 | 3);         /* source: ifIndex 3 */
	b = put32(b, 1);                   /* sampling rate */
	b = put32(b, seq);                 /* sample pool */
	b = put32(b, 0);                   /* drops */
	b = put32(b, tag);                 /* input ifIndex: the datagram's number */
	b = put32(b, 2);                   /* output ifIndex */
	b = put32(b, 1);                   /* records */
	b = put32(b, 1);                   /* enterprise 0, format 1: raw header */
	b = put32(b, rec_len);
	b = put32(b, 1);                   /* header protocol: Ethernet */
	b = put32(b, it->frame_len + 4);   /* frame length with the FCS */
	b = put32(b, 4);                   /* stripped: the FCS */
	b = put32(b, it->hdr_len);
	memcpy(b, it->hdr, it->hdr_len);
	memset(b + it->hdr_len, 0, pad);
	b += it->hdr_len + pad;
	return (size_t)(b - buf);
}

/* NetFlow v5: one record of one packet, first = last = now. */
static size_t nf5_dgram(uint8_t *buf, const struct item *it, uint16_t tag, uint32_t seq,
			uint32_t uptime_ms, uint64_t now_ns)
{
	uint8_t *b = buf;

	b = put16(b, 5);
	b = put16(b, 1);                   /* records */
	b = put32(b, uptime_ms);
	b = put32(b, (uint32_t)(now_ns / 1000000000u));
	b = put32(b, (uint32_t)(now_ns % 1000000000u));
	b = put32(b, seq);                 /* flows sent before this one */
	*b++ = 0;                          /* engine type */
	*b++ = 0;                          /* engine id */
	b = put16(b, 0);                   /* sampling: none */
	memcpy(b, it->src, 4);
	memcpy(b + 4, it->dst, 4);
	b = put32(b + 8, 0);               /* next hop */
	b = put16(b, tag);                 /* input ifIndex: the datagram's number */
	b = put16(b, 2);                   /* output ifIndex */
	b = put32(b, 1);                   /* packets */
	b = put32(b, it->ip_len);          /* bytes */
	b = put32(b, uptime_ms);           /* first */
	b = put32(b, uptime_ms);           /* last */
	b = put16(b, it->sport);
	b = put16(b, it->dport);
	*b++ = 0;
	*b++ = it->tcp_flags;
	*b++ = it->proto;
	*b++ = it->tos;
	b = put32(b, 0);                   /* AS numbers */
	*b++ = 0;                          /* masks */
	*b++ = 0;
	b = put16(b, 0);
	return (size_t)(b - buf);
}

/* ------------------------------------------------------------------ */
/* The measuring VNF (in the service's process), and what it shares     */

enum phase { PH_SFLOW = 1, PH_NFDUMP };

struct slot {
	uint64_t send_ns;  /* the sender's */
	uint64_t ts_ns;    /* the record's */
	uint64_t last_ns;
	uint64_t vnf_ns;   /* the VNF's */
};

struct shared {
	_Atomic uint64_t seen, warm, other, dup;
	enum phase phase;
	uint32_t n;
	struct slot s[];
};

static struct shared *sh;

static void *lat_create(struct sv_vnf_ctx *ctx, const char *args)
{
	return ctx;
}

static int lat_process(void *state, struct sv_vnf_ctx *ctx, const struct sv_flow *rec,
		       const void *in, void *out)
{
	uint64_t now = now_rt();
	uint32_t want = sh->phase == PH_SFLOW ? SV_FLOW_SAMPLE : SV_FLOW_AGGREGATE;
	uint32_t i = rec->in_if - 1;
	struct slot *s;

	if (rec->kind != want) {
		atomic_fetch_add(&sh->other, 1);
		return SV_CONTINUE;
	}
	if (rec->in_if == (sh->phase == PH_SFLOW ? WARM_TAG : NF5_FILLER)) {
		atomic_fetch_add(&sh->warm, 1);
		return SV_CONTINUE;
	}
	if (rec->in_if == 0 || i >= sh->n) {
		atomic_fetch_add(&sh->other, 1);
		return SV_CONTINUE;
	}
	s = &sh->s[i];
	if (s->vnf_ns) {
		atomic_fetch_add(&sh->dup, 1);
		return SV_CONTINUE;
	}
	s->vnf_ns = now;
	s->ts_ns = rec->ts_ns;
	s->last_ns = rec->last_ns;
	atomic_fetch_add_explicit(&sh->seen, 1, memory_order_release);
	return SV_CONTINUE;
}

static flow_vnf lat_vnf = {
	.desc = { .name = "flow_latency", .version = "1",
		  .summary = "time from a record's arrival (and its sender) to this VNF",
		  .create = lat_create },
	.process = lat_process,
};

static pid_t start_service(const char *ctl)
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		sv_service_ctl(ctl);
		if (service_init(SVC_NAME) < 0 || register_flow_vnf(&lat_vnf, NULL) < 0)
			_exit(1);
		_exit(service_run() < 0 ? 1 : 0);
	}
	return pid;
}

/* ------------------------------------------------------------------ */
/* Results                                                              */

struct dist {
	unsigned n;
	double min, med, p99, max;  /* ms */
};

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* The delays vnf_ns - (send_ns or ts_ns or last_ns) of the records seen. */
static struct dist delays(size_t from_off, unsigned n)
{
	int64_t *d = malloc((n ? n : 1) * sizeof(*d));
	struct dist r = { 0 };

	if (!d)
		return r;
	for (unsigned i = 0; i < n; i++) {
		const struct slot *s = &sh->s[i];
		uint64_t from;

		memcpy(&from, (const uint8_t *)s + from_off, sizeof(from));
		if (s->vnf_ns && from)
			d[r.n++] = (int64_t)(s->vnf_ns - from);
	}
	if (r.n) {
		/* nearest rank */
		qsort(d, r.n, sizeof(*d), cmp_i64);
		r.min = (double)d[0] / 1e6;
		r.med = (double)d[(r.n + 1) / 2 - 1] / 1e6;
		r.p99 = (double)d[(r.n * 99 + 99) / 100 - 1] / 1e6;
		r.max = (double)d[r.n - 1] / 1e6;
	}
	free(d);
	return r;
}

static FILE *tsv;

/* A line of the table; in the TSV, `key` names the delay. */
static void row(const char *path, const char *what, const char *key, struct dist d)
{
	if (tsv && d.n)
		fprintf(tsv, "%s\t%s\t%u\t%.3f\t%.3f\t%.3f\t%.3f\n", path, key, d.n, d.med,
			d.p99, d.max, d.min);
	else if (tsv)
		fprintf(tsv, "%s\t%s\t0\tnan\tnan\tnan\tnan\n", path, key);
	if (!d.n) {
		printf("%-7s %-26s %8u %10s %10s %10s %10s\n", path, what, 0u, "-", "-", "-", "-");
		return;
	}
	printf("%-7s %-26s %8u %10.3f %10.3f %10.3f %10.3f\n", path, what, d.n, d.med, d.p99,
	       d.max, d.min);
}

/* Append every record's times to `f`: path, number, the sender's, the
 * record's ts_ns and last_ns, the VNF's (ns since the epoch, 0: none). */
static void dump(FILE *f, const char *path, unsigned n)
{
	for (unsigned i = 0; f && i < n; i++)
		fprintf(f, "%s\t%u\t%llu\t%llu\t%llu\t%llu\n", path, i,
			(unsigned long long)sh->s[i].send_ns, (unsigned long long)sh->s[i].ts_ns,
			(unsigned long long)sh->s[i].last_ns, (unsigned long long)sh->s[i].vnf_ns);
}

/* ------------------------------------------------------------------ */
/* The two paths                                                        */

struct result {
	int ran;
	struct dist main, extra;
	unsigned lost;
	uint64_t other, dup;
	double cpu_ms, cpu2_ms;  /* daemon (+ nfdump); nfcapd */
	double send_s;           /* how long sending took */
};

static char tmp[] = "/tmp/bench_flowpath.XXXXXX";
static char daemon_bin[4096];

/* Send n datagrams at `rate`/s: make(buf, item, i) builds datagram i. */
static double send_paced(int fd, unsigned n, unsigned rate,
			 size_t (*make)(uint8_t *, unsigned, uint64_t, uint64_t))
{
	static uint8_t buf[2048];
	uint64_t t0 = now_mono();

	for (unsigned i = 0; i < n; i++) {
		uint64_t due = t0 + (uint64_t)i * 1000000000ull / rate;
		struct timespec ts = { (time_t)(due / 1000000000ull), (long)(due % 1000000000ull) };
		uint64_t sent;
		size_t len;

		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
			;
		sent = now_rt();
		len = make(buf, i, sent, now_mono());
		sh->s[i].send_ns = sent;
		if (send(fd, buf, len, 0) < 0)
			sh->s[i].send_ns = 0;
	}
	return (double)(now_mono() - t0) / 1e9;
}

static uint64_t boot_mono;

static size_t make_sflow(uint8_t *buf, unsigned i, uint64_t rt, uint64_t mono)
{
	/* sequence numbers continue after the warm-up's */
	return sflow_dgram(buf, &items[i % nitems], i + 1, WARM + i,
			   (uint32_t)((mono - boot_mono) / 1000000u));
}

static size_t make_nf5(uint8_t *buf, unsigned i, uint64_t rt, uint64_t mono)
{
	return nf5_dgram(buf, &items[i % nitems], (uint16_t)(i + 1), i,
			 (uint32_t)((mono - boot_mono) / 1000000u), rt);
}

/*
 * Live exporters do not fall silent: after the measured records, NetFlow
 * records of the same traffic (tagged NF5_FILLER, not counted) go on at
 * the same rate until the VNF has every measured one. An idle nfcapd
 * notices the end of an interval only on its own timer, about a second
 * late, which the last file of a benchmark would otherwise show.
 */
static void send_filler(int fd, unsigned n, unsigned rate, unsigned secs)
{
	uint8_t buf[2048];
	uint64_t t0 = now_mono();

	for (unsigned k = 0; atomic_load(&sh->seen) < n && k < secs * rate; k++) {
		uint64_t due = t0 + (uint64_t)k * 1000000000ull / rate;
		struct timespec ts = { (time_t)(due / 1000000000ull), (long)(due % 1000000000ull) };
		size_t len;

		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
			;
		len = nf5_dgram(buf, &items[(n + k) % nitems], NF5_FILLER, n + k,
				(uint32_t)((now_mono() - boot_mono) / 1000000u), now_rt());
		if (send(fd, buf, len, 0) < 0)
			break;
	}
}

static void wait_seen(unsigned n, unsigned secs)
{
	for (unsigned i = 0; i < secs * 100 && atomic_load(&sh->seen) < n; i++)
		sleep_ms(10);
}

static void reset(enum phase ph, unsigned n)
{
	memset(sh->s, 0, (size_t)n * sizeof(sh->s[0]));
	atomic_store(&sh->seen, 0);
	atomic_store(&sh->warm, 0);
	atomic_store(&sh->other, 0);
	atomic_store(&sh->dup, 0);
	sh->phase = ph;
	sh->n = n;
}

static void finish(struct result *r, unsigned n)
{
	r->lost = n - (unsigned)atomic_load(&sh->seen);
	r->other = atomic_load(&sh->other);
	r->dup = atomic_load(&sh->dup);
}

static FILE *raw;

static int run_sflow(unsigned n, unsigned rate, struct result *r)
{
	char ctl[256], log[256], spec[64];
	pid_t dpid = -1, spid = -1;
	unsigned port = 0;
	int fd = -1, rc = -1;
	uint8_t buf[2048];

	reset(PH_SFLOW, n);
	snprintf(ctl, sizeof(ctl), "%s/sflow.sock", tmp);
	snprintf(log, sizeof(log), "%s/snapvnfd-sflow.log", tmp);
	for (int attempt = 0; attempt < 5 && dpid < 0; attempt++) {
		port = free_udp_port();
		snprintf(spec, sizeof(spec), "127.0.0.1:%u", port);
		char *argv[] = { daemon_bin, "-q", "--sflow", spec, "--ctl", ctl, NULL };

		dpid = spawn(argv, log);
		if (dpid > 0 && wait_daemon(ctl, NULL, dpid) < 0) {
			stop(dpid, 2, NULL);
			dpid = -1;
		}
	}
	if (dpid < 0) {
		fprintf(stderr, "bench_flowpath: snapvnfd --sflow did not start (%s)\n", log);
		return -1;
	}
	spid = start_service(ctl);
	if (spid < 0 || wait_daemon(ctl, SVC_NAME, dpid) < 0) {
		fprintf(stderr, "bench_flowpath: the measuring service did not attach\n");
		goto out;
	}
	fd = udp_to(port);
	if (fd < 0)
		goto out;
	for (unsigned i = 0; i < WARM; i++) {
		size_t len = sflow_dgram(buf, &items[i % nitems], WARM_TAG, i,
					 (uint32_t)((now_mono() - boot_mono) / 1000000u));

		if (send(fd, buf, len, 0) < 0)
			goto out;
		sleep_ms(1);
	}
	for (int i = 0; i < 500 && atomic_load(&sh->warm) < WARM; i++)
		sleep_ms(10);
	if (atomic_load(&sh->warm) == 0) {
		fprintf(stderr, "bench_flowpath: no warm-up sample reached the VNF\n");
		goto out;
	}
	r->send_s = send_paced(fd, n, rate, make_sflow);
	wait_seen(n, 5);
	r->main = delays(offsetof(struct slot, send_ns), n);
	r->extra = delays(offsetof(struct slot, ts_ns), n);
	dump(raw, "sflow", n);
	finish(r, n);
	r->ran = 1;
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	stop(dpid, 5, &r->cpu_ms);
	if (spid > 0)
		stop(spid, 5, NULL);
	return rc;
}

static pid_t start_nfcapd(const char *dir, unsigned *port)
{
	char log[256], pbuf[16], pat[300];

	snprintf(log, sizeof(log), "%s/nfcapd.log", tmp);
	snprintf(pat, sizeof(pat), "%s/nfcapd.current.*", dir);
	for (int attempt = 0; attempt < 5; attempt++) {
		char targ[8];
		pid_t pid;

		*port = free_udp_port();
		snprintf(pbuf, sizeof(pbuf), "%u", *port);
		snprintf(targ, sizeof(targ), "%d", NFCAPD_T);
		char *argv[] = { "nfcapd", "-w", (char *)dir, "-b", "127.0.0.1", "-p", pbuf,
				 "-t", targ, NULL };
		pid = spawn(argv, log);
		if (pid < 0)
			return -1;
		for (int i = 0; i < 60; i++) {
			glob_t g;
			int found = glob(pat, 0, NULL, &g) == 0;

			globfree(&g);
			if (found)
				return pid;
			if (waitpid(pid, NULL, WNOHANG) == pid)
				break;
			sleep_ms(50);
		}
		stop(pid, 2, NULL);
	}
	fprintf(stderr, "bench_flowpath: nfcapd did not start (%s)\n", log);
	return -1;
}

static int run_nfdump(unsigned n, unsigned rate, struct result *r)
{
	char ctl[256], log[256], dir[256];
	pid_t npid, dpid = -1, spid = -1;
	unsigned port;
	int fd = -1, rc = -1;

	reset(PH_NFDUMP, n);
	snprintf(ctl, sizeof(ctl), "%s/nfdump.sock", tmp);
	snprintf(log, sizeof(log), "%s/snapvnfd-nfdump.log", tmp);
	snprintf(dir, sizeof(dir), "%s/nfcapd", tmp);
	if (mkdir(dir, 0755) < 0)
		return -1;
	npid = start_nfcapd(dir, &port);
	if (npid < 0)
		return -1;
	char *argv[] = { daemon_bin, "-q", "--nfdump-dir", dir, "--ctl", ctl, NULL };
	dpid = spawn(argv, log);
	if (dpid < 0 || wait_daemon(ctl, NULL, dpid) < 0) {
		fprintf(stderr, "bench_flowpath: snapvnfd --nfdump-dir did not start (%s)\n", log);
		goto out;
	}
	spid = start_service(ctl);
	if (spid < 0 || wait_daemon(ctl, SVC_NAME, dpid) < 0) {
		fprintf(stderr, "bench_flowpath: the measuring service did not attach\n");
		goto out;
	}
	fd = udp_to(port);
	if (fd < 0)
		goto out;
	r->send_s = send_paced(fd, n, rate, make_nf5);
	/* the last file closes at the next rotation, then nfdump reads it */
	send_filler(fd, n, rate, 2 * NFCAPD_T + 3);
	wait_seen(n, 3);
	r->main = delays(offsetof(struct slot, send_ns), n);
	r->extra = delays(offsetof(struct slot, last_ns), n);
	dump(raw, "nfdump", n);
	finish(r, n);
	r->ran = 1;
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	stop(dpid, 5, &r->cpu_ms);
	if (spid > 0)
		stop(spid, 5, NULL);
	stop(npid, 5, &r->cpu2_ms);
	return rc;
}

/* ------------------------------------------------------------------ */

static int have(const char *prog)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", prog);
	return system(cmd) == 0;
}

static void rm_tree(void)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	if (system(cmd) != 0)
		fprintf(stderr, "bench_flowpath: could not remove %s\n", tmp);
}

static void find_daemon(const char *argv0)
{
	char exe[4096];
	ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;

	if (len <= 0) {
		snprintf(exe, sizeof(exe), "%s", argv0);
		len = (ssize_t)strlen(exe);
	}
	exe[len] = '\0';
	/* BUILD/bench/bench_flowpath -> BUILD/snapvnfd */
	for (int k = 0; k < 2 && (slash = strrchr(exe, '/')); k++)
		*slash = '\0';
	snprintf(daemon_bin, sizeof(daemon_bin), "%s/snapvnfd", strchr(exe, '/') ? exe : ".");
}

int main(int argc, char **argv)
{
	unsigned n = 3000, rate = 500;
	int sflow_only = 0, c;
	struct result rs = { 0 }, rn = { 0 };
	const char *why_not = NULL;

	while ((c = getopt(argc, argv, "n:r:so:t:")) != -1) {
		switch (c) {
		case 'n': n = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'r': rate = (unsigned)strtoul(optarg, NULL, 10); break;
		case 's': sflow_only = 1; break;
		case 'o':
			raw = fopen(optarg, "w");
			if (!raw) {
				perror(optarg);
				return 2;
			}
			fprintf(raw, "path\tn\tsend_ns\tts_ns\tlast_ns\tvnf_ns\n");
			break;
		case 't':
			tsv = fopen(optarg, "w");
			if (!tsv) {
				perror(optarg);
				return 2;
			}
			fprintf(tsv, "path\tdelay\trecords\tmedian_ms\tp99_ms\tmax_ms\tmin_ms\n");
			break;
		default:
			fprintf(stderr, "usage: bench_flowpath [-n RECORDS] [-r PER_SECOND] [-s] "
				"[-o FILE] [-t FILE]\n");
			return 2;
		}
	}
	if (n == 0 || n > NF5_MAX || rate == 0) {
		fprintf(stderr, "bench_flowpath: -n 1..%u, -r at least 1\n", NF5_MAX);
		return 2;
	}
	find_daemon(argv[0]);
	if (access(daemon_bin, X_OK) < 0) {
		fprintf(stderr, "bench_flowpath: no %s (make builds it)\n", daemon_bin);
		return 1;
	}
	if (load_capture() < 0)
		return 1;
	sh = mmap(NULL, sizeof(*sh) + (size_t)n * sizeof(sh->s[0]), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED || !mkdtemp(tmp)) {
		perror("bench_flowpath");
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	boot_mono = now_mono() - 3600ull * 1000000000ull;

	if (run_sflow(n, rate, &rs) < 0)
		why_not = "sflow";
	if (sflow_only)
		;
	else if (!have("nfcapd") || !have("nfdump"))
		fprintf(stderr, "bench_flowpath: nfcapd/nfdump missing (Debian package nfdump): "
				"the nfdump path is left out\n");
	else if (run_nfdump(n, rate, &rn) < 0)
		why_not = why_not ? "both paths" : "nfdump";

	printf("bench_flowpath: %u records (IPv4 packets of %s, one per datagram) at %u/s over "
	       "loopback UDP\nto a flow VNF; wall-clock delays in ms (shared machine: "
	       "distributions), CLOCK_REALTIME\n", n, CAPTURE, rate);
	printf("%-7s %-26s %8s %10s %10s %10s %10s\n", "path", "delay", "records", "median_ms",
	       "p99_ms", "max_ms", "min_ms");
	if (rs.ran) {
		row("sflow", "datagram arrival -> VNF", "arrival_to_vnf", rs.extra);
		row("sflow", "sender -> VNF", "sender_to_vnf", rs.main);
	}
	if (rn.ran) {
		row("nfdump", "sender -> VNF", "sender_to_vnf", rn.main);
		row("nfdump", "flow end (last_ns) -> VNF", "flow_end_to_vnf", rn.extra);
	}
	if (rs.ran && rn.ran && rs.main.n && rn.main.n && rs.main.med > 0)
		printf("ratio of medians, sender -> VNF: nfdump / sflow = %.0fx "
		       "(p99: %.0fx)\n", rn.main.med / rs.main.med,
		       rs.main.p99 > 0 ? rn.main.p99 / rs.main.p99 : 0.0);
	if (rs.ran)
		printf("sflow: %u of %u samples lost, %llu other records (flow aggregates), "
		       "%llu repeated; sending took %.2f s; snapvnfd CPU %.0f ms (%.1f us/record)\n"
		       "sflow: target < 1 ms from arrival: median %s, p99 %s\n",
		       rs.lost, n, (unsigned long long)rs.other, (unsigned long long)rs.dup,
		       rs.send_s, rs.cpu_ms, rs.cpu_ms * 1000.0 / n,
		       rs.extra.n && rs.extra.med < 1.0 ? "met" : "NOT met",
		       rs.extra.n && rs.extra.p99 < 1.0 ? "met" : "NOT met");
	if (rn.ran)
		printf("nfdump: %u of %u records lost, %llu other, %llu repeated; sending took "
		       "%.2f s; CPU: snapvnfd with its nfdump runs %.0f ms, nfcapd %.0f ms "
		       "(%.1f us/record)\n",
		       rn.lost, n, (unsigned long long)rn.other, (unsigned long long)rn.dup,
		       rn.send_s, rn.cpu_ms, rn.cpu2_ms, (rn.cpu_ms + rn.cpu2_ms) * 1000.0 / n);
	if (raw)
		fclose(raw);
	if (tsv)
		fclose(tsv);
	if (why_not)
		printf("bench_flowpath: %s failed; logs in %s\n", why_not, tmp);
	else
		rm_tree();
	return why_not || (rs.ran && rs.lost) || (rn.ran && rn.lost) ? 1 : 0;
}
