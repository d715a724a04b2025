/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_metrics.c - the two writers of the counter tables (metrics.h) on
 * known rows: the Prometheus text is held, byte for byte, to the text
 * exposition format 0.0.4 (HELP and TYPE once per family before all its
 * samples, counters with _total, label values with \\, \" and \n escaped,
 * HELP with \\ and \n), the JSON to the layout status documents (nested
 * groups, arrays of labelled instances, booleans, a pid of -1); and the
 * gauge bit of a service's counters segment.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "common/stats.h"
#include "daemon/metrics.h"

struct row {
	uint64_t packets, depth;
	bool up;
	double seconds;
	int64_t pid;
};

static const struct sv_metric rows[] = {
	SV_COUNTER("packets", struct row, packets, "Packets seen."),
	SV_GAUGE("depth", struct row, depth, "Items waiting\nnow, in \\ units."),
	SV_METRIC("up", GAUGE, BOOL, struct row, up, "1 when up."),
	SV_METRIC("seconds", GAUGE, DOUBLE, struct row, seconds, "Seconds up."),
	SV_METRIC("pid", GAUGE, I64, struct row, pid, "A pid, -1 when gone."),
};

static const struct sv_metric_group g_top = { .json = "top", .prom = "top" };
static const struct sv_metric_group g_inner = {
	.json = "top.inner", .prom = "top_inner", .label = "agent",
};
static const struct sv_metric_group g_svc = {
	.json = "services", .prom = "service", .label = "service", .json_label = "name", .vnf = true,
};

/* The same walk for both writers. */
static char *render(struct sv_metrics *m)
{
	const struct row a = { 7, 3, true, 1.5, -1 }, b = { 9, 0, false, 0.25, 42 };

	sv_metrics_group(m, &g_top, NULL);
	sv_metrics_info(m, "version", "1.2\"3", "build_info", "Version.");
	sv_metrics_table(m, rows, 2, &a);
	sv_metrics_group(m, &g_inner, NULL);
	sv_metrics_group(m, &g_inner, "10.0.0.1");
	sv_metrics_table(m, rows, 1, &a);
	sv_metrics_group(m, &g_inner, "a\"b\\c\nd");
	sv_metrics_table(m, rows, 1, &b);
	sv_metrics_group(m, &g_svc, NULL);
	sv_metrics_group(m, &g_svc, "l7");
	sv_metrics_table(m, rows + 2, 3, &a);
	sv_metrics_vnf(m, "dns.queries", false, 5);
	sv_metrics_vnf(m, "ddos.tracked", true, 2);
	sv_metrics_vnf(m, "bare", false, 1);
	sv_metrics_group(m, &g_svc, "quiet");
	sv_metrics_table(m, rows + 2, 3, &b);
	return sv_metrics_done(m);
}

static void test_prometheus_text(void **state)
{
	char *text = render(sv_metrics_prometheus());

	assert_non_null(text);
	assert_string_equal(text,
		"# HELP snapvnf_build_info Version.\n"
		"# TYPE snapvnf_build_info gauge\n"
		"snapvnf_build_info{version=\"1.2\\\"3\"} 1\n"
		"# HELP snapvnf_top_packets_total Packets seen.\n"
		"# TYPE snapvnf_top_packets_total counter\n"
		"snapvnf_top_packets_total 7\n"
		"# HELP snapvnf_top_depth Items waiting\\nnow, in \\\\ units.\n"
		"# TYPE snapvnf_top_depth gauge\n"
		"snapvnf_top_depth 3\n"
		"# HELP snapvnf_top_inner_packets_total Packets seen.\n"
		"# TYPE snapvnf_top_inner_packets_total counter\n"
		"snapvnf_top_inner_packets_total{agent=\"10.0.0.1\"} 7\n"
		"snapvnf_top_inner_packets_total{agent=\"a\\\"b\\\\c\\nd\"} 9\n"
		"# HELP snapvnf_service_up 1 when up.\n"
		"# TYPE snapvnf_service_up gauge\n"
		"snapvnf_service_up{service=\"l7\"} 1\n"
		"snapvnf_service_up{service=\"quiet\"} 0\n"
		"# HELP snapvnf_service_seconds Seconds up.\n"
		"# TYPE snapvnf_service_seconds gauge\n"
		"snapvnf_service_seconds{service=\"l7\"} 1.500000\n"
		"snapvnf_service_seconds{service=\"quiet\"} 0.250000\n"
		"# HELP snapvnf_service_pid A pid, -1 when gone.\n"
		"# TYPE snapvnf_service_pid gauge\n"
		"snapvnf_service_pid{service=\"l7\"} -1\n"
		"snapvnf_service_pid{service=\"quiet\"} 42\n"
		"# HELP snapvnf_vnf_count_total A counter a VNF keeps (sv_counter), by service, "
		"VNF and name.\n"
		"# TYPE snapvnf_vnf_count_total counter\n"
		"snapvnf_vnf_count_total{service=\"l7\",vnf=\"dns\",name=\"queries\"} 5\n"
		"snapvnf_vnf_count_total{service=\"l7\",vnf=\"\",name=\"bare\"} 1\n"
		"# HELP snapvnf_vnf_value A gauge a VNF keeps (sv_gauge), by service, VNF and "
		"name.\n"
		"# TYPE snapvnf_vnf_value gauge\n"
		"snapvnf_vnf_value{service=\"l7\",vnf=\"ddos\",name=\"tracked\"} 2\n");
	free(text);
}

static void test_json_layout(void **state)
{
	char *text = render(sv_metrics_json());
	json_object *root, *top, *inner, *svcs, *o, *v;

	assert_non_null(text);
	root = json_tokener_parse(text);
	free(text);
	assert_non_null(root);
	assert_true(json_object_object_get_ex(root, "top", &top));
	assert_true(json_object_object_get_ex(top, "version", &v));
	assert_string_equal(json_object_get_string(v), "1.2\"3");
	assert_true(json_object_object_get_ex(top, "packets", &v));
	assert_int_equal(json_object_get_uint64(v), 7);
	assert_true(json_object_object_get_ex(top, "inner", &inner));
	assert_true(json_object_is_type(inner, json_type_array));
	assert_int_equal(json_object_array_length(inner), 2);
	o = json_object_array_get_idx(inner, 1);
	assert_true(json_object_object_get_ex(o, "agent", &v));
	assert_string_equal(json_object_get_string(v), "a\"b\\c\nd");
	assert_true(json_object_object_get_ex(o, "packets", &v));
	assert_int_equal(json_object_get_uint64(v), 9);

	assert_true(json_object_object_get_ex(root, "services", &svcs));
	assert_int_equal(json_object_array_length(svcs), 2);
	o = json_object_array_get_idx(svcs, 0);
	assert_true(json_object_object_get_ex(o, "name", &v));
	assert_string_equal(json_object_get_string(v), "l7");
	assert_true(json_object_object_get_ex(o, "up", &v));
	assert_true(json_object_is_type(v, json_type_boolean) && json_object_get_boolean(v));
	assert_true(json_object_object_get_ex(o, "seconds", &v));
	assert_true(json_object_get_double(v) == 1.5);
	assert_true(json_object_object_get_ex(o, "pid", &v));
	assert_int_equal(json_object_get_int64(v), -1);
	assert_true(json_object_object_get_ex(o, "counters", &v));
	assert_int_equal(json_object_object_length(v), 2);
	assert_true(json_object_object_get_ex(v, "dns.queries", &v));
	assert_int_equal(json_object_get_uint64(v), 5);
	assert_true(json_object_object_get_ex(o, "gauges", &v));
	assert_true(json_object_object_get_ex(v, "ddos.tracked", &v));
	assert_int_equal(json_object_get_uint64(v), 2);
	/* A service with no VNF counters still has its (empty) counters. */
	o = json_object_array_get_idx(svcs, 1);
	assert_true(json_object_object_get_ex(o, "counters", &v));
	assert_int_equal(json_object_object_length(v), 0);
	assert_false(json_object_object_get_ex(o, "gauges", NULL));
	json_object_put(root);
}

/* An empty labelled group is an empty array, not a missing member. */
static void test_json_empty_group(void **state)
{
	struct sv_metrics *m = sv_metrics_json();
	json_object *root, *v;
	char *text;

	sv_metrics_group(m, &g_svc, NULL);
	text = sv_metrics_done(m);
	root = json_tokener_parse(text);
	free(text);
	assert_true(json_object_object_get_ex(root, "services", &v));
	assert_true(json_object_is_type(v, json_type_array));
	assert_int_equal(json_object_array_length(v), 0);
	json_object_put(root);
}

/* The gauge bit: set by sv_stats_add_gauge only, read back by index, and
 * zero (a counter) in a segment written before gauges existed. */
static void test_stats_gauge_bit(void **state)
{
	struct sv_stats *st = calloc(1, sizeof(*st));
	char name[SV_STAT_NAME_MAX];
	uint64_t v;

	assert_non_null(st);
	assert_non_null(sv_stats_add(st, "ddos", "records"));
	assert_non_null(sv_stats_add_gauge(st, "ddos", "tracked"));
	for (unsigned i = 2; i < 40; i++)
		assert_non_null(i % 3 ? sv_stats_add(st, NULL, "c") : sv_stats_add_gauge(st, NULL, "g"));
	assert_false(sv_stats_is_gauge(st, 0));
	assert_true(sv_stats_is_gauge(st, 1));
	for (unsigned i = 2; i < 40; i++)
		assert_int_equal(sv_stats_is_gauge(st, i), i % 3 == 0);
	assert_int_equal(sv_stats_read(st, 1, name, &v), 0);
	assert_string_equal(name, "ddos.tracked");
	assert_false(sv_stats_is_gauge(st, SV_STATS_MAX));
	free(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prometheus_text),
		cmocka_unit_test(test_json_layout),
		cmocka_unit_test(test_json_empty_group),
		cmocka_unit_test(test_stats_gauge_bit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
