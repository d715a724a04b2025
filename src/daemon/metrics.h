/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * metrics.h - the daemon's counters, each defined once, rendered twice: as
 * the JSON of `snapvnf status --json` and as Prometheus text (format
 * 0.0.4) for `snapvnf metrics` and `snapvnfd --metrics`.
 *
 * A counter is a row of a static table next to the struct that holds it:
 * its name, type (counter or gauge), help, and where its value sits in that
 * struct. status.c walks every module once per query (sv_status_render),
 * and each module hands its table and struct to sv_metrics_table(); the
 * walk writes into one of two writers (metrics_json.c, metrics_prom.c).
 * Both renderings come from the same walk, so a counter cannot be in one
 * only; tests/metrics_parity.sh holds the two outputs against each other.
 *
 * Names, for a group G (struct sv_metric_group) and a row N:
 *   JSON                          Prometheus
 *   .G.N                          snapvnf_G_N          (counters: snapvnf_G_N_total)
 *   .G[] = {L: "v", N: ...}       snapvnf_G_N{L="v"}   (a group with a label)
 *   .G.N = "text"  (sv_metrics_info)  snapvnf_FAMILY{N="text"} 1
 * A VNF's own counters (sv_counter, sv_gauge) are the service's:
 *   .services[].counters."vnf.c"  snapvnf_vnf_count_total{service,vnf,name="c"}
 *   .services[].gauges."vnf.g"    snapvnf_vnf_value{service,vnf,name="g"}
 */
#ifndef SV_METRICS_H
#define SV_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum sv_metric_type {
	SV_METRIC_COUNTER,  /* only grows (until the daemon restarts) */
	SV_METRIC_GAUGE,    /* goes up and down */
};

/* How the value is stored in the struct the table describes. */
enum sv_metric_kind {
	SV_METRIC_U64,      /* uint64_t */
	SV_METRIC_I64,      /* int64_t (a pid that may be -1) */
	SV_METRIC_BOOL,     /* bool: JSON true/false, Prometheus 1/0 */
	SV_METRIC_DOUBLE,   /* double */
};

/* One row of a counter table. */
struct sv_metric {
	const char *name;           /* JSON key; Prometheus name after the group's prefix */
	enum sv_metric_type type;
	enum sv_metric_kind kind;
	size_t off;                 /* of the value in the struct */
	const char *help;           /* one line: Prometheus HELP */
};

#define SV_METRIC(name, type, kind, st, field, help) \
	{ name, SV_METRIC_##type, SV_METRIC_##kind, offsetof(st, field), help }
#define SV_COUNTER(name, st, field, help) SV_METRIC(name, COUNTER, U64, st, field, help)
#define SV_GAUGE(name, st, field, help)   SV_METRIC(name, GAUGE, U64, st, field, help)
#define SV_NROWS(tab) (sizeof(tab) / sizeof((tab)[0]))

/* Where counters go: a JSON object (or, with a label, an array of them)
 * and a Prometheus name prefix (with, then, that label on each sample). */
struct sv_metric_group {
	const char *json;        /* "capture"; "collector.agents": inside collector */
	const char *prom;        /* "capture", "collector_agent" */
	const char *label;       /* NULL, or the Prometheus label of each instance */
	const char *json_label;  /* that label's key in each JSON object (NULL: label) */
	bool vnf;                /* instances are services: JSON "counters" even when empty */
};

struct sv_metrics;

/* A writer, one per rendering; NULL when out of memory. */
struct sv_metrics *sv_metrics_json(void);
struct sv_metrics *sv_metrics_prometheus(void);
/* The rendering as a malloc'd string (NULL: out of memory); frees m. */
char *sv_metrics_done(struct sv_metrics *m);

/* What follows belongs to g; `instance` is the label's value when g has
 * one. A labelled group with a NULL instance only says the group exists
 * (JSON: an empty array, until instances come); put nothing after it. */
void sv_metrics_group(struct sv_metrics *m, const struct sv_metric_group *g,
		      const char *instance);
/* The n rows of tab, their values read from the struct at st. */
void sv_metrics_table(struct sv_metrics *m, const struct sv_metric *tab, size_t n,
		      const void *st);
/* A description, not a count (the daemon's version and source): JSON: a
 * string; Prometheus: snapvnf_<family>{<name>="value"} 1, a gauge. */
void sv_metrics_info(struct sv_metrics *m, const char *name, const char *value,
		     const char *family, const char *help);
/* One of a service's VNF counters, "vnf.name" as read from its segment
 * (the current group is that service). */
void sv_metrics_vnf(struct sv_metrics *m, const char *name, bool gauge, uint64_t value);

/* ---- for the writers (metrics_json.c, metrics_prom.c) ---- */

struct sv_metrics_ops {
	void (*group)(struct sv_metrics *m, const struct sv_metric_group *g, const char *instance);
	/* A row whose value has been read: u (U64, BOOL as 0/1, I64 as its
	 * two's complement) or d (DOUBLE). */
	void (*value)(struct sv_metrics *m, const struct sv_metric *row, uint64_t u, double d);
	void (*info)(struct sv_metrics *m, const char *name, const char *value,
		     const char *family, const char *help);
	void (*vnf)(struct sv_metrics *m, const char *name, bool gauge, uint64_t value);
	char *(*done)(struct sv_metrics *m);
};

/* Every writer's struct starts with this. */
struct sv_metrics {
	const struct sv_metrics_ops *ops;
};

#endif
