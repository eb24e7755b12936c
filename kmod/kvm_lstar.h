/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kvm_lstar: internal interfaces of the module.
 *
 * Records flow one way, capture.c -> records.c -> netlink.c.  Both ends
 * call into records.c (capture.c hands it what the probes saw, netlink.c
 * asks it for records and events), records.c calls neither, and netlink.c
 * calls nothing of capture.c: no chain of calls comes back to its file.
 *
 *   capture.c  the probes on kvm_exit and kvm_msr: they find their record
 *              and hand it what they saw (records.h).
 *   records.c  the record table, the capture logic (epochs, rewrites,
 *              event budgets) and the event ring.  It calls neither
 *              neighbour.
 *   netlink.c  the generic netlink family: requests and the event sender
 *              reach records through the functions declared here, with an
 *              opaque handle or a snapshot.  It calls nothing of capture.c.
 *   main.c     the module: its parameters, and the whole start and stop
 *              order.
 */
#ifndef KVM_LSTAR_H
#define KVM_LSTAR_H

#include <linux/types.h>
#include <linux/uidgid.h>
#include <linux/kvm_lstar.h>

#ifndef KVM_LSTAR_VERSION
#define KVM_LSTAR_VERSION "unknown"
#endif

struct pid_namespace;
struct user_namespace;
struct work_struct;

/* One (VM, vCPU) record: opaque outside records.c and capture.c. */
struct kl_vcpu;

/* A consistent copy of one record, for netlink. */
struct kl_snap {
	u64 first, current_val, captured_ns;
	u64 cstar, sysenter_eip;	/* the witnesses' first values */
	u64 seq;			/* creation number: the dump cursor */
	u32 vm, pid, vcpu, epoch, writes, uid;
	bool changed, gone, captured, hypervisor;
	u8 unavailable;
	u8 source;
};

struct kl_stats {
	u32 records;
	u32 vms;
	u32 capacity;			/* max_records */
	u64 evictions;
	u64 alloc_fails;
	u64 refused;
	u64 events_lost;
};

/* What the capture paths can do (enum kvm_lstar_path), and why not. */
#define KL_REASON_LEN 128
struct kl_paths {
	u8 intercept;
	u8 svm;
	char reason[KL_REASON_LEN];
};

/*
 * The records a request names, as its caller may see them: those of VMs
 * whose VMM had the caller's uid, or all for CAP_NET_ADMIN.
 */
struct kl_filter {
	u32 vm, pid;		/* 0: any; pid as the caller's namespace sees it */
	kuid_t uid;
	bool admin;
	struct pid_namespace *pid_ns;	/* the caller's, set at each use */
};

/* An event, as records.c's ring hands it to netlink.c's sender. */
struct kl_event {
	struct kl_snap s;		/* as the initial namespaces see it */
	u8 type;			/* enum kvm_lstar_event */
};

/* main.c */
extern unsigned int kl_max_records;
extern unsigned int kl_max_records_per_uid;

/* records.c: start and stop, for main.c */
int kl_records_init(void);
void kl_records_start(void);
void kl_records_stop(void);
void kl_records_exit(void);
void kl_records_trim(void);

/*
 * records.c, for netlink.c.  The lookups and walks run inside
 * rcu_read_lock(); the record they give stays valid until
 * rcu_read_unlock().
 */
const struct kl_vcpu *kl_record_lookup(const struct kl_filter *f, u32 vcpu);
const struct kl_vcpu *kl_record_first(const struct kl_filter *f, u64 after);
const struct kl_vcpu *kl_record_next(const struct kl_filter *f,
				     const struct kl_vcpu *r);
#define kl_for_each_record(r, f, after)					\
	for ((r) = kl_record_first(f, after); (r); (r) = kl_record_next(f, r))
void kl_snapshot(const struct kl_vcpu *r, struct kl_snap *s,
		 struct pid_namespace *pid_ns, struct user_namespace *user_ns);
unsigned long kl_dump_seq(void);
void kl_get_stats(struct kl_stats *st, kuid_t uid, bool admin);
void kl_get_paths(struct kl_paths *p);
void kl_clear(const struct kl_filter *f);

/* records.c's event ring, for netlink.c's sender */
void kl_events_start(struct work_struct *sender);
void kl_events_stop(void);
bool kl_event_pop(struct kl_event *e);
void kl_count_events_lost(void);

#ifdef KL_SELFTEST
int kl_selftest(void);	/* selftest.c, in records.c */
#else
static inline int kl_selftest(void) { return 0; }
#endif

/* capture.c */
int kl_probes_attach(void);
void kl_probes_detach(void);
u8 kl_svm_state(void);
u8 kl_intercept_state(void);

/* netlink.c */
int kl_netlink_init(void);
void kl_netlink_start(void);
void kl_netlink_stop(void);
void kl_netlink_exit(void);

#endif /* KVM_LSTAR_H */
