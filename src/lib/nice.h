/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nice.h - the scheduling priority a service runs at. On a switch's few
 * CPUs the daemon's capture must win over the services reading its rings:
 * a service that takes a CPU from the daemon makes the kernel drop
 * packets for every service, itself included. So services lower their
 * priority (nice 10 unless told otherwise); the daemon may raise its own.
 */
#ifndef SV_NICE_H
#define SV_NICE_H

#include <stddef.h>

/* The nice level services run at unless $SNAPVNF_NICE or
 * sv_service_nice() says otherwise. */
#define SV_NICE_SERVICE 10

/*
 * The level a service should run at: $SNAPVNF_NICE when set and not
 * empty, else SV_NICE_SERVICE. Returns the level (-20 to 19), or -EINVAL
 * with a one-line reason in err when the variable is not such a number.
 */
int sv_nice_wanted(char *err, size_t errlen);

/*
 * Lower this process's priority to nice `level`; never raise it (a
 * process already at `level` or nicer stays as it is: raising needs a
 * privilege a service must not have). Returns 0 or -errno.
 */
int sv_nice_lower(int level);

#endif
