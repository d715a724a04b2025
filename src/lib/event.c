/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * event.c - events as JSON lines. json-c writes the JSON (escaping is the
 * part that is easy to get wrong); a line per event, flushed per burst so
 * the per-event cost is one fwrite into a buffer.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <json-c/json.h>

#include <snapvnf/vnf.h>

#include "lib/chain.h"
#include "lib/event.h"

struct sv_event {
	json_object *obj;
	struct sv_vnf_ctx *ctx;
};

static struct {
	FILE *file;        /* NULL: stdout */
	bool syslog;
	const struct sv_pkt *pkt;
	const struct sv_flow *rec;
	uint64_t last_ts;  /* newest item time: events from tick/report use it */
	struct sv_event open;
} ev;

int sv_event_sink(const char *spec)
{
	FILE *f;

	if (!spec || strcmp(spec, "-") == 0) {
		if (ev.file)
			fclose(ev.file);
		ev.file = NULL;
		ev.syslog = false;
		return 0;
	}
	if (strcmp(spec, "syslog") == 0) {
		openlog("snapvnf", LOG_PID, LOG_DAEMON);
		ev.syslog = true;
		return 0;
	}
	f = fopen(spec, "ae");
	if (!f)
		return -errno;
	if (ev.file)
		fclose(ev.file);
	ev.file = f;
	ev.syslog = false;
	return 0;
}

void sv_event_flush(void)
{
	fflush(ev.file ? ev.file : stdout);
}

void sv_event_item(const struct sv_pkt *pkt, const struct sv_flow *rec)
{
	ev.pkt = pkt;
	ev.rec = rec;
	if (pkt)
		ev.last_ts = pkt->ts_ns;
	else if (rec)
		ev.last_ts = rec->ts_ns;
}

static void add_ip(json_object *o, const char *key, int version, const uint8_t *a)
{
	char buf[INET6_ADDRSTRLEN];

	if (version != 4 && version != 6)
		return;
	inet_ntop(version == 6 ? AF_INET6 : AF_INET, a, buf, sizeof(buf));
	json_object_object_add(o, key, json_object_new_string(buf));
}

struct sv_event *sv_event_begin(struct sv_vnf_ctx *ctx, const char *event)
{
	json_object *o;
	uint64_t ts = ev.last_ts;
	char tsbuf[32];

	if (ev.open.obj)  /* an event left open: close it rather than lose it */
		sv_event_end(&ev.open);
	o = json_object_new_object();
	if (!o)
		return NULL;
	snprintf(tsbuf, sizeof(tsbuf), "%llu.%06llu", (unsigned long long)(ts / 1000000000u),
		 (unsigned long long)(ts % 1000000000u / 1000u));
	json_object_object_add(o, "ts", json_object_new_double_s((double)ts / 1e9, tsbuf));
	json_object_object_add(o, "service", json_object_new_string(sv_vnf_service_name(ctx)));
	json_object_object_add(o, "vnf", json_object_new_string(ctx->desc->name));
	json_object_object_add(o, "event", json_object_new_string(event));
	if (ev.pkt && ev.pkt->ip_version) {
		add_ip(o, "src", ev.pkt->ip_version, ev.pkt->src);
		add_ip(o, "dst", ev.pkt->ip_version, ev.pkt->dst);
		json_object_object_add(o, "sport", json_object_new_int(ev.pkt->sport));
		json_object_object_add(o, "dport", json_object_new_int(ev.pkt->dport));
		json_object_object_add(o, "proto", json_object_new_int(ev.pkt->proto));
	}
	ev.open.obj = o;
	ev.open.ctx = ctx;
	return &ev.open;
}

void sv_event_str(struct sv_event *e, const char *key, const char *s, size_t len)
{
	if (!e || !e->obj)
		return;
	if (!s)
		json_object_object_add(e->obj, key, NULL);
	else
		json_object_object_add(e->obj, key,
				       json_object_new_string_len(s, len == SIZE_MAX ? (int)strlen(s)
										     : (int)len));
}

void sv_event_u64(struct sv_event *e, const char *key, uint64_t v)
{
	if (e && e->obj)
		json_object_object_add(e->obj, key, json_object_new_uint64(v));
}

void sv_event_i64(struct sv_event *e, const char *key, int64_t v)
{
	if (e && e->obj)
		json_object_object_add(e->obj, key, json_object_new_int64(v));
}

void sv_event_double(struct sv_event *e, const char *key, double v)
{
	if (e && e->obj)
		json_object_object_add(e->obj, key, json_object_new_double(v));
}

void sv_event_bool(struct sv_event *e, const char *key, bool v)
{
	if (e && e->obj)
		json_object_object_add(e->obj, key, json_object_new_boolean(v));
}

void sv_event_addr(struct sv_event *e, const char *key, const struct sv_addr *a)
{
	if (!e || !e->obj)
		return;
	if (a->family == 4 || a->family == 6)
		add_ip(e->obj, key, a->family, a->a);
	else
		json_object_object_add(e->obj, key, NULL);
}

void sv_event_end(struct sv_event *e)
{
	const char *line;

	if (!e || !e->obj)
		return;
	line = json_object_to_json_string_ext(e->obj, JSON_C_TO_STRING_PLAIN);
	if (ev.syslog)
		syslog(LOG_NOTICE, "%s", line);
	else
		fprintf(ev.file ? ev.file : stdout, "%s\n", line);
	sv_counter_add(e->ctx->events, 1);
	json_object_put(e->obj);
	e->obj = NULL;
}
