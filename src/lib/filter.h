/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * filter.h - a service's BPF filter on snaps, compiled by libpcap and run
 * on each snap before the chain, so that a service sees only what it asks
 * for (a DNS-only service does not walk its chain for every HTTP packet).
 */
#ifndef SV_FILTER_H
#define SV_FILTER_H

#include <stdbool.h>
#include <stddef.h>

#include <snapvnf/pkt.h>

struct sv_filter;

/*
 * Compile a tcpdump filter expression (pcap-filter(7)) for the link types
 * a snap can have (Ethernet, or raw IP). Returns NULL and sets errno, with
 * libpcap's message in err.
 */
struct sv_filter *sv_filter_new(const char *expr, char *err, size_t errlen);
/* Accepts NULL. */
void sv_filter_free(struct sv_filter *f);

/* Does the snap pass? Filters see the snap's bytes and its wire length,
 * as a capture filter would have seen the packet cut to the snap. */
bool sv_filter_match(const struct sv_filter *f, const struct sv_pkt *p);

#endif
