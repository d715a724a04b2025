/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * action.h - how a VNF's verdict reaches the switch: the door, the
 * enforcer process and its backends.
 *
 *   service --"block src=…"--> registry --> door (door.c): parse strictly,
 *     allow-list, TTL bounds, rule cap, per-service rate, duplicate folding;
 *     an event and a counter for every decision
 *   door --struct sv_enf_msg--> enforcer (enforcer.c), a process forked
 *     before the daemon drops root, keeping only the capability its
 *     backend needs; it checks every message again and runs the backend
 *   backend (enforce_*.c): log, ovs, nft, sonic - one ops table each
 *
 * The daemon keeps the table of active rules and their expiry; a backend
 * that can time rules out by itself (OVS hard_timeout, nft set timeouts)
 * also gets the TTL, so a rule never outlives the daemon by more than it.
 */
#ifndef SV_ACTION_H
#define SV_ACTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#define SV_RULE_TTL_MAX 86400u   /* the widest bound --block-ttl-max accepts */
#define SV_ENF_MAX_RULES 65536u  /* the enforcer's own cap, whatever the door says */

enum sv_rule_scope {
	SV_SCOPE_SRC = 1,  /* everything from src */
	SV_SCOPE_PAIR,     /* from src to dst (and proto, dport when set) */
};

/* One rule, as the door keeps it and the enforcer receives it. */
struct sv_rule {
	uint64_t id;       /* 1..2^32-1, unique for the daemon's life */
	uint32_t ttl_s;    /* 1..SV_RULE_TTL_MAX */
	uint8_t family;    /* 4 or 6 */
	uint8_t scope;     /* enum sv_rule_scope */
	uint8_t proto;     /* SV_SCOPE_PAIR: IP protocol, 0 any */
	uint8_t pad;
	uint16_t dport;    /* SV_SCOPE_PAIR with proto 6, 17 or 132: 0 any */
	uint16_t pad2;
	uint8_t src[16];   /* network order; v4 in the first 4 bytes, rest zero */
	uint8_t dst[16];   /* SV_SCOPE_PAIR only; zero otherwise */
};

/* "10.0.0.1", "10.0.0.1 -> 10.0.0.2 tcp/80": for events and messages. */
void sv_rule_describe(const struct sv_rule *r, char *buf, size_t size);
/* The address as text (family 4 or 6). */
void sv_rule_addr(int family, const uint8_t *a, char *buf, size_t size);
/* Checks what must hold for any rule (family, scope, ports, ttl, id, zero
 * padding). Returns NULL, or why not. */
const char *sv_rule_invalid(const struct sv_rule *r);

/* ---- the allow-list (allow.c): addresses never blocked ---- */

struct sv_allow;

/* An empty list; the switch's own addresses are added by sv_allow_refresh. */
struct sv_allow *sv_allow_new(void);
void sv_allow_free(struct sv_allow *a);
/* Add "ADDR" or "ADDR/LEN" (IPv4 or IPv6). Returns 0 or -EINVAL. */
int sv_allow_add(struct sv_allow *a, const char *cidr);
/* Take the switch's own addresses again (getifaddrs): they change. */
int sv_allow_refresh(struct sv_allow *a);
/* Why `addr` must never be blocked ("the switch's own address", "never-block
 * 10.0.0.0/8", "not a unicast address"), or NULL if it may be. */
const char *sv_allow_check(const struct sv_allow *a, int family, const uint8_t *addr, char *buf,
			   size_t size);

/* ---- enforcer backends (enforce_*.c) ---- */

/*
 * A backend runs inside the enforcer process only. open() gets the part of
 * --enforcer after "NAME:" (may be ""), add/del one rule (add of a rule
 * already there replaces it in one step: its TTL counts again from now, and
 * nothing passes in between - that is how a rule is renewed), flush removes
 * every rule of ours, including leftovers of an earlier run (found by the
 * backend's own mark: a cookie, a table name), and counts them. Each
 * returns 0 or -errno with the reason in err.
 */
struct sv_enforce_ops {
	const char *name;
	/* Capabilities (CAP_* numbers) the backend needs to work; -1 ends. */
	int caps[3];
	int (*open)(const char *opts, void **state, char *err, size_t errlen);
	int (*add)(void *state, const struct sv_rule *r, char *err, size_t errlen);
	int (*del)(void *state, const struct sv_rule *r, char *err, size_t errlen);
	int (*flush)(void *state, unsigned *removed, char *err, size_t errlen);
	void (*close)(void *state);
};

extern const struct sv_enforce_ops sv_enforce_log;
extern const struct sv_enforce_ops sv_enforce_ovs;
extern const struct sv_enforce_ops sv_enforce_nft;
extern const struct sv_enforce_ops sv_enforce_sonic;

/* The backend named by spec "NAME[:OPTS]", or NULL. *opts points at OPTS. */
const struct sv_enforce_ops *sv_enforce_find(const char *spec, const char **opts);

/* ---- the enforcer process (enforcer.c) ---- */

/* RENEW: a rule already added gets rule.ttl_s from now (OVS's hard_timeout,
 * nft's element timeout), with no moment without it. */
enum sv_enf_op { SV_ENF_HELLO = 1, SV_ENF_ADD, SV_ENF_DEL, SV_ENF_FLUSH, SV_ENF_RENEW };

#define SV_ENF_MAGIC 0x53564e45u /* "SVNE" */

/* Daemon -> enforcer: one fixed-size datagram. */
struct sv_enf_msg {
	uint32_t magic;
	uint16_t op;
	uint16_t pad;
	struct sv_rule rule;  /* ADD, DEL; zero for FLUSH */
};

/* Enforcer -> daemon: one per message, in order; HELLO comes unasked, first. */
struct sv_enf_reply {
	uint32_t magic;
	uint16_t op;
	uint16_t pad;
	uint64_t id;
	int32_t err;          /* 0 or -errno */
	uint32_t count;       /* HELLO, FLUSH: rules of ours removed */
	char msg[192];        /* NUL-terminated: why, or what was done */
};

struct sv_enforcer {
	pid_t pid;
	int fd;               /* SOCK_SEQPACKET to the enforcer, -1 once it is gone */
	const struct sv_enforce_ops *ops;
};

/*
 * Fork the enforcer for backend spec "NAME[:OPTS]". Call it before any
 * input, ring or socket is open: the child gets nothing of them to begin
 * with (docs/design.md). The child keeps its end of a socketpair and
 * stderr (stdin and stdout become /dev/null) and closes every other
 * descriptor, gives up every capability but ops->caps (and root, for
 * `user` when not NULL), opens the backend, removes leftovers, and says
 * HELLO. `allow` is its own copy from then on: checked again for every
 * rule, the switch's own addresses read again every 10 s. Waits for the
 * HELLO (at most 10 s): returns 0 with *leftovers set, or -1 with the
 * reason logged (unknown backend, backend failed to open) and no child
 * left.
 */
int sv_enforcer_start(struct sv_enforcer *e, const char *spec, const char *user,
		      struct sv_allow *allow, unsigned *leftovers);
/* Send one message; -errno when the enforcer is gone. */
int sv_enforcer_send(struct sv_enforcer *e, enum sv_enf_op op, const struct sv_rule *r);
/* Read one reply (non-blocking). 1 with *rep filled, 0 if none yet, -EPIPE
 * when the enforcer is gone (then e->fd is closed and the child reaped). */
int sv_enforcer_recv(struct sv_enforcer *e, struct sv_enf_reply *rep);
/* Flush every rule (waiting at most timeout_ms for the reply), then close:
 * the child exits on the closed socket. Returns the rules removed, or
 * -errno. Accepts an enforcer already gone. */
int sv_enforcer_stop(struct sv_enforcer *e, int timeout_ms);

/* The child's side, for tests that run it in-process: serve fd until EOF. */
int sv_enforcer_serve(int fd, const struct sv_enforce_ops *ops, void *state,
		      struct sv_allow *allow);

/* ---- the door (door.c) ---- */

struct sv_door_opts {
	const char *enforcer;       /* --enforcer NAME[:OPTS]; NULL: "log" */
	const char *user;           /* -Z: the enforcer's user too */
	const char *never_block[64];/* --never-block CIDR, NULL-terminated */
	unsigned max_rules;         /* --block-max-rules: active rules at most */
	unsigned rate;              /* --block-rate: requests per service per second */
	unsigned ttl_min, ttl_max;  /* --block-ttl-max (min is 1) */
	const char *events;         /* --action-events: "-" or a file; NULL: stdout */
};

void sv_door_opts_default(struct sv_door_opts *o);

struct sv_door;

/* The door's counters (status, metrics). */
struct sv_door_stats {
	uint64_t requests;          /* block requests received */
	uint64_t applied;           /* rules the backend confirmed */
	uint64_t dry_run;           /* accepted with dry_run=1: events only */
	uint64_t folded;            /* duplicates of an active rule */
	uint64_t extended;          /* of those, the rule's end moved later */
	uint64_t refused_malformed; /* could not be parsed */
	uint64_t refused_allowlist; /* an address never to block */
	uint64_t refused_ttl;       /* TTL out of bounds */
	uint64_t refused_cap;       /* rule cap reached */
	uint64_t refused_rate;      /* the service's rate cap */
	uint64_t refused_enforcer;  /* the enforcer is gone */
	uint64_t failed;            /* the backend could not apply it */
	uint64_t expired;           /* removed at the end of their TTL */
	uint64_t removed;           /* removed by `snapvnf unblock` or at exit */
	uint64_t leftovers;         /* rules of an earlier run removed at start */
	uint64_t active;            /* rules in force now (pending included) */
	bool enforcer_up;
	pid_t enforcer_pid;         /* -1 once gone */
	const char *backend;
};

/* Start the door and its enforcer (see sv_enforcer_start), before any
 * input, ring or socket is open. NULL on failure, with the reason logged.
 * now_ms: CLOCK_MONOTONIC. */
struct sv_door *sv_door_open(const struct sv_door_opts *o, uint64_t now_ms);
/* Flush the rules, stop the enforcer, free. Accepts NULL. */
void sv_door_close(struct sv_door *d);
/* The enforcer's descriptor to poll for replies, or -1. */
int sv_door_fd(const struct sv_door *d);
/* Read the enforcer's replies (call when its fd is readable or hung up). */
void sv_door_serve(struct sv_door *d, uint64_t now_ms);
/* Expire rules whose TTL ended; refresh the switch's own addresses. */
void sv_door_tick(struct sv_door *d, uint64_t now_ms);

/*
 * One control request: "block …", "unblock …" or "actions". `who` is the
 * requesting service's name, or NULL for a connection that is not a
 * service (the CLI). Writes a one-line reply ("ok …" or "error …") into
 * reply, or for "actions" a malloc'd text into *text (reply then unused).
 * Returns true if the request was malformed (the caller counts it as a bad
 * request of the control socket too).
 */
bool sv_door_request(struct sv_door *d, const char *who, const char *msg, uint64_t now_ms,
		     char *reply, size_t size, char **text);

void sv_door_stats(const struct sv_door *d, struct sv_door_stats *st);

/* Events go to the sink `spec` names instead ("-", a file, syslog,
 * journald: lib/sink.h). Returns 0 or -errno. */
int sv_door_events_to(struct sv_door *d, const char *spec);
/* Reopen the events file (SIGHUP: logrotate moved it). 0 or -errno; the
 * events go on to the old file on failure. */
int sv_door_reopen(struct sv_door *d);

#endif
