/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * metrics_prom.c - the counter walk as Prometheus text exposition, format
 * 0.0.4: for each metric family one HELP line, one TYPE line, then all its
 * samples together. The walk visits a family once per instance (each
 * service's "delivered"), so samples are gathered per family first and the
 * families printed, in the order first seen, at the end.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/metrics.h"

#define NAME_MAX_LEN 128

struct family {
	char name[NAME_MAX_LEN];
	const char *help;
	enum sv_metric_type type;
	char *samples;        /* lines, malloc'd by open_memstream */
	size_t len;
	FILE *f;
};

struct prom_writer {
	struct sv_metrics m;
	const struct sv_metric_group *g;
	char instance[256];   /* the current group's label value, escaped */
	struct family **fam;  /* each apart: its stream holds &samples and &len */
	size_t nfam, cap;
	bool oom;
};

/* A label value as the format wants it: \\, \" and \n escaped. */
static void escape(char *out, size_t size, const char *s)
{
	size_t o = 0;

	for (; *s && o + 3 < size; s++) {
		if (*s == '\\' || *s == '"' || *s == '\n') {
			out[o++] = '\\';
			out[o++] = *s == '\n' ? 'n' : *s;
		} else {
			out[o++] = *s;
		}
	}
	out[o] = '\0';
}

/* The family called name, made with its HELP and TYPE when first seen. */
static struct family *family(struct prom_writer *w, const char *name, enum sv_metric_type type,
			     const char *help)
{
	struct family *f;

	for (size_t i = 0; i < w->nfam; i++)
		if (strcmp(w->fam[i]->name, name) == 0)
			return w->fam[i];
	if (w->nfam == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 64;
		struct family **n = realloc(w->fam, cap * sizeof(*n));

		if (!n) {
			w->oom = true;
			return NULL;
		}
		w->fam = n;
		w->cap = cap;
	}
	if (!(f = calloc(1, sizeof(*f)))) {
		w->oom = true;
		return NULL;
	}
	snprintf(f->name, sizeof(f->name), "%s", name);
	f->help = help;
	f->type = type;
	f->f = open_memstream(&f->samples, &f->len);
	if (!f->f) {
		free(f);
		w->oom = true;
		return NULL;
	}
	w->fam[w->nfam] = f;
	w->nfam++;
	return f;
}

/* The group's label, as the first of a sample's labels ("" without one). */
static void group_label(const struct prom_writer *w, char *out, size_t size)
{
	if (w->g && w->g->label)
		snprintf(out, size, "%s=\"%s\"", w->g->label, w->instance);
	else
		out[0] = '\0';
}

static void p_group(struct sv_metrics *m, const struct sv_metric_group *g, const char *instance)
{
	struct prom_writer *w = (struct prom_writer *)m;

	w->g = g;
	escape(w->instance, sizeof(w->instance), instance ? instance : "");
}

static void p_value(struct sv_metrics *m, const struct sv_metric *row, uint64_t u, double d)
{
	struct prom_writer *w = (struct prom_writer *)m;
	char name[NAME_MAX_LEN], label[320];
	struct family *f;

	snprintf(name, sizeof(name), "snapvnf_%s_%s%s", w->g->prom, row->name,
		 row->type == SV_METRIC_COUNTER ? "_total" : "");
	if (!(f = family(w, name, row->type, row->help)))
		return;
	group_label(w, label, sizeof(label));
	fprintf(f->f, "%s%s%s%s ", name, *label ? "{" : "", label, *label ? "}" : "");
	if (row->kind == SV_METRIC_DOUBLE)
		fprintf(f->f, "%.6f\n", d);
	else if (row->kind == SV_METRIC_I64)
		fprintf(f->f, "%lld\n", (long long)(int64_t)u);
	else
		fprintf(f->f, "%llu\n", (unsigned long long)u);
}

static void p_info(struct sv_metrics *m, const char *name, const char *value, const char *family_name,
		   const char *help)
{
	struct prom_writer *w = (struct prom_writer *)m;
	char full[NAME_MAX_LEN], v[512];
	struct family *f;

	snprintf(full, sizeof(full), "snapvnf_%s", family_name);
	if (!(f = family(w, full, SV_METRIC_GAUGE, help)))
		return;
	escape(v, sizeof(v), value);
	fprintf(f->f, "%s{%s=\"%s\"} 1\n", full, name, v);
}

/* Named neither "counter" nor "gauge": a metric's name should not say
 * its type (promtool's lint). */
static void p_vnf(struct sv_metrics *m, const char *name, bool gauge, uint64_t value)
{
	struct prom_writer *w = (struct prom_writer *)m;
	const char *fname = gauge ? "snapvnf_vnf_value" : "snapvnf_vnf_count_total";
	const char *dot = strchr(name, '.');
	char vnf[128], rest[128], label[320];
	struct family *f;

	f = family(w, fname, gauge ? SV_METRIC_GAUGE : SV_METRIC_COUNTER,
		   gauge ? "A gauge a VNF keeps (sv_gauge), by service, VNF and name."
			 : "A counter a VNF keeps (sv_counter), by service, VNF and name.");
	if (!f)
		return;
	/* "vnf.name": the VNF is what comes before the first dot. */
	snprintf(rest, sizeof(rest), "%.*s", dot ? (int)(dot - name) : 0, name);
	escape(vnf, sizeof(vnf), rest);
	escape(rest, sizeof(rest), dot ? dot + 1 : name);
	group_label(w, label, sizeof(label));
	fprintf(f->f, "%s{%s%svnf=\"%s\",name=\"%s\"} %llu\n", fname, label, *label ? "," : "",
		vnf, rest, (unsigned long long)value);
}

/* HELP text escapes \\ and newlines only. */
static void help_line(FILE *out, const struct family *f)
{
	fprintf(out, "# HELP %s ", f->name);
	for (const char *s = f->help; s && *s; s++) {
		if (*s == '\\')
			fputs("\\\\", out);
		else if (*s == '\n')
			fputs("\\n", out);
		else
			fputc(*s, out);
	}
	fprintf(out, "\n# TYPE %s %s\n", f->name, f->type == SV_METRIC_COUNTER ? "counter" : "gauge");
}

static char *p_done(struct sv_metrics *m)
{
	struct prom_writer *w = (struct prom_writer *)m;
	char *buf = NULL;
	size_t len = 0;
	FILE *out = w->oom ? NULL : open_memstream(&buf, &len);

	for (size_t i = 0; i < w->nfam; i++) {
		struct family *f = w->fam[i];

		fclose(f->f);
		if (out) {
			help_line(out, f);
			fwrite(f->samples, 1, f->len, out);
		}
		free(f->samples);
		free(f);
	}
	if (out && fclose(out) != 0) {
		free(buf);
		buf = NULL;
	}
	free(w->fam);
	free(w);
	return buf;
}

static const struct sv_metrics_ops prom_ops = {
	.group = p_group,
	.value = p_value,
	.info = p_info,
	.vnf = p_vnf,
	.done = p_done,
};

struct sv_metrics *sv_metrics_prometheus(void)
{
	struct prom_writer *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->m.ops = &prom_ops;
	return &w->m;
}
