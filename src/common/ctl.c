/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "common/ctl.h"

const char *sv_ctl_path(void)
{
	const char *p = getenv("SNAPVNF_CTL");

	return p && *p ? p : SV_CTL_DEFAULT_PATH;
}

/* SO_SNDTIMEO/SO_RCVTIMEO of ms (at least 1: a zero time means for ever). */
static void set_timeout(int fd, int opt, int64_t ms)
{
	struct timeval tv = { .tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000 };

	if (ms <= 0)
		tv = (struct timeval){ .tv_usec = 1 };
	setsockopt(fd, SOL_SOCKET, opt, &tv, sizeof(tv));
}

int sv_ctl_connect(const char *path, int timeout_ms)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, err;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | (timeout_ms ? 0 : SOCK_NONBLOCK), 0);
	if (fd < 0)
		return -errno;
	/*
	 * A unix connect() waits for room in the listener's queue, for ever
	 * when the daemon is stopped or wedged; it honours the send timeout,
	 * and a non-blocking one fails at once with EAGAIN.
	 */
	if (timeout_ms)
		set_timeout(fd, SO_SNDTIMEO, timeout_ms);
	while (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		if (errno == EINTR)
			continue;
		err = errno == EAGAIN ? -ETIMEDOUT : -errno;
		close(fd);
		return err;
	}
	if (!timeout_ms) {
		int fl = fcntl(fd, F_GETFL);

		fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	}
	return fd;
}

int sv_ctl_send(int fd, const char *msg, size_t len, const int *fds, unsigned nfds)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int) * SV_CTL_MAX_FDS)];
	} u;
	struct iovec iov = { .iov_base = (void *)msg, .iov_len = len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (nfds > SV_CTL_MAX_FDS)
		return -EINVAL;
	if (nfds) {
		memset(&u, 0, sizeof(u));
		mh.msg_control = u.buf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		u.h.cmsg_level = SOL_SOCKET;
		u.h.cmsg_type = SCM_RIGHTS;
		u.h.cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(&u.h), fds, sizeof(int) * nfds);
	}
	for (;;) {
		if (sendmsg(fd, &mh, MSG_NOSIGNAL) >= 0)
			return 0;
		if (errno != EINTR)
			return -errno;
	}
}

ssize_t sv_ctl_recv(int fd, char *buf, size_t size, int *fds, unsigned *nfds)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int) * SV_CTL_MAX_FDS)];
	} u;
	struct iovec iov = { .iov_base = buf, .iov_len = size - 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
	unsigned room = nfds ? *nfds : 0, got = 0;
	ssize_t n;

	do
		n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		int in[SV_CTL_MAX_FDS];

		memcpy(in, CMSG_DATA(c), k * sizeof(int));
		for (size_t i = 0; i < k; i++) {
			/* Never leak descriptors we were not asked to take. */
			if (got < room)
				fds[got++] = in[i];
			else
				close(in[i]);
		}
	}
	if (nfds)
		*nfds = got;
	buf[n] = '\0';
	/* SOCK_SEQPACKET reports an orderly close as a zero-length read, so the
	 * protocol never sends empty messages (replies end with SV_CTL_END). */
	if (n == 0)
		return -EPIPE;
	return n;
}

int sv_ctl_get(const char *msg, const char *key, char *out, size_t size)
{
	size_t klen = strlen(key);
	const char *p = msg;

	/* strstr finds "" everywhere and p += 0 would never move on. */
	if (klen == 0)
		return -ENOENT;
	while ((p = strstr(p, key)) != NULL) {
		if ((p == msg || p[-1] == ' ') && p[klen] == '=') {
			const char *v = p + klen + 1;
			size_t n = strcspn(v, " \n");

			if (n >= size)
				return -ENAMETOOLONG;
			memcpy(out, v, n);
			out[n] = '\0';
			return 0;
		}
		p += klen;
	}
	return -ENOENT;
}

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int sv_ctl_ask(const char *path, const char *cmd, char *reply, size_t size)
{
	int64_t deadline = mono_ms() + SV_CTL_QUERY_TIMEOUT_S * 1000;
	ssize_t n;
	int fd = sv_ctl_connect(path, SV_CTL_QUERY_TIMEOUT_S * 1000);

	if (fd < 0)
		return fd;
	set_timeout(fd, SO_SNDTIMEO, deadline - mono_ms());
	n = sv_ctl_send(fd, cmd, strlen(cmd), NULL, 0);
	if (n == 0) {
		set_timeout(fd, SO_RCVTIMEO, deadline - mono_ms());
		n = sv_ctl_recv(fd, reply, size, NULL, NULL);
	}
	close(fd);
	if (n < 0)
		return n == -EAGAIN ? -ETIMEDOUT : (int)n;
	return 0;
}

int sv_ctl_query(const char *path, const char *cmd, char **reply)
{
	/* One deadline for connecting, sending and every reply chunk: a
	 * daemon that stops answering must not hang the CLI. */
	int64_t deadline = mono_ms() + SV_CTL_QUERY_TIMEOUT_S * 1000;
	char *buf = NULL, *acc = NULL;
	size_t len = 0;
	int fd, err = 0;

	*reply = NULL;
	fd = sv_ctl_connect(path, SV_CTL_QUERY_TIMEOUT_S * 1000);
	if (fd < 0)
		return fd;
	buf = malloc(SV_CTL_MSG_MAX);
	if (!buf) {
		err = -ENOMEM;
		goto out;
	}
	set_timeout(fd, SO_SNDTIMEO, deadline - mono_ms());
	err = sv_ctl_send(fd, cmd, strlen(cmd), NULL, 0);
	if (err)
		goto out;
	for (;;) {
		ssize_t n;
		char *grown;

		set_timeout(fd, SO_RCVTIMEO, deadline - mono_ms());
		n = sv_ctl_recv(fd, buf, SV_CTL_MSG_MAX, NULL, NULL);
		if (n < 0) {
			err = (int)n;
			goto out;
		}
		if (strcmp(buf, SV_CTL_END) == 0)
			break;
		/* A refusal is one message with no end marker after it. */
		if (!acc && strncmp(buf, "error ", 6) == 0) {
			acc = strdup(buf);
			break;
		}
		grown = realloc(acc, len + (size_t)n + 1);
		if (!grown) {
			err = -ENOMEM;
			goto out;
		}
		acc = grown;
		memcpy(acc + len, buf, (size_t)n + 1);
		len += (size_t)n;
	}
	if (!acc)
		acc = strdup("");
	*reply = acc;
	acc = NULL;
	if (!*reply)
		err = -ENOMEM;
out:
	free(acc);
	free(buf);
	close(fd);
	/* A socket timeout reads as EAGAIN: say what it means. */
	return err == -EAGAIN ? -ETIMEDOUT : err;
}

int sv_ctl_name_valid(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n >= SV_NAME_MAX)
		return 0;
	return strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			    "0123456789._-") == n;
}
