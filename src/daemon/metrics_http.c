/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * metrics_http.c - `snapvnfd --metrics [ADDR:]PORT`: GET /metrics over
 * HTTP for Prometheus, served by libmicrohttpd.
 *
 * libmicrohttpd runs without a thread of its own (no
 * MHD_USE_INTERNAL_POLLING_THREAD): in epoll mode it hands out one
 * descriptor, which the daemon's loop polls with the others, and
 * MHD_run() is called from that loop when it is readable and once a
 * second (to close clients that went quiet). So a scrape renders the
 * counters in the loop's own thread, between two bursts, as `snapvnf
 * metrics` does: no lock, no second reader of the daemon's state.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>

#include "common/log.h"
#include "common/version.h"
#include "daemon/hostport.h"
#include "daemon/metrics.h"
#include "daemon/metrics_http.h"

#define CONN_LIMIT 16       /* scrapers are few; a flood waits, the loop does not */
#define CONN_TIMEOUT_S 10   /* a client that says nothing for this long is closed */
#define CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

struct sv_metrics_http {
	struct MHD_Daemon *mhd;
	int listen_fd;
	int epoll_fd;
	char listen[80];            /* what it is bound to, "127.0.0.1:9464" */
	sv_status_fn status;
	void *ctx;
	struct {
		uint64_t scrapes, not_found, bad_method, failed;
	} st;
};

static const struct sv_metric_group g_http = { .json = "http", .prom = "http" };

static const struct sv_metric http_rows[] = {
	SV_COUNTER("scrapes", struct sv_metrics_http, st.scrapes, "GET /metrics answered."),
	SV_COUNTER("not_found", struct sv_metrics_http, st.not_found,
		   "Requests for another path: 404."),
	SV_COUNTER("bad_method", struct sv_metrics_http, st.bad_method,
		   "Requests with a method other than GET or HEAD: 405."),
	SV_COUNTER("failed", struct sv_metrics_http, st.failed,
		   "Requests that could not be answered (out of memory)."),
};

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char line[256];

	vsnprintf(line, sizeof(line), fmt, ap);
	line[strcspn(line, "\n")] = '\0';
	sv_debug("--metrics: %s", line);
}

static enum MHD_Result answer(struct MHD_Connection *conn, unsigned code, char *body,
			      const char *type)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(strlen(body), body,
								 MHD_RESPMEM_MUST_FREE);
	enum MHD_Result rc;

	if (!r) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (code == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	rc = MHD_queue_response(conn, code, r);
	MHD_destroy_response(r);
	return rc;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_size, void **req)
{
	struct sv_metrics_http *h = cls;
	char *body;

	/* A body (a POST's) is not read: the answer is queued at once and
	 * libmicrohttpd closes the connection after it. */
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0) {
		h->st.bad_method++;
		body = strdup("only GET and HEAD\n");
		return body ? answer(conn, MHD_HTTP_METHOD_NOT_ALLOWED, body, "text/plain") : MHD_NO;
	}
	if (strcmp(url, "/metrics") == 0) {
		sv_trace("--metrics: GET /metrics");
		body = h->status("metrics", h->ctx);
		if (!body) {
			h->st.failed++;
			return MHD_NO;
		}
		h->st.scrapes++;
		return answer(conn, MHD_HTTP_OK, body, CONTENT_TYPE);
	}
	h->st.not_found++;
	if (asprintf(&body, "snapvnfd %s: the metrics are at /metrics\n", sv_version()) < 0)
		return MHD_NO;
	return answer(conn, strcmp(url, "/") == 0 ? MHD_HTTP_OK : MHD_HTTP_NOT_FOUND, body,
		      "text/plain");
}

/* A listening TCP socket on spec; PORT alone binds 127.0.0.1. */
static int listen_on(const char *spec, char *bound, size_t size)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE };
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	struct addrinfo *ai = NULL;
	char host[64], port[8], a[INET6_ADDRSTRLEN];
	int fd = -1, one = 1, rc;

	if (sv_hostport_parse(spec, host, sizeof(host), port, sizeof(port), 1) < 0) {
		sv_err("--metrics takes [ADDR:]PORT, e.g. 9464, 0.0.0.0:9464 or [::1]:9464 "
		       "(0: any free port); not '%s'", spec);
		return -1;
	}
	/* Loopback unless told otherwise: the counters name the services. */
	rc = getaddrinfo(host[0] ? host : "127.0.0.1", port, &hints, &ai);
	if (rc) {
		sv_err("--metrics %s: %s", spec, gai_strerror(rc));
		return -1;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, 16) < 0 ||
	    getsockname(fd, (struct sockaddr *)&ss, &len) < 0) {
		sv_err("--metrics %s: %s", spec, strerror(errno));
		if (fd >= 0)
			close(fd);
		freeaddrinfo(ai);
		return -1;
	}
	freeaddrinfo(ai);
	if (ss.ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)&ss;

		inet_ntop(AF_INET6, &s6->sin6_addr, a, sizeof(a));
		snprintf(bound, size, "[%s]:%u", a, ntohs(s6->sin6_port));
	} else {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)&ss;

		inet_ntop(AF_INET, &s4->sin_addr, a, sizeof(a));
		snprintf(bound, size, "%s:%u", a, ntohs(s4->sin_port));
	}
	return fd;
}

struct sv_metrics_http *sv_metrics_http_open(const char *spec, sv_status_fn status, void *ctx)
{
	struct sv_metrics_http *h = calloc(1, sizeof(*h));
	const union MHD_DaemonInfo *info;

	if (!h) {
		sv_err("--metrics: out of memory");
		return NULL;
	}
	h->status = status;
	h->ctx = ctx;
	h->epoll_fd = -1;
	h->listen_fd = listen_on(spec, h->listen, sizeof(h->listen));
	if (h->listen_fd < 0)
		goto fail;
	h->mhd = MHD_start_daemon(MHD_USE_EPOLL | MHD_USE_ERROR_LOG, 0, NULL, NULL, on_request, h,
				  MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
				  MHD_OPTION_LISTEN_SOCKET, h->listen_fd,
				  MHD_OPTION_CONNECTION_LIMIT, (unsigned)CONN_LIMIT,
				  MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)CONN_TIMEOUT_S,
				  MHD_OPTION_END);
	info = h->mhd ? MHD_get_daemon_info(h->mhd, MHD_DAEMON_INFO_EPOLL_FD) : NULL;
	if (!info || info->epoll_fd < 0) {
		sv_err("--metrics %s: libmicrohttpd would not start", spec);
		goto fail;
	}
	h->epoll_fd = info->epoll_fd;
	sv_info("metrics at http://%s/metrics", h->listen);
	return h;
fail:
	sv_metrics_http_close(h);
	return NULL;
}

void sv_metrics_http_close(struct sv_metrics_http *h)
{
	if (!h)
		return;
	/* MHD closes the listening socket it was given; until then it is ours. */
	if (h->mhd)
		MHD_stop_daemon(h->mhd);
	else if (h->listen_fd >= 0)
		close(h->listen_fd);
	free(h);
}

int sv_metrics_http_fd(const struct sv_metrics_http *h)
{
	return h->epoll_fd;
}

void sv_metrics_http_serve(struct sv_metrics_http *h)
{
	MHD_run(h->mhd);
}

struct http_now {
	uint64_t connections;
};

static const struct sv_metric now_rows[] = {
	SV_GAUGE("connections", struct http_now, connections, "HTTP clients connected now."),
};

void sv_metrics_http_metrics(const struct sv_metrics_http *h, struct sv_metrics *m)
{
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(h->mhd,
							       MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
	struct http_now now = { .connections = info ? info->num_connections : 0 };

	sv_metrics_group(m, &g_http, NULL);
	sv_metrics_info(m, "listen", h->listen, "http_info",
			"Where --metrics listens, as a label.");
	sv_metrics_table(m, now_rows, SV_NROWS(now_rows), &now);
	sv_metrics_table(m, http_rows, SV_NROWS(http_rows), h);
}
