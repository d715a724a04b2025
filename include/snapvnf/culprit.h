/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * snapvnf/culprit.h - who sends most of what a detector holds against a
 * destination (SYNs, packets), so a verdict on the destination can name a
 * source to block. A source is the culprit of its destination when it
 * sent at least `share` of that destination's weight over the current and
 * the previous interval: one source flooding is named, a crowd of sources
 * (spoofed, or many real clients) is not - blocking any one of them would
 * do nothing but harm.
 */
#ifndef SNAPVNF_CULPRIT_H
#define SNAPVNF_CULPRIT_H

#include <stdint.h>

#include <snapvnf/vnf.h>

struct sv_culprits;

/* Pairs a detector keeps at most, whatever its own table's size: a full
 * bucket evicts its lightest pair, and a culprit is heavy by definition. */
#define SV_CULPRITS_MAX 65536

/* A fixed-size table of about `entries` (source, destination) pairs. NULL
 * and errno on failure. */
SV_API struct sv_culprits *sv_culprits_new(size_t entries);
SV_API void sv_culprits_free(struct sv_culprits *c);
/* Count weight w of src towards dst in the current interval. */
SV_API void sv_culprits_add(struct sv_culprits *c, const struct sv_addr *src, const struct sv_addr *dst,
		     uint64_t w);
/* src's share (0..1) of dst's weight over this and the last interval. */
SV_API double sv_culprits_share(const struct sv_culprits *c, const struct sv_addr *src,
			 const struct sv_addr *dst);
/* The interval ended: this one becomes the last; forget pairs silent for two. */
SV_API void sv_culprits_roll(struct sv_culprits *c);

#endif
