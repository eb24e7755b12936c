// SPDX-License-Identifier: GPL-2.0
/*
 * mkelf: write a synthetic x86_64 vmlinux for the symbol-lookup benchmark.
 *
 *   mkelf --out FILE [--symbols N] [--text-mb T] [--data-mb D] [--target NAME]
 *
 * The file is an ELF64 ET_EXEC for EM_X86_64 laid out like a kernel:
 * .text (T MiB, executable, at 0xffffffff81000000), .notes (a GNU
 * build-id), .data (D MiB of
 * pseudo-random bytes, so the file really is that big on disk), .symtab,
 * .strtab and .shstrtab.  The symbol table holds N symbols with
 * kernel-like names ("kvm_vcpu_load_1f3a"...), locals first and globals
 * after them as a linker writes them, and NAME (default entry_SYSCALL_64)
 * as the very last one: the worst case for a linear lookup.  Prints
 * "target NAME 0x<address> symbols N bytes B".
 */
#include <elf.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROG		"mkelf"
#define TEXT_ADDR	0xffffffff81000000ull
#define MIB		(1024ull * 1024)

#include "synth.h"

/* Section indexes. */
enum {
	SH_NULL, SH_TEXT, SH_NOTES, SH_DATA, SH_SYMTAB, SH_STRTAB, SH_SHSTRTAB,
	SH_NUM
};

/* .notes: a GNU build-id, as every distribution vmlinux has. */
struct build_id_note {
	Elf64_Nhdr nh;
	char name[4];		/* "GNU" */
	unsigned char id[20];
};

static const char *const words[] = {
	"do", "sys", "kvm", "vcpu", "mm", "page", "irq", "sched", "net", "dev",
	"fs", "inode", "alloc", "free", "init", "exit", "read", "write", "lock",
	"unlock", "get", "put", "handle", "update", "check", "find", "map",
	"unmap", "start", "stop", "queue", "work", "timer", "pci", "acpi",
	"x86", "svm", "vmx", "msr", "tlb", "flush", "rcu", "cgroup", "bpf",
	"trace", "event", "block", "bio", "skb", "sock", "tcp", "ext4",
};
#define NWORDS (sizeof(words) / sizeof(words[0]))

static __attribute__((noreturn)) void usage(void)
{
	fprintf(stderr, "usage: " PROG " --out FILE [--symbols N] [--text-mb T] [--data-mb D] [--target NAME]\n");
	exit(2);
}

struct buf {
	char *p;
	size_t len, cap;
};

static size_t buf_add(struct buf *b, const void *data, size_t len)
{
	size_t off = b->len;

	if (b->len + len > b->cap) {
		b->cap = (b->len + len) * 2;
		b->p = realloc(b->p, b->cap);
		if (!b->p)
			die("out of memory");
	}
	memcpy(b->p + b->len, data, len);
	b->len += len;
	return off;
}

static size_t buf_str(struct buf *b, const char *s)
{
	return buf_add(b, s, strlen(s) + 1);
}

static void write_all(FILE *f, const void *p, size_t len, const char *path)
{
	if (len && fwrite(p, 1, len, f) != len)
		die("writing %s failed: %s", path, strerror(errno));
}

/* @len bytes of filler: 0xcc (int3) for text, pseudo-random for data. */
static void write_fill(FILE *f, size_t len, int random, const char *path)
{
	static uint64_t chunk[8192];

	while (len) {
		size_t n = len < sizeof(chunk) ? len : sizeof(chunk);

		for (size_t i = 0; i < sizeof(chunk) / 8; i++)
			chunk[i] = random ? next_random() : 0xccccccccccccccccull;
		write_all(f, chunk, n, path);
		len -= n;
	}
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "out",     required_argument, NULL, 'o' },
		{ "symbols", required_argument, NULL, 'n' },
		{ "text-mb", required_argument, NULL, 't' },
		{ "data-mb", required_argument, NULL, 'd' },
		{ "target",  required_argument, NULL, 'T' },
		{ NULL, 0, NULL, 0 }
	};
	unsigned long nsyms = 200000, text_mb = 16, data_mb = 48;
	const char *out = NULL, *target = "entry_SYSCALL_64";
	struct buf symtab = { 0 }, strtab = { 0 }, shstr = { 0 };
	Elf64_Shdr sh[SH_NUM];
	Elf64_Phdr ph[2];
	Elf64_Ehdr eh;
	Elf64_Sym sym;
	struct build_id_note note = {
		.nh = { .n_namesz = 4, .n_descsz = 20, .n_type = NT_GNU_BUILD_ID },
		.name = "GNU",
	};
	size_t name_off[SH_NUM], off;
	uint64_t text_size, data_size, target_addr, data_addr;
	unsigned long nlocal;
	FILE *f;
	int c;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 'n':
			nsyms = parse_num("--symbols", optarg, 1, 10000000);
			break;
		case 't':
			text_mb = parse_num("--text-mb", optarg, 1, 4096);
			break;
		case 'd':
			data_mb = parse_num("--data-mb", optarg, 1, 4096);
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

	text_size = text_mb * MIB;
	data_size = data_mb * MIB;
	data_addr = TEXT_ADDR + text_size;
	/* Like entry_SYSCALL_64: 0x80 into a 2 MiB-aligned stretch of text. */
	target_addr = TEXT_ADDR + (text_size > 2 * MIB ? text_size - 2 * MIB : 0) + 0x80;

	/* Symbols: null, then 90% locals, then globals, the target last. */
	buf_add(&strtab, "", 1);
	memset(&sym, 0, sizeof(sym));
	buf_add(&symtab, &sym, sizeof(sym));
	nlocal = nsyms / 10 * 9;
	for (unsigned long i = 0; i + 1 < nsyms; i++) {
		char name[128];
		int nw = 2 + (int)(next_random() % 3);
		int is_data = next_random() % 4 == 0;
		size_t len = 0;

		for (int w = 0; w < nw; w++)
			len += snprintf(name + len, sizeof(name) - len, "%s%s", w ? "_" : "",
					words[next_random() % NWORDS]);
		snprintf(name + len, sizeof(name) - len, "_%lx", i);

		memset(&sym, 0, sizeof(sym));
		sym.st_name = (Elf64_Word)buf_str(&strtab, name);
		sym.st_info = ELF64_ST_INFO(i < nlocal ? STB_LOCAL : STB_GLOBAL,
					    is_data ? STT_OBJECT : STT_FUNC);
		sym.st_shndx = is_data ? SH_DATA : SH_TEXT;
		sym.st_value = is_data ? data_addr + (i * 64) % data_size :
					 TEXT_ADDR + (i * 16) % text_size;
		sym.st_size = is_data ? 64 : 16;
		buf_add(&symtab, &sym, sizeof(sym));
	}
	memset(&sym, 0, sizeof(sym));
	sym.st_name = (Elf64_Word)buf_str(&strtab, target);
	sym.st_info = ELF64_ST_INFO(STB_GLOBAL, STT_NOTYPE);
	sym.st_shndx = SH_TEXT;
	sym.st_value = target_addr;
	buf_add(&symtab, &sym, sizeof(sym));

	buf_add(&shstr, "", 1);
	name_off[SH_NULL] = 0;
	name_off[SH_TEXT] = buf_str(&shstr, ".text");
	name_off[SH_NOTES] = buf_str(&shstr, ".notes");
	name_off[SH_DATA] = buf_str(&shstr, ".data");
	name_off[SH_SYMTAB] = buf_str(&shstr, ".symtab");
	name_off[SH_STRTAB] = buf_str(&shstr, ".strtab");
	name_off[SH_SHSTRTAB] = buf_str(&shstr, ".shstrtab");

	/* Layout: headers, text, data, symtab, strtab, shstrtab, shdrs. */
	memset(sh, 0, sizeof(sh));
	off = 0x1000;
	sh[SH_TEXT] = (Elf64_Shdr){
		.sh_name = name_off[SH_TEXT], .sh_type = SHT_PROGBITS,
		.sh_flags = SHF_ALLOC | SHF_EXECINSTR, .sh_addr = TEXT_ADDR,
		.sh_offset = off, .sh_size = text_size, .sh_addralign = 4096,
	};
	off += text_size;
	sh[SH_NOTES] = (Elf64_Shdr){
		.sh_name = name_off[SH_NOTES], .sh_type = SHT_NOTE,
		.sh_offset = off, .sh_size = sizeof(note), .sh_addralign = 4,
	};
	off += 4096;
	sh[SH_DATA] = (Elf64_Shdr){
		.sh_name = name_off[SH_DATA], .sh_type = SHT_PROGBITS,
		.sh_flags = SHF_ALLOC | SHF_WRITE, .sh_addr = data_addr,
		.sh_offset = off, .sh_size = data_size, .sh_addralign = 4096,
	};
	off += data_size;
	sh[SH_SYMTAB] = (Elf64_Shdr){
		.sh_name = name_off[SH_SYMTAB], .sh_type = SHT_SYMTAB,
		.sh_offset = off, .sh_size = symtab.len, .sh_link = SH_STRTAB,
		.sh_info = (Elf64_Word)(nlocal + 1), .sh_addralign = 8,
		.sh_entsize = sizeof(Elf64_Sym),
	};
	off += symtab.len;
	sh[SH_STRTAB] = (Elf64_Shdr){
		.sh_name = name_off[SH_STRTAB], .sh_type = SHT_STRTAB,
		.sh_offset = off, .sh_size = strtab.len, .sh_addralign = 1,
	};
	off += strtab.len;
	sh[SH_SHSTRTAB] = (Elf64_Shdr){
		.sh_name = name_off[SH_SHSTRTAB], .sh_type = SHT_STRTAB,
		.sh_offset = off, .sh_size = shstr.len, .sh_addralign = 1,
	};
	off += shstr.len;
	off = (off + 7) & ~(size_t)7;

	memset(ph, 0, sizeof(ph));
	ph[0] = (Elf64_Phdr){
		.p_type = PT_LOAD, .p_flags = PF_R | PF_X,
		.p_offset = sh[SH_TEXT].sh_offset, .p_vaddr = TEXT_ADDR,
		.p_paddr = TEXT_ADDR - 0xffffffff80000000ull,
		.p_filesz = text_size, .p_memsz = text_size, .p_align = 0x200000,
	};
	ph[1] = ph[0];
	ph[1].p_flags = PF_R | PF_W;
	ph[1].p_offset = sh[SH_DATA].sh_offset;
	ph[1].p_vaddr = data_addr;
	ph[1].p_paddr = data_addr - 0xffffffff80000000ull;
	ph[1].p_filesz = ph[1].p_memsz = data_size;

	memset(&eh, 0, sizeof(eh));
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = ET_EXEC;
	eh.e_machine = EM_X86_64;
	eh.e_version = EV_CURRENT;
	eh.e_entry = 0x1000000;
	eh.e_phoff = sizeof(eh);
	eh.e_shoff = off;
	eh.e_ehsize = sizeof(eh);
	eh.e_phentsize = sizeof(Elf64_Phdr);
	eh.e_phnum = 2;
	eh.e_shentsize = sizeof(Elf64_Shdr);
	eh.e_shnum = SH_NUM;
	eh.e_shstrndx = SH_SHSTRTAB;

	f = fopen(out, "wb");
	if (!f)
		die("cannot create %s: %s", out, strerror(errno));
	write_all(f, &eh, sizeof(eh), out);
	write_all(f, ph, sizeof(ph), out);
	write_fill(f, 0x1000 - sizeof(eh) - sizeof(ph), 0, out);
	write_fill(f, text_size, 0, out);
	for (size_t i = 0; i < sizeof(note.id); i++)
		note.id[i] = (unsigned char)next_random();
	write_all(f, &note, sizeof(note), out);
	write_fill(f, 4096 - sizeof(note), 0, out);
	write_fill(f, data_size, 1, out);
	write_all(f, symtab.p, symtab.len, out);
	write_all(f, strtab.p, strtab.len, out);
	write_all(f, shstr.p, shstr.len, out);
	write_fill(f, off - (sh[SH_SHSTRTAB].sh_offset + shstr.len), 0, out);
	write_all(f, sh, sizeof(sh), out);
	if (fclose(f))
		die("writing %s failed: %s", out, strerror(errno));

	printf("target %s 0x%" PRIx64 " symbols %lu bytes %zu\n", target, target_addr,
	       nsyms, off + sizeof(sh));
	return 0;
}
