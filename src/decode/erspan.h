/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * erspan.h - ERSPAN: mirrored frames inside IP + GRE, unwrapped in place.
 *
 * Three forms travel in GRE (draft-foschiano-erspan):
 *   type I    GRE protocol 0x88BE without a sequence number, then the frame;
 *   type II   0x88BE with a GRE sequence number, an 8-byte header (version 1);
 *   type III  0x22EB, a 12-byte header (version 2), then an 8-byte
 *             platform-specific sub-header when its O bit is set.
 * Type III also says what the mirrored frame is (FT: 0 Ethernet, 2 IP);
 * types I and II always carry Ethernet.
 */
#ifndef SV_DECODE_ERSPAN_H
#define SV_DECODE_ERSPAN_H

#include <stdbool.h>
#include <stdint.h>

#include <snapvnf/pkt.h>

#include "decode/gre.h"

#define SV_ETH_ERSPAN2 0x88BE /* types I and II */
#define SV_ETH_ERSPAN3 0x22EB

#define SV_ERSPAN_FT_ETHERNET 0

/* What sv_erspan_decode() and sv_erspan_decap() found. */
enum sv_erspan_result {
	SV_ERSPAN_NONE,       /* not IP + GRE + ERSPAN (as far as the snap shows) */
	SV_ERSPAN_OK,         /* ERSPAN carrying an Ethernet frame of 14 bytes or more */
	SV_ERSPAN_TRUNCATED,  /* the snap ends inside the GRE/ERSPAN headers or the inner Ethernet header */
	SV_ERSPAN_MALFORMED,  /* a header lies: version, flags, lengths (or the outer packet does) */
	SV_ERSPAN_NOT_ETHER,  /* type III carrying a frame type other than Ethernet */
};

/* The headers of one ERSPAN packet; fields a type lacks are 0. */
struct sv_erspan {
	struct sv_gre gre;
	uint8_t type;        /* 1, 2 or 3 */
	uint8_t version;     /* the header's version field: 1 (type II), 2 (type III); 0 for type I */
	uint16_t vlan;       /* original VLAN of the frame (12 bits) */
	uint16_t span_id;    /* session id (10 bits) */
	uint8_t cos;         /* class of service (3 bits) */
	uint8_t en;          /* type II: encapsulation (En); type III: bad/short/oversized (BSO) */
	bool t;              /* the switch cut the mirrored frame */
	uint32_t index;      /* type II: port index (20 bits) */
	uint32_t timestamp;  /* type III */
	uint16_t sgt;        /* type III: security group tag */
	bool p;              /* type III */
	uint8_t ft;          /* type III: frame type (5 bits) */
	uint8_t hw_id;       /* type III: (6 bits) */
	bool d;              /* type III: direction, 1 = egress */
	uint8_t gra;         /* type III: timestamp granularity (2 bits) */
	bool o;              /* type III: the 8-byte sub-header follows */
	uint16_t inner_off;  /* data[] offset of the mirrored frame */
};

/*
 * Read the GRE and ERSPAN headers of *p, decoded by sv_packet_decode()
 * (its L3 fields say where GRE starts). Fills *e as far as the headers go;
 * touches neither *p nor its data. TRUNCATED versus MALFORMED follows the
 * other decoders: the snap ended before the outer IP packet did on the
 * wire, or the outer IP packet itself is too short.
 */
enum sv_erspan_result sv_erspan_decode(const struct sv_pkt *p, struct sv_erspan *e);

/*
 * If *p (decoded by sv_packet_decode()) is ERSPAN carrying Ethernet, make
 * the snap the mirrored frame, as include/snapvnf/pkt.h describes: move it
 * to the front of data[] (within the snap, in place), set cap_len and
 * wire_len to its lengths (wire_len from the outer IP length, so padding
 * after the outer packet does not count), decode it, and add SV_PKT_ERSPAN
 * and the span fields. A packet that is not ERSPAN, or whose frame type is
 * not Ethernet, is left as it is; one whose headers are cut short or lie
 * is left as it is but for SV_PKT_TRUNCATED or SV_PKT_MALFORMED in
 * p->flags. Never reads or writes outside data[0..cap_len). Returns what
 * sv_erspan_decode() found.
 */
enum sv_erspan_result sv_erspan_decap(struct sv_pkt *p);

#endif
