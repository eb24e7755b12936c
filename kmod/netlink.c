// SPDX-License-Identifier: GPL-2.0
/*
 * kvm_lstar: the "kvm_lstar" generic netlink family.
 *
 * The end of the one-way chain capture.c -> records.c -> netlink.c: it
 * reaches the records only through records.c's functions in kvm_lstar.h
 * (lookups and walks that give an opaque handle, snapshots, stats, clear,
 * the event ring), and nothing of capture.c.  main.c registers the family
 * and starts the event sender.
 *
 * Visibility: a caller sees records of VMs whose VMM process had the
 * caller's uid; CAP_NET_ADMIN sees all.  A record the caller may not see
 * answers exactly as a missing one does.  The "events" group carries every
 * VM's records, so only CAP_NET_ADMIN may listen; others poll with dumps.
 * Pids and uids are given as the caller's namespaces see them (0 for a pid
 * its pid namespace does not contain, the overflow uid for an unmapped
 * uid); events, for CAP_NET_ADMIN in the initial namespaces, use those.
 *
 * Requests read the records under RCU and never take kl_lock, so no
 * request, however large the table, delays a vCPU's exit.  A GET or a
 * dump for one VM walks that VM's records; an unprivileged dump walks the
 * caller's own; only CAP_NET_ADMIN's unfiltered dumps see the whole table.
 *
 * doc/kvm_lstar.yaml is the family's one description: the uAPI header and
 * the request attributes' policy (netlink-gen.c) are generated from it
 * (make regen).  What the 6.12 generator cannot say is here, by hand: the
 * op table (it has no .start, and a genetlink-legacy family's ops all take
 * the one policy), STATUS's rejecting policy, the events group's
 * CAP_NET_ADMIN flag, and the family itself.  netlink-gen.c also defines a
 * genl_small_ops table and a group array of its own, without those; they
 * are not registered, but the table is why the handlers are global, with
 * the names netlink-gen.h declares.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cred.h>
#include <linux/pid_namespace.h>
#include <linux/workqueue.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include "kvm_lstar.h"
#include "compat.h"
#include "netlink-gen.h"

static struct genl_family kl_family;

/* The generator's array has no flags: only CAP_NET_ADMIN may listen. */
static const struct genl_multicast_group kl_mcgrps[] = {
	[KVM_LSTAR_NLGRP_EVENTS] = {
		.name = KVM_LSTAR_MCGRP_EVENTS,
		.flags = GENL_MCAST_CAP_NET_ADMIN,
	},
};

/*
 * STATUS takes no attribute.  An op without a policy would be parsed
 * against the family's maxattr and no policy at all, which 7.2 treats as
 * a kernel bug (BUG in lib/nlattr.c); reject each attribute instead.  The
 * generator has no NLA_REJECT with a message: the spec gives STATUS no
 * request, and the policy is written here.
 */
static const struct nla_policy kl_status_policy[KVM_LSTAR_A_MAX + 1] = {
	[0 ... KVM_LSTAR_A_MAX] = {
		.type = NLA_REJECT,
		.reject_message = "STATUS takes no attributes",
	},
};

/* Dump state, kept in cb->ctx between the parts of a dump. */
struct kl_dump_ctx {
	struct kl_filter f;
	u64 cursor;		/* seq of the last record sent */
};

static void kl_filter_init(struct kl_filter *f, struct sk_buff *skb,
			   struct nlattr **attrs)
{
	f->vm = attrs && attrs[KVM_LSTAR_A_VM] ? nla_get_u32(attrs[KVM_LSTAR_A_VM]) : 0;
	f->pid = attrs && attrs[KVM_LSTAR_A_PID] ? nla_get_u32(attrs[KVM_LSTAR_A_PID]) : 0;
	f->uid = current_uid();
	f->admin = netlink_capable(skb, CAP_NET_ADMIN);
	f->pid_ns = task_active_pid_ns(current);
}

/* A record as the caller sees it. */
static void kl_snapshot_for(const struct kl_vcpu *r, const struct kl_filter *f,
			    struct kl_snap *s)
{
	kl_snapshot(r, s, f->pid_ns, current_user_ns());
}

static int kl_put_record(struct sk_buff *skb, const struct kl_snap *s)
{
	if (nla_put_u32(skb, KVM_LSTAR_A_VM, s->vm) ||
	    nla_put_u32(skb, KVM_LSTAR_A_PID, s->pid) ||
	    nla_put_u32(skb, KVM_LSTAR_A_VCPU, s->vcpu) ||
	    nla_put_u32(skb, KVM_LSTAR_A_UID, s->uid) ||
	    nla_put_u64_64bit(skb, KVM_LSTAR_A_LSTAR, s->first, KVM_LSTAR_A_PAD) ||
	    nla_put_u64_64bit(skb, KVM_LSTAR_A_CURRENT, s->current_val, KVM_LSTAR_A_PAD) ||
	    nla_put_u32(skb, KVM_LSTAR_A_EPOCH, s->epoch) ||
	    nla_put_u32(skb, KVM_LSTAR_A_WRITES, s->writes) ||
	    nla_put_u8(skb, KVM_LSTAR_A_CHANGED, s->changed) ||
	    nla_put_u8(skb, KVM_LSTAR_A_SOURCE, s->source) ||
	    nla_put_u64_64bit(skb, KVM_LSTAR_A_CAPTURED_NS, s->captured_ns, KVM_LSTAR_A_PAD) ||
	    nla_put_u8(skb, KVM_LSTAR_A_GONE, s->gone) ||
	    nla_put_u8(skb, KVM_LSTAR_A_HYPERVISOR, s->hypervisor) ||
	    nla_put_u8(skb, KVM_LSTAR_A_UNAVAILABLE, s->unavailable) ||
	    nla_put_u64_64bit(skb, KVM_LSTAR_A_CSTAR, s->cstar, KVM_LSTAR_A_PAD) ||
	    nla_put_u64_64bit(skb, KVM_LSTAR_A_SYSENTER_EIP, s->sysenter_eip, KVM_LSTAR_A_PAD))
		return -EMSGSIZE;
	return 0;
}

int kvm_lstar_nl_status_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct kl_paths paths;
	struct kl_filter f;
	struct kl_stats st;
	struct sk_buff *msg;
	void *hdr;

	kl_filter_init(&f, skb, NULL);
	kl_get_stats(&st, f.uid, f.admin);
	kl_get_paths(&paths);
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &kl_family, 0, KVM_LSTAR_CMD_STATUS);
	if (!hdr)
		goto too_big;
	if (nla_put_string(msg, KVM_LSTAR_A_STATUS_VERSION, KVM_LSTAR_VERSION) ||
	    nla_put_u8(msg, KVM_LSTAR_A_STATUS_INTERCEPT, paths.intercept) ||
	    nla_put_u8(msg, KVM_LSTAR_A_STATUS_SVM, paths.svm) ||
	    (paths.reason[0] && nla_put_string(msg, KVM_LSTAR_A_STATUS_REASON, paths.reason)) ||
	    nla_put_u32(msg, KVM_LSTAR_A_STATUS_RECORDS, st.records) ||
	    nla_put_u32(msg, KVM_LSTAR_A_STATUS_CAPACITY, st.capacity) ||
	    nla_put_u32(msg, KVM_LSTAR_A_STATUS_VMS, st.vms) ||
	    nla_put_u64_64bit(msg, KVM_LSTAR_A_STATUS_EVICTIONS, st.evictions, KVM_LSTAR_A_PAD) ||
	    nla_put_u64_64bit(msg, KVM_LSTAR_A_STATUS_ALLOC_FAILS, st.alloc_fails, KVM_LSTAR_A_PAD) ||
	    nla_put_u64_64bit(msg, KVM_LSTAR_A_STATUS_REFUSED, st.refused, KVM_LSTAR_A_PAD) ||
	    nla_put_u64_64bit(msg, KVM_LSTAR_A_STATUS_EVENTS_LOST, st.events_lost, KVM_LSTAR_A_PAD))
		goto too_big;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

too_big:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

int kvm_lstar_nl_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	const struct kl_vcpu *r;
	struct kl_filter f;
	struct kl_snap s;
	struct sk_buff *msg;
	u32 vcpu = 0;
	void *hdr;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, KVM_LSTAR_A_VM)) {
		NL_SET_ERR_MSG_MOD(info->extack, "missing VM attribute: a get names one VM (dump to list)");
		return -EINVAL;
	}
	if (info->attrs[KVM_LSTAR_A_PID]) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[KVM_LSTAR_A_PID],
				    "PID filters dumps only; a get names one VM");
		return -EINVAL;
	}
	if (info->attrs[KVM_LSTAR_A_VCPU])
		vcpu = nla_get_u32(info->attrs[KVM_LSTAR_A_VCPU]);
	kl_filter_init(&f, skb, info->attrs);

	rcu_read_lock();
	r = kl_record_lookup(&f, vcpu);
	if (r)
		kl_snapshot_for(r, &f, &s);
	rcu_read_unlock();
	if (!r) {
		NL_SET_ERR_MSG_MOD(info->extack, "no record for this VM and vCPU");
		return -ENOENT;
	}

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &kl_family, 0, KVM_LSTAR_CMD_GET);
	err = hdr ? kl_put_record(msg, &s) : -EMSGSIZE;
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static int kl_get_start(struct netlink_callback *cb)
{
	struct kl_dump_ctx *ctx = (struct kl_dump_ctx *)cb->ctx;
	struct nlattr **attrs = kl_dumpit_attrs(cb);

	BUILD_BUG_ON(sizeof(*ctx) > sizeof(cb->ctx));
	if (attrs && attrs[KVM_LSTAR_A_VCPU]) {
		NL_SET_ERR_MSG_ATTR(cb->extack, attrs[KVM_LSTAR_A_VCPU],
				    "VCPU names one record: send a get, not a dump");
		return -EINVAL;
	}
	kl_filter_init(&ctx->f, cb->skb, attrs);
	ctx->cursor = 0;
	return 0;
}

/* One record into a dump part; false when the part is full. */
static bool kl_dump_one(struct sk_buff *skb, struct netlink_callback *cb,
			struct kl_dump_ctx *ctx, const struct kl_vcpu *r)
{
	struct kl_snap s;
	void *hdr;

	kl_snapshot_for(r, &ctx->f, &s);
	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &kl_family, NLM_F_MULTI, KVM_LSTAR_CMD_GET);
	if (!hdr)
		return false;
	genl_dump_check_consistent(cb, hdr);
	if (kl_put_record(skb, &s)) {
		genlmsg_cancel(skb, hdr);
		return false;
	}
	genlmsg_end(skb, hdr);
	ctx->cursor = s.seq;
	return true;
}

/*
 * Records go out oldest first; the cursor is the creation number of the
 * last one sent, so a part resumes correctly whatever was added or removed
 * since.  Any change between parts flags the dump NLM_F_DUMP_INTR.  What a
 * part walks: one VM's records (VM filter), the caller's own (no
 * CAP_NET_ADMIN), or the table by creation number from the cursor on.
 */
int kvm_lstar_nl_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct kl_dump_ctx *ctx = (struct kl_dump_ctx *)cb->ctx;
	const struct kl_vcpu *r;
	int n = 0;

	ctx->f.pid_ns = task_active_pid_ns(current);
	rcu_read_lock();
	cb->seq = kl_dump_seq();
	kl_for_each_record(r, &ctx->f, ctx->cursor) {
		if (!kl_dump_one(skb, cb, ctx, r))
			break;
		n++;
	}
	rcu_read_unlock();
	return n ? skb->len : 0;
}

int kvm_lstar_nl_clear_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct kl_filter f;

	/*
	 * The check GENL_ADMIN_PERM would make, here so that the refusal
	 * names what is missing.
	 */
	if (!netlink_capable(skb, CAP_NET_ADMIN)) {
		NL_SET_ERR_MSG_MOD(info->extack, "clearing records needs CAP_NET_ADMIN");
		return -EPERM;
	}
	if (info->attrs[KVM_LSTAR_A_VM] && info->attrs[KVM_LSTAR_A_PID]) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[KVM_LSTAR_A_PID],
				    "give VM or PID, not both");
		return -EINVAL;
	}
	kl_filter_init(&f, skb, info->attrs);
	kl_clear(&f);
	return 0;
}

/*
 * GET and CLEAR share the generated policy, each up to the last attribute
 * of its requests in the spec: GET vm, pid (dump) and vcpu (do), CLEAR vm
 * and pid.  Strict parsing refuses an attribute past maxattr, and one the
 * policy has no type for.
 */
static_assert(ARRAY_SIZE(kvm_lstar_nl_policy) == KVM_LSTAR_A_VCPU + 1,
	      "the spec's requests changed: review each op's maxattr");

static const struct genl_ops kl_ops[] = {
	{
		.cmd = KVM_LSTAR_CMD_STATUS,
		.doit = kvm_lstar_nl_status_doit,
		.policy = kl_status_policy,
		.maxattr = ARRAY_SIZE(kl_status_policy) - 1,
	},
	{
		.cmd = KVM_LSTAR_CMD_GET,
		.doit = kvm_lstar_nl_get_doit,
		.start = kl_get_start,
		.dumpit = kvm_lstar_nl_get_dumpit,
		.policy = kvm_lstar_nl_policy,
		.maxattr = KVM_LSTAR_A_VCPU,
	},
	{
		.cmd = KVM_LSTAR_CMD_CLEAR,
		.doit = kvm_lstar_nl_clear_doit,
		.policy = kvm_lstar_nl_policy,
		.maxattr = KVM_LSTAR_A_PID,
		/* CAP_NET_ADMIN: checked in kvm_lstar_nl_clear_doit(), with a message */
	},
};

static struct genl_family kl_family __ro_after_init = {
	.name = KVM_LSTAR_GENL_NAME,
	.version = KVM_LSTAR_GENL_VERSION,
	.maxattr = KVM_LSTAR_A_MAX,
	.module = THIS_MODULE,
	.ops = kl_ops,
	.n_ops = ARRAY_SIZE(kl_ops),
	/* Every op validates strictly and rejects attributes it lacks policy for. */
	.resv_start_op = KVM_LSTAR_CMD_STATUS,
	.mcgrps = kl_mcgrps,
	.n_mcgrps = ARRAY_SIZE(kl_mcgrps),
};

/*
 * Events: records.c leaves each, a complete snapshot, in its ring and
 * queues this work item, which sends them in process context.
 */
static void kl_send_event(const struct kl_event *e)
{
	struct sk_buff *msg;
	void *hdr;

	if (!genl_has_listeners(&kl_family, &init_net, KVM_LSTAR_NLGRP_EVENTS))
		return;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg) {
		kl_count_events_lost();
		return;
	}
	hdr = genlmsg_put(msg, 0, 0, &kl_family, 0, KVM_LSTAR_CMD_EVENT);
	if (!hdr || nla_put_u8(msg, KVM_LSTAR_A_EVENT, e->type) ||
	    kl_put_record(msg, &e->s)) {
		nlmsg_free(msg);
		kl_count_events_lost();
		return;
	}
	genlmsg_end(msg, hdr);
	genlmsg_multicast(&kl_family, msg, 0, KVM_LSTAR_NLGRP_EVENTS, GFP_KERNEL);
}

static void kl_event_work_fn(struct work_struct *work)
{
	struct kl_event e;

	while (kl_event_pop(&e))
		kl_send_event(&e);
}

static DECLARE_WORK(kl_event_work, kl_event_work_fn);

int kl_netlink_init(void)
{
	return genl_register_family(&kl_family);
}

/* Send the events records.c queues from now on. */
void kl_netlink_start(void)
{
	kl_events_start(&kl_event_work);
}

/* After the probes and records.c's work are gone: nothing queues events. */
void kl_netlink_stop(void)
{
	kl_events_stop();
	cancel_work_sync(&kl_event_work);
}

void kl_netlink_exit(void)
{
	genl_unregister_family(&kl_family);
}
