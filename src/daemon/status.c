/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * status.c - the daemon's counters as JSON (for `snapvnf status`) and as
 * Prometheus text exposition (for `snapvnf metrics` and scrapers).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "common/ring.h"
#include "common/stats.h"
#include "daemon/action.h"
#include "daemon/collector.h"
#include "daemon/daemon.h"
#include "daemon/input.h"

static void add_u64(json_object *o, const char *k, uint64_t v)
{
	json_object_object_add(o, k, json_object_new_uint64(v));
}

static void put_json(void *ctx, const char *name, uint64_t v, const char *help)
{
	add_u64(ctx, name, v);
}

/* The object `name` of root, made empty if it is not there yet. */
static json_object *section(json_object *root, const char *name)
{
	json_object *o;

	if (!json_object_object_get_ex(root, name, &o)) {
		o = json_object_new_object();
		json_object_object_add(root, name, o);
	}
	return o;
}

/* A counter as Prometheus text: snapvnf_SECTION_NAME_total. */
struct prom {
	FILE *f;
	const char *section;
};

static void put_prom(void *ctx, const char *name, uint64_t v, const char *help)
{
	const struct prom *p = ctx;

	fprintf(p->f, "# HELP snapvnf_%s_%s_total %s\n# TYPE snapvnf_%s_%s_total counter\n"
		      "snapvnf_%s_%s_total %llu\n", p->section, name, help, p->section, name,
		p->section, name, (unsigned long long)v);
}

static void cursor_json(json_object *o, const char *prefix, const struct sv_cursor *c,
			uint64_t head)
{
	uint64_t pos = atomic_load_explicit(&c->pos, memory_order_relaxed);
	char key[32];

	snprintf(key, sizeof(key), "%sdelivered", prefix);
	add_u64(o, key, atomic_load_explicit(&c->delivered, memory_order_relaxed));
	snprintf(key, sizeof(key), "%slost", prefix);
	add_u64(o, key, atomic_load_explicit(&c->lost, memory_order_relaxed));
	snprintf(key, sizeof(key), "%sbacklog", prefix);
	add_u64(o, key, head > pos ? head - pos : 0);
}

/* The door's counters, in the order docs/actions.md lists them. */
#define DOOR_COUNTERS(X)                                                         \
	X(requests, "block requests received")                                  \
	X(applied, "rules the backend confirmed")                               \
	X(dry_run, "requests accepted with dry_run=1 (events only)")            \
	X(folded, "requests covered by a rule already in force")                \
	X(refused_malformed, "requests refused: malformed")                     \
	X(refused_allowlist, "requests refused: an address never blocked")      \
	X(refused_ttl, "requests refused: TTL out of bounds")                   \
	X(refused_cap, "requests refused: rule cap reached")                    \
	X(refused_rate, "requests refused: the service's rate cap")             \
	X(refused_enforcer, "requests refused: the enforcer is gone")           \
	X(failed, "rules the backend could not apply")                          \
	X(expired, "rules removed at the end of their TTL")                     \
	X(removed, "rules removed by unblock or at exit")                       \
	X(leftovers, "rules of an earlier run removed at start")

static json_object *door_json(const struct sv_door *door)
{
	json_object *o = json_object_new_object();
	struct sv_door_stats st;

	sv_door_stats(door, &st);
	json_object_object_add(o, "backend", json_object_new_string(st.backend));
	json_object_object_add(o, "enforcer_up", json_object_new_boolean(st.enforcer_up));
	json_object_object_add(o, "enforcer_pid", json_object_new_int(st.enforcer_pid));
	add_u64(o, "active", st.active);
#define X(name, help) add_u64(o, #name, st.name);
	DOOR_COUNTERS(X)
#undef X
	return o;
}

static void door_prometheus(FILE *f, const struct sv_door *door)
{
	struct sv_door_stats st;

	sv_door_stats(door, &st);
	fprintf(f, "# HELP snapvnf_actions_active Block rules in force.\n"
		   "# TYPE snapvnf_actions_active gauge\nsnapvnf_actions_active %llu\n"
		   "# HELP snapvnf_actions_enforcer_up 1 while the enforcer process runs.\n"
		   "# TYPE snapvnf_actions_enforcer_up gauge\nsnapvnf_actions_enforcer_up %d\n",
		(unsigned long long)st.active, st.enforcer_up ? 1 : 0);
#define X(name, help)                                                             \
	fprintf(f, "# HELP snapvnf_actions_" #name "_total " help ".\n"                \
		   "# TYPE snapvnf_actions_" #name "_total counter\n"                   \
		   "snapvnf_actions_" #name "_total %llu\n", (unsigned long long)st.name);
	DOOR_COUNTERS(X)
#undef X
}

static json_object *service_json(const struct sv_service_info *s, const struct sv_daemon_view *v)
{
	json_object *o = json_object_new_object(), *cnt = json_object_new_object();
	char name[SV_STAT_NAME_MAX];
	uint64_t val;

	json_object_object_add(o, "name", json_object_new_string(s->name));
	json_object_object_add(o, "pid", json_object_new_int(s->pid));
	/* Snap figures unprefixed (every tool reads them), flow ones prefixed. */
	if (s->pkt)
		cursor_json(o, "", s->pkt, v->ring_head);
	if (s->flow)
		cursor_json(o, "flow_", s->flow, v->flow_head);
	for (unsigned i = 0; sv_stats_read(s->stats, i, name, &val) == 0; i++)
		add_u64(cnt, name, val);
	json_object_object_add(o, "counters", cnt);
	return o;
}

char *sv_status_json(const struct sv_daemon_view *v)
{
	json_object *root = json_object_new_object();
	json_object *d = json_object_new_object(), *cap = json_object_new_object();
	json_object *svcs = json_object_new_array(), *ctl = json_object_new_object();
	struct sv_registry_stats rs;
	struct sv_service_info s;
	char *out;

	json_object_object_add(d, "source", json_object_new_string(v->source_desc));
	add_u64(d, "snaplen", v->opts->snaplen);
	add_u64(d, "ring_slots", v->ring_slots);
	json_object_object_add(d, "lossless", json_object_new_boolean(v->lossless));
	json_object_object_add(d, "ended", json_object_new_boolean(v->ended));
	json_object_object_add(d, "uptime_s", json_object_new_double(v->uptime_s));
	json_object_object_add(root, "daemon", d);

	/* Always there, so a flow-only daemon still shows zero snaps. */
	json_object_object_add(root, "capture", cap);
	json_object_object_add(root, "collector", sv_collector_json(v->collector));
	for (unsigned i = 0; i < v->ninputs; i++)
		v->inputs[i].ops->stats(v->inputs[i].in, put_json,
					section(root, v->inputs[i].ops->section));

	sv_registry_stats(v->reg, &rs);
	add_u64(ctl, "connections", rs.connections);
	add_u64(ctl, "accepted", rs.accepted);
	add_u64(ctl, "refused", rs.refused);
	add_u64(ctl, "name_taken", rs.name_taken);
	add_u64(ctl, "bad_requests", rs.bad_requests);
	add_u64(ctl, "busy", rs.busy);
	json_object_object_add(root, "control", ctl);
	if (v->door)
		json_object_object_add(root, "actions", door_json(v->door));

	for (unsigned i = 0; sv_registry_service(v->reg, i, &s); i++)
		json_object_array_add(svcs, service_json(&s, v));
	json_object_object_add(root, "services", svcs);

	out = strdup(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(root);
	return out;
}

char *sv_status_prometheus(const struct sv_daemon_view *v)
{
	struct sv_registry_stats rs;
	struct sv_service_info s;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	for (unsigned i = 0; i < v->ninputs; i++) {
		struct prom p = { f, v->inputs[i].ops->section };

		v->inputs[i].ops->stats(v->inputs[i].in, put_prom, &p);
	}
	sv_collector_counters(v->collector, put_prom, &(struct prom){ f, "collector" });
	sv_registry_stats(v->reg, &rs);
	fprintf(f, "# HELP snapvnf_control_connections Control socket connections open.\n"
		   "# TYPE snapvnf_control_connections gauge\n"
		   "snapvnf_control_connections %llu\n"
		   "# HELP snapvnf_control_refused_total Control connections refused: too many open.\n"
		   "# TYPE snapvnf_control_refused_total counter\n"
		   "snapvnf_control_refused_total %llu\n"
		   "# HELP snapvnf_control_bad_requests_total Malformed, unknown or out-of-order "
		   "control requests.\n"
		   "# TYPE snapvnf_control_bad_requests_total counter\n"
		   "snapvnf_control_bad_requests_total %llu\n",
		(unsigned long long)rs.connections, (unsigned long long)rs.refused,
		(unsigned long long)rs.bad_requests);
	if (v->door)
		door_prometheus(f, v->door);
	fprintf(f, "# TYPE snapvnf_service_delivered_total counter\n"
		   "# TYPE snapvnf_service_lost_total counter\n"
		   "# TYPE snapvnf_service_counter gauge\n");
	for (unsigned i = 0; sv_registry_service(v->reg, i, &s); i++) {
		char name[SV_STAT_NAME_MAX];
		uint64_t val;

		if (s.pkt) {
			fprintf(f, "snapvnf_service_delivered_total{service=\"%s\",ring=\"pkt\"} %llu\n",
				s.name, (unsigned long long)atomic_load(&s.pkt->delivered));
			fprintf(f, "snapvnf_service_lost_total{service=\"%s\",ring=\"pkt\"} %llu\n",
				s.name, (unsigned long long)atomic_load(&s.pkt->lost));
		}
		if (s.flow) {
			fprintf(f, "snapvnf_service_delivered_total{service=\"%s\",ring=\"flow\"} %llu\n",
				s.name, (unsigned long long)atomic_load(&s.flow->delivered));
			fprintf(f, "snapvnf_service_lost_total{service=\"%s\",ring=\"flow\"} %llu\n",
				s.name, (unsigned long long)atomic_load(&s.flow->lost));
		}
		for (unsigned k = 0; sv_stats_read(s.stats, k, name, &val) == 0; k++)
			fprintf(f, "snapvnf_service_counter{service=\"%s\",name=\"%s\"} %llu\n",
				s.name, name, (unsigned long long)val);
	}
	fclose(f);
	return buf;
}
