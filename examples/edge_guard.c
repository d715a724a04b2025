/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * edge_guard - one service over both inputs: every snap counted by
 * protocol (pkt_stats), and the flow records watched for SYN floods and
 * port scans. Snaps run through the packet VNFs and records through the
 * flow VNFs, each in registration order.
 */
#include <snapvnf/builtin.h>
#include <snapvnf/service.h>

int main(void)
{
	if (service_init("edge_guard") < 0 ||
	    sv_register_pkt(&sv_vnf_pkt_stats, "60", NULL) < 0 ||
	    sv_register_flow(&sv_vnf_syn_flood, "min_samples=50,share=0.7", NULL) < 0 ||
	    sv_register_flow(&sv_vnf_port_scan, "ports=20,hosts=20", NULL) < 0)
		return 1;
	return service_run() < 0;
}
