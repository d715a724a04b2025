/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_wake.c - what a lossless reader that never reads, but keeps waking
 * the producer, costs the producer, against one that simply never reads.
 *
 *   bench_wake [-t FILE] [seconds]   (default 2 s per reader kind)
 *
 * The ring is full and its only reader stalled, so the producer waits in
 * sv_ring_reserve() (5 ms at a time, as the daemon does between serving
 * its control socket). The quiet reader does nothing; the hostile one bumps
 * its cursor's `progress` word and makes the FUTEX_WAKE call in a loop,
 * which its writable cursor mapping lets any service do. The figure is the
 * producer thread's CPU time per second of waiting, and how many times the
 * hostile reader's wake found it asleep (the kernel's count).
 */
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "common/ring.h"

#define SLOTS   1024u
#define PAYLOAD 64u

struct reader {
	struct sv_cursor *cur;
	int hostile;
	atomic_int stop;
	unsigned long wakes;
};

static double now_s(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *reader_main(void *p)
{
	struct reader *r = p;

	while (!atomic_load(&r->stop)) {
		long n;

		if (!r->hostile) {
			usleep(1000);
			continue;
		}
		atomic_fetch_add(&r->cur->progress, 1);
		n = syscall(SYS_futex, &r->cur->progress, FUTEX_WAKE, 1, NULL, NULL, 0);
		if (n > 0)
			r->wakes += (unsigned long)n;
		sched_yield();
	}
	return NULL;
}

/* Producer CPU seconds per wall second while `hostile` or not. */
static double run(int hostile, double seconds, unsigned long *wakes)
{
	struct sv_ring *ring = sv_ring_create(SLOTS, PAYLOAD, SV_RING_KIND_PKT, SV_RING_LOSSLESS);
	struct reader rd = { .hostile = hostile };
	double cpu0, wall0, cpu, wall;
	pthread_t th;
	int cfd;

	if (!ring || (cfd = sv_ring_attach(ring, &rd.cur)) < 0) {
		perror("bench_wake: ring");
		exit(1);
	}
	while (sv_ring_reserve(ring, 32, 0) == 32)
		sv_ring_publish(ring, 32);
	pthread_create(&th, NULL, reader_main, &rd);
	cpu0 = now_s(CLOCK_THREAD_CPUTIME_ID);
	wall0 = now_s(CLOCK_MONOTONIC);
	while (now_s(CLOCK_MONOTONIC) - wall0 < seconds)
		if (sv_ring_reserve(ring, 32, 5) != 0) {
			fprintf(stderr, "bench_wake: the stalled reader freed room\n");
			exit(1);
		}
	cpu = now_s(CLOCK_THREAD_CPUTIME_ID) - cpu0;
	wall = now_s(CLOCK_MONOTONIC) - wall0;
	atomic_store(&rd.stop, 1);
	pthread_join(th, NULL);
	*wakes = rd.wakes;
	close(cfd);
	sv_ring_destroy(ring);
	return cpu / wall;
}

int main(int argc, char **argv)
{
	const char *tsv = NULL;
	double seconds = 2, quiet, hostile;
	unsigned long qw, hw;
	int c;

	while ((c = getopt(argc, argv, "t:")) != -1) {
		if (c != 't') {
			fprintf(stderr, "usage: bench_wake [-t FILE] [seconds]\n");
			return 2;
		}
		tsv = optarg;
	}
	if (optind < argc)
		seconds = atof(argv[optind]);
	quiet = run(0, seconds, &qw);
	hostile = run(1, seconds, &hw);
	printf("lossless producer waiting on a stalled reader, %.0f s each\n", seconds);
	printf("%-10s %16s %16s\n", "reader", "cpu ms per s", "wakes per s");
	printf("%-10s %16.2f %16.0f\n", "quiet", quiet * 1e3, qw / seconds);
	printf("%-10s %16.2f %16.0f\n", "hostile", hostile * 1e3, hw / seconds);
	printf("ratio hostile/quiet: %.1f\n", quiet > 0 ? hostile / quiet : 0);
	if (tsv) {
		FILE *f = fopen(tsv, "w");

		if (f) {
			fprintf(f, "reader\tcpu_ms_per_s\twakes_per_s\nquiet\t%.3f\t%.0f\n"
				   "hostile\t%.3f\t%.0f\n", quiet * 1e3, qw / seconds,
				hostile * 1e3, hw / seconds);
			fclose(f);
		}
	}
	return 0;
}
