/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * source_pcap.c - packet sources backed by libpcap: a live interface (the
 * port the switch mirrors to) and a capture file replayed as fast as the
 * slowest service allows, or at recorded pace.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <snapvnf/pkt.h>

#include "common/log.h"
#include "daemon/daemon.h"

struct sv_source {
	pcap_t *p;
	int linktype;
	/* live: index of the next reserved slot, for the dispatch callback */
	struct sv_snapper *sn;
	unsigned idx;
	/* file: pacing and the packet held back until it is due */
	bool pace;
	bool held;
	struct pcap_pkthdr *held_h;
	const u_char *held_d;
	uint64_t pace_pkt0, pace_wall0;
	uint64_t read_errors;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static bool linktype_ok(int dlt)
{
	return dlt == DLT_EN10MB || dlt == DLT_RAW || dlt == SV_LINK_RAW;
}

static int set_filter(pcap_t *p, const char *expr, const char *what)
{
	struct bpf_program prog;

	if (!expr)
		return 0;
	if (pcap_compile(p, &prog, expr, 1, PCAP_NETMASK_UNKNOWN) < 0) {
		sv_err("bad filter '%s': %s", expr, pcap_geterr(p));
		return -1;
	}
	if (pcap_setfilter(p, &prog) < 0) {
		sv_err("cannot set filter on %s: %s", what, pcap_geterr(p));
		pcap_freecode(&prog);
		return -1;
	}
	pcap_freecode(&prog);
	return 0;
}

static struct sv_source *source_new(pcap_t *p, const char *what)
{
	struct sv_source *s = calloc(1, sizeof(*s));

	if (!s) {
		pcap_close(p);
		return NULL;
	}
	s->p = p;
	s->linktype = pcap_datalink(p);
	if (!linktype_ok(s->linktype)) {
		sv_err("%s: link type %s is not supported (Ethernet or raw IP only)", what,
		       pcap_datalink_val_to_name(s->linktype) ?: "unknown");
		pcap_close(p);
		free(s);
		return NULL;
	}
	return s;
}

/* ---- live interface ---- */

static struct sv_source *live_open(const struct sv_opts *o)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	struct sv_source *s;
	pcap_t *p;
	int rc;

	p = pcap_create(o->iface, errbuf);
	if (!p) {
		sv_err("cannot capture on %s: %s", o->iface, errbuf);
		return NULL;
	}
	pcap_set_snaplen(p, (int)o->snaplen);
	pcap_set_promisc(p, 1);
	/* A large kernel buffer absorbs bursts while services catch up; the
	 * short timeout bounds how long a half-filled block waits. */
	pcap_set_buffer_size(p, (int)o->buffer_mb << 20);
	pcap_set_timeout(p, 10);
	pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_NANO);
	rc = pcap_activate(p);
	if (rc < 0) {
		if (rc == PCAP_ERROR_NO_SUCH_DEVICE)
			sv_err("no such interface: %s", o->iface);
		else
			sv_err("cannot capture on %s: %s", o->iface, pcap_geterr(p));
		pcap_close(p);
		return NULL;
	}
	if (rc > 0)
		sv_warn("%s: %s", o->iface, pcap_geterr(p));
	if (pcap_setnonblock(p, 1, errbuf) < 0) {
		sv_err("%s: %s", o->iface, errbuf);
		pcap_close(p);
		return NULL;
	}
	if (set_filter(p, o->filter, o->iface) < 0) {
		pcap_close(p);
		return NULL;
	}
	s = source_new(p, o->iface);
	return s;
}

static int live_fd(struct sv_source *s)
{
	return pcap_get_selectable_fd(s->p);
}

static void live_cb(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct sv_source *s = (struct sv_source *)user;

	sv_snapper_put(s->sn, s->idx++, h, bytes);
}

static int live_burst(struct sv_source *s, struct sv_snapper *sn, unsigned max, int *wait_ms)
{
	int n;

	s->sn = sn;
	s->idx = 0;
	n = pcap_dispatch(s->p, (int)max, live_cb, (u_char *)s);
	if (n == PCAP_ERROR) {
		sv_err("capture failed: %s", pcap_geterr(s->p));
		return -2;
	}
	/* pcap_dispatch may stop early on a break; what was put counts. */
	return (int)s->idx;
}

static void pcap_source_stats(struct sv_source *s, struct sv_capture_stats *st)
{
	struct pcap_stat ps;

	if (pcap_stats(s->p, &ps) == 0) {
		st->kernel_drops = ps.ps_drop;
		st->if_drops = ps.ps_ifdrop;
	}
}

static int source_linktype(struct sv_source *s)
{
	return s->linktype;
}

static void source_close(struct sv_source *s)
{
	if (!s)
		return;
	pcap_close(s->p);
	free(s);
}

const struct sv_source_ops sv_source_pcap_live = {
	.kind = "interface",
	.open = live_open,
	.fd = live_fd,
	.burst = live_burst,
	.stats = pcap_source_stats,
	.linktype = source_linktype,
	.close = source_close,
};

/* ---- capture file ---- */

static struct sv_source *file_open(const struct sv_opts *o)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	struct sv_source *s;
	pcap_t *p;

	p = pcap_open_offline_with_tstamp_precision(o->file, PCAP_TSTAMP_PRECISION_NANO, errbuf);
	if (!p) {
		/* libpcap's message names the file already when it could not open it. */
		if (strncmp(errbuf, o->file, strlen(o->file)) == 0)
			sv_err("cannot read %s", errbuf);
		else
			sv_err("cannot read %s: %s", o->file, errbuf);
		return NULL;
	}
	if (set_filter(p, o->filter, o->file) < 0) {
		pcap_close(p);
		return NULL;
	}
	s = source_new(p, o->file);
	if (s)
		s->pace = o->pace;
	return s;
}

static int file_fd(struct sv_source *s)
{
	return -1;
}

/* With --pace, hold a packet back until its recorded offset has passed. */
static bool file_due(struct sv_source *s, const struct pcap_pkthdr *h, int *wait_ms)
{
	uint64_t ts = (uint64_t)h->ts.tv_sec * 1000000000u + (uint64_t)h->ts.tv_usec;
	uint64_t now = now_ns();

	if (!s->pace_wall0) {
		s->pace_wall0 = now;
		s->pace_pkt0 = ts;
	}
	if (ts <= s->pace_pkt0 || ts - s->pace_pkt0 <= now - s->pace_wall0)
		return true;
	*wait_ms = (int)((ts - s->pace_pkt0 - (now - s->pace_wall0)) / 1000000u) + 1;
	return false;
}

static int file_burst(struct sv_source *s, struct sv_snapper *sn, unsigned max, int *wait_ms)
{
	unsigned i = 0;

	while (i < max) {
		if (!s->held) {
			int rc = pcap_next_ex(s->p, &s->held_h, &s->held_d);

			if (rc == PCAP_ERROR_BREAK)
				return i ? (int)i : -1;
			if (rc == PCAP_ERROR) {
				/* A cut or corrupt file: what came before was good. */
				sv_err("reading the capture failed: %s", pcap_geterr(s->p));
				s->read_errors++;
				return i ? (int)i : -1;
			}
			if (rc != 1)
				continue;
			s->held = true;
		}
		if (s->pace && !file_due(s, s->held_h, wait_ms))
			break;
		sv_snapper_put(sn, i++, s->held_h, s->held_d);
		s->held = false;
	}
	return (int)i;
}

static void file_stats(struct sv_source *s, struct sv_capture_stats *st)
{
}

const struct sv_source_ops sv_source_pcap_file = {
	.kind = "file",
	.open = file_open,
	.fd = file_fd,
	.burst = file_burst,
	.stats = file_stats,
	.linktype = source_linktype,
	.close = source_close,
};
