// SPDX-License-Identifier: GPL-2.0
/*
 * kvmlstar_derive(): every case of the design reference's tests, plus the
 * 1 GiB window this library adds and the shape of the messages.
 */
#include <string.h>

#include "unit.h"

#define MiB		(1024ull * 1024)
#define GiB		(1024 * MiB)
/* A usual link-time entry_SYSCALL_64 area. */
#define LINK		0xffffffff81000000ull
#define SENTINEL	0x5a5a5a5a5a5a5a5aull

static uint64_t lstar_at(uint64_t offset)
{
	return LINK + offset;
}

/*
 * Derive and check the code.  On failure, also check that the output was
 * left alone and that err says the same as the return value.
 */
static uint64_t derive(uint64_t lstar, uint64_t link, enum kvmlstar_err want,
		       struct kvmlstar_error *err)
{
	uint64_t off = SENTINEL;
	int r;

	memset(err, 0x7f, sizeof(*err));
	r = kvmlstar_derive(lstar, link, &off, err);
	assert_int_equal(r, want);
	assert_int_equal(err->code, want);
	assert_int_equal(err->sys_errno, 0);
	assert_non_null(memchr(err->msg, '\0', sizeof(err->msg)));
	if (want == KVMLSTAR_OK) {
		assert_string_equal(err->msg, "");
	} else {
		assert_int_equal(off, SENTINEL);
		assert_true(strlen(err->msg) > 20);
		assert_null(strchr(err->msg, '\n'));
		/* Without an err the code is the same. */
		assert_int_equal(kvmlstar_derive(lstar, link, &off, NULL), want);
		assert_int_equal(off, SENTINEL);
	}
	return off;
}

static void happy_path(void **state)
{
	struct kvmlstar_error err;

	(void)state;
	assert_int_equal(derive(lstar_at(20 * MiB), LINK, KVMLSTAR_OK, &err), 20 * MiB);
	/* Without an err too. */
	{
		uint64_t off = 0;

		assert_int_equal(kvmlstar_derive(lstar_at(20 * MiB), LINK, &off, NULL),
				 KVMLSTAR_OK);
		assert_int_equal(off, 20 * MiB);
	}
}

static void zero_offset_is_valid(void **state)
{
	struct kvmlstar_error err;

	(void)state;
	/* KASLR off: LSTAR equals the link address. */
	assert_int_equal(derive(LINK, LINK, KVMLSTAR_OK, &err), 0);
}

static void lstar_zero(void **state)
{
	struct kvmlstar_error err;

	(void)state;
	derive(0, LINK, KVMLSTAR_E_LSTAR_ZERO, &err);
	/* Zero LSTAR comes first, even when the link is unknown too. */
	derive(0, 0, KVMLSTAR_E_LSTAR_ZERO, &err);
}

static void non_canonical(void **state)
{
	struct kvmlstar_error err;
	const uint64_t bogus = 0x0000ffff81000000ull;

	(void)state;
	derive(bogus, LINK, KVMLSTAR_E_NON_CANONICAL, &err);
	assert_contains(err.msg, "0xffff81000000");
	derive(1, LINK, KVMLSTAR_E_NON_CANONICAL, &err);
	derive(KVMLSTAR_KERNEL_HALF - 1, LINK, KVMLSTAR_E_NON_CANONICAL, &err);
	assert_contains(err.msg, "0xffff7fffffffffff");
	/* Non-canonical is checked before link > lstar. */
	derive(bogus, 0xffffffffffffffffull, KVMLSTAR_E_NON_CANONICAL, &err);
}

static void link_above_lstar(void **state)
{
	struct kvmlstar_error err;
	const uint64_t lstar = LINK - 4 * MiB;

	(void)state;
	derive(lstar, LINK, KVMLSTAR_E_LINK_ABOVE_LSTAR, &err);
	assert_contains(err.msg, "0xffffffff80c00000");
	assert_contains(err.msg, "0xffffffff81000000");
	/* One byte is enough. */
	derive(LINK, LINK + 1, KVMLSTAR_E_LINK_ABOVE_LSTAR, &err);
}

static void canonical_threshold_reaches_link_check(void **state)
{
	struct kvmlstar_error err;

	(void)state;
	/* Exactly the threshold passes the (strict) canonical check... */
	derive(KVMLSTAR_KERNEL_HALF, LINK, KVMLSTAR_E_LINK_ABOVE_LSTAR, &err);
	/* ...and can even succeed with a link at the threshold. */
	assert_int_equal(derive(KVMLSTAR_KERNEL_HALF, KVMLSTAR_KERNEL_HALF,
				KVMLSTAR_OK, &err), 0);
}

static void minimum_aligned_offset(void **state)
{
	struct kvmlstar_error err;

	(void)state;
	assert_int_equal(derive(lstar_at(2 * MiB), LINK, KVMLSTAR_OK, &err), 2 * MiB);
	assert_int_equal(derive(lstar_at(KVMLSTAR_KASLR_ALIGN), LINK, KVMLSTAR_OK, &err),
			 KVMLSTAR_KASLR_ALIGN);
}

static void u64_max_is_misaligned(void **state)
{
	struct kvmlstar_error err;

	(void)state;
	/*
	 * ~0 is canonical and above the link; the offset 0x7effffff has low
	 * bits set, so alignment catches it (before the range check).
	 */
	derive(UINT64_MAX, LINK, KVMLSTAR_E_MISALIGNED, &err);
	assert_contains(err.msg, "0x7effffff");
}

static void messages_carry_hex(void **state)
{
	struct kvmlstar_error err;

	(void)state;
	derive(0, LINK, KVMLSTAR_E_LSTAR_ZERO, &err);
	assert_contains(err.msg, "MSR_LSTAR is 0x0");

	derive(0x123456789abcdef0ull, LINK, KVMLSTAR_E_NON_CANONICAL, &err);
	assert_contains(err.msg, "0x123456789abcdef0");
	assert_contains(err.msg, "0xffff800000000000");

	derive(0xffff800000000001ull, 0xffff800000000002ull,
	       KVMLSTAR_E_LINK_ABOVE_LSTAR, &err);
	assert_contains(err.msg, "0xffff800000000001");
	assert_contains(err.msg, "0xffff800000000002");

	derive(KVMLSTAR_KERNEL_HALF + 0xdeadbeef, KVMLSTAR_KERNEL_HALF,
	       KVMLSTAR_E_MISALIGNED, &err);
	assert_contains(err.msg, "offset 0xdeadbeef");
	assert_contains(err.msg, "0xffff8000deadbeef");
	assert_contains(err.msg, "0xffff800000000000");
	assert_contains(err.msg, "0x200000");

	derive(lstar_at(1 * GiB), LINK, KVMLSTAR_E_OUT_OF_RANGE, &err);
	assert_contains(err.msg, "0x40000000");
	assert_contains(err.msg, "0xffffffffc1000000");

	derive(lstar_at(8 * MiB), 0, KVMLSTAR_E_LINK_UNKNOWN, &err);
	assert_contains(err.msg, "entry_SYSCALL_64");
	assert_contains(err.msg, "0xffffffff81800000");

	/* Lowercase, no leading zeros, and the advice is there. */
	derive(0x00000000000000abull, LINK, KVMLSTAR_E_NON_CANONICAL, &err);
	assert_contains(err.msg, "0xab");
	assert_null(strstr(err.msg, "0x00"));
	assert_null(strstr(err.msg, "0xAB"));
	assert_contains(err.msg, "try again");
	derive(LINK - 2 * MiB, LINK, KVMLSTAR_E_LINK_ABOVE_LSTAR, &err);
	assert_contains(err.msg, "vmlinux or System.map");
}

static void retryable_partition(void **state)
{
	(void)state;
	/* May change on a later read. */
	assert_true(kvmlstar_err_retryable(KVMLSTAR_E_LSTAR_UNSUPPORTED));
	assert_true(kvmlstar_err_retryable(KVMLSTAR_E_LSTAR_ZERO));
	assert_true(kvmlstar_err_retryable(KVMLSTAR_E_NON_CANONICAL));
	/* Wrong inputs: reading again cannot help. */
	assert_false(kvmlstar_err_retryable(KVMLSTAR_E_LINK_UNKNOWN));
	assert_false(kvmlstar_err_retryable(KVMLSTAR_E_LINK_ABOVE_LSTAR));
	assert_false(kvmlstar_err_retryable(KVMLSTAR_E_MISALIGNED));
	assert_false(kvmlstar_err_retryable(KVMLSTAR_E_OUT_OF_RANGE));
}

static void link_unknown(void **state)
{
	struct kvmlstar_error err;

	(void)state;
	derive(lstar_at(8 * MiB), 0, KVMLSTAR_E_LINK_UNKNOWN, &err);
	/* Checked before non-canonical. */
	derive(0x1000, 0, KVMLSTAR_E_LINK_UNKNOWN, &err);
}

static void misaligned(void **state)
{
	struct kvmlstar_error err;

	(void)state;
	derive(lstar_at(20 * MiB + 4096), LINK, KVMLSTAR_E_MISALIGNED, &err);
	assert_contains(err.msg, "0x1401000");
	derive(lstar_at(1), LINK, KVMLSTAR_E_MISALIGNED, &err);
	derive(lstar_at(2 * MiB - 1), LINK, KVMLSTAR_E_MISALIGNED, &err);
	derive(lstar_at(1 * MiB), LINK, KVMLSTAR_E_MISALIGNED, &err);
	/* Misaligned is checked before out of range. */
	derive(lstar_at(1 * GiB + 4096), LINK, KVMLSTAR_E_MISALIGNED, &err);
}

static void out_of_range_boundaries(void **state)
{
	struct kvmlstar_error err;
	/* A low link, so that offsets of 1 GiB and more stay below 2^64. */
	const uint64_t link = 0xffffffff80000000ull;

	(void)state;
	/* The last slot of the 1 GiB window is fine... */
	assert_int_equal(derive(link + 1 * GiB - 2 * MiB, link, KVMLSTAR_OK, &err),
			 1 * GiB - 2 * MiB);
	/* ...the window's size itself is not. */
	derive(link + 1 * GiB, link, KVMLSTAR_E_OUT_OF_RANGE, &err);
	assert_contains(err.msg, "0x40000000");
	assert_contains(err.msg, "0xffffffffc0000000");
	assert_contains(err.msg, "0xffffffff80000000");
	derive(link + 1 * GiB + 2 * MiB, link, KVMLSTAR_E_OUT_OF_RANGE, &err);
	derive(0xffffffffffe00000ull, KVMLSTAR_KERNEL_HALF, KVMLSTAR_E_OUT_OF_RANGE, &err);
	assert_int_equal(KVMLSTAR_KERNEL_IMAGE_SIZE, 1 * GiB);
	assert_int_equal(KVMLSTAR_KASLR_ALIGN, 2 * MiB);
}

static void real_guest_value(void **state)
{
	struct kvmlstar_error err;

	(void)state;
	/*
	 * A Debian 6.1 guest was seen with entry_SYSCALL_64 at
	 * 0xffffffffb5600080; its link address is 0xffffffff81e00080.
	 */
	assert_int_equal(derive(0xffffffffb5600080ull, 0xffffffff81e00080ull,
				KVMLSTAR_OK, &err), 0x33800000ull);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(happy_path),
		cmocka_unit_test(zero_offset_is_valid),
		cmocka_unit_test(lstar_zero),
		cmocka_unit_test(non_canonical),
		cmocka_unit_test(link_above_lstar),
		cmocka_unit_test(canonical_threshold_reaches_link_check),
		cmocka_unit_test(minimum_aligned_offset),
		cmocka_unit_test(u64_max_is_misaligned),
		cmocka_unit_test(messages_carry_hex),
		cmocka_unit_test(retryable_partition),
		cmocka_unit_test(link_unknown),
		cmocka_unit_test(misaligned),
		cmocka_unit_test(out_of_range_boundaries),
		cmocka_unit_test(real_guest_value),
	};

	return UNIT_RUN("derive", tests);
}
