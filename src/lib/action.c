/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * action.c - a VNF's block request to the daemon's door (snapvnf/action.h).
 *
 * It travels on the service's own control connection, so the door knows
 * which service asks. Each request carries a sequence number that the
 * reply echoes: a reply that arrives after we stopped waiting for it is
 * recognised and dropped instead of being taken for the next one's.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <snapvnf/action.h>

#include "common/ctl.h"
#include "lib/client.h"

#define WAIT_MS 2000

static int put_addr(char *buf, size_t size, const char *key, const struct sv_addr *a)
{
	char s[INET6_ADDRSTRLEN];

	if ((a->family != 4 && a->family != 6) ||
	    !inet_ntop(a->family == 6 ? AF_INET6 : AF_INET, a->a, s, sizeof(s)))
		return -EINVAL;
	return snprintf(buf, size, " %s=%s", key, s);
}

/* Percent-encode what is not plain printable text, and the separators. */
static size_t put_evidence(char *buf, size_t size, const char *ev)
{
	size_t n = 0, in = 0;

	for (; ev[in] && in < 255 && n + 4 < size; in++) {
		unsigned char c = (unsigned char)ev[in];

		if (c <= 0x20 || c >= 0x7f || c == '%' || c == '=')
			n += (size_t)snprintf(buf + n, size - n, "%%%02X", c);
		else
			buf[n++] = (char)c;
	}
	buf[n] = '\0';
	return n;
}

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static int parse_reply(const char *reply, struct sv_action_result *res)
{
	char val[32];

	memset(res, 0, sizeof(*res));
	if (strncmp(reply, "ok ", 3) == 0) {
		if (sv_ctl_get(reply, "id", val, sizeof(val)) < 0)
			return -EPROTO;
		res->id = strtoull(val, NULL, 10);
		if (sv_ctl_get(reply, "decision", val, sizeof(val)) < 0)
			return -EPROTO;
		res->decision = strcmp(val, "folded") == 0	? SV_ACTION_FOLDED
				: strcmp(val, "dry_run") == 0 ? SV_ACTION_DRY_RUN
							      : SV_ACTION_PENDING;
		return 0;
	}
	if (strncmp(reply, "error refused=", 14) == 0) {
		const char *why = strstr(reply, " - ");

		res->decision = SV_ACTION_REFUSED;
		snprintf(res->refused, sizeof(res->refused), "%.*s", (int)strcspn(reply + 14, " "),
			 reply + 14);
		snprintf(res->why, sizeof(res->why), "%s", why ? why + 3 : "");
		return 0;
	}
	return -EPROTO;
}

int sv_action_block(struct sv_vnf_ctx *ctx, const struct sv_block_request *rq,
		    struct sv_action_result *res)
{
	static unsigned long seq;
	char msg[1024], reply[SV_CTL_MSG_MAX], want[32], got[32];
	int fd = sv_service_sock(), n, k;
	uint64_t deadline;

	if (fd < 0)
		return -ENOTCONN;
	if (!rq->reason || !*rq->reason || strlen(rq->reason) > 31 ||
	    strspn(rq->reason, "abcdefghijklmnopqrstuvwxyz0123456789_-") != strlen(rq->reason))
		return -EINVAL;
	n = snprintf(msg, sizeof(msg), "block");
	if ((k = put_addr(msg + n, sizeof(msg) - (size_t)n, "src", &rq->src)) < 0)
		return -EINVAL;
	n += k;
	if (rq->pair) {
		if ((k = put_addr(msg + n, sizeof(msg) - (size_t)n, "dst", &rq->dst)) < 0)
			return -EINVAL;
		n += k;
		n += snprintf(msg + n, sizeof(msg) - (size_t)n, " scope=pair");
		if (rq->proto)
			n += snprintf(msg + n, sizeof(msg) - (size_t)n, " proto=%u", rq->proto);
		if (rq->dport)
			n += snprintf(msg + n, sizeof(msg) - (size_t)n, " dport=%u", rq->dport);
	}
	n += snprintf(msg + n, sizeof(msg) - (size_t)n, " ttl=%u reason=%s%s seq=%lu", rq->ttl_s,
		      rq->reason, rq->dry_run ? " dry_run=1" : "", ++seq);
	if (rq->evidence && *rq->evidence) {
		n += snprintf(msg + n, sizeof(msg) - (size_t)n, " evidence=");
		put_evidence(msg + n, sizeof(msg) - (size_t)n, rq->evidence);
	}
	if (sv_ctl_send(fd, msg, strlen(msg), NULL, 0) < 0)
		return -ENOTCONN;
	snprintf(want, sizeof(want), "%lu", seq);
	deadline = mono_ms() + WAIT_MS;
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		uint64_t now = mono_ms();
		ssize_t r;

		if (now >= deadline)
			return -ETIMEDOUT;
		if (poll(&p, 1, (int)(deadline - now)) <= 0)
			continue;
		r = sv_ctl_recv(fd, reply, sizeof(reply), NULL, NULL);
		if (r < 0)
			return r == -EAGAIN ? -ETIMEDOUT : -ENOTCONN;
		/* A late reply to an earlier request: not ours. */
		if (sv_ctl_get(reply, "seq", got, sizeof(got)) < 0 || strcmp(got, want) != 0)
			continue;
		return parse_reply(reply, res);
	}
}
