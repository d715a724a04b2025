/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ring.h - the broadcast ring: one producer, many readers, shared memory.
 *
 * Every item is written once by the daemon and read in place by every
 * service. The ring lives in a memfd that services map read-only; each
 * reader has its own cursor in a separate small memfd that only it and the
 * daemon map writable. See docs/design.md, "The rings".
 *
 * Positions are 64-bit counters that never wrap; slot = pos & (count - 1).
 * A slot's sequence word holds pos + 1 of the item it carries once that item
 * is complete, and SV_RING_BUSY | (pos + 1) while the producer rewrites it,
 * so a reader can tell a current slot from an overwritten one (seqlock).
 *
 * Lossy mode (default): the producer never waits; a reader that falls more
 * than a ring behind skips ahead and counts every skipped item in `lost`.
 * Lossless mode: the producer waits until the slowest reader has freed the
 * slot it is about to overwrite.
 */
#ifndef SV_RING_H
#define SV_RING_H

#include <stdalign.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#define SV_RING_MAGIC   0x534e4150u /* "SNAP" */
#define SV_RING_VERSION 1u
#define SV_RING_BUSY    (1ULL << 63)
#define SV_RING_MAX_READERS 64

#define SV_RING_LOSSLESS (1U << 0)

/* Shared ring header, at offset 0 of the ring memfd (one page). */
struct sv_ring_hdr {
	uint32_t magic;
	uint32_t version;
	uint32_t slot_size;  /* bytes per slot, sequence word included; multiple of 64 */
	uint32_t slot_count; /* power of two */
	uint32_t flags;      /* SV_RING_* */
	uint32_t hdr_size;   /* offset of slot 0 */
	uint32_t kind;       /* what the payload is, e.g. SV_RING_KIND_PKT */
	uint32_t pad;
	alignas(64) _Atomic uint64_t head; /* items published so far */
	_Atomic uint32_t eos;   /* 1: producer is done, head is final */
	_Atomic uint32_t wake;  /* futex word readers sleep on; bumped on publish */
};

#define SV_RING_KIND_PKT  1u
#define SV_RING_KIND_FLOW 2u

/* A slot: the sequence word, then the payload (8-byte aligned). */
struct sv_ring_slot {
	_Atomic uint64_t seq;
	uint8_t payload[];
};

/*
 * Per-reader shared segment (one page). The reader writes pos, lost,
 * delivered, sleeping and progress; the producer writes producer_want and
 * sets producer_waiting, which either side may clear. The first cache line
 * is written by the reader on every burst; the second is written rarely,
 * so the producer can check `sleeping` on every publish without a cache
 * miss per reader.
 */
struct sv_cursor {
	alignas(64) _Atomic uint64_t pos;       /* next position to read */
	_Atomic uint64_t lost;                  /* items skipped or overwritten */
	_Atomic uint64_t delivered;             /* items handed to the reader */
	_Atomic uint64_t start;                 /* pos at attach time */
	/*
	 * Nonzero while the reader is (about to be) in futex wait on hdr->wake:
	 * (the wake value it waits on << 1) | 1, so the producer makes the wake
	 * system call only for readers waiting on the current value.
	 */
	alignas(64) _Atomic uint32_t sleeping;
	_Atomic uint32_t progress;              /* futex word for a waiting producer */
	_Atomic uint32_t producer_waiting;      /* producer sleeps until pos >= producer_want */
	uint32_t pad;
	_Atomic uint64_t producer_want;
	/* the rest of the page is free for the reader's own counters (stats) */
	alignas(64) uint8_t stats[3840];
};

/* ---- producer side (the daemon) ---- */

struct sv_ring;

/*
 * Create a ring of `slot_count` (power of two, >= 2) slots able to carry
 * `payload_size` bytes each, in a new sealed memfd. Returns NULL and sets
 * errno on failure (EINVAL for bad sizes).
 */
struct sv_ring *sv_ring_create(uint32_t slot_count, uint32_t payload_size,
			       uint32_t kind, unsigned flags);
/* Unmap and close. Accepts NULL. */
void sv_ring_destroy(struct sv_ring *r);
/* The memfd to hand to readers (read-only is enforced by a seal). */
int sv_ring_fd(const struct sv_ring *r);
/* The size in bytes a reader must map. */
size_t sv_ring_map_size(const struct sv_ring *r);
uint32_t sv_ring_payload_size(const struct sv_ring *r);
uint64_t sv_ring_head(const struct sv_ring *r);

/*
 * Create a reader cursor segment starting at the current head and attach it.
 * Returns the cursor's memfd (the caller hands it to the reader and keeps
 * its own reference for as long as the reader lives; the caller closes it,
 * the ring does not), or a negative errno (-ENOSPC with
 * SV_RING_MAX_READERS attached). The segment is sealed against resizing so
 * a reader cannot make the producer fault. `*cursor_out` receives the
 * producer's mapping of the cursor, valid until sv_ring_detach().
 */
int sv_ring_attach(struct sv_ring *r, struct sv_cursor **cursor_out);
/* Detach and unmap a cursor; after this the producer no longer waits on it. */
void sv_ring_detach(struct sv_ring *r, struct sv_cursor *c);

/*
 * Make room for up to `n` items starting at sv_ring_head(). Lossy mode:
 * returns n at once. Lossless mode: returns n at once while that many
 * slots are free; otherwise waits at most `timeout_ms` (-1: no limit) for
 * the slowest readers to free half the ring (or n slots if more),
 * so the producer sleeps once per many bursts rather than once per burst,
 * and returns how many of the n slots are free (maybe 0), so the caller
 * can serve its control socket and retry. With no reader it never waits.
 */
unsigned sv_ring_reserve(struct sv_ring *r, unsigned n, int timeout_ms);
/*
 * Payload of the i-th item after head, to be written now (i < reserved).
 * Marks the slot busy first, so readers treat its old content as overwritten.
 */
void *sv_ring_write_slot(struct sv_ring *r, unsigned i);
/* Publish items 0..n-1 written since the last publish; wakes sleeping readers. */
void sv_ring_publish(struct sv_ring *r, unsigned n);
/* Mark end of stream: readers drain what is left and see the end. */
void sv_ring_end(struct sv_ring *r);
/*
 * Wake r's readers that sleep waiting for another ring too (sv_ring_wait2()
 * with r first): call it after publishing to, or ending, that other ring.
 * Makes a system call only if one of them sleeps.
 */
void sv_ring_wake(struct sv_ring *r);

/* ---- reader side (the service library) ---- */

struct sv_ring_reader {
	const struct sv_ring_hdr *hdr;   /* read-only mapping */
	const uint8_t *slots;
	size_t map_size;
	struct sv_cursor *cur;           /* read-write mapping */
	uint64_t pos;                    /* next to read; cur->pos catches up at read_done */
	uint64_t burst_seq[64];          /* seq seen for each item of the last burst */
	unsigned burst_n;
	uint32_t mask;
	uint32_t slot_size;              /* checked at open; the header is not re-read */
	uint32_t payload_size;           /* bytes sv_ring_read_copy() copies per item */
	uint64_t ring_ino;               /* the ring segment's inode: which ring this is */
	uint32_t flags;                  /* SV_RING_* */
	uint32_t busy;                   /* items came lately: the next nap (0: none) */
};

/*
 * Map a ring fd read-only and a cursor fd read-write. Returns 0 or -errno
 * (-EPROTO if the segment is not a sealed ring of this version). The fds
 * stay the caller's: they may be closed at once, the mappings keep the
 * segments alive.
 */
int sv_ring_reader_open(struct sv_ring_reader *rd, int ring_fd, int cursor_fd);
/* Unmap both segments. Accepts a reader that failed to open or was closed. */
void sv_ring_reader_close(struct sv_ring_reader *rd);

/*
 * Fill `items` with pointers to up to `max` (<= 64) payloads, in place, from
 * the reader's position. Items already overwritten are skipped and counted
 * in cur->lost. Returns the count (0: nothing new). Must be followed by
 * sv_ring_read_done() before the next burst (a burst still open when the
 * next one starts is released first, without reporting torn items).
 */
unsigned sv_ring_read_burst(struct sv_ring_reader *rd, const void **items, unsigned max);
/*
 * Copy up to `max` (<= 64) items from the reader's position into `buf`,
 * one every rd->payload_size bytes (room for max of them), and point
 * `items` at the copies. Each copy is checked against its slot's sequence
 * word before and after: an item the producer rewrote meanwhile (torn) or
 * had already overwritten is counted in cur->lost and left out, so only
 * intact items come back, and the caller may read them at leisure. The
 * slots are released at once (no sv_ring_read_done()). Returns the count.
 * This is how a lossy reader reads: in place, a slow consumer could act on
 * bytes the producer is rewriting, and read_done() would only say so
 * afterwards. rd->payload_size is the whole slot unless the caller knows
 * the payload's true size and sets it lower after open (keeping it a
 * multiple of 8, so that every copy is as aligned as the slot's payload).
 */
unsigned sv_ring_read_copy(struct sv_ring_reader *rd, void *buf, const void **items,
			   unsigned max);
/*
 * Release the last burst: checks each item's sequence word again; an item
 * the producer overwrote while it was being read is counted as lost (its
 * content may be torn) and its index is reported in `torn` (bitmap of the
 * burst, may be NULL). Advances the cursor and wakes a waiting producer.
 * Returns how many items of the burst were intact.
 */
unsigned sv_ring_read_done(struct sv_ring_reader *rd, uint64_t *torn);
/*
 * Sleep until the producer publishes or ends, at most `timeout_ms`
 * (-1: no limit). Returns 1 if items may be ready, 0 on timeout, -1 at end
 * of stream with everything read. Call it after sv_ring_read_done(): a
 * lossless producer may be waiting for this reader's cursor.
 * A reader whose last wait found items first naps without asking to be
 * woken (50 us, doubling up to 0.8 ms, 1.55 ms in all), so a steady stream
 * costs the producer no wake system call; then it sleeps until woken, so an
 * idle reader uses no CPU.
 */
int sv_ring_wait(struct sv_ring_reader *rd, int timeout_ms);
/*
 * The same for a reader of two rings: sleeps on a's ring, whose producer
 * calls sv_ring_wake() when b's ring has news. Returns 1 if either may have
 * items, 0 on timeout, -1 once both have ended and been read.
 */
int sv_ring_wait2(struct sv_ring_reader *a, struct sv_ring_reader *b, int timeout_ms);
/* 1 when the producer has ended and this reader has read everything. */
int sv_ring_drained(const struct sv_ring_reader *rd);

#endif
