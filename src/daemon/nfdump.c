/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nfdump.c - the nfdump path: inotify on nfcapd's directory, nfdump run
 * on each finished file, its output read as a stream (nfdump.h) and
 * parsed by nfdump_fmt.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/log.h"
#include "daemon/nfdump.h"
#include "daemon/nfdump_fmt.h"

extern char **environ;

#define LOG_EVERY_NS (10ull * 1000000000ull)
#define PENDING_MAX  1024      /* finished files waiting for their turn */
#define STDERR_KEEP  256       /* bytes of nfdump's stderr kept for the log */
#define CHUNK        16384
#define REAP_MS      2         /* nfdump closed its output: look again this soon */

/* The nfdump running now. */
struct run {
	pid_t pid;                 /* 0: none */
	int out, err;              /* read ends of its stdout and stderr; -1 at their end */
	char path[PATH_MAX];
	struct sv_nfdump_fmt fmt;
	char errtxt[STDERR_KEEP];
	size_t errlen;
	uint64_t errbytes;
};

struct sv_nfdump {
	int ifd;                   /* inotify */
	int wd;
	int epfd;                  /* ifd and the run's pipes: what the caller polls */
	char *dir;                 /* absolute, so a file name becomes an absolute path */
	char *pending[PENDING_MAX];
	size_t first, npending;
	struct run run;
	struct sv_nfdump_stats st;
	uint64_t log_last, log_suppressed;
};

static void failed(struct sv_nfdump *nf, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* A run failed: counted, and said at most once per interval. */
static void failed(struct sv_nfdump *nf, const char *fmt, ...)
{
	char why[STDERR_KEEP + 64];
	va_list ap;

	nf->st.nfdump_failures++;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	sv_log_ratelimited(&nf->log_last, &nf->log_suppressed, LOG_EVERY_NS, SV_LOG_WARN,
			   "nfdump: %s: %s", nf->run.path, why);
}

static int watch_fd(struct sv_nfdump *nf, int fd)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };

	return epoll_ctl(nf->epfd, EPOLL_CTL_ADD, fd, &ev);
}

static void close_pipe(struct sv_nfdump *nf, int *fd)
{
	if (*fd < 0)
		return;
	epoll_ctl(nf->epfd, EPOLL_CTL_DEL, *fd, NULL);
	close(*fd);
	*fd = -1;
}

/* ------------------------------------------------------------------ */
/* Running nfdump                                                       */

static void start(struct sv_nfdump *nf, char *path)
{
	char *argv[] = { "nfdump", SV_NFDUMP_ARGS, "-r", path, NULL };
	struct run *r = &nf->run;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t all, none;
	int out[2] = { -1, -1 }, err[2] = { -1, -1 }, rc;

	nf->st.files++;
	snprintf(r->path, sizeof(r->path), "%s", path);
	r->errlen = 0;
	r->errbytes = 0;
	sv_nfdump_fmt_init(&r->fmt, r->path, &nf->st);
	if (pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0) {
		failed(nf, "pipe: %s", strerror(errno));
		goto fail;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	posix_spawn_file_actions_adddup2(&fa, err[1], 2);
#if defined(__GLIBC__) && __GLIBC_PREREQ(2, 34)
	/* the daemon's sockets and rings are none of nfdump's business */
	posix_spawn_file_actions_addclosefrom_np(&fa, 3);
#endif
	/* Default dispositions and no blocked signals, whatever the daemon set. */
	sigfillset(&all);
	sigemptyset(&none);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setsigdefault(&attr, &all);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
	/* An argument vector, no shell: a file name is never a command. */
	rc = posix_spawnp(&r->pid, "nfdump", &fa, &attr, argv, environ);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	close(out[1]);
	close(err[1]);
	out[1] = err[1] = -1;
	if (rc != 0) {
		r->pid = 0;
		failed(nf, "cannot run nfdump: %s", strerror(rc));
		goto fail;
	}
	/* Only our ends: nfdump's stay blocking, so a full pipe makes it wait. */
	if (fcntl(out[0], F_SETFL, O_NONBLOCK) < 0 || fcntl(err[0], F_SETFL, O_NONBLOCK) < 0 ||
	    watch_fd(nf, out[0]) < 0 || watch_fd(nf, err[0]) < 0) {
		failed(nf, "cannot watch nfdump's output: %s", strerror(errno));
		kill(r->pid, SIGKILL);
		r->out = out[0];
		r->err = err[0];
		return;  /* reaped as any run */
	}
	r->out = out[0];
	r->err = err[0];
	return;
fail:
	for (int i = 0; i < 2; i++) {
		if (out[i] >= 0)
			close(out[i]);
		if (err[i] >= 0)
			close(err[i]);
	}
	r->out = r->err = -1;
}

/* What nfdump said on stderr, kept short: bytes past STDERR_KEEP are only counted. */
static void read_stderr(struct sv_nfdump *nf)
{
	struct run *r = &nf->run;
	char buf[4096];

	while (r->err >= 0) {
		ssize_t got = read(r->err, buf, sizeof(buf));

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0 && errno == EAGAIN)
			return;
		if (got <= 0) {
			close_pipe(nf, &r->err);
			return;
		}
		nf->st.stderr_bytes += (uint64_t)got;
		r->errbytes += (uint64_t)got;
		if (r->errlen < sizeof(r->errtxt)) {
			size_t n = (size_t)got < sizeof(r->errtxt) - r->errlen ?
				   (size_t)got : sizeof(r->errtxt) - r->errlen;

			memcpy(r->errtxt + r->errlen, buf, n);
			r->errlen += n;
		}
	}
}

/* Read up to *budget bytes of nfdump's output. Returns the records emitted. */
static int read_stdout(struct sv_nfdump *nf, size_t *budget,
		       void (*emit)(void *ctx, const struct sv_flow *rec), void *ctx)
{
	struct run *r = &nf->run;
	char buf[CHUNK];
	int total = 0;

	while (r->out >= 0 && *budget > 0) {
		ssize_t got = read(r->out, buf, *budget < sizeof(buf) ? *budget : sizeof(buf));
		int n;

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0 && errno == EAGAIN)
			break;
		if (got <= 0) {
			if (got < 0)
				failed(nf, "reading nfdump's output: %s", strerror(errno));
			n = sv_nfdump_fmt_end(&r->fmt, emit, ctx);
			close_pipe(nf, &r->out);
		} else {
			*budget -= (size_t)got;
			n = sv_nfdump_fmt_feed(&r->fmt, buf, (size_t)got, emit, ctx);
		}
		total = total > INT_MAX - n ? INT_MAX : total + n;
	}
	return total;
}

/* The first line of what nfdump said, printable. */
static const char *stderr_line(struct run *r)
{
	size_t n = 0;

	while (n < r->errlen && n < sizeof(r->errtxt) - 1 && r->errtxt[n] != '\n') {
		if ((unsigned char)r->errtxt[n] < ' ' || (unsigned char)r->errtxt[n] > '~')
			r->errtxt[n] = '?';
		n++;
	}
	r->errtxt[n] = '\0';
	return r->errtxt;
}

/* nfdump has closed both pipes: reap it, and say if it failed. False while it still runs. */
static bool reap(struct sv_nfdump *nf)
{
	struct run *r = &nf->run;
	int status;
	pid_t got;

	while ((got = waitpid(r->pid, &status, WNOHANG)) < 0 && errno == EINTR)
		;
	if (got == 0)
		return false;
	r->pid = 0;
	if (got < 0)
		failed(nf, "waitpid: %s", strerror(errno));
	else if (WIFSIGNALED(status))
		failed(nf, "nfdump killed by signal %d", WTERMSIG(status));
	else if (WEXITSTATUS(status) != 0)
		failed(nf, "nfdump exited with %d%s%s", WEXITSTATUS(status),
		       r->errbytes ? ": " : "", r->errbytes ? stderr_line(r) : "");
	else if (r->errbytes)
		/* nfdump 1.7 exits 0 on a file that is not nfcapd's, saying so here */
		failed(nf, "nfdump said: %s (%llu bytes on stderr)", stderr_line(r),
		       (unsigned long long)r->errbytes);
	return true;
}

/* ------------------------------------------------------------------ */
/* The watch                                                            */

/* A name nfcapd gives a finished file: nfcapd.YYYYmmddHHMM[SS][+zone]. */
static bool finished_name(const char *name)
{
	return strncmp(name, "nfcapd.", 7) == 0 && name[7] >= '0' && name[7] <= '9';
}

static void missed(struct sv_nfdump *nf, const char *why)
{
	nf->st.files_missed++;
	sv_log_ratelimited(&nf->log_last, &nf->log_suppressed, LOG_EVERY_NS, SV_LOG_WARN,
			   "nfdump: %s: %s", nf->dir, why);
}

static void queue_file(struct sv_nfdump *nf, const char *name)
{
	char path[PATH_MAX], *p;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", nf->dir, name) >= sizeof(path))
		return;
	if (nf->npending == PENDING_MAX) {
		missed(nf, "too many finished files waiting for nfdump; one left out");
		return;
	}
	p = strdup(path);
	if (!p) {
		missed(nf, "out of memory; a finished file left out");
		return;
	}
	nf->pending[(nf->first + nf->npending++) % PENDING_MAX] = p;
}

/* Queue the files finished since the last call. -1: the watch is lost. */
static int read_watch(struct sv_nfdump *nf)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));

	for (;;) {
		ssize_t got = read(nf->ifd, buf, sizeof(buf));

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0 && errno == EAGAIN)
			return 0;
		if (got <= 0) {
			sv_err("nfdump: reading the watch on %s: %s", nf->dir,
			       got < 0 ? strerror(errno) : "end of file");
			return -1;
		}
		for (ssize_t off = 0; off < got;) {
			const struct inotify_event *ev = (const void *)(buf + off);

			off += (ssize_t)(sizeof(*ev) + ev->len);
			if (ev->mask & IN_Q_OVERFLOW) {
				missed(nf, "too many files at once, some were missed");
				continue;
			}
			if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED)) {
				sv_err("nfdump: %s was removed or moved", nf->dir);
				return -1;
			}
			if (ev->len && !(ev->mask & IN_ISDIR) && finished_name(ev->name))
				queue_file(nf, ev->name);
		}
	}
}

static bool nfdump_in_path(void)
{
	const char *path = getenv("PATH");
	char buf[PATH_MAX];

	if (!path)
		path = "/usr/bin:/bin";
	while (*path) {
		size_t n = strcspn(path, ":");
		int len = snprintf(buf, sizeof(buf), "%.*s%snfdump", (int)n, path, n ? "/" : "");

		if (len > 0 && (size_t)len < sizeof(buf) && access(buf, X_OK) == 0)
			return true;
		path += n;
		if (*path == ':')
			path++;
	}
	return false;
}

struct sv_nfdump *sv_nfdump_open(const char *dir)
{
	struct sv_nfdump *nf;
	int err;

	if (!nfdump_in_path()) {
		sv_err("nfdump: no 'nfdump' program in PATH (Debian package nfdump)");
		errno = ENOENT;
		return NULL;
	}
	nf = calloc(1, sizeof(*nf));
	if (!nf)
		return NULL;
	nf->ifd = nf->epfd = nf->run.out = nf->run.err = -1;
	nf->dir = realpath(dir, NULL);
	if (!nf->dir) {
		err = errno;
		sv_err("nfdump: %s: %s", dir, strerror(err));
		goto fail;
	}
	nf->ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	nf->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (nf->ifd < 0 || nf->epfd < 0 || watch_fd(nf, nf->ifd) < 0) {
		err = errno;
		sv_err("nfdump: inotify: %s", strerror(err));
		goto fail;
	}
	nf->wd = inotify_add_watch(nf->ifd, nf->dir, IN_MOVED_TO | IN_CLOSE_WRITE |
				   IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR);
	if (nf->wd < 0) {
		err = errno;
		sv_err("nfdump: cannot watch %s: %s", nf->dir, strerror(err));
		goto fail;
	}
	return nf;
fail:
	sv_nfdump_close(nf);
	errno = err;
	return NULL;
}

int sv_nfdump_fd(const struct sv_nfdump *nf)
{
	return nf->epfd;
}

int sv_nfdump_poll(struct sv_nfdump *nf, size_t max_bytes,
		   void (*emit)(void *ctx, const struct sv_flow *rec), void *ctx, int *wait_ms)
{
	struct run *r = &nf->run;
	int total = 0;

	if (read_watch(nf) < 0)
		return -1;
	for (;;) {
		if (!r->pid) {
			char *path;

			if (!nf->npending)
				return total;
			path = nf->pending[nf->first];
			nf->first = (nf->first + 1) % PENDING_MAX;
			nf->npending--;
			start(nf, path);
			free(path);
			continue;
		}
		read_stderr(nf);
		if (r->out >= 0) {
			int n = read_stdout(nf, &max_bytes, emit, ctx);

			total = total > INT_MAX - n ? INT_MAX : total + n;
			/* more to come, now (the budget is spent) or later */
			if (r->out >= 0)
				return total;
			read_stderr(nf);
		}
		if (r->err >= 0)
			return total;  /* its end comes as readiness */
		if (!reap(nf)) {
			*wait_ms = REAP_MS;
			return total;
		}
	}
}

void sv_nfdump_stats(const struct sv_nfdump *nf, struct sv_nfdump_stats *st)
{
	*st = nf->st;
}

bool sv_nfdump_idle(const struct sv_nfdump *nf)
{
	return !nf->run.pid && !nf->npending;
}

void sv_nfdump_close(struct sv_nfdump *nf)
{
	if (!nf)
		return;
	if (nf->run.pid) {
		/* stopping, not failing: nothing counted */
		kill(nf->run.pid, SIGTERM);
		close_pipe(nf, &nf->run.out);
		close_pipe(nf, &nf->run.err);
		while (waitpid(nf->run.pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	while (nf->npending) {
		free(nf->pending[nf->first]);
		nf->first = (nf->first + 1) % PENDING_MAX;
		nf->npending--;
	}
	if (nf->ifd >= 0)
		close(nf->ifd);
	if (nf->epfd >= 0)
		close(nf->epfd);
	free(nf->dir);
	free(nf);
}
