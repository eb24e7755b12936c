// SPDX-License-Identifier: GPL-2.0
/*
 * kvmlstar_read_lstar() against a scripted ioctl(): this program is linked
 * with the static library and -Wl,--wrap=ioctl, so the library's ioctl()
 * calls land in __wrap_ioctl() below.
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include <linux/kvm.h>

#include "unit.h"

#define SENTINEL 0x5a5a5a5a5a5a5a5aull

int __wrap_ioctl(int fd, unsigned long request, ...);

/*
 * Checks the request like KVM would, then plays back what the test queued:
 * the return value, errno, and the MSR value to store.
 */
int __wrap_ioctl(int fd, unsigned long request, ...)
{
	struct kvm_msrs *msrs;
	va_list ap;
	int ret;

	va_start(ap, request);
	msrs = va_arg(ap, struct kvm_msrs *);
	va_end(ap);

	check_expected(fd);
	assert_int_equal(request, KVM_GET_MSRS);
	assert_non_null(msrs);
	assert_int_equal(msrs->nmsrs, 1);
	assert_int_equal(msrs->entries[0].index, 0xc0000082);
	ret = mock_type(int);
	if (ret < 0)
		errno = mock_type(int);
	else if (ret > 0)
		msrs->entries[0].data = mock_type(uint64_t);
	return ret;
}

static void reads_value(void **state)
{
	struct kvmlstar_error err;
	uint64_t v = SENTINEL;

	(void)state;
	expect_value(__wrap_ioctl, fd, 7);
	will_return(__wrap_ioctl, 1);
	will_return(__wrap_ioctl, 0xffffffffb5600080ull);
	assert_int_equal(kvmlstar_read_lstar(7, &v, &err), KVMLSTAR_OK);
	assert_int_equal(v, 0xffffffffb5600080ull);
	assert_int_equal(err.code, KVMLSTAR_OK);
	assert_string_equal(err.msg, "");

	/* A zero LSTAR is returned as read: judging it is kvmlstar_derive()'s job. */
	expect_value(__wrap_ioctl, fd, 7);
	will_return(__wrap_ioctl, 1);
	will_return(__wrap_ioctl, 0);
	assert_int_equal(kvmlstar_read_lstar(7, &v, NULL), KVMLSTAR_OK);
	assert_int_equal(v, 0);
}

static void no_entry_is_unsupported(void **state)
{
	struct kvmlstar_error err;
	uint64_t v = SENTINEL;

	(void)state;
	expect_value(__wrap_ioctl, fd, 9);
	will_return(__wrap_ioctl, 0);
	assert_int_equal(kvmlstar_read_lstar(9, &v, &err), KVMLSTAR_E_LSTAR_UNSUPPORTED);
	assert_int_equal(err.code, KVMLSTAR_E_LSTAR_UNSUPPORTED);
	assert_int_equal(err.sys_errno, 0);
	assert_int_equal(v, SENTINEL);
	assert_contains(err.msg, "0xc0000082");
	assert_contains(err.msg, "KVM_GET_MSRS");
	assert_true(kvmlstar_err_retryable(err.code));
}

static void ioctl_error_is_io(void **state)
{
	struct kvmlstar_error err;
	uint64_t v = SENTINEL;

	(void)state;
	expect_value(__wrap_ioctl, fd, 3);
	will_return(__wrap_ioctl, -1);
	will_return(__wrap_ioctl, EINVAL);
	assert_int_equal(kvmlstar_read_lstar(3, &v, &err), KVMLSTAR_E_IO);
	assert_int_equal(err.code, KVMLSTAR_E_IO);
	assert_int_equal(err.sys_errno, EINVAL);
	assert_int_equal(v, SENTINEL);
	assert_contains(err.msg, strerror(EINVAL));
	assert_contains(err.msg, "0xc0000082");

	expect_value(__wrap_ioctl, fd, 3);
	will_return(__wrap_ioctl, -1);
	will_return(__wrap_ioctl, ENOTTY);
	assert_int_equal(kvmlstar_read_lstar(3, &v, &err), KVMLSTAR_E_IO);
	assert_int_equal(err.sys_errno, ENOTTY);
	assert_contains(err.msg, "not a KVM vCPU fd");
	assert_int_equal(v, SENTINEL);
}

static void too_many_entries_is_io(void **state)
{
	struct kvmlstar_error err;
	uint64_t v = SENTINEL;

	(void)state;
	expect_value(__wrap_ioctl, fd, 4);
	will_return(__wrap_ioctl, 2);
	will_return(__wrap_ioctl, 0xffffffff81000000ull);
	assert_int_equal(kvmlstar_read_lstar(4, &v, &err), KVMLSTAR_E_IO);
	assert_int_equal(v, SENTINEL);
	assert_contains(err.msg, "2 entries");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reads_value),
		cmocka_unit_test(no_entry_is_unsupported),
		cmocka_unit_test(ioctl_error_is_io),
		cmocka_unit_test(too_many_entries_is_io),
	};

	return UNIT_RUN("msr_mock", tests);
}
