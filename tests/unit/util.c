// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers shared by the unit tests: scratch files and synthetic ELF images.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* asprintf, mkdtemp */
#endif
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <ftw.h>

#include "unit.h"

static char tmpdir[256];

/* Every path handed out, freed by unit_tmp_cleanup(). */
static char **paths;
static size_t npaths;

const char *unit_tmpdir(void)
{
	if (!tmpdir[0]) {
		const char *base = getenv("TMPDIR");

		snprintf(tmpdir, sizeof(tmpdir), "%s/kvmlstar-unit.XXXXXX",
			 base && *base ? base : "/tmp");
		if (!mkdtemp(tmpdir)) {
			tmpdir[0] = '\0';
			fail_msg("mkdtemp: %s", strerror(errno));
		}
	}
	return tmpdir;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	chmod(path, 0700);
	return remove(path);
}

void unit_tmp_cleanup(void)
{
	if (tmpdir[0]) {
		nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
		tmpdir[0] = '\0';
	}
	while (npaths)
		free(paths[--npaths]);
	free(paths);
	paths = NULL;
}

const char *unit_path(const char *name)
{
	char *b, **np;

	if (asprintf(&b, "%s/%s", unit_tmpdir(), name) < 0)
		fail_msg("asprintf: out of memory");
	np = realloc(paths, (npaths + 1) * sizeof(*paths));
	assert_non_null(np);
	paths = np;
	paths[npaths++] = b;
	return b;
}

const char *unit_write(const char *name, const void *data, size_t len)
{
	const char *path = unit_path(name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	const char *p = data;

	if (fd < 0)
		fail_msg("open %s: %s", path, strerror(errno));
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n <= 0)
			fail_msg("write %s: %s", path, strerror(errno));
		p += n;
		len -= (size_t)n;
	}
	close(fd);
	return path;
}

const char *unit_write_str(const char *name, const char *text)
{
	return unit_write(name, text, strlen(text));
}

void *unit_read(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		fail_msg("fopen %s: %s", path, strerror(errno));
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc(n > 0 ? (size_t)n : 1);
	assert_non_null(buf);
	if (n > 0 && fread(buf, 1, (size_t)n, f) != (size_t)n)
		fail_msg("fread %s", path);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

const char *unit_truncate_copy(const char *src, const char *name, size_t len)
{
	size_t full;
	char *buf = unit_read(src, &full);
	const char *path;

	assert_true(len <= full);
	path = unit_write(name, buf, len);
	free(buf);
	return path;
}

/* ------------------------------------------------------------------ */
/* synthetic ELF                                                       */
/* ------------------------------------------------------------------ */

enum { S_NULL, S_TEXT, S_DATA, S_NOTE, S_SHSTRTAB, S_STRTAB, S_SYMTAB, S_NUM };

struct strtab {
	char buf[1 << 22];
	size_t len;
};

static size_t str_add(struct strtab *t, const char *s)
{
	size_t off = t->len, n = strlen(s) + 1;

	assert_true(t->len + n <= sizeof(t->buf));
	memcpy(t->buf + t->len, s, n);
	t->len += n;
	return off;
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return a > 1 ? (v + a - 1) / a * a : v;
}

const char *elfgen_write(const char *name, const struct elfgen *g)
{
	static struct strtab shstr, str;
	static unsigned char text[64], dataz[256];
	size_t data_len = 32;
	int cls = g->elfclass ? g->elfclass : ELFCLASS64;
	int is64 = cls == ELFCLASS64;
	const char *path = unit_path(name);
	unsigned char *note = NULL, *symbuf = NULL;
	size_t note_len = 0, nsym = 0, i, nlocal = 1, symsz;
	size_t sh_name[S_NUM] = { 0 };
	int have[S_NUM] = { 0 };
	size_t idx[S_NUM] = { 0 }, nscn = 1;
	uint64_t off;
	GElf_Ehdr eh;
	Elf *e;
	int fd;

	shstr.len = 0;
	str.len = 0;
	str_add(&shstr, "");
	str_add(&str, "");
	memset(text, 0x90, sizeof(text));
	memset(dataz, 0, sizeof(dataz));
	if (g->data) {
		data_len = strlen(g->data);
		if (data_len > sizeof(dataz) - 1)
			fail_msg("elfgen: .data longer than %zu bytes", sizeof(dataz) - 1);
		memcpy(dataz, g->data, data_len);
	}

	have[S_TEXT] = have[S_DATA] = have[S_SHSTRTAB] = 1;
	have[S_NOTE] = g->note != ELFGEN_NOTE_NONE;
	have[S_STRTAB] = have[S_SYMTAB] = !g->no_symtab;
	for (i = 1; i < S_NUM; i++)
		if (have[i])
			idx[i] = nscn++;
	sh_name[S_TEXT] = str_add(&shstr, ".text");
	sh_name[S_DATA] = str_add(&shstr, ".data");
	sh_name[S_NOTE] = str_add(&shstr, ".notes");
	sh_name[S_SHSTRTAB] = str_add(&shstr, ".shstrtab");
	sh_name[S_STRTAB] = str_add(&shstr, ".strtab");
	sh_name[S_SYMTAB] = str_add(&shstr, ".symtab");

	if (have[S_NOTE]) {
		/* namesz, descsz, type, "GNU\0", desc padded to 4 */
		size_t dl = align_up(g->build_id_len, 4);

		note_len = 16 + dl;
		note = calloc(1, note_len);
		assert_non_null(note);
		((uint32_t *)note)[0] = 4;
		((uint32_t *)note)[1] = (uint32_t)g->build_id_len;
		((uint32_t *)note)[2] = NT_GNU_BUILD_ID;
		memcpy(note + 12, "GNU", 4);
		memcpy(note + 16, g->build_id, g->build_id_len);
	}

	/* Symbols: the null symbol, then locals, then globals. */
	symsz = is64 ? sizeof(Elf64_Sym) : sizeof(Elf32_Sym);
	symbuf = calloc(g->nsyms + 2, symsz);
	assert_non_null(symbuf);
	nsym = 1;
	for (int pass = 0; pass < 2; pass++) {
		for (i = 0; i < g->nsyms; i++) {
			const struct elfgen_sym *s = &g->syms[i];
			int local = s->local || s->where == ELFGEN_SECTION ||
				    s->where == ELFGEN_FILE;
			unsigned type = STT_NOTYPE, shndx = 0;
			size_t nm;

			if (local != (pass == 0))
				continue;
			switch (s->where) {
			case ELFGEN_TEXT:	shndx = idx[S_TEXT]; type = STT_FUNC; break;
			case ELFGEN_DATA:	shndx = idx[S_DATA]; type = STT_OBJECT; break;
			case ELFGEN_UNDEF:	shndx = SHN_UNDEF; break;
			case ELFGEN_ABS:	shndx = SHN_ABS; break;
			case ELFGEN_SECTION:	shndx = idx[S_TEXT]; type = STT_SECTION; break;
			case ELFGEN_FILE:	shndx = SHN_ABS; type = STT_FILE; break;
			}
			nm = s->name ? str_add(&str, s->name) : 0;
			if (is64) {
				Elf64_Sym *y = (Elf64_Sym *)symbuf + nsym;

				y->st_name = (Elf64_Word)nm;
				y->st_value = s->value;
				y->st_info = ELF64_ST_INFO(local ? STB_LOCAL : STB_GLOBAL, type);
				y->st_shndx = (Elf64_Section)shndx;
			} else {
				Elf32_Sym *y = (Elf32_Sym *)symbuf + nsym;

				y->st_name = (Elf32_Word)nm;
				y->st_value = (Elf32_Addr)s->value;
				y->st_info = ELF32_ST_INFO(local ? STB_LOCAL : STB_GLOBAL, type);
				y->st_shndx = (Elf32_Section)shndx;
			}
			nsym++;
			if (local)
				nlocal = nsym;
		}
	}

	if (g->unterminated_name) {
		size_t n = strlen(g->unterminated_name);

		assert_true(str.len + n <= sizeof(str.buf));
		memcpy(str.buf + str.len, g->unterminated_name, n);
		if (is64) {
			Elf64_Sym *y = (Elf64_Sym *)symbuf + nsym;

			y->st_name = (Elf64_Word)str.len;
			y->st_value = 0xffffffff81000800ull;
			y->st_info = ELF64_ST_INFO(STB_GLOBAL, STT_FUNC);
			y->st_shndx = (Elf64_Section)idx[S_TEXT];
		} else {
			Elf32_Sym *y = (Elf32_Sym *)symbuf + nsym;

			y->st_name = (Elf32_Word)str.len;
			y->st_value = 0x81000800u;
			y->st_info = ELF32_ST_INFO(STB_GLOBAL, STT_FUNC);
			y->st_shndx = (Elf32_Section)idx[S_TEXT];
		}
		str.len += n;
		nsym++;
	}

	if (elf_version(EV_CURRENT) == EV_NONE)
		fail_msg("elf_version: %s", elf_errmsg(-1));
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		fail_msg("open %s: %s", path, strerror(errno));
	e = elf_begin(fd, ELF_C_WRITE, NULL);
	if (!e || !gelf_newehdr(e, cls))
		fail_msg("elf_begin/newehdr: %s", elf_errmsg(-1));
	if (have[S_NOTE] && !gelf_newphdr(e, 1))
		fail_msg("gelf_newphdr: %s", elf_errmsg(-1));

	/* Layout: ehdr, phdr, shdrs, then the contents in section order. */
	off = is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);
	gelf_getehdr(e, &eh);
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_type = (GElf_Half)(g->type ? g->type : ET_EXEC);
	eh.e_machine = (GElf_Half)(g->machine ? g->machine : EM_X86_64);
	eh.e_version = EV_CURRENT;
	eh.e_entry = 0xffffffff81000000ull & (is64 ? ~0ull : 0xffffffffull);
	if (have[S_NOTE]) {
		eh.e_phoff = off;
		off += is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
	}
	if (!g->shdrs_last) {
		off = align_up(off, 8);
		eh.e_shoff = off;
		off += nscn * (is64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr));
	}
	eh.e_shstrndx = (GElf_Half)idx[S_SHSTRTAB];

	for (i = 1; i < S_NUM; i++) {
		GElf_Shdr sh;
		Elf_Scn *scn;
		Elf_Data *d;

		if (!have[i])
			continue;
		scn = elf_newscn(e);
		d = scn ? elf_newdata(scn) : NULL;
		if (!d || !gelf_getshdr(scn, &sh))
			fail_msg("elf_newscn: %s", elf_errmsg(-1));
		memset(&sh, 0, sizeof(sh));
		sh.sh_name = sh_name[i];
		d->d_version = EV_CURRENT;
		d->d_off = 0;
		d->d_type = ELF_T_BYTE;
		d->d_align = 1;
		switch (i) {
		case S_TEXT:
			sh.sh_type = SHT_PROGBITS;
			sh.sh_flags = SHF_ALLOC | SHF_EXECINSTR;
			sh.sh_addr = eh.e_entry;
			sh.sh_addralign = 16;
			d->d_buf = text;
			d->d_size = sizeof(text);
			break;
		case S_DATA:
			sh.sh_type = SHT_PROGBITS;
			sh.sh_flags = SHF_ALLOC | SHF_WRITE;
			sh.sh_addralign = 8;
			sh.sh_addr = g->data_addr;
			d->d_buf = dataz;
			d->d_size = data_len;
			break;
		case S_NOTE:
			sh.sh_type = g->note == ELFGEN_NOTE_SECTION ? SHT_NOTE : SHT_PROGBITS;
			sh.sh_flags = SHF_ALLOC;
			sh.sh_addralign = 4;
			d->d_buf = note;
			d->d_size = note_len;
			d->d_type = g->note == ELFGEN_NOTE_SECTION ? ELF_T_NHDR : ELF_T_BYTE;
			d->d_align = 4;
			break;
		case S_SHSTRTAB:
			sh.sh_type = SHT_STRTAB;
			sh.sh_addralign = 1;
			d->d_buf = shstr.buf;
			d->d_size = shstr.len;
			break;
		case S_STRTAB:
			sh.sh_type = SHT_STRTAB;
			sh.sh_addralign = 1;
			d->d_buf = str.buf;
			d->d_size = str.len;
			break;
		case S_SYMTAB:
			sh.sh_type = SHT_SYMTAB;
			sh.sh_addralign = 8;
			sh.sh_entsize = symsz;
			sh.sh_link = (GElf_Word)(g->bad_strtab_link ? idx[S_TEXT] : idx[S_STRTAB]);
			sh.sh_info = (GElf_Word)nlocal;
			d->d_buf = symbuf;
			d->d_size = nsym * symsz;
			d->d_type = ELF_T_SYM;
			d->d_align = 8;
			break;
		}
		off = align_up(off, sh.sh_addralign);
		sh.sh_offset = off;
		sh.sh_size = d->d_size;
		off += d->d_size;
		if (i == S_NOTE) {
			GElf_Phdr ph = {
				.p_type = PT_NOTE, .p_flags = PF_R, .p_offset = sh.sh_offset,
				.p_filesz = note_len, .p_memsz = note_len, .p_align = 4,
			};

			if (!gelf_update_phdr(e, 0, &ph))
				fail_msg("gelf_update_phdr: %s", elf_errmsg(-1));
		}
		if (!gelf_update_shdr(scn, &sh))
			fail_msg("gelf_update_shdr: %s", elf_errmsg(-1));
	}
	if (g->shdrs_last)
		eh.e_shoff = align_up(off, 8);
	if (!gelf_update_ehdr(e, &eh))
		fail_msg("gelf_update_ehdr: %s", elf_errmsg(-1));
	elf_flagelf(e, ELF_C_SET, ELF_F_LAYOUT);
	if (elf_update(e, ELF_C_WRITE) < 0)
		fail_msg("elf_update %s: %s", path, elf_errmsg(-1));
	elf_end(e);
	close(fd);
	free(note);
	free(symbuf);
	return path;
}

/* ------------------------------------------------------------------ */

static int group_setup(void **state)
{
	(void)state;
	unit_tmpdir();
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	unit_tmp_cleanup();
	return 0;
}

int unit_run(const char *group, const struct CMUnitTest *tests, size_t n)
{
	return _cmocka_run_group_tests(group, tests, n, group_setup, group_teardown);
}
