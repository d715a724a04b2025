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

#include "lib/vnf_ctx.h"
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
	const char *line;

	if (!e || !e->obj)
		return;
	line = json_object_to_json_string_ext(e->obj, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	if (ev.syslog)
		syslog(LOG_NOTICE, "%s", line);
	else
		fprintf(ev.file ? ev.file : stdout, "%s\n", line);
	sv_counter_add(e->ctx->events, 1);
	json_object_put(e->obj);
	e->obj = NULL;
}
