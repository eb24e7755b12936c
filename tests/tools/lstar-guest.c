// SPDX-License-Identifier: GPL-2.0
/*
 * lstar-guest: a tiny KVM VMM whose vCPUs write MSR_LSTAR.
 *
 * It exists to drive the kvm_lstar host module in tests: every vCPU starts
 * directly in 64-bit long mode, writes LSTAR like a booting Linux kernel
 * would (optionally a second time, and again after a simulated reboot),
 * and the VMM checks after every step that KVM holds exactly the value
 * the guest wrote.
 *
 * The guest code is generated here, per vCPU, as a straight line of
 * "wrmsr" and "out" instructions.  Each "out" to LSTAR_GUEST_PORT carries
 * a step code in AL, so the VMM always knows how far the guest got, and it
 * guarantees a VM exit after every write (the module samples LSTAR at VM
 * exits on AMD).  The VMM keeps, per vCPU, the script of the steps it
 * expects and fails if the guest reports anything else.
 *
 * stdout (line-buffered, parsed by tests):
 *	offset 0x<hex>				only with the default value
 *	vcpu <i>: lstar 0x<hex>[ rewrite 0x<hex>][ reset 0x<hex>]
 *	vcpu <i>: nested 0x<hex> exit 0x81			--nested (SVM)
 *	vcpu <i>: nested 0x<hex> loaded by L1			--nested (VMX)
 *	vcpu <i>: exits=<N> seconds=<float> ns_per_exit=<float>   --exits
 *	READY pid=<pid>
 * Errors: one line on stderr; exit 1 (runtime) or 2 (bad arguments).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include <linux/kvm.h>

#include "longmode.h"

#define PROG			"lstar-guest"

#define MAX_VCPUS		LM_MAX_VCPUS

/* Port of the step "out"s: 'L' 'S', unused by anything else in this VM. */
#define LSTAR_GUEST_PORT	0x4c53

/* Default value: Linux's entry_SYSCALL_64 with KASLR slot 1..480. */
#define DEFAULT_LSTAR_BASE	0xffffffff81e00000ull
#define KASLR_ALIGN		0x200000ull
#define KASLR_SLOTS		480

/* How often a holding vCPU re-enters KVM_RUN, so it keeps making exits. */
#define HOLD_PERIOD_NS		20000000L

/*
 * Guest memory as in longmode.h, vCPU i's code at LM_CODE_GPA(i).  Each
 * vCPU has a page of stack of its own below STACK_TOP(i).
 */
#define STACK_TOP(i)		(0x100000ull + ((uint64_t)(i) + 1) * 0x1000)

/*
 * --nested (AMD SVM): one MSR and one I/O permission map for every L2,
 * both all zeros (nothing intercepted), then per vCPU its L2's VMCB and
 * its host save area, all above the stacks.
 */
#define SVM_MSRPM_GPA		0x150000ull	/* 8 KiB */
#define SVM_IOPM_GPA		0x152000ull	/* 12 KiB */
#define SVM_VMCB_GPA(i)		(0x160000ull + (uint64_t)(i) * 0x2000)
#define SVM_HSAVE_GPA(i)	(SVM_VMCB_GPA(i) + 0x1000)
#define L2_STACK_TOP(i)		(STACK_TOP(i) - 0x800)

#define MSR_EFER		0xc0000080u
#define MSR_VM_HSAVE_PA		0xc0010117u
#define MSR_CSTAR		0xc0000083u
#define MSR_IA32_SYSENTER_EIP	0x00000176u
#define EFER_SVME		(1ull << 12)
#define X86_CR4_VMXE_BIT	(1u << 13)
#define SVM_EXIT_VMMCALL	0x81

/* Step codes, sent by the guest in AL to LSTAR_GUEST_PORT. */
enum step_code {
	STEP_START = 1,		/* first exit, before any write */
	STEP_WROTE,		/* a WRMSR LSTAR just happened: verify it */
	STEP_RESET,		/* VMM: set LSTAR to 0, as a reboot does */
	STEP_ZERO,		/* an exit while LSTAR is still 0 */
	STEP_BENCH_BEGIN,	/* --exits loop starts after this exit */
	STEP_BENCH_END,		/* ... and has ended before this one */
	STEP_FLOOD_END,		/* --flood loop done: LSTAR holds --rewrite */
	STEP_NESTED,		/* --nested: L1 holds L2's LSTAR value */
	STEP_DONE,		/* all done: the guest halts from now on */
};

static const char *const step_names[] = {
	[STEP_START] = "start",
	[STEP_WROTE] = "wrote",
	[STEP_RESET] = "reset",
	[STEP_ZERO] = "zero",
	[STEP_BENCH_BEGIN] = "bench-begin",
	[STEP_BENCH_END] = "bench-end",
	[STEP_FLOOD_END] = "flood-end",
	[STEP_NESTED] = "nested",
	[STEP_DONE] = "done",
};

struct step {
	uint8_t code;
	uint64_t value;		/* STEP_WROTE: the value written */
	const char *what;	/* STEP_WROTE: "lstar", "rewrite", "reset" */
	bool witnesses;		/* STEP_WROTE: the witnesses were written too */
	bool last_write;	/* STEP_WROTE: print the vCPU's line after it */
};

#define MAX_STEPS		16

struct vcpu {
	int id;
	int fd;
	struct kvm_run *run;
	struct kvm_msrs *msrs;	/* room for one entry: LSTAR */
	pthread_t thread;

	/* Guest code for this vCPU, and the steps it will report. */
	struct lm_code code;
	struct step script[MAX_STEPS];
	int nsteps;
	int next;		/* index into script of the next step */

	char line[256];		/* "lstar 0x... rewrite 0x..." so far */
	struct timespec bench_start;
};

static struct {
	int nvcpus;
	uint64_t lstar[MAX_VCPUS];
	bool rewrite_set, reset_set;
	uint64_t rewrite, reset;
	double hold;
	uint64_t exits;
	uint64_t flood;
	bool nested_set;
	uint64_t nested;
	bool fep;
	bool vm_thread;
	bool hop;
	uint64_t witness[2];	/* --cstar, --sysenter-eip; 0: not given */
} opt = { .nvcpus = 1 };

/* The other entry-point MSRs syscall_init() writes after LSTAR. */
static const struct {
	uint32_t msr;
	const char *name;
	bool low_half;		/* AMD KVM keeps only the low 32 bits */
} witnesses[2] = {
	{ MSR_CSTAR, "cstar", false },
	{ MSR_IA32_SYSENTER_EIP, "sysenter_eip", true },
};

static struct lm_kvm kvm;
static struct vcpu vcpus[MAX_VCPUS];
/* --nested: the virtualization KVM offers this VM's guests. */
static enum { NESTED_SVM, NESTED_VMX } nested_kind;
static pthread_barrier_t all_done;
static atomic_bool stop_hold;

/*
 * Failure: one line on stderr, then leave at once.  Several vCPU threads
 * may fail together; the mutex keeps their lines whole and makes the
 * first one decide the exit status.
 */
static pthread_mutex_t die_lock = PTHREAD_MUTEX_INITIALIZER;

static __attribute__((noreturn, format(printf, 2, 3)))
void die(int status, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&die_lock);
	fflush(stdout);
	fprintf(stderr, PROG ": ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	_exit(status);
}

/* An ioctl failed: name it and strerror(errno). */
static __attribute__((noreturn))
void die_ioctl(const char *name, int vcpu)
{
	int err = errno;

	if (vcpu >= 0)
		die(1, "%s failed on vcpu %d: %s", name, vcpu, strerror(err));
	die(1, "%s failed: %s", name, strerror(err));
}

static void usage(FILE *f)
{
	fprintf(f,
"usage: " PROG " [--vcpus N] [--lstar HEX[,HEX...]] [--rewrite HEX] [--reset HEX]\n"
"                   [--hold SEC] [--exits N] [--flood N] [--nested HEX] [--fep]\n"
"                   [--vm-thread] [--hop] [--cstar HEX] [--sysenter-eip HEX]\n"
"\n"
"Run a KVM VM whose vCPUs start in 64-bit mode and write MSR_LSTAR.\n"
"\n"
"  --vcpus N       number of vCPUs, ids 0..N-1 (1..%d, default 1)\n"
"  --lstar LIST    value written by each vCPU: one HEX for all, or N values;\n"
"                  default 0x%llx plus a random 2 MiB-aligned\n"
"                  KASLR offset (slot 1..%d), printed as 'offset 0x...'\n"
"  --rewrite HEX   each vCPU then writes this second value\n"
"  --reset HEX     then the VMM sets LSTAR to 0 (KVM_SET_MSRS, as a reboot\n"
"                  does) and each vCPU boots again: writes EFER as a boot\n"
"                  does (LME set, LMA clear), then HEX\n"
"  --hold SEC      keep the VM open SEC seconds after READY (default 0), the\n"
"                  vCPUs exiting on HLT about every 20 ms\n"
"  --exits N       after the writes, each vCPU makes N CPUID exits and the\n"
"                  VMM prints 'vcpu I: exits=N seconds=S ns_per_exit=NS'\n"
"  --flood N       after the rewrite, each vCPU writes its --lstar value and\n"
"                  the --rewrite value again, in turn, N times each, with a\n"
"                  CPUID exit after every write (needs --rewrite)\n"
"  --nested HEX    after its writes, each vCPU's guest becomes a hypervisor\n"
"                  and ends with its L2's value HEX in LSTAR.  AMD SVM:\n"
"                  EFER.SVME on, VMRUN of an L2 that writes HEX to LSTAR\n"
"                  and exits with VMMCALL.  Intel VMX: CR4.VMXE on, then\n"
"                  L1 writes HEX to LSTAR as KVM loads its L2's value\n"
"                  (a user-return MSR) before entering it.  Needs nested\n"
"                  virtualization offered to guests (nested=1)\n"
"  --vm-thread     create the VM on a worker thread that exits right after,\n"
"                  and each vCPU on the thread that runs it, as VMMs with a\n"
"                  VMM thread do (Cloud Hypervisor, Firecracker)\n"
"  --hop           run each KVM_RUN of the scripted part on a new thread,\n"
"                  so that every vCPU moves between threads as it writes\n"
"  --cstar HEX     each vCPU writes HEX to MSR_CSTAR right after its first\n"
"                  LSTAR write (and after --reset's), as syscall_init() does\n"
"  --sysenter-eip HEX  the same for MSR_IA32_SYSENTER_EIP\n"
"  --fep           issue every WRMSR through KVM's forced emulation prefix\n"
"                  (needs kvm.force_emulation_prefix=1)\n"
"  --help          this text\n"
"\n"
"After all writes it prints 'READY pid=PID'.  Exit status: 0 success,\n"
"1 failure, 2 bad arguments.\n",
		MAX_VCPUS, DEFAULT_LSTAR_BASE, KASLR_SLOTS);
}

static __attribute__((noreturn, format(printf, 1, 2)))
void usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, PROG ": ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see --help)\n");
	exit(2);
}

/*
 * Parse one HEX value ("ffffffff81e00000" or "0xffff...") of option @name.
 * LSTAR only takes canonical addresses; anything else would #GP the
 * guest's WRMSR, so refuse it here with a clear message instead.
 */
static uint64_t parse_hex(const char *name, const char *s)
{
	const char *digits = s;
	unsigned long long v;
	char *end;

	if (digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X'))
		digits += 2;
	/* strtoull would accept a sign and leading blanks: refuse them. */
	if (!*digits || !strchr("0123456789abcdefABCDEF", *digits))
		usage_error("bad %s value '%s': not a hex number", name, s);
	errno = 0;
	v = strtoull(digits, &end, 16);
	if (*end)
		usage_error("bad %s value '%s': not a hex number", name, s);
	if (errno == ERANGE)
		usage_error("bad %s value '%s': more than 64 bits", name, s);
	if ((uint64_t)((int64_t)(v << 16) >> 16) != v)
		usage_error("bad %s value '%s': not a canonical address, the WRMSR would fault",
			    name, s);
	return v;
}

static unsigned long long parse_uint(const char *name, const char *s,
				     unsigned long long min,
				     unsigned long long max)
{
	unsigned long long v;
	char *end;

	if (!*s || !strchr("0123456789", *s))
		usage_error("bad %s value '%s': not a number", name, s);
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*end)
		usage_error("bad %s value '%s': not a number", name, s);
	if (errno == ERANGE || v < min || v > max)
		usage_error("bad %s value '%s': must be %llu..%llu",
			    name, s, min, max);
	return v;
}

static void parse_args(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "vcpus",   required_argument, NULL, 'n' },
		{ "lstar",   required_argument, NULL, 'l' },
		{ "rewrite", required_argument, NULL, 'r' },
		{ "reset",   required_argument, NULL, 'R' },
		{ "hold",    required_argument, NULL, 'H' },
		{ "exits",   required_argument, NULL, 'e' },
		{ "flood",   required_argument, NULL, 'F' },
		{ "nested",  required_argument, NULL, 'N' },
		{ "fep",     no_argument,       NULL, 'f' },
		{ "vm-thread", no_argument,     NULL, 'T' },
		{ "hop",     no_argument,       NULL, 'P' },
		{ "cstar",   required_argument, NULL, 'C' },
		{ "sysenter-eip", required_argument, NULL, 'S' },
		{ "help",    no_argument,       NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	char *lstar_arg = NULL;
	uint64_t list[MAX_VCPUS];
	int nlist = 0;
	char *end;
	int c;

	opterr = 0;	/* our own messages, with the exit status we want */
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			opt.nvcpus = parse_uint("--vcpus", optarg, 1, MAX_VCPUS);
			break;
		case 'l':
			lstar_arg = optarg;
			break;
		case 'r':
			opt.rewrite = parse_hex("--rewrite", optarg);
			opt.rewrite_set = true;
			break;
		case 'R':
			opt.reset = parse_hex("--reset", optarg);
			opt.reset_set = true;
			break;
		case 'H':
			errno = 0;
			opt.hold = strtod(optarg, &end);
			if (!*optarg || *end || errno || !isfinite(opt.hold) ||
			    opt.hold < 0 || opt.hold > 1e6)
				usage_error("bad --hold value '%s': seconds, 0..1000000",
					    optarg);
			break;
		case 'e':
			opt.exits = parse_uint("--exits", optarg, 0, UINT64_MAX);
			break;
		case 'F':
			opt.flood = parse_uint("--flood", optarg, 1, 1000000000);
			break;
		case 'N':
			opt.nested = parse_hex("--nested", optarg);
			opt.nested_set = true;
			break;
		case 'f':
			opt.fep = true;
			break;
		case 'T':
			opt.vm_thread = true;
			break;
		case 'P':
			opt.hop = true;
			break;
		case 'C':
		case 'S':
			opt.witness[c == 'S'] = parse_hex(c == 'S' ? "--sysenter-eip" : "--cstar",
							  optarg);
			if (!opt.witness[c == 'S'])
				usage_error("bad %s value '%s': 0 is what an unwritten MSR holds "
					    "(leave the option out)",
					    c == 'S' ? "--sysenter-eip" : "--cstar", optarg);
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case ':':
			usage_error("option '%s' needs a value", argv[optind - 1]);
		default:
			usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		usage_error("unexpected argument '%s'", argv[optind]);
	if (opt.flood && !opt.rewrite_set)
		usage_error("--flood alternates the --lstar and --rewrite values: give --rewrite too");
	if (opt.nested_set && (opt.flood || opt.reset_set))
		usage_error("--nested does not go with --%s: its L1 stays a hypervisor from then on",
			    opt.flood ? "flood" : "reset");

	if (!lstar_arg) {
		/* Like a KASLR kernel: one random slot, the same on all vCPUs. */
		uint32_t rnd;
		uint64_t offset;

		if (getrandom(&rnd, sizeof(rnd), 0) != sizeof(rnd))
			die(1, "getrandom failed: %s", strerror(errno));
		offset = (1 + rnd % KASLR_SLOTS) * KASLR_ALIGN;
		for (int i = 0; i < opt.nvcpus; i++)
			opt.lstar[i] = DEFAULT_LSTAR_BASE + offset;
		printf("offset 0x%" PRIx64 "\n", offset);
		return;
	}

	for (char *tok = lstar_arg, *comma; ; tok = comma + 1) {
		comma = strchr(tok, ',');
		if (comma)
			*comma = '\0';
		if (nlist == MAX_VCPUS)
			usage_error("bad --lstar value: more than %d values",
				    MAX_VCPUS);
		list[nlist++] = parse_hex("--lstar", tok);
		if (!comma)
			break;
	}
	if (nlist > 1 && nlist != opt.nvcpus)
		usage_error("bad --lstar value: %d values for %d vCPU(s) (give 1 value, or --vcpus %d)",
			    nlist, opt.nvcpus, nlist);
	for (int i = 0; i < opt.nvcpus; i++)
		opt.lstar[i] = list[nlist > 1 ? i : 0];
}

/* ---- guest code generation ------------------------------------------ */

/* "mov dx, PORT; mov al, code; out dx, al", and expect it in the script. */
static struct step *add_step(struct vcpu *v, uint8_t code)
{
	struct step *s;

	if (v->nsteps == MAX_STEPS)
		die(1, "internal error: too many steps for vcpu %d", v->id);
	s = &v->script[v->nsteps++];
	*s = (struct step){ .code = code };

	lm_emit_out(&v->code, LSTAR_GUEST_PORT, code);
	return s;
}

/* "mov ecx, msr; mov eax, lo; mov edx, hi; wrmsr", through the FEP if @fep. */
static void emit_wrmsr_via(struct lm_code *c, uint32_t msr, uint64_t value, bool fep)
{
	lm_emit8(c, 0xb9);		/* mov ecx, msr */
	lm_emit32(c, msr);
	lm_emit8(c, 0xb8);		/* mov eax, low half */
	lm_emit32(c, (uint32_t)value);
	lm_emit8(c, 0xba);		/* mov edx, high half */
	lm_emit32(c, (uint32_t)(value >> 32));
	if (fep)			/* ud2; "kvm": KVM emulates what follows */
		lm_emit_fep(c);
	lm_emit(c, "\x0f\x30", 2);	/* wrmsr */
}

/* "wrmsr LSTAR <- value" (through the FEP with --fep). */
static void emit_wrmsr_lstar(struct lm_code *c, uint64_t value)
{
	emit_wrmsr_via(c, MSR_LSTAR, value, opt.fep);
}

/*
 * "wrmsr LSTAR <- value", with @witnesses the other entry MSRs right
 * after it as syscall_init() writes them, then a STEP_WROTE exit to check.
 */
static struct step *add_write(struct vcpu *v, uint64_t value, const char *what,
			      bool with_witnesses)
{
	struct step *s;
	size_t i;

	emit_wrmsr_lstar(&v->code, value);
	for (i = 0; with_witnesses && i < 2; i++)
		if (opt.witness[i])
			emit_wrmsr_via(&v->code, witnesses[i].msr, opt.witness[i], opt.fep);
	s = add_step(v, STEP_WROTE);
	s->value = value;
	s->what = what;
	s->witnesses = with_witnesses;
	return s;
}

/* An MSR other than LSTAR, never through the FEP. */
static void emit_wrmsr(struct lm_code *c, uint32_t msr, uint64_t value)
{
	emit_wrmsr_via(c, msr, value, false);
}

/*
 * EFER as a boot writes it, enabling long mode from outside it: LME set,
 * LMA clear in the value (KVM keeps LMA).  "rdmsr; and eax, ~LMA; wrmsr".
 */
static void emit_boot_efer(struct lm_code *c)
{
	lm_emit8(c, 0xb9);			/* mov ecx, MSR_EFER */
	lm_emit32(c, MSR_EFER);
	lm_emit(c, "\x0f\x32", 2);		/* rdmsr */
	lm_emit8(c, 0x25);			/* and eax, ~EFER_LMA */
	lm_emit32(c, (uint32_t)~EFER_LMA);
	lm_emit(c, "\x0f\x30", 2);		/* wrmsr */
}

/*
 * --nested on VMX, L1's part, as a KVM in L1 does it: CR4.VMXE on, then
 * its L2's LSTAR loaded into the MSR before VM entry (KVM switches LSTAR
 * as a user-return MSR).  That WRMSR is what the host sees of an L2's
 * LSTAR on VMX: L2's own WRMSR exits to L1, never reaching the host's
 * kvm_msr.  L1 then halts with L2's value, as between two L2 runs.
 */
static void emit_nested_l1_vmx(struct vcpu *v)
{
	struct lm_code *c = &v->code;

	lm_emit(c, "\x0f\x20\xe0", 3);	/* mov rax, cr4 */
	lm_emit8(c, 0x0d);			/* or eax, X86_CR4_VMXE */
	lm_emit32(c, X86_CR4_VMXE_BIT);
	lm_emit(c, "\x0f\x22\xe0", 3);	/* mov cr4, rax */
	emit_wrmsr_lstar(c, opt.nested);
	add_step(v, STEP_NESTED);
}

/*
 * --nested, L1's part: EFER.SVME on, the host save area, VMRUN of the L2
 * whose VMCB the VMM wrote (fill_vmcb()).  L2 starts at @l2_rip.
 */
static void emit_nested_l1(struct vcpu *v)
{
	struct lm_code *c = &v->code;

	if (nested_kind == NESTED_VMX) {
		emit_nested_l1_vmx(v);
		return;
	}
	lm_emit8(c, 0xb9);			/* mov ecx, MSR_EFER */
	lm_emit32(c, MSR_EFER);
	lm_emit(c, "\x0f\x32", 2);		/* rdmsr */
	lm_emit8(c, 0x0d);			/* or eax, EFER_SVME */
	lm_emit32(c, (uint32_t)EFER_SVME);
	lm_emit(c, "\x0f\x30", 2);		/* wrmsr */
	emit_wrmsr(c, MSR_VM_HSAVE_PA, SVM_HSAVE_GPA(v->id));
	lm_emit(c, "\x48\xb8", 2);		/* mov rax, vmcb */
	lm_emit64(c, SVM_VMCB_GPA(v->id));
	lm_emit(c, "\x0f\x01\xd8", 3);		/* vmrun */
	add_step(v, STEP_NESTED);
}

/* --nested, L2's code: write LSTAR, then VMMCALL back to L1. */
static void emit_nested_l2(struct vcpu *v)
{
	struct lm_code *c = &v->code;

	emit_wrmsr_lstar(c, opt.nested);
	lm_emit(c, "\x0f\x01\xd9", 3);		/* vmmcall */
	lm_emit(c, "\xf4\xeb\xfd", 3);		/* 1: hlt; jmp 1b (not reached) */
}

static void put_seg(uint8_t *vmcb, unsigned int off, uint16_t sel, uint16_t attrib,
		    uint32_t limit, uint64_t base)
{
	memcpy(vmcb + off, &sel, 2);
	memcpy(vmcb + off + 2, &attrib, 2);
	memcpy(vmcb + off + 4, &limit, 4);
	memcpy(vmcb + off + 8, &base, 8);
}

static void put64(uint8_t *vmcb, unsigned int off, uint64_t v)
{
	memcpy(vmcb + off, &v, 8);
}

static void put32(uint8_t *vmcb, unsigned int off, uint32_t v)
{
	memcpy(vmcb + off, &v, 4);
}

/*
 * The VMCB of vCPU @v's L2 (AMD APM vol. 2, appendix B; offsets as in
 * Linux's struct vmcb): VMRUN and VMMCALL intercepted, ASID 1, no nested
 * paging, and L1's own 64-bit state, so that L2 runs on L1's page tables.
 */
static void fill_vmcb(struct vcpu *v, uint64_t l2_rip)
{
	uint8_t *vmcb = kvm.mem + SVM_VMCB_GPA(v->id);
	const uint16_t code = 0xa9b;	/* type 0xb, S, P, L, G */
	const uint16_t data = 0xc93;	/* type 0x3, S, P, D/B, G */
	const unsigned int save = 0x400;

	memset(vmcb, 0, 0x1000);
	memset(kvm.mem + SVM_HSAVE_GPA(v->id), 0, 0x1000);
	put32(vmcb, 0x10, 1u << 0 | 1u << 1);	/* intercept VMRUN, VMMCALL */
	put64(vmcb, 0x40, SVM_IOPM_GPA);
	put64(vmcb, 0x48, SVM_MSRPM_GPA);
	put32(vmcb, 0x58, 1);			/* guest ASID */
	put_seg(vmcb, save + 0x00, 0x10, data, 0xffffffff, 0);	/* es */
	put_seg(vmcb, save + 0x10, 0x08, code, 0xffffffff, 0);	/* cs */
	put_seg(vmcb, save + 0x20, 0x10, data, 0xffffffff, 0);	/* ss */
	put_seg(vmcb, save + 0x30, 0x10, data, 0xffffffff, 0);	/* ds */
	put_seg(vmcb, save + 0x40, 0x10, data, 0xffffffff, 0);	/* fs */
	put_seg(vmcb, save + 0x50, 0x10, data, 0xffffffff, 0);	/* gs */
	put_seg(vmcb, save + 0x60, 0, 0, 5 * 8 - 1, LM_GDT_GPA);	/* gdtr */
	put_seg(vmcb, save + 0x90, 0x18, 0x8b, 0x67, LM_TSS_GPA);	/* tr */
	put64(vmcb, save + 0xd0, EFER_LME | EFER_LMA | EFER_SVME);
	put64(vmcb, save + 0x148, X86_CR4_PAE);
	put64(vmcb, save + 0x150, LM_PML4_GPA);
	put64(vmcb, save + 0x158, X86_CR0_PE | X86_CR0_MP | X86_CR0_ET | X86_CR0_NE |
	      X86_CR0_WP | X86_CR0_PG);
	put64(vmcb, save + 0x160, 0x400);		/* dr7 */
	put64(vmcb, save + 0x168, 0xffff0ff0);		/* dr6 */
	put64(vmcb, save + 0x170, 0x2);			/* rflags */
	put64(vmcb, save + 0x178, l2_rip);
	put64(vmcb, save + 0x1d8, L2_STACK_TOP(v->id));
	put64(vmcb, save + 0x268, 0x0007040600070406ull);	/* g_pat */
}

/* The exit code L1 found in its L2's VMCB after VMRUN returned. */
static uint32_t vmcb_exit_code(const struct vcpu *v)
{
	uint32_t x;

	memcpy(&x, kvm.mem + SVM_VMCB_GPA(v->id) + 0x70, 4);
	return x;
}

/*
 * The whole life of one vCPU.  Every write is followed by an exit, and
 * the reset has an exit of its own between LSTAR=0 and the new write, so
 * that a module sampling LSTAR at VM exits sees each value, the 0 too.
 */
static void build_guest(struct vcpu *v)
{
	struct lm_code *c = &v->code;
	struct step *last;

	c->p = kvm.mem + LM_CODE_GPA(v->id);

	add_step(v, STEP_START);
	last = add_write(v, opt.lstar[v->id], "lstar", true);
	if (opt.rewrite_set)
		last = add_write(v, opt.rewrite, "rewrite", false);
	if (opt.flood) {
		/*
		 * 1: wrmsr lstar; cpuid; wrmsr rewrite; cpuid; dec rsi; jnz 1b.
		 * CPUID exits into KVM only: each is a kvm_exit that samples.
		 */
		const char cpuid[] = "\x31\xc0\x31\xc9\x0f\xa2";
		size_t loop;

		lm_emit(c, "\x48\xbe", 2);	/* mov rsi, flood */
		lm_emit64(c, opt.flood);
		loop = c->len;
		emit_wrmsr_lstar(c, opt.lstar[v->id]);
		lm_emit(c, cpuid, 6);
		emit_wrmsr_lstar(c, opt.rewrite);
		lm_emit(c, cpuid, 6);
		lm_emit(c, "\x48\xff\xce", 3);	/* dec rsi */
		lm_emit8(c, 0x0f);		/* jnz rel32 loop */
		lm_emit8(c, 0x85);
		lm_emit32(c, (uint32_t)(loop - (c->len + 4)));
		add_step(v, STEP_FLOOD_END);
	}
	if (opt.reset_set) {
		add_step(v, STEP_RESET);
		add_step(v, STEP_ZERO);
		/* The new boot: EFER first, as on every CPU (VMX sees this). */
		emit_boot_efer(c);
		last = add_write(v, opt.reset, "reset", true);
	}
	last->last_write = true;
	if (opt.nested_set)
		emit_nested_l1(v);

	if (opt.exits) {
		add_step(v, STEP_BENCH_BEGIN);
		lm_emit(c, "\x48\xbe", 2);	/* mov rsi, exits */
		lm_emit64(c, opt.exits);
		/* 1: xor eax, eax; xor ecx, ecx; cpuid; dec rsi; jnz 1b */
		lm_emit(c, "\x31\xc0\x31\xc9\x0f\xa2\x48\xff\xce\x75\xf5", 11);
		add_step(v, STEP_BENCH_END);
	}

	add_step(v, STEP_DONE);
	/* No irqchip: each HLT is an exit to us, which --hold relies on. */
	lm_emit(c, "\xf4\xeb\xfd", 3);	/* 1: hlt; jmp 1b */
	if (opt.nested_set && nested_kind == NESTED_SVM) {
		fill_vmcb(v, LM_CODE_GPA(v->id) + c->len);
		emit_nested_l2(v);
	}
	if (c->overflow)
		die(1, "internal error: guest code of vcpu %d too big", v->id);
}

/* ---- VM setup -------------------------------------------------------- */

static int vm_fd = -1;

/* Does KVM offer its guests the feature in CPUID @function's ECX @bit? */
static bool cpuid_ecx_has(uint32_t function, unsigned int bit)
{
	for (unsigned int i = 0; i < kvm.cpuid->nent; i++) {
		const struct kvm_cpuid_entry2 *e = &kvm.cpuid->entries[i];

		if (e->function == function && !e->index)
			return e->ecx & (1u << bit);
	}
	return false;
}

static void *create_vm(void *unused)
{
	struct lm_error err;

	(void)unused;
	if (lm_init(&kvm, &err))
		die(1, "%s", err.msg);
	if (opt.nested_set) {
		if (cpuid_ecx_has(0x80000001, 2))
			nested_kind = NESTED_SVM;
		else if (cpuid_ecx_has(1, 5))
			nested_kind = NESTED_VMX;
		else
			die(1, "--nested needs nested virtualization, which this KVM does not offer its guests "
			    "(neither CPUID 0x80000001 ECX.SVM nor CPUID 1 ECX.VMX): load kvm_amd or kvm_intel with nested=1");
	}
	vm_fd = lm_vm_create(&kvm, &err);
	if (vm_fd < 0)
		die(1, "%s", err.msg);
	return NULL;
}

static void create_vcpu(struct vcpu *v)
{
	struct lm_error err;

	v->fd = lm_vcpu_create(&kvm, vm_fd, v->id, STACK_TOP(v->id), &v->run,
			       &err);
	if (v->fd < 0)
		die(1, "%s", err.msg);
	v->msrs = calloc(1, sizeof(*v->msrs) + 3 * sizeof(struct kvm_msr_entry));
	if (!v->msrs)
		die(1, "out of memory");
	build_guest(v);
}

/* ---- running --------------------------------------------------------- */

/*
 * One KVM_GET_MSRS/KVM_SET_MSRS of one MSR.  The buffer is per vCPU and
 * only used by the vCPU's own thread.
 */
static void msr_ioctl(struct vcpu *v, unsigned long req, const char *name, uint32_t msr)
{
	int ret;

	v->msrs->nmsrs = 1;
	v->msrs->entries[0].index = msr;
	ret = ioctl(v->fd, req, v->msrs);
	if (ret < 0)
		die_ioctl(name, v->id);
	if (ret != 1)
		die(1, "%s failed on vcpu %d: MSR 0x%x not processed", name, v->id, msr);
}

static uint64_t get_msr(struct vcpu *v, uint32_t msr)
{
	msr_ioctl(v, KVM_GET_MSRS, "KVM_GET_MSRS", msr);
	return v->msrs->entries[0].data;
}

static void set_msr(struct vcpu *v, uint32_t msr, uint64_t value)
{
	v->msrs->entries[0].data = value;
	msr_ioctl(v, KVM_SET_MSRS, "KVM_SET_MSRS", msr);
}

static uint64_t get_lstar(struct vcpu *v)
{
	return get_msr(v, MSR_LSTAR);
}

static void set_lstar(struct vcpu *v, uint64_t value)
{
	set_msr(v, MSR_LSTAR, value);
}

/* The witnesses hold what the guest wrote (SYSENTER_EIP: its low half on AMD). */
static void expect_witnesses(struct vcpu *v, const char *when)
{
	size_t i;

	for (i = 0; i < 2; i++) {
		uint64_t got, want = opt.witness[i];

		if (!want)
			continue;
		got = get_msr(v, witnesses[i].msr);
		if (got != want && !(witnesses[i].low_half && got == (uint32_t)want))
			die(1, "vcpu %d: %s mismatch %s: expected 0x%" PRIx64 ", got 0x%" PRIx64,
			    v->id, witnesses[i].name, when, want, got);
	}
}

static void expect_lstar(struct vcpu *v, uint64_t want, const char *when)
{
	uint64_t got = get_lstar(v);

	if (got != want)
		die(1, "vcpu %d: LSTAR mismatch %s: expected 0x%" PRIx64
		    ", got 0x%" PRIx64, v->id, when, want, got);
}

/*
 * The guest code is valid in 32-bit mode too, up to its REX prefixes, so
 * make sure KVM really runs it in 64-bit mode rather than trusting that
 * KVM_SET_SREGS took effect.
 */
static void expect_long_mode(struct vcpu *v)
{
	struct kvm_sregs sregs;

	if (ioctl(v->fd, KVM_GET_SREGS, &sregs))
		die_ioctl("KVM_GET_SREGS", v->id);
	if (!(sregs.efer & EFER_LMA) || !sregs.cs.l || !(sregs.cr0 & X86_CR0_PG))
		die(1, "vcpu %d: not in 64-bit mode at the first exit: efer 0x%llx cr0 0x%llx cs.l %u",
		    v->id, (unsigned long long)sregs.efer,
		    (unsigned long long)sregs.cr0, sregs.cs.l);
}

static double elapsed(const struct timespec *a, const struct timespec *b)
{
	return (b->tv_sec - a->tv_sec) + (b->tv_nsec - a->tv_nsec) / 1e9;
}

static void step(struct vcpu *v, uint8_t code)
{
	struct step *s;
	struct timespec now;
	char when[64];
	double secs;

	if (v->next >= v->nsteps)
		die(1, "vcpu %d: step '%s' after the end of the script",
		    v->id, code <= STEP_DONE && step_names[code] ?
		    step_names[code] : "?");
	s = &v->script[v->next];
	if (code != s->code)
		die(1, "vcpu %d: guest reported step %u, expected '%s' (step %d)",
		    v->id, code, step_names[s->code], v->next);
	v->next++;

	switch (code) {
	case STEP_START:
		expect_long_mode(v);
		break;
	case STEP_WROTE:
		snprintf(when, sizeof(when), "after the %s write", s->what);
		expect_lstar(v, s->value, when);
		snprintf(v->line + strlen(v->line),
			 sizeof(v->line) - strlen(v->line),
			 "%s%s 0x%" PRIx64, v->line[0] ? " " : "",
			 s->what, s->value);
		if (s->witnesses)
			expect_witnesses(v, when);
		for (size_t i = 0; s->witnesses && !strcmp(s->what, "lstar") && i < 2; i++)
			if (opt.witness[i])
				snprintf(v->line + strlen(v->line),
					 sizeof(v->line) - strlen(v->line),
					 " %s 0x%" PRIx64, witnesses[i].name, opt.witness[i]);
		if (s->last_write)
			printf("vcpu %d: %s\n", v->id, v->line);
		break;
	case STEP_RESET:
		/* As a VMM's reset at a reboot: the witnesses go back to 0 too. */
		set_lstar(v, 0);
		for (size_t i = 0; i < 2; i++)
			if (opt.witness[i])
				set_msr(v, witnesses[i].msr, 0);
		expect_lstar(v, 0, "after KVM_SET_MSRS LSTAR=0");
		break;
	case STEP_ZERO:
		/* The exit a sampling module needs to see the 0. */
		expect_lstar(v, 0, "at the exit after the reset");
		break;
	case STEP_FLOOD_END:
		expect_lstar(v, opt.rewrite, "after the --flood writes");
		break;
	case STEP_NESTED:
		if (nested_kind == NESTED_VMX) {
			expect_lstar(v, opt.nested, "in L1 after it loaded its L2's LSTAR");
			printf("vcpu %d: nested 0x%" PRIx64 " loaded by L1\n", v->id, opt.nested);
			break;
		}
		if (vmcb_exit_code(v) != SVM_EXIT_VMMCALL)
			die(1, "vcpu %d: L2 exited to L1 with exit code 0x%x, not VMMCALL (0x%x)",
			    v->id, vmcb_exit_code(v), SVM_EXIT_VMMCALL);
		/* VMRUN and #VMEXIT leave LSTAR alone: L1 now holds L2's. */
		expect_lstar(v, opt.nested, "in L1 after its L2 wrote LSTAR");
		printf("vcpu %d: nested 0x%" PRIx64 " exit 0x%x\n", v->id, opt.nested,
		       vmcb_exit_code(v));
		break;
	case STEP_BENCH_BEGIN:
		clock_gettime(CLOCK_MONOTONIC, &v->bench_start);
		break;
	case STEP_BENCH_END:
		clock_gettime(CLOCK_MONOTONIC, &now);
		secs = elapsed(&v->bench_start, &now);
		printf("vcpu %d: exits=%" PRIu64 " seconds=%.6f ns_per_exit=%.1f\n",
		       v->id, opt.exits, secs, secs * 1e9 / opt.exits);
		break;
	}
}

/* Read the kvm module's parameter, for the --fep failure message. */
static const char *fep_param(void)
{
	static char buf[32];
	FILE *f = fopen("/sys/module/kvm/parameters/force_emulation_prefix",
			"r");

	if (!f)
		return "unknown";
	if (!fgets(buf, sizeof(buf), f))
		strcpy(buf, "unknown");
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

/* Explain an exit we did not ask for, and fail. */
static __attribute__((noreturn))
void bad_exit(struct vcpu *v)
{
	struct kvm_run *run = v->run;
	const char *next = v->next < v->nsteps ?
			   step_names[v->script[v->next].code] : "hold";
	bool in_wrmsr = v->next < v->nsteps &&
			v->script[v->next].code == STEP_WROTE;

	switch (run->exit_reason) {
	case KVM_EXIT_SHUTDOWN:
		if (opt.fep && in_wrmsr)
			die(1, "vcpu %d: guest triple-faulted (KVM_EXIT_SHUTDOWN) on the forced-emulation WRMSR: KVM did not honour the 'ud2; kvm' prefix, the guest took #UD; load kvm with force_emulation_prefix=1 (now %s)",
			    v->id, fep_param());
		die(1, "vcpu %d: guest triple-faulted (KVM_EXIT_SHUTDOWN) before step '%s'%s",
		    v->id, next,
		    in_wrmsr ? " (its WRMSR LSTAR faulted)" : "");
	case KVM_EXIT_FAIL_ENTRY:
		die(1, "vcpu %d: KVM_RUN: VM entry failed (KVM_EXIT_FAIL_ENTRY), hardware reason 0x%llx: 64-bit vCPU state rejected",
		    v->id, (unsigned long long)
		    run->fail_entry.hardware_entry_failure_reason);
	case KVM_EXIT_INTERNAL_ERROR:
		die(1, "vcpu %d: KVM_RUN: KVM internal error, suberror %u, before step '%s'%s",
		    v->id, run->internal.suberror, next,
		    opt.fep && in_wrmsr ? " (emulating the FEP WRMSR)" : "");
	case KVM_EXIT_MMIO:
		die(1, "vcpu %d: guest accessed unbacked memory at 0x%llx before step '%s'",
		    v->id, (unsigned long long)run->mmio.phys_addr, next);
	case KVM_EXIT_IO:
		die(1, "vcpu %d: unexpected port I/O: %s port 0x%x size %u before step '%s'",
		    v->id, run->io.direction == KVM_EXIT_IO_OUT ? "out" : "in",
		    run->io.port, run->io.size, next);
	case KVM_EXIT_HLT:
		die(1, "vcpu %d: guest halted before step '%s'", v->id, next);
	default:
		die(1, "vcpu %d: unexpected KVM exit reason %u before step '%s'",
		    v->id, run->exit_reason, next);
	}
}

static void run_once(struct vcpu *v)
{
	struct lm_error err;

	if (lm_vcpu_run(v->fd, v->id, &err))
		die(1, "%s", err.msg);
}

static void *hop_thread(void *arg)
{
	run_once(arg);
	return NULL;
}

/* One KVM_RUN of the scripted part: with --hop, on a thread of its own. */
static void run_step(struct vcpu *v)
{
	pthread_t t;
	int err;

	if (!opt.hop) {
		run_once(v);
		return;
	}
	err = pthread_create(&t, NULL, hop_thread, v);
	if (err || (err = pthread_join(t, NULL)))
		die(1, "vcpu %d: the --hop thread failed: %s", v->id, strerror(err));
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *v = arg;
	struct kvm_run *run;
	const struct timespec period = { 0, HOLD_PERIOD_NS };

	if (opt.vm_thread)
		create_vcpu(v);
	run = v->run;

	/* The scripted part: writes, checks, optional exit loop. */
	while (v->next < v->nsteps) {
		run_step(v);
		if (run->exit_reason != KVM_EXIT_IO ||
		    run->io.direction != KVM_EXIT_IO_OUT ||
		    run->io.port != LSTAR_GUEST_PORT ||
		    run->io.size != 1 || run->io.count != 1)
			bad_exit(v);
		step(v, *((uint8_t *)run + run->io.data_offset));
	}

	pthread_barrier_wait(&all_done);

	/*
	 * Hold: the guest loops on HLT, each one an exit to us.  Re-enter
	 * about every 20 ms, so that a module loaded only now still sees
	 * exits of this vCPU, until main() says the hold is over.
	 */
	while (!atomic_load(&stop_hold)) {
		run_once(v);
		if (run->exit_reason != KVM_EXIT_HLT)
			bad_exit(v);
		nanosleep(&period, NULL);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	struct timespec deadline;
	int err;

	/* Tests read stdout through a pipe while we run: line-buffer it. */
	setvbuf(stdout, NULL, _IOLBF, 0);

	parse_args(argc, argv);
	if (opt.vm_thread) {
		/* The VM's creator is a thread that is gone before any vCPU runs. */
		pthread_t t;

		err = pthread_create(&t, NULL, create_vm, NULL);
		if (err || (err = pthread_join(t, NULL)))
			die(1, "the VM thread failed: %s", strerror(err));
	} else {
		create_vm(NULL);
	}
	for (int i = 0; i < opt.nvcpus; i++) {
		vcpus[i].id = i;
		if (!opt.vm_thread)
			create_vcpu(&vcpus[i]);
	}

	err = pthread_barrier_init(&all_done, NULL, opt.nvcpus + 1);
	if (err)
		die(1, "pthread_barrier_init failed: %s", strerror(err));
	for (int i = 0; i < opt.nvcpus; i++) {
		err = pthread_create(&vcpus[i].thread, NULL, vcpu_thread,
				     &vcpus[i]);
		if (err)
			die(1, "pthread_create failed for vcpu %d: %s", i,
			    strerror(err));
	}

	/* Every vCPU has finished its writes and had them checked. */
	pthread_barrier_wait(&all_done);
	printf("READY pid=%d\n", (int)getpid());
	fflush(stdout);

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += (time_t)opt.hold;
	deadline.tv_nsec += (long)((opt.hold - (time_t)opt.hold) * 1e9);
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	while ((err = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME,
				      &deadline, NULL)) == EINTR)
		;
	if (err)
		die(1, "clock_nanosleep failed: %s", strerror(err));

	atomic_store(&stop_hold, true);
	for (int i = 0; i < opt.nvcpus; i++)
		pthread_join(vcpus[i].thread, NULL);
	return 0;
}
