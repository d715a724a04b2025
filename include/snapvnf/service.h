/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * snapvnf/service.h - what a switch user writes: a service is a chain of
 * VNFs joined by metadata converters, in four calls.
 *
 *   int main(void)
 *   {
 *           size_t conv[][3] = { { URL_HOST, HTTP_HOST, 0 }, { 0, 0, 0 } };
 *
 *           if (service_init("phishing") < 0 ||
 *               register_pkt_vnf(&http_request_vnf, NULL) < 0 ||
 *               register_pkt_vnf(&url_filter_vnf, conv) < 0)
 *                   return 1;
 *           return service_run() < 0;
 *   }
 *
 * Errors: each call returns 0 or a negative errno, writes a one-line
 * message naming what was wrong to stderr, and keeps it for
 * service_strerror(). Nothing is ever printed to stdout except events.
 */
#ifndef SNAPVNF_SERVICE_H
#define SNAPVNF_SERVICE_H

#include <stddef.h>

#include <snapvnf/vnf.h>

/* Connect to snapvnfd ($SNAPVNF_CTL or /run/snapvnf/ctl.sock) and claim a
 * unique service name. -EADDRINUSE: another service has that name. Lowers
 * the process's scheduling priority (see sv_service_nice). */
SV_API int service_init(const char *name);

/*
 * Append a VNF to the chain. `conv` says how the previous VNF's output
 * fills this one's input, one row per member:
 *   { index of a member of this VNF's input schema,
 *     index of a member of the previous VNF's output schema,
 *     (size_t) address of a void (*)(void *) that adjusts the copied value
 *     in place, or 0 }
 * ended by { 0, 0, 0 }. To map member 0 to member 0 without a function,
 * write { 0, 0, (size_t)sv_conv_identity }. NULL: no converter.
 * Every row is checked now (indices, types, sizes): -EINVAL with a message
 * naming both VNFs and members.
 */
SV_API int register_pkt_vnf(pkt_vnf *vnf, size_t conv[][3]);
SV_API int register_flow_vnf(flow_vnf *vnf, size_t conv[][3]);

/*
 * Fetch items, run the chain, emit events, until the end of the stream
 * (a replay ended, or the daemon stopped) or SIGINT/SIGTERM. Calls each
 * VNF's report and destroy, then returns 0; -errno on failure, -EPIPE
 * when the daemon died without ending its stream (see
 * sv_service_reconnect()).
 */
SV_API int service_run(void);

/* ---- beyond the original four calls ---- */

/* The converter function that changes nothing (see above). */
SV_API void sv_conv_identity(void *value);

/*
 * Append a VNF with an argument string for its create() and converters
 * written by member name: "host <- host, dport <- port" (this VNF's input
 * member on the left, the previous VNF's output member on the right;
 * commas or semicolons between). NULL or "" for no converter; "*" joins
 * every input member to the output member of the same name and type.
 * Types and sizes are checked as for the index form.
 */
SV_API int sv_register_pkt(const pkt_vnf *vnf, const char *args, const char *conv);
SV_API int sv_register_flow(const flow_vnf *vnf, const char *args, const char *conv);

/* Like register_*_vnf, with an argument string for create(). */
SV_API int sv_register_pkt_rows(const pkt_vnf *vnf, const char *args, size_t conv[][3]);
SV_API int sv_register_flow_rows(const flow_vnf *vnf, const char *args, size_t conv[][3]);

/*
 * Where this service's events go: "-" standard output (the default),
 * "syslog" (facility daemon, ident snapvnf), "journald" (the systemd
 * journal, with SNAPVNF_SERVICE, SNAPVNF_VNF and SNAPVNF_EVENT fields), or
 * a file path, appended and reopened when the process gets SIGHUP (for
 * logrotate). Before service_init, or after it to switch. $SNAPVNF_EVENTS
 * says the same when this is not called. Returns 0 or -errno (-ENOENT
 * for "journald" without a journal), with a message.
 */
SV_API int sv_events_to(const char *path);

/*
 * The scheduling priority of this service. service_init() lowers the
 * process's priority to nice 10 (or $SNAPVNF_NICE), so that on a switch's
 * few CPUs the daemon's capture wins over the services that read it: a
 * service that takes the daemon's CPU makes the kernel drop packets for
 * every service. The priority is only ever lowered, never raised (a
 * process started nicer stays so). Call this before service_init() to
 * choose another level (-20 to 19), or after it to lower further at once.
 * Returns 0 or -errno (-EINVAL: not a nice level).
 */
SV_API int sv_service_nice(int level);

/*
 * Run only the snaps that match a filter expression (pcap-filter(7), as
 * tcpdump takes it, compiled by libpcap) through the chain: a DNS-only
 * service need not walk its chain for every HTTP packet. The filter sees
 * the snap as captured (the first bytes of the packet, or of the inner
 * frame of ERSPAN); flow records are not filtered. Call before
 * service_run(); NULL or "" removes it. `snapvnf status` shows the
 * service's "filter.passed" and "filter.dropped". Returns 0, or -EINVAL
 * with libpcap's message when the expression does not compile.
 */
SV_API int sv_service_filter(const char *expr);

/* The last error message of any call above ("" if none). */
SV_API const char *service_strerror(void);

/* The daemon's control socket to use instead of the default (before
 * service_init). */
SV_API void sv_service_ctl(const char *path);

/*
 * What service_run() does when the daemon goes away. Off (0, the
 * default): it returns -EPIPE with a message if the daemon died without
 * ending its stream (noticed within a second), and 0 at the end of the
 * stream. On (1): in both cases it waits for a daemon to answer on the
 * control socket again, registers under the same name, attaches to the
 * same rings, keeps every VNF's state and counters, and writes one line
 * to stderr saying how many items it missed, as far as a service can know
 * (what the new daemon published before it attached; nothing counts what
 * arrived while no daemon ran). It then runs until SIGINT/SIGTERM.
 */
SV_API void sv_service_reconnect(int on);

#endif
