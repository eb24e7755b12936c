/* SPDX-License-Identifier: GPL-2.0 */
/*
 * longmode: a KVM test guest that starts directly in 64-bit long mode,
 * for the test VMMs that drive /dev/kvm themselves (tests/tools/lstar-guest,
 * tests/tools/lstar-bench).  The idea is the one of the kernel's KVM
 * selftests (identity-mapped page tables, a flat GDT, the vCPU's special
 * registers set for long mode before its first KVM_RUN); the code is ours.
 *
 * Guest physical memory is one 2 MiB slot at GPA 0, identity-mapped by a
 * single 2 MiB page; it is mapped once in the VMM and may back several
 * VMs (slot 0 of each).  Layout:
 *
 *	0x1000		PML4, 0x2000 PDPT, 0x3000 PD
 *	0x4000		GDT: null, 64-bit code, data, a 16-byte TSS descriptor
 *	0x5000		TSS
 *	LM_FREE_GPA	free for the VMM's data, up to LM_CODE_GPA(0)
 *	LM_CODE_GPA(i)	vCPU i's code, LM_CODE_SIZE bytes (i < LM_MAX_VCPUS)
 *
 * and the rest, up to LM_MEM_SIZE, free for the stacks (each VMM picks
 * its vCPUs' RSP).
 *
 * vCPU i starts at LM_CODE_GPA(i) in 64-bit mode: paging on, CPL 0,
 * interrupts off, and an empty IDT, so that any exception is a triple
 * fault, which KVM reports as KVM_EXIT_SHUTDOWN.
 *
 * Failures are returned with one line of text in struct lm_error; the
 * VMM decides how to report them and exit.  On failure, whatever was
 * already set up is left as it is.
 */
#ifndef KVM_LSTAR_TESTS_LONGMODE_H
#define KVM_LSTAR_TESTS_LONGMODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/kvm.h>

#define LM_MEM_SIZE		0x200000ull
#define LM_PML4_GPA		0x1000ull
#define LM_PDPT_GPA		0x2000ull
#define LM_PD_GPA		0x3000ull
#define LM_GDT_GPA		0x4000ull
#define LM_TSS_GPA		0x5000ull
#define LM_FREE_GPA		0x6000ull
#define LM_CODE_SIZE		0x1000ull
#define LM_CODE_GPA(i)		(0x10000ull + (uint64_t)(i) * LM_CODE_SIZE)
#define LM_MAX_VCPUS		64

#define X86_CR0_PE		(1ull << 0)
#define X86_CR0_MP		(1ull << 1)
#define X86_CR0_ET		(1ull << 4)
#define X86_CR0_NE		(1ull << 5)
#define X86_CR0_WP		(1ull << 16)
#define X86_CR0_PG		(1ull << 31)
#define X86_CR4_PAE		(1ull << 5)
#define EFER_LME		(1ull << 8)
#define EFER_LMA		(1ull << 10)

/* The long-mode SYSCALL entry point, what these VMMs' guests write. */
#define MSR_LSTAR		0xc0000082u

struct lm_error {
	char msg[256];
};

/* /dev/kvm, and what every VM and vCPU of the VMM takes from it. */
struct lm_kvm {
	int fd;				/* /dev/kvm */
	size_t run_size;		/* of a vCPU's struct kvm_run */
	uint8_t *mem;			/* the guest memory, LM_MEM_SIZE */
	struct kvm_cpuid2 *cpuid;	/* KVM_GET_SUPPORTED_CPUID */
};

/*
 * Open /dev/kvm, map the guest memory and write its page tables, GDT and
 * TSS, and get the CPUID the vCPUs will have.  0, or -1 with @err set.
 */
int lm_init(struct lm_kvm *kvm, struct lm_error *err);

/* A VM with kvm->mem as its memory: its fd, or -1 with @err set. */
int lm_vm_create(const struct lm_kvm *kvm, struct lm_error *err);

/*
 * vCPU @id of VM @vm_fd, in 64-bit mode at LM_CODE_GPA(@id) with RSP
 * @rsp, its kvm_run mapped at *@run: its fd, or -1 with @err set.
 */
int lm_vcpu_create(struct lm_kvm *kvm, int vm_fd, int id, uint64_t rsp,
		   struct kvm_run **run, struct lm_error *err);

/* One KVM_RUN of vCPU @id (retried on EINTR/EAGAIN): 0, or -1. */
int lm_vcpu_run(int vcpu_fd, int id, struct lm_error *err);

/*
 * Guest code being written at @p, at most LM_CODE_SIZE bytes.  An emit
 * that does not fit sets @overflow and writes nothing, nor does any
 * emit after it: check @overflow once the code is complete.
 */
struct lm_code {
	uint8_t *p;
	size_t len;
	bool overflow;
};

void lm_emit(struct lm_code *c, const void *bytes, size_t len);
void lm_emit8(struct lm_code *c, uint8_t b);
void lm_emit32(struct lm_code *c, uint32_t x);
void lm_emit64(struct lm_code *c, uint64_t x);
/* "mov dx, @port; mov al, @al; out dx, al": a VM exit that carries @al. */
void lm_emit_out(struct lm_code *c, uint16_t port, uint8_t al);
/*
 * "ud2; .ascii "kvm"": KVM's forced emulation prefix (with the kvm module
 * parameter force_emulation_prefix=1 KVM emulates the next instruction;
 * without it the guest takes #UD).
 */
void lm_emit_fep(struct lm_code *c);

#endif /* KVM_LSTAR_TESTS_LONGMODE_H */
