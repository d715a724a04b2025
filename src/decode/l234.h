/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * l234.h - the per-protocol decoders behind sv_packet_decode().
 *
 * One file per protocol: ether.c, ipv4.c, ipv6.c, tcp.c, udp.c, icmp.c.
 * Each decoder reads its header through a cursor whose bytes all come from
 * p->data, fills its own fields of *p, and on a header that does not fit
 * sets SV_PKT_TRUNCATED or SV_PKT_MALFORMED (sv_l234_short) and keeps the
 * fields it read. None of them allocates or writes outside *p.
 */
#ifndef SV_DECODE_L234_H
#define SV_DECODE_L234_H

#include <stdbool.h>

#include <snapvnf/pkt.h>

#include "decode/cursor.h"

#define SV_ETH_IPV4  0x0800
#define SV_ETH_IPV6  0x86DD
#define SV_ETH_8021Q 0x8100
#define SV_ETH_8021AD 0x88A8
#define SV_ETH_QINQ  0x9100 /* pre-standard 802.1ad S-tag */

#define SV_IPPROTO_ICMP   1
#define SV_IPPROTO_TCP    6
#define SV_IPPROTO_UDP    17
#define SV_IPPROTO_GRE    47
#define SV_IPPROTO_ICMPV6 58

/* What the IP layer hands to the L4 decoder. */
struct sv_l234_ip {
	struct sv_cur c;   /* the IP payload: bounded by the IP length and the snap */
	bool snapped;      /* c ends where the snap ends, before the end IP claims */
	bool more_frags;   /* first fragment: L4 lengths may exceed the IP payload */
};

/* Offset in p->data of the cursor's next byte. */
static inline uint16_t sv_l234_off(const struct sv_pkt *p, const struct sv_cur *c)
{
	return (uint16_t)(sv_cur_peek(c) - p->data);
}

/*
 * A header did not fit in its cursor. If the cursor ran out at the end of
 * the snap and the packet was longer on the wire, the capture cut it
 * (truncated); otherwise the frame itself or an enclosing length field is
 * too short for it (malformed).
 */
static inline void sv_l234_short(struct sv_pkt *p, bool snapped)
{
	if (snapped && p->cap_len < p->wire_len)
		p->flags |= SV_PKT_TRUNCATED;
	else
		p->flags |= SV_PKT_MALFORMED;
}

/*
 * Bytes the wire frame holds from offset off on. A caller may hand in a
 * wire_len below cap_len (a bogus record); the snap is then the better
 * bound, so that a present packet is never called a liar.
 */
static inline uint32_t sv_l234_wire_left(const struct sv_pkt *p, uint16_t off)
{
	uint32_t wire = p->wire_len > p->cap_len ? p->wire_len : p->cap_len;

	return wire - off;
}

/* The L4 payload starts at c: at most `claimed` bytes of it, as many as are here. */
static inline void sv_l234_payload(struct sv_pkt *p, const struct sv_cur *c, size_t claimed)
{
	size_t left = sv_cur_left(c);

	p->payload_off = sv_l234_off(p, c);
	p->payload_len = (uint16_t)(left < claimed ? left : claimed);
}

/*
 * Ethernet II with any number of 802.1Q / 802.1ad tags. Fills ethertype
 * (innermost), vlan[] and nvlan and leaves c at the L3 header. Returns
 * false if the snap ends inside the L2 header.
 */
bool sv_ether_decode(struct sv_pkt *p, struct sv_cur *c);

/*
 * IPv4 / IPv6 header at c (and IPv6 extension headers). Fill l3_off,
 * ip_version, ttl, proto, src, dst, l4_len. Return true when an L4 header
 * follows in this packet, with *ip set up for it; false for a non-first
 * fragment, an IPv6 packet without a next header, or a header that is cut
 * short or lies (p->flags says which).
 */
bool sv_ipv4_decode(struct sv_pkt *p, struct sv_cur *c, struct sv_l234_ip *ip);
bool sv_ipv6_decode(struct sv_pkt *p, struct sv_cur *c, struct sv_l234_ip *ip);

/*
 * L4 headers at ip->c. Fill ports (TCP, UDP), tcp_flags (TCP), icmp_type
 * and icmp_code (ICMP and ICMPv6), payload_off and payload_len.
 */
void sv_tcp_decode(struct sv_pkt *p, struct sv_l234_ip *ip);
void sv_udp_decode(struct sv_pkt *p, struct sv_l234_ip *ip);
void sv_icmp_decode(struct sv_pkt *p, struct sv_l234_ip *ip);

#endif
