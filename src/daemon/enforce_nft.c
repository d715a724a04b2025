/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * enforce_nft.c - an nftables table of our own, through libnftables.
 *
 *   --enforcer nft[:family=inet|bridge][,table=snapvnf]
 *
 * `inet` (the default) filters what a Linux router forwards; `bridge`
 * what a Linux bridge switches. The table holds one timed set per kind of
 * rule and address family (a source; a source and destination; with the
 * protocol; with the protocol and destination port) and one prerouting
 * chain that drops what the sets match, so a rule is one set element with
 * `timeout TTL`: the kernel removes it by itself when the TTL ends, even
 * if snapvnfd does not. The chain's priority is -300, before conntrack's
 * -200: a dropped flood fills no connection table. Everything of ours is the table: leftovers of an
 * earlier run are its elements, and flushing is deleting it. The table is
 * made at the first rule. CAP_NET_ADMIN is the one capability kept.
 */
#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <nftables/libnftables.h>

#include "daemon/action.h"
#include "daemon/enforce_opts.h"

struct nft {
	struct nft_ctx *ctx;
	char family[8];
	char table[32];
	bool made;
};

/* Set name per rule shape: [scope/proto/port][v4/v6]. */
static const char *const set_names[4][2] = {
	{ "src4", "src6" }, { "pair4", "pair6" }, { "pairp4", "pairp6" }, { "pairpp4", "pairpp6" },
};

/*
 * Run one command. libnftables appends to its output and error buffers
 * until they are read (reading rewinds them), so both are read after every
 * command: otherwise a later error message would start with an earlier
 * one, and a JSON listing with an earlier listing's text. *out (may be
 * NULL) gets the output, valid until the next command.
 */
static int run(struct nft *n, const char *cmd, const char **out, char *err, size_t errlen)
{
	int rc = nft_run_cmd_from_buffer(n->ctx, cmd);
	const char *o = nft_ctx_get_output_buffer(n->ctx);
	const char *e = nft_ctx_get_error_buffer(n->ctx);

	if (out)
		*out = o ? o : "";
	if (rc == 0)
		return 0;
	if (err) {
		e = e ? e : "";
		snprintf(err, errlen, "nft: %.*s", (int)strcspn(e, "\n"), e);
	}
	return -EIO;
}

static int nft_opt(void *ctx, const char *key, const char *val)
{
	static const char *const families[] = { "inet", "bridge", NULL };
	struct nft *n = ctx;

	if (key && strcmp(key, "family") == 0) {
		for (int i = 0; families[i]; i++) {
			if (strcmp(val, families[i]) == 0) {
				snprintf(n->family, sizeof(n->family), "%s", val);
				return 0;
			}
		}
		return -EINVAL;
	}
	if (key && strcmp(key, "table") == 0 && *val && strlen(val) < sizeof(n->table) &&
	    strspn(val, "abcdefghijklmnopqrstuvwxyz0123456789_-") == strlen(val)) {
		snprintf(n->table, sizeof(n->table), "%s", val);
		return 0;
	}
	return -EINVAL;
}

static int nft_open(const char *opts, void **state, char *err, size_t errlen)
{
	struct nft *n = calloc(1, sizeof(*n));

	if (!n)
		return -ENOMEM;
	snprintf(n->family, sizeof(n->family), "inet");
	snprintf(n->table, sizeof(n->table), "snapvnf");
	if (sv_enforce_opts(opts, nft_opt, n) < 0) {
		snprintf(err, errlen, "nft takes family=inet|bridge,table=NAME, "
				      "not '%s'", opts);
		free(n);
		return -EINVAL;
	}
	n->ctx = nft_ctx_new(NFT_CTX_DEFAULT);
	if (!n->ctx || nft_ctx_buffer_error(n->ctx) < 0 || nft_ctx_buffer_output(n->ctx) < 0) {
		snprintf(err, errlen, "nft: cannot make a context");
		if (n->ctx)
			nft_ctx_free(n->ctx);
		free(n);
		return -ENOMEM;
	}
	/* Can we talk to the kernel's nftables at all? */
	if (run(n, "list tables", NULL, err, errlen) < 0) {
		nft_ctx_free(n->ctx);
		free(n);
		return -EPERM;
	}
	*state = n;
	return 0;
}

static int make_table(struct nft *n, char *err, size_t errlen)
{
	static const char *const types[4] = { "%s", "%s . %s", "%s . %s . inet_proto",
					      "%s . %s . inet_proto . inet_service" };
	static const char *const match[4] = { "saddr", "saddr . %s daddr",
					      "saddr . %s daddr . meta l4proto",
					      "saddr . %s daddr . meta l4proto . th dport" };
	char *cmd = malloc(8192);
	size_t len = 0;
	int rc;

	if (!cmd)
		return -ENOMEM;
	len += (size_t)snprintf(cmd + len, 8192 - len,
				"add table %s %s\n"
				"add chain %s %s pre { type filter hook prerouting priority -300; "
				"policy accept; }\n",
				n->family, n->table, n->family, n->table);
	for (int s = 0; s < 4; s++) {
		for (int v = 0; v < 2; v++) {
			const char *at = v ? "ipv6_addr" : "ipv4_addr", *ip = v ? "ip6" : "ip";
			char type[96], m[96];

			snprintf(type, sizeof(type), types[s], at, at);
			snprintf(m, sizeof(m), match[s], ip);
			len += (size_t)snprintf(cmd + len, 8192 - len,
						"add set %s %s %s { type %s; flags timeout; }\n"
						"add rule %s %s pre %s %s @%s counter drop\n",
						n->family, n->table, set_names[s][v], type, n->family,
						n->table, ip, m, set_names[s][v]);
		}
	}
	rc = run(n, cmd, NULL, err, errlen);
	free(cmd);
	if (rc == 0)
		n->made = true;
	return rc;
}

static void element(const struct sv_rule *r, char *buf, size_t size, int *shape)
{
	char s[64], d[64];

	sv_rule_addr(r->family, r->src, s, sizeof(s));
	if (r->scope != SV_SCOPE_PAIR) {
		*shape = 0;
		snprintf(buf, size, "%s", s);
		return;
	}
	sv_rule_addr(r->family, r->dst, d, sizeof(d));
	if (r->dport) {
		*shape = 3;
		snprintf(buf, size, "%s . %s . %u . %u", s, d, r->proto, r->dport);
	} else if (r->proto) {
		*shape = 2;
		snprintf(buf, size, "%s . %s . %u", s, d, r->proto);
	} else {
		*shape = 1;
		snprintf(buf, size, "%s . %s", s, d);
	}
}

static int nft_add(void *state, const struct sv_rule *r, char *err, size_t errlen)
{
	struct nft *n = state;
	char el[160], set[96], cmd[1024];
	int shape, rc;

	/* One transaction: the element is there (add), goes, and comes back
	 * with the new timeout. A kernel that does not update an element's
	 * timeout on `add` renews it this way too, and no packet sees the
	 * moment between. */
	element(r, el, sizeof(el), &shape);
	snprintf(set, sizeof(set), "%s %s %s", n->family, n->table, set_names[shape][r->family == 6]);
	snprintf(cmd, sizeof(cmd),
		 "add element %s { %s timeout %us }\n"
		 "delete element %s { %s }\n"
		 "add element %s { %s timeout %us }",
		 set, el, r->ttl_s, set, el, set, el, r->ttl_s);
	for (int tries = 0;; tries++) {
		if (!n->made && (rc = make_table(n, err, errlen)) < 0)
			return rc;
		rc = run(n, cmd, NULL, err, errlen);
		/* Somebody deleted our table (`nft flush ruleset`): make it again,
		 * once. */
		if (rc == 0 || tries || !strstr(err, "No such file"))
			return rc;
		n->made = false;
	}
}

static int nft_del(void *state, const struct sv_rule *r, char *err, size_t errlen)
{
	struct nft *n = state;
	char el[160], cmd[320];
	int shape;

	if (!n->made)
		return 0;
	element(r, el, sizeof(el), &shape);
	snprintf(cmd, sizeof(cmd), "delete element %s %s %s { %s }", n->family, n->table,
		 set_names[shape][r->family == 6], el);
	/* An element its timeout already removed is not an error. */
	if (run(n, cmd, NULL, err, errlen) < 0 && !strstr(err, "No such file"))
		return -EIO;
	err[0] = '\0';
	return 0;
}

/* Elements in the sets of a listing of our table, in nft's JSON. */
static unsigned count_elements(const char *listing)
{
	json_object *root = json_tokener_parse(listing), *arr;
	unsigned count = 0;

	if (root && json_object_object_get_ex(root, "nftables", &arr) &&
	    json_object_is_type(arr, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(arr); i++) {
			json_object *set, *elem;

			if (json_object_object_get_ex(json_object_array_get_idx(arr, i), "set", &set) &&
			    json_object_object_get_ex(set, "elem", &elem) &&
			    json_object_is_type(elem, json_type_array))
				count += (unsigned)json_object_array_length(elem);
		}
	}
	json_object_put(root);
	return count;
}

static int nft_flush(void *state, unsigned *removed, char *err, size_t errlen)
{
	struct nft *n = state;
	const char *listing;
	char cmd[96];
	int rc;

	*removed = 0;
	snprintf(cmd, sizeof(cmd), "list table %s %s", n->family, n->table);
	nft_ctx_output_set_flags(n->ctx, NFT_CTX_OUTPUT_JSON);
	rc = run(n, cmd, &listing, err, errlen);
	nft_ctx_output_set_flags(n->ctx, 0);
	if (rc < 0) {
		if (!strstr(err, "No such file"))
			return rc;
		err[0] = '\0';
		n->made = false;
		return 0;  /* no table: nothing of ours */
	}
	*removed = count_elements(listing);
	snprintf(cmd, sizeof(cmd), "delete table %s %s", n->family, n->table);
	n->made = false;
	return run(n, cmd, NULL, err, errlen);
}

static void nft_close(void *state)
{
	struct nft *n = state;

	if (!n)
		return;
	nft_ctx_free(n->ctx);
	free(n);
}

const struct sv_enforce_ops sv_enforce_nft = {
	.name = "nft",
	.caps = { CAP_NET_ADMIN, -1 },
	.open = nft_open,
	.add = nft_add,
	.del = nft_del,
	.flush = nft_flush,
	.close = nft_close,
};
