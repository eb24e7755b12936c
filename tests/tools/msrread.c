// SPDX-License-Identifier: GPL-2.0
/*
 * msrread VALUE: prove libkvmlstar's KVM_GET_MSRS reader on a real KVM.
 * Creates a VM and a vCPU, sets the vCPU's LSTAR to VALUE with
 * KVM_SET_MSRS (as a VMM restoring state would), reads it back with
 * kvmlstar_read_lstar() and prints "lstar 0x...".  Exit 0 when the value
 * read equals VALUE.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/kvm.h>
#include "kvmlstar.h"

int main(int argc, char **argv)
{
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry entry;
	} set;
	struct kvmlstar_error err;
	uint64_t want, got = 0;
	int kvm, vm, vcpu;

	if (argc != 2) {
		fprintf(stderr, "usage: msrread VALUE\n");
		return 2;
	}
	want = strtoull(argv[1], NULL, 0);
	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	vm = kvm < 0 ? -1 : ioctl(kvm, KVM_CREATE_VM, 0);
	vcpu = vm < 0 ? -1 : ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0) {
		perror("msrread: /dev/kvm, KVM_CREATE_VM or KVM_CREATE_VCPU");
		return 1;
	}
	memset(&set, 0, sizeof(set));
	set.hdr.nmsrs = 1;
	set.entry.index = KVMLSTAR_MSR_LSTAR;
	set.entry.data = want;
	if (ioctl(vcpu, KVM_SET_MSRS, &set) != 1) {
		perror("msrread: KVM_SET_MSRS");
		return 1;
	}
	if (kvmlstar_read_lstar(vcpu, &got, &err)) {
		fprintf(stderr, "msrread: %s\n", err.msg);
		return 1;
	}
	printf("lstar 0x%" PRIx64 "\n", got);
	return got == want ? 0 : 1;
}
