/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kvm_lstar: what changed between the kernels we build for (6.1, 6.12,
 * 7.2), in one place, keyed on the change rather than scattered #ifs.
 */
#ifndef KVM_LSTAR_COMPAT_H
#define KVM_LSTAR_COMPAT_H

#include <linux/tracepoint.h>
#include <net/genetlink.h>

/*
 * KVM exports these tracepoints (EXPORT_TRACEPOINT_SYMBOL_GPL in
 * arch/x86/kvm/x86.c) but their header, arch/x86/kvm/trace.h, is not
 * shipped with kernel headers.  The probes' prototypes in capture.c must
 * match TP_PROTO exactly; they are the same from 6.1 to 7.2.
 */
extern struct tracepoint __tracepoint_kvm_exit;
extern struct tracepoint __tracepoint_kvm_msr;

/*
 * 6.2 embedded a struct genl_info in struct genl_dumpit_info.  kmod/Kbuild
 * looks for it in the target kernel's <net/genetlink.h> and defines
 * KL_DUMPIT_HAS_GENL_INFO.
 */
#ifdef KL_DUMPIT_HAS_GENL_INFO
#define kl_dumpit_attrs(cb)	(genl_dumpit_info(cb)->info.attrs)
#else
#define kl_dumpit_attrs(cb)	(genl_dumpit_info(cb)->attrs)
#endif

/*
 * Multicast groups restricted to CAP_NET_ADMIN listeners: mainline 6.8,
 * backported to the stable series we support (6.1.y has it).
 */
#ifndef GENL_MCAST_CAP_NET_ADMIN
#error "this kernel cannot restrict a genetlink multicast group to CAP_NET_ADMIN"
#endif

/*
 * PREEMPT_RT turns spinlocks into sleeping locks, and kvm_exit runs with
 * interrupts off: the probes' locks and GFP_ATOMIC allocations are not
 * allowed there.  dkms.conf skips such kernels (BUILD_EXCLUSIVE_CONFIG);
 * a build by hand stops here.
 */
#ifdef CONFIG_PREEMPT_RT
#error "kvm_lstar does not support PREEMPT_RT kernels (its probes take spinlocks with interrupts off): use a non-RT kernel"
#endif

#endif /* KVM_LSTAR_COMPAT_H */
