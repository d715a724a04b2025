/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * event.h - where events go: JSON lines to stdout, a file, or syslog.
 * The sink is a small ops table; a new one is a new function set here.
 */
#ifndef SV_EVENT_H
#define SV_EVENT_H

#include <snapvnf/flow.h>
#include <snapvnf/pkt.h>

/* Set the sink: "-" stdout, "syslog", or a file path (appended).
 * Returns 0 or -errno. */
int sv_event_sink(const char *spec);
/* Flush buffered lines (after each burst, and at the end). */
void sv_event_flush(void);
/* The item events of the next VNF calls refer to (one of them non-NULL). */
void sv_event_item(const struct sv_pkt *pkt, const struct sv_flow *rec);

#endif
