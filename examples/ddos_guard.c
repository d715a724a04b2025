/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ddos_guard - an alert for each destination receiving more packets or
 * bits per second than a threshold, from sFlow samples: one flow VNF,
 * ddos.
 *
 *   ddos_guard [ARGS]     (the VNF's: "pps=50k,bps=1G,interval=10")
 */
#include <snapvnf/builtin.h>
#include <snapvnf/service.h>

int main(int argc, char **argv)
{
	if (service_init("ddos_guard") < 0 ||
	    sv_register_flow(&sv_vnf_ddos, argc > 1 ? argv[1] : NULL, NULL) < 0)
		return 1;
	return service_run() < 0;
}
