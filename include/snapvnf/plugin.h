/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * snapvnf/plugin.h - ship VNFs as a shared object.
 *
 * A plugin is a .so that names its VNFs once, at file scope:
 *
 *   #include <snapvnf/plugin.h>
 *   static const pkt_vnf my_vnf = { ... };
 *   static const flow_vnf my_other = { ... };
 *   SV_PLUGIN(&my_vnf, &my_other);
 *
 * SV_PLUGIN defines the one symbol the loader looks for, `sv_plugin`,
 * holding the plugin ABI the headers had when it was built
 * (SV_PLUGIN_ABI) and the VNF tables, each tagged packet or flow by its
 * C type (anything else does not compile). `snapvnf run --plugin FILE`,
 * a service file's `plugins:`, and the plugin directory
 * ($SNAPVNF_PLUGIN_DIR, else `pkg-config --variable=plugindir snapvnf`)
 * load it; the loader refuses, with one line naming the file, a file
 * without `sv_plugin`, another ABI, a VNF whose name another VNF has, and
 * a schema the converters could not use (docs/vnf-authors.md).
 *
 * Build it with `cc -shared -fPIC $(pkg-config --cflags snapvnf)`: the
 * library's functions are found in the program that loads the plugin.
 */
#ifndef SNAPVNF_PLUGIN_H
#define SNAPVNF_PLUGIN_H

#include <stdint.h>

#include <snapvnf/api.h>
#include <snapvnf/vnf.h>

/* sv_plugin_vnf.kind */
#define SV_PLUGIN_PKT  1u
#define SV_PLUGIN_FLOW 2u

struct sv_plugin_vnf {
	uint32_t kind;     /* SV_PLUGIN_PKT: vnf is a pkt_vnf; SV_PLUGIN_FLOW: a flow_vnf */
	const void *vnf;
};

/* The layout of abi (first, 32 bits) never changes, so any loader can read it. */
struct sv_plugin {
	uint32_t abi;      /* SV_PLUGIN_ABI of the headers the plugin was built with */
	uint32_t count;
	const struct sv_plugin_vnf *vnfs;
};

#define SV_PLUGIN_SYMBOL "sv_plugin"

#define SV_PLUGIN_ENTRY_(v)                                                    \
	{ _Generic((v), pkt_vnf *: SV_PLUGIN_PKT, const pkt_vnf *: SV_PLUGIN_PKT, \
		   flow_vnf *: SV_PLUGIN_FLOW, const flow_vnf *: SV_PLUGIN_FLOW), \
	  (const void *)(v) }

/* Apply SV_PLUGIN_ENTRY_ to each of up to 16 arguments. */
#define SV_PLUGIN_CAT_(a, b) a##b
#define SV_PLUGIN_CAT(a, b) SV_PLUGIN_CAT_(a, b)
#define SV_PLUGIN_NARG_(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, \
			_16, n, ...) n
#define SV_PLUGIN_NARG(...) \
	SV_PLUGIN_NARG_(__VA_ARGS__, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0)
#define SV_PLUGIN_E1(a) SV_PLUGIN_ENTRY_(a)
#define SV_PLUGIN_E2(a, ...) SV_PLUGIN_ENTRY_(a), SV_PLUGIN_E1(__VA_ARGS__)
#define SV_PLUGIN_E3(a, ...) SV_PLUGIN_ENTRY_(a), SV_PLUGIN_E2(__VA_ARGS__)
#define SV_PLUGIN_E4(a, ...) SV_PLUGIN_ENTRY_(a), SV_PLUGIN_E3(__VA_ARGS__)
#define SV_PLUGIN_E5(a, ...) SV_PLUGIN_ENTRY_(a), SV_PLUGIN_E4(__VA_ARGS__)
#define SV_PLUGIN_E6(a, ...) SV_PLUGIN_ENTRY_(a), SV_PLUGIN_E5(__VA_ARGS__)
#define SV_PLUGIN_E7(a, ...) SV_PLUGIN_ENTRY_(a), SV_PLUGIN_E6(__VA_ARGS__)
#define SV_PLUGIN_E8(a, ...) SV_PLUGIN_ENTRY_(a), SV_PLUGIN_E7(__VA_ARGS__)
#define SV_PLUGIN_E9(a, ...) SV_PLUGIN_ENTRY_(a), SV_PLUGIN_E8(__VA_ARGS__)
#define SV_PLUGIN_E10(a, ...) SV_PLUGIN_ENTRY_(a), SV_PLUGIN_E9(__VA_ARGS__)
#define SV_PLUGIN_E11(a, ...) SV_PLUGIN_ENTRY_(a), SV_PLUGIN_E10(__VA_ARGS__)
#define SV_PLUGIN_E12(a, ...) SV_PLUGIN_ENTRY_(a), SV_PLUGIN_E11(__VA_ARGS__)
#define SV_PLUGIN_E13(a, ...) SV_PLUGIN_ENTRY_(a), SV_PLUGIN_E12(__VA_ARGS__)
#define SV_PLUGIN_E14(a, ...) SV_PLUGIN_ENTRY_(a), SV_PLUGIN_E13(__VA_ARGS__)
#define SV_PLUGIN_E15(a, ...) SV_PLUGIN_ENTRY_(a), SV_PLUGIN_E14(__VA_ARGS__)
#define SV_PLUGIN_E16(a, ...) SV_PLUGIN_ENTRY_(a), SV_PLUGIN_E15(__VA_ARGS__)

/* The plugin's VNF tables (pointers to pkt_vnf or flow_vnf), 1 to 16. */
#define SV_PLUGIN(...)                                                         \
	static const struct sv_plugin_vnf sv_plugin_vnfs_[] = {                \
		SV_PLUGIN_CAT(SV_PLUGIN_E, SV_PLUGIN_NARG(__VA_ARGS__))(__VA_ARGS__) \
	};                                                                     \
	SV_API const struct sv_plugin sv_plugin = {                            \
		SV_PLUGIN_ABI,                                                 \
		(uint32_t)(sizeof(sv_plugin_vnfs_) / sizeof(sv_plugin_vnfs_[0])), \
		sv_plugin_vnfs_ }

#endif
