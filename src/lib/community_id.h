/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * community_id.h - Community ID v1 (Corelight's flow hash, as Zeek,
 * Suricata, Wireshark and Elastic compute it), so that an event joins other
 * tools' logs of the same traffic by one string.
 *
 *   sha1(seed . saddr . daddr . proto . 0 . sport . dport), base64, "1:" first
 *
 * in network byte order, the endpoints ordered so the smaller IP:port comes
 * first (both directions of a flow hash alike), ICMP's type and code
 * mapped onto ports the way Zeek does (a request and its reply share an
 * ID; a one-way message keeps its direction).
 */
#ifndef SV_COMMUNITY_ID_H
#define SV_COMMUNITY_ID_H

#include <stdbool.h>
#include <stdint.h>

#include <snapvnf/pkt.h>

/* "1:" + 28 base64 characters + NUL */
#define SV_COMMUNITY_ID_SIZE 31

struct sv_cid_tuple {
	uint8_t family;          /* 4 or 6 */
	uint8_t proto;           /* IP protocol number */
	bool ports;              /* sport and dport are known */
	uint16_t sport, dport;   /* ICMP and ICMPv6: the type and the code */
	const uint8_t *src;      /* 4 or 16 bytes, network order */
	const uint8_t *dst;
};

/*
 * Write the Community ID of t with `seed` (0 unless the operator chose
 * another) into out. Returns 0, or -EINVAL when the family is not 4 or 6
 * or a protocol that has ports (TCP, UDP, SCTP, ICMP, ICMPv6) comes
 * without them: the spec has no ID for those, and a port-less one would
 * collide with the flow's real one.
 */
int sv_community_id(const struct sv_cid_tuple *t, uint16_t seed, char out[SV_COMMUNITY_ID_SIZE]);

/*
 * The same for a snap, from its parsed header (SCTP's ports read from the
 * snap itself). Returns -ENOENT when it has none: not IP, an IP fragment
 * after the first, or a header whose ports were cut off by the snap.
 */
int sv_community_id_pkt(const struct sv_pkt *p, uint16_t seed, char out[SV_COMMUNITY_ID_SIZE]);

#endif
