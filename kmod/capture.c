// SPDX-License-Identifier: GPL-2.0
/*
 * kvm_lstar: the two capture paths.
 *
 * The start of the one-way chain capture.c -> records.c -> netlink.c: the
 * probes look at the vCPU that exits and hand records.c what they saw
 * (records.h); records.c keeps it and decides what it means.  Nothing
 * here is called by records.c or netlink.c; main.c attaches the probes
 * last and detaches them first.
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
 *
 * Witnesses: syscall_init() writes CSTAR and SYSENTER_EIP right after
 * LSTAR, with addresses that move with the same KASLR offset.  The
 * intercept path sees the writes KVM handles; the sampler reads them from
 * the save area only in the window records.c opens at a new LSTAR value,
 * so an exit costs the one compare it always did.
 *
 * Both probes hold rcu_read_lock() for as long as they use a record: 7.2
 * calls probes under SRCU, preemptible, and kvm_msr fires after KVM has
 * enabled preemption again, so the tracepoint itself keeps no record
 * alive.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kvm_host.h>
#include <linux/mm.h>
#include <linux/tracepoint.h>
#include <asm/cpufeature.h>
#include <asm/msr-index.h>
#include <asm/svm.h>
#include "records.h"
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

static u8 kl_svm __read_mostly = KVM_LSTAR_PATH_OFF;
static u8 kl_intercept = KVM_LSTAR_PATH_OFF;
static DEFINE_SPINLOCK(kl_svm_lock);

u8 kl_svm_state(void)
{
	return READ_ONCE(kl_svm);
}

u8 kl_intercept_state(void)
{
	return READ_ONCE(kl_intercept);
}

/* Turn the sampler off for good, and say why in STATUS (records.c). */
static void kl_svm_disable(const char *why)
{
	unsigned long flags;

	spin_lock_irqsave(&kl_svm_lock, flags);
	if (kl_svm == KVM_LSTAR_PATH_ACTIVE) {
		WRITE_ONCE(kl_svm, KVM_LSTAR_PATH_DISABLED);
		kl_paths_set(kl_intercept, KVM_LSTAR_PATH_DISABLED, why);
		pr_warn("SVM sampling disabled: %s\n", why);
	}
	spin_unlock_irqrestore(&kl_svm_lock, flags);
}

/*
 * vmcb01 of an SVM vCPU, or NULL.  Trust the mirrored layout only when the
 * pointer is a page-aligned direct-map address whose physical address is
 * the one stored beside it; anything else turns the sampler off for good.
 */
static struct vmcb *kl_svm_vmcb01(struct kvm_vcpu *vcpu)
{
	struct kl_svm_head *h = container_of(vcpu, struct kl_svm_head, vcpu);
	struct vmcb *p;
	unsigned long pa;

	p = READ_ONCE(h->vmcb01.ptr);
	pa = READ_ONCE(h->vmcb01.pa);
	if (!p || !PAGE_ALIGNED(p) || !virt_addr_valid(p) || __pa(p) != pa) {
		kl_svm_disable("struct vcpu_svm layout check failed (vmcb01 pointer/pa mismatch)");
		return NULL;
	}
	return p;
}

/*
 * The vmcb01 of the vCPU that exits, read from that live vCPU each time:
 * a record may outlive its vCPU, never its pointer.  The full check runs
 * when the pointer is not the one last validated for this record.
 */
static struct vmcb *kl_vmcb(struct kvm_vcpu *vcpu, struct kl_vcpu *r)
{
	struct vmcb *p;

	if (kl_svm_state() != KVM_LSTAR_PATH_ACTIVE)
		return NULL;
	p = READ_ONCE(container_of(vcpu, struct kl_svm_head, vcpu)->vmcb01.ptr);
	if (likely(p && p == r->vmcb))
		return p;
	p = kl_svm_vmcb01(vcpu);
	r->vmcb = p;
	return p;
}

/*
 * Is @vcpu's guest a hypervisor now?  Then the LSTAR that KVM sees may be
 * its own guest's: on SVM, L2's value reaches vmcb01 (an emulated VMLOAD,
 * or the VMSAVE after VMRUN, whose exit comes before guest mode is set);
 * on VMX an L1 KVM writes L2's value as a user-return MSR.  EFER.SVME and
 * CR4.VMXE are intercepted, so vcpu->arch holds them; Linux sets either
 * only long after its own LSTAR write, and clears both at a reboot.
 */
static bool kl_guest_is_hypervisor(const struct kvm_vcpu *vcpu)
{
	return (vcpu->arch.hflags & HF_GUEST_MASK) ||
	       (READ_ONCE(vcpu->arch.efer) & EFER_SVME) ||
	       (READ_ONCE(vcpu->arch.cr4) & X86_CR4_VMXE);
}

#ifdef KL_SELFTEST
/*
 * Test builds only (KVM_LSTAR_SELFTEST=1, the bench's debug kernel): the
 * vCPUs of VMMs run by this uid count as protected, so that the bench can
 * run what follows a protected vCPU without SEV-ES hardware.  -1: none.
 */
static int kl_test_protected_uid = -1;
module_param_named(test_protected_uid, kl_test_protected_uid, int, 0644);
MODULE_PARM_DESC(test_protected_uid, "test builds only: this uid's vCPUs count as protected (-1: none)");

static bool kl_test_protected(void)
{
	int uid = READ_ONCE(kl_test_protected_uid);

	return uid >= 0 && uid_eq(current_uid(), KUIDT_INIT(uid));
}
#else
static bool kl_test_protected(void)
{
	return false;
}
#endif

/*
 * Does KVM keep @vcpu's state encrypted (SEV-ES, SEV-SNP, and TDX since
 * 6.16)?  Then no save area or intercept shows its LSTAR.  Set before the
 * vCPU first runs (SEV-ES at LAUNCH_UPDATE_VMSA) and never cleared.
 */
static bool kl_guest_is_protected(const struct kvm_vcpu *vcpu)
{
	return vcpu->arch.guest_state_protected || kl_test_protected();
}

/*
 * A sampled exit past the compare: LSTAR differs from the latest value,
 * or the witness window is open.  CSTAR and SYSENTER_EIP sit beside LSTAR
 * in the save area (SYSENTER_EIP's low half only, for an AMD-vendor
 * guest: records.c compares it so).
 */
static noinline void kl_sample(struct kl_vcpu *r, const struct vmcb *vmcb)
{
	struct kl_seen seen = {
		.lstar = READ_ONCE(vmcb->save.lstar),
		.w[KL_W_CSTAR] = READ_ONCE(vmcb->save.cstar),
		.w[KL_W_SYSENTER_EIP] = READ_ONCE(vmcb->save.sysenter_eip),
		.has = KL_SEEN_ALL,
	};

	kl_observe_seen(r, &seen, KVM_LSTAR_SOURCE_SAMPLE);
}

/*
 * The common exit: this CPU's cached record, still the vCPU's, whose exit
 * has nothing new.  Inline, no lock, no call, preemption off (the caller):
 * the same answer kl_exit_slow() would reach, from fewer loads.  Why each
 * load is there:
 *  - kl_cache.vcpu, .gen, kl_gen: this CPU saw this vCPU last, and no
 *    record left the table since (the record is still hashed, so alive);
 *  - .rec: NULL for a refused vCPU, which takes the slow path;
 *  - vcpu->stat.exits, r->last_exits, vcpu->kvm, r->kvm: not a new vCPU
 *    at a freed one's address (its counter must have grown since the last
 *    sight, in the same VM: kl_record_stale()); the one store is the
 *    counter's, into the record's first cache line, which only the probe
 *    uses;
 *  - r->task, current: the task the kvm_msr probe will look the record
 *    up by (it has no vCPU argument);
 *  - vcpu->arch.hflags, and EFER.SVME (SVM) or CR4.VMXE (VMX): the guest is
 *    no hypervisor now, so what the save area holds is its own (an SVM
 *    host refuses CR4.VMXE, a VMX host EFER.SVME: one bit per vendor);
 *  - SVM: vmcb01's pointer, r->vmcb, its LSTAR, r->skip: the save area
 *    validated for this vCPU, and LSTAR as last seen (the one compare the
 *    sampler needs).  r->vmcb is NULL while the guest is a hypervisor
 *    (hv_now) or its state protected, so those take the slow path too.
 *    VMX samples nothing, so it reads r->hv_now instead.
 * Protected vCPUs are protected before their first exit (SEV-ES at
 * LAUNCH_UPDATE_VMSA, TDX from creation), so the slow path sees that
 * first; test builds, whose uid switch can turn a running vCPU protected,
 * ask at every exit.  True: nothing new, and the record has seen the exit.
 */
static __always_inline struct kl_vcpu *kl_exit_cached(struct kvm_vcpu *vcpu, u64 *exits)
{
	struct kl_vcpu *r;

	if (unlikely(this_cpu_read(kl_cache.vcpu) != vcpu ||
		     this_cpu_read(kl_cache.gen) != READ_ONCE(kl_gen)))
		return NULL;
	r = this_cpu_read(kl_cache.rec);
	*exits = vcpu->stat.exits;
	if (unlikely(!r || *exits <= r->last_exits || r->kvm != vcpu->kvm ||
		     READ_ONCE(r->task) != current || kl_test_protected()))
		return NULL;
	return r;
}

static __always_inline bool kl_svm_exit_nothing_new(struct kvm_vcpu *vcpu)
{
	struct kl_vcpu *r;
	struct vmcb *p;
	u64 exits;

	r = kl_exit_cached(vcpu, &exits);
	if (unlikely(!r || (vcpu->arch.hflags & HF_GUEST_MASK) ||
		     (READ_ONCE(vcpu->arch.efer) & EFER_SVME)))
		return false;
	p = READ_ONCE(container_of(vcpu, struct kl_svm_head, vcpu)->vmcb01.ptr);
	if (unlikely(!p || p != r->vmcb || READ_ONCE(p->save.lstar) != READ_ONCE(r->skip)))
		return false;
	r->last_exits = exits;
	return true;
}

static __always_inline bool kl_vmx_exit_nothing_new(struct kvm_vcpu *vcpu)
{
	struct kl_vcpu *r;
	u64 exits;

	r = kl_exit_cached(vcpu, &exits);
	if (unlikely(!r || (vcpu->arch.hflags & HF_GUEST_MASK) ||
		     (READ_ONCE(vcpu->arch.cr4) & X86_CR4_VMXE) || READ_ONCE(r->hv_now)))
		return false;
	r->last_exits = exits;
	return true;
}

/* Every other exit: the record found or made, and each case handled. */
static noinline void kl_exit_slow(struct kvm_vcpu *vcpu)
{
	struct kl_vcpu *r;
	struct vmcb *vmcb;
	bool hyp;

	rcu_read_lock();
	r = kl_record_find(vcpu);
	if (unlikely(!r))
		goto out;
	if (unlikely(READ_ONCE(r->task) != current))
		kl_record_note_task(r);
	hyp = kl_guest_is_hypervisor(vcpu);
	if (unlikely(hyp != READ_ONCE(r->hv_now))) {
		WRITE_ONCE(r->hv_now, hyp);
		/* The SVM fast path compares no save area of a hypervisor. */
		if (hyp)
			WRITE_ONCE(r->vmcb, NULL);
	}
	/* Once protected, for the record's life (as KVM's flag is). */
	if (unlikely(READ_ONCE(r->unavailable) || kl_guest_is_protected(vcpu))) {
		if (!READ_ONCE(r->unavailable))
			kl_note_unavailable(r, KVM_LSTAR_UNAVAILABLE_PROTECTED);
		goto out;
	}
	if (unlikely(hyp)) {
		if (!READ_ONCE(r->hypervisor))
			kl_note_hypervisor(r);
		goto out;
	}
	vmcb = kl_vmcb(vcpu, r);
	if (!vmcb)
		goto out;
	/* The one compare of every exit; the witness window goes past it. */
	if (likely(READ_ONCE(vmcb->save.lstar) == READ_ONCE(r->skip)))
		goto out;
	kl_sample(r, vmcb);
out:
	rcu_read_unlock();
}

/*
 * One probe per vendor, chosen at load: each tests its own bit, and the
 * VMX one reads no save area.  The fast path runs with preemption off:
 * this CPU's cache entry stays this CPU's, and the section is an RCU
 * read-side one (6.1 calls probes so already, with interrupts on; 7.2
 * under SRCU, preemptible), so the record it reads cannot be freed under
 * it.  notrace: no ftrace call site on every exit.
 */
static __always_inline void kl_probe_exit_on(struct kvm_vcpu *vcpu, bool svm)
{
	bool done;

	preempt_disable_notrace();
	done = svm ? kl_svm_exit_nothing_new(vcpu) : kl_vmx_exit_nothing_new(vcpu);
	preempt_enable_notrace();
	if (unlikely(!done))
		kl_exit_slow(vcpu);
}

static notrace void kl_probe_exit_svm(void *data, struct kvm_vcpu *vcpu, u32 isa)
{
	kl_probe_exit_on(vcpu, true);
}

static notrace void kl_probe_exit_vmx(void *data, struct kvm_vcpu *vcpu, u32 isa)
{
	kl_probe_exit_on(vcpu, false);
}

static void (*kl_probe_exit)(void *data, struct kvm_vcpu *vcpu, u32 isa);

/*
 * What an intercepted write of @ecx says: LSTAR, a witness, a boot, or
 * nothing.  SYSENTER_EIP is intercepted on VMX only for emulated writes,
 * and on SVM for those and for Intel-vendor guests; CSTAR wherever LSTAR
 * is.
 *
 * EFER is intercepted on both vendors.  A write that sets LME with LMA
 * clear enables long mode from outside it: a boot, on every CPU, before
 * the kernel writes LSTAR (the decompressor's startup_32, the AP
 * trampoline, after a reset or INIT).  A running 64-bit kernel that
 * writes EFER does so from long mode, read-modify-write, LMA set (an L1
 * toggling SVME, say); kexec stays in long mode.  The vCPU's kernel is
 * then no more: it counts as LSTAR 0, as after a VMM's reset, so the next
 * value starts a new epoch.  This is how VMX, where nothing shows the
 * VMM's reset itself, sees reboots; on SVM the sampler has usually seen
 * the 0 already.
 */
static bool kl_seen_msr(u32 ecx, u64 val, struct kl_seen *seen)
{
	switch (ecx) {
	case MSR_EFER:
		if ((val & (EFER_LME | EFER_LMA)) != EFER_LME)
			return false;
		seen->lstar = 0;
		seen->has = KL_SEEN_LSTAR;
		return true;
	case MSR_LSTAR:
		seen->lstar = val;
		seen->has = KL_SEEN_LSTAR;
		return true;
	case MSR_CSTAR:
		seen->w[KL_W_CSTAR] = val;
		seen->has = KL_SEEN_W(KL_W_CSTAR);
		return true;
	case MSR_IA32_SYSENTER_EIP:
		seen->w[KL_W_SYSENTER_EIP] = val;
		seen->has = KL_SEEN_W(KL_W_SYSENTER_EIP);
		return true;
	}
	return false;
}

static void kl_probe_msr(void *data, unsigned int write, u32 ecx, u64 val,
			 bool exception)
{
	struct kl_seen seen = {};
	struct kl_vcpu *r;

	if (!write || exception || !kl_seen_msr(ecx, val, &seen))
		return;
	rcu_read_lock();
	r = kl_record_find_task(current);
	/* Protected, or a hypervisor: as kvm_exit found it at this exit. */
	if (r && likely(!READ_ONCE(r->unavailable))) {
		if (unlikely(READ_ONCE(r->hv_now)))
			kl_note_hypervisor(r);
		else
			kl_observe_seen(r, &seen, KVM_LSTAR_SOURCE_INTERCEPT);
	}
	rcu_read_unlock();
}

int kl_probes_attach(void)
{
	int err;

	kl_intercept = KVM_LSTAR_PATH_ACTIVE;
	if (boot_cpu_has(X86_FEATURE_SVM)) {
		kl_probe_exit = kl_probe_exit_svm;
		kl_svm = KVM_LSTAR_PATH_ACTIVE;
		kl_paths_set(kl_intercept, kl_svm, "");
	} else {
		kl_probe_exit = kl_probe_exit_vmx;
		kl_svm = KVM_LSTAR_PATH_OFF;
		kl_paths_set(kl_intercept, kl_svm,
			     "host CPU has no SVM: capture at intercepted writes only");
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

void kl_probes_detach(void)
{
	tracepoint_probe_unregister(&__tracepoint_kvm_msr, kl_probe_msr, NULL);
	tracepoint_probe_unregister(&__tracepoint_kvm_exit, kl_probe_exit, NULL);
	/* No probe runs, nor will: records can go. */
	tracepoint_synchronize_unregister();
}
