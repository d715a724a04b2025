/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * collector.c - sFlow datagrams to flow records and sampled snaps.
 *
 * The original design sent flow data as text through nfdump files rotated
 * every 2 s; here each flow sample becomes a binary `sample` record in the
 * flow ring as soon as its datagram is decoded, and the 5-tuple totals of
 * each interval follow as `flow` records.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <snapvnf/pkt.h>

#include "common/log.h"
#include "common/ring.h"
#include "daemon/collector.h"
#include "daemon/metrics.h"
#include "decode/packet.h"
#include "decode/sflow.h"
#include "decode/sflow_seq.h"

#define MAX_AGENTS   64
#define SEQ_SLOTS    1024
#define AGG_SLOTS    65536        /* power of two */
#define AGG_MAX      (AGG_SLOTS / 2)
#define QUEUE_MAX    (1u << 20)   /* records held back by a full lossless ring */
#define RING_BURST   64

struct agent {
	uint8_t af;
	uint8_t addr[16];
	uint64_t datagrams, flow_samples, counter_samples, gaps, lost, resets;
	uint64_t last_seen_ns;
};

/* One 5-tuple being summed over the current interval. */
struct agg {
	bool used;
	uint8_t ip_version, proto, tcp_flags;
	uint8_t src[16], dst[16];
	uint16_t sport, dport, vlan;
	uint32_t agent_index, in_if, out_if, sampling_rate;
	uint64_t packets, bytes, first_ns, last_ns;
};

/* A growable FIFO of fixed-size items waiting for room in a ring. */
struct queue {
	uint8_t *buf;
	size_t item, n, off, cap;
	uint64_t dropped;
};

struct counters {
	uint64_t datagrams, decode_errors, sample_records, flow_records, counter_records,
		external_records, snaps, agg_overflow, queue_drops;
};

struct sv_collector {
	struct sv_collector_opts o;
	struct sv_ring *flow_ring, *pkt_ring;
	struct sv_ring *pkt_ring_wake;  /* rung after flow records, for dual readers */
	struct queue flows, snaps;
	struct sv_sflow_stats dec;
	struct sv_sflow_seq seq;
	struct sv_sflow_seq_slot seq_slots[SEQ_SLOTS];
	struct agent agent[MAX_AGENTS];
	unsigned nagents;
	uint64_t agents_over;
	struct agg *agg;
	unsigned nagg;
	uint64_t interval_start;
	uint64_t last_ts;     /* newest datagram time: a replay's end closes there */
	struct counters n;
};

static void *queue_push(struct queue *q)
{
	if (q->n == q->cap) {
		size_t cap = q->cap ? q->cap * 2 : 256;
		uint8_t *b;

		if (cap > QUEUE_MAX || !(b = realloc(q->buf, cap * q->item))) {
			q->dropped++;
			return NULL;
		}
		q->buf = b;
		q->cap = cap;
	}
	return q->buf + q->item * q->n++;
}

/* Copy queued items into the ring as room allows. True when empty. */
static bool queue_drain(struct queue *q, struct sv_ring *r, size_t (*size_of)(const void *),
			int timeout_ms)
{
	while (q->off < q->n) {
		unsigned want = q->n - q->off > RING_BURST ? RING_BURST : (unsigned)(q->n - q->off);
		unsigned room = sv_ring_reserve(r, want, timeout_ms);

		if (room == 0)
			return false;
		for (unsigned i = 0; i < room; i++) {
			const void *item = q->buf + q->item * (q->off + i);

			memcpy(sv_ring_write_slot(r, i), item, size_of(item));
		}
		sv_ring_publish(r, room);
		q->off += room;
	}
	q->n = q->off = 0;
	return true;
}

static size_t flow_size(const void *item)
{
	return sizeof(struct sv_flow);
}

static size_t snap_size(const void *item)
{
	return sizeof(struct sv_pkt) + ((const struct sv_pkt *)item)->cap_len;
}

struct sv_collector *sv_collector_new(struct sv_ring *flow_ring, struct sv_ring *pkt_ring,
				      const struct sv_collector_opts *o)
{
	struct sv_collector *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->o = *o;
	if (!c->o.interval_s)
		c->o.interval_s = 2;
	c->flow_ring = flow_ring;
	c->pkt_ring = o->snaps ? pkt_ring : NULL;
	c->pkt_ring_wake = pkt_ring;
	c->flows.item = sizeof(struct sv_flow);
	if (c->pkt_ring) {
		unsigned room = sv_ring_payload_size(pkt_ring) - (unsigned)sizeof(struct sv_pkt);

		if (c->o.snaplen > room)
			c->o.snaplen = room;
		c->snaps.item = sizeof(struct sv_pkt) + c->o.snaplen;
		/* keep every queued snap 8-byte aligned */
		c->snaps.item = (c->snaps.item + 7) & ~(size_t)7;
	}
	c->agg = calloc(AGG_SLOTS, sizeof(*c->agg));
	if (!c->agg) {
		free(c);
		return NULL;
	}
	sv_sflow_seq_init(&c->seq, c->seq_slots, SEQ_SLOTS);
	return c;
}

void sv_collector_free(struct sv_collector *c)
{
	if (!c)
		return;
	free(c->flows.buf);
	free(c->snaps.buf);
	free(c->agg);
	free(c);
}

/* The agent's index (1-based) for records and status; 0 past MAX_AGENTS. */
static unsigned agent_index(struct sv_collector *c, const struct sv_sflow_datagram *d)
{
	for (unsigned i = 0; i < c->nagents; i++)
		if (c->agent[i].af == d->agent_af && memcmp(c->agent[i].addr, d->agent, 16) == 0)
			return i + 1;
	if (c->nagents == MAX_AGENTS) {
		c->agents_over++;
		return 0;
	}
	c->agent[c->nagents].af = d->agent_af;
	memcpy(c->agent[c->nagents].addr, d->agent, 16);
	return ++c->nagents;
}

/* An ifIndex as it is (expanded samples may use all 32 bits); discards
 * and "several ports" in sFlow's compact form, format << 30 | value. */
static uint32_t if_word(const struct sv_sflow_if *i)
{
	if (i->format == SV_SFLOW_IF_INDEX)
		return i->value;
	return i->format << 30 | (i->value & 0x3fffffffu);
}

static void fill_common(struct sv_flow *f, enum sv_flow_kind kind, uint64_t ts,
			const struct sv_sflow_datagram *d, unsigned agent,
			const struct sv_sflow_sample *s)
{
	memset(f, 0, sizeof(*f));
	f->ts_ns = ts;
	f->kind = kind;
	f->agent_index = agent;
	f->agent_family = d->agent_af;
	memcpy(f->agent, d->agent, 16);
	f->sub_agent = d->sub_agent_id;
	f->source_id = s->source_type << 24 | (s->source_index & 0xffffff);
}

/*
 * The link type a sampled header of this sFlow header_protocol is parsed
 * as, or -1: the others (MPLS, PPP, 802.11, ...) are not parsed, and their
 * first bytes must not be taken for an IP header.
 */
static int header_link(uint32_t protocol)
{
	switch (protocol) {
	case SV_SFLOW_HP_ETHERNET:
		return SV_LINK_ETHERNET;
	case SV_SFLOW_HP_IPV4:
	case SV_SFLOW_HP_IPV6:
		return SV_LINK_RAW;
	}
	return -1;
}

/* The sampled header as a snap: parsed once, like any mirrored packet. */
static void queue_snap(struct sv_collector *c, const struct sv_sflow_sample *s,
		       const struct sv_flow *f, uint64_t ts)
{
	struct sv_pkt *p;
	uint32_t cap = s->hdr.len < c->o.snaplen ? s->hdr.len : c->o.snaplen;
	int link = header_link(s->hdr.protocol);

	if (link < 0)
		return;
	p = queue_push(&c->snaps);
	if (!p) {
		c->n.queue_drops++;
		return;
	}
	p->ts_ns = ts;
	p->wire_len = s->hdr.frame_length;
	p->cap_len = (uint16_t)cap;
	p->source = f->agent_index;
	p->sampling_rate = s->sampling_rate;
	p->in_if = f->in_if;
	p->out_if = f->out_if;
	memcpy(p->data, s->hdr.data, cap);
	sv_packet_decode(p, link);
	p->flags |= SV_PKT_SAMPLED;
	/* After decoding, which clears the span fields the agent shares. */
	p->agent_family = f->agent_family;
	memcpy(p->agent, f->agent, sizeof(p->agent));
	c->n.snaps++;
}

static uint32_t agg_hash(const struct sv_flow *f)
{
	/* FNV-1a over the 5-tuple: cheap and good enough for a table we own. */
	const uint8_t *parts[] = { f->src, f->dst };
	uint32_t h = 2166136261u;

	for (int k = 0; k < 2; k++)
		for (int i = 0; i < 16; i++)
			h = (h ^ parts[k][i]) * 16777619u;
	h = (h ^ f->sport) * 16777619u;
	h = (h ^ f->dport) * 16777619u;
	h = (h ^ f->proto) * 16777619u;
	return h ^ f->ip_version;
}

static bool agg_same(const struct agg *a, const struct sv_flow *f)
{
	return a->ip_version == f->ip_version && a->proto == f->proto && a->sport == f->sport &&
	       a->dport == f->dport && memcmp(a->src, f->src, 16) == 0 &&
	       memcmp(a->dst, f->dst, 16) == 0;
}

static void agg_add(struct sv_collector *c, const struct sv_flow *f)
{
	uint32_t i = agg_hash(f) & (AGG_SLOTS - 1);
	struct agg *a;

	for (;; i = (i + 1) & (AGG_SLOTS - 1)) {
		a = &c->agg[i];
		if (!a->used || agg_same(a, f))
			break;
	}
	if (!a->used) {
		/* Half full: close the interval early rather than probe long. */
		if (c->nagg >= AGG_MAX) {
			c->n.agg_overflow++;
			sv_collector_tick(c, f->ts_ns, true);
			agg_add(c, f);
			return;
		}
		*a = (struct agg){ .used = true, .ip_version = f->ip_version, .proto = f->proto,
				   .sport = f->sport, .dport = f->dport, .first_ns = f->ts_ns };
		memcpy(a->src, f->src, 16);
		memcpy(a->dst, f->dst, 16);
		c->nagg++;
	}
	a->packets += f->packets;
	a->bytes += f->bytes;
	a->tcp_flags |= f->tcp_flags;
	a->last_ns = f->ts_ns;
	a->agent_index = f->agent_index;
	a->in_if = f->in_if;
	a->out_if = f->out_if;
	a->vlan = f->vlan;
	a->sampling_rate = f->sampling_rate;
}

void sv_collector_tick(struct sv_collector *c, uint64_t now_ns, bool all)
{
	uint64_t len = (uint64_t)c->o.interval_s * 1000000000u;

	if (!now_ns)
		now_ns = c->last_ts;
	if (!all && now_ns - c->interval_start < len)
		return;
	for (uint32_t i = 0; c->nagg && i < AGG_SLOTS; i++) {
		struct agg *a = &c->agg[i];
		struct sv_flow *f;

		if (!a->used)
			continue;
		f = queue_push(&c->flows);
		if (f) {
			memset(f, 0, sizeof(*f));
			f->ts_ns = now_ns;
			f->kind = SV_FLOW_AGGREGATE;
			f->agent_index = a->agent_index;
			if (a->agent_index) {
				f->agent_family = c->agent[a->agent_index - 1].af;
				memcpy(f->agent, c->agent[a->agent_index - 1].addr, 16);
			}
			f->ip_version = a->ip_version;
			f->proto = a->proto;
			f->tcp_flags = a->tcp_flags;
			memcpy(f->src, a->src, 16);
			memcpy(f->dst, a->dst, 16);
			f->sport = a->sport;
			f->dport = a->dport;
			f->vlan = a->vlan;
			f->in_if = a->in_if;
			f->out_if = a->out_if;
			f->sampling_rate = a->sampling_rate;
			f->packets = a->packets;
			f->bytes = a->bytes;
			f->first_ns = a->first_ns;
			f->last_ns = a->last_ns;
			c->n.flow_records++;
		} else {
			c->n.queue_drops++;
		}
		a->used = false;
		c->nagg--;
	}
	/* Intervals are aligned to multiples of their length in item time. */
	c->interval_start = now_ns - now_ns % len;
}

static void flow_sample(struct sv_collector *c, const struct sv_sflow_datagram *d,
			unsigned agent, const struct sv_sflow_sample *s, uint64_t ts)
{
	struct sv_flow *f = queue_push(&c->flows);
	struct {
		struct sv_pkt p;
		uint8_t data[256];
	} hdr;
	int link = s->records & SV_SFLOW_R_HEADER ? header_link(s->hdr.protocol) : -1;

	if (!f) {
		c->n.queue_drops++;
		return;
	}
	fill_common(f, SV_FLOW_SAMPLE, ts, d, agent, s);
	f->in_if = if_word(&s->input);
	f->out_if = if_word(&s->output);
	f->sampling_rate = s->sampling_rate;
	if (link >= 0) {
		/* The 5-tuple comes from the sampled header, parsed like a snap. */
		uint32_t cap = s->hdr.len < sizeof(hdr.data) ? s->hdr.len : sizeof(hdr.data);

		memset(&hdr.p, 0, sizeof(hdr.p));
		hdr.p.cap_len = (uint16_t)cap;
		hdr.p.wire_len = s->hdr.frame_length;
		memcpy(hdr.p.data, s->hdr.data, cap);
		sv_packet_decode(&hdr.p, link);
		f->ip_version = hdr.p.ip_version;
		f->proto = hdr.p.proto;
		memcpy(f->src, hdr.p.src, 16);
		memcpy(f->dst, hdr.p.dst, 16);
		f->sport = hdr.p.sport;
		f->dport = hdr.p.dport;
		f->tcp_flags = hdr.p.tcp_flags;
		f->vlan = hdr.p.nvlan ? hdr.p.vlan[0] : 0;
		f->frame_len = s->hdr.frame_length;
	} else if (s->records & (SV_SFLOW_R_IPV4 | SV_SFLOW_R_IPV6)) {
		const struct sv_sflow_ip *ip = s->records & SV_SFLOW_R_IPV4 ? &s->ip4 : &s->ip6;

		f->ip_version = s->records & SV_SFLOW_R_IPV4 ? 4 : 6;
		f->proto = (uint8_t)ip->proto;
		memcpy(f->src, ip->src, 16);
		memcpy(f->dst, ip->dst, 16);
		f->sport = (uint16_t)ip->sport;
		f->dport = (uint16_t)ip->dport;
		f->tcp_flags = (uint8_t)ip->tcp_flags;
		f->frame_len = ip->length;
	}
	/* A header of a protocol not parsed still tells the frame's length. */
	if (link < 0 && (s->records & SV_SFLOW_R_HEADER))
		f->frame_len = s->hdr.frame_length;
	if (!f->vlan && (s->records & SV_SFLOW_R_SWITCH))
		f->vlan = (uint16_t)s->sw.src_vlan;
	f->packets = s->sampling_rate;
	f->bytes = (uint64_t)s->sampling_rate * f->frame_len;
	f->first_ns = f->last_ns = ts;
	c->n.sample_records++;
	if (f->ip_version)
		agg_add(c, f);
	if (c->pkt_ring && (s->records & SV_SFLOW_R_HEADER))
		queue_snap(c, s, f, ts);
}

static void counter_sample(struct sv_collector *c, const struct sv_sflow_datagram *d,
			   unsigned agent, const struct sv_sflow_sample *s, uint64_t ts)
{
	const struct sv_sflow_if_counters *k = &s->ifc;
	struct sv_flow *f;

	if (!(s->records & SV_SFLOW_R_IF))
		return;
	f = queue_push(&c->flows);
	if (!f) {
		c->n.queue_drops++;
		return;
	}
	fill_common(f, SV_FLOW_COUNTERS, ts, d, agent, s);
	f->ifindex = k->if_index;
	f->if_type = k->if_type;
	f->if_speed = k->if_speed;
	f->if_direction = k->direction;
	f->if_status = k->status;
	f->in_octets = k->in_octets;
	f->out_octets = k->out_octets;
	f->in_ucast = k->in_ucast;
	f->in_mcast = k->in_mcast;
	f->in_bcast = k->in_bcast;
	f->in_discards = k->in_discards;
	f->in_errors = k->in_errors;
	f->in_unknown = k->in_unknown_protos;
	f->out_ucast = k->out_ucast;
	f->out_mcast = k->out_mcast;
	f->out_bcast = k->out_bcast;
	f->out_discards = k->out_discards;
	f->out_errors = k->out_errors;
	f->promisc = k->promisc;
	c->n.counter_records++;
}

void sv_collector_datagram(struct sv_collector *c, const uint8_t *buf, size_t len,
			   size_t wire_len, uint64_t ts_ns)
{
	static uint64_t log_last, log_supp;
	struct sv_sflow_datagram d;
	struct sv_sflow_sample s;
	struct sv_sflow_iter it;
	struct agent *a = NULL;
	unsigned agent;
	uint32_t lost;
	int rc;

	c->n.datagrams++;
	if (ts_ns > c->last_ts)
		c->last_ts = ts_ns;
	sv_collector_tick(c, ts_ns, false);
	rc = sv_sflow_open(&it, buf, len, wire_len, &d, &c->dec);
	if (rc < 0) {
		c->n.decode_errors++;
		sv_log_ratelimited(&log_last, &log_supp, 10000000000ull, SV_LOG_WARN,
				   "skipped an sFlow datagram of %zu bytes: %s", len,
				   rc == -EPROTONOSUPPORT ? "not sFlow version 5"
				   : rc == -ENODATA	  ? "cut short"
							  : "malformed header");
		return;
	}
	agent = agent_index(c, &d);
	if (agent) {
		a = &c->agent[agent - 1];
		a->datagrams++;
		a->last_seen_ns = ts_ns;
		switch (sv_sflow_seq_datagram(&c->seq, &d, &lost)) {
		case SV_SFLOW_SEQ_GAP:
			a->gaps++;
			a->lost += lost;
			break;
		case SV_SFLOW_SEQ_RESET:
			a->resets++;
			break;
		}
	}
	while ((rc = sv_sflow_next(&it, &s)) == 1) {
		if (s.type == SV_SFLOW_FLOW || s.type == SV_SFLOW_FLOW_EXPANDED) {
			if (a)
				a->flow_samples++;
			flow_sample(c, &d, agent, &s, ts_ns);
		} else {
			if (a)
				a->counter_samples++;
			counter_sample(c, &d, agent, &s, ts_ns);
		}
	}
	if (rc < 0)
		sv_log_ratelimited(&log_last, &log_supp, 10000000000ull, SV_LOG_WARN,
				   "sFlow datagram from agent %u: %s; kept what came before",
				   agent, rc == -ENODATA ? "cut short" : "a length lies");
}

void sv_collector_record(struct sv_collector *c, const struct sv_flow *rec)
{
	struct sv_flow *f = queue_push(&c->flows);

	if (!f) {
		c->n.queue_drops++;
		return;
	}
	*f = *rec;
	c->n.external_records++;
}

bool sv_collector_drain(struct sv_collector *c, int timeout_ms)
{
	bool flows_done, snaps_done = true;
	unsigned before = (unsigned)(c->flows.n - c->flows.off);

	flows_done = queue_drain(&c->flows, c->flow_ring, flow_size, timeout_ms);
	if (c->pkt_ring)
		snaps_done = queue_drain(&c->snaps, c->pkt_ring, snap_size, timeout_ms);
	/* A service reading both kinds sleeps on the packet ring: ring it. */
	if (before && c->pkt_ring_wake)
		sv_ring_wake(c->pkt_ring_wake);
	return flows_done && snaps_done;
}

static const struct sv_metric_group g_collector = { .json = "collector", .prom = "collector" };
static const struct sv_metric_group g_agents = {
	.json = "collector.agents", .prom = "collector_agent", .label = "agent",
};

static const struct sv_metric collector_rows[] = {
	SV_COUNTER("datagrams", struct sv_collector, n.datagrams,
		   "UDP datagrams handed to the sFlow decoder."),
	SV_COUNTER("flow_samples", struct sv_collector, dec.flow_samples,
		   "sFlow flow samples decoded."),
	SV_COUNTER("counter_samples", struct sv_collector, dec.counter_samples,
		   "sFlow counter samples decoded."),
	SV_COUNTER("skipped_samples", struct sv_collector, dec.skipped_samples,
		   "sFlow samples of unknown formats."),
	SV_COUNTER("skipped_records", struct sv_collector, dec.skipped_records,
		   "sFlow records of unknown formats."),
	SV_COUNTER("not_sflow5", struct sv_collector, dec.bad_version,
		   "Datagrams that are not sFlow version 5."),
	SV_COUNTER("truncated", struct sv_collector, dec.truncated, "sFlow datagrams cut short."),
	SV_COUNTER("malformed", struct sv_collector, dec.malformed,
		   "sFlow datagrams with a length that lies."),
	SV_COUNTER("sequence_gaps", struct sv_collector, seq.st.gaps,
		   "Jumps in an agent's datagram sequence numbers."),
	SV_COUNTER("sequence_lost", struct sv_collector, seq.st.lost,
		   "sFlow datagrams missing by sequence number."),
	SV_COUNTER("sequence_resets", struct sv_collector, seq.st.resets,
		   "sFlow agent restarts seen."),
	SV_COUNTER("records_sample", struct sv_collector, n.sample_records,
		   "Flow records of kind sample."),
	SV_COUNTER("records_flow", struct sv_collector, n.flow_records,
		   "Flow records of kind flow (aggregated)."),
	SV_COUNTER("records_counters", struct sv_collector, n.counter_records,
		   "Flow records of kind counters."),
	SV_COUNTER("records_nfdump", struct sv_collector, n.external_records,
		   "Flow records from the nfdump path."),
	SV_COUNTER("snaps", struct sv_collector, n.snaps, "sFlow sampled headers published as snaps."),
	SV_COUNTER("queue_drops", struct sv_collector, n.queue_drops,
		   "Records and snaps dropped: the collector's queue was full."),
	SV_COUNTER("agents_over_limit", struct sv_collector, agents_over,
		   "Datagrams of agents past the agent table."),
};

static const struct sv_metric agent_rows[] = {
	SV_COUNTER("datagrams", struct agent, datagrams, "sFlow datagrams from the agent."),
	SV_COUNTER("flow_samples", struct agent, flow_samples, "Flow samples from the agent."),
	SV_COUNTER("counter_samples", struct agent, counter_samples,
		   "Counter samples from the agent."),
	SV_COUNTER("sequence_gaps", struct agent, gaps,
		   "Jumps in the agent's datagram sequence numbers."),
	SV_COUNTER("sequence_lost", struct agent, lost,
		   "The agent's datagrams missing by sequence number."),
	SV_COUNTER("sequence_resets", struct agent, resets, "Restarts of the agent seen."),
};

void sv_collector_metrics(const struct sv_collector *c, struct sv_metrics *m)
{
	sv_metrics_group(m, &g_collector, NULL);
	sv_metrics_table(m, collector_rows, SV_NROWS(collector_rows), c);
	/* An empty list, not a missing one, before the first agent. */
	sv_metrics_group(m, &g_agents, NULL);
	for (unsigned i = 0; i < c->nagents; i++) {
		const struct agent *a = &c->agent[i];
		char buf[INET6_ADDRSTRLEN] = "unknown";

		if (a->af == 4 || a->af == 6)
			inet_ntop(a->af == 6 ? AF_INET6 : AF_INET, a->addr, buf, sizeof(buf));
		sv_metrics_group(m, &g_agents, buf);
		sv_metrics_table(m, agent_rows, SV_NROWS(agent_rows), a);
	}
}
