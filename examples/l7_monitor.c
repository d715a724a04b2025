/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * l7_monitor - one event per HTTP request, DNS message and TLS ClientHello.
 *
 * None of the three VNFs stops the chain for packets it does not
 * understand, so each sees every snap whatever the order.
 */
#include <snapvnf/builtin.h>
#include <snapvnf/service.h>

int main(void)
{
	if (service_init("l7_monitor") < 0 ||
	    register_pkt_vnf(&sv_vnf_http_request, NULL) < 0 ||
	    register_pkt_vnf(&sv_vnf_dns, NULL) < 0 ||
	    register_pkt_vnf(&sv_vnf_tls_sni, NULL) < 0)
		return 1;
	return service_run() < 0;
}
