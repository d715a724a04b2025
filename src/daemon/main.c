/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * snapvnfd - collect snaps (and, later, flow records) and hand them to
 * services through shared rings. See DESIGN.md section 1.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <snapvnf/flow.h>
#include <snapvnf/pkt.h>

#include "daemon/daemon.h"
#include "lib/ctl.h"
#include "lib/log.h"
#include "lib/ring.h"

#define BURST 64
#define MAX_POLL 300
#define DRAIN_GRACE_MS 5000
#define FLOW_RING_SLOTS 16384

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: snapvnfd (-i IFACE | -r FILE) [options]\n"
		"Collect snaps (the first bytes of each mirrored packet) and hand them\n"
		"to snapvnf services through a shared ring.\n"
		"\n"
		"  -i, --interface IFACE  capture live on IFACE (the mirror port)\n"
		"  -r, --read FILE        replay a pcap/pcapng file, then exit\n"
		"      --pace             replay at the recorded speed (default: as fast\n"
		"                         as the slowest service reads)\n"
		"  -s, --snaplen N        bytes kept per packet (default 150, max 1024)\n"
		"  -f, --filter EXPR      BPF filter, as in tcpdump\n"
		"  -c, --ctl PATH         control socket (default $SNAPVNF_CTL or %s)\n"
		"  -w, --wait-for N       with -r: start when N services are registered\n"
		"      --ring-slots N     slots in the packet ring (power of two, default 65536)\n"
		"      --buffer MB        kernel capture buffer (default 64)\n"
		"      --lossless         the producer waits for the slowest service\n"
		"                         (default with -r)\n"
		"      --lossy            never wait; slow services lose the oldest snaps\n"
		"                         (default with -i)\n"
		"  -v, --verbose          more log lines (twice: debug)\n"
		"  -q, --quiet            errors only\n"
		"  -h, --help             this text\n",
		SV_CTL_DEFAULT_PATH);
}

static int parse_uint(const char *s, const char *what, unsigned min, unsigned max, unsigned *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || *s == '-' || v < min || v > max) {
		sv_err("%s must be a number from %u to %u, not '%s'", what, min, max, s);
		return -1;
	}
	*out = (unsigned)v;
	return 0;
}

static int parse_opts(int argc, char **argv, struct sv_opts *o, enum sv_log_level *lvl)
{
	enum { OPT_PACE = 256, OPT_SLOTS, OPT_BUFFER, OPT_LOSSLESS, OPT_LOSSY };
	static const struct option longopts[] = {
		{ "interface", required_argument, NULL, 'i' },
		{ "read", required_argument, NULL, 'r' },
		{ "pace", no_argument, NULL, OPT_PACE },
		{ "snaplen", required_argument, NULL, 's' },
		{ "filter", required_argument, NULL, 'f' },
		{ "ctl", required_argument, NULL, 'c' },
		{ "wait-for", required_argument, NULL, 'w' },
		{ "ring-slots", required_argument, NULL, OPT_SLOTS },
		{ "buffer", required_argument, NULL, OPT_BUFFER },
		{ "lossless", no_argument, NULL, OPT_LOSSLESS },
		{ "lossy", no_argument, NULL, OPT_LOSSY },
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int c;

	*o = (struct sv_opts){ .snaplen = 150, .ring_slots = 65536, .buffer_mb = 64,
			       .lossless = -1, .ctl_path = sv_ctl_path() };
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":i:r:s:f:c:w:vqh", longopts, NULL)) != -1) {
		switch (c) {
		case 'i': o->iface = optarg; break;
		case 'r': o->file = optarg; break;
		case 'f': o->filter = optarg; break;
		case 'c': o->ctl_path = optarg; break;
		case OPT_PACE: o->pace = true; break;
		case OPT_LOSSLESS: o->lossless = 1; break;
		case OPT_LOSSY: o->lossless = 0; break;
		case 'v': *lvl = *lvl == SV_LOG_INFO ? SV_LOG_DEBUG : SV_LOG_INFO; break;
		case 'q': *lvl = SV_LOG_ERR; break;
		case 'h': usage(stdout); exit(0);
		case 's':
			if (parse_uint(optarg, "--snaplen", 34, 1024, &o->snaplen) < 0)
				return -1;
			break;
		case 'w':
			if (parse_uint(optarg, "--wait-for", 0, 64, &o->wait_for) < 0)
				return -1;
			break;
		case OPT_SLOTS:
			if (parse_uint(optarg, "--ring-slots", 64, 1u << 24, &o->ring_slots) < 0)
				return -1;
			if (o->ring_slots & (o->ring_slots - 1)) {
				sv_err("--ring-slots must be a power of two, not %u", o->ring_slots);
				return -1;
			}
			break;
		case OPT_BUFFER:
			if (parse_uint(optarg, "--buffer", 1, 4096, &o->buffer_mb) < 0)
				return -1;
			break;
		case ':':
			sv_err("option %s needs a value (see --help)", argv[optind - 1]);
			return -1;
		default:
			sv_err("unknown option %s (see --help)", argv[optind - 1]);
			return -1;
		}
	}
	if (optind < argc) {
		sv_err("unexpected argument '%s' (see --help)", argv[optind]);
		return -1;
	}
	if (!!o->iface == !!o->file) {
		sv_err("give exactly one input: -i IFACE or -r FILE (see --help)");
		return -1;
	}
	if (o->pace && !o->file) {
		sv_err("--pace goes with -r FILE");
		return -1;
	}
	if (o->wait_for && !o->file) {
		sv_err("--wait-for goes with -r FILE");
		return -1;
	}
	if (o->lossless < 0)
		o->lossless = o->file != NULL;
	return 0;
}

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

struct daemon {
	struct sv_opts opts;
	const struct sv_source_ops *src_ops;
	struct sv_source *src;
	struct sv_ring *ring;       /* snaps */
	struct sv_ring *flow_ring;  /* flow records */
	struct sv_snapper *snapper;
	struct sv_registry *reg;
	char source_desc[300];
	uint64_t start_ms;
	bool ended;
};

static void daemon_view(struct daemon *d, struct sv_daemon_view *v)
{
	memset(v, 0, sizeof(*v));
	v->opts = &d->opts;
	v->source_desc = d->source_desc;
	d->src_ops->stats(d->src, &v->cap);
	sv_snapper_stats(d->snapper, &v->cap);
	v->ring_head = sv_ring_head(d->ring);
	v->flow_head = sv_ring_head(d->flow_ring);
	v->ring_slots = d->opts.ring_slots;
	v->lossless = d->opts.lossless;
	v->ended = d->ended;
	v->uptime_s = (double)(mono_ms() - d->start_ms) / 1000.0;
	v->reg = d->reg;
}

static char *status_cb(const char *what, void *ctx)
{
	struct sv_daemon_view v;

	daemon_view(ctx, &v);
	return strcmp(what, "metrics") == 0 ? sv_status_prometheus(&v) : sv_status_json(&v);
}

/* Publish one burst. Returns false once a finite source has ended. */
static bool produce(struct daemon *d, int *wait_ms)
{
	/* Lossless: wait briefly for room, then come back to serve the
	 * control socket (a dead service must be noticed while we wait). */
	unsigned room = sv_ring_reserve(d->ring, BURST, 20);
	int n;

	if (room == 0)
		return true;
	n = d->src_ops->burst(d->src, d->snapper, room, wait_ms);
	if (n > 0)
		sv_ring_publish(d->ring, (unsigned)n);
	if (n == -2)
		stop_signal = SIGTERM;
	return n != -1;
}

static int run(struct daemon *d)
{
	struct pollfd pfd[MAX_POLL];
	uint64_t end_ms = 0, last_stats = mono_ms();
	bool live = d->opts.iface != NULL;

	for (;;) {
		int n = sv_registry_pollfds(d->reg, pfd, MAX_POLL - 1), src_slot = -1, timeout = 1000;
		int wait_ms = 0;
		bool may_produce = !d->ended &&
				   (live || sv_registry_attached(d->reg) >= d->opts.wait_for);

		if (may_produce && live && d->src_ops->fd(d->src) >= 0) {
			src_slot = n;
			pfd[n++] = (struct pollfd){ .fd = d->src_ops->fd(d->src), .events = POLLIN };
		} else if (may_produce) {
			timeout = 0;
		}
		if (poll(pfd, (nfds_t)n, timeout) < 0 && errno != EINTR) {
			sv_err("poll: %s", strerror(errno));
			return 1;
		}
		sv_registry_serve(d->reg, pfd, src_slot >= 0 ? src_slot : n);

		if (stop_signal && !d->ended) {
			sv_info("signal %d: ending the stream", (int)stop_signal);
			sv_ring_end(d->ring);
			sv_ring_end(d->flow_ring);
			d->ended = true;
			end_ms = mono_ms();
		}
		if (may_produce && !d->ended && (src_slot < 0 || pfd[src_slot].revents)) {
			if (!produce(d, &wait_ms)) {
				struct sv_capture_stats st = { 0 };

				sv_snapper_stats(d->snapper, &st);
				sv_info("end of %s: %llu packets; waiting for %u service(s) to drain",
					d->opts.file, (unsigned long long)st.received,
					sv_registry_count(d->reg));
				sv_ring_end(d->ring);
				sv_ring_end(d->flow_ring);
				d->ended = true;
				end_ms = mono_ms();
			} else if (wait_ms > 0) {
				poll(NULL, 0, wait_ms < 50 ? wait_ms : 50);
			}
		}
		if (d->ended) {
			if (sv_registry_count(d->reg) == 0)
				return 0;
			/* On a signal, services get a grace period, not forever. */
			if (stop_signal && mono_ms() - end_ms > DRAIN_GRACE_MS) {
				sv_warn("%u service(s) still attached; exiting",
					sv_registry_count(d->reg));
				return 0;
			}
		}
		if (live && mono_ms() - last_stats >= 1000) {
			static uint64_t reported;
			struct sv_capture_stats st = { 0 };

			last_stats = mono_ms();
			d->src_ops->stats(d->src, &st);
			if (st.kernel_drops > reported) {
				sv_warn("kernel dropped %llu packets (%llu in all)",
					(unsigned long long)(st.kernel_drops - reported),
					(unsigned long long)st.kernel_drops);
				reported = st.kernel_drops;
			}
		}
	}
}

int main(int argc, char **argv)
{
	enum sv_log_level lvl = SV_LOG_INFO;
	struct daemon d = { 0 };
	struct sigaction sa = { .sa_handler = on_signal };
	unsigned payload;
	int rc = 1;

	sv_log_init("snapvnfd", SV_LOG_INFO);
	if (parse_opts(argc, argv, &d.opts, &lvl) < 0)
		return 2;
	sv_log_init("snapvnfd", lvl);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	d.src_ops = d.opts.iface ? &sv_source_pcap_live : &sv_source_pcap_file;
	d.src = d.src_ops->open(&d.opts);
	if (!d.src)
		goto out;
	snprintf(d.source_desc, sizeof(d.source_desc), "%s:%s", d.src_ops->kind,
		 d.opts.iface ? d.opts.iface : d.opts.file);

	/* Slot payload: the parsed header, then the snap itself. */
	payload = (unsigned)sizeof(struct sv_pkt) + d.opts.snaplen;
	d.ring = sv_ring_create(d.opts.ring_slots, payload, SV_RING_KIND_PKT,
				d.opts.lossless ? SV_RING_LOSSLESS : 0);
	if (!d.ring) {
		sv_err("cannot create the packet ring: %s", strerror(errno));
		goto out;
	}
	d.flow_ring = sv_ring_create(FLOW_RING_SLOTS, sizeof(struct sv_flow), SV_RING_KIND_FLOW,
				     d.opts.lossless ? SV_RING_LOSSLESS : 0);
	if (!d.flow_ring) {
		sv_err("cannot create the flow ring: %s", strerror(errno));
		goto out;
	}
	d.snapper = sv_snapper_new(d.ring, d.opts.snaplen, d.src_ops->linktype(d.src));
	d.reg = sv_registry_open(d.opts.ctl_path, d.ring, d.flow_ring);
	if (!d.snapper || !d.reg)
		goto out;
	sv_registry_set_status(d.reg, status_cb, &d);
	d.start_ms = mono_ms();
	sv_info("reading %s, snaplen %u, %s, control socket %s", d.source_desc, d.opts.snaplen,
		d.opts.lossless ? "lossless" : "lossy", d.opts.ctl_path);
	if (d.opts.wait_for)
		sv_info("waiting for %u service(s) before replaying", d.opts.wait_for);
	rc = run(&d);
out:
	sv_registry_close(d.reg);
	sv_snapper_free(d.snapper);
	sv_ring_destroy(d.ring);
	sv_ring_destroy(d.flow_ring);
	if (d.src)
		d.src_ops->close(d.src);
	return rc;
}
