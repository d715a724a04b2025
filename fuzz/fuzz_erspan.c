/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_erspan.c - libFuzzer harness for sv_erspan_decap(), as the snapper
 * runs it: sv_packet_decode() first, then the GRE/ERSPAN headers and the
 * move of the mirrored frame to the front of the snap.
 *
 * The input is one snap. It is decoded as Ethernet and as raw IP, each time
 * as a whole frame, as a short capture of a longer one, and with a bogus
 * wire length below the snap, in a heap block of exactly its size so that
 * AddressSanitizer catches any access past the end. The result must also
 * agree with itself: an unwrapped snap is the bytes that followed the
 * headers, no longer than what was there, with the session fields set; a
 * packet left whole is byte for byte what it was, with at most a flag more.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode/erspan.h"
#include "decode/packet.h"

#define NONE SV_OFF_NONE

/* The decode's own contract, as fuzz_packet.c holds it. */
static void check_decode(const struct sv_pkt *p)
{
	if (p->l3_off == NONE) {
		if (p->ip_version != 0 || p->l4_off != NONE)
			abort();
	} else if (p->l3_off >= p->cap_len || (p->ip_version != 4 && p->ip_version != 6)) {
		abort();
	}
	if (p->l4_off != NONE && (p->l4_off <= p->l3_off || p->l4_off >= p->cap_len))
		abort();
	if (p->payload_off == NONE) {
		if (p->payload_len != 0)
			abort();
	} else if (p->l4_off == NONE || p->payload_off > p->cap_len ||
		   p->payload_len > p->cap_len - p->payload_off) {
		abort();
	}
}

static bool zero16(const uint8_t *b)
{
	for (int i = 0; i < 16; i++)
		if (b[i])
			return false;
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int links[] = { SV_LINK_ETHERNET, SV_LINK_RAW };
	uint16_t cap = size < UINT16_MAX ? (uint16_t)size : UINT16_MAX;
	uint32_t wire[] = { cap, (uint32_t)cap + 1500, cap / 2u };
	struct sv_pkt *p = malloc(sizeof(*p) + cap);

	if (!p)
		return 0;
	for (size_t l = 0; l < sizeof(links) / sizeof(links[0]); l++) {
		for (size_t w = 0; w < sizeof(wire) / sizeof(wire[0]); w++) {
			struct sv_erspan e;
			enum sv_erspan_result r;
			uint8_t outer_src[16];
			uint16_t before;

			memcpy(p->data, data, cap);
			p->ts_ns = 0;
			p->wire_len = wire[w];
			p->cap_len = cap;
			p->source = 0;
			p->sampling_rate = 1;
			p->in_if = 0;
			p->out_if = 0;
			sv_packet_decode(p, links[l]);
			before = p->flags;
			memcpy(outer_src, p->src, 16);
			r = sv_erspan_decode(p, &e);
			if (sv_erspan_decap(p) != r)
				abort();
			check_decode(p);

			if (r == SV_ERSPAN_OK) {
				if (!(p->flags & SV_PKT_ERSPAN) || e.inner_off + 14u > cap ||
				    p->cap_len < 14 || p->cap_len > cap - e.inner_off ||
				    p->wire_len < p->cap_len ||
				    memcmp(p->data, data + e.inner_off, p->cap_len) ||
				    p->span_id != e.span_id || p->span_id > 0x3FF ||
				    memcmp(p->span_src, outer_src, 16) ||
				    (p->span_ip_version != 4 && p->span_ip_version != 6))
					abort();
				if (e.type == 3 && e.ft != SV_ERSPAN_FT_ETHERNET)
					abort();
				continue;
			}
			/* Left whole: the snap as it was, one flag at most added. */
			if (p->cap_len != cap || p->wire_len != wire[w] || memcmp(p->data, data, cap) ||
			    p->span_id || p->span_ip_version || !zero16(p->span_src))
				abort();
			if (p->flags != (before | (r == SV_ERSPAN_TRUNCATED ? SV_PKT_TRUNCATED
						   : r == SV_ERSPAN_MALFORMED ? SV_PKT_MALFORMED : 0)))
				abort();
			/* A capture cut short is never called ERSPAN-truncated when whole. */
			if (r == SV_ERSPAN_TRUNCATED && wire[w] <= cap)
				abort();
		}
	}
	free(p);
	return 0;
}
