// SPDX-License-Identifier: GPL-2.0
/*
 * lstar-peer.bpf.c: what a user who does not want a kernel module would
 * write instead of kvm_lstar, for make bench to measure beside it (step 7
 * of tests/bench/vm-bench.sh).
 *
 * On kvm_exit (a BTF tracepoint, the one kvm_lstar's probe uses), read the
 * vCPU's LSTAR where an AMD host keeps it, vmcb01's save area, and keep
 * the first non-zero value per vCPU in a hash map.  The layouts come from
 * the kernel's own BTF at load time (CO-RE: struct vcpu_svm is kvm-amd's,
 * in its module BTF), so the object is built once for every kernel; the
 * local structs name only the fields read.  No check of the vCPU's
 * identity, generation or guest mode: the plain program, as one would
 * write it.
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

struct vmcb_save_area {
	__u64 lstar;
} __attribute__((preserve_access_index));

struct vmcb {
	struct vmcb_save_area save;
} __attribute__((preserve_access_index));

struct kvm_vmcb_info {
	struct vmcb *ptr;
} __attribute__((preserve_access_index));

struct kvm_vcpu {
	int vcpu_id;
} __attribute__((preserve_access_index));

/* struct kvm_vcpu is vcpu_svm's first member: the same address. */
struct vcpu_svm {
	struct kvm_vcpu vcpu;
	struct kvm_vmcb_info vmcb01;
} __attribute__((preserve_access_index));

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);		/* the struct kvm_vcpu's address */
	__type(value, __u64);		/* its first non-zero LSTAR */
} first_lstar SEC(".maps");

SEC("tp_btf/kvm_exit")
int BPF_PROG(lstar_peer_exit, struct kvm_vcpu *vcpu, __u32 isa)
{
	struct vcpu_svm *svm = (struct vcpu_svm *)vcpu;
	__u64 key = (__u64)vcpu;
	__u64 lstar;

	if (bpf_map_lookup_elem(&first_lstar, &key))
		return 0;
	lstar = BPF_CORE_READ(svm, vmcb01.ptr, save.lstar);
	if (lstar)
		bpf_map_update_elem(&first_lstar, &key, &lstar, BPF_NOEXIST);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
