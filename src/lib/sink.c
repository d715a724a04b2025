/* SPDX-License-Identifier: BSD-3-Clause */
/* sink.c - find an event sink backend by its spec and call through it. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/sink.h"

/* Keywords first; the file backend takes whatever is left. */
static const struct sv_sink_ops *const backends[] = {
	&sv_sink_stdout, &sv_sink_syslog, &sv_sink_journald, &sv_sink_file,
};

struct sv_sink {
	const struct sv_sink_ops *ops;
	void *st;
	char spec[];
};

struct sv_sink *sv_sink_open(const char *spec)
{
	const struct sv_sink_ops *ops = NULL;
	struct sv_sink *s;

	if (!spec || !*spec) {
		errno = EINVAL;
		return NULL;
	}
	for (size_t i = 0; i < sizeof(backends) / sizeof(backends[0]) && !ops; i++)
		if (!backends[i]->keyword || strcmp(backends[i]->keyword, spec) == 0)
			ops = backends[i];
	s = malloc(sizeof(*s) + strlen(spec) + 1);
	if (!s)
		return NULL;
	strcpy(s->spec, spec);
	s->ops = ops;
	s->st = ops->open(spec);
	if (!s->st) {
		int err = errno;

		free(s);
		errno = err;
		return NULL;
	}
	return s;
}

int sv_sink_write(struct sv_sink *s, const struct sv_sink_line *l)
{
	return s->ops->write(s->st, l);
}

int sv_sink_flush(struct sv_sink *s)
{
	return s->ops->flush ? s->ops->flush(s->st) : 0;
}

int sv_sink_reopen(struct sv_sink *s)
{
	return s->ops->reopen ? s->ops->reopen(s->st) : 0;
}

void sv_sink_close(struct sv_sink *s)
{
	if (!s)
		return;
	sv_sink_flush(s);
	s->ops->close(s->st);
	free(s);
}

const char *sv_sink_backend(const struct sv_sink *s)
{
	return s->ops->name;
}

const char *sv_sink_spec(const struct sv_sink *s)
{
	return s->spec;
}
