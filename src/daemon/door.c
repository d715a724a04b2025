/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * door.c - the narrow door between a VNF's verdict and the switch.
 *
 * A block request comes over the control socket as one line of text,
 *
 *   block src=ADDR [scope=src|pair] [dst=ADDR] [proto=tcp|udp|icmp|N]
 *         [dport=N] [ttl=S] reason=WORD [evidence=PERCENT-ENCODED]
 *         [dry_run=0|1] [seq=N]
 *
 * parsed strictly (known keys once each, nothing else), then judged in
 * this order: the service's rate (a token bucket of --block-rate per
 * second), the allow-list (allow.c), the TTL bounds, the enforcer being
 * alive, duplicates (a rule already in force that covers it is folded
 * into it), the rule cap. What passes goes to the enforcer; its answer
 * makes the rule applied, or failed. Every decision is an event (JSON
 * line) and a counter. Rules end at their TTL (expired), by `snapvnf
 * unblock` or at exit (removed). With dry_run=1 the rule is judged and
 * kept as any other, but never leaves the daemon: the log backend's way.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "common/ctl.h"
#include "common/log.h"
#include "daemon/action.h"
#include "lib/sink.h"

#define BUCKETS 64
#define REFRESH_MS 10000
#define EVIDENCE_MAX 256
#define EXTEND_MIN_MS 1000  /* a later end by less than this is not worth a renewal */

struct entry {
	struct sv_rule r;
	uint64_t requested_ms, expires_ms;
	char service[SV_NAME_MAX];
	char reason[32];
	char evidence[EVIDENCE_MAX];
	bool applied;   /* the backend confirmed it */
	bool dry;       /* dry_run=1: never sent */
};

struct bucket {
	char name[SV_NAME_MAX];
	double tokens;
	uint64_t last_ms;
};

struct sv_door {
	struct sv_door_opts o;
	struct sv_allow *allow;
	struct sv_enforcer enf;
	bool enforcer_up;
	struct entry *rules;
	unsigned nrules;
	uint64_t next_id;
	struct bucket buckets[BUCKETS];
	uint64_t refreshed_ms;
	struct sv_sink *events;      /* --action-events (sink.h); NULL: stdout */
	struct sv_door_stats st;
	uint64_t events_log_last, events_log_suppressed;
};

void sv_door_opts_default(struct sv_door_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->enforcer = "log";
	o->max_rules = 256;
	o->rate = 10;
	o->ttl_min = 1;
	o->ttl_max = 3600;
}

static double wall_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- events ---- */

static json_object *event_begin(const char *decision)
{
	json_object *o = json_object_new_object();
	char ts[32];
	double now = wall_s();

	snprintf(ts, sizeof(ts), "%.6f", now);
	json_object_object_add(o, "ts", json_object_new_double_s(now, ts));
	json_object_object_add(o, "origin", json_object_new_string("snapvnfd"));
	json_object_object_add(o, "event", json_object_new_string("action"));
	json_object_object_add(o, "decision", json_object_new_string(decision));
	return o;
}

static void event_rule(json_object *o, const struct sv_door *d, const struct entry *e)
{
	char a[INET6_ADDRSTRLEN];

	if (e->r.id)
		json_object_object_add(o, "id", json_object_new_uint64(e->r.id));
	if (e->service[0])
		json_object_object_add(o, "service", json_object_new_string(e->service));
	sv_rule_addr(e->r.family, e->r.src, a, sizeof(a));
	json_object_object_add(o, "src", json_object_new_string(a));
	json_object_object_add(o, "scope", json_object_new_string(
						    e->r.scope == SV_SCOPE_PAIR ? "pair" : "src"));
	if (e->r.scope == SV_SCOPE_PAIR) {
		sv_rule_addr(e->r.family, e->r.dst, a, sizeof(a));
		json_object_object_add(o, "dst", json_object_new_string(a));
		if (e->r.proto)
			json_object_object_add(o, "proto", json_object_new_int(e->r.proto));
		if (e->r.dport)
			json_object_object_add(o, "dport", json_object_new_int(e->r.dport));
	}
	json_object_object_add(o, "ttl", json_object_new_int64(e->r.ttl_s));
	if (e->reason[0])
		json_object_object_add(o, "reason", json_object_new_string(e->reason));
	if (e->evidence[0])
		json_object_object_add(o, "evidence", json_object_new_string(e->evidence));
	json_object_object_add(o, "backend",
			       json_object_new_string(e->dry ? "log" : d->enf.ops ? d->enf.ops->name : "?"));
	if (e->dry)
		json_object_object_add(o, "dry_run", json_object_new_boolean(true));
}

/* Through the services' event sinks (sink.h): the same file, syslog and
 * journald backends, the same reopen on SIGHUP. Flushed per decision:
 * they are few, and each may be what an operator is waiting for. */
static void event_end(struct sv_door *d, json_object *o)
{
	json_object *ev = NULL;
	struct sv_sink_line l = { .service = "snapvnfd", .vnf = "door", .event = "action" };
	size_t len;

	if (json_object_object_get_ex(o, "service", &ev))
		l.service = json_object_get_string(ev);
	l.text = json_object_to_json_string_length(
		o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
	l.len = len;
	if (!d->events)
		d->events = sv_sink_open("-");
	if (!d->events || sv_sink_write(d->events, &l) < 0 || sv_sink_flush(d->events) < 0)
		sv_log_ratelimited(&d->events_log_last, &d->events_log_suppressed,
				   10000000000ull, SV_LOG_ERR, "cannot write an action event: %s",
				   strerror(errno));
	json_object_put(o);
}

static void event_simple(struct sv_door *d, const char *decision, const struct entry *e,
			 const char *why)
{
	json_object *o = event_begin(decision);

	if (e)
		event_rule(o, d, e);
	if (why)
		json_object_object_add(o, "why", json_object_new_string(why));
	event_end(d, o);
}

/* ---- the table of rules ---- */

static void entry_drop(struct sv_door *d, unsigned i)
{
	d->rules[i] = d->rules[--d->nrules];
	d->st.active = d->nrules;
}

static int find_id(const struct sv_door *d, uint64_t id)
{
	for (unsigned i = 0; i < d->nrules; i++)
		if (d->rules[i].r.id == id)
			return (int)i;
	return -1;
}

/* A rule in force that already blocks what r would (a dry run blocks
 * nothing, so it covers only dry runs). */
static struct entry *covering(struct sv_door *d, const struct sv_rule *r, bool dry)
{
	size_t alen = r->family == 4 ? 4 : 16;

	for (unsigned i = 0; i < d->nrules; i++) {
		const struct sv_rule *x = &d->rules[i].r;

		if (x->family != r->family || memcmp(x->src, r->src, alen) != 0 ||
		    (d->rules[i].dry && !dry))
			continue;
		if (x->scope == SV_SCOPE_SRC)
			return &d->rules[i];
		if (r->scope == SV_SCOPE_PAIR && memcmp(x->dst, r->dst, alen) == 0 &&
		    (!x->proto || x->proto == r->proto) && (!x->dport || x->dport == r->dport))
			return &d->rules[i];
	}
	return NULL;
}

static bool same_target(const struct sv_rule *a, const struct sv_rule *b)
{
	return a->family == b->family && a->scope == b->scope && a->proto == b->proto &&
	       a->dport == b->dport && memcmp(a->src, b->src, sizeof(a->src)) == 0 &&
	       memcmp(a->dst, b->dst, sizeof(a->dst)) == 0;
}

/*
 * A request for the very target of a rule in force that would end later
 * moves the rule's end: a detector still naming its culprit near the end
 * of the TTL (the block VNF asks again before its TTL is over) keeps it
 * blocked, with no moment between an expiry and a new rule. The backend
 * renews it in one step (action.h). A rule that covers a narrower request
 * is not stretched for it.
 */
static void extend(struct sv_door *d, struct entry *x, const struct entry *rq, uint64_t now_ms)
{
	uint64_t end = now_ms + (uint64_t)rq->r.ttl_s * 1000u;
	struct sv_rule r = x->r;

	if (x->dry != rq->dry || !same_target(&x->r, &rq->r) || end < x->expires_ms + EXTEND_MIN_MS)
		return;
	r.ttl_s = rq->r.ttl_s;
	if (!x->dry && sv_enforcer_send(&d->enf, SV_ENF_RENEW, &r) < 0)
		return;
	x->r.ttl_s = r.ttl_s;
	x->expires_ms = end;
	d->st.extended++;
	event_simple(d, "extended", x, NULL);
}

/* ---- rate ---- */

static bool rate_take(struct sv_door *d, const char *who, uint64_t now_ms)
{
	struct bucket *b = NULL, *oldest = &d->buckets[0];

	for (int i = 0; i < BUCKETS; i++) {
		if (strcmp(d->buckets[i].name, who) == 0) {
			b = &d->buckets[i];
			break;
		}
		if (d->buckets[i].last_ms < oldest->last_ms)
			oldest = &d->buckets[i];
	}
	if (!b) {  /* a new name takes the slot used longest ago */
		b = oldest;
		snprintf(b->name, sizeof(b->name), "%s", who);
		b->tokens = d->o.rate;
		b->last_ms = now_ms;
	}
	b->tokens += (double)(now_ms - b->last_ms) * d->o.rate / 1000.0;
	if (b->tokens > d->o.rate)
		b->tokens = d->o.rate;
	b->last_ms = now_ms;
	if (b->tokens < 1.0)
		return false;
	b->tokens -= 1.0;
	return true;
}

/* ---- parsing ---- */

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Percent-decode into out; only printable ASCII may result. */
static int decode_evidence(const char *in, char *out, size_t size)
{
	size_t n = 0;

	for (const char *p = in; *p; p++) {
		int c = (unsigned char)*p;

		if (c == '%') {
			int h = hexval((unsigned char)p[1]), l = h < 0 ? -1 : hexval((unsigned char)p[2]);

			if (l < 0)
				return -EINVAL;
			c = h << 4 | l;
			p += 2;
		}
		if (c < 0x20 || c > 0x7e || n + 1 >= size)
			return -EINVAL;
		out[n++] = (char)c;
	}
	out[n] = '\0';
	return 0;
}

static int parse_addr(const char *s, uint8_t *family, uint8_t *a)
{
	uint8_t f = strchr(s, ':') ? 6 : 4;

	if (inet_pton(f == 6 ? AF_INET6 : AF_INET, s, a) != 1)
		return -EINVAL;
	if (*family && *family != f)
		return -EINVAL;
	*family = f;
	return 0;
}

static int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	if (!isdigit((unsigned char)*s) || strlen(s) > 10)
		return -EINVAL;
	errno = 0;
	*out = strtoul(s, &end, 10);
	return errno || *end || *out > max ? -EINVAL : 0;
}

static int parse_proto(const char *s, uint8_t *p)
{
	static const struct { const char *name; uint8_t num; } names[] = {
		{ "tcp", 6 }, { "udp", 17 }, { "icmp", 1 }, { "icmpv6", 58 }, { "sctp", 132 },
	};
	unsigned long v;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(s, names[i].name) == 0) {
			*p = names[i].num;
			return 0;
		}
	}
	if (parse_uint(s, 255, &v) < 0 || v == 0)
		return -EINVAL;
	*p = (uint8_t)v;
	return 0;
}

struct request {
	struct entry e;
	unsigned long ttl, seq;
	bool has_dst, has_seq, pair;
};

/* Parse "block k=v …" into rq. Returns NULL or why it is malformed. */
static const char *parse_block(const char *msg, struct request *rq)
{
	enum { K_SRC, K_DST, K_SCOPE, K_PROTO, K_DPORT, K_TTL, K_REASON, K_EVIDENCE, K_DRY,
	       K_SEQ, K_N };
	static const char *const keys[K_N] = { "src", "dst", "scope", "proto", "dport", "ttl",
					       "reason", "evidence", "dry_run", "seq" };
	char buf[SV_CTL_MSG_MAX];
	unsigned seen = 0;
	unsigned long v;
	char *tok, *save = NULL;

	memset(rq, 0, sizeof(*rq));
	rq->ttl = 60;
	if (strlen(msg) >= sizeof(buf))
		return "too long";
	strcpy(buf, msg);
	/* One space between items, none at either end: a strict reading. */
	if (strstr(buf, "  ") || buf[strlen(buf) - 1] == ' ' || strchr(buf, '\t') ||
	    strchr(buf, '\n'))
		return "stray white space";
	tok = strtok_r(buf, " ", &save);  /* "block" */
	while ((tok = strtok_r(NULL, " ", &save)) != NULL) {
		char *eq = strchr(tok, '=');
		int k;

		if (!eq || eq == tok || !eq[1])
			return "an item is not key=value";
		*eq = '\0';
		for (k = 0; k < K_N && strcmp(tok, keys[k]) != 0; k++)
			;
		if (k == K_N)
			return "unknown key";
		if (seen & 1u << k)
			return "a key given twice";
		seen |= 1u << k;
		const char *val = eq + 1;

		switch (k) {
		case K_SRC:
			if (parse_addr(val, &rq->e.r.family, rq->e.r.src) < 0)
				return "src is not an address (of the same family as dst)";
			break;
		case K_DST:
			if (parse_addr(val, &rq->e.r.family, rq->e.r.dst) < 0)
				return "dst is not an address (of the same family as src)";
			rq->has_dst = true;
			break;
		case K_SCOPE:
			if (strcmp(val, "pair") == 0)
				rq->pair = true;
			else if (strcmp(val, "src") != 0)
				return "scope is src or pair";
			break;
		case K_PROTO:
			if (parse_proto(val, &rq->e.r.proto) < 0)
				return "proto is tcp, udp, icmp, icmpv6, sctp or 1-255";
			break;
		case K_DPORT:
			if (parse_uint(val, 65535, &v) < 0 || v == 0)
				return "dport is 1-65535";
			rq->e.r.dport = (uint16_t)v;
			break;
		case K_TTL:
			if (parse_uint(val, 0xffffffffUL, &rq->ttl) < 0)
				return "ttl is a number of seconds";
			break;
		case K_REASON:
			if (strlen(val) >= sizeof(rq->e.reason) ||
			    strspn(val, "abcdefghijklmnopqrstuvwxyz0123456789_-") != strlen(val))
				return "reason is 1-31 of a-z 0-9 _ -";
			snprintf(rq->e.reason, sizeof(rq->e.reason), "%s", val);
			break;
		case K_EVIDENCE:
			if (decode_evidence(val, rq->e.evidence, sizeof(rq->e.evidence)) < 0)
				return "evidence is percent-encoded printable text of at most 255 bytes";
			break;
		case K_DRY:
			if (strcmp(val, "0") != 0 && strcmp(val, "1") != 0)
				return "dry_run is 0 or 1";
			rq->e.dry = val[0] == '1';
			break;
		case K_SEQ:
			if (parse_uint(val, 0xffffffffUL, &rq->seq) < 0)
				return "seq is a number";
			rq->has_seq = true;
			break;
		}
	}
	if (!(seen & 1u << K_SRC))
		return "no src";
	if (!(seen & 1u << K_REASON))
		return "no reason";
	if (rq->pair && !rq->has_dst)
		return "scope=pair needs dst";
	if (!rq->pair && (rq->has_dst || rq->e.r.proto || rq->e.r.dport))
		return "dst, proto and dport go with scope=pair";
	if (rq->e.r.dport && rq->e.r.proto != 6 && rq->e.r.proto != 17 && rq->e.r.proto != 132)
		return "dport needs proto tcp, udp or sctp";
	rq->e.r.scope = rq->pair ? SV_SCOPE_PAIR : SV_SCOPE_SRC;
	return NULL;
}

/* ---- decisions ---- */

static void refuse(struct sv_door *d, struct entry *e, uint64_t *counter, const char *code,
		   const char *why, char *reply, size_t size, const char *seq)
{
	json_object *o = event_begin("refused");

	(*counter)++;
	if (e && e->r.family)
		event_rule(o, d, e);
	else if (e && e->service[0])
		json_object_object_add(o, "service", json_object_new_string(e->service));
	json_object_object_add(o, "refused", json_object_new_string(code));
	json_object_object_add(o, "why", json_object_new_string(why));
	event_end(d, o);
	snprintf(reply, size, "error refused=%s%s - %s", code, seq, why);
}

static void do_block(struct sv_door *d, const char *who, const char *msg, uint64_t now_ms,
		     char *reply, size_t size, bool *malformed)
{
	struct request rq;
	struct entry *dup;
	const char *why;
	char seq[24] = "", buf[160];

	d->st.requests++;
	why = parse_block(msg, &rq);
	snprintf(rq.e.service, sizeof(rq.e.service), "%s", who ? who : "cli");
	rq.e.r.ttl_s = rq.ttl > SV_RULE_TTL_MAX ? SV_RULE_TTL_MAX + 1 : (uint32_t)rq.ttl;
	if (rq.has_seq)
		snprintf(seq, sizeof(seq), " seq=%lu", rq.seq);
	if (why) {
		struct entry who_only = { 0 };

		*malformed = true;
		memcpy(who_only.service, rq.e.service, sizeof(who_only.service));
		refuse(d, &who_only, &d->st.refused_malformed, "malformed", why, reply, size, seq);
		return;
	}
	if (!rate_take(d, rq.e.service, now_ms)) {
		snprintf(buf, sizeof(buf), "more than %u requests a second from %s", d->o.rate,
			 rq.e.service);
		refuse(d, &rq.e, &d->st.refused_rate, "rate", buf, reply, size, seq);
		return;
	}
	if ((why = sv_allow_check(d->allow, rq.e.r.family, rq.e.r.src, buf, sizeof(buf))) != NULL) {
		refuse(d, &rq.e, &d->st.refused_allowlist, "allowlist", why, reply, size, seq);
		return;
	}
	if (rq.ttl < d->o.ttl_min || rq.ttl > d->o.ttl_max) {
		snprintf(buf, sizeof(buf), "ttl %lu is outside %u-%u s", rq.ttl, d->o.ttl_min,
			 d->o.ttl_max);
		refuse(d, &rq.e, &d->st.refused_ttl, "ttl", buf, reply, size, seq);
		return;
	}
	if (!rq.e.dry && !d->enforcer_up) {
		refuse(d, &rq.e, &d->st.refused_enforcer, "enforcer",
		       "the enforcer is gone; nothing can be applied", reply, size, seq);
		return;
	}
	if ((dup = covering(d, &rq.e.r, rq.e.dry)) != NULL) {
		d->st.folded++;
		extend(d, dup, &rq.e, now_ms);
		snprintf(reply, size, "ok id=%llu decision=folded%s",
			 (unsigned long long)dup->r.id, seq);
		return;  /* no event: the rule's own events tell its story */
	}
	if (d->nrules >= d->o.max_rules) {
		snprintf(buf, sizeof(buf), "%u rules active, the cap", d->nrules);
		refuse(d, &rq.e, &d->st.refused_cap, "rule_cap", buf, reply, size, seq);
		return;
	}
	rq.e.r.id = d->next_id++;
	if (d->next_id > UINT32_MAX)
		d->next_id = 1;
	rq.e.requested_ms = now_ms;
	rq.e.expires_ms = now_ms + (uint64_t)rq.e.r.ttl_s * 1000u;
	if (!rq.e.dry && sv_enforcer_send(&d->enf, SV_ENF_ADD, &rq.e.r) < 0) {
		refuse(d, &rq.e, &d->st.refused_enforcer, "enforcer",
		       "the enforcer does not take requests", reply, size, seq);
		return;
	}
	d->rules[d->nrules++] = rq.e;
	d->st.active = d->nrules;
	if (rq.e.dry) {
		d->st.dry_run++;
		event_simple(d, "dry_run", &rq.e, NULL);
	}
	snprintf(reply, size, "ok id=%llu decision=%s%s", (unsigned long long)rq.e.r.id,
		 rq.e.dry ? "dry_run" : "pending", seq);
}

static void remove_entry(struct sv_door *d, unsigned i, const char *decision, const char *by)
{
	struct entry e = d->rules[i];

	if (!e.dry && (e.applied || d->enforcer_up))
		sv_enforcer_send(&d->enf, SV_ENF_DEL, &e.r);
	entry_drop(d, i);
	event_simple(d, decision, &e, by);
}

static void do_unblock(struct sv_door *d, const char *who, const char *msg, char *reply,
		       size_t size, bool *malformed)
{
	char val[64];
	unsigned long id = 0;
	uint8_t fam = 0, a[16] = { 0 };
	unsigned n = 0;

	if (who) {
		*malformed = true;
		snprintf(reply, size, "error a service may not remove rules");
		return;
	}
	if (sv_ctl_get(msg, "id", val, sizeof(val)) == 0) {
		if (parse_uint(val, 0xffffffffUL, &id) < 0 || id == 0) {
			*malformed = true;
			snprintf(reply, size, "error id is a rule number");
			return;
		}
	} else if (sv_ctl_get(msg, "addr", val, sizeof(val)) < 0 || parse_addr(val, &fam, a) < 0) {
		*malformed = true;
		snprintf(reply, size, "error unblock takes id=N or addr=ADDRESS");
		return;
	}
	for (unsigned i = d->nrules; i-- > 0;) {
		const struct sv_rule *r = &d->rules[i].r;

		if (id ? r->id == id
		       : r->family == fam && memcmp(r->src, a, fam == 4 ? 4 : 16) == 0) {
			remove_entry(d, i, "removed", "unblock");
			d->st.removed++;
			n++;
		}
	}
	if (!n)
		snprintf(reply, size, "error no active rule %s %s", id ? "number" : "for", val);
	else
		snprintf(reply, size, "ok removed=%u", n);
}

static char *list_actions(const struct sv_door *d, uint64_t now_ms)
{
	json_object *arr = json_object_new_array();
	char *out;

	for (unsigned i = 0; i < d->nrules; i++) {
		const struct entry *e = &d->rules[i];
		json_object *o = json_object_new_object();

		event_rule(o, d, e);
		json_object_object_add(o, "state", json_object_new_string(
							   e->dry ? "dry_run" : e->applied ? "applied" : "pending"));
		json_object_object_add(o, "expires_in",
				       json_object_new_int64(e->expires_ms > now_ms
								     ? (int64_t)((e->expires_ms - now_ms + 999) / 1000)
								     : 0));
		json_object_array_add(arr, o);
	}
	out = strdup(json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PLAIN |
								 JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(arr);
	return out;
}

bool sv_door_request(struct sv_door *d, const char *who, const char *msg, uint64_t now_ms,
		     char *reply, size_t size, char **text)
{
	bool malformed = false;

	*text = NULL;
	if (strncmp(msg, "block", 5) == 0 && (msg[5] == ' ' || !msg[5]))
		do_block(d, who, msg, now_ms, reply, size, &malformed);
	else if (strncmp(msg, "unblock", 7) == 0 && (msg[7] == ' ' || !msg[7]))
		do_unblock(d, who, msg, reply, size, &malformed);
	else if (strcmp(msg, "actions") == 0 && !(*text = list_actions(d, now_ms)))
		snprintf(reply, size, "error out of memory");
	return malformed;
}

/* ---- the enforcer's answers, expiry ---- */

void sv_door_serve(struct sv_door *d, uint64_t now_ms)
{
	struct sv_enf_reply rep;
	int rc, i;

	while ((rc = sv_enforcer_recv(&d->enf, &rep)) == 1) {
		if (rep.op == SV_ENF_ADD && (i = find_id(d, rep.id)) >= 0) {
			struct entry *e = &d->rules[i];

			if (rep.err == 0) {
				json_object *o = event_begin("applied");

				e->applied = true;
				d->st.applied++;
				event_rule(o, d, e);
				json_object_object_add(o, "delay_ms", json_object_new_int64(
									      (int64_t)(now_ms - e->requested_ms)));
				event_end(d, o);
			} else {
				struct entry copy = *e;

				d->st.failed++;
				entry_drop(d, (unsigned)i);
				event_simple(d, "failed", &copy, rep.msg);
				sv_warn("rule %llu not applied: %s", (unsigned long long)rep.id, rep.msg);
			}
		} else if (rep.op == SV_ENF_RENEW && rep.err < 0) {
			sv_warn("rule %llu not renewed (the backend may end it at its earlier TTL): %s",
				(unsigned long long)rep.id, rep.msg);
		} else if (rep.err < 0) {
			static uint64_t last, suppressed;

			sv_log_ratelimited(&last, &suppressed, 10000000000ull, SV_LOG_WARN,
					   "enforcer: %s", rep.msg);
		}
	}
	if (rc < 0 && d->enforcer_up) {
		d->enforcer_up = false;
		sv_err("the enforcer has gone; block requests are refused from now on");
		event_simple(d, "enforcer_down", NULL, "the enforcer process exited");
	}
}

void sv_door_tick(struct sv_door *d, uint64_t now_ms)
{
	for (unsigned i = d->nrules; i-- > 0;) {
		if (d->rules[i].expires_ms <= now_ms) {
			d->st.expired++;
			remove_entry(d, i, "expired", NULL);
		}
	}
	if (now_ms - d->refreshed_ms >= REFRESH_MS) {
		sv_allow_refresh(d->allow);
		d->refreshed_ms = now_ms;
	}
}

/* ---- life ---- */

struct sv_door *sv_door_open(const struct sv_door_opts *o, uint64_t now_ms)
{
	struct sv_door *d = calloc(1, sizeof(*d));
	unsigned leftovers = 0;

	if (!d)
		return NULL;
	d->o = *o;
	d->enf.fd = -1;
	d->enf.pid = -1;
	d->next_id = 1;
	d->allow = sv_allow_new();
	d->rules = calloc(o->max_rules ? o->max_rules : 1, sizeof(*d->rules));
	if (!d->allow || !d->rules)
		goto fail;
	for (int i = 0; i < 64 && o->never_block[i]; i++) {
		if (sv_allow_add(d->allow, o->never_block[i]) < 0) {
			sv_err("--never-block %s: not an address or ADDRESS/LENGTH", o->never_block[i]);
			goto fail;
		}
	}
	sv_allow_refresh(d->allow);
	d->refreshed_ms = now_ms;
	/* The enforcer first, so that it inherits not even the events file. */
	if (sv_enforcer_start(&d->enf, o->enforcer ? o->enforcer : "log", o->user, d->allow,
			      &leftovers) < 0)
		goto fail;
	d->enforcer_up = true;
	d->events = sv_sink_open(o->events && *o->events ? o->events : "-");
	if (!d->events) {
		sv_err("--action-events %s: %s", o->events, strerror(errno));
		goto fail;
	}
	d->st.leftovers = leftovers;
	if (leftovers) {
		json_object *ev = event_begin("leftovers");

		json_object_object_add(ev, "removed", json_object_new_int64(leftovers));
		json_object_object_add(ev, "backend", json_object_new_string(d->enf.ops->name));
		event_end(d, ev);
		sv_warn("removed %u rule(s) an earlier run left on the %s backend", leftovers,
			d->enf.ops->name);
	}
	return d;
fail:
	sv_enforcer_stop(&d->enf, 5000);
	sv_allow_free(d->allow);
	free(d->rules);
	free(d);
	return NULL;
}

void sv_door_close(struct sv_door *d)
{
	int removed;

	if (!d)
		return;
	for (unsigned i = d->nrules; i-- > 0;) {
		struct entry e = d->rules[i];

		d->st.removed++;
		entry_drop(d, i);
		event_simple(d, "removed", &e, "exit");
	}
	removed = sv_enforcer_stop(&d->enf, 5000);
	if (removed < 0 && removed != -EPIPE)
		sv_err("enforcer: could not confirm the rules were removed: %s", strerror(-removed));
	sv_allow_free(d->allow);
	free(d->rules);
	sv_sink_close(d->events);
	free(d);
}

int sv_door_fd(const struct sv_door *d)
{
	return d ? d->enf.fd : -1;
}

void sv_door_stats(const struct sv_door *d, struct sv_door_stats *st)
{
	*st = d->st;
	st->active = d->nrules;
	st->enforcer_up = d->enforcer_up;
	st->enforcer_pid = d->enf.pid;
	st->backend = d->enf.ops ? d->enf.ops->name : "none";
}

int sv_door_events_to(struct sv_door *d, const char *spec)
{
	struct sv_sink *s = sv_sink_open(spec);

	if (!s)
		return -errno;
	sv_sink_close(d->events);
	d->events = s;
	return 0;
}

int sv_door_reopen(struct sv_door *d)
{
	return d && d->events ? sv_sink_reopen(d->events) : 0;
}
