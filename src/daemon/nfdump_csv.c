/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nfdump_csv.c - the text `nfdump -o csv` prints, as flow records.
 *
 * What nfdump 1.7.1 (Debian 12) prints: a header line naming 48 columns
 * (ts,te,td,sa,da,sp,dp,pr,flg,fwd,stos,ipkt,ibyt,opkt,obyt,in,out,...,
 * ra,eng,exid,tr), one line per flow, then "Summary",
 * "flows,bytes,packets,avg_bps,avg_pps,avg_bpp" and the values; an empty
 * file gives "No matching flows" instead of rows. -q leaves out the header
 * and the summary. ts and te are local time in whole seconds (the
 * milliseconds are cut off), td the duration in seconds with three
 * decimals; pr is a protocol name from nfdump's own table, or a number
 * padded with spaces; flg is "CEUAPRSF" with '.' for a clear bit; ra is
 * the exporter's address; opkt/obyt are the reverse direction of a
 * bidirectional (IPFIX biflow) record. Columns are found by their header
 * names, so extra or reordered columns of other versions still parse.
 */
#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "daemon/nfdump_csv.h"

#define LINE_MAX_LEN 4096  /* nfdump 1.7 rows are ~350 bytes with IPv6 */
#define MAX_FIELDS   64
#define LOG_EVERY_NS (10ull * 1000000000ull)

typedef void emit_fn(void *ctx, const struct sv_flow *rec);

/* ------------------------------------------------------------------ */
/* Fields of one line                                                   */

struct field {
	const char *p;
	size_t n;
};

/* Split at commas, each field trimmed of spaces. Returns the count, or -1
 * past MAX_FIELDS. nfdump never quotes: no field holds a comma. */
static int split(const char *line, size_t len, struct field *f)
{
	size_t i = 0;
	int n = 0;

	for (;;) {
		size_t start = i;

		while (i < len && line[i] != ',')
			i++;
		if (n == MAX_FIELDS)
			return -1;
		f[n].p = line + start;
		f[n].n = i - start;
		while (f[n].n && f[n].p[0] == ' ') {
			f[n].p++;
			f[n].n--;
		}
		while (f[n].n && f[n].p[f[n].n - 1] == ' ')
			f[n].n--;
		n++;
		if (i == len)
			return n;
		i++;
	}
}

static bool field_is(const struct field *f, const char *s)
{
	return f->n == strlen(s) && memcmp(f->p, s, f->n) == 0;
}

/* Decimal digits only, no sign, at most `max`. */
static bool parse_u64(const struct field *f, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (f->n == 0)
		return false;
	for (size_t i = 0; i < f->n; i++) {
		unsigned d = (unsigned char)f->p[i] - '0';

		if (d > 9 || v > (max - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

/* Returns 4 or 6, or 0 if the field is not an address. */
static int parse_ip(const struct field *f, uint8_t out[16])
{
	char s[INET6_ADDRSTRLEN];

	if (f->n == 0 || f->n >= sizeof(s))
		return 0;
	memcpy(s, f->p, f->n);
	s[f->n] = '\0';
	memset(out, 0, 16);
	if (memchr(s, ':', f->n))
		return inet_pton(AF_INET6, s, out) == 1 ? 6 : 0;
	return inet_pton(AF_INET, s, out) == 1 ? 4 : 0;
}

/* Exactly `n` digits at p[*i], advancing *i. */
static bool digits(const struct field *f, size_t *i, size_t n, unsigned *out)
{
	unsigned v = 0;

	if (f->n - *i < n)
		return false;
	for (size_t k = 0; k < n; k++) {
		unsigned d = (unsigned char)f->p[*i + k] - '0';

		if (d > 9)
			return false;
		v = v * 10 + d;
	}
	*i += n;
	*out = v;
	return true;
}

static bool expect(const struct field *f, size_t *i, char c)
{
	if (*i >= f->n || f->p[*i] != c)
		return false;
	(*i)++;
	return true;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (y >= 1). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = y / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* Up to nine decimals after a '.', as nanoseconds. */
static bool fraction_ns(const struct field *f, size_t *i, uint64_t *ns)
{
	uint64_t scale = 100000000;
	size_t start = *i;

	*ns = 0;
	while (*i < f->n && *i - start < 9) {
		unsigned d = (unsigned char)f->p[*i] - '0';

		if (d > 9)
			break;
		*ns += d * scale;
		scale /= 10;
		(*i)++;
	}
	return *i > start;
}

/*
 * "YYYY-MM-DD HH:MM:SS[.fff]" as UTC (nfdump runs with TZ=UTC), without
 * the C library's time zone handling.
 */
static bool parse_time(const struct field *f, uint64_t *ns)
{
	static const unsigned mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	unsigned y, mo, d, h, mi, s;
	uint64_t frac = 0, secs;
	int64_t days;
	size_t i = 0;

	if (!digits(f, &i, 4, &y) || !expect(f, &i, '-') || !digits(f, &i, 2, &mo) ||
	    !expect(f, &i, '-') || !digits(f, &i, 2, &d) || !expect(f, &i, ' ') ||
	    !digits(f, &i, 2, &h) || !expect(f, &i, ':') || !digits(f, &i, 2, &mi) ||
	    !expect(f, &i, ':') || !digits(f, &i, 2, &s))
		return false;
	if (i < f->n && (!expect(f, &i, '.') || !fraction_ns(f, &i, &frac)))
		return false;
	if (i != f->n || y < 1970 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] ||
	    h > 23 || mi > 59 || s > 60)
		return false;
	if (mo == 2 && d == 29 && (y % 4 || (y % 100 == 0 && y % 400)))
		return false;
	days = days_from_civil(y, mo, d);
	secs = (uint64_t)days * 86400 + h * 3600u + mi * 60u + s;
	if (secs > UINT64_MAX / 1000000000ull - 1)  /* past 2554, no uint64_t of ns */
		return false;
	*ns = secs * 1000000000ull + frac;
	return true;
}

/*
 * "S.fff" seconds as nanoseconds. False on bad syntax; *usable false when
 * it is a number but no duration (nfdump prints a negative one, te before
 * ts, as 18446744073709552.000).
 */
static bool parse_duration(const struct field *f, uint64_t *ns, bool *usable)
{
	struct field whole = *f;
	uint64_t sec, frac = 0;
	const char *dot = memchr(f->p, '.', f->n);
	size_t i;

	if (dot) {
		whole.n = (size_t)(dot - f->p);
		i = whole.n + 1;
		if (!fraction_ns(f, &i, &frac) || i != f->n)
			return false;
	}
	if (!parse_u64(&whole, UINT64_MAX, &sec))
		return false;
	*usable = sec <= (UINT64_MAX - frac) / 1000000000ull - 1;
	*ns = *usable ? sec * 1000000000ull + frac : 0;
	return true;
}

/* "CEUAPRSF" with '.' for a clear bit; shorter strings (nfdump 1.6's
 * "UAPRSF") are the low bits. "0x.." is taken as hex. */
static bool parse_flags(const struct field *f, uint8_t *out)
{
	static const char names[] = "CEUAPRSF";
	uint64_t v = 0;

	if (f->n > 2 && f->p[0] == '0' && (f->p[1] == 'x' || f->p[1] == 'X')) {
		for (size_t i = 2; i < f->n; i++) {
			char c = f->p[i];
			unsigned d = c >= '0' && c <= '9' ? (unsigned)(c - '0') :
				     c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10) :
				     c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10) : 16;

			if (d > 15 || v > 0xff)
				return false;
			v = v * 16 + d;
		}
		if (v > 0xff)
			return false;
		*out = (uint8_t)v;
		return true;
	}
	if (f->n == 0 || f->n > 8)
		return false;
	for (size_t i = 0; i < f->n; i++) {
		char want = names[8 - f->n + i];

		if (f->p[i] == want)
			v |= 1u << (f->n - 1 - i);
		else if (f->p[i] != '.')
			return false;
	}
	*out = (uint8_t)v;
	return true;
}

/* nfdump 1.7's names (output_util.c); the numbers it prints for the rest. */
static const char *const proto_names[] = {
	"0", "ICMP", "IGMP", "GGP", "IPIP", "ST", "TCP", "CBT", "EGP", "IGP",
	"BBN", "NVPII", "PUP", "ARGUS", "ENCOM", "XNET", "CHAOS", "UDP", "MUX", "DCN",
	"HMP", "PRM", "XNS", "Trnk1", "Trnk2", "Leaf1", "Leaf2", "RDP", "IRTP", "ISO-4",
	"NETBK", "MFESP", "MEINP", "DCCP", "3PC", "IDPR", "XTP", "DDP", "IDPR", "TP++",
	"IL", "IPv6", "SDRP", "Rte6", "Frag6", "IDRP", "RSVP", "GRE", "MHRP", "BNA",
	"ESP", "AH", "INLSP", "SWIPE", "NARP", "MOBIL", "TLSP", "SKIP", "ICMP6", "NOHE6",
	"OPTS6", "HOST", "CFTP", "NET", "SATNT", "KLAN", "RVD", "IPPC", "FS", "SATM",
	"VISA", "IPCV", "CPNX", "CPHB", "WSN", "PVP", "BSATM", "SUNND", "WBMON", "WBEXP",
	"ISOIP", "VMTP", "SVMTP", "VINES", "TTP", "NSIGP", "DGP", "TCF", "EIGRP", "OSPF",
	"S-RPC", "LARP", "MTP", "AX.25", "OS", "MICP", "SCCSP", "ETHIP", "ENCAP", "99",
	"GMTP", "IFMP", "PNNI", "PIM", "ARIS", "SCPS", "QNX", "A/N", "IPcmp", "SNP",
	"CpqPP", "IPXIP", "VRRP", "PGM", "0hop", "L2TP", "DDX", "IATP", "STP", "SRP",
	"UTI", "SMP", "SM", "PTP", "ISIS4", "FIRE", "CRTP", "CRUDP", "128", "IPLT",
	"SPS", "PIPE", "SCTP", "FC", "134", "MHEAD", "UDP-L", "MPLS",
};

static bool parse_proto(const struct field *f, uint8_t *out)
{
	uint64_t v;

	if (parse_u64(f, 255, &v)) {
		*out = (uint8_t)v;
		return true;
	}
	/* The first of a repeated name wins, as in nfdump's own lookup. */
	for (size_t i = 0; i < sizeof(proto_names) / sizeof(proto_names[0]); i++) {
		if (f->n == strlen(proto_names[i]) && strncasecmp(f->p, proto_names[i], f->n) == 0) {
			*out = (uint8_t)i;
			return true;
		}
	}
	return false;
}

/* ------------------------------------------------------------------ */
/* The CSV text                                                         */

enum col {
	C_TS, C_TE, C_TD, C_SA, C_DA, C_SP, C_DP, C_PR, C_FLG, C_IPKT, C_IBYT,
	C_OPKT, C_OBYT, C_IN, C_OUT, C_SVLN, C_RA, NCOLS
};
#define NREQUIRED (C_IBYT + 1)  /* ts..ibyt must be there */

static const char *const col_names[NCOLS] = {
	"ts", "te", "td", "sa", "da", "sp", "dp", "pr", "flg", "ipkt", "ibyt",
	"opkt", "obyt", "in", "out", "svln", "ra",
};

/* The header nfdump 1.7 prints; rows of `-q` output are read with it. */
static const char default_header[] =
	"ts,te,td,sa,da,sp,dp,pr,flg,fwd,stos,ipkt,ibyt,opkt,obyt,in,out,sas,das,smk,dmk,"
	"dtos,dir,nh,nhb,svln,dvln,ismc,odmc,idmc,osmc,mpls1,mpls2,mpls3,mpls4,mpls5,"
	"mpls6,mpls7,mpls8,mpls9,mpls10,cl,sl,al,ra,eng,exid,tr";

enum csv_state { ROWS, SUMMARY_HEAD, SUMMARY_VALUES };

struct csv {
	const char *what;
	uint64_t lineno;
	enum csv_state state;
	int nfields;            /* of the header */
	int col[NCOLS];         /* field index, -1 if absent */
	int sum_col[3];         /* flows, bytes, packets in the summary */
	/* since the last summary, to hold against the next */
	uint64_t good, bad, packets, bytes;
	struct sv_nfdump_stats *st;
	emit_fn *emit;
	void *ctx;
	int emitted;
};

static uint64_t bad_last, bad_suppressed;

static void bad_line(struct csv *c, const char *why)
{
	c->bad++;
	c->st->malformed++;
	sv_log_ratelimited(&bad_last, &bad_suppressed, LOG_EVERY_NS, SV_LOG_WARN,
			   "nfdump: %s: line %llu skipped: %s", c->what,
			   (unsigned long long)c->lineno, why);
}

static bool set_header(struct csv *c, const struct field *f, int n)
{
	for (int k = 0; k < NCOLS; k++) {
		c->col[k] = -1;
		for (int i = 0; i < n; i++) {
			if (field_is(&f[i], col_names[k])) {
				c->col[k] = i;
				break;
			}
		}
		if (k < NREQUIRED && c->col[k] < 0)
			return false;
	}
	c->nfields = n;
	return true;
}

static void csv_init(struct csv *c)
{
	struct field f[MAX_FIELDS];
	int n = split(default_header, strlen(default_header), f);

	if (n < 0 || !set_header(c, f, n))
		assert(!"the built-in header names every required column");
	c->state = ROWS;
}

static void emit_one(struct csv *c, const struct sv_flow *rec)
{
	c->emit(c->ctx, rec);
	c->st->records++;
	if (c->emitted < INT_MAX)
		c->emitted++;
}

static uint64_t now_realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

#define FIELD(k) (&f[c->col[k]])
#define HAS(k)   (c->col[k] >= 0)

/* Emits the row's record(s); returns why it is bad, or NULL. */
static const char *row(struct csv *c, const struct field *f, int n)
{
	struct sv_flow r = { .kind = SV_FLOW_AGGREGATE, .sampling_rate = 1 };
	uint64_t sp, dp, te, td = 0, end, v, opkt = 0, obyt = 0;
	bool td_usable = false;
	int fam;

	if (n != c->nfields)
		return n < c->nfields ? "fields missing" : "too many fields";
	if (!parse_time(FIELD(C_TS), &r.first_ns) || !parse_time(FIELD(C_TE), &te))
		return "bad time";
	if (HAS(C_TD) && !parse_duration(FIELD(C_TD), &td, &td_usable))
		return "bad duration";
	fam = parse_ip(FIELD(C_SA), r.src);
	if (!fam || parse_ip(FIELD(C_DA), r.dst) != fam)
		return "bad address";
	r.ip_version = (uint8_t)fam;
	if (!parse_u64(FIELD(C_SP), 65535, &sp) || !parse_u64(FIELD(C_DP), 65535, &dp))
		return "bad port";
	r.sport = (uint16_t)sp;
	r.dport = (uint16_t)dp;
	if (!parse_proto(FIELD(C_PR), &r.proto))
		return "bad protocol";
	if (!parse_flags(FIELD(C_FLG), &r.tcp_flags))
		return "bad tcp flags";
	if (!parse_u64(FIELD(C_IPKT), UINT64_MAX, &r.packets) ||
	    !parse_u64(FIELD(C_IBYT), UINT64_MAX, &r.bytes) ||
	    (HAS(C_OPKT) && !parse_u64(FIELD(C_OPKT), UINT64_MAX, &opkt)) ||
	    (HAS(C_OBYT) && !parse_u64(FIELD(C_OBYT), UINT64_MAX, &obyt)))
		return "bad counter";
	if (HAS(C_IN)) {
		if (!parse_u64(FIELD(C_IN), UINT32_MAX, &v))
			return "bad interface";
		r.in_if = (uint32_t)v;
	}
	if (HAS(C_OUT)) {
		if (!parse_u64(FIELD(C_OUT), UINT32_MAX, &v))
			return "bad interface";
		r.out_if = (uint32_t)v;
	}
	if (HAS(C_SVLN)) {
		if (!parse_u64(FIELD(C_SVLN), 65535, &v))
			return "bad vlan";
		r.vlan = (uint16_t)v;
	}
	if (HAS(C_RA)) {
		int afam = parse_ip(FIELD(C_RA), r.agent);

		if (!afam)
			return "bad exporter address";
		r.agent_family = (uint8_t)afam;
	}

	/*
	 * ts and te are whole seconds, td exact to the millisecond: keep the
	 * duration when it agrees with te (to the second the cut costs),
	 * else trust te. An exporter's te before ts gives an empty flow.
	 */
	end = r.first_ns + td;
	if (td_usable && end >= r.first_ns && (end > te ? end - te : te - end) <= 1000000000ull)
		r.last_ns = end;
	else
		r.last_ns = te > r.first_ns ? te : r.first_ns;

	c->good++;
	c->packets += r.packets + opkt;
	c->bytes += r.bytes + obyt;
	r.ts_ns = now_realtime_ns();
	emit_one(c, &r);
	if (opkt || obyt) {
		/* A biflow's reverse direction, as its own record. */
		uint8_t a[16];
		uint32_t i = r.in_if;

		memcpy(a, r.src, 16);
		memcpy(r.src, r.dst, 16);
		memcpy(r.dst, a, 16);
		r.sport = (uint16_t)dp;
		r.dport = (uint16_t)sp;
		r.in_if = r.out_if;
		r.out_if = i;
		r.packets = opkt;
		r.bytes = obyt;
		emit_one(c, &r);
	}
	return NULL;
}

static void summary(struct csv *c, const struct field *f, int n)
{
	uint64_t v[3];

	for (int k = 0; k < 3; k++) {
		if (c->sum_col[k] < 0 || c->sum_col[k] >= n ||
		    !parse_u64(&f[c->sum_col[k]], UINT64_MAX, &v[k])) {
			bad_line(c, "bad summary");
			return;
		}
	}
	/* Rows skipped as bad are missing from our side by design. */
	if (c->bad == 0 && (v[0] != c->good || v[1] != c->bytes || v[2] != c->packets)) {
		c->st->summary_mismatch++;
		sv_warn("nfdump: %s: rows give %llu flows, %llu bytes, %llu packets; "
			"nfdump's summary says %llu, %llu, %llu", c->what,
			(unsigned long long)c->good, (unsigned long long)c->bytes,
			(unsigned long long)c->packets, (unsigned long long)v[0],
			(unsigned long long)v[1], (unsigned long long)v[2]);
	}
	c->good = c->bad = c->packets = c->bytes = 0;
}

static void line(struct csv *c, char *s, size_t len)
{
	static const char *const sum_names[3] = { "flows", "bytes", "packets" };
	struct field f[MAX_FIELDS];
	int n;

	c->lineno++;
	if (len && s[len - 1] == '\r')
		len--;
	if (len == 0)
		return;
	n = split(s, len, f);
	if (n < 0) {
		if (c->state == ROWS)
			c->st->rows++;
		bad_line(c, "too many fields");
		return;
	}
	switch (c->state) {
	case SUMMARY_HEAD:
		for (int k = 0; k < 3; k++) {
			c->sum_col[k] = -1;
			for (int i = 0; i < n; i++)
				if (field_is(&f[i], sum_names[k]))
					c->sum_col[k] = i;
		}
		c->state = SUMMARY_VALUES;
		return;
	case SUMMARY_VALUES:
		summary(c, f, n);
		c->state = ROWS;
		return;
	case ROWS:
		break;
	}
	if (n == 1 && field_is(&f[0], "Summary")) {
		c->state = SUMMARY_HEAD;
	} else if (n == 1 && field_is(&f[0], "No matching flows")) {
		/* an empty file */
	} else if (field_is(&f[0], "ts")) {
		if (!set_header(c, f, n)) {
			csv_init(c);
			bad_line(c, "header without the columns ts..ibyt");
		}
	} else {
		const char *why = row(c, f, n);

		c->st->rows++;
		if (why)
			bad_line(c, why);
	}
}

int sv_nfdump_csv_read(int fd, const char *what, struct sv_nfdump_stats *st,
		       void (*emit)(void *ctx, const struct sv_flow *rec), void *ctx)
{
	struct csv c = { .what = what, .st = st, .emit = emit, .ctx = ctx };
	char buf[16384], *ln;
	size_t len = 0;
	bool overlong = false;

	ln = malloc(LINE_MAX_LEN);
	if (!ln)
		return -ENOMEM;
	csv_init(&c);
	for (;;) {
		ssize_t got = read(fd, buf, sizeof(buf));

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			int err = errno;

			free(ln);
			return -err;
		}
		if (got == 0)
			break;
		for (ssize_t i = 0; i < got; i++) {
			if (buf[i] != '\n') {
				if (len < LINE_MAX_LEN)
					ln[len++] = buf[i];
				else
					overlong = true;
				continue;
			}
			if (overlong) {
				c.lineno++;
				if (c.state == ROWS)
					st->rows++;
				bad_line(&c, "line too long");
			} else {
				line(&c, ln, len);
			}
			len = 0;
			overlong = false;
		}
	}
	if (overlong) {
		c.lineno++;
		if (c.state == ROWS)
			st->rows++;
		bad_line(&c, "line too long");
	} else if (len) {
		line(&c, ln, len);
	}
	free(ln);
	return c.emitted;
}
