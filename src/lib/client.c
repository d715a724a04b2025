/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lib/client.h"
#include "lib/ctl.h"

int sv_client_open(struct sv_client *c, const char *ctl_path, const char *name,
		   unsigned consumes)
{
	char msg[SV_CTL_MSG_MAX];
	int fds[SV_CTL_MAX_FDS];
	unsigned nfds = SV_CTL_MAX_FDS;
	ssize_t n;
	int err;

	memset(c, 0, sizeof(*c));
	c->sock = -1;
	if (!ctl_path)
		ctl_path = sv_ctl_path();
	if (!sv_ctl_name_valid(name)) {
		snprintf(c->error, sizeof(c->error),
			 "bad service name '%.64s': 1 to 63 characters of A-Z a-z 0-9 . _ -", name);
		return -EINVAL;
	}
	c->sock = sv_ctl_connect(ctl_path);
	if (c->sock < 0) {
		err = c->sock;
		snprintf(c->error, sizeof(c->error), "cannot reach snapvnfd at %s: %s", ctl_path,
			 strerror(-err));
		c->sock = -1;
		return err;
	}
	snprintf(msg, sizeof(msg), "hello name=%s consumes=%s", name,
		 consumes & SV_CONSUME_FLOW ? (consumes & SV_CONSUME_PKT ? "pkt,flow" : "flow")
					    : "pkt");
	err = sv_ctl_send(c->sock, msg, strlen(msg), NULL, 0);
	if (err)
		goto fail;
	n = sv_ctl_recv(c->sock, msg, sizeof(msg), fds, &nfds);
	if (n < 0) {
		err = (int)n;
		goto fail;
	}
	if (strncmp(msg, "ok", 2) != 0 || nfds < 2) {
		for (unsigned i = 0; i < nfds; i++)
			close(fds[i]);
		snprintf(c->error, sizeof(c->error), "snapvnfd refused '%s': %.180s", name,
			 strncmp(msg, "error ", 6) == 0 ? msg + 6 : msg);
		err = strstr(msg, "already registered") ? -EADDRINUSE : -EPROTO;
		goto out;
	}
	err = sv_ring_reader_open(&c->pkt, fds[0], fds[1]);
	for (unsigned i = 0; i < nfds; i++)
		close(fds[i]);  /* the mappings keep the segments alive */
	if (err)
		goto fail;
	c->stats = (struct sv_stats *)c->pkt.cur->stats;
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->consumes = consumes;
	return 0;
fail:
	snprintf(c->error, sizeof(c->error), "registering '%s' with snapvnfd failed: %s", name,
		 strerror(-err));
out:
	close(c->sock);
	c->sock = -1;
	return err;
}

void sv_client_close(struct sv_client *c)
{
	if (c->sock < 0)
		return;
	sv_ring_reader_close(&c->pkt);
	close(c->sock);
	c->sock = -1;
}
