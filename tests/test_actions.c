/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_actions.c - the door's rules and the enforcer's protocol.
 *
 * The door runs here with a real enforcer process (the log backend); time
 * is passed in, so TTL expiry and the rate cap are tested without sleeps.
 * Every refusal rule is driven by a request that breaks exactly it, and
 * the event it leaves is read back as JSON. The enforcer's own checks are
 * tested against sv_enforcer_serve() in a child, fed hostile datagrams.
 */
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "common/log.h"
#include "daemon/action.h"

struct fx {
	struct sv_door *door;
	char evpath[64];
	uint64_t now;
};

static int setup_opts(void **state, unsigned max_rules, unsigned rate)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct sv_door_opts o;

	sv_door_opts_default(&o);
	o.max_rules = max_rules;
	o.rate = rate;
	o.ttl_max = 600;
	o.never_block[0] = "192.0.2.0/24";
	o.never_block[1] = "2001:db8:1::/48";
	f->now = 1000000;
	f->door = sv_door_open(&o, f->now);
	assert_non_null(f->door);
	snprintf(f->evpath, sizeof(f->evpath), "/tmp/test_actions.XXXXXX");
	close(mkstemp(f->evpath));
	assert_int_equal(sv_door_events_to(f->door, f->evpath), 0);
	*state = f;
	return 0;
}

static int setup(void **state)
{
	return setup_opts(state, 4, 1000);
}

static int teardown(void **state)
{
	struct fx *f = *state;

	sv_door_close(f->door);
	unlink(f->evpath);
	free(f);
	return 0;
}

/* A request; returns its one-line reply in a static buffer. */
static const char *req(struct fx *f, const char *who, const char *msg, bool *malformed)
{
	static char reply[512];
	char *text = NULL;
	bool m = sv_door_request(f->door, who, msg, f->now, reply, sizeof(reply), &text);

	if (malformed)
		*malformed = m;
	if (text) {
		snprintf(reply, sizeof(reply), "%s", text);
		free(text);
	}
	return reply;
}

/* Wait for the enforcer's answers (the log backend answers at once). */
static void settle(struct fx *f)
{
	struct pollfd p = { .fd = sv_door_fd(f->door), .events = POLLIN };

	while (p.fd >= 0 && poll(&p, 1, 200) > 0) {
		sv_door_serve(f->door, f->now);
		p.fd = sv_door_fd(f->door);
	}
}

/* The last event with "decision" d, parsed (caller puts it). */
static json_object *last_event(struct fx *f, const char *d)
{
	json_object *found = NULL;
	char *copy = NULL, *line, *save = NULL;
	size_t cap = 0;
	FILE *in = fopen(f->evpath, "r");

	/* Every event is flushed as it is written. */
	assert_non_null(in);
	assert_true(getdelim(&copy, &cap, '\0', in) >= 0 || feof(in));
	fclose(in);
	if (!copy)
		return NULL;
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		json_object *o = json_tokener_parse(line), *v;

		assert_non_null(o);  /* every line is JSON */
		if (json_object_object_get_ex(o, "decision", &v) &&
		    strcmp(json_object_get_string(v), d) == 0) {
			json_object_put(found);
			found = o;
		} else {
			json_object_put(o);
		}
	}
	free(copy);
	return found;
}

static const char *field(json_object *o, const char *k)
{
	json_object *v;

	return json_object_object_get_ex(o, k, &v) ? json_object_get_string(v) : "";
}

static void test_apply_and_fold(void **state)
{
	struct fx *f = *state;
	struct sv_door_stats st;
	json_object *ev;

	assert_string_equal(req(f, "guard", "block src=10.1.2.3 ttl=30 reason=syn_flood "
				"evidence=share%3D0.99 seq=7", NULL),
			    "ok id=1 decision=pending seq=7");
	settle(f);
	ev = last_event(f, "applied");
	assert_non_null(ev);
	assert_string_equal(field(ev, "src"), "10.1.2.3");
	assert_string_equal(field(ev, "service"), "guard");
	assert_string_equal(field(ev, "evidence"), "share=0.99");
	assert_string_equal(field(ev, "backend"), "log");
	json_object_put(ev);
	/* The same source again, and a pair under it: both folded into rule 1. */
	assert_string_equal(req(f, "guard", "block src=10.1.2.3 ttl=30 reason=syn_flood", NULL),
			    "ok id=1 decision=folded");
	assert_string_equal(req(f, "other", "block src=10.1.2.3 scope=pair dst=10.9.9.9 proto=tcp "
				"dport=80 reason=x", NULL),
			    "ok id=1 decision=folded");
	/* A pair first, then a wider pair is a new rule; the narrower folds. */
	assert_string_equal(req(f, "guard", "block src=10.4.4.4 scope=pair dst=10.9.9.9 reason=x",
				NULL), "ok id=2 decision=pending");
	assert_string_equal(req(f, "guard", "block src=10.4.4.4 scope=pair dst=10.9.9.9 proto=udp "
				"dport=53 reason=x", NULL), "ok id=2 decision=folded");
	settle(f);
	sv_door_stats(f->door, &st);
	assert_int_equal(st.applied, 2);
	assert_int_equal(st.folded, 3);
	assert_int_equal(st.active, 2);
	assert_true(st.enforcer_up);
}

/* A request for the same target that would end later moves the rule's end
 * (and the backend renews it); a shorter or narrower one does not. A dry
 * run covers only dry runs. */
static void test_extend(void **state)
{
	struct fx *f = *state;
	struct sv_door_stats st;
	json_object *ev;

	assert_string_equal(req(f, "guard", "block src=10.1.2.3 ttl=30 reason=syn_flood", NULL),
			    "ok id=1 decision=pending");
	settle(f);
	f->now += 25000;
	assert_string_equal(req(f, "guard", "block src=10.1.2.3 ttl=30 reason=syn_flood", NULL),
			    "ok id=1 decision=folded");
	ev = last_event(f, "extended");
	assert_non_null(ev);
	assert_string_equal(field(ev, "id"), "1");
	assert_string_equal(field(ev, "ttl"), "30");
	json_object_put(ev);
	/* Shorter, or a narrower pair with a longer TTL: folded, not extended. */
	assert_string_equal(req(f, "guard", "block src=10.1.2.3 ttl=5 reason=x", NULL),
			    "ok id=1 decision=folded");
	assert_string_equal(req(f, "guard", "block src=10.1.2.3 scope=pair dst=10.9.9.9 ttl=600 "
				"reason=x", NULL), "ok id=1 decision=folded");
	settle(f);
	sv_door_stats(f->door, &st);
	assert_int_equal(st.extended, 1);
	assert_int_equal(st.folded, 3);
	assert_int_equal(st.failed, 0);  /* the enforcer took the renewal */
	/* The first end (30 s after the request) passes; the new one ends it. */
	f->now += 5000;
	sv_door_tick(f->door, f->now);
	sv_door_stats(f->door, &st);
	assert_int_equal(st.active, 1);
	f->now += 25000;
	sv_door_tick(f->door, f->now);
	sv_door_stats(f->door, &st);
	assert_int_equal(st.active, 0);
	assert_int_equal(st.expired, 1);
	/* A dry run does not cover a real request; a dry one is covered. */
	assert_string_equal(req(f, "s", "block src=10.7.7.7 reason=x dry_run=1", NULL),
			    "ok id=2 decision=dry_run");
	assert_string_equal(req(f, "s", "block src=10.7.7.7 reason=x", NULL),
			    "ok id=3 decision=pending");
	assert_string_equal(req(f, "s", "block src=10.7.7.7 reason=x dry_run=1", NULL),
			    "ok id=2 decision=folded");
}

static void expect_refused(struct fx *f, const char *who, const char *msg, const char *code)
{
	char want[64];
	const char *r = req(f, who, msg, NULL);
	json_object *ev;

	snprintf(want, sizeof(want), "error refused=%s", code);
	assert_true(strncmp(r, want, strlen(want)) == 0);
	ev = last_event(f, "refused");
	assert_non_null(ev);
	assert_string_equal(field(ev, "refused"), code);
	assert_true(strlen(field(ev, "why")) > 0);
	json_object_put(ev);
}

static void test_refusals(void **state)
{
	struct fx *f = *state;
	struct sv_door_stats st;

	/* The allow-list: --never-block, v4 and v6; not unicast; our own. */
	expect_refused(f, "s", "block src=192.0.2.77 reason=x", "allowlist");
	expect_refused(f, "s", "block src=2001:db8:1:5::1 reason=x", "allowlist");
	expect_refused(f, "s", "block src=127.0.0.1 reason=x", "allowlist");
	expect_refused(f, "s", "block src=224.0.0.5 reason=x", "allowlist");
	expect_refused(f, "s", "block src=0.0.0.0 reason=x", "allowlist");
	expect_refused(f, "s", "block src=ff02::1 reason=x", "allowlist");
	expect_refused(f, "s", "block src=::1 reason=x", "allowlist");
	/* TTL bounds: 1..600 here. */
	expect_refused(f, "s", "block src=10.0.0.1 ttl=0 reason=x", "ttl");
	expect_refused(f, "s", "block src=10.0.0.1 ttl=601 reason=x", "ttl");
	expect_refused(f, "s", "block src=10.0.0.1 ttl=4294967295 reason=x", "ttl");
	assert_string_equal(req(f, "s", "block src=10.0.0.1 ttl=600 reason=x", NULL),
			    "ok id=1 decision=pending");
	sv_door_stats(f->door, &st);
	assert_int_equal(st.refused_allowlist, 7);
	assert_int_equal(st.refused_ttl, 3);
	assert_int_equal(st.active, 1);
}

static void test_malformed(void **state)
{
	static const char *const bad[] = {
		"block",
		"block reason=x",                                  /* no src */
		"block src=10.0.0.1",                              /* no reason */
		"block src=10.0.0.300 reason=x",
		"block src=10.0.0.1 reason=x color=red",           /* unknown key */
		"block src=10.0.0.1 src=10.0.0.2 reason=x",        /* twice */
		"block src=10.0.0.1  reason=x",                    /* two spaces */
		"block src=10.0.0.1 reason=x ",
		"block src=10.0.0.1 reason=X",                     /* upper case */
		"block src=10.0.0.1 reason=a_reason_that_is_much_too_long_for_it",
		"block src=10.0.0.1 reason=x ttl=-5",
		"block src=10.0.0.1 reason=x ttl=99999999999999",
		"block src=10.0.0.1 reason=x ttl=",
		"block src=10.0.0.1 reason=x =5",
		"block src=10.0.0.1 reason=x scope=pair",          /* pair without dst */
		"block src=10.0.0.1 dst=10.0.0.2 reason=x",        /* dst without pair */
		"block src=10.0.0.1 dst=fd00::2 scope=pair reason=x", /* families differ */
		"block src=10.0.0.1 dst=10.0.0.2 scope=pair dport=80 reason=x", /* port, no proto */
		"block src=10.0.0.1 dst=10.0.0.2 scope=pair proto=icmp dport=80 reason=x",
		"block src=10.0.0.1 dst=10.0.0.2 scope=pair proto=256 reason=x",
		"block src=10.0.0.1 dst=10.0.0.2 scope=pair proto=tcp dport=65536 reason=x",
		"block src=10.0.0.1 reason=x evidence=%zz",        /* bad escape */
		"block src=10.0.0.1 reason=x evidence=%0a",        /* control byte */
		"block src=10.0.0.1 reason=x evidence=%",
		"block src=10.0.0.1 reason=x dry_run=2",
		"block src=10.0.0.1 reason=x scope=world",
		"block src=10.0.0.1\treason=x",
	};
	struct fx *f = *state;
	struct sv_door_stats st;
	char big[300 * 3 + 64];
	bool m;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *r = req(f, "hostile", bad[i], &m);

		if (strncmp(r, "error refused=malformed", 23) != 0 || !m)
			fail_msg("accepted or misjudged: '%s' -> '%s'", bad[i], r);
	}
	/* Evidence of more than 255 bytes. */
	strcpy(big, "block src=10.0.0.1 reason=x evidence=");
	for (int i = 0; i < 300; i++)
		strcat(big, "a");
	assert_true(strncmp(req(f, "hostile", big, &m), "error refused=malformed", 23) == 0);
	/* A service may not remove rules; the CLI (no name) may. */
	assert_string_equal(req(f, NULL, "block src=10.0.0.9 reason=x", NULL),
			    "ok id=1 decision=pending");
	assert_true(strncmp(req(f, "hostile", "unblock id=1", &m), "error", 5) == 0 && m);
	assert_true(strncmp(req(f, NULL, "unblock id=banana", &m), "error", 5) == 0 && m);
	assert_string_equal(req(f, NULL, "unblock addr=10.0.0.9", NULL), "ok removed=1");
	sv_door_stats(f->door, &st);
	assert_int_equal(st.refused_malformed, sizeof(bad) / sizeof(bad[0]) + 1);
	assert_int_equal(st.active, 0);
	assert_int_equal(st.removed, 1);
}

static void test_ttl_expiry(void **state)
{
	struct fx *f = *state;
	struct sv_door_stats st;
	json_object *ev;

	assert_string_equal(req(f, "s", "block src=10.0.0.1 ttl=5 reason=x", NULL),
			    "ok id=1 decision=pending");
	assert_string_equal(req(f, "s", "block src=fd00::1 ttl=10 reason=x dry_run=1", NULL),
			    "ok id=2 decision=dry_run");
	settle(f);
	f->now += 4999;
	sv_door_tick(f->door, f->now);
	sv_door_stats(f->door, &st);
	assert_int_equal(st.active, 2);
	f->now += 1;
	sv_door_tick(f->door, f->now);
	sv_door_stats(f->door, &st);
	assert_int_equal(st.active, 1);
	assert_int_equal(st.expired, 1);
	ev = last_event(f, "expired");
	assert_string_equal(field(ev, "src"), "10.0.0.1");
	json_object_put(ev);
	/* Expired: the same source is a new rule again. */
	assert_string_equal(req(f, "s", "block src=10.0.0.1 ttl=5 reason=x", NULL),
			    "ok id=3 decision=pending");
	f->now += 5000;
	sv_door_tick(f->door, f->now);
	sv_door_stats(f->door, &st);
	assert_int_equal(st.active, 0);
	assert_int_equal(st.expired, 3);
	assert_int_equal(st.dry_run, 1);
	ev = last_event(f, "expired");
	assert_string_equal(field(ev, "backend"), "log");
	json_object_put(ev);
}

static void test_rule_cap(void **state)
{
	struct fx *f = *state;
	char msg[96];

	for (int i = 1; i <= 4; i++) {
		snprintf(msg, sizeof(msg), "block src=10.0.1.%d reason=x", i);
		assert_true(strncmp(req(f, "s", msg, NULL), "ok", 2) == 0);
	}
	expect_refused(f, "s", "block src=10.0.1.5 reason=x", "rule_cap");
	/* A duplicate of a rule in force is still folded at the cap. */
	assert_string_equal(req(f, "s", "block src=10.0.1.2 reason=x", NULL),
			    "ok id=2 decision=folded");
	assert_string_equal(req(f, NULL, "unblock id=3", NULL), "ok removed=1");
	assert_string_equal(req(f, "s", "block src=10.0.1.5 reason=x", NULL),
			    "ok id=5 decision=pending");
}

static int setup_rate(void **state)
{
	return setup_opts(state, 256, 3);
}

static void test_rate_cap(void **state)
{
	struct fx *f = *state;
	struct sv_door_stats st;
	char msg[96];
	int ok = 0;

	/* 3 a second each: a noisy service is cut, a quiet one is not. */
	for (int i = 0; i < 10; i++) {
		snprintf(msg, sizeof(msg), "block src=10.0.2.%d reason=x", i + 1);
		ok += strncmp(req(f, "noisy", msg, NULL), "ok", 2) == 0;
	}
	assert_int_equal(ok, 3);
	assert_string_equal(req(f, "quiet", "block src=10.0.3.1 reason=x", NULL),
			    "ok id=4 decision=pending");
	expect_refused(f, "noisy", "block src=10.0.2.99 reason=x", "rate");
	/* A second later the bucket holds 3 again, not more. */
	f->now += 1000;
	ok = 0;
	for (int i = 10; i < 20; i++) {
		snprintf(msg, sizeof(msg), "block src=10.0.2.%d reason=x", i + 1);
		ok += strncmp(req(f, "noisy", msg, NULL), "ok", 2) == 0;
	}
	assert_int_equal(ok, 3);
	sv_door_stats(f->door, &st);
	assert_int_equal(st.refused_rate, 15);
}

static void test_enforcer_dies(void **state)
{
	struct fx *f = *state;
	struct sv_door_stats st;
	struct pollfd p;
	json_object *ev;

	assert_string_equal(req(f, "s", "block src=10.0.0.1 reason=x", NULL),
			    "ok id=1 decision=pending");
	settle(f);
	sv_door_stats(f->door, &st);
	assert_true(st.enforcer_pid > 0 && st.enforcer_pid != getpid());
	assert_int_equal(kill(st.enforcer_pid, SIGKILL), 0);
	p = (struct pollfd){ .fd = sv_door_fd(f->door), .events = POLLIN };
	assert_int_equal(poll(&p, 1, 5000), 1);
	sv_door_serve(f->door, f->now);
	sv_door_stats(f->door, &st);
	assert_false(st.enforcer_up);
	assert_int_equal(sv_door_fd(f->door), -1);
	ev = last_event(f, "enforcer_down");
	assert_non_null(ev);
	json_object_put(ev);
	expect_refused(f, "s", "block src=10.0.0.2 reason=x", "enforcer");
	/* A dry run needs no enforcer. */
	assert_string_equal(req(f, "s", "block src=10.0.0.3 reason=x dry_run=1", NULL),
			    "ok id=2 decision=dry_run");
	sv_door_stats(f->door, &st);
	assert_int_equal(st.refused_enforcer, 1);
}

/* ---- the enforcer's side, fed hostile datagrams ---- */

static int adds;

static int rec_open(const char *o, void **s, char *e, size_t n)
{
	return 0;
}
static int rec_add(void *s, const struct sv_rule *r, char *e, size_t n)
{
	adds++;
	return 0;
}
static int rec_flush(void *s, unsigned *removed, char *e, size_t n)
{
	*removed = 0;
	return 0;
}
static void rec_close(void *s)
{
}
static const struct sv_enforce_ops rec_ops = { "rec", { -1 }, rec_open, rec_add, rec_add,
					       rec_flush, rec_close };

static int send_and_reply(int fd, const void *buf, size_t len, struct sv_enf_reply *rep)
{
	assert_int_equal(send(fd, buf, len, 0), (ssize_t)len);
	assert_int_equal(recv(fd, rep, sizeof(*rep), 0), (ssize_t)sizeof(*rep));
	return rep->err;
}

static void test_enforcer_checks(void **state)
{
	struct sv_allow *allow = sv_allow_new();
	struct sv_enf_msg m = { .magic = SV_ENF_MAGIC, .op = SV_ENF_ADD,
				.rule = { .id = 1, .ttl_s = 10, .family = 4, .scope = SV_SCOPE_SRC,
					  .src = { 10, 0, 0, 1 } } };
	struct sv_enf_reply rep;
	int sv[2], status;
	pid_t pid;

	assert_int_equal(sv_allow_add(allow, "10.66.0.0/16"), 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	pid = fork();
	if (pid == 0) {
		close(sv[0]);
		adds = 0;
		sv_enforcer_serve(sv[1], &rec_ops, NULL, allow);
		_exit(adds);  /* how many reached the backend */
	}
	close(sv[1]);
	assert_int_equal(send_and_reply(sv[0], &m, sizeof(m), &rep), 0);
	assert_int_equal(send_and_reply(sv[0], &m, sizeof(m) - 1, &rep), -EPROTO);
	{
		char big[sizeof(m) + 16] = { 0 };

		memcpy(big, &m, sizeof(m));
		assert_int_equal(send_and_reply(sv[0], big, sizeof(big), &rep), -EPROTO);
	}
	struct sv_enf_msg x = m;

	x.magic = 0xdeadbeef;
	assert_int_equal(send_and_reply(sv[0], &x, sizeof(x), &rep), -EPROTO);
	x = m;
	x.rule.src[0] = 127;  /* not unicast */
	assert_int_equal(send_and_reply(sv[0], &x, sizeof(x), &rep), -EPERM);
	x = m;
	x.rule.src[1] = 66;   /* 10.66.0.1: never-block */
	assert_int_equal(send_and_reply(sv[0], &x, sizeof(x), &rep), -EPERM);
	x = m;
	x.rule.ttl_s = 0;
	assert_int_equal(send_and_reply(sv[0], &x, sizeof(x), &rep), -EPERM);
	x = m;
	x.rule.family = 5;
	assert_int_equal(send_and_reply(sv[0], &x, sizeof(x), &rep), -EPERM);
	x = m;
	x.rule.src[7] = 1;    /* bytes past an IPv4 address */
	assert_int_equal(send_and_reply(sv[0], &x, sizeof(x), &rep), -EPERM);
	x = m;
	x.rule.dport = 80;    /* a port on a source rule */
	assert_int_equal(send_and_reply(sv[0], &x, sizeof(x), &rep), -EPERM);
	x = m;
	x.op = 99;
	assert_int_equal(send_and_reply(sv[0], &x, sizeof(x), &rep), -EPROTO);
	x = m;
	x.rule.id = 2;
	assert_int_equal(send_and_reply(sv[0], &x, sizeof(x), &rep), 0);
	/* Rule 1 again: in force already. Renewing it is fine; renewing a rule
	 * never added is not; a renewal past the allow-list neither. */
	assert_int_equal(send_and_reply(sv[0], &m, sizeof(m), &rep), -EEXIST);
	x = m;
	x.op = SV_ENF_RENEW;
	x.rule.ttl_s = 99;
	assert_int_equal(send_and_reply(sv[0], &x, sizeof(x), &rep), 0);
	x.rule.id = 9;
	assert_int_equal(send_and_reply(sv[0], &x, sizeof(x), &rep), -EEXIST);
	x = m;
	x.op = SV_ENF_RENEW;
	x.rule.src[1] = 66;
	assert_int_equal(send_and_reply(sv[0], &x, sizeof(x), &rep), -EPERM);
	close(sv[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 3);  /* the two good ones and the renewal */
	sv_allow_free(allow);
}

static void test_unknown_backend(void **state)
{
	struct sv_door_opts o;

	sv_door_opts_default(&o);
	o.enforcer = "tarpit";
	assert_null(sv_door_open(&o, 0));
	o.enforcer = "ovs";  /* no bridge named */
	assert_null(sv_door_open(&o, 0));
	o.enforcer = "log";
	o.never_block[0] = "10.0.0.0/33";
	assert_null(sv_door_open(&o, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_apply_and_fold, setup, teardown),
		cmocka_unit_test_setup_teardown(test_extend, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ttl_expiry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rule_cap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rate_cap, setup_rate, teardown),
		cmocka_unit_test_setup_teardown(test_enforcer_dies, setup, teardown),
		cmocka_unit_test(test_enforcer_checks),
		cmocka_unit_test(test_unknown_backend),
	};

	sv_log_init("test_actions", SV_LOG_ERR);
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
