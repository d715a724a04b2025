/* SPDX-License-Identifier: BSD-3-Clause */
/* opts.c - snapvnfd's command line. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/ctl.h"
#include "common/log.h"
#include "common/version.h"
#include "daemon/action.h"
#include "daemon/daemon.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: snapvnfd INPUT... [options]\n"
		"Collect snaps (the first bytes of each mirrored packet) and flow records\n"
		"(from sFlow) and hand them to snapvnf services through shared rings.\n"
		"\n"
		"inputs (at least one):\n"
		"  -i, --interface IFACE  capture live on IFACE (the mirror port)\n"
		"  -r, --read FILE        replay a pcap/pcapng file, then exit\n"
		"      --sflow [ADDR:]PORT  receive sFlow v5 on UDP; PORT alone binds 127.0.0.1\n"
		"                         (where SONiC's hsflowd sends); 0.0.0.0:PORT or\n"
		"                         [::]:PORT for agents elsewhere\n"
		"      --sflow-pcap FILE  replay the sFlow datagrams of a capture, then exit\n"
		"      --nfdump-dir DIR   read the files nfcapd rotates into DIR (via nfdump)\n"
		"\n"
		"options:\n"
		"      --pace             replay -r at the recorded speed (default: as fast\n"
		"                         as the slowest service reads)\n"
		"      --pace-max-gap S   with --pace, wait at most S seconds (default 1,\n"
		"                         down to 0.001) between two packets; a packet\n"
		"                         recorded before the one it follows goes at once\n"
		"  -s, --snaplen N        bytes kept per packet (default 150, max 1024)\n"
		"  -f, --filter EXPR      BPF filter, as in tcpdump\n"
		"      --sflow-port PORT  the UDP port --sflow-pcap takes (default 6343)\n"
		"      --sflow-snaps      sFlow's sampled headers also become snaps\n"
		"      --flow-interval S  seconds per aggregated flow record (default 2)\n"
		"      --agent-idle S     forget an sFlow agent silent for S seconds (default\n"
		"                         600); the table keeps 64, and a new agent takes\n"
		"                         the place of the one heard from least recently\n"
		"      --no-erspan        keep ERSPAN packets (IP/GRE from a switch's mirror\n"
		"                         session) whole; by default the snap is the mirrored\n"
		"                         frame inside, tagged with the session id and sender\n"
		"      --ctl PATH         control socket (default $SNAPVNF_CTL or %s),\n"
		"                         mode 0660; only a socket no daemon answers on is\n"
		"                         ever replaced\n"
		"  -Z, --user USER        once inputs, rings and socket are open, run as USER\n"
		"                         with no capability left (as tcpdump -Z)\n"
		"      --group GROUP      the control socket's group: its members may run\n"
		"                         services (default: USER's group, else root's)\n"
		"      --wait-for N       replays start when N services are attached\n"
		"      --metrics [ADDR:]PORT  serve GET /metrics (Prometheus text) over HTTP;\n"
		"                         PORT alone listens on 127.0.0.1, 0 on a free port\n"
		"      --ring-slots N     slots in the packet ring (power of two, default 65536)\n"
		"      --buffer MB        kernel capture buffer (default 64)\n"
		"      --lossless         the producer waits for the slowest service\n"
		"                         (default when every input is a replay)\n"
		"      --lossy            never wait; slow services lose the oldest items\n"
		"                         (default with a live input)\n"
		"      --nice N           raise the daemon's priority to nice N when allowed\n"
		"                         (default -5; services run at 10, so the capture\n"
		"                         wins the CPU)\n"
		"\n"
		"actions (block requests from services; docs/actions.md):\n"
		"      --enforcer NAME[:OPTS]  where accepted rules go: log (default: events\n"
		"                         only), ovs:BRIDGE, nft[:family=inet|bridge],\n"
		"                         sonic:PORT,PORT...[,port=6379]\n"
		"      --never-block CIDR[,CIDR...]  never block these (the switch's own\n"
		"                         addresses always); may be repeated\n"
		"      --block-max-rules N  rules active at most (default 256)\n"
		"      --block-rate N     block requests per service per second (default 10)\n"
		"      --block-ttl-max S  longest rule in seconds (default 3600)\n"
		"      --action-events SINK  the door's decisions as JSON lines: - (standard\n"
		"                         output, the default), syslog, journald or a file\n"
		"\n"
		"      --log FILE         log to FILE (appended) instead of stderr; SIGHUP\n"
		"                         reopens it and --action-events (for logrotate)\n"
		"  -v, --verbose          more log lines: once a second what came in and\n"
		"                         went out (-vv: every control request too)\n"
		"  -q, --quiet            errors only\n"
		"  -V, --version          the version, then exit\n"
		"  -h, --help             this text\n"
		"\n"
		"-c and -w are tcpdump's count and write-file, which snapvnfd does not take:\n"
		"`snapvnf tap -c COUNT -w FILE` does both for the snaps.\n",
		SV_CTL_DEFAULT_PATH);
}

/* A tcpdump user's -c COUNT or -w FILE: say where they went instead of
 * taking the argument for something else (once, -c was the control socket
 * and removed whatever file had that name). */
static void tcpdump_letter(int c)
{
	if (c == 'c')
		sv_err("-c (tcpdump's packet count) is not a snapvnfd option: `snapvnf tap -c "
		       "COUNT` stops a tap after COUNT snaps; the control socket is --ctl PATH");
	else
		sv_err("-w (tcpdump's write-file) is not a snapvnfd option: `snapvnf tap -w "
		       "FILE` writes the snaps as pcap; waiting for services is --wait-for N");
}

static int parse_uint(const char *s, const char *what, unsigned min, unsigned max, unsigned *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || *s == '-' || v < min || v > max) {
		sv_err("%s must be a number from %u to %u, not '%s'", what, min, max, s);
		return -1;
	}
	*out = (unsigned)v;
	return 0;
}

/* Seconds with up to three decimals ("1", "0.25"), as milliseconds. */
static int parse_seconds_ms(const char *s, const char *what, unsigned min_ms, unsigned max_ms,
			    unsigned *out)
{
	unsigned long ms = 0;
	const char *p = s;
	int decimals = -1;

	for (; *p; p++) {
		if (*p == '.' && decimals < 0) {
			decimals = 0;
			continue;
		}
		if (*p < '0' || *p > '9' || decimals == 3 || ms > max_ms)
			break;
		ms = ms * 10 + (unsigned long)(*p - '0');
		if (decimals >= 0)
			decimals++;
	}
	for (int d = decimals < 0 ? 0 : decimals; d < 3; d++)
		ms *= 10;
	if (*p || p == s || (decimals >= 0 && p - s == 1) || ms < min_ms || ms > max_ms) {
		sv_err("%s takes seconds from %u.%03u to %u (at most three decimals), not '%s'",
		       what, min_ms / 1000, min_ms % 1000, max_ms / 1000, s);
		return -1;
	}
	*out = (unsigned)ms;
	return 0;
}

bool sv_opts_live(const struct sv_opts *o)
{
	return o->iface || o->sflow || o->nfdump_dir;
}

int sv_opts_parse(int argc, char **argv, struct sv_opts *o, int *lvl)
{
	enum { OPT_PACE = 256, OPT_SLOTS, OPT_BUFFER, OPT_LOSSLESS, OPT_LOSSY, OPT_SFLOW,
	       OPT_SFLOW_PCAP, OPT_SFLOW_PORT, OPT_SFLOW_SNAPS, OPT_INTERVAL, OPT_AGENT_IDLE, OPT_NFDUMP, OPT_NO_ERSPAN,
	       OPT_NICE, OPT_ENFORCER, OPT_NEVER_BLOCK, OPT_BLOCK_MAX, OPT_BLOCK_RATE,
	       OPT_BLOCK_TTL, OPT_ACTION_EVENTS, OPT_LOG,
	       OPT_CTL, OPT_WAIT_FOR, OPT_PACE_GAP, OPT_GROUP,
	       OPT_METRICS };
	static const struct option longopts[] = {
		{ "interface", required_argument, NULL, 'i' },
		{ "read", required_argument, NULL, 'r' },
		{ "pace", no_argument, NULL, OPT_PACE },
		{ "pace-max-gap", required_argument, NULL, OPT_PACE_GAP },
		{ "snaplen", required_argument, NULL, 's' },
		{ "filter", required_argument, NULL, 'f' },
		{ "ctl", required_argument, NULL, OPT_CTL },
		{ "metrics", required_argument, NULL, OPT_METRICS },
		{ "wait-for", required_argument, NULL, OPT_WAIT_FOR },
		{ "ring-slots", required_argument, NULL, OPT_SLOTS },
		{ "buffer", required_argument, NULL, OPT_BUFFER },
		{ "lossless", no_argument, NULL, OPT_LOSSLESS },
		{ "lossy", no_argument, NULL, OPT_LOSSY },
		{ "sflow", required_argument, NULL, OPT_SFLOW },
		{ "sflow-pcap", required_argument, NULL, OPT_SFLOW_PCAP },
		{ "sflow-port", required_argument, NULL, OPT_SFLOW_PORT },
		{ "sflow-snaps", no_argument, NULL, OPT_SFLOW_SNAPS },
		{ "flow-interval", required_argument, NULL, OPT_INTERVAL },
		{ "agent-idle", required_argument, NULL, OPT_AGENT_IDLE },
		{ "nfdump-dir", required_argument, NULL, OPT_NFDUMP },
		{ "no-erspan", no_argument, NULL, OPT_NO_ERSPAN },
		{ "nice", required_argument, NULL, OPT_NICE },
		{ "enforcer", required_argument, NULL, OPT_ENFORCER },
		{ "never-block", required_argument, NULL, OPT_NEVER_BLOCK },
		{ "block-max-rules", required_argument, NULL, OPT_BLOCK_MAX },
		{ "block-rate", required_argument, NULL, OPT_BLOCK_RATE },
		{ "block-ttl-max", required_argument, NULL, OPT_BLOCK_TTL },
		{ "action-events", required_argument, NULL, OPT_ACTION_EVENTS },
		{ "user", required_argument, NULL, 'Z' },
		{ "group", required_argument, NULL, OPT_GROUP },
		{ "log", required_argument, NULL, OPT_LOG },
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	unsigned nnever = 0;
	bool pace_gap_given = false;
	int c;

	*o = (struct sv_opts){ .snaplen = 150, .ring_slots = 65536, .buffer_mb = 64,
			       .lossless = -1, .ctl_path = sv_ctl_path(), .sflow_port = 6343,
			       .flow_interval = 2, .agent_idle = 600, .erspan = true, .nice = -5,
			       .enforcer = "log", .block_max_rules = 256, .block_rate = 10,
			       .block_ttl_max = 3600, .pace_max_gap_ms = 1000 };
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":i:r:s:f:c:w:Z:vqVh", longopts, NULL)) != -1) {
		switch (c) {
		case 'i': o->iface = optarg; break;
		case 'r': o->file = optarg; break;
		case 'f': o->filter = optarg; break;
		case OPT_CTL: o->ctl_path = optarg; break;
		case OPT_METRICS: o->metrics = optarg; break;
		case 'c':
		case 'w':
			tcpdump_letter(c);
			return -1;
		case OPT_PACE: o->pace = true; break;
		case OPT_LOSSLESS: o->lossless = 1; break;
		case OPT_LOSSY: o->lossless = 0; break;
		case OPT_SFLOW: o->sflow = optarg; break;
		case OPT_SFLOW_PCAP: o->sflow_pcap = optarg; break;
		case OPT_SFLOW_SNAPS: o->sflow_snaps = true; break;
		case OPT_NFDUMP: o->nfdump_dir = optarg; break;
		case OPT_NO_ERSPAN: o->erspan = false; break;
		case 'Z': o->user = optarg; break;
		case OPT_GROUP: o->group = optarg; break;
		case 'v':
			if (*lvl < SV_LOG_TRACE)
				(*lvl)++;
			break;
		case 'q': *lvl = SV_LOG_ERR; break;
		case 'h': usage(stdout); exit(0);
		case 'V': printf("snapvnfd %s\n", sv_version()); exit(0);
		case 's':
			if (parse_uint(optarg, "--snaplen", 34, 1024, &o->snaplen) < 0)
				return -1;
			break;
		case OPT_WAIT_FOR:
			if (parse_uint(optarg, "--wait-for", 0, 64, &o->wait_for) < 0)
				return -1;
			break;
		case OPT_SFLOW_PORT:
			if (parse_uint(optarg, "--sflow-port", 1, 65535, &o->sflow_port) < 0)
				return -1;
			break;
		case OPT_PACE_GAP:
			if (parse_seconds_ms(optarg, "--pace-max-gap", 1, 3600000,
					     &o->pace_max_gap_ms) < 0)
				return -1;
			pace_gap_given = true;
			break;
		case OPT_AGENT_IDLE:
			if (parse_uint(optarg, "--agent-idle", 1, 7 * 86400, &o->agent_idle) < 0)
				return -1;
			break;
		case OPT_INTERVAL:
			if (parse_uint(optarg, "--flow-interval", 1, 3600, &o->flow_interval) < 0)
				return -1;
			break;
		case OPT_SLOTS:
			if (parse_uint(optarg, "--ring-slots", 64, 1u << 24, &o->ring_slots) < 0)
				return -1;
			if (o->ring_slots & (o->ring_slots - 1)) {
				sv_err("--ring-slots must be a power of two, not %u", o->ring_slots);
				return -1;
			}
			break;
		case OPT_NICE: {
			char *end;
			long v;

			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end || v < -20 || v > 19) {
				sv_err("--nice must be a nice level from -20 to 19, not '%s'", optarg);
				return -1;
			}
			o->nice = (int)v;
			break;
		}
		case OPT_ENFORCER: {
			const char *bo;

			if (!sv_enforce_find(optarg, &bo)) {
				sv_err("--enforcer %s: no such backend (log, ovs, nft, sonic)", optarg);
				return -1;
			}
			o->enforcer = optarg;
			break;
		}
		case OPT_NEVER_BLOCK:
			/* CIDR,CIDR…: split in place; the door checks each. */
			for (char *save = NULL, *t = strtok_r(optarg, ",", &save); t;
			     t = strtok_r(NULL, ",", &save)) {
				if (nnever == 63) {
					sv_err("--never-block: at most 63 prefixes");
					return -1;
				}
				o->never_block[nnever++] = t;
			}
			break;
		case OPT_BLOCK_MAX:
			if (parse_uint(optarg, "--block-max-rules", 1, SV_ENF_MAX_RULES,
				       &o->block_max_rules) < 0)
				return -1;
			break;
		case OPT_BLOCK_RATE:
			if (parse_uint(optarg, "--block-rate", 1, 100000, &o->block_rate) < 0)
				return -1;
			break;
		case OPT_BLOCK_TTL:
			if (parse_uint(optarg, "--block-ttl-max", 1, SV_RULE_TTL_MAX,
				       &o->block_ttl_max) < 0)
				return -1;
			break;
		case OPT_ACTION_EVENTS: o->action_events = optarg; break;
		case OPT_LOG: o->log_file = optarg; break;
		case OPT_BUFFER:
			if (parse_uint(optarg, "--buffer", 1, 4096, &o->buffer_mb) < 0)
				return -1;
			break;
		case ':':
			if (optopt == 'c' || optopt == 'w') {
				tcpdump_letter(optopt);
				return -1;
			}
			sv_err("option %s needs a value (see --help)", argv[optind - 1]);
			return -1;
		default:
			sv_err("unknown option %s (see --help)", argv[optind - 1]);
			return -1;
		}
	}
	if (optind < argc) {
		sv_err("unexpected argument '%s' (see --help)", argv[optind]);
		return -1;
	}
	if (o->iface && o->file) {
		sv_err("-i and -r exclude each other: capture live or replay a file");
		return -1;
	}
	if (o->sflow && o->sflow_pcap) {
		sv_err("--sflow and --sflow-pcap exclude each other");
		return -1;
	}
	if (!o->iface && !o->file && !o->sflow && !o->sflow_pcap && !o->nfdump_dir) {
		sv_err("give an input: -i IFACE, -r FILE, --sflow PORT, --sflow-pcap FILE "
		       "or --nfdump-dir DIR (see --help)");
		return -1;
	}
	if (o->pace && !o->file) {
		sv_err("--pace goes with -r FILE");
		return -1;
	}
	if (pace_gap_given && !o->pace) {
		sv_err("--pace-max-gap goes with --pace");
		return -1;
	}
	if (o->wait_for && !o->file && !o->sflow_pcap) {
		sv_err("--wait-for goes with a replay (-r or --sflow-pcap)");
		return -1;
	}
	if (o->lossless < 0)
		o->lossless = !sv_opts_live(o);
	return 0;
}
