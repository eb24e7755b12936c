// SPDX-License-Identifier: GPL-2.0
/*
 * kvm_lstar: the record table and the one piece of logic both capture
 * paths feed (first value, epochs, rewrites, counters).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cred.h>
#include <linux/hash.h>
#include <linux/pid.h>
#include <linux/rculist.h>
#include <linux/rculist_nulls.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/workqueue.h>
#include "kvm_lstar.h"

#define KL_HASH_BITS	14
#define KL_SCAN_PERIOD	(HZ / 2)

DEFINE_SPINLOCK(kl_lock);		/* every list/table change */
LIST_HEAD(kl_records);			/* all records, oldest first */
static LIST_HEAD(kl_vms);
static struct hlist_head *kl_vcpu_hash;	/* key: struct kvm_vcpu * */
/*
 * Key: the task a record last exited on.  A record moves to another bucket
 * when its vCPU moves to another task; a lookup walking it at that moment
 * would go on in the wrong bucket, so each chain ends in its own bucket
 * number and a lookup that ends elsewhere walks again.
 */
static struct hlist_nulls_head *kl_task_hash;

atomic_long_t kl_dump_gen;		/* bumped on every change dumps care about */
unsigned long kl_unlinks;		/* records taken off kl_records (kl_lock) */
static u64 kl_seq;
static u32 kl_vm_ids;
static unsigned int kl_nr_records, kl_nr_vms, kl_nr_gone_records;
static atomic64_t kl_evictions, kl_alloc_fails, kl_refused, kl_events_lost;

/*
 * One-entry per-CPU cache in front of the hash: a vCPU thread mostly exits
 * on the same CPU again.  Every unlink bumps kl_cache_gen, which turns all
 * cached entries stale at once (unlinks are rare).
 */
struct kl_cache {
	const void *vcpu;
	struct kl_vcpu *rec;
	unsigned long gen;
};
static DEFINE_PER_CPU(struct kl_cache, kl_cache);
static unsigned long kl_cache_gen;

static void kl_scan_gone(struct work_struct *work);
static DECLARE_DELAYED_WORK(kl_scan_work, kl_scan_gone);

/*
 * The module's own unbound workqueue for the gone scan and the event
 * sender: 7.2 logs system_wq users as deprecated, and the queues that
 * replace it do not exist in 6.1.
 */
struct workqueue_struct *kl_wq;

static struct hlist_head *kl_bucket(struct hlist_head *table, const void *key)
{
	return &table[hash_ptr(key, KL_HASH_BITS)];
}

static struct kl_vcpu *kl_hash_lookup(const void *vcpu)
{
	struct kl_vcpu *r;

	hlist_for_each_entry_rcu(r, kl_bucket(kl_vcpu_hash, vcpu), node)
		if (r->vcpu == vcpu)
			return r;
	return NULL;
}

static void kl_vm_free_rcu(struct rcu_head *head)
{
	struct kl_vm *vm = container_of(head, struct kl_vm, rcu);

	put_pid(vm->pid);
	kfree(vm);
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
	/* Order the unlink before the generation readers compare against. */
	smp_wmb();
	WRITE_ONCE(kl_cache_gen, kl_cache_gen + 1);
}

/* Forget a record entirely (kl_lock held). */
static void kl_unlink(struct kl_vcpu *r)
{
	struct kl_vm *vm = r->vm;

	kl_unhash(r);
	list_del(&r->list);
	kl_unlinks++;
	kl_nr_records--;
	if (vm->gone)
		kl_nr_gone_records--;
	if (!--vm->nr_records) {
		list_del(&vm->node);
		kl_nr_vms--;
		call_rcu(&vm->rcu, kl_vm_free_rcu);
	}
	atomic_long_inc(&kl_dump_gen);
	kfree_rcu(r, rcu);
}

/* Mark a VM gone and tell listeners (kl_lock held). */
static void kl_vm_set_gone(struct kl_vm *vm)
{
	struct kl_vcpu *r;

	if (vm->gone)
		return;
	WRITE_ONCE(vm->gone, true);
	kl_nr_gone_records += vm->nr_records;
	atomic_long_inc(&kl_dump_gen);
	list_for_each_entry(r, &kl_records, list)
		if (r->vm == vm)
			kl_notify(r, KVM_LSTAR_EVENT_GONE);
}

/* Make room by evicting the oldest record of a gone VM (kl_lock held). */
static bool kl_evict_one(void)
{
	struct kl_vcpu *r;

	list_for_each_entry(r, &kl_records, list) {
		if (r->vm->gone) {
			kl_unlink(r);
			atomic64_inc(&kl_evictions);
			return true;
		}
	}
	return false;
}

/*
 * The VM of a new record: the live one at this struct kvm address, or a new
 * one.  @spare is a preallocated struct kl_vm the caller frees if unused.
 */
static struct kl_vm *kl_vm_get(struct kvm *kvm, struct kl_vm **spare)
{
	struct kl_vm *vm;

	list_for_each_entry(vm, &kl_vms, node) {
		if (vm->kvm != kvm || vm->gone)
			continue;
		if (vm->tgid == kvm->userspace_pid)
			return vm;
		/* Same address, other creator: the old VM is dead. */
		kl_vm_set_gone(vm);
	}
	vm = *spare;
	*spare = NULL;
	vm->kvm = kvm;
	vm->id = ++kl_vm_ids;
	list_add_tail(&vm->node, &kl_vms);
	kl_nr_vms++;
	return vm;
}

/* Who created the VM: a reference to its tgid's struct pid, and its uid. */
static void kl_vm_identify(struct kl_vm *vm, struct kvm *kvm)
{
	struct task_struct *t;

	vm->tgid = kvm->userspace_pid;
	vm->uid = GLOBAL_ROOT_UID;
	rcu_read_lock();
	vm->pid = get_pid(find_pid_ns(vm->tgid, &init_pid_ns));
	t = vm->pid ? pid_task(vm->pid, PIDTYPE_TGID) : NULL;
	if (t)
		vm->uid = task_uid(t);
	rcu_read_unlock();
}

/* First sight of a vCPU: runs in the probe, atomic context. */
static struct kl_vcpu *kl_record_create(struct kvm_vcpu *vcpu)
{
	struct kl_vm *spare;
	struct kl_vcpu *r;

	if (READ_ONCE(kl_nr_records) >= READ_ONCE(kl_max_records) &&
	    !READ_ONCE(kl_nr_gone_records)) {
		atomic64_inc(&kl_refused);
		return NULL;
	}
	r = kzalloc(sizeof(*r), GFP_ATOMIC | __GFP_NOWARN);
	spare = kzalloc(sizeof(*spare), GFP_ATOMIC | __GFP_NOWARN);
	if (!r || !spare) {
		atomic64_inc(&kl_alloc_fails);
		kfree(r);
		kfree(spare);
		return NULL;
	}
	kl_vm_identify(spare, vcpu->kvm);
	spin_lock_init(&r->lock);
	r->vcpu = vcpu;
	r->kvm = vcpu->kvm;
	r->vcpu_id = vcpu->vcpu_id;
	r->last_exits = vcpu->stat.exits;
	r->vmcb = kl_svm_vmcb01(vcpu);

	spin_lock(&kl_lock);
	while (kl_nr_records >= READ_ONCE(kl_max_records)) {
		if (!kl_evict_one()) {
			spin_unlock(&kl_lock);
			atomic64_inc(&kl_refused);
			put_pid(spare->pid);
			kfree(spare);
			kfree(r);
			return NULL;
		}
	}
	r->vm = kl_vm_get(vcpu->kvm, &spare);
	r->vm->nr_records++;
	r->seq = ++kl_seq;
	list_add_tail(&r->list, &kl_records);
	hlist_add_head_rcu(&r->node, kl_bucket(kl_vcpu_hash, vcpu));
	r->hashed = true;
	kl_nr_records++;
	atomic_long_inc(&kl_dump_gen);
	spin_unlock(&kl_lock);

	if (spare) {
		put_pid(spare->pid);
		kfree(spare);
	}
	return r;
}

/*
 * Is @r still the record of @vcpu?  A struct kvm_vcpu address can come
 * back for a new vCPU once its VM is destroyed: a new VM (other kvm or
 * creator), a VM already known gone, or an exit counter that went
 * backwards all mean the old record belongs to a dead vCPU.
 *
 * Every exit comes here, so the common case reads only the record's first
 * cache line and the vCPU: the same VM, and an exit counter that grew
 * since the last sight, as it does between two exits of one vCPU.  A new
 * vCPU at a reused address starts counting from 0, so its first exit takes
 * the full check below.
 */
static bool kl_record_stale(struct kl_vcpu *r, struct kvm_vcpu *vcpu)
{
	u64 exits = vcpu->stat.exits;
	struct kl_vm *vm;

	if (likely(exits > r->last_exits && r->kvm == vcpu->kvm)) {
		r->last_exits = exits;
		return false;
	}
	vm = r->vm;
	if (exits < r->last_exits || vm->kvm != vcpu->kvm ||
	    vm->tgid != vcpu->kvm->userspace_pid ||
	    r->vcpu_id != vcpu->vcpu_id || READ_ONCE(vm->gone))
		return true;
	r->last_exits = exits;
	return false;
}

/* The record of @vcpu, created on first sight.  Probe context. */
struct kl_vcpu *kl_record_find(struct kvm_vcpu *vcpu)
{
	struct kl_cache *c = this_cpu_ptr(&kl_cache);
	unsigned long gen = READ_ONCE(kl_cache_gen);
	struct kl_vcpu *r;

	if (likely(c->vcpu == vcpu && c->gen == gen)) {
		r = c->rec;
		if (likely(!kl_record_stale(r, vcpu)))
			return r;	/* cached, and still this vCPU's */
	} else {
		smp_rmb();	/* pairs with kl_unhash() */
		r = kl_hash_lookup(vcpu);
		if (r && !kl_record_stale(r, vcpu))
			goto cache;
	}
	if (r) {		/* a dead vCPU's record */
		spin_lock(&kl_lock);
		kl_vm_set_gone(r->vm);
		kl_unhash(r);
		spin_unlock(&kl_lock);
	}
	r = kl_record_create(vcpu);
	if (!r)
		return NULL;
	gen = READ_ONCE(kl_cache_gen);
cache:
	c->vcpu = vcpu;
	c->rec = r;
	c->gen = gen;
	return r;
}

/* Remember that current runs @r, for the kvm_msr probe (no vCPU argument). */
void kl_record_note_task(struct kl_vcpu *r)
{
	struct hlist_nulls_head *b = &kl_task_hash[hash_ptr(current, KL_HASH_BITS)];
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

struct kl_vcpu *kl_record_find_task(const void *task)
{
	unsigned long slot = hash_ptr(task, KL_HASH_BITS);
	struct hlist_nulls_node *n;
	struct kl_vcpu *r;

again:
	hlist_nulls_for_each_entry_rcu(r, n, &kl_task_hash[slot], task_node)
		if (READ_ONCE(r->task) == task)
			return r;
	/* The walk was carried into another bucket by a moving record. */
	if (get_nulls_value(n) != slot)
		goto again;
	return NULL;
}

/*
 * The capture logic.  @val is what the guest's LSTAR holds now, seen at a
 * write (intercept) or at an exit (sample):
 *  - equal to the latest value: nothing happened;
 *  - 0 after a capture: a reset (VMM reset, reboot); the next value opens
 *    a new epoch;
 *  - first non-zero value of an epoch: the capture, with its time;
 *  - any other value: a rewrite within the epoch (first value kept).
 */
void kl_observe(struct kl_vcpu *r, u64 val, u8 source)
{
	u8 ev = 0;

	spin_lock(&r->lock);
	if (val == r->current_val)
		goto out;
	if (!val) {
		WRITE_ONCE(r->current_val, 0);
		if (r->captured && !r->zero_seen) {
			r->zero_seen = true;
			ev = KVM_LSTAR_EVENT_RESET;
		}
	} else if (!r->captured || r->zero_seen) {
		r->epoch = r->captured ? r->epoch + 1 : 1;
		r->first = val;
		r->writes = 1;
		r->changed = false;
		r->captured = true;
		r->zero_seen = false;
		r->source = source;
		r->captured_ns = ktime_get_boottime_ns();
		WRITE_ONCE(r->current_val, val);
		ev = KVM_LSTAR_EVENT_CAPTURE;
	} else {
		r->writes++;
		r->changed = true;
		WRITE_ONCE(r->current_val, val);
		ev = KVM_LSTAR_EVENT_CHANGE;
	}
out:
	spin_unlock(&r->lock);
	if (ev) {
		atomic_long_inc(&kl_dump_gen);
		kl_notify(r, ev);
	}
}

void kl_snapshot(const struct kl_vcpu *r, struct kl_snap *s)
{
	const struct kl_vm *vm = r->vm;

	spin_lock((spinlock_t *)&r->lock);
	s->first = r->first;
	s->current_val = r->current_val;
	s->captured_ns = r->captured_ns;
	s->epoch = r->epoch;
	s->writes = r->writes;
	s->changed = r->changed;
	s->captured = r->captured;
	s->source = r->captured ? r->source : 0;
	spin_unlock((spinlock_t *)&r->lock);
	s->vm = vm->id;
	s->pid = vm->tgid;
	s->uid = from_kuid(&init_user_ns, vm->uid);
	s->vcpu = r->vcpu_id;
	s->gone = READ_ONCE(vm->gone);
}

bool kl_visible(const struct kl_vcpu *r, kuid_t uid, bool admin)
{
	return admin || uid_eq(r->vm->uid, uid);
}

void kl_get_stats(struct kl_stats *st, kuid_t uid, bool admin)
{
	struct kl_vcpu *r;
	struct kl_vm *vm;

	spin_lock(&kl_lock);
	if (admin) {
		st->records = kl_nr_records;
		st->vms = kl_nr_vms;
	} else {
		/* Others' VMs stay invisible, even as a count. */
		st->records = 0;
		st->vms = 0;
		list_for_each_entry(r, &kl_records, list)
			st->records += kl_visible(r, uid, false);
		list_for_each_entry(vm, &kl_vms, node)
			st->vms += uid_eq(vm->uid, uid);
	}
	spin_unlock(&kl_lock);
	st->evictions = atomic64_read(&kl_evictions);
	st->alloc_fails = atomic64_read(&kl_alloc_fails);
	st->refused = atomic64_read(&kl_refused);
	st->events_lost = atomic64_read(&kl_events_lost);
}

void kl_count_events_lost(void)
{
	atomic64_inc(&kl_events_lost);
}

int kl_clear(kl_match_fn match, const void *arg)
{
	struct kl_vcpu *r, *tmp;
	int n = 0;

	spin_lock(&kl_lock);
	list_for_each_entry_safe(r, tmp, &kl_records, list) {
		if (!match || match(r, arg)) {
			kl_unlink(r);
			n++;
		}
	}
	spin_unlock(&kl_lock);
	return n;
}

/* Mark VMs whose creating process has exited as gone. */
static void kl_scan_gone(struct work_struct *work)
{
	struct kl_vm *vm;

	spin_lock(&kl_lock);
	rcu_read_lock();
	list_for_each_entry(vm, &kl_vms, node)
		if (!vm->gone && vm->pid && !pid_task(vm->pid, PIDTYPE_TGID))
			kl_vm_set_gone(vm);
	rcu_read_unlock();
	spin_unlock(&kl_lock);
	queue_delayed_work(kl_wq, &kl_scan_work, KL_SCAN_PERIOD);
}

int kl_records_init(void)
{
	size_t i, n = 1UL << KL_HASH_BITS;

	kl_vcpu_hash = kvcalloc(n, sizeof(*kl_vcpu_hash), GFP_KERNEL);
	kl_task_hash = kvmalloc_array(n, sizeof(*kl_task_hash), GFP_KERNEL);
	kl_wq = alloc_workqueue(KBUILD_MODNAME, WQ_UNBOUND, 0);
	if (!kl_vcpu_hash || !kl_task_hash || !kl_wq) {
		kvfree(kl_vcpu_hash);
		kvfree(kl_task_hash);
		if (kl_wq)
			destroy_workqueue(kl_wq);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++)
		INIT_HLIST_NULLS_HEAD(&kl_task_hash[i], i);
	return 0;
}

void kl_records_start(void)
{
	queue_delayed_work(kl_wq, &kl_scan_work, KL_SCAN_PERIOD);
}

void kl_records_stop(void)
{
	cancel_delayed_work_sync(&kl_scan_work);
}

/* After the probes are gone and no reader is left. */
void kl_records_exit(void)
{
	kl_clear(NULL, NULL);
	rcu_barrier();	/* the kfree_rcu()s and call_rcu()s above */
	destroy_workqueue(kl_wq);
	kvfree(kl_vcpu_hash);
	kvfree(kl_task_hash);
}
