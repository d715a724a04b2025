/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * port_scan.c - sources probing many ports of one host (a vertical scan)
 * or many hosts (a horizontal one).
 *
 * Arguments ("ports=100,hosts=50"):
 *   ports=100    distinct destination ports on one host that flag a
 *                source in an interval (2 to 65536; TCP and UDP ports
 *                count apart)
 *   hosts=50     distinct destination hosts that flag it (2 to 1M)
 *   interval=10  seconds per judgement (1 to 3600)
 *   probe=syn    which records are probes: "syn" TCP with SYN set and ACK
 *                clear (a connection attempt, so that a server answering
 *                many clients is no scanner); "udp" those and every UDP
 *                record; "any" every record with IP addresses
 *   table=16384  sources tracked (64 to 4M); pairs of hosts: 4 times that
 *
 * Sample and aggregate records both count (a distinct count is not
 * inflated by seeing a probe twice); counter records never. The counts
 * are of what the records show, not scaled by the sampling rate: a scan
 * sending one probe per port shows about 1/N of its ports at 1-in-N
 * sampling, so set the thresholds to what N lets through.
 *
 * At the end of each interval (sv_interval_roll() in snapvnf/vnf_util.h) a source that reached
 * either threshold gets one "alert":
 *   {reason "port_scan", src, hosts, ports (the most on one host), dst
 *    (that host, null without ports), scan ("vertical", "horizontal" or
 *    "vertical+horizontal"), seconds, ports_threshold, hosts_threshold}
 * report() judges the interval in progress the same way.
 *
 * Output (struct sv_scan_meta), for each probe (cleared for other
 * records): its source, its distinct hosts and most ports on one host so
 * far this interval, and alert: flagged last interval, or over a
 * threshold already. Then the verdict for a `block` VNF: the probe's
 * destination, protocol and port, and culprit = alert (the scanner is the
 * source itself), with reason "port_scan" and the figures as evidence.
 *
 * Memory is fixed. Whether a (source, host) or a (source, host, protocol,
 * port) was seen this interval is one bit of a hashed bitmap each (a
 * Bloom filter with one hash, 16 bits per pair tracked): a bit already
 * set by another key makes a new one look seen. Sources and pairs live in
 * tables that evict their lightest entry of a full bucket ("evicted").
 * Both errors only lower counts, so memory pressure can hide a scan but
 * never invent one. Never stops the chain.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <snapvnf/builtin.h>
#include <snapvnf/vnf_util.h>

#define TCP_SYN 0x02
#define TCP_ACK 0x10
#define SEEN_BITS_PER_PAIR 16

enum { PROBE_SYN, PROBE_UDP, PROBE_ANY };

static const char *const scan_probes[] = { "syn", "udp", "any", NULL };

struct scan_opts {
	uint64_t ports, hosts, interval, table;
	unsigned probe;
};

static const struct sv_arg scan_args[] = {
	{ "ports", SV_ARG_UINT, offsetof(struct scan_opts, ports), "100", 2, 65536, NULL,
	  "distinct destination ports on one host that flag a source" },
	{ "hosts", SV_ARG_UINT, offsetof(struct scan_opts, hosts), "50", 2, 1 << 20, NULL,
	  "distinct destination hosts that flag a source" },
	{ "interval", SV_ARG_UINT, offsetof(struct scan_opts, interval), "10", 1, 3600, NULL,
	  "seconds per judgement" },
	{ "probe", SV_ARG_WORD, offsetof(struct scan_opts, probe), "syn", 0, 0, scan_probes,
	  "which records are probes: TCP SYN without ACK, those and UDP, or any" },
	{ "table", SV_ARG_UINT, offsetof(struct scan_opts, table), "16384", 64, 1 << 22, NULL,
	  "sources tracked (pairs of hosts: 4 times that)" },
	SV_ARG_END,
};

SV_SCHEMA(sv_scan_meta,
	  SV_FIELD(struct sv_scan_meta, src),
	  SV_FIELD(struct sv_scan_meta, hosts),
	  SV_FIELD(struct sv_scan_meta, ports),
	  SV_FIELD(struct sv_scan_meta, alert),
	  SV_FIELD(struct sv_scan_meta, dst),
	  SV_FIELD(struct sv_scan_meta, proto),
	  SV_FIELD(struct sv_scan_meta, dport),
	  SV_FIELD(struct sv_scan_meta, culprit),
	  SV_FIELD(struct sv_scan_meta, reason),
	  SV_FIELD(struct sv_scan_meta, evidence));

struct scan_src {
	uint64_t weight;     /* distinct hosts + ports this interval: the table's weight */
	uint32_t hosts;
	uint32_t ports;      /* the most on one host */
	struct sv_addr top;  /* that host */
	bool flagged;        /* last interval */
};

struct scan_pair_key {
	struct sv_addr src, dst;
};

struct scan_port_key {
	struct scan_pair_key pair;
	uint16_t port;
	uint8_t proto;
	uint8_t pad;
};

struct scan_pair {
	uint64_t ports;      /* distinct this interval: the table's weight */
};

/* A one-hash Bloom filter: a set of keys as bits. */
struct scan_seen {
	uint64_t *bits;
	uint64_t mask;       /* bits - 1, a power of two */
	uint64_t seed;
};

struct scan_state {
	uint64_t ports, hosts;
	unsigned probe;
	struct sv_interval iv;
	struct sv_table *srcs, *pairs;
	struct scan_seen seen_pair, seen_port;
	_Atomic uint64_t *probes;
	_Atomic uint64_t *alerts;
	_Atomic uint64_t *evicted;
};

static int seen_init(struct scan_seen *s, uint64_t bits)
{
	uint64_t n = 64;

	while (n < bits)
		n <<= 1;
	s->bits = calloc(n / 64, sizeof(uint64_t));
	s->mask = n - 1;
	s->seed = sv_hash_seed();
	return s->bits ? 0 : -ENOMEM;
}

/* Set key's bit; true when it was clear (the key is new). */
static bool seen_add(struct scan_seen *s, const void *key, size_t len)
{
	uint64_t b = sv_hash(key, len, s->seed) & s->mask;
	uint64_t bit = 1ull << (b % 64);
	bool fresh = !(s->bits[b / 64] & bit);

	s->bits[b / 64] |= bit;
	return fresh;
}

static void seen_clear(struct scan_seen *s)
{
	memset(s->bits, 0, (s->mask + 1) / 8);
}

static void scan_destroy(void *state)
{
	struct scan_state *st = state;

	if (!st)
		return;
	sv_table_free(st->srcs);
	sv_table_free(st->pairs);
	free(st->seen_pair.bits);
	free(st->seen_port.bits);
	free(st);
}

static void *scan_create(struct sv_vnf_ctx *ctx, const char *args)
{
	struct scan_opts o;
	struct scan_state *st;

	if (sv_vnf_args(ctx, args, &o) < 0)
		return NULL;
	st = calloc(1, sizeof(*st));
	if (!st)
		goto nomem;
	st->srcs = sv_table_new(o.table, sizeof(struct sv_addr), sizeof(struct scan_src));
	st->pairs = sv_table_new(4 * o.table, sizeof(struct scan_pair_key), sizeof(struct scan_pair));
	if (!st->srcs || !st->pairs ||
	    seen_init(&st->seen_pair, 4 * o.table * SEEN_BITS_PER_PAIR) < 0 ||
	    seen_init(&st->seen_port, 4 * o.table * SEEN_BITS_PER_PAIR) < 0)
		goto nomem;
	st->ports = o.ports;
	st->hosts = o.hosts;
	st->probe = o.probe;
	st->iv.len_ns = o.interval * SV_NS_PER_S;
	st->probes = sv_counter(ctx, "probes");
	st->alerts = sv_counter(ctx, "alerts");
	st->evicted = sv_counter(ctx, "evicted");
	return st;
nomem:
	scan_destroy(st);
	sv_vnf_error(ctx, "out of memory");
	errno = ENOMEM;
	return NULL;
}

static bool scan_is_probe(const struct scan_state *st, const struct sv_flow *rec)
{
	if (rec->proto == IPPROTO_TCP && (rec->tcp_flags & (TCP_SYN | TCP_ACK)) == TCP_SYN)
		return true;
	if (st->probe == PROBE_UDP)
		return rec->proto == IPPROTO_UDP;
	return st->probe == PROBE_ANY;
}

static bool scan_over(const struct scan_state *st, const struct scan_src *s)
{
	return s->ports >= st->ports || s->hosts >= st->hosts;
}

static void scan_alert(struct scan_state *st, struct sv_vnf_ctx *ctx, const struct sv_addr *src,
		       const struct scan_src *s, uint64_t len_ns)
{
	bool vertical = s->ports >= st->ports, horizontal = s->hosts >= st->hosts;
	struct sv_event *ev = sv_event_begin(ctx, "alert");

	sv_event_str(ev, "reason", "port_scan", SIZE_MAX);
	sv_event_addr(ev, "src", src);
	sv_event_u64(ev, "hosts", s->hosts);
	sv_event_u64(ev, "ports", s->ports);
	sv_event_addr(ev, "dst", &s->top);
	sv_event_str(ev, "scan", vertical && horizontal ? "vertical+horizontal"
				 : vertical ? "vertical" : "horizontal", SIZE_MAX);
	sv_event_double(ev, "seconds", (double)len_ns / 1e9);
	sv_event_u64(ev, "ports_threshold", st->ports);
	sv_event_u64(ev, "hosts_threshold", st->hosts);
	sv_event_end(ev);
	sv_counter_add(st->alerts, 1);
}

static void scan_close(struct scan_state *st, struct sv_vnf_ctx *ctx, uint64_t len_ns)
{
	const void *key;
	struct scan_src *s;
	size_t pos = 0;

	while ((s = sv_table_next(st->srcs, &pos, &key)) != NULL) {
		if (!s->weight) {  /* silent for a whole interval */
			sv_table_del(st->srcs, s);
			continue;
		}
		s->flagged = scan_over(st, s);
		if (s->flagged)
			scan_alert(st, ctx, key, s, len_ns);
		s->weight = 0;
		s->hosts = s->ports = 0;
		memset(&s->top, 0, sizeof(s->top));
	}
	sv_table_clear(st->pairs);
	seen_clear(&st->seen_pair);
	seen_clear(&st->seen_port);
}

/* Count a probe of pair k (to proto/port) for source s. */
static void scan_count(struct scan_state *st, struct scan_src *s, const struct scan_pair_key *k,
		       const struct sv_flow *rec)
{
	struct scan_port_key pk;
	struct scan_pair *p;
	bool evicted;

	if (seen_add(&st->seen_pair, k, sizeof(*k))) {
		s->hosts++;
		s->weight++;
	}
	if (rec->proto != IPPROTO_TCP && rec->proto != IPPROTO_UDP)
		return;
	memset(&pk, 0, sizeof(pk));
	pk.pair = *k;
	pk.port = rec->dport;
	pk.proto = rec->proto;
	if (!seen_add(&st->seen_port, &pk, sizeof(pk)))
		return;
	p = sv_table_get(st->pairs, k, &evicted);
	if (evicted)
		sv_counter_add(st->evicted, 1);
	p->ports++;
	s->weight++;
	if (p->ports > s->ports) {
		s->ports = (uint32_t)p->ports;
		s->top = k->dst;
	}
}

static int scan_process(void *state, struct sv_vnf_ctx *ctx, const struct sv_flow *rec,
			const void *in, void *out)
{
	struct scan_state *st = state;
	struct sv_scan_meta *m = out;
	struct scan_pair_key k;
	struct scan_src *s;
	uint64_t start;
	bool evicted;

	memset(m, 0, sizeof(*m));
	if ((rec->kind != SV_FLOW_SAMPLE && rec->kind != SV_FLOW_AGGREGATE) ||
	    (rec->ip_version != 4 && rec->ip_version != 6) || !scan_is_probe(st, rec))
		return SV_CONTINUE;
	if (sv_interval_roll(&st->iv, rec->ts_ns, true, &start))
		scan_close(st, ctx, st->iv.len_ns);
	sv_counter_add(st->probes, 1);
	sv_addr_from_flow(&k.src, rec, false);
	sv_addr_from_flow(&k.dst, rec, true);
	s = sv_table_get(st->srcs, &k.src, &evicted);
	if (evicted)
		sv_counter_add(st->evicted, 1);
	scan_count(st, s, &k, rec);
	m->src = k.src;
	m->hosts = s->hosts;
	m->ports = s->ports;
	m->alert = s->flagged || scan_over(st, s);
	m->dst = k.dst;
	m->proto = rec->proto;
	m->dport = rec->dport;
	if (m->alert) {
		m->culprit = true;
		memcpy(m->reason, "port_scan", sizeof("port_scan"));
		snprintf(m->evidence, sizeof(m->evidence),
			 "probed %u hosts and up to %u ports of one host this interval "
			 "(thresholds %llu hosts, %llu ports)",
			 m->hosts, m->ports, (unsigned long long)st->hosts,
			 (unsigned long long)st->ports);
	}
	return SV_CONTINUE;
}

static void scan_tick(void *state, struct sv_vnf_ctx *ctx, uint64_t now_ns)
{
	struct scan_state *st = state;
	uint64_t start;

	if (sv_interval_roll(&st->iv, now_ns, false, &start))
		scan_close(st, ctx, st->iv.len_ns);
}

static void scan_report(void *state, struct sv_vnf_ctx *ctx)
{
	struct scan_state *st = state;
	const void *key;
	struct scan_src *s;
	size_t pos = 0;

	while ((s = sv_table_next(st->srcs, &pos, &key)) != NULL)
		if (s->weight && scan_over(st, s))
			scan_alert(st, ctx, key, s, sv_interval_partial(&st->iv));
}

flow_vnf sv_vnf_port_scan = {
	.desc = {
		.name = "port_scan",
		.version = "1.0",
		.summary = "sources probing many ports of a host or many hosts",
		.events = "`alert` (port_scan): a source touching many ports or hosts",
		.args = scan_args,
		.out = &sv_scan_meta_schema,
		.create = scan_create,
		.tick = scan_tick,
		.report = scan_report,
		.destroy = scan_destroy,
	},
	.process = scan_process,
};
