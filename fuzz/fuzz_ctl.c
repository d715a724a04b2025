/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_ctl.c - libFuzzer harness for the control protocol's key=value
 * parsing: sv_ctl_get() and sv_ctl_name_valid().
 *
 * The input is one message as the daemon receives it ("verb k=v k=v"),
 * NUL-terminated in a heap block of exactly its size so that
 * AddressSanitizer catches a read past the end. It is searched for the
 * keys the daemon asks for, into buffers of the sizes it uses and of one
 * byte; when the input holds a NUL, what comes before it is one more key
 * and what follows is the message. Each answer is held against a plain
 * reading of the protocol, and every value found is checked as a name.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/ctl.h"

/* The value of the first "key=" at the start or after a space, or NULL. */
static const char *find(const char *msg, const char *key, size_t *vlen)
{
	size_t klen = strlen(key);

	for (const char *p = msg; *p; p++) {
		if ((p == msg || p[-1] == ' ') && strncmp(p, key, klen) == 0 && p[klen] == '=') {
			*vlen = strcspn(p + klen + 1, " \n");
			return p + klen + 1;
		}
	}
	return NULL;
}

static int name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 63)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

static void get(const char *msg, const char *key, size_t size)
{
	char *out = malloc(size);
	size_t vlen = 0;
	const char *want;
	int rc;

	if (!out)
		return;
	memset(out, 'x', size);
	rc = sv_ctl_get(msg, key, out, size);
	if (rc != 0 && rc != -ENOENT && rc != -ENAMETOOLONG)
		abort();
	/* A key is a word: the plain reading holds for keys without a space. */
	want = *key && !strchr(key, ' ') ? find(msg, key, &vlen) : NULL;
	if (rc == 0) {
		if (!*key || memchr(out, '\0', size) == NULL || strcspn(out, " \n") != strlen(out))
			abort();
		if (!strchr(key, ' ') && (!want || strlen(out) != vlen || memcmp(out, want, vlen)))
			abort();
		if (sv_ctl_name_valid(out) != name_ok(out))
			abort();
	} else if (*key && !strchr(key, ' ')) {
		if (rc == -ENOENT && want)
			abort();
		if (rc == -ENAMETOOLONG && (!want || vlen < size))
			abort();
	}
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const keys[] = { "name", "consumes", "pkt", "flow_slots", "e" };
	static const size_t sizes[] = { SV_NAME_MAX, 32, 1 };
	const uint8_t *nul = memchr(data, '\0', size);
	char *key = NULL, *msg;
	size_t klen = nul ? (size_t)(nul - data) : 0;
	size_t off = nul ? klen + 1 : 0;

	msg = malloc(size - off + 1);
	if (!msg)
		return 0;
	memcpy(msg, data + off, size - off);
	msg[size - off] = '\0';
	if (nul) {
		key = malloc(klen + 1);
		if (!key)
			goto out;
		memcpy(key, data, klen);
		key[klen] = '\0';
	}
	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
		for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++)
			get(msg, keys[k], sizes[s]);
	if (key)
		for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++)
			get(msg, key, sizes[s]);
	if (sv_ctl_name_valid(msg) != name_ok(msg))
		abort();
out:
	free(key);
	free(msg);
	return 0;
}
