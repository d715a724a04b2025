/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nfdump_fmt.c - the lines `nfdump -N -6 -o SV_NFDUMP_FMT` prints, as flow
 * records.
 *
 * What nfdump 1.7.1 (Debian 12) prints for it: a header line ("Date first
 * seen (raw) ..."), one line per flow with the 17 columns of
 * SV_NFDUMP_FMT, each padded with spaces, then "Summary: total flows: N,
 * total bytes: N, total packets: N, ..." and three lines of statistics
 * ("Time window:", "Total flows processed:", "Sys:"); an empty file gives
 * "No matching flows" instead of rows. %tsr and %ter are epoch seconds
 * with milliseconds, %td the duration in seconds with three decimals; %dp
 * of an ICMP flow is "type.code"; %pr is a number; %flg is "CEUAPRSF"
 * with '.' for a clear bit; %ra is the exporter's address; %opkt/%obyt
 * are the reverse direction of a bidirectional (IPFIX biflow) record.
 *
 * nfdump 1.7.1 prints %ter's milliseconds wrong (msecLast % 100: a flow
 * that ended at 1795681511.699 shows 1795681511.099), so the end of a flow
 * is its start plus %td, which is exact, whenever that agrees with %ter
 * to the second.
 */
#include <arpa/inet.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/log.h"
#include "daemon/nfdump_fmt.h"

#define LOG_EVERY_NS (10ull * 1000000000ull)
#define SEC 1000000000ull

enum col {
	C_TS, C_TE, C_TD, C_SA, C_DA, C_SP, C_DP, C_PR, C_FLG, C_IPKT, C_IBYT,
	C_OPKT, C_OBYT, C_IN, C_OUT, C_SVLN, C_RA, NCOLS
};

struct field {
	const char *p;
	size_t n;
};

/* Split at commas, each field trimmed of spaces. Returns the count, or -1
 * past NCOLS. nfdump never quotes: no field holds a comma. */
static int split(const char *line, size_t len, struct field *f)
{
	size_t i = 0;
	int n = 0;

	for (;;) {
		size_t start = i;

		while (i < len && line[i] != ',')
			i++;
		if (n == NCOLS)
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

static bool starts(const char *s, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	return len >= n && memcmp(s, prefix, n) == 0;
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

/*
 * "S[.fff]": seconds with up to nine decimals, as nanoseconds. False on bad
 * syntax; *usable false when it is a number but no time (nfdump prints a
 * negative duration, te before ts, as 18446744073709552.000).
 */
static bool parse_seconds(const struct field *f, uint64_t *ns, bool *usable)
{
	const char *dot = memchr(f->p, '.', f->n);
	struct field whole = { f->p, dot ? (size_t)(dot - f->p) : f->n };
	uint64_t sec, frac = 0, scale = 100000000;

	if (dot) {
		size_t i = whole.n + 1;

		if (i == f->n || f->n - i > 9)
			return false;
		for (; i < f->n; i++, scale /= 10) {
			unsigned d = (unsigned char)f->p[i] - '0';

			if (d > 9)
				return false;
			frac += d * scale;
		}
	}
	if (!parse_u64(&whole, UINT64_MAX, &sec))
		return false;
	*usable = sec <= (UINT64_MAX - frac) / SEC - 1;
	*ns = *usable ? sec * SEC + frac : 0;
	return true;
}

/* A port, or an ICMP "type.code" (nfdump's %dp), as type << 8 | code. */
static bool parse_port(const struct field *f, uint16_t *out)
{
	const char *dot = memchr(f->p, '.', f->n);
	uint64_t a, b;

	if (!dot) {
		if (!parse_u64(f, 65535, &a))
			return false;
		*out = (uint16_t)a;
		return true;
	}
	if (!parse_u64(&(struct field){ f->p, (size_t)(dot - f->p) }, 255, &a) ||
	    !parse_u64(&(struct field){ dot + 1, f->n - (size_t)(dot - f->p) - 1 }, 255, &b))
		return false;
	*out = (uint16_t)(a << 8 | b);
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

/* ------------------------------------------------------------------ */
/* Lines                                                                */

static uint64_t bad_last, bad_suppressed;

static void bad_line(struct sv_nfdump_fmt *p, const char *why)
{
	p->bad++;
	p->st->malformed++;
	sv_log_ratelimited(&bad_last, &bad_suppressed, LOG_EVERY_NS, SV_LOG_WARN,
			   "nfdump: %s: line %llu skipped: %s", p->what,
			   (unsigned long long)p->lineno, why);
}

static uint64_t now_realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * SEC + (uint64_t)ts.tv_nsec;
}

static void emit_one(struct sv_nfdump_fmt *p, const struct sv_flow *rec,
		     sv_nfdump_emit_fn *emit, void *ctx, int *emitted)
{
	emit(ctx, rec);
	p->st->records++;
	if (*emitted < INT_MAX)
		(*emitted)++;
}

/* Emits the row's record(s); returns why it is bad, or NULL. */
static const char *row(struct sv_nfdump_fmt *p, const struct field *f, int n,
		       sv_nfdump_emit_fn *emit, void *ctx, int *emitted)
{
	struct sv_flow r = { .kind = SV_FLOW_AGGREGATE, .sampling_rate = 1 };
	uint64_t te, td, end, v, opkt, obyt;
	bool ts_ok, te_ok, td_ok;
	int fam, afam;

	if (n != NCOLS)
		return n < NCOLS ? "fields missing" : "too many fields";
	if (!parse_seconds(&f[C_TS], &r.first_ns, &ts_ok) || !ts_ok ||
	    !parse_seconds(&f[C_TE], &te, &te_ok) || !te_ok)
		return "bad time";
	if (!parse_seconds(&f[C_TD], &td, &td_ok))
		return "bad duration";
	fam = parse_ip(&f[C_SA], r.src);
	if (!fam || parse_ip(&f[C_DA], r.dst) != fam)
		return "bad address";
	r.ip_version = (uint8_t)fam;
	if (!parse_port(&f[C_SP], &r.sport) || !parse_port(&f[C_DP], &r.dport))
		return "bad port";
	if (!parse_u64(&f[C_PR], 255, &v))
		return "bad protocol";
	r.proto = (uint8_t)v;
	if (!parse_flags(&f[C_FLG], &r.tcp_flags))
		return "bad tcp flags";
	if (!parse_u64(&f[C_IPKT], UINT64_MAX, &r.packets) ||
	    !parse_u64(&f[C_IBYT], UINT64_MAX, &r.bytes) ||
	    !parse_u64(&f[C_OPKT], UINT64_MAX, &opkt) ||
	    !parse_u64(&f[C_OBYT], UINT64_MAX, &obyt))
		return "bad counter";
	if (!parse_u64(&f[C_IN], UINT32_MAX, &v))
		return "bad interface";
	r.in_if = (uint32_t)v;
	if (!parse_u64(&f[C_OUT], UINT32_MAX, &v))
		return "bad interface";
	r.out_if = (uint32_t)v;
	if (!parse_u64(&f[C_SVLN], 65535, &v))
		return "bad vlan";
	r.vlan = (uint16_t)v;
	afam = parse_ip(&f[C_RA], r.agent);
	if (!afam)
		return "bad exporter address";
	r.agent_family = (uint8_t)afam;

	/*
	 * The end: start + duration, exact to the millisecond, when it agrees
	 * with %ter to the second (see the top); else %ter. An exporter's te
	 * before ts gives an empty flow.
	 */
	end = r.first_ns + td;
	if (td_ok && end >= r.first_ns && (end > te ? end - te : te - end) <= SEC)
		r.last_ns = end;
	else
		r.last_ns = te > r.first_ns ? te : r.first_ns;

	p->good++;
	p->packets += r.packets + opkt;
	p->bytes += r.bytes + obyt;
	r.ts_ns = now_realtime_ns();
	emit_one(p, &r, emit, ctx, emitted);
	if (opkt || obyt) {
		/* A biflow's reverse direction, as its own record. */
		uint8_t a[16];
		uint32_t i = r.in_if;
		uint16_t port = r.sport;

		memcpy(a, r.src, 16);
		memcpy(r.src, r.dst, 16);
		memcpy(r.dst, a, 16);
		r.sport = r.dport;
		r.dport = port;
		r.in_if = r.out_if;
		r.out_if = i;
		r.packets = opkt;
		r.bytes = obyt;
		emit_one(p, &r, emit, ctx, emitted);
	}
	return NULL;
}

/* "Summary: total flows: N, total bytes: N, total packets: N, ..." */
static void summary(struct sv_nfdump_fmt *p, const char *s, size_t len)
{
	static const char *const keys[3] = { "total flows: ", "total bytes: ", "total packets: " };
	uint64_t v[3];
	size_t i = 0;

	for (int k = 0; k < 3; k++) {
		size_t klen = strlen(keys[k]), start;

		while (i < len && s[i] == ' ')
			i++;
		if (!starts(s + i, len - i, keys[k])) {
			bad_line(p, "bad summary");
			return;
		}
		i += klen;
		start = i;
		while (i < len && s[i] != ',')
			i++;
		if (!parse_u64(&(struct field){ s + start, i - start }, UINT64_MAX, &v[k])) {
			bad_line(p, "bad summary");
			return;
		}
		if (i < len)
			i++;
	}
	/* Rows skipped as bad are missing from our side by design. */
	if (p->bad == 0 && (v[0] != p->good || v[1] != p->bytes || v[2] != p->packets)) {
		p->st->summary_mismatch++;
		sv_warn("nfdump: %s: rows give %llu flows, %llu bytes, %llu packets; "
			"nfdump's summary says %llu, %llu, %llu", p->what,
			(unsigned long long)p->good, (unsigned long long)p->bytes,
			(unsigned long long)p->packets, (unsigned long long)v[0],
			(unsigned long long)v[1], (unsigned long long)v[2]);
	}
	p->good = p->bad = p->packets = p->bytes = 0;
}

static void line(struct sv_nfdump_fmt *p, const char *s, size_t len,
		 sv_nfdump_emit_fn *emit, void *ctx, int *emitted)
{
	/* What nfdump prints around the rows. */
	static const char *const skip[] = { "Date first seen", "No matching flows",
					    "Time window:", "Total flows processed:", "Sys:" };
	struct field f[NCOLS];
	const char *why;
	int n;

	p->lineno++;
	if (len && s[len - 1] == '\r')
		len--;
	if (len == 0)
		return;
	if (starts(s, len, "Summary: ")) {
		summary(p, s + 9, len - 9);
		return;
	}
	for (size_t k = 0; k < sizeof(skip) / sizeof(skip[0]); k++)
		if (starts(s, len, skip[k]))
			return;
	p->st->rows++;
	n = split(s, len, f);
	why = n < 0 ? "too many fields" : row(p, f, n, emit, ctx, emitted);
	if (why)
		bad_line(p, why);
}

void sv_nfdump_fmt_init(struct sv_nfdump_fmt *p, const char *what, struct sv_nfdump_stats *st)
{
	p->what = what;
	p->st = st;
	p->lineno = 0;
	p->len = 0;
	p->overlong = false;
	p->good = p->bad = p->packets = p->bytes = 0;
}

static void overlong(struct sv_nfdump_fmt *p)
{
	p->lineno++;
	p->st->rows++;
	bad_line(p, "line too long");
}

int sv_nfdump_fmt_feed(struct sv_nfdump_fmt *p, const char *buf, size_t len,
		       sv_nfdump_emit_fn *emit, void *ctx)
{
	int emitted = 0;

	for (size_t i = 0; i < len; i++) {
		const char *nl = memchr(buf + i, '\n', len - i);
		size_t n = nl ? (size_t)(nl - (buf + i)) : len - i;

		if (!p->overlong && n <= sizeof(p->line) - p->len) {
			memcpy(p->line + p->len, buf + i, n);
			p->len += n;
		} else {
			p->overlong = true;
		}
		i += n;
		if (!nl)
			break;
		if (p->overlong)
			overlong(p);
		else
			line(p, p->line, p->len, emit, ctx, &emitted);
		p->len = 0;
		p->overlong = false;
	}
	return emitted;
}

int sv_nfdump_fmt_end(struct sv_nfdump_fmt *p, sv_nfdump_emit_fn *emit, void *ctx)
{
	int emitted = 0;

	if (p->overlong)
		overlong(p);
	else if (p->len)
		line(p, p->line, p->len, emit, ctx, &emitted);
	p->len = 0;
	p->overlong = false;
	return emitted;
}
