/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_door.c - the door's parser of block, unblock and actions requests
 * (the control socket's text from services and the CLI). Each input is a
 * request as a client would send it; the door runs with the log enforcer,
 * and time moves on per input so rules expire and rate buckets refill.
 * Replies must be one line starting with "ok" or "error".
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/ctl.h"
#include "common/log.h"
#include "daemon/action.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sv_door *door;
	static uint64_t now = 1000;
	char msg[SV_CTL_MSG_MAX], reply[512], *text = NULL;

	if (!door) {
		struct sv_door_opts o;

		sv_log_init("fuzz_door", SV_LOG_ERR);
		sv_door_opts_default(&o);
		o.never_block[0] = "10.66.0.0/16";
		door = sv_door_open(&o, now);
		if (!door)
			abort();
		if (sv_door_events_to(door, "/dev/null") < 0)
			abort();
	}
	if (size >= sizeof(msg))
		size = sizeof(msg) - 1;
	memcpy(msg, data, size);
	msg[size] = '\0';  /* the registry hands over a NUL-terminated message */
	now += 250;
	reply[0] = '\0';
	sv_door_request(door, size && data[0] == 'C' ? NULL : "fuzz", msg, now, reply,
			sizeof(reply), &text);
	if (text)
		free(text);
	else if (reply[0] && strncmp(reply, "ok", 2) != 0 && strncmp(reply, "error", 5) != 0)
		abort();
	sv_door_serve(door, now);
	sv_door_tick(door, now);
	return 0;
}
