/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_community_id.c - the Community ID flow hash against its sources:
 *   - SHA-1 against FIPS 180's examples (and one more than a block long);
 *   - the tuples and IDs of the spec's baseline tables (corelight/
 *     community-id-spec, baseline/README.md: default seed, seed 1) and a
 *     few rows of its baseline_deflt.json (pycommunityid on real packets);
 *   - every packet of every capture in tests/data, decoded and unwrapped
 *     as the daemon does it, against tshark's "communityid" in
 *     NAME.cid.tsv (make-community-id-truth.sh).
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode/erspan.h"
#include "decode/packet.h"
#include "lib/community_id.h"
#include "lib/sha1.h"

#include "testutil.h"

static void hex(const uint8_t *d, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

static void sha1_hex(const void *data, size_t len, size_t step, char out[41])
{
	struct sv_sha1 s;
	uint8_t d[SV_SHA1_LEN];
	const uint8_t *p = data;

	sv_sha1_init(&s);
	/* Fed in pieces of `step` bytes, so the buffering is exercised too. */
	for (size_t off = 0; off < len; off += step)
		sv_sha1_update(&s, p + off, len - off < step ? len - off : step);
	sv_sha1_final(&s, d);
	hex(d, sizeof(d), out);
}

/* FIPS 180-2 appendix A (and the empty message). */
static void test_sha1_vectors(void **state)
{
	static const char two_blocks[] =
		"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	char out[41];
	char *million = malloc(1000000);

	assert_non_null(million);
	memset(million, 'a', 1000000);
	for (size_t step = 1; step <= 64; step *= 4) {
		sha1_hex("abc", 3, step, out);
		assert_string_equal(out, "a9993e364706816aba3e25717850c26c9cd0d89d");
		sha1_hex("", 0, step, out);
		assert_string_equal(out, "da39a3ee5e6b4b0d3255bfef95601890afd80709");
		sha1_hex(two_blocks, strlen(two_blocks), step, out);
		assert_string_equal(out, "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
	}
	sha1_hex(million, 1000000, 1000, out);
	assert_string_equal(out, "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
	sha1_hex(million, 1000000, 63, out);
	assert_string_equal(out, "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
	free(million);
}

struct vec {
	uint8_t proto;
	const char *src, *dst;
	int sport, dport; /* -1: no ports */
	const char *deflt, *seed1;
};

/* baseline/README.md of the spec: "Default settings" and "seed=1". */
static const struct vec spec[] = {
	{ 6, "1.2.3.4", "5.6.7.8", 1122, 3344, "1:wCb3OG7yAFWelaUydu0D+125CLM=",
	  "1:HhA1B+6CoLbiKPEs5nhNYN4XWfk=" },
	{ 6, "5.6.7.8", "1.2.3.4", 3344, 1122, "1:wCb3OG7yAFWelaUydu0D+125CLM=",
	  "1:HhA1B+6CoLbiKPEs5nhNYN4XWfk=" },
	{ 17, "1.2.3.4", "5.6.7.8", 1122, 3344, "1:0Mu9InQx6z4ZiCZM/7HXi2WMhOg=",
	  "1:OShq+iKDAMVouh/4bMxB9Sz4amw=" },
	{ 17, "5.6.7.8", "1.2.3.4", 3344, 1122, "1:0Mu9InQx6z4ZiCZM/7HXi2WMhOg=",
	  "1:OShq+iKDAMVouh/4bMxB9Sz4amw=" },
	{ 132, "1.2.3.4", "5.6.7.8", 1122, 3344, "1:EKt4MsxuyaE6mL+hmrEkQ9csDD8=",
	  "1:uitchpn5MMGAQKBJh7bIr/bAr7s=" },
	{ 132, "5.6.7.8", "1.2.3.4", 3344, 1122, "1:EKt4MsxuyaE6mL+hmrEkQ9csDD8=",
	  "1:uitchpn5MMGAQKBJh7bIr/bAr7s=" },
	{ 1, "1.2.3.4", "5.6.7.8", 8, 0, "1:crodRHL2FEsHjbv3UkRrfbs4bZ0=",
	  "1:9pr4ZGTICiuZoIh90RRYE2RyXpU=" },
	{ 1, "5.6.7.8", "1.2.3.4", 0, 0, "1:crodRHL2FEsHjbv3UkRrfbs4bZ0=",
	  "1:9pr4ZGTICiuZoIh90RRYE2RyXpU=" },
	{ 1, "1.2.3.4", "5.6.7.8", 11, 0, "1:f/YiSyWqczrTgfUCZlBUnvHRcPk=",
	  "1:1DD7cWGC/Yg91YGsQeni8du3pIA=" },
	{ 58, "fe80:0001:0203:0405:0607:0809:0A0B:0C0D", "fe80:1011:1213:1415:1617:1819:1A1B:1C1D",
	  128, 0, "1:0bf7hyMJUwt3fMED7z8LIfRpBeo=", "1:IO27GQzPuCtNnwFvjWALMHu5tJE=" },
	{ 58, "fe80:1011:1213:1415:1617:1819:1A1B:1C1D", "fe80:0001:0203:0405:0607:0809:0A0B:0C0D",
	  129, 0, "1:0bf7hyMJUwt3fMED7z8LIfRpBeo=", "1:IO27GQzPuCtNnwFvjWALMHu5tJE=" },
	{ 58, "fe80:0001:0203:0405:0607:0809:0A0B:0C0D", "fe80:1011:1213:1415:1617:1819:1A1B:1C1D",
	  146, 0, "1:fYC8+pz24E+EhANP1EZhpX0Dw10=", "1:Cv4IKJe56BNkF0MBW2YxQ3Nwc3s=" },
	{ 46, "1.2.3.4", "5.6.7.8", -1, -1, "1:ikv3kmf89luf73WPz1jOs49S768=",
	  "1:/buhqeOmaRCopOZFy9HnoJd5XW8=" },
	{ 46, "5.6.7.8", "1.2.3.4", -1, -1, "1:ikv3kmf89luf73WPz1jOs49S768=",
	  "1:/buhqeOmaRCopOZFy9HnoJd5XW8=" },
	{ 46, "fe80:0001:0203:0405:0607:0809:0A0B:0C0D", "fe80:1011:1213:1415:1617:1819:1A1B:1C1D",
	  -1, -1, "1:wQ/2mwrnXP4lmJcHdGL5ePjR+e0=", "1:j6EyyfBzL4vWKHFXgUqb5Az3OxM=" },
	{ 46, "fe80:1011:1213:1415:1617:1819:1A1B:1C1D", "fe80:0001:0203:0405:0607:0809:0A0B:0C0D",
	  -1, -1, "1:wQ/2mwrnXP4lmJcHdGL5ePjR+e0=", "1:j6EyyfBzL4vWKHFXgUqb5Az3OxM=" },
	/* baseline_deflt.json: neighbor discovery both ways, a one-way
	 * ICMPv6 message, ICMP time exceeded, SCTP with equal ports. */
	{ 58, "fe80::200:86ff:fe05:80da", "fe80::260:97ff:fe07:69ea", 135, 136,
	  "1:dGHyGvjMfljg6Bppwm3bg0LO8TY=", NULL },
	{ 58, "fe80::260:97ff:fe07:69ea", "fe80::200:86ff:fe05:80da", 136, 135,
	  "1:dGHyGvjMfljg6Bppwm3bg0LO8TY=", NULL },
	{ 58, "3ffe:501:1800:2345::2", "3ffe:507:0:1:200:86ff:fe05:80da", 3, 0,
	  "1:2ObVBgIn28oZvibYZhZMBgh7WdQ=", NULL },
	{ 1, "10.0.0.1", "10.0.0.2", 11, 0, "1:YHxtAirCG//0OzkcVAukqKQN9xM=", NULL },
	{ 132, "192.168.170.56", "192.168.170.8", 7, 7, "1:MP2EtRCAUIZvTw6MxJHLV7N7JDs=", NULL },
	{ 17, "8.8.8.8", "192.168.1.52", 53, 54585, "1:d/FP5EW3wiY1vCndhwleRRKHowQ=", NULL },
	{ 6, "2607:f8b0:400c:c03::1a", "2001:470:e5bf:dead:4957:2174:e82c:4887", 25, 63943,
	  "1:/qFaeAR+gFe1KYjMzVDsMv+wgU4=", NULL },
};

static void test_spec_vectors(void **state)
{
	for (size_t i = 0; i < sizeof(spec) / sizeof(spec[0]); i++) {
		const struct vec *v = &spec[i];
		uint8_t s[16], d[16];
		int fam = strchr(v->src, ':') ? 6 : 4;
		struct sv_cid_tuple t = { .family = (uint8_t)fam, .proto = v->proto,
					  .ports = v->sport >= 0, .src = s, .dst = d,
					  .sport = (uint16_t)(v->sport < 0 ? 0 : v->sport),
					  .dport = (uint16_t)(v->dport < 0 ? 0 : v->dport) };
		char out[SV_COMMUNITY_ID_SIZE];

		assert_int_equal(inet_pton(fam == 6 ? AF_INET6 : AF_INET, v->src, s), 1);
		assert_int_equal(inet_pton(fam == 6 ? AF_INET6 : AF_INET, v->dst, d), 1);
		assert_int_equal(sv_community_id(&t, 0, out), 0);
		if (strcmp(out, v->deflt))
			fail_msg("vector %zu (%s -> %s proto %u): %s, spec says %s", i, v->src,
				 v->dst, v->proto, out, v->deflt);
		if (!v->seed1)
			continue;
		assert_int_equal(sv_community_id(&t, 1, out), 0);
		if (strcmp(out, v->seed1))
			fail_msg("vector %zu seed 1: %s, spec says %s", i, out, v->seed1);
	}
}

/* No ID where the spec has none: a port protocol without its ports. */
static void test_refused(void **state)
{
	uint8_t a[4] = { 1, 2, 3, 4 }, b[4] = { 5, 6, 7, 8 };
	struct sv_cid_tuple t = { .family = 4, .proto = 6, .src = a, .dst = b };
	char out[SV_COMMUNITY_ID_SIZE];

	assert_int_equal(sv_community_id(&t, 0, out), -EINVAL);
	t.family = 5;
	t.ports = true;
	assert_int_equal(sv_community_id(&t, 0, out), -EINVAL);
}

static bool port_proto(uint8_t proto)
{
	return proto == 6 || proto == 17 || proto == 132 || proto == 1 || proto == 58;
}

/* Every packet of tests/data, as the daemon would hand it over, against tshark. */
static void test_captures_vs_tshark(void **state)
{
	DIR *dir = opendir(DATA_DIR);
	struct dirent *de;
	int files = 0, checked = 0, unwrapped_non_ip = 0, cut_portless = 0;

	assert_non_null(dir);
	while ((de = readdir(dir))) {
		size_t len = strlen(de->d_name);
		char name[128];
		struct table truth;
		struct pcap_pkthdr *h;
		const uint8_t *bytes;
		pcap_t *pc;
		unsigned long num = 0;

		if (len < 6 || strcmp(de->d_name + len - 5, ".pcap"))
			continue;
		snprintf(name, sizeof(name), "%.*s", (int)(len - 5), de->d_name);
		table_load(&truth, name, "cid");
		if (truth.n == 0)
			fail_msg("%s: no %s.cid.tsv (tests/data/make-community-id-truth.sh)", name,
				 name);
		pc = open_pcap(name);
		while (pcap_next_ex(pc, &h, &bytes) == 1) {
			struct sv_pkt *p = pkt_new(bytes, h->caplen, h->len);
			const struct row *r = row_of(&truth, ++num);
			const char *want = r ? cell(r, 1) : "";
			char got[SV_COMMUNITY_ID_SIZE] = "";

			sv_packet_decode(p, pcap_datalink(pc) & 0xffff);
			sv_erspan_decap(p);
			if (sv_community_id_pkt(p, 0, got) < 0)
				got[0] = '\0';
			if (!got[0] && want[0] && (p->flags & SV_PKT_ERSPAN) && !p->ip_version) {
				/* The mirrored frame is not IP (CDP, ARP): tshark hashes
				 * the outer GRE packet, the daemon has unwrapped it. */
				unwrapped_non_ip++;
			} else if (got[0] && !want[0] && (p->flags & (SV_PKT_TRUNCATED | SV_PKT_MALFORMED)) &&
				   !port_proto(p->proto)) {
				/* erspan3-malformed: IPv6 + GRE cut inside its ERSPAN
				 * header; tshark's post-dissector makes no ID after the
				 * exception, but the addresses and protocol 47 are
				 * whole, and the spec hashes those ("other IP-borne
				 * protocols"; its RSVP vectors in test_spec_vectors). */
				cut_portless++;
			} else if (strcmp(got, want)) {
				fail_msg("%s frame %lu: community_id \"%s\", tshark \"%s\"", name, num,
					 got, want);
			}
			checked += want[0] != '\0';
			free(p);
		}
		pcap_close(pc);
		table_free(&truth);
		files++;
	}
	closedir(dir);
	print_message("%d captures, %d tshark IDs equal, %d unwrapped non-IP frames, "
		      "%d cut without ports\n", files, checked, unwrapped_non_ip, cut_portless);
	assert_int_equal(files, 43);
	assert_true(checked > 600);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha1_vectors),
		cmocka_unit_test(test_spec_vectors),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_captures_vs_tshark),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
