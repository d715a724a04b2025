/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pkt_stats.c - packets and bytes per protocol, per interval.
 *
 * Argument: the interval in seconds (default 10). Every snap counts once
 * under its L4 protocol (tcp, udp, icmp - ICMPv6 included - or other,
 * which also takes non-IP frames and fragments after the first) and under
 * its IP version (ipv4, ipv6); bytes are the length on the wire, not the
 * snap. A snap sampled 1 in N (sFlow) counts as N packets of its length,
 * so the figures estimate the traffic rather than count the samples.
 *
 * Intervals follow packet time: tick() emits "pkt_stats" once an interval
 * has passed since the last one began, with {start, seconds, packets,
 * bytes, tcp_packets, tcp_bytes, ... ipv6_bytes} for that interval, and
 * starts the next; report() emits what was counted since. Boundaries are as exact as
 * ticks come, about a second: events are only emitted from tick, so that
 * no event is tied to whichever packet happened to cross a boundary.
 */
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include <snapvnf/builtin.h>
#include <snapvnf/vnf_util.h>

static const struct sv_arg stats_args[] = {
	{ "interval", SV_ARG_UINT, 0, "10", 1, 86400, NULL, "seconds per pkt_stats event" },
	SV_ARG_END,
};

enum { ST_TCP, ST_UDP, ST_ICMP, ST_OTHER, ST_IPV4, ST_IPV6, ST_NCLASS };

static const char *const stats_keys[ST_NCLASS][2] = {
	[ST_TCP] = { "tcp_packets", "tcp_bytes" },
	[ST_UDP] = { "udp_packets", "udp_bytes" },
	[ST_ICMP] = { "icmp_packets", "icmp_bytes" },
	[ST_OTHER] = { "other_packets", "other_bytes" },
	[ST_IPV4] = { "ipv4_packets", "ipv4_bytes" },
	[ST_IPV6] = { "ipv6_packets", "ipv6_bytes" },
};

struct stats_counts {
	uint64_t packets, bytes;
	uint64_t cls[ST_NCLASS][2]; /* packets, bytes */
};

struct stats_state {
	uint64_t interval_ns;
	uint64_t start_ns;  /* packet time the current interval began; 0: none yet */
	uint64_t last_ns;   /* newest packet time */
	struct stats_counts c;
	_Atomic uint64_t *packets;
	_Atomic uint64_t *bytes;
};

static void *stats_create(struct sv_vnf_ctx *ctx, const char *args)
{
	struct stats_state *st;
	uint64_t secs;

	if (sv_vnf_args(ctx, args, &secs) < 0)
		return NULL;
	st = calloc(1, sizeof(*st));
	if (!st) {
		sv_vnf_error(ctx, "out of memory");
		return NULL;
	}
	st->interval_ns = secs * SV_NS_PER_S;
	st->packets = sv_counter(ctx, "packets");
	st->bytes = sv_counter(ctx, "bytes");
	return st;
}

static void stats_add(struct stats_counts *c, int cls, uint64_t n, uint64_t bytes)
{
	c->cls[cls][0] += n;
	c->cls[cls][1] += bytes;
}

static int stats_process(void *state, struct sv_vnf_ctx *ctx, const struct sv_pkt *pkt,
			 const void *in, void *out)
{
	struct stats_state *st = state;
	uint64_t n = pkt->sampling_rate > 1 ? pkt->sampling_rate : 1;
	uint64_t bytes = n * pkt->wire_len;
	int l4 = ST_OTHER;

	if (!st->start_ns)
		st->start_ns = pkt->ts_ns;
	if (pkt->ts_ns > st->last_ns)
		st->last_ns = pkt->ts_ns;

	if (pkt->ip_version && !(pkt->flags & SV_PKT_FRAGMENT)) {
		switch (pkt->proto) {
		case IPPROTO_TCP:
			l4 = ST_TCP;
			break;
		case IPPROTO_UDP:
			l4 = ST_UDP;
			break;
		case IPPROTO_ICMP:
		case IPPROTO_ICMPV6:
			l4 = ST_ICMP;
			break;
		}
	}
	stats_add(&st->c, l4, n, bytes);
	if (pkt->ip_version == 4)
		stats_add(&st->c, ST_IPV4, n, bytes);
	else if (pkt->ip_version == 6)
		stats_add(&st->c, ST_IPV6, n, bytes);
	st->c.packets += n;
	st->c.bytes += bytes;
	sv_counter_add(st->packets, n);
	sv_counter_add(st->bytes, bytes);
	return SV_CONTINUE;
}

static void stats_emit(struct stats_state *st, struct sv_vnf_ctx *ctx, uint64_t end_ns)
{
	struct sv_event *ev;

	/* Packets out of time order may leave the newest one before the start. */
	if (end_ns < st->start_ns)
		end_ns = st->start_ns;
	ev = sv_event_begin(ctx, "pkt_stats");
	sv_event_double(ev, "start", (double)st->start_ns / SV_NS_PER_S);
	sv_event_double(ev, "seconds", (double)(end_ns - st->start_ns) / SV_NS_PER_S);
	sv_event_u64(ev, "packets", st->c.packets);
	sv_event_u64(ev, "bytes", st->c.bytes);
	for (int i = 0; i < ST_NCLASS; i++) {
		sv_event_u64(ev, stats_keys[i][0], st->c.cls[i][0]);
		sv_event_u64(ev, stats_keys[i][1], st->c.cls[i][1]);
	}
	sv_event_end(ev);
	memset(&st->c, 0, sizeof(st->c));
}

static void stats_tick(void *state, struct sv_vnf_ctx *ctx, uint64_t now_ns)
{
	struct stats_state *st = state;
	uint64_t passed;

	if (!st->start_ns || now_ns < st->start_ns)
		return;
	passed = now_ns - st->start_ns;
	if (passed < st->interval_ns)
		return;
	/* After a gap of several intervals the next one begins on the grid. */
	passed -= passed % st->interval_ns;
	stats_emit(st, ctx, st->start_ns + st->interval_ns);
	st->start_ns += passed;
}

static void stats_report(void *state, struct sv_vnf_ctx *ctx)
{
	struct stats_state *st = state;

	if (st->c.packets)
		stats_emit(st, ctx, st->last_ns);
}

static void stats_destroy(void *state)
{
	free(state);
}

pkt_vnf sv_vnf_pkt_stats = {
	.desc = {
		.name = "pkt_stats",
		.version = "1.0",
		.summary = "packets and bytes per protocol, per interval",
		.events = "`pkt_stats`: packets and bytes per protocol per interval",
		.args = stats_args,
		.create = stats_create,
		.tick = stats_tick,
		.report = stats_report,
		.destroy = stats_destroy,
	},
	.process = stats_process,
};
