/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * packet.h - parse a snap's L2-L4 headers once, into struct sv_pkt.
 */
#ifndef SV_DECODE_PACKET_H
#define SV_DECODE_PACKET_H

#include <snapvnf/pkt.h>

/*
 * Decode the p->cap_len bytes at p->data (link type `linktype`, a libpcap
 * DLT: SV_LINK_ETHERNET or SV_LINK_RAW) and fill every field of *p except
 * ts_ns, wire_len, cap_len and the source fields, which the caller sets
 * first. Never reads outside data[0..cap_len). A packet that cannot be
 * decoded fully keeps what was decodable, the other offsets SV_OFF_NONE,
 * and SV_PKT_TRUNCATED (snap too short) or SV_PKT_MALFORMED (a field
 * lies) in p->flags. Returns p->flags.
 */
uint16_t sv_packet_decode(struct sv_pkt *p, int linktype);

#endif
