/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_chain.c - what the chain itself costs per VNF, by chain length:
 * the compiled chain (sv_chain_pkt running copy plans) against the
 * original design (for every item and every link, walk the converter's
 * index table, look each member up in both schemas, copy it alone), and
 * the same compiled chain without converters (the loop, the per-VNF
 * counter and the call alone).
 *
 *   bench_chain [-r reps] [-l length] [-d compiled|baseline|bare] [-t FILE] [items]
 *          (default 2000000 items, best of 5; -l, -d: one length, one design;
 *          -t: ns per item by length also as TSV in FILE, nan: not measured)
 *
 * Every stage reads and writes the same realistic metadata: a 5-tuple,
 * host[128], uri[256] and three counters. A link maps ten members from the
 * previous output to the next input, whose layout differs (four copies
 * once merged: 384, 45, 16 and 4 bytes). The VNFs do next to nothing, so
 * the figures are the framework: the copies, the loop, the counter and the
 * indirect call. Time is this thread's CPU time (the machine is shared),
 * the best of the repetitions, the designs taking turns in each.
 *
 * Columns: ns per item; t/L, that divided by the chain length; and
 * ns/stage, (t(L) - t(1)) / (L - 1), what one more stage adds.
 *
 * Instructions instead of time: count one design at length 1 and 16,
 *   valgrind --tool=callgrind --callgrind-out-file=/dev/null \
 *     --toggle-collect=sv_chain_pkt build/bench/bench_chain -r 1 -l 16 -d compiled 100000
 * (base_pkt for -d baseline), and take ("Collected" at 16 - at 1) / 15 /
 * 100000. Under valgrind, memcpy is its AVX2 version.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <snapvnf/service.h>

#include "lib/chain.h"

#define MAX_LEN  16
#define NPKTS    64u
#define REPEAT   5

/* What every stage writes. */
struct meta_out {
	struct sv_addr src;
	struct sv_addr dst;
	uint16_t sport;
	uint16_t dport;
	uint8_t proto;
	uint8_t verdict;
	uint16_t pad;
	uint64_t bytes;
	uint64_t pkts;
	uint32_t flags;
	uint32_t score;
	char host[128];
	char uri[256];
};
SV_SCHEMA(meta_out, SV_FIELD(struct meta_out, src), SV_FIELD(struct meta_out, dst),
	  SV_FIELD(struct meta_out, sport), SV_FIELD(struct meta_out, dport),
	  SV_FIELD(struct meta_out, proto), SV_FIELD(struct meta_out, verdict),
	  SV_FIELD(struct meta_out, bytes), SV_FIELD(struct meta_out, pkts),
	  SV_FIELD(struct meta_out, flags), SV_FIELD(struct meta_out, score),
	  SV_FIELD(struct meta_out, host), SV_FIELD(struct meta_out, uri));
enum { O_SRC, O_DST, O_SPORT, O_DPORT, O_PROTO, O_VERDICT, O_BYTES, O_PKTS, O_FLAGS,
       O_SCORE, O_HOST, O_URI };

/* What every stage after the first reads: the same members, laid out as
 * an L7 VNF would declare them. */
struct meta_in {
	char host[128];
	char uri[256];
	struct sv_addr src;
	struct sv_addr dst;
	uint16_t sport;
	uint16_t dport;
	uint8_t proto;
	uint8_t pad[3];
	uint32_t flags;
	uint64_t bytes;
	uint64_t pkts;
};
SV_SCHEMA(meta_in, SV_FIELD(struct meta_in, host), SV_FIELD(struct meta_in, uri),
	  SV_FIELD(struct meta_in, src), SV_FIELD(struct meta_in, dst),
	  SV_FIELD(struct meta_in, sport), SV_FIELD(struct meta_in, dport),
	  SV_FIELD(struct meta_in, proto), SV_FIELD(struct meta_in, flags),
	  SV_FIELD(struct meta_in, bytes), SV_FIELD(struct meta_in, pkts));
enum { I_HOST, I_URI, I_SRC, I_DST, I_SPORT, I_DPORT, I_PROTO, I_FLAGS, I_BYTES, I_PKTS };

/* One link, as a user writes it for register_pkt_vnf(). */
static size_t link_rows[][3] = {
	{ I_SRC, O_SRC, 0 },     { I_DST, O_DST, 0 },     { I_SPORT, O_SPORT, 0 },
	{ I_DPORT, O_DPORT, 0 }, { I_PROTO, O_PROTO, 0 }, { I_FLAGS, O_FLAGS, 0 },
	{ I_BYTES, O_BYTES, 0 }, { I_PKTS, O_PKTS, 0 },   { I_HOST, O_HOST, 0 },
	{ I_URI, O_URI, 0 },     { 0, 0, 0 },
};

static int state;

static void *vnf_create(struct sv_vnf_ctx *ctx, const char *args)
{
	return &state;
}

/* The first stage fills its output from the packet (the strings once). */
static int source_process(void *st, struct sv_vnf_ctx *ctx, const struct sv_pkt *p,
			  const void *in, void *out)
{
	struct meta_out *o = out;

	if (!o->host[0]) {
		snprintf(o->host, sizeof(o->host), "www.example.com");
		snprintf(o->uri, sizeof(o->uri), "/index.html?q=snapvnf");
	}
	o->sport = p->sport;
	o->dport = p->dport;
	o->bytes += p->wire_len;
	o->pkts++;
	return SV_CONTINUE;
}

/* Every other stage: one field written from its input. */
static int pass_process(void *st, struct sv_vnf_ctx *ctx, const struct sv_pkt *p,
			const void *in, void *out)
{
	const struct meta_in *i = in;
	struct meta_out *o = out;

	o->pkts = i->pkts + 1;
	return SV_CONTINUE;
}

static char names[MAX_LEN][8];
static pkt_vnf vnfs[MAX_LEN];

static void make_vnfs(void)
{
	for (unsigned i = 0; i < MAX_LEN; i++) {
		snprintf(names[i], sizeof(names[i]), "s%02u", i);
		vnfs[i] = (pkt_vnf){
			.desc = { .name = names[i], .version = "1", .in = i ? &meta_in_schema : NULL,
				  .out = &meta_out_schema, .create = vnf_create },
			.process = i ? pass_process : source_process,
		};
	}
}

/* ---- the original design, reproduced ---- */

struct base_stage {
	const pkt_vnf *vnf;
	size_t (*conv)[3];  /* the table as registered, or NULL */
	void *state;
	void *in, *out;
	struct sv_vnf_ctx ctx;
};

struct base_chain {
	unsigned n;
	struct base_stage st[MAX_LEN];
};

/* Per item, per link, per row: find both member descriptors by index,
 * copy that member, call its function if it has one. */
__attribute__((noinline)) static unsigned base_pkt(struct base_chain *ch, const struct sv_pkt *pkt)
{
	unsigned i;

	for (i = 0; i < ch->n; i++) {
		struct base_stage *s = &ch->st[i];

		if (s->conv) {
			const struct base_stage *prev = s - 1;
			const struct sv_schema *is = s->vnf->desc.in, *os = prev->vnf->desc.out;

			for (size_t (*r)[3] = s->conv; (*r)[0] || (*r)[1] || (*r)[2]; r++) {
				const struct sv_member *d = &is->members[(*r)[0]];
				const struct sv_member *m = &os->members[(*r)[1]];

				memcpy((uint8_t *)s->in + d->offset,
				       (const uint8_t *)prev->out + m->offset, m->size);
				if ((*r)[2])
					((sv_conv_fn)(*r)[2])((uint8_t *)s->in + d->offset);
			}
		}
		if (s->vnf->process(s->state, &s->ctx, pkt, s->in, s->out) == SV_STOP) {
			i++;
			break;
		}
	}
	return i;
}

static struct base_chain *base_new(unsigned len)
{
	struct base_chain *ch = calloc(1, sizeof(*ch));

	if (!ch)
		return NULL;
	for (unsigned i = 0; i < len; i++) {
		struct base_stage *s = &ch->st[i];

		s->vnf = &vnfs[i];
		s->conv = i ? link_rows : NULL;
		s->state = vnf_create(&s->ctx, NULL);
		s->in = calloc(1, sizeof(struct meta_in));
		s->out = calloc(1, sizeof(struct meta_out));
		if (!s->in || !s->out)
			return NULL;  /* a benchmark: the process ends */
		ch->n++;
	}
	return ch;
}

static void base_free(struct base_chain *ch)
{
	if (!ch)
		return;
	for (unsigned i = 0; i < ch->n; i++) {
		free(ch->st[i].in);
		free(ch->st[i].out);
	}
	free(ch);
}

/* ---- the compiled chain ---- */

/* With `rows` NULL the VNFs are chained without converters: what the
 * chain costs before any metadata moves. */
static struct sv_chain *compiled_new(unsigned len, size_t (*rows)[3])
{
	struct sv_chain *ch = sv_chain_new("bench", NULL);
	char err[256];
	int rc;

	if (!ch)
		return NULL;
	for (unsigned i = 0; i < len; i++) {
		rc = sv_chain_add(ch, SV_KIND_PKT, &vnfs[i], NULL, i ? rows : NULL, NULL, err, sizeof(err));
		if (rc < 0) {
			fprintf(stderr, "bench_chain: %s\n", err);
			sv_chain_free(ch);
			return NULL;
		}
	}
	if (sv_chain_compile(ch) < 0) {
		sv_chain_free(ch);
		return NULL;
	}
	return ch;
}

/* ---- measuring ---- */

static struct sv_pkt *pkts[NPKTS];

static void make_pkts(void)
{
	for (unsigned i = 0; i < NPKTS; i++) {
		struct sv_pkt *p = calloc(1, sizeof(*p) + 64);

		if (!p) {
			fprintf(stderr, "bench_chain: out of memory\n");
			exit(1);
		}
		p->ts_ns = 1000000000ull * i;
		p->wire_len = 60 + 23 * i;
		p->cap_len = 64;
		p->ip_version = 4;
		p->proto = 6;
		p->sport = (uint16_t)(40000 + i);
		p->dport = 80;
		pkts[i] = p;
	}
}

static double cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* ns per item; `ran` counts stages run, so neither loop can be elided. */
static double time_compiled(struct sv_chain *ch, uint64_t items, uint64_t *ran)
{
	double t0 = cpu_ns();

	for (uint64_t k = 0; k < items; k++)
		*ran += sv_chain_pkt(ch, pkts[k % NPKTS]);
	return (cpu_ns() - t0) / (double)items;
}

static double time_base(struct base_chain *ch, uint64_t items, uint64_t *ran)
{
	double t0 = cpu_ns();

	for (uint64_t k = 0; k < items; k++)
		*ran += base_pkt(ch, pkts[k % NPKTS]);
	return (cpu_ns() - t0) / (double)items;
}

/* Copies a compiled link makes, and the bytes it maps. */
static unsigned plan_ops(size_t *bytes)
{
	struct sv_conv_row *rows;
	struct sv_plan plan;
	unsigned n, ops;
	char err[256];

	*bytes = 0;
	if (sv_conv_rows("a", &meta_out_schema, "b", &meta_in_schema, link_rows, &rows, &n, err,
			 sizeof(err)) < 0)
		return 0;
	for (unsigned i = 0; i < n; i++)
		*bytes += meta_out_schema.members[rows[i].src].size;
	if (sv_plan_compile(&plan, &meta_out_schema, &meta_in_schema, rows, n) < 0) {
		free(rows);
		return 0;
	}
	ops = plan.n;
	sv_plan_free(&plan);
	free(rows);
	return ops;
}

static const unsigned lens[] = { 1, 2, 4, 8, 16 };
enum { NLENS = sizeof(lens) / sizeof(lens[0]) };
enum { COMPILED, BASELINE, BARE, NDESIGNS };

/* One repetition of one chain length: each design once, in a rotating order. */
static int measure(unsigned j, unsigned r, int design, uint64_t items, double best[][NLENS],
		   uint64_t *ran)
{
	struct sv_chain *cc = compiled_new(lens[j], link_rows);
	struct sv_chain *bare = compiled_new(lens[j], NULL);
	struct base_chain *bc = base_new(lens[j]);
	int rc = 0;

	if (!cc || !bare || !bc) {
		fprintf(stderr, "bench_chain: cannot build a chain of %u\n", lens[j]);
		rc = -1;
		goto out;
	}
	for (unsigned k = 0; k < NDESIGNS; k++) {
		unsigned d = (k + r) % NDESIGNS;
		double t;

		if (design >= 0 && d != (unsigned)design)
			continue;
		t = d == COMPILED ? time_compiled(cc, items, ran) :
			   d == BASELINE ? time_base(bc, items, ran) : time_compiled(bare, items, ran);

		if (t < best[d][j])
			best[d][j] = t;
	}
out:
	sv_chain_free(cc);
	sv_chain_free(bare);
	base_free(bc);
	return rc;
}

/* ns per added stage: (t(L) - t(1)) / (L - 1); not a number at length 1
 * or when length 1 was not measured. */
static double per_stage(const double *t, unsigned j)
{
	return j ? (t[j] - t[0]) / (lens[j] - 1) : NAN;
}

/* A figure, or "-" for what was not measured (infinite) or has no meaning. */
static void cell(int width, double v)
{
	if (isfinite(v))
		printf(" %*.2f", width, v);
	else
		printf(" %*s", width, "-");
}

int main(int argc, char **argv)
{
	double best[NDESIGNS][NLENS];
	uint64_t items = 2000000, ran = 0;
	static const char *const design_names[NDESIGNS] = { "compiled", "baseline", "bare" };
	unsigned reps = REPEAT, only = 0, ops;
	int opt, design = -1;
	size_t bytes;
	FILE *tsv = NULL;

	while ((opt = getopt(argc, argv, "r:l:d:t:")) != -1) {
		if (opt == 'r') {
			reps = (unsigned)strtoul(optarg, NULL, 10);
		} else if (opt == 'l') {
			only = (unsigned)strtoul(optarg, NULL, 10);
		} else if (opt == 'd') {
			for (design = NDESIGNS - 1; design >= 0; design--)
				if (strcmp(optarg, design_names[design]) == 0)
					break;
			if (design < 0)
				goto usage;
		} else if (opt == 't') {
			if (!(tsv = fopen(optarg, "w"))) {
				perror(optarg);
				return 2;
			}
		} else {
			goto usage;
		}
	}
	if (optind < argc)
		items = strtoull(argv[optind], NULL, 10);
	if (!items || !reps || only > MAX_LEN)
		goto usage;

	make_vnfs();
	make_pkts();
	for (unsigned d = 0; d < NDESIGNS; d++)
		for (unsigned j = 0; j < NLENS; j++)
			best[d][j] = INFINITY;
	for (unsigned r = 0; r < reps; r++)
		for (unsigned j = 0; j < NLENS; j++)
			if ((!only || lens[j] == only) && measure(j, r, design, items, best, &ran) < 0)
				return 1;

	ops = plan_ops(&bytes);
	printf("chain: framework cost by chain length, %llu items, best of %u, CPU ns\n",
	       (unsigned long long)items, reps);
	printf("a link maps 10 members, %zu bytes: baseline 10 lookups and copies, compiled %u "
	       "copies\n", bytes, ops);
	printf("ns/stage = (t(L) - t(1)) / (L - 1); no converters = the compiled chain "
	       "without links\n");
	printf("%6s | %-25s | %-25s | %-17s | %s\n", "", "compiled", "baseline (index walk)",
	       "no converters", "baseline/compiled");
	printf("%6s | %7s %7s %9s | %7s %7s %9s | %7s %9s | %6s %9s\n", "length", "ns/item",
	       "t/L", "ns/stage", "ns/item", "t/L", "ns/stage", "ns/item", "ns/stage", "item",
	       "per stage");
	if (tsv)
		fprintf(tsv, "length\tcompiled_ns_per_item\tbaseline_ns_per_item\t"
			"no_converters_ns_per_item\n");
	for (unsigned j = 0; j < NLENS; j++) {
		const double *c = best[COMPILED], *b = best[BASELINE], *h = best[BARE];
		unsigned l = lens[j];

		if (only && l != only)
			continue;
		printf("%6u |", l);
		cell(7, c[j]), cell(7, c[j] / l), cell(9, per_stage(c, j));
		printf(" |");
		cell(7, b[j]), cell(7, b[j] / l), cell(9, per_stage(b, j));
		printf(" |");
		cell(7, h[j]), cell(9, per_stage(h, j));
		printf(" |");
		cell(6, b[j] / c[j]), cell(9, per_stage(b, j) / per_stage(c, j));
		printf("\n");
		if (tsv)
			fprintf(tsv, "%u\t%.2f\t%.2f\t%.2f\n", l, isfinite(c[j]) ? c[j] : NAN,
				isfinite(b[j]) ? b[j] : NAN, isfinite(h[j]) ? h[j] : NAN);
	}
	/* Keeps every run's result live. */
	if (ran == 0)
		printf("no stage ran\n");
	if (tsv && fclose(tsv)) {
		perror("bench_chain: -t");
		return 1;
	}
	return 0;
usage:
	fprintf(stderr, "usage: bench_chain [-r reps] [-l length] [-d compiled|baseline|bare] "
		"[-t FILE] [items]\n");
	return 2;
}
