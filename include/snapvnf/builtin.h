/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * snapvnf/builtin.h - the VNFs that ship with snapvnf (one file each in
 * vnfs/), and their metadata structs, so a service can chain them with
 * converters.
 *
 * None of them ends the chain by default (returns SV_STOP), so they can
 * be chained in any order: http_request, dns and tls_sni clear their
 * output for a packet they have nothing on (empty strings, false, 0), and
 * a VNF fed by them skips those (url_filter skips an empty host). Given
 * the argument "stop", each of these three becomes a filter instead.
 *
 * The tables are not declared const only because the original API's
 * register_pkt_vnf() takes a non-const pointer; the library never writes
 * to a VNF table.
 */
#ifndef SNAPVNF_BUILTIN_H
#define SNAPVNF_BUILTIN_H

#include <snapvnf/vnf.h>

/* http_request: HTTP request line and headers inside the snap. */
struct sv_http_meta {
	char method[16];
	char host[128];
	char uri[256];
	char user_agent[128];
	bool truncated;       /* the snap cut the request line or headers */
	struct sv_addr client;
	struct sv_addr server;
	uint16_t server_port;
};
enum { SV_HTTP_METHOD, SV_HTTP_HOST, SV_HTTP_URI, SV_HTTP_USER_AGENT, SV_HTTP_TRUNCATED,
       SV_HTTP_CLIENT, SV_HTTP_SERVER, SV_HTTP_SERVER_PORT };
SV_API extern pkt_vnf sv_vnf_http_request;

/*
 * What a detector blames, for the `block` VNF after it (the members a
 * detector's output shares by name with block's input): the source to
 * block and, for scope=pair, where it sent to; culprit is true on the
 * items whose source the detector holds responsible; reason and evidence
 * say for what and on which figures.
 */
#define SV_VERDICT_MEMBERS                                                     \
	struct sv_addr src;                                                    \
	struct sv_addr dst;                                                    \
	uint8_t proto;                                                         \
	uint16_t dport;                                                        \
	bool culprit;                                                          \
	char reason[32];                                                       \
	char evidence[192]

/* url_filter: alert when host/uri match a blocklist (args: the file).
 * Output: the verdict, culprit on a request the blocklist names (src: the
 * client, dst: the server). */
struct sv_url_meta {
	char host[128];
	char uri[256];
	struct sv_addr client;
};
enum { SV_URL_HOST, SV_URL_URI, SV_URL_CLIENT };
struct sv_url_verdict {
	SV_VERDICT_MEMBERS;
};
SV_API extern pkt_vnf sv_vnf_url_filter;

/* block: turn a detector's verdict into a block request to snapvnfd's
 * door (args: ttl=60, scope=src|pair, dry_run=0|1). One table per kind of
 * chain; `snapvnf run` takes the one that fits the VNF before it. */
struct sv_block_meta {
	SV_VERDICT_MEMBERS;
};
enum { SV_BLOCK_SRC, SV_BLOCK_DST, SV_BLOCK_PROTO, SV_BLOCK_DPORT, SV_BLOCK_CULPRIT,
       SV_BLOCK_REASON, SV_BLOCK_EVIDENCE };
SV_API extern pkt_vnf sv_vnf_block;
SV_API extern flow_vnf sv_vnf_block_flow;

/* dns: DNS queries and responses (UDP and TCP). */
struct sv_dns_meta {
	char qname[256];
	uint16_t qtype;
	uint16_t id;
	uint8_t rcode;
	bool response;
	bool truncated;
};
enum { SV_DNS_QNAME, SV_DNS_QTYPE, SV_DNS_ID, SV_DNS_RCODE, SV_DNS_RESPONSE, SV_DNS_TRUNCATED };
SV_API extern pkt_vnf sv_vnf_dns;

/* tls_sni: server name of TLS ClientHellos. */
struct sv_tls_meta {
	char sni[256];
	bool has_sni;
	bool truncated;
};
enum { SV_TLS_SNI, SV_TLS_HAS_SNI, SV_TLS_TRUNCATED };
SV_API extern pkt_vnf sv_vnf_tls_sni;

/* pkt_stats: packets and bytes per protocol, per interval (args: seconds). */
SV_API extern pkt_vnf sv_vnf_pkt_stats;

/*
 * The flow VNFs read flow records (snapvnf/flow.h). Sample and aggregate
 * records describe the same traffic twice when the daemon makes both, so
 * the ones that count traffic take one kind: samples by default,
 * "kind=flow" for aggregates. Their arguments are "key=value,..." pairs;
 * each file's header comment lists them, with the events.
 */

/* flow_dump: one "flow" event per record (args: kind=all|sample|flow|counters). */
SV_API extern flow_vnf sv_vnf_flow_dump;

/* top_talkers: the N sources and destinations with the most estimated
 * bytes per interval (args: n, interval, kind, table). */
SV_API extern flow_vnf sv_vnf_top_talkers;

/* ddos: destinations over a packet or bit rate per interval (args: pps,
 * bps, interval, kind, table). Output, per record: its destination, that
 * destination's rates over the last interval, and whether it is under
 * attack (it was over a threshold last interval, or is already in this one). */
struct sv_ddos_meta {
	struct sv_addr dst;
	uint64_t pps;
	uint64_t bps;
	bool alert;
	/* the verdict: culprit when this record's source sent at least half
	 * of the flagged destination's packets (this and the last interval) */
	struct sv_addr src;
	uint8_t proto;
	uint16_t dport;
	bool culprit;
	char reason[32];
	char evidence[192];
};
enum { SV_DDOS_DST, SV_DDOS_PPS, SV_DDOS_BPS, SV_DDOS_ALERT };
SV_API extern flow_vnf sv_vnf_ddos;

/* syn_flood: destinations whose sampled TCP packets are mostly SYNs
 * without ACK (args: min_samples, share, interval, table). Output, per
 * TCP sample: its destination, the SYN share so far this interval, and
 * whether that destination is flagged (last interval or already this one). */
struct sv_syn_meta {
	struct sv_addr dst;
	double share;
	bool alert;
	/* the verdict: culprit on a SYN sample whose source sent at least half
	 * of the flagged destination's SYN samples (this and the last interval) */
	struct sv_addr src;
	uint8_t proto;
	uint16_t dport;
	bool culprit;
	char reason[32];
	char evidence[192];
};
enum { SV_SYN_DST, SV_SYN_SHARE, SV_SYN_ALERT };
SV_API extern flow_vnf sv_vnf_syn_flood;

/* port_scan: sources probing many ports of one host or many hosts (args:
 * ports, hosts, interval, probe, table). Output, per record: its source,
 * the distinct hosts and the most distinct ports on one host it probed so
 * far this interval, and whether it is flagged (as for syn_flood). */
struct sv_scan_meta {
	struct sv_addr src;
	uint32_t hosts;
	uint32_t ports;
	bool alert;
	/* the verdict: culprit on every record of a flagged source */
	struct sv_addr dst;
	uint8_t proto;
	uint16_t dport;
	bool culprit;
	char reason[32];
	char evidence[192];
};
enum { SV_SCAN_SRC, SV_SCAN_HOSTS, SV_SCAN_PORTS, SV_SCAN_ALERT };
SV_API extern flow_vnf sv_vnf_port_scan;

/* The built-in VNFs by name, for `snapvnf run` and service files. */
struct sv_builtin {
	const char *name;
	const pkt_vnf *pkt;   /* at least one of pkt/flow is set; both for a */
	const flow_vnf *flow; /* VNF that fits either kind of chain (block) */
};
/* NULL-terminated by name. */
SV_API extern const struct sv_builtin sv_builtins[];
SV_API const struct sv_builtin *sv_builtin_find(const char *name);

#endif
