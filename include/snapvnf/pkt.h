/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * snapvnf/pkt.h - a snap as services see it.
 *
 * The daemon decodes L2-L4 once per snap and stores the result in this
 * header, right in front of the captured bytes, in the shared packet ring.
 * Services and VNFs read these fields instead of parsing headers again.
 * The memory belongs to the ring: it is read-only for services and valid
 * until the service releases the item.
 *
 * ERSPAN: a switch can mirror to a server's IP address, each frame inside
 * IP + GRE + an ERSPAN header (type I, II or III). The daemon unwraps such
 * a packet (unless started with --no-erspan): data[] then starts at the
 * mirrored Ethernet frame, cap_len and wire_len are that frame's, every L2-L4
 * field describes it, and flags has SV_PKT_ERSPAN. What the wrapping said
 * is kept in three fields: span_id (the switch's mirror session),
 * span_src and span_ip_version (the switch that sent it). Without
 * SV_PKT_ERSPAN those three are zero. (A sampled header, SV_PKT_SAMPLED, is
 * never unwrapped: the same bytes hold the sFlow agent that sampled it,
 * agent and agent_family.) An ERSPAN packet the daemon could not
 * unwrap (headers cut or bad, a frame type other than Ethernet) is
 * delivered as it came, an IP/GRE packet.
 */
#ifndef SNAPVNF_PKT_H
#define SNAPVNF_PKT_H

#include <stdint.h>

/* sv_pkt.flags */
#define SV_PKT_TRUNCATED (1U << 0) /* the snap ended inside a header */
#define SV_PKT_MALFORMED (1U << 1) /* a header field lies (length, version, …) */
#define SV_PKT_FRAGMENT  (1U << 2) /* IP fragment: the L4 header is not here */
#define SV_PKT_SAMPLED   (1U << 3) /* from an sFlow sampled header */
#define SV_PKT_IPOPTS    (1U << 4) /* IPv4 options or IPv6 extension headers */
#define SV_PKT_ERSPAN    (1U << 5) /* unwrapped from ERSPAN (see above) */

/* An offset field holding SV_OFF_NONE means "that layer was not found". */
#define SV_OFF_NONE 0xFFFFu

/* Link types, as libpcap numbers them (DLT_EN10MB, DLT_RAW, LINKTYPE_RAW). */
#define SV_LINK_ETHERNET 1
#define SV_LINK_RAW      101

struct sv_pkt {
	uint64_t ts_ns;        /* capture time, ns since the epoch */
	uint32_t wire_len;     /* length of the packet on the wire */
	uint16_t cap_len;      /* bytes present in data[] (the snap) */
	uint16_t flags;        /* SV_PKT_* */

	uint16_t ethertype;    /* innermost, after VLAN tags; 0 for raw IP */
	uint16_t l3_off;       /* start of the IP header in data[] */
	uint16_t l4_off;       /* start of the L4 header (any protocol; only TCP/UDP/ICMP decoded) */
	uint16_t payload_off;  /* start of the L4 payload */
	uint16_t payload_len;  /* L4 payload bytes inside the snap */
	uint16_t vlan[2];      /* VLAN ids, outer first */
	uint8_t nvlan;         /* tags seen (may exceed 2; only 2 kept) */

	uint8_t ip_version;    /* 0 (not IP), 4 or 6 */
	uint8_t proto;         /* IP protocol of the L4 header (after IPv6 ext headers) */
	uint8_t ttl;           /* IPv4 TTL or IPv6 hop limit */
	uint8_t tcp_flags;     /* TCP flags byte (FIN 0x01 … CWR 0x80) */
	uint8_t icmp_type;
	uint8_t icmp_code;
	union {
		uint8_t span_ip_version; /* ERSPAN: 4 or 6, the family of span_src */
		uint8_t agent_family;    /* sampled: 4 or 6, the family of agent */
	};                       /* else 0 */
	uint16_t sport;        /* host byte order; 0 when there is none */
	uint16_t dport;
	uint16_t span_id;      /* ERSPAN: session id (0-1023; 0 for type I); else 0 */
	uint32_t l4_len;       /* L4 length the IP header claims (header + payload) */

	uint8_t src[16];       /* IPv4 in the first 4 bytes, rest zero */
	uint8_t dst[16];

	/* Where the snap came from (mirror capture: source 0, rate 1). */
	uint32_t source;       /* input id: 0 capture, else collector agent index */
	uint32_t sampling_rate;/* 1 for a full mirror, N for 1-in-N sFlow samples */
	uint32_t in_if;        /* sFlow input/output ifIndex, 0 when unknown */
	uint32_t out_if;
	union {                /* IPv4 in the first 4 bytes; else zero */
		uint8_t span_src[16]; /* ERSPAN: the mirroring switch (outer IP source) */
		uint8_t agent[16];    /* SV_PKT_SAMPLED: the sFlow agent that sampled it */
	};

	uint8_t data[];        /* cap_len bytes, starting with the L2 header */
};

#endif
