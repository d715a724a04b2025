/* SPDX-License-Identifier: BSD-3-Clause */
/* pcap.c - capture files, link types and filters for the libpcap inputs (pcap.h). */
#include <string.h>

#include <snapvnf/pkt.h>

#include "common/log.h"
#include "daemon/pcap.h"

bool sv_pcap_linktype_check(pcap_t *p, const char *what)
{
	int dlt = pcap_datalink(p);

	if (dlt == DLT_EN10MB || dlt == DLT_RAW || dlt == SV_LINK_RAW)
		return true;
	sv_err("%s: link type %s is not supported (Ethernet or raw IP only)", what,
	       pcap_datalink_val_to_name(dlt) ?: "unknown");
	return false;
}

pcap_t *sv_pcap_open_file(const char *path)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	pcap_t *p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO,
							    errbuf);

	if (!p) {
		/* libpcap's message names the file already when it could not open it. */
		if (strncmp(errbuf, path, strlen(path)) == 0)
			sv_err("cannot read %s", errbuf);
		else
			sv_err("cannot read %s: %s", path, errbuf);
		return NULL;
	}
	if (!sv_pcap_linktype_check(p, path)) {
		pcap_close(p);
		return NULL;
	}
	return p;
}

int sv_pcap_filter(pcap_t *p, const char *expr, const char *what)
{
	struct bpf_program prog;

	if (!expr)
		return 0;
	if (pcap_compile(p, &prog, expr, 1, PCAP_NETMASK_UNKNOWN) < 0) {
		sv_err("bad filter '%s': %s", expr, pcap_geterr(p));
		return -1;
	}
	if (pcap_setfilter(p, &prog) < 0) {
		sv_err("cannot set filter on %s: %s", what, pcap_geterr(p));
		pcap_freecode(&prog);
		return -1;
	}
	pcap_freecode(&prog);
	return 0;
}

void sv_pcap_read_failed(pcap_t *p, const char *path, uint64_t packets)
{
	const char *why = pcap_geterr(p);

	/*
	 * libpcap 1.10 reads a pcapng file only while every interface (IDB)
	 * has the first one's link type and snapshot length; it fails on the
	 * first that differs ("an interface has a type 101 different from the
	 * type of the first interface").
	 */
	if (strstr(why, "different from the"))
		sv_err("%s: %s%.0llu: it holds interfaces of different link types or snapshot "
		       "lengths, and libpcap reads a pcapng file only while they match the first "
		       "interface's (%s); split it so each part has one (e.g. tshark -r FILE -Y "
		       "'frame.interface_id == N' -w PART) and replay the parts", path,
		       packets ? "cannot read past packet " : "cannot be replayed",
		       (unsigned long long)packets, why);
	else
		sv_err("%s: cannot read past packet %llu, the rest is lost (cut or corrupt): %s",
		       path, (unsigned long long)packets, why);
}
