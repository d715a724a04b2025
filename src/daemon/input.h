/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * input.h - where snapvnfd's items come from: one small ops table per kind
 * of input, one backend per file, found by name.
 *
 *   "interface"   input_pcap_live.c    -i IFACE: libpcap on the mirror port
 *   "file"        input_pcap_file.c    -r FILE: a capture, replayed
 *   "sflow"       input_sflow_udp.c    --sflow [ADDR:]PORT: sFlow datagrams
 *   "sflow-file"  input_sflow_file.c   --sflow-pcap FILE: the same, replayed
 *   "nfdump"      input_nfdump.c       --nfdump-dir DIR: nfcapd's files
 *
 * The daemon's loop (main.c) polls each input's descriptor and calls its
 * burst when the descriptor is readable, at once when the input has none
 * (a file is always ready), or when the input asked to be called back.
 * An input writes where it was told at open: snaps into the packet ring
 * (through a snapper of its own), datagrams and records into the
 * collector. A burst does a bounded amount of work, so that no input holds
 * the loop (and the control socket) for more than a few milliseconds, and
 * in lossless mode it reads nothing while the ring it feeds is full: the
 * backpressure reaches the file, the pipe or the kernel's socket buffer.
 */
#ifndef SV_INPUT_H
#define SV_INPUT_H

#include <stdbool.h>
#include <stdint.h>

struct sv_collector;
struct sv_input;
struct sv_metrics;
struct sv_opts;
struct sv_ring;

/* What an input is given at open: the options and where its items go. */
struct sv_input_env {
	const struct sv_opts *opts;
	struct sv_ring *pkt_ring;        /* snaps */
	struct sv_collector *collector;  /* sFlow datagrams, flow records */
};

/*
 * Longest a burst may wait for a lossless ring to make room, in ms. The
 * ring's producer sleeps on a futex, which poll() cannot watch: the wait
 * is short so the loop serves the control socket in between (a service
 * that died must be noticed while the producer waits for it).
 */
#define SV_INPUT_RING_WAIT_MS 5

/* What a burst returns besides the count of items it handed on. */
#define SV_INPUT_END   (-1)  /* a finite input read to its end */
#define SV_INPUT_SHORT (-2)  /* a finite input ended before its end (cut, unreadable) */
#define SV_INPUT_FAIL  (-3)  /* the input is lost (logged): the daemon stops */

struct sv_input_ops {
	const char *name;     /* as above; also shown in status "source" */
	const char *section;  /* status section of its counters: "capture", "collector", "nfdump" */
	bool finite;          /* a replay: ends, waits for --wait-for services */
	/*
	 * Open on `arg` (the interface, file, [ADDR:]PORT or directory).
	 * Logs why and returns NULL on failure.
	 */
	struct sv_input *(*open)(const char *arg, const struct sv_input_env *env);
	/* The descriptor to poll for POLLIN, or -1 when always ready. */
	int (*fd)(struct sv_input *in);
	/*
	 * Read what is there, a bounded amount, and hand it on. Returns how
	 * many items (packets, datagrams, records), or SV_INPUT_END/_SHORT/
	 * _FAIL. Sets *wait_ms (left at -1 by the caller otherwise) when it
	 * wants to be called again within that many ms whether or not its
	 * descriptor becomes readable (a paced replay, a child to reap).
	 */
	int (*burst)(struct sv_input *in, int *wait_ms);
	/* Put every counter into m (metrics.h: a table of rows and the struct
	 * they are read from); status has opened the input's section. */
	void (*stats)(const struct sv_input *in, struct sv_metrics *m);
	/* Accepts NULL. */
	void (*close)(struct sv_input *in);
};

extern const struct sv_input_ops sv_input_pcap_live;
extern const struct sv_input_ops sv_input_pcap_file;
extern const struct sv_input_ops sv_input_sflow_udp;
extern const struct sv_input_ops sv_input_sflow_file;
extern const struct sv_input_ops sv_input_nfdump;

/* The backend called `name`, or NULL. */
const struct sv_input_ops *sv_input_find(const char *name);

/* An open input, as the loop and status see it. */
struct sv_input_ref {
	const struct sv_input_ops *ops;
	struct sv_input *in;
	const char *arg;
};

#endif
