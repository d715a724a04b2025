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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <snapvnf/pkt.h>

#include "common/log.h"
#include "common/ring.h"
#include <snapvnf/table.h>
#include "daemon/collector.h"
#include "daemon/metrics.h"
#include "decode/packet.h"
#include "decode/sflow.h"
#include "decode/sflow_seq.h"

#define MAX_AGENTS   64
#define SEQ_SLOTS    1024
#define AGG_ENTRIES  32768        /* 5-tuples summed per interval */
#define QUEUE_MAX    (1u << 20)   /* records held back by a full lossless ring */
#define RING_BURST   64
#define HDR_MAX      256          /* bytes of a sampled header parsed for a flow record */
#define LOG_EVERY_NS (10ull * 1000000000ull)

/*
 * An sFlow agent as status shows it. The table is small and fixed: an
 * agent not heard from for --agent-idle is forgotten, and a new agent
 * that finds it full of live ones takes the place of the one heard from
 * least recently. Sequence numbers are checked for every datagram, in the
 * (larger, seeded) sequence table, whether its agent has a place here or
 * not: made-up agent addresses cannot hide a real agent's losses.
 */
struct agent {
	bool used;
	uint8_t af;
	uint8_t addr[16];
	uint64_t datagrams, flow_samples, counter_samples, gaps, lost, resets;
	uint64_t last_seen_ns;
};

/* The 5-tuple a flow record sums, as the aggregation table's key (no padding). */
struct agg_key {
	uint8_t src[16], dst[16];
	uint16_t sport, dport;
	uint8_t ip_version, proto;
	uint8_t pad[2];
};

/* What is summed for it over the current interval. */
struct agg {
	uint64_t bytes;              /* first: the table's weight; the lightest goes first */
	uint64_t packets, first_ns, last_ns;
	uint32_t agent_index, in_if, out_if, sampling_rate;
	uint16_t vlan;
	uint8_t tcp_flags, agent_af;
	uint8_t agent[16];
};

/* A growable FIFO of fixed-size items waiting for room in a ring. */
struct queue {
	uint8_t *buf;
	size_t item, n, off, cap;
};

struct counters {
	uint64_t datagrams, decode_errors, sample_records, flow_records, counter_records,
		external_records, snaps, agg_evictions, queue_drops, agents_expired,
		agents_evicted;
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
	uint64_t agent_idle_ns;
	struct sv_table *agg;         /* struct agg_key -> struct agg */
	struct sv_pkt *hdr;           /* a sampled header parsed for its 5-tuple, no snap made */
	uint64_t interval_start;
	uint64_t last_ts;     /* newest datagram time: a replay's end closes there */
	uint64_t drop_log_last, drop_log_suppressed, agent_log_last, agent_log_suppressed;
	struct counters n;
};

static void *queue_push(struct queue *q)
{
	if (q->n == q->cap) {
		size_t cap = q->cap ? q->cap * 2 : 256;
		uint8_t *b;

		if (cap > QUEUE_MAX || !(b = realloc(q->buf, cap * q->item)))
			return NULL;
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

/* A record or snap that found the queue full: counted, and said. */
static void dropped(struct sv_collector *c)
{
	c->n.queue_drops++;
	sv_log_ratelimited(&c->drop_log_last, &c->drop_log_suppressed, LOG_EVERY_NS, SV_LOG_WARN,
			   "collector: %llu records or snaps dropped so far: the queue before "
			   "the rings is full (%u)", (unsigned long long)c->n.queue_drops,
			   QUEUE_MAX);
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
	c->agent_idle_ns = (uint64_t)(c->o.agent_idle_s ? c->o.agent_idle_s : 600) * 1000000000u;
	c->agg = sv_table_new(AGG_ENTRIES, sizeof(struct agg_key), sizeof(struct agg));
	c->hdr = malloc(sizeof(struct sv_pkt) + HDR_MAX);
	if (!c->agg || !c->hdr) {
		sv_collector_free(c);
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
	sv_table_free(c->agg);
	free(c->hdr);
	free(c);
}

static const char *agent_str(const struct agent *a, char *buf, size_t len)
{
	snprintf(buf, len, "unknown");
	if (a->af == 4 || a->af == 6)
		inet_ntop(a->af == 6 ? AF_INET6 : AF_INET, a->addr, buf, (socklen_t)len);
	return buf;
}

/* Forget the agents not heard from for --agent-idle (at time now). */
static void expire_agents(struct sv_collector *c, uint64_t now)
{
	for (unsigned i = 0; i < MAX_AGENTS; i++) {
		struct agent *a = &c->agent[i];

		if (a->used && now > a->last_seen_ns && now - a->last_seen_ns > c->agent_idle_ns) {
			a->used = false;
			c->n.agents_expired++;
		}
	}
}

/* The agent's index (1-based) for records and status: its place in the table. */
static unsigned agent_index(struct sv_collector *c, const struct sv_sflow_datagram *d,
			    uint64_t now)
{
	struct agent *free_a = NULL, *oldest = NULL, *a;
	char was[INET6_ADDRSTRLEN], is[INET6_ADDRSTRLEN];

	for (unsigned i = 0; i < MAX_AGENTS; i++) {
		a = &c->agent[i];
		if (!a->used) {
			if (!free_a)
				free_a = a;
			continue;
		}
		if (a->af == d->agent_af && memcmp(a->addr, d->agent, 16) == 0)
			return i + 1;
		if (!oldest || a->last_seen_ns < oldest->last_seen_ns)
			oldest = a;
	}
	if (!free_a) {
		expire_agents(c, now);
		for (unsigned i = 0; i < MAX_AGENTS && !free_a; i++)
			if (!c->agent[i].used)
				free_a = &c->agent[i];
	}
	a = free_a;
	if (!a) {
		/* Full of live agents: the one heard from least recently goes. */
		a = oldest;
		c->n.agents_evicted++;
		agent_str(a, was, sizeof(was));
		memset(is, 0, sizeof(is));
		inet_ntop(d->agent_af == 6 ? AF_INET6 : AF_INET, d->agent, is, sizeof(is));
		sv_log_ratelimited(&c->agent_log_last, &c->agent_log_suppressed, LOG_EVERY_NS,
				   SV_LOG_WARN, "sFlow: more than %u agents at once: agent %s "
				   "(heard from least recently) forgotten for %s", MAX_AGENTS, was,
				   is[0] ? is : "unknown");
	}
	*a = (struct agent){ .used = true, .af = d->agent_af };
	memcpy(a->addr, d->agent, 16);
	return (unsigned)(a - c->agent) + 1;
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

/*
 * The sampled header of s, parsed once like any mirrored packet: into a
 * snap queued for the packet ring (--sflow-snaps), else into a scratch
 * buffer, only for the flow record's 5-tuple (and there too when the snap
 * queue is full). NULL when the header is of a protocol not parsed.
 */
static const struct sv_pkt *sampled_header(struct sv_collector *c,
					   const struct sv_sflow_sample *s, uint64_t ts)
{
	int link = header_link(s->hdr.protocol);
	uint32_t max = c->pkt_ring ? c->o.snaplen : HDR_MAX, cap;
	struct sv_pkt *p;

	if (link < 0)
		return NULL;
	cap = s->hdr.len < max ? s->hdr.len : max;
	p = c->pkt_ring ? queue_push(&c->snaps) : NULL;
	if (p)
		c->n.snaps++;
	else if (c->pkt_ring)
		dropped(c);
	if (!p) {
		p = c->hdr;
		cap = s->hdr.len < HDR_MAX ? s->hdr.len : HDR_MAX;
	}
	memset(p, 0, sizeof(*p));
	p->ts_ns = ts;
	p->wire_len = s->hdr.frame_length;
	p->cap_len = (uint16_t)cap;
	p->sampling_rate = s->sampling_rate;
	memcpy(p->data, s->hdr.data, cap);
	sv_packet_decode(p, link);
	p->flags |= SV_PKT_SAMPLED;
	return p;
}

/* One aggregated flow record of the interval, from its table entry. */
static void agg_record(struct sv_collector *c, const struct agg_key *k, const struct agg *a,
		       uint64_t now_ns)
{
	struct sv_flow *f = queue_push(&c->flows);

	if (!f) {
		dropped(c);
		return;
	}
	memset(f, 0, sizeof(*f));
	f->ts_ns = now_ns;
	f->kind = SV_FLOW_AGGREGATE;
	f->agent_index = a->agent_index;
	f->agent_family = a->agent_af;
	memcpy(f->agent, a->agent, 16);
	f->ip_version = k->ip_version;
	f->proto = k->proto;
	f->tcp_flags = a->tcp_flags;
	memcpy(f->src, k->src, 16);
	memcpy(f->dst, k->dst, 16);
	f->sport = k->sport;
	f->dport = k->dport;
	f->vlan = a->vlan;
	f->in_if = a->in_if;
	f->out_if = a->out_if;
	f->sampling_rate = a->sampling_rate;
	f->packets = a->packets;
	f->bytes = a->bytes;
	f->first_ns = a->first_ns;
	f->last_ns = a->last_ns;
	c->n.flow_records++;
}

static void agg_add(struct sv_collector *c, const struct sv_flow *f)
{
	struct agg_key k = { .sport = f->sport, .dport = f->dport, .ip_version = f->ip_version,
			     .proto = f->proto };
	const void *vkey;
	struct agg *a, *victim;
	bool evicted;

	memcpy(k.src, f->src, 16);
	memcpy(k.dst, f->dst, 16);
	a = sv_table_find(c->agg, &k);
	if (!a) {
		/* A full bucket: its lightest 5-tuple goes out now rather than be lost. */
		victim = sv_table_victim(c->agg, &k, &vkey);
		if (victim) {
			c->n.agg_evictions++;
			agg_record(c, vkey, victim, f->ts_ns);
		}
		a = sv_table_get(c->agg, &k, &evicted);
		a->first_ns = f->ts_ns;
	}
	a->packets += f->packets;
	a->bytes += f->bytes;
	a->tcp_flags |= f->tcp_flags;
	a->last_ns = f->ts_ns;
	a->agent_index = f->agent_index;
	a->agent_af = f->agent_family;
	memcpy(a->agent, f->agent, 16);
	a->in_if = f->in_if;
	a->out_if = f->out_if;
	a->vlan = f->vlan;
	a->sampling_rate = f->sampling_rate;
}

void sv_collector_tick(struct sv_collector *c, uint64_t now_ns, bool all)
{
	uint64_t len = (uint64_t)c->o.interval_s * 1000000000u;
	const void *key;
	struct agg *a;
	size_t pos = 0;

	if (!now_ns)
		now_ns = c->last_ts;
	if (!all && now_ns - c->interval_start < len)
		return;
	while ((a = sv_table_next(c->agg, &pos, &key)) != NULL)
		agg_record(c, key, a, now_ns);
	sv_table_clear(c->agg);
	expire_agents(c, now_ns);
	/* Intervals are aligned to multiples of their length in item time. */
	c->interval_start = now_ns - now_ns % len;
}

static void flow_sample(struct sv_collector *c, const struct sv_sflow_datagram *d,
			unsigned agent, const struct sv_sflow_sample *s, uint64_t ts)
{
	const struct sv_pkt *hdr = NULL;
	struct sv_flow *f;

	/* The snap first (its decode gives the 5-tuple too), then the record. */
	if (s->records & SV_SFLOW_R_HEADER)
		hdr = sampled_header(c, s, ts);
	f = queue_push(&c->flows);
	if (!f) {
		dropped(c);
		return;
	}
	fill_common(f, SV_FLOW_SAMPLE, ts, d, agent, s);
	f->in_if = if_word(&s->input);
	f->out_if = if_word(&s->output);
	f->sampling_rate = s->sampling_rate;
	if (hdr) {
		f->ip_version = hdr->ip_version;
		f->proto = hdr->proto;
		memcpy(f->src, hdr->src, 16);
		memcpy(f->dst, hdr->dst, 16);
		f->sport = hdr->sport;
		f->dport = hdr->dport;
		f->tcp_flags = hdr->tcp_flags;
		f->vlan = hdr->nvlan ? hdr->vlan[0] : 0;
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
	if (!hdr && (s->records & SV_SFLOW_R_HEADER))
		f->frame_len = s->hdr.frame_length;
	if (!f->vlan && (s->records & SV_SFLOW_R_SWITCH))
		f->vlan = (uint16_t)s->sw.src_vlan;
	f->packets = s->sampling_rate;
	f->bytes = (uint64_t)s->sampling_rate * f->frame_len;
	f->first_ns = f->last_ns = ts;
	c->n.sample_records++;
	if (f->ip_version)
		agg_add(c, f);
	/* The snap carries where it came from, known only now (and after its
	 * decode, which clears the span fields the agent shares). */
	if (hdr && hdr != c->hdr) {
		struct sv_pkt *p = (struct sv_pkt *)hdr;

		p->source = f->agent_index;
		p->in_if = f->in_if;
		p->out_if = f->out_if;
		p->agent_family = f->agent_family;
		memcpy(p->agent, f->agent, sizeof(p->agent));
	}
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
		dropped(c);
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
	agent = agent_index(c, &d, ts_ns);
	a = &c->agent[agent - 1];
	a->datagrams++;
	if (ts_ns > a->last_seen_ns)
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
	while ((rc = sv_sflow_next(&it, &s)) == 1) {
		if (s.type == SV_SFLOW_FLOW || s.type == SV_SFLOW_FLOW_EXPANDED) {
			a->flow_samples++;
			flow_sample(c, &d, agent, &s, ts_ns);
		} else {
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
		dropped(c);
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
	SV_COUNTER("aggregate_evictions", struct sv_collector, n.agg_evictions,
		   "Flow records sent before the interval's end: their table bucket was full."),
	SV_COUNTER("agents_expired", struct sv_collector, n.agents_expired,
		   "sFlow agents forgotten after --agent-idle without a datagram."),
	SV_COUNTER("agents_evicted", struct sv_collector, n.agents_evicted,
		   "sFlow agents forgotten for a new one: the agent table was full of live agents."),
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
	for (unsigned i = 0; i < MAX_AGENTS; i++) {
		const struct agent *a = &c->agent[i];
		char buf[INET6_ADDRSTRLEN];

		if (!a->used)
			continue;
		sv_metrics_group(m, &g_agents, agent_str(a, buf, sizeof(buf)));
		sv_metrics_table(m, agent_rows, SV_NROWS(agent_rows), a);
	}
}
