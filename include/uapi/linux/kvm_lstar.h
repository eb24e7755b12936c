/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit directly, auto-generated from: */
/*	doc/kvm_lstar.yaml */
/* YNL-GEN uapi header */

#ifndef _UAPI_LINUX_KVM_LSTAR_H
#define _UAPI_LINUX_KVM_LSTAR_H

#define KVM_LSTAR_GENL_NAME	"kvm_lstar"
#define KVM_LSTAR_GENL_VERSION	1

#define KVM_LSTAR_MSR	3221225602

/**
 * enum kvm_lstar_source - Where the first value of an epoch was seen.
 * @KVM_LSTAR_SOURCE_INTERCEPT: At the intercepted WRMSR itself (Intel VMX,
 *   emulated writes).
 * @KVM_LSTAR_SOURCE_SAMPLE: At the next VM exit (AMD SVM, where LSTAR writes
 *   do not exit).
 */
enum kvm_lstar_source {
	KVM_LSTAR_SOURCE_INTERCEPT = 1,
	KVM_LSTAR_SOURCE_SAMPLE,
};

/**
 * enum kvm_lstar_event - What a notification reports.
 * @KVM_LSTAR_EVENT_CAPTURE: First value of an epoch.
 * @KVM_LSTAR_EVENT_CHANGE: A rewrite of LSTAR, or of a witness (cstar,
 *   sysenter-eip), within an epoch; the first values are kept.
 * @KVM_LSTAR_EVENT_RESET: LSTAR seen back at 0; the next value opens a new
 *   epoch.
 * @KVM_LSTAR_EVENT_GONE: The VM's VMM process exited.
 * @KVM_LSTAR_EVENT_UNAVAILABLE: The vCPU's LSTAR cannot be seen; the record's
 *   unavailable says why.
 */
enum kvm_lstar_event {
	KVM_LSTAR_EVENT_CAPTURE = 1,
	KVM_LSTAR_EVENT_CHANGE,
	KVM_LSTAR_EVENT_RESET,
	KVM_LSTAR_EVENT_GONE,
	KVM_LSTAR_EVENT_UNAVAILABLE,
};

/**
 * enum kvm_lstar_unavailable - Why a vCPU's LSTAR cannot be seen.
 * @KVM_LSTAR_UNAVAILABLE_NONE: It can.
 * @KVM_LSTAR_UNAVAILABLE_PROTECTED: KVM keeps the vCPU's state encrypted
 *   (SEV-ES, SEV-SNP, TDX): no save area or intercepted write shows its LSTAR.
 */
enum kvm_lstar_unavailable {
	KVM_LSTAR_UNAVAILABLE_NONE,
	KVM_LSTAR_UNAVAILABLE_PROTECTED,
};

/**
 * enum kvm_lstar_path_state - State of a capture path.
 * @KVM_LSTAR_PATH_OFF: Not applicable on this host.
 * @KVM_LSTAR_PATH_ACTIVE: Capturing.
 * @KVM_LSTAR_PATH_DISABLED: Applicable but turned off; status-reason says why.
 */
enum kvm_lstar_path_state {
	KVM_LSTAR_PATH_OFF,
	KVM_LSTAR_PATH_ACTIVE,
	KVM_LSTAR_PATH_DISABLED,
};

enum kvm_lstar_attr {
	KVM_LSTAR_A_UNSPEC,
	KVM_LSTAR_A_PAD,
	KVM_LSTAR_A_VM,
	KVM_LSTAR_A_PID,
	KVM_LSTAR_A_VCPU,
	KVM_LSTAR_A_LSTAR,
	KVM_LSTAR_A_CURRENT,
	KVM_LSTAR_A_EPOCH,
	KVM_LSTAR_A_WRITES,
	KVM_LSTAR_A_CHANGED,
	KVM_LSTAR_A_SOURCE,
	KVM_LSTAR_A_CAPTURED_NS,
	KVM_LSTAR_A_GONE,
	KVM_LSTAR_A_EVENT,
	KVM_LSTAR_A_UID,
	KVM_LSTAR_A_STATUS_VERSION,
	KVM_LSTAR_A_STATUS_INTERCEPT,
	KVM_LSTAR_A_STATUS_SVM,
	KVM_LSTAR_A_STATUS_REASON,
	KVM_LSTAR_A_STATUS_RECORDS,
	KVM_LSTAR_A_STATUS_CAPACITY,
	KVM_LSTAR_A_STATUS_VMS,
	KVM_LSTAR_A_STATUS_EVICTIONS,
	KVM_LSTAR_A_STATUS_ALLOC_FAILS,
	KVM_LSTAR_A_STATUS_EVENTS_LOST,
	KVM_LSTAR_A_STATUS_REFUSED,
	KVM_LSTAR_A_HYPERVISOR,
	KVM_LSTAR_A_UNAVAILABLE,
	KVM_LSTAR_A_CSTAR,
	KVM_LSTAR_A_SYSENTER_EIP,

	__KVM_LSTAR_A_MAX,
	KVM_LSTAR_A_MAX = (__KVM_LSTAR_A_MAX - 1)
};

enum kvm_lstar_cmd {
	KVM_LSTAR_CMD_UNSPEC,
	KVM_LSTAR_CMD_STATUS,
	KVM_LSTAR_CMD_GET,
	KVM_LSTAR_CMD_CLEAR,
	KVM_LSTAR_CMD_EVENT,

	__KVM_LSTAR_CMD_MAX,
	KVM_LSTAR_CMD_MAX = (__KVM_LSTAR_CMD_MAX - 1)
};

#define KVM_LSTAR_MCGRP_EVENTS	"events"

#endif /* _UAPI_LINUX_KVM_LSTAR_H */
