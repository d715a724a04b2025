/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * status.c - every counter of the daemon, walked once per query into a
 * writer (metrics.h): JSON for `snapvnf status`, Prometheus text for
 * `snapvnf metrics` and the --metrics endpoint. The daemon's own rows,
 * the control socket's and the services' are defined here; the inputs,
 * the snapper and the collector keep theirs next to their counters.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/ring.h"
#include "common/stats.h"
#include "common/version.h"
#include "daemon/action.h"
#include "daemon/collector.h"
#include "daemon/daemon.h"
#include "daemon/input.h"
#include "daemon/metrics.h"
#include "daemon/metrics_http.h"

static const struct sv_metric_group g_daemon = { .json = "daemon", .prom = "daemon" };
static const struct sv_metric_group g_control = { .json = "control", .prom = "control" };
static const struct sv_metric_group g_actions = { .json = "actions", .prom = "actions" };
static const struct sv_metric_group g_services = {
	.json = "services", .prom = "service", .label = "service", .json_label = "name", .vnf = true,
};
/* The sections inputs name (input.h): an input's rows go into its own. */
static const struct sv_metric_group g_sections[] = {
	{ .json = "capture", .prom = "capture" },
	{ .json = "collector", .prom = "collector" },
	{ .json = "nfdump", .prom = "nfdump" },
};

/* What the daemon says of itself. */
struct daemon_row {
	uint64_t snaplen, ring_slots;
	bool lossless, ended;
	double uptime;
};

static const struct sv_metric daemon_rows[] = {
	SV_GAUGE("snaplen", struct daemon_row, snaplen, "Bytes kept of each packet (-s)."),
	SV_GAUGE("ring_slots", struct daemon_row, ring_slots, "Slots in the packet ring."),
	SV_METRIC("lossless", GAUGE, BOOL, struct daemon_row, lossless,
		  "1: the inputs wait for the slowest service; 0: slow services lose."),
	SV_METRIC("ended", GAUGE, BOOL, struct daemon_row, ended,
		  "1 once every input has ended (a replay done, or stopping)."),
	SV_METRIC("uptime_seconds", GAUGE, DOUBLE, struct daemon_row, uptime,
		  "Seconds since the daemon started reading."),
};

static const struct sv_metric control_rows[] = {
	SV_GAUGE("connections", struct sv_registry_stats, connections,
		 "Control socket connections open."),
	SV_COUNTER("accepted", struct sv_registry_stats, accepted,
		   "Control socket connections accepted."),
	SV_COUNTER("refused", struct sv_registry_stats, refused,
		   "Control connections refused: too many open."),
	SV_COUNTER("name_taken", struct sv_registry_stats, name_taken,
		   "Services refused: a service of that name runs."),
	SV_COUNTER("bad_requests", struct sv_registry_stats, bad_requests,
		   "Malformed, unknown or out-of-order control requests."),
	SV_COUNTER("busy", struct sv_registry_stats, busy,
		   "Status and metrics requests refused: too many replies unread."),
	SV_COUNTER("accept_failures", struct sv_registry_stats, accept_failures,
		   "accept() out of descriptors or memory (each pauses accepting)."),
};

/* The door's, in the order docs/actions.md lists them. */
struct door_row {
	struct sv_door_stats st;
	int64_t enforcer_pid;  /* pid_t, -1 once gone */
};

#define DOOR_COUNTER(name, help) SV_COUNTER(#name, struct door_row, st.name, help)
static const struct sv_metric door_rows[] = {
	SV_METRIC("enforcer_up", GAUGE, BOOL, struct door_row, st.enforcer_up,
		  "1 while the enforcer process runs."),
	SV_METRIC("enforcer_pid", GAUGE, I64, struct door_row, enforcer_pid,
		  "The enforcer's process id; -1 once it is gone."),
	SV_GAUGE("active", struct door_row, st.active, "Block rules in force."),
	DOOR_COUNTER(requests, "Block requests received."),
	DOOR_COUNTER(applied, "Rules the backend confirmed."),
	DOOR_COUNTER(dry_run, "Requests accepted with dry_run=1 (events only)."),
	DOOR_COUNTER(folded, "Requests covered by a rule already in force."),
	DOOR_COUNTER(extended, "Rules in force given a later end by a request for the same target."),
	DOOR_COUNTER(refused_malformed, "Requests refused: malformed."),
	DOOR_COUNTER(refused_allowlist, "Requests refused: an address never blocked."),
	DOOR_COUNTER(refused_ttl, "Requests refused: TTL out of bounds."),
	DOOR_COUNTER(refused_cap, "Requests refused: rule cap reached."),
	DOOR_COUNTER(refused_rate, "Requests refused: the service's rate cap."),
	DOOR_COUNTER(refused_enforcer, "Requests refused: the enforcer is gone."),
	DOOR_COUNTER(failed, "Rules the backend could not apply."),
	DOOR_COUNTER(expired, "Rules removed at the end of their TTL."),
	DOOR_COUNTER(removed, "Rules removed by unblock or at exit."),
	DOOR_COUNTER(leftovers, "Rules of an earlier run removed at start."),
};

static void door_metrics(const struct sv_door *door, struct sv_metrics *m)
{
	struct door_row r;

	sv_door_stats(door, &r.st);
	r.enforcer_pid = r.st.enforcer_pid;
	sv_metrics_group(m, &g_actions, NULL);
	sv_metrics_info(m, "backend", r.st.backend ? r.st.backend : "", "actions_info",
			"The enforcer's backend, as a label.");
	sv_metrics_table(m, door_rows, SV_NROWS(door_rows), &r);
}

/* A service: its process, then per ring it reads, a cursor's figures. */
struct service_row {
	uint64_t pid;
	uint64_t delivered, lost, backlog;
	uint64_t flow_delivered, flow_lost, flow_backlog;
};

static const struct sv_metric service_rows[] = {
	SV_GAUGE("pid", struct service_row, pid, "The service's process id."),
};

/* Snap figures unprefixed (every tool reads them), flow ones prefixed. */
static const struct sv_metric service_pkt_rows[] = {
	SV_COUNTER("delivered", struct service_row, delivered, "Snaps the service has read."),
	SV_COUNTER("lost", struct service_row, lost,
		   "Snaps the service lost: overwritten before it read them."),
	SV_GAUGE("backlog", struct service_row, backlog,
		 "Snaps published that the service has not read yet."),
};

static const struct sv_metric service_flow_rows[] = {
	SV_COUNTER("flow_delivered", struct service_row, flow_delivered,
		   "Flow records the service has read."),
	SV_COUNTER("flow_lost", struct service_row, flow_lost,
		   "Flow records the service lost: overwritten before it read them."),
	SV_GAUGE("flow_backlog", struct service_row, flow_backlog,
		 "Flow records published that the service has not read yet."),
};

static void cursor_read(const struct sv_cursor *c, uint64_t head, uint64_t *delivered,
			uint64_t *lost, uint64_t *backlog)
{
	uint64_t pos = atomic_load_explicit(&c->pos, memory_order_relaxed);

	*delivered = atomic_load_explicit(&c->delivered, memory_order_relaxed);
	*lost = atomic_load_explicit(&c->lost, memory_order_relaxed);
	*backlog = head > pos ? head - pos : 0;
}

static void service_metrics(const struct sv_service_info *s, const struct sv_daemon_view *v,
			    struct sv_metrics *m)
{
	struct service_row r = { .pid = (uint64_t)s->pid };
	char name[SV_STAT_NAME_MAX];
	uint64_t val;

	sv_metrics_group(m, &g_services, s->name);
	sv_metrics_table(m, service_rows, SV_NROWS(service_rows), &r);
	if (s->pkt) {
		cursor_read(s->pkt, v->ring_head, &r.delivered, &r.lost, &r.backlog);
		sv_metrics_table(m, service_pkt_rows, SV_NROWS(service_pkt_rows), &r);
	}
	if (s->flow) {
		cursor_read(s->flow, v->flow_head, &r.flow_delivered, &r.flow_lost,
			    &r.flow_backlog);
		sv_metrics_table(m, service_flow_rows, SV_NROWS(service_flow_rows), &r);
	}
	for (unsigned i = 0; sv_stats_read(s->stats, i, name, &val) == 0; i++)
		sv_metrics_vnf(m, name, sv_stats_is_gauge(s->stats, i), val);
}

static const struct sv_metric_group *section(const char *name)
{
	for (size_t i = 0; i < SV_NROWS(g_sections); i++)
		if (strcmp(g_sections[i].json, name) == 0)
			return &g_sections[i];
	return NULL;
}

void sv_status_render(const struct sv_daemon_view *v, struct sv_metrics *m)
{
	const struct daemon_row d = {
		.snaplen = v->opts->snaplen, .ring_slots = v->ring_slots,
		.lossless = v->lossless, .ended = v->ended, .uptime = v->uptime_s,
	};
	struct sv_registry_stats rs;
	struct sv_service_info s;

	sv_metrics_group(m, &g_daemon, NULL);
	sv_metrics_info(m, "version", sv_version(), "build_info",
			"The version snapvnfd was built from (VERSION), as a label.");
	sv_metrics_info(m, "source", v->source_desc, "daemon_info",
			"What the daemon reads (its inputs), as a label.");
	sv_metrics_table(m, daemon_rows, SV_NROWS(daemon_rows), &d);

	/* Always there, so a flow-only daemon still shows zero snaps. */
	sv_metrics_group(m, section("capture"), NULL);
	sv_collector_metrics(v->collector, m);
	for (unsigned i = 0; i < v->ninputs; i++) {
		const struct sv_metric_group *g = section(v->inputs[i].ops->section);

		if (!g)
			continue;  /* an input with a section of its own: add it above */
		sv_metrics_group(m, g, NULL);
		v->inputs[i].ops->stats(v->inputs[i].in, m);
	}

	sv_registry_stats(v->reg, &rs);
	sv_metrics_group(m, &g_control, NULL);
	sv_metrics_table(m, control_rows, SV_NROWS(control_rows), &rs);
	if (v->door)
		door_metrics(v->door, m);
	if (v->http)
		sv_metrics_http_metrics(v->http, m);

	/* An empty list, not a missing one, when no service runs. */
	sv_metrics_group(m, &g_services, NULL);
	for (unsigned i = 0; sv_registry_service(v->reg, i, &s); i++)
		service_metrics(&s, v, m);
}

char *sv_status_json(const struct sv_daemon_view *v)
{
	struct sv_metrics *m = sv_metrics_json();

	if (m)
		sv_status_render(v, m);
	return sv_metrics_done(m);
}

char *sv_status_prometheus(const struct sv_daemon_view *v)
{
	struct sv_metrics *m = sv_metrics_prometheus();

	if (m)
		sv_status_render(v, m);
	return sv_metrics_done(m);
}
