// SPDX-License-Identifier: GPL-2.0
/*
 * kvmlstar_witnesses(): LSTAR cross-checked with CSTAR and SYSENTER_EIP,
 * on a System.map laid out as Debian's kernels are (the addresses of
 * 6.1.0's entry symbols).
 */
#include <string.h>

#include "unit.h"

#define ENTRY64		0xffffffff81e00080ull
#define COMPAT		0xffffffff81e019b0ull
#define SYSENTER	0xffffffff81e018f0ull
#define IGNORE32	0xffffffff81e01c00ull
#define OFF		0x22e00000ull

static const char map[] =
	"ffffffff81000000 T _text\n"
	"ffffffff81e00080 T entry_SYSCALL_64\n"
	"ffffffff81e018f0 T entry_SYSENTER_compat\n"
	"ffffffff81e019b0 T entry_SYSCALL_compat\n"
	"ffffffff81e01c00 T entry_SYSCALL32_ignore\n";

static struct kvmlstar_syms *open_map(const char *name, const char *text)
{
	struct kvmlstar_syms *syms = NULL;

	assert_int_equal(kvmlstar_syms_open(unit_write_str(name, text), KVMLSTAR_SYMFMT_MAP,
					    &syms, NULL), KVMLSTAR_OK);
	return syms;
}

/* kvmlstar_witnesses() on @syms; @out untouched on failure. */
static int check(const struct kvmlstar_syms *syms, uint64_t lstar, uint64_t cstar,
		 uint64_t sysenter, struct kvmlstar_witnesses *out, struct kvmlstar_error *err)
{
	const uint64_t v[3] = { lstar, cstar, sysenter };
	struct kvmlstar_witnesses before;
	int rc;

	memset(out, 0x5a, sizeof(*out));
	before = *out;
	rc = kvmlstar_witnesses(syms, 0, v, 3, out, sizeof(*out), err);
	assert_int_equal(err->code, rc);
	if (rc)
		assert_memory_equal(out, &before, sizeof(before));
	return rc;
}

static void all_three_agree(void **state)
{
	struct kvmlstar_syms *syms = open_map("agree.map", map);
	struct kvmlstar_witnesses w;
	struct kvmlstar_error err;

	(void)state;
	assert_int_equal(check(syms, ENTRY64 + OFF, COMPAT + OFF, SYSENTER + OFF, &w, &err),
			 KVMLSTAR_OK);
	assert_true(w.confirmed);
	assert_int_equal(w.offset, OFF);
	assert_int_equal(w.count, 3);
	assert_int_equal(w.agree, 3);
	assert_int_equal(w.w[0].msr, KVMLSTAR_ENTRY_LSTAR);
	assert_string_equal(w.w[1].symbol, "entry_SYSCALL_compat");
	assert_int_equal(w.w[1].link, COMPAT);
	assert_string_equal(w.w[2].symbol, "entry_SYSENTER_compat");
	assert_int_equal(w.w[2].offset, OFF);
	assert_string_equal(kvmlstar_entry_name(w.w[2].msr), "sysenter_eip");
	kvmlstar_syms_close(syms);
}

/* An honest nokaslr guest is confirmed at 0; LSTAR alone is not. */
static void nokaslr_confirmed(void **state)
{
	struct kvmlstar_syms *syms = open_map("nokaslr.map", map);
	struct kvmlstar_witnesses w;
	struct kvmlstar_error err;

	(void)state;
	assert_int_equal(check(syms, ENTRY64, COMPAT, SYSENTER, &w, &err), KVMLSTAR_OK);
	assert_true(w.confirmed);
	assert_int_equal(w.offset, 0);
	assert_int_equal(check(syms, ENTRY64, 0, 0, &w, &err), KVMLSTAR_OK);
	assert_false(w.confirmed);
	assert_int_equal(w.count, 1);
	kvmlstar_syms_close(syms);
}

/* AMD keeps SYSENTER_EIP's low half: it still confirms. */
static void sysenter_low_half(void **state)
{
	struct kvmlstar_syms *syms = open_map("low.map", map);
	struct kvmlstar_witnesses w;
	struct kvmlstar_error err;

	(void)state;
	assert_int_equal(check(syms, ENTRY64 + OFF, 0, (uint32_t)(SYSENTER + OFF), &w, &err),
			 KVMLSTAR_OK);
	assert_true(w.confirmed);
	assert_int_equal(w.w[1].value, (uint32_t)(SYSENTER + OFF));
	assert_int_equal(w.w[1].offset, OFF);
	kvmlstar_syms_close(syms);
}

/* A hook on LSTAR planted before the capture, the others honest. */
static void hooked_lstar_mismatch(void **state)
{
	struct kvmlstar_syms *syms = open_map("hook.map", map);
	struct kvmlstar_witnesses w;
	struct kvmlstar_error err;

	(void)state;
	assert_int_equal(check(syms, ENTRY64 + OFF + 0x400000, COMPAT + OFF, SYSENTER + OFF,
			       &w, &err), KVMLSTAR_E_WITNESS_MISMATCH);
	assert_string_equal(kvmlstar_err_class(err.code), "witness_mismatch");
	assert_false(kvmlstar_err_retryable(err.code));
	assert_contains(err.msg, "lstar 0xffffffffa5000080 gives offset 0x23200000");
	assert_contains(err.msg, "cstar 0xffffffffa4c019b0 gives offset 0x22e00000");
	assert_contains(err.msg, "sysenter_eip 0xffffffffa4c018f0 gives offset 0x22e00000");
	assert_contains(err.msg, "redirected");
	/* A hooked CSTAR into a module: no valid offset at all. */
	assert_int_equal(check(syms, ENTRY64 + OFF, 0xffffffffc0123456ull, 0, &w, &err),
			 KVMLSTAR_E_WITNESS_MISMATCH);
	assert_contains(err.msg, "cstar 0xffffffffc0123456 gives no valid offset");
	kvmlstar_syms_close(syms);
}

/* CSTAR without IA32 emulation: entry_SYSCALL32_ignore is taken. */
static void cstar_alternatives(void **state)
{
	struct kvmlstar_syms *syms = open_map("alt.map", map);
	struct kvmlstar_witnesses w;
	struct kvmlstar_error err;

	(void)state;
	assert_int_equal(check(syms, ENTRY64 + OFF, IGNORE32 + OFF, 0, &w, &err), KVMLSTAR_OK);
	assert_true(w.confirmed);
	assert_string_equal(w.w[1].symbol, "entry_SYSCALL32_ignore");
	kvmlstar_syms_close(syms);
}

/* Symbols without the witnesses' entry points: listed, not counted. */
static void witness_symbols_missing(void **state)
{
	struct kvmlstar_syms *syms = open_map("bare.map",
					      "ffffffff81e00080 T entry_SYSCALL_64\n");
	struct kvmlstar_witnesses w;
	struct kvmlstar_error err;

	(void)state;
	assert_int_equal(check(syms, ENTRY64 + OFF, COMPAT + OFF, 0, &w, &err), KVMLSTAR_OK);
	assert_false(w.confirmed);
	assert_int_equal(w.count, 2);
	assert_int_equal(w.w[1].status, KVMLSTAR_E_NOT_FOUND);
	assert_null(w.w[1].symbol);
	kvmlstar_syms_close(syms);
}

/* LSTAR's own checks come first, and without symbols only LSTAR counts. */
static void lstar_first_and_link_only(void **state)
{
	struct kvmlstar_syms *syms = open_map("first.map", map);
	const uint64_t v[3] = { ENTRY64 + OFF, COMPAT, 0 };
	struct kvmlstar_witnesses w;
	struct kvmlstar_error err;

	(void)state;
	assert_int_equal(check(syms, 0, COMPAT + OFF, 0, &w, &err), KVMLSTAR_E_LSTAR_ZERO);
	assert_int_equal(check(syms, ENTRY64 + 0x1000, COMPAT + OFF, 0, &w, &err),
			 KVMLSTAR_E_MISALIGNED);
	assert_int_equal(kvmlstar_witnesses(NULL, ENTRY64, v, 3, &w, sizeof(w), &err),
			 KVMLSTAR_OK);
	assert_int_equal(w.count, 1);
	assert_false(w.confirmed);
	kvmlstar_syms_close(syms);
}

static void bad_arguments(void **state)
{
	const uint64_t v[1] = { ENTRY64 + OFF };
	struct kvmlstar_witnesses w;
	struct kvmlstar_error err;

	(void)state;
	assert_int_equal(kvmlstar_witnesses(NULL, ENTRY64, NULL, 1, &w, sizeof(w), &err),
			 KVMLSTAR_E_BAD_INPUT);
	assert_int_equal(kvmlstar_witnesses(NULL, ENTRY64, v, 0, &w, sizeof(w), &err),
			 KVMLSTAR_E_BAD_INPUT);
	assert_int_equal(kvmlstar_witnesses(NULL, ENTRY64, v, 1, NULL, sizeof(w), &err),
			 KVMLSTAR_E_BAD_INPUT);
	assert_int_equal(kvmlstar_witnesses(NULL, ENTRY64, v, 1, &w, sizeof(w) - 1, &err),
			 KVMLSTAR_E_BAD_INPUT);
	assert_contains(err.msg, "pass sizeof(struct kvmlstar_witnesses)");
	assert_string_equal(kvmlstar_entry_name((enum kvmlstar_entry)99), "unknown");
}

/* A caller built with a larger struct gets zeros past what it knows. */
static void larger_struct_zeroed(void **state)
{
	const uint64_t v[1] = { ENTRY64 + OFF };
	_Alignas(8) unsigned char buf[sizeof(struct kvmlstar_witnesses) + 16];
	size_t i;

	(void)state;
	memset(buf, 0x5a, sizeof(buf));
	assert_int_equal(kvmlstar_witnesses(NULL, ENTRY64, v, 1, (void *)buf, sizeof(buf), NULL),
			 KVMLSTAR_OK);
	for (i = sizeof(struct kvmlstar_witnesses); i < sizeof(buf); i++)
		assert_int_equal(buf[i], 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(all_three_agree),
		cmocka_unit_test(nokaslr_confirmed),
		cmocka_unit_test(sysenter_low_half),
		cmocka_unit_test(hooked_lstar_mismatch),
		cmocka_unit_test(cstar_alternatives),
		cmocka_unit_test(witness_symbols_missing),
		cmocka_unit_test(lstar_first_and_link_only),
		cmocka_unit_test(bad_arguments),
		cmocka_unit_test(larger_struct_zeroed),
	};

	return UNIT_RUN("witness", tests);
}
