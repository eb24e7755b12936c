// SPDX-License-Identifier: GPL-2.0
/*
 * Error classes, retryability and exit statuses against the CLI contract
 * (shared/design/interface.md), and the hex formatter.
 */
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
	{ KVMLSTAR_E_IO,		"bad_input",		false, 1 },
	{ KVMLSTAR_E_NOMEM,		"bad_input",		false, 1 },
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
		assert_int_equal(kvmlstar_err_exit_status(x->code), x->exit_status);
	}
}

static void classes_are_the_contract_names(void **state)
{
	/* Every class the CLI may print, from interface.md. */
	static const char *const contract[] = {
		"lstar_unsupported", "lstar_zero", "link_unknown", "non_canonical",
		"link_above_lstar", "misaligned", "out_of_range", "not_found",
		"no_module", "permission", "timeout", "bad_input", "unavailable",
	};
	size_t i, j;

	(void)state;
	for (i = KVMLSTAR_E_LSTAR_UNSUPPORTED; i <= KVMLSTAR_E_UNAVAILABLE; i++) {
		const char *c = kvmlstar_err_class((enum kvmlstar_err)i);
		bool ok = false;

		for (j = 0; j < sizeof(contract) / sizeof(contract[0]); j++)
			ok |= strcmp(c, contract[j]) == 0;
		if (!ok)
			fail_msg("code %zu has class \"%s\", not one of the contract's", i, c);
	}
}

static void retryable_iff_exit_3(void **state)
{
	int i;

	(void)state;
	for (i = KVMLSTAR_OK; i <= KVMLSTAR_E_UNAVAILABLE + 3; i++)
		assert_int_equal(kvmlstar_err_retryable((enum kvmlstar_err)i),
				 kvmlstar_err_exit_status((enum kvmlstar_err)i) == 3);
}

static void unknown_codes(void **state)
{
	(void)state;
	assert_string_equal(kvmlstar_err_class((enum kvmlstar_err)999), "bad_input");
	assert_false(kvmlstar_err_retryable((enum kvmlstar_err)999));
	assert_int_equal(kvmlstar_err_exit_status((enum kvmlstar_err)999), 1);
	assert_int_equal(kvmlstar_err_exit_status((enum kvmlstar_err)-1), 1);
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
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_code),
		cmocka_unit_test(classes_are_the_contract_names),
		cmocka_unit_test(retryable_iff_exit_3),
		cmocka_unit_test(unknown_codes),
		cmocka_unit_test(hex_format),
	};

	return UNIT_RUN("error", tests);
}
