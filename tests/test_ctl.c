/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_ctl.c - the control protocol's key=value parsing with known
 * values: sv_ctl_get() on the messages the daemon reads, and
 * sv_ctl_name_valid() at the edges of a service name.
 */
#include <errno.h>
#include <signal.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/ctl.h"

static void test_get_values(void **state)
{
	char v[64];

	assert_int_equal(sv_ctl_get("hello name=svc-1 consumes=pkt,flow", "name", v, sizeof(v)), 0);
	assert_string_equal(v, "svc-1");
	assert_int_equal(sv_ctl_get("hello name=svc-1 consumes=pkt,flow", "consumes", v,
				    sizeof(v)), 0);
	assert_string_equal(v, "pkt,flow");
	/* A value ends at a space or a line end; it may be empty. */
	assert_int_equal(sv_ctl_get("ok a=1\nb=2", "a", v, sizeof(v)), 0);
	assert_string_equal(v, "1");
	assert_int_equal(sv_ctl_get("hello name= x=y", "name", v, sizeof(v)), 0);
	assert_string_equal(v, "");
	/* The first of a repeated key wins. */
	assert_int_equal(sv_ctl_get("k=1 k=2", "k", v, sizeof(v)), 0);
	assert_string_equal(v, "1");
}

static void test_get_misses(void **state)
{
	char v[4];

	/* Only a whole word followed by '=' is the key. */
	assert_int_equal(sv_ctl_get("hello xname=a", "name", v, sizeof(v)), -ENOENT);
	assert_int_equal(sv_ctl_get("hello name =a", "name", v, sizeof(v)), -ENOENT);
	assert_int_equal(sv_ctl_get("hello names=a name=b", "name", v, sizeof(v)), 0);
	assert_string_equal(v, "b");
	assert_int_equal(sv_ctl_get("", "name", v, sizeof(v)), -ENOENT);
	assert_int_equal(sv_ctl_get("hello name=abcd", "name", v, sizeof(v)), -ENAMETOOLONG);
	assert_int_equal(sv_ctl_get("hello name=abc", "name", v, sizeof(v)), 0);
	assert_string_equal(v, "abc");
	/* fuzz_ctl: an empty key looped for ever (strstr finds "" anywhere). */
	assert_int_equal(sv_ctl_get("hello name=a", "", v, sizeof(v)), -ENOENT);
	assert_int_equal(sv_ctl_get("=a", "", v, sizeof(v)), -ENOENT);
}

static void test_name_valid(void **state)
{
	char name[SV_NAME_MAX + 1];

	assert_true(sv_ctl_name_valid("edge_guard-1.a"));
	assert_false(sv_ctl_name_valid(""));
	assert_false(sv_ctl_name_valid("a b"));
	assert_false(sv_ctl_name_valid("a/b"));
	assert_false(sv_ctl_name_valid("caf\xc3\xa9"));
	memset(name, 'a', sizeof(name));
	name[SV_NAME_MAX - 1] = '\0';
	assert_true(sv_ctl_name_valid(name));  /* 63 bytes */
	name[SV_NAME_MAX - 1] = 'a';
	name[SV_NAME_MAX] = '\0';
	assert_false(sv_ctl_name_valid(name)); /* 64 */
}

/* The end marker is what ctl.h says: EOT then "end", a byte no text reply
 * holds. Written "\x04end" it was one hex escape, "Nnd". */
static void test_end_marker(void **state)
{
	assert_int_equal(strlen(SV_CTL_END), 4);
	assert_memory_equal(SV_CTL_END, "\004end", 4);
}

/* A one-shot peer at `path` that answers the first request with `reply`
 * (no end marker, as the daemon refuses an unknown request). */
static pid_t fake_daemon(const char *path, const char *reply)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	pid_t pid;

	assert_true(fd >= 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	unlink(path);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(fd, 1), 0);
	pid = fork();
	if (pid == 0) {
		char buf[256];
		int c = accept(fd, NULL, NULL);

		if (c >= 0 && read(c, buf, sizeof(buf)) > 0)
			(void)!write(c, reply, strlen(reply));
		sleep(5);  /* stay connected: the client must not wait for more */
		_exit(0);
	}
	close(fd);
	return pid;
}

/* A refusal ends the query at once instead of waiting for an end marker. */
static void test_query_refused(void **state)
{
	/* A directory of its own: two runs at once (a sanitizer build beside
	 * the plain one) must not take each other's socket. */
	char dir[] = "/tmp/snapvnf-ctl-test.XXXXXX", path[sizeof(dir) + 8];
	pid_t pid;
	char *reply = NULL;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/sock", dir);
	pid = fake_daemon(path, "error unknown request 'bogus'");

	assert_int_equal(sv_ctl_query(path, "bogus", &reply), 0);
	assert_string_equal(reply, "error unknown request 'bogus'");
	free(reply);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_get_values),
		cmocka_unit_test(test_get_misses),
		cmocka_unit_test(test_name_valid),
		cmocka_unit_test(test_end_marker),
		cmocka_unit_test(test_query_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
