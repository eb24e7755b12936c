/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kvm_lstar: what changed between the kernels we build for (6.1, 6.12,
 * 7.2), in one place, keyed on the change rather than scattered #ifs.
 */
#ifndef KVM_LSTAR_COMPAT_H
#define KVM_LSTAR_COMPAT_H

#include <linux/version.h>
#include <net/genetlink.h>

/* 6.2 embedded a struct genl_info in struct genl_dumpit_info. */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 2, 0)
#define kl_dumpit_attrs(cb)	(genl_dumpit_info(cb)->attrs)
#else
#define kl_dumpit_attrs(cb)	(genl_dumpit_info(cb)->info.attrs)
#endif

/*
 * Multicast groups restricted to CAP_NET_ADMIN listeners: mainline 6.8,
 * backported to the stable series we support (6.1.y has it).
 */
#ifndef GENL_MCAST_CAP_NET_ADMIN
#error "this kernel cannot restrict a genetlink multicast group to CAP_NET_ADMIN"
#endif

#endif /* KVM_LSTAR_COMPAT_H */
