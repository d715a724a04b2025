/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sflow.c - sFlow version 5 datagrams: header, samples, records.
 *
 * A datagram nests length-prefixed boxes: samples in the datagram, records
 * in a sample. Each box gets its own cursor over exactly its bytes, so a
 * record can never read into the next one, and the walk over a list
 * advances by at least the 8-byte tag and length of each element: a list
 * ends after at most len / 8 steps whatever its count or lengths say.
 *
 * Problems are counted once, where the walk stops (see sflow.h): the
 * counts announced up front are only compared with the bytes left to set
 * a flag, since a cut copy cannot hold what it announces either.
 */
#include <errno.h>
#include <string.h>

#include "decode/cursor.h"
#include "decode/sflow.h"

#define SFLOW_VERSION     5
#define SFLOW_TAG_LEN     8  /* data_format and length of a sample or record */
#define SFLOW_ADDR_UNKNOWN 0
#define SFLOW_ADDR_IP4    1
#define SFLOW_ADDR_IP6    2

/* data_format: enterprise in the upper 20 bits, format in the lower 12 */
#define SFLOW_ENTERPRISE(tag) ((tag) >> 12)
#define SFLOW_FORMAT(tag)     ((tag) & 0xfffu)

/* Compact samples pack an interface as format << 30 | value. */
#define SFLOW_IF_FORMAT(v) ((v) >> 30)
#define SFLOW_IF_VALUE(v)  ((v) & 0x3fffffffu)

/* Flow and counter record formats of enterprise 0 */
#define SFLOW_REC_HEADER   1
#define SFLOW_REC_ETHERNET 2
#define SFLOW_REC_IPV4     3
#define SFLOW_REC_IPV6     4
#define SFLOW_REC_SWITCH   1001
#define SFLOW_REC_ROUTER   1002
#define SFLOW_CREC_IF      1
#define SFLOW_CREC_ETH     2

/* How a box sits in its container. */
enum sflow_fit {
	SFLOW_FIT,   /* whole */
	SFLOW_SHORT, /* runs past the end of a cut copy: truncated */
	SFLOW_LIES,  /* not padded, or past the end of a whole container */
};

/*
 * Cut the next len bytes of c out as *box; when fewer are left, *box gets
 * what is there and the answer says whether that is a cut or a lie.
 */
static enum sflow_fit sflow_box(struct sv_cur *c, uint32_t len, bool cut, struct sv_cur *box)
{
	bool over;

	*box = sv_cur_sub(c, len, &over);
	if (len & 3)
		return SFLOW_LIES;
	if (over)
		return cut ? SFLOW_SHORT : SFLOW_LIES;
	return SFLOW_FIT;
}

static void sflow_count(struct sv_sflow_stats *st, enum sflow_fit fit)
{
	if (fit == SFLOW_SHORT)
		st->truncated++;
	else if (fit == SFLOW_LIES)
		st->malformed++;
}

static uint32_t sflow_flag(enum sflow_fit fit)
{
	return fit == SFLOW_SHORT ? SV_SFLOW_TRUNCATED :
	       fit == SFLOW_LIES  ? SV_SFLOW_MALFORMED : 0;
}

/* An XDR address: type, then 0, 4 or 16 bytes. False for another type. */
static bool sflow_addr(struct sv_cur *c, uint8_t *af, uint8_t addr[16])
{
	uint32_t type = sv_cur_be32(c);

	memset(addr, 0, 16);
	switch (type) {
	case SFLOW_ADDR_UNKNOWN:
		*af = 0;
		return true;
	case SFLOW_ADDR_IP4:
		*af = 4;
		return sv_cur_copy(c, addr, 4);
	case SFLOW_ADDR_IP6:
		*af = 6;
		return sv_cur_copy(c, addr, 16);
	default:
		return false;
	}
}

/* ------------------------------------------------------------------ */
/* Flow records: each reads a cursor over exactly its record's bytes    */
/* and says whether the record held its whole format (bytes past the    */
/* format are allowed and ignored).                                     */

static bool rec_header(struct sv_cur *c, struct sv_sflow_header *h)
{
	uint32_t n;
	size_t left;

	h->protocol = sv_cur_be32(c);
	h->frame_length = sv_cur_be32(c);
	h->stripped = sv_cur_be32(c);
	n = sv_cur_be32(c);
	left = sv_cur_left(c);
	/* opaque<>: the bytes, then zero to three to reach a multiple of 4 */
	if (!sv_cur_ok(c) || left < n || left - n < (-(size_t)n & 3))
		return false;
	h->len = n;
	h->data = sv_cur_take(c, n);
	return true;
}

static bool rec_ethernet(struct sv_cur *c, struct sv_sflow_ethernet *e)
{
	const uint8_t *src, *dst;

	e->length = sv_cur_be32(c);
	src = sv_cur_take(c, 8); /* opaque mac[6], padded */
	dst = sv_cur_take(c, 8);
	e->type = sv_cur_be32(c);
	if (!sv_cur_ok(c))
		return false;
	memcpy(e->src, src, 6);
	memcpy(e->dst, dst, 6);
	return true;
}

static bool rec_ip(struct sv_cur *c, struct sv_sflow_ip *ip, size_t alen)
{
	ip->length = sv_cur_be32(c);
	ip->proto = sv_cur_be32(c);
	memset(ip->src, 0, sizeof(ip->src));
	memset(ip->dst, 0, sizeof(ip->dst));
	sv_cur_copy(c, ip->src, alen);
	sv_cur_copy(c, ip->dst, alen);
	ip->sport = sv_cur_be32(c);
	ip->dport = sv_cur_be32(c);
	ip->tcp_flags = sv_cur_be32(c);
	ip->tos = sv_cur_be32(c);
	return sv_cur_ok(c);
}

static bool rec_switch(struct sv_cur *c, struct sv_sflow_switch *w)
{
	w->src_vlan = sv_cur_be32(c);
	w->src_priority = sv_cur_be32(c);
	w->dst_vlan = sv_cur_be32(c);
	w->dst_priority = sv_cur_be32(c);
	return sv_cur_ok(c);
}

static bool rec_router(struct sv_cur *c, struct sv_sflow_router *r)
{
	if (!sflow_addr(c, &r->nexthop_af, r->nexthop))
		return false;
	r->src_mask = sv_cur_be32(c);
	r->dst_mask = sv_cur_be32(c);
	return sv_cur_ok(c);
}

static bool rec_if_counters(struct sv_cur *c, struct sv_sflow_if_counters *k)
{
	k->if_index = sv_cur_be32(c);
	k->if_type = sv_cur_be32(c);
	k->if_speed = sv_cur_be64(c);
	k->direction = sv_cur_be32(c);
	k->status = sv_cur_be32(c);
	k->in_octets = sv_cur_be64(c);
	k->in_ucast = sv_cur_be32(c);
	k->in_mcast = sv_cur_be32(c);
	k->in_bcast = sv_cur_be32(c);
	k->in_discards = sv_cur_be32(c);
	k->in_errors = sv_cur_be32(c);
	k->in_unknown_protos = sv_cur_be32(c);
	k->out_octets = sv_cur_be64(c);
	k->out_ucast = sv_cur_be32(c);
	k->out_mcast = sv_cur_be32(c);
	k->out_bcast = sv_cur_be32(c);
	k->out_discards = sv_cur_be32(c);
	k->out_errors = sv_cur_be32(c);
	k->promisc = sv_cur_be32(c);
	return sv_cur_ok(c);
}

static bool rec_eth_counters(struct sv_cur *c, struct sv_sflow_eth_counters *k)
{
	k->alignment_errors = sv_cur_be32(c);
	k->fcs_errors = sv_cur_be32(c);
	k->single_collisions = sv_cur_be32(c);
	k->multiple_collisions = sv_cur_be32(c);
	k->sqe_test_errors = sv_cur_be32(c);
	k->deferred = sv_cur_be32(c);
	k->late_collisions = sv_cur_be32(c);
	k->excessive_collisions = sv_cur_be32(c);
	k->internal_mac_tx_errors = sv_cur_be32(c);
	k->carrier_sense_errors = sv_cur_be32(c);
	k->frame_too_longs = sv_cur_be32(c);
	k->internal_mac_rx_errors = sv_cur_be32(c);
	k->symbol_errors = sv_cur_be32(c);
	return sv_cur_ok(c);
}

/*
 * Decode one record of a known format into s. Returns its SV_SFLOW_R_*
 * bit, 0 for a format not decoded here, or -1 when the record is too
 * short for its format (or its inner length lies).
 */
static int sflow_record(struct sv_cur *c, bool counter, uint32_t fmt, struct sv_sflow_sample *s)
{
	unsigned bit;
	bool ok;

	if (counter) {
		bit = fmt == SFLOW_CREC_IF  ? SV_SFLOW_R_IF :
		      fmt == SFLOW_CREC_ETH ? SV_SFLOW_R_ETH_IF : 0;
	} else {
		switch (fmt) {
		case SFLOW_REC_HEADER:   bit = SV_SFLOW_R_HEADER;   break;
		case SFLOW_REC_ETHERNET: bit = SV_SFLOW_R_ETHERNET; break;
		case SFLOW_REC_IPV4:     bit = SV_SFLOW_R_IPV4;     break;
		case SFLOW_REC_IPV6:     bit = SV_SFLOW_R_IPV6;     break;
		case SFLOW_REC_SWITCH:   bit = SV_SFLOW_R_SWITCH;   break;
		case SFLOW_REC_ROUTER:   bit = SV_SFLOW_R_ROUTER;   break;
		default:                 bit = 0;                   break;
		}
	}
	/* a repeated record is skipped, not allowed to overwrite the first */
	if (!bit || (s->records & bit))
		return 0;

	switch (bit) {
	case SV_SFLOW_R_HEADER:   ok = rec_header(c, &s->hdr); break;
	case SV_SFLOW_R_ETHERNET: ok = rec_ethernet(c, &s->eth); break;
	case SV_SFLOW_R_IPV4:     ok = rec_ip(c, &s->ip4, 4); break;
	case SV_SFLOW_R_IPV6:     ok = rec_ip(c, &s->ip6, 16); break;
	case SV_SFLOW_R_SWITCH:   ok = rec_switch(c, &s->sw); break;
	case SV_SFLOW_R_ROUTER:   ok = rec_router(c, &s->router); break;
	case SV_SFLOW_R_IF:       ok = rec_if_counters(c, &s->ifc); break;
	default:                  ok = rec_eth_counters(c, &s->ethc); break;
	}
	return ok ? (int)bit : -1;
}

/*
 * Walk the records of a sample. counted: the sample's own box is already
 * counted as truncated or malformed, which covers its running out early.
 */
static void sflow_records(struct sv_sflow_iter *it, struct sv_cur *c, bool cut,
			  bool counted, bool counter, struct sv_sflow_sample *s)
{
	struct sv_sflow_stats *st = it->st;
	uint32_t n = s->n_records;

	if (n > sv_cur_left(c) / SFLOW_TAG_LEN)
		s->flags |= cut ? SV_SFLOW_TRUNCATED : SV_SFLOW_MALFORMED;

	for (; n > 0; n--) {
		enum sflow_fit fit;
		struct sv_cur r;
		uint32_t tag, len;
		int bit;

		tag = sv_cur_be32(c);
		len = sv_cur_be32(c);
		fit = sv_cur_ok(c) ? sflow_box(c, len, cut, &r) : cut ? SFLOW_SHORT : SFLOW_LIES;
		if (fit != SFLOW_FIT) {
			/* the next record cannot be found: the rest is lost */
			s->flags |= sflow_flag(fit);
			if (!counted)
				sflow_count(st, fit);
			return;
		}
		bit = SFLOW_ENTERPRISE(tag) ? 0 : sflow_record(&r, counter, SFLOW_FORMAT(tag), s);
		if (bit > 0) {
			s->records |= (uint32_t)bit;
		} else if (bit == 0) {
			s->n_skipped++;
			st->skipped_records++;
		} else {
			/* its box is sound, so the records after it still count */
			s->flags |= SV_SFLOW_MALFORMED;
			st->malformed++;
		}
	}
}

/* The fixed part of a flow or counter sample, up to its record count. */
static bool sflow_sample_head(struct sv_cur *c, uint32_t type, struct sv_sflow_sample *s)
{
	uint32_t v;

	s->seq = sv_cur_be32(c);
	if (type == SV_SFLOW_FLOW || type == SV_SFLOW_COUNTER) {
		v = sv_cur_be32(c);
		s->source_type = v >> 24;
		s->source_index = v & 0xffffff;
	} else {
		s->source_type = sv_cur_be32(c);
		s->source_index = sv_cur_be32(c);
	}
	if (type == SV_SFLOW_FLOW || type == SV_SFLOW_FLOW_EXPANDED) {
		s->sampling_rate = sv_cur_be32(c);
		s->sample_pool = sv_cur_be32(c);
		s->drops = sv_cur_be32(c);
		if (type == SV_SFLOW_FLOW) {
			v = sv_cur_be32(c);
			s->input.format = SFLOW_IF_FORMAT(v);
			s->input.value = SFLOW_IF_VALUE(v);
			v = sv_cur_be32(c);
			s->output.format = SFLOW_IF_FORMAT(v);
			s->output.value = SFLOW_IF_VALUE(v);
		} else {
			s->input.format = sv_cur_be32(c);
			s->input.value = sv_cur_be32(c);
			s->output.format = sv_cur_be32(c);
			s->output.value = sv_cur_be32(c);
		}
	} else {
		s->sampling_rate = s->sample_pool = s->drops = 0;
		s->input.format = s->input.value = 0;
		s->output.format = s->output.value = 0;
	}
	s->n_records = sv_cur_be32(c);
	return sv_cur_ok(c);
}

int sv_sflow_open(struct sv_sflow_iter *it, const uint8_t *buf, size_t len,
		  size_t wire_len, struct sv_sflow_datagram *d,
		  struct sv_sflow_stats *st)
{
	struct sv_cur *c = &it->c;

	memset(d, 0, sizeof(*d));
	sv_cur_init(c, buf, len);
	it->left = 0;
	it->cut = wire_len > len;
	it->st = st;

	d->version = sv_cur_be32(c);
	if (sv_cur_ok(c) && d->version != SFLOW_VERSION) {
		st->bad_version++;
		return -EPROTONOSUPPORT;
	}
	if (!sflow_addr(c, &d->agent_af, d->agent) && sv_cur_ok(c)) {
		st->malformed++;
		return -EINVAL;
	}
	d->sub_agent_id = sv_cur_be32(c);
	d->seq = sv_cur_be32(c);
	d->uptime_ms = sv_cur_be32(c);
	d->n_samples = sv_cur_be32(c);
	if (!sv_cur_ok(c)) {
		if (it->cut) {
			st->truncated++;
			return -ENODATA;
		}
		st->malformed++;
		return -EINVAL;
	}
	st->datagrams++;
	if (d->n_samples > sv_cur_left(c) / SFLOW_TAG_LEN)
		d->flags |= it->cut ? SV_SFLOW_TRUNCATED : SV_SFLOW_MALFORMED;
	it->left = d->n_samples;
	return 0;
}

int sv_sflow_next(struct sv_sflow_iter *it, struct sv_sflow_sample *s)
{
	struct sv_sflow_stats *st = it->st;
	struct sv_cur *c = &it->c;

	while (it->left > 0) {
		enum sflow_fit fit;
		struct sv_cur b;
		uint32_t tag, len, type;
		bool counter;

		it->left--;
		tag = sv_cur_be32(c);
		len = sv_cur_be32(c);
		if (!sv_cur_ok(c)) {
			fit = it->cut ? SFLOW_SHORT : SFLOW_LIES;
			goto stop;
		}
		fit = sflow_box(c, len, it->cut, &b);
		type = SFLOW_ENTERPRISE(tag) ? 0 : SFLOW_FORMAT(tag);
		if (type < SV_SFLOW_FLOW || type > SV_SFLOW_COUNTER_EXPANDED) {
			if (fit != SFLOW_FIT)
				goto stop;
			st->skipped_samples++;
			continue;
		}

		s->type = type;
		s->flags = sflow_flag(fit);
		s->n_skipped = 0;
		s->records = 0;
		if (!sflow_sample_head(&b, type, s)) {
			/* too short for its own fixed part: a lie unless cut */
			if (fit == SFLOW_FIT)
				fit = SFLOW_LIES;
			goto stop;
		}
		counter = type == SV_SFLOW_COUNTER || type == SV_SFLOW_COUNTER_EXPANDED;
		sflow_records(it, &b, fit == SFLOW_SHORT, fit != SFLOW_FIT, counter, s);
		if (fit != SFLOW_FIT) {
			/* where this sample really ends is unknown: it is the last */
			sflow_count(st, fit);
			it->left = 0;
		}
		if (counter)
			st->counter_samples++;
		else
			st->flow_samples++;
		return 1;
stop:
		sflow_count(st, fit);
		it->left = 0;
		return fit == SFLOW_SHORT ? -ENODATA : -EINVAL;
	}
	return 0;
}
