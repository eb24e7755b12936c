/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the unit tests: scratch files and synthetic ELF images.
 */
#ifndef KVMLSTAR_UNIT_H
#define KVMLSTAR_UNIT_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>	/* cmocka.h needs these three first */
#include <stdint.h>
#include <cmocka.h>

#include "kvmlstar.h"

/* A fresh scratch directory for this process; removed by unit_tmp_cleanup(). */
const char *unit_tmpdir(void);
void unit_tmp_cleanup(void);

/* "<tmpdir>/<name>", valid until unit_tmp_cleanup(). */
const char *unit_path(const char *name);

/* Write @len bytes / a string to <tmpdir>/<name>; returns the path. */
const char *unit_write(const char *name, const void *data, size_t len);
const char *unit_write_str(const char *name, const char *text);

/* Read a whole file into malloc()ed memory; *len gets its size. */
void *unit_read(const char *path, size_t *len);

/* Does @haystack contain @needle?  With a message naming both on failure. */
#define assert_contains(haystack, needle)					\
	do {									\
		const char *h_ = (haystack), *n_ = (needle);			\
		if (!h_ || !strstr(h_, n_))					\
			fail_msg("\"%s\" does not contain \"%s\"",		\
				 h_ ? h_ : "(null)", n_);			\
	} while (0)

/* Where a synthetic symbol is defined. */
enum elfgen_where {
	ELFGEN_TEXT,	/* .text: executable */
	ELFGEN_DATA,	/* .data: not executable */
	ELFGEN_UNDEF,	/* SHN_UNDEF */
	ELFGEN_ABS,	/* SHN_ABS */
	ELFGEN_SECTION,	/* an STT_SECTION symbol for .text */
	ELFGEN_FILE,	/* an STT_FILE symbol */
};

struct elfgen_sym {
	const char *name;
	uint64_t value;
	enum elfgen_where where;
	int local;	/* STB_LOCAL, else STB_GLOBAL */
};

enum elfgen_note {
	ELFGEN_NOTE_NONE,	/* no build-id */
	ELFGEN_NOTE_SECTION,	/* an SHT_NOTE section, covered by a PT_NOTE */
	ELFGEN_NOTE_PHDR_ONLY,	/* only a PT_NOTE (its section is SHT_PROGBITS) */
};

struct elfgen {
	int elfclass;		/* ELFCLASS64 (default when 0) or ELFCLASS32 */
	unsigned machine;	/* EM_X86_64 when 0 */
	unsigned type;		/* ET_EXEC when 0 */
	int no_symtab;		/* stripped: no .symtab/.strtab */
	int bad_strtab_link;	/* .symtab's sh_link names .text */
	int shdrs_last;		/* section headers at the end, as ld lays out */
	/*
	 * A last global text symbol whose name ends .strtab without its NUL
	 * (a corrupt table: the name must not be matched).
	 */
	const char *unterminated_name;
	enum elfgen_note note;
	const unsigned char *build_id;
	size_t build_id_len;
	const struct elfgen_sym *syms;
	size_t nsyms;
	/* .data's bytes (a string, up to 255) at data_addr; else 32 zeros at 0 */
	const char *data;
	uint64_t data_addr;
};

/*
 * Write an ELF file laid out as: header, program header (when a note is
 * asked for), section headers, then the contents of .text, .data, the note,
 * .shstrtab, .strtab and last .symtab.  So any truncation of the file cuts
 * into .symtab.  With shdrs_last the section headers come after .symtab
 * instead, as in a linked vmlinux, so any truncation cuts into them.
 * Returns the path; fails the test on error.
 */
const char *elfgen_write(const char *name, const struct elfgen *g);

/* Copy the first @len bytes of @src into <tmpdir>/<name>. */
const char *unit_truncate_copy(const char *src, const char *name, size_t len);

/* Run a test group with a scratch directory around it. */
int unit_run(const char *group, const struct CMUnitTest *tests, size_t n);
#define UNIT_RUN(group, tests) unit_run(group, tests, sizeof(tests) / sizeof((tests)[0]))

#endif /* KVMLSTAR_UNIT_H */
