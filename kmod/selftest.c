// SPDX-License-Identifier: GPL-2.0
/*
 * kvm_lstar: self-tests of the record table, built into the module only
 * with KVM_LSTAR_SELFTEST=1 (the bench's debug kernel builds it so) and run
 * at load, before the probes attach: a failed check fails the load.
 *
 * Included by records.c, so that the tests reach its static functions.
 * struct kvm and struct kvm_vcpu are keys to the table, and only the
 * fields it reads are set here (userspace_pid, vcpu_id, stat.exits).
 */

static unsigned int kl_st_pass, kl_st_fail;

#define KL_CHECK(cond) do {						\
	if (cond) {							\
		kl_st_pass++;						\
	} else {							\
		kl_st_fail++;						\
		pr_err("selftest: %s:%d: %s is false\n", __func__, __LINE__, #cond); \
	}								\
} while (0)

/* The task-hash retry test's stand-in for a record moving mid-walk. */
static struct hlist_nulls_head *kl_st_bucket;
static struct hlist_nulls_node *kl_st_real;
static unsigned int kl_st_retries;

static void kl_selftest_retried(void)
{
	kl_st_retries++;
	if (kl_st_bucket)	/* the move is over: the bucket is itself again */
		WRITE_ONCE(kl_st_bucket->first, kl_st_real);
	kl_st_bucket = NULL;
}

/* The capture logic and the event budget, on a record of no table. */
static void kl_st_observe(void)
{
	struct kl_owner o = { .uid = GLOBAL_ROOT_UID };
	struct kl_vm vm = { .owner = &o, .id = 1 };
	struct kl_vcpu r = { .vm = &vm }, p = { .vm = &vm };
	s64 lost;
	int i;

	/* A protected vCPU: said once, in the record and in one event. */
	spin_lock_init(&p.lock);
	INIT_LIST_HEAD(&p.held_node);
	p.ev_window = jiffies;
	kl_note_unavailable(&p, KVM_LSTAR_UNAVAILABLE_PROTECTED);
	kl_note_unavailable(&p, KVM_LSTAR_UNAVAILABLE_PROTECTED);
	KL_CHECK(p.unavailable == KVM_LSTAR_UNAVAILABLE_PROTECTED && !p.captured &&
		 p.ev_count == 1 && !p.ev_held && list_empty(&p.held_node));

	spin_lock_init(&r.lock);
	INIT_LIST_HEAD(&r.held_node);
	r.ev_window = jiffies;
	kl_observe(&r, 0xffffffff81000000, KVM_LSTAR_SOURCE_SAMPLE);
	KL_CHECK(r.captured && r.epoch == 1 && r.first == 0xffffffff81000000 &&
		 r.writes == 1 && !r.changed && r.source == KVM_LSTAR_SOURCE_SAMPLE);
	kl_observe(&r, 0xffffffff81000000, KVM_LSTAR_SOURCE_INTERCEPT);
	KL_CHECK(r.writes == 1 && r.source == KVM_LSTAR_SOURCE_SAMPLE);
	kl_observe(&r, 0xffffffff82000000, KVM_LSTAR_SOURCE_INTERCEPT);
	KL_CHECK(r.changed && r.writes == 2 && r.first == 0xffffffff81000000 &&
		 r.current_val == 0xffffffff82000000);
	r.hypervisor = true;	/* a reboot ends a hypervisor's epoch */
	kl_observe(&r, 0, KVM_LSTAR_SOURCE_SAMPLE);
	KL_CHECK(r.zero_seen && r.current_val == 0 && r.epoch == 1 && !r.hypervisor);
	kl_observe(&r, 0xffffffff83000000, KVM_LSTAR_SOURCE_INTERCEPT);
	KL_CHECK(r.epoch == 2 && r.first == 0xffffffff83000000 && r.writes == 1 &&
		 !r.changed && r.source == KVM_LSTAR_SOURCE_INTERCEPT);

	/* 4 events so far: 12 more fit this second, the next is held. */
	lost = atomic64_read(&kl_events_lost);
	for (i = 0; i < 12; i++)
		kl_observe(&r, 0xffffffff84000000 + (i & 1) * 0x200000, KVM_LSTAR_SOURCE_SAMPLE);
	KL_CHECK(atomic64_read(&kl_events_lost) == lost && !r.ev_held);
	kl_observe(&r, 0xffffffff85000000, KVM_LSTAR_SOURCE_SAMPLE);
	KL_CHECK(r.ev_held == KVM_LSTAR_EVENT_CHANGE && !list_empty(&r.held_node));
	KL_CHECK(atomic64_read(&kl_events_lost) == lost);
	KL_CHECK(r.current_val == 0xffffffff85000000 && r.writes == 14);

	/* Later events merge into the held one, each counted as lost. */
	r.ev_window = jiffies - 2 * HZ;	/* even with budget again */
	kl_observe(&r, 0xffffffff86000000, KVM_LSTAR_SOURCE_SAMPLE);
	KL_CHECK(r.ev_held == KVM_LSTAR_EVENT_CHANGE && r.ev_count == 16);
	KL_CHECK(atomic64_read(&kl_events_lost) == lost + 1);
	kl_observe(&r, 0, KVM_LSTAR_SOURCE_SAMPLE);
	KL_CHECK(r.ev_held == KVM_LSTAR_EVENT_RESET);
	kl_observe(&r, 0xffffffff87000000, KVM_LSTAR_SOURCE_SAMPLE);
	KL_CHECK(r.ev_held == KVM_LSTAR_EVENT_CAPTURE && r.epoch == 3);
	kl_observe(&r, 0xffffffff88000000, KVM_LSTAR_SOURCE_SAMPLE);
	KL_CHECK(r.ev_held == KVM_LSTAR_EVENT_CAPTURE && r.changed);
	KL_CHECK(atomic64_read(&kl_events_lost) == lost + 4);

	/* The work sends it and opens the next window with it. */
	cancel_delayed_work_sync(&kl_held_work);
	kl_held_flush(NULL);
	KL_CHECK(!r.ev_held && list_empty(&r.held_node) && r.ev_count == 1);
	kl_observe(&r, 0xffffffff89000000, KVM_LSTAR_SOURCE_SAMPLE);
	KL_CHECK(!r.ev_held && r.ev_count == 2);

	/* An unlinked record is never queued again. */
	r.unlinked = true;
	r.ev_count = KL_EVENTS_PER_SEC;
	kl_observe(&r, 0xffffffff8a000000, KVM_LSTAR_SOURCE_SAMPLE);
	KL_CHECK(r.ev_held && list_empty(&r.held_node));
	cancel_delayed_work_sync(&kl_held_work);
	KL_CHECK(atomic64_read(&kl_events_lost) == lost + 4);
	flush_workqueue(kl_wq);		/* the events hold copies; r can go */
}

/* The witnesses: first values per epoch, changes, the sampler's window. */
static void kl_st_witnesses(void)
{
	struct kl_owner o = { .uid = GLOBAL_ROOT_UID };
	struct kl_vm vm = { .owner = &o, .id = 1 };
	struct kl_vcpu r = { .vm = &vm };
	struct kl_seen all = {
		.lstar = 0xffffffff81000000,
		.w = { 0xffffffff81000100, 0xffffffff81000200 },
		.has = KL_SEEN_ALL,
	};
	struct kl_seen cstar = { .w[KL_W_CSTAR] = 0xffffffff83000100,
				 .has = KL_SEEN_W(KL_W_CSTAR) };
	struct kl_seen sysenter = { .has = KL_SEEN_ALL };
	struct kl_snap s;
	int i;

	spin_lock_init(&r.lock);
	INIT_LIST_HEAD(&r.held_node);
	r.ev_window = jiffies;

	/* All three at one sampled exit: taken, and the window is shut. */
	kl_observe_seen(&r, &all, KVM_LSTAR_SOURCE_SAMPLE);
	kl_snapshot(&r, &s, &init_pid_ns, &init_user_ns);
	KL_CHECK(s.first == all.lstar && s.cstar == all.w[KL_W_CSTAR] &&
		 s.sysenter_eip == all.w[KL_W_SYSENTER_EIP] && !s.changed);
	KL_CHECK(!r.w_window && r.skip == all.lstar);

	/* SYSENTER_EIP as AMD keeps it (low half) is the same value. */
	sysenter.lstar = all.lstar;
	sysenter.w[KL_W_CSTAR] = all.w[KL_W_CSTAR];
	sysenter.w[KL_W_SYSENTER_EIP] = (u32)all.w[KL_W_SYSENTER_EIP];
	kl_observe_seen(&r, &sysenter, KVM_LSTAR_SOURCE_SAMPLE);
	KL_CHECK(!r.changed && r.w_first[KL_W_SYSENTER_EIP] == all.w[KL_W_SYSENTER_EIP]);

	/* A new CSTAR within the epoch is a rewrite; LSTAR stays put. */
	kl_observe_seen(&r, &cstar, KVM_LSTAR_SOURCE_INTERCEPT);
	KL_CHECK(r.changed && r.writes == 1 && r.current_val == all.lstar &&
		 r.w_first[KL_W_CSTAR] == all.w[KL_W_CSTAR] && r.w_changed == KL_SEEN_W(KL_W_CSTAR));
	kl_observe_seen(&r, &all, KVM_LSTAR_SOURCE_SAMPLE);	/* back: still changed */
	KL_CHECK(r.changed && r.w_first[KL_W_CSTAR] == all.w[KL_W_CSTAR]);

	/*
	 * A reboot: LSTAR at 0, CSTAR written before LSTAR (waits for the
	 * epoch), then LSTAR alone.  The window stays open for the missing
	 * SYSENTER_EIP, and shuts after KL_WITNESS_EXITS sampled exits.
	 */
	kl_observe(&r, 0, KVM_LSTAR_SOURCE_SAMPLE);
	KL_CHECK(r.zero_seen && r.skip == 0 && !r.w_window);
	kl_observe_seen(&r, &cstar, KVM_LSTAR_SOURCE_INTERCEPT);
	kl_snapshot(&r, &s, &init_pid_ns, &init_user_ns);
	KL_CHECK(r.w_loose == KL_SEEN_W(KL_W_CSTAR) && s.epoch == 1 && !s.cstar &&
		 s.sysenter_eip == all.w[KL_W_SYSENTER_EIP]);
	kl_observe(&r, 0xffffffff83000000, KVM_LSTAR_SOURCE_INTERCEPT);
	kl_snapshot(&r, &s, &init_pid_ns, &init_user_ns);
	KL_CHECK(s.epoch == 2 && !s.changed && s.cstar == cstar.w[KL_W_CSTAR] &&
		 !s.sysenter_eip && !r.w_loose && !r.w_changed);
	KL_CHECK(r.w_window == KL_WITNESS_EXITS && r.skip == KL_SKIP_NONE);
	sysenter.lstar = 0xffffffff83000000;
	sysenter.w[KL_W_CSTAR] = cstar.w[KL_W_CSTAR];
	sysenter.w[KL_W_SYSENTER_EIP] = 0;
	for (i = 0; i < KL_WITNESS_EXITS - 1; i++)
		kl_observe_seen(&r, &sysenter, KVM_LSTAR_SOURCE_SAMPLE);
	KL_CHECK(r.w_window == 1 && r.skip == KL_SKIP_NONE);
	kl_observe_seen(&r, &sysenter, KVM_LSTAR_SOURCE_SAMPLE);
	KL_CHECK(!r.w_window && r.skip == 0xffffffff83000000 && !r.changed);

	/* A rewrite of LSTAR opens it again; the late witness closes it. */
	kl_observe(&r, 0xffffffff84000000, KVM_LSTAR_SOURCE_INTERCEPT);
	KL_CHECK(r.w_window == KL_WITNESS_EXITS && r.skip == KL_SKIP_NONE);
	sysenter.lstar = 0xffffffff84000000;
	sysenter.w[KL_W_SYSENTER_EIP] = 0xffffffff83000200;
	kl_observe_seen(&r, &sysenter, KVM_LSTAR_SOURCE_SAMPLE);
	KL_CHECK(!r.w_window && r.skip == 0xffffffff84000000 &&
		 r.w_first[KL_W_SYSENTER_EIP] == 0xffffffff83000200);
	cancel_delayed_work_sync(&kl_held_work);
	flush_workqueue(kl_wq);		/* the events hold copies; r can go */
}

/* A vCPU's identity: its exit counter grows, or it is a new vCPU. */
static void kl_st_identity(struct kvm_vcpu *v, struct kvm *kvm, struct kvm *other)
{
	struct kl_vcpu r = { .kvm = kvm, .last_exits = 3 };
	struct kl_refusal f = {};

	v->kvm = kvm;
	v->stat.exits = 4;
	KL_CHECK(!kl_record_stale(&r, v) && r.last_exits == 4);
	KL_CHECK(kl_record_stale(&r, v));	/* did not grow: a new vCPU */
	v->stat.exits = 1;
	KL_CHECK(kl_record_stale(&r, v));
	v->stat.exits = 9;
	v->kvm = other;
	KL_CHECK(kl_record_stale(&r, v));
	v->kvm = kvm;

	kl_refusal_set(&f, v, 7);
	KL_CHECK(!kl_refusal_of(&f, v));	/* same exit: not seen again */
	v->stat.exits = 10;
	KL_CHECK(kl_refusal_of(&f, v) && f.exits == 10);
	v->stat.exits = 2;			/* a new vCPU at that address */
	KL_CHECK(!kl_refusal_of(&f, v));
	v->stat.exits = 11;
	v->kvm = other;
	KL_CHECK(!kl_refusal_of(&f, v));
	v->kvm = kvm;
}

/*
 * kl_record_find_task() while a record moves to another bucket: the walk
 * of bucket A is carried into bucket B's chain, ends on B's nulls value,
 * and must walk A again, where the task's record is.
 */
static void kl_st_task_retry(void)
{
	struct kl_vcpu mover = {}, mine = {};
	const void *task = (void *)0xffff888012345000UL, *other;
	unsigned long a = kl_task_slot(task), b;

	for (other = task + 64; kl_task_slot(other) == a; other += 64)
		;
	b = kl_task_slot(other);
	spin_lock(&kl_lock);
	mover.task = other;
	hlist_nulls_add_head_rcu(&mover.task_node, &kl_task_hash[b]);
	mine.task = task;
	hlist_nulls_add_head_rcu(&mine.task_node, &kl_task_hash[a]);
	/* The moment of the move: A's walk reaches the record now in B. */
	kl_st_bucket = &kl_task_hash[a];
	kl_st_real = kl_task_hash[a].first;
	WRITE_ONCE(kl_task_hash[a].first, &mover.task_node);
	kl_st_retries = 0;
	rcu_read_lock();
	KL_CHECK(kl_record_find_task(task) == &mine);
	KL_CHECK(kl_st_retries == 1);
	KL_CHECK(kl_record_find_task(other) == &mover && kl_st_retries == 1);
	rcu_read_unlock();
	hlist_nulls_del_rcu(&mine.task_node);
	hlist_nulls_del_rcu(&mover.task_node);
	spin_unlock(&kl_lock);
	synchronize_rcu();
}

/*
 * test_fill=N (test builds only): N synthetic records, in VMs of up to
 * KL_FILL_VCPUS vCPUs owned by root with init as their VMM, so that they
 * stay live, each captured once.  make bench's flood step times another
 * VM's exits beside 65536 of them, more than the bench VM could hold as
 * real vCPUs.  Their keys are user-space addresses, which no struct kvm
 * or struct kvm_vcpu has; CLEAR drops them as any other record.
 */
#define KL_FILL_VCPUS	64
#define KL_FILL_BASE	0x100000000000UL

static unsigned long kl_fill_keys;	/* keys handed out (kernel_param_lock) */

static const void *kl_fill_key(void)
{
	return (const void *)(KL_FILL_BASE + kl_fill_keys++ * L1_CACHE_BYTES);
}

static struct kl_vcpu *kl_fill_record(const void *kvm, u32 vcpu_id)
{
	struct kl_vcpu *r = kl_record_alloc(kl_fill_key(), kvm, vcpu_id, GFP_KERNEL);

	if (!r)
		return NULL;
	r->first = 0xffffffff81000000UL + ((kl_fill_keys & 0xff) << 21);
	r->current_val = r->first;
	r->skip = r->first;
	r->captured_ns = ktime_get_boottime_ns();
	r->epoch = 1;
	r->writes = 1;
	r->captured = true;
	r->source = KVM_LSTAR_SOURCE_SAMPLE;
	return r;
}

/* One synthetic VM of @n records, all or none. */
static int kl_fill_vm(struct pid *init, unsigned int n)
{
	unsigned int quota = READ_ONCE(kl_max_records_per_uid);
	struct kl_vcpu *r[KL_FILL_VCPUS] = {};
	struct kl_owner *o, *spare_o;
	struct kl_vm *vm;
	const void *kvm = kl_fill_key();
	unsigned int i = 0;
	int err = -ENOMEM;

	vm = kzalloc(sizeof(*vm), GFP_KERNEL);
	spare_o = kzalloc(sizeof(*spare_o), GFP_KERNEL);
	if (!vm || !spare_o)
		goto free;
	for (i = 0; i < n; i++) {
		r[i] = kl_fill_record(kvm, i);
		if (!r[i]) {
			i = 0;
			goto free;
		}
	}

	spin_lock(&kl_lock);
	o = kl_owner_get(GLOBAL_ROOT_UID, &spare_o);
	i = 0;		/* from here: the records the table took */
	if (kl_nr_records + n > READ_ONCE(kl_max_records) ||
	    (quota && o->nr_records + n > quota)) {
		err = -ENOSPC;
	} else if (!kl_vm_add(vm, kvm, pid_nr(init), init, o)) {
		/* A failed add unlinks a VM left empty: it is the table's now. */
		for (; i < n; i++)
			if (kl_record_add(r[i], vm))
				break;
		vm = NULL;
		err = i == n ? 0 : -ENOMEM;
	}
	kl_owner_put(o);	/* if nothing came of it */
	spin_unlock(&kl_lock);
free:
	while (i < n)	/* those not in the table */
		kfree(r[i++]);
	kfree(vm);
	kfree(spare_o);
	return err;
}

static int kl_test_fill_set(const char *val, const struct kernel_param *kp)
{
	unsigned int n, done;
	struct pid *init;
	int err = kstrtouint(val, 0, &n);

	if (err || !n || n > READ_ONCE(kl_max_records)) {
		pr_err("test_fill=%.*s rejected: give a number of records from 1 to max_records (%u)\n",
		       (int)strcspn(val, "\n"), val, READ_ONCE(kl_max_records));
		return -EINVAL;
	}
	if (!kl_ready) {
		pr_err("test_fill: write it once the module is loaded\n");
		return -EBUSY;
	}
	init = find_get_pid(1);
	if (!init)
		return -ESRCH;
	for (done = 0, err = 0; done < n && !err; done += KL_FILL_VCPUS) {
		err = kl_fill_vm(init, min_t(unsigned int, n - done, KL_FILL_VCPUS));
		cond_resched();
	}
	put_pid(init);
	if (err) {
		pr_err("test_fill=%u: stopped before record %u: %s\n", n, done - KL_FILL_VCPUS,
		       err == -ENOSPC ? "max_records or max_records_per_uid reached" : "out of memory");
		return err;
	}
	return 0;
}

static const struct kernel_param_ops kl_test_fill_ops = {
	.set = kl_test_fill_set,
};
module_param_cb(test_fill, &kl_test_fill_ops, NULL, 0200);
MODULE_PARM_DESC(test_fill, "test builds only: add this many synthetic live records of root's, for make bench");

static struct kl_vcpu *kl_st_find(struct kvm_vcpu *v)
{
	struct kl_vcpu *r;

	rcu_read_lock();
	v->stat.exits++;
	r = kl_record_find(v);
	rcu_read_unlock();
	return r;
}

/*
 * The table itself: first sight, the cache, a vCPU address reused by a
 * new VM, the per-uid quota with its evictions, refusals counted once.
 */
static void kl_st_table(struct kvm_vcpu *v, struct kvm *kvm, struct kvm *kvm2)
{
	struct kvm_vcpu *w = v + 1, *x = v + 2;
	struct kl_vcpu *r, *r2;
	unsigned int n;
	struct pid *pid;
	u32 vm1;
	s64 ref, ev;

	kvm->userspace_pid = task_pid_nr(current);
	kvm2->userspace_pid = task_pid_nr(current);
	v->kvm = kvm;
	v->vcpu_id = 0;
	v->stat.exits = 0;
	r = kl_st_find(v);
	KL_CHECK(r && r->vcpu == v && r->vm->tgid == task_tgid_nr(current) &&
		 uid_eq(r->vm->uid, current_uid()));
	if (!r)
		return;
	vm1 = r->vm->id;
	KL_CHECK(kl_st_find(v) == r);
	w->kvm = kvm;
	w->vcpu_id = 1;
	r2 = kl_st_find(w);
	KL_CHECK(r2 && r2->vm->id == vm1);	/* same VM, second vCPU */

	/* The VM is destroyed, a new one's vCPU 0 lands at v. */
	v->stat.exits = 0;
	r = kl_st_find(v);
	KL_CHECK(r && r->vm->id != vm1);
	KL_CHECK(r2->vm->gone && !r2->hashed);	/* its whole VM went */

	/* A quota of 1: uid's gone VM goes first, then the vCPU is refused. */
	WRITE_ONCE(kl_max_records_per_uid, 1);
	ref = atomic64_read(&kl_refused);
	ev = atomic64_read(&kl_evictions);
	x->kvm = kvm2;
	x->vcpu_id = 0;
	KL_CHECK(!kl_st_find(x));
	KL_CHECK(atomic64_read(&kl_evictions) == ev + 2);
	KL_CHECK(atomic64_read(&kl_refused) == ref + 1);
	KL_CHECK(!kl_st_find(x) && !kl_st_find(x));
	KL_CHECK(atomic64_read(&kl_refused) == ref + 1);	/* once */
	WRITE_ONCE(kl_max_records_per_uid, 0);
	kernel_param_lock(THIS_MODULE);
	kl_records_trim();	/* limits changed: refusals are retried */
	kernel_param_unlock(THIS_MODULE);
	KL_CHECK(kl_st_find(x) != NULL);
	KL_CHECK(atomic64_read(&kl_refused) == ref + 1);

	/* Synthetic records (test_fill): live, captured, not refused vCPUs. */
	n = READ_ONCE(kl_nr_records);
	pid = find_get_pid(1);
	KL_CHECK(pid && !kl_fill_vm(pid, 3) && READ_ONCE(kl_nr_records) == n + 3);
	WRITE_ONCE(kl_max_records_per_uid, 1);
	KL_CHECK(pid && kl_fill_vm(pid, 2) == -ENOSPC && READ_ONCE(kl_nr_records) == n + 3);
	WRITE_ONCE(kl_max_records_per_uid, 0);
	put_pid(pid);
	rcu_read_lock();
	r = kl_seq_next(kl_seq - 1);
	KL_CHECK(r && r->captured && r->vm->tgid == 1 && !r->vm->gone &&
		 uid_eq(r->vm->uid, GLOBAL_ROOT_UID) && r->vcpu_id == 2);
	rcu_read_unlock();

	kl_clear(NULL);
	rcu_read_lock();
	KL_CHECK(!READ_ONCE(kl_nr_records) && !READ_ONCE(kl_nr_vms) &&
		 !kl_owner_find(current_uid()) && !kl_owner_find(GLOBAL_ROOT_UID));
	rcu_read_unlock();
	flush_workqueue(kl_wq);	/* gone events, before their records go */
	rcu_barrier();
}

/*
 * Refused vCPUs whose addresses hash alike are each counted once: with one
 * slot per hash they took it from each other at every exit, and every
 * exit counted.  Two such addresses among 64 (256 sets) are all but sure.
 */
static void kl_st_refusal_ways(struct kvm *kvm)
{
	struct kvm_vcpu *vs = kvcalloc(64, sizeof(*vs), GFP_KERNEL);
	struct kvm_vcpu *a = NULL, *b = NULL, *c;
	int i, j, k;
	s64 ref;

	if (!vs)
		return;
	for (i = 0; i < 64 && !b; i++)
		for (j = i + 1; j < 64 && !b; j++)
			if (hash_ptr(&vs[i], KL_REFUSAL_BITS) == hash_ptr(&vs[j], KL_REFUSAL_BITS)) {
				a = &vs[i];
				b = &vs[j];
			}
	c = a == &vs[0] ? &vs[63] : &vs[0];
	if (b && c != b) {
		a->kvm = b->kvm = c->kvm = kvm;
		a->vcpu_id = 1;
		b->vcpu_id = 2;
		WRITE_ONCE(kl_max_records_per_uid, 1);
		KL_CHECK(kl_st_find(c) != NULL);	/* the uid's one record */
		ref = atomic64_read(&kl_refused);
		for (k = 0; k < 8; k++)
			KL_CHECK(!kl_st_find(a) && !kl_st_find(b));
		KL_CHECK(atomic64_read(&kl_refused) == ref + 2);
		WRITE_ONCE(kl_max_records_per_uid, 0);
		kernel_param_lock(THIS_MODULE);
		kl_records_trim();
		kernel_param_unlock(THIS_MODULE);
		kl_clear(NULL);
		flush_workqueue(kl_wq);
		rcu_barrier();
	}
	kvfree(vs);
}

int kl_selftest(void)
{
	struct kvm_vcpu *v = kvcalloc(3, sizeof(*v), GFP_KERNEL);
	struct kvm *kvm = kvzalloc(sizeof(*kvm), GFP_KERNEL);
	struct kvm *kvm2 = kvzalloc(sizeof(*kvm2), GFP_KERNEL);
	s64 refused = atomic64_read(&kl_refused);
	s64 evictions = atomic64_read(&kl_evictions);
	s64 lost = atomic64_read(&kl_events_lost);
	int err = 0;

	if (!v || !kvm || !kvm2) {
		err = -ENOMEM;
		goto out;
	}
	kl_st_observe();
	kl_st_witnesses();
	kl_st_identity(v, kvm, kvm2);
	kl_st_task_retry();
	kl_st_table(v, kvm, kvm2);
	kl_st_refusal_ways(kvm2);
	/* What users see starts from zero. */
	atomic64_set(&kl_refused, refused);
	atomic64_set(&kl_evictions, evictions);
	atomic64_set(&kl_events_lost, lost);
	if (kl_st_fail) {
		pr_err("selftest: %u passed, %u failed\n", kl_st_pass, kl_st_fail);
		err = -EINVAL;
	} else {
		pr_info("selftest: %u passed, 0 failed\n", kl_st_pass);
	}
out:
	kvfree(v);
	kvfree(kvm);
	kvfree(kvm2);
	return err;
}
