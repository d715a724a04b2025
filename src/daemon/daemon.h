/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * daemon.h - the pieces of snapvnfd and how they meet.
 *
 *   inputs (input.h) --sv_snapper_put--> packet ring, --collector--> flow ring
 *   registry (control socket)  hands ring + cursor segments to services
 *   status                      renders counters for the CLI and Prometheus
 */
#ifndef SV_DAEMON_H
#define SV_DAEMON_H

#include <stdbool.h>
#include <poll.h>
#include <stdint.h>
#include <sys/types.h>

#include <pcap/pcap.h>

#include "daemon/input.h"

struct sv_ring;
struct sv_cursor;
struct sv_stats;
struct sv_collector;
struct sv_metrics;
struct sv_metrics_http;

struct sv_opts {
	const char *iface;      /* -i: live capture */
	const char *file;       /* -r: replay */
	const char *filter;     /* -f: BPF expression */
	const char *ctl_path;   /* --ctl */
	unsigned snaplen;       /* -s */
	unsigned ring_slots;    /* --ring-slots */
	unsigned buffer_mb;     /* --buffer: kernel capture buffer */
	unsigned wait_for;      /* --wait-for N services before replaying */
	bool pace;              /* --pace: replay at recorded speed */
	unsigned pace_max_gap_ms; /* --pace-max-gap: longest wait between two packets */
	bool erspan;            /* unwrap ERSPAN (default; --no-erspan keeps the outer packet) */
	int lossless;           /* -1 default (lossless for replays, lossy live), 0, 1 */
	const char *sflow;      /* --sflow [ADDR:]PORT */
	const char *sflow_pcap; /* --sflow-pcap FILE */
	unsigned sflow_port;    /* --sflow-port: the port --sflow-pcap picks */
	bool sflow_snaps;       /* --sflow-snaps: sampled headers become snaps */
	unsigned flow_interval; /* --flow-interval seconds */
	unsigned agent_idle;    /* --agent-idle seconds: an sFlow agent silent this long is forgotten */
	const char *nfdump_dir; /* --nfdump-dir DIR */
	const char *metrics;    /* --metrics [ADDR:]PORT: serve GET /metrics */
	int nice;               /* --nice: the priority to raise to, when allowed */
	/* actions (action.h): the door's rules and the enforcer's backend */
	const char *enforcer;   /* --enforcer NAME[:OPTS] (default log) */
	const char *never_block[64]; /* --never-block CIDR, NULL-terminated */
	unsigned block_max_rules;    /* --block-max-rules */
	unsigned block_rate;         /* --block-rate per service per second */
	unsigned block_ttl_max;      /* --block-ttl-max seconds */
	const char *action_events;   /* --action-events SINK (lib/sink.h; "-": stdout) */
	const char *log_file;        /* --log FILE, reopened on SIGHUP; NULL: stderr */
	const char *user;       /* -Z: drop root for this user once everything is open */
	const char *group;      /* --group: the control socket's group */
};

/* Parse the command line into o (logging why on error). Returns 0, -1
 * on a usage error; exits 0 after --help or --version. */
int sv_opts_parse(int argc, char **argv, struct sv_opts *o, int *log_level);
/* Any input that runs until stopped (interface, sFlow socket, nfdump dir)? */
bool sv_opts_live(const struct sv_opts *o);

/* Raise the process's priority to nice `level` if it runs at a lower one
 * and may raise it; otherwise log why not and go on (priority.c). */
void sv_priority_raise(int level);

/* ---- the packet path (snapper.c) ---- */

/* erspan: unwrap ERSPAN packets (sv_erspan_decap) so the snap is the mirrored frame. */
struct sv_snapper *sv_snapper_new(struct sv_ring *ring, unsigned snaplen, int linktype,
				  bool erspan);
void sv_snapper_free(struct sv_snapper *sn);
/* Write one packet into the i-th reserved slot: copy, clamp, parse once
 * (and unwrap ERSPAN). */
void sv_snapper_put(struct sv_snapper *sn, unsigned i, const struct pcap_pkthdr *h,
		    const uint8_t *bytes);
/* What the snapper counts. */
struct sv_snap_stats {
	uint64_t received;     /* snaps published */
	uint64_t bytes;        /* wire bytes of those */
	uint64_t truncated;    /* snap ended inside a header */
	uint64_t malformed;    /* a header lied */
	uint64_t erspan;       /* ERSPAN packets unwrapped to the mirrored frame */
	uint64_t erspan_kept;  /* ERSPAN packets left whole: headers cut or bad, not Ethernet */
};
void sv_snapper_stats(const struct sv_snapper *sn, struct sv_snap_stats *st);
/* Its counters' rows (metrics.h), for the input that owns it. */
void sv_snapper_metrics(const struct sv_snapper *sn, struct sv_metrics *m);
/* Snaps published so far. */
uint64_t sv_snapper_received(const struct sv_snapper *sn);

/* ---- the registry / control socket (registry.c) ---- */

/* Who owns the control socket and its directory; -1: leave as created. */
struct sv_ctl_owner {
	uid_t uid;  /* -Z USER */
	gid_t gid;  /* --group GROUP, else USER's group */
};

struct sv_registry;

struct sv_service_info {
	char name[64];
	pid_t pid;
	const struct sv_cursor *pkt;   /* NULL unless it consumes snaps */
	const struct sv_cursor *flow;  /* NULL unless it consumes flow records */
	const struct sv_stats *stats;  /* its counters (untrusted content) */
};

/*
 * Listen on the control socket at `path`, mode 0660, owned by `own` (NULL:
 * as created). Refuses a path that holds anything but a socket nobody
 * answers on; at close, removes the socket only if it is still its own.
 */
struct sv_registry *sv_registry_open(const char *path, struct sv_ring *pkt_ring,
				     struct sv_ring *flow_ring, const struct sv_ctl_owner *own);
void sv_registry_close(struct sv_registry *reg);
/* The live capture's interface (NULL: none), told to services at attach
 * ("iface=NAME") so their events say where a snap came from. */
void sv_registry_set_capture(struct sv_registry *reg, const char *iface);
/* Fill pollfds (room for `max`); returns how many were used. */
int sv_registry_pollfds(struct sv_registry *reg, struct pollfd *pfd, int max);
/* Serve whatever the polled descriptors say is ready. */
void sv_registry_serve(struct sv_registry *reg, const struct pollfd *pfd, int n);
unsigned sv_registry_count(const struct sv_registry *reg);
/* Services attached to a ring (a replay waits for these, not for hellos). */
unsigned sv_registry_attached(const struct sv_registry *reg);
/* Ever had a service registered? */
bool sv_registry_seen_any(const struct sv_registry *reg);

/* The control socket's counters, for status. */
struct sv_registry_stats {
	uint64_t connections;   /* open now */
	uint64_t accepted;      /* since start */
	uint64_t refused;       /* connections refused: too many open */
	uint64_t name_taken;    /* hellos refused: a service of that name runs */
	uint64_t bad_requests;  /* malformed, unknown or out of order */
	uint64_t busy;          /* status/metrics refused: too many replies unread */
	uint64_t accept_failures; /* accept() out of descriptors or memory (then backs off) */
};
void sv_registry_stats(const struct sv_registry *reg, struct sv_registry_stats *st);
/* Iterate over services: returns false past the last. */
bool sv_registry_service(const struct sv_registry *reg, unsigned i, struct sv_service_info *out);

/* Status reply builder, set by main: writes JSON (status-json) or
 * Prometheus text (metrics) into a malloc'd string. */
typedef char *(*sv_status_fn)(const char *what, void *ctx);
/* Block, unblock and actions requests go to the door (action.h); its
 * enforcer's descriptor is polled and its rules expired by serve. */
struct sv_door;
void sv_registry_set_door(struct sv_registry *reg, struct sv_door *door);
void sv_registry_set_status(struct sv_registry *reg, sv_status_fn fn, void *ctx);

/* ---- privileges (privdrop.c) ---- */

/* Resolve -Z USER and --group GROUP (either may be NULL). Returns 0, or
 * -1 with the reason logged (no such user or group). */
int sv_privdrop_owner(const char *user, const char *group, struct sv_ctl_owner *own);
/*
 * Become USER for good (-Z): its groups, no capability left (bounding and
 * ambient sets included), no way back (PR_SET_NO_NEW_PRIVS). Call it once
 * every capture, socket and ring is open. Nothing to do without a user.
 * Returns 0, or -1 with the reason logged; checks the result (no uid 0,
 * no capability) rather than trusting the calls.
 */
int sv_privdrop(const char *user, const char *group);

/* ---- status rendering (status.c) ---- */

struct sv_daemon_view {
	const struct sv_opts *opts;
	const char *source_desc;
	const struct sv_input_ref *inputs;  /* each reports its counters (input.h) */
	unsigned ninputs;
	uint64_t ring_head;      /* packet ring */
	uint64_t flow_head;
	uint32_t ring_slots;
	bool lossless;
	bool ended;
	double uptime_s;
	const struct sv_registry *reg;
	const struct sv_collector *collector;
	const struct sv_door *door;      /* NULL: no door (tests) */
	const struct sv_metrics_http *http;  /* NULL without --metrics */
};

/* Every counter, once, into m (metrics.h): what both renderings are made of. */
void sv_status_render(const struct sv_daemon_view *v, struct sv_metrics *m);
char *sv_status_json(const struct sv_daemon_view *v);
char *sv_status_prometheus(const struct sv_daemon_view *v);

#endif
