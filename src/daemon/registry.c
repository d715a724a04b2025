/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * registry.c - the control socket: services register here and get the
 * ring segments; the CLI asks for status here.
 *
 * A connection that says hello becomes a service for as long as the
 * socket stays open: when the service exits or dies, the kernel closes
 * it, poll reports the hang-up and the cursor is detached at once, so a
 * dead service never holds the producer back.
 */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "common/ctl.h"
#include "common/log.h"
#include "common/ring.h"
#include "common/stats.h"
#include "daemon/action.h"
#include "daemon/daemon.h"

#define REG_MAX_CONN 256
/* Bytes of long replies (status, metrics) waiting for their readers, all
 * connections together: a client that asks and never reads holds its
 * reply here, not the daemon's loop. */
#define REG_OUT_MAX (64u << 20)
/* Warnings a client can provoke at will: at most one per 10 s each. */
#define REG_LOG_EVERY_NS 10000000000ull
/* accept() without descriptors or memory: retry after 10 ms, doubling to 1 s. */
#define REG_ACCEPT_BACKOFF_MIN_MS 10u
#define REG_ACCEPT_BACKOFF_MAX_MS 1000u

/* Ring kinds a service may consume, in the order their fds are sent. */
enum { K_PKT, K_FLOW, K_N };
static const char *const kind_names[K_N] = { "pkt", "flow" };

struct conn {
	int fd;
	pid_t pid;
	bool service;
	char name[SV_NAME_MAX];
	struct sv_stats *stats;      /* the service's counters page */
	int stats_fd;
	struct sv_cursor *cur[K_N];  /* NULL: not consuming that kind */
	int cur_fd[K_N];
	char *out;                   /* a long reply still to send, or NULL */
	size_t out_len, out_off;
	bool dead;                   /* a reply could not be sent: close it */
};

struct sv_registry {
	int listen_fd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char iface[32];              /* the capture interface, told at attach */
	dev_t path_dev;              /* the socket file we put at path */
	ino_t path_ino;
	uint64_t accept_resume_ns;   /* accept() failed for lack of resources: not before */
	unsigned accept_backoff_ms;
	struct sv_ring *ring[K_N];
	int ring_ro_fd[K_N];
	struct conn conn[REG_MAX_CONN];
	unsigned nconn;
	unsigned nservices;
	bool seen_any;
	uint64_t accepted;           /* connections, since start */
	uint64_t refused;            /* connections refused: REG_MAX_CONN open */
	uint64_t name_taken;         /* hellos refused: the name is running */
	uint64_t bad_requests;
	uint64_t busy;               /* long replies refused: REG_OUT_MAX reached */
	uint64_t accept_failures;    /* accept() out of descriptors or memory */
	size_t out_total;
	sv_status_fn status_fn;
	void *status_ctx;
	struct sv_door *door;        /* block requests go through it; NULL: none */
};

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * The socket's directory. One the daemon creates, and its default one, are
 * its own: they belong to the user it runs as (-Z), so that, unprivileged,
 * it can still remove its socket at exit. Another directory is left as it
 * is; if that user cannot write to it, the socket stays behind at exit
 * (harmless: the next start finds nobody listening and replaces it).
 */
static int socket_dir(const char *path, const struct sv_ctl_owner *own)
{
	char dir[PATH_MAX], def[PATH_MAX];
	struct stat st;
	char *slash;
	bool ours;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	snprintf(def, sizeof(def), "%s", SV_CTL_DEFAULT_PATH);
	*strrchr(def, '/') = '\0';
	ours = strcmp(dir, def) == 0;
	if (mkdir(dir, 0755) == 0)
		ours = true;
	else if (errno != EEXIST)
		return -errno;
	if (stat(dir, &st) < 0)
		return -errno;
	if (!own || own->uid == (uid_t)-1 || st.st_uid == own->uid)
		return 0;
	if (ours) {
		if (chown(dir, own->uid, own->gid) < 0)
			return -errno;
		return 0;
	}
	if (!(st.st_mode & S_IWOTH) && !(st.st_gid == own->gid && (st.st_mode & S_IWGRP)))
		sv_warn("%s is not writable by uid %u: the control socket will stay there after "
			"exit (the next start replaces it)", dir, (unsigned)own->uid);
	return 0;
}

/*
 * May we take `path`? Only if nothing is there, or a socket nobody answers
 * on (left by a daemon that died). Never a file of another kind, never a
 * socket a daemon still holds, even one that is stopped. Returns 0 or -1
 * (logged).
 */
static int claim_path(const char *path)
{
	struct stat st;
	int probe;

	if (lstat(path, &st) < 0) {
		if (errno == ENOENT)
			return 0;
		sv_err("cannot look at %s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISSOCK(st.st_mode)) {
		sv_err("%s exists and is not a socket; leaving it alone (choose another --ctl)",
		       path);
		return -1;
	}
	/* Not waiting: a daemon that is there but does not accept is there. */
	probe = sv_ctl_connect(path, 0);
	if (probe >= 0) {
		close(probe);
		sv_err("another snapvnfd is already listening on %s", path);
		return -1;
	}
	if (probe != -ECONNREFUSED) {
		sv_err("%s: %s; a daemon may still hold it, leaving it alone", path,
		       probe == -ETIMEDOUT ? "it does not take connections (stopped?)"
					   : strerror(-probe));
		return -1;
	}
	return 0;
}

/*
 * Listen on `path`. The socket is bound under a temporary name and renamed
 * into place once it listens and has its owner and mode, so a client that
 * finds the path can always connect (bound in place, a client was refused
 * between bind() and listen()). The rename also replaces a stale socket
 * in one step.
 */
static int bind_socket(struct sv_registry *reg, const char *path, const struct sv_ctl_owner *own)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char tmp[sizeof(sa.sun_path)];
	struct stat st;
	int fd, err;

	if (strlen(path) >= sizeof(sa.sun_path) ||
	    snprintf(tmp, sizeof(tmp), "%s.%d~", path, (int)getpid()) >= (int)sizeof(tmp)) {
		sv_err("control socket path too long: %s", path);
		return -1;
	}
	if (claim_path(path) < 0)
		return -1;
	err = socket_dir(path, own);
	if (err < 0) {
		sv_err("cannot prepare the directory of %s: %s", path, strerror(-err));
		return -1;
	}
	/* A pid's leftover from a daemon killed between bind and rename. */
	if (lstat(tmp, &st) == 0 && S_ISSOCK(st.st_mode))
		unlink(tmp);
	strcpy(sa.sun_path, tmp);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		sv_err("cannot bind %s: %s", tmp, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	/* chmod before chown: once the socket is another user's, changing its
	 * mode would take CAP_FOWNER, one capability more in the unit. */
	if (listen(fd, 64) < 0 || chmod(tmp, 0660) < 0 ||
	    (own && chown(tmp, own->uid, own->gid) < 0) ||
	    rename(tmp, path) < 0 || lstat(path, &st) < 0) {
		sv_err("cannot listen on %s: %s", path, strerror(errno));
		unlink(tmp);
		close(fd);
		return -1;
	}
	snprintf(reg->path, sizeof(reg->path), "%s", path);
	reg->path_dev = st.st_dev;
	reg->path_ino = st.st_ino;
	return fd;
}

/* At exit: remove the socket only if what is at the path is still ours. */
static void unbind_socket(struct sv_registry *reg)
{
	struct stat st;

	if (lstat(reg->path, &st) < 0 || !S_ISSOCK(st.st_mode) || st.st_dev != reg->path_dev ||
	    st.st_ino != reg->path_ino) {
		sv_info("%s is no longer this daemon's socket; leaving it", reg->path);
		return;
	}
	if (unlink(reg->path) < 0)
		sv_warn("cannot remove %s: %s (the next start replaces it)", reg->path,
			strerror(errno));
}

/* A read-only descriptor of a ring for services: together with the ring's
 * write seal, nothing a service does can map it writable. */
static int reopen_ro(struct sv_ring *r)
{
	char proc[64];

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", sv_ring_fd(r));
	return open(proc, O_RDONLY | O_CLOEXEC);
}

struct sv_registry *sv_registry_open(const char *path, struct sv_ring *pkt_ring,
				     struct sv_ring *flow_ring, const struct sv_ctl_owner *own)
{
	struct sv_registry *reg = calloc(1, sizeof(*reg));

	if (!reg)
		return NULL;
	reg->ring[K_PKT] = pkt_ring;
	reg->ring[K_FLOW] = flow_ring;
	reg->ring_ro_fd[K_PKT] = reg->ring_ro_fd[K_FLOW] = -1;
	reg->listen_fd = bind_socket(reg, path, own);
	if (reg->listen_fd < 0) {
		free(reg);
		return NULL;
	}
	for (int k = 0; k < K_N; k++) {
		reg->ring_ro_fd[k] = reopen_ro(reg->ring[k]);
		if (reg->ring_ro_fd[k] < 0) {
			sv_err("cannot reopen the %s ring read-only: %s", kind_names[k],
			       strerror(errno));
			sv_registry_close(reg);
			return NULL;
		}
	}
	return reg;
}

static void conn_detach(struct sv_registry *reg, struct conn *c)
{
	for (int k = 0; k < K_N; k++) {
		if (!c->cur[k])
			continue;
		sv_ring_detach(reg->ring[k], c->cur[k]);
		close(c->cur_fd[k]);
		c->cur[k] = NULL;
		c->cur_fd[k] = -1;
	}
}

/*
 * A leaving service's account, per ring: of the items published while it
 * was attached (from the ring's item `start` on), how many it got through
 * (its position), and of those how many it was handed and how many it lost. The cursor is the service's to
 * write: its words are clamped to what can be true, and only shown.
 */
static void service_ledger(const struct sv_registry *reg, const struct conn *c, char *out,
			   size_t size)
{
	static const char *const what[K_N] = { "snaps", "flow records" };
	size_t len = 0;

	out[0] = '\0';
	for (int k = 0; k < K_N && len < size; k++) {
		const struct sv_cursor *cur = c->cur[k];
		uint64_t head, start, pos;
		int n;

		if (!cur)
			continue;
		head = sv_ring_head(reg->ring[k]);
		start = atomic_load_explicit(&cur->start, memory_order_relaxed);
		pos = atomic_load_explicit(&cur->pos, memory_order_relaxed);
		if (start > head)
			start = head;
		if (pos < start || pos > head)
			pos = pos < start ? start : head;
		n = snprintf(out + len, size - len,
			     "%s %s: read %llu of %llu published while attached from item %llu "
			     "(delivered %llu, lost %llu)", len ? ";" : ":", what[k],
			     (unsigned long long)(pos - start), (unsigned long long)(head - start),
			     (unsigned long long)start,
			     (unsigned long long)atomic_load_explicit(&cur->delivered,
								      memory_order_relaxed),
			     (unsigned long long)atomic_load_explicit(&cur->lost,
								      memory_order_relaxed));
		len += n > 0 ? (size_t)n : 0;
	}
}

static void conn_drop(struct sv_registry *reg, unsigned i)
{
	struct conn *c = &reg->conn[i];

	if (c->service) {
		char ledger[400];

		service_ledger(reg, c, ledger, sizeof(ledger));
		sv_info("service %s (pid %d) left%s", c->name, (int)c->pid, ledger);
		conn_detach(reg, c);
		munmap(c->stats, SV_STATS_SEGMENT);
		close(c->stats_fd);
		reg->nservices--;
	}
	if (c->out) {
		reg->out_total -= c->out_len;
		free(c->out);
	}
	close(c->fd);
	reg->conn[i] = reg->conn[--reg->nconn];
}

void sv_registry_set_capture(struct sv_registry *reg, const char *iface)
{
	snprintf(reg->iface, sizeof(reg->iface), "%s", iface ? iface : "");
}

void sv_registry_close(struct sv_registry *reg)
{
	if (!reg)
		return;
	while (reg->nconn)
		conn_drop(reg, reg->nconn - 1);
	if (reg->listen_fd >= 0) {
		close(reg->listen_fd);
		unbind_socket(reg);
	}
	for (int k = 0; k < K_N; k++)
		if (reg->ring_ro_fd[k] >= 0)
			close(reg->ring_ro_fd[k]);
	free(reg);
}

static void reply(struct conn *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void reply(struct conn *c, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof(msg))
		n = sizeof(msg) - 1;
	/* One request, one reply: a peer whose queue is full has not read
	 * its earlier replies, and would wait for this one for ever. */
	if (sv_ctl_send(c->fd, msg, (size_t)n, NULL, 0) < 0)
		c->dead = true;
}

/* A request that breaks the protocol: counted and logged (never with the
 * client's bytes, rate-limited); the caller replies. */
static void bad_request(struct sv_registry *reg, const struct conn *c, const char *why)
{
	static uint64_t last, suppressed;

	reg->bad_requests++;
	sv_log_ratelimited(&last, &suppressed, REG_LOG_EVERY_NS, SV_LOG_WARN,
			   "bad request on the control socket (pid %d): %s", (int)c->pid, why);
}

/*
 * The service's counters: a segment both sides map, the daemon only reads.
 * Sealed against resizing before it is handed over: the service holds a
 * writable descriptor, and a segment it shrank would make the daemon's
 * next read of its counters fault (SIGBUS).
 */
static int stats_segment(struct conn *c)
{
	int fd = memfd_create("snapvnf-stats", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	void *p;

	if (fd < 0)
		return -errno;
	if (ftruncate(fd, SV_STATS_SEGMENT) < 0 ||
	    fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) < 0 ||
	    (p = mmap(NULL, SV_STATS_SEGMENT, PROT_READ, MAP_SHARED, fd, 0)) == MAP_FAILED) {
		int err = -errno;

		close(fd);
		return err;
	}
	c->stats = p;
	c->stats_fd = fd;
	return 0;
}

static void do_hello(struct sv_registry *reg, struct conn *c, const char *msg)
{
	char name[SV_NAME_MAX];
	int err;

	if (c->service) {
		bad_request(reg, c, "hello twice");
		reply(c, "error already registered as %s", c->name);
		return;
	}
	if (sv_ctl_get(msg, "name", name, sizeof(name)) < 0 || !sv_ctl_name_valid(name)) {
		bad_request(reg, c, "hello without a valid name");
		reply(c, "error a service name is 1 to 63 characters of A-Z a-z 0-9 . _ -");
		return;
	}
	for (unsigned i = 0; i < reg->nconn; i++) {
		if (reg->conn[i].service && strcmp(reg->conn[i].name, name) == 0) {
			static uint64_t last, suppressed;

			reg->name_taken++;
			sv_log_ratelimited(&last, &suppressed, REG_LOG_EVERY_NS, SV_LOG_WARN,
					   "refused a second service named %s (pid %d)", name,
					   (int)c->pid);
			reply(c, "error the name %s is already registered (pid %d)", name,
			      (int)reg->conn[i].pid);
			return;
		}
	}
	err = stats_segment(c);
	if (err < 0) {
		reply(c, "error cannot make the counters segment: %s", strerror(-err));
		return;
	}
	if (sv_ctl_send(c->fd, "ok", 2, &c->stats_fd, 1) < 0) {
		munmap(c->stats, SV_STATS_SEGMENT);
		close(c->stats_fd);
		c->stats_fd = -1;
		c->dead = true;
		return;
	}
	c->service = true;
	snprintf(c->name, sizeof(c->name), "%s", name);
	reg->nservices++;
	reg->seen_any = true;
	sv_info("service %s (pid %d) registered", name, (int)c->pid);
}

/* "pkt", "flow", "pkt,flow" or "flow,pkt" as a mask of 1 << K_*; -1 for
 * anything else (an unknown or repeated kind, an empty item). */
static int parse_kinds(const char *s)
{
	int mask = 0;

	for (;;) {
		size_t n = strcspn(s, ",");
		int k;

		for (k = 0; k < K_N; k++)
			if (strlen(kind_names[k]) == n && strncmp(s, kind_names[k], n) == 0)
				break;
		if (k == K_N || (mask & 1 << k))
			return -1;
		mask |= 1 << k;
		if (s[n] == '\0')
			return mask;
		s += n + 1;
	}
}

/* attach consumes=pkt,flow: a cursor on each ring named; the reply carries
 * (ring, cursor) descriptor pairs in kind order. */
static void do_attach(struct sv_registry *reg, struct conn *c, const char *msg)
{
	char consumes[32], ok[128], kinds[16] = "";
	int fds[2 * K_N], nfds = 0, len = 2, err, mask;

	if (!c->service || c->cur[K_PKT] || c->cur[K_FLOW]) {
		bad_request(reg, c, c->service ? "attach twice" : "attach before hello");
		reply(c, "error attach once, after hello");
		return;
	}
	if (sv_ctl_get(msg, "consumes", consumes, sizeof(consumes)) < 0 ||
	    (mask = parse_kinds(consumes)) < 0) {
		bad_request(reg, c, "attach without valid kinds");
		reply(c, "error attach needs consumes=pkt, flow or pkt,flow");
		return;
	}
	memcpy(ok, "ok", 3);
	for (int k = 0; k < K_N; k++) {
		if (!(mask & 1 << k))
			continue;
		err = sv_ring_attach(reg->ring[k], &c->cur[k]);
		if (err < 0) {
			conn_detach(reg, c);
			reply(c, "error cannot attach to the %s ring: %s", kind_names[k],
			      strerror(-err));
			return;
		}
		c->cur_fd[k] = err;
		fds[nfds++] = reg->ring_ro_fd[k];
		fds[nfds++] = c->cur_fd[k];
		len += snprintf(ok + len, sizeof(ok) - (size_t)len, " %s_payload=%u", kind_names[k],
				sv_ring_payload_size(reg->ring[k]));
		snprintf(kinds + strlen(kinds), sizeof(kinds) - strlen(kinds), "%s%s",
			 *kinds ? "," : "", kind_names[k]);
	}
	/* Where snaps come from, for the events that tell a fleet's apart. */
	if ((mask & 1 << K_PKT) && reg->iface[0])
		len += snprintf(ok + len, sizeof(ok) - (size_t)len, " iface=%s", reg->iface);
	if (sv_ctl_send(c->fd, ok, (size_t)len, fds, (unsigned)nfds) < 0) {
		conn_detach(reg, c);
		c->dead = true;
		return;
	}
	sv_info("service %s consumes %s", c->name, kinds);
}

/*
 * A long reply goes out as the client reads it: the socket takes a few
 * messages, the rest waits in c->out for POLLOUT. Sent in one go, a reply
 * larger than the socket buffer was cut short and its client waited for
 * the end marker for ever. Takes ownership of text.
 */
static void queue_text(struct sv_registry *reg, struct conn *c, char *text)
{
	size_t len = strlen(text);

	if (len > REG_OUT_MAX - reg->out_total) {
		static uint64_t last, suppressed;

		free(text);
		reg->busy++;
		sv_log_ratelimited(&last, &suppressed, REG_LOG_EVERY_NS, SV_LOG_WARN,
				   "%zu bytes of replies wait for their readers; refusing one",
				   reg->out_total);
		reply(c, "error too many replies waiting to be read; try again");
		return;
	}
	c->out = text;
	c->out_len = len;
	c->out_off = 0;
	reg->out_total += len;
}

/* Send what the socket takes of c's long reply, then the end marker.
 * Returns 0 (done, or the rest waits for POLLOUT) or -1 if the peer is gone. */
static int flush_text(struct sv_registry *reg, struct conn *c)
{
	size_t chunk = SV_CTL_MSG_MAX - 1;
	int err;

	while (c->out_off < c->out_len) {
		size_t n = c->out_len - c->out_off < chunk ? c->out_len - c->out_off : chunk;

		err = sv_ctl_send(c->fd, c->out + c->out_off, n, NULL, 0);
		if (err == -EAGAIN)
			return 0;
		if (err < 0)
			return -1;
		c->out_off += n;
	}
	err = sv_ctl_send(c->fd, SV_CTL_END, strlen(SV_CTL_END), NULL, 0);
	if (err == -EAGAIN)
		return 0;
	reg->out_total -= c->out_len;
	free(c->out);
	c->out = NULL;
	return err < 0 ? -1 : 0;
}

static void do_request(struct sv_registry *reg, struct conn *c, const char *msg)
{
	char verb[32] = "";
	char *text;

	sscanf(msg, "%31s", verb);
	/* -vv; the verb is the client's: only known ones are echoed. */
	sv_trace("control: %s from pid %d%s%s",
		 strcmp(verb, "hello") && strcmp(verb, "attach") && strcmp(verb, "status") &&
		 strcmp(verb, "metrics") ? "an unknown request" : verb, (int)c->pid,
		 c->service ? ", service " : "", c->service ? c->name : "");
	if (strcmp(verb, "hello") == 0) {
		do_hello(reg, c, msg);
		return;
	}
	if (strcmp(verb, "attach") == 0) {
		do_attach(reg, c, msg);
		return;
	}
	if (reg->door && (strcmp(verb, "block") == 0 || strcmp(verb, "unblock") == 0 ||
			  strcmp(verb, "actions") == 0)) {
		char out[512];

		if (sv_door_request(reg->door, c->service ? c->name : NULL, msg, mono_ms(), out,
				    sizeof(out), &text))
			bad_request(reg, c, "malformed action request");
		if (text)
			queue_text(reg, c, text);
		else
			reply(c, "%s", out);
		return;
	}
	if ((strcmp(verb, "status") == 0 || strcmp(verb, "metrics") == 0) && reg->status_fn) {
		text = reg->status_fn(verb, reg->status_ctx);
		if (text)
			queue_text(reg, c, text);
		else
			reply(c, "error out of memory");
		return;
	}
	bad_request(reg, c, "unknown request");
	reply(c, "error unknown request '%.40s' (try: hello, attach, status, metrics, block, "
		 "unblock, actions)", verb);
}

static void do_accept(struct sv_registry *reg)
{
	for (;;) {
		struct ucred cred;
		socklen_t len = sizeof(cred);
		int fd = accept4(reg->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

		if (fd < 0) {
			static uint64_t last, suppressed;

			if (errno == EAGAIN || errno == EINTR || errno == ECONNABORTED)
				return;
			/*
			 * Out of descriptors or memory: the connection stays
			 * queued and the listening socket stays readable, so
			 * polling it again at once would spin. Stop looking
			 * at it for a while, longer each time in a row.
			 */
			reg->accept_failures++;
			reg->accept_backoff_ms = reg->accept_backoff_ms
							 ? (reg->accept_backoff_ms * 2 > REG_ACCEPT_BACKOFF_MAX_MS
								    ? REG_ACCEPT_BACKOFF_MAX_MS
								    : reg->accept_backoff_ms * 2)
							 : REG_ACCEPT_BACKOFF_MIN_MS;
			reg->accept_resume_ns = mono_ns() + reg->accept_backoff_ms * 1000000ull;
			sv_log_ratelimited(&last, &suppressed, REG_LOG_EVERY_NS, SV_LOG_WARN,
					   "control socket: accept: %s; pausing %u ms (%llu times "
					   "so far)", strerror(errno), reg->accept_backoff_ms,
					   (unsigned long long)reg->accept_failures);
			return;
		}
		reg->accept_backoff_ms = 0;
		if (reg->nconn == REG_MAX_CONN) {
			static const char msg[] = "error too many connections to snapvnfd; try again";
			static uint64_t last, suppressed;

			reg->refused++;
			sv_log_ratelimited(&last, &suppressed, REG_LOG_EVERY_NS, SV_LOG_WARN,
					   "%d control connections open; refusing more",
					   REG_MAX_CONN);
			/* A new socket's queue is empty: the refusal fits. */
			(void)sv_ctl_send(fd, msg, sizeof(msg) - 1, NULL, 0);
			close(fd);
			continue;
		}
		reg->accepted++;
		memset(&reg->conn[reg->nconn], 0, sizeof(struct conn));
		reg->conn[reg->nconn].fd = fd;
		reg->conn[reg->nconn].stats_fd = -1;
		reg->conn[reg->nconn].cur_fd[K_PKT] = -1;
		reg->conn[reg->nconn].cur_fd[K_FLOW] = -1;
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0)
			reg->conn[reg->nconn].pid = cred.pid;
		reg->nconn++;
	}
}

int sv_registry_pollfds(struct sv_registry *reg, struct pollfd *pfd, int max)
{
	int n = 0;

	if (max < 1)
		return 0;
	/* Slot 0 stays the listening socket; while accept() backs off it
	 * asks for nothing. */
	pfd[n++] = (struct pollfd){ .fd = reg->listen_fd,
				    .events = reg->accept_resume_ns && mono_ns() < reg->accept_resume_ns
						      ? 0
						      : POLLIN };
	/* A connection with a reply still going out is not read meanwhile. */
	for (unsigned i = 0; i < reg->nconn && n < max; i++)
		pfd[n++] = (struct pollfd){ .fd = reg->conn[i].fd,
					    .events = reg->conn[i].out ? POLLOUT : POLLIN };
	if (sv_door_fd(reg->door) >= 0 && n < max)
		pfd[n++] = (struct pollfd){ .fd = sv_door_fd(reg->door), .events = POLLIN };
	return n;
}

/*
 * SOCK_SEQPACKET reads an empty message and a hang-up alike (0 bytes):
 * only a hang-up leaves the peer's side shut down, which poll reports.
 */
static bool peer_gone(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLRDHUP };

	return poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR));
}

void sv_registry_serve(struct sv_registry *reg, const struct pollfd *pfd, int n)
{
	struct conn *c;
	char *buf;

	/* Connections first, from the end, so dropping one (which moves the
	 * last into its place) does not skip any still to be looked at. */
	for (int k = n - 1; k >= 1; k--) {
		unsigned i;

		if (!pfd[k].revents)
			continue;
		for (i = 0; i < reg->nconn && reg->conn[i].fd != pfd[k].fd; i++)
			;
		if (i == reg->nconn)
			continue;
		c = &reg->conn[i];
		if (c->out) {
			if ((pfd[k].revents & (POLLERR | POLLHUP)) ||
			    ((pfd[k].revents & POLLOUT) && flush_text(reg, c) < 0))
				conn_drop(reg, i);
			continue;
		}
		buf = malloc(SV_CTL_MSG_MAX);
		if (!buf)
			return;
		ssize_t len = (pfd[k].revents & POLLIN)
				      ? sv_ctl_recv(reg->conn[i].fd, buf, SV_CTL_MSG_MAX, NULL, NULL)
				      : -EPIPE;
		if (len == -EAGAIN) {
			free(buf);
			continue;
		}
		if (len == -EPIPE && (pfd[k].revents & POLLIN) && !peer_gone(c->fd)) {
			bad_request(reg, c, "empty message");
			reply(c, "error empty request (try: hello, attach, status, metrics)");
			len = 0;
		} else if (len >= 0) {
			do_request(reg, c, buf);
			if (c->out && flush_text(reg, c) < 0)
				c->dead = true;
		}
		if (len < 0 || c->dead)
			conn_drop(reg, i);
		free(buf);
	}
	if (n >= 1 && pfd[0].revents)
		do_accept(reg);
	if (reg->door) {
		uint64_t now = mono_ms();

		/* The enforcer's answers, and rules whose TTL ended. */
		for (int k = n - 1; k >= 1; k--)
			if (pfd[k].fd == sv_door_fd(reg->door) && pfd[k].revents)
				sv_door_serve(reg->door, now);
		sv_door_tick(reg->door, now);
	}
}

unsigned sv_registry_count(const struct sv_registry *reg)
{
	return reg->nservices;
}

unsigned sv_registry_attached(const struct sv_registry *reg)
{
	unsigned n = 0;

	for (unsigned i = 0; i < reg->nconn; i++)
		n += reg->conn[i].cur[K_PKT] || reg->conn[i].cur[K_FLOW];
	return n;
}

void sv_registry_stats(const struct sv_registry *reg, struct sv_registry_stats *st)
{
	st->connections = reg->nconn;
	st->accepted = reg->accepted;
	st->refused = reg->refused;
	st->name_taken = reg->name_taken;
	st->bad_requests = reg->bad_requests;
	st->busy = reg->busy;
	st->accept_failures = reg->accept_failures;
}

bool sv_registry_seen_any(const struct sv_registry *reg)
{
	return reg->seen_any;
}

bool sv_registry_service(const struct sv_registry *reg, unsigned i, struct sv_service_info *out)
{
	unsigned k = 0;

	for (unsigned j = 0; j < reg->nconn; j++) {
		if (!reg->conn[j].service)
			continue;
		if (k++ == i) {
			snprintf(out->name, sizeof(out->name), "%s", reg->conn[j].name);
			out->pid = reg->conn[j].pid;
			out->pkt = reg->conn[j].cur[K_PKT];
			out->flow = reg->conn[j].cur[K_FLOW];
			out->stats = reg->conn[j].stats;
			return true;
		}
	}
	return false;
}

void sv_registry_set_door(struct sv_registry *reg, struct sv_door *door)
{
	reg->door = door;
}

void sv_registry_set_status(struct sv_registry *reg, sv_status_fn fn, void *ctx)
{
	reg->status_fn = fn;
	reg->status_ctx = ctx;
}
