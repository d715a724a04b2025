/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nfdump.c - the nfdump path: inotify on nfcapd's directory, `nfdump -r
 * FILE -o csv` on each finished file, its output read by nfdump_csv.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/log.h"
#include "daemon/nfdump.h"
#include "daemon/nfdump_csv.h"

extern char **environ;

#define LOG_EVERY_NS (10ull * 1000000000ull)

typedef void emit_fn(void *ctx, const struct sv_flow *rec);

struct sv_nfdump {
	int fd;
	int wd;
	char *dir;        /* absolute, so a file name becomes an absolute path */
	char **envp;      /* nfdump's environment: ours with TZ=UTC, LC_ALL=C */
	struct sv_nfdump_stats st;
};

/* ------------------------------------------------------------------ */
/* Running nfdump                                                       */

static uint64_t fail_last, fail_suppressed;

static void run_failed(struct sv_nfdump *nf, const char *path, const char *fmt, int v)
{
	char why[96];

	nf->st.nfdump_failures++;
	snprintf(why, sizeof(why), fmt, v);
	sv_log_ratelimited(&fail_last, &fail_suppressed, LOG_EVERY_NS, SV_LOG_WARN,
			   "nfdump: %s: %s", path, why);
}

static int run_nfdump(struct sv_nfdump *nf, const char *path, emit_fn *emit, void *ctx)
{
	char *argv[] = { "nfdump", "-r", (char *)path, "-o", "csv", NULL };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t all, none;
	int p[2], rc, n, status;
	pid_t pid;

	nf->st.files++;
	if (pipe2(p, O_CLOEXEC) < 0) {
		run_failed(nf, path, "pipe: %d", errno);
		return 0;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, p[1], 1);
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
	rc = posix_spawnp(&pid, "nfdump", &fa, &attr, argv, nf->envp);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	close(p[1]);
	if (rc != 0) {
		close(p[0]);
		run_failed(nf, path, "cannot run nfdump: error %d", rc);
		return 0;
	}
	n = sv_nfdump_csv_read(p[0], path, &nf->st, emit, ctx);
	/* Closing first lets an nfdump we stopped reading die on EPIPE. */
	close(p[0]);
	if (n < 0)
		run_failed(nf, path, "reading nfdump's output: error %d", -n);
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			run_failed(nf, path, "waitpid: error %d", errno);
			return n < 0 ? 0 : n;
		}
	}
	if (WIFSIGNALED(status))
		run_failed(nf, path, "nfdump killed by signal %d", WTERMSIG(status));
	else if (WEXITSTATUS(status) != 0)
		run_failed(nf, path, "nfdump exited with %d", WEXITSTATUS(status));
	return n < 0 ? 0 : n;
}

/* ------------------------------------------------------------------ */
/* The watch                                                            */

/* A name nfcapd gives a finished file: nfcapd.YYYYmmddHHMM[SS][+zone]. */
static bool finished_name(const char *name)
{
	return strncmp(name, "nfcapd.", 7) == 0 && name[7] >= '0' && name[7] <= '9';
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

static char **child_env(void)
{
	size_t n = 0, k = 0;
	char **env;

	while (environ && environ[n])
		n++;
	env = calloc(n + 3, sizeof(*env));
	if (!env)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (strncmp(environ[i], "TZ=", 3) == 0 || strncmp(environ[i], "LC_ALL=", 7) == 0)
			continue;
		if (!(env[k++] = strdup(environ[i])))
			goto fail;
	}
	/* nfdump prints local time: make it UTC, which parse_time assumes. */
	if (!(env[k++] = strdup("TZ=UTC")) || !(env[k++] = strdup("LC_ALL=C")))
		goto fail;
	return env;
fail:
	for (size_t i = 0; i < k; i++)
		free(env[i]);
	free(env);
	return NULL;
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
	nf->fd = -1;
	nf->dir = realpath(dir, NULL);
	if (!nf->dir) {
		err = errno;
		sv_err("nfdump: %s: %s", dir, strerror(err));
		goto fail;
	}
	nf->envp = child_env();
	if (!nf->envp) {
		err = ENOMEM;
		goto fail;
	}
	nf->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (nf->fd < 0) {
		err = errno;
		sv_err("nfdump: inotify: %s", strerror(err));
		goto fail;
	}
	nf->wd = inotify_add_watch(nf->fd, nf->dir, IN_MOVED_TO | IN_CLOSE_WRITE |
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
	return nf->fd;
}

int sv_nfdump_poll(struct sv_nfdump *nf, void (*emit)(void *ctx, const struct sv_flow *rec),
		   void *ctx)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	char path[PATH_MAX];
	int total = 0;

	for (;;) {
		ssize_t got = read(nf->fd, buf, sizeof(buf));

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0 && errno == EAGAIN)
			return total;
		if (got <= 0) {
			sv_err("nfdump: reading the watch on %s: %s", nf->dir,
			       got < 0 ? strerror(errno) : "end of file");
			return -1;
		}
		for (ssize_t off = 0; off < got;) {
			const struct inotify_event *ev = (const void *)(buf + off);

			off += (ssize_t)(sizeof(*ev) + ev->len);
			if (ev->mask & IN_Q_OVERFLOW) {
				sv_warn("nfdump: %s: too many files at once, some were missed",
					nf->dir);
				continue;
			}
			if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED)) {
				sv_err("nfdump: %s was removed or moved", nf->dir);
				return -1;
			}
			if (!ev->len || (ev->mask & IN_ISDIR) || !finished_name(ev->name))
				continue;
			if ((size_t)snprintf(path, sizeof(path), "%s/%s", nf->dir, ev->name) >=
			    sizeof(path))
				continue;
			int n = run_nfdump(nf, path, emit, ctx);

			total = total > INT_MAX - n ? INT_MAX : total + n;
		}
	}
}

void sv_nfdump_stats(const struct sv_nfdump *nf, struct sv_nfdump_stats *st)
{
	*st = nf->st;
}

void sv_nfdump_close(struct sv_nfdump *nf)
{
	if (!nf)
		return;
	if (nf->fd >= 0)
		close(nf->fd);
	for (size_t i = 0; nf->envp && nf->envp[i]; i++)
		free(nf->envp[i]);
	free(nf->envp);
	free(nf->dir);
	free(nf);
}
