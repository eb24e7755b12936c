// SPDX-License-Identifier: GPL-2.0
/*
 * kvm_lstar: record every KVM guest's first MSR_LSTAR write per vCPU and
 * serve the records over generic netlink, so host tools learn where each
 * guest kernel's entry_SYSCALL_64 (and so its KASLR offset) is, without
 * the VMM's help and without pausing the guest.
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
	kl_records_start();
	err = kl_selftest();
	if (err)
		goto unregister;
	err = kl_capture_init();
	if (err)
		goto unregister;
	pr_info("version %s loaded: intercept path %s, SVM sample path %s\n",
		KVM_LSTAR_VERSION,
		kl_intercept_state() == KVM_LSTAR_PATH_ACTIVE ? "active" : "off",
		kl_svm_state() == KVM_LSTAR_PATH_ACTIVE ? "active" : "off");
	return 0;

unregister:
	kl_netlink_exit();
free_records:
	kl_records_exit();
	return err;
}

static void __exit kl_exit(void)
{
	kl_capture_exit();
	kl_netlink_exit();
	kl_records_exit();
	pr_info("unloaded\n");
}

module_init(kl_init);
module_exit(kl_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Capture KVM guests' MSR_LSTAR writes (guest KASLR offset) and serve them over generic netlink");
MODULE_VERSION(KVM_LSTAR_VERSION);
