// SPDX-License-Identifier: GPL-2.0
/*
 * Error classes, retryability and exit statuses against the CLI contract
 * (shared/design/interface.md), and the hex formatter.
 */
#include <stdio.h>
#include <string.h>

#include "unit.h"

struct expect {
	enum kvmlstar_err code;
	const char *class;
	bool retryable;
	int exit_status;
};

static const struct expect table[] = {
	{ KVMLSTAR_OK,			"ok",			false, 0 },
	{ KVMLSTAR_E_LSTAR_UNSUPPORTED,	"lstar_unsupported",	true,  3 },
	{ KVMLSTAR_E_LSTAR_ZERO,	"lstar_zero",		true,  3 },
	{ KVMLSTAR_E_LINK_UNKNOWN,	"link_unknown",		false, 4 },
	{ KVMLSTAR_E_NON_CANONICAL,	"non_canonical",	true,  3 },
	{ KVMLSTAR_E_LINK_ABOVE_LSTAR,	"link_above_lstar",	false, 4 },
	{ KVMLSTAR_E_MISALIGNED,	"misaligned",		false, 4 },
	{ KVMLSTAR_E_OUT_OF_RANGE,	"out_of_range",		false, 4 },
	{ KVMLSTAR_E_NOT_FOUND,		"not_found",		false, 1 },
	{ KVMLSTAR_E_NO_MODULE,		"no_module",		false, 1 },
	{ KVMLSTAR_E_PERMISSION,	"permission",		false, 1 },
	{ KVMLSTAR_E_TIMEOUT,		"timeout",		true,  3 },
	{ KVMLSTAR_E_BAD_INPUT,		"bad_input",		false, 1 },
	{ KVMLSTAR_E_IO,		"io",			false, 1 },
	{ KVMLSTAR_E_NOMEM,		"nomem",		false, 1 },
	{ KVMLSTAR_E_UNAVAILABLE,	"unavailable",		false, 4 },
};

static void every_code(void **state)
{
	size_t i;

	(void)state;
	/* The table covers the whole enum, in order. */
	assert_int_equal(sizeof(table) / sizeof(table[0]), KVMLSTAR_E_UNAVAILABLE + 1);
	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		const struct expect *x = &table[i];

		assert_int_equal(x->code, (int)i);
		assert_string_equal(kvmlstar_err_class(x->code), x->class);
		if (kvmlstar_err_retryable(x->code) != x->retryable)
			fail_msg("%s: retryable should be %d", x->class, x->retryable);
	}
}

static void unknown_codes(void **state)
{
	(void)state;
	assert_string_equal(kvmlstar_err_class((enum kvmlstar_err)999), "unknown");
	assert_string_equal(kvmlstar_err_class((enum kvmlstar_err)-1), "unknown");
	assert_false(kvmlstar_err_retryable((enum kvmlstar_err)999));
}

/* Every byte sequence in @s is well-formed UTF-8 (no cut characters). */
static bool valid_utf8(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		size_t n = *p < 0x80 ? 1 : *p >= 0xf0 ? 4 : *p >= 0xe0 ? 3 : *p >= 0xc2 ? 2 : 0;
		size_t i;

		if (!n)
			return false;
		for (i = 1; i < n; i++)
			if ((p[i] & 0xc0) != 0x80)
				return false;
		p += n;
	}
	return true;
}

static void shorten(void **state)
{
	char buf[KVMLSTAR_SHORT_LEN], in[2000];
	size_t i, k;

	(void)state;
	assert_string_equal(kvmlstar_shorten("/boot/System.map", buf), "/boot/System.map");
	assert_string_equal(kvmlstar_shorten(NULL, buf), "(null)");
	assert_string_equal(kvmlstar_shorten("x", NULL), "(null)");
	/* 160 bytes fit; 161 are shortened to 160 around "...". */
	memset(in, 'a', 160);
	in[160] = '\0';
	assert_string_equal(kvmlstar_shorten(in, buf), in);
	in[160] = 'z';
	in[161] = '\0';
	kvmlstar_shorten(in, buf);
	assert_int_equal(strlen(buf), 160);
	assert_non_null(strstr(buf, "..."));
	assert_int_equal(buf[159], 'z');	/* the end is kept */
	/* Multi-byte characters at every alignment are never cut. */
	for (k = 0; k < 4; k++) {
		size_t len = 0;

		for (i = 0; i < k; i++)
			in[len++] = 'b';
		while (len + 9 < sizeof(in)) {
			memcpy(in + len, "\xe2\x82\xac\xf0\x9f\x98\x80\xc3\xa9", 9);
			len += 9;
		}
		in[len] = '\0';
		kvmlstar_shorten(in, buf);
		assert_true(strlen(buf) <= 160);
		if (!valid_utf8(buf))
			fail_msg("alignment %zu: shortened text is not UTF-8", k);
	}
}

/* A message about a long value keeps its reason and stays UTF-8. */
static void long_values_keep_the_reason(void **state)
{
	struct kvmlstar_error err;
	struct kvmlstar_syms *s = NULL;
	char path[4000];
	size_t len = 0;
	int rc;

	(void)state;
	len = (size_t)snprintf(path, sizeof(path), "%s/", unit_tmpdir());
	while (len + 3 < sizeof(path) - 20) {
		memcpy(path + len, "\xc3\xa9", 2);	/* e-acute: 2 bytes */
		len += 2;
		if (len % 200 == 0)
			path[len++] = '/';
	}
	strcpy(path + len, "/System.map");
	rc = kvmlstar_syms_open(path, KVMLSTAR_SYMFMT_MAP, &s, &err);
	assert_int_equal(rc, err.code);
	assert_true(rc == KVMLSTAR_E_IO || rc == KVMLSTAR_E_BAD_INPUT);
	assert_contains(err.msg, "cannot open");
	assert_contains(err.msg, "System.map");
	assert_true(valid_utf8(err.msg));
	for (len = 0; len < sizeof(err.reserved) / sizeof(err.reserved[0]); len++)
		assert_int_equal(err.reserved[len], 0);
}

static void hex_format(void **state)
{
	char buf[KVMLSTAR_HEX_LEN];

	(void)state;
	assert_string_equal(kvmlstar_hex(0, buf), "0x0");
	assert_string_equal(kvmlstar_hex(0x33800000, buf), "0x33800000");
	assert_string_equal(kvmlstar_hex(0xffffffff81e00080ull, buf), "0xffffffff81e00080");
	assert_string_equal(kvmlstar_hex(UINT64_MAX, buf), "0xffffffffffffffff");
	assert_string_equal(kvmlstar_hex(0xABCull, buf), "0xabc");
	assert_ptr_equal(kvmlstar_hex(1, buf), buf);
	assert_null(kvmlstar_hex(1, NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_code),
		cmocka_unit_test(unknown_codes),
		cmocka_unit_test(shorten),
		cmocka_unit_test(long_values_keep_the_reason),
		cmocka_unit_test(hex_format),
	};

	return UNIT_RUN("error", tests);
}
