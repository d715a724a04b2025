/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * snapvnf/dns.h - the header, first question and answer addresses of a DNS
 * message (RFC 1035), over UDP or TCP.
 *
 * The message usually comes from a snap and may stop anywhere; the parser
 * reports what is complete in the buffer and says where it stopped. It
 * cannot tell a snap cut from a message that lies about its own size:
 * a caller that knows the buffer holds the whole UDP payload should treat
 * a truncated flag as "malformed". The TCP variant knows (the length
 * prefix says) and reports a short message as malformed itself.
 */
#ifndef SNAPVNF_DNS_H
#define SNAPVNF_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <snapvnf/api.h>

/*
 * Room for a name as text: at most 255 bytes on the wire leave at most
 * 250 label bytes in 4 labels; each byte may print as 4 ("\DDD"), plus 3
 * dots and the NUL: 1004.
 */
#define SV_DNS_NAME_MAX 1004
/* Addresses kept from the answer section, per family. */
#define SV_DNS_ADDR_MAX 16

struct sv_dns_msg {
	uint16_t id;
	uint16_t flags;       /* the header's flag word, host order */
	bool qr;              /* response */
	uint8_t opcode;
	uint8_t rcode;        /* the header's 4 bits (no EDNS extension) */
	uint16_t qdcount;     /* counts as the wire says */
	uint16_t ancount;
	uint16_t nscount;
	uint16_t arcount;

	/*
	 * First question. qname is text: labels joined by '.', printable
	 * ASCII as is except '.' and '\' inside a label, which are escaped
	 * with '\'; every other byte as \DDD (decimal, as dig prints it). The
	 * root name is ".". No trailing dot.
	 */
	bool has_qname;
	bool has_qtype;       /* qtype and qclass were there too */
	char qname[SV_DNS_NAME_MAX];
	uint16_t qname_len;   /* strlen(qname) */
	uint16_t qtype;
	uint16_t qclass;

	/* A and AAAA records of class IN in the answer section, in order. */
	uint8_t n_a;
	uint8_t n_aaaa;
	uint8_t a[SV_DNS_ADDR_MAX][4];
	uint8_t aaaa[SV_DNS_ADDR_MAX][16];

	bool truncated;       /* the buffer ended before the first question did */
	bool rr_truncated;    /* ... before the answer section did */
	bool rr_malformed;    /* a later question or an answer is malformed */
};

/*
 * Parse the DNS message at p[0..len) (a UDP payload). Names may use
 * compression pointers only to an earlier place in the message, before
 * the start of the labels being read; a pointer to the same or a later
 * place (which is how loops are built), into the 12-byte header, a label
 * type other than 0 and 3 (0x40, 0x80), or a name over 255 bytes is
 * malformed.
 *
 * Returns 1 when the header was read (the first question and the answer
 * addresses as far as the buffer and the flags say), 0 when len < 12
 * (truncated is set), -EINVAL when the first question is malformed. An
 * error after the first question (a later question, an answer) does not
 * fail the call: it sets rr_malformed and stops collecting addresses.
 * *m is always filled; on -EINVAL only the header fields are meaningful.
 */
SV_API int sv_dns_parse(const uint8_t *p, size_t len, struct sv_dns_msg *m);

/*
 * The same for DNS over TCP: p starts with the 2-byte length prefix of
 * RFC 1035 section 4.2.2, which is stripped; bytes after the message are
 * ignored. Returns 0 (truncated set) when the buffer ends before the
 * prefix or the 12-byte header does; -EINVAL when the prefix is under 12,
 * or when the whole message is there yet ends before its first question
 * does. Answers that overrun a message that is all there set rr_malformed,
 * not rr_truncated.
 */
SV_API int sv_dns_parse_tcp(const uint8_t *p, size_t len, struct sv_dns_msg *m);

#endif
