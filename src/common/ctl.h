/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctl.h - the control socket protocol shared by snapvnfd, the service
 * library and the CLI.
 *
 * A unix SOCK_SEQPACKET socket: every message is one datagram of text,
 * "verb key=value key=value ...", values without spaces. Replies start with
 * "ok" or "error <message>". Shared segments travel with the replies as
 * SCM_RIGHTS descriptors. Long replies (status, metrics) come as several
 * messages closed by one holding SV_CTL_END (a zero-length datagram cannot be
 * told from a closed peer). One request, then its reply: the daemon closes
 * a connection whose earlier replies are still unread when the next one
 * does not fit, and sends a long reply as fast as its client reads it.
 *
 *   hello name=NAME                  claim a unique service name
 *     -> ok + the counters segment's fd
 *     -> error the name x is already registered (pid N)
 *   attach consumes=pkt|flow|pkt,flow
 *     -> ok pkt_payload=N [flow_payload=N] [iface=NAME] + (ring, cursor)
 *        fds per kind; iface: the live capture interface snaps come from
 *   status (JSON) | metrics (Prometheus text)
 *     -> text chunks, then SV_CTL_END; or one "error …" message
 */
#ifndef SV_CTL_H
#define SV_CTL_H

#include <stddef.h>
#include <sys/types.h>

#define SV_CTL_DEFAULT_PATH "/run/snapvnf/ctl.sock"
#define SV_CTL_MSG_MAX 16384
#define SV_CTL_MAX_FDS 8
#define SV_NAME_MAX 64
#define SV_CTL_QUERY_TIMEOUT_S 10  /* longest a CLI call waits for the daemon, all told */
/* "\x04end" would be one escape, \x04e (N): the string is split on purpose. */
#define SV_CTL_END "\x04" "end"

/* $SNAPVNF_CTL if set, else the default path. */
const char *sv_ctl_path(void);

/*
 * Connect to the daemon, waiting at most timeout_ms for a place in its
 * listen queue (0: not at all). Returns a socket fd, or -errno: -ENOENT or
 * -ECONNREFUSED when no daemon runs there, -ETIMEDOUT when one is there but
 * does not take connections (stopped, or its queue is full). Sends on the
 * socket give up after the same time.
 */
int sv_ctl_connect(const char *path, int timeout_ms);

/* Send one message with optional descriptors. Returns 0 or -errno. */
int sv_ctl_send(int fd, const char *msg, size_t len, const int *fds, unsigned nfds);

/*
 * Receive one message into buf (NUL-terminated, truncated to size - 1) and
 * up to *nfds descriptors (in: room in fds; out: how many came; extra ones
 * are closed). Returns the message length, -EPIPE
 * when the peer closed, or -errno.
 */
ssize_t sv_ctl_recv(int fd, char *buf, size_t size, int *fds, unsigned *nfds);

/* Copy the value of `key` in "verb k=v k=v" into out. Returns 0, or -ENOENT
 * (also for an empty key), or -ENAMETOOLONG if it does not fit. */
int sv_ctl_get(const char *msg, const char *key, char *out, size_t size);

/*
 * Send `cmd` and collect a multi-message reply into a malloc'd string
 * (*reply, freed by the caller); a refusal comes back as "error …".
 * Returns 0 or -errno (-ETIMEDOUT when the whole exchange, connecting
 * included, took more than SV_CTL_QUERY_TIMEOUT_S seconds).
 */
int sv_ctl_query(const char *path, const char *cmd, char **reply);

/* Send `cmd` and take its one-message reply into reply (NUL-terminated).
 * Returns 0 or -errno (-ETIMEDOUT as for sv_ctl_query()). */
int sv_ctl_ask(const char *path, const char *cmd, char *reply, size_t size);

/* A service name is 1..63 bytes of [A-Za-z0-9._-]. Returns 1 if valid. */
int sv_ctl_name_valid(const char *name);

#endif
