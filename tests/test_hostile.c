/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_hostile.c - a service that writes garbage into the segments it can
 * write: its counters (count, names, values) and its cursors (pos, lost,
 * delivered, sleeping, progress, the producer's words). The registry runs
 * in a thread of this process, serving a real control socket; the status
 * it renders must stay valid JSON with the lies shown as numbers, a lossy
 * producer must not wait for anyone, and a lossless one may be held back
 * by a lying cursor (the lossless contract) only until that service goes.
 *
 * No test asserts on time; timeouts are deadlock guards.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "common/ctl.h"
#include "common/log.h"
#include "common/ring.h"
#include "common/stats.h"
#include "daemon/collector.h"
#include "daemon/daemon.h"
#include "lib/client.h"

#define SLOTS   64
#define PAYLOAD 64
#define GUARD_S 60

struct fixture {
	char dir[64], path[96];
	struct sv_opts opts;
	struct sv_ring *pkt, *flow;
	struct sv_collector *coll;
	struct sv_registry *reg;
	pthread_t server;
	pthread_mutex_t lock;  /* the registry and the producer: one at a time */
	atomic_bool stop;
};

static char *status_cb(const char *what, void *ctx)
{
	struct fixture *f = ctx;
	struct sv_daemon_view v = {
		.opts = &f->opts, .source_desc = "test", .ring_head = sv_ring_head(f->pkt),
		.flow_head = sv_ring_head(f->flow), .ring_slots = SLOTS, .reg = f->reg,
		.collector = f->coll,
	};

	return strcmp(what, "metrics") == 0 ? sv_status_prometheus(&v) : sv_status_json(&v);
}

/* The daemon's poll loop, control socket only. */
static void *serve(void *arg)
{
	struct fixture *f = arg;
	struct pollfd pfd[300];

	while (!atomic_load(&f->stop)) {
		int n;

		pthread_mutex_lock(&f->lock);
		n = sv_registry_pollfds(f->reg, pfd, 300);
		pthread_mutex_unlock(&f->lock);
		if (poll(pfd, (nfds_t)n, 10) <= 0)
			continue;
		pthread_mutex_lock(&f->lock);
		sv_registry_serve(f->reg, pfd, n);
		pthread_mutex_unlock(&f->lock);
	}
	return NULL;
}

static int setup(void **state, unsigned flags)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct sv_collector_opts co = { 0 };

	assert_non_null(f);
	alarm(GUARD_S);
	snprintf(f->dir, sizeof(f->dir), "/tmp/snapvnf-hostile.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/ctl.sock", f->dir);
	f->opts.snaplen = 64;
	f->pkt = sv_ring_create(SLOTS, PAYLOAD, SV_RING_KIND_PKT, flags);
	f->flow = sv_ring_create(16, PAYLOAD, SV_RING_KIND_FLOW, flags);
	assert_non_null(f->pkt);
	assert_non_null(f->flow);
	f->coll = sv_collector_new(f->flow, f->pkt, &co);
	assert_non_null(f->coll);
	f->reg = sv_registry_open(f->path, f->pkt, f->flow, NULL);
	assert_non_null(f->reg);
	sv_registry_set_status(f->reg, status_cb, f);
	pthread_mutex_init(&f->lock, NULL);
	assert_int_equal(pthread_create(&f->server, NULL, serve, f), 0);
	*state = f;
	return 0;
}

static int setup_lossy(void **state)
{
	return setup(state, 0);
}

static int setup_lossless(void **state)
{
	return setup(state, SV_RING_LOSSLESS);
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	atomic_store(&f->stop, true);
	pthread_join(f->server, NULL);
	sv_registry_close(f->reg);
	sv_collector_free(f->coll);
	sv_ring_destroy(f->pkt);
	sv_ring_destroy(f->flow);
	rmdir(f->dir);
	free(f);
	alarm(0);
	return 0;
}

/* Status as parsed JSON (the test fails if it is not JSON). */
static json_object *status(struct fixture *f)
{
	char *text;
	json_object *root;

	assert_int_equal(sv_ctl_query(f->path, "status", &text), 0);
	root = json_tokener_parse(text);
	if (!root)
		fail_msg("status is not JSON: %.300s", text);
	free(text);
	return root;
}

static json_object *service(json_object *root, const char *name)
{
	json_object *svcs, *s, *n;

	assert_true(json_object_object_get_ex(root, "services", &svcs));
	for (size_t i = 0; i < json_object_array_length(svcs); i++) {
		s = json_object_array_get_idx(svcs, i);
		if (json_object_object_get_ex(s, "name", &n) &&
		    strcmp(json_object_get_string(n), name) == 0)
			return s;
	}
	fail_msg("service %s not in status", name);
	return NULL;
}

static uint64_t u64(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		fail_msg("no %s", key);
	return json_object_get_uint64(v);
}

/* A service that says hello by hand, to keep the counters segment's fd. */
static int raw_hello(struct fixture *f, const char *name, int *stats_fd)
{
	char msg[128];
	int sock = sv_ctl_connect(f->path, 10000), fds[SV_CTL_MAX_FDS];
	unsigned nfds = SV_CTL_MAX_FDS;

	assert_true(sock >= 0);
	snprintf(msg, sizeof(msg), "hello name=%s", name);
	assert_int_equal(sv_ctl_send(sock, msg, strlen(msg), NULL, 0), 0);
	assert_true(sv_ctl_recv(sock, msg, sizeof(msg), fds, &nfds) > 0);
	assert_string_equal(msg, "ok");
	assert_int_equal(nfds, 1);
	*stats_fd = fds[0];
	return sock;
}

static void test_counters_garbage(void **state)
{
	struct fixture *f = *state;
	int fd, sock = raw_hello(f, "evil", &fd);
	struct sv_stats *st = mmap(NULL, SV_STATS_SEGMENT, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	json_object *root, *cnt;
	char *text, *line, *save = NULL;

	assert_true(st != MAP_FAILED);
	/* Shrunk, the segment would fault the daemon's next read of it. */
	assert_int_equal(ftruncate(fd, 0), -1);
	assert_int_equal(errno, EPERM);
	assert_int_equal(ftruncate(fd, 1 << 20), -1);
	assert_int_equal(errno, EPERM);
	close(fd);

	atomic_store(&st->count, 0xffffffffu);
	for (unsigned i = 0; i < SV_STATS_MAX; i++) {
		char id[8];

		/* No NUL, quotes, backslashes, line ends, control and high bytes. */
		memset(st->stat[i].name, "\"\\\n\x01\xff{}= "[i % 10], SV_STAT_NAME_MAX);
		snprintf(id, sizeof(id), "c%03u", i);
		memcpy(st->stat[i].name, id, 4);
		st->stat[i].name[7] = '"';
		atomic_store(&st->stat[i].value, UINT64_MAX - i);
	}
	/* Past the segment's counters: must never be read. */
	memset((char *)st + sizeof(*st), 0x41, SV_STATS_SEGMENT - sizeof(*st));

	root = status(f);
	assert_true(json_object_object_get_ex(service(root, "evil"), "counters", &cnt));
	assert_int_equal(json_object_object_length(cnt), SV_STATS_MAX);
	json_object_object_foreach(cnt, k, v) {
		assert_true(strlen(k) < SV_STAT_NAME_MAX);
		for (const char *p = k; *p; p++)
			assert_true(*p > 0x20 && *p < 0x7f && *p != '"' && *p != '\\');
		assert_true(json_object_get_uint64(v) > UINT64_MAX - SV_STATS_MAX);
	}
	json_object_put(root);

	/* Prometheus text: every sample line is name{labels} value, with
	 * exactly the quotes of its labels. */
	assert_int_equal(sv_ctl_query(f->path, "metrics", &text), 0);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned quotes = 0;

		if (line[0] == '#')
			continue;
		for (const char *p = line; *p; p++) {
			assert_true(*p >= 0x20 && *p < 0x7f);
			quotes += *p == '"';
		}
		if (strncmp(line, "snapvnf_vnf_count_total{", 24) == 0)
			assert_int_equal(quotes, 6);
	}
	free(text);

	/* Garbage counts, low and high. */
	atomic_store(&st->count, 0);
	root = status(f);
	assert_true(json_object_object_get_ex(service(root, "evil"), "counters", &cnt));
	assert_int_equal(json_object_object_length(cnt), 0);
	json_object_put(root);
	atomic_store(&st->count, SV_STATS_MAX + 1);
	root = status(f);
	assert_true(json_object_object_get_ex(service(root, "evil"), "counters", &cnt));
	assert_int_equal(json_object_object_length(cnt), SV_STATS_MAX);
	json_object_put(root);

	munmap(st, SV_STATS_SEGMENT);
	close(sock);
}

/* Cursor values a correct reader never writes show as numbers, no more. */
static void test_cursor_garbage_in_status(void **state)
{
	struct fixture *f = *state;
	struct sv_client c;
	json_object *root, *s;

	assert_int_equal(sv_client_open(&c, f->path, "liar"), 0);
	assert_int_equal(sv_client_attach(&c, SV_CONSUME_PKT | SV_CONSUME_FLOW), 0);
	pthread_mutex_lock(&f->lock);
	for (unsigned i = 0; i < 40; i++)
		sv_ring_write_slot(f->pkt, i);
	sv_ring_publish(f->pkt, 40);
	pthread_mutex_unlock(&f->lock);

	atomic_store(&c.pkt.cur->pos, UINT64_MAX);
	atomic_store(&c.pkt.cur->delivered, UINT64_MAX);
	atomic_store(&c.pkt.cur->lost, UINT64_MAX - 1);
	atomic_store(&c.flow.cur->pos, 1ULL << 63);
	root = status(f);
	s = service(root, "liar");
	assert_true(u64(s, "delivered") == UINT64_MAX);
	assert_true(u64(s, "lost") == UINT64_MAX - 1);
	assert_int_equal(u64(s, "backlog"), 0);
	assert_int_equal(u64(s, "flow_backlog"), 0);
	json_object_put(root);

	atomic_store(&c.pkt.cur->pos, 0);
	root = status(f);
	assert_int_equal(u64(service(root, "liar"), "backlog"), 40);
	json_object_put(root);
	sv_client_close(&c);
}

/* Writes random values into every word of a cursor until told to stop. */
struct scribbler {
	struct sv_cursor *cur;
	atomic_bool stop;
	pthread_t th;
};

static void *scribble(void *arg)
{
	struct scribbler *s = arg;
	uint64_t x = 0x9e3779b97f4a7c15ull;

	while (!atomic_load_explicit(&s->stop, memory_order_relaxed)) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		atomic_store_explicit(&s->cur->pos, x, memory_order_relaxed);
		atomic_store_explicit(&s->cur->lost, x >> 1, memory_order_relaxed);
		atomic_store_explicit(&s->cur->delivered, ~x, memory_order_relaxed);
		atomic_store_explicit(&s->cur->start, x * 3, memory_order_relaxed);
		atomic_store_explicit(&s->cur->sleeping, (uint32_t)x, memory_order_relaxed);
		atomic_store_explicit(&s->cur->progress, (uint32_t)(x >> 32), memory_order_relaxed);
		atomic_store_explicit(&s->cur->producer_waiting, (uint32_t)x & 1, memory_order_relaxed);
		atomic_store_explicit(&s->cur->producer_want, x >> 3, memory_order_relaxed);
	}
	return NULL;
}

static void scribbler_start(struct scribbler *s, struct sv_cursor *cur)
{
	s->cur = cur;
	atomic_store(&s->stop, false);
	assert_int_equal(pthread_create(&s->th, NULL, scribble, s), 0);
}

static void scribbler_stop(struct scribbler *s)
{
	atomic_store(&s->stop, true);
	pthread_join(s->th, NULL);
}

/* Publish `n` items numbered from the head, if the ring grants them at
 * once. Returns how many it granted. */
static unsigned produce(struct fixture *f, unsigned n, int timeout_ms)
{
	unsigned room;

	pthread_mutex_lock(&f->lock);
	room = sv_ring_reserve(f->pkt, n, timeout_ms);
	for (unsigned i = 0; i < room; i++) {
		uint64_t pos = sv_ring_head(f->pkt) + i;

		memcpy(sv_ring_write_slot(f->pkt, i), &pos, sizeof(pos));
	}
	sv_ring_publish(f->pkt, room);
	pthread_mutex_unlock(&f->lock);
	return room;
}

/* Read all there is; every item must be the next position. */
static void drain(struct sv_client *c, uint64_t *next)
{
	const void *items[64];
	unsigned n;

	while ((n = sv_ring_read_burst(&c->pkt, items, 64)) > 0) {
		for (unsigned i = 0; i < n; i++) {
			uint64_t pos;

			memcpy(&pos, items[i], sizeof(pos));
			assert_true(pos == (*next)++);
		}
		assert_int_equal(sv_ring_read_done(&c->pkt, NULL), n);
	}
}

/* Lossy: whatever a service writes into its cursor, the producer never
 * waits and an honest service gets everything it keeps up with. */
static void test_lossy_ignores_lying_cursor(void **state)
{
	struct fixture *f = *state;
	struct sv_client honest, liar;
	struct scribbler s;
	uint64_t next = 0;

	assert_int_equal(sv_client_open(&honest, f->path, "honest"), 0);
	assert_int_equal(sv_client_attach(&honest, SV_CONSUME_PKT), 0);
	assert_int_equal(sv_client_open(&liar, f->path, "liar"), 0);
	assert_int_equal(sv_client_attach(&liar, SV_CONSUME_PKT), 0);
	scribbler_start(&s, liar.pkt.cur);
	for (unsigned round = 0; round < 20 * SLOTS; round++) {
		/* A timeout of -1 would hang here if the producer waited. */
		assert_int_equal(produce(f, 16, -1), 16);
		drain(&honest, &next);
	}
	scribbler_stop(&s);
	assert_true(next == 20 * SLOTS * 16);
	assert_int_equal(atomic_load(&honest.pkt.cur->lost), 0);
	json_object_put(status(f));
	sv_client_close(&liar);
	sv_client_close(&honest);
}

/*
 * Lossless: a cursor said to be ahead of the head frees nothing it has not
 * read (only the liar loses); a cursor stuck behind holds the producer
 * back, as a slow service would, but only for the timeout of each
 * reserve, however it scribbles on the words the producer sleeps on, and
 * only until the liar leaves.
 */
static void test_lossless_lying_cursor(void **state)
{
	struct fixture *f = *state;
	struct sv_client honest, liar;
	struct scribbler s;
	uint64_t next = 0;
	unsigned got = 0;

	assert_int_equal(sv_client_open(&honest, f->path, "honest"), 0);
	assert_int_equal(sv_client_attach(&honest, SV_CONSUME_PKT), 0);
	assert_int_equal(sv_client_open(&liar, f->path, "liar"), 0);
	assert_int_equal(sv_client_attach(&liar, SV_CONSUME_PKT), 0);

	atomic_store(&liar.pkt.cur->pos, UINT64_MAX);
	for (unsigned round = 0; round < 4 * SLOTS; round++) {
		assert_int_equal(produce(f, 16, -1), 16);
		drain(&honest, &next);
	}
	assert_true(next == 4 * SLOTS * 16);

	/* Stuck a ring behind: the producer gets nothing, and returns. */
	atomic_store(&liar.pkt.cur->pos, 0);
	assert_int_equal(produce(f, 16, 0), 0);
	assert_int_equal(produce(f, 16, 20), 0);
	scribbler_start(&s, liar.pkt.cur);
	for (unsigned i = 0; i < 10; i++)
		got += produce(f, 16, 20);
	scribbler_stop(&s);
	drain(&honest, &next);
	json_object_put(status(f));

	/* The liar leaves: the producer goes on at once. */
	atomic_store(&liar.pkt.cur->pos, 0);
	sv_client_close(&liar);
	while (produce(f, 16, 10) == 0)
		;
	drain(&honest, &next);
	assert_true(next >= 4 * SLOTS * 16 + 16 + got);
	assert_int_equal(atomic_load(&honest.pkt.cur->lost), 0);
	sv_client_close(&honest);
}

/*
 * Services with every counter slot used make a status of megabytes. It
 * used to be sent in one go: the socket buffer took a few hundred KiB, the
 * rest was dropped and the client waited for the end marker for ever. Now
 * it goes out as the client reads, and a client that does not read holds
 * nobody else up.
 */
static void test_long_status(void **state)
{
	struct fixture *f = *state;
	enum { NSVC = 60 };
	struct sv_client *c = calloc(NSVC, sizeof(*c));
	json_object *root, *svcs, *cnt;
	char name[64], buf[SV_CTL_MSG_MAX], *text;
	size_t len = 0, first = 0;
	int slow;

	assert_non_null(c);
	for (unsigned i = 0; i < NSVC; i++) {
		snprintf(name, sizeof(name), "wide%02u", i);
		assert_int_equal(sv_client_open(&c[i], f->path, name), 0);
		for (unsigned k = 0; k < SV_STATS_MAX; k++) {
			snprintf(name, sizeof(name), "counter%03u_%s", k,
				 "with_a_name_as_long_as_the_segment_allows_xxxxxxxx");
			assert_non_null(sv_stats_add(c[i].stats, NULL, name));
		}
	}
	assert_int_equal(sv_ctl_query(f->path, "status", &text), 0);
	assert_true(strlen(text) > 1u << 19);
	root = json_tokener_parse(text);
	assert_non_null(root);
	free(text);
	assert_true(json_object_object_get_ex(root, "services", &svcs));
	assert_int_equal(json_object_array_length(svcs), NSVC);
	for (unsigned i = 0; i < NSVC; i++) {
		assert_true(json_object_object_get_ex(json_object_array_get_idx(svcs, i), "counters",
						      &cnt));
		assert_int_equal(json_object_object_length(cnt), SV_STATS_MAX);
	}
	json_object_put(root);

	/* A client that asks and does not read: the others are served. */
	slow = sv_ctl_connect(f->path, 10000);
	assert_true(slow >= 0);
	assert_int_equal(sv_ctl_send(slow, "status", 6, NULL, 0), 0);
	for (unsigned i = 0; i < 3; i++) {
		assert_int_equal(sv_ctl_query(f->path, "status", &text), 0);
		if (!first)
			first = strlen(text);
		free(text);
	}
	/* ... and when it reads at last, it gets the whole reply. */
	for (;;) {
		ssize_t n = sv_ctl_recv(slow, buf, sizeof(buf), NULL, NULL);

		assert_true(n > 0);
		if (strcmp(buf, SV_CTL_END) == 0)
			break;
		len += (size_t)n;
	}
	assert_true(len > 1u << 19 && len < first + 1000);
	close(slow);
	for (unsigned i = 0; i < NSVC; i++)
		sv_client_close(&c[i]);
	free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_counters_garbage, setup_lossy, teardown),
		cmocka_unit_test_setup_teardown(test_cursor_garbage_in_status, setup_lossy, teardown),
		cmocka_unit_test_setup_teardown(test_lossy_ignores_lying_cursor, setup_lossy,
						teardown),
		cmocka_unit_test_setup_teardown(test_lossless_lying_cursor, setup_lossless, teardown),
		cmocka_unit_test_setup_teardown(test_long_status, setup_lossy, teardown),
	};

	sv_log_init("test_hostile", SV_LOG_WARN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
