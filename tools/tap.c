/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tap.c - `snapvnf tap`: the simplest service. Registers with the daemon
 * and prints one line per snap, or with --count one JSON summary at the
 * end of the stream (or on SIGINT/SIGTERM).
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

static void print_counts(const char *name, const struct counts *c, uint64_t lost)
{
	static const char *const keys[T_N] = { "ipv4", "ipv6", "tcp", "udp", "icmp", "other" };
	json_object *o = json_object_new_object();

	json_object_object_add(o, "name", json_object_new_string(name));
	json_object_object_add(o, "packets", json_object_new_uint64(c->packets));
	json_object_object_add(o, "lost", json_object_new_uint64(lost));
	json_object_object_add(o, "bytes", json_object_new_uint64(c->bytes));
	for (unsigned i = 0; i < T_N; i++)
		json_object_object_add(o, keys[i], json_object_new_uint64(c->n[i]));
	printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: snapvnf tap [--name NAME] [-c COUNT] [--count]\n"
		   "Register as a service and print one line per snap:\n"
		   "  TIME PROTO SRC[:PORT] > DST[:PORT] wire=N cap=N [erspan=SESSION from SWITCH]\n"
		   "  -n, --name NAME  service name (default tap-PID)\n"
		   "  -c COUNT         stop after COUNT snaps\n"
		   "      --count      print nothing per snap; at the end of the stream\n"
		   "                   (or on SIGINT) print one JSON object of counts\n");
}

int sv_cli_tap(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "count", no_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct sigaction sa = { .sa_handler = on_signal };
	char name[64], why[128], *end;
	const char *want_name = NULL;
	unsigned long long limit = 0;
	bool count_only = false;
	struct counts cnt = { 0 };
	struct sv_client cl;
	int c, err, level;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":n:c:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'n': want_name = optarg; break;
		case 'C': count_only = true; break;
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
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	while (!tap_stop && (!limit || cnt.packets < limit)) {
		const void *items[64];
		unsigned bits[64], want = 64;
		uint32_t wire[64];
		uint64_t torn = 0;
		unsigned n;

		if (limit && limit - cnt.packets < want)
			want = (unsigned)(limit - cnt.packets);
		n = sv_ring_read_burst(&cl.pkt, items, want);

		if (n == 0) {
			if (sv_ring_wait(&cl.pkt, 500) < 0)
				break;
			continue;
		}
		for (unsigned i = 0; i < n; i++) {
			const struct sv_pkt *p = items[i];

			bits[i] = classify(p);
			wire[i] = p->wire_len;
			if (!count_only)
				print_line(p);
		}
		/* Only items that were not overwritten while we read them count. */
		sv_ring_read_done(&cl.pkt, &torn);
		for (unsigned i = 0; i < n; i++) {
			if (torn & (1ULL << i))
				continue;
			cnt.packets++;
			cnt.bytes += wire[i];
			for (unsigned t = 0; t < T_N; t++)
				cnt.n[t] += bits[i] >> t & 1U;
		}
	}
	if (count_only)
		print_counts(cl.name, &cnt, atomic_load(&cl.pkt.cur->lost));
	fflush(stdout);
	sv_client_close(&cl);
	return 0;
}
