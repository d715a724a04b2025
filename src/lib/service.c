/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * service.c - the original four-call API (docs/design.md) on top of the
 * client connection, the chain and its event output. A process runs one
 * service through this API, so it keeps its state in one static struct;
 * the chain underneath owns its events' sink (nothing in it is global).
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <snapvnf/service.h>

#include "lib/chain.h"
#include "lib/client.h"
#include "lib/event.h"
#include "lib/filter.h"
#include "lib/nice.h"
#include "lib/sink.h"

#define BURST 64
#define TICK_NS 1000000000ull

static struct {
	bool connected;
	bool reconnect;             /* outlive the daemon: wait for the next one */
	const char *ctl_path;
	struct sv_client cl;
	struct sv_chain *chain;
	struct sv_sink *sink;       /* chosen before service_init, for the chain */
	bool nice_set;              /* sv_service_nice() chose the level */
	int nice;
	struct sv_filter *filter;   /* sv_service_filter(), or NULL */
	_Atomic uint64_t *passed, *dropped;
	char error[512];
} svc;

static volatile sig_atomic_t svc_stop, svc_reopen;

static void on_signal(int sig)
{
	svc_stop = 1;
}

/* SIGHUP: logrotate moved the events file; the loop reopens it. */
static void on_hup(int sig)
{
	svc_reopen = 1;
}

static int fail(int rc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(svc.error, sizeof(svc.error), fmt, ap);
	va_end(ap);
	/* The original API has no other way to tell the switch user why. */
	fprintf(stderr, "snapvnf: %s\n", svc.error);
	return rc;
}

int sv_service_sock(void)
{
	return svc.connected ? svc.cl.sock : -1;
}

const char *service_strerror(void)
{
	return svc.error;
}

void sv_service_ctl(const char *path)
{
	svc.ctl_path = path;
}

int sv_events_to(const char *path)
{
	struct sv_sink *sink = sv_sink_open(path);

	if (!sink) {
		int err = errno;

		return fail(-err, "cannot write events to %s: %s", path ? path : "(null)",
			    strerror(err));
	}
	if (svc.chain) {
		sv_event_out_sink(sv_chain_events(svc.chain), sink);
	} else {
		sv_sink_close(svc.sink);
		svc.sink = sink;
	}
	return 0;
}

/* $SNAPVNF_TIME and $SNAPVNF_COMMUNITY_ID_SEED: the event options. */
static int event_opts(struct sv_event_opts *o)
{
	const char *t = getenv("SNAPVNF_TIME"), *seed = getenv("SNAPVNF_COMMUNITY_ID_SEED");
	char *end;
	unsigned long v;

	memset(o, 0, sizeof(*o));
	if (t && *t) {
		if (strcmp(t, "iso") == 0)
			o->iso_time = true;
		else if (strcmp(t, "epoch") != 0)
			return fail(-EINVAL, "SNAPVNF_TIME=%s: say iso (add an ISO 8601 "
				    "\"timestamp\") or epoch (\"ts\" only)", t);
	}
	if (seed && *seed) {
		errno = 0;
		v = strtoul(seed, &end, 10);
		if (errno || *end || v > 65535 || seed[0] == '-')
			return fail(-EINVAL, "SNAPVNF_COMMUNITY_ID_SEED=%s: a number 0 to 65535",
				    seed);
		o->cid_seed = (uint16_t)v;
	}
	return 0;
}

int sv_service_nice(int level)
{
	int rc;

	if (level < -20 || level > 19)
		return fail(-EINVAL, "sv_service_nice: %d is not a nice level (-20 to 19)", level);
	svc.nice = level;
	svc.nice_set = true;
	if (!svc.connected)
		return 0;
	rc = sv_nice_lower(level);
	return rc < 0 ? fail(rc, "cannot lower the priority to nice %d: %s", level, strerror(-rc))
		      : 0;
}

int sv_service_filter(const char *expr)
{
	struct sv_filter *f = NULL;
	char err[256];

	if (expr && *expr) {
		f = sv_filter_new(expr, err, sizeof(err));
		if (!f)
			return fail(-errno, "filter \"%.100s\": %s", expr, err);
	}
	sv_filter_free(svc.filter);
	svc.filter = f;
	return 0;
}

int service_init(const char *name)
{
	const char *events = getenv("SNAPVNF_EVENTS");
	struct sv_event_opts opts;
	char err[128];
	int rc, level;

	if (svc.connected)
		return fail(-EALREADY, "service_init: this process already runs service %s",
			    svc.cl.name);
	if (!name)
		return fail(-EINVAL, "service_init: a service needs a name");
	if ((rc = event_opts(&opts)) < 0)
		return rc;
	/* An explicit sv_events_to() (snapvnf run --events) wins over the
	 * environment. */
	if (!svc.sink && events && *events && (rc = sv_events_to(events)) < 0)
		return rc;
	level = svc.nice_set ? svc.nice : sv_nice_wanted(err, sizeof(err));
	if (level == -EINVAL)
		return fail(level, "%s", err);
	/* Not fatal: the service works, only with less regard for the capture. */
	if ((rc = sv_nice_lower(level)) < 0)
		fprintf(stderr, "snapvnf: cannot lower the priority to nice %d: %s\n", level,
			strerror(-rc));
	rc = sv_client_open(&svc.cl, svc.ctl_path, name);
	if (rc < 0)
		return fail(rc, "%s", svc.cl.error);
	svc.chain = sv_chain_new(name, svc.cl.stats);
	if (!svc.chain) {
		sv_client_close(&svc.cl);
		return fail(-ENOMEM, "service_init: out of memory");
	}
	sv_event_out_opts(sv_chain_events(svc.chain), &opts);
	if (svc.sink) {
		sv_event_out_sink(sv_chain_events(svc.chain), svc.sink);
		svc.sink = NULL;
	}
	svc.connected = true;
	return 0;
}

static int add(enum sv_vnf_kind kind, const void *vnf, const char *args, size_t (*rows)[3],
	       const char *named)
{
	char err[400];
	int rc;

	if (!svc.connected)
		return fail(-ENOTCONN, "register a VNF after service_init()");
	rc = sv_chain_add(svc.chain, kind, vnf, args, rows, named, err, sizeof(err));
	if (rc < 0)
		return fail(rc, "service %s: %s", svc.cl.name, err);
	return 0;
}

int register_pkt_vnf(pkt_vnf *vnf, size_t conv[][3])
{
	return add(SV_KIND_PKT, vnf, NULL, conv, NULL);
}

int register_flow_vnf(flow_vnf *vnf, size_t conv[][3])
{
	return add(SV_KIND_FLOW, vnf, NULL, conv, NULL);
}

int sv_register_pkt(const pkt_vnf *vnf, const char *args, const char *conv)
{
	return add(SV_KIND_PKT, vnf, args, NULL, conv);
}

int sv_register_flow(const flow_vnf *vnf, const char *args, const char *conv)
{
	return add(SV_KIND_FLOW, vnf, args, NULL, conv);
}

int sv_register_pkt_rows(const pkt_vnf *vnf, const char *args, size_t conv[][3])
{
	return add(SV_KIND_PKT, vnf, args, conv, NULL);
}

int sv_register_flow_rows(const flow_vnf *vnf, const char *args, size_t conv[][3])
{
	return add(SV_KIND_FLOW, vnf, args, conv, NULL);
}

static void finish(void)
{
	sv_chain_report(svc.chain);
	sv_chain_free(svc.chain);
	svc.chain = NULL;
	sv_filter_free(svc.filter);
	svc.filter = NULL;
	sv_client_close(&svc.cl);
	svc.connected = false;
}

/* Run up to a burst of items of one ring through the chain. */
static unsigned run_burst(unsigned kind, uint64_t *now)
{
	const void *items[BURST];
	unsigned n = sv_client_read(&svc.cl, kind, items, BURST);

	if (n == 0)
		return 0;
	for (unsigned i = 0; i < n; i++) {
		if (kind == SV_CLIENT_FLOW) {
			sv_chain_flow(svc.chain, items[i]);
		} else if (!svc.filter) {
			sv_chain_pkt(svc.chain, items[i]);
		} else if (sv_filter_match(svc.filter, items[i])) {
			sv_counter_add(svc.passed, 1);
			sv_chain_pkt(svc.chain, items[i]);
		} else {
			sv_counter_add(svc.dropped, 1);
		}
	}
	*now = kind == SV_CLIENT_FLOW ? ((const struct sv_flow *)items[n - 1])->ts_ns
				      : ((const struct sv_pkt *)items[n - 1])->ts_ns;
	sv_client_read_done(&svc.cl, kind);
	return n;
}

/*
 * The daemon ended its stream (w == -1) or hung up (SV_CLIENT_GONE).
 * Returns 1 to go on (reconnected), 0 to end quietly, or -errno.
 */
static int daemon_left(int w)
{
	char msg[600];
	int rc;

	if (!svc.reconnect) {
		if (w == -1)
			return 0;
		return fail(-EPIPE, "service %s: snapvnfd at %s went away without ending its "
			    "stream (killed or crashed?); stopping (a service started with "
			    "--reconnect waits for it to come back)", svc.cl.name, svc.cl.ctl_path);
	}
	fprintf(stderr, "snapvnf: service %s: snapvnfd at %s %s; waiting for it to come back\n",
		svc.cl.name, svc.cl.ctl_path,
		w == -1 ? "ended its stream" : "went away (killed or crashed?)");
	for (;;) {
		rc = sv_client_reconnect(&svc.cl, &svc_stop, msg, sizeof(msg));
		if (rc == -EINTR)
			return 0;
		if (rc == 0)
			break;
		/* Refused (the name is taken meanwhile): say so, keep trying. */
		fprintf(stderr, "snapvnf: service %s: %s; trying again\n", svc.cl.name,
			svc.cl.error);
		sleep(5);
	}
	fprintf(stderr, "snapvnf: service %s: %s\n", svc.cl.name, msg);
	/* The new daemon may capture elsewhere. */
	sv_event_out_capture(sv_chain_events(svc.chain), svc.cl.iface);
	return 1;
}

void sv_service_reconnect(int on)
{
	svc.reconnect = on != 0;
}

int service_run(void)
{
	struct sigaction sa = { .sa_handler = on_signal }, hup = { .sa_handler = on_hup };
	uint64_t now = 0, last_tick = 0;
	unsigned kinds, consumes = 0;
	int rc;

	if (!svc.connected)
		return fail(-ENOTCONN, "service_run: call service_init() first");
	if (sv_chain_len(svc.chain) == 0)
		return fail(-EINVAL, "service %s: no VNF registered", svc.cl.name);
	rc = sv_chain_compile(svc.chain);
	if (rc < 0)
		return fail(rc, "service %s: cannot compile converters: %s", svc.cl.name,
			    strerror(-rc));
	/* Attach only to the rings the chain reads: a cursor nobody advances
	 * would hold a lossless producer back. */
	kinds = sv_chain_kinds(svc.chain);
	if (kinds & SV_KIND_PKT)
		consumes |= SV_CONSUME_PKT;
	if (kinds & SV_KIND_FLOW)
		consumes |= SV_CONSUME_FLOW;
	if (svc.filter) {
		svc.passed = sv_stats_add(svc.cl.stats, "filter", "passed");
		svc.dropped = sv_stats_add(svc.cl.stats, "filter", "dropped");
	}
	rc = sv_client_attach(&svc.cl, consumes);
	if (rc < 0)
		return fail(rc, "%s", svc.cl.error);
	sv_event_out_capture(sv_chain_events(svc.chain), svc.cl.iface);
	/* No SA_RESTART: a signal cuts a reconnect's sleep short. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &hup, NULL);

	rc = 0;
	while (!svc_stop) {
		unsigned n = 0;

		if (svc_reopen) {
			svc_reopen = 0;
			sv_event_out_reopen(sv_chain_events(svc.chain));
		}

		if (consumes & SV_CONSUME_PKT)
			n += run_burst(SV_CLIENT_PKT, &now);
		if (consumes & SV_CONSUME_FLOW)
			n += run_burst(SV_CLIENT_FLOW, &now);
		if (n == 0) {
			int w;

			sv_event_out_flush(sv_chain_events(svc.chain));
			/* The timeout bounds how late a dead daemon is noticed. */
			w = sv_client_wait(&svc.cl, 1000);
			if (w >= 0)
				continue;
			rc = daemon_left(w);
			if (rc <= 0)
				break;
			rc = 0;
			continue;
		}
		if (!last_tick || now < last_tick)
			last_tick = now;
		/* Ticks follow item time, so a replay ticks as recorded (and an
		 * idle feed has nothing to tick about). */
		if (now - last_tick >= TICK_NS) {
			sv_chain_tick(svc.chain, now);
			last_tick = now;
		}
	}
	finish();
	return rc;
}
