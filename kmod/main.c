// SPDX-License-Identifier: GPL-2.0
/*
 * kvm_lstar: record every KVM guest's first MSR_LSTAR write per vCPU and
 * serve the records over generic netlink, so host tools learn where each
 * guest kernel's entry_SYSCALL_64 (and so its KASLR offset) is, without
 * the VMM's help and without pausing the guest.
 *
 * Records flow capture.c -> records.c -> netlink.c (kvm_lstar.h says who
 * calls whom); this file holds the module parameters and the whole start
 * and stop order, and no other file starts anything on its own.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/moduleparam.h>
#include "kvm_lstar.h"

#define KL_MIN_RECORDS	16
#define KL_MAX_RECORDS	(1U << 22)

unsigned int kl_max_records = 65536;
unsigned int kl_max_records_per_uid;

/* A count parameter within [min, KL_MAX_RECORDS]; 0 too when @zero_ok. */
static int kl_set_count(const char *val, const struct kernel_param *kp,
			unsigned int min, bool zero_ok)
{
	unsigned int n;
	int err = kstrtouint(val, 0, &n);

	if (err || (n < min && !(zero_ok && !n)) || n > KL_MAX_RECORDS) {
		/* A sysfs write brings its newline: keep the message one line. */
		pr_err("%s=%.*s rejected: give a number from %u to %u%s\n",
		       kp->name, (int)strcspn(val, "\n"), val, min, KL_MAX_RECORDS,
		       zero_ok ? ", or 0 for no limit" : "");
		return -EINVAL;
	}
	WRITE_ONCE(*(unsigned int *)kp->arg, n);
	/* Evict down to a lower limit; refused vCPUs may try again. */
	kl_records_trim();
	return 0;
}

static int kl_set_max_records(const char *val, const struct kernel_param *kp)
{
	return kl_set_count(val, kp, KL_MIN_RECORDS, false);
}

static int kl_set_max_per_uid(const char *val, const struct kernel_param *kp)
{
	return kl_set_count(val, kp, 1, true);
}

static const struct kernel_param_ops kl_max_records_ops = {
	.set = kl_set_max_records,
	.get = param_get_uint,
};
module_param_cb(max_records, &kl_max_records_ops, &kl_max_records, 0644);
MODULE_PARM_DESC(max_records,
		 "most (VM, vCPU) records kept; when full, gone VMs are evicted first (16..4194304, default 65536)");

static const struct kernel_param_ops kl_max_per_uid_ops = {
	.set = kl_set_max_per_uid,
	.get = param_get_uint,
};
module_param_cb(max_records_per_uid, &kl_max_per_uid_ops, &kl_max_records_per_uid, 0644);
MODULE_PARM_DESC(max_records_per_uid,
		 "most records the VMs of one uid may hold; at the limit that uid's gone VMs are evicted first (1..4194304, 0: no limit, the default)");

/*
 * The whole start order, consumers before producers, so that nothing is
 * handed to a step that is not running yet:
 *  1. records.c's tables and workqueue, which every later step uses.
 *  2. The netlink family: requests read the table from here on.
 *  3. The event sender, netlink.c's work item: records.c's ring has its
 *     consumer before anything can queue an event.
 *  4. The gone-VM scan, whose gone events are the first that can come.
 *  5. The self-tests (test builds only): the table and the event path,
 *     before any real vCPU is recorded; a failed check fails the load.
 *  6. The probes, last: from here every exit may add a record and queue
 *     events.
 * kl_exit() undoes it in reverse, and so does each error path from the
 * step that failed.
 */
static int __init kl_init(void)
{
	int err;

	err = kl_records_init();
	if (err)
		return err;
	err = kl_netlink_init();
	if (err) {
		pr_err("cannot register generic netlink family %s: %d\n",
		       KVM_LSTAR_GENL_NAME, err);
		goto free_records;
	}
	kl_netlink_start();
	kl_records_start();
	err = kl_selftest();
	if (err)
		goto stop;
	err = kl_probes_attach();	/* on failure, detached and synchronised */
	if (err)
		goto stop;
	pr_info("version %s loaded: intercept path %s, SVM sample path %s\n",
		KVM_LSTAR_VERSION,
		kl_intercept_state() == KVM_LSTAR_PATH_ACTIVE ? "active" : "off",
		kl_svm_state() == KVM_LSTAR_PATH_ACTIVE ? "active" : "off");
	return 0;

stop:
	/*
	 * Steps 4, 3, 2.  The gone scan and the held-event work queue
	 * events, so they stop before the sender; the sender stops before
	 * the family it multicasts to goes.
	 */
	kl_records_stop();
	kl_netlink_stop();
	kl_netlink_exit();
free_records:
	/* Step 1: frees the records, and rcu_barrier()s their RCU callbacks. */
	kl_records_exit();
	return err;
}

static void __exit kl_exit(void)
{
	/*
	 * Step 6 first, with tracepoint_synchronize_unregister() in
	 * kl_probes_detach(): no probe runs or will, so nothing adds a
	 * record or queues an event from a vCPU; then steps 4 to 1, as on
	 * kl_init()'s error path.
	 */
	kl_probes_detach();
	kl_records_stop();
	kl_netlink_stop();
	kl_netlink_exit();
	kl_records_exit();
	pr_info("unloaded\n");
}

module_init(kl_init);
module_exit(kl_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Capture KVM guests' MSR_LSTAR writes (guest KASLR offset) and serve them over generic netlink");
MODULE_VERSION(KVM_LSTAR_VERSION);
