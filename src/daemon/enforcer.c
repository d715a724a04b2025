/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * enforcer.c - the one part of snapvnfd that may touch the switch.
 *
 * Forked first thing, before the daemon opens any input, ring or socket
 * (OpenSSH's and OpenSMTPD's privilege separation), so it never holds a
 * capture, the control socket or a ring mapping, not even for a moment:
 * it has its end of a socketpair, stderr, and /dev/null for stdin and
 * stdout (closing the rest is for descriptors the daemon's caller left
 * open). It keeps only the capabilities its backend names (CAP_NET_ADMIN for nft,
 * CAP_DAC_OVERRIDE for ovs-ofctl's socket, none for log and sonic) in
 * every set, bounding and ambient included, and sets PR_SET_NO_NEW_PRIVS.
 * The daemon then speaks to it in fixed-size datagrams (struct sv_enf_msg):
 * add, delete, flush. The child trusts none of them: a message of the
 * wrong size or magic, a rule that is not well formed or names an address
 * of the allow-list, or one past its own cap is refused with an error
 * reply - a daemon taken over after the drop gets no more than the door
 * would give it. The allow-list is the child's own copy, made before the
 * fork; it reads the switch's own addresses again by itself.
 *
 * When the daemon goes (exit, crash), the socket closes and the child
 * removes every rule of ours before it exits. When the child goes, the
 * daemon sees the hang-up and refuses requests from then on.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cap-ng.h>

#include "common/log.h"
#include "daemon/action.h"

#define ENF_FD 3
#define HELLO_WAIT_MS 10000
#define ALLOW_REFRESH_S 10

static const struct sv_enforce_ops *const backends[] = {
	&sv_enforce_log, &sv_enforce_ovs, &sv_enforce_nft, &sv_enforce_sonic,
};

const struct sv_enforce_ops *sv_enforce_find(const char *spec, const char **opts)
{
	size_t n = strcspn(spec, ":");

	*opts = spec[n] ? spec + n + 1 : "";
	for (size_t i = 0; i < sizeof(backends) / sizeof(backends[0]); i++)
		if (strlen(backends[i]->name) == n && strncmp(spec, backends[i]->name, n) == 0)
			return backends[i];
	return NULL;
}

static void send_reply(int fd, uint16_t op, uint64_t id, int err, uint32_t count,
		       const char *msg)
{
	struct sv_enf_reply r = { .magic = SV_ENF_MAGIC, .op = op, .id = id, .err = err,
				  .count = count };

	snprintf(r.msg, sizeof(r.msg), "%s", msg ? msg : "");
	(void)send(fd, &r, sizeof(r), MSG_NOSIGNAL);
}

/*
 * Keep the backend's capabilities only: effective, permitted and bounding
 * sets, nothing inheritable. With `user`, become that user (its uid and
 * group, no supplementary groups) keeping them, and put them in the
 * inheritable and ambient sets too, so that a program the backend runs
 * (ovs-ofctl) has them as well: a non-root exec keeps nothing else. Not
 * dumpable, so the daemon - the same user once it drops root - cannot
 * read or trace it.
 */
static int drop_privileges(const struct sv_enforce_ops *ops, const char *user, char *err,
			   size_t errlen)
{
	capng_type_t keep = CAPNG_EFFECTIVE | CAPNG_PERMITTED | CAPNG_BOUNDING_SET;
	int rc = 0;

	if (geteuid() != 0)
		goto nnp;  /* nothing to give up; the backend gets what we have */
	capng_clear(CAPNG_SELECT_ALL);
	for (int i = 0; i < 3 && ops->caps[i] >= 0; i++)
		if (capng_update(CAPNG_ADD, keep | (user ? CAPNG_INHERITABLE : 0),
				 (unsigned)ops->caps[i]) < 0)
			goto fail;
	if (user) {
		struct passwd *pw = getpwnam(user);

		if (!pw) {
			snprintf(err, errlen, "no user %s", user);
			return -ENOENT;
		}
		rc = capng_change_id((int)pw->pw_uid, (int)pw->pw_gid,
				     CAPNG_DROP_SUPP_GRP | CAPNG_CLEAR_BOUNDING);
		if (rc < 0)
			goto fail;
		for (int i = 0; i < 3 && ops->caps[i] >= 0; i++)
			if (capng_update(CAPNG_ADD, CAPNG_AMBIENT, (unsigned)ops->caps[i]) < 0)
				goto fail;
		if ((rc = capng_apply(CAPNG_SELECT_AMBIENT)) < 0)
			goto fail;
	} else if ((rc = capng_apply(CAPNG_SELECT_BOTH)) < 0) {
		goto fail;
	}
nnp:
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) {
		snprintf(err, errlen, "prctl: %s", strerror(errno));
		return -errno;
	}
	return 0;
fail:
	snprintf(err, errlen, "cannot drop privileges%s%s (libcap-ng %d): %s", user ? " to " : "",
		 user ? user : "", rc, strerror(errno));
	return -EPERM;
}

/*
 * The switch's own addresses change (DHCP, a new port address); the child
 * reads them again itself at most every 10 s rather than trusting the
 * daemon to tell it: a daemon taken over would not.
 */
static void refresh_own(struct sv_allow *allow, struct timespec *last)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (last->tv_sec && now.tv_sec - last->tv_sec < ALLOW_REFRESH_S)
		return;
	sv_allow_refresh(allow);
	*last = now;
}

/*
 * The ids of the rules the backend holds, sorted: the cap counts them, a
 * RENEW must name one, and an ADD must not. The daemon's own table is not
 * trusted for that.
 */
struct idset {
	uint64_t *id;
	unsigned n, size;
};

static unsigned idset_find(const struct idset *s, uint64_t id, bool *found)
{
	unsigned lo = 0, hi = s->n;

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;

		if (s->id[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = lo < s->n && s->id[lo] == id;
	return lo;
}

static int idset_add(struct idset *s, uint64_t id)
{
	bool found;
	unsigned i = idset_find(s, id, &found);

	if (found)
		return 0;
	if (s->n == s->size) {
		unsigned size = s->size ? s->size * 2 : 64;
		uint64_t *p = realloc(s->id, size * sizeof(*p));

		if (!p)
			return -ENOMEM;
		s->id = p;
		s->size = size;
	}
	memmove(&s->id[i + 1], &s->id[i], (s->n - i) * sizeof(*s->id));
	s->id[i] = id;
	s->n++;
	return 0;
}

static void idset_del(struct idset *s, uint64_t id)
{
	bool found;
	unsigned i = idset_find(s, id, &found);

	if (!found)
		return;
	memmove(&s->id[i], &s->id[i + 1], (s->n - i - 1) * sizeof(*s->id));
	s->n--;
}

static bool idset_has(const struct idset *s, uint64_t id)
{
	bool found;

	idset_find(s, id, &found);
	return found;
}

int sv_enforcer_serve(int fd, const struct sv_enforce_ops *ops, void *state,
		      struct sv_allow *allow)
{
	struct idset active = { 0 };
	unsigned removed;
	char err[192], why[128];
	struct timespec refreshed = { 0 };

	for (;;) {
		struct sv_enf_msg m;
		const char *bad;
		ssize_t n = recv(fd, &m, sizeof(m), MSG_TRUNC);
		int rc = 0;

		if (n == 0)
			break;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		err[0] = '\0';
		if ((size_t)n != sizeof(m) || m.magic != SV_ENF_MAGIC || m.pad) {
			send_reply(fd, 0, 0, -EPROTO, 0, "malformed message");
			continue;
		}
		switch (m.op) {
		case SV_ENF_ADD:
		case SV_ENF_RENEW:
			refresh_own(allow, &refreshed);
			if ((bad = sv_rule_invalid(&m.rule)) != NULL ||
			    (bad = sv_allow_check(allow, m.rule.family, m.rule.src, why,
						  sizeof(why))) != NULL) {
				snprintf(err, sizeof(err), "refused: %s", bad);
				rc = -EPERM;
			} else if (idset_has(&active, m.rule.id) != (m.op == SV_ENF_RENEW)) {
				snprintf(err, sizeof(err), "refused: rule %llu is %s",
					 (unsigned long long)m.rule.id,
					 m.op == SV_ENF_RENEW ? "not in force" : "in force already");
				rc = -EEXIST;
			} else if (m.op == SV_ENF_ADD && active.n >= SV_ENF_MAX_RULES) {
				snprintf(err, sizeof(err), "refused: %u rules active", active.n);
				rc = -ENOSPC;
			} else if ((rc = ops->add(state, &m.rule, err, sizeof(err))) == 0 &&
				   (rc = idset_add(&active, m.rule.id)) < 0) {
				snprintf(err, sizeof(err), "out of memory");
			}
			break;
		case SV_ENF_DEL:
			if ((bad = sv_rule_invalid(&m.rule)) != NULL) {
				snprintf(err, sizeof(err), "refused: %s", bad);
				rc = -EINVAL;
			} else if ((rc = ops->del(state, &m.rule, err, sizeof(err))) == 0) {
				idset_del(&active, m.rule.id);
			}
			break;
		case SV_ENF_FLUSH:
			removed = 0;
			rc = ops->flush(state, &removed, err, sizeof(err));
			if (rc == 0)
				active.n = 0;
			send_reply(fd, m.op, 0, rc, removed, err);
			continue;
		default:
			rc = -EPROTO;
			snprintf(err, sizeof(err), "unknown operation %u", m.op);
		}
		send_reply(fd, m.op, m.rule.id, rc, 0, err);
	}
	free(active.id);
	/* The daemon is gone: leave nothing of ours on the switch. */
	removed = 0;
	if (ops->flush(state, &removed, err, sizeof(err)) < 0)
		sv_err("cannot remove the rules at exit: %s", err);
	else if (removed)
		sv_info("removed %u rule(s) at exit", removed);
	ops->close(state);
	return 0;
}

static void __attribute__((noreturn))
child(int fd, const struct sv_enforce_ops *ops, const char *opts, const char *user,
      struct sv_allow *allow)
{
	void *state = NULL;
	unsigned leftovers = 0;
	char err[192] = "";
	int rc, null;

	/* The daemon decides when rules go: on Ctrl-C (the whole group gets
	 * it) or a stop it flushes through us, then closes the socket, and we
	 * exit on that. A signal of our own would only race it. */
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	if (fd != ENF_FD) {
		dup2(fd, ENF_FD);
		fd = ENF_FD;
	}
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	close_range(ENF_FD + 1, ~0U, 0);
	/* stdout may carry the daemon's events: not ours to write. stderr
	 * stays, for the log. */
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		if (null > 2)
			close(null);
	}
	prctl(PR_SET_NAME, "snapvnf-enforce", 0, 0, 0);
	sv_log_init("snapvnfd-enforcer", sv_log_level());

	rc = drop_privileges(ops, user, err, sizeof(err));
	if (rc == 0)
		rc = ops->open(opts, &state, err, sizeof(err));
	if (rc == 0) {
		rc = ops->flush(state, &leftovers, err, sizeof(err));
		if (rc < 0)
			ops->close(state);
	}
	send_reply(fd, SV_ENF_HELLO, 0, rc, leftovers, err);
	if (rc < 0)
		_exit(1);
	_exit(sv_enforcer_serve(fd, ops, state, allow));
}

static void reap(struct sv_enforcer *e, int wait_ms)
{
	for (int t = 0; e->pid > 0; t += 10) {
		pid_t r = waitpid(e->pid, NULL, WNOHANG);

		if (r == e->pid || (r < 0 && errno == ECHILD))
			break;
		if (t >= wait_ms) {
			kill(e->pid, SIGKILL);
			waitpid(e->pid, NULL, 0);
			break;
		}
		poll(NULL, 0, 10);
	}
	e->pid = -1;
}

static void gone(struct sv_enforcer *e)
{
	if (e->fd >= 0)
		close(e->fd);
	e->fd = -1;
	reap(e, 0);
}

/* Wait up to timeout_ms for a reply to `op`, dropping others. */
static int wait_reply(struct sv_enforcer *e, uint16_t op, int timeout_ms, struct sv_enf_reply *rep)
{
	struct timespec t0, t;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		struct pollfd p = { .fd = e->fd, .events = POLLIN };
		int left, rc;

		clock_gettime(CLOCK_MONOTONIC, &t);
		left = timeout_ms - (int)((t.tv_sec - t0.tv_sec) * 1000 +
					  (t.tv_nsec - t0.tv_nsec) / 1000000);
		if (left <= 0)
			return -ETIMEDOUT;
		if (poll(&p, 1, left) < 0 && errno != EINTR)
			return -errno;
		rc = sv_enforcer_recv(e, rep);
		if (rc < 0)
			return rc;
		if (rc == 1 && rep->op == op)
			return 0;
	}
}

int sv_enforcer_start(struct sv_enforcer *e, const char *spec, const char *user,
		      struct sv_allow *allow, unsigned *leftovers)
{
	const char *opts;
	struct sv_enf_reply rep;
	int sv[2], rc;

	e->pid = -1;
	e->fd = -1;
	e->ops = sv_enforce_find(spec, &opts);
	if (!e->ops) {
		sv_err("--enforcer %s: no such backend (log, ovs, nft, sonic)", spec);
		return -1;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		sv_err("enforcer: socketpair: %s", strerror(errno));
		return -1;
	}
	fflush(stdout);
	fflush(stderr);
	e->pid = fork();
	if (e->pid < 0) {
		sv_err("enforcer: fork: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	if (e->pid == 0) {
		close(sv[0]);
		child(sv[1], e->ops, opts, user, allow);
	}
	close(sv[1]);
	e->fd = sv[0];
	fcntl(e->fd, F_SETFL, O_NONBLOCK);
	rc = wait_reply(e, SV_ENF_HELLO, HELLO_WAIT_MS, &rep);
	if (rc < 0 || rep.err < 0) {
		sv_err("enforcer %s: %s", spec,
		       rc == -ETIMEDOUT ? "no answer in 10 s"
		       : rc < 0	   ? "exited before it was ready"
				   : rep.msg[0] ? rep.msg : strerror(-rep.err));
		if (e->pid > 0)
			kill(e->pid, SIGTERM);
		gone(e);
		return -1;
	}
	*leftovers = rep.count;
	sv_info("enforcer %s ready (pid %d)%s", e->ops->name, (int)e->pid,
		rep.count ? "; removed rules left by an earlier run" : "");
	return 0;
}

int sv_enforcer_send(struct sv_enforcer *e, enum sv_enf_op op, const struct sv_rule *r)
{
	struct sv_enf_msg m = { .magic = SV_ENF_MAGIC, .op = (uint16_t)op };

	if (e->fd < 0)
		return -EPIPE;
	if (r)
		m.rule = *r;
	/* Replies are read as they come, so the socket's queue never fills
	 * with more than the door's rule cap; a full queue means the child
	 * stopped reading, which counts as gone. */
	if (send(e->fd, &m, sizeof(m), MSG_NOSIGNAL | MSG_DONTWAIT) != (ssize_t)sizeof(m)) {
		int err = errno == EAGAIN ? -EAGAIN : -EPIPE;

		if (err == -EPIPE)
			gone(e);
		return err;
	}
	return 0;
}

int sv_enforcer_recv(struct sv_enforcer *e, struct sv_enf_reply *rep)
{
	ssize_t n;

	if (e->fd < 0)
		return -EPIPE;
	n = recv(e->fd, rep, sizeof(*rep), MSG_DONTWAIT | MSG_TRUNC);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n <= 0) {
		gone(e);
		return -EPIPE;
	}
	if ((size_t)n != sizeof(*rep) || rep->magic != SV_ENF_MAGIC) {
		sv_warn("enforcer sent a malformed reply; ignored");
		return 0;
	}
	rep->msg[sizeof(rep->msg) - 1] = '\0';
	return 1;
}

int sv_enforcer_stop(struct sv_enforcer *e, int timeout_ms)
{
	struct sv_enf_reply rep = { 0 };
	int rc = -EPIPE;

	if (e->fd >= 0 && sv_enforcer_send(e, SV_ENF_FLUSH, NULL) == 0) {
		rc = wait_reply(e, SV_ENF_FLUSH, timeout_ms, &rep);
		if (rc == 0)
			rc = rep.err < 0 ? rep.err : (int)rep.count;
		if (rep.err < 0)
			sv_err("enforcer: cannot remove the rules: %s", rep.msg);
	}
	if (e->fd >= 0)
		close(e->fd);
	e->fd = -1;
	reap(e, 3000);
	return rc;
}
