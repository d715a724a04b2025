/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * flow_monitor - from sFlow records: the ten sources and destinations
 * with the most traffic every ten seconds, and an alert for each
 * destination receiving more than 100k packets or 1 Gbit per second.
 *
 * The original API takes the VNFs with their defaults (see the comment
 * at the top of vnfs/top_talkers.c and vnfs/ddos.c); with arguments, the
 * same service reads
 *
 *         sv_register_flow(&sv_vnf_top_talkers, "n=20,interval=60", NULL)
 *         sv_register_flow(&sv_vnf_ddos, "pps=50k,bps=2G,interval=5", NULL)
 */
#include <snapvnf/builtin.h>
#include <snapvnf/service.h>

int main(void)
{
	if (service_init("flow_monitor") < 0 ||
	    register_flow_vnf(&sv_vnf_top_talkers, NULL) < 0 ||
	    register_flow_vnf(&sv_vnf_ddos, NULL) < 0)
		return 1;
	return service_run() < 0;
}
