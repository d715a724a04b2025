/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * seedline.c - the seed paper's design, rebuilt as a benchmark baseline
 * (never part of the product): what snapvnf's live figures are set
 * against, with the same capture, the same generator and the same VNFs.
 *
 *   seedline -i IFACE -n SERVICES [-s SNAPLEN] [--buffer MB] [--ring-slots N]
 *            [--nice N] VNF[=ARGS]...
 *
 * The paper's daemon captured with libpcap at snaplen 150 and copied each
 * snap into one shared-memory ring per service; each service parsed its
 * snaps and ran its chain, applying every converter by walking its index
 * rows per item. Here:
 *
 *   capture   libpcap live on IFACE, opened as snapvnfd opens it (snaplen,
 *             promiscuous, 64 MB kernel buffer, 10 ms timeout, the empty
 *             filter that has the kernel cut packets to the snap, bursts
 *             of 64)
 *   rings     SERVICES rings (the same ring code as snapvnfd's, lossy, as
 *             many slots each as snapvnfd's one), each snap copied into
 *             every one: a slot is the pcap header's time and lengths and
 *             the snap, as the paper's daemon handed them on
 *   services  SERVICES child processes, each reading its own ring: it
 *             parses L2-L4 (sv_packet_decode, as the daemon does once in
 *             snapvnf) and runs the chain of built-in VNFs given, joined
 *             by members of the same name and type (as `snapvnf run`
 *             joins them), walking the rows per item: for each row, look
 *             both members up by index and copy that one member. Events go
 *             to /dev/null, as the bench's snapvnf services send theirs.
 *
 * Priorities as snapvnf's: the services lower theirs to nice 10
 * ($SNAPVNF_NICE), the capturing process raises its own to --nice
 * (default -5) when it may, so the comparison is of the designs, not of
 * scheduling.
 *
 * Output on stdout: "ready PID PID..." (the services' pids) once every
 * service reads its ring; on SIGTERM or SIGINT, once the capture has been
 * quiet for 50 ms and the services have read what is in their rings (at
 * most 10 s), one JSON line:
 *   {"received":N,"kernel_drops":N,"if_drops":N,"cpu_ns":N,
 *    "services":[{"pid":P,"delivered":N,"lost":N,"cpu_ns":N},...]}
 * cpu_ns: user + system time of the capturing process and of each service
 * over its whole life (getrusage and wait4).
 */
#include <errno.h>
#include <getopt.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <snapvnf/builtin.h>
#include <snapvnf/service.h>

#include "common/ring.h"
#include "common/stats.h"
#include "decode/packet.h"
#include "lib/conv.h"
#include "lib/event.h"
#include "lib/nice.h"
#include "lib/vnf_ctx.h"

#define MAX_SERVICES 64
#define MAX_VNFS     16
#define BURST        64
#define SNAP_MAX     1024
#define TICK_NS      1000000000ull

/* What the paper's daemon put in a service's ring: the pcap header's
 * time and lengths, then the snap. */
struct seed_snap {
	uint64_t ts_ns;
	uint32_t wire_len;
	uint16_t cap_len;
	uint16_t pad;
	uint8_t data[];
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static double ru_ns(const struct rusage *ru)
{
	return (double)(ru->ru_utime.tv_sec + ru->ru_stime.tv_sec) * 1e9 +
	       (double)(ru->ru_utime.tv_usec + ru->ru_stime.tv_usec) * 1e3;
}

/* ---- a service: parse, then the chain with converters walked per item ---- */

struct stage {
	const pkt_vnf *vnf;
	size_t (*rows)[3];      /* the converter as index rows, ended by {0,0,0}; or NULL */
	void *state, *in, *out;
	struct sv_vnf_ctx ctx;
};

struct service {
	char name[32];
	unsigned n;
	struct stage st[MAX_VNFS];
	struct sv_stats stats;
	struct sv_event_out *out;  /* its events, into /dev/null as the services' */
	uint8_t pkt[sizeof(struct sv_pkt) + SNAP_MAX];
};

/* The paper's converter: per item, per link, per row, find both members
 * by index and copy that one member. */
static void run_chain(struct service *s, const struct sv_pkt *pkt)
{
	sv_event_out_item(s->out, pkt, NULL);
	for (unsigned i = 0; i < s->n; i++) {
		struct stage *st = &s->st[i];

		if (st->rows) {
			const struct stage *prev = st - 1;
			const struct sv_schema *is = st->vnf->desc.in, *os = prev->vnf->desc.out;

			for (size_t (*r)[3] = st->rows; (*r)[0] || (*r)[1] || (*r)[2]; r++) {
				const struct sv_member *d = &is->members[(*r)[0]];
				const struct sv_member *m = &os->members[(*r)[1]];

				memcpy((uint8_t *)st->in + d->offset,
				       (const uint8_t *)prev->out + m->offset, m->size);
				if ((*r)[2])
					((sv_conv_fn)(*r)[2])((uint8_t *)st->in + d->offset);
			}
		}
		if (st->vnf->process(st->state, &st->ctx, pkt, st->in, st->out) == SV_STOP)
			break;
	}
}

/* Build the chain from "vnf[=args]" words; -1 with a message on failure. */
static int service_build(struct service *s, unsigned idx, char **words, unsigned nwords)
{
	struct sv_sink *sink;

	snprintf(s->name, sizeof(s->name), "seed%u", idx);
	s->out = sv_event_out_new(&s->stats);
	sink = s->out ? sv_sink_open("/dev/null") : NULL;
	if (!sink) {
		perror("seedline: events");
		return -1;
	}
	sv_event_out_sink(s->out, sink);
	for (unsigned i = 0; i < nwords; i++) {
		char word[256], *args;
		const struct sv_builtin *b;
		struct stage *st = &s->st[i];

		snprintf(word, sizeof(word), "%s", words[i]);
		args = strchr(word, '=');
		if (args)
			*args++ = '\0';
		b = sv_builtin_find(word);
		if (!b || !b->pkt) {
			fprintf(stderr, "seedline: no built-in packet VNF named '%s'\n", word);
			return -1;
		}
		st->vnf = b->pkt;
		if (i > 0) {
			struct sv_conv_row *rows;
			unsigned n;

			if (sv_conv_auto(s->st[i - 1].vnf->desc.out, st->vnf->desc.in, &rows, &n) < 0)
				return -1;
			if (n) {
				st->rows = calloc(n + 1, sizeof(*st->rows));
				if (!st->rows)
					return -1;
				for (unsigned k = 0; k < n; k++) {
					st->rows[k][0] = rows[k].dst;
					st->rows[k][1] = rows[k].src;
					st->rows[k][2] = (size_t)rows[k].fn;
				}
			}
			free(rows);
		}
		if (st->vnf->desc.in && !(st->in = calloc(1, st->vnf->desc.in->size)))
			return -1;
		if (st->vnf->desc.out && !(st->out = calloc(1, st->vnf->desc.out->size)))
			return -1;
		sv_vnf_ctx_init(&st->ctx, s->name, &st->vnf->desc, &s->stats, s->out);
		st->state = st->vnf->desc.create(&st->ctx, args);
		if (!st->state) {
			fprintf(stderr, "seedline: %s: %s\n", word,
				st->ctx.error[0] ? st->ctx.error : "could not start");
			return -1;
		}
		s->n++;
	}
	return 0;
}

/* The child: read its ring until the end of the stream. */
static int service_main(struct service *s, int ring_fd, int cursor_fd, int linktype)
{
	struct sv_ring_reader rd;
	uint64_t now = 0, last_tick = 0;
	const void *items[BURST];
	struct sv_pkt *p = (struct sv_pkt *)s->pkt;
	char err[128];
	int level = sv_nice_wanted(err, sizeof(err));

	/* The parent's SIGTERM is for it: a service ends with its ring. */
	signal(SIGTERM, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	if (level >= -20)
		sv_nice_lower(level);
	if (sv_ring_reader_open(&rd, ring_fd, cursor_fd) < 0)
		return 1;
	for (;;) {
		unsigned n = sv_ring_read_burst(&rd, items, BURST);

		if (n == 0) {
			sv_event_out_flush(s->out);
			if (sv_ring_wait(&rd, 1000) < 0)
				break;
			continue;
		}
		for (unsigned i = 0; i < n; i++) {
			const struct seed_snap *snap = items[i];

			p->ts_ns = snap->ts_ns;
			p->wire_len = snap->wire_len;
			p->cap_len = snap->cap_len;
			p->source = 0;
			p->sampling_rate = 1;
			p->in_if = p->out_if = 0;
			memcpy(p->data, snap->data, snap->cap_len);
			sv_packet_decode(p, linktype);
			run_chain(s, p);
			now = p->ts_ns;
		}
		sv_ring_read_done(&rd, NULL);
		if (!last_tick || now < last_tick)
			last_tick = now;
		if (now - last_tick >= TICK_NS) {
			sv_event_out_item(s->out, NULL, NULL);
			for (unsigned i = 0; i < s->n; i++)
				if (s->st[i].vnf->desc.tick)
					s->st[i].vnf->desc.tick(s->st[i].state, &s->st[i].ctx, now);
			last_tick = now;
		}
	}
	sv_event_out_item(s->out, NULL, NULL);
	for (unsigned i = 0; i < s->n; i++)
		if (s->st[i].vnf->desc.report)
			s->st[i].vnf->desc.report(s->st[i].state, &s->st[i].ctx);
	sv_event_out_flush(s->out);
	sv_ring_reader_close(&rd);
	return 0;
}

/* ---- the capturing process ---- */

struct capture {
	unsigned nsvc;
	unsigned snaplen;
	struct sv_ring *ring[MAX_SERVICES];
	struct sv_cursor *cur[MAX_SERVICES];
	int cursor_fd[MAX_SERVICES];
	pid_t pid[MAX_SERVICES];
	unsigned idx;                 /* slot of this burst being written */
	uint64_t received;
};

/* One snap into every service's ring: the paper's copy per service. */
static void capture_cb(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct capture *c = (struct capture *)user;
	uint32_t cap = h->caplen < c->snaplen ? h->caplen : c->snaplen;

	for (unsigned i = 0; i < c->nsvc; i++) {
		struct seed_snap *s = sv_ring_write_slot(c->ring[i], c->idx);

		s->ts_ns = (uint64_t)h->ts.tv_sec * 1000000000u + (uint64_t)h->ts.tv_usec;
		s->wire_len = h->len;
		s->cap_len = (uint16_t)cap;
		memcpy(s->data, bytes, cap);
	}
	c->idx++;
	c->received++;
}

static pcap_t *open_live(const char *iface, unsigned snaplen, unsigned buffer_mb)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	pcap_t *p = pcap_create(iface, errbuf);
	struct bpf_program prog;

	if (!p) {
		fprintf(stderr, "seedline: %s: %s\n", iface, errbuf);
		return NULL;
	}
	pcap_set_snaplen(p, (int)snaplen);
	pcap_set_promisc(p, 1);
	pcap_set_buffer_size(p, (int)buffer_mb << 20);
	pcap_set_timeout(p, 10);
	pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_NANO);
	if (pcap_activate(p) < 0 || pcap_setnonblock(p, 1, errbuf) < 0) {
		fprintf(stderr, "seedline: %s: %s\n", iface, errbuf[0] ? errbuf : pcap_geterr(p));
		pcap_close(p);
		return NULL;
	}
	/* As snapvnfd: the empty filter, so the kernel cuts each packet to
	 * the snap length before copying it into the capture ring. */
	if (pcap_compile(p, &prog, "", 1, PCAP_NETMASK_UNKNOWN) < 0 || pcap_setfilter(p, &prog) < 0) {
		fprintf(stderr, "seedline: %s: %s\n", iface, pcap_geterr(p));
		pcap_close(p);
		return NULL;
	}
	pcap_freecode(&prog);
	return p;
}

/* Every service has read up to the head of its ring (or 10 s passed). */
static void drain(struct capture *c)
{
	for (int t = 0; t < 1000; t++) {
		unsigned done = 0;

		for (unsigned i = 0; i < c->nsvc; i++)
			done += atomic_load_explicit(&c->cur[i]->pos, memory_order_relaxed) >=
				sv_ring_head(c->ring[i]);
		if (done == c->nsvc)
			return;
		sleep_ms(10);
	}
	fprintf(stderr, "seedline: services still behind after 10 s\n");
}

static void usage(void)
{
	fprintf(stderr, "usage: seedline -i IFACE -n SERVICES [-s SNAPLEN] [--buffer MB] "
			"[--ring-slots N] [--nice N] VNF[=ARGS]...\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "buffer", required_argument, NULL, 'B' },
		{ "ring-slots", required_argument, NULL, 'R' },
		{ "nice", required_argument, NULL, 'N' },
		{ 0 }
	};
	static struct capture c = { .snaplen = 150 };
	struct sigaction sa = { .sa_handler = on_signal };
	const char *iface = NULL;
	unsigned buffer_mb = 64, slots = 65536;
	int nice_level = -5, opt, linktype;
	struct pcap_stat ps = { 0 };
	struct rusage ru;
	pcap_t *p;

	while ((opt = getopt_long(argc, argv, "i:n:s:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'i': iface = optarg; break;
		case 'n': c.nsvc = (unsigned)atoi(optarg); break;
		case 's': c.snaplen = (unsigned)atoi(optarg); break;
		case 'B': buffer_mb = (unsigned)atoi(optarg); break;
		case 'R': slots = (unsigned)atoi(optarg); break;
		case 'N': nice_level = atoi(optarg); break;
		default: usage(); return 2;
		}
	}
	if (!iface || c.nsvc < 1 || c.nsvc > MAX_SERVICES || optind >= argc ||
	    argc - optind > MAX_VNFS || c.snaplen < 34 || c.snaplen > SNAP_MAX) {
		usage();
		return 2;
	}
	p = open_live(iface, c.snaplen, buffer_mb);
	if (!p)
		return 1;
	linktype = pcap_datalink(p);
	for (unsigned i = 0; i < c.nsvc; i++) {
		c.ring[i] = sv_ring_create(slots, sizeof(struct seed_snap) + c.snaplen,
					   SV_RING_KIND_PKT, 0);
		if (!c.ring[i] || (c.cursor_fd[i] = sv_ring_attach(c.ring[i], &c.cur[i])) < 0) {
			perror("seedline: ring");
			return 1;
		}
	}
	fflush(stdout);
	for (unsigned i = 0; i < c.nsvc; i++) {
		c.pid[i] = fork();
		if (c.pid[i] < 0) {
			perror("seedline: fork");
			return 1;
		}
		if (c.pid[i] == 0) {
			struct service *s = calloc(1, sizeof(*s));

			pcap_close(p);
			if (!s || service_build(s, i, argv + optind, (unsigned)(argc - optind)) < 0)
				_exit(1);
			_exit(service_main(s, sv_ring_fd(c.ring[i]), c.cursor_fd[i], linktype));
		}
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* As snapvnfd does (src/daemon/priority.c): only with the right to. */
	if (nice_level < getpriority(PRIO_PROCESS, 0))
		setpriority(PRIO_PROCESS, 0, nice_level);
	/* The services are up once each has parked in its first wait. */
	for (int t = 0; t < 1000; t++) {
		unsigned up = 0;

		for (unsigned i = 0; i < c.nsvc; i++)
			up += atomic_load_explicit(&c.cur[i]->sleeping, memory_order_relaxed) != 0;
		if (up == c.nsvc)
			break;
		sleep_ms(10);
	}
	printf("ready");
	for (unsigned i = 0; i < c.nsvc; i++)
		printf(" %d", (int)c.pid[i]);
	printf("\n");
	fflush(stdout);

	/*
	 * Until told to stop, then until the capture has been quiet for
	 * 50 ms (past the kernel's 10 ms block timeout), so that what the
	 * generator sent before the stop is read, as snapvnfd reads it.
	 */
	for (int quiet = 0; !stop || quiet < 5;) {
		struct pollfd pfd = { .fd = pcap_get_selectable_fd(p), .events = POLLIN };
		int n, got = 0;

		if (poll(&pfd, 1, stop ? 10 : 100) < 0 && errno != EINTR)
			break;
		do {
			for (unsigned i = 0; i < c.nsvc; i++)
				sv_ring_reserve(c.ring[i], BURST, 0);
			c.idx = 0;
			n = pcap_dispatch(p, BURST, capture_cb, (u_char *)&c);
			for (unsigned i = 0; i < c.nsvc && c.idx; i++)
				sv_ring_publish(c.ring[i], c.idx);
			got += c.idx;
		} while (n == BURST);
		if (n == PCAP_ERROR) {
			fprintf(stderr, "seedline: capture failed: %s\n", pcap_geterr(p));
			break;
		}
		quiet = got || !stop ? 0 : quiet + 1;
	}
	pcap_stats(p, &ps);
	drain(&c);
	for (unsigned i = 0; i < c.nsvc; i++)
		sv_ring_end(c.ring[i]);
	getrusage(RUSAGE_SELF, &ru);
	printf("{\"received\":%llu,\"kernel_drops\":%u,\"if_drops\":%u,\"cpu_ns\":%.0f,"
	       "\"services\":[", (unsigned long long)c.received, ps.ps_drop, ps.ps_ifdrop,
	       ru_ns(&ru));
	for (unsigned i = 0; i < c.nsvc; i++) {
		struct rusage cru = { 0 };
		int status;

		wait4(c.pid[i], &status, 0, &cru);
		printf("%s{\"pid\":%d,\"delivered\":%llu,\"lost\":%llu,\"cpu_ns\":%.0f}",
		       i ? "," : "", (int)c.pid[i],
		       (unsigned long long)atomic_load(&c.cur[i]->delivered),
		       (unsigned long long)atomic_load(&c.cur[i]->lost), ru_ns(&cru));
	}
	printf("]}\n");
	pcap_close(p);
	return 0;
}
