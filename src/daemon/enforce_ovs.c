/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * enforce_ovs.c - drop flows on an Open vSwitch bridge, through ovs-ofctl.
 *
 *   --enforcer ovs:BRIDGE[,priority=40000][,ofctl=/usr/bin/ovs-ofctl]
 *
 * Each rule is one OpenFlow flow: cookie 0x736e6170XXXXXXXX ("snap" and
 * the rule id), the priority, hard_timeout = the TTL (so the switch drops
 * it by itself even if snapvnfd never comes back), the match, actions=drop,
 * added over OpenFlow 1.3 (which the bridge allows unless its `protocols`
 * say otherwise), so that a renewal keeps the flow's counters.
 * Our flows are found by the cookie's upper half alone: that is how
 * leftovers of an earlier run are counted and removed. ovs-ofctl finds
 * the bridge's socket through OVS_RUNDIR like any OVS tool; as a non-root
 * user it needs CAP_DAC_OVERRIDE to open that root-owned socket, which is
 * the one capability this backend keeps.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/capability.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "daemon/action.h"
#include "daemon/enforce_opts.h"

#define OVS_COOKIE      0x736e617000000000ull
#define OVS_COOKIE_MASK 0xffffffff00000000ull
#define OFCTL_WAIT_MS   10000

struct ovs {
	char bridge[64];
	char ofctl[256];
	char appctl[256];
	char ctl[256];      /* ovs-appctl -t: ovs-vswitchd's control socket */
	unsigned priority;
	uint64_t warned_ms; /* the last "datapath not confirmed" warning */
};

/*
 * Run an OVS tool (prog: ovs-ofctl or ovs-appctl) with argv (no shell), at
 * most OFCTL_WAIT_MS. Its standard output goes to out (may be NULL), its
 * first error line to err. Returns 0 when it exited 0, else -EIO
 * (-ETIMEDOUT when killed).
 */
static int tool(const struct ovs *o, const char *prog, const char *const *args, char *out,
		size_t outlen, char *err, size_t errlen)
{
	int pout[2], perr[2], status = 0, rc = 0;
	size_t nout = 0, nerr = 0;
	char ebuf[512];
	const char *argv[8];
	pid_t pid;
	int n = 0;

	argv[n++] = prog;
	for (int i = 0; args[i] && n < 7; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	if (pipe2(pout, O_CLOEXEC) < 0)
		return -errno;
	if (pipe2(perr, O_CLOEXEC) < 0) {
		close(pout[0]);
		close(pout[1]);
		return -errno;
	}
	pid = fork();
	if (pid == 0) {
		dup2(pout[1], 1);
		dup2(perr[1], 2);
		execv(prog, (char *const *)argv);
		dprintf(2, "cannot run %s: %s\n", prog, strerror(errno));
		_exit(127);
	}
	close(pout[1]);
	close(perr[1]);
	if (pid < 0) {
		close(pout[0]);
		close(perr[0]);
		return -errno;
	}
	for (int waited = 0;;) {
		struct pollfd p[2] = { { .fd = pout[0], .events = POLLIN },
				       { .fd = perr[0], .events = POLLIN } };
		char tmp[4096];
		ssize_t r;

		if (p[0].fd < 0 && p[1].fd < 0)
			break;
		if (poll(p, 2, 100) == 0 && (waited += 100) >= OFCTL_WAIT_MS) {
			kill(pid, SIGKILL);
			rc = -ETIMEDOUT;
			break;
		}
		for (int i = 0; i < 2; i++) {
			if (!p[i].revents)
				continue;
			r = read(p[i].fd, tmp, sizeof(tmp));
			if (r <= 0) {
				close(i ? perr[0] : pout[0]);
				(i ? perr : pout)[0] = -1;
				continue;
			}
			if (i == 0 && out && nout < outlen - 1) {
				size_t k = (size_t)r < outlen - 1 - nout ? (size_t)r : outlen - 1 - nout;

				memcpy(out + nout, tmp, k);
				nout += k;
			} else if (i == 1 && nerr < sizeof(ebuf) - 1) {
				size_t k = (size_t)r < sizeof(ebuf) - 1 - nerr ? (size_t)r
									 : sizeof(ebuf) - 1 - nerr;

				memcpy(ebuf + nerr, tmp, k);
				nerr += k;
			}
		}
	}
	if (pout[0] >= 0)
		close(pout[0]);
	if (perr[0] >= 0)
		close(perr[0]);
	if (out)
		out[nout] = '\0';
	ebuf[nerr] = '\0';
	waitpid(pid, &status, 0);
	if (rc == 0 && (!WIFEXITED(status) || WEXITSTATUS(status) != 0))
		rc = -EIO;
	if (rc < 0) {
		ebuf[strcspn(ebuf, "\n")] = '\0';
		snprintf(err, errlen, "%s %s %s: %s", strrchr(prog, '/') + 1, args[0], args[1],
			 rc == -ETIMEDOUT ? "no answer in 10 s" : *ebuf ? ebuf : "failed");
	}
	return rc;
}

static int ofctl(const struct ovs *o, const char *const *args, char *out, size_t outlen,
		 char *err, size_t errlen)
{
	return tool(o, o->ofctl, args, out, outlen, err, errlen);
}

static int ovs_opt(void *ctx, const char *key, const char *val)
{
	struct ovs *o = ctx;

	if (!key && !o->bridge[0] && strlen(val) < sizeof(o->bridge)) {
		snprintf(o->bridge, sizeof(o->bridge), "%s", val);
		return 0;
	}
	if (key && strcmp(key, "bridge") == 0 && strlen(val) < sizeof(o->bridge)) {
		snprintf(o->bridge, sizeof(o->bridge), "%s", val);
		return 0;
	}
	if (key && strcmp(key, "priority") == 0)
		return sv_enforce_uint(val, 1, 65535, &o->priority);
	if (key && strcmp(key, "ofctl") == 0 && val[0] == '/' && strlen(val) < sizeof(o->ofctl)) {
		snprintf(o->ofctl, sizeof(o->ofctl), "%s", val);
		return 0;
	}
	if (key && strcmp(key, "appctl") == 0 && val[0] == '/' && strlen(val) < sizeof(o->appctl)) {
		snprintf(o->appctl, sizeof(o->appctl), "%s", val);
		return 0;
	}
	if (key && strcmp(key, "ctl") == 0 && *val && strlen(val) < sizeof(o->ctl)) {
		snprintf(o->ctl, sizeof(o->ctl), "%s", val);
		return 0;
	}
	return -EINVAL;
}

static int ovs_open(const char *opts, void **state, char *err, size_t errlen)
{
	struct ovs *o = calloc(1, sizeof(*o));
	const char *show[] = { "show", NULL, NULL };
	int rc;

	if (!o)
		return -ENOMEM;
	snprintf(o->ofctl, sizeof(o->ofctl), "/usr/bin/ovs-ofctl");
	snprintf(o->appctl, sizeof(o->appctl), "/usr/bin/ovs-appctl");
	snprintf(o->ctl, sizeof(o->ctl), "ovs-vswitchd");
	o->priority = 40000;
	if (sv_enforce_opts(opts, ovs_opt, o) < 0 || !o->bridge[0]) {
		snprintf(err, errlen, "ovs takes BRIDGE[,priority=N][,ofctl=PATH][,appctl=PATH]"
			 "[,ctl=SOCKET], not '%s'", opts);
		free(o);
		return -EINVAL;
	}
	show[1] = o->bridge;
	rc = ofctl(o, show, NULL, 0, err, errlen);
	if (rc < 0) {
		free(o);
		return rc;
	}
	*state = o;
	return 0;
}

static void ovs_match(const struct sv_rule *r, char *m, size_t size)
{
	const char *v6 = r->family == 6 ? "6" : "";
	const char *pre = r->family == 6 ? "ipv6_" : "nw_";
	char a[64];
	int n;

	switch (r->proto) {
	case 6: n = snprintf(m, size, "tcp%s", v6); break;
	case 17: n = snprintf(m, size, "udp%s", v6); break;
	case 132: n = snprintf(m, size, "sctp%s", v6); break;
	case 0: n = snprintf(m, size, "%s", r->family == 6 ? "ipv6" : "ip"); break;
	default: n = snprintf(m, size, "%s,nw_proto=%u", r->family == 6 ? "ipv6" : "ip", r->proto);
	}
	sv_rule_addr(r->family, r->src, a, sizeof(a));
	n += snprintf(m + n, size - (size_t)n, ",%ssrc=%s", pre, a);
	if (r->scope == SV_SCOPE_PAIR) {
		sv_rule_addr(r->family, r->dst, a, sizeof(a));
		n += snprintf(m + n, size - (size_t)n, ",%sdst=%s", pre, a);
		if (r->dport)
			snprintf(m + n, size - (size_t)n, ",tp_dst=%u", r->dport);
	}
}

/*
 * When add-flow returns, the flow is in the bridge's OpenFlow table, but
 * the datapath still forwards by the megaflows it cached before: each is
 * re-translated by a revalidator thread, which a table change wakes (on
 * the userspace datapath, measured: a burst of 32 packets of the blocked
 * source reached its target 1 ms after add-flow returned). So the rule is
 * only called applied once two revalidation rounds have ended after it:
 * `revalidator/wait` answers at the end of the round running when it is
 * asked, which may have started before the change; the next one started
 * after it. That costs up to ovs-vswitchd's max-revalidator (500 ms) in
 * the report, not in the blocking. `revalidator/purge` would be quicker
 * but empties every bridge's cache on each block. If ovs-vswitchd cannot
 * be asked (its control socket is elsewhere: ctl=; or several datapath
 * types run), the rule stands and a warning says so, at most every 10 s.
 */
static void datapath_sync(struct ovs *o)
{
	const char *args[] = { "-t", o->ctl, "revalidator/wait", NULL };
	char err[192];
	struct timespec ts;
	uint64_t now;

	for (int i = 0; i < 2; i++)
		if (tool(o, o->appctl, args, NULL, 0, err, sizeof(err)) < 0)
			goto warn;
	return;
warn:
	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
	if (o->warned_ms && now - o->warned_ms < 10000)
		return;
	o->warned_ms = now;
	sv_warn("%s: the datapath may forward what a new rule drops for a moment more", err);
}

static int ovs_add(void *state, const struct sv_rule *r, char *err, size_t errlen)
{
	struct ovs *o = state;
	char flow[512], match[256];
	/* OpenFlow 1.3: adding a flow that is there already (a renewal:
	 * same cookie and match, new hard_timeout) replaces it in one step and
	 * keeps its counters; OpenFlow 1.0 would zero them. */
	const char *args[] = { "add-flow", o->bridge, flow, "-O", "OpenFlow13", NULL };

	int rc;

	ovs_match(r, match, sizeof(match));
	snprintf(flow, sizeof(flow), "cookie=0x%016llx,priority=%u,hard_timeout=%u,%s,actions=drop",
		 (unsigned long long)(OVS_COOKIE | r->id), o->priority, r->ttl_s, match);
	rc = ofctl(o, args, NULL, 0, err, errlen);
	if (rc == 0)
		datapath_sync(o);
	return rc;
}

static int ovs_del(void *state, const struct sv_rule *r, char *err, size_t errlen)
{
	struct ovs *o = state;
	char sel[64];
	const char *args[] = { "del-flows", o->bridge, sel, NULL };

	/* Deleting a flow its hard_timeout already removed is no error. */
	snprintf(sel, sizeof(sel), "cookie=0x%016llx/-1", (unsigned long long)(OVS_COOKIE | r->id));
	return ofctl(o, args, NULL, 0, err, errlen);
}

static int ovs_flush(void *state, unsigned *removed, char *err, size_t errlen)
{
	struct ovs *o = state;
	char sel[64], *out = malloc(1 << 20);
	const char *dump[] = { "dump-flows", o->bridge, sel, NULL };
	const char *del[] = { "del-flows", o->bridge, sel, NULL };
	int rc;

	if (!out)
		return -ENOMEM;
	snprintf(sel, sizeof(sel), "cookie=0x%016llx/0x%016llx", OVS_COOKIE, OVS_COOKIE_MASK);
	rc = ofctl(o, dump, out, 1 << 20, err, errlen);
	*removed = 0;
	for (const char *p = out; rc == 0 && (p = strstr(p, "cookie=")) != NULL; p++)
		(*removed)++;
	free(out);
	if (rc == 0 && *removed)
		rc = ofctl(o, del, NULL, 0, err, errlen);
	return rc;
}

static void ovs_close(void *state)
{
	free(state);
}

const struct sv_enforce_ops sv_enforce_ovs = {
	.name = "ovs",
	.caps = { CAP_DAC_OVERRIDE, -1 },
	.open = ovs_open,
	.add = ovs_add,
	.del = ovs_del,
	.flush = ovs_flush,
	.close = ovs_close,
};
