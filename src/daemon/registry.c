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
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "daemon/daemon.h"
#include "lib/ctl.h"
#include "lib/log.h"
#include "lib/ring.h"

#define REG_MAX_CONN 256

struct conn {
	int fd;
	pid_t pid;
	bool service;
	char name[SV_NAME_MAX];
	struct sv_cursor *pkt;
	int pkt_cursor_fd;
};

struct sv_registry {
	int listen_fd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct sv_ring *pkt_ring;
	int pkt_ring_ro_fd;
	struct conn conn[REG_MAX_CONN];
	unsigned nconn;
	unsigned nservices;
	bool seen_any;
	uint64_t refused;
	uint64_t bad_requests;
	sv_status_fn status_fn;
	void *status_ctx;
};

static int make_parent_dir(const char *path)
{
	char dir[PATH_MAX];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

static int bind_socket(struct sv_registry *reg, const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, probe;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		sv_err("control socket path too long: %s", path);
		return -1;
	}
	probe = sv_ctl_connect(path);
	if (probe >= 0) {
		close(probe);
		sv_err("another snapvnfd is already listening on %s", path);
		return -1;
	}
	if (make_parent_dir(path) < 0) {
		sv_err("cannot create the directory of %s: %s", path, strerror(errno));
		return -1;
	}
	/* Nobody answered: what is left there is a stale socket. */
	unlink(path);
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    chmod(path, 0660) < 0 || listen(fd, 64) < 0) {
		sv_err("cannot listen on %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	snprintf(reg->path, sizeof(reg->path), "%s", path);
	return fd;
}

struct sv_registry *sv_registry_open(const char *path, struct sv_ring *pkt_ring)
{
	struct sv_registry *reg = calloc(1, sizeof(*reg));
	char proc[64];

	if (!reg)
		return NULL;
	reg->pkt_ring = pkt_ring;
	reg->listen_fd = bind_socket(reg, path);
	if (reg->listen_fd < 0) {
		free(reg);
		return NULL;
	}
	/* Hand services a read-only descriptor of the ring: together with the
	 * ring's write seal, nothing a service does can map it writable. */
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", sv_ring_fd(pkt_ring));
	reg->pkt_ring_ro_fd = open(proc, O_RDONLY | O_CLOEXEC);
	if (reg->pkt_ring_ro_fd < 0) {
		sv_err("cannot reopen the ring read-only: %s", strerror(errno));
		sv_registry_close(reg);
		return NULL;
	}
	return reg;
}

static void conn_drop(struct sv_registry *reg, unsigned i)
{
	struct conn *c = &reg->conn[i];

	if (c->service) {
		sv_info("service %s (pid %d) left", c->name, (int)c->pid);
		sv_ring_detach(reg->pkt_ring, c->pkt);
		close(c->pkt_cursor_fd);
		reg->nservices--;
	}
	close(c->fd);
	reg->conn[i] = reg->conn[--reg->nconn];
}

void sv_registry_close(struct sv_registry *reg)
{
	if (!reg)
		return;
	while (reg->nconn)
		conn_drop(reg, reg->nconn - 1);
	if (reg->listen_fd >= 0) {
		close(reg->listen_fd);
		unlink(reg->path);
	}
	if (reg->pkt_ring_ro_fd > 0)
		close(reg->pkt_ring_ro_fd);
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
	(void)sv_ctl_send(c->fd, msg, (size_t)n, NULL, 0);
}

static void do_hello(struct sv_registry *reg, struct conn *c, const char *msg)
{
	char name[SV_NAME_MAX], consumes[32] = "pkt", ok[256];
	struct sv_cursor *cur;
	int fds[2], cfd, n;

	if (c->service) {
		reply(c, "error already registered as %s", c->name);
		return;
	}
	if (sv_ctl_get(msg, "name", name, sizeof(name)) < 0 || !sv_ctl_name_valid(name)) {
		reg->bad_requests++;
		reply(c, "error a service name is 1 to 63 characters of A-Z a-z 0-9 . _ -");
		return;
	}
	(void)sv_ctl_get(msg, "consumes", consumes, sizeof(consumes));
	for (unsigned i = 0; i < reg->nconn; i++) {
		if (reg->conn[i].service && strcmp(reg->conn[i].name, name) == 0) {
			reg->refused++;
			sv_warn("refused a second service named %s (pid %d)", name, (int)c->pid);
			reply(c, "error the name %s is already registered (pid %d)", name,
			      (int)reg->conn[i].pid);
			return;
		}
	}
	cfd = sv_ring_attach(reg->pkt_ring, &cur);
	if (cfd < 0) {
		reply(c, "error cannot attach to the packet ring: %s", strerror(-cfd));
		return;
	}
	n = snprintf(ok, sizeof(ok), "ok pkt_payload=%u", sv_ring_payload_size(reg->pkt_ring));
	fds[0] = reg->pkt_ring_ro_fd;
	fds[1] = cfd;
	if (sv_ctl_send(c->fd, ok, (size_t)n, fds, 2) < 0) {
		sv_ring_detach(reg->pkt_ring, cur);
		close(cfd);
		return;
	}
	c->service = true;
	c->pkt = cur;
	c->pkt_cursor_fd = cfd;
	snprintf(c->name, sizeof(c->name), "%s", name);
	reg->nservices++;
	reg->seen_any = true;
	sv_info("service %s (pid %d) registered, consumes %s", name, (int)c->pid, consumes);
}

static void send_text(struct conn *c, const char *text)
{
	size_t len = strlen(text), chunk = SV_CTL_MSG_MAX - 1;

	for (size_t off = 0; off < len; off += chunk) {
		size_t n = len - off < chunk ? len - off : chunk;

		if (sv_ctl_send(c->fd, text + off, n, NULL, 0) < 0)
			return;
	}
	(void)sv_ctl_send(c->fd, SV_CTL_END, strlen(SV_CTL_END), NULL, 0);
}

static void do_request(struct sv_registry *reg, struct conn *c, const char *msg)
{
	char verb[32] = "";
	char *text;

	sscanf(msg, "%31s", verb);
	if (strcmp(verb, "hello") == 0) {
		do_hello(reg, c, msg);
		return;
	}
	if ((strcmp(verb, "status") == 0 || strcmp(verb, "metrics") == 0) && reg->status_fn) {
		text = reg->status_fn(verb, reg->status_ctx);
		send_text(c, text ? text : "error out of memory\n");
		free(text);
		return;
	}
	reg->bad_requests++;
	reply(c, "error unknown request '%.40s' (try: hello, status, metrics)", verb);
}

static void do_accept(struct sv_registry *reg)
{
	for (;;) {
		struct ucred cred;
		socklen_t len = sizeof(cred);
		int fd = accept4(reg->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

		if (fd < 0)
			return;
		if (reg->nconn == REG_MAX_CONN) {
			sv_warn("too many control connections; refusing one");
			close(fd);
			continue;
		}
		memset(&reg->conn[reg->nconn], 0, sizeof(struct conn));
		reg->conn[reg->nconn].fd = fd;
		reg->conn[reg->nconn].pkt_cursor_fd = -1;
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
	pfd[n++] = (struct pollfd){ .fd = reg->listen_fd, .events = POLLIN };
	for (unsigned i = 0; i < reg->nconn && n < max; i++)
		pfd[n++] = (struct pollfd){ .fd = reg->conn[i].fd, .events = POLLIN };
	return n;
}

void sv_registry_serve(struct sv_registry *reg, const struct pollfd *pfd, int n)
{
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
		if (len < 0)
			conn_drop(reg, i);
		else
			do_request(reg, &reg->conn[i], buf);
		free(buf);
	}
	if (n >= 1 && pfd[0].revents)
		do_accept(reg);
}

unsigned sv_registry_count(const struct sv_registry *reg)
{
	return reg->nservices;
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
			out->pkt = reg->conn[j].pkt;
			return true;
		}
	}
	return false;
}

void sv_registry_set_status(struct sv_registry *reg, sv_status_fn fn, void *ctx)
{
	reg->status_fn = fn;
	reg->status_ctx = ctx;
}
