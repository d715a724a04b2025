/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_ring.c - the broadcast ring: ordering, loss accounting, lossless
 * back-pressure, sleep/wake, and the read-only mapping services get.
 *
 * No test asserts on time: sleeps only make a race more likely to be
 * exercised, and timeouts are deadlock guards.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/ring.h"

#define GUARD_MS 30000
#define PAYLOAD  100

/* Every item carries its position, then bytes derived from it. */
static void fill(void *p, uint64_t pos)
{
	uint8_t *b = p;

	memcpy(b, &pos, sizeof(pos));
	for (unsigned j = sizeof(pos); j < PAYLOAD; j++)
		b[j] = (uint8_t)(pos * 7 + j);
}

static int check(const void *p, uint64_t pos)
{
	const uint8_t *b = p;
	uint64_t got;

	memcpy(&got, b, sizeof(got));
	if (got != pos)
		return -1;
	for (unsigned j = sizeof(pos); j < PAYLOAD; j++)
		if (b[j] != (uint8_t)(pos * 7 + j))
			return -1;
	return 0;
}

/* Write `total` items in bursts, through reserve in lossless mode. */
static void produce(struct sv_ring *r, uint64_t total, unsigned burst)
{
	for (uint64_t done = 0; done < total;) {
		unsigned want = total - done < burst ? (unsigned)(total - done) : burst;
		unsigned got = sv_ring_reserve(r, want, GUARD_MS);

		assert_true(got > 0);
		for (unsigned i = 0; i < got; i++)
			fill(sv_ring_write_slot(r, i), sv_ring_head(r) + i);
		sv_ring_publish(r, got);
		done += got;
	}
}

struct reader_arg {
	int ring_fd, cursor_fd;
	uint64_t first;         /* position of the first item expected */
	unsigned slow_every;    /* sleep 1 ms every that many items (0: never) */
	int err;                /* 0, or what went wrong */
	uint64_t got;
};

/* Read to the end of stream, checking every item in order; no loss allowed. */
static void *reader_main(void *p)
{
	struct reader_arg *a = p;
	struct sv_ring_reader rd;
	const void *items[64];
	uint64_t expect = a->first;
	int w;

	if (sv_ring_reader_open(&rd, a->ring_fd, a->cursor_fd)) {
		a->err = 1;
		return NULL;
	}
	for (;;) {
		unsigned n = sv_ring_read_burst(&rd, items, 64);

		if (n == 0) {
			w = sv_ring_wait(&rd, GUARD_MS);
			if (w < 0)
				break;
			if (w == 0) {
				a->err = 2;     /* stuck: the guard fired */
				break;
			}
			continue;
		}
		for (unsigned i = 0; i < n; i++, expect++) {
			if (check(items[i], expect) && !a->err)
				a->err = 3;
			if (a->slow_every && expect % a->slow_every == 0)
				usleep(1000);
		}
		if (sv_ring_read_done(&rd, NULL) != n && !a->err)
			a->err = 4;
	}
	a->got = expect - a->first;
	if (atomic_load(&rd.cur->lost) != 0 && !a->err)
		a->err = 5;
	sv_ring_reader_close(&rd);
	return NULL;
}

static void test_create_rejects_bad_sizes(void **state)
{
	errno = 0;
	assert_null(sv_ring_create(100, 64, SV_RING_KIND_PKT, 0));
	assert_int_equal(errno, EINVAL);
	assert_null(sv_ring_create(1, 64, SV_RING_KIND_PKT, 0));
	assert_null(sv_ring_create(64, 0, SV_RING_KIND_PKT, 0));
	assert_null(sv_ring_create(64, 64, SV_RING_KIND_PKT, 1U << 7));
}

static void test_slot_layout(void **state)
{
	struct sv_ring *r = sv_ring_create(16, 56, SV_RING_KIND_PKT, 0);
	struct sv_ring *r2 = sv_ring_create(16, 57, SV_RING_KIND_PKT, 0);

	assert_non_null(r);
	assert_non_null(r2);
	assert_int_equal(sv_ring_map_size(r), 4096 + 16 * 64);
	assert_int_equal(sv_ring_map_size(r2), 4096 + 16 * 128);
	assert_int_equal(sv_ring_payload_size(r2), 57);
	sv_ring_destroy(r);
	sv_ring_destroy(r2);
	sv_ring_destroy(NULL);
}

/* One reader keeping up over several laps: every item, every byte. */
static void test_wrap_around(void **state)
{
	struct sv_ring *r = sv_ring_create(64, PAYLOAD, SV_RING_KIND_PKT, 0);
	struct sv_ring_reader rd;
	struct sv_cursor *cur;
	const void *items[64];
	uint64_t expect = 0, total = 64 * 7 + 13;
	int cfd;

	assert_non_null(r);
	cfd = sv_ring_attach(r, &cur);
	assert_true(cfd >= 0);
	assert_int_equal(sv_ring_reader_open(&rd, sv_ring_fd(r), cfd), 0);
	close(cfd);
	while (sv_ring_head(r) < total) {
		/* Uneven bursts so slot boundaries fall everywhere. */
		unsigned n = 1 + (unsigned)(sv_ring_head(r) % 29), k;

		if (n > total - sv_ring_head(r))
			n = (unsigned)(total - sv_ring_head(r));
		assert_int_equal(sv_ring_reserve(r, n, 0), n);
		for (unsigned i = 0; i < n; i++)
			fill(sv_ring_write_slot(r, i), sv_ring_head(r) + i);
		sv_ring_publish(r, n);
		while ((k = sv_ring_read_burst(&rd, items, 17)) > 0) {
			for (unsigned i = 0; i < k; i++, expect++)
				assert_int_equal(check(items[i], expect), 0);
			assert_int_equal(sv_ring_read_done(&rd, NULL), k);
		}
	}
	sv_ring_end(r);
	assert_int_equal(sv_ring_wait(&rd, 0), -1);
	assert_int_equal(expect, total);
	assert_int_equal(atomic_load(&cur->delivered), total);
	assert_int_equal(atomic_load(&cur->lost), 0);
	assert_int_equal(atomic_load(&cur->pos), total);
	sv_ring_reader_close(&rd);
	sv_ring_destroy(r);
}

/* Attach `n` readers, run them as threads or processes, produce, check. */
static void run_readers(int n, int forked, uint64_t total, unsigned slow_every)
{
	struct sv_ring *r = sv_ring_create(256, PAYLOAD, SV_RING_KIND_PKT, SV_RING_LOSSLESS);
	struct reader_arg arg[8];
	struct sv_cursor *cur[8];
	pthread_t th[8];
	pid_t pid[8];
	int status;

	assert_non_null(r);
	assert_true(n <= 8);
	for (int i = 0; i < n; i++) {
		arg[i] = (struct reader_arg){ .ring_fd = sv_ring_fd(r), .first = 0,
					      .slow_every = i == 0 ? slow_every : 0 };
		arg[i].cursor_fd = sv_ring_attach(r, &cur[i]);
		assert_true(arg[i].cursor_fd >= 0);
	}
	for (int i = 0; i < n; i++) {
		if (!forked) {
			assert_int_equal(pthread_create(&th[i], NULL, reader_main, &arg[i]), 0);
			continue;
		}
		pid[i] = fork();
		assert_true(pid[i] >= 0);
		if (pid[i] == 0) {
			reader_main(&arg[i]);
			_exit(arg[i].err ? 10 + arg[i].err : arg[i].got == total ? 0 : 9);
		}
	}
	produce(r, total, 32);
	sv_ring_end(r);
	for (int i = 0; i < n; i++) {
		if (forked) {
			assert_int_equal(waitpid(pid[i], &status, 0), pid[i]);
			assert_true(WIFEXITED(status));
			assert_int_equal(WEXITSTATUS(status), 0);
		} else {
			pthread_join(th[i], NULL);
			assert_int_equal(arg[i].err, 0);
			assert_int_equal(arg[i].got, total);
		}
		assert_int_equal(atomic_load(&cur[i]->delivered), total);
		assert_int_equal(atomic_load(&cur[i]->lost), 0);
		close(arg[i].cursor_fd);
	}
	sv_ring_destroy(r);
}

static void test_lossless_readers_threads(void **state)
{
	run_readers(4, 0, 100000, 0);
}

static void test_lossless_readers_processes(void **state)
{
	run_readers(4, 1, 100000, 0);
}

/* A reader that naps every 100 items throttles the producer, loses nothing. */
static void test_lossless_slow_reader(void **state)
{
	run_readers(2, 0, 5000, 100);
}

/* A reader that does not read while 3.5 rings go by. */
static void test_lossy_overrun_counts_exactly(void **state)
{
	const uint32_t slots = 64;
	const uint64_t total = slots * 7 / 2;
	struct sv_ring *r = sv_ring_create(slots, PAYLOAD, SV_RING_KIND_PKT, 0);
	struct sv_ring_reader rd;
	struct sv_cursor *cur;
	const void *items[64];
	uint64_t expect, delivered = 0;
	unsigned n;
	int cfd;

	assert_non_null(r);
	cfd = sv_ring_attach(r, &cur);
	assert_int_equal(sv_ring_reader_open(&rd, sv_ring_fd(r), cfd), 0);
	for (uint64_t i = 0; i < total; i += 16) {
		assert_int_equal(sv_ring_reserve(r, 16, 0), 16);
		for (unsigned k = 0; k < 16; k++)
			fill(sv_ring_write_slot(r, k), sv_ring_head(r) + k);
		sv_ring_publish(r, 16);
	}
	sv_ring_end(r);
	/* Lapped: it skips to a quarter ring past the oldest item still there. */
	expect = total - slots + slots / 4;
	while ((n = sv_ring_read_burst(&rd, items, 64)) > 0) {
		for (unsigned i = 0; i < n; i++, expect++)
			assert_int_equal(check(items[i], expect), 0);
		delivered += sv_ring_read_done(&rd, NULL);
	}
	assert_int_equal(expect, total);
	assert_int_equal(delivered, slots * 3 / 4);
	assert_int_equal(atomic_load(&cur->delivered), delivered);
	assert_int_equal(atomic_load(&cur->lost), total - delivered);
	assert_int_equal(sv_ring_wait(&rd, 0), -1);
	sv_ring_reader_close(&rd);
	close(cfd);
	sv_ring_destroy(r);
}

/* Items rewritten while the reader holds them are reported torn. */
static void test_torn_items_reported(void **state)
{
	struct sv_ring *r = sv_ring_create(16, PAYLOAD, SV_RING_KIND_PKT, 0);
	struct sv_ring_reader rd;
	struct sv_cursor *cur;
	const void *items[64];
	uint64_t torn = 0;
	int cfd;

	assert_non_null(r);
	cfd = sv_ring_attach(r, &cur);
	assert_int_equal(sv_ring_reader_open(&rd, sv_ring_fd(r), cfd), 0);
	for (unsigned i = 0; i < 8; i++)
		fill(sv_ring_write_slot(r, i), i);
	sv_ring_publish(r, 8);
	assert_int_equal(sv_ring_read_burst(&rd, items, 4), 4);
	/* Another lap: items 16..19 land on the four slots being read. */
	for (unsigned k = 0; k < 2; k++) {
		for (unsigned i = 0; i < 8; i++)
			fill(sv_ring_write_slot(r, i), sv_ring_head(r) + i);
		sv_ring_publish(r, 8);
	}
	assert_int_equal(sv_ring_read_done(&rd, &torn), 0);
	assert_int_equal(torn, 0xf);
	assert_int_equal(atomic_load(&cur->lost), 4);
	assert_int_equal(atomic_load(&cur->delivered), 0);
	/* Lapped meanwhile: it skips 4..11 and reads 12..23; all counted. */
	while (sv_ring_read_burst(&rd, items, 64) > 0)
		sv_ring_read_done(&rd, NULL);
	assert_int_equal(atomic_load(&cur->delivered), 12);
	assert_int_equal(atomic_load(&cur->lost), 12);
	sv_ring_reader_close(&rd);
	close(cfd);
	sv_ring_destroy(r);
}

static void test_late_reader_starts_at_head(void **state)
{
	struct sv_ring *r = sv_ring_create(64, PAYLOAD, SV_RING_KIND_PKT, 0);
	struct sv_ring_reader rd;
	struct sv_cursor *cur;
	const void *items[64];
	int cfd;

	assert_non_null(r);
	for (unsigned i = 0; i < 40; i++)
		fill(sv_ring_write_slot(r, i), i);
	sv_ring_publish(r, 40);
	cfd = sv_ring_attach(r, &cur);
	assert_true(cfd >= 0);
	assert_int_equal(atomic_load(&cur->start), 40);
	assert_int_equal(sv_ring_reader_open(&rd, sv_ring_fd(r), cfd), 0);
	assert_int_equal(sv_ring_read_burst(&rd, items, 64), 0);
	assert_int_equal(sv_ring_wait(&rd, 0), 0);
	fill(sv_ring_write_slot(r, 0), 40);
	sv_ring_publish(r, 1);
	assert_int_equal(sv_ring_read_burst(&rd, items, 64), 1);
	assert_int_equal(check(items[0], 40), 0);
	assert_int_equal(sv_ring_read_done(&rd, NULL), 1);
	assert_int_equal(atomic_load(&cur->lost), 0);
	sv_ring_reader_close(&rd);
	close(cfd);
	sv_ring_destroy(r);
}

/* Lossless back-pressure without a reader thread: timeouts, partial room. */
static void test_lossless_reserve(void **state)
{
	struct sv_ring *r = sv_ring_create(16, PAYLOAD, SV_RING_KIND_PKT, SV_RING_LOSSLESS);
	struct sv_ring_reader rd;
	struct sv_cursor *cur;
	const void *items[64];
	int cfd;

	assert_non_null(r);
	/* No reader: never waits. */
	for (unsigned k = 0; k < 4; k++) {
		assert_int_equal(sv_ring_reserve(r, 16, -1), 16);
		sv_ring_publish(r, 16);
	}
	cfd = sv_ring_attach(r, &cur);
	assert_int_equal(sv_ring_reader_open(&rd, sv_ring_fd(r), cfd), 0);
	assert_int_equal(sv_ring_reserve(r, 100, 0), 16);
	for (unsigned i = 0; i < 16; i++)
		fill(sv_ring_write_slot(r, i), sv_ring_head(r) + i);
	sv_ring_publish(r, 16);
	assert_int_equal(sv_ring_reserve(r, 4, 0), 0);
	assert_int_equal(sv_ring_reserve(r, 4, 20), 0);
	assert_int_equal(sv_ring_read_burst(&rd, items, 6), 6);
	assert_int_equal(check(items[0], 64), 0);
	assert_int_equal(sv_ring_read_done(&rd, NULL), 6);
	assert_int_equal(sv_ring_reserve(r, 10, 0), 6);
	assert_int_equal(sv_ring_reserve(r, 4, 0), 4);
	sv_ring_reader_close(&rd);
	/* Detached, it no longer holds the producer back. */
	sv_ring_detach(r, cur);
	assert_int_equal(sv_ring_reserve(r, 16, 0), 16);
	close(cfd);
	sv_ring_destroy(r);
}

struct hostile_arg {
	struct sv_cursor *cur;  /* its own cursor, as a service maps it */
	atomic_int stop;
	unsigned long wakes;    /* producer wake-ups it caused (the kernel's count) */
};

/* A lossless reader that never reads but keeps bumping its own `progress`
 * word and waking whoever waits on it. */
static void *hostile_main(void *p)
{
	struct hostile_arg *a = p;

	while (!atomic_load(&a->stop)) {
		long n;

		atomic_fetch_add(&a->cur->progress, 1);
		/* FUTEX_WAKE returns how many waiters it woke. */
		n = syscall(SYS_futex, &a->cur->progress, FUTEX_WAKE, 1, NULL, NULL, 0);
		if (n > 0)
			a->wakes += (unsigned long)n;
		sched_yield();
	}
	return NULL;
}

/*
 * A reader that keeps waking a waiting lossless producer without freeing
 * anything makes it run a bounded number of times: the producer naps after
 * a wake-up that freed nothing. (Before, it went back to its futex at
 * once, and such a reader drove it as fast as it could write: thousands of
 * wake-ups in 300 ms.)
 */
static void test_lossless_wakeups_bounded(void **state)
{
	struct sv_ring *r = sv_ring_create(64, PAYLOAD, SV_RING_KIND_PKT, SV_RING_LOSSLESS);
	struct hostile_arg a = { 0 };
	struct sv_ring_reader rd;
	struct timespec t0, t1;
	pthread_t th;
	int cfd;

	assert_non_null(r);
	cfd = sv_ring_attach(r, &a.cur);
	assert_true(cfd >= 0);
	assert_int_equal(sv_ring_reader_open(&rd, sv_ring_fd(r), cfd), 0);
	a.cur = rd.cur;
	produce(r, 64, 16);
	assert_int_equal(pthread_create(&th, NULL, hostile_main, &a), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(sv_ring_reserve(r, 16, 300), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	atomic_store(&a.stop, 1);
	pthread_join(th, NULL);
	print_message("hostile reader woke the producer %lu times in %ld ms\n", a.wakes,
		      (long)((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000));
	/* 1+2+4+...+64 ms naps, then 64 ms each: about a dozen in 300 ms. */
	assert_true(a.wakes <= 30);
	/* It did not wedge the producer: a real read frees room at once. */
	{
		const void *items[64];

		assert_int_equal(sv_ring_read_burst(&rd, items, 64), 64);
		assert_int_equal(sv_ring_read_done(&rd, NULL), 64);
		assert_int_equal(sv_ring_reserve(r, 16, 300), 16);
	}
	sv_ring_reader_close(&rd);
	close(cfd);
	sv_ring_destroy(r);
}

/* What a service gets cannot write the ring. */
static void test_reader_mapping_is_read_only(void **state)
{
	struct sv_ring *r = sv_ring_create(16, PAYLOAD, SV_RING_KIND_PKT, 0);
	struct sv_ring_reader rd;
	struct sv_cursor *cur;
	void *p;
	pid_t pid;
	int cfd, status;

	assert_non_null(r);
	errno = 0;
	p = mmap(NULL, sv_ring_map_size(r), PROT_READ | PROT_WRITE, MAP_SHARED, sv_ring_fd(r), 0);
	assert_true(p == MAP_FAILED);
	assert_int_equal(errno, EPERM);
	assert_true(write(sv_ring_fd(r), "x", 1) < 0);
	cfd = sv_ring_attach(r, &cur);
	assert_int_equal(sv_ring_reader_open(&rd, sv_ring_fd(r), cfd), 0);
	assert_int_equal(mprotect((void *)rd.hdr, sv_ring_map_size(r), PROT_READ | PROT_WRITE), -1);
	/* The producer's own mapping is still writable. */
	fill(sv_ring_write_slot(r, 0), 0);
	sv_ring_publish(r, 1);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct sigaction sa = { .sa_handler = SIG_DFL };

		/* A sanitizer's handler would turn the fault into an exit. */
		sigaction(SIGSEGV, &sa, NULL);
		*(volatile uint32_t *)(uintptr_t)&rd.hdr->magic = 0;
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGSEGV);
	assert_int_equal(rd.hdr->magic, SV_RING_MAGIC);
	sv_ring_reader_close(&rd);
	close(cfd);
	sv_ring_destroy(r);
}

struct waiter {
	struct sv_ring_reader rd;
	int results[3];
};

static void *waiter_main(void *p)
{
	struct waiter *w = p;
	const void *items[64];

	/* Nothing yet: sleeps until the publish. No timeout, so only a wake
	 * gets it out (the test's join has the deadlock guard). */
	w->results[0] = sv_ring_wait(&w->rd, -1);
	if (sv_ring_read_burst(&w->rd, items, 64) == 1)
		sv_ring_read_done(&w->rd, NULL);
	/* Everything read: sleeps until the end. */
	w->results[1] = sv_ring_wait(&w->rd, -1);
	w->results[2] = sv_ring_drained(&w->rd);
	return NULL;
}

/* Let the waiter reach its futex: it shows its tag in the cursor. */
static void until_sleeping(struct sv_cursor *cur)
{
	for (int i = 0; i < GUARD_MS && atomic_load(&cur->sleeping) == 0; i++)
		usleep(1000);
	assert_int_not_equal(atomic_load(&cur->sleeping), 0);
	usleep(10000);
}

static void test_wait_wakes_on_publish_and_end(void **state)
{
	struct sv_ring *r = sv_ring_create(16, PAYLOAD, SV_RING_KIND_PKT, 0);
	struct sv_cursor *cur;
	struct waiter w = { 0 };
	struct timespec guard;
	pthread_t th;
	int cfd;

	assert_non_null(r);
	cfd = sv_ring_attach(r, &cur);
	assert_int_equal(sv_ring_reader_open(&w.rd, sv_ring_fd(r), cfd), 0);
	assert_int_equal(sv_ring_wait(&w.rd, 1), 0);
	assert_int_equal(pthread_create(&th, NULL, waiter_main, &w), 0);
	until_sleeping(cur);
	fill(sv_ring_write_slot(r, 0), 0);
	sv_ring_publish(r, 1);
	/* Only the publish's wake gets the item read. */
	for (int i = 0; i < GUARD_MS && atomic_load(&cur->delivered) == 0; i++)
		usleep(1000);
	assert_int_equal(atomic_load(&cur->delivered), 1);
	until_sleeping(cur);
	sv_ring_end(r);
	clock_gettime(CLOCK_REALTIME, &guard);
	guard.tv_sec += GUARD_MS / 1000;
	assert_int_equal(pthread_timedjoin_np(th, NULL, &guard), 0);
	assert_int_equal(w.results[0], 1);
	assert_int_equal(w.results[1], -1);
	assert_int_equal(w.results[2], 1);
	assert_int_equal(atomic_load(&cur->sleeping), 0);
	assert_int_equal(atomic_load(&cur->delivered), 1);
	sv_ring_reader_close(&w.rd);
	close(cfd);
	sv_ring_destroy(r);
}

struct waiter2 {
	struct sv_ring_reader a, b;
	int results[2];
};

static void *waiter2_main(void *p)
{
	struct waiter2 *w = p;
	const void *items[64];

	w->results[0] = sv_ring_wait2(&w->a, &w->b, -1);
	if (sv_ring_read_burst(&w->b, items, 64) == 1)
		sv_ring_read_done(&w->b, NULL);
	w->results[1] = sv_ring_wait2(&w->a, &w->b, -1);
	return NULL;
}

/* A reader of two rings sleeps on the first; the second rings it. */
static void test_wait2_woken_for_the_other_ring(void **state)
{
	struct sv_ring *ra = sv_ring_create(16, PAYLOAD, SV_RING_KIND_PKT, 0);
	struct sv_ring *rb = sv_ring_create(16, PAYLOAD, SV_RING_KIND_FLOW, 0);
	struct sv_cursor *ca, *cb;
	struct waiter2 w = { 0 };
	struct timespec guard;
	pthread_t th;
	int fa, fb;

	assert_non_null(ra);
	assert_non_null(rb);
	fa = sv_ring_attach(ra, &ca);
	fb = sv_ring_attach(rb, &cb);
	assert_int_equal(sv_ring_reader_open(&w.a, sv_ring_fd(ra), fa), 0);
	assert_int_equal(sv_ring_reader_open(&w.b, sv_ring_fd(rb), fb), 0);
	assert_int_equal(sv_ring_wait2(&w.a, &w.b, 1), 0);
	assert_int_equal(pthread_create(&th, NULL, waiter2_main, &w), 0);
	until_sleeping(ca);
	fill(sv_ring_write_slot(rb, 0), 0);
	sv_ring_publish(rb, 1);
	sv_ring_wake(ra);
	for (int i = 0; i < GUARD_MS && atomic_load(&cb->delivered) == 0; i++)
		usleep(1000);
	assert_int_equal(atomic_load(&cb->delivered), 1);
	/* One ring ended is not the end. */
	sv_ring_end(rb);
	sv_ring_wake(ra);
	until_sleeping(ca);
	sv_ring_end(ra);
	clock_gettime(CLOCK_REALTIME, &guard);
	guard.tv_sec += GUARD_MS / 1000;
	assert_int_equal(pthread_timedjoin_np(th, NULL, &guard), 0);
	assert_int_equal(w.results[0], 1);
	assert_int_equal(w.results[1], -1);
	sv_ring_reader_close(&w.a);
	sv_ring_reader_close(&w.b);
	close(fa);
	close(fb);
	sv_ring_destroy(ra);
	sv_ring_destroy(rb);
}

static void test_end_of_stream_after_drain(void **state)
{
	struct sv_ring *r = sv_ring_create(16, PAYLOAD, SV_RING_KIND_PKT, 0);
	struct sv_ring_reader rd;
	struct sv_cursor *cur;
	const void *items[64];
	int cfd;

	assert_non_null(r);
	cfd = sv_ring_attach(r, &cur);
	assert_int_equal(sv_ring_reader_open(&rd, sv_ring_fd(r), cfd), 0);
	for (unsigned i = 0; i < 10; i++)
		fill(sv_ring_write_slot(r, i), i);
	sv_ring_publish(r, 10);
	sv_ring_end(r);
	/* Ended, but not drained: items first. */
	assert_int_equal(sv_ring_drained(&rd), 0);
	assert_int_equal(sv_ring_wait(&rd, GUARD_MS), 1);
	assert_int_equal(sv_ring_read_burst(&rd, items, 64), 10);
	assert_int_equal(sv_ring_read_done(&rd, NULL), 10);
	assert_int_equal(sv_ring_wait(&rd, GUARD_MS), -1);
	assert_int_equal(sv_ring_wait(&rd, -1), -1);
	assert_int_equal(sv_ring_drained(&rd), 1);
	assert_int_equal(sv_ring_read_burst(&rd, items, 64), 0);
	sv_ring_reader_close(&rd);
	close(cfd);
	sv_ring_destroy(r);
}

static void test_attach_limit(void **state)
{
	struct sv_ring *r = sv_ring_create(16, PAYLOAD, SV_RING_KIND_PKT, 0);
	struct sv_cursor *cur[SV_RING_MAX_READERS + 1];
	int fd[SV_RING_MAX_READERS];

	assert_non_null(r);
	for (int i = 0; i < SV_RING_MAX_READERS; i++) {
		fd[i] = sv_ring_attach(r, &cur[i]);
		assert_true(fd[i] >= 0);
	}
	assert_int_equal(sv_ring_attach(r, &cur[SV_RING_MAX_READERS]), -ENOSPC);
	sv_ring_detach(r, cur[3]);
	close(fd[3]);
	fd[3] = sv_ring_attach(r, &cur[3]);
	assert_true(fd[3] >= 0);
	for (int i = 0; i < SV_RING_MAX_READERS; i++)
		close(fd[i]);
	sv_ring_destroy(r);
}

/* A memfd the size of r holding its header, with the word at `off` set to val. */
static int fake_ring(struct sv_ring *r, size_t off, uint32_t val, int seal)
{
	uint8_t buf[4096];
	int fd = memfd_create("fake-ring", MFD_CLOEXEC | MFD_ALLOW_SEALING);

	assert_true(fd >= 0);
	assert_int_equal(pread(sv_ring_fd(r), buf, sizeof(buf), 0), sizeof(buf));
	memcpy(buf + off, &val, sizeof(val));
	assert_int_equal(ftruncate(fd, (off_t)sv_ring_map_size(r)), 0);
	assert_int_equal(pwrite(fd, buf, sizeof(buf), 0), sizeof(buf));
	if (seal)
		assert_int_equal(fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW), 0);
	return fd;
}

static void test_bad_header_rejected(void **state)
{
	struct sv_ring *r = sv_ring_create(16, PAYLOAD, SV_RING_KIND_PKT, 0);
	struct sv_ring_reader rd;
	struct sv_cursor *cur;
	int cfd, fd;
	FILE *f;

	assert_non_null(r);
	cfd = sv_ring_attach(r, &cur);
	/* The untouched copy is accepted, so each edit below is what fails. */
	fd = fake_ring(r, offsetof(struct sv_ring_hdr, pad), 0, 1);
	assert_int_equal(sv_ring_reader_open(&rd, fd, cfd), 0);
	sv_ring_reader_close(&rd);
	close(fd);

	fd = fake_ring(r, offsetof(struct sv_ring_hdr, magic), 0x12345678, 1);
	assert_int_equal(sv_ring_reader_open(&rd, fd, cfd), -EPROTO);
	close(fd);
	fd = fake_ring(r, offsetof(struct sv_ring_hdr, version), SV_RING_VERSION + 1, 1);
	assert_int_equal(sv_ring_reader_open(&rd, fd, cfd), -EPROTO);
	close(fd);
	fd = fake_ring(r, offsetof(struct sv_ring_hdr, slot_count), 1u << 20, 1);
	assert_int_equal(sv_ring_reader_open(&rd, fd, cfd), -EPROTO);
	close(fd);
	fd = fake_ring(r, offsetof(struct sv_ring_hdr, slot_size), 100, 1);
	assert_int_equal(sv_ring_reader_open(&rd, fd, cfd), -EPROTO);
	close(fd);
	fd = fake_ring(r, offsetof(struct sv_ring_hdr, pad), 0, 0);
	assert_int_equal(sv_ring_reader_open(&rd, fd, cfd), -EPROTO);
	close(fd);
	/* Not a memfd at all. */
	f = tmpfile();
	assert_non_null(f);
	assert_int_equal(sv_ring_reader_open(&rd, fileno(f), cfd), -EPROTO);
	/* A ring where the cursor should be. */
	assert_int_equal(sv_ring_reader_open(&rd, sv_ring_fd(r), fileno(f)), -EPROTO);
	fclose(f);
	sv_ring_reader_close(&rd);
	close(cfd);
	sv_ring_destroy(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_rejects_bad_sizes),
		cmocka_unit_test(test_slot_layout),
		cmocka_unit_test(test_wrap_around),
		cmocka_unit_test(test_lossless_readers_threads),
		cmocka_unit_test(test_lossless_readers_processes),
		cmocka_unit_test(test_lossless_slow_reader),
		cmocka_unit_test(test_lossy_overrun_counts_exactly),
		cmocka_unit_test(test_torn_items_reported),
		cmocka_unit_test(test_late_reader_starts_at_head),
		cmocka_unit_test(test_lossless_reserve),
		cmocka_unit_test(test_lossless_wakeups_bounded),
		cmocka_unit_test(test_reader_mapping_is_read_only),
		cmocka_unit_test(test_wait_wakes_on_publish_and_end),
		cmocka_unit_test(test_wait2_woken_for_the_other_ring),
		cmocka_unit_test(test_end_of_stream_after_drain),
		cmocka_unit_test(test_attach_limit),
		cmocka_unit_test(test_bad_header_rejected),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
