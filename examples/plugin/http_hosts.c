/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * http_hosts - the same VNF compiled into a service program of its own,
 * linked against the installed libsnapvnf.so: the plugin's one symbol,
 * sv_plugin, lists its VNF tables, and the four-call API runs them.
 *
 *   http_hosts [SERVICE_NAME]
 */
#include <snapvnf/plugin.h>
#include <snapvnf/service.h>

extern const struct sv_plugin sv_plugin;

int main(int argc, char **argv)
{
	if (service_init(argc > 1 ? argv[1] : "http_hosts") < 0 ||
	    register_pkt_vnf((pkt_vnf *)sv_plugin.vnfs[0].vnf, NULL) < 0)
		return 1;
	return service_run() < 0;
}
