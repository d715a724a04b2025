/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * privdrop.c - stop being root once everything privileged is open (-Z).
 *
 * The capture, the sFlow socket (maybe on a port below 1024), the rings
 * and the control socket are opened as root; then the daemon becomes the
 * -Z user for good, as tcpdump does: its groups, its uid, and not one
 * capability left, bounding and ambient sets included, with
 * PR_SET_NO_NEW_PRIVS so nothing it runs later (nfdump) can gain any.
 * libcap-ng does the ordering (keep-caps across setresuid, then clear).
 * Whatever must stay privileged lives in a separate process forked before
 * this call, never in the daemon.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cap-ng.h>

#include "common/log.h"
#include "daemon/daemon.h"

int sv_privdrop_owner(const char *user, const char *group, struct sv_ctl_owner *own)
{
	own->uid = (uid_t)-1;
	own->gid = (gid_t)-1;
	if (user) {
		struct passwd *pw;

		errno = 0;
		pw = getpwnam(user);
		if (!pw) {
			sv_err("-Z %s: %s", user, errno ? strerror(errno) : "no such user");
			return -1;
		}
		if (pw->pw_uid == 0) {
			sv_err("-Z %s: that user is root; name an unprivileged one", user);
			return -1;
		}
		own->uid = pw->pw_uid;
		own->gid = pw->pw_gid;
	}
	if (group) {
		struct group *gr;

		errno = 0;
		gr = getgrnam(group);
		if (!gr) {
			sv_err("--group %s: %s", group, errno ? strerror(errno) : "no such group");
			return -1;
		}
		own->gid = gr->gr_gid;
	}
	return 0;
}

/* What the kernel says we are now: no uid 0 anywhere, no capability. */
static int check_dropped(void)
{
	uid_t r, e, s;

	if (getresuid(&r, &e, &s) < 0 || r == 0 || e == 0 || s == 0) {
		sv_err("-Z: still root after dropping privileges");
		return -1;
	}
	capng_clear(CAPNG_SELECT_ALL);
	if (capng_get_caps_process() < 0 ||
	    capng_have_capabilities(CAPNG_SELECT_CAPS) != CAPNG_NONE ||
	    capng_have_capabilities(CAPNG_SELECT_BOUNDS) != CAPNG_NONE) {
		sv_err("-Z: capabilities left after dropping privileges");
		return -1;
	}
	/* The proof that matters: there is no way back. */
	if (setuid(0) == 0) {
		sv_err("-Z: could become root again");
		return -1;
	}
	return 0;
}

int sv_privdrop(const char *user, const char *group)
{
	struct sv_ctl_owner own;
	int rc;

	if (!user)
		return 0;
	if (sv_privdrop_owner(user, NULL, &own) < 0)
		return -1;
	if (geteuid() != 0) {
		if (getuid() == own.uid)
			return 0;  /* started as that user already */
		sv_err("-Z %s needs the daemon to start as root", user);
		return -1;
	}
	/* Nothing kept: the state to apply is empty. */
	capng_clear(CAPNG_SELECT_ALL);
	rc = capng_change_id((int)own.uid, (int)own.gid,
			     CAPNG_INIT_SUPP_GRP | CAPNG_CLEAR_BOUNDING | CAPNG_CLEAR_AMBIENT);
	if (rc < 0) {
		sv_err("-Z %s: cannot change to uid %u gid %u (libcap-ng error %d: %s)", user,
		       (unsigned)own.uid, (unsigned)own.gid, rc, strerror(errno));
		return -1;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		sv_err("-Z: PR_SET_NO_NEW_PRIVS: %s", strerror(errno));
		return -1;
	}
	if (check_dropped() < 0)
		return -1;
	sv_info("running as %s (uid %u, gid %u)%s%s, no capabilities", user, (unsigned)own.uid,
		(unsigned)own.gid, group ? "; control socket group " : "", group ? group : "");
	return 0;
}
