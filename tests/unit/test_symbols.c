// SPDX-License-Identifier: GPL-2.0
/*
 * kvmlstar_syms_*(): vmlinux and System.map inputs built at run time.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "unit.h"

#define ENTRY		0xffffffff82000080ull

static const unsigned char build_id[20] = {
	0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x00, 0x11,
	0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xfe,
};
#define BUILD_ID_HEX	"0123456789abcdef00112233445566778899aafe"

static const struct elfgen_sym kernel_syms[] = {
	{ "vmlinux.c",		0,			ELFGEN_FILE,	1 },
	{ NULL,			0xffffffff81000000ull,	ELFGEN_SECTION,	1 },
	{ "dup_text",		0xffffffff83000010ull,	ELFGEN_DATA,	1 },
	{ "local_fn",		0xffffffff81000400ull,	ELFGEN_TEXT,	1 },
	{ "dup_first",		0xffffffff83000030ull,	ELFGEN_TEXT,	1 },
	{ "_text",		0xffffffff81000000ull,	ELFGEN_TEXT,	0 },
	{ "startup_64",		0xffffffff81000000ull,	ELFGEN_TEXT,	0 },
	{ "entry_SYSCALL_64",	ENTRY,			ELFGEN_TEXT,	0 },
	{ "entry_SYSCALL_64_after_hwframe", ENTRY + 0x3f, ELFGEN_TEXT,	0 },
	{ "jiffies",		0xffffffff83005000ull,	ELFGEN_DATA,	0 },
	{ "abs_sym",		0x1234,			ELFGEN_ABS,	0 },
	{ "printk_undef",	0,			ELFGEN_UNDEF,	0 },
	{ "dup_text",		0xffffffff83000020ull,	ELFGEN_TEXT,	0 },
	{ "dup_first",		0xffffffff83000040ull,	ELFGEN_TEXT,	0 },
	{ "dup_data",		0xffffffff83000050ull,	ELFGEN_DATA,	0 },
	{ "dup_data",		0xffffffff83000060ull,	ELFGEN_ABS,	0 },
	{ "undef_then_def",	0,			ELFGEN_UNDEF,	0 },
	{ "undef_then_def",	0xffffffff83000070ull,	ELFGEN_DATA,	0 },
};

static const struct elfgen kernel = {
	.note = ELFGEN_NOTE_SECTION,
	.build_id = build_id, .build_id_len = sizeof(build_id),
	.syms = kernel_syms, .nsyms = sizeof(kernel_syms) / sizeof(kernel_syms[0]),
};

/* Open @path, expecting @want; returns the handle on success. */
static struct kvmlstar_syms *open_expect(const char *path, enum kvmlstar_symfmt fmt,
					 enum kvmlstar_err want,
					 struct kvmlstar_error *err)
{
	struct kvmlstar_syms *s = (struct kvmlstar_syms *)0x1;
	int r;

	memset(err, 0x7f, sizeof(*err));
	r = kvmlstar_syms_open(path, fmt, &s, err);
	if (r != (int)want)
		fail_msg("%s (fmt %d): got %s (%d), want %s: %s", path, fmt,
			 kvmlstar_err_class(r), r, kvmlstar_err_class(want),
			 r ? err->msg : "");
	assert_int_equal(err->code, want);
	assert_non_null(memchr(err->msg, '\0', sizeof(err->msg)));
	if (want != KVMLSTAR_OK) {
		/* The output is left alone, the message names the file. */
		assert_ptr_equal(s, (struct kvmlstar_syms *)0x1);
		assert_contains(err->msg, path);
		assert_null(strchr(err->msg, '\n'));
		/* A NULL err is fine too. */
		assert_int_equal(kvmlstar_syms_open(path, fmt, &s, NULL), want);
		return NULL;
	}
	assert_string_equal(err->msg, "");
	assert_non_null(s);
	return s;
}

static void expect_addr(struct kvmlstar_syms *s, const char *name, uint64_t want)
{
	struct kvmlstar_error err;
	uint64_t a = 0;
	int r = kvmlstar_syms_lookup(s, name, &a, &err);

	if (r != KVMLSTAR_OK)
		fail_msg("lookup %s: %s", name, err.msg);
	if (a != want)
		fail_msg("lookup %s: 0x%llx, want 0x%llx", name,
			 (unsigned long long)a, (unsigned long long)want);
}

static void expect_missing(struct kvmlstar_syms *s, const char *name)
{
	struct kvmlstar_error err;
	uint64_t a = 42;

	assert_int_equal(kvmlstar_syms_lookup(s, name, &a, &err), KVMLSTAR_E_NOT_FOUND);
	assert_int_equal(err.code, KVMLSTAR_E_NOT_FOUND);
	assert_int_equal(a, 42);
	assert_contains(err.msg, name);
	assert_int_equal(kvmlstar_syms_lookup(s, name, &a, NULL), KVMLSTAR_E_NOT_FOUND);
}

/* ------------------------------------------------------------------ */
/* vmlinux                                                             */
/* ------------------------------------------------------------------ */

static void check_kernel_lookups(struct kvmlstar_syms *s)
{
	expect_addr(s, "entry_SYSCALL_64", ENTRY);
	expect_addr(s, "entry_SYSCALL_64_after_hwframe", ENTRY + 0x3f);
	expect_addr(s, "_text", 0xffffffff81000000ull);
	expect_addr(s, "startup_64", 0xffffffff81000000ull);
	expect_addr(s, "local_fn", 0xffffffff81000400ull);
	expect_addr(s, "jiffies", 0xffffffff83005000ull);
	expect_addr(s, "abs_sym", 0x1234);
	/* A text definition beats an earlier non-text one. */
	expect_addr(s, "dup_text", 0xffffffff83000020ull);
	/* Among text definitions, and among non-text ones, the first wins. */
	expect_addr(s, "dup_first", 0xffffffff83000030ull);
	expect_addr(s, "dup_data", 0xffffffff83000050ull);
	/* Undefined entries are not definitions. */
	expect_addr(s, "undef_then_def", 0xffffffff83000070ull);
	expect_missing(s, "printk_undef");
	expect_missing(s, "vmlinux.c");
	expect_missing(s, "entry_SYSCALL");
	expect_missing(s, "entry_SYSCALL_64x");
	expect_missing(s, "entry_syscall_64");
	expect_missing(s, "a_name_longer_than_every_name_in_the_string_table_of_this_file");
}

static void vmlinux_basic(void **state)
{
	struct kvmlstar_error err;
	struct kvmlstar_syms *s;
	const char *path = elfgen_write("vmlinux", &kernel);

	(void)state;
	s = open_expect(path, KVMLSTAR_SYMFMT_VMLINUX, KVMLSTAR_OK, &err);
	assert_int_equal(kvmlstar_syms_format(s), KVMLSTAR_SYMFMT_VMLINUX);
	assert_non_null(kvmlstar_syms_build_id(s));
	assert_string_equal(kvmlstar_syms_build_id(s), BUILD_ID_HEX);
	check_kernel_lookups(s);
	kvmlstar_syms_close(s);

	/* AUTO recognises the ELF magic. */
	s = open_expect(path, KVMLSTAR_SYMFMT_AUTO, KVMLSTAR_OK, &err);
	assert_int_equal(kvmlstar_syms_format(s), KVMLSTAR_SYMFMT_VMLINUX);
	check_kernel_lookups(s);
	kvmlstar_syms_close(s);
}

/* A vmlinux whose .data holds @data, with linux_banner at its start. */
static struct kvmlstar_syms *banner_kernel(const char *data)
{
	static const struct elfgen_sym syms[] = {
		{ "_text",		0xffffffff81000000ull,	ELFGEN_TEXT,	0 },
		{ "entry_SYSCALL_64",	ENTRY,			ELFGEN_TEXT,	0 },
		{ "linux_banner",	0xffffffff83000000ull,	ELFGEN_DATA,	0 },
	};
	struct elfgen g = {
		.syms = syms, .nsyms = sizeof(syms) / sizeof(syms[0]),
		.data = data, .data_addr = 0xffffffff83000000ull,
	};
	struct kvmlstar_error err;

	return open_expect(elfgen_write("banner", &g), KVMLSTAR_SYMFMT_VMLINUX, KVMLSTAR_OK,
			   &err);
}

/* kvmlstar_syms_release(): uname -r from linux_banner, or NULL. */
static void vmlinux_release(void **state)
{
	static const char *const no_release[] = {
		"Linux versio 6.1.0 (x)",		/* not the banner's words */
		"Linux version  6.1.0 (x)",		/* an empty release */
		"Linux version 6.1.0-cut-by-the-end-of-the-section",
		"Linux version 6.1.0\t(x)",		/* a control character */
		"Linux version 0123456789012345678901234567890123456789"
		"0123456789012345678901234 (x)",	/* 65 bytes: too long */
	};
	struct kvmlstar_error err;
	struct kvmlstar_syms *s;
	size_t i;

	(void)state;
	s = banner_kernel("Linux version 6.1.0-27-amd64 (debian-kernel@lists.debian.org) "
			  "(gcc-12) #1 SMP PREEMPT_DYNAMIC Debian 6.1.115-1\n");
	assert_string_equal(kvmlstar_syms_release(s), "6.1.0-27-amd64");
	expect_addr(s, "entry_SYSCALL_64", ENTRY);
	kvmlstar_syms_close(s);
	/* 64 bytes, the most a release holds. */
	s = banner_kernel("Linux version 0123456789012345678901234567890123456789"
			  "012345678901234567890123 (x)");
	assert_int_equal(strlen(kvmlstar_syms_release(s)), 64);
	kvmlstar_syms_close(s);
	for (i = 0; i < sizeof(no_release) / sizeof(no_release[0]); i++) {
		s = banner_kernel(no_release[i]);
		if (kvmlstar_syms_release(s))
			fail_msg("'%s' gave release '%s'", no_release[i],
				 kvmlstar_syms_release(s));
		kvmlstar_syms_close(s);
	}
	/* No linux_banner at all; no handle. */
	s = open_expect(elfgen_write("vmlinux", &kernel), KVMLSTAR_SYMFMT_VMLINUX, KVMLSTAR_OK,
			&err);
	assert_null(kvmlstar_syms_release(s));
	kvmlstar_syms_close(s);
	assert_null(kvmlstar_syms_release(NULL));
}

static void vmlinux_build_id_variants(void **state)
{
	struct kvmlstar_error err;
	struct kvmlstar_syms *s;
	struct elfgen g = kernel;
	static const unsigned char short_id[3] = { 0xde, 0xad, 0x01 };

	(void)state;
	g.note = ELFGEN_NOTE_NONE;
	s = open_expect(elfgen_write("no-note", &g), KVMLSTAR_SYMFMT_AUTO, KVMLSTAR_OK, &err);
	assert_null(kvmlstar_syms_build_id(s));
	expect_addr(s, "entry_SYSCALL_64", ENTRY);
	kvmlstar_syms_close(s);

	/* Only a PT_NOTE segment carries it. */
	g.note = ELFGEN_NOTE_PHDR_ONLY;
	s = open_expect(elfgen_write("phdr-note", &g), KVMLSTAR_SYMFMT_AUTO, KVMLSTAR_OK, &err);
	assert_non_null(kvmlstar_syms_build_id(s));
	assert_string_equal(kvmlstar_syms_build_id(s), BUILD_ID_HEX);
	kvmlstar_syms_close(s);

	/* A build-id whose length is not a multiple of 4. */
	g.note = ELFGEN_NOTE_SECTION;
	g.build_id = short_id;
	g.build_id_len = sizeof(short_id);
	s = open_expect(elfgen_write("short-note", &g), KVMLSTAR_SYMFMT_AUTO, KVMLSTAR_OK, &err);
	assert_non_null(kvmlstar_syms_build_id(s));
	assert_string_equal(kvmlstar_syms_build_id(s), "dead01");
	kvmlstar_syms_close(s);
}

static void vmlinux_stripped(void **state)
{
	struct kvmlstar_error err;
	struct elfgen g = kernel;
	const char *path;

	(void)state;
	g.no_symtab = 1;
	path = elfgen_write("vmlinux-stripped", &g);
	open_expect(path, KVMLSTAR_SYMFMT_VMLINUX, KVMLSTAR_E_BAD_INPUT, &err);
	assert_contains(err.msg, ".symtab");
	assert_contains(err.msg, "stripped");
	assert_contains(err.msg, "linux-image-<ver>-dbg");
	assert_contains(err.msg, "/usr/lib/debug/boot/vmlinux-<ver>");
	assert_contains(err.msg, "System.map");
	open_expect(path, KVMLSTAR_SYMFMT_AUTO, KVMLSTAR_E_BAD_INPUT, &err);
	assert_contains(err.msg, "System.map");
}

static void vmlinux_32bit(void **state)
{
	struct kvmlstar_error err;
	struct elfgen g = kernel;
	const char *path;

	(void)state;
	g.elfclass = ELFCLASS32;
	g.machine = EM_386;
	path = elfgen_write("vmlinux-32", &g);
	open_expect(path, KVMLSTAR_SYMFMT_AUTO, KVMLSTAR_E_BAD_INPUT, &err);
	assert_contains(err.msg, "32-bit");
	/* Even when it claims to be x86_64. */
	g.machine = EM_X86_64;
	path = elfgen_write("vmlinux-32-x86_64", &g);
	open_expect(path, KVMLSTAR_SYMFMT_VMLINUX, KVMLSTAR_E_BAD_INPUT, &err);
	assert_contains(err.msg, "32-bit");
}

static void vmlinux_wrong_machine(void **state)
{
	struct kvmlstar_error err;
	struct elfgen g = kernel;

	(void)state;
	g.machine = EM_AARCH64;
	open_expect(elfgen_write("vmlinux-arm64", &g), KVMLSTAR_SYMFMT_AUTO,
		    KVMLSTAR_E_BAD_INPUT, &err);
	assert_contains(err.msg, "not x86_64");
	assert_contains(err.msg, "183");
}

/* A .o or .ko has section-relative symbol values: not a kernel image. */
static void vmlinux_relocatable(void **state)
{
	struct kvmlstar_error err;
	struct elfgen g = kernel;

	(void)state;
	g.type = ET_REL;
	open_expect(elfgen_write("kvm.ko", &g), KVMLSTAR_SYMFMT_AUTO,
		    KVMLSTAR_E_BAD_INPUT, &err);
	assert_contains(err.msg, "relocatable");
	assert_contains(err.msg, "vmlinux");
	g.type = ET_CORE;
	open_expect(elfgen_write("core", &g), KVMLSTAR_SYMFMT_VMLINUX,
		    KVMLSTAR_E_BAD_INPUT, &err);
	assert_contains(err.msg, "ELF type 4");
}

static void vmlinux_bad_strtab_link(void **state)
{
	struct kvmlstar_error err;
	struct elfgen g = kernel;

	(void)state;
	g.bad_strtab_link = 1;
	open_expect(elfgen_write("vmlinux-badlink", &g), KVMLSTAR_SYMFMT_AUTO,
		    KVMLSTAR_E_BAD_INPUT, &err);
	assert_contains(err.msg, "string table");
}

static void vmlinux_unterminated_name(void **state)
{
	struct kvmlstar_error err;
	struct kvmlstar_syms *s;
	struct elfgen g = kernel;

	(void)state;
	/* The file's bytes after .strtab are zeros: a NUL outside the table. */
	g.unterminated_name = "tail_name";
	s = open_expect(elfgen_write("vmlinux-unterminated", &g), KVMLSTAR_SYMFMT_AUTO,
			KVMLSTAR_OK, &err);
	expect_missing(s, "tail_name");
	expect_missing(s, "tail_nam");
	expect_addr(s, "entry_SYSCALL_64", ENTRY);
	kvmlstar_syms_close(s);
}

static void vmlinux_every_truncation(void **state)
{
	struct kvmlstar_error err;
	const char *full = elfgen_write("vmlinux-full", &kernel);
	struct stat st;
	size_t len;
	int saw_empty = 0;

	(void)state;
	assert_int_equal(stat(full, &st), 0);
	assert_true(st.st_size > 256);
	/* .symtab is last: every proper prefix must be refused, cleanly. */
	for (len = 0; len < (size_t)st.st_size; len++) {
		const char *p = unit_truncate_copy(full, "vmlinux-cut", len);
		struct kvmlstar_syms *s = NULL;
		int r = kvmlstar_syms_open(p, len % 2 ? KVMLSTAR_SYMFMT_AUTO :
					   KVMLSTAR_SYMFMT_VMLINUX, &s, &err);

		if (r != KVMLSTAR_E_BAD_INPUT)
			fail_msg("truncated to %zu of %lld bytes: got %s: %s", len,
				 (long long)st.st_size, kvmlstar_err_class(r),
				 r ? err.msg : "(success)");
		assert_null(s);
		assert_contains(err.msg, p);
		if (len == 0) {
			assert_contains(err.msg, "empty");
			saw_empty = 1;
		}
	}
	assert_true(saw_empty);
	/* And the whole file still works. */
	kvmlstar_syms_close(open_expect(full, KVMLSTAR_SYMFMT_AUTO, KVMLSTAR_OK, &err));
}

static void vmlinux_truncated_messages(void **state)
{
	struct kvmlstar_error err;
	const char *full = elfgen_write("vmlinux-full2", &kernel);
	struct stat st;

	(void)state;
	assert_int_equal(stat(full, &st), 0);
	/* Inside the header: libelf sees no ELF at all. */
	open_expect(unit_truncate_copy(full, "cut-hdr", 20), KVMLSTAR_SYMFMT_VMLINUX,
		    KVMLSTAR_E_BAD_INPUT, &err);
	assert_contains(err.msg, "truncated");
	/* Inside .symtab. */
	open_expect(unit_truncate_copy(full, "cut-symtab", (size_t)st.st_size - 10),
		    KVMLSTAR_SYMFMT_VMLINUX, KVMLSTAR_E_BAD_INPUT, &err);
	assert_contains(err.msg, "truncated");
}

/*
 * A linked vmlinux has its section headers last, so a cut-off copy loses
 * them first; libelf then sees no sections at all.  That is a truncated
 * file, and must not be called a stripped one (whose fix is another file).
 */
static void vmlinux_truncated_linker_layout(void **state)
{
	struct kvmlstar_error err;
	struct elfgen g = kernel;
	const char *full;
	struct stat st;
	size_t len;

	(void)state;
	g.shdrs_last = 1;
	full = elfgen_write("vmlinux-ld-layout", &g);
	kvmlstar_syms_close(open_expect(full, KVMLSTAR_SYMFMT_VMLINUX, KVMLSTAR_OK, &err));
	assert_int_equal(stat(full, &st), 0);
	for (len = 1; len < (size_t)st.st_size; len++) {
		const char *p = unit_truncate_copy(full, "vmlinux-ld-cut", len);
		struct kvmlstar_syms *s = NULL;
		int r = kvmlstar_syms_open(p, KVMLSTAR_SYMFMT_VMLINUX, &s, &err);

		if (r != KVMLSTAR_E_BAD_INPUT || strstr(err.msg, "stripped") ||
		    (len >= sizeof(Elf64_Ehdr) && !strstr(err.msg, "truncated")))
			fail_msg("cut to %zu of %lld bytes: got %s: %s", len,
				 (long long)st.st_size, kvmlstar_err_class(r),
				 r ? err.msg : "(success)");
		assert_null(s);
	}
	open_expect(unit_truncate_copy(full, "vmlinux-ld-cut", (size_t)st.st_size - 1),
		    KVMLSTAR_SYMFMT_AUTO, KVMLSTAR_E_BAD_INPUT, &err);
	assert_contains(err.msg, "section headers");
}

static void vmlinux_many_symbols(void **state)
{
	struct kvmlstar_error err;
	struct kvmlstar_syms *s;
	const size_t n = 60000;
	struct elfgen_sym *y = calloc(n, sizeof(*y));
	char (*names)[24] = calloc(n, sizeof(*names));
	struct elfgen g = { 0 };
	size_t i;

	(void)state;
	assert_non_null(y);
	assert_non_null(names);
	for (i = 0; i < n; i++) {
		snprintf(names[i], sizeof(names[i]), "sym_%zu", i);
		y[i].name = names[i];
		y[i].value = 0xffffffff81000000ull + i * 16;
		y[i].where = i % 3 ? ELFGEN_TEXT : ELFGEN_DATA;
	}
	g.syms = y;
	g.nsyms = n;
	s = open_expect(elfgen_write("vmlinux-big", &g), KVMLSTAR_SYMFMT_AUTO,
			KVMLSTAR_OK, &err);
	for (i = 0; i < n; i += 7919)
		expect_addr(s, names[i], 0xffffffff81000000ull + i * 16);
	expect_addr(s, names[n - 1], 0xffffffff81000000ull + (n - 1) * 16);
	expect_missing(s, "sym_60000");
	kvmlstar_syms_close(s);
	free(y);
	free(names);
}

/* ------------------------------------------------------------------ */
/* bad files, any format                                               */
/* ------------------------------------------------------------------ */

static const enum kvmlstar_symfmt all_fmts[] = {
	KVMLSTAR_SYMFMT_AUTO, KVMLSTAR_SYMFMT_VMLINUX, KVMLSTAR_SYMFMT_MAP,
};

static void empty_file(void **state)
{
	struct kvmlstar_error err;
	const char *p = unit_write("empty", "", 0);
	size_t i;

	(void)state;
	for (i = 0; i < 3; i++) {
		open_expect(p, all_fmts[i], KVMLSTAR_E_BAD_INPUT, &err);
		assert_contains(err.msg, "empty");
	}
}

static void directory(void **state)
{
	struct kvmlstar_error err;
	size_t i;

	(void)state;
	for (i = 0; i < 3; i++) {
		open_expect(unit_tmpdir(), all_fmts[i], KVMLSTAR_E_BAD_INPUT, &err);
		assert_int_equal(err.sys_errno, EISDIR);
		assert_contains(err.msg, "directory");
	}
}

static void missing_file(void **state)
{
	struct kvmlstar_error err;
	size_t i;

	(void)state;
	for (i = 0; i < 3; i++) {
		open_expect(unit_path("does-not-exist"), all_fmts[i], KVMLSTAR_E_IO, &err);
		assert_int_equal(err.sys_errno, ENOENT);
		assert_contains(err.msg, strerror(ENOENT));
	}
}

static void unreadable_file(void **state)
{
	struct kvmlstar_error err;
	const char *p = unit_write_str("unreadable", "ffffffff81000000 T _text\n");

	pid_t pid;
	int status;

	(void)state;
	assert_int_equal(chmod(p, 0), 0);
	if (geteuid() != 0) {
		open_expect(p, KVMLSTAR_SYMFMT_AUTO, KVMLSTAR_E_PERMISSION, &err);
		assert_int_equal(err.sys_errno, EACCES);
		return;
	}
	/* Root reads it anyway: try as nobody, in a child. */
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct kvmlstar_syms *s = NULL;
		int r;

		if (setgid(65534) || setuid(65534))
			_exit(2);
		r = kvmlstar_syms_open(p, KVMLSTAR_SYMFMT_AUTO, &s, &err);
		_exit(r == KVMLSTAR_E_PERMISSION && err.sys_errno == EACCES &&
		      err.code == KVMLSTAR_E_PERMISSION && strstr(err.msg, p) && !s ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) == 2)
		skip();	/* cannot drop privileges here */
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void bad_arguments(void **state)
{
	struct kvmlstar_error err;
	struct kvmlstar_syms *s = NULL;
	uint64_t a = 7;
	const char *p = unit_write_str("args.map", "ffffffff81000000 T _text\n");

	(void)state;
	assert_int_equal(kvmlstar_syms_open(NULL, 0, &s, &err), KVMLSTAR_E_BAD_INPUT);
	assert_int_equal(kvmlstar_syms_open("", 0, &s, &err), KVMLSTAR_E_BAD_INPUT);
	assert_int_equal(kvmlstar_syms_open(p, 0, NULL, &err), KVMLSTAR_E_BAD_INPUT);
	assert_int_equal(kvmlstar_syms_open(p, (enum kvmlstar_symfmt)9, &s, &err),
			 KVMLSTAR_E_BAD_INPUT);
	assert_null(s);
	s = open_expect(p, KVMLSTAR_SYMFMT_MAP, KVMLSTAR_OK, &err);
	assert_int_equal(kvmlstar_syms_lookup(s, NULL, &a, &err), KVMLSTAR_E_BAD_INPUT);
	assert_int_equal(kvmlstar_syms_lookup(s, "", &a, &err), KVMLSTAR_E_BAD_INPUT);
	assert_int_equal(kvmlstar_syms_lookup(s, "_text", NULL, &err), KVMLSTAR_E_BAD_INPUT);
	assert_int_equal(kvmlstar_syms_lookup(NULL, "_text", &a, &err), KVMLSTAR_E_BAD_INPUT);
	assert_int_equal(a, 7);
	kvmlstar_syms_close(s);
	kvmlstar_syms_close(NULL);
	assert_null(kvmlstar_syms_build_id(NULL));
	assert_int_equal(kvmlstar_syms_format(NULL), KVMLSTAR_SYMFMT_AUTO);
}

static void text_as_vmlinux(void **state)
{
	struct kvmlstar_error err;
	const char *p = unit_write_str("System.map-as-elf", "ffffffff81000000 T _text\n");

	(void)state;
	open_expect(p, KVMLSTAR_SYMFMT_VMLINUX, KVMLSTAR_E_BAD_INPUT, &err);
	assert_contains(err.msg, "not an ELF");
	assert_contains(err.msg, "System.map");
}

static void elf_as_map(void **state)
{
	struct kvmlstar_error err;

	(void)state;
	open_expect(elfgen_write("vmlinux-as-map", &kernel), KVMLSTAR_SYMFMT_MAP,
		    KVMLSTAR_E_BAD_INPUT, &err);
	assert_contains(err.msg, "ELF");
	assert_contains(err.msg, "as a vmlinux");
}

/* ------------------------------------------------------------------ */
/* real bad inputs from Debian's kernel package                        */
/* ------------------------------------------------------------------ */

/*
 * `make unit-test` puts them in $KVMLSTAR_UNIT_DEBIAN_KERNEL with
 * tests/unit/debian-kernel.sh, fetching the VM harness's kernel image when it is
 * not cached yet.  Returns the path of @name there, or NULL (after saying
 * why) when it is not available.
 */
static char *debian_file(const char *name)
{
	const char *dir = getenv("KVMLSTAR_UNIT_DEBIAN_KERNEL");
	char *p;

	if (!dir || !*dir) {
		print_message("  skipped: KVMLSTAR_UNIT_DEBIAN_KERNEL is not set; "
			      "`make unit-test` sets it (tests/unit/debian-kernel.sh)\n");
		return NULL;
	}
	if (asprintf(&p, "%s/%s", dir, name) < 0)
		fail_msg("asprintf: out of memory");
	if (access(p, R_OK) != 0) {
		print_message("  skipped: no %s: Debian's kernel image is not cached and "
			      "could not be fetched (see tests/unit/debian-kernel.sh)\n", p);
		free(p);
		return NULL;
	}
	return p;
}

static void expect_stripped_msg(const struct kvmlstar_error *err)
{
	assert_int_equal(err->sys_errno, 0);
	assert_string_equal(kvmlstar_err_class(err->code), "bad_input");
	assert_int_equal(err->code, KVMLSTAR_E_BAD_INPUT);
	assert_contains(err->msg, ".symtab");
	assert_contains(err->msg, "stripped");
	/* The fix: the -dbg package's vmlinux, or a System.map. */
	assert_contains(err->msg, "linux-image-<ver>-dbg");
	assert_contains(err->msg, "/usr/lib/debug/boot/vmlinux-<ver>");
	assert_contains(err->msg, "its System.map");
}

/* The ELF inside the bzImage /boot/vmlinuz-<ver>: a kernel without .symtab. */
static void debian_bzimage_vmlinux(void **state)
{
	struct kvmlstar_error err;
	char *path = debian_file("vmlinux");
	unsigned char hdr[sizeof(Elf64_Ehdr)];
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)hdr;
	struct stat st;
	FILE *f;

	(void)state;
	if (!path)
		skip();
	/* It is what it must be: a big x86_64 ELF64 kernel image. */
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fread(hdr, 1, sizeof(hdr), f), sizeof(hdr));
	fclose(f);
	assert_memory_equal(hdr, ELFMAG, SELFMAG);
	assert_int_equal(hdr[EI_CLASS], ELFCLASS64);
	assert_int_equal(eh->e_machine, EM_X86_64);
	assert_int_equal(stat(path, &st), 0);
	assert_true(st.st_size > 8 * 1024 * 1024);

	open_expect(path, KVMLSTAR_SYMFMT_VMLINUX, KVMLSTAR_E_BAD_INPUT, &err);
	expect_stripped_msg(&err);
	assert_contains(err.msg, "bzImage");
	open_expect(path, KVMLSTAR_SYMFMT_AUTO, KVMLSTAR_E_BAD_INPUT, &err);
	expect_stripped_msg(&err);
	/* As a System.map: it is ELF, so reading it as a vmlinux is the advice. */
	open_expect(path, KVMLSTAR_SYMFMT_MAP, KVMLSTAR_E_BAD_INPUT, &err);
	assert_contains(err.msg, "as a vmlinux");

	/* Cut in half, as an interrupted copy: truncated, not stripped. */
	open_expect(unit_truncate_copy(path, "vmlinux-bzimage-half", (size_t)st.st_size / 2),
		    KVMLSTAR_SYMFMT_VMLINUX, KVMLSTAR_E_BAD_INPUT, &err);
	assert_contains(err.msg, "truncated");
	assert_null(strstr(err.msg, "stripped"));
	free(path);
}

/* The package's /boot/System.map-<ver>: one line pointing at the -dbg package. */
static void debian_placeholder_system_map(void **state)
{
	struct kvmlstar_error err;
	char *path = debian_file("System.map");
	size_t i;

	(void)state;
	if (!path)
		skip();
	for (i = 0; i < 3; i++) {
		if (all_fmts[i] == KVMLSTAR_SYMFMT_VMLINUX)
			continue;
		open_expect(path, all_fmts[i], KVMLSTAR_E_BAD_INPUT, &err);
		assert_string_equal(kvmlstar_err_class(err.code), "bad_input");
		assert_contains(err.msg, "placeholder");
		assert_contains(err.msg, "linux-image-<ver>-dbg");
		assert_contains(err.msg, "/usr/lib/debug/boot/vmlinux-<ver>");
	}
	free(path);
}

/* ------------------------------------------------------------------ */
/* map text                                                            */
/* ------------------------------------------------------------------ */

static const char system_map[] =
	"0000000000000000 D __per_cpu_start\n"
	"ffffffff81000000 T _text\n"
	"ffffffff81000000 T startup_64\n"
	"ffffffff82000080 T entry_SYSCALL_64\n"
	"\n"
	"ffffffff83000000 d dupe\n"
	"ffffffff83100000 t dupe\n"
	"ffffffff83200000 T dupe\n"
	"ffffffff84000000 D onlydata\n"
	"ffffffff84100000 b onlydata\n"
	"ffffffff84200000 r upper_case_hex\n"
	"FFFFFFFF84300000 R UPPER\n"
	"ffffffff84400000 W weak_one\r\n"
	"ffffffffc0000000 t modsym\t[kvm]\n"
	"ffffffffc0001000 T entry_SYSCALL_64\t[evil]\n"
	"ffffffffc0002000 t onlymod [kvm_amd]\n"
	"ffffffff85000000 A last_no_newline";

static void check_map(struct kvmlstar_syms *s)
{
	assert_int_equal(kvmlstar_syms_format(s), KVMLSTAR_SYMFMT_MAP);
	assert_null(kvmlstar_syms_build_id(s));
	expect_addr(s, "entry_SYSCALL_64", 0xffffffff82000080ull);
	expect_addr(s, "_text", 0xffffffff81000000ull);
	expect_addr(s, "startup_64", 0xffffffff81000000ull);
	expect_addr(s, "__per_cpu_start", 0);
	/* The first text occurrence wins over an earlier data one... */
	expect_addr(s, "dupe", 0xffffffff83100000ull);
	/* ...and without any text one, the first occurrence. */
	expect_addr(s, "onlydata", 0xffffffff84000000ull);
	expect_addr(s, "upper_case_hex", 0xffffffff84200000ull);
	expect_addr(s, "UPPER", 0xffffffff84300000ull);
	expect_addr(s, "weak_one", 0xffffffff84400000ull);
	expect_addr(s, "last_no_newline", 0xffffffff85000000ull);
	/* Module lines are skipped. */
	expect_missing(s, "modsym");
	expect_missing(s, "onlymod");
	expect_missing(s, "[kvm]");
	expect_missing(s, "entry_SYSCALL_6");
	expect_missing(s, "Entry_SYSCALL_64");
}

static void map_basic(void **state)
{
	struct kvmlstar_error err;
	struct kvmlstar_syms *s;
	const char *p = unit_write_str("System.map", system_map);

	(void)state;
	s = open_expect(p, KVMLSTAR_SYMFMT_MAP, KVMLSTAR_OK, &err);
	check_map(s);
	/* A map does not say its kernel's release. */
	assert_null(kvmlstar_syms_release(s));
	kvmlstar_syms_close(s);
	s = open_expect(p, KVMLSTAR_SYMFMT_AUTO, KVMLSTAR_OK, &err);
	check_map(s);
	kvmlstar_syms_close(s);
}

static void map_short_files(void **state)
{
	struct kvmlstar_error err;
	struct kvmlstar_syms *s;

	(void)state;
	/* Shorter than the ELF magic... */
	s = open_expect(unit_write_str("tiny.map", "ffffffff81000000 T a"),
			KVMLSTAR_SYMFMT_AUTO, KVMLSTAR_OK, &err);
	expect_addr(s, "a", 0xffffffff81000000ull);
	kvmlstar_syms_close(s);
	s = open_expect(unit_write_str("tiny2.map", "\n\nffffffff81000005 t b\n"),
			KVMLSTAR_SYMFMT_AUTO, KVMLSTAR_OK, &err);
	expect_addr(s, "b", 0xffffffff81000005ull);
	kvmlstar_syms_close(s);
	/* ...but an address is the 16 digits of a 64-bit map, not fewer. */
	open_expect(unit_write_str("tiny3.map", "1 T a"), KVMLSTAR_SYMFMT_AUTO,
		    KVMLSTAR_E_BAD_INPUT, &err);
	assert_contains(err.msg, ":1:");
	assert_contains(err.msg, "1 hex digits");
	open_expect(unit_write_str("map32.map", "c1000000 T _text\nc1a00000 T entry_SYSCALL_64\n"),
		    KVMLSTAR_SYMFMT_AUTO, KVMLSTAR_E_BAD_INPUT, &err);
	assert_contains(err.msg, "8 hex digits");
	assert_contains(err.msg, "32-bit");
}

static void map_garbage(void **state)
{
	static const struct {
		const char *text;
		const char *line;	/* ":N:" expected in the message */
	} bad[] = {
		{ "hello world\n", ":1:" },
		{ "ffffffff81000000 T _text\nnot a map line\n", ":2:" },
		{ "ffffffff81000000 T\n", ":1:" },
		{ "ffffffff81000000\n", ":1:" },
		{ "ffffffff81000000 TT name\n", ":1:" },
		{ "ffffffff81000000 T name extra\n", ":1:" },
		{ "ffffffff81000000 T name [mod] extra\n", ":1:" },
		{ "ffffffff81000000 T name [mod\n", ":1:" },
		{ "1ffffffff81000000 T too_many_digits\n", ":1:" },
		{ "0xffffffff81000000 T prefixed\n", ":1:" },
		{ "ffffffff8100000g T badhex\n", ":1:" },
		{ "T ffffffff81000000 swapped\n", ":1:" },
		{ "ffffffff81000000 T na\001me\n", ":1:" },
		{ "\n\n   \nffffffff81000000 T ok\n#comment\n", ":5:" },
	};
	struct kvmlstar_error err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *p = unit_write_str("garbage.map", bad[i].text);

		open_expect(p, KVMLSTAR_SYMFMT_AUTO, KVMLSTAR_E_BAD_INPUT, &err);
		assert_contains(err.msg, bad[i].line);
		assert_contains(err.msg, "not System.map text");
		open_expect(p, KVMLSTAR_SYMFMT_MAP, KVMLSTAR_E_BAD_INPUT, &err);
	}
}

static void map_binary_garbage(void **state)
{
	struct kvmlstar_error err;
	size_t len = 200000, i;
	unsigned char *junk = malloc(len);
	unsigned x = 12345;

	(void)state;
	assert_non_null(junk);
	/* Random bytes (never '\n'): one endless line. */
	for (i = 0; i < len; i++) {
		x = x * 1103515245u + 12345u;
		junk[i] = (unsigned char)(x >> 16);
		if (junk[i] == '\n')
			junk[i] = 'x';
	}
	junk[0] = 'Z';
	open_expect(unit_write("junk.bin", junk, len), KVMLSTAR_SYMFMT_AUTO,
		    KVMLSTAR_E_BAD_INPUT, &err);
	assert_contains(err.msg, "longer than");
	/* With newlines in it: the first line is garbage. */
	for (i = 0; i < len; i += 50)
		junk[i] = '\n';
	junk[0] = 'Z';
	open_expect(unit_write("junk2.bin", junk, len), KVMLSTAR_SYMFMT_AUTO,
		    KVMLSTAR_E_BAD_INPUT, &err);
	assert_contains(err.msg, ":1:");
	free(junk);
}

static void map_debian_placeholder(void **state)
{
	struct kvmlstar_error err;
	const char *p = unit_write_str("System.map-6.1.0-56-amd64",
		"ffffffffffffffff B The real System.map is in the "
		"linux-image-<version>-dbg package\n");

	(void)state;
	open_expect(p, KVMLSTAR_SYMFMT_AUTO, KVMLSTAR_E_BAD_INPUT, &err);
	assert_contains(err.msg, "placeholder");
	assert_contains(err.msg, "linux-image-<ver>-dbg");
	assert_contains(err.msg, "/usr/lib/debug/boot/vmlinux-<ver>");
}

static void map_no_kernel_symbols(void **state)
{
	struct kvmlstar_error err;

	(void)state;
	open_expect(unit_write_str("modules-only",
				   "ffffffffc0000000 t modsym\t[kvm]\n"
				   "ffffffffc0001000 T other\t[kvm_amd]\n"),
		    KVMLSTAR_SYMFMT_AUTO, KVMLSTAR_E_BAD_INPUT, &err);
	assert_contains(err.msg, "no kernel symbols");
	open_expect(unit_write_str("blank-lines", "\n\n  \n\t\n"),
		    KVMLSTAR_SYMFMT_AUTO, KVMLSTAR_E_BAD_INPUT, &err);
	assert_contains(err.msg, "no kernel symbols");
}

static void map_hidden_addresses(void **state)
{
	struct kvmlstar_error err;

	(void)state;
	/* /proc/kallsyms read by an unprivileged user. */
	open_expect(unit_write_str("kallsyms-hidden",
				   "0000000000000000 T _text\n"
				   "0000000000000000 T entry_SYSCALL_64\n"
				   "0000000000000000 t modsym\t[kvm]\n"),
		    KVMLSTAR_SYMFMT_AUTO, KVMLSTAR_E_PERMISSION, &err);
	assert_contains(err.msg, "0x0");
	assert_contains(err.msg, "root");
}

static void map_from_pipe(void **state)
{
	struct kvmlstar_error err;
	struct kvmlstar_syms *s;
	const char *fifo = unit_path("map.fifo");
	pid_t pid;
	int status;

	(void)state;
	assert_int_equal(mkfifo(fifo, 0600), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int fd = open(fifo, O_WRONLY);
		size_t off = 0, len = sizeof(system_map) - 1;

		/* In small pieces, so reads come back short. */
		while (fd >= 0 && off < len) {
			size_t n = len - off < 7 ? len - off : 7;

			if (write(fd, system_map + off, n) != (ssize_t)n)
				_exit(1);
			off += n;
			if (off % 70 < 7)
				usleep(1000);
		}
		_exit(fd < 0);
	}
	s = open_expect(fifo, KVMLSTAR_SYMFMT_AUTO, KVMLSTAR_OK, &err);
	check_map(s);
	kvmlstar_syms_close(s);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void map_large(void **state)
{
	struct kvmlstar_error err;
	struct kvmlstar_syms *s;
	const size_t n = 250000;
	const char *path = unit_path("big.map");
	FILE *f = fopen(path, "w");
	size_t i;
	char name[32];
	double t0;

	(void)state;
	assert_non_null(f);
	/* /proc/kallsyms size, with duplicate names and module lines. */
	for (i = 0; i < n; i++) {
		fprintf(f, "%016llx %c sym_%zu\n",
			0xffffffff81000000ull + i * 32, i % 5 ? 'T' : 'd', i / 2);
		if (i % 10 == 0)
			fprintf(f, "%016llx t mod_%zu\t[mod%zu]\n",
				0xffffffffc0000000ull + i, i, i % 17);
	}
	fclose(f);
	t0 = now();
	s = open_expect(path, KVMLSTAR_SYMFMT_AUTO, KVMLSTAR_OK, &err);
	for (i = 0; i < n; i += 997) {
		/*
		 * sym_k appears as lines 2k and 2k+1; line 2k is data when
		 * 2k % 5 == 0, and then line 2k+1 (text) wins.
		 */
		size_t k = i / 2, first = 2 * k, win = first % 5 ? first : first + 1;

		snprintf(name, sizeof(name), "sym_%zu", k);
		expect_addr(s, name, 0xffffffff81000000ull + win * 32);
	}
	expect_missing(s, "mod_10");
	kvmlstar_syms_close(s);
	print_message("  250000-line map: open and lookups in %.3f s\n", now() - t0);
}

static void proc_kallsyms(void **state)
{
	struct kvmlstar_error err;
	struct kvmlstar_syms *s = NULL;
	uint64_t a = 0, text = 0;
	int r;

	(void)state;
	if (access("/proc/kallsyms", R_OK) != 0)
		skip();
	r = kvmlstar_syms_open("/proc/kallsyms", KVMLSTAR_SYMFMT_AUTO, &s, &err);
	if (r == KVMLSTAR_E_PERMISSION) {
		assert_contains(err.msg, "root");
		skip();	/* addresses hidden from us */
	}
	if (r != KVMLSTAR_OK)
		fail_msg("/proc/kallsyms: %s", err.msg);
	assert_int_equal(kvmlstar_syms_format(s), KVMLSTAR_SYMFMT_MAP);
	if (kvmlstar_syms_lookup(s, "_text", &text, &err) != KVMLSTAR_OK)
		fail_msg("%s", err.msg);
	assert_true(text >= 0xffffffff80000000ull);
	/* Every x86_64 kernel without FRED-only entry has it. */
	if (kvmlstar_syms_lookup(s, "entry_SYSCALL_64", &a, &err) != KVMLSTAR_OK)
		fail_msg("%s", err.msg);
	assert_true(a > text && a - text < KVMLSTAR_KERNEL_IMAGE_SIZE);
	kvmlstar_syms_close(s);
}

/*
 * kvmlstar_syms_find() gives what open and lookup give: the same code and
 * address for every name, from a file and from a pipe.
 */
static void find_matches_lookup(const char *path, const char *name)
{
	struct kvmlstar_error e1, e2;
	struct kvmlstar_syms *s = NULL;
	uint64_t a1 = 1, a2 = 2;
	int r1, r2;

	r1 = kvmlstar_syms_open(path, KVMLSTAR_SYMFMT_AUTO, &s, &e1);
	if (!r1)
		r1 = kvmlstar_syms_lookup(s, name, &a1, &e1);
	kvmlstar_syms_close(s);
	r2 = kvmlstar_syms_find(path, KVMLSTAR_SYMFMT_AUTO, name, &a2, &e2);
	if (r1 != r2 || (!r1 && a1 != a2))
		fail_msg("%s %s: open+lookup %s 0x%llx (%s), find %s 0x%llx (%s)", path, name,
			 kvmlstar_err_class(r1), (unsigned long long)a1, e1.msg,
			 kvmlstar_err_class(r2), (unsigned long long)a2, e2.msg);
	assert_int_equal(e2.code, r2);
}

static const char *const map_names[] = {
	"entry_SYSCALL_64", "_text", "startup_64", "__per_cpu_start", "dupe", "onlydata",
	"upper_case_hex", "UPPER", "weak_one", "last_no_newline", "modsym", "onlymod",
	"[kvm]", "entry_SYSCALL_6", "Entry_SYSCALL_64", "kvm]", "T", "ffffffff81000000",
};

static void find_map_file(void **state)
{
	const char *p = unit_write_str("find.map", system_map);
	const char *v = elfgen_write("find-vmlinux", &kernel);
	static const char *const elf_names[] = {
		"entry_SYSCALL_64", "dup_text", "dup_first", "abs_sym", "printk_undef",
		"undef_then_def", "vmlinux.c", "nope",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(map_names) / sizeof(map_names[0]); i++)
		find_matches_lookup(p, map_names[i]);
	for (i = 0; i < sizeof(elf_names) / sizeof(elf_names[0]); i++)
		find_matches_lookup(v, elf_names[i]);
	/* Bad files fail the same way too. */
	find_matches_lookup(unit_write_str("find-garbage.map", "hello world\n"), "_text");
	find_matches_lookup(unit_write_str("find-garbage2.map",
		"ffffffff81000000 T _text\nnot a map line\n"), "nope");
	find_matches_lookup(unit_write_str("find-hidden.map",
		"0000000000000000 T _text\n0000000000000000 T entry_SYSCALL_64\n"),
		"entry_SYSCALL_64");
	find_matches_lookup(unit_write_str("find-low.map",
		"0000000000001000 T _start\n0000000000001129 T main\n"), "main");
	find_matches_lookup(unit_write_str("find-empty.map", ""), "main");
	/* Hidden kallsyms: every address 0, whatever the type. */
	find_matches_lookup(unit_write_str("find-hidden2.map",
		"0000000000000000 T _text\n0000000000000000 D init_task\n"), "init_task");
	/* Names no map line can have. */
	find_matches_lookup(p, "_text\nffffffff81000000");
	find_matches_lookup(p, "dupe d");
	find_matches_lookup(p, "caf\xc3\xa9");
	/* A name that is also a line's type, or its address. */
	find_matches_lookup(unit_write_str("find-typename.map",
		"ffffffff81000000 T T\nffffffff81000010 t t\n"), "T");
}

/* The same through a FIFO, which can be read only once. */
static void find_map_fifo(void **state)
{
	const char *fifo = unit_path("find.fifo");
	size_t i;

	(void)state;
	assert_int_equal(mkfifo(fifo, 0600), 0);
	for (i = 0; i < sizeof(map_names) / sizeof(map_names[0]); i++) {
		const char *copy = unit_write_str("find-fifo.map", system_map);
		struct kvmlstar_error e1, e2;
		struct kvmlstar_syms *s = NULL;
		uint64_t a1 = 1, a2 = 2;
		int r1, r2, status;
		pid_t pid = fork();

		assert_true(pid >= 0);
		if (pid == 0) {
			int fd = open(fifo, O_WRONLY);

			/* The reader may stop early: that is not a failure here. */
			signal(SIGPIPE, SIG_IGN);
			if (fd >= 0 && write(fd, system_map, sizeof(system_map) - 1) < 0 &&
			    errno != EPIPE)
				_exit(1);
			_exit(fd < 0);
		}
		r2 = kvmlstar_syms_find(fifo, KVMLSTAR_SYMFMT_MAP, map_names[i], &a2, &e2);
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
		r1 = kvmlstar_syms_open(copy, KVMLSTAR_SYMFMT_MAP, &s, &e1);
		if (!r1)
			r1 = kvmlstar_syms_lookup(s, map_names[i], &a1, &e1);
		kvmlstar_syms_close(s);
		if (r1 != r2 || (!r1 && a1 != a2))
			fail_msg("FIFO %s: open+lookup %s, find %s (%s)", map_names[i],
				 kvmlstar_err_class(r1), kvmlstar_err_class(r2), e2.msg);
	}
}

/* A FIFO nobody writes to fails after a few seconds instead of hanging. */
static void fifo_without_writer(void **state)
{
	struct kvmlstar_error err;
	struct kvmlstar_syms *s = NULL;
	const char *fifo = unit_path("lonely.fifo");
	double t0;
	uint64_t a;

	(void)state;
	assert_int_equal(mkfifo(fifo, 0600), 0);
	t0 = now();
	assert_int_equal(kvmlstar_syms_open(fifo, KVMLSTAR_SYMFMT_MAP, &s, &err),
			 KVMLSTAR_E_BAD_INPUT);
	assert_contains(err.msg, "is a program writing to it?");
	assert_true(now() - t0 < 8);
	/* A vmlinux must be a regular file: refused at once. */
	t0 = now();
	assert_int_equal(kvmlstar_syms_find(fifo, KVMLSTAR_SYMFMT_VMLINUX, "x", &a, &err),
			 KVMLSTAR_E_BAD_INPUT);
	assert_contains(err.msg, "not a regular file");
	assert_true(now() - t0 < 1);
}

/*
 * A vmlinux cut short after the open (replaced by a rebuild, say) must not
 * kill the caller with SIGBUS: the handle holds copies, not a mapping.
 */
static void vmlinux_truncated_after_open(void **state)
{
	struct kvmlstar_error err;
	struct kvmlstar_syms *s;
	const char *p = elfgen_write("vmlinux-shrinks", &kernel);
	uint64_t a = 0;

	(void)state;
	s = open_expect(p, KVMLSTAR_SYMFMT_VMLINUX, KVMLSTAR_OK, &err);
	assert_int_equal(truncate(p, 0), 0);
	assert_int_equal(kvmlstar_syms_lookup(s, "entry_SYSCALL_64", &a, &err), KVMLSTAR_OK);
	assert_int_equal(a, ENTRY);
	assert_non_null(kvmlstar_syms_build_id(s));
	expect_missing(s, "nope");
	kvmlstar_syms_close(s);
}

/* U, w and v lines name symbols other objects define: not definitions. */
static void map_undefined_types(void **state)
{
	struct kvmlstar_error err;
	struct kvmlstar_syms *s;

	(void)state;
	s = open_expect(unit_write_str("undef.map",
		"0000000000000000 U undef0\n0000000000000000 w weak_undef\n"
		"0000000000000000 v weak_obj\nffffffff81000000 T _text\n"
		"ffffffff81000010 T undef0\n"), KVMLSTAR_SYMFMT_MAP, KVMLSTAR_OK, &err);
	expect_missing(s, "weak_undef");
	expect_missing(s, "weak_obj");
	expect_addr(s, "undef0", 0xffffffff81000010ull);
	kvmlstar_syms_close(s);
}

/* A text symbol outside the kernel half: not a kernel's map. */
static void map_not_a_kernel(void **state)
{
	struct kvmlstar_error err;
	struct kvmlstar_syms *s;
	uint64_t a = 5;

	(void)state;
	s = open_expect(unit_write_str("prog.map",
		"0000000000004010 D data_start\n0000000000001129 T main\n"),
		KVMLSTAR_SYMFMT_MAP, KVMLSTAR_OK, &err);
	assert_int_equal(kvmlstar_syms_lookup(s, "main", &a, &err), KVMLSTAR_E_BAD_INPUT);
	assert_contains(err.msg, "outside the kernel half");
	assert_int_equal(a, 5);
	/* Data at low addresses is normal (per-CPU variables start at 0). */
	expect_addr(s, "data_start", 0x4010);
	kvmlstar_syms_close(s);
}

/* Every entry point refuses NULL the same way, and leaves outputs alone. */
static void null_everywhere(void **state)
{
	struct kvmlstar_error err;
	struct kvmlstar_record rec;
	struct kvmlstar_status st;
	struct kvmlstar_record *recs = NULL;
	size_t n = 9;
	uint64_t a = 3;

	(void)state;
	assert_int_equal(kvmlstar_syms_find(NULL, 0, "x", &a, &err), KVMLSTAR_E_BAD_INPUT);
	assert_contains(err.msg, "kvmlstar_syms_find: path is NULL");
	assert_int_equal(kvmlstar_syms_find("x", 0, NULL, &a, &err), KVMLSTAR_E_BAD_INPUT);
	assert_int_equal(kvmlstar_syms_find("x", 0, "", &a, &err), KVMLSTAR_E_BAD_INPUT);
	assert_contains(err.msg, "empty");
	assert_int_equal(kvmlstar_syms_find("x", 0, "x", NULL, &err), KVMLSTAR_E_BAD_INPUT);
	assert_int_equal(kvmlstar_derive(1, 1, NULL, &err), KVMLSTAR_E_BAD_INPUT);
	assert_int_equal(kvmlstar_read_lstar(0, NULL, &err), KVMLSTAR_E_BAD_INPUT);
	assert_int_equal(a, 3);
	assert_int_equal(kvmlstar_nl_open(NULL, &err), KVMLSTAR_E_BAD_INPUT);
	assert_int_equal(kvmlstar_nl_status(NULL, &st, sizeof(st), &err), KVMLSTAR_E_BAD_INPUT);
	assert_contains(err.msg, "kvmlstar_nl_status: the handle is NULL");
	assert_int_equal(kvmlstar_nl_get(NULL, 1, 0, &rec, sizeof(rec), &err),
			 KVMLSTAR_E_BAD_INPUT);
	assert_int_equal(kvmlstar_nl_dump(NULL, NULL, NULL, NULL, &err), KVMLSTAR_E_BAD_INPUT);
	assert_int_equal(kvmlstar_nl_list(NULL, NULL, &recs, sizeof(*recs), &n, &err),
			 KVMLSTAR_E_BAD_INPUT);
	assert_int_equal(kvmlstar_nl_clear(NULL, NULL, &err), KVMLSTAR_E_BAD_INPUT);
	assert_int_equal(kvmlstar_nl_subscribe(NULL, &err), KVMLSTAR_E_BAD_INPUT);
	assert_int_equal(kvmlstar_nl_next_event(NULL, 0, &rec, sizeof(rec), &err),
			 KVMLSTAR_E_BAD_INPUT);
	assert_int_equal(kvmlstar_wait(NULL, NULL, 0, 0, &rec, sizeof(rec), &err),
			 KVMLSTAR_E_BAD_INPUT);
	assert_int_equal(kvmlstar_nl_event_fd(NULL), -1);
	assert_null(recs);
	assert_int_equal(n, 9);
	kvmlstar_nl_close(NULL);
	/* With err NULL too: no crash, the same code. */
	assert_int_equal(kvmlstar_nl_get(NULL, 1, 0, NULL, 0, NULL), KVMLSTAR_E_BAD_INPUT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(vmlinux_basic),
		cmocka_unit_test(vmlinux_build_id_variants),
		cmocka_unit_test(vmlinux_release),
		cmocka_unit_test(vmlinux_stripped),
		cmocka_unit_test(vmlinux_32bit),
		cmocka_unit_test(vmlinux_wrong_machine),
		cmocka_unit_test(vmlinux_relocatable),
		cmocka_unit_test(vmlinux_bad_strtab_link),
		cmocka_unit_test(vmlinux_unterminated_name),
		cmocka_unit_test(vmlinux_every_truncation),
		cmocka_unit_test(vmlinux_truncated_messages),
		cmocka_unit_test(vmlinux_truncated_linker_layout),
		cmocka_unit_test(vmlinux_many_symbols),
		cmocka_unit_test(empty_file),
		cmocka_unit_test(directory),
		cmocka_unit_test(missing_file),
		cmocka_unit_test(unreadable_file),
		cmocka_unit_test(bad_arguments),
		cmocka_unit_test(text_as_vmlinux),
		cmocka_unit_test(elf_as_map),
		cmocka_unit_test(debian_bzimage_vmlinux),
		cmocka_unit_test(debian_placeholder_system_map),
		cmocka_unit_test(map_basic),
		cmocka_unit_test(map_short_files),
		cmocka_unit_test(map_garbage),
		cmocka_unit_test(map_binary_garbage),
		cmocka_unit_test(map_debian_placeholder),
		cmocka_unit_test(map_no_kernel_symbols),
		cmocka_unit_test(map_hidden_addresses),
		cmocka_unit_test(map_from_pipe),
		cmocka_unit_test(map_large),
		cmocka_unit_test(proc_kallsyms),
		cmocka_unit_test(find_map_file),
		cmocka_unit_test(find_map_fifo),
		cmocka_unit_test(fifo_without_writer),
		cmocka_unit_test(vmlinux_truncated_after_open),
		cmocka_unit_test(map_undefined_types),
		cmocka_unit_test(map_not_a_kernel),
		cmocka_unit_test(null_everywhere),
	};

	return UNIT_RUN("symbols", tests);
}
