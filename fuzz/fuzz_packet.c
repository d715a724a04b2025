/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_packet.c - libFuzzer harness for sv_packet_decode().
 *
 * The input is one snap. It is decoded as Ethernet and as raw IP, each time
 * as a whole frame, as a short capture of a longer one, and with a bogus
 * wire length below the snap, in a heap block of exactly its size so that
 * AddressSanitizer catches any read past the end. The decode must also
 * agree with itself: offsets and payload inside the snap, in order.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode/packet.h"

#define NONE SV_OFF_NONE

/* A decode that breaks its own contract is a bug like a crash is. */
static void check(const struct sv_pkt *p)
{
	if (p->l3_off == NONE) {
		if (p->ip_version != 0 || p->l4_off != NONE)
			abort();
	} else if (p->l3_off >= p->cap_len || (p->ip_version != 4 && p->ip_version != 6)) {
		abort();
	}
	if (p->l4_off != NONE &&
	    (p->l4_off <= p->l3_off || p->l4_off >= p->cap_len || (p->flags & SV_PKT_FRAGMENT)))
		abort();
	if (p->payload_off == NONE) {
		if (p->payload_len != 0)
			abort();
	} else if (p->l4_off == NONE || p->payload_off <= p->l4_off ||
		   p->payload_off > p->cap_len || p->payload_len > p->cap_len - p->payload_off ||
		   p->payload_off + p->payload_len > p->l4_off + p->l4_len) {
		abort();
	}
	if ((p->flags & SV_PKT_FRAGMENT) && (p->sport || p->dport))
		abort();
	if ((p->nvlan < 2 && p->vlan[1]) || (p->nvlan < 1 && p->vlan[0]))
		abort();
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
	memcpy(p->data, data, cap);
	for (size_t l = 0; l < sizeof(links) / sizeof(links[0]); l++) {
		for (size_t w = 0; w < sizeof(wire) / sizeof(wire[0]); w++) {
			p->ts_ns = 0;
			p->wire_len = wire[w];
			p->cap_len = cap;
			p->source = 0;
			p->sampling_rate = 1;
			p->in_if = 0;
			p->out_if = 0;
			if (sv_packet_decode(p, links[l]) != p->flags)
				abort();
			check(p);
		}
	}
	free(p);
	return 0;
}
