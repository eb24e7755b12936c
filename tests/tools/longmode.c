// SPDX-License-Identifier: GPL-2.0
/*
 * longmode: entering 64-bit long mode for a KVM test guest, shared by
 * the test VMMs lstar-guest and lstar-bench.  Modelled on the idea of the
 * kernel's KVM selftests, but our own code; see longmode.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "longmode.h"

#define SEL_CODE		0x08
#define SEL_DATA		0x10
#define SEL_TSS			0x18

#define PTE_P			(1ull << 0)
#define PTE_RW			(1ull << 1)
#define PTE_PS			(1ull << 7)

static __attribute__((format(printf, 2, 3)))
int lm_fail(struct lm_error *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

/* An ioctl failed: name it, the vCPU (unless @id < 0) and strerror(errno). */
static int lm_fail_ioctl(struct lm_error *err, const char *name, int id)
{
	int e = errno;

	if (id >= 0)
		return lm_fail(err, "%s failed on vcpu %d: %s", name, id,
			       strerror(e));
	return lm_fail(err, "%s failed: %s", name, strerror(e));
}

static uint64_t gdt_entry(uint32_t base, uint32_t limit, uint8_t access,
			  uint8_t flags)
{
	return (uint64_t)(limit & 0xffff) |
	       (uint64_t)(base & 0xffffff) << 16 |
	       (uint64_t)access << 40 |
	       (uint64_t)((limit >> 16) & 0xf) << 48 |
	       (uint64_t)(flags & 0xf) << 52 |
	       (uint64_t)(base >> 24) << 56;
}

/* Page tables, GDT and TSS, shared by all vCPUs (they never change). */
static void setup_memory(uint8_t *mem)
{
	uint64_t *pml4 = (uint64_t *)(mem + LM_PML4_GPA);
	uint64_t *pdpt = (uint64_t *)(mem + LM_PDPT_GPA);
	uint64_t *pd = (uint64_t *)(mem + LM_PD_GPA);
	uint64_t *gdt = (uint64_t *)(mem + LM_GDT_GPA);

	pml4[0] = LM_PDPT_GPA | PTE_P | PTE_RW;
	pdpt[0] = LM_PD_GPA | PTE_P | PTE_RW;
	pd[0] = 0 | PTE_P | PTE_RW | PTE_PS;	/* 0..2 MiB, identity */

	gdt[0] = 0;
	gdt[SEL_CODE / 8] = gdt_entry(0, 0xfffff, 0x9b, 0xa);	/* G, L */
	gdt[SEL_DATA / 8] = gdt_entry(0, 0xfffff, 0x93, 0xc);	/* G, DB */
	/* A busy 64-bit TSS: VMX refuses to enter a guest without one. */
	gdt[SEL_TSS / 8] = gdt_entry(LM_TSS_GPA, 0x67, 0x8b, 0);
	gdt[SEL_TSS / 8 + 1] = 0;				/* base 63:32 */
	/* I/O map base past the limit: no I/O bitmap (CPL 0 anyway). */
	*(uint16_t *)(mem + LM_TSS_GPA + 0x66) = 0x68;
}

static int get_cpuid(struct lm_kvm *kvm, struct lm_error *err)
{
	int nent = 64;

	/* KVM reports E2BIG until the buffer holds every leaf. */
	for (;;) {
		kvm->cpuid = calloc(1, sizeof(*kvm->cpuid) +
				       nent * sizeof(struct kvm_cpuid_entry2));
		if (!kvm->cpuid)
			return lm_fail(err, "out of memory");
		kvm->cpuid->nent = nent;
		if (ioctl(kvm->fd, KVM_GET_SUPPORTED_CPUID, kvm->cpuid) == 0)
			return 0;
		if (errno != E2BIG || nent >= 4096)
			return lm_fail_ioctl(err, "KVM_GET_SUPPORTED_CPUID", -1);
		free(kvm->cpuid);
		nent *= 2;
	}
}

int lm_init(struct lm_kvm *kvm, struct lm_error *err)
{
	int ret;

	kvm->fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm->fd < 0) {
		if (errno == ENOENT)
			return lm_fail(err, "/dev/kvm does not exist: KVM is not available on this host");
		return lm_fail(err, "cannot open /dev/kvm: %s", strerror(errno));
	}
	ret = ioctl(kvm->fd, KVM_GET_API_VERSION, 0);
	if (ret < 0)
		return lm_fail_ioctl(err, "KVM_GET_API_VERSION", -1);
	if (ret != KVM_API_VERSION)
		return lm_fail(err, "KVM_GET_API_VERSION: got %d, need %d",
			       ret, KVM_API_VERSION);

	ret = ioctl(kvm->fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (ret < 0)
		return lm_fail_ioctl(err, "KVM_GET_VCPU_MMAP_SIZE", -1);
	kvm->run_size = ret;

	kvm->mem = mmap(NULL, LM_MEM_SIZE, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (kvm->mem == MAP_FAILED)
		return lm_fail(err, "mmap of guest memory failed: %s",
			       strerror(errno));
	setup_memory(kvm->mem);

	return get_cpuid(kvm, err);
}

int lm_vm_create(const struct lm_kvm *kvm, struct lm_error *err)
{
	struct kvm_userspace_memory_region region = {
		.slot = 0,
		.guest_phys_addr = 0,
		.memory_size = LM_MEM_SIZE,
		.userspace_addr = (uintptr_t)kvm->mem,
	};
	int vm_fd;

	vm_fd = ioctl(kvm->fd, KVM_CREATE_VM, 0);
	if (vm_fd < 0)
		return lm_fail_ioctl(err, "KVM_CREATE_VM", -1);
	if (ioctl(vm_fd, KVM_SET_USER_MEMORY_REGION, &region))
		return lm_fail_ioctl(err, "KVM_SET_USER_MEMORY_REGION", -1);
	return vm_fd;
}

/*
 * The guest's CPUID must be set before KVM accepts EFER.LME in
 * KVM_SET_SREGS (it checks CPUID.80000001H:EDX.LM).  Give each vCPU its
 * own initial APIC id, as firmware would.
 */
static int set_cpuid(struct kvm_cpuid2 *cpuid, int fd, int id,
		     struct lm_error *err)
{
	for (unsigned int i = 0; i < cpuid->nent; i++) {
		struct kvm_cpuid_entry2 *e = &cpuid->entries[i];

		if (e->function == 1)
			e->ebx = (e->ebx & 0x00ffffff) | (uint32_t)id << 24;
		else if (e->function == 0xb || e->function == 0x1f)
			e->edx = id;
	}
	if (ioctl(fd, KVM_SET_CPUID2, cpuid))
		return lm_fail_ioctl(err, "KVM_SET_CPUID2", id);
	return 0;
}

static void set_segment(struct kvm_segment *seg, uint16_t sel, uint8_t type,
			bool code)
{
	*seg = (struct kvm_segment){
		.base = 0,
		.limit = 0xffffffff,
		.selector = sel,
		.type = type,
		.present = 1,
		.dpl = 0,
		.db = !code,	/* a 64-bit code segment has L=1, D=0 */
		.s = 1,
		.l = code,
		.g = 1,
	};
}

/* Straight into 64-bit mode: paging on, EFER.LME/LMA, CS.L. */
static int set_long_mode(int fd, int id, uint64_t rsp, struct lm_error *err)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;

	if (ioctl(fd, KVM_GET_SREGS, &sregs))
		return lm_fail_ioctl(err, "KVM_GET_SREGS", id);

	set_segment(&sregs.cs, SEL_CODE, 0xb, true);	/* exec/read, acc. */
	set_segment(&sregs.ds, SEL_DATA, 0x3, false);	/* read/write, acc. */
	sregs.es = sregs.fs = sregs.gs = sregs.ss = sregs.ds;

	sregs.tr = (struct kvm_segment){
		.base = LM_TSS_GPA, .limit = 0x67, .selector = SEL_TSS,
		.type = 0xb, .present = 1,
	};
	sregs.ldt = (struct kvm_segment){ .type = 0x2, .unusable = 1 };

	sregs.gdt.base = LM_GDT_GPA;
	sregs.gdt.limit = 5 * 8 - 1;
	/*
	 * Empty IDT on purpose: any exception (e.g. #UD from the FEP prefix
	 * when KVM does not honour it) becomes a triple fault, which KVM
	 * reports as KVM_EXIT_SHUTDOWN.
	 */
	sregs.idt.base = 0;
	sregs.idt.limit = 0;

	sregs.cr0 = X86_CR0_PE | X86_CR0_MP | X86_CR0_ET | X86_CR0_NE |
		    X86_CR0_WP | X86_CR0_PG;
	sregs.cr3 = LM_PML4_GPA;
	sregs.cr4 = X86_CR4_PAE;
	sregs.efer = EFER_LME | EFER_LMA;

	if (ioctl(fd, KVM_SET_SREGS, &sregs))
		return lm_fail_ioctl(err, "KVM_SET_SREGS (64-bit mode setup)", id);

	memset(&regs, 0, sizeof(regs));
	regs.rip = LM_CODE_GPA(id);
	regs.rsp = rsp;
	regs.rflags = 0x2;		/* reserved bit 1; IF clear */
	if (ioctl(fd, KVM_SET_REGS, &regs))
		return lm_fail_ioctl(err, "KVM_SET_REGS", id);
	return 0;
}

int lm_vcpu_create(struct lm_kvm *kvm, int vm_fd, int id, uint64_t rsp,
		   struct kvm_run **run, struct lm_error *err)
{
	int fd;

	fd = ioctl(vm_fd, KVM_CREATE_VCPU, id);
	if (fd < 0)
		return lm_fail_ioctl(err, "KVM_CREATE_VCPU", id);
	*run = mmap(NULL, kvm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		    fd, 0);
	if (*run == MAP_FAILED)
		return lm_fail(err, "mmap of kvm_run failed on vcpu %d: %s", id,
			       strerror(errno));
	if (set_cpuid(kvm->cpuid, fd, id, err) ||
	    set_long_mode(fd, id, rsp, err))
		return -1;
	return fd;
}

int lm_vcpu_run(int vcpu_fd, int id, struct lm_error *err)
{
	while (ioctl(vcpu_fd, KVM_RUN, 0)) {
		if (errno != EINTR && errno != EAGAIN)
			return lm_fail_ioctl(err, "KVM_RUN", id);
	}
	return 0;
}

/* ---- guest code ---------------------------------------------------------- */

void lm_emit(struct lm_code *c, const void *bytes, size_t len)
{
	if (c->overflow || c->len + len > LM_CODE_SIZE) {
		c->overflow = true;
		return;
	}
	memcpy(c->p + c->len, bytes, len);
	c->len += len;
}

void lm_emit8(struct lm_code *c, uint8_t b)
{
	lm_emit(c, &b, 1);
}

void lm_emit32(struct lm_code *c, uint32_t x)
{
	lm_emit(c, &x, 4);	/* x86 is little-endian, as are we */
}

void lm_emit64(struct lm_code *c, uint64_t x)
{
	lm_emit(c, &x, 8);
}

void lm_emit_out(struct lm_code *c, uint16_t port, uint8_t al)
{
	lm_emit(c, "\x66\xba", 2);		/* mov dx, imm16 */
	lm_emit8(c, port & 0xff);
	lm_emit8(c, port >> 8);
	lm_emit8(c, 0xb0);			/* mov al, imm8 */
	lm_emit8(c, al);
	lm_emit8(c, 0xee);			/* out dx, al */
}

void lm_emit_fep(struct lm_code *c)
{
	lm_emit(c, "\x0f\x0b\x6b\x76\x6d", 5);
}
