// SPDX-License-Identifier: GPL-2.0
/*
 * pvh-stub: start a Linux vmlinux at its PVH entry point from a Multiboot
 * (v1) loader, for the Intel bench under Bochs.
 *
 * Bochs has no Linux loader, and a bzImage spends most of a Bochs boot in
 * its xz decompressor.  tests/vm/bochs/mkboot.py puts this stub and the
 * already decompressed vmlinux's loadable segments into one Multiboot ELF,
 * which syslinux's mboot.c32 loads (each segment at its physical address,
 * the initramfs as module 0 above them).  The stub turns what the loader
 * hands over (memory map, command line, module) into the hvm_start_info
 * that the kernel's PVH entry (pvh_start_xen) takes, and jumps there: 32-bit
 * protected mode, paging off, flat segments, EBX = &start_info, as the PVH
 * boot ABI asks.  Without KASLR: a PVH boot runs at the link-time address.
 *
 * Freestanding: gcc -m32 -ffreestanding -nostdlib, linked by pvh-stub.lds.
 */
#include <stdint.h>
#include <stddef.h>

#define MB_HEADER_MAGIC 0x1BADB002u
#define MB_LOADER_MAGIC 0x2BADB002u
#define MB_FLAGS 0x00000003u	/* page-aligned modules, memory map */

#define MBI_CMDLINE (1u << 2)
#define MBI_MODS (1u << 3)
#define MBI_MMAP (1u << 6)

#define HVM_START_MAGIC 0x336ec578u
#define MEMMAP_MAX 128

struct mb_info {
	uint32_t flags, mem_lower, mem_upper, boot_device, cmdline;
	uint32_t mods_count, mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length, mmap_addr;
} __attribute__((packed));

struct mb_module {
	uint32_t start, end, string, reserved;
};

struct mb_mmap {
	uint32_t size;	/* of the rest of this entry */
	uint64_t addr, len;
	uint32_t type;
} __attribute__((packed));

/* xen/include/public/arch-x86/hvm/start_info.h, version 1 */
struct hvm_start_info {
	uint32_t magic, version, flags, nr_modules;
	uint64_t modlist_paddr, cmdline_paddr, rsdp_paddr;
	uint64_t memmap_paddr;
	uint32_t memmap_entries, reserved;
};

struct hvm_modlist_entry {
	uint64_t paddr, size, cmdline_paddr, reserved;
};

struct hvm_memmap_entry {
	uint64_t addr, size;
	uint32_t type, reserved;
};

_Static_assert(sizeof(struct hvm_start_info) == 56, "start_info layout");
_Static_assert(sizeof(struct hvm_modlist_entry) == 32, "modlist layout");
_Static_assert(sizeof(struct hvm_memmap_entry) == 24, "memmap layout");

/*
 * The Multiboot header, first in the image.  mkboot.py writes the kernel's
 * PVH entry (its XEN_ELFNOTE_PHYS32_ENTRY note) into pvh_entry, the word
 * after the header, and refuses an image without the header.
 */
struct stub_header {
	uint32_t magic, flags, checksum;
	uint32_t pvh_entry;
};

__attribute__((section(".multiboot"), used, aligned(4)))
struct stub_header stub_header = {
	.magic = MB_HEADER_MAGIC,
	.flags = MB_FLAGS,
	.checksum = -(MB_HEADER_MAGIC + MB_FLAGS),
};

static struct hvm_start_info start_info;
static struct hvm_modlist_entry modlist[1];
static struct hvm_memmap_entry memmap[MEMMAP_MAX];
static char cmdline[2048];

/* COM1, polled: the stub's only way to say why it stopped. */
static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static void say(const char *s)
{
	for (; *s; s++) {
		while (!(inb(0x3f8 + 5) & 0x20))
			;
		outb(0x3f8, (uint8_t)*s);
	}
}

static __attribute__((noreturn)) void stop(const char *why)
{
	say("pvh-stub: ");
	say(why);
	say("\r\n");
	for (;;)
		__asm__ volatile("cli; hlt");
}

/* The BIOS data area, by address (gcc would call a constant pointer out of bounds). */
static inline uint16_t peek16(uint32_t addr)
{
	uint16_t v;

	__asm__ volatile("movw (%1), %0" : "=r"(v) : "r"(addr) : "memory");
	return v;
}

static int rsdp_at(const uint8_t *p)
{
	static const char sig[8] = "RSD PTR ";
	uint8_t sum = 0;

	for (int i = 0; i < 8; i++)
		if (p[i] != (uint8_t)sig[i])
			return 0;
	for (int i = 0; i < 20; i++)	/* the ACPI 1.0 part */
		sum += p[i];
	return sum == 0;
}

/* ACPI's own search: the EBDA's first KiB, then 0xe0000..0xfffff. */
static uint32_t find_rsdp(void)
{
	uint32_t ebda = (uint32_t)peek16(0x40e) << 4;

	if (ebda >= 0x80000 && ebda < 0xa0000)
		for (uint32_t a = ebda; a < ebda + 1024; a += 16)
			if (rsdp_at((const uint8_t *)a))
				return a;
	for (uint32_t a = 0xe0000; a < 0x100000; a += 16)
		if (rsdp_at((const uint8_t *)a))
			return a;
	return 0;
}

/*
 * mboot.c32 passes "FILE ARGS" as the command line; the kernel gets ARGS.
 */
static void copy_cmdline(const char *s)
{
	size_t n = 0;

	while (*s && *s != ' ')
		s++;
	while (*s == ' ')
		s++;
	while (*s && n < sizeof(cmdline) - 1)
		cmdline[n++] = *s++;
	cmdline[n] = '\0';
}

void stub_main(uint32_t magic, const struct mb_info *mbi);

void stub_main(uint32_t magic, const struct mb_info *mbi)
{
	uint32_t n = 0;

	if (magic != MB_LOADER_MAGIC)
		stop("not started by a Multiboot loader");
	if (!stub_header.pvh_entry)
		stop("no PVH entry point (mkboot.py writes it)");
	if (!(mbi->flags & MBI_MMAP))
		stop("the loader gave no memory map");
	if (!(mbi->flags & MBI_MODS) || mbi->mods_count != 1)
		stop("expected exactly one module, the initramfs");

	for (uint32_t off = 0; off < mbi->mmap_length && n < MEMMAP_MAX; n++) {
		const struct mb_mmap *e = (const void *)(mbi->mmap_addr + off);

		memmap[n].addr = e->addr;
		memmap[n].size = e->len;
		memmap[n].type = e->type;
		off += e->size + 4;
	}

	const struct mb_module *mod = (const void *)mbi->mods_addr;

	modlist[0].paddr = mod->start;
	modlist[0].size = mod->end - mod->start;
	if (mbi->flags & MBI_CMDLINE)
		copy_cmdline((const char *)mbi->cmdline);

	start_info.magic = HVM_START_MAGIC;
	start_info.version = 1;
	start_info.nr_modules = 1;
	start_info.modlist_paddr = (uint32_t)modlist;
	start_info.cmdline_paddr = (uint32_t)cmdline;
	start_info.rsdp_paddr = find_rsdp();
	start_info.memmap_paddr = (uint32_t)memmap;
	start_info.memmap_entries = n;

	__asm__ volatile("jmp *%0"
			 : : "a"(stub_header.pvh_entry), "b"(&start_info)
			 : "memory");
	__builtin_unreachable();
}

/* The loader's EAX (magic) and EBX (info); a stack of our own. */
__asm__(".section .text.entry, \"ax\"\n"
	".globl _start\n"
	"_start:\n"
	"	cli\n"
	"	cld\n"
	"	movl $stub_stack_top, %esp\n"
	"	pushl %ebx\n"
	"	pushl %eax\n"
	"	call stub_main\n"
	"1:	hlt\n"
	"	jmp 1b\n"
	".section .bss\n"
	".balign 16\n"
	"	.skip 16384\n"
	"stub_stack_top:\n");
