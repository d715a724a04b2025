/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sink_file.c - event lines appended to a file, reopened on request so
 * logrotate can move the file away and signal (SIGHUP) for a new one. The
 * new file is opened before the old one is closed: if it cannot be, the
 * lines keep going to the old one rather than nowhere.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/sink.h"

struct file_sink {
	FILE *f;
	char path[];
};

/* Events name hosts and URLs people visited: not for every local user. */
#define EVENT_FILE_MODE 0640

static FILE *open_append(const char *path)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, EVENT_FILE_MODE);
	FILE *f;

	if (fd < 0)
		return NULL;
	f = fdopen(fd, "a");
	if (!f) {
		int err = errno;

		close(fd);
		errno = err;
	}
	return f;
}

static void *open_file(const char *spec)
{
	struct file_sink *s = malloc(sizeof(*s) + strlen(spec) + 1);
	int err;

	if (!s)
		return NULL;
	strcpy(s->path, spec);
	s->f = open_append(spec);
	if (s->f)
		return s;
	err = errno;
	free(s);
	errno = err;
	return NULL;
}

static int write_file(void *st, const struct sv_sink_line *l)
{
	struct file_sink *s = st;

	if (fwrite(l->text, 1, l->len, s->f) != l->len || putc('\n', s->f) == EOF)
		return errno ? -errno : -EIO;
	return 0;
}

static int flush_file(void *st)
{
	struct file_sink *s = st;

	return fflush(s->f) == 0 ? 0 : -errno;
}

static int reopen_file(void *st)
{
	struct file_sink *s = st;
	FILE *f = open_append(s->path);

	if (!f)
		return -errno;
	fclose(s->f);
	s->f = f;
	return 0;
}

static void close_file(void *st)
{
	struct file_sink *s = st;

	fclose(s->f);
	free(s);
}

const struct sv_sink_ops sv_sink_file = {
	.name = "file",
	.keyword = NULL,
	.open = open_file,
	.write = write_file,
	.flush = flush_file,
	.reopen = reopen_file,
	.close = close_file,
};
