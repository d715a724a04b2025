/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * snapvnf/api.h - what libsnapvnf exports.
 *
 * The library is built with -fvisibility=hidden: only declarations marked
 * SV_API are in libsnapvnf.so's dynamic symbol table (and in that of a
 * program that links libsnapvnf.a with -rdynamic, such as `snapvnf`, which
 * is how a plugin loaded into it finds them). Everything a VNF or a
 * service may call is declared in an installed header with this mark;
 * tests/exports.sh fails on any exported symbol that is not.
 */
#ifndef SNAPVNF_API_H
#define SNAPVNF_API_H

#define SV_API __attribute__((visibility("default")))

/* The plugin ABI (snapvnf/plugin.h): bumped whenever a struct a VNF sees
 * (sv_pkt, sv_flow, the VNF tables, sv_arg, schemas) or the meaning of a
 * call changes incompatibly. A plugin built against another number is
 * refused when loaded. */
#define SV_PLUGIN_ABI 1

#endif
