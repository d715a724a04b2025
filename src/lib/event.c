/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * event.c - events as JSON lines. json-c writes the JSON (escaping is the
 * part that is easy to get wrong); each chain's output (event.h) adds the
 * fields every event carries and hands the line to its sink, flushed per
 * burst so the per-event cost is one copy into a buffer.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include <snapvnf/vnf.h>

#include "lib/community_id.h"
#include "lib/event.h"
#include "lib/vnf_ctx.h"

struct sv_event {
	json_object *obj;
	struct sv_vnf_ctx *ctx;
	char event[48];
};

struct sv_event_out {
	struct sv_sink *sink;           /* NULL: standard output, not yet opened */
	struct sv_event_opts opts;
	char iface[64];                 /* the daemon's capture interface, or "" */
	const struct sv_pkt *pkt;
	const struct sv_flow *rec;
	uint64_t last_ts;               /* newest item time: events from tick/report use it */
	struct sv_event open;
	bool said_error;                /* the first lost line was said on stderr */
	_Atomic uint64_t *lines, *errors, *reopens;
};

struct sv_event_out *sv_event_out_new(struct sv_stats *stats)
{
	struct sv_event_out *o = calloc(1, sizeof(*o));

	if (!o)
		return NULL;
	if (stats) {
		o->lines = sv_stats_add(stats, "sink", "lines");
		o->errors = sv_stats_add(stats, "sink", "errors");
		o->reopens = sv_stats_add(stats, "sink", "reopens");
	}
	return o;
}

void sv_event_out_free(struct sv_event_out *o)
{
	if (!o)
		return;
	if (o->open.obj)
		sv_event_end(&o->open);
	sv_event_out_flush(o);
	sv_sink_close(o->sink);
	free(o);
}

void sv_event_out_sink(struct sv_event_out *o, struct sv_sink *s)
{
	sv_event_out_flush(o);
	sv_sink_close(o->sink);
	o->sink = s;
	o->said_error = false;
}

void sv_event_out_opts(struct sv_event_out *o, const struct sv_event_opts *opts)
{
	o->opts = *opts;
}

void sv_event_out_capture(struct sv_event_out *o, const char *iface)
{
	snprintf(o->iface, sizeof(o->iface), "%s", iface ? iface : "");
}

/* Until given a sink, an output writes to standard output. */
static struct sv_sink *sink_of(struct sv_event_out *o)
{
	if (!o->sink)
		o->sink = sv_sink_open("-");
	return o->sink;
}

static void lost(struct sv_event_out *o, const char *what, int err)
{
	sv_counter_add(o->errors, 1);
	if (o->said_error)
		return;
	/* Once per sink: a full disk must not turn into a line per event. */
	o->said_error = true;
	fprintf(stderr, "snapvnf: cannot %s events to %s: %s (counted in sink.errors)\n", what,
		o->sink ? sv_sink_spec(o->sink) : "-", strerror(-err));
}

void sv_event_out_flush(struct sv_event_out *o)
{
	int rc;

	if (o && o->sink && (rc = sv_sink_flush(o->sink)) < 0)
		lost(o, "write", rc);
}

int sv_event_out_reopen(struct sv_event_out *o)
{
	int rc;

	if (!o->sink)
		return 0;
	sv_event_out_flush(o);
	rc = sv_sink_reopen(o->sink);
	if (rc < 0) {
		fprintf(stderr, "snapvnf: cannot reopen %s: %s; events go on to the old file\n",
			sv_sink_spec(o->sink), strerror(-rc));
		return rc;
	}
	sv_counter_add(o->reopens, 1);
	o->said_error = false;
	return 0;
}

void sv_event_out_item(struct sv_event_out *o, const struct sv_pkt *pkt, const struct sv_flow *rec)
{
	o->pkt = pkt;
	o->rec = rec;
	if (pkt)
		o->last_ts = pkt->ts_ns;
	else if (rec)
		o->last_ts = rec->ts_ns;
}

static void add_ip(json_object *o, const char *key, int version, const uint8_t *a)
{
	char buf[INET6_ADDRSTRLEN];

	if (version != 4 && version != 6)
		return;
	inet_ntop(version == 6 ? AF_INET6 : AF_INET, a, buf, sizeof(buf));
	json_object_object_add(o, key, json_object_new_string(buf));
}

/* "2023-11-14T22:13:20.123456Z": RFC 3339, UTC, the precision of "ts". */
static void add_iso_time(json_object *o, uint64_t ts)
{
	time_t sec = (time_t)(ts / 1000000000u);
	char buf[48];
	struct tm tm;
	size_t n;

	if (!gmtime_r(&sec, &tm))
		return;
	n = strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, sizeof(buf) - n, ".%06uZ", (unsigned)(ts % 1000000000u / 1000u));
	json_object_object_add(o, "timestamp", json_object_new_string(buf));
}

/*
 * What a packet event says of its packet: the 5-tuple, the Community ID,
 * and where the snap came from, so that one fleet's events can be told
 * apart: the daemon's capture interface, the ERSPAN session and the switch
 * that mirrored it, or the sFlow agent that sampled it and its input port.
 */
static void add_packet(struct sv_event_out *out, json_object *o, const struct sv_pkt *p)
{
	char cid[SV_COMMUNITY_ID_SIZE];

	if (p->ip_version) {
		add_ip(o, "src", p->ip_version, p->src);
		add_ip(o, "dst", p->ip_version, p->dst);
		json_object_object_add(o, "sport", json_object_new_int(p->sport));
		json_object_object_add(o, "dport", json_object_new_int(p->dport));
		json_object_object_add(o, "proto", json_object_new_int(p->proto));
		if (sv_community_id_pkt(p, out->opts.cid_seed, cid) == 0)
			json_object_object_add(o, "community_id", json_object_new_string(cid));
	}
	if (p->flags & SV_PKT_SAMPLED) {
		add_ip(o, "agent", p->agent_family, p->agent);
		json_object_object_add(o, "in_if", json_object_new_int64(p->in_if));
		return;
	}
	if (out->iface[0])
		json_object_object_add(o, "in_iface", json_object_new_string(out->iface));
	if (p->flags & SV_PKT_ERSPAN) {
		json_object_object_add(o, "erspan_id", json_object_new_int(p->span_id));
		add_ip(o, "erspan_src", p->span_ip_version, p->span_src);
	}
}

struct sv_event *sv_event_begin(struct sv_vnf_ctx *ctx, const char *event)
{
	struct sv_event_out *out = ctx->out;
	json_object *o;
	uint64_t ts;
	char tsbuf[32];

	if (!out)
		return NULL;
	if (out->open.obj)  /* an event left open: close it rather than lose it */
		sv_event_end(&out->open);
	o = json_object_new_object();
	if (!o)
		return NULL;
	ts = out->last_ts;
	snprintf(tsbuf, sizeof(tsbuf), "%llu.%06llu", (unsigned long long)(ts / 1000000000u),
		 (unsigned long long)(ts % 1000000000u / 1000u));
	json_object_object_add(o, "ts", json_object_new_double_s((double)ts / 1e9, tsbuf));
	if (out->opts.iso_time)
		add_iso_time(o, ts);
	json_object_object_add(o, "service", json_object_new_string(sv_vnf_service_name(ctx)));
	json_object_object_add(o, "vnf", json_object_new_string(ctx->desc->name));
	json_object_object_add(o, "event", json_object_new_string(event));
	if (out->pkt)
		add_packet(out, o, out->pkt);
	out->open.obj = o;
	out->open.ctx = ctx;
	snprintf(out->open.event, sizeof(out->open.event), "%s", event);
	return &out->open;
}

/* Length of the valid UTF-8 sequence at s (1-4), or 0 if it is not one. */
static size_t utf8_seq(const uint8_t *s, size_t left)
{
	size_t n;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (left < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* No overlong forms, no surrogates, nothing past U+10FFFF. */
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/*
 * Values come from packets: bytes that are not UTF-8 become U+FFFD, so
 * every line stays valid JSON for any consumer. Most values are ASCII and
 * are passed through without a copy.
 */
static json_object *wire_string(const char *s, size_t len)
{
	const uint8_t *u = (const uint8_t *)s;
	json_object *o;
	size_t i = 0, k;
	char *buf;

	while (i < len && (k = utf8_seq(u + i, len - i)) != 0)
		i += k;
	if (i == len)
		return json_object_new_string_len(s, (int)len);
	buf = malloc(len * 3 + 1);
	if (!buf)
		return NULL;
	for (i = 0, k = 0; i < len;) {
		size_t n = utf8_seq(u + i, len - i);

		if (n) {
			memcpy(buf + k, s + i, n);
			k += n;
			i += n;
		} else {
			memcpy(buf + k, "\xef\xbf\xbd", 3);
			k += 3;
			i++;
		}
	}
	o = json_object_new_string_len(buf, (int)k);
	free(buf);
	return o;
}

void sv_event_str(struct sv_event *e, const char *key, const char *s, size_t len)
{
	if (!e || !e->obj)
		return;
	if (!s)
		json_object_object_add(e->obj, key, NULL);
	else
		json_object_object_add(e->obj, key, wire_string(s, len == SIZE_MAX ? strlen(s) : len));
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
	struct sv_event_out *out;
	struct sv_sink_line l;
	struct sv_sink *sink;
	size_t len;
	int rc;

	if (!e || !e->obj)
		return;
	out = e->ctx->out;
	l.text = json_object_to_json_string_length(
		e->obj, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
	l.len = len;
	l.service = sv_vnf_service_name(e->ctx);
	l.vnf = e->ctx->desc->name;
	l.event = e->event;
	sink = sink_of(out);
	rc = sink ? sv_sink_write(sink, &l) : -errno;
	if (rc < 0)
		lost(out, "write", rc);
	else
		sv_counter_add(out->lines, 1);
	sv_counter_add(e->ctx->events, 1);
	json_object_put(e->obj);
	e->obj = NULL;
}
