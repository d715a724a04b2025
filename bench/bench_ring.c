/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_ring.c - what publishing one snap costs the producer, by number of
 * readers: the broadcast ring (written once, read by all) against the
 * original design (one ring per service, every snap copied into each).
 *
 *   bench_ring [-v] [-t FILE] [snaps]
 *          (default 2000000 per run; -v: where the time went; -t: the
 *          table also as TSV in FILE)
 *
 * Each slot carries what the daemon publishes: the parsed header (struct
 * sv_pkt, 112 bytes) and a 150-byte snap; parsing is left out. Both designs are lossless, publish in
 * bursts of 32 and use the same sleep/wake scheme, so the difference is the
 * copies. The figure is the producer thread's CPU time (time blocked on a
 * full ring is not counted), the best of three runs. Readers are threads;
 * with two or more CPUs the producer gets the first to itself, as the
 * daemon would, and the readers share the others, taking turns when they
 * outnumber them.
 */
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stddef.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <snapvnf/pkt.h>

#include "common/ring.h"

#define SNAP_LEN  150
#define HDR_LEN   ((unsigned)sizeof(struct sv_pkt))
#define PAYLOAD   (HDR_LEN + SNAP_LEN)
/* A copy ring's slot: its sequence word and the payload, in whole cache
 * lines as sv_ring_create() lays out the broadcast ring's. */
#define COPY_SLOT ((8u + PAYLOAD + 63u) / 64u * 64u)
#define SLOTS     16384u
#define BURST     32u
#define POOL      64u
#define REPEAT    3
#define MAX_READERS 16

static uint8_t pool[POOL][SNAP_LEN];
static struct sv_pkt hdr_template;
static int verbose;
static struct rusage ru0;

static double tv_ns(struct timeval a, struct timeval b)
{
	return (b.tv_sec - a.tv_sec) * 1e9 + (b.tv_usec - a.tv_usec) * 1e3;
}

static void usage_start(void)
{
	getrusage(RUSAGE_THREAD, &ru0);
}

/*
 * With -v: where the producer's time went (user and system, as sampled by
 * the kernel's tick, so coarse) and how often it slept or was preempted.
 */
static void usage_report(const char *what, unsigned nreaders, uint64_t snaps)
{
	struct rusage ru;

	if (!verbose)
		return;
	getrusage(RUSAGE_THREAD, &ru);
	fprintf(stderr, "  %-9s %2u readers: user %5.1f sys %5.1f ns/snap, "
		"%.2f sleeps %.2f preemptions per 1k snaps\n", what, nreaders,
		tv_ns(ru0.ru_utime, ru.ru_utime) / snaps, tv_ns(ru0.ru_stime, ru.ru_stime) / snaps,
		(ru.ru_nvcsw - ru0.ru_nvcsw) * 1000.0 / snaps,
		(ru.ru_nivcsw - ru0.ru_nivcsw) * 1000.0 / snaps);
}

static cpu_set_t producer_cpus, reader_cpus;

/* The first allowed CPU for the producer, the rest for the readers. */
static void split_cpus(void)
{
	cpu_set_t all;
	int first = -1;

	CPU_ZERO(&producer_cpus);
	CPU_ZERO(&reader_cpus);
	if (sched_getaffinity(0, sizeof(all), &all) < 0 || CPU_COUNT(&all) < 2) {
		CPU_ZERO(&producer_cpus);
		return;
	}
	for (int c = 0; c < CPU_SETSIZE; c++) {
		if (!CPU_ISSET(c, &all))
			continue;
		if (first < 0) {
			first = c;
			CPU_SET(c, &producer_cpus);
		} else {
			CPU_SET(c, &reader_cpus);
		}
	}
}

/* Best effort: unpinned, the figures are noisier but still right. */
static void pin(const cpu_set_t *set)
{
	if (CPU_COUNT(set))
		pthread_setaffinity_np(pthread_self(), sizeof(*set), set);
}

static double thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* The producer's work per snap, the same in both designs (ts_ns carries
 * the sequence number, for the readers' order check). */
static void put_snap(uint8_t *payload, uint64_t seq)
{
	struct sv_pkt *h = (struct sv_pkt *)payload;

	memcpy(h, &hdr_template, sizeof(*h));
	h->ts_ns = seq;
	memcpy(payload + HDR_LEN, pool[seq % POOL], SNAP_LEN);
}

/* A reader's work per snap: check the order, touch the bytes. */
static int take_snap(const uint8_t *payload, uint64_t seq, uint64_t *sum)
{
	const struct sv_pkt *h = (const struct sv_pkt *)payload;

	*sum += payload[HDR_LEN] + payload[PAYLOAD - 1];
	return h->ts_ns == seq ? 0 : -1;
}

struct reader {
	pthread_t th;
	int ring_fd, cursor_fd;         /* broadcast */
	struct copy_ring *cr;           /* per-service copy */
	uint64_t got, sum;
	int err;
};

/* ---- (a) broadcast ring ---- */

static void *bcast_reader(void *p)
{
	struct reader *rd = p;
	struct sv_ring_reader r;
	const void *items[64];

	pin(&reader_cpus);
	if (sv_ring_reader_open(&r, rd->ring_fd, rd->cursor_fd)) {
		rd->err = 1;
		return NULL;
	}
	for (;;) {
		unsigned n = sv_ring_read_burst(&r, items, 64);

		if (n == 0) {
			if (sv_ring_wait(&r, -1) < 0)
				break;
			continue;
		}
		for (unsigned i = 0; i < n; i++, rd->got++)
			rd->err |= take_snap(items[i], rd->got, &rd->sum);
		if (sv_ring_read_done(&r, NULL) != n)
			rd->err = 1;
	}
	sv_ring_reader_close(&r);
	return NULL;
}

static double run_bcast(unsigned nreaders, uint64_t snaps)
{
	struct sv_ring *ring = sv_ring_create(SLOTS, PAYLOAD, SV_RING_KIND_PKT, SV_RING_LOSSLESS);
	struct reader rd[MAX_READERS] = { 0 };
	struct sv_cursor *cur;
	double t0, t1;

	if (!ring) {
		perror("sv_ring_create");
		exit(1);
	}
	for (unsigned i = 0; i < nreaders; i++) {
		rd[i].ring_fd = sv_ring_fd(ring);
		rd[i].cursor_fd = sv_ring_attach(ring, &cur);
		if (rd[i].cursor_fd < 0 || pthread_create(&rd[i].th, NULL, bcast_reader, &rd[i])) {
			fprintf(stderr, "bench_ring: cannot start reader %u\n", i);
			exit(1);
		}
	}
	usage_start();
	t0 = thread_cpu_ns();
	for (uint64_t seq = 0; seq < snaps;) {
		unsigned n = sv_ring_reserve(ring, BURST, -1);

		for (unsigned i = 0; i < n; i++)
			put_snap(sv_ring_write_slot(ring, i), seq + i);
		sv_ring_publish(ring, n);
		seq += n;
	}
	t1 = thread_cpu_ns();
	usage_report("broadcast", nreaders, snaps);
	sv_ring_end(ring);
	for (unsigned i = 0; i < nreaders; i++) {
		pthread_join(rd[i].th, NULL);
		close(rd[i].cursor_fd);
		if (rd[i].err || rd[i].got != snaps) {
			fprintf(stderr, "bench_ring: broadcast reader %u got %llu of %llu (err %d)\n",
				i, (unsigned long long)rd[i].got, (unsigned long long)snaps, rd[i].err);
			exit(1);
		}
	}
	sv_ring_destroy(ring);
	return (t1 - t0) / (double)snaps;
}

/* ---- (b) the original design: a private SPSC ring per service ---- */

struct copy_ring {
	alignas(64) _Atomic uint64_t head;      /* producer: items published */
	_Atomic uint32_t wake;                  /* futex the consumer sleeps on */
	_Atomic uint32_t eos;
	alignas(64) _Atomic uint64_t tail;      /* consumer: items consumed */
	_Atomic uint32_t progress;              /* futex the producer sleeps on */
	alignas(64) _Atomic uint32_t sleeping;  /* consumer waits on this wake value << 1 | 1 */
	_Atomic uint32_t producer_waiting;      /* producer sleeps until tail >= want */
	_Atomic uint64_t want;
	alignas(64) uint64_t tail_seen;         /* producer's cache of tail */
	uint8_t *slots;
};

static long futex(_Atomic uint32_t *word, int op, uint32_t val, const struct timespec *rel)
{
	return syscall(SYS_futex, word, op, val, rel, NULL, 0);
}

static uint8_t *copy_slot(struct copy_ring *c, uint64_t pos)
{
	return c->slots + (pos & (SLOTS - 1)) * COPY_SLOT;
}

static void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

/* Same scheme as the broadcast ring: when full, wait for half of it. */
static void copy_reserve(struct copy_ring *c, uint64_t head)
{
	uint64_t want = head + SLOTS / 2 - SLOTS;
	uint32_t seen;

	if (head + BURST - c->tail_seen <= SLOTS)
		return;
	/* load-acquire pairs with the store-release of tail in copy_reader(). */
	c->tail_seen = atomic_load_explicit(&c->tail, memory_order_acquire);
	while (c->tail_seen < want) {
		/* load-acquire pairs with the fetch-add of progress in copy_reader(). */
		seen = atomic_load_explicit(&c->progress, memory_order_acquire);
		/* relaxed: published by the store-release just below. */
		atomic_store_explicit(&c->want, want, memory_order_relaxed);
		/* store-release pairs with the load-acquire of producer_waiting
		 * in copy_reader(). */
		atomic_store_explicit(&c->producer_waiting, 1, memory_order_release);
		/* seq_cst fence pairs with the one after the tail store in copy_reader(). */
		atomic_thread_fence(memory_order_seq_cst);
		/* load-acquire pairs with the store-release of tail in copy_reader(). */
		c->tail_seen = atomic_load_explicit(&c->tail, memory_order_acquire);
		if (c->tail_seen < want)
			futex(&c->progress, FUTEX_WAIT, seen, NULL);
		/* relaxed: pairs with the exchange in copy_reader(); a late
		 * clear costs at most one needless wake. */
		atomic_store_explicit(&c->producer_waiting, 0, memory_order_relaxed);
		c->tail_seen = atomic_load_explicit(&c->tail, memory_order_acquire);
	}
}

static void copy_publish(struct copy_ring *c, uint64_t head)
{
	uint32_t w = atomic_load_explicit(&c->wake, memory_order_relaxed);

	/* store-release pairs with the load-acquire of head in copy_reader(). */
	atomic_store_explicit(&c->head, head, memory_order_release);
	/* seq_cst fence pairs with the one in copy_reader(). */
	atomic_thread_fence(memory_order_seq_cst);
	if (atomic_load_explicit(&c->sleeping, memory_order_relaxed) == (w << 1 | 1)) {
		/* store-release pairs with the load-acquire of wake in copy_reader(). */
		atomic_store_explicit(&c->wake, w + 1, memory_order_release);
		futex(&c->wake, FUTEX_WAKE, INT_MAX, NULL);
	}
}

static void *copy_reader(void *p)
{
	struct reader *rd = p;
	struct copy_ring *c = rd->cr;
	struct timespec nap = { 0, 50000 };
	uint64_t tail = 0, head;
	int busy = 0;
	uint32_t w;

	pin(&reader_cpus);
	for (;;) {
		/* load-acquire pairs with the store-release of head in copy_publish(). */
		head = atomic_load_explicit(&c->head, memory_order_acquire);
		for (int spin = 0; head == tail && spin < 256; spin++) {
			cpu_relax();
			head = atomic_load_explicit(&c->head, memory_order_acquire);
		}
		if (head == tail) {
			/* load-acquire pairs with the store-release of eos below
			 * in run_copy(); head is final once eos is seen. */
			if (atomic_load_explicit(&c->eos, memory_order_acquire) &&
			    atomic_load_explicit(&c->head, memory_order_acquire) == tail)
				break;
			/* load-acquire pairs with the store-release of wake in copy_publish(). */
			w = atomic_load_explicit(&c->wake, memory_order_acquire);
			if (busy) {
				/* Nap untagged first, as sv_ring_wait() does. */
				futex(&c->wake, FUTEX_WAIT, w, &nap);
				busy = 0;
				continue;
			}
			atomic_store_explicit(&c->sleeping, w << 1 | 1, memory_order_relaxed);
			/* seq_cst fence pairs with the one in copy_publish(). */
			atomic_thread_fence(memory_order_seq_cst);
			if (atomic_load_explicit(&c->head, memory_order_acquire) == tail &&
			    !atomic_load_explicit(&c->eos, memory_order_acquire))
				futex(&c->wake, FUTEX_WAIT, w, NULL);
			atomic_store_explicit(&c->sleeping, 0, memory_order_relaxed);
			continue;
		}
		busy = 1;
		if (head - tail > 64)
			head = tail + 64;
		for (; tail < head; tail++, rd->got++) {
			const uint8_t *s = copy_slot(c, tail);
			uint64_t seq;

			memcpy(&seq, s, sizeof(seq));
			if (seq != tail + 1)
				rd->err = 1;
			rd->err |= take_snap(s + 8, rd->got, &rd->sum);
		}
		/* store-release pairs with the load-acquire of tail in copy_reserve(). */
		atomic_store_explicit(&c->tail, tail, memory_order_release);
		/* seq_cst fence pairs with the one in copy_reserve(). */
		atomic_thread_fence(memory_order_seq_cst);
		/* load-acquire pairs with the store-release of producer_waiting
		 * in copy_reserve(); the exchange with its clearing store there. */
		if (atomic_load_explicit(&c->producer_waiting, memory_order_acquire) &&
		    tail >= atomic_load_explicit(&c->want, memory_order_relaxed) &&
		    atomic_exchange_explicit(&c->producer_waiting, 0, memory_order_relaxed)) {
			/* fetch-add pairs with the load-acquire of progress in copy_reserve(). */
			atomic_fetch_add_explicit(&c->progress, 1, memory_order_release);
			futex(&c->progress, FUTEX_WAKE, 1, NULL);
		}
	}
	return NULL;
}

static double run_copy(unsigned nreaders, uint64_t snaps)
{
	struct copy_ring *cr[MAX_READERS];
	struct reader rd[MAX_READERS] = { 0 };
	double t0, t1;

	for (unsigned i = 0; i < nreaders; i++) {
		cr[i] = aligned_alloc(64, sizeof(struct copy_ring));
		if (!cr[i] || !(cr[i]->slots = aligned_alloc(64, (size_t)SLOTS * COPY_SLOT))) {
			fprintf(stderr, "bench_ring: out of memory\n");
			exit(1);
		}
		memset(cr[i], 0, offsetof(struct copy_ring, slots));
		memset(cr[i]->slots, 0, (size_t)SLOTS * COPY_SLOT);
		rd[i].cr = cr[i];
		if (pthread_create(&rd[i].th, NULL, copy_reader, &rd[i])) {
			fprintf(stderr, "bench_ring: cannot start reader %u\n", i);
			exit(1);
		}
	}
	usage_start();
	t0 = thread_cpu_ns();
	for (uint64_t seq = 0; seq < snaps; seq += BURST) {
		for (unsigned i = 0; i < nreaders; i++) {
			copy_reserve(cr[i], seq);
			for (unsigned k = 0; k < BURST; k++) {
				uint8_t *s = copy_slot(cr[i], seq + k);
				uint64_t one = seq + k + 1;

				memcpy(s, &one, sizeof(one));
				put_snap(s + 8, seq + k);
			}
			copy_publish(cr[i], seq + BURST);
		}
	}
	t1 = thread_cpu_ns();
	usage_report("copy", nreaders, snaps);
	for (unsigned i = 0; i < nreaders; i++) {
		/* store-release pairs with the load-acquire of eos in copy_reader(). */
		atomic_store_explicit(&cr[i]->eos, 1, memory_order_release);
		atomic_fetch_add_explicit(&cr[i]->wake, 1, memory_order_release);
		futex(&cr[i]->wake, FUTEX_WAKE, INT_MAX, NULL);
	}
	for (unsigned i = 0; i < nreaders; i++) {
		pthread_join(rd[i].th, NULL);
		if (rd[i].err || rd[i].got != snaps) {
			fprintf(stderr, "bench_ring: copy reader %u got %llu of %llu (err %d)\n",
				i, (unsigned long long)rd[i].got, (unsigned long long)snaps, rd[i].err);
			exit(1);
		}
		free(cr[i]->slots);
		free(cr[i]);
	}
	return (t1 - t0) / (double)snaps;
}

int main(int argc, char **argv)
{
	static const unsigned readers[] = { 1, 2, 4, 8, 16 };
	double bc[5], cp[5];
	uint64_t snaps = 2000000;
	FILE *tsv = NULL;
	int opt;

	while ((opt = getopt(argc, argv, "vt:")) != -1) {
		if (opt == 'v') {
			verbose = 1;
		} else if (opt == 't') {
			if (!(tsv = fopen(optarg, "w"))) {
				perror(optarg);
				return 2;
			}
		} else {
			goto usage;
		}
	}
	if (optind < argc)
		snaps = strtoull(argv[optind], NULL, 10);
	/* Whole bursts, so the copy baseline needs no partial-burst case. */
	snaps = (snaps + BURST - 1) / BURST * BURST;
	if (snaps == 0)
		goto usage;
	split_cpus();
	pin(&producer_cpus);
	srand(1);
	for (unsigned i = 0; i < POOL; i++)
		for (unsigned j = 0; j < SNAP_LEN; j++)
			pool[i][j] = (uint8_t)rand();
	memset(&hdr_template, 0x5a, sizeof(hdr_template));
	hdr_template.wire_len = 9014;
	hdr_template.cap_len = SNAP_LEN;

	printf("bench_ring: producer CPU per snap (%u-byte slot payload: %u-byte header + "
	       "%u-byte snap; bursts of %u, %u slots, %llu snaps, best of %d)\n",
	       PAYLOAD, HDR_LEN, SNAP_LEN, BURST, SLOTS, (unsigned long long)snaps, REPEAT);
	printf("%8s %18s %18s %15s\n", "readers", "broadcast ns/snap", "per-copy ns/snap",
	       "copy/broadcast");
	if (tsv)
		fprintf(tsv, "readers\tbroadcast_ns_per_snap\tcopy_ns_per_snap\tcopy_over_broadcast\n");
	for (unsigned k = 0; k < 5; k++) {
		bc[k] = cp[k] = 1e30;
		for (int rep = 0; rep < REPEAT; rep++) {
			double b = run_bcast(readers[k], snaps), c = run_copy(readers[k], snaps);

			bc[k] = b < bc[k] ? b : bc[k];
			cp[k] = c < cp[k] ? c : cp[k];
		}
		printf("%8u %18.1f %18.1f %15.2f\n", readers[k], bc[k], cp[k], cp[k] / bc[k]);
		if (tsv)
			fprintf(tsv, "%u\t%.1f\t%.1f\t%.2f\n", readers[k], bc[k], cp[k],
				cp[k] / bc[k]);
		fflush(stdout);
	}
	printf("broadcast(16)/broadcast(1) = %.2f\n", bc[4] / bc[0]);
	if (tsv && fclose(tsv)) {
		perror("bench_ring: -t");
		return 1;
	}
	return 0;
usage:
	fprintf(stderr, "usage: bench_ring [-v] [-t FILE] [snaps]\n");
	return 2;
}
