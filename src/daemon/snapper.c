/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * snapper.c - the packet path: one copy of each snap into the packet ring,
 * parsed once (L2-L4) into the slot header that every service reads. An
 * ERSPAN packet is unwrapped right there, in its slot: the mirrored frame
 * moves to the front of the snap and is parsed instead.
 */
#include <stdlib.h>
#include <string.h>

#include "common/ring.h"
#include "daemon/daemon.h"
#include "daemon/input.h"
#include "daemon/metrics.h"
#include "decode/erspan.h"
#include "decode/l234.h"
#include "decode/packet.h"

struct sv_snapper {
	struct sv_ring *ring;
	unsigned snaplen;
	int linktype;
	bool erspan;
	struct sv_snap_stats st;
};

static const struct sv_metric snap_rows[] = {
	SV_COUNTER("received", struct sv_snap_stats, received, "Snaps published to the packet ring."),
	SV_COUNTER("bytes", struct sv_snap_stats, bytes, "Wire bytes of the snaps published."),
	SV_COUNTER("truncated", struct sv_snap_stats, truncated, "Snaps that end inside a header."),
	SV_COUNTER("malformed", struct sv_snap_stats, malformed, "Snaps with a header that lies."),
	SV_COUNTER("erspan", struct sv_snap_stats, erspan,
		   "ERSPAN packets unwrapped to the mirrored frame."),
	SV_COUNTER("erspan_kept", struct sv_snap_stats, erspan_kept,
		   "ERSPAN packets left whole (headers cut or bad, not Ethernet)."),
};

struct sv_snapper *sv_snapper_new(struct sv_ring *ring, unsigned snaplen, int linktype,
				  bool erspan)
{
	struct sv_snapper *sn = calloc(1, sizeof(*sn));
	unsigned room = sv_ring_payload_size(ring) - (unsigned)sizeof(struct sv_pkt);

	if (!sn)
		return NULL;
	sn->ring = ring;
	sn->snaplen = snaplen < room ? snaplen : room;
	sn->linktype = linktype;
	sn->erspan = erspan;
	return sn;
}

void sv_snapper_free(struct sv_snapper *sn)
{
	free(sn);
}

void sv_snapper_put(struct sv_snapper *sn, unsigned i, const struct pcap_pkthdr *h,
		    const uint8_t *bytes)
{
	struct sv_pkt *p = sv_ring_write_slot(sn->ring, i);
	uint32_t cap = h->caplen < sn->snaplen ? h->caplen : sn->snaplen;

	/* Sources open their handles with nanosecond precision. */
	p->ts_ns = (uint64_t)h->ts.tv_sec * 1000000000u + (uint64_t)h->ts.tv_usec;
	p->wire_len = h->len;
	p->cap_len = (uint16_t)cap;
	p->source = 0;
	p->sampling_rate = 1;
	p->in_if = 0;
	p->out_if = 0;
	memcpy(p->data, bytes, cap);
	sv_packet_decode(p, sn->linktype);
	/* Only GRE carries ERSPAN: the others (nearly all) skip the call. */
	if (sn->erspan && p->proto == SV_IPPROTO_GRE) {
		switch (sv_erspan_decap(p)) {
		case SV_ERSPAN_NONE:
			break;
		case SV_ERSPAN_OK:
			sn->st.erspan++;
			break;
		default:
			sn->st.erspan_kept++;
			break;
		}
	}

	sn->st.received++;
	sn->st.bytes += h->len;
	if (p->flags & SV_PKT_TRUNCATED)
		sn->st.truncated++;
	if (p->flags & SV_PKT_MALFORMED)
		sn->st.malformed++;
}

void sv_snapper_stats(const struct sv_snapper *sn, struct sv_snap_stats *st)
{
	*st = sn->st;
}

void sv_snapper_metrics(const struct sv_snapper *sn, struct sv_metrics *m)
{
	sv_metrics_table(m, snap_rows, SV_NROWS(snap_rows), &sn->st);
}

uint64_t sv_snapper_received(const struct sv_snapper *sn)
{
	return sn->st.received;
}
