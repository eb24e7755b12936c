/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kvm_lstar: internal interfaces of the module.
 *
 * Records: one struct kl_vcpu per (VM, vCPU), one struct kl_vm per VM, one
 * struct kl_owner per uid that has records.  kl_lock guards every list and
 * table change, and each change under it is O(1) or bounded by one VM's
 * vCPUs.  Readers never take kl_lock: the capture probes find their record
 * through a per-CPU cache or an RCU hash lookup, netlink walks RCU lists
 * (one VM's records, one uid's records, or the table by creation number).
 * Records, VMs and owners are freed by RCU.
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

struct pid_namespace;
struct user_namespace;

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

struct kl_vcpu {
	/* What the probes read on every exit, together in one cache line. */
	const void *vcpu;		/* key only */
	const void *kvm;		/* key only: the VM it was first seen in */
	const void *task;		/* key only: task that last exited it */
	struct vmcb *vmcb;		/* this vCPU's vmcb01 as last validated */
	u64 last_exits;			/* vcpu->stat.exits at last sight */
	u64 current_val;		/* latest value; READ_ONCE()d by the probes */
	u32 vcpu_id;
	bool hashed;			/* findable by vcpu (kl_lock) */

	struct kl_vm *vm;
	u64 seq;			/* creation order: dump cursor, index */
	struct hlist_node node;		/* in the vcpu hash while hashed */
	struct hlist_nulls_node task_node; /* in the task hash while task is set */
	struct list_head vm_node;	/* on vm->records (RCU) */
	struct list_head owner_node;	/* on vm->owner->records (RCU) */

	/* Capture state: lock for writers, snapshot for readers. */
	spinlock_t lock;
	u64 first;
	u64 captured_ns;
	u32 epoch;
	u32 writes;
	bool captured;			/* this epoch has a first value */
	bool zero_seen;			/* LSTAR seen back at 0 since then */
	bool changed;
	bool hypervisor;		/* its guest enabled SVM/VMX this epoch */
	bool hv_now;			/* ... and has it on now (for kvm_msr) */
	u8 unavailable;			/* enum kvm_lstar_unavailable, for good */
	u8 source;
	unsigned long ev_window;	/* jiffies: start of the event budget */
	unsigned int ev_count;		/* events sent in that window */
	u8 ev_held;			/* over budget: the event to send later */

	/* On kl_held while an event is held (kl_held_lock). */
	struct list_head held_node;
	bool unlinked;			/* freed after a grace period: never held again */

	struct rcu_head rcu;
};

/* A consistent copy of one record, for netlink. */
struct kl_snap {
	u64 first, current_val, captured_ns;
	u32 vm, pid, vcpu, epoch, writes, uid;
	bool changed, gone, captured, hypervisor;
	u8 unavailable;
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
extern unsigned int kl_max_records_per_uid;

/* records.c */
int kl_records_init(void);
void kl_records_exit(void);
void kl_records_trim(void);
struct kl_vcpu *kl_record_find(struct kvm_vcpu *vcpu);
void kl_record_note_task(struct kl_vcpu *r);
struct kl_vcpu *kl_record_find_task(const void *task);
void kl_observe(struct kl_vcpu *r, u64 val, u8 source);
void kl_note_unavailable(struct kl_vcpu *r, u8 why);
void kl_snapshot(const struct kl_vcpu *r, struct kl_snap *s,
		 struct pid_namespace *pid_ns, struct user_namespace *user_ns);
bool kl_visible(const struct kl_vcpu *r, kuid_t uid, bool admin);
struct kl_owner *kl_owner_find(kuid_t uid);
struct kl_vm *kl_vm_find(u32 id);
struct kl_vcpu *kl_record_next(u64 after);
void kl_get_stats(struct kl_stats *st, kuid_t uid, bool admin);
void kl_count_events_lost(void);
void kl_records_start(void);
void kl_records_stop(void);

typedef bool (*kl_match_fn)(const struct kl_vcpu *r, const void *arg);
void kl_clear(kl_match_fn match, const void *arg);
extern atomic_long_t kl_dump_gen;
extern struct workqueue_struct *kl_wq;

#ifdef KL_SELFTEST
int kl_selftest(void);	/* selftest.c, in records.c */
#else
static inline int kl_selftest(void) { return 0; }
#endif

/* capture.c */
int kl_capture_init(void);
void kl_capture_exit(void);
u8 kl_svm_state(void);
u8 kl_intercept_state(void);
#define KL_REASON_LEN 128
void kl_path_reason(char *buf, size_t len);
void kl_svm_disable(const char *why);

/* netlink.c */
int kl_netlink_init(void);
void kl_netlink_exit(void);
bool kl_notify(const struct kl_vcpu *r, u8 event);

#endif /* KVM_LSTAR_H */
