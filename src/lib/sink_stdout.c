/* SPDX-License-Identifier: BSD-3-Clause */
/* sink_stdout.c - event lines on standard output, stdio-buffered: the
 * chain flushes after each burst, so a line costs one copy. */
#include <errno.h>
#include <stdio.h>

#include "lib/sink.h"

static void *open_stdout(const char *spec)
{
	return stdout;
}

static int write_stdout(void *st, const struct sv_sink_line *l)
{
	if (fwrite(l->text, 1, l->len, stdout) != l->len || putchar('\n') == EOF)
		return errno ? -errno : -EIO;
	return 0;
}

static int flush_stdout(void *st)
{
	return fflush(stdout) == 0 ? 0 : -errno;
}

static void close_stdout(void *st)
{
}

const struct sv_sink_ops sv_sink_stdout = {
	.name = "stdout",
	.keyword = "-",
	.open = open_stdout,
	.write = write_stdout,
	.flush = flush_stdout,
	.close = close_stdout,
};
