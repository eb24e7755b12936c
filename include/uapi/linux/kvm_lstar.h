/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * kvm_lstar: generic netlink interface of the kvm_lstar module.
 *
 * The module records, per KVM vCPU, the first value the guest wrote to
 * MSR_LSTAR (the run-time address of entry_SYSCALL_64), from which host
 * tools derive the guest's virtual KASLR offset.
 *
 * Family KVM_LSTAR_GENL_NAME, version KVM_LSTAR_GENL_VERSION.  Every
 * command uses the one attribute space below; doc/kvm_lstar.yaml is the
 * same interface as a YNL spec.
 */
#ifndef _UAPI_LINUX_KVM_LSTAR_H
#define _UAPI_LINUX_KVM_LSTAR_H

#define KVM_LSTAR_GENL_NAME		"kvm_lstar"
#define KVM_LSTAR_GENL_VERSION		1
#define KVM_LSTAR_MCGRP_EVENTS		"events"

/* MSR_LSTAR, for readers that have no <asm/msr-index.h>. */
#define KVM_LSTAR_MSR			0xc0000082

enum kvm_lstar_cmd {
	KVM_LSTAR_CMD_UNSPEC,
	/* do: reply carries the STATUS_* attributes. */
	KVM_LSTAR_CMD_STATUS,
	/*
	 * do: VM (required) and VCPU (optional, default 0) name one record.
	 * dump: every visible record, optionally filtered by PID or VM.
	 */
	KVM_LSTAR_CMD_GET,
	/* do: drop records, all or those of PID or VM.  CAP_NET_ADMIN. */
	KVM_LSTAR_CMD_CLEAR,
	/* notification on the "events" group: EVENT plus a record. */
	KVM_LSTAR_CMD_EVENT,

	__KVM_LSTAR_CMD_MAX,
	KVM_LSTAR_CMD_MAX = __KVM_LSTAR_CMD_MAX - 1
};

/* KVM_LSTAR_A_SOURCE: where the first value of the epoch was seen. */
enum kvm_lstar_source {
	KVM_LSTAR_SOURCE_INTERCEPT = 1,	/* at the intercepted WRMSR itself */
	KVM_LSTAR_SOURCE_SAMPLE = 2,	/* at the next VM exit (AMD SVM) */
};

/* KVM_LSTAR_A_EVENT: what a notification reports. */
enum kvm_lstar_event {
	KVM_LSTAR_EVENT_CAPTURE = 1,	/* first value of an epoch */
	KVM_LSTAR_EVENT_CHANGE = 2,	/* rewrite within an epoch */
	KVM_LSTAR_EVENT_RESET = 3,	/* LSTAR seen back at 0 */
	KVM_LSTAR_EVENT_GONE = 4,	/* VMM process exited */
	KVM_LSTAR_EVENT_UNAVAILABLE = 5, /* its LSTAR cannot be seen (0.2) */
};

/* KVM_LSTAR_A_UNAVAILABLE: why a vCPU's LSTAR cannot be seen (0.2). */
enum kvm_lstar_unavailable {
	KVM_LSTAR_UNAVAILABLE_NONE = 0,
	KVM_LSTAR_UNAVAILABLE_PROTECTED = 1, /* KVM keeps its state encrypted (SEV-ES, SNP, TDX) */
};

/* KVM_LSTAR_A_STATUS_SVM / _INTERCEPT: state of a capture path. */
enum kvm_lstar_path_state {
	KVM_LSTAR_PATH_OFF = 0,		/* not applicable on this host */
	KVM_LSTAR_PATH_ACTIVE = 1,
	KVM_LSTAR_PATH_DISABLED = 2,	/* applicable but turned off: see _REASON */
};

enum kvm_lstar_attr {
	KVM_LSTAR_A_UNSPEC,
	KVM_LSTAR_A_PAD,

	/* Record (GET reply, dump entry, event) and request filters. */
	KVM_LSTAR_A_VM,			/* u32: module-assigned VM number */
	KVM_LSTAR_A_PID,		/* u32: pid of the VMM process */
	KVM_LSTAR_A_VCPU,		/* u32: vCPU id chosen by userspace */
	KVM_LSTAR_A_LSTAR,		/* u64: first value of this epoch */
	KVM_LSTAR_A_CURRENT,		/* u64: latest value seen */
	KVM_LSTAR_A_EPOCH,		/* u32: 1 for the first boot */
	KVM_LSTAR_A_WRITES,		/* u32: distinct values this epoch */
	KVM_LSTAR_A_CHANGED,		/* u8: value changed after first write */
	KVM_LSTAR_A_SOURCE,		/* u8: enum kvm_lstar_source */
	KVM_LSTAR_A_CAPTURED_NS,	/* u64: CLOCK_BOOTTIME of the capture */
	KVM_LSTAR_A_GONE,		/* u8: VMM process has exited */
	KVM_LSTAR_A_EVENT,		/* u8: enum kvm_lstar_event */
	KVM_LSTAR_A_UID,		/* u32: uid of the VMM process */

	/* STATUS reply. */
	KVM_LSTAR_A_STATUS_VERSION,	/* string: module version */
	KVM_LSTAR_A_STATUS_INTERCEPT,	/* u8: enum kvm_lstar_path_state */
	KVM_LSTAR_A_STATUS_SVM,		/* u8: enum kvm_lstar_path_state */
	KVM_LSTAR_A_STATUS_REASON,	/* string: why a path is not active */
	KVM_LSTAR_A_STATUS_RECORDS,	/* u32: records held */
	KVM_LSTAR_A_STATUS_CAPACITY,	/* u32: max_records parameter */
	KVM_LSTAR_A_STATUS_VMS,		/* u32: VMs held */
	KVM_LSTAR_A_STATUS_EVICTIONS,	/* u64: records evicted when full */
	KVM_LSTAR_A_STATUS_ALLOC_FAILS,	/* u64: allocations that failed */
	KVM_LSTAR_A_STATUS_EVENTS_LOST,	/* u64: events merged or not sent */
	KVM_LSTAR_A_STATUS_REFUSED,	/* u64: vCPUs not recorded: table full of live VMs */

	/* Record, added in 0.2. */
	KVM_LSTAR_A_HYPERVISOR,		/* u8: the guest enabled SVM or VMX this epoch */
	KVM_LSTAR_A_UNAVAILABLE,	/* u8: enum kvm_lstar_unavailable */

	__KVM_LSTAR_A_MAX,
	KVM_LSTAR_A_MAX = __KVM_LSTAR_A_MAX - 1
};

#endif /* _UAPI_LINUX_KVM_LSTAR_H */
