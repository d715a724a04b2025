/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tap.c - `snapvnf tap`: the simplest service. Registers with the daemon
 * and prints one line per snap, or writes the snaps to a pcap file (-w, as
 * tcpdump does), or with --count prints one JSON summary at the end of the
 * stream (or on SIGINT/SIGTERM).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>
#include <pcap/pcap.h>

#include <snapvnf/pkt.h>

#include "common/log.h"
#include "lib/client.h"
#include "lib/nice.h"
#include "tools/cli.h"

enum tally { T_IPV4, T_IPV6, T_TCP, T_UDP, T_ICMP, T_OTHER, T_N };

struct counts {
	uint64_t packets, bytes;
	uint64_t n[T_N];
};

static volatile sig_atomic_t tap_stop;

static void on_signal(int sig)
{
	tap_stop = 1;
}

static const char *proto_name(const struct sv_pkt *p, char *buf, size_t size)
{
	if (p->ip_version == 0) {
		snprintf(buf, size, p->ethertype == 0x0806 ? "ARP" : "ether 0x%04x", p->ethertype);
		return buf;
	}
	if (p->l4_off != SV_OFF_NONE) {
		switch (p->proto) {
		case 6: return "TCP";
		case 17: return "UDP";
		case 1: return "ICMP";
		case 58: return "ICMPv6";
		}
	}
	snprintf(buf, size, "IPv%u proto %u", p->ip_version, p->proto);
	return buf;
}

static void endpoint(const struct sv_pkt *p, const uint8_t *addr, uint16_t port, char *out,
		     size_t size)
{
	char a[INET6_ADDRSTRLEN] = "?";
	bool ports = p->l4_off != SV_OFF_NONE && (p->proto == 6 || p->proto == 17);

	inet_ntop(p->ip_version == 6 ? AF_INET6 : AF_INET, addr, a, sizeof(a));
	if (!ports)
		snprintf(out, size, "%s", a);
	else if (p->ip_version == 6)
		snprintf(out, size, "[%s]:%u", a, port);
	else
		snprintf(out, size, "%s:%u", a, port);
}

static void print_line(const struct sv_pkt *p)
{
	char pbuf[32], src[64] = "-", dst[64] = "-", span[80] = "";
	time_t sec = (time_t)(p->ts_ns / 1000000000u);
	struct tm tm;

	gmtime_r(&sec, &tm);
	if (p->ip_version) {
		endpoint(p, p->src, p->sport, src, sizeof(src));
		endpoint(p, p->dst, p->dport, dst, sizeof(dst));
	}
	if (p->flags & SV_PKT_ERSPAN) {
		char a[INET6_ADDRSTRLEN] = "?";

		inet_ntop(p->span_ip_version == 6 ? AF_INET6 : AF_INET, p->span_src, a, sizeof(a));
		snprintf(span, sizeof(span), " erspan=%u from %s", p->span_id, a);
	}
	printf("%02d:%02d:%02d.%06u %s %s > %s wire=%u cap=%u%s%s%s\n", tm.tm_hour, tm.tm_min,
	       tm.tm_sec, (unsigned)(p->ts_ns % 1000000000u / 1000u), proto_name(p, pbuf, sizeof(pbuf)),
	       src, dst, p->wire_len, p->cap_len, span,
	       p->flags & SV_PKT_TRUNCATED ? " truncated" : "",
	       p->flags & SV_PKT_MALFORMED ? " malformed" : "");
}

/* Classify as the summary counts: by the outermost IP header and L4. */
static unsigned classify(const struct sv_pkt *p)
{
	unsigned bits = 0;

	if (p->ip_version == 4)
		bits |= 1U << T_IPV4;
	else if (p->ip_version == 6)
		bits |= 1U << T_IPV6;
	else
		bits |= 1U << T_OTHER;
	if (p->ip_version && p->l4_off != SV_OFF_NONE) {
		if (p->proto == 6)
			bits |= 1U << T_TCP;
		else if (p->proto == 17)
			bits |= 1U << T_UDP;
		else if (p->proto == 1 || p->proto == 58)
			bits |= 1U << T_ICMP;
	}
	return bits;
}

/* packets: what this tap itself counted; lost: the ring's count, over every
 * attachment; with --reconnect also how often it came back and what it
 * knows it missed meanwhile. */
static void print_counts(const struct sv_client *cl, const struct counts *c, bool reconnect)
{
	static const char *const keys[T_N] = { "ipv4", "ipv6", "tcp", "udp", "icmp", "other" };
	json_object *o = json_object_new_object();

	json_object_object_add(o, "name", json_object_new_string(cl->name));
	json_object_object_add(o, "packets", json_object_new_uint64(c->packets));
	json_object_object_add(o, "lost", json_object_new_uint64(sv_client_lost(cl, SV_CLIENT_PKT)));
	json_object_object_add(o, "bytes", json_object_new_uint64(c->bytes));
	for (unsigned i = 0; i < T_N; i++)
		json_object_object_add(o, keys[i], json_object_new_uint64(c->n[i]));
	if (reconnect) {
		json_object_object_add(o, "reconnects", json_object_new_uint64(cl->reconnects));
		json_object_object_add(o, "missed",
				       json_object_new_uint64(cl->missed[SV_CLIENT_PKT]));
	}
	printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

/*
 * -w FILE: the snaps as a pcap file (nanosecond timestamps), each record
 * cap_len bytes of a wire_len packet, as tcpdump -s writes them. A file has
 * one link type: the first snap decides (raw IP when its IP header starts
 * the snap, as an sFlow agent may sample it, else Ethernet); snaps of the
 * other kind are skipped and counted.
 */
struct pcap_out {
	const char *path;
	pcap_t *dead;
	pcap_dumper_t *dump;
	int dlt;
	uint64_t written, skipped;
};

static int snap_dlt(const struct sv_pkt *p)
{
	return p->ip_version && p->l3_off == 0 ? DLT_RAW : DLT_EN10MB;
}

static int pcap_out_put(struct pcap_out *o, const struct sv_pkt *p)
{
	struct pcap_pkthdr h = {
		.ts = { .tv_sec = (time_t)(p->ts_ns / 1000000000u),
			/* nanoseconds: the dead handle's precision says so */
			.tv_usec = (suseconds_t)(p->ts_ns % 1000000000u) },
		.caplen = p->cap_len,
		.len = p->wire_len > p->cap_len ? p->wire_len : p->cap_len,
	};

	if (!o->dump) {
		o->dlt = snap_dlt(p);
		o->dead = pcap_open_dead_with_tstamp_precision(o->dlt, 65535,
							       PCAP_TSTAMP_PRECISION_NANO);
		if (o->dead)
			o->dump = pcap_dump_open(o->dead, o->path);
		if (!o->dump) {
			sv_err("cannot write %s: %s", o->path,
			       o->dead ? pcap_geterr(o->dead) : "out of memory");
			return -1;
		}
		sv_debug("writing %s snaps to %s", o->dlt == DLT_RAW ? "raw IP" : "Ethernet",
			 o->path);
	}
	if (snap_dlt(p) != o->dlt) {
		if (o->skipped++ == 0)
			sv_warn("%s holds %s snaps only: skipping the others", o->path,
				o->dlt == DLT_RAW ? "raw IP" : "Ethernet");
		return 0;
	}
	pcap_dump((u_char *)o->dump, &h, p->data);
	o->written++;
	return 0;
}

/* Copy a snap (at most `room` bytes, its payload), its length clamped
 * to what was copied: whatever its header says, the file gets no more. */
static void snap_copy(uint8_t *dst, const struct sv_pkt *p, size_t room)
{
	struct sv_pkt *c = (struct sv_pkt *)dst;
	size_t max = room - sizeof(*p);

	memcpy(c, p, sizeof(*p));
	if (c->cap_len > max)
		c->cap_len = (uint16_t)max;
	memcpy(c->data, p->data, c->cap_len);
}

static int pcap_out_close(struct pcap_out *o)
{
	int rc = 0;

	if (o->dump && (pcap_dump_flush(o->dump) < 0 || ferror(pcap_dump_file(o->dump)))) {
		sv_err("writing %s: %s", o->path, strerror(errno));
		rc = -1;
	}
	if (o->dump)
		pcap_dump_close(o->dump);
	if (o->dead)
		pcap_close(o->dead);
	if (o->skipped)
		sv_warn("%llu snaps of another link type were not written to %s",
			(unsigned long long)o->skipped, o->path);
	sv_debug("%llu snaps written to %s", (unsigned long long)o->written, o->path);
	return rc;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: snapvnf tap [--name NAME] [-c COUNT] [-w FILE] [--count] [--reconnect] [-v]\n"
		   "Register as a service and print one line per snap:\n"
		   "  TIME PROTO SRC[:PORT] > DST[:PORT] wire=N cap=N [erspan=SESSION from SWITCH]\n"
		   "  -n, --name NAME  service name (default tap-PID)\n"
		   "  -c COUNT         stop after COUNT snaps\n"
		   "  -w FILE          write the snaps to FILE as pcap (- for stdout) instead\n"
		   "                   of printing them; tcpdump -r and tshark -r read it\n"
		   "      --count      print nothing per snap; at the end of the stream\n"
		   "                   (or on SIGINT) print one JSON object of counts\n"
		   "      --reconnect  when the daemon stops or dies, wait for it to come\n"
		   "                   back and go on under the same name (until SIGINT);\n"
		   "                   without it, a daemon that died is an error (exit 1)\n"
		   "  -v, --verbose    log more (connection, rings)\n");
}

int sv_cli_tap(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "count", no_argument, NULL, 'C' },
		{ "write", required_argument, NULL, 'w' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "reconnect", no_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct sigaction sa = { .sa_handler = on_signal };
	char name[64], why[128], *end;
	const char *want_name = NULL;
	unsigned long long limit = 0;
	bool count_only = false, reconnect = false;
	struct counts cnt = { 0 };
	struct pcap_out out = { 0 };
	struct sv_client cl;
	uint8_t *copy = NULL;  /* -w: a snap, its length checked, to write */
	size_t slot = 0;
	char msg[600];
	int c, err, level, rc = 0;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":n:c:w:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'n': want_name = optarg; break;
		case 'C': count_only = true; break;
		case 'w': out.path = optarg; break;
		case 'v': sv_cli_verbose(); break;
		case 'R': reconnect = true; break;
		case 'c':
			limit = strtoull(optarg, &end, 10);
			if (*end || !*optarg || *optarg == '-') {
				sv_err("-c takes a count, not '%s'", optarg);
				return 2;
			}
			break;
		case 'h': usage(stdout); return 0;
		case ':':
			sv_err("option %s needs a value (see snapvnf tap --help)", argv[optind - 1]);
			return 2;
		default:
			sv_err("unknown option %s (see snapvnf tap --help)", argv[optind - 1]);
			return 2;
		}
	}
	if (optind < argc) {
		sv_err("unexpected argument '%s' (see snapvnf tap --help)", argv[optind]);
		return 2;
	}
	if (out.path && count_only && strcmp(out.path, "-") == 0) {
		sv_err("-w - and --count both write to stdout: pick one");
		return 2;
	}
	if (!want_name) {
		snprintf(name, sizeof(name), "tap-%d", (int)getpid());
		want_name = name;
	}
	/* A tap is a service: it yields the CPU to the daemon's capture, as
	 * service_init() makes every service do. */
	level = sv_nice_wanted(why, sizeof(why));
	if (level == -EINVAL) {
		sv_err("%s", why);
		return 2;
	}
	if ((err = sv_nice_lower(level)) < 0)
		sv_warn("cannot lower the priority to nice %d: %s", level, strerror(-err));
	err = sv_client_open(&cl, sv_cli_ctl_path, want_name);
	if (!err)
		err = sv_client_attach(&cl, SV_CONSUME_PKT);
	if (err) {
		sv_err("%s", cl.error);
		return 1;
	}
	sv_debug("registered as %s at %s; packet ring of %u slots of %u bytes", cl.name,
		 sv_cli_ctl_path, cl.pkt.hdr->slot_count, cl.pkt.slot_size);
	slot = cl.pkt.payload_size;
	if (out.path && (slot <= sizeof(struct sv_pkt) || !(copy = malloc(slot)))) {
		sv_err("cannot keep a burst of snaps for %s (slots of %zu bytes)", out.path, slot);
		sv_client_close(&cl);
		return 1;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	while (!tap_stop && (!limit || cnt.packets < limit)) {
		const void *items[64];
		unsigned want = 64, n;
		int w;

		if (limit && limit - cnt.packets < want)
			want = (unsigned)(limit - cnt.packets);
		/* Only intact items come back: a lossy ring's are copied and
		 * checked before we print them. */
		n = sv_client_read(&cl, SV_CLIENT_PKT, items, want);
		if (n > 0) {
			for (unsigned i = 0; i < n; i++) {
				const struct sv_pkt *p = items[i];
				unsigned bits = classify(p);

				if (!count_only && !out.path)
					print_line(p);
				if (out.path) {
					snap_copy(copy, p, slot);
					if (pcap_out_put(&out, (const void *)copy) < 0) {
						rc = 1;
						tap_stop = 1;
					}
				}
				cnt.packets++;
				cnt.bytes += p->wire_len;
				for (unsigned t = 0; t < T_N; t++)
					cnt.n[t] += bits >> t & 1U;
			}
			sv_client_read_done(&cl, SV_CLIENT_PKT);
			/* A reader of the file (tcpdump -r -) sees each burst at once. */
			if (out.dump)
				pcap_dump_flush(out.dump);
			continue;
		}
		w = sv_client_wait(&cl, 500);
		if (w >= 0)
			continue;
		if (!reconnect) {
			if (w == SV_CLIENT_GONE) {
				sv_err("snapvnfd at %s went away without ending its stream (killed or "
				       "crashed?); stopping (with --reconnect, tap waits for it)",
				       cl.ctl_path);
				rc = 1;
			}
			break;
		}
		sv_warn("snapvnfd at %s %s; waiting for it to come back", cl.ctl_path,
			w == -1 ? "ended its stream" : "went away (killed or crashed?)");
		while ((err = sv_client_reconnect(&cl, &tap_stop, msg, sizeof(msg))) < 0 &&
		       err != -EINTR) {
			sv_warn("%s; trying again", cl.error);
			sleep(5);
		}
		if (err == 0)
			sv_info("%s", msg);
	}
	if (count_only)
		print_counts(&cl, &cnt, reconnect);
	if (out.path && pcap_out_close(&out) < 0)
		rc = 1;
	free(copy);
	fflush(stdout);
	sv_client_close(&cl);
	return rc;
}
