/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * phishing - alert on HTTP requests to hosts or URLs of a blocklist.
 *
 *   phishing [BLOCKLIST]      (default: examples/blocklist.txt)
 *
 * http_request's host, uri and client feed url_filter's input, written
 * with the original index rows.
 */
#include <snapvnf/builtin.h>
#include <snapvnf/service.h>

int main(int argc, char **argv)
{
	size_t conv[][3] = {
		{ SV_URL_HOST, SV_HTTP_HOST, 0 },
		{ SV_URL_URI, SV_HTTP_URI, 0 },
		{ SV_URL_CLIENT, SV_HTTP_CLIENT, 0 },
		{ 0, 0, 0 },
	};
	const char *blocklist = argc > 1 ? argv[1] : "examples/blocklist.txt";

	if (service_init("phishing") < 0 ||
	    register_pkt_vnf(&sv_vnf_http_request, NULL) < 0 ||
	    sv_register_pkt_rows(&sv_vnf_url_filter, blocklist, conv) < 0)
		return 1;
	return service_run() < 0;
}
