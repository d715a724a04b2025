/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * input_sflow_file.c - the "sflow-file" input (--sflow-pcap FILE): the
 * UDP datagrams to --sflow-port in a capture, in recorded order, to the
 * collector, each stamped with its capture time.
 */
#include <stdlib.h>
#include <string.h>

#include <snapvnf/pkt.h>

#include "common/log.h"
#include "daemon/collector.h"
#include "daemon/daemon.h"
#include "daemon/input.h"
#include "daemon/metrics.h"
#include "daemon/pcap.h"
#include "decode/packet.h"

#define BURST 32
#define READS (8 * BURST)  /* packets read per burst, sFlow or not */

struct sv_input {
	pcap_t *p;
	const char *path;
	int linktype;
	uint16_t port;
	struct sv_collector *coll;
	int drain_wait_ms;
	bool at_end;
	uint64_t packets, datagrams;
	uint64_t read_errors;      /* the file could not be read to its end */
	struct sv_pkt *pkt;      /* the current packet, decoded */
};

static void sfile_close(struct sv_input *in)
{
	if (!in)
		return;
	if (in->p)
		pcap_close(in->p);
	free(in->pkt);
	free(in);
}

static struct sv_input *sfile_open(const char *path, const struct sv_input_env *env)
{
	struct sv_input *in = calloc(1, sizeof(*in));

	if (!in)
		return NULL;
	in->path = path;
	in->port = (uint16_t)env->opts->sflow_port;
	in->coll = env->collector;
	in->drain_wait_ms = env->opts->lossless ? SV_INPUT_RING_WAIT_MS : 0;
	in->p = sv_pcap_open_file(path);
	in->pkt = malloc(sizeof(struct sv_pkt) + 65536);
	if (!in->p || !in->pkt) {
		sfile_close(in);
		return NULL;
	}
	in->linktype = pcap_datalink(in->p);
	return in;
}

static int sfile_fd(struct sv_input *in)
{
	return -1;
}

/* Hand the packet to the collector if it is a datagram to in->port. */
static bool datagram(struct sv_input *in, const struct pcap_pkthdr *h, const u_char *d)
{
	struct sv_pkt *p = in->pkt;
	size_t wire, len;

	memset(p, 0, sizeof(*p));
	p->cap_len = (uint16_t)(h->caplen < 65535 ? h->caplen : 65535);
	p->wire_len = h->len;
	memcpy(p->data, d, p->cap_len);
	sv_packet_decode(p, in->linktype);
	if (p->ip_version == 0 || p->proto != 17 || p->l4_off == SV_OFF_NONE ||
	    p->payload_off == SV_OFF_NONE || p->dport != in->port)
		return false;
	/* The UDP length says how long the datagram is; the capture may
	 * hold less (a cut copy) - the decoder tells the two apart. */
	len = p->payload_len;
	wire = len;
	if (p->cap_len - p->l4_off >= 8) {
		size_t ulen = (size_t)p->data[p->l4_off + 4] << 8 | p->data[p->l4_off + 5];

		wire = ulen >= 8 ? ulen - 8 : 0;
		if (wire < len)
			len = wire;
	}
	sv_collector_datagram(in->coll, p->data + p->payload_off, len, wire,
			      (uint64_t)h->ts.tv_sec * 1000000000u + (uint64_t)h->ts.tv_usec);
	return true;
}

static int sfile_burst(struct sv_input *in, int *wait_ms)
{
	unsigned done = 0, reads = 0;

	if (!sv_collector_drain(in->coll, in->drain_wait_ms))
		return 0;
	if (in->at_end) {
		sv_info("end of %s: %llu sFlow datagrams", in->path,
			(unsigned long long)in->datagrams);
		/* The last interval is complete: hand its flows over. */
		sv_collector_tick(in->coll, 0, true);
		sv_collector_drain(in->coll, 0);
		return in->read_errors ? SV_INPUT_SHORT : SV_INPUT_END;
	}
	while (done < BURST && reads++ < READS) {
		struct pcap_pkthdr *h;
		const u_char *d;
		int rc = pcap_next_ex(in->p, &h, &d);

		if (rc == PCAP_ERROR_BREAK || rc == PCAP_ERROR) {
			if (rc == PCAP_ERROR) {
				/* what came before was good; the rest is lost */
				sv_pcap_read_failed(in->p, in->path, in->packets);
				in->read_errors++;
			}
			in->at_end = true;
			break;
		}
		if (rc != 1)
			continue;
		in->packets++;
		if (datagram(in, h, d))
			done++;
	}
	in->datagrams += done;
	sv_collector_drain(in->coll, 0);
	return (int)done;
}

static const struct sv_metric sfile_rows[] = {
	SV_COUNTER("read_errors", struct sv_input, read_errors,
		   "sFlow capture files that could not be read to their end (cut, corrupt)."),
};

/* Its datagrams are the collector's counters; what is its own is the file. */
static void sfile_stats(const struct sv_input *in, struct sv_metrics *m)
{
	sv_metrics_table(m, sfile_rows, SV_NROWS(sfile_rows), in);
}

const struct sv_input_ops sv_input_sflow_file = {
	.name = "sflow-file",
	.section = "collector",
	.finite = true,
	.open = sfile_open,
	.fd = sfile_fd,
	.burst = sfile_burst,
	.stats = sfile_stats,
	.close = sfile_close,
};
