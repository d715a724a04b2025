/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * traffic_stats - packets and bytes per protocol and IP version, every
 * SECONDS (default 10) of packet time: one packet VNF, pkt_stats.
 *
 *   traffic_stats [SECONDS]
 */
#include <snapvnf/builtin.h>
#include <snapvnf/service.h>

int main(int argc, char **argv)
{
	if (service_init("traffic_stats") < 0 ||
	    sv_register_pkt(&sv_vnf_pkt_stats, argc > 1 ? argv[1] : NULL, NULL) < 0)
		return 1;
	return service_run() < 0;
}
