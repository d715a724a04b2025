/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * snapvnf/vnf.h - what a VNF provider writes.
 *
 * A VNF is a const table: its name and version, the schema of its input
 * and output metadata structs, and five callbacks. A packet VNF (pkt_vnf)
 * sees each snap with its parsed L2-L4 view; a flow VNF (flow_vnf) sees
 * flow records. The library owns the metadata buffers: one input and one
 * output struct per VNF in a chain, allocated once at registration; a
 * converter fills the input from the previous VNF's output before each call.
 *
 *   struct http_out { char host[128]; char uri[256]; uint16_t dport; };
 *   SV_SCHEMA(http_out,
 *           SV_FIELD(struct http_out, host),
 *           SV_FIELD(struct http_out, uri),
 *           SV_FIELD(struct http_out, dport));
 *
 * Member types come from the C types themselves (_Generic), offsets and
 * sizes from offsetof/sizeof, so the schema cannot drift from the struct.
 */
#ifndef SNAPVNF_VNF_H
#define SNAPVNF_VNF_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <snapvnf/api.h>
#include <snapvnf/flow.h>
#include <snapvnf/pkt.h>

/* ---- metadata schemas ---- */

enum sv_type {
	SV_T_BOOL = 1,
	SV_T_U8,
	SV_T_U16,
	SV_T_U32,
	SV_T_U64,
	SV_T_I32,
	SV_T_I64,
	SV_T_DOUBLE,
	SV_T_ADDR,  /* struct sv_addr */
	SV_T_STR,   /* char[N], NUL-terminated */
	SV_T_BYTES, /* uint8_t[N] or any other struct */
};

/* An IP address as metadata: family 0 (none), 4 or 6; v4 in a[0..3]. */
struct sv_addr {
	uint8_t family;
	uint8_t pad[3];
	uint8_t a[16];
};

struct sv_member {
	const char *name;
	enum sv_type type;
	uint32_t offset;
	uint32_t size;
};

struct sv_schema {
	const char *name;   /* the struct's name, for messages */
	uint32_t size;      /* sizeof the struct */
	uint32_t count;     /* members */
	const struct sv_member *members;
};

#define SV_TYPE_OF(x)                                                          \
	_Generic((x), bool: SV_T_BOOL, uint8_t: SV_T_U8, uint16_t: SV_T_U16,  \
		 uint32_t: SV_T_U32, uint64_t: SV_T_U64, int32_t: SV_T_I32,    \
		 int64_t: SV_T_I64, double: SV_T_DOUBLE, struct sv_addr: SV_T_ADDR, \
		 char *: SV_T_STR, default: SV_T_BYTES)

/* One member of a metadata struct: SV_FIELD(struct http_out, host). */
#define SV_FIELD(stype, field)                                                 \
	{ #field, SV_TYPE_OF(((stype *)0)->field), (uint32_t)offsetof(stype, field), \
	  (uint32_t)sizeof(((stype *)0)->field) }

/* Declare `static const struct sv_schema TAG_schema` for struct TAG. */
#define SV_SCHEMA(tag, ...)                                                    \
	static const struct sv_member tag##_members[] = { __VA_ARGS__ };       \
	static const struct sv_schema tag##_schema = {                         \
		#tag, (uint32_t)sizeof(struct tag),                            \
		(uint32_t)(sizeof(tag##_members) / sizeof(tag##_members[0])),  \
		tag##_members }

/* ---- what callbacks may use ---- */

/* The context of one VNF in one service: events, counters, errors. */
struct sv_vnf_ctx;

/* Verdicts of process(). */
#define SV_CONTINUE 0
#define SV_STOP     1 /* end the chain for this item (a filter) */

/*
 * Events: one JSON line each, with ts, service, vnf, event and - when the
 * current item is a packet - src, dst, sport, dport, proto; then the fields
 * added between begin and end. Only one event is open at a time per VNF.
 */
struct sv_event;
SV_API struct sv_event *sv_event_begin(struct sv_vnf_ctx *ctx, const char *event);
/* A string of len bytes (SIZE_MAX: NUL-terminated), JSON-escaped;
 * NULL writes null. */
SV_API void sv_event_str(struct sv_event *ev, const char *key, const char *s, size_t len);
SV_API void sv_event_u64(struct sv_event *ev, const char *key, uint64_t v);
SV_API void sv_event_i64(struct sv_event *ev, const char *key, int64_t v);
SV_API void sv_event_double(struct sv_event *ev, const char *key, double v);
SV_API void sv_event_bool(struct sv_event *ev, const char *key, bool v);
SV_API void sv_event_addr(struct sv_event *ev, const char *key, const struct sv_addr *a);
/* Write the line. */
SV_API void sv_event_end(struct sv_event *ev);

/*
 * A named counter of this VNF, shown by `snapvnf status` as "vnf.name".
 * Call from create(); returns NULL when the service's counter area is
 * full (sv_counter_add accepts NULL).
 */
SV_API _Atomic uint64_t *sv_counter(struct sv_vnf_ctx *ctx, const char *name);

/* Only this service writes its counters: a relaxed load + store suffices
 * (no locked instruction per packet); the daemon's relaxed loads pair. */
static inline void sv_counter_add(_Atomic uint64_t *c, uint64_t n)
{
	if (c)
		atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + n,
				      memory_order_relaxed);
}

/*
 * A named gauge of this VNF: a value that goes up and down (entries in a
 * table, a queue's depth), shown as "vnf.name" beside the counters and
 * typed gauge in the metrics (a counter only grows). Call from create();
 * NULL when the area is full (sv_gauge_set accepts NULL).
 */
SV_API _Atomic uint64_t *sv_gauge(struct sv_vnf_ctx *ctx, const char *name);

static inline void sv_gauge_set(_Atomic uint64_t *g, uint64_t v)
{
	if (g)
		atomic_store_explicit(g, v, memory_order_relaxed);
}

/* From create(): say why it failed (shown to the user), then return NULL. */
SV_API void sv_vnf_error(struct sv_vnf_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The service's and the VNF's names, for messages. */
SV_API const char *sv_vnf_service_name(const struct sv_vnf_ctx *ctx);

/* Fill an sv_addr from a snap's source or destination address. */
SV_API void sv_addr_from_pkt(struct sv_addr *a, const struct sv_pkt *p, bool dst);
/* The same from a flow record (family 0 when it has no IP addresses). */
SV_API void sv_addr_from_flow(struct sv_addr *a, const struct sv_flow *f, bool dst);

/* ---- the VNF tables ---- */

struct sv_arg;

/* What every VNF has, packet or flow. */
struct sv_vnf_desc {
	const char *name;            /* unique among the VNFs a program knows; [a-z0-9_] */
	const char *version;
	const char *summary;         /* one line, for `snapvnf vnfs` */
	const char *events;          /* what it emits, one line, for `snapvnf vnfs` */
	/* The arguments create() accepts (snapvnf/vnf_util.h), ended by
	 * SV_ARG_END, or NULL for none; listed by `snapvnf vnfs`. */
	const struct sv_arg *args;
	const struct sv_schema *in;  /* input metadata, or NULL */
	const struct sv_schema *out; /* output metadata, or NULL */
	/* Build state from an argument string (may be NULL). Return NULL and
	 * call sv_vnf_error() on failure. A VNF without state returns any
	 * non-NULL pointer (e.g. the ctx). */
	void *(*create)(struct sv_vnf_ctx *ctx, const char *args);
	/* Called about once a second (may be NULL). now_ns: the time of the
	 * newest item seen (packet time), so replays tick as recorded. */
	void (*tick)(void *state, struct sv_vnf_ctx *ctx, uint64_t now_ns);
	/* Final report at end of stream (may be NULL): emit summary events. */
	void (*report)(void *state, struct sv_vnf_ctx *ctx);
	void (*destroy)(void *state);
};

typedef struct pkt_vnf {
	struct sv_vnf_desc desc;
	/* One snap: read `in` (NULL without input schema), write `out`.
	 * Return SV_CONTINUE or SV_STOP. */
	int (*process)(void *state, struct sv_vnf_ctx *ctx, const struct sv_pkt *pkt,
		       const void *in, void *out);
} pkt_vnf;

typedef struct flow_vnf {
	struct sv_vnf_desc desc;
	int (*process)(void *state, struct sv_vnf_ctx *ctx, const struct sv_flow *rec,
		       const void *in, void *out);
} flow_vnf;

#endif
