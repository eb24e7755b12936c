// SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause)
/* Do not edit directly, auto-generated from: */
/*	doc/kvm_lstar.yaml */
/* YNL-GEN kernel source */

#include <net/netlink.h>
#include <net/genetlink.h>

#include "netlink-gen.h"

#include <uapi/linux/kvm_lstar.h>

/* Global operation policy for kvm_lstar */
const struct nla_policy kvm_lstar_nl_policy[KVM_LSTAR_A_VCPU + 1] = {
	[KVM_LSTAR_A_VM] = NLA_POLICY_MIN(NLA_U32, 1),
	[KVM_LSTAR_A_PID] = NLA_POLICY_MIN(NLA_U32, 1),
	[KVM_LSTAR_A_VCPU] = { .type = NLA_U32, },
};

/* Ops table for kvm_lstar */
const struct genl_small_ops kvm_lstar_nl_ops[3] = {
	{
		.cmd	= KVM_LSTAR_CMD_STATUS,
		.doit	= kvm_lstar_nl_status_doit,
	},
	{
		.cmd	= KVM_LSTAR_CMD_GET,
		.doit	= kvm_lstar_nl_get_doit,
		.dumpit	= kvm_lstar_nl_get_dumpit,
	},
	{
		.cmd	= KVM_LSTAR_CMD_CLEAR,
		.doit	= kvm_lstar_nl_clear_doit,
	},
};

static const struct genl_multicast_group kvm_lstar_nl_mcgrps[] = {
	[KVM_LSTAR_NLGRP_EVENTS] = { "events", },
};
