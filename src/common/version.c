/* SPDX-License-Identifier: BSD-3-Clause */
#include "common/version.h"

#ifndef SV_VERSION
#error "SV_VERSION comes from the VERSION file through the Makefile"
#endif

const char *sv_version(void)
{
	return SV_VERSION;
}
