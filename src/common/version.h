/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * version.h - snapvnf's version, as the top-level VERSION file says (the
 * Makefile passes it in as SV_VERSION): the one place --version, status
 * and the metrics' build_info read it from.
 */
#ifndef SV_VERSION_H
#define SV_VERSION_H

/* "0.1.0": a static string. */
const char *sv_version(void);

#endif
