// SPDX-License-Identifier: GPL-2.0
/*
 * kvm_lstar: the "kvm_lstar" generic netlink family.
 *
 * Visibility: a caller sees records of VMs whose creator had the caller's
 * uid; CAP_NET_ADMIN sees all.  A record the caller may not see answers
 * exactly as a missing one does.  The "events" group carries every VM's
 * records, so only CAP_NET_ADMIN may listen; others poll with dumps.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cred.h>
#include <linux/workqueue.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include "kvm_lstar.h"
#include "compat.h"

#define KL_EVENT_RING	512

static struct genl_family kl_family;

enum kl_mcgrp { KL_MCGRP_EVENTS };

static const struct genl_multicast_group kl_mcgrps[] = {
	[KL_MCGRP_EVENTS] = {
		.name = KVM_LSTAR_MCGRP_EVENTS,
		.flags = GENL_MCAST_CAP_NET_ADMIN,
	},
};

/*
 * STATUS takes no attribute.  An op without a policy would be parsed
 * against the family's maxattr and no policy at all, which 7.2 treats as
 * a kernel bug (BUG in lib/nlattr.c); reject each attribute instead.
 */
static const struct nla_policy kl_status_policy[KVM_LSTAR_A_MAX + 1] = {
	[0 ... KVM_LSTAR_A_MAX] = {
		.type = NLA_REJECT,
		.reject_message = "STATUS takes no attributes",
	},
};

/* GET (do and dump): which record(s). */
static const struct nla_policy kl_get_policy[KVM_LSTAR_A_VCPU + 1] = {
	[KVM_LSTAR_A_VM] = NLA_POLICY_MIN(NLA_U32, 1),
	[KVM_LSTAR_A_PID] = NLA_POLICY_MIN(NLA_U32, 1),
	[KVM_LSTAR_A_VCPU] = { .type = NLA_U32 },
};

/* CLEAR: all, or one VM, or one VMM process. */
static const struct nla_policy kl_clear_policy[KVM_LSTAR_A_PID + 1] = {
	[KVM_LSTAR_A_VM] = NLA_POLICY_MIN(NLA_U32, 1),
	[KVM_LSTAR_A_PID] = NLA_POLICY_MIN(NLA_U32, 1),
};

struct kl_filter {
	u32 vm, pid;		/* 0: any */
	kuid_t uid;
	bool admin;
};

/* Dump state, kept in cb->ctx between the parts of a dump. */
struct kl_dump_ctx {
	struct kl_filter f;
	u64 cursor;		/* seq of the last record sent */
	struct kl_vcpu *last;	/* that record: listed while kl_unlinks == unlinks */
	unsigned long unlinks;
};

static void kl_filter_init(struct kl_filter *f, struct sk_buff *skb,
			   struct nlattr **attrs)
{
	f->vm = attrs && attrs[KVM_LSTAR_A_VM] ? nla_get_u32(attrs[KVM_LSTAR_A_VM]) : 0;
	f->pid = attrs && attrs[KVM_LSTAR_A_PID] ? nla_get_u32(attrs[KVM_LSTAR_A_PID]) : 0;
	f->uid = current_uid();
	f->admin = netlink_capable(skb, CAP_NET_ADMIN);
}

static bool kl_filter_match(const struct kl_vcpu *r, const void *arg)
{
	const struct kl_filter *f = arg;

	return kl_visible(r, f->uid, f->admin) &&
	       (!f->vm || r->vm->id == f->vm) &&
	       (!f->pid || r->vm->tgid == f->pid);
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
	    nla_put_u8(skb, KVM_LSTAR_A_GONE, s->gone))
		return -EMSGSIZE;
	return 0;
}

static int kl_status_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct kl_filter f;
	struct kl_stats st;
	struct sk_buff *msg;
	void *hdr;

	kl_filter_init(&f, skb, NULL);
	kl_get_stats(&st, f.uid, f.admin);
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &kl_family, 0, KVM_LSTAR_CMD_STATUS);
	if (!hdr)
		goto too_big;
	if (nla_put_string(msg, KVM_LSTAR_A_STATUS_VERSION, KVM_LSTAR_VERSION) ||
	    nla_put_u8(msg, KVM_LSTAR_A_STATUS_INTERCEPT, kl_intercept_state()) ||
	    nla_put_u8(msg, KVM_LSTAR_A_STATUS_SVM, kl_svm_state()) ||
	    (kl_path_reason()[0] &&
	     nla_put_string(msg, KVM_LSTAR_A_STATUS_REASON, kl_path_reason())) ||
	    nla_put_u32(msg, KVM_LSTAR_A_STATUS_RECORDS, st.records) ||
	    nla_put_u32(msg, KVM_LSTAR_A_STATUS_CAPACITY, READ_ONCE(kl_max_records)) ||
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

static int kl_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct kl_vcpu *r, *found = NULL;
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

	spin_lock(&kl_lock);
	list_for_each_entry(r, &kl_records, list) {
		if (r->vcpu_id == vcpu && kl_filter_match(r, &f)) {
			kl_snapshot(r, &s);
			found = r;
			break;
		}
	}
	spin_unlock(&kl_lock);
	if (!found) {
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

	BUILD_BUG_ON(sizeof(*ctx) > sizeof(cb->ctx));
	kl_filter_init(&ctx->f, cb->skb, kl_dumpit_attrs(cb));
	ctx->cursor = 0;
	ctx->last = NULL;
	return 0;
}

/*
 * Where a part resumes (kl_lock held): kl_records is in creation order, so
 * right after the last record sent, if no record has left the list since
 * (it is then still listed); else at the first record created after it,
 * found by walking from the start.  So a part costs what it sends, not
 * what came before it, unless records were dropped in between.
 */
static struct kl_vcpu *kl_dump_resume(const struct kl_dump_ctx *ctx)
{
	struct kl_vcpu *r;

	if (ctx->last && ctx->unlinks == kl_unlinks)
		return list_next_entry(ctx->last, list);
	list_for_each_entry(r, &kl_records, list)
		if (r->seq > ctx->cursor)
			break;
	return r;	/* the list head's entry when nothing follows */
}

/*
 * Records go out oldest first; the cursor is the creation number of the
 * last one sent, so a part resumes correctly whatever was added or removed
 * since.  Any change between parts flags the dump NLM_F_DUMP_INTR.
 */
static int kl_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct kl_dump_ctx *ctx = (struct kl_dump_ctx *)cb->ctx;
	struct kl_vcpu *r;
	struct kl_snap s;
	void *hdr;
	int n = 0;

	spin_lock(&kl_lock);
	cb->seq = atomic_long_read(&kl_dump_gen);
	r = kl_dump_resume(ctx);
	list_for_each_entry_from(r, &kl_records, list) {
		if (!kl_filter_match(r, &ctx->f))
			continue;
		kl_snapshot(r, &s);
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
				  &kl_family, NLM_F_MULTI, KVM_LSTAR_CMD_GET);
		if (!hdr)
			break;
		genl_dump_check_consistent(cb, hdr);
		if (kl_put_record(skb, &s)) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
		ctx->cursor = r->seq;
		ctx->last = r;
		n++;
	}
	ctx->unlinks = kl_unlinks;
	spin_unlock(&kl_lock);
	return n ? skb->len : 0;
}

static int kl_clear_doit(struct sk_buff *skb, struct genl_info *info)
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
	kl_clear(kl_filter_match, &f);
	return 0;
}

static const struct genl_ops kl_ops[] = {
	{
		.cmd = KVM_LSTAR_CMD_STATUS,
		.doit = kl_status_doit,
		.policy = kl_status_policy,
		.maxattr = ARRAY_SIZE(kl_status_policy) - 1,
	},
	{
		.cmd = KVM_LSTAR_CMD_GET,
		.doit = kl_get_doit,
		.start = kl_get_start,
		.dumpit = kl_get_dumpit,
		.policy = kl_get_policy,
		.maxattr = ARRAY_SIZE(kl_get_policy) - 1,
	},
	{
		.cmd = KVM_LSTAR_CMD_CLEAR,
		.doit = kl_clear_doit,
		.policy = kl_clear_policy,
		.maxattr = ARRAY_SIZE(kl_clear_policy) - 1,
		/* CAP_NET_ADMIN: checked in kl_clear_doit(), with a message */
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
 * Events: probes run in atomic context, some with interrupts off, so they
 * only copy the record into a ring; a work item sends.  A full ring drops
 * the event and counts it (status events_lost).
 */
struct kl_event {
	struct kl_snap s;
	u8 type;
};

static struct kl_event kl_ring[KL_EVENT_RING];
static unsigned int kl_ring_head, kl_ring_len;
static DEFINE_SPINLOCK(kl_ring_lock);

static void kl_event_work_fn(struct work_struct *work);
static DECLARE_WORK(kl_event_work, kl_event_work_fn);

void kl_notify(const struct kl_vcpu *r, u8 event)
{
	struct kl_event *e;
	unsigned long flags;
	struct kl_snap s;

	kl_snapshot(r, &s);
	spin_lock_irqsave(&kl_ring_lock, flags);
	if (kl_ring_len == KL_EVENT_RING) {
		spin_unlock_irqrestore(&kl_ring_lock, flags);
		kl_count_events_lost();
		return;
	}
	e = &kl_ring[(kl_ring_head + kl_ring_len++) % KL_EVENT_RING];
	e->s = s;
	e->type = event;
	spin_unlock_irqrestore(&kl_ring_lock, flags);
	queue_work(kl_wq, &kl_event_work);
}

static void kl_send_event(const struct kl_event *e)
{
	struct sk_buff *msg;
	void *hdr;

	if (!genl_has_listeners(&kl_family, &init_net, KL_MCGRP_EVENTS))
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
	genlmsg_multicast(&kl_family, msg, 0, KL_MCGRP_EVENTS, GFP_KERNEL);
}

static void kl_event_work_fn(struct work_struct *work)
{
	struct kl_event e;

	for (;;) {
		spin_lock_irq(&kl_ring_lock);
		if (!kl_ring_len) {
			spin_unlock_irq(&kl_ring_lock);
			return;
		}
		e = kl_ring[kl_ring_head];
		kl_ring_head = (kl_ring_head + 1) % KL_EVENT_RING;
		kl_ring_len--;
		spin_unlock_irq(&kl_ring_lock);
		kl_send_event(&e);
	}
}

int kl_netlink_init(void)
{
	return genl_register_family(&kl_family);
}

/* After the probes are gone: nothing queues events any more. */
void kl_netlink_exit(void)
{
	kl_records_stop();
	cancel_work_sync(&kl_event_work);
	genl_unregister_family(&kl_family);
}
