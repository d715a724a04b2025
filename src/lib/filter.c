/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * filter.c - BPF on snaps (see filter.h).
 *
 * pcap_compile() on a dead handle, so no capture is opened; bpf_filter()
 * (libpcap's interpreter) runs the program on the snap in the ring, in
 * place. A snap starts with its L2 header, except from a raw-IP input,
 * which the decoder tells by an IP header at offset 0: one program per
 * link type, chosen per snap.
 */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>

#include "lib/filter.h"

struct sv_filter {
	struct bpf_program eth, raw;
};

static int compile(struct bpf_program *prog, int dlt, const char *expr, char *err,
		   size_t errlen)
{
	pcap_t *dead = pcap_open_dead(dlt, 65535);
	int rc = 0;

	if (!dead) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	if (pcap_compile(dead, prog, expr, 1, PCAP_NETMASK_UNKNOWN) < 0) {
		snprintf(err, errlen, "%s", pcap_geterr(dead));
		rc = -EINVAL;
	}
	pcap_close(dead);
	return rc;
}

struct sv_filter *sv_filter_new(const char *expr, char *err, size_t errlen)
{
	struct sv_filter *f = calloc(1, sizeof(*f));
	int rc;

	if (!f) {
		snprintf(err, errlen, "out of memory");
		errno = ENOMEM;
		return NULL;
	}
	rc = compile(&f->eth, DLT_EN10MB, expr, err, errlen);
	if (rc == 0)
		rc = compile(&f->raw, DLT_RAW, expr, err, errlen);
	if (rc < 0) {
		sv_filter_free(f);
		errno = -rc;
		return NULL;
	}
	return f;
}

void sv_filter_free(struct sv_filter *f)
{
	if (!f)
		return;
	pcap_freecode(&f->eth);
	pcap_freecode(&f->raw);
	free(f);
}

bool sv_filter_match(const struct sv_filter *f, const struct sv_pkt *p)
{
	bool raw = p->l3_off == 0 && p->ip_version != 0;
	const struct bpf_program *prog = raw ? &f->raw : &f->eth;

	return bpf_filter(prog->bf_insns, p->data, p->wire_len, p->cap_len) != 0;
}
