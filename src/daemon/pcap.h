/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pcap.h - what the inputs built on libpcap share: opening a capture
 * file, the link types the daemon parses, a BPF filter.
 */
#ifndef SV_DAEMON_PCAP_H
#define SV_DAEMON_PCAP_H

#include <stdbool.h>
#include <stdint.h>

#include <pcap/pcap.h>

/*
 * Open a pcap or pcapng file with nanosecond timestamps, refusing a link
 * type sv_pcap_linktype_check() refuses. Logs why and returns NULL on
 * failure.
 */
pcap_t *sv_pcap_open_file(const char *path);
/* Is p's link type one sv_packet_decode() parses (Ethernet, raw IP)? If
 * not, says so, naming p by `what`. */
bool sv_pcap_linktype_check(pcap_t *p, const char *what);
/*
 * Say why pcap_next_ex() failed on the capture file `path` after
 * `packets` packets, in words an operator can act on.
 */
void sv_pcap_read_failed(pcap_t *p, const char *path, uint64_t packets);
/* Compile and set `expr` (NULL: no filter) on p; `what` names p in the message. */
int sv_pcap_filter(pcap_t *p, const char *expr, const char *what);

#endif
