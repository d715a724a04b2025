/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * snapvnfd - collect snaps and flow records and hand them to services
 * through shared rings. See docs/design.md, "Data path".
 *
 * One thread, one poll loop (run()). It polls three kinds of descriptor:
 *   - the control socket and its connections (registry.c);
 *   - the inputs (input.h): an array of ops tables, each polled on its
 *     descriptor, or called every turn when it has none (a file);
 *   - anything else added with watch_fd() before run(): a descriptor, the
 *     events to poll for, and a callback the loop runs when they come.
 * Nothing in the loop blocks for long: an input's burst is bounded, and a
 * lossless ring is waited for at most SV_INPUT_RING_WAIT_MS at a time.
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
#include "daemon/action.h"
#include "daemon/collector.h"
#include "daemon/daemon.h"
#include "daemon/input.h"
#include "daemon/metrics_http.h"
#include "daemon/notify.h"

#define MAX_INPUTS 8
#define MAX_LOSS_SEEN (2 * SV_RING_MAX_READERS)
#define LOSS_LOG_EVERY_NS (10ull * 1000000000ull)
#define MAX_WATCH 8
#define MAX_POLL 300
#define DRAIN_GRACE_MS 5000
#define FLOW_RING_SLOTS 16384

static volatile sig_atomic_t stop_signal, hup_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

/* SIGHUP: logrotate moved the log or the action events; the loop reopens. */
static void on_hup(int sig)
{
	hup_signal = 1;
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

/* A descriptor polled by the loop that is neither an input nor the control socket. */
typedef void watch_fn(void *ctx, int fd, short revents);

struct watch {
	int fd;
	short events;
	watch_fn *fn;
	void *ctx;
	int slot;                   /* in this turn's pollfd array */
};

/* A reader's loss as last reported, by its cursor (stable while it is attached). */
struct loss_seen {
	const struct sv_cursor *cur;
	uint64_t lost;
};

/* The loop's view of an input: where it is polled, whether it is done. */
struct input_state {
	bool done;
	int wait_ms;                /* its last burst asked to be called within this; -1: no */
	int slot;                   /* in this turn's pollfd array; -1: not polled */
};

struct daemon {
	struct sv_opts opts;
	bool live;                  /* some input runs until stopped */
	struct sv_input_ref input[MAX_INPUTS];
	struct input_state ist[MAX_INPUTS];
	unsigned ninputs;
	struct watch watch[MAX_WATCH];
	unsigned nwatch;
	struct sv_ring *ring;       /* snaps */
	struct sv_collector *collector;
	struct sv_ring *flow_ring;

	struct sv_registry *reg;
	struct sv_door *door;       /* block requests and the enforcer (action.h) */
	struct loss_seen loss[MAX_LOSS_SEEN];
	unsigned nloss;
	uint64_t loss_log_last, loss_log_suppressed;
	struct sv_metrics_http *http;  /* --metrics: GET /metrics (metrics_http.h) */
	char source_desc[600];
	uint64_t start_ms;
	uint64_t end_ms;
	bool started;               /* --wait-for was met */
	bool ended;
	bool stopping;              /* ended on a signal or a lost input: services get a grace */
	bool failed;                /* an input could not be read to its end: exit 1 */
};

/*
 * Poll fd for `events` in every turn of the loop, and call fn(ctx, fd,
 * revents) when some come, and once a second with revents 0 (to expire
 * what has timed out). For sockets of the daemon's own (a metrics
 * endpoint, an enforcer's channel): call from main() before run().
 * Returns 0, or -ENOSPC past MAX_WATCH.
 */
static int watch_fd(struct daemon *d, int fd, short events, watch_fn *fn, void *ctx)
{
	if (d->nwatch == MAX_WATCH)
		return -ENOSPC;
	d->watch[d->nwatch++] = (struct watch){ .fd = fd, .events = events, .fn = fn, .ctx = ctx };
	return 0;
}

static void daemon_view(struct daemon *d, struct sv_daemon_view *v)
{
	memset(v, 0, sizeof(*v));
	v->opts = &d->opts;
	v->source_desc = d->source_desc;
	v->inputs = d->input;
	v->ninputs = d->ninputs;
	v->ring_head = sv_ring_head(d->ring);
	v->flow_head = sv_ring_head(d->flow_ring);
	v->ring_slots = d->opts.ring_slots;
	v->lossless = d->opts.lossless;
	v->ended = d->ended;
	v->uptime_s = (double)(mono_ms() - d->start_ms) / 1000.0;
	v->reg = d->reg;
	v->collector = d->collector;
	v->door = d->door;
	v->http = d->http;
}

static char *status_cb(const char *what, void *ctx)
{
	struct sv_daemon_view v;

	daemon_view(ctx, &v);
	return strcmp(what, "metrics") == 0 ? sv_status_prometheus(&v) : sv_status_json(&v);
}

static void end_stream(struct daemon *d, const char *why)
{
	sv_info("%s; %u service(s) to drain", why, sv_registry_count(d->reg));
	sv_ring_end(d->ring);
	sv_ring_end(d->flow_ring);
	d->ended = true;
	d->end_ms = mono_ms();
}

/* Stop reading: the open interval's flows go out first, as at the end of a replay. */
/* What `systemctl status` shows: inputs, what went out, who reads it. */
static const char *status_line(struct daemon *d)
{
	static char line[800];

	snprintf(line, sizeof(line), "%s; %llu snaps, %llu flow records; %u service(s)%s",
		 d->source_desc, (unsigned long long)sv_ring_head(d->ring),
		 (unsigned long long)sv_ring_head(d->flow_ring), sv_registry_count(d->reg),
		 d->ended ? "; ended, draining" : "");
	return line;
}

static void stop(struct daemon *d, const char *why)
{
	sv_notify_stopping(why);
	sv_collector_tick(d->collector, 0, true);
	sv_collector_drain(d->collector, d->opts.lossless ? SV_INPUT_RING_WAIT_MS : 0);
	d->stopping = true;
	end_stream(d, why);
}

/* One burst of input i; marks it done at its end. */
static void input_burst(struct daemon *d, unsigned i)
{
	const struct sv_input_ref *r = &d->input[i];
	struct input_state *s = &d->ist[i];
	int wait = -1, n = r->ops->burst(r->in, &wait);

	s->wait_ms = wait;
	switch (n) {
	case SV_INPUT_SHORT:
		d->failed = true;
		/* fall through */
	case SV_INPUT_END:
		s->done = true;
		break;
	case SV_INPUT_FAIL:
		s->done = true;
		d->failed = true;
		stop(d, "an input is lost");
		break;
	}
}

/* -v: once a second, what came in and what the services have left. */
static void report_second(struct daemon *d)
{
	static uint64_t pkt_last, flow_last;
	uint64_t pkt = sv_ring_head(d->ring), flow = sv_ring_head(d->flow_ring);

	if (sv_log_level() < SV_LOG_DEBUG)
		return;
	sv_debug("last second: %llu snaps, %llu flow records published (%llu, %llu in all); "
		 "%u service(s)%s", (unsigned long long)(pkt - pkt_last),
		 (unsigned long long)(flow - flow_last), (unsigned long long)pkt,
		 (unsigned long long)flow, sv_registry_count(d->reg), d->ended ? "; ended" : "");
	pkt_last = pkt;
	flow_last = flow;
}

/*
 * Lossy mode: a service that reads slower than items come loses the
 * oldest, and counts them in its cursor. Say so in the log too (at most
 * every 10 s): the count alone is easy to miss.
 */
static void report_losses(struct daemon *d)
{
	static const char *const what[2] = { "snaps", "flow records" };
	struct loss_seen now[MAX_LOSS_SEEN];
	struct sv_service_info s;
	unsigned n = 0;

	for (unsigned i = 0; sv_registry_service(d->reg, i, &s); i++) {
		const struct sv_cursor *cur[2] = { s.pkt, s.flow };

		for (int k = 0; k < 2 && n < MAX_LOSS_SEEN; k++) {
			uint64_t lost, before = 0;

			if (!cur[k])
				continue;
			lost = atomic_load_explicit(&cur[k]->lost, memory_order_relaxed);
			for (unsigned j = 0; j < d->nloss; j++)
				if (d->loss[j].cur == cur[k])
					before = d->loss[j].lost;
			now[n++] = (struct loss_seen){ cur[k], lost };
			/* the service writes its cursor: a count that went back is its own business */
			if (lost > before)
				sv_log_ratelimited(&d->loss_log_last, &d->loss_log_suppressed,
						   LOSS_LOG_EVERY_NS, SV_LOG_WARN,
						   "service %s lost %llu %s (%llu in all): it reads slower "
						   "than they come", s.name,
						   (unsigned long long)(lost - before), what[k],
						   (unsigned long long)lost);
		}
	}
	memcpy(d->loss, now, n * sizeof(now[0]));
	d->nloss = n;
}

static bool inputs_done(const struct daemon *d)
{
	for (unsigned i = 0; i < d->ninputs; i++)
		if (!d->ist[i].done)
			return false;
	return true;
}

static void reopen(struct daemon *d)
{
	int rc = sv_log_reopen();

	if (rc < 0)
		sv_err("SIGHUP: cannot reopen %s: %s; logging on to the old file",
		       d->opts.log_file, strerror(-rc));
	rc = sv_door_reopen(d->door);
	if (rc < 0)
		sv_err("SIGHUP: cannot reopen %s: %s; action events go on to the old file",
		       d->opts.action_events, strerror(-rc));
	sv_info("SIGHUP: log and action events reopened");
}

static int run(struct daemon *d)
{
	struct pollfd pfd[MAX_POLL];
	uint64_t last_second = mono_ms();

	for (;;) {
		int n = sv_registry_pollfds(d->reg, pfd, MAX_POLL - MAX_WATCH - MAX_INPUTS);
		int nreg = n, timeout = 1000, wd;
		/* Replays wait for --wait-for services to start, then go on
		 * whoever leaves; live inputs never wait. */
		bool go = d->started || (d->started = sv_registry_attached(d->reg) >= d->opts.wait_for);

		for (unsigned i = 0; i < d->nwatch; i++) {
			d->watch[i].slot = n;
			pfd[n++] = (struct pollfd){ .fd = d->watch[i].fd, .events = d->watch[i].events };
		}
		for (unsigned i = 0; i < d->ninputs; i++) {
			const struct sv_input_ref *r = &d->input[i];
			struct input_state *s = &d->ist[i];
			int fd, t;

			s->slot = -1;
			if (s->done || d->ended || (r->ops->finite && !go))
				continue;
			fd = r->ops->fd(r->in);
			if (fd >= 0) {
				s->slot = n;
				pfd[n++] = (struct pollfd){ .fd = fd, .events = POLLIN };
			}
			/* Without a descriptor an input is always ready, unless it
			 * said when to come back (a paced replay). */
			t = fd < 0 ? (s->wait_ms > 0 ? s->wait_ms : 0) : s->wait_ms;
			if (t >= 0 && t < timeout)
				timeout = t;
		}
		if (!sv_collector_drain(d->collector, 0))
			timeout = 0;
		/* The watchdog is kicked from here, so a stuck loop is noticed. */
		wd = sv_notify_tick(mono_ms());
		if (wd >= 0 && wd < timeout)
			timeout = wd;
		if (poll(pfd, (nfds_t)n, timeout) < 0 && errno != EINTR) {
			sv_err("poll: %s", strerror(errno));
			return 1;
		}
		sv_registry_serve(d->reg, pfd, nreg);
		for (unsigned i = 0; i < d->nwatch; i++)
			if (pfd[d->watch[i].slot].revents)
				d->watch[i].fn(d->watch[i].ctx, d->watch[i].fd,
					       pfd[d->watch[i].slot].revents);

		if (stop_signal && !d->ended)
			stop(d, "stopping on a signal");
		if (hup_signal) {
			hup_signal = 0;
			reopen(d);
		}
		for (unsigned i = 0; i < d->ninputs && !d->ended; i++) {
			const struct input_state *s = &d->ist[i];

			if (s->done || (d->input[i].ops->finite && !go))
				continue;
			if (s->slot < 0 || pfd[s->slot].revents || s->wait_ms >= 0)
				input_burst(d, i);
		}

		if (!d->ended && !d->live && inputs_done(d) && sv_collector_drain(d->collector, 0))
			end_stream(d, "replay done");
		if (d->ended) {
			if (sv_registry_count(d->reg) == 0)
				return d->failed;
			/* On a signal, services get a grace period, not forever. */
			if (d->stopping && mono_ms() - d->end_ms > DRAIN_GRACE_MS) {
				sv_warn("%u service(s) still attached; exiting",
					sv_registry_count(d->reg));
				return d->failed;
			}
		}
		if (mono_ms() - last_second >= 1000) {
			last_second = mono_ms();
			sv_notify_status(status_line(d));
			report_second(d);
			if (!d->opts.lossless)
				report_losses(d);
			for (unsigned i = 0; i < d->nwatch; i++)
				d->watch[i].fn(d->watch[i].ctx, d->watch[i].fd, 0);
			/* Live sFlow: close intervals and forget idle agents on
			 * time even when no datagram comes. Only then: a
			 * replayed capture's clock is its own, and the wall
			 * clock would make all its agents idle at once. */
			if (d->opts.sflow && !d->ended)
				sv_collector_tick(d->collector, wall_ns(), false);
		}
	}
}

/* The inputs the options name, each opened by its backend. */
static int open_inputs(struct daemon *d)
{
	const struct sv_opts *o = &d->opts;
	const struct sv_input_env env = { .opts = o, .pkt_ring = d->ring,
					  .collector = d->collector };
	const struct { const char *backend, *arg; } want[] = {
		{ "interface", o->iface }, { "file", o->file }, { "sflow", o->sflow },
		{ "sflow-file", o->sflow_pcap }, { "nfdump", o->nfdump_dir },
	};
	size_t len = 0;

	for (size_t k = 0; k < sizeof(want) / sizeof(want[0]); k++) {
		struct sv_input_ref *r = &d->input[d->ninputs];

		if (!want[k].arg)
			continue;
		r->ops = sv_input_find(want[k].backend);
		r->arg = want[k].arg;
		r->in = r->ops ? r->ops->open(r->arg, &env) : NULL;
		if (!r->in)
			return -1;
		d->ist[d->ninputs++] = (struct input_state){ .wait_ms = -1, .slot = -1 };
		d->live |= !r->ops->finite;
		if (len < sizeof(d->source_desc))
			len += (size_t)snprintf(d->source_desc + len, sizeof(d->source_desc) - len,
						"%s%s:%s", len ? " " : "", r->ops->name, r->arg);
	}
	return 0;
}

static int make_rings(struct daemon *d)
{
	const struct sv_opts *o = &d->opts;
	unsigned flags = o->lossless ? SV_RING_LOSSLESS : 0;
	struct sv_collector_opts co = { .snaps = o->sflow_snaps, .snaplen = o->snaplen,
					.interval_s = o->flow_interval,
					.agent_idle_s = o->agent_idle };

	/* Slot payload: the parsed header, then the snap itself. */
	d->ring = sv_ring_create(o->ring_slots, (uint32_t)sizeof(struct sv_pkt) + o->snaplen,
				 SV_RING_KIND_PKT, flags);
	d->flow_ring = sv_ring_create(FLOW_RING_SLOTS, sizeof(struct sv_flow), SV_RING_KIND_FLOW,
				      flags);
	if (!d->ring || !d->flow_ring) {
		sv_err("cannot create the rings: %s", strerror(errno));
		return -1;
	}
	d->collector = sv_collector_new(d->flow_ring, d->ring, &co);
	return d->collector ? 0 : -1;
}

static void http_ready(void *ctx, int fd, short revents)
{
	sv_metrics_http_serve(ctx);
}

/* --metrics: the HTTP endpoint, one more descriptor of the loop. */
static int open_http(struct daemon *d)
{
	if (!d->opts.metrics)
		return 0;
	d->http = sv_metrics_http_open(d->opts.metrics, status_cb, d);
	if (!d->http)
		return -1;
	return watch_fd(d, sv_metrics_http_fd(d->http), POLLIN, http_ready, d->http);
}

static int open_door(struct daemon *d)
{
	struct sv_door_opts o;

	sv_door_opts_default(&o);
	o.enforcer = d->opts.enforcer;
	memcpy(o.never_block, d->opts.never_block, sizeof(o.never_block));
	o.max_rules = d->opts.block_max_rules;
	o.rate = d->opts.block_rate;
	o.ttl_max = d->opts.block_ttl_max;
	o.events = d->opts.action_events;
	d->door = sv_door_open(&o, mono_ms());
	return d->door ? 0 : -1;
}

int main(int argc, char **argv)
{
	int lvl = SV_LOG_INFO, rc = 1;
	struct daemon d = { 0 };
	struct sv_ctl_owner owner;
	struct sigaction sa = { .sa_handler = on_signal }, hup = { .sa_handler = on_hup };

	sv_log_init("snapvnfd", SV_LOG_INFO);
	if (sv_opts_parse(argc, argv, &d.opts, &lvl) < 0)
		return 2;
	sv_log_init("snapvnfd", (enum sv_log_level)lvl);
	if (d.opts.log_file && (rc = sv_log_to(d.opts.log_file)) < 0) {
		sv_err("--log %s: %s", d.opts.log_file, strerror(-rc));
		return 1;
	}
	rc = 1;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &hup, NULL);
	signal(SIGPIPE, SIG_IGN);

	/*
	 * The enforcer is forked first, before any input, ring or socket is
	 * open, so the one process that keeps a privilege has none of them
	 * (docs/design.md, "The enforcer"). It keeps only what its backend
	 * needs; the daemon, once it drops root, nothing.
	 */
	if (open_door(&d) < 0)
		goto out;
	if (make_rings(&d) < 0 || open_inputs(&d) < 0)
		goto out;
	if (sv_privdrop_owner(d.opts.user, d.opts.group, &owner) < 0)
		goto out;
	d.reg = sv_registry_open(d.opts.ctl_path, d.ring, d.flow_ring, &owner);
	if (!d.reg || open_http(&d) < 0)
		goto out;
	sv_registry_set_door(d.reg, d.door);
	sv_registry_set_status(d.reg, status_cb, &d);
	sv_registry_set_capture(d.reg, d.opts.iface);
	sv_priority_raise(d.opts.nice);
	/* Everything privileged is done: capture, sockets, rings, the
	 * priority (the enforcer was forked first). Root goes now, for good
	 * (-Z). */
	if (sv_privdrop(d.opts.user, d.opts.group) < 0)
		goto out;
	d.start_ms = mono_ms();
	sv_info("reading %s, snaplen %u, %s, control socket %s", d.source_desc, d.opts.snaplen,
		d.opts.lossless ? "lossless" : "lossy", d.opts.ctl_path);
	if (d.opts.wait_for)
		sv_info("waiting for %u service(s) before replaying", d.opts.wait_for);
	sv_notify_ready(d.start_ms, status_line(&d));
	rc = run(&d);
	sv_notify_stopping(rc ? "exiting on an error" : "exiting");
out:
	sv_metrics_http_close(d.http);
	sv_door_close(d.door);
	sv_registry_close(d.reg);
	for (unsigned i = 0; i < d.ninputs; i++)
		d.input[i].ops->close(d.input[i].in);
	sv_collector_free(d.collector);
	sv_ring_destroy(d.ring);
	sv_ring_destroy(d.flow_ring);
	return rc;
}
