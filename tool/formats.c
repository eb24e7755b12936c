// SPDX-License-Identifier: GPL-2.0
/*
 * kvm-lstar: kaslr and derive --format: the offset in the form each
 * debugger or introspection tool takes it, so nobody copies hex by hand.
 *
 *   gdb         symbol-file -o OFFSET VMLINUX (gdb 8.3 and newer)
 *   crash       --kaslr=OFFSET, one word for crash's command line
 *   libvmi      a libvmi.conf stanza: sysmap and linux_kaslr
 *   vmcoreinfo  the VMCOREINFO lines a kernel would write (drgn --vmcoreinfo)
 *
 * What a format cannot produce from the inputs given is refused before
 * anything is read: gdb loads a vmlinux, LibVMI reads a System.map, and
 * VMCOREINFO needs the release: a vmlinux holds it, a System.map's name
 * may state it.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

static const char *const format_names[] = {
	[FORMAT_GDB] = "gdb",
	[FORMAT_CRASH] = "crash",
	[FORMAT_LIBVMI] = "libvmi",
	[FORMAT_VMCOREINFO] = "vmcoreinfo",
};

#define NR_FORMATS	(sizeof(format_names) / sizeof(format_names[0]))

/* x86_64's only page size, as VMCOREINFO's PAGESIZE states it. */
#define X86_PAGE_SIZE	4096

int parse_format(const char *name)
{
	size_t i;

	for (i = 1; i < NR_FORMATS; i++)
		if (!strcmp(name, format_names[i]))
			return (int)i;
	return FORMAT_NONE;
}

const char *format_name(int format)
{
	return format > FORMAT_NONE && (size_t)format < NR_FORMATS ? format_names[format] : NULL;
}

/*
 * The absolute name of @path, which the consumer will open later, by
 * name: a regular file (not a pipe, nor a /dev/fd name that means
 * nothing to another process).  NULL with @err set otherwise.
 */
static char *absolute(const char *path, const char *format, struct kvmlstar_error *err)
{
	char *abs = realpath(path, NULL);
	struct stat st;

	if (abs && !stat(abs, &st) && S_ISREG(st.st_mode))
		return abs;
	free(abs);
	set_error(err, KVMLSTAR_E_BAD_INPUT, "--format %s: %s opens the file later, by its "
		  "name, and '%s' names no regular file it could open (a pipe?): give the "
		  "file itself", format, format, SHOWN(path));
	return NULL;
}

/* LibVMI's lexer takes a quoted file name of these characters only. */
static bool libvmi_path_ok(const char *p)
{
	return *p && strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "0123456789/._@-") == strlen(p);
}

/*
 * The release a System.map's name states, as Debian's /boot names them
 * (System.map-6.1.0-27-amd64), or NULL.
 */
static const char *map_release(const char *path)
{
	static const char prefix[] = "System.map-";
	const char *base = strrchr(path, '/'), *rel, *p;

	base = base ? base + 1 : path;
	if (strncmp(base, prefix, sizeof(prefix) - 1))
		return NULL;
	rel = base + sizeof(prefix) - 1;
	for (p = rel; *p; p++)
		if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f)
			return NULL;
	/* A release is 1 to 64 bytes (struct new_utsname). */
	return p > rel && p - rel <= 64 ? rel : NULL;
}

int check_format(const struct cli *c)
{
	switch (c->format) {
	case FORMAT_GDB:
		if (!c->vmlinux)
			return usage_fail(c, "--format gdb loads the guest kernel's symbols into "
					  "gdb, which reads them from a vmlinux: give --vmlinux "
					  "FILE (a System.map or --link has none for gdb)");
		break;
	case FORMAT_LIBVMI:
		if (!c->system_map)
			return usage_fail(c, "--format libvmi names the System.map LibVMI reads "
					  "the kernel's symbols from (it reads no vmlinux): give "
					  "--system-map FILE");
		break;
	case FORMAT_VMCOREINFO:
		if (c->system_map && !map_release(c->system_map))
			return usage_fail(c, "--format vmcoreinfo states the kernel release "
					  "(OSRELEASE): a System.map holds none, so its name "
					  "must (System.map-RELEASE, as /boot names them), or "
					  "give --vmlinux FILE");
		if (!c->vmlinux && !c->system_map)
			return usage_fail(c, "--format vmcoreinfo reads the kernel's page "
					  "table root and release from its symbols: give "
					  "--vmlinux FILE or --system-map FILE");
		break;
	default:
		break;
	}
	return 0;
}

/* "# ..." lines that say where the offset comes from and how sure it is. */
static void comments(FILE *f, const struct derivation *d)
{
	char lstar[KVMLSTAR_HEX_LEN], link[KVMLSTAR_HEX_LEN], off[KVMLSTAR_HEX_LEN];
	char name[TEXT_NAME_LEN];
	const char *n;

	fprintf(f, "# kvm-lstar: ");
	if (d->rec) {
		/* Escaped: a line break in the name would end the comment. */
		n = text_name(record_name(d->rec), KVMLSTAR_NAME_LEN, name);
		fprintf(f, "vm %u pid %u%s%s vcpu %u epoch %u: ", d->rec->vm, d->rec->pid,
			n ? " name " : "", n ? n : "", d->rec->vcpu, d->rec->epoch);
	}
	fprintf(f, "KASLR offset %s = LSTAR %s - entry_SYSCALL_64 %s\n",
		kvmlstar_hex(d->offset, off), kvmlstar_hex(d->lstar, lstar),
		kvmlstar_hex(d->link, link));
	if (d->w.confirmed)
		fprintf(f, "# confirmed: %u of %u entry-point MSRs give this offset\n",
			d->w.agree, d->w.count);
	else
		fprintf(f, "# not confirmed: no other entry-point MSR was %s\n",
			d->w.count > 1 ? "checkable" : "seen");
	if (d->rec && d->rec->changed)
		fprintf(f, "# note: LSTAR was rewritten after the first write of the epoch "
			"(now %s): a possible syscall hijack\n", kvmlstar_hex(d->rec->current, lstar));
}

/* A gdb command argument: quoted, with its quotes and backslashes escaped. */
static void gdb_quoted(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static int write_gdb(FILE *f, const struct derivation *d, const char *vmlinux,
		     struct kvmlstar_error *err)
{
	char off[KVMLSTAR_HEX_LEN];
	char *abs = absolute(vmlinux, "gdb", err);

	if (!abs)
		return err->code;
	/* gdb reads a command to the end of its line: nothing quotes one. */
	if (strpbrk(abs, "\n\r")) {
		set_error(err, KVMLSTAR_E_BAD_INPUT, "--format gdb: the vmlinux's name '%s' "
			  "holds a line break, which no gdb command can quote: link the "
			  "file to a plainer name", SHOWN(abs));
		free(abs);
		return err->code;
	}
	comments(f, d);
	fprintf(f, "symbol-file -o %s ", kvmlstar_hex(d->offset, off));
	gdb_quoted(f, abs);
	fputc('\n', f);
	free(abs);
	return 0;
}

/*
 * LibVMI's config keywords (libvmi/config/lexicon.l, 2026): its lexer
 * reads a stanza name that is one as the keyword.
 */
static const char *const libvmi_keywords[] = {
	"kpgd", "linux_tasks", "linux_mm", "linux_name", "linux_pid", "linux_pgd",
	"linux_addr", "linux_init_task", "linux_kaslr", "win_ntoskrnl", "win_ntoskrnl_va",
	"win_tasks", "win_pdbase", "win_pid", "win_pname", "win_kdvb", "win_kdbg",
	"win_kpcr", "win_sysproc", "freebsd_name", "freebsd_pid", "freebsd_vmspace",
	"freebsd_pmap", "freebsd_pgd", "sysmap", "rekall_profile", "volatility_ist",
	"ostype", "pagemode", "aarch64_ttbr0_va_width", "aarch64_ttbr0_granule_size",
	"aarch64_ttbr1_va_width", "aarch64_ttbr1_granule_size",
};

#define LIBVMI_WORD_CHARS	"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

/* What LibVMI's lexer reads as a NUM: 0x[0-9a-fA-F]+ or [0-9]+. */
static bool libvmi_number(const char *s)
{
	if (s[0] == '0' && s[1] == 'x' && s[2])
		return strspn(s + 2, "0123456789abcdefABCDEF") == strlen(s + 2);
	return strspn(s, "0123456789") == strlen(s);
}

/*
 * The stanza's name, which LibVMI's lexer must read as a WORD:
 * [a-zA-Z0-9][a-zA-Z0-9._-]+, neither a NUM nor a keyword.  The VM's
 * name, each character outside [a-zA-Z0-9._-] made '_', with "vm-" in
 * front when it is still no WORD; vm<N> for a VM without a name, "guest"
 * for derive.  @buf holds KVMLSTAR_NAME_LEN + 4 bytes.  Returns the VM's
 * name when the stanza is named after it, else NULL.
 */
static const char *libvmi_stanza(const struct derivation *d, char *buf)
{
	const char *name = d->rec ? record_name(d->rec) : NULL;
	const unsigned char *s = (const unsigned char *)name;
	size_t i, out = 3, n;
	bool word;

	if (!name) {
		if (d->rec)
			snprintf(buf, KVMLSTAR_NAME_LEN + 4, "vm%u", d->rec->vm);
		else
			snprintf(buf, KVMLSTAR_NAME_LEN + 4, "guest");
		return NULL;
	}
	memcpy(buf, "vm-", 3);
	for (i = 0; s[i]; i += n) {
		n = utf8_char(s + i);
		n = n ? n : 1;
		buf[out++] = strchr(LIBVMI_WORD_CHARS "._-", s[i]) ? (char)s[i] : '_';
	}
	buf[out] = '\0';
	word = out - 3 >= 2 && strchr(LIBVMI_WORD_CHARS, buf[3]) && !libvmi_number(buf + 3);
	for (i = 0; word && i < sizeof(libvmi_keywords) / sizeof(libvmi_keywords[0]); i++)
		word = strcmp(buf + 3, libvmi_keywords[i]) != 0;
	if (word)
		memmove(buf, buf + 3, out - 3 + 1);
	return name;
}

static int write_libvmi(FILE *f, const struct derivation *d, const char *map,
			struct kvmlstar_error *err)
{
	char off[KVMLSTAR_HEX_LEN];
	char *abs = absolute(map, "libvmi", err);
	char name[KVMLSTAR_NAME_LEN + 4], shown[TEXT_NAME_LEN];
	const char *vm_name;

	if (!abs)
		return err->code;
	if (!libvmi_path_ok(abs)) {
		set_error(err, KVMLSTAR_E_BAD_INPUT, "--format libvmi: LibVMI's config reads a "
			  "file name of letters, digits and / . _ @ - only, and '%s' has "
			  "others: link the System.map to such a name", SHOWN(abs));
		free(abs);
		return err->code;
	}
	vm_name = libvmi_stanza(d, name);
	comments(f, d);
	if (!vm_name)
		fprintf(f, "# LibVMI finds a stanza by the domain name it is given: rename "
			"\"%s\" to it.\n", name);
	else if (!strcmp(vm_name, name))
		fprintf(f, "# LibVMI finds a stanza by the domain name it is given: \"%s\" is "
			"the VM's name (QEMU's -name, libvirt's domain).\n", name);
	else
		fprintf(f, "# LibVMI finds a stanza by the domain name it is given: \"%s\" is "
			"the VM's name \"%s\" as LibVMI's config can spell it: rename it to "
			"the name LibVMI is given.\n", name,
			text_name(vm_name, KVMLSTAR_NAME_LEN, shown));
	fprintf(f, "# Process lists need linux_tasks, linux_mm, linux_pid, linux_name "
		"and linux_pgd,\n# or a volatility_ist profile, beside these.\n");
	fprintf(f, "%s {\n    ostype = \"Linux\";\n    sysmap = \"%s\";\n"
		"    linux_kaslr = %s;\n}\n", name, abs, kvmlstar_hex(d->offset, off));
	free(abs);
	return 0;
}

/* @name's link-time address, from the handle or (a map) by one search. */
static int lookup(const struct cli *c, const struct kvmlstar_syms *syms, const char *name,
		  uint64_t *addr)
{
	if (syms)
		return kvmlstar_syms_lookup(syms, name, addr, NULL);
	return kvmlstar_syms_find(c->system_map, KVMLSTAR_SYMFMT_MAP, name, addr, NULL);
}

/*
 * The lines a kernel writes into its VMCOREINFO note that tell where it
 * lives: x86_64 names init_top_pgt swapper_pg_dir there.  The release
 * comes from a vmlinux's linux_banner, or a System.map's name.
 */
static int write_vmcoreinfo(FILE *f, const struct cli *c, const struct derivation *d,
			    const struct kvmlstar_syms *syms, struct kvmlstar_error *err)
{
	const char *path = c->vmlinux ? c->vmlinux : c->system_map;
	const char *release = c->vmlinux ? kvmlstar_syms_release(syms) :
				map_release(c->system_map);
	uint64_t pgd;

	if (!release)
		return set_error(err, KVMLSTAR_E_BAD_INPUT, "--format vmcoreinfo: %s has no "
				 "linux_banner (\"Linux version RELEASE ...\") to read the "
				 "kernel release from: give the guest kernel's vmlinux",
				 SHOWN(path));
	if (lookup(c, syms, "init_top_pgt", &pgd) && lookup(c, syms, "swapper_pg_dir", &pgd))
		return set_error(err, KVMLSTAR_E_BAD_INPUT, "--format vmcoreinfo: %s has "
				 "neither init_top_pgt nor swapper_pg_dir, the kernel's "
				 "page table root: give the guest kernel's vmlinux or "
				 "System.map", SHOWN(path));
	fprintf(f, "OSRELEASE=%s\n", release);
	fprintf(f, "PAGESIZE=%d\n", X86_PAGE_SIZE);
	if (d->build_id && strlen(d->build_id) == 40)
		fprintf(f, "BUILD-ID=%s\n", d->build_id);
	fprintf(f, "SYMBOL(swapper_pg_dir)=%llx\n", (unsigned long long)(pgd + d->offset));
	fprintf(f, "KERNELOFFSET=%llx\n", (unsigned long long)d->offset);
	return 0;
}

int print_format(const struct cli *c, const struct derivation *d,
		 const struct kvmlstar_syms *syms)
{
	struct kvmlstar_error err = { 0 };
	char *text = NULL, off[KVMLSTAR_HEX_LEN];
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	struct json j;
	int rc = 0;

	if (!f) {
		set_error(&err, KVMLSTAR_E_NOMEM, "out of memory");
		return fail(c, &err);
	}
	switch (c->format) {
	case FORMAT_GDB:
		rc = write_gdb(f, d, c->vmlinux, &err);
		break;
	case FORMAT_CRASH:
		fprintf(f, "--kaslr=%s\n", kvmlstar_hex(d->offset, off));
		break;
	case FORMAT_LIBVMI:
		rc = write_libvmi(f, d, c->system_map, &err);
		break;
	case FORMAT_VMCOREINFO:
		rc = write_vmcoreinfo(f, c, d, syms, &err);
		break;
	}
	if (fclose(f) != 0 && !rc)
		rc = set_error(&err, KVMLSTAR_E_NOMEM, "out of memory");
	if (rc) {
		free(text);
		return fail(c, &err);
	}
	if (c->json) {
		json_begin(&j, stdout);
		json_derivation(&j, d);
		json_str(&j, "format", format_name(c->format));
		json_str(&j, "text", text);
		json_end(&j);
	} else {
		fputs(text, stdout);
	}
	free(text);
	return 0;
}
