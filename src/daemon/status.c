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
#include "daemon/collector.h"
#include "daemon/daemon.h"
#include "daemon/nfdump.h"

static void add_u64(json_object *o, const char *k, uint64_t v)
{
	json_object_object_add(o, k, json_object_new_uint64(v));
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

	add_u64(cap, "received", v->cap.received);
	add_u64(cap, "bytes", v->cap.bytes);
	add_u64(cap, "kernel_drops", v->cap.kernel_drops);
	add_u64(cap, "if_drops", v->cap.if_drops);
	add_u64(cap, "truncated", v->cap.truncated);
	add_u64(cap, "malformed", v->cap.malformed);
	add_u64(cap, "erspan", v->cap.erspan);
	add_u64(cap, "erspan_kept", v->cap.erspan_kept);
	json_object_object_add(root, "capture", cap);
	json_object_object_add(root, "collector", sv_collector_json(v->collector));
	if (v->nfdump) {
		struct sv_nfdump_stats ns;
		json_object *nf = json_object_new_object();

		sv_nfdump_stats(v->nfdump, &ns);
		add_u64(nf, "files", ns.files);
		add_u64(nf, "rows", ns.rows);
		add_u64(nf, "records", ns.records);
		add_u64(nf, "malformed", ns.malformed);
		add_u64(nf, "nfdump_failures", ns.nfdump_failures);
		json_object_object_add(root, "nfdump", nf);
	}

	sv_registry_stats(v->reg, &rs);
	add_u64(ctl, "connections", rs.connections);
	add_u64(ctl, "accepted", rs.accepted);
	add_u64(ctl, "refused", rs.refused);
	add_u64(ctl, "name_taken", rs.name_taken);
	add_u64(ctl, "bad_requests", rs.bad_requests);
	add_u64(ctl, "busy", rs.busy);
	json_object_object_add(root, "control", ctl);

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
	fprintf(f, "# HELP snapvnf_capture_packets_total Snaps published to the packet ring.\n"
		   "# TYPE snapvnf_capture_packets_total counter\n"
		   "snapvnf_capture_packets_total %llu\n",
		(unsigned long long)v->cap.received);
	fprintf(f, "# TYPE snapvnf_capture_bytes_total counter\nsnapvnf_capture_bytes_total %llu\n",
		(unsigned long long)v->cap.bytes);
	fprintf(f, "# TYPE snapvnf_capture_kernel_drops_total counter\n"
		   "snapvnf_capture_kernel_drops_total %llu\n",
		(unsigned long long)v->cap.kernel_drops);
	fprintf(f, "# TYPE snapvnf_capture_truncated_total counter\n"
		   "snapvnf_capture_truncated_total %llu\n",
		(unsigned long long)v->cap.truncated);
	fprintf(f, "# TYPE snapvnf_capture_malformed_total counter\n"
		   "snapvnf_capture_malformed_total %llu\n",
		(unsigned long long)v->cap.malformed);
	fprintf(f, "# HELP snapvnf_capture_erspan_total ERSPAN packets unwrapped to the mirrored frame.\n"
		   "# TYPE snapvnf_capture_erspan_total counter\n"
		   "snapvnf_capture_erspan_total %llu\n",
		(unsigned long long)v->cap.erspan);
	fprintf(f, "# HELP snapvnf_capture_erspan_kept_total ERSPAN packets left whole "
		   "(headers cut or bad, not Ethernet).\n"
		   "# TYPE snapvnf_capture_erspan_kept_total counter\n"
		   "snapvnf_capture_erspan_kept_total %llu\n",
		(unsigned long long)v->cap.erspan_kept);
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
