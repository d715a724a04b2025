/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ring.c - the broadcast ring: one producer, many readers, shared memory.
 *
 * The contract is in ring.h. Four things keep the producer's cost per item
 * flat however many readers are attached:
 * - it never reads a reader's cursor line (written on every read burst) on
 *   the fast path: lossless mode caches a lower bound of every reader's
 *   position and re-reads the cursors only when that bound says the ring
 *   could be full;
 * - when it must wait, it waits for half the ring to be freed, so it
 *   sleeps once per many bursts, and the reader wakes it only then;
 * - a reader about to sleep publishes which wake value it waits on, on a
 *   cursor line written rarely, so one publish makes at most one wake
 *   system call for all readers, and only when someone waits on that value;
 * - a reader that has just had items naps a while before asking for a
 *   wake-up, so readers keeping up with a stream cost no wake calls.
 *
 * Sleep/wake uses shared (not private) futexes: the words live in memfds
 * mapped by several processes. A futex wait only reads its word, so readers
 * wait on hdr->wake through their read-only mapping.
 */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "common/ring.h"

#ifndef F_SEAL_FUTURE_WRITE
#define F_SEAL_FUTURE_WRITE 0x0010
#endif

#define RING_HDR_SIZE   4096u
#define CURSOR_SIZE     4096u
#define RING_MAX_SLOTS  (1u << 24)
#define RING_MAX_PAYLOAD (1u << 16)
#define RING_BURST_MAX  64u
/* Polls of head before a reader sleeps: a few microseconds, about the gap
 * between two bursts of a busy producer. */
#define RING_SPIN       256
/*
 * A reader that found items on its last wait naps before it asks to be
 * woken: RING_NAP_NS, then twice as long each time nothing came, RING_NAPS
 * times (1.55 ms in all). Readers that catch up between bursts, or wait
 * while a lossless producer waits for the slowest of them, would otherwise
 * each cost the producer a wake-up per burst; the naps cost the reader
 * instead, and delay it by at most the current nap. An end of stream cuts
 * a nap short.
 */
#define RING_NAP_NS     50000
#define RING_NAPS       5
/* A lossless producer woken for nothing naps 1 ms, doubling to 64 ms
 * (ring_producer_nap()). */
#define RING_PRODUCER_NAP_NS     1000000L
#define RING_PRODUCER_NAP_MAX_NS 64000000L

_Static_assert(sizeof(struct sv_ring_hdr) <= RING_HDR_SIZE, "ring header exceeds its page");
_Static_assert(sizeof(struct sv_cursor) <= CURSOR_SIZE, "cursor exceeds its page");
_Static_assert(sizeof(struct sv_ring_slot) == 8, "payload must follow the 8-byte seq");
_Static_assert(sizeof(((struct sv_ring_reader *)0)->burst_seq) / sizeof(uint64_t) ==
	       RING_BURST_MAX, "a burst must fit the torn bitmap");

struct sv_ring {
	struct sv_ring_hdr *hdr;
	uint8_t *slots;
	size_t map_size;
	int fd;
	uint32_t slot_size;
	uint32_t slot_count;
	uint32_t payload_size;
	unsigned flags;
	uint64_t head;          /* local copy: only this process writes hdr->head */
	uint64_t min_pos;       /* lossless: no reader is behind this */
	unsigned reserved;      /* slots granted by the last reserve, not yet published */
	uint32_t wake;          /* local copy of hdr->wake */
	long nap_ns;            /* lossless: the producer's current nap after a spurious wake */
	unsigned nreaders;
	struct sv_cursor *readers[SV_RING_MAX_READERS];
};

static void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield");
#endif
}

static long futex_wait(const _Atomic uint32_t *word, uint32_t val, const struct timespec *rel)
{
	return syscall(SYS_futex, word, FUTEX_WAIT, val, rel, NULL, 0);
}

static void futex_wake(_Atomic uint32_t *word, int n)
{
	syscall(SYS_futex, word, FUTEX_WAKE, n, NULL, NULL, 0);
}

static void deadline_set(struct timespec *d, int ms)
{
	clock_gettime(CLOCK_MONOTONIC, d);
	d->tv_sec += ms / 1000;
	d->tv_nsec += (long)(ms % 1000) * 1000000;
	if (d->tv_nsec >= 1000000000) {
		d->tv_sec++;
		d->tv_nsec -= 1000000000;
	}
}

/* Time left until d in *rel; 0 once it has passed. */
static int deadline_left(const struct timespec *d, struct timespec *rel)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	rel->tv_sec = d->tv_sec - now.tv_sec;
	rel->tv_nsec = d->tv_nsec - now.tv_nsec;
	if (rel->tv_nsec < 0) {
		rel->tv_sec--;
		rel->tv_nsec += 1000000000;
	}
	return rel->tv_sec > 0 || (rel->tv_sec == 0 && rel->tv_nsec > 0);
}

static uint32_t sleep_tag(uint32_t wake)
{
	return wake << 1 | 1;
}

static struct sv_ring_slot *ring_slot(const struct sv_ring *r, uint64_t pos)
{
	return (struct sv_ring_slot *)(r->slots + (size_t)(pos & (r->slot_count - 1)) * r->slot_size);
}

struct sv_ring *sv_ring_create(uint32_t slot_count, uint32_t payload_size, uint32_t kind,
			       unsigned flags)
{
	struct sv_ring *r;
	void *map;
	int err;

	if (slot_count < 2 || (slot_count & (slot_count - 1)) || slot_count > RING_MAX_SLOTS ||
	    payload_size == 0 || payload_size > RING_MAX_PAYLOAD || (flags & ~SV_RING_LOSSLESS)) {
		errno = EINVAL;
		return NULL;
	}
	r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->slot_count = slot_count;
	r->payload_size = payload_size;
	r->slot_size = (uint32_t)(sizeof(struct sv_ring_slot) + payload_size + 63) & ~63u;
	r->map_size = RING_HDR_SIZE + (size_t)slot_count * r->slot_size;
	r->flags = flags;
	r->fd = memfd_create("snapvnf-ring", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (r->fd < 0)
		goto fail;
	if (ftruncate(r->fd, (off_t)r->map_size) < 0)
		goto fail;
	map = mmap(NULL, r->map_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd, 0);
	if (map == MAP_FAILED)
		goto fail;
	r->hdr = map;
	r->slots = (uint8_t *)map + RING_HDR_SIZE;
	/* A fresh memfd reads as zeros, and seq 0 matches no position (a slot
	 * is current when seq == pos + 1), so the slots need no set-up. */
	r->hdr->magic = SV_RING_MAGIC;
	r->hdr->version = SV_RING_VERSION;
	r->hdr->slot_size = r->slot_size;
	r->hdr->slot_count = slot_count;
	r->hdr->flags = flags;
	r->hdr->hdr_size = RING_HDR_SIZE;
	r->hdr->kind = kind;
	/*
	 * FUTURE_WRITE rather than WRITE: our own mapping stays writable, but
	 * any mapping made later with write access (a service that got the fd)
	 * fails with EPERM. SHRINK and GROW keep the size a reader checked, so
	 * its mapping never faults.
	 */
	if (fcntl(r->fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_FUTURE_WRITE |
		  F_SEAL_SEAL) < 0)
		goto fail;
	return r;
fail:
	err = errno;
	sv_ring_destroy(r);
	errno = err;
	return NULL;
}

void sv_ring_destroy(struct sv_ring *r)
{
	if (!r)
		return;
	for (unsigned i = 0; i < r->nreaders; i++)
		munmap(r->readers[i], CURSOR_SIZE);
	if (r->hdr)
		munmap(r->hdr, r->map_size);
	if (r->fd >= 0)
		close(r->fd);
	free(r);
}

int sv_ring_fd(const struct sv_ring *r)
{
	return r->fd;
}

size_t sv_ring_map_size(const struct sv_ring *r)
{
	return r->map_size;
}

uint32_t sv_ring_payload_size(const struct sv_ring *r)
{
	return r->payload_size;
}

uint64_t sv_ring_head(const struct sv_ring *r)
{
	return r->head;
}

int sv_ring_attach(struct sv_ring *r, struct sv_cursor **cursor_out)
{
	struct sv_cursor *c;
	int fd, err;

	if (r->nreaders == SV_RING_MAX_READERS)
		return -ENOSPC;
	fd = memfd_create("snapvnf-cursor", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return -errno;
	/* The reader maps it writable too: without the seals it could shrink
	 * the segment and make the producer's next access fault. */
	if (ftruncate(fd, CURSOR_SIZE) < 0 ||
	    fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) < 0)
		goto fail;
	c = mmap(NULL, CURSOR_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (c == MAP_FAILED)
		goto fail;
	/* relaxed: the reader learns of the segment only through the fd
	 * handover (a system call or thread start), which orders these. */
	atomic_store_explicit(&c->start, r->head, memory_order_relaxed);
	atomic_store_explicit(&c->pos, r->head, memory_order_relaxed);
	/* A new reader starts at head, so min_pos stays a lower bound. */
	r->readers[r->nreaders++] = c;
	*cursor_out = c;
	return fd;
fail:
	err = -errno;
	close(fd);
	return err;
}

void sv_ring_detach(struct sv_ring *r, struct sv_cursor *c)
{
	if (!c)
		return;
	for (unsigned i = 0; i < r->nreaders; i++) {
		if (r->readers[i] != c)
			continue;
		r->readers[i] = r->readers[--r->nreaders];
		munmap(c, CURSOR_SIZE);
		return;
	}
}

/*
 * Re-read every cursor: returns how many slots are free behind the slowest
 * reader, left in *slowest (NULL without readers), and refreshes min_pos.
 */
static uint32_t ring_scan(struct sv_ring *r, struct sv_cursor **slowest)
{
	uint64_t min = r->head;

	*slowest = NULL;
	for (unsigned i = 0; i < r->nreaders; i++) {
		/* load-acquire pairs with the store-release of pos in
		 * reader_release(): the reader is done with every slot below
		 * p before we may rewrite one. */
		uint64_t p = atomic_load_explicit(&r->readers[i]->pos, memory_order_acquire);

		/* The cursor is writable by its reader: do not trust it to
		 * stay in the only range a correct reader can be in. */
		if (p > r->head)
			p = r->head;
		if (r->head - p > r->slot_count)
			p = r->head - r->slot_count;
		if (!*slowest || p < min) {
			min = p;
			*slowest = r->readers[i];
		}
	}
	r->min_pos = min;
	return r->slot_count - (uint32_t)(r->head - min);
}

/* Sleep until reader c's position reaches target. 0 if the deadline passed. */
static int ring_wait_reader(struct sv_ring *r, struct sv_cursor *c, uint64_t target,
			    const struct timespec *deadline)
{
	struct timespec rel;
	uint32_t seen;
	int ok = 1;

	/* load-acquire pairs with the fetch-add of progress in
	 * reader_release(); read before announcing ourselves, so a wake sent
	 * after the announcement changes the word and the wait returns. */
	seen = atomic_load_explicit(&c->progress, memory_order_acquire);
	/* relaxed: published by the store-release of producer_waiting below. */
	atomic_store_explicit(&c->producer_want, target, memory_order_relaxed);
	/* store-release pairs with the load-acquire of producer_waiting in
	 * reader_release(): the reader sees the target we wait for. */
	atomic_store_explicit(&c->producer_waiting, 1, memory_order_release);
	/* seq_cst fence pairs with the one in reader_release(): either the
	 * reader sees producer_waiting, or we see the pos it stored. */
	atomic_thread_fence(memory_order_seq_cst);
	/* load-acquire pairs with the store-release of pos in reader_release(). */
	if (atomic_load_explicit(&c->pos, memory_order_acquire) < target) {
		if (deadline && !deadline_left(deadline, &rel))
			ok = 0;
		else if (futex_wait(&c->progress, seen, deadline ? &rel : NULL) < 0 &&
			 errno == ETIMEDOUT)
			ok = 0;
	}
	/* relaxed: a late clear only costs the reader one needless wake;
	 * pairs with the exchange in reader_release(). */
	atomic_store_explicit(&c->producer_waiting, 0, memory_order_relaxed);
	return ok;
}

/*
 * The producer was woken by a reader that is still short of what it waits
 * for. A correct reader wakes it only on reaching the target (see
 * reader_release()); anything else came from a reader bumping its own
 * `progress` word, which it maps writable, or from a futex wake it made.
 * Waiting on the futex again at once would let that reader run the
 * producer's loop as often as it likes: nap instead, 1 ms doubling to
 * 64 ms, so it causes a bounded number of wake-ups (about one per nap)
 * whatever it does. The nap ends at the deadline; 0 once that has passed.
 */
static int ring_producer_nap(struct sv_ring *r, const struct timespec *deadline)
{
	struct timespec rel = { 0, 0 }, left;

	r->nap_ns = r->nap_ns ? (r->nap_ns * 2 > RING_PRODUCER_NAP_MAX_NS ? RING_PRODUCER_NAP_MAX_NS
								  : r->nap_ns * 2)
			      : RING_PRODUCER_NAP_NS;
	rel.tv_nsec = r->nap_ns;
	if (deadline) {
		if (!deadline_left(deadline, &left))
			return 0;
		if (left.tv_sec == 0 && left.tv_nsec < rel.tv_nsec)
			rel = left;
	}
	while (nanosleep(&rel, &rel) < 0 && errno == EINTR)
		;
	return !deadline || deadline_left(deadline, &left);
}

unsigned sv_ring_reserve(struct sv_ring *r, unsigned n, int timeout_ms)
{
	struct sv_cursor *slow;
	struct timespec deadline;
	uint32_t free, want;

	if (n > r->slot_count)
		n = r->slot_count;
	/* min_pos only ever lags: no reader is behind it, so this is safe. */
	if (!(r->flags & SV_RING_LOSSLESS) || r->head - r->min_pos <= r->slot_count - n)
		return r->reserved = n;
	free = ring_scan(r, &slow);
	want = n > r->slot_count / 2 ? n : r->slot_count / 2;
	if (timeout_ms > 0)
		deadline_set(&deadline, timeout_ms);
	/*
	 * Wait for `want` even when n slots are free: returning with a few
	 * would bring us back here, re-reading every cursor, after each burst.
	 * A timeout of 0 never waits.
	 */
	while (free < want && slow && timeout_ms != 0) {
		struct sv_cursor *waited = slow;
		int ok = ring_wait_reader(r, slow, r->head + want - r->slot_count,
					  timeout_ms > 0 ? &deadline : NULL);

		free = ring_scan(r, &slow);
		if (!ok)
			break;
		if (free >= want || slow != waited) {
			r->nap_ns = 0;
			continue;
		}
		/* Woken, and the reader is still short of the target. */
		if (!ring_producer_nap(r, timeout_ms > 0 ? &deadline : NULL))
			break;
		free = ring_scan(r, &slow);
	}
	return r->reserved = free < n ? free : n;
}

void *sv_ring_write_slot(struct sv_ring *r, unsigned i)
{
	uint64_t pos = r->head + i;
	struct sv_ring_slot *s = ring_slot(r, pos);

	/* Lossless: a slot not reserved may still be unread. */
	assert(i < r->slot_count && (!(r->flags & SV_RING_LOSSLESS) || i < r->reserved));

	/* relaxed store, then the release fence pairs with the acquire fence
	 * in sv_ring_read_done(): a reader that read any of the new bytes
	 * sees the busy mark when it re-checks seq (a seqcount write). */
	atomic_store_explicit(&s->seq, SV_RING_BUSY | (pos + 1), memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
	return s->payload;
}

/* Wake the readers sleeping on the current wake value, if there are any.
 * The fence also orders a head stored on another ring (sv_ring_wake()). */
static void ring_wake_readers(struct sv_ring *r)
{
	uint32_t tag = sleep_tag(r->wake);
	unsigned i;

	/* seq_cst fence pairs with the one in ring_wait(): either the
	 * reader re-reads head after our store, or we see its sleeping tag. */
	atomic_thread_fence(memory_order_seq_cst);
	for (i = 0; i < r->nreaders; i++) {
		/* relaxed: ordered by the fence above. */
		if (atomic_load_explicit(&r->readers[i]->sleeping, memory_order_relaxed) == tag)
			break;
	}
	if (i == r->nreaders)
		return;
	r->wake++;
	/* store-release pairs with the load-acquire of wake in ring_wait();
	 * the futex wake below finds every reader whose wait started before. */
	atomic_store_explicit(&r->hdr->wake, r->wake, memory_order_release);
	futex_wake(&r->hdr->wake, INT_MAX);
}

void sv_ring_publish(struct sv_ring *r, unsigned n)
{
	assert(n <= r->slot_count && (!(r->flags & SV_RING_LOSSLESS) || n <= r->reserved));
	for (unsigned i = 0; i < n; i++) {
		uint64_t pos = r->head + i;

		/* store-release pairs with the load-acquire of seq in
		 * sv_ring_read_burst(): the payload is complete before a
		 * reader sees pos + 1. */
		atomic_store_explicit(&ring_slot(r, pos)->seq, pos + 1, memory_order_release);
	}
	r->head += n;
	r->reserved = n < r->reserved ? r->reserved - n : 0;
	/* store-release pairs with the load-acquire of head in
	 * sv_ring_read_burst() and reader_state(): the seq words are set. */
	atomic_store_explicit(&r->hdr->head, r->head, memory_order_release);
	ring_wake_readers(r);
}

void sv_ring_wake(struct sv_ring *r)
{
	ring_wake_readers(r);
}

void sv_ring_end(struct sv_ring *r)
{
	/* store-release pairs with the load-acquire of eos in reader_state():
	 * whoever sees the end sees the final head. */
	atomic_store_explicit(&r->hdr->eos, 1, memory_order_release);
	r->wake++;
	/* store-release pairs with the load-acquire of wake in ring_wait()
	 * and ring_nap(); every sleeper is woken, whatever its tag. */
	atomic_store_explicit(&r->hdr->wake, r->wake, memory_order_release);
	futex_wake(&r->hdr->wake, INT_MAX);
}

/* ---- reader side ---- */

static int fd_sealed(int fd)
{
	int seals = fcntl(fd, F_GET_SEALS);

	return seals >= 0 && (seals & (F_SEAL_SHRINK | F_SEAL_GROW)) ==
				     (F_SEAL_SHRINK | F_SEAL_GROW);
}

int sv_ring_reader_open(struct sv_ring_reader *rd, int ring_fd, int cursor_fd)
{
	struct sv_ring_hdr h;
	struct stat st;
	size_t size;
	void *map;
	int err;

	memset(rd, 0, sizeof(*rd));
	if (fstat(ring_fd, &st) < 0)
		return -errno;
	/* Unsealed, the producer could shrink it under our mapping. */
	if (!fd_sealed(ring_fd) || (size_t)st.st_size < RING_HDR_SIZE)
		return -EPROTO;
	if (pread(ring_fd, &h, sizeof(h), 0) != (ssize_t)sizeof(h))
		return -EPROTO;
	rd->ring_ino = (uint64_t)st.st_ino;
	if (h.magic != SV_RING_MAGIC || h.version != SV_RING_VERSION ||
	    h.hdr_size != RING_HDR_SIZE || h.slot_count < 2 ||
	    (h.slot_count & (h.slot_count - 1)) || h.slot_count > RING_MAX_SLOTS ||
	    h.slot_size % 64 || h.slot_size <= sizeof(struct sv_ring_slot) ||
	    h.slot_size > RING_MAX_PAYLOAD + 64)
		return -EPROTO;
	size = RING_HDR_SIZE + (size_t)h.slot_count * h.slot_size;
	if ((size_t)st.st_size < size)
		return -EPROTO;
	if (fstat(cursor_fd, &st) < 0)
		return -errno;
	if (!fd_sealed(cursor_fd) || (size_t)st.st_size < CURSOR_SIZE)
		return -EPROTO;

	map = mmap(NULL, size, PROT_READ, MAP_SHARED, ring_fd, 0);
	if (map == MAP_FAILED)
		return -errno;
	rd->hdr = map;
	rd->map_size = size;
	rd->slots = (const uint8_t *)map + RING_HDR_SIZE;
	rd->mask = h.slot_count - 1;
	rd->slot_size = h.slot_size;
	rd->payload_size = h.slot_size - (uint32_t)sizeof(struct sv_ring_slot);
	rd->flags = h.flags;
	map = mmap(NULL, CURSOR_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, cursor_fd, 0);
	if (map == MAP_FAILED) {
		err = -errno;
		sv_ring_reader_close(rd);
		return err;
	}
	rd->cur = map;
	/* relaxed: only this reader moves pos after attach. The acquire load
	 * of head pairs with the store-release in sv_ring_publish(). */
	rd->pos = atomic_load_explicit(&rd->cur->pos, memory_order_relaxed);
	if (rd->pos > atomic_load_explicit(&rd->hdr->head, memory_order_acquire)) {
		sv_ring_reader_close(rd);
		return -EPROTO;
	}
	return 0;
}

void sv_ring_reader_close(struct sv_ring_reader *rd)
{
	if (rd->hdr)
		munmap((void *)rd->hdr, rd->map_size);
	if (rd->cur)
		munmap(rd->cur, CURSOR_SIZE);
	memset(rd, 0, sizeof(*rd));
}

static const struct sv_ring_slot *reader_slot(const struct sv_ring_reader *rd, uint64_t pos)
{
	return (const struct sv_ring_slot *)(rd->slots + (size_t)(pos & rd->mask) * rd->slot_size);
}

/* relaxed read-modify-write of a counter only this reader writes; the
 * daemon reads it for statistics and needs no ordering. */
static void reader_count(_Atomic uint64_t *ctr, uint64_t n)
{
	if (n)
		atomic_store_explicit(ctr, atomic_load_explicit(ctr, memory_order_relaxed) + n,
				      memory_order_relaxed);
}

/* Publish the position: frees the slots below it for a lossless producer. */
static void reader_release(struct sv_ring_reader *rd)
{
	struct sv_cursor *c = rd->cur;

	/* store-release pairs with the load-acquire of pos in ring_scan() and
	 * ring_wait_reader(): our reads of those slots are over. */
	atomic_store_explicit(&c->pos, rd->pos, memory_order_release);
	if (!(rd->flags & SV_RING_LOSSLESS))
		return;
	/* seq_cst fence pairs with the one in ring_wait_reader(). */
	atomic_thread_fence(memory_order_seq_cst);
	/* load-acquire pairs with the store-release of producer_waiting in
	 * ring_wait_reader(): producer_want is the one it waits for. The
	 * exchange (pairing with the clearing store there) lets one burst
	 * only make the wake call per wait. */
	if (atomic_load_explicit(&c->producer_waiting, memory_order_acquire) &&
	    rd->pos >= atomic_load_explicit(&c->producer_want, memory_order_relaxed) &&
	    atomic_exchange_explicit(&c->producer_waiting, 0, memory_order_relaxed)) {
		/* fetch-add (release) pairs with the load-acquire of progress
		 * in ring_wait_reader(). */
		atomic_fetch_add_explicit(&c->progress, 1, memory_order_release);
		futex_wake(&c->progress, 1);
	}
}

/*
 * How many items (up to max) a burst may take from the reader's position;
 * a reader lapped by the producer first skips ahead, and *lost counts
 * what it skipped. *pos is where the burst starts.
 */
static unsigned reader_span(const struct sv_ring_reader *rd, unsigned max, uint64_t *pos,
			    uint64_t *lost)
{
	uint64_t head, count = (uint64_t)rd->mask + 1;

	*pos = rd->pos;
	*lost = 0;
	if (max > RING_BURST_MAX)
		max = RING_BURST_MAX;
	/* load-acquire pairs with the store-release of head in
	 * sv_ring_publish(): every slot below head has its seq set. */
	head = atomic_load_explicit(&rd->hdr->head, memory_order_acquire);
	if (head - *pos > count) {
		/* Lapped: skip to a quarter ring ahead of the oldest slot, so
		 * the next bursts are not overwritten under us again at once. */
		*lost = head - count + count / 4 - *pos;
		*pos += *lost;
	}
	return head - *pos < max ? (unsigned)(head - *pos) : max;
}

/*
 * The slot at pos when it holds item pos, complete; NULL when the producer
 * is writing it or has lapped us on it. *seq is the sequence word read.
 */
static const struct sv_ring_slot *reader_ready(const struct sv_ring_reader *rd, uint64_t pos,
					       uint64_t *seq)
{
	const struct sv_ring_slot *s = reader_slot(rd, pos);

	/* load-acquire pairs with the store-release of seq in
	 * sv_ring_publish(): the payload of a matching slot is complete. */
	*seq = atomic_load_explicit(&s->seq, memory_order_acquire);
	return *seq == pos + 1 ? s : NULL;
}

unsigned sv_ring_read_burst(struct sv_ring_reader *rd, const void **items, unsigned max)
{
	uint64_t pos, lost;
	unsigned n, k = 0;

	if (rd->burst_n)
		sv_ring_read_done(rd, NULL);
	n = reader_span(rd, max, &pos, &lost);
	for (unsigned i = 0; i < n; i++, pos++) {
		uint64_t seq;
		const struct sv_ring_slot *s = reader_ready(rd, pos, &seq);

		if (!s) {
			lost++;
			continue;
		}
		rd->burst_seq[k] = seq;
		items[k++] = s->payload;
	}
	rd->pos = pos;
	rd->burst_n = k;
	reader_count(&rd->cur->lost, lost);
	/* Nothing to hand out but the position moved: publish it now, as the
	 * caller will not call read_done for an empty burst. */
	if (k == 0 && lost)
		reader_release(rd);
	return k;
}

unsigned sv_ring_read_copy(struct sv_ring_reader *rd, void *buf, const void **items,
			   unsigned max)
{
	size_t size = rd->payload_size;
	uint8_t *dst = buf;
	uint64_t pos, lost;
	unsigned n, k = 0;

	if (rd->burst_n)
		sv_ring_read_done(rd, NULL);
	n = reader_span(rd, max, &pos, &lost);
	for (unsigned i = 0; i < n; i++, pos++) {
		uint64_t seq;
		const struct sv_ring_slot *s = reader_ready(rd, pos, &seq);

		if (!s) {
			lost++;
			continue;
		}
		memcpy(dst, s->payload, size);
		/* acquire fence pairs with the release fence in
		 * sv_ring_write_slot(): if the copy took any byte of a newer
		 * item, the re-read below sees that item's busy mark. */
		atomic_thread_fence(memory_order_acquire);
		/* relaxed: ordered by the fence above. */
		if (atomic_load_explicit(&s->seq, memory_order_relaxed) != seq) {
			lost++;
			continue;
		}
		items[k++] = dst;
		dst += size;
	}
	rd->pos = pos;
	reader_count(&rd->cur->lost, lost);
	reader_count(&rd->cur->delivered, k);
	/* The copies are ours: the slots are free again at once. */
	if (n || lost)
		reader_release(rd);
	return k;
}

unsigned sv_ring_read_done(struct sv_ring_reader *rd, uint64_t *torn)
{
	uint64_t bad = 0;
	unsigned i, nbad;

	/* acquire fence pairs with the release fence in sv_ring_write_slot():
	 * the caller's reads of the payloads are over before the re-checks,
	 * so an item rewritten meanwhile shows a changed seq. */
	atomic_thread_fence(memory_order_acquire);
	for (i = 0; i < rd->burst_n; i++) {
		uint64_t seq = rd->burst_seq[i];

		/* relaxed: ordered by the fence above. */
		if (atomic_load_explicit(&reader_slot(rd, seq - 1)->seq, memory_order_relaxed) != seq)
			bad |= 1ULL << i;
	}
	nbad = (unsigned)__builtin_popcountll(bad);
	reader_count(&rd->cur->lost, nbad);
	reader_count(&rd->cur->delivered, rd->burst_n - nbad);
	if (torn)
		*torn = bad;
	i = rd->burst_n - nbad;
	rd->burst_n = 0;
	reader_release(rd);
	return i;
}

/* 1: items to read; -1: end of stream, all read; 0: nothing yet. */
static int reader_state(const struct sv_ring_reader *rd)
{
	/* load-acquire pairs with the store-release of eos in sv_ring_end():
	 * once the end is seen, the head read next is final. */
	uint32_t eos = atomic_load_explicit(&rd->hdr->eos, memory_order_acquire);
	/* load-acquire pairs with the store-release of head in sv_ring_publish(). */
	uint64_t head = atomic_load_explicit(&rd->hdr->head, memory_order_acquire);

	if (head != rd->pos)
		return 1;
	return eos ? -1 : 0;
}

/* The same over several rings: -1 only once all of them are drained. */
static int readers_state(struct sv_ring_reader *const *rds, unsigned n)
{
	int done = 1;

	for (unsigned i = 0; i < n; i++) {
		int st = reader_state(rds[i]);

		if (st > 0)
			return 1;
		done &= st < 0;
	}
	return done ? -1 : 0;
}

int sv_ring_drained(const struct sv_ring_reader *rd)
{
	return reader_state(rd) < 0;
}

/* Nap without a sleeping tag: publishes do not wake us, sv_ring_end() does. */
static int ring_nap(struct sv_ring_reader *const *rds, unsigned n, long ns,
		    const struct timespec *deadline)
{
	_Atomic uint32_t *wake = (_Atomic uint32_t *)&rds[0]->hdr->wake;
	struct timespec rel = { 0, ns }, left;
	/* load-acquire pairs with the store-release of wake in sv_ring_end(). */
	uint32_t w = atomic_load_explicit(wake, memory_order_acquire);
	int st = readers_state(rds, n);

	if (st)
		return st;
	if (deadline) {
		if (!deadline_left(deadline, &left))
			return 0;
		if (left.tv_sec == 0 && left.tv_nsec < rel.tv_nsec)
			rel = left;
	}
	futex_wait(wake, w, &rel);
	return readers_state(rds, n);
}

/* Wait for any of n rings, sleeping on the first one's wake word. */
static int ring_wait(struct sv_ring_reader *const *rds, unsigned n, int timeout_ms)
{
	struct sv_ring_reader *rd = rds[0];
	_Atomic uint32_t *wake = (_Atomic uint32_t *)&rd->hdr->wake;
	struct timespec deadline, rel;
	int st, timed_out = 0;
	uint32_t w;

	for (int spin = 0; spin < RING_SPIN; spin++) {
		st = readers_state(rds, n);
		if (st)
			return st;
		cpu_relax();
	}
	if (timeout_ms == 0)
		return 0;
	if (timeout_ms > 0)
		deadline_set(&deadline, timeout_ms);
	while (rd->busy) {
		st = ring_nap(rds, n, (long)RING_NAP_NS << (rd->busy - 1),
			      timeout_ms > 0 ? &deadline : NULL);
		if (st > 0)
			rd->busy = 1;
		if (st)
			return st;
		rd->busy = rd->busy < RING_NAPS ? rd->busy + 1 : 0;
	}
	for (;;) {
		/* load-acquire pairs with the store-release of wake in
		 * ring_wake_readers() and sv_ring_end(). */
		w = atomic_load_explicit(wake, memory_order_acquire);
		/* relaxed, then the seq_cst fence pairs with the one in
		 * ring_wake_readers(): either the producer sees our tag, or we
		 * see the head it stored before looking. */
		atomic_store_explicit(&rd->cur->sleeping, sleep_tag(w), memory_order_relaxed);
		atomic_thread_fence(memory_order_seq_cst);
		st = readers_state(rds, n);
		if (st == 0) {
			if (timeout_ms > 0 && !deadline_left(&deadline, &rel))
				timed_out = 1;
			else if (futex_wait(wake, w, timeout_ms > 0 ? &rel : NULL) < 0 &&
				 errno == ETIMEDOUT)
				timed_out = 1;
		}
		/* relaxed: a stale tag names an old wake value, which the
		 * producer ignores (pairs with its load in ring_wake_readers()). */
		atomic_store_explicit(&rd->cur->sleeping, 0, memory_order_relaxed);
		st = readers_state(rds, n);
		if (st > 0)
			rd->busy = 1;
		if (st || timed_out)
			return st;
	}
}

int sv_ring_wait(struct sv_ring_reader *rd, int timeout_ms)
{
	return ring_wait(&rd, 1, timeout_ms);
}

int sv_ring_wait2(struct sv_ring_reader *a, struct sv_ring_reader *b, int timeout_ms)
{
	struct sv_ring_reader *rds[2] = { a, b };

	return ring_wait(rds, 2, timeout_ms);
}
