/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_vnf_args.c - libFuzzer harness for VNF argument strings:
 * sv_args_parse() and each built-in VNF's create() given them.
 *
 * The input is one argument string, NUL-terminated in a heap block of
 * exactly its size. It is parsed against a table with a key of each type:
 * a value that passes must be in the table's range, a failure must say
 * why in the space given (a full buffer and a short one). Then every
 * built-in VNF but url_filter (whose argument is a file: fuzz_url_filter)
 * is added to a chain with it, and a chain that starts is given a few
 * packets and flow records and a tick and a report, so that values at the
 * edges of what create() accepts also run.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <snapvnf/builtin.h>

#include "decode/packet.h"
#include <snapvnf/vnf_util.h>
#include "lib/chain.h"
#include "lib/event.h"
#include "lib/sink.h"

#define NS 1000000000ull

static void parse(const char *args)
{
	static const char *const words[] = { "sample", "flow", "all", NULL };
	struct opts {
		uint64_t n, big;
		double share;
		unsigned kind;
		bool stop;
		char file[16];
	} o;
	static const struct sv_arg spec[] = {
		{ "n", SV_ARG_UINT, offsetof(struct opts, n), "7", 1, 1000, NULL, NULL },
		{ "big", SV_ARG_UINT, offsetof(struct opts, big), NULL, 0, 1e15, NULL, NULL },
		{ "share", SV_ARG_DOUBLE, offsetof(struct opts, share), "0.5", 0.001, 1, NULL, NULL },
		{ "kind", SV_ARG_WORD, offsetof(struct opts, kind), "flow", 0, 0, words, NULL },
		{ "stop", SV_ARG_FLAG, offsetof(struct opts, stop), NULL, 0, 0, NULL, NULL },
		{ "file", SV_ARG_STR, offsetof(struct opts, file), NULL, 0, 16, NULL, NULL },
		SV_ARG_END,
	};
	static const size_t errlens[] = { 256, 9 };

	for (size_t i = 0; i < sizeof(errlens) / sizeof(errlens[0]); i++) {
		char *err = malloc(errlens[i]);
		int rc;

		if (!err)
			return;
		rc = sv_args_parse(args, spec, &o, err, errlens[i]);
		if (rc != 0 && rc != -EINVAL)
			abort();
		if (!memchr(err, '\0', errlens[i]) || (rc < 0) != (err[0] != '\0'))
			abort();
		if (rc == 0 && (o.n < 1 || o.n > 1000 || o.big > 1000000000000000ull ||
				!(o.share >= 0.001 && o.share <= 1) || o.kind > 2 ||
				!memchr(o.file, '\0', sizeof(o.file))))
			abort();
		free(err);
	}
}

static void run(struct sv_chain *ch)
{
	/* IPv4, TCP to port 80, an HTTP request: every packet VNF has work. */
	static const char req[] = "GET / HTTP/1.1\r\nHost: a.example\r\n\r\n";
	static const uint8_t hdr[40] = {
		0x45, 0, 0, 40 + sizeof(req) - 1, 0, 1, 0x40, 0, 64, 6, 0, 0, 10, 0, 0, 1,
		10, 0, 0, 2, 0x9c, 0x40, 0, 80, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x18, 0xff, 0xff,
	};
	uint8_t buf[sizeof(struct sv_pkt) + sizeof(hdr) + sizeof(req)] = { 0 };
	struct sv_pkt *p = (struct sv_pkt *)buf;
	struct sv_flow r = { .kind = SV_FLOW_SAMPLE, .ip_version = 4, .proto = 6,
			     .tcp_flags = 0x02, .src = { 10, 0, 0, 1 }, .dst = { 10, 0, 0, 2 },
			     .sport = 40000, .dport = 80, .sampling_rate = 1000,
			     .frame_len = 60, .packets = 1000, .bytes = 60000 };

	if (sv_chain_compile(ch) < 0)
		abort();
	memcpy(p->data, hdr, sizeof(hdr));
	memcpy(p->data + sizeof(hdr), req, sizeof(req) - 1);
	p->cap_len = p->wire_len = sizeof(hdr) + sizeof(req) - 1;
	p->sampling_rate = 1;
	if (sv_packet_decode(p, SV_LINK_RAW) != 0 || p->payload_len != sizeof(req) - 1)
		abort();
	for (unsigned i = 0; i < 40; i++) {
		r.ts_ns = r.first_ns = r.last_ns = i * NS / 4;
		r.dport = (uint16_t)(80 + i);
		r.dst[3] = (uint8_t)(i % 7);
		r.kind = i % 3 == 2 ? SV_FLOW_AGGREGATE : SV_FLOW_SAMPLE;
		sv_chain_flow(ch, &r);
		p->ts_ns = r.ts_ns;
		sv_chain_pkt(ch, p);
		if (i % 8 == 7)
			sv_chain_tick(ch, r.ts_ns);
	}
	r.kind = SV_FLOW_COUNTERS;
	sv_chain_flow(ch, &r);
	sv_chain_tick(ch, 3600 * NS * 24);
	sv_chain_report(ch);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *args = malloc(size + 1);

	if (!args)
		return 0;
	memcpy(args, data, size);
	args[size] = '\0';
	parse(args);
	for (const struct sv_builtin *b = sv_builtins; b->name; b++) {
		struct sv_chain *ch;
		char err[256];
		int rc;

		if (strcmp(b->name, "url_filter") == 0)
			continue;
		ch = sv_chain_new("fuzz", NULL);
		if (!ch)
			break;
		sv_event_out_sink(sv_chain_events(ch), sv_sink_open("/dev/null"));
		rc = b->pkt ? sv_chain_add(ch, SV_KIND_PKT, b->pkt, args, NULL, NULL, err, sizeof(err))
			    : sv_chain_add(ch, SV_KIND_FLOW, b->flow, args, NULL, NULL, err,
					   sizeof(err));
		if (rc == 0 && sv_chain_len(ch) != 1)
			abort();
		if (rc < 0 && (!err[0] || sv_chain_len(ch) != 0))
			abort();
		if (rc == 0)
			run(ch);
		sv_chain_free(ch);
	}
	free(args);
	return 0;
}
