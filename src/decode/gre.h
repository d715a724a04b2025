/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * gre.h - the GRE header (RFC 2784, with RFC 2890's key and sequence number).
 */
#ifndef SV_DECODE_GRE_H
#define SV_DECODE_GRE_H

#include <stdbool.h>
#include <stdint.h>

#include "decode/cursor.h"

#define SV_GRE_C   0x8000 /* checksum (and a reserved word) present */
#define SV_GRE_R   0x4000 /* RFC 1701 routing present: RFC 2784 drops such packets */
#define SV_GRE_K   0x2000 /* key present */
#define SV_GRE_S   0x1000 /* sequence number present */
#define SV_GRE_VER 0x0007

struct sv_gre {
	uint16_t flags;  /* the first 16 bits: SV_GRE_* and the version */
	uint16_t proto;  /* ethertype of the payload */
	uint16_t csum;   /* when flags has SV_GRE_C */
	uint32_t key;    /* when flags has SV_GRE_K */
	uint32_t seq;    /* when flags has SV_GRE_S */
};

/*
 * Read a GRE header at c into *g and leave c at the payload. Returns true
 * for a version 0 header without routing, whole. Returns false with c
 * failed when the header does not fit, and false with c ok (at the
 * optional fields) for a header this decoder does not read: version 1
 * (PPTP, RFC 2637) or routing present; flags and proto are filled then.
 */
bool sv_gre_decode(struct sv_cur *c, struct sv_gre *g);

#endif
