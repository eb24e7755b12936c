/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kvm_lstar: internal interfaces of the module.
 *
 * Records: one struct kl_vcpu per (VM, vCPU), one struct kl_vm per VM.
 * All records sit on kl_records (creation order, for the dump cursor) and
 * in a hash keyed by the struct kvm_vcpu address.  kl_lock guards every
 * list and table change; the capture hot path takes no shared lock: it
 * finds its record through a per-CPU cache or an RCU hash lookup and
 * compares one value.  Records are freed by RCU.
 *
 * struct kvm and struct kvm_vcpu pointers are keys only: they are
 * dereferenced solely inside the tracepoint probe that was handed them.
 */
#ifndef KVM_LSTAR_H
#define KVM_LSTAR_H

#include <linux/kvm_host.h>
#include <linux/list.h>
#include <linux/list_nulls.h>
#include <linux/rculist.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/uidgid.h>
#include <linux/kvm_lstar.h>

#ifndef KVM_LSTAR_VERSION
#define KVM_LSTAR_VERSION "unknown"
#endif

struct kl_vm {
	struct list_head node;		/* on kl_vms */
	const void *kvm;		/* key only */
	struct pid *pid;		/* reference: tells when the VMM is gone */
	u32 id;				/* never reused while loaded */
	pid_t tgid;
	kuid_t uid;
	bool gone;
	unsigned int nr_records;
	struct rcu_head rcu;
};

struct kl_vcpu {
	/* What the probes read on every exit, together in one cache line. */
	const void *vcpu;		/* key only */
	const void *kvm;		/* key only: the VM it was first seen in */
	const void *task;		/* key only: task that last exited it */
	struct vmcb *vmcb;		/* validated vmcb01, or NULL */
	u64 last_exits;			/* vcpu->stat.exits at last sight */
	u64 current_val;		/* latest value; READ_ONCE()d by the probes */
	u32 vcpu_id;
	bool hashed;			/* findable by vcpu (kl_lock) */

	struct kl_vm *vm;
	u64 seq;			/* creation order, for dumps */
	struct hlist_node node;		/* in the vcpu hash while hashed */
	struct hlist_nulls_node task_node; /* in the task hash while task is set */
	struct list_head list;		/* on kl_records */

	/* Capture state: lock for writers, snapshot for readers. */
	spinlock_t lock;
	u64 first;
	u64 captured_ns;
	u32 epoch;
	u32 writes;
	bool captured;			/* this epoch has a first value */
	bool zero_seen;			/* LSTAR seen back at 0 since then */
	bool changed;
	u8 source;

	struct rcu_head rcu;
};

/* A consistent copy of one record, for netlink. */
struct kl_snap {
	u64 first, current_val, captured_ns;
	u32 vm, pid, vcpu, epoch, writes, uid;
	bool changed, gone, captured;
	u8 source;
};

struct kl_stats {
	u32 records;
	u32 vms;
	u64 evictions;
	u64 alloc_fails;
	u64 refused;
	u64 events_lost;
};

/* main.c */
extern unsigned int kl_max_records;

/* records.c */
int kl_records_init(void);
void kl_records_exit(void);
struct kl_vcpu *kl_record_find(struct kvm_vcpu *vcpu);
void kl_record_note_task(struct kl_vcpu *r);
struct kl_vcpu *kl_record_find_task(const void *task);
void kl_observe(struct kl_vcpu *r, u64 val, u8 source);
void kl_snapshot(const struct kl_vcpu *r, struct kl_snap *s);
bool kl_visible(const struct kl_vcpu *r, kuid_t uid, bool admin);
void kl_get_stats(struct kl_stats *st, kuid_t uid, bool admin);
void kl_count_events_lost(void);
void kl_records_start(void);
void kl_records_stop(void);

typedef bool (*kl_match_fn)(const struct kl_vcpu *r, const void *arg);
int kl_clear(kl_match_fn match, const void *arg);
extern spinlock_t kl_lock;
extern struct list_head kl_records;
extern atomic_long_t kl_dump_gen;
extern unsigned long kl_unlinks;
extern struct workqueue_struct *kl_wq;

/* capture.c */
int kl_capture_init(void);
void kl_capture_exit(void);
struct vmcb *kl_svm_vmcb01(struct kvm_vcpu *vcpu);
u8 kl_svm_state(void);
u8 kl_intercept_state(void);
const char *kl_path_reason(void);
void kl_svm_disable(const char *why);

/* netlink.c */
int kl_netlink_init(void);
void kl_netlink_exit(void);
void kl_notify(const struct kl_vcpu *r, u8 event);

#endif /* KVM_LSTAR_H */
