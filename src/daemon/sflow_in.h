/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sflow_in.h - where sFlow datagrams come from: a UDP socket (--sflow) or
 * the UDP datagrams of a capture file (--sflow-pcap), both handed to the
 * collector.
 */
#ifndef SV_SFLOW_IN_H
#define SV_SFLOW_IN_H

#include <stdbool.h>
#include <stdint.h>

struct sv_collector;
struct sv_sflow_in;

/* Bind "[ADDR:]PORT" ("6343", "127.0.0.1:6343", "[::1]:6343"); no ADDR:
 * every IPv4 and IPv6 address. Logs and returns NULL on failure. */
struct sv_sflow_in *sv_sflow_in_udp(const char *spec);
/* Replay the UDP datagrams to `port` in a capture file. */
struct sv_sflow_in *sv_sflow_in_pcap(const char *file, uint16_t port);
void sv_sflow_in_close(struct sv_sflow_in *in);

/* The socket to poll, or -1 for a file (always ready). */
int sv_sflow_in_fd(const struct sv_sflow_in *in);
bool sv_sflow_in_finite(const struct sv_sflow_in *in);
/*
 * Feed up to `max` datagrams to the collector. Returns how many, or -1 at
 * the end of a file.
 */
int sv_sflow_in_burst(struct sv_sflow_in *in, struct sv_collector *c, unsigned max);
/* Datagrams the kernel dropped on a full socket buffer. */
uint64_t sv_sflow_in_drops(const struct sv_sflow_in *in);

#endif
