/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_events.c - a chain's event output: its sinks and the fields every
 * packet event carries.
 *   - each chain writes to its own sink; a file sink reopened after a
 *     rename (logrotate) loses no line and writes none twice;
 *   - a sink that cannot write counts every lost line and says so once;
 *   - the ISO 8601 "timestamp" against GNU date's rendering of "ts";
 *   - where a snap came from, against tshark: ERSPAN captures (session id
 *     and mirroring switch, NAME.erspan.tsv) and sFlow captures through
 *     the collector's sampled-header snaps (agent, input ifIndex and the
 *     Community ID of the sampled packet, NAME.sflow_origin.tsv, made by
 *     tests/data/make-community-id-truth.sh).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/ring.h"
#include "daemon/collector.h"
#include "decode/erspan.h"
#include "decode/packet.h"
#include "lib/sink.h"

#include "testutil.h"

/* A packet VNF that writes one event per snap. */
static void *emit_create(struct sv_vnf_ctx *ctx, const char *args)
{
	return ctx;
}

static int emit_process(void *st, struct sv_vnf_ctx *ctx, const struct sv_pkt *p, const void *in,
			void *out)
{
	sv_event_end(sv_event_begin(ctx, "snap"));
	return SV_CONTINUE;
}

static const pkt_vnf emitter = {
	.desc = { .name = "emitter", .create = emit_create },
	.process = emit_process,
};

static struct run *emit_run(void)
{
	struct run *r = run_new();
	char err[256];

	if (sv_chain_add(r->ch, SV_KIND_PKT, &emitter, NULL, NULL, NULL, err, sizeof(err)) < 0)
		fail_msg("%s", err);
	assert_int_equal(sv_chain_compile(r->ch), 0);
	return r;
}

static struct sv_pkt *pkt_v4(uint64_t ts_ns)
{
	static const uint8_t frame[] = {
		/* Ethernet, IPv4 10.0.0.1 -> 10.0.0.2 UDP 1234 -> 53 */
		2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00,
		0x45, 0, 0, 28, 0, 1, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
		0x04, 0xd2, 0, 53, 0, 8, 0, 0,
	};
	struct sv_pkt *p = pkt_new(frame, sizeof(frame), sizeof(frame));

	sv_packet_decode(p, SV_LINK_ETHERNET);
	p->ts_ns = ts_ns;
	return p;
}

static int count_lines(const char *path)
{
	FILE *f = fopen(path, "r");
	int n = 0, c;

	if (!f)
		return -1;
	while ((c = getc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

/* Two chains in one process, two files: nothing is shared. */
static void test_two_chains_two_sinks(void **state)
{
	struct run *a = emit_run(), *b = emit_run();
	struct sv_pkt *p = pkt_v4(1);

	for (int i = 0; i < 3; i++)
		sv_chain_pkt(a->ch, p);
	sv_chain_pkt(b->ch, p);
	run_collect(a, 1);
	run_collect(b, 1);
	assert_int_equal(a->nev, 3);
	assert_int_equal(b->nev, 1);
	assert_int_equal(run_counter(a, "sink.lines"), 3);
	assert_int_equal(run_counter(b, "sink.lines"), 1);
	free(p);
	run_free(a);
	run_free(b);
}

/* logrotate's way: rename the file, then ask for a reopen. */
static void test_reopen_after_rename(void **state)
{
	struct run *r = emit_run();
	struct sv_pkt *p = pkt_v4(1);
	char moved[64];
	struct stat st;

	snprintf(moved, sizeof(moved), "%s.1", r->path);
	for (int i = 0; i < 5; i++)
		sv_chain_pkt(r->ch, p);
	sv_event_out_flush(sv_chain_events(r->ch));
	assert_int_equal(rename(r->path, moved), 0);
	/* Until the reopen, lines still go to the moved file. */
	sv_chain_pkt(r->ch, p);
	assert_int_equal(sv_event_out_reopen(sv_chain_events(r->ch)), 0);
	for (int i = 0; i < 4; i++)
		sv_chain_pkt(r->ch, p);
	sv_event_out_flush(sv_chain_events(r->ch));
	assert_int_equal(count_lines(moved), 6);
	assert_int_equal(count_lines(r->path), 4);
	/* Made with the sink's mode, not the umask's default 0644. */
	assert_int_equal(stat(r->path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0640 & ~(mode_t)0);
	assert_int_equal(run_counter(r, "sink.reopens"), 1);
	assert_int_equal(run_counter(r, "sink.lines"), 10);
	unlink(moved);
	free(p);
	run_free(r);
}

/* A full disk: every line counted lost, one message. */
static void test_lost_lines_counted(void **state)
{
	struct run *r = emit_run();
	struct sv_pkt *p = pkt_v4(1);
	int n = 2000;

	run_events_to(r, "/dev/full");
	for (int i = 0; i < n; i++)
		sv_chain_pkt(r->ch, p);
	sv_event_out_flush(sv_chain_events(r->ch));
	/* stdio buffers: a line is lost when its buffer fails to go out, so
	 * count lines accepted plus errors reported, never silence. */
	assert_true(run_counter(r, "sink.errors") > 0);
	assert_int_equal(run_counter(r, "emitter.events"), (uint64_t)n);
	free(p);
	run_free(r);
}

static void test_sink_specs(void **state)
{
	struct sv_sink *s;

	errno = 0;
	assert_null(sv_sink_open(""));
	assert_int_equal(errno, EINVAL);
	assert_null(sv_sink_open("/nonexistent-dir/events.json"));
	assert_int_equal(errno, ENOENT);
	s = sv_sink_open("-");
	assert_non_null(s);
	assert_string_equal(sv_sink_backend(s), "stdout");
	sv_sink_close(s);
	s = sv_sink_open("syslog");
	assert_non_null(s);
	assert_string_equal(sv_sink_backend(s), "syslog");
	sv_sink_close(s);
	s = sv_sink_open("journald");
	if (access("/run/systemd/journal/socket", W_OK) == 0) {
		assert_non_null(s);
		assert_string_equal(sv_sink_backend(s), "journald");
		sv_sink_close(s);
	} else {
		/* No journal here: refused at once, not a silent loss per line. */
		assert_null(s);
		assert_int_equal(errno, ENOENT);
	}
}

/* "timestamp" is "ts" in ISO 8601 UTC, as GNU date writes it. */
static void test_iso_time(void **state)
{
	static const uint64_t times[] = { 1700000000123456789ull, 951782400000001000ull,
					  4102444799999999000ull };
	struct sv_event_opts opts = { .iso_time = true };

	for (size_t i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
		struct run *r = emit_run();
		struct sv_pkt *p = pkt_v4(times[i]);
		char cmd[128], want[64] = "";
		FILE *date;

		sv_event_out_opts(sv_chain_events(r->ch), &opts);
		sv_chain_pkt(r->ch, p);
		run_collect(r, 1);
		assert_int_equal(r->nev, 1);
		snprintf(cmd, sizeof(cmd), "date -u -d @%s +%%Y-%%m-%%dT%%H:%%M:%%S.%%6NZ",
			 json_object_get_string(member(r->ev[0].obj, "ts")));
		date = popen(cmd, "r");
		assert_non_null(date);
		assert_non_null(fgets(want, sizeof(want), date));
		pclose(date);
		want[strcspn(want, "\n")] = '\0';
		assert_string_equal(json_object_get_string(member(r->ev[0].obj, "timestamp")), want);
		free(p);
		run_free(r);
	}
}

static const char *str_or_null(json_object *ev, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(ev, key, &v) ? json_object_get_string(v) : NULL;
}

/* ERSPAN: the session and the mirroring switch, as tshark read them. */
static void test_erspan_origin(void **state)
{
	static const char *const caps[] = { "erspan1", "erspan2", "erspan3", "erspan3-subhdr",
					    "erspan3-vlan", "erspan3-ft7" };
	int events = 0;

	for (size_t c = 0; c < sizeof(caps) / sizeof(caps[0]); c++) {
		struct run *r = emit_run();
		struct table er, cid;
		struct pcap_pkthdr *h;
		const uint8_t *bytes;
		pcap_t *pc = open_pcap(caps[c]);
		unsigned long num = 0;

		sv_event_out_capture(sv_chain_events(r->ch), "mirror0");
		table_load(&er, caps[c], "erspan");
		table_load(&cid, caps[c], "cid");
		assert_true(er.n > 1 && cid.n > 1);
		while (pcap_next_ex(pc, &h, &bytes) == 1) {
			struct sv_pkt *p = pkt_new(bytes, h->caplen, h->len);
			const struct row *e = row_of(&er, ++num), *k = row_of(&cid, num);
			json_object *ev;
			char outer[64];

			sv_packet_decode(p, pcap_datalink(pc) & 0xffff);
			sv_erspan_decap(p);
			sv_chain_pkt(r->ch, p);
			run_collect(r, (int)num);
			ev = r->ev[r->nev - 1].obj;
			assert_non_null(e);
			/* tshark lists the outer address first. */
			snprintf(outer, sizeof(outer), "%.*s", (int)strcspn(cell(e, 9), ","),
				 cell(e, 9));
			assert_string_equal(str_or_null(ev, "in_iface"), "mirror0");
			if (!(p->flags & SV_PKT_ERSPAN)) {
				assert_null(str_or_null(ev, "erspan_id"));
			} else {
				/* Type I has no header, so no session: 0. */
				assert_string_equal(str_or_null(ev, "erspan_id"),
						    *cell(e, 5) ? cell(e, 5) : "0");
				assert_string_equal(str_or_null(ev, "erspan_src"), outer);
				events++;
			}
			if (p->ip_version)
				assert_string_equal(str_or_null(ev, "community_id"), cell(k, 1));
			free(p);
		}
		pcap_close(pc);
		table_free(&er);
		table_free(&cid);
		run_free(r);
	}
	assert_true(events >= 10);
}

/* The k-th (from 0) item of a comma-joined list, in a static buffer. */
static const char *nth(const char *list, int k)
{
	static char buf[128];

	while (k-- > 0 && list)
		list = (list = strchr(list, ',')) ? list + 1 : NULL;
	if (!list)
		fail_msg("a list shorter than the snaps");
	snprintf(buf, sizeof(buf), "%.*s", (int)strcspn(list, ","), list);
	return buf;
}

/* Read what the collector published to the packet ring into the chain. */
static int chain_snaps(struct run *r, struct sv_ring_reader *rd)
{
	const void *items[64];
	unsigned n;
	int total = 0;

	while ((n = sv_ring_read_burst(rd, items, 64)) > 0) {
		for (unsigned i = 0; i < n; i++)
			sv_chain_pkt(r->ch, items[i]);
		sv_ring_read_done(rd, NULL);
		total += (int)n;
	}
	return total;
}

/* sFlow's sampled headers: the agent and its input port, as tshark read them. */
static void test_sflow_origin(void **state)
{
	static const char *const caps[] = { "sflow-flow", "sflow-expanded", "sflow-ipv6" };
	int events = 0;

	for (size_t c = 0; c < sizeof(caps) / sizeof(caps[0]); c++) {
		struct sv_collector_opts co = { .snaps = true, .snaplen = 150, .interval_s = 2 };
		struct sv_ring *pr = sv_ring_create(1024, sizeof(struct sv_pkt) + 150,
						    SV_RING_KIND_PKT, 0);
		struct sv_ring *fr = sv_ring_create(1024, sizeof(struct sv_flow), SV_RING_KIND_FLOW,
						    0);
		struct sv_collector *col = sv_collector_new(fr, pr, &co);
		struct sv_ring_reader rd;
		struct sv_cursor *cur;
		struct run *r = emit_run();
		struct table truth;
		struct pcap_pkthdr *h;
		const uint8_t *bytes;
		pcap_t *pc = open_pcap(caps[c]);
		unsigned long num = 0;
		int cfd;

		assert_non_null(col);
		cfd = sv_ring_attach(pr, &cur);
		assert_true(cfd >= 0);
		assert_int_equal(sv_ring_reader_open(&rd, sv_ring_fd(pr), cfd), 0);
		close(cfd);
		table_load(&truth, caps[c], "sflow_origin");
		assert_true(truth.n > 1);
		while (pcap_next_ex(pc, &h, &bytes) == 1) {
			struct sv_pkt *p = pkt_new(bytes, h->caplen, h->len);
			const struct row *t = row_of(&truth, ++num);
			int first = r->nev, snaps;

			sv_packet_decode(p, pcap_datalink(pc) & 0xffff);
			assert_int_equal(p->proto, 17);
			sv_collector_datagram(col, p->data + p->payload_off, p->payload_len,
					      p->payload_len, (uint64_t)h->ts.tv_sec * 1000000000u);
			sv_collector_drain(col, 0);
			snaps = chain_snaps(r, &rd);
			run_collect(r, (int)num);
			free(p);
			if (!t) {
				assert_int_equal(snaps, 0);
				continue;
			}
			/* The k-th snap of a datagram is its k-th flow sample. */
			assert_int_equal(r->nev - first, snaps);
			assert_true(snaps > 0);
			for (int i = first; i < r->nev; i++) {
				json_object *ev = r->ev[i].obj;

				assert_string_equal(str_or_null(ev, "agent"),
						    *cell(t, 1) ? cell(t, 1) : cell(t, 2));
				assert_string_equal(str_or_null(ev, "in_if"),
						    nth(*cell(t, 3) ? cell(t, 3) : cell(t, 4),
							i - first));
				assert_string_equal(str_or_null(ev, "community_id"),
						    nth(cell(t, 5), i - first));
				/* Not from the capture interface, not ERSPAN. */
				assert_null(str_or_null(ev, "in_iface"));
				assert_null(str_or_null(ev, "erspan_id"));
				events++;
			}
		}
		pcap_close(pc);
		table_free(&truth);
		run_free(r);
		sv_ring_reader_close(&rd);
		sv_collector_free(col);
		sv_ring_destroy(pr);
		sv_ring_destroy(fr);
	}
	assert_true(events >= 15);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_two_chains_two_sinks),
		cmocka_unit_test(test_reopen_after_rename),
		cmocka_unit_test(test_lost_lines_counted),
		cmocka_unit_test(test_sink_specs),
		cmocka_unit_test(test_iso_time),
		cmocka_unit_test(test_erspan_origin),
		cmocka_unit_test(test_sflow_origin),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
