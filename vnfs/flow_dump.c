/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * flow_dump.c - every flow record as an event.
 *
 * Argument: kind=all (default), sample, flow or counters: which records
 * to write. Each becomes one "flow" event with
 *   kind       "sample", "flow" (an aggregate) or "counters"
 *   agent      the sFlow agent's address, and sub_agent, source_id
 * sample and flow records:
 *   src, dst (null without IP), sport, dport, proto, tcp_flags, vlan,
 *   in_if, out_if, sampling_rate, packets, bytes (estimated: the
 *   sampling rate times the samples and their frame lengths);
 *   frame_len (sample), first, last (flow: seconds since the epoch)
 * counters records (sFlow generic interface counters):
 *   ifindex, if_type, if_speed, if_direction, if_status (bit 0 admin up,
 *   bit 1 oper up), in_octets, in_ucast, in_mcast, in_bcast, in_discards,
 *   in_errors, in_unknown, out_octets, out_ucast, out_mcast, out_bcast,
 *   out_discards, out_errors, promisc.
 * A record of a kind this build does not know is counted ("unknown") and
 * skipped. No metadata; never stops the chain.
 */
#include <stdlib.h>
#include <string.h>

#include <snapvnf/builtin.h>
#include <snapvnf/vnf_util.h>

enum { DUMP_ALL, DUMP_SAMPLE, DUMP_FLOW, DUMP_COUNTERS };

static const char *const dump_kinds[] = { "all", "sample", "flow", "counters", NULL };

static const struct sv_arg dump_args[] = {
	{ "kind", SV_ARG_WORD, 0, "all", 0, 0, dump_kinds, "which records to write" },
	SV_ARG_END,
};

struct dump_state {
	unsigned kind;
	_Atomic uint64_t *records;
	_Atomic uint64_t *unknown;
};

static void *dump_create(struct sv_vnf_ctx *ctx, const char *args)
{
	unsigned kind;
	struct dump_state *st;

	if (sv_vnf_args(ctx, args, &kind) < 0)
		return NULL;
	st = calloc(1, sizeof(*st));
	if (!st) {
		sv_vnf_error(ctx, "out of memory");
		return NULL;
	}
	st->kind = kind;
	st->records = sv_counter(ctx, "records");
	st->unknown = sv_counter(ctx, "unknown");
	return st;
}

static void dump_traffic(struct sv_event *ev, const struct sv_flow *rec)
{
	struct sv_addr a;

	sv_addr_from_flow(&a, rec, false);
	sv_event_addr(ev, "src", &a);
	sv_addr_from_flow(&a, rec, true);
	sv_event_addr(ev, "dst", &a);
	sv_event_u64(ev, "sport", rec->sport);
	sv_event_u64(ev, "dport", rec->dport);
	sv_event_u64(ev, "proto", rec->proto);
	sv_event_u64(ev, "tcp_flags", rec->tcp_flags);
	sv_event_u64(ev, "vlan", rec->vlan);
	sv_event_u64(ev, "in_if", rec->in_if);
	sv_event_u64(ev, "out_if", rec->out_if);
	sv_event_u64(ev, "sampling_rate", rec->sampling_rate);
	sv_event_u64(ev, "packets", rec->packets);
	sv_event_u64(ev, "bytes", rec->bytes);
	if (rec->kind == SV_FLOW_SAMPLE) {
		sv_event_u64(ev, "frame_len", rec->frame_len);
	} else {
		sv_event_double(ev, "first", (double)rec->first_ns / 1e9);
		sv_event_double(ev, "last", (double)rec->last_ns / 1e9);
	}
}

static void dump_counters(struct sv_event *ev, const struct sv_flow *rec)
{
	sv_event_u64(ev, "ifindex", rec->ifindex);
	sv_event_u64(ev, "if_type", rec->if_type);
	sv_event_u64(ev, "if_speed", rec->if_speed);
	sv_event_u64(ev, "if_direction", rec->if_direction);
	sv_event_u64(ev, "if_status", rec->if_status);
	sv_event_u64(ev, "in_octets", rec->in_octets);
	sv_event_u64(ev, "in_ucast", rec->in_ucast);
	sv_event_u64(ev, "in_mcast", rec->in_mcast);
	sv_event_u64(ev, "in_bcast", rec->in_bcast);
	sv_event_u64(ev, "in_discards", rec->in_discards);
	sv_event_u64(ev, "in_errors", rec->in_errors);
	sv_event_u64(ev, "in_unknown", rec->in_unknown);
	sv_event_u64(ev, "out_octets", rec->out_octets);
	sv_event_u64(ev, "out_ucast", rec->out_ucast);
	sv_event_u64(ev, "out_mcast", rec->out_mcast);
	sv_event_u64(ev, "out_bcast", rec->out_bcast);
	sv_event_u64(ev, "out_discards", rec->out_discards);
	sv_event_u64(ev, "out_errors", rec->out_errors);
	sv_event_u64(ev, "promisc", rec->promisc);
}

static int dump_process(void *state, struct sv_vnf_ctx *ctx, const struct sv_flow *rec,
			const void *in, void *out)
{
	static const char *const names[] = {
		[SV_FLOW_SAMPLE] = "sample",
		[SV_FLOW_AGGREGATE] = "flow",
		[SV_FLOW_COUNTERS] = "counters",
	};
	static const unsigned wanted[] = {
		[SV_FLOW_SAMPLE] = DUMP_SAMPLE,
		[SV_FLOW_AGGREGATE] = DUMP_FLOW,
		[SV_FLOW_COUNTERS] = DUMP_COUNTERS,
	};
	struct dump_state *st = state;
	struct sv_event *ev;
	struct sv_addr agent = { 0 };

	if (rec->kind < SV_FLOW_SAMPLE || rec->kind > SV_FLOW_COUNTERS) {
		sv_counter_add(st->unknown, 1);
		return SV_CONTINUE;
	}
	if (st->kind != DUMP_ALL && st->kind != wanted[rec->kind])
		return SV_CONTINUE;
	sv_counter_add(st->records, 1);

	ev = sv_event_begin(ctx, "flow");
	sv_event_str(ev, "kind", names[rec->kind], SIZE_MAX);
	if (rec->agent_family == 4 || rec->agent_family == 6) {
		agent.family = rec->agent_family;
		memcpy(agent.a, rec->agent, rec->agent_family == 4 ? 4 : 16);
	}
	sv_event_addr(ev, "agent", &agent);
	sv_event_u64(ev, "sub_agent", rec->sub_agent);
	sv_event_u64(ev, "source_id", rec->source_id);
	if (rec->kind == SV_FLOW_COUNTERS)
		dump_counters(ev, rec);
	else
		dump_traffic(ev, rec);
	sv_event_end(ev);
	return SV_CONTINUE;
}

static void dump_destroy(void *state)
{
	free(state);
}

flow_vnf sv_vnf_flow_dump = {
	.desc = {
		.name = "flow_dump",
		.version = "1.0",
		.summary = "every flow record as an event",
		.events = "`flow`: every record, for debugging",
		.args = dump_args,
		.create = dump_create,
		.destroy = dump_destroy,
	},
	.process = dump_process,
};
