/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * enforce_sonic.c - ACL rules in SONiC's CONFIG_DB (Redis database 4),
 * through hiredis; SONiC's orchagent programs them into the ASIC.
 *
 *   --enforcer sonic:PORT[,PORT…][,table=SNAPVNF][,type=L3V4V6|L3|L3V6]
 *                    [,stage=ingress|egress][,priority=9000]
 *                    [,host=127.0.0.1][,port=6379][,socket=PATH][,db=4]
 *
 * Key and field names are those of sonic-utilities (`config acl add
 * table`, acl-loader):
 *
 *   ACL_TABLE|SNAPVNF          policy_desc, type, stage, ports@ (comma list)
 *   ACL_RULE|SNAPVNF|RULE_<id> PRIORITY, PACKET_ACTION=DROP, ETHER_TYPE
 *                              (2048/34525; L3V6 tables: IP_TYPE=IPV6ANY),
 *                              SRC_IP or SRC_IPV6 (a /32 or /128), and for a
 *                              pair DST_IP/DST_IPV6, IP_PROTOCOL, L4_DST_PORT
 *
 * The table is ours alone (bound to the ports named), so leftovers are
 * the rules under its name. An ACL rule has no timeout in SONiC: the
 * daemon deletes each at the end of its TTL, and the enforcer deletes them
 * all when the daemon goes. Needs no capability: Redis is reached over
 * TCP (or a socket the user may open).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include <hiredis/hiredis.h>

#include "daemon/action.h"
#include "daemon/enforce_opts.h"

struct sonic {
	redisContext *c;
	char host[64];
	char socket[108];
	unsigned port, db, priority;
	char table[32];
	char type[8];
	char stage[8];
	char ports[512];  /* comma list, as ports@ */
	bool made;
};

static int sonic_opt(void *ctx, const char *key, const char *val)
{
	struct sonic *s = ctx;
	size_t vl = strlen(val);

	if (!key) {  /* a port to bind the table to */
		size_t l = strlen(s->ports);

		if (!vl || strspn(val, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") != vl ||
		    l + vl + 2 > sizeof(s->ports))
			return -EINVAL;
		snprintf(s->ports + l, sizeof(s->ports) - l, "%s%s", l ? "," : "", val);
		return 0;
	}
	if (strcmp(key, "host") == 0 && vl && vl < sizeof(s->host)) {
		memcpy(s->host, val, vl + 1);
		return 0;
	}
	if (strcmp(key, "socket") == 0 && vl && vl < sizeof(s->socket)) {
		memcpy(s->socket, val, vl + 1);
		return 0;
	}
	if (strcmp(key, "port") == 0)
		return sv_enforce_uint(val, 1, 65535, &s->port);
	if (strcmp(key, "db") == 0)
		return sv_enforce_uint(val, 0, 15, &s->db);
	if (strcmp(key, "priority") == 0)
		return sv_enforce_uint(val, 1, 999999, &s->priority);
	if (strcmp(key, "table") == 0 && vl && vl < sizeof(s->table) &&
	    strspn(val, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == vl) {
		memcpy(s->table, val, vl + 1);
		return 0;
	}
	if (strcmp(key, "type") == 0 &&
	    (strcmp(val, "L3") == 0 || strcmp(val, "L3V6") == 0 || strcmp(val, "L3V4V6") == 0)) {
		memcpy(s->type, val, vl + 1);
		return 0;
	}
	if (strcmp(key, "stage") == 0 && (strcmp(val, "ingress") == 0 || strcmp(val, "egress") == 0)) {
		memcpy(s->stage, val, vl + 1);
		return 0;
	}
	return -EINVAL;
}

static int connect_db(struct sonic *s, char *err, size_t errlen)
{
	struct timeval tmo = { .tv_sec = 5 };
	redisReply *r;

	if (s->c && !s->c->err)
		return 0;
	if (s->c)
		redisFree(s->c);
	s->c = s->socket[0] ? redisConnectUnixWithTimeout(s->socket, tmo)
			    : redisConnectWithTimeout(s->host, (int)s->port, tmo);
	if (!s->c || s->c->err) {
		snprintf(err, errlen, "sonic: cannot reach Redis at %s%s%u: %s",
			 s->socket[0] ? s->socket : s->host, s->socket[0] ? "" : ":",
			 s->socket[0] ? 0 : s->port, s->c ? s->c->errstr : "out of memory");
		return -ECONNREFUSED;
	}
	redisSetTimeout(s->c, tmo);
	r = redisCommand(s->c, "SELECT %u", s->db);
	if (!r || r->type == REDIS_REPLY_ERROR) {
		snprintf(err, errlen, "sonic: SELECT %u: %s", s->db, r ? r->str : s->c->errstr);
		freeReplyObject(r);
		return -EIO;
	}
	freeReplyObject(r);
	return 0;
}

/* Run argv; a Redis error or a lost connection is -EIO with the reason. */
static int command(struct sonic *s, int argc, const char **argv, redisReply **out, char *err,
		   size_t errlen)
{
	redisReply *r;
	int rc;

	if ((rc = connect_db(s, err, errlen)) < 0)
		return rc;
	r = redisCommandArgv(s->c, argc, argv, NULL);
	if (!r || r->type == REDIS_REPLY_ERROR) {
		snprintf(err, errlen, "sonic: %s %s: %s", argv[0], argc > 1 ? argv[1] : "",
			 r ? r->str : s->c->errstr);
		freeReplyObject(r);
		return -EIO;
	}
	if (out)
		*out = r;
	else
		freeReplyObject(r);
	return 0;
}

static int sonic_open(const char *opts, void **state, char *err, size_t errlen)
{
	struct sonic *s = calloc(1, sizeof(*s));
	int rc;

	if (!s)
		return -ENOMEM;
	snprintf(s->host, sizeof(s->host), "127.0.0.1");
	s->port = 6379;
	s->db = 4;
	s->priority = 9000;
	snprintf(s->table, sizeof(s->table), "SNAPVNF");
	snprintf(s->type, sizeof(s->type), "L3V4V6");
	snprintf(s->stage, sizeof(s->stage), "ingress");
	if (sv_enforce_opts(opts, sonic_opt, s) < 0 || !s->ports[0]) {
		snprintf(err, errlen, "sonic takes the ports to bind and key=value options "
				      "(e.g. sonic:Ethernet0,Ethernet4,port=6379), not '%s'", opts);
		free(s);
		return -EINVAL;
	}
	rc = connect_db(s, err, errlen);
	if (rc < 0) {
		if (s->c)
			redisFree(s->c);
		free(s);
		return rc;
	}
	*state = s;
	return 0;
}

static void rule_key(const struct sonic *s, uint64_t id, char *buf, size_t size)
{
	snprintf(buf, size, "ACL_RULE|%s|RULE_%llu", s->table, (unsigned long long)id);
}

static int make_table(struct sonic *s, char *err, size_t errlen)
{
	char key[64];
	const char *argv[] = { "HSET", key, "policy_desc", "snapvnf blocks", "type", s->type,
			       "stage", s->stage, "ports@", s->ports };
	int rc;

	snprintf(key, sizeof(key), "ACL_TABLE|%s", s->table);
	rc = command(s, 10, argv, NULL, err, errlen);
	if (rc == 0)
		s->made = true;
	return rc;
}

static int sonic_add(void *state, const struct sv_rule *r, char *err, size_t errlen)
{
	struct sonic *s = state;
	const char *argv[20];
	char key[96], prio[16], src[64], dst[64], proto[8], port[8];
	bool v6 = r->family == 6;
	int n = 0, rc;

	if (v6 ? strcmp(s->type, "L3") == 0 : strcmp(s->type, "L3V6") == 0) {
		snprintf(err, errlen, "sonic: a %s table takes no IPv%d rule", s->type, r->family);
		return -EAFNOSUPPORT;
	}
	if (!s->made && (rc = make_table(s, err, errlen)) < 0)
		return rc;
	rule_key(s, r->id, key, sizeof(key));
	snprintf(prio, sizeof(prio), "%u", s->priority);
	argv[n++] = "HSET";
	argv[n++] = key;
	argv[n++] = "PRIORITY";
	argv[n++] = prio;
	argv[n++] = "PACKET_ACTION";
	argv[n++] = "DROP";
	if (strcmp(s->type, "L3V6") == 0) {
		argv[n++] = "IP_TYPE";
		argv[n++] = "IPV6ANY";
	} else {
		argv[n++] = "ETHER_TYPE";
		argv[n++] = v6 ? "34525" : "2048";
	}
	sv_rule_addr(r->family, r->src, src, sizeof(src) - 5);
	strcat(src, v6 ? "/128" : "/32");
	argv[n++] = v6 ? "SRC_IPV6" : "SRC_IP";
	argv[n++] = src;
	if (r->scope == SV_SCOPE_PAIR) {
		sv_rule_addr(r->family, r->dst, dst, sizeof(dst) - 5);
		strcat(dst, v6 ? "/128" : "/32");
		argv[n++] = v6 ? "DST_IPV6" : "DST_IP";
		argv[n++] = dst;
		if (r->proto) {
			snprintf(proto, sizeof(proto), "%u", r->proto);
			argv[n++] = "IP_PROTOCOL";
			argv[n++] = proto;
		}
		if (r->dport) {
			snprintf(port, sizeof(port), "%u", r->dport);
			argv[n++] = "L4_DST_PORT";
			argv[n++] = port;
		}
	}
	return command(s, n, argv, NULL, err, errlen);
}

static int sonic_del(void *state, const struct sv_rule *r, char *err, size_t errlen)
{
	struct sonic *s = state;
	char key[96];
	const char *argv[] = { "DEL", key };

	rule_key(s, r->id, key, sizeof(key));
	return command(s, 2, argv, NULL, err, errlen);
}

static int sonic_flush(void *state, unsigned *removed, char *err, size_t errlen)
{
	struct sonic *s = state;
	char pattern[64], cursor[32] = "0", key[64];
	const char *scan[] = { "SCAN", cursor, "MATCH", pattern, "COUNT", "1000" };
	const char *del[] = { "DEL", key };
	int rc;

	*removed = 0;
	snprintf(pattern, sizeof(pattern), "ACL_RULE|%s|*", s->table);
	do {
		redisReply *r;

		rc = command(s, 6, scan, &r, err, errlen);
		if (rc < 0)
			return rc;
		if (r->type != REDIS_REPLY_ARRAY || r->elements != 2 ||
		    r->element[0]->type != REDIS_REPLY_STRING) {
			freeReplyObject(r);
			snprintf(err, errlen, "sonic: SCAN: unexpected reply");
			return -EIO;
		}
		snprintf(cursor, sizeof(cursor), "%s", r->element[0]->str);
		for (size_t i = 0; rc == 0 && i < r->element[1]->elements; i++) {
			const char *kargv[] = { "DEL", r->element[1]->element[i]->str };

			rc = command(s, 2, kargv, NULL, err, errlen);
			if (rc == 0)
				(*removed)++;
		}
		freeReplyObject(r);
	} while (rc == 0 && strcmp(cursor, "0") != 0);
	if (rc < 0)
		return rc;
	snprintf(key, sizeof(key), "ACL_TABLE|%s", s->table);
	s->made = false;
	return command(s, 2, del, NULL, err, errlen);
}

static void sonic_close(void *state)
{
	struct sonic *s = state;

	if (!s)
		return;
	if (s->c)
		redisFree(s->c);
	free(s);
}

const struct sv_enforce_ops sv_enforce_sonic = {
	.name = "sonic",
	.caps = { -1 },
	.open = sonic_open,
	.add = sonic_add,
	.del = sonic_del,
	.flush = sonic_flush,
	.close = sonic_close,
};
