/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * snapvnf/action.h - how a VNF asks for its verdict to reach the switch.
 *
 * A VNF never touches the switch. It asks snapvnfd, over its service's
 * control connection, to block a source (or a source towards one
 * destination, optionally one protocol and port) for a while; the
 * daemon's door decides (allow-list, rate, rule cap, TTL bounds,
 * duplicates) and its enforcer applies what passes. See docs/actions.md.
 * The built-in `block` VNF is the usual caller.
 */
#ifndef SNAPVNF_ACTION_H
#define SNAPVNF_ACTION_H

#include <stdbool.h>
#include <stdint.h>

#include <snapvnf/vnf.h>

struct sv_block_request {
	struct sv_addr src;    /* whom to block: family 4 or 6 */
	struct sv_addr dst;    /* pair only: towards whom (same family) */
	bool pair;             /* false: everything from src */
	uint8_t proto;         /* pair only: IP protocol, 0 any */
	uint16_t dport;        /* pair only, tcp/udp/sctp: 0 any */
	uint32_t ttl_s;        /* seconds; the daemon bounds it (--block-ttl-max) */
	bool dry_run;          /* judge and report, change nothing */
	const char *reason;    /* 1-31 of a-z 0-9 _ - ("syn_flood") */
	const char *evidence;  /* what the detector saw, printable text (may be NULL; cut at 255) */
};

enum sv_action_decision {
	SV_ACTION_PENDING = 1, /* accepted; the enforcer is applying it */
	SV_ACTION_FOLDED,      /* a rule in force already covers it */
	SV_ACTION_DRY_RUN,     /* accepted as a dry run: events only */
	SV_ACTION_REFUSED,     /* the door said no: see refused and why */
};

struct sv_action_result {
	enum sv_action_decision decision;
	uint64_t id;           /* the rule's number (pending, folded, dry run) */
	char refused[16];      /* REFUSED: malformed, allowlist, ttl, rate, rule_cap, enforcer */
	char why[200];         /* REFUSED: the daemon's words */
};

/*
 * Send one block request and wait (at most 2 s) for the door's decision.
 * Returns 0 with *res filled (a refusal is a decision, not an error), or
 * -ENOTCONN (the service is not connected to snapvnfd), -EINVAL (a field
 * the door would refuse as malformed), -ETIMEDOUT, -EPROTO.
 */
SV_API int sv_action_block(struct sv_vnf_ctx *ctx, const struct sv_block_request *rq,
		    struct sv_action_result *res);

#endif
