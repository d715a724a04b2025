/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_torn.c - a slow VNF on a lossy ring never sees an item the daemon
 * was rewriting, and every item it does not see is counted lost.
 *
 * The real daemon replays, in lossy mode into a 64-slot ring, a capture
 * written here in which every packet carries its number k and bytes
 * derived from k, its time and its wire length too. A VNF reads k, dawdles
 * (so the daemon laps the ring under it many times), then checks every
 * other byte against k. An item rewritten while the VNF held it shows a
 * mix of two packets; one rewritten before the VNF got to it shows a
 * packet newer than the next one's. The daemon's log says, when the
 * service leaves, how many items it delivered and lost; the capture says
 * how many there were.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <pcap/pcap.h>

#include <snapvnf/service.h>

#define NPKTS     200000u
#define FRAME_LEN 150u
#define T0_SEC    1700000000u
#define DAWDLE_NS 3000
#define STEP_US   5

struct torn_state {
	uint64_t seen;      /* items the VNF was handed */
	uint64_t torn;      /* of those, mixed from two packets */
	uint64_t disorder;  /* not after the one before: a newer packet in an old slot */
	int64_t last;       /* k of the item before, -1 at first */
};

static struct torn_state result;

static uint8_t pattern(uint32_t k, unsigned j)
{
	return (uint8_t)(k * 7u + j * 13u);
}

/* The frame of packet k: Ethernet, IPv4, UDP, then k and the pattern. */
static void frame(uint32_t k, uint8_t *f)
{
	memset(f, 0, FRAME_LEN);
	f[12] = 0x08;                              /* IPv4 */
	f[14] = 0x45;
	f[16] = (FRAME_LEN - 14) >> 8;
	f[17] = (FRAME_LEN - 14) & 0xff;
	f[22] = 64;
	f[23] = 17;                                /* UDP */
	memcpy(f + 26, "\x0a\x00\x00\x01\x0a\x00\x00\x02", 8);
	f[34] = 0x30;                              /* ports 12345 -> 54321 */
	f[35] = 0x39;
	f[36] = 0xd4;
	f[37] = 0x31;
	f[38] = (FRAME_LEN - 34) >> 8;
	f[39] = (FRAME_LEN - 34) & 0xff;
	memcpy(f + 42, &k, sizeof(k));
	for (unsigned j = 46; j < FRAME_LEN; j++)
		f[j] = pattern(k, j);
}

/* One packet every STEP_US: paced, the replay lasts a second, long enough
 * for daemon and service to run side by side however they are scheduled. */
static uint64_t ts_of(uint32_t k)
{
	uint64_t us = (uint64_t)k * STEP_US;

	return (T0_SEC + us / 1000000u) * 1000000000u + us % 1000000u * 1000u;
}

static uint32_t wire_of(uint32_t k)
{
	return FRAME_LEN + k % 1000u;
}

static void write_capture(const char *path)
{
	pcap_t *p = pcap_open_dead(DLT_EN10MB, 65535);
	pcap_dumper_t *d = pcap_dump_open(p, path);
	uint8_t f[FRAME_LEN];

	assert_non_null(d);
	for (uint32_t k = 0; k < NPKTS; k++) {
		uint64_t us = (uint64_t)k * STEP_US;
		struct pcap_pkthdr h = { .ts = { .tv_sec = (time_t)(T0_SEC + us / 1000000u),
						 .tv_usec = (suseconds_t)(us % 1000000u) },
					 .caplen = FRAME_LEN, .len = wire_of(k) };

		frame(k, f);
		pcap_dump((u_char *)d, &h, f);
	}
	pcap_dump_close(d);
	pcap_close(p);
}

static void dawdle(void)
{
	struct timespec a, b;

	clock_gettime(CLOCK_MONOTONIC, &a);
	do
		clock_gettime(CLOCK_MONOTONIC, &b);
	while ((b.tv_sec - a.tv_sec) * 1000000000L + (b.tv_nsec - a.tv_nsec) < DAWDLE_NS);
}

static void *torn_create(struct sv_vnf_ctx *ctx, const char *args)
{
	memset(&result, 0, sizeof(result));
	result.last = -1;
	return &result;
}

static int torn_process(void *state, struct sv_vnf_ctx *ctx, const struct sv_pkt *p,
			const void *in, void *out)
{
	struct torn_state *st = state;
	volatile const uint8_t *d = p->data;
	uint32_t k;
	bool bad = false;

	st->seen++;
	if (p->cap_len != FRAME_LEN) {
		st->torn++;
		return SV_CONTINUE;
	}
	memcpy(&k, (const uint8_t *)d + 42, sizeof(k));
	dawdle();
	for (unsigned j = 46; j < FRAME_LEN && !bad; j++)
		bad = d[j] != pattern(k, j);
	bad |= p->ts_ns != ts_of(k) || p->wire_len != wire_of(k) || p->sport != 12345 ||
	       *(volatile const uint32_t *)(d + 42) != k;
	st->torn += bad;
	/* Items come in ring order, and packet k is the ring's item k. */
	if (!bad) {
		st->disorder += (int64_t)k <= st->last;
		st->last = k;
	}
	return SV_CONTINUE;
}

static const pkt_vnf torn_vnf = {
	.desc = { .name = "torn_check", .version = "1", .summary = "count mixed items",
		  .create = torn_create },
	.process = torn_process,
};

static void test_slow_vnf_never_sees_torn_items(void **state)
{
	const char *build = getenv("SNAPVNF_BUILD");
	char dir[] = "/tmp/snapvnf-torn.XXXXXX", cap[128], ctl[128], log[128], daemon[512],
	     line[1024];
	unsigned long long delivered = 0, lost = 0, read_n = 0, published = 0, start = 1;
	int status, found = 0;
	FILE *f;
	pid_t pid;

	assert_non_null(mkdtemp(dir));
	snprintf(cap, sizeof(cap), "%s/numbered.pcap", dir);
	snprintf(ctl, sizeof(ctl), "%s/ctl.sock", dir);
	snprintf(log, sizeof(log), "%s/daemon.log", dir);
	snprintf(daemon, sizeof(daemon), "%s/snapvnfd", build && *build ? build : "build");
	write_capture(cap);

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		dup2(fd, 2);
		execl(daemon, daemon, "-r", cap, "--pace", "--lossy", "--ring-slots", "64",
		      "--wait-for", "1", "--ctl", ctl, (char *)NULL);
		_exit(127);
	}
	sv_service_ctl(ctl);
	for (int i = 0; i < 100 && access(ctl, F_OK) < 0; i++)
		usleep(100000);
	assert_int_equal(service_init("torn"), 0);
	assert_int_equal(sv_register_pkt(&torn_vnf, NULL, NULL), 0);
	assert_int_equal(service_run(), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);

	f = fopen(log, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		const char *p = strstr(line, "service torn ");

		if (p && (p = strstr(p, "snaps: read ")) &&
		    sscanf(p, "snaps: read %llu of %llu published while attached from item %llu "
			      "(delivered %llu, lost %llu)", &read_n, &published, &start, &delivered,
			   &lost) == 5)
			found = 1;
	}
	fclose(f);
	print_message("%llu packets, VNF saw %llu (%llu mixed, %llu out of order), daemon says "
		      "delivered %llu, lost %llu\n", (unsigned long long)NPKTS,
		      (unsigned long long)result.seen, (unsigned long long)result.torn,
		      (unsigned long long)result.disorder, delivered, lost);
	/* Not one item the VNF acted on was mixed from two packets, or a
	 * newer packet in the slot of one it had not read yet. */
	assert_int_equal(result.torn, 0);
	assert_int_equal(result.disorder, 0);
	assert_true(found);
	/* The test did something: the ring was lapped under the VNF. */
	assert_true(lost > 0);
	/* What the VNF saw is what was delivered; the rest is counted lost. */
	assert_int_equal(result.seen, delivered);
	assert_int_equal(start, 0);
	assert_int_equal(published, NPKTS);
	assert_int_equal(read_n, NPKTS);
	assert_int_equal(delivered + lost, NPKTS);
	unlink(cap);
	unlink(log);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slow_vnf_never_sees_torn_items),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
