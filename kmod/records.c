// SPDX-License-Identifier: GPL-2.0
/*
 * kvm_lstar: the record table and the one piece of logic both capture
 * paths feed (first value, epochs, rewrites, counters), and the ring the
 * events wait in.
 *
 * The middle of the one-way chain capture.c -> records.c -> netlink.c,
 * calling neither neighbour: capture.c's probes call in with what they
 * saw of a vCPU (records.h), netlink.c calls in for lookups, snapshots and
 * events (kvm_lstar.h), main.c starts and stops it.
 *
 * Records: one struct kl_vcpu per (VM, vCPU), one struct kl_vm per VM, one
 * struct kl_owner per uid that has records.  kl_lock guards every list and
 * table change, and each change under it is O(1) or bounded by one VM's
 * vCPUs.  Readers never take kl_lock: the capture probes find their record
 * through a per-CPU cache or an RCU hash lookup, netlink walks RCU lists
 * (one VM's records, one uid's records, or the table by creation number).
 * Records, VMs and owners are freed by RCU.
 *
 * Locking: kl_lock serialises every change; the probes take it only on a
 * vCPU's first sight, when a vCPU moves to another thread, and when a
 * vCPU's address comes back for a new vCPU, so each step under it is O(1)
 * or bounded by one VM's vCPUs.  Nothing a netlink request does takes it
 * except CLEAR (CAP_NET_ADMIN, in bounded batches): readers walk RCU lists.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cred.h>
#include <linux/err.h>
#include <linux/hash.h>
#include <linux/jiffies.h>
#include <linux/kvm_host.h>
#include <linux/moduleparam.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/rculist.h>
#include <linux/rculist_nulls.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include "records.h"

#define KL_HASH_BITS	14
#define KL_OWNER_BITS	6
#define KL_REFUSAL_BITS	8
#define KL_REFUSAL_WAYS	4
#define KL_SCAN_PERIOD	(HZ / 2)
/* Evictions one vCPU's first exit may do; the rest wait for a trim. */
#define KL_EVICT_PER_CREATE 8
/* Records one locked step of a CLEAR or a trim handles. */
#define KL_BATCH	256
/*
 * Events one record may send per second.  Beyond that its events merge
 * into one held event, sent with the record's latest state when the
 * held-event work runs (KL_HELD_DELAY later at most).
 */
#define KL_EVENTS_PER_SEC 16
#define KL_HELD_DELAY	HZ
#define KL_EVENT_RING	512
/*
 * Sampled exits after a new LSTAR value in which the sampler still reads
 * the witnesses, while some are unset.  syscall_init() writes them a few
 * instructions after LSTAR; the window bounds the reads for a guest that
 * leaves one at 0 (no IA32 emulation, or a newer kernel's CSTAR on an
 * Intel-vendor CPU).
 */
#define KL_WITNESS_EXITS 64
/*
 * A value the sampler never reads from LSTAR: WRMSR and KVM_SET_MSRS both
 * refuse non-canonical addresses.  r->skip holds it while the witness
 * window is open, so that the probe's one compare sends those exits here.
 */
#define KL_SKIP_NONE	0x8000000000000000ull

/* The records of one uid: what an unprivileged caller may see and use. */
struct kl_owner {
	struct hlist_node node;		/* in the owner hash */
	struct list_head records;	/* its records, oldest first (RCU) */
	struct list_head gone_vms;	/* its gone VMs, oldest gone first */
	kuid_t uid;
	unsigned int nr_records;	/* kl_lock; READ_ONCE() elsewhere */
	unsigned int nr_vms;
	struct rcu_head rcu;
};

struct kl_vm {
	struct hlist_node node;		/* in the kvm hash while live */
	struct list_head live;		/* on kl_live_vms while live (RCU) */
	struct list_head state;		/* on kl_gone_vms while gone */
	struct list_head owner_gone;	/* on owner->gone_vms while gone */
	struct list_head records;	/* its records, oldest first (RCU) */
	const void *kvm;		/* key only */
	struct kl_owner *owner;
	struct pid *pid;		/* the VMM process: tells when it is gone */
	u32 id;				/* never reused while loaded */
	pid_t tgid;			/* the VMM's pid, initial namespace */
	pid_t creator;			/* kvm->userspace_pid: creating thread */
	kuid_t uid;
	bool gone;
	unsigned int nr_records;
	struct rcu_head rcu;
};

static DEFINE_SPINLOCK(kl_lock);
static LIST_HEAD(kl_live_vms);		/* RCU: what the gone scan walks */
static LIST_HEAD(kl_gone_vms);		/* oldest gone first: eviction order */
static struct hlist_head *kl_vcpu_hash;	/* key: struct kvm_vcpu *, live VMs' records */
static struct hlist_head *kl_vm_hash;	/* key: struct kvm *, live VMs (kl_lock) */
static struct hlist_head kl_owner_hash[1 << KL_OWNER_BITS];	/* key: uid */
/*
 * Key: the task a record last exited on.  A record moves to another bucket
 * when its vCPU moves to another task; a lookup walking it at that moment
 * would go on in the wrong bucket, so each chain ends in its own bucket
 * number and a lookup that ends elsewhere walks again.
 */
static struct hlist_nulls_head *kl_task_hash;
static DEFINE_XARRAY(kl_by_seq);	/* creation number -> record */
static DEFINE_XARRAY(kl_by_id);		/* VM number -> VM */

static atomic_long_t kl_dump_gen;	/* bumped on every change dumps care about */
static u64 kl_seq;
static u32 kl_vm_ids;
static unsigned int kl_nr_records, kl_nr_vms;
static atomic64_t kl_evictions, kl_alloc_fails, kl_refused, kl_events_lost;
static bool kl_ready;			/* tables exist (kernel_param_lock) */

unsigned long kl_gen __read_mostly;	/* records.h */
DEFINE_PER_CPU(struct kl_cache, kl_cache);

/*
 * The vCPUs refused last, so that "refused" counts vCPUs, not their exits,
 * and a vCPU refused on one CPU is not tried again on another until kl_gen
 * moves.  A set of ways per hash of the vCPU: with one slot, two refused
 * vCPUs of one hash took it from each other at every exit, and each exit
 * counted (seen: 269 for 3 vCPUs).  Past KL_REFUSAL_WAYS refused vCPUs
 * of one hash, the last way is shared and its vCPUs count again.
 */
static struct kl_refusal kl_refusals[1 << KL_REFUSAL_BITS][KL_REFUSAL_WAYS];

/* Is @f the refusal of @vcpu, seen again at a later exit? */
static bool kl_refusal_of(struct kl_refusal *f, struct kvm_vcpu *vcpu)
{
	u64 exits = vcpu->stat.exits;

	if (READ_ONCE(f->vcpu) != vcpu || READ_ONCE(f->kvm) != vcpu->kvm ||
	    exits <= READ_ONCE(f->exits))
		return false;
	WRITE_ONCE(f->exits, exits);
	return true;
}

static void kl_refusal_set(struct kl_refusal *f, struct kvm_vcpu *vcpu,
			   unsigned long gen)
{
	WRITE_ONCE(f->vcpu, vcpu);
	WRITE_ONCE(f->kvm, vcpu->kvm);
	WRITE_ONCE(f->exits, vcpu->stat.exits);
	WRITE_ONCE(f->gen, gen);
}

#ifdef KL_SELFTEST
static void kl_selftest_retried(void);
#else
static inline void kl_selftest_retried(void) { }
#endif

static void kl_scan_gone(struct work_struct *work);
static DECLARE_DELAYED_WORK(kl_scan_work, kl_scan_gone);

/*
 * Records holding an event, oldest first.  kl_held_lock is taken with
 * interrupts off (the kvm_exit probe runs so from 6.12 on, when KVM fires
 * it in svm_vcpu_run() and vmx_vcpu_run(); 6.1's SVM fires it later, with
 * interrupts on) and inside kl_lock, never inside a record's lock.
 */
static LIST_HEAD(kl_held);
static DEFINE_SPINLOCK(kl_held_lock);
static void kl_held_flush(struct work_struct *work);
static DECLARE_DELAYED_WORK(kl_held_work, kl_held_flush);
static void kl_defer(struct kl_vcpu *r, u8 ev);

/*
 * Events: probes run in atomic context, some with interrupts off, so they
 * only copy the record into a ring; a work item sends.  An event that
 * finds the ring full is held by its record and sent later.  The sender
 * is netlink.c's work item, which takes the events out with
 * kl_event_pop(); it is handed over (kl_events_start()) before anything
 * can queue an event, and taken back once nothing can (main.c's order).
 */
static struct kl_event kl_ring[KL_EVENT_RING];
static unsigned int kl_ring_head, kl_ring_len;
static DEFINE_SPINLOCK(kl_ring_lock);
static struct work_struct *kl_event_sender;

/*
 * The module's own unbound workqueue for the gone scan and the event
 * sender: 7.2 logs system_wq users as deprecated, and the queues that
 * replace it do not exist in 6.1.
 */
static struct workqueue_struct *kl_wq;

/*
 * What the capture paths can do, as capture.c last said: kept here, so
 * that STATUS learns it from records.c as it learns the rest.
 */
static struct kl_paths kl_paths;
static DEFINE_SPINLOCK(kl_paths_lock);

#define kl_inc(x)	WRITE_ONCE(x, (x) + 1)
#define kl_dec(x)	WRITE_ONCE(x, (x) - 1)

static struct hlist_head *kl_bucket(struct hlist_head *table, const void *key)
{
	return &table[hash_ptr(key, KL_HASH_BITS)];
}

static unsigned long kl_task_slot(const void *task)
{
	return hash_ptr(task, KL_HASH_BITS);
}

static struct kl_vcpu *kl_hash_lookup(const void *vcpu)
{
	struct kl_vcpu *r;

	hlist_for_each_entry_rcu(r, kl_bucket(kl_vcpu_hash, vcpu), node)
		if (r->vcpu == vcpu)
			return r;
	return NULL;
}

/* Caches and refusals from before this point are stale (kl_lock held). */
static void kl_bump_gen(void)
{
	/* Order the unlinks before the generation readers compare against. */
	smp_wmb();
	WRITE_ONCE(kl_gen, kl_gen + 1);
}

/* Take a record out of the key tables; it stays listed (kl_lock held). */
static void kl_unhash(struct kl_vcpu *r)
{
	if (r->hashed) {
		hlist_del_rcu(&r->node);
		r->hashed = false;
	}
	if (r->task) {
		hlist_nulls_del_rcu(&r->task_node);
		WRITE_ONCE(r->task, NULL);
	}
	kl_bump_gen();
}

/* The owner of @uid's records, or NULL.  kl_lock or RCU. */
static struct kl_owner *kl_owner_find(kuid_t uid)
{
	struct kl_owner *o;

	hlist_for_each_entry_rcu(o, &kl_owner_hash[hash_32(__kuid_val(uid), KL_OWNER_BITS)],
				 node, lockdep_is_held(&kl_lock))
		if (uid_eq(o->uid, uid))
			return o;
	return NULL;
}

/* The owner of @uid, made from *@spare if new (kl_lock held). */
static struct kl_owner *kl_owner_get(kuid_t uid, struct kl_owner **spare)
{
	struct kl_owner *o = kl_owner_find(uid);

	if (o)
		return o;
	o = *spare;
	*spare = NULL;
	o->uid = uid;
	INIT_LIST_HEAD(&o->records);
	INIT_LIST_HEAD(&o->gone_vms);
	hlist_add_head_rcu(&o->node, &kl_owner_hash[hash_32(__kuid_val(uid), KL_OWNER_BITS)]);
	return o;
}

/* Drop an owner that has nothing left (kl_lock held). */
static void kl_owner_put(struct kl_owner *o)
{
	if (o->nr_vms || o->nr_records)
		return;
	hlist_del_rcu(&o->node);
	kfree_rcu(o, rcu);
}

static void kl_vm_free_rcu(struct rcu_head *head)
{
	struct kl_vm *vm = container_of(head, struct kl_vm, rcu);

	put_pid(vm->pid);
	kfree(vm);
}

/* Forget a VM that has no record left (kl_lock held). */
static void kl_vm_unlink(struct kl_vm *vm)
{
	struct kl_owner *o = vm->owner;

	xa_erase(&kl_by_id, vm->id);
	if (vm->gone) {
		list_del(&vm->state);
		list_del(&vm->owner_gone);
	} else {
		hlist_del(&vm->node);
		list_del_rcu(&vm->live);
	}
	kl_dec(kl_nr_vms);
	kl_dec(o->nr_vms);
	kl_owner_put(o);
	call_rcu(&vm->rcu, kl_vm_free_rcu);
}

/* Forget a record entirely (kl_lock held). */
static void kl_unlink(struct kl_vcpu *r)
{
	struct kl_vm *vm = r->vm;
	unsigned long flags;
	bool held;

	spin_lock_irqsave(&kl_held_lock, flags);
	held = !list_empty(&r->held_node);
	list_del_init(&r->held_node);
	r->unlinked = true;
	spin_unlock_irqrestore(&kl_held_lock, flags);
	/* Its held event, if any, never goes out. */
	if (held)
		kl_count_events_lost();
	kl_unhash(r);
	xa_erase(&kl_by_seq, r->seq);
	list_del_rcu(&r->vm_node);
	list_del_rcu(&r->owner_node);
	kl_dec(kl_nr_records);
	kl_dec(vm->owner->nr_records);
	if (!--vm->nr_records)
		kl_vm_unlink(vm);
	atomic_long_inc(&kl_dump_gen);
	kfree_rcu(r, rcu);
}

/* Queue @type with @r's state; false if the ring is full (the caller holds it). */
static bool kl_event_push(const struct kl_vcpu *r, u8 type)
{
	struct work_struct *sender;
	struct kl_event *e;
	unsigned long flags;
	struct kl_snap s;

	kl_snapshot(r, &s, &init_pid_ns, &init_user_ns);
	spin_lock_irqsave(&kl_ring_lock, flags);
	if (kl_ring_len == KL_EVENT_RING) {
		spin_unlock_irqrestore(&kl_ring_lock, flags);
		return false;
	}
	e = &kl_ring[(kl_ring_head + kl_ring_len++) % KL_EVENT_RING];
	e->s = s;
	e->type = type;
	spin_unlock_irqrestore(&kl_ring_lock, flags);
	sender = READ_ONCE(kl_event_sender);
	if (sender)
		queue_work(kl_wq, sender);
	return true;
}

/*
 * Mark a VM gone and tell listeners (kl_lock held).  Its records leave the
 * key tables: a vCPU that still exits afterwards (its fd passed on to
 * another process) is a new VM's, as is a vCPU at a reused address.
 */
static void kl_vm_set_gone(struct kl_vm *vm)
{
	struct kl_vcpu *r;

	if (vm->gone)
		return;
	WRITE_ONCE(vm->gone, true);
	hlist_del(&vm->node);
	list_del_rcu(&vm->live);
	list_add_tail(&vm->state, &kl_gone_vms);
	list_add_tail(&vm->owner_gone, &vm->owner->gone_vms);
	atomic_long_inc(&kl_dump_gen);
	list_for_each_entry(r, &vm->records, vm_node) {
		kl_unhash(r);
		/* The gone event carries the latest state a held one would. */
		spin_lock(&r->lock);
		if (r->ev_held) {
			r->ev_held = 0;
			kl_count_events_lost();
		}
		spin_unlock(&r->lock);
		if (!kl_event_push(r, KVM_LSTAR_EVENT_GONE))
			kl_defer(r, KVM_LSTAR_EVENT_GONE);
	}
}

/* Evict the oldest record of a gone VM (kl_lock held). */
static void kl_evict(struct kl_vm *vm)
{
	kl_unlink(list_first_entry(&vm->records, struct kl_vcpu, vm_node));
	atomic64_inc(&kl_evictions);
}

/*
 * Room for one more record of owner @o (NULL: a uid with none yet), made
 * by evicting gone VMs' records, a few at most (kl_lock held).
 */
static bool kl_make_room(struct kl_owner *o)
{
	unsigned int quota = READ_ONCE(kl_max_records_per_uid);
	int budget = KL_EVICT_PER_CREATE;

	if (o && quota) {
		while (o->nr_records >= quota) {
			if (list_empty(&o->gone_vms) || !budget--)
				return false;
			kl_evict(list_first_entry(&o->gone_vms, struct kl_vm, owner_gone));
		}
	}
	while (kl_nr_records >= READ_ONCE(kl_max_records)) {
		if (list_empty(&kl_gone_vms) || !budget--)
			return false;
		kl_evict(list_first_entry(&kl_gone_vms, struct kl_vm, state));
	}
	return true;
}

static bool kl_vm_has_vcpu_id(const struct kl_vm *vm, u32 vcpu_id)
{
	const struct kl_vcpu *r;

	list_for_each_entry(r, &vm->records, vm_node)
		if (r->vcpu_id == vcpu_id)
			return true;
	return false;
}

/*
 * The live VM a new vCPU joins, or NULL for a new VM (kl_lock held).  The
 * live VM at this struct kvm address is dead when another thread created
 * the one there now, or when it already has this vCPU id (KVM refuses a
 * second vCPU with the same id in one VM).
 */
static struct kl_vm *kl_vm_live(struct kvm_vcpu *vcpu)
{
	struct kvm *kvm = vcpu->kvm;
	struct kl_vm *vm;

	hlist_for_each_entry(vm, kl_bucket(kl_vm_hash, kvm), node) {
		if (vm->kvm != kvm)
			continue;
		if (vm->creator == kvm->userspace_pid &&
		    !kl_vm_has_vcpu_id(vm, vcpu->vcpu_id))
			return vm;
		kl_vm_set_gone(vm);
		return NULL;	/* one live VM per address at most */
	}
	return NULL;
}

/*
 * A new VM at key @kvm, created by thread @creator of process @pid, owned
 * by @o (kl_lock held).
 */
static int kl_vm_add(struct kl_vm *vm, const void *kvm, pid_t creator,
		     struct pid *pid, struct kl_owner *o)
{
	vm->kvm = kvm;
	vm->creator = creator;
	vm->owner = o;
	vm->uid = o->uid;
	vm->pid = get_pid(pid);
	vm->tgid = pid_nr(pid);
	vm->id = kl_vm_ids + 1;
	INIT_LIST_HEAD(&vm->records);
	if (xa_insert(&kl_by_id, vm->id, vm, GFP_ATOMIC)) {
		put_pid(vm->pid);
		return -ENOMEM;
	}
	kl_vm_ids = vm->id;
	hlist_add_head(&vm->node, kl_bucket(kl_vm_hash, kvm));
	list_add_tail_rcu(&vm->live, &kl_live_vms);
	kl_inc(kl_nr_vms);
	kl_inc(o->nr_vms);
	return 0;
}

/*
 * Make @r a record of @vm, findable by its vCPU (kl_lock held).  On
 * failure a @vm left with no record is gone with it.
 */
static int kl_record_add(struct kl_vcpu *r, struct kl_vm *vm)
{
	r->vm = vm;
	r->seq = kl_seq + 1;
	if (xa_insert(&kl_by_seq, r->seq, r, GFP_ATOMIC)) {
		if (!vm->nr_records)
			kl_vm_unlink(vm);
		return -ENOMEM;
	}
	kl_seq = r->seq;
	list_add_tail_rcu(&r->vm_node, &vm->records);
	list_add_tail_rcu(&r->owner_node, &vm->owner->records);
	hlist_add_head_rcu(&r->node, kl_bucket(kl_vcpu_hash, r->vcpu));
	r->hashed = true;
	vm->nr_records++;
	kl_inc(vm->owner->nr_records);
	kl_inc(kl_nr_records);
	atomic_long_inc(&kl_dump_gen);
	return 0;
}

/* A record of no table yet, for vCPU @vcpu_id at keys @vcpu and @kvm. */
static struct kl_vcpu *kl_record_alloc(const void *vcpu, const void *kvm,
				       u32 vcpu_id, gfp_t gfp)
{
	struct kl_vcpu *r = kzalloc(sizeof(*r), gfp);

	if (!r)
		return NULL;
	spin_lock_init(&r->lock);
	INIT_LIST_HEAD(&r->held_node);
	r->vcpu = vcpu;
	r->kvm = kvm;
	r->vcpu_id = vcpu_id;
	r->ev_window = jiffies;
	return r;
}

/*
 * Is @vcpu refused in @set under generation @gen (any generation when
 * @any), seen again at a later exit?  The way that says so, or NULL.
 */
static struct kl_refusal *kl_refusal_find(struct kl_refusal *set, struct kvm_vcpu *vcpu,
					  unsigned long gen, bool any)
{
	int i;

	for (i = 0; i < KL_REFUSAL_WAYS; i++)
		if ((any || READ_ONCE(set[i].gen) == gen) && kl_refusal_of(&set[i], vcpu))
			return &set[i];
	return NULL;
}

/* Note one more refused vCPU, once per vCPU (kl_lock held). */
static void kl_refuse(struct kl_refusal *set, struct kvm_vcpu *vcpu)
{
	struct kl_refusal *f = kl_refusal_find(set, vcpu, 0, true);
	int i;

	if (!f) {
		atomic64_inc(&kl_refused);
		/* A free way, or one of an older table (retried anyway). */
		f = &set[KL_REFUSAL_WAYS - 1];
		for (i = 0; i < KL_REFUSAL_WAYS; i++) {
			if (!set[i].vcpu || set[i].gen != kl_gen) {
				f = &set[i];
				break;
			}
		}
	}
	kl_refusal_set(f, vcpu, kl_gen);
}

/*
 * First sight of a vCPU: runs in the probe, atomic context.  On return
 * *@gen is the generation the result may be cached under.  ERR_PTR
 * -ENOSPC: refused (table or quota full of live VMs), until kl_gen moves;
 * -ENOMEM: try again at the next exit.
 */
static struct kl_vcpu *kl_record_create(struct kvm_vcpu *vcpu, unsigned long *gen)
{
	struct kl_refusal *set = kl_refusals[hash_ptr(vcpu, KL_REFUSAL_BITS)];
	kuid_t uid = current_uid();
	struct kl_owner *o, *spare_o;
	struct kl_vm *vm, *spare_vm;
	struct kl_vcpu *r;
	int err = -ENOMEM;

	if (kl_refusal_find(set, vcpu, *gen, false))
		return ERR_PTR(-ENOSPC);
	r = kl_record_alloc(vcpu, vcpu->kvm, vcpu->vcpu_id, GFP_ATOMIC | __GFP_NOWARN);
	spare_vm = kzalloc(sizeof(*spare_vm), GFP_ATOMIC | __GFP_NOWARN);
	spare_o = kzalloc(sizeof(*spare_o), GFP_ATOMIC | __GFP_NOWARN);
	if (!r || !spare_vm || !spare_o)
		goto fail;
	r->last_exits = vcpu->stat.exits;

	spin_lock(&kl_lock);
	vm = kl_vm_live(vcpu);
	if (!kl_make_room(vm ? vm->owner : kl_owner_find(uid))) {
		kl_refuse(set, vcpu);
		err = -ENOSPC;
		goto unlock;
	}
	if (!vm) {
		/*
		 * After the evictions, which may have freed this uid's
		 * owner.  Owned by the process whose thread runs its vCPU:
		 * the thread that created the VM may be another, already
		 * exited, thread of it.
		 */
		o = kl_owner_get(uid, &spare_o);
		if (kl_vm_add(spare_vm, vcpu->kvm, vcpu->kvm->userspace_pid,
			      task_tgid(current), o)) {
			kl_owner_put(o);
			goto unlock;
		}
		vm = spare_vm;
		spare_vm = NULL;
	}
	if (kl_record_add(r, vm))
		goto unlock;
	*gen = kl_gen;
	spin_unlock(&kl_lock);
	kfree(spare_vm);
	kfree(spare_o);
	return r;

unlock:
	*gen = kl_gen;
	spin_unlock(&kl_lock);
fail:
	if (err == -ENOMEM)
		atomic64_inc(&kl_alloc_fails);
	kfree(r);
	kfree(spare_vm);
	kfree(spare_o);
	return ERR_PTR(err);
}

/*
 * Is @r still the record of @vcpu?  A struct kvm_vcpu address comes back
 * for a new vCPU once its VM is destroyed.  Between two kvm_exit events of
 * one vCPU its exit counter always grows (6.1 SVM counts before the
 * tracepoint, 6.12+ SVM and VMX after it, and the fast-path re-entry loop
 * counts too), and a new vCPU counts from 0: a counter that did not grow,
 * or another VM, is a new vCPU at an old address.
 */
static bool kl_record_stale(struct kl_vcpu *r, struct kvm_vcpu *vcpu)
{
	u64 exits = vcpu->stat.exits;

	if (likely(exits > r->last_exits && r->kvm == vcpu->kvm)) {
		r->last_exits = exits;
		return false;
	}
	return true;
}

/*
 * The record of @vcpu, created on first sight, or NULL.  Probe context,
 * inside rcu_read_lock(): the record stays valid until the caller's
 * rcu_read_unlock().
 */
struct kl_vcpu *kl_record_find(struct kvm_vcpu *vcpu)
{
	struct kl_cache *c = get_cpu_ptr(&kl_cache);
	unsigned long gen = READ_ONCE(kl_gen);
	bool hit = c->vcpu == vcpu && c->gen == gen;
	struct kl_vcpu *r;

	if (likely(hit && c->rec)) {
		r = c->rec;
		if (likely(!kl_record_stale(r, vcpu)))
			goto out;	/* cached, and still this vCPU's */
	} else if (hit && kl_refusal_of(&c->refusal, vcpu)) {
		r = NULL;		/* refused, and the table has not changed */
		goto out;
	} else {
		smp_rmb();	/* pairs with kl_bump_gen() */
		r = kl_hash_lookup(vcpu);
		if (r && !kl_record_stale(r, vcpu))
			goto cache;
	}
	if (r) {		/* a dead vCPU's record: its VM is gone */
		spin_lock(&kl_lock);
		if (r->hashed)
			kl_vm_set_gone(r->vm);
		spin_unlock(&kl_lock);
		gen = READ_ONCE(kl_gen);
	}
	r = kl_record_create(vcpu, &gen);
	if (IS_ERR(r)) {
		if (PTR_ERR(r) == -ENOMEM) {
			r = NULL;
			goto out;	/* not cached: try again next exit */
		}
		r = NULL;
	}
cache:
	c->vcpu = vcpu;
	c->rec = r;
	c->gen = gen;
	if (!r)
		kl_refusal_set(&c->refusal, vcpu, gen);
out:
	put_cpu_ptr(&kl_cache);
	return r;
}

/* Remember that current runs @r, for the kvm_msr probe (no vCPU argument). */
void kl_record_note_task(struct kl_vcpu *r)
{
	struct hlist_nulls_head *b = &kl_task_hash[kl_task_slot(current)];
	struct hlist_nulls_node *n;
	struct kl_vcpu *old;

	spin_lock(&kl_lock);
	if (!r->hashed)
		goto out;
	if (r->task)
		hlist_nulls_del_rcu(&r->task_node);
	hlist_nulls_for_each_entry(old, n, b, task_node) {
		if (old->task == current) {
			hlist_nulls_del_rcu(&old->task_node);
			WRITE_ONCE(old->task, NULL);
			break;
		}
	}
	WRITE_ONCE(r->task, current);
	hlist_nulls_add_head_rcu(&r->task_node, b);
out:
	spin_unlock(&kl_lock);
}

/* The record @task last exited on, or NULL.  Inside rcu_read_lock(). */
struct kl_vcpu *kl_record_find_task(const void *task)
{
	unsigned long slot = kl_task_slot(task);
	struct hlist_nulls_node *n;
	struct kl_vcpu *r;

again:
	hlist_nulls_for_each_entry_rcu(r, n, &kl_task_hash[slot], task_node)
		if (READ_ONCE(r->task) == task)
			return r;
	/* The walk was carried into another bucket by a moving record. */
	if (get_nulls_value(n) != slot) {
		kl_selftest_retried();
		goto again;
	}
	return NULL;
}

/* May @r send one more event now?  (r->lock held) */
static bool kl_event_budget(struct kl_vcpu *r)
{
	if (time_after(jiffies, r->ev_window + HZ)) {
		r->ev_window = jiffies;
		r->ev_count = 0;
	}
	if (r->ev_count >= KL_EVENTS_PER_SEC)
		return false;
	r->ev_count++;
	return true;
}

/*
 * The held event that says both @held and the later @ev: the newest,
 * except that a change after an unsent capture leaves the capture (its
 * record shows the change) and nothing follows a gone event.
 */
static u8 kl_event_merge(u8 held, u8 ev)
{
	if (!held)
		return ev;
	if (held == KVM_LSTAR_EVENT_GONE ||
	    (held == KVM_LSTAR_EVENT_CAPTURE && ev == KVM_LSTAR_EVENT_CHANGE))
		return held;
	return ev;
}

/* Queue @r, which now holds an event, for the held-event work. */
static void kl_hold(struct kl_vcpu *r)
{
	unsigned long flags;

	spin_lock_irqsave(&kl_held_lock, flags);
	if (!r->unlinked && list_empty(&r->held_node))
		list_add_tail(&r->held_node, &kl_held);
	spin_unlock_irqrestore(&kl_held_lock, flags);
	queue_delayed_work(kl_wq, &kl_held_work, KL_HELD_DELAY);
}

/*
 * @ev found the event ring full: hold it for the held-event work instead.
 * Anything held meanwhile is newer than @ev.
 */
static void kl_defer(struct kl_vcpu *r, u8 ev)
{
	unsigned long flags;

	spin_lock_irqsave(&r->lock, flags);
	r->ev_held = r->ev_held ? kl_event_merge(ev, r->ev_held) : ev;
	spin_unlock_irqrestore(&r->lock, flags);
	kl_hold(r);
}

/*
 * Send the events held when the work started, each with its record's
 * state as it is now, and start that record's next budget window with it.
 * A record held again meanwhile waits for the next run.  One record per
 * locked step.
 */
static void kl_held_flush(struct work_struct *work)
{
	LIST_HEAD(batch);	/* kl_held_lock: kl_unlink() may take from it */
	struct kl_vcpu *r;
	u8 ev;

	spin_lock_irq(&kl_held_lock);
	list_splice_init(&kl_held, &batch);
	spin_unlock_irq(&kl_held_lock);
	for (;;) {
		spin_lock_irq(&kl_held_lock);
		r = list_first_entry_or_null(&batch, struct kl_vcpu, held_node);
		if (!r) {
			spin_unlock_irq(&kl_held_lock);
			return;
		}
		list_del_init(&r->held_node);
		/* Unlinked after this: freed only after the section ends. */
		rcu_read_lock();
		spin_unlock_irq(&kl_held_lock);

		spin_lock(&r->lock);
		ev = r->ev_held;
		r->ev_held = 0;
		if (ev) {
			r->ev_window = jiffies;
			r->ev_count = 1;
		}
		spin_unlock(&r->lock);
		if (ev && !kl_event_push(r, ev))
			kl_defer(r, ev);
		rcu_read_unlock();
		cond_resched();
	}
}

/*
 * Under @r's lock: may @ev go out now?  Past the budget, or behind one
 * already held, it merges into the held event instead (their order stays)
 * and 0 is returned; *@lost says an event was merged away, *@hold that
 * @r must be queued for the held-event work.
 */
static u8 kl_event_gate(struct kl_vcpu *r, u8 ev, bool *lost, bool *hold)
{
	if (!ev || (!r->ev_held && kl_event_budget(r)))
		return ev;
	*lost = r->ev_held;
	*hold = !r->ev_held;
	r->ev_held = kl_event_merge(r->ev_held, ev);
	return 0;
}

/* After @r's lock: what kl_event_gate() decided. */
static void kl_event_out(struct kl_vcpu *r, u8 ev, bool lost, bool hold)
{
	if (lost)
		kl_count_events_lost();
	if (hold)
		kl_hold(r);
	if (ev && !kl_event_push(r, ev))
		kl_defer(r, ev);
}

/* Equal as witnesses: SYSENTER_EIP by the low half AMD CPUs keep. */
static bool kl_witness_same(int i, u64 a, u64 b)
{
	return i == KL_W_SYSENTER_EIP ? (u32)a == (u32)b : a == b;
}

/*
 * Under @r's lock: the witnesses in @seen.  Before an epoch opens they
 * wait in w_first (w_loose) for its capture to take; in an epoch the
 * first non-zero value of each is kept, and a different one later is a
 * change, reported once per witness and epoch.  0 (not written, or a
 * host reset) says nothing.  Returns the event; *@moved says whether the
 * record changed.
 */
static u8 kl_witnesses(struct kl_vcpu *r, const struct kl_seen *seen, bool *moved)
{
	bool open = r->captured && !r->zero_seen;
	u8 ev = 0;
	int i;

	for (i = 0; i < KL_W_NR; i++) {
		u8 bit = KL_SEEN_W(i);
		u64 v = seen->w[i];

		if (!(seen->has & bit) || !v)
			continue;
		if (!open) {
			*moved |= !(r->w_loose & bit) || v != r->w_first[i];
			r->w_first[i] = v;
			r->w_loose |= bit;
		} else if (!r->w_first[i]) {
			r->w_first[i] = v;
			*moved = true;
		} else if (!kl_witness_same(i, v, r->w_first[i]) && !(r->w_changed & bit)) {
			r->w_changed |= bit;
			r->changed = true;
			*moved = true;
			ev = KVM_LSTAR_EVENT_CHANGE;
		}
	}
	return ev;
}

/* A new epoch's witnesses: those seen since the last one closed. */
static void kl_witnesses_open(struct kl_vcpu *r)
{
	int i;

	for (i = 0; i < KL_W_NR; i++)
		if (!(r->w_loose & KL_SEEN_W(i)))
			r->w_first[i] = 0;
	r->w_loose = 0;
	r->w_changed = 0;
}

/*
 * Under @r's lock: what the sampler skips from now on.  Its exits compare
 * the guest's LSTAR with r->skip only, so the window costs no exit a
 * load: while it is open, skip is a value LSTAR never holds.  It closes
 * when every witness is set or after KL_WITNESS_EXITS sampled exits.
 */
static void kl_skip_set(struct kl_vcpu *r)
{
	int i;

	for (i = 0; i < KL_W_NR && r->w_first[i]; i++)
		;
	if (i == KL_W_NR || r->zero_seen || !r->captured)
		r->w_window = 0;
	WRITE_ONCE(r->skip, r->w_window ? KL_SKIP_NONE : r->current_val);
}

/*
 * The capture logic, for what a probe saw of @r: LSTAR at a write
 * (intercept) or at an exit (sample), and the witnesses the same way.
 * LSTAR's value is
 *  - equal to the latest value: nothing happened to LSTAR;
 *  - 0 after a capture: a reset (VMM reset, reboot); the next value opens
 *    a new epoch;
 *  - first non-zero value of an epoch: the capture, with its time;
 *  - any other value: a rewrite within the epoch (first value kept).
 * A new value opens the witness window (kl_skip_set()).  A witness that
 * changes within an epoch is a rewrite too.
 *
 * A record sends KL_EVENTS_PER_SEC events a second at most, so one guest
 * rewriting LSTAR on every exit cannot crowd out other VMs' events.  The
 * events beyond that merge into one held event, which goes out within
 * KL_HELD_DELAY with the record's latest state: listeners always learn
 * the last value.  Each event merged away counts as lost.
 */
void kl_observe_seen(struct kl_vcpu *r, const struct kl_seen *seen, u8 source)
{
	bool lost = false, moved = false, hold = false;
	u64 val = seen->lstar;
	u8 ev = 0, wev;

	spin_lock(&r->lock);
	if (!(seen->has & KL_SEEN_LSTAR) || val == r->current_val) {
		if (source == KVM_LSTAR_SOURCE_SAMPLE && r->w_window)
			r->w_window--;
	} else if (!val) {
		moved = true;
		r->current_val = 0;
		WRITE_ONCE(r->hypervisor, false);
		if (r->captured && !r->zero_seen) {
			r->zero_seen = true;
			r->w_loose = 0;
			ev = KVM_LSTAR_EVENT_RESET;
		}
	} else if (!r->captured || r->zero_seen) {
		moved = true;
		r->epoch = r->captured ? r->epoch + 1 : 1;
		r->first = val;
		r->writes = 1;
		r->changed = false;
		r->captured = true;
		r->zero_seen = false;
		r->source = source;
		r->captured_ns = ktime_get_boottime_ns();
		r->current_val = val;
		r->w_window = KL_WITNESS_EXITS;
		kl_witnesses_open(r);
		ev = KVM_LSTAR_EVENT_CAPTURE;
	} else {
		moved = true;
		r->writes++;
		r->changed = true;
		r->current_val = val;
		r->w_window = KL_WITNESS_EXITS;
		ev = KVM_LSTAR_EVENT_CHANGE;
	}
	wev = kl_witnesses(r, seen, &moved);
	if (!ev)
		ev = wev;
	kl_skip_set(r);
	ev = kl_event_gate(r, ev, &lost, &hold);
	spin_unlock(&r->lock);
	if (moved)
		atomic_long_inc(&kl_dump_gen);
	kl_event_out(r, ev, lost, hold);
}

/* LSTAR alone. */
void kl_observe(struct kl_vcpu *r, u64 lstar, u8 source)
{
	struct kl_seen seen = { .lstar = lstar, .has = KL_SEEN_LSTAR };

	kl_observe_seen(r, &seen, source);
}

/*
 * @r's LSTAR cannot be seen (enum kvm_lstar_unavailable @why): say so in
 * the record, and once in an event, so that a waiter fails at once instead
 * of timing out.  It stays so for the record's life: KVM never decrypts a
 * protected vCPU's state.
 */
void kl_note_unavailable(struct kl_vcpu *r, u8 why)
{
	bool lost = false, hold = false, moved = false;
	u8 ev = 0;

	spin_lock(&r->lock);
	if (!r->unavailable) {	/* else another exit said it first */
		WRITE_ONCE(r->unavailable, why);
		ev = kl_event_gate(r, KVM_LSTAR_EVENT_UNAVAILABLE, &lost, &hold);
		moved = true;
	}
	spin_unlock(&r->lock);
	if (moved)
		atomic_long_inc(&kl_dump_gen);
	kl_event_out(r, ev, lost, hold);
}

/* Say so in the record, once per epoch; its value stays the guest's own. */
void kl_note_hypervisor(struct kl_vcpu *r)
{
	if (likely(READ_ONCE(r->hypervisor)))
		return;
	spin_lock(&r->lock);
	WRITE_ONCE(r->hypervisor, true);
	spin_unlock(&r->lock);
	atomic_long_inc(&kl_dump_gen);
}

/* capture.c says what its paths can do now, and why not. */
void kl_paths_set(u8 intercept, u8 svm, const char *reason)
{
	unsigned long flags;

	spin_lock_irqsave(&kl_paths_lock, flags);
	kl_paths.intercept = intercept;
	kl_paths.svm = svm;
	strscpy(kl_paths.reason, reason, sizeof(kl_paths.reason));
	spin_unlock_irqrestore(&kl_paths_lock, flags);
}

/* As capture.c last said it, in one piece. */
void kl_get_paths(struct kl_paths *p)
{
	unsigned long flags;

	spin_lock_irqsave(&kl_paths_lock, flags);
	*p = kl_paths;
	spin_unlock_irqrestore(&kl_paths_lock, flags);
}

/* A copy of @r, with its pid and uid as seen from the given namespaces. */
void kl_snapshot(const struct kl_vcpu *r, struct kl_snap *s,
		 struct pid_namespace *pid_ns, struct user_namespace *user_ns)
{
	const struct kl_vm *vm = r->vm;

	spin_lock((spinlock_t *)&r->lock);
	s->first = r->first;
	s->current_val = r->current_val;
	/* A value waiting for the next epoch is not the current one's. */
	s->cstar = r->captured && !(r->w_loose & KL_SEEN_W(KL_W_CSTAR)) ?
		   r->w_first[KL_W_CSTAR] : 0;
	s->sysenter_eip = r->captured && !(r->w_loose & KL_SEEN_W(KL_W_SYSENTER_EIP)) ?
			  r->w_first[KL_W_SYSENTER_EIP] : 0;
	s->captured_ns = r->captured_ns;
	s->epoch = r->epoch;
	s->writes = r->writes;
	s->changed = r->changed;
	s->hypervisor = r->hypervisor;
	s->unavailable = r->unavailable;
	s->captured = r->captured;
	s->source = r->captured ? r->source : 0;
	spin_unlock((spinlock_t *)&r->lock);
	s->vm = vm->id;
	s->pid = pid_ns == &init_pid_ns ? vm->tgid : pid_nr_ns(vm->pid, pid_ns);
	s->uid = from_kuid_munged(user_ns, vm->uid);
	s->vcpu = r->vcpu_id;
	s->seq = r->seq;
	s->gone = READ_ONCE(vm->gone);
}

/* Does @f name @r, and may its caller see it? */
static bool kl_match(const struct kl_vcpu *r, const struct kl_filter *f)
{
	const struct kl_vm *vm = r->vm;

	return (f->admin || uid_eq(vm->uid, f->uid)) &&
	       (!f->vm || vm->id == f->vm) &&
	       (!f->pid || (f->pid_ns == &init_pid_ns ? vm->tgid :
			    pid_nr_ns(vm->pid, f->pid_ns)) == f->pid);
}

/* The VM numbered @id, or NULL.  Inside rcu_read_lock(). */
static struct kl_vm *kl_vm_find(u32 id)
{
	return xa_load(&kl_by_id, id);
}

/* The first record created after creation number @after, or NULL (RCU). */
static struct kl_vcpu *kl_seq_next(u64 after)
{
	unsigned long i = after + 1;

	return xa_find(&kl_by_seq, &i, ULONG_MAX, XA_PRESENT);
}

/* The record of vCPU @vcpu in VM f->vm, if @f names it (RCU). */
const struct kl_vcpu *kl_record_lookup(const struct kl_filter *f, u32 vcpu)
{
	const struct kl_vcpu *r;
	struct kl_vm *vm;

	vm = kl_vm_find(f->vm);
	if (!vm)
		return NULL;
	list_for_each_entry_rcu(r, &vm->records, vm_node)
		if (r->vcpu_id == vcpu && kl_match(r, f))
			return r;
	return NULL;
}

/*
 * The first record after @r (NULL: from the start) that @f names, created
 * after creation number @after.  What it walks, oldest first: one VM's
 * records (VM filter), the caller's own (no CAP_NET_ADMIN), or the table
 * by creation number.  Inside rcu_read_lock(), which keeps @r, its VM and
 * its owner valid even once unlinked.
 */
static const struct kl_vcpu *kl_walk(const struct kl_filter *f,
				     const struct kl_vcpu *r, u64 after)
{
	struct kl_owner *o;
	struct kl_vm *vm;

	if (f->vm) {
		vm = r ? r->vm : kl_vm_find(f->vm);
		if (!vm)
			return NULL;
		r = list_prepare_entry(r, &vm->records, vm_node);
		list_for_each_entry_continue_rcu(r, &vm->records, vm_node)
			if (r->seq > after && kl_match(r, f))
				return r;
	} else if (!f->admin) {
		o = r ? r->vm->owner : kl_owner_find(f->uid);
		if (!o)
			return NULL;
		r = list_prepare_entry(r, &o->records, owner_node);
		list_for_each_entry_continue_rcu(r, &o->records, owner_node)
			if (r->seq > after && kl_match(r, f))
				return r;
	} else {
		for (r = kl_seq_next(after); r; r = kl_seq_next(r->seq))
			if (kl_match(r, f))
				return r;
	}
	return NULL;
}

const struct kl_vcpu *kl_record_first(const struct kl_filter *f, u64 after)
{
	return kl_walk(f, NULL, after);
}

/* Lists are in creation order: what follows @r was created after it. */
const struct kl_vcpu *kl_record_next(const struct kl_filter *f,
				     const struct kl_vcpu *r)
{
	return kl_walk(f, r, r->seq);
}

/* Changes whenever a record changes what a dump shows: a dump's cb->seq. */
unsigned long kl_dump_seq(void)
{
	return atomic_long_read(&kl_dump_gen);
}

void kl_get_stats(struct kl_stats *st, kuid_t uid, bool admin)
{
	struct kl_owner *o;

	if (admin) {
		st->records = READ_ONCE(kl_nr_records);
		st->vms = READ_ONCE(kl_nr_vms);
	} else {
		/* Others' VMs stay invisible, even as a count. */
		rcu_read_lock();
		o = kl_owner_find(uid);
		st->records = o ? READ_ONCE(o->nr_records) : 0;
		st->vms = o ? READ_ONCE(o->nr_vms) : 0;
		rcu_read_unlock();
	}
	st->capacity = READ_ONCE(kl_max_records);
	st->evictions = atomic64_read(&kl_evictions);
	st->alloc_fails = atomic64_read(&kl_alloc_fails);
	st->refused = atomic64_read(&kl_refused);
	st->events_lost = atomic64_read(&kl_events_lost);
}

void kl_count_events_lost(void)
{
	atomic64_inc(&kl_events_lost);
}

/* From here, events queued in the ring go out through @sender's work. */
void kl_events_start(struct work_struct *sender)
{
	WRITE_ONCE(kl_event_sender, sender);
}

/* Nothing queues events any more: the sender's owner may cancel it. */
void kl_events_stop(void)
{
	WRITE_ONCE(kl_event_sender, NULL);
}

/* The oldest event in the ring, for the sender; false if none. */
bool kl_event_pop(struct kl_event *e)
{
	spin_lock_irq(&kl_ring_lock);
	if (!kl_ring_len) {
		spin_unlock_irq(&kl_ring_lock);
		return false;
	}
	*e = kl_ring[kl_ring_head];
	kl_ring_head = (kl_ring_head + 1) % KL_EVENT_RING;
	kl_ring_len--;
	spin_unlock_irq(&kl_ring_lock);
	return true;
}

/*
 * Drop the records @f names (all when NULL), KL_BATCH records per locked
 * step.  Process context.
 */
void kl_clear(const struct kl_filter *f)
{
	unsigned long i = 0;
	struct kl_vcpu *r;
	int n;

	for (;;) {
		spin_lock(&kl_lock);
		for (n = 0; n < KL_BATCH; n++) {
			r = xa_find(&kl_by_seq, &i, ULONG_MAX, XA_PRESENT);
			if (!r)
				break;
			i++;
			if (!f || kl_match(r, f))
				kl_unlink(r);
		}
		spin_unlock(&kl_lock);
		if (n < KL_BATCH)
			return;
		cond_resched();
	}
}

/*
 * The limits changed (a module parameter write): evict gone VMs' records
 * down to max_records, KL_BATCH per locked step, and let refused vCPUs try
 * again.  Process context, kernel_param_lock held.
 */
void kl_records_trim(void)
{
	int n;

	if (!kl_ready)
		return;		/* loading: the tables come later */
	do {
		spin_lock(&kl_lock);
		for (n = 0; n < KL_BATCH && !list_empty(&kl_gone_vms) &&
		     kl_nr_records > READ_ONCE(kl_max_records); n++)
			kl_evict(list_first_entry(&kl_gone_vms, struct kl_vm, state));
		kl_bump_gen();
		spin_unlock(&kl_lock);
		cond_resched();
	} while (n == KL_BATCH);
}

/* Mark VMs whose process has exited as gone. */
static void kl_scan_gone(struct work_struct *work)
{
	struct kl_vm *vm;

	rcu_read_lock();
	list_for_each_entry_rcu(vm, &kl_live_vms, live) {
		if (pid_task(vm->pid, PIDTYPE_TGID))
			continue;
		spin_lock(&kl_lock);
		if (vm->nr_records)	/* else being freed */
			kl_vm_set_gone(vm);
		spin_unlock(&kl_lock);
	}
	rcu_read_unlock();
	queue_delayed_work(kl_wq, &kl_scan_work, KL_SCAN_PERIOD);
}

int kl_records_init(void)
{
	size_t i, n = 1UL << KL_HASH_BITS;

	kl_vcpu_hash = kvcalloc(n, sizeof(*kl_vcpu_hash), GFP_KERNEL);
	kl_vm_hash = kvcalloc(n, sizeof(*kl_vm_hash), GFP_KERNEL);
	kl_task_hash = kvmalloc_array(n, sizeof(*kl_task_hash), GFP_KERNEL);
	kl_wq = alloc_workqueue(KBUILD_MODNAME, WQ_UNBOUND, 0);
	if (!kl_vcpu_hash || !kl_vm_hash || !kl_task_hash || !kl_wq) {
		kvfree(kl_vcpu_hash);
		kvfree(kl_vm_hash);
		kvfree(kl_task_hash);
		if (kl_wq)
			destroy_workqueue(kl_wq);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++)
		INIT_HLIST_NULLS_HEAD(&kl_task_hash[i], i);
	kernel_param_lock(THIS_MODULE);
	kl_ready = true;
	kernel_param_unlock(THIS_MODULE);
	return 0;
}

void kl_records_start(void)
{
	queue_delayed_work(kl_wq, &kl_scan_work, KL_SCAN_PERIOD);
}

/* The probes are gone: nothing holds an event any more. */
void kl_records_stop(void)
{
	cancel_delayed_work_sync(&kl_scan_work);
	cancel_delayed_work_sync(&kl_held_work);
}

/* After the probes are gone and no reader is left. */
void kl_records_exit(void)
{
	kernel_param_lock(THIS_MODULE);
	kl_ready = false;
	kernel_param_unlock(THIS_MODULE);
	kl_clear(NULL);
	rcu_barrier();	/* the kfree_rcu()s and call_rcu()s above */
	destroy_workqueue(kl_wq);
	xa_destroy(&kl_by_seq);
	xa_destroy(&kl_by_id);
	kvfree(kl_vcpu_hash);
	kvfree(kl_vm_hash);
	kvfree(kl_task_hash);
}

#ifdef KL_SELFTEST
#include "selftest.c"
#endif
