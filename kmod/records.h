/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kvm_lstar: the record, for records.c and the probes of capture.c.
 *
 * capture.c hands records.c what it saw of a vCPU (its LSTAR, whether its
 * guest is protected or a hypervisor) through the functions below; the
 * probes read a few fields of their record without a call, on every exit,
 * and keep two of their own in it (vmcb, hv_now), which records.c only
 * zeroes.  netlink.c does not include this: it has kvm_lstar.h's opaque
 * handle and snapshots.
 *
 * struct kvm and struct kvm_vcpu pointers are keys only: they are
 * dereferenced solely inside the tracepoint probe that was handed them.
 */
#ifndef KVM_LSTAR_RECORDS_H
#define KVM_LSTAR_RECORDS_H

#include <linux/bits.h>
#include <linux/list.h>
#include <linux/list_nulls.h>
#include <linux/percpu-defs.h>
#include <linux/rcupdate.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include "kvm_lstar.h"

struct kvm_vcpu;
struct kl_vm;
struct vmcb;

/*
 * The MSRs besides LSTAR that syscall_init() points at kernel text (the
 * witnesses): kept per epoch, read by the sampler only in the window that
 * follows a new LSTAR value.  A fourth (FRED's MSR_IA32_FRED_CONFIG) goes
 * at the end once KVM gives FRED to guests.
 */
enum kl_witness {
	KL_W_CSTAR,
	KL_W_SYSENTER_EIP,
	KL_W_NR,
};

/* What a probe saw: some of LSTAR and the witnesses (@has says which). */
struct kl_seen {
	u64 lstar;
	u64 w[KL_W_NR];
	u8 has;				/* KL_SEEN_LSTAR | KL_SEEN_W(i) */
};
#define KL_SEEN_LSTAR	BIT(KL_W_NR)
#define KL_SEEN_W(i)	BIT(i)
#define KL_SEEN_ALL	(KL_SEEN_LSTAR | (KL_SEEN_LSTAR - 1))

struct kl_vcpu {
	/*
	 * What the exit probe reads on every exit, and the one field it
	 * writes (last_exits), alone in the first cache line: no netlink
	 * walk reads them, so a dump does not pull the line from the CPU
	 * that runs the vCPU.
	 */
	const void *vcpu;		/* key only */
	const void *kvm;		/* key only: the VM it was first seen in */
	const void *task;		/* key only: task that last exited it */
	struct vmcb *vmcb;		/* this vCPU's vmcb01 as last validated */
	u64 last_exits;			/* vcpu->stat.exits at last sight */
	u64 skip;			/* LSTAR the sampler skips: kl_skip_set() */
	bool hashed;			/* findable by vcpu (kl_lock) */
	bool hv_now;			/* its guest is a hypervisor now (kvm_msr) */
	/* The rest of the line: what only a capture's event touches. */
	u8 ev_held;			/* over budget: the event to send later */
	unsigned int ev_count;		/* events sent in that window */
	unsigned long ev_window;	/* jiffies: start of the event budget */

	struct kl_vm *vm;
	u64 seq;			/* creation order: dump cursor, index */
	struct hlist_node node;		/* in the vcpu hash while hashed */
	struct hlist_nulls_node task_node; /* in the task hash while task is set */
	struct list_head vm_node;	/* on vm->records (RCU) */
	struct list_head owner_node;	/* on vm->owner->records (RCU) */

	/* Capture state: lock for writers, snapshot for readers. */
	spinlock_t lock;
	u32 vcpu_id;
	u64 first;
	u64 current_val;		/* latest LSTAR value */
	u64 w_first[KL_W_NR];		/* each witness's first value this epoch */
	u64 captured_ns;
	u32 epoch;
	u32 writes;
	bool captured;			/* this epoch has a first value */
	bool zero_seen;			/* LSTAR seen back at 0 since then */
	bool changed;
	bool hypervisor;		/* its guest enabled SVM/VMX this epoch */
	u8 unavailable;			/* enum kvm_lstar_unavailable, for good */
	u8 source;
	/* Here, in a hole: the record stays one kmalloc-256 object. */
	u8 w_loose;			/* KL_SEEN_W(): w_first[] waits for an epoch */
	u8 w_changed;			/* KL_SEEN_W(): rewritten this epoch */
	u8 w_window;			/* sampled exits left to read witnesses in */
	bool unlinked;			/* freed after a grace period: never held again */

	/* On kl_held while an event is held (kl_held_lock). */
	struct list_head held_node;

	struct rcu_head rcu;
};

/*
 * A record is one kmalloc-256 object, where spinlock_t is the plain 4
 * bytes (lock debugging and PREEMPT_RT make it bigger).
 */
static_assert(sizeof(spinlock_t) > 4 || sizeof(struct kl_vcpu) <= 256,
	      "struct kl_vcpu outgrows kmalloc-256");
/* kmalloc-256 objects start on a cache line: the probe's line ends here. */
static_assert(offsetof(struct kl_vcpu, vm) == 64,
	      "struct kl_vcpu: the exit probe's fields are not one cache line");

/*
 * kl_gen changes whenever a record leaves the vcpu hash or the limits
 * change.  It turns every per-CPU cache entry stale at once, and lets a
 * refused vCPU try again.  Read on every exit on every CPU, written
 * rarely: __read_mostly, away from the counters other CPUs bump.
 */
extern unsigned long kl_gen;

/*
 * A refused vCPU, known as a record is (see kl_record_stale()): its
 * address, its VM, and its exit counter, which must grow from one sight to
 * the next, or the address belongs to a new vCPU.
 */
struct kl_refusal {
	const void *vcpu;
	const void *kvm;
	u64 exits;
	unsigned long gen;	/* kl_gen when refused */
};

/*
 * One-entry per-CPU cache in front of the hash: a vCPU thread mostly exits
 * on the same CPU again.  A refused vCPU is cached too (rec NULL, refusal
 * set), so that it does not try again until the table changes.  Written
 * by kl_record_find() only; capture.c's exit fast path reads it.
 */
struct kl_cache {
	const void *vcpu;
	struct kl_vcpu *rec;
	unsigned long gen;
	struct kl_refusal refusal;
};
DECLARE_PER_CPU(struct kl_cache, kl_cache);

/*
 * For the probes, inside rcu_read_lock(): a record stays valid until the
 * caller's rcu_read_unlock().  Atomic context, interrupts maybe off.
 */
struct kl_vcpu *kl_record_find(struct kvm_vcpu *vcpu);
void kl_record_note_task(struct kl_vcpu *r);
struct kl_vcpu *kl_record_find_task(const void *task);
void kl_observe_seen(struct kl_vcpu *r, const struct kl_seen *seen, u8 source);
void kl_observe(struct kl_vcpu *r, u64 lstar, u8 source);
void kl_note_unavailable(struct kl_vcpu *r, u8 why);
void kl_note_hypervisor(struct kl_vcpu *r);

/* What the capture paths can do now, for STATUS (any context). */
void kl_paths_set(u8 intercept, u8 svm, const char *reason);

#endif /* KVM_LSTAR_RECORDS_H */
