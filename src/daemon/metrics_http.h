/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * metrics_http.h - `snapvnfd --metrics [ADDR:]PORT`: the Prometheus
 * endpoint, GET /metrics, served from the daemon's own loop.
 */
#ifndef SV_METRICS_HTTP_H
#define SV_METRICS_HTTP_H

#include "daemon/daemon.h"

struct sv_metrics;
struct sv_metrics_http;

/*
 * Listen on spec ([ADDR:]PORT; PORT alone is 127.0.0.1:PORT, 0 any free
 * port) and answer GET /metrics with status("metrics", ctx), a malloc'd
 * Prometheus text. Logs why and returns NULL on failure.
 */
struct sv_metrics_http *sv_metrics_http_open(const char *spec, sv_status_fn status, void *ctx);
/* Accepts NULL. */
void sv_metrics_http_close(struct sv_metrics_http *h);
/* The one descriptor to poll for POLLIN (libmicrohttpd's epoll). */
int sv_metrics_http_fd(const struct sv_metrics_http *h);
/* Accept, read and answer what is ready, close clients idle too long:
 * when the descriptor is readable, and once a second. Never blocks. */
void sv_metrics_http_serve(struct sv_metrics_http *h);
/* Its own counters (the "http" section), where it listens included. */
void sv_metrics_http_metrics(const struct sv_metrics_http *h, struct sv_metrics *m);

#endif
