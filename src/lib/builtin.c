/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * builtin.c - the VNFs of vnfs/ by name. A new built-in VNF is one line
 * here.
 */
#include <string.h>

#include <snapvnf/builtin.h>

const struct sv_builtin sv_builtins[] = {
	{ "block", &sv_vnf_block, &sv_vnf_block_flow },
	{ "ddos", NULL, &sv_vnf_ddos },
	{ "dns", &sv_vnf_dns, NULL },
	{ "flow_dump", NULL, &sv_vnf_flow_dump },
	{ "http_request", &sv_vnf_http_request, NULL },
	{ "pkt_stats", &sv_vnf_pkt_stats, NULL },
	{ "port_scan", NULL, &sv_vnf_port_scan },
	{ "syn_flood", NULL, &sv_vnf_syn_flood },
	{ "tls_sni", &sv_vnf_tls_sni, NULL },
	{ "top_talkers", NULL, &sv_vnf_top_talkers },
	{ "url_filter", &sv_vnf_url_filter, NULL },
	{ NULL, NULL, NULL },
};

const struct sv_builtin *sv_builtin_find(const char *name)
{
	for (const struct sv_builtin *b = sv_builtins; b->name; b++)
		if (strcmp(b->name, name) == 0)
			return b;
	return NULL;
}
