/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit directly, auto-generated from: */
/*	doc/kvm_lstar.yaml */
/* YNL-GEN kernel header */

#ifndef _LINUX_KVM_LSTAR_GEN_H
#define _LINUX_KVM_LSTAR_GEN_H

#include <net/netlink.h>
#include <net/genetlink.h>

#include <uapi/linux/kvm_lstar.h>

/* Global operation policy for kvm_lstar */
extern const struct nla_policy kvm_lstar_nl_policy[KVM_LSTAR_A_VCPU + 1];

/* Ops table for kvm_lstar */
extern const struct genl_small_ops kvm_lstar_nl_ops[3];

int kvm_lstar_nl_status_doit(struct sk_buff *skb, struct genl_info *info);
int kvm_lstar_nl_get_doit(struct sk_buff *skb, struct genl_info *info);
int kvm_lstar_nl_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
int kvm_lstar_nl_clear_doit(struct sk_buff *skb, struct genl_info *info);

enum {
	KVM_LSTAR_NLGRP_EVENTS,
};

#endif /* _LINUX_KVM_LSTAR_GEN_H */
