/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * status.c - `snapvnf status`, `snapvnf services` and `snapvnf metrics`:
 * ask the daemon over the control socket and print its answer.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "common/ctl.h"
#include "common/log.h"
#include "tools/cli.h"

static uint64_t u64(json_object *o, const char *k)
{
	json_object *v;

	return json_object_object_get_ex(o, k, &v) ? json_object_get_uint64(v) : 0;
}

static const char *str(json_object *o, const char *k)
{
	json_object *v;

	return json_object_object_get_ex(o, k, &v) ? json_object_get_string(v) : "";
}

static void print_collector(json_object *root)
{
	json_object *c, *agents, *nf;

	if (json_object_object_get_ex(root, "collector", &c) && u64(c, "datagrams")) {
		printf("sflow     datagrams %llu  flow samples %llu  counter samples %llu  "
		       "truncated %llu  malformed %llu\n",
		       (unsigned long long)u64(c, "datagrams"),
		       (unsigned long long)u64(c, "flow_samples"),
		       (unsigned long long)u64(c, "counter_samples"),
		       (unsigned long long)u64(c, "truncated"),
		       (unsigned long long)u64(c, "malformed"));
		printf("          sequence gaps %llu (lost %llu)  socket drops %llu  records: "
		       "sample %llu, flow %llu, counters %llu  snaps %llu\n",
		       (unsigned long long)u64(c, "sequence_gaps"),
		       (unsigned long long)u64(c, "sequence_lost"),
		       (unsigned long long)u64(c, "socket_drops"),
		       (unsigned long long)u64(c, "records_sample"),
		       (unsigned long long)u64(c, "records_flow"),
		       (unsigned long long)u64(c, "records_counters"),
		       (unsigned long long)u64(c, "snaps"));
		if (u64(c, "agents_expired") || u64(c, "agents_evicted"))
			printf("          agents forgotten: %llu idle (--agent-idle), %llu for a new "
			       "one (table full)\n", (unsigned long long)u64(c, "agents_expired"),
			       (unsigned long long)u64(c, "agents_evicted"));
		if (u64(c, "read_errors"))
			printf("          the sFlow capture file could not be read to its end "
			       "(read errors %llu)\n", (unsigned long long)u64(c, "read_errors"));
		if (json_object_object_get_ex(c, "agents", &agents)) {
			for (size_t i = 0; i < json_object_array_length(agents); i++) {
				json_object *a = json_object_array_get_idx(agents, i);

				printf("  agent %-20s datagrams %llu  flow %llu  counters %llu  "
				       "gaps %llu\n",
				       str(a, "agent"), (unsigned long long)u64(a, "datagrams"),
				       (unsigned long long)u64(a, "flow_samples"),
				       (unsigned long long)u64(a, "counter_samples"),
				       (unsigned long long)u64(a, "sequence_gaps"));
			}
		}
	}
	if (json_object_object_get_ex(root, "nfdump", &nf))
		printf("nfdump    files %llu  rows %llu  records %llu  malformed %llu  "
		       "nfdump failures %llu  stderr bytes %llu  files missed %llu  "
		       "totals mismatches %llu\n",
		       (unsigned long long)u64(nf, "files"), (unsigned long long)u64(nf, "rows"),
		       (unsigned long long)u64(nf, "records"), (unsigned long long)u64(nf, "malformed"),
		       (unsigned long long)u64(nf, "nfdump_failures"),
		       (unsigned long long)u64(nf, "stderr_bytes"),
		       (unsigned long long)u64(nf, "files_missed"),
		       (unsigned long long)u64(nf, "totals_mismatch"));
}

static void print_status(json_object *root, bool services_only)
{
	json_object *d = NULL, *cap = NULL, *svcs = NULL;

	json_object_object_get_ex(root, "daemon", &d);
	json_object_object_get_ex(root, "capture", &cap);
	json_object_object_get_ex(root, "services", &svcs);
	if (!services_only) {
		printf("snapvnfd  %s\n", str(d, "version"));
		printf("source    %s  snaplen %llu  ring %llu slots, %s%s\n", str(d, "source"),
		       (unsigned long long)u64(d, "snaplen"), (unsigned long long)u64(d, "ring_slots"),
		       strcmp(str(d, "lossless"), "true") == 0 ? "lossless" : "lossy",
		       strcmp(str(d, "ended"), "true") == 0 ? ", ended" : "");
		printf("capture   received %llu  bytes %llu  kernel drops %llu  "
		       "truncated %llu  malformed %llu\n",
		       (unsigned long long)u64(cap, "received"), (unsigned long long)u64(cap, "bytes"),
		       (unsigned long long)(u64(cap, "kernel_drops") + u64(cap, "if_drops")),
		       (unsigned long long)u64(cap, "truncated"),
		       (unsigned long long)u64(cap, "malformed"));
		if (u64(cap, "erspan") || u64(cap, "erspan_kept"))
			printf("erspan    unwrapped %llu  kept whole %llu (cut, bad or not Ethernet)\n",
			       (unsigned long long)u64(cap, "erspan"),
			       (unsigned long long)u64(cap, "erspan_kept"));
		if (u64(cap, "read_errors"))
			printf("          the capture file could not be read to its end "
			       "(read errors %llu)\n", (unsigned long long)u64(cap, "read_errors"));
		if (u64(cap, "pace_clock_back") || u64(cap, "pace_clock_jumps"))
			printf("pace      clock went back %llu times (replayed at once), jumped ahead "
			       "%llu times (cut to --pace-max-gap)\n",
			       (unsigned long long)u64(cap, "pace_clock_back"),
			       (unsigned long long)u64(cap, "pace_clock_jumps"));
		print_collector(root);
		printf("\n%-24s %8s %12s %10s %10s\n", "SERVICE", "PID", "DELIVERED", "LOST",
		       "BACKLOG");
	}
	for (size_t i = 0; svcs && i < json_object_array_length(svcs); i++) {
		json_object *s = json_object_array_get_idx(svcs, i), *cnt;

		if (services_only) {
			printf("%s %llu\n", str(s, "name"), (unsigned long long)u64(s, "pid"));
			continue;
		}
		printf("%-24s %8llu %12llu %10llu %10llu\n", str(s, "name"),
		       (unsigned long long)u64(s, "pid"), (unsigned long long)u64(s, "delivered"),
		       (unsigned long long)u64(s, "lost"), (unsigned long long)u64(s, "backlog"));
		if (json_object_object_get_ex(s, "flow_delivered", NULL))
			printf("%-24s %8s %12llu %10llu %10llu\n", "  (flow records)", "",
			       (unsigned long long)u64(s, "flow_delivered"),
			       (unsigned long long)u64(s, "flow_lost"),
			       (unsigned long long)u64(s, "flow_backlog"));
		if (json_object_object_get_ex(s, "counters", &cnt)) {
			json_object_object_foreach(cnt, k, v)
				printf("    %-36s %llu\n", k, (unsigned long long)json_object_get_uint64(v));
		}
		if (json_object_object_get_ex(s, "gauges", &cnt)) {
			json_object_object_foreach(cnt, k, v)
				printf("    %-36s %llu (now)\n", k,
				       (unsigned long long)json_object_get_uint64(v));
		}
	}
}

int sv_cli_status(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	bool json = false, services_only = strcmp(argv[0], "services") == 0;
	json_object *root;
	char *reply;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "jh", longopts, NULL)) != -1) {
		switch (c) {
		case 'j': json = true; break;
		case 'h':
			printf("usage: snapvnf %s [--json]\n", argv[0]);
			return 0;
		default:
			sv_err("unknown option %s (see snapvnf %s --help)", argv[optind - 1], argv[0]);
			return 2;
		}
	}
	if (sv_cli_query("status", &reply) < 0)
		return 1;
	if (json) {
		printf("%s\n", reply);
		free(reply);
		return 0;
	}
	root = json_tokener_parse(reply);
	free(reply);
	if (!root) {
		sv_err("snapvnfd sent a status that is not JSON");
		return 1;
	}
	print_status(root, services_only);
	json_object_put(root);
	return 0;
}

int sv_cli_metrics(int argc, char **argv)
{
	char *reply;

	if (argc > 1) {
		printf("usage: snapvnf metrics\nPrints the counters in Prometheus text format.\n");
		return strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ? 0 : 2;
	}
	if (sv_cli_query("metrics", &reply) < 0)
		return 1;
	fputs(reply, stdout);
	free(reply);
	return 0;
}
