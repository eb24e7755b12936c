// SPDX-License-Identifier: GPL-2.0
/*
 * kvmlstar_read_lstar() on the real /dev/kvm: create a VM and a vCPU, set
 * MSR_LSTAR with KVM_SET_MSRS, read it back.  Skipped where /dev/kvm is
 * missing or unusable.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/kvm.h>

#include "unit.h"

struct kvm {
	int sys, vm, vcpu;
};

static int kvm_setup(void **state)
{
	static struct kvm k;

	k.sys = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	k.vm = k.vcpu = -1;
	if (k.sys >= 0 && ioctl(k.sys, KVM_GET_API_VERSION, 0) == KVM_API_VERSION)
		k.vm = ioctl(k.sys, KVM_CREATE_VM, 0);
	if (k.vm >= 0)
		k.vcpu = ioctl(k.vm, KVM_CREATE_VCPU, 0);
	*state = &k;
	return 0;
}

static int kvm_teardown(void **state)
{
	struct kvm *k = *state;

	if (k->vcpu >= 0)
		close(k->vcpu);
	if (k->vm >= 0)
		close(k->vm);
	if (k->sys >= 0)
		close(k->sys);
	return 0;
}

static struct kvm *need_vcpu(void **state)
{
	struct kvm *k = *state;

	if (k->vcpu < 0) {
		print_message("  /dev/kvm missing or no vCPU could be made: skipped\n");
		skip();
	}
	return k;
}

static void set_lstar(int vcpu, uint64_t value)
{
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry entry;
	} req;

	memset(&req, 0, sizeof(req));
	req.hdr.nmsrs = 1;
	req.entry.index = KVMLSTAR_MSR_LSTAR;
	req.entry.data = value;
	if (ioctl(vcpu, KVM_SET_MSRS, &req) != 1)
		fail_msg("KVM_SET_MSRS: %s", strerror(errno));
}

static void reads_what_was_set(void **state)
{
	struct kvm *k = need_vcpu(state);
	static const uint64_t values[] = {
		0xffffffffb5600080ull, 0xffffffff81e00080ull, 0,
		0xffffffff8fe00080ull,
	};
	struct kvmlstar_error err;
	uint64_t v;
	size_t i;

	for (i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		set_lstar(k->vcpu, values[i]);
		v = ~values[i];
		if (kvmlstar_read_lstar(k->vcpu, &v, &err) != KVMLSTAR_OK)
			fail_msg("%s", err.msg);
		assert_int_equal(v, values[i]);
		assert_int_equal(err.code, KVMLSTAR_OK);
	}
}

static void fresh_vcpu_reads_zero(void **state)
{
	struct kvm *k = need_vcpu(state);
	struct kvmlstar_error err;
	uint64_t v = 1;
	int vcpu = ioctl(k->vm, KVM_CREATE_VCPU, 1);

	if (vcpu < 0)
		fail_msg("KVM_CREATE_VCPU 1: %s", strerror(errno));
	assert_int_equal(kvmlstar_read_lstar(vcpu, &v, &err), KVMLSTAR_OK);
	assert_int_equal(v, 0);
	/* Which kvmlstar_derive() calls lstar_zero, retryable. */
	assert_int_equal(kvmlstar_derive(v, 0xffffffff81e00080ull, &v, &err),
			 KVMLSTAR_E_LSTAR_ZERO);
	close(vcpu);
}

static void not_a_vcpu_fd(void **state)
{
	struct kvm *k = need_vcpu(state);
	struct kvmlstar_error err;
	uint64_t v = 77;

	/* A VM fd has no KVM_GET_MSRS. */
	assert_int_equal(kvmlstar_read_lstar(k->vm, &v, &err), KVMLSTAR_E_IO);
	assert_int_equal(err.sys_errno, ENOTTY);
	assert_contains(err.msg, "not a KVM vCPU fd");
	assert_int_equal(v, 77);
}

static void bad_fds(void **state)
{
	struct kvmlstar_error err;
	uint64_t v = 77;
	int fds[2];

	(void)state;
	/* These need no /dev/kvm. */
	assert_int_equal(kvmlstar_read_lstar(-1, &v, &err), KVMLSTAR_E_IO);
	assert_int_equal(err.sys_errno, EBADF);
	assert_contains(err.msg, "fd -1");
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(kvmlstar_read_lstar(fds[0], &v, &err), KVMLSTAR_E_IO);
	assert_int_equal(err.sys_errno, ENOTTY);
	assert_int_equal(kvmlstar_read_lstar(fds[0], &v, NULL), KVMLSTAR_E_IO);
	close(fds[0]);
	close(fds[1]);
	assert_int_equal(v, 77);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reads_what_was_set),
		cmocka_unit_test(fresh_vcpu_reads_zero),
		cmocka_unit_test(not_a_vcpu_fd),
		cmocka_unit_test(bad_fds),
	};

	return cmocka_run_group_tests_name("msr_kvm", tests, kvm_setup, kvm_teardown);
}
