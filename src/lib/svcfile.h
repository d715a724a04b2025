/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * svcfile.h - a service described in a file (`snapvnf run -f FILE`,
 * `snapvnf check FILE`): YAML, read with libyaml (docs/design.md says why).
 *
 *   name: phishing
 *   events: "-"                    # a sink spec, as sv_events_to() takes
 *   filter: tcp port 80            # BPF, before the chain (sv_service_filter)
 *   plugins: [ ./my_vnfs.so ]
 *   chain:
 *     - http_request               # a VNF alone,
 *     - vnf: url_filter            # or with its arguments and converter
 *       args: examples/blocklist.txt   # (by default the members of the
 *       conv: host <- host, uri <- uri, client <- client   # same name)
 *
 * Every message starts "FILE:LINE: " and says what was expected.
 */
#ifndef SV_SVCFILE_H
#define SV_SVCFILE_H

#include <stddef.h>

#define SV_SVC_PLUGINS_MAX 16

struct sv_svc_vnf {
	char *name;
	char *args;  /* NULL: none */
	char *conv;  /* NULL: none (the first VNF); "*" (the default after it)
		      * joins members of the same name and type */
	unsigned line;
};

struct sv_svc {
	char *path;
	char *name;
	char *events;  /* NULL: the default sink */
	char *filter;  /* NULL: none */
	unsigned name_line, events_line, filter_line;
	unsigned nplugins;
	char *plugins[SV_SVC_PLUGINS_MAX];
	unsigned plugin_lines[SV_SVC_PLUGINS_MAX];
	unsigned nvnfs;
	struct sv_svc_vnf *vnfs;
};

/*
 * Parse len bytes of text (the contents of `path`, which only names it in
 * messages) into *svc. Checks the shape only (keys, types, at least one
 * VNF); sv_svcfile_check() checks what the names mean. Returns 0, or
 * -EINVAL with "PATH:LINE: ..." in err; *svc is then empty.
 */
int sv_svcfile_parse(const char *path, const char *text, size_t len, struct sv_svc *svc,
		     char *err, size_t errlen);
/* Read and parse a file (at most 1 MiB). */
int sv_svcfile_load(const char *path, struct sv_svc *svc, char *err, size_t errlen);

/*
 * Load the plugins, compile the filter, and build the chain without a
 * daemon (every VNF's create() runs with its arguments, every converter is
 * checked), so a service that passes starts. Returns 0 or -errno with
 * "PATH:LINE: ..." in err.
 */
int sv_svcfile_check(const struct sv_svc *svc, char *err, size_t errlen);

void sv_svcfile_free(struct sv_svc *svc);

#endif
