/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * testutil.h - what the capture-driven tests share: tshark's truth files,
 * the captures of tests/data/, packets in exact heap blocks, and a chain
 * whose events are read back from a temporary file.
 *
 * Header-only (static inline), so that each tests/test_*.c stays one
 * binary built from one file. Failures end the running cmocka test.
 */
#ifndef SV_TESTUTIL_H
#define SV_TESTUTIL_H

#include <errno.h>
#include <json-c/json.h>
#include <pcap/pcap.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <snapvnf/service.h>

#include "decode/packet.h"
#include "lib/chain.h"
#include "lib/event.h"
#include "lib/sink.h"

#define DATA_DIR "tests/data/"
#define MAX_COLS 24

/* ------------------------------------------------------------------ */
/* Truth files: tab-separated, as tshark -T fields writes them          */

struct row {
	char *f[MAX_COLS]; /* f[n] and after are NULL */
	int n;
};

struct table {
	char *text;
	struct row *rows;  /* rows[0] is the header row */
	int n;
};

/* Load DATA_DIR NAME.KIND.tsv; an absent file is an empty table. */
static inline void table_load(struct table *t, const char *name, const char *kind)
{
	char path[256];
	FILE *f;
	long size;
	char *line, *save = NULL;

	memset(t, 0, sizeof(*t));
	snprintf(path, sizeof(path), DATA_DIR "%s.%s.tsv", name, kind);
	f = fopen(path, "rb");
	if (!f)
		return;
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	size = ftell(f);
	rewind(f);
	t->text = calloc(1, (size_t)size + 1);
	assert_non_null(t->text);
	assert_int_equal(fread(t->text, 1, (size_t)size, f), (size_t)size);
	fclose(f);

	for (line = strtok_r(t->text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct row *r;
		char *cell = line;

		t->rows = realloc(t->rows, sizeof(*t->rows) * (size_t)(t->n + 1));
		assert_non_null(t->rows);
		r = &t->rows[t->n++];
		memset(r, 0, sizeof(*r));
		/* strsep keeps empty cells, which tshark writes for absent fields */
		while (cell && r->n < MAX_COLS)
			r->f[r->n++] = strsep(&cell, "\t");
	}
}

static inline void table_free(struct table *t)
{
	free(t->rows);
	free(t->text);
}

/* A cell; "" past the end of its row. */
static inline const char *cell(const struct row *r, int col)
{
	return col < r->n ? r->f[col] : "";
}

/* The data row whose first column is frame number num, or NULL. */
static inline const struct row *row_of(const struct table *t, unsigned long num)
{
	for (int i = 1; i < t->n; i++)
		if (strtoul(cell(&t->rows[i], 0), NULL, 10) == num)
			return &t->rows[i];
	return NULL;
}

/*
 * The idx-th (0-based) row of NAME.offsets.tsv (frame, field, pos, end)
 * for field in frame num, or NULL.
 */
static inline const struct row *offset_of(const struct table *t, unsigned long num,
					  const char *field, int idx)
{
	for (int i = 1; i < t->n; i++) {
		if (strtoul(cell(&t->rows[i], 0), NULL, 10) != num ||
		    strcmp(cell(&t->rows[i], 1), field))
			continue;
		if (idx-- == 0)
			return &t->rows[i];
	}
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Captures and packets                                                 */

/* DATA_DIR NAME.pcap, open for reading; fails the test when it cannot. */
static inline pcap_t *open_pcap(const char *name)
{
	char path[256], err[PCAP_ERRBUF_SIZE];
	pcap_t *pc;

	snprintf(path, sizeof(path), DATA_DIR "%s.pcap", name);
	pc = pcap_open_offline(path, err);
	if (!pc)
		fail_msg("%s: %s", path, err);
	return pc;
}

/*
 * A packet of caplen bytes (wire_len on the wire) in a heap block of
 * exactly its size, so that AddressSanitizer sees a read past the snap;
 * free() it. The fields sv_packet_decode() owns are poisoned: decode must
 * set every one. The source fields say "mirror capture".
 */
static inline struct sv_pkt *pkt_new(const uint8_t *bytes, uint32_t caplen, uint32_t wire_len)
{
	struct sv_pkt *p = malloc(sizeof(*p) + caplen);

	assert_non_null(p);
	assert_true(caplen <= UINT16_MAX);
	memset(p, 0xA5, sizeof(*p));
	p->ts_ns = 0;
	p->wire_len = wire_len;
	p->cap_len = (uint16_t)caplen;
	p->source = 0;
	p->sampling_rate = 1;
	p->in_if = 0;
	p->out_if = 0;
	memcpy(p->data, bytes, caplen);
	return p;
}

/* ------------------------------------------------------------------ */
/* A chain and the events it wrote                                     */

struct event {
	int item;  /* the packet or record (1-based) whose processing wrote it; 0: tick/report */
	json_object *obj;
};

struct run {
	struct sv_stats stats;
	struct sv_chain *ch;
	char path[32];
	FILE *rd;
	struct event *ev;
	int nev;
	int items; /* fed so far, for callers that number them here */
};

/* Send r's events to spec ("-", a path, ...). */
static inline void run_events_to(struct run *r, const char *spec)
{
	struct sv_sink *s = sv_sink_open(spec);

	if (!s)
		fail_msg("cannot open the event sink %s: %s", spec, strerror(errno));
	sv_event_out_sink(sv_chain_events(r->ch), s);
}

/* An empty chain whose events go to a temporary file. */
static inline struct run *run_new(void)
{
	struct run *r = calloc(1, sizeof(*r));
	int fd;

	assert_non_null(r);
	r->ch = sv_chain_new("test", &r->stats);
	assert_non_null(r->ch);
	snprintf(r->path, sizeof(r->path), "/tmp/test_events.XXXXXX");
	fd = mkstemp(r->path);
	assert_true(fd >= 0);
	close(fd);
	run_events_to(r, r->path);
	r->rd = fopen(r->path, "r");
	assert_non_null(r->rd);
	return r;
}

static inline void run_free(struct run *r)
{
	for (int i = 0; i < r->nev; i++)
		json_object_put(r->ev[i].obj);
	free(r->ev);
	fclose(r->rd);
	unlink(r->path);
	sv_chain_free(r->ch);
	free(r);
}

/* Read the lines written since the last call, as events of `item`. */
static inline void run_collect(struct run *r, int item)
{
	char *line = NULL;
	size_t cap = 0;

	sv_event_out_flush(sv_chain_events(r->ch));
	clearerr(r->rd);
	while (getline(&line, &cap, r->rd) > 0) {
		json_object *o = json_tokener_parse(line);

		if (!o)
			fail_msg("item %d: not JSON: %s", item, line);
		r->ev = realloc(r->ev, (size_t)(r->nev + 1) * sizeof(*r->ev));
		assert_non_null(r->ev);
		r->ev[r->nev].item = item;
		r->ev[r->nev].obj = o;
		r->nev++;
	}
	free(line);
}

static inline uint64_t run_counter(const struct run *r, const char *name)
{
	char n[SV_STAT_NAME_MAX];
	uint64_t v;

	for (unsigned i = 0; sv_stats_read(&r->stats, i, n, &v) == 0; i++)
		if (strcmp(n, name) == 0)
			return v;
	fail_msg("no counter %s", name);
	return 0;
}

/* Whether the counter called name was declared a gauge (sv_gauge). */
static inline bool run_is_gauge(const struct run *r, const char *name)
{
	char n[SV_STAT_NAME_MAX];
	uint64_t v;

	for (unsigned i = 0; sv_stats_read(&r->stats, i, n, &v) == 0; i++)
		if (strcmp(n, name) == 0)
			return sv_stats_is_gauge(&r->stats, i);
	fail_msg("no counter %s", name);
	return false;
}

/* A member of an event: it must be there (maybe as null). */
static inline json_object *member(json_object *ev, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(ev, key, &v))
		fail_msg("no \"%s\" in %s", key, json_object_to_json_string(ev));
	return v;
}

#endif
