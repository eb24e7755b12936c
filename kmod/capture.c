// SPDX-License-Identifier: GPL-2.0
/*
 * kvm_lstar: the two capture paths.
 *
 * Intercept (Intel VMX, and KVM's instruction emulator everywhere): the
 * kvm_msr tracepoint fires after a successful guest WRMSR that KVM
 * handled.  It carries no vCPU, so kvm_exit remembers which vCPU each
 * task last exited from.
 *
 * Sample (AMD SVM): LSTAR is passed through, so no write is seen.  The
 * guest value sits in vmcb01's save area, current after the VMSAVE that
 * follows every VMRUN, and kvm_exit reads it there.  struct vcpu_svm is
 * private to kvm-amd; its first members are relied on only after the
 * layout check in kl_svm_vmcb01() passes.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/tracepoint.h>
#include <asm/cpufeature.h>
#include <asm/msr-index.h>
#include <asm/svm.h>
#include "kvm_lstar.h"
#include "compat.h"

/* The head of struct vcpu_svm (arch/x86/kvm/svm/svm.h), 6.1 to 7.2. */
struct kl_svm_head {
	struct kvm_vcpu vcpu;
	struct vmcb *vmcb;
	struct {
		struct vmcb *ptr;
		unsigned long pa;
	} vmcb01;
};

static u8 kl_svm = KVM_LSTAR_PATH_OFF;
static u8 kl_intercept = KVM_LSTAR_PATH_OFF;
static char kl_reason[128];
static DEFINE_SPINLOCK(kl_reason_lock);

u8 kl_svm_state(void)
{
	return READ_ONCE(kl_svm);
}

u8 kl_intercept_state(void)
{
	return READ_ONCE(kl_intercept);
}

const char *kl_path_reason(void)
{
	return kl_reason;
}

void kl_svm_disable(const char *why)
{
	unsigned long flags;

	spin_lock_irqsave(&kl_reason_lock, flags);
	if (kl_svm == KVM_LSTAR_PATH_ACTIVE) {
		WRITE_ONCE(kl_svm, KVM_LSTAR_PATH_DISABLED);
		strscpy(kl_reason, why, sizeof(kl_reason));
		pr_warn("SVM sampling disabled: %s\n", why);
	}
	spin_unlock_irqrestore(&kl_reason_lock, flags);
}

/*
 * vmcb01 of an SVM vCPU, or NULL.  Trust the mirrored layout only when the
 * pointer is a page-aligned direct-map address whose physical address is
 * the one stored beside it; anything else turns the sampler off for good.
 */
struct vmcb *kl_svm_vmcb01(struct kvm_vcpu *vcpu)
{
	struct kl_svm_head *h;
	struct vmcb *p;
	unsigned long pa;

	if (kl_svm_state() != KVM_LSTAR_PATH_ACTIVE)
		return NULL;
	h = container_of(vcpu, struct kl_svm_head, vcpu);
	p = READ_ONCE(h->vmcb01.ptr);
	pa = READ_ONCE(h->vmcb01.pa);
	if (!p || !PAGE_ALIGNED(p) || !virt_addr_valid(p) || __pa(p) != pa) {
		kl_svm_disable("struct vcpu_svm layout check failed (vmcb01 pointer/pa mismatch)");
		return NULL;
	}
	return p;
}

static void kl_probe_exit(void *data, struct kvm_vcpu *vcpu, u32 isa)
{
	struct kl_vcpu *r = kl_record_find(vcpu);
	u64 lstar;

	if (unlikely(!r))
		return;
	if (unlikely(READ_ONCE(r->task) != current))
		kl_record_note_task(r);
	/*
	 * While L1 runs its own nested guest, vmcb01 holds L2's LSTAR; a
	 * protected (SEV-ES/SNP) save area holds no readable value.
	 */
	if (!r->vmcb || (vcpu->arch.hflags & HF_GUEST_MASK) ||
	    vcpu->arch.guest_state_protected)
		return;
	lstar = READ_ONCE(r->vmcb->save.lstar);
	if (likely(lstar == READ_ONCE(r->current_val)))
		return;
	kl_observe(r, lstar, KVM_LSTAR_SOURCE_SAMPLE);
}

static void kl_probe_msr(void *data, unsigned int write, u32 ecx, u64 val,
			 bool exception)
{
	struct kl_vcpu *r;

	if (likely(ecx != MSR_LSTAR || !write || exception))
		return;
	r = kl_record_find_task(current);
	if (r)
		kl_observe(r, val, KVM_LSTAR_SOURCE_INTERCEPT);
}

int kl_capture_init(void)
{
	int err;

	kl_intercept = KVM_LSTAR_PATH_ACTIVE;
	if (boot_cpu_has(X86_FEATURE_SVM)) {
		kl_svm = KVM_LSTAR_PATH_ACTIVE;
	} else {
		kl_svm = KVM_LSTAR_PATH_OFF;
		strscpy(kl_reason, "host CPU has no SVM: capture at intercepted writes only",
			sizeof(kl_reason));
	}

	err = tracepoint_probe_register(&__tracepoint_kvm_exit, kl_probe_exit, NULL);
	if (err) {
		pr_err("cannot attach to tracepoint kvm_exit: %d\n", err);
		return err;
	}
	err = tracepoint_probe_register(&__tracepoint_kvm_msr, kl_probe_msr, NULL);
	if (err) {
		pr_err("cannot attach to tracepoint kvm_msr: %d\n", err);
		tracepoint_probe_unregister(&__tracepoint_kvm_exit, kl_probe_exit, NULL);
		tracepoint_synchronize_unregister();
		return err;
	}
	return 0;
}

void kl_capture_exit(void)
{
	tracepoint_probe_unregister(&__tracepoint_kvm_msr, kl_probe_msr, NULL);
	tracepoint_probe_unregister(&__tracepoint_kvm_exit, kl_probe_exit, NULL);
	/* No probe runs, nor will: records can go. */
	tracepoint_synchronize_unregister();
}
