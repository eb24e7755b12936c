// SPDX-License-Identifier: GPL-2.0
/*
 * mkmap: write a synthetic x86_64 System.map for the symbol-lookup benchmark.
 *
 *   mkmap --out FILE [--lines N] [--target NAME]
 *
 * N lines (default 500000, at least 1000) of "ADDRESS TYPE NAME", the
 * address in 16 hex digits, sorted by address, laid out as a kernel's
 * System.map is: the per-CPU symbols at 0 (D, d), then .text from
 * 0xffffffff81000000 (T, t; some locals with .constprop.0, .isra.0, .part.0
 * or .cold), then .entry.text at the next 2 MiB boundary, .rodata (R, r,
 * with __ksymtab_ and __func__. entries), .data (D, d), .init.text and
 * .init.data, and .bss (B, b) last.  Names are made of kernel-like words
 * ("kvm_vcpu_load", "tcp_sock_alloc_skb"...), mostly 10 to 35 characters,
 * and no two lines share one.  NAME (default entry_SYSCALL_64) opens
 * .entry.text at 0x80 into it, so it comes after the bulk of .text, about
 * 45% into the file as in a real one, and is followed by the names that
 * begin like it (entry_SYSCALL_64_safe_stack,
 * entry_SYSCALL_64_after_hwframe) and the rest of the entry code.  The
 * file is the same for the same arguments.  Prints
 * "target NAME 0x<address> line L lines N bytes B".
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROG		"mkmap"
#define TEXT_ADDR	0xffffffff81000000ull
#define MIB		(1024ull * 1024)

#include "synth.h"
#define NAME_MAX_LEN	128
#define IDENT_MAX_LEN	96	/* the longest make_ident() writes is 57 */

static const char *const prefixes[] = {
	"kvm", "svm", "vmx", "x86", "mm", "sched", "irq", "rcu", "net", "tcp",
	"udp", "ip", "ipv6", "sock", "skb", "dev", "pci", "acpi", "usb", "scsi",
	"blk", "bio", "ext4", "xfs", "btrfs", "nfs", "fuse", "vfs", "inode",
	"dentry", "page", "folio", "slab", "kmem", "cgroup", "bpf", "trace",
	"perf", "ftrace", "kprobe", "audit", "selinux", "apparmor", "crypto",
	"drm", "i915", "amdgpu", "nvme", "virtio", "xen", "hv", "tty", "serial",
	"input", "hid", "snd", "netfilter", "nf", "xfrm", "sysfs", "proc",
	"kernfs", "timer", "hrtimer", "clocksource", "tick", "cpu", "cpufreq",
	"numa", "memcg", "swap", "writeback", "workqueue", "kthread", "signal",
	"futex", "posix", "ptrace", "seccomp", "module", "printk", "kobject",
	"device", "driver", "iommu", "dma", "gpio", "i2c", "spi", "mmc", "ata",
	"md", "dm", "raid", "wireguard", "mlx5", "ixgbe", "e1000e", "igb",
};
#define NPREFIXES (sizeof(prefixes) / sizeof(prefixes[0]))

static const char *const words[] = {
	"alloc", "free", "init", "exit", "read", "write", "lock", "unlock",
	"get", "put", "handle", "update", "check", "find", "map", "unmap",
	"start", "stop", "queue", "work", "flush", "event", "open", "release",
	"create", "destroy", "register", "unregister", "enable", "disable",
	"suspend", "resume", "probe", "remove", "attach", "detach", "commit",
	"submit", "complete", "wait", "wake", "notify", "set", "clear", "test",
	"show", "store", "parse", "print", "dump", "copy", "move", "insert",
	"delete", "lookup", "hash", "table", "list", "entry", "node", "tree",
	"range", "region", "state", "stats", "ops", "info", "data", "buffer",
	"ring", "desc", "ctx", "req", "resp", "msg", "hdr", "key", "value",
	"page", "pages", "pfn", "pte", "pmd", "vma", "task", "thread", "cpu",
	"vcpu", "msr", "tlb", "cache", "irq", "timer", "clock", "sync", "async",
	"fast", "slow", "path", "rcu", "mutex", "spin", "seq", "count", "ref",
	"mode", "flags", "config", "param", "mask", "bits", "size", "len",
	"offset", "addr", "io", "mmio", "port", "reg", "regs", "fw", "hw",
	"limit", "policy", "group", "class", "type", "id", "name", "link",
};
#define NWORDS (sizeof(words) / sizeof(words[0]))

/* The entry code after NAME, in address order: [0] follows NAME. */
static const struct {
	unsigned int off;	/* from the start of .entry.text */
	char type;
	const char *name;
} entry_code[] = {
	{ 0x099, 'T', "entry_SYSCALL_64_safe_stack" },
	{ 0x0a8, 'T', "entry_SYSCALL_64_after_hwframe" },
	{ 0x12d, 't', "syscall_return_via_sysret" },
	{ 0x184, 'T', "entry_SYSRETQ_unsafe_stack" },
	{ 0x190, 'T', "entry_SYSRETQ_end" },
	{ 0x1a0, 'T', "__switch_to_asm" },
	{ 0x200, 'T', "ret_from_fork_asm" },
	{ 0x240, 'T', "asm_load_gs_index" },
	{ 0x280, 'T', "asm_exc_divide_error" },
	{ 0x2a0, 'T', "asm_exc_overflow" },
	{ 0x2c0, 'T', "asm_exc_bounds" },
	{ 0x2e0, 'T', "asm_exc_device_not_available" },
	{ 0x300, 'T', "asm_exc_coproc_segment_overrun" },
	{ 0x320, 'T', "asm_exc_spurious_interrupt_bug" },
	{ 0x340, 'T', "asm_exc_coprocessor_error" },
	{ 0x360, 'T', "asm_exc_simd_coprocessor_error" },
	{ 0x380, 'T', "asm_exc_invalid_tss" },
	{ 0x3a0, 'T', "asm_exc_segment_not_present" },
	{ 0x3c0, 'T', "asm_exc_stack_segment" },
	{ 0x3e0, 'T', "asm_exc_general_protection" },
	{ 0x400, 'T', "asm_exc_alignment_check" },
	{ 0x420, 'T', "asm_exc_control_protection" },
	{ 0x460, 'T', "asm_exc_invalid_op" },
	{ 0x480, 'T', "asm_exc_int3" },
	{ 0x4f0, 'T', "asm_exc_page_fault" },
	{ 0x520, 'T', "asm_exc_debug" },
	{ 0x590, 'T', "asm_exc_double_fault" },
	{ 0x5d0, 'T', "asm_common_interrupt" },
	{ 0x600, 'T', "asm_spurious_interrupt" },
	{ 0x630, 'T', "asm_sysvec_apic_timer_interrupt" },
	{ 0x650, 'T', "asm_sysvec_reschedule_ipi" },
	{ 0x670, 'T', "asm_sysvec_call_function" },
	{ 0x690, 'T', "asm_sysvec_kvm_posted_intr_ipi" },
	{ 0x6d0, 'T', "asm_exc_machine_check" },
	{ 0x700, 'T', "asm_exc_nmi" },
	{ 0x7c0, 't', "paranoid_entry" },
	{ 0x8a0, 't', "paranoid_exit" },
	{ 0x900, 't', "error_entry" },
	{ 0x9d0, 't', "error_return" },
	{ 0xa00, 'T', "asm_exc_nmi_kvm_vmx" },
	{ 0xb80, 'T', "entry_SYSENTER_compat" },
	{ 0xbf0, 'T', "entry_SYSENTER_compat_after_hwframe" },
	{ 0xc80, 'T', "entry_SYSCALL_compat" },
	{ 0xcac, 'T', "entry_SYSCALL_compat_safe_stack" },
	{ 0xcbb, 'T', "entry_SYSCALL_compat_after_hwframe" },
	{ 0xd20, 'T', "entry_INT80_compat" },
	{ 0xdc0, 'T', "__entry_text_end" },
};
#define NENTRY (sizeof(entry_code) / sizeof(entry_code[0]))

static __attribute__((noreturn)) void usage(void)
{
	fprintf(stderr, "usage: " PROG " --out FILE [--lines N] [--target NAME]\n");
	exit(2);
}

/* True with probability @pct percent. */
static int chance(unsigned int pct)
{
	return next_random() % 100 < pct;
}

/* The names so far, by 64-bit FNV-1a hash (0 marks a free slot). */
static uint64_t *seen;
static size_t seen_mask;

static uint64_t hash_name(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;

	while (*s) {
		h ^= (unsigned char)*s++;
		h *= 0x100000001b3ull;
	}
	return h ? h : 1;
}

/* Remember @name; false if it was there already. */
static int remember(const char *name)
{
	uint64_t h = hash_name(name);
	size_t i = (size_t)h & seen_mask;

	for (; seen[i]; i = (i + 1) & seen_mask)
		if (seen[i] == h)
			return 0;
	seen[i] = h;
	return 1;
}

/* A kernel-like identifier: "[__]prefix_word[_word...]". */
static void make_ident(char *name)
{
	unsigned int r = (unsigned int)(next_random() % 100);
	int nw = r < 30 ? 1 : r < 70 ? 2 : r < 92 ? 3 : 4;
	size_t len = 0;

	if (chance(8))
		len += (size_t)snprintf(name, IDENT_MAX_LEN, "__");
	len += (size_t)snprintf(name + len, IDENT_MAX_LEN - len, "%s",
				prefixes[next_random() % NPREFIXES]);
	for (int w = 0; w < nw; w++)
		len += (size_t)snprintf(name + len, IDENT_MAX_LEN - len, "_%s",
					words[next_random() % NWORDS]);
}

/* A new name for a symbol of @type in @section (a character, see main). */
static void make_name(char *name, char type, char section)
{
	static unsigned long serial;
	char id[IDENT_MAX_LEN];
	unsigned int r;

	do {
		r = (unsigned int)(next_random() % 100);
		make_ident(id);
		if (section == 't' && type == 't' && r < 13) {
			static const char *const sfx[] = {
				".constprop.0", ".isra.0", ".part.0", ".cold",
			};

			snprintf(name, NAME_MAX_LEN, "%s%s", id, sfx[r % 4]);
		} else if (section == 'r' && r < 30) {
			snprintf(name, NAME_MAX_LEN, "__ksymtab_%s", id);
		} else if (section == 'r' && type == 'r' && r < 45) {
			snprintf(name, NAME_MAX_LEN, "__func__.%lu", serial++);
		} else if (section == 'b' && type == 'b' && r < 10) {
			snprintf(name, NAME_MAX_LEN, "__key.%lu", serial++);
		} else if (section == 'i' && r < 20) {
			snprintf(name, NAME_MAX_LEN, "%s_setup", id);
		} else {
			snprintf(name, NAME_MAX_LEN, "%s", id);
		}
	} while (!remember(name));
}

struct out {
	FILE *f;
	const char *path;
	unsigned long lines;
	uint64_t addr;		/* of the last line written */
};

static void line(struct out *o, uint64_t addr, char type, const char *name)
{
	if (addr < o->addr)
		die("internal error: %s at 0x%" PRIx64 " goes back", name, addr);
	if (fprintf(o->f, "%016" PRIx64 " %c %s\n", addr, type, name) < 0)
		die("writing %s failed: %s", o->path, strerror(errno));
	o->addr = addr;
	o->lines++;
}

/*
 * @n lines of @section (t, r, d, i for .init.text, j for .init.data, b),
 * global with probability @global percent, from *addr up by @step_min to
 * @step_max bytes (a multiple of @align); *addr ends past the last one.
 */
static void fill(struct out *o, unsigned long n, char section, unsigned int global,
		 uint64_t *addr, unsigned int step_min, unsigned int step_max,
		 unsigned int align)
{
	char name[NAME_MAX_LEN];
	char lower = section == 'i' ? 't' : section == 'j' ? 'd' : section;

	for (unsigned long i = 0; i < n; i++) {
		char type = chance(global) ? (char)(lower - 'a' + 'A') : lower;
		unsigned int step = step_min + (unsigned int)(next_random() %
							      (step_max - step_min + 1));

		make_name(name, type, section);
		line(o, *addr, type, name);
		*addr += (step + align - 1) / align * align;
	}
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) / a * a;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "out",    required_argument, NULL, 'o' },
		{ "lines",  required_argument, NULL, 'n' },
		{ "target", required_argument, NULL, 'T' },
		{ NULL, 0, NULL, 0 }
	};
	unsigned long nlines = 500000, npercpu, ntext, nrest, nrodata, ndata, ninit_text,
		      ninit_data, nbss, target_line;
	const char *out = NULL, *target = "entry_SYSCALL_64";
	uint64_t addr, entry, target_addr;
	struct out o = { 0 };
	long bytes;
	int c;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 'n':
			nlines = parse_num("--lines", optarg, 1000, 20000000);
			break;
		case 'T':
			target = optarg;
			break;
		default:
			usage();
		}
	}
	if (!out || optind != argc)
		usage();
	if (!*target || strlen(target) >= NAME_MAX_LEN || strpbrk(target, " \t\n"))
		die("bad --target '%s'", target);

	for (seen_mask = 1; seen_mask < 2 * nlines; seen_mask <<= 1)
		;
	seen = calloc(seen_mask, sizeof(*seen));
	if (!seen)
		die("out of memory");
	seen_mask--;
	remember(target);
	for (size_t i = 0; i < NENTRY; i++)
		remember(entry_code[i].name);

	/*
	 * Lines: per-CPU 0.3%; .text up to the target, 45% in; the entry code;
	 * the rest as .rodata 18 : .data 14 : .init.text 6 : .init.data 4 :
	 * .bss 13 (2 lines of each are its markers).
	 */
	npercpu = nlines * 3 / 1000;
	target_line = nlines * 45 / 100;
	ntext = target_line - npercpu - 2;	/* - __entry_text_start - 1 */
	nrest = nlines - (target_line + NENTRY + 2);	/* + __x86_return_thunk, _etext */
	nrodata = nrest * 18 / 55;
	ndata = nrest * 14 / 55;
	ninit_text = nrest * 6 / 55;
	ninit_data = nrest * 4 / 55;
	nbss = nrest - nrodata - ndata - ninit_text - ninit_data;

	o.f = fopen(out, "w");
	o.path = out;
	if (!o.f)
		die("cannot create %s: %s", out, strerror(errno));
	setvbuf(o.f, NULL, _IOFBF, 1 << 20);

	/* Per-CPU data, linked at 0. */
	addr = 0;
	line(&o, addr, 'D', "__per_cpu_start");
	line(&o, addr, 'D', "fixed_percpu_data");
	addr = 0x1000;
	fill(&o, npercpu - 3, 'd', 40, &addr, 8, 512, 8);
	line(&o, align_up(addr, 4096), 'D', "__per_cpu_end");

	/* .text, then .entry.text at the next 2 MiB. */
	addr = TEXT_ADDR;
	line(&o, addr, 'T', "_text");
	line(&o, addr, 'T', "startup_64");
	addr += 0x140;
	fill(&o, ntext - 2, 't', 40, &addr, 16, 400, 16);
	entry = align_up(addr, 2 * MIB);
	target_addr = entry + 0x80;
	line(&o, entry, 'T', "__entry_text_start");
	line(&o, target_addr, 'T', target);
	if (o.lines != target_line)
		die("internal error: the target is line %lu, not %lu", o.lines, target_line);
	for (size_t i = 0; i < NENTRY; i++)
		line(&o, entry + entry_code[i].off, entry_code[i].type, entry_code[i].name);
	line(&o, entry + 0x1000, 'T', "__x86_return_thunk");
	line(&o, entry + 0x1040, 'T', "_etext");

	/* .rodata, .data, .init.text, .init.data, .bss: each 2 MiB aligned. */
	addr = align_up(entry + 0x1040, 2 * MIB);
	line(&o, addr, 'D', "__start_rodata");
	fill(&o, nrodata - 2, 'r', 35, &addr, 8, 256, 8);
	line(&o, addr, 'R', "__end_rodata");
	addr = align_up(addr, 2 * MIB);
	line(&o, addr, 'D', "_sdata");
	fill(&o, ndata - 2, 'd', 45, &addr, 8, 256, 8);
	line(&o, addr, 'D', "_edata");
	addr = align_up(addr, 2 * MIB);
	line(&o, addr, 'T', "__init_begin");
	line(&o, addr, 'T', "_sinittext");
	fill(&o, ninit_text - 2, 'i', 30, &addr, 16, 512, 16);
	addr = align_up(addr, 4096);
	fill(&o, ninit_data, 'j', 30, &addr, 8, 256, 8);
	addr = align_up(addr, 2 * MIB);
	line(&o, addr, 'B', "__bss_start");
	fill(&o, nbss - 2, 'b', 40, &addr, 8, 512, 8);
	line(&o, align_up(addr, 4096), 'B', "_end");

	if (fflush(o.f) || (bytes = ftell(o.f)) < 0 || fclose(o.f))
		die("writing %s failed: %s", out, strerror(errno));
	if (o.lines != nlines)
		die("internal error: %lu lines written, not %lu", o.lines, nlines);
	free(seen);
	printf("target %s 0x%" PRIx64 " line %lu lines %lu bytes %ld\n", target, target_addr,
	       target_line, nlines, bytes);
	return 0;
}
