/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * snapvnfd - collect snaps and flow records and hand them to services
 * through shared rings. See DESIGN.md section 1.
 *
 * One thread, one poll loop: the control socket, the capture, the sFlow
 * socket and the nfdump watch are all descriptors. Replays (files) are
 * always ready and run between polls with a zero timeout.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <snapvnf/flow.h>
#include <snapvnf/pkt.h>

#include "common/log.h"
#include "common/ring.h"
#include "daemon/collector.h"
#include "daemon/daemon.h"
#include "daemon/nfdump.h"
#include "daemon/sflow_in.h"

#define BURST 64
#define SFLOW_BURST 32
#define MAX_POLL 300
#define DRAIN_GRACE_MS 5000
#define FLOW_RING_SLOTS 16384

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static uint64_t wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

struct daemon {
	struct sv_opts opts;
	bool live;                  /* some input runs until stopped */
	/* packets */
	const struct sv_source_ops *src_ops;
	struct sv_source *src;      /* NULL without -i/-r */
	bool src_done;
	struct sv_snapper *snapper;
	struct sv_ring *ring;
	/* flows */
	struct sv_sflow_in *sflow;  /* NULL without --sflow/--sflow-pcap */
	bool sflow_done;
	struct sv_nfdump *nfdump;
	struct sv_collector *collector;
	struct sv_ring *flow_ring;

	struct sv_registry *reg;
	char source_desc[600];
	uint64_t start_ms;
	bool started;               /* --wait-for was met */
	bool ended;
};

static void daemon_view(struct daemon *d, struct sv_daemon_view *v)
{
	memset(v, 0, sizeof(*v));
	v->opts = &d->opts;
	v->source_desc = d->source_desc;
	if (d->src) {
		d->src_ops->stats(d->src, &v->cap);
		sv_snapper_stats(d->snapper, &v->cap);
	}
	v->ring_head = sv_ring_head(d->ring);
	v->flow_head = sv_ring_head(d->flow_ring);
	v->ring_slots = d->opts.ring_slots;
	v->lossless = d->opts.lossless;
	v->ended = d->ended;
	v->uptime_s = (double)(mono_ms() - d->start_ms) / 1000.0;
	v->reg = d->reg;
	v->collector = d->collector;
	v->nfdump = d->nfdump;
}

static char *status_cb(const char *what, void *ctx)
{
	struct sv_daemon_view v;

	daemon_view(ctx, &v);
	return strcmp(what, "metrics") == 0 ? sv_status_prometheus(&v) : sv_status_json(&v);
}

/* Publish one burst of snaps. */
static void produce_snaps(struct daemon *d, int *wait_ms)
{
	/* Lossless: wait briefly for room, then come back to serve the
	 * control socket (a dead service must be noticed while we wait). */
	unsigned room = sv_ring_reserve(d->ring, BURST, 20);
	int n;

	if (room == 0)
		return;
	n = d->src_ops->burst(d->src, d->snapper, room, wait_ms);
	if (n > 0)
		sv_ring_publish(d->ring, (unsigned)n);
	if (n == -2)
		stop_signal = SIGTERM;
	if (n == -1) {
		struct sv_capture_stats st = { 0 };

		sv_snapper_stats(d->snapper, &st);
		sv_info("end of %s: %llu packets", d->opts.file, (unsigned long long)st.received);
		d->src_done = true;
	}
}

/* Feed sFlow datagrams once the collector's queue has gone to the rings. */
static void produce_flows(struct daemon *d, bool readable)
{
	int n;

	if (!sv_collector_drain(d->collector, d->opts.lossless ? 20 : 0))
		return;
	if (!d->sflow || d->sflow_done || !readable)
		return;
	n = sv_sflow_in_burst(d->sflow, d->collector, SFLOW_BURST);
	if (n < 0) {
		sv_info("end of %s", d->opts.sflow_pcap);
		/* The last interval is complete: hand its flows over. */
		sv_collector_tick(d->collector, 0, true);
		d->sflow_done = true;
	}
	sv_collector_drain(d->collector, d->opts.lossless ? 20 : 0);
}

static void end_stream(struct daemon *d, const char *why)
{
	sv_info("%s; %u service(s) to drain", why, sv_registry_count(d->reg));
	sv_ring_end(d->ring);
	sv_ring_end(d->flow_ring);
	d->ended = true;
}

static void report_drops(struct daemon *d)
{
	static uint64_t reported;
	struct sv_capture_stats st = { 0 };

	if (!d->src || !d->opts.iface)
		return;
	d->src_ops->stats(d->src, &st);
	if (st.kernel_drops > reported) {
		sv_warn("kernel dropped %llu packets (%llu in all)",
			(unsigned long long)(st.kernel_drops - reported),
			(unsigned long long)st.kernel_drops);
		reported = st.kernel_drops;
	}
}

static void nfdump_emit(void *ctx, const struct sv_flow *rec)
{
	sv_collector_record(ctx, rec);
}

static int run(struct daemon *d)
{
	struct pollfd pfd[MAX_POLL];
	uint64_t end_ms = 0, last_second = mono_ms();

	for (;;) {
		int n = sv_registry_pollfds(d->reg, pfd, MAX_POLL - 4), nreg = n, timeout = 1000;
		int src_slot = -1, sflow_slot = -1, nf_slot = -1, wait_ms = 0;
		/* Replays wait for --wait-for services to start, then go on
		 * whoever leaves; live inputs never wait. */
		bool go = d->started || (d->started = sv_registry_attached(d->reg) >= d->opts.wait_for);
		bool src_on = d->src && !d->src_done && !d->ended && (d->opts.iface || go);
		bool sflow_on = d->sflow && !d->sflow_done && !d->ended &&
				(!sv_sflow_in_finite(d->sflow) || go);

		if (src_on && d->src_ops->fd(d->src) >= 0) {
			src_slot = n;
			pfd[n++] = (struct pollfd){ .fd = d->src_ops->fd(d->src), .events = POLLIN };
		} else if (src_on) {
			timeout = 0;
		}
		if (sflow_on && sv_sflow_in_fd(d->sflow) >= 0) {
			sflow_slot = n;
			pfd[n++] = (struct pollfd){ .fd = sv_sflow_in_fd(d->sflow), .events = POLLIN };
		} else if (sflow_on) {
			timeout = 0;
		}
		if (d->nfdump && !d->ended) {
			nf_slot = n;
			pfd[n++] = (struct pollfd){ .fd = sv_nfdump_fd(d->nfdump), .events = POLLIN };
		}
		if (!sv_collector_drain(d->collector, 0))
			timeout = 0;
		if (poll(pfd, (nfds_t)n, timeout) < 0 && errno != EINTR) {
			sv_err("poll: %s", strerror(errno));
			return 1;
		}
		sv_registry_serve(d->reg, pfd, nreg);

		if (stop_signal && !d->ended) {
			/* The open interval's flows go out before the end, as at
			 * the end of a replay. */
			sv_collector_tick(d->collector, 0, true);
			sv_collector_drain(d->collector, d->opts.lossless ? 20 : 0);
			end_stream(d, "stopping on a signal");
			end_ms = mono_ms();
		}
		if (src_on && !d->ended && (src_slot < 0 || pfd[src_slot].revents)) {
			produce_snaps(d, &wait_ms);
			if (wait_ms > 0)  /* --pace: nothing due yet */
				poll(NULL, 0, wait_ms < 50 ? wait_ms : 50);
		}
		if (!d->ended)
			produce_flows(d, sflow_on && (sflow_slot < 0 || pfd[sflow_slot].revents));
		if (nf_slot >= 0 && pfd[nf_slot].revents && sv_nfdump_poll(d->nfdump, nfdump_emit,
									       d->collector) < 0)
			stop_signal = SIGTERM;

		if (!d->ended && !d->live && (!d->src || d->src_done) &&
		    (!d->sflow || d->sflow_done) && sv_collector_drain(d->collector, 0)) {
			end_stream(d, "replay done");
			end_ms = mono_ms();
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
		if (mono_ms() - last_second >= 1000) {
			last_second = mono_ms();
			report_drops(d);
			/* Live flows: close intervals on time even when idle. */
			if (d->live && !d->ended)
				sv_collector_tick(d->collector, wall_ns(), false);
		}
	}
}

static int open_inputs(struct daemon *d)
{
	const struct sv_opts *o = &d->opts;
	int len = 0;

	if (o->iface || o->file) {
		d->src_ops = o->iface ? &sv_source_pcap_live : &sv_source_pcap_file;
		d->src = d->src_ops->open(o);
		if (!d->src)
			return -1;
		len += snprintf(d->source_desc + len, sizeof(d->source_desc) - (size_t)len, "%s:%s ",
				d->src_ops->kind, o->iface ? o->iface : o->file);
	}
	if (o->sflow || o->sflow_pcap) {
		d->sflow = o->sflow ? sv_sflow_in_udp(o->sflow)
				    : sv_sflow_in_pcap(o->sflow_pcap, (uint16_t)o->sflow_port);
		if (!d->sflow)
			return -1;
		len += snprintf(d->source_desc + len, sizeof(d->source_desc) - (size_t)len, "%s:%s ",
				o->sflow ? "sflow" : "sflow-file", o->sflow ? o->sflow : o->sflow_pcap);
	}
	if (o->nfdump_dir) {
		d->nfdump = sv_nfdump_open(o->nfdump_dir);
		if (!d->nfdump)
			return -1;
		len += snprintf(d->source_desc + len, sizeof(d->source_desc) - (size_t)len,
				"nfdump:%s ", o->nfdump_dir);
	}
	if (len > 0)
		d->source_desc[len - 1] = '\0';
	return 0;
}

static int make_rings(struct daemon *d)
{
	const struct sv_opts *o = &d->opts;
	unsigned flags = o->lossless ? SV_RING_LOSSLESS : 0;
	struct sv_collector_opts co = { .snaps = o->sflow_snaps, .snaplen = o->snaplen,
					.interval_s = o->flow_interval };

	/* Slot payload: the parsed header, then the snap itself. */
	d->ring = sv_ring_create(o->ring_slots, (uint32_t)sizeof(struct sv_pkt) + o->snaplen,
				 SV_RING_KIND_PKT, flags);
	d->flow_ring = sv_ring_create(FLOW_RING_SLOTS, sizeof(struct sv_flow), SV_RING_KIND_FLOW,
				      flags);
	if (!d->ring || !d->flow_ring) {
		sv_err("cannot create the rings: %s", strerror(errno));
		return -1;
	}
	if (d->src) {
		d->snapper = sv_snapper_new(d->ring, o->snaplen, d->src_ops->linktype(d->src),
					    o->erspan);
		if (!d->snapper)
			return -1;
	}
	d->collector = sv_collector_new(d->flow_ring, d->ring, &co);
	return d->collector ? 0 : -1;
}

int main(int argc, char **argv)
{
	int lvl = SV_LOG_INFO, rc = 1;
	struct daemon d = { 0 };
	struct sigaction sa = { .sa_handler = on_signal };

	sv_log_init("snapvnfd", SV_LOG_INFO);
	if (sv_opts_parse(argc, argv, &d.opts, &lvl) < 0)
		return 2;
	sv_log_init("snapvnfd", (enum sv_log_level)lvl);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	d.live = sv_opts_live(&d.opts);

	if (open_inputs(&d) < 0 || make_rings(&d) < 0)
		goto out;
	d.reg = sv_registry_open(d.opts.ctl_path, d.ring, d.flow_ring);
	if (!d.reg)
		goto out;
	sv_registry_set_status(d.reg, status_cb, &d);
	sv_priority_raise(d.opts.nice);
	d.start_ms = mono_ms();
	sv_info("reading %s, snaplen %u, %s, control socket %s", d.source_desc, d.opts.snaplen,
		d.opts.lossless ? "lossless" : "lossy", d.opts.ctl_path);
	if (d.opts.wait_for)
		sv_info("waiting for %u service(s) before replaying", d.opts.wait_for);
	rc = run(&d);
out:
	sv_registry_close(d.reg);
	sv_nfdump_close(d.nfdump);
	sv_sflow_in_close(d.sflow);
	sv_collector_free(d.collector);
	sv_snapper_free(d.snapper);
	sv_ring_destroy(d.ring);
	sv_ring_destroy(d.flow_ring);
	if (d.src)
		d.src_ops->close(d.src);
	return rc;
}
