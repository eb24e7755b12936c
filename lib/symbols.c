// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libkvmlstar: link-time symbol addresses from a vmlinux or a System.map.
 *
 * vmlinux: libelf reads (ELF_C_READ, not a mapping) only what is asked
 * for: the section headers, the notes, .symtab and .strtab, a few MB of a
 * file that is mostly debug info.  After the open the handle owns copies
 * and no file descriptor, so a vmlinux truncated under it cannot SIGBUS
 * the caller as a mapping would.  A lookup is a linear walk of the symbol
 * table comparing names in place: a few milliseconds for the ~200k
 * symbols of a distribution kernel, and no index to build.
 *
 * Map text (System.map, /proc/kallsyms): read once, line by line, through
 * a small buffer; the kept symbols go into one string arena plus an
 * open-addressing hash index, so lookups are O(1) whatever the file size.
 * kvmlstar_syms_find() does not index: it searches the stream for the name
 * the way grep does and parses only the lines that match.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* memmem */
#endif
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <libelf.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

#define MAP_MAX_LINE	(64 * 1024)	/* no System.map line comes close */
#define READ_CHUNK	(64 * 1024)
#define FIND_CHUNK	(256 * 1024)	/* kvmlstar_syms_find() reads bigger */
#define MAP_ADDR_DIGITS	16		/* a 64-bit kernel's System.map */
/* How long a FIFO may go without data before it counts as writer-less. */
#define FIFO_WAIT_MS	5000

struct map_ent {
	uint64_t addr;
	size_t name_off;	/* into strs */
	size_t name_len;
	char type;
};

struct kvmlstar_syms {
	enum kvmlstar_symfmt fmt;
	char *path;		/* for messages, shortened (kvmlstar_shorten()) */
	char *build_id;
	char *release;		/* a vmlinux's uname -r, from linux_banner */

	/* vmlinux */
	int fd;			/* only while opening */
	bool regular;		/* fd is a regular file (can be read by offset) */
	Elf *elf;
	const Elf64_Sym *sym;	/* libelf's copy */
	size_t nsym;
	const char *strtab;
	size_t strtab_size;
	unsigned char *exec_scn;	/* exec_scn[i]: section i is SHF_EXECINSTR */
	size_t nscn;

	/* map text */
	char *strs;
	size_t strs_len, strs_cap;
	struct map_ent *ent;
	size_t nent, ent_cap;
	size_t *slot;		/* hash index: entry number + 1, 0 = empty */
	size_t nslot;		/* power of two */
};

static const unsigned char elf_magic[SELFMAG] = { ELFMAG0, ELFMAG1, ELFMAG2, ELFMAG3 };

static const char stripped_fix[] =
	"install the guest kernel's debug image (package linux-image-<ver>-dbg, "
	"file /usr/lib/debug/boot/vmlinux-<ver>) and use that, or use its "
	"System.map instead";

/* ------------------------------------------------------------------ */
/* vmlinux                                                             */
/* ------------------------------------------------------------------ */

static int hex_of(const unsigned char *p, size_t n, char **out)
{
	static const char digits[] = "0123456789abcdef";
	char *s = malloc(2 * n + 1);
	size_t i;

	if (!s)
		return -1;
	for (i = 0; i < n; i++) {
		s[2 * i] = digits[p[i] >> 4];
		s[2 * i + 1] = digits[p[i] & 15];
	}
	s[2 * n] = '\0';
	*out = s;
	return 0;
}

/*
 * Look for an NT_GNU_BUILD_ID note named "GNU" in @data.  Returns 1 and sets
 * *out when found, 0 when not, -1 when out of memory.
 */
static int find_build_id(Elf_Data *data, char **out)
{
	size_t off = 0, next, name_off, desc_off;
	GElf_Nhdr nh;

	while (off < data->d_size &&
	       (next = gelf_getnote(data, off, &nh, &name_off, &desc_off)) > 0) {
		if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == sizeof(ELF_NOTE_GNU) &&
		    memcmp((const char *)data->d_buf + name_off, ELF_NOTE_GNU,
			   sizeof(ELF_NOTE_GNU)) == 0 && nh.n_descsz > 0)
			return hex_of((const unsigned char *)data->d_buf + desc_off,
				      nh.n_descsz, out) ? -1 : 1;
		off = next;
	}
	return 0;
}

/* libelf's version handshake is process-wide: do it once. */
static pthread_once_t elf_once = PTHREAD_ONCE_INIT;
static bool elf_usable;

static void elf_init(void)
{
	elf_usable = elf_version(EV_CURRENT) != EV_NONE;
}

static int elf_corrupt(struct kvmlstar_error *err, const char *path, const char *what)
{
	return kvmlstar__fail(err, KVMLSTAR_E_BAD_INPUT, 0,
		"%s: cannot read the ELF %s (%s): the file is truncated or corrupt",
		path, what, elf_errmsg(-1));
}

static int lookup_vmlinux(const struct kvmlstar_syms *s, const char *name, size_t len,
			  uint64_t *addr);

/*
 * The kernel release (uname -r) in a vmlinux's linux_banner, "Linux
 * version RELEASE (builder) ...": read from the file while it is open.
 * A vmlinux without the banner, or whose banner reads otherwise, has none
 * (s->release stays NULL); only running out of memory is an error.
 */
static int read_release(struct kvmlstar_syms *s)
{
	static const char prefix[] = "Linux version ";
	const size_t plen = sizeof(prefix) - 1;
	Elf_Scn *scn = NULL;
	Elf_Data *data;
	GElf_Shdr sh;
	uint64_t addr, off, n;
	const char *p;
	size_t len;

	if (!lookup_vmlinux(s, "linux_banner", strlen("linux_banner"), &addr))
		return 0;
	while ((scn = elf_nextscn(s->elf, scn)) != NULL) {
		if (!gelf_getshdr(scn, &sh) || !(sh.sh_flags & SHF_ALLOC) ||
		    sh.sh_type == SHT_NOBITS || addr < sh.sh_addr ||
		    addr - sh.sh_addr >= sh.sh_size)
			continue;
		off = addr - sh.sh_addr;
		/* A release is at most 64 bytes (struct new_utsname). */
		n = sh.sh_size - off < 128 ? sh.sh_size - off : 128;
		data = elf_getdata_rawchunk(s->elf, (int64_t)(sh.sh_offset + off), n,
					    ELF_T_BYTE);
		if (!data || data->d_size < plen || memcmp(data->d_buf, prefix, plen))
			return 0;
		p = (const char *)data->d_buf + plen;
		for (len = 0; plen + len < data->d_size && p[len] > ' ' && p[len] < 0x7f;
		     len++)
			;
		if (len == 0 || len > 64 || plen + len == data->d_size || p[len] != ' ')
			return 0;
		/* Not strndup(): the section's bytes need not hold a NUL. */
		s->release = malloc(len + 1);
		if (!s->release)
			return -1;
		memcpy(s->release, p, len);
		s->release[len] = '\0';
		return 0;
	}
	return 0;
}

static int open_vmlinux(struct kvmlstar_syms *s, const char *path,
			struct kvmlstar_error *err)
{
	Elf_Scn *scn = NULL, *symscn = NULL, *strscn;
	GElf_Shdr sh, symsh = { 0 }, strsh;
	Elf_Data *symdata, *strdata, *data;
	const unsigned char *ident;
	Elf64_Ehdr *eh;
	uint64_t low_code = 0;
	bool kernel_code = false, any_code = false;
	size_t i, nphdr;

	s->fmt = KVMLSTAR_SYMFMT_VMLINUX;
	pthread_once(&elf_once, elf_init);
	if (!elf_usable)
		return kvmlstar__fail(err, KVMLSTAR_E_IO, 0,
			"%s: libelf refuses its own ELF version: %s", path, elf_errmsg(-1));

	s->elf = elf_begin(s->fd, ELF_C_READ, NULL);
	if (!s->elf)
		return elf_corrupt(err, path, "file");
	if (elf_kind(s->elf) != ELF_K_ELF)
		return kvmlstar__fail(err, KVMLSTAR_E_BAD_INPUT, 0,
			"%s: not an ELF file (or truncated before the end of its "
			"header); a vmlinux is needed", path);

	ident = (const unsigned char *)elf_getident(s->elf, NULL);
	if (!ident)
		return elf_corrupt(err, path, "header");
	if (ident[EI_CLASS] != ELFCLASS64)
		return kvmlstar__fail(err, KVMLSTAR_E_BAD_INPUT, 0,
			"%s: a %s ELF file; the vmlinux of a 64-bit x86_64 guest "
			"kernel is needed", path,
			ident[EI_CLASS] == ELFCLASS32 ? "32-bit" : "non-64-bit");
	if (ident[EI_DATA] != ELFDATA2LSB)
		return kvmlstar__fail(err, KVMLSTAR_E_BAD_INPUT, 0,
			"%s: a big-endian ELF file; the vmlinux of an x86_64 guest "
			"kernel is needed", path);
	eh = elf64_getehdr(s->elf);
	if (!eh)
		return elf_corrupt(err, path, "header");
	if (eh->e_machine != EM_X86_64)
		return kvmlstar__fail(err, KVMLSTAR_E_BAD_INPUT, 0,
			"%s: ELF machine %u is not x86_64 (%u); the vmlinux of an "
			"x86_64 guest kernel is needed", path,
			(unsigned)eh->e_machine, (unsigned)EM_X86_64);

	/*
	 * A linked kernel is ET_EXEC (ET_DYN where it is built as PIE); the
	 * symbols of a .o or .ko are relative to their sections.
	 */
	if (eh->e_type == ET_REL)
		return kvmlstar__fail(err, KVMLSTAR_E_BAD_INPUT, 0,
			"%s: a relocatable object (.o or .ko), whose symbol values "
			"are not addresses; the linked vmlinux is needed", path);
	if (eh->e_type != ET_EXEC && eh->e_type != ET_DYN)
		return kvmlstar__fail(err, KVMLSTAR_E_BAD_INPUT, 0,
			"%s: ELF type %u is not a linked kernel image; a vmlinux is "
			"needed", path, (unsigned)eh->e_type);

	if (elf_getshdrnum(s->elf, &s->nscn) != 0)
		return elf_corrupt(err, path, "section headers");
	/*
	 * libelf reports no sections, without an error, when the section
	 * header table does not fit in the file.  The linker puts it last,
	 * so that is what a cut-off vmlinux looks like: not a stripped one.
	 */
	if (s->nscn == 0 && eh->e_shoff != 0)
		return kvmlstar__fail(err, KVMLSTAR_E_BAD_INPUT, 0,
			"%s: the ELF section headers (%u at offset 0x%" PRIx64 ") are "
			"not in the file: the file is truncated or corrupt",
			path, (unsigned)eh->e_shnum, (uint64_t)eh->e_shoff);
	s->exec_scn = calloc(s->nscn ? s->nscn : 1, 1);
	if (!s->exec_scn)
		return kvmlstar__fail(err, KVMLSTAR_E_NOMEM, ENOMEM, "%s: out of memory", path);

	while ((scn = elf_nextscn(s->elf, scn)) != NULL) {
		size_t idx = elf_ndxscn(scn);

		if (!gelf_getshdr(scn, &sh))
			return elf_corrupt(err, path, "section headers");
		if (idx < s->nscn && (sh.sh_flags & SHF_EXECINSTR))
			s->exec_scn[idx] = 1;
		/* Where the code runs tells a kernel from a program. */
		if ((sh.sh_flags & (SHF_EXECINSTR | SHF_ALLOC)) ==
		    (SHF_EXECINSTR | SHF_ALLOC) && sh.sh_size) {
			if (sh.sh_addr >= KVMLSTAR_KERNEL_HALF)
				kernel_code = true;
			else if (!any_code)
				low_code = sh.sh_addr;
			any_code = true;
		}
		if (sh.sh_type == SHT_SYMTAB && !symscn) {
			symscn = scn;
			symsh = sh;
		}
		if (sh.sh_type == SHT_NOTE && !s->build_id) {
			data = elf_getdata(scn, NULL);
			if (!data)
				return elf_corrupt(err, path, "note section");
			if (find_build_id(data, &s->build_id) < 0)
				return kvmlstar__fail(err, KVMLSTAR_E_NOMEM, ENOMEM,
						      "%s: out of memory", path);
		}
	}

	/* No build-id note section: a kernel may still have the PT_NOTE. */
	if (!s->build_id && elf_getphdrnum(s->elf, &nphdr) == 0) {
		for (i = 0; i < nphdr && !s->build_id; i++) {
			GElf_Phdr ph;

			if (!gelf_getphdr(s->elf, (int)i, &ph) || ph.p_type != PT_NOTE ||
			    ph.p_filesz == 0)
				continue;
			data = elf_getdata_rawchunk(s->elf, (int64_t)ph.p_offset,
						    ph.p_filesz, ELF_T_NHDR);
			if (!data)
				return elf_corrupt(err, path, "PT_NOTE segment");
			if (find_build_id(data, &s->build_id) < 0)
				return kvmlstar__fail(err, KVMLSTAR_E_NOMEM, ENOMEM,
						      "%s: out of memory", path);
		}
	}

	if (!kernel_code && any_code)
		return kvmlstar__fail(err, KVMLSTAR_E_BAD_INPUT, 0,
			"%s: not a Linux kernel: its code is linked at 0x%" PRIx64 ", "
			"outside the kernel half (from 0x%llx) where every x86_64 "
			"kernel runs; the guest kernel's vmlinux is needed",
			path, low_code, KVMLSTAR_KERNEL_HALF);
	if (!kernel_code)
		return kvmlstar__fail(err, KVMLSTAR_E_BAD_INPUT, 0,
			"%s: not a Linux kernel: no section of this ELF file holds "
			"code; the guest kernel's vmlinux is needed", path);
	if (!symscn)
		return kvmlstar__fail(err, KVMLSTAR_E_BAD_INPUT, 0,
			"%s: this ELF file has no symbol table (.symtab): it is a "
			"stripped kernel image such as the payload of a bzImage; %s",
			path, stripped_fix);

	if (symsh.sh_entsize != sizeof(Elf64_Sym))
		return kvmlstar__fail(err, KVMLSTAR_E_BAD_INPUT, 0,
			"%s: .symtab entries are %" PRIu64 " bytes, not %zu: corrupt ELF",
			path, (uint64_t)symsh.sh_entsize, sizeof(Elf64_Sym));
	symdata = elf_getdata(symscn, NULL);
	if (!symdata || !symdata->d_buf)
		return elf_corrupt(err, path, "symbol table");
	strscn = elf_getscn(s->elf, symsh.sh_link);
	if (!strscn || !gelf_getshdr(strscn, &strsh) || strsh.sh_type != SHT_STRTAB)
		return kvmlstar__fail(err, KVMLSTAR_E_BAD_INPUT, 0,
			"%s: .symtab links to section %u, which is not a string "
			"table: corrupt ELF", path, (unsigned)symsh.sh_link);
	strdata = elf_getdata(strscn, NULL);
	if (!strdata || !strdata->d_buf)
		return elf_corrupt(err, path, "symbol string table");

	s->sym = symdata->d_buf;
	s->nsym = symdata->d_size / sizeof(Elf64_Sym);
	s->strtab = strdata->d_buf;
	s->strtab_size = strdata->d_size;

	if (read_release(s) < 0)
		return kvmlstar__fail(err, KVMLSTAR_E_NOMEM, ENOMEM, "%s: out of memory", path);

	/* libelf has read all it will need: let go of the file. */
	elf_cntl(s->elf, ELF_C_FDDONE);
	close(s->fd);
	s->fd = -1;
	return kvmlstar__ok(err);
}

static int lookup_vmlinux(const struct kvmlstar_syms *s, const char *name, size_t len,
			  uint64_t *addr)
{
	const Elf64_Sym *first = NULL;
	size_t i;

	/* Entry 0 is the reserved null symbol. */
	for (i = 1; i < s->nsym; i++) {
		const Elf64_Sym *y = &s->sym[i];
		unsigned char type = ELF64_ST_TYPE(y->st_info);

		if (y->st_name >= s->strtab_size ||
		    s->strtab[y->st_name] != name[0] ||
		    s->strtab_size - y->st_name < len + 1 ||
		    memcmp(s->strtab + y->st_name, name, len + 1) != 0)
			continue;
		if (y->st_shndx == SHN_UNDEF || type == STT_SECTION || type == STT_FILE)
			continue;
		if (y->st_shndx < SHN_LORESERVE && y->st_shndx < s->nscn &&
		    s->exec_scn[y->st_shndx]) {
			*addr = y->st_value;
			return 1;
		}
		if (!first)
			first = y;
	}
	if (first) {
		*addr = first->st_value;
		return 1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* map text                                                            */
/* ------------------------------------------------------------------ */

/* A line reader over a file descriptor, seeded with bytes already read. */
struct line_reader {
	int fd;
	char *buf;
	size_t cap, start, end;
	size_t consumed;	/* bytes before buf[0], for offsets in messages */
	bool eof;
};

/*
 * Read more into @lr, keeping buf[start..end): move it to the front, grow
 * the buffer while less than @chunk / 2 is free.  Returns 0, or -1 with
 * errno set.
 */
static int fill(struct line_reader *lr, size_t chunk)
{
	ssize_t n;

	if (lr->start > 0) {
		memmove(lr->buf, lr->buf + lr->start, lr->end - lr->start);
		lr->consumed += lr->start;
		lr->end -= lr->start;
		lr->start = 0;
	}
	if (lr->cap - lr->end < chunk / 2) {
		size_t ncap = lr->cap < chunk ? chunk : lr->cap * 2;
		char *nb = realloc(lr->buf, ncap);

		if (!nb) {
			errno = ENOMEM;
			return -1;
		}
		lr->buf = nb;
		lr->cap = ncap;
	}
	do
		n = read(lr->fd, lr->buf + lr->end, lr->cap - lr->end);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	if (n == 0)
		lr->eof = true;
	lr->end += (size_t)n;
	return 0;
}

/*
 * Returns 1 with the next line (without its '\n') in *line and *len, 0 at the
 * end, -1 with errno set on a read error, -2 for a line over MAP_MAX_LINE.
 */
static int next_line(struct line_reader *lr, char **line, size_t *len)
{
	for (;;) {
		char *nl = memchr(lr->buf + lr->start, '\n', lr->end - lr->start);

		if (nl || (lr->eof && lr->start < lr->end)) {
			*line = lr->buf + lr->start;
			*len = nl ? (size_t)(nl - *line) : lr->end - lr->start;
			if (*len > MAP_MAX_LINE)
				return -2;
			lr->start += *len + (nl ? 1 : 0);
			return 1;
		}
		if (lr->eof)
			return 0;
		if (lr->end - lr->start > MAP_MAX_LINE)
			return -2;
		if (fill(lr, READ_CHUNK))
			return -1;
	}
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Types of lines that name a symbol without defining it (nm's U, w, v). */
static bool is_undefined(char type)
{
	return type == 'U' || type == 'w' || type == 'v';
}

enum {
	LINE_BAD = -1,		/* does not fit "ADDRESS TYPE NAME" */
	LINE_DIGITS = -2,	/* fits, but ADDRESS is not 16 digits */
	LINE_SKIP = 0,		/* blank, a module's symbol, or undefined */
	LINE_SYMBOL = 1,
};

/*
 * Parse "ADDRESS TYPE NAME [\t[module]]".  Returns one of the LINE_ values;
 * *ndigits is the length of ADDRESS for LINE_DIGITS.
 */
static int parse_map_line(const char *p, size_t len, uint64_t *addr, char *type,
			  const char **name, size_t *name_len, int *ndigits)
{
	const char *end = p + len;
	uint64_t a = 0;
	int ndig = 0, v;
	bool module = false;

	if (len && end[-1] == '\r')
		end--;
	while (p < end && is_blank(*p))
		p++;
	if (p == end)
		return LINE_SKIP;

	while (p < end && (v = hexval(*p)) >= 0) {
		if (++ndig > MAP_ADDR_DIGITS)
			return LINE_BAD;
		a = (a << 4) | (uint64_t)v;
		p++;
	}
	if (ndig == 0 || p == end || !is_blank(*p))
		return LINE_BAD;
	while (p < end && is_blank(*p))
		p++;

	if (p == end || (unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f)
		return LINE_BAD;
	*type = *p++;
	if (p == end || !is_blank(*p))
		return LINE_BAD;
	while (p < end && is_blank(*p))
		p++;

	*name = p;
	while (p < end && (unsigned char)*p > ' ' && (unsigned char)*p < 0x7f)
		p++;
	*name_len = (size_t)(p - *name);
	if (*name_len == 0 || (p < end && !is_blank(*p)))
		return LINE_BAD;
	while (p < end && is_blank(*p))
		p++;
	if (p < end) {
		/* "[module]" and nothing after it: a module symbol, skipped. */
		if (*p != '[')
			return LINE_BAD;
		while (p < end && *p != ']' && (unsigned char)*p > ' ')
			p++;
		if (p == end || *p != ']')
			return LINE_BAD;
		p++;
		while (p < end && is_blank(*p))
			p++;
		if (p != end)
			return LINE_BAD;
		module = true;
	}
	if (ndig != MAP_ADDR_DIGITS) {
		*ndigits = ndig;
		return LINE_DIGITS;
	}
	if (module || is_undefined(*type))
		return LINE_SKIP;
	*addr = a;
	return LINE_SYMBOL;
}

static uint64_t hash_name(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;	/* FNV-1a */

	while (n--) {
		h ^= (unsigned char)*s++;
		h *= 0x100000001b3ull;
	}
	return h;
}

static bool is_text(char type)
{
	return type == 'T' || type == 't';
}

static int map_add(struct kvmlstar_syms *s, uint64_t addr, char type,
		   const char *name, size_t len)
{
	if (s->nent == s->ent_cap) {
		size_t ncap = s->ent_cap ? s->ent_cap * 2 : 4096;
		struct map_ent *ne = realloc(s->ent, ncap * sizeof(*ne));

		if (!ne)
			return -1;
		s->ent = ne;
		s->ent_cap = ncap;
	}
	if (s->strs_cap - s->strs_len < len + 1) {
		size_t ncap = s->strs_cap ? s->strs_cap : 65536;
		char *ns;

		while (ncap - s->strs_len < len + 1)
			ncap *= 2;
		ns = realloc(s->strs, ncap);
		if (!ns)
			return -1;
		s->strs = ns;
		s->strs_cap = ncap;
	}
	memcpy(s->strs + s->strs_len, name, len);
	s->strs[s->strs_len + len] = '\0';
	s->ent[s->nent++] = (struct map_ent){
		.addr = addr, .name_off = s->strs_len, .name_len = len, .type = type,
	};
	s->strs_len += len + 1;
	return 0;
}

static size_t *map_slot(const struct kvmlstar_syms *s, const char *name, size_t len)
{
	size_t mask = s->nslot - 1, i = (size_t)hash_name(name, len) & mask;

	for (;; i = (i + 1) & mask) {
		const struct map_ent *e;

		if (s->slot[i] == 0)
			return &s->slot[i];
		e = &s->ent[s->slot[i] - 1];
		if (e->name_len == len && memcmp(s->strs + e->name_off, name, len) == 0)
			return &s->slot[i];
	}
}

/* Index the entries: first text occurrence of a name wins, else the first. */
static int map_index(struct kvmlstar_syms *s)
{
	size_t i;

	s->nslot = 16;
	while (s->nslot < 2 * s->nent)
		s->nslot *= 2;
	s->slot = calloc(s->nslot, sizeof(*s->slot));
	if (!s->slot)
		return -1;
	for (i = 0; i < s->nent; i++) {
		const struct map_ent *e = &s->ent[i];
		size_t *slot = map_slot(s, s->strs + e->name_off, e->name_len);

		if (*slot == 0 ||
		    (is_text(e->type) && !is_text(s->ent[*slot - 1].type)))
			*slot = i + 1;
	}
	return 0;
}

/* Copy at most 40 bytes of a bad line for a message, as printable text. */
static void snippet(char *dst, size_t dstsz, const char *p, size_t len)
{
	size_t i, n = len < 40 ? len : 40;

	if (n > dstsz - 1)
		n = dstsz - 1;
	for (i = 0; i < n; i++)
		dst[i] = ((unsigned char)p[i] >= ' ' && (unsigned char)p[i] < 0x7f) ?
			 p[i] : '?';
	dst[n] = '\0';
}

static bool contains(const char *p, size_t len, const char *needle)
{
	return memmem(p, len, needle, strlen(needle)) != NULL;
}

static const char map_fix[] =
	"pass a System.map or /proc/kallsyms, or open a vmlinux as ELF";

/* The error for a line parse_map_line() refused; @where is "path:line". */
static int bad_line(struct kvmlstar_error *err, const char *where, int p,
		    int ndigits, const char *line, size_t len)
{
	char shown[41];

	if (len > MAP_MAX_LINE)
		return kvmlstar__fail(err, KVMLSTAR_E_BAD_INPUT, 0,
			"%s: a line longer than %d bytes: not System.map text; %s",
			where, MAP_MAX_LINE, map_fix);
	snippet(shown, sizeof(shown), line, len);
	if (p == LINE_DIGITS)
		return kvmlstar__fail(err, KVMLSTAR_E_BAD_INPUT, 0,
			"%s: the address in \"%s\" has %d hex digits, not the %d of "
			"a 64-bit x86_64 kernel's System.map (is it a 32-bit kernel's?)",
			where, shown, ndigits, MAP_ADDR_DIGITS);
	/* Debian ships a one-line placeholder instead of the map. */
	if (contains(line, len, "System.map") && contains(line, len, "dbg"))
		return kvmlstar__fail(err, KVMLSTAR_E_BAD_INPUT, 0,
			"%s: a placeholder System.map without symbols; install the "
			"guest kernel's debug image (package linux-image-<ver>-dbg) and "
			"open /usr/lib/debug/boot/vmlinux-<ver> as a vmlinux", where);
	return kvmlstar__fail(err, KVMLSTAR_E_BAD_INPUT, 0,
		"%s: not System.map text (expected \"ADDRESS TYPE NAME\", found "
		"\"%s\"); %s", where, shown, map_fix);
}

static int elf_as_map(struct kvmlstar_error *err, const char *path)
{
	return kvmlstar__fail(err, KVMLSTAR_E_BAD_INPUT, 0,
		"%s: an ELF file, not System.map text; read it as a vmlinux", path);
}

static int read_failed(struct kvmlstar_error *err, const char *path)
{
	int e = errno;

	return kvmlstar__fail(err, kvmlstar__errno_code(e), e, "%s: read failed: %s",
			      path, strerror(e));
}

static int open_map(struct kvmlstar_syms *s, const char *path, struct line_reader *lr,
		    struct kvmlstar_error *err)
{
	size_t lineno = 0, nonzero = 0;
	char *line;
	size_t len;
	int r;

	s->fmt = KVMLSTAR_SYMFMT_MAP;
	if (lr->end - lr->start >= SELFMAG &&
	    memcmp(lr->buf + lr->start, elf_magic, SELFMAG) == 0)
		return elf_as_map(err, path);

	while ((r = next_line(lr, &line, &len)) == 1) {
		const char *name;
		size_t name_len;
		uint64_t addr;
		char type, where[KVMLSTAR_SHORT_LEN + 24];
		int p, ndig = 0;

		lineno++;
		p = parse_map_line(line, len, &addr, &type, &name, &name_len, &ndig);
		if (p == LINE_SKIP)
			continue;
		if (p < 0) {
			snprintf(where, sizeof(where), "%s:%zu", path, lineno);
			return bad_line(err, where, p, ndig, line, len);
		}
		if (map_add(s, addr, type, name, name_len))
			return kvmlstar__fail(err, KVMLSTAR_E_NOMEM, ENOMEM,
					      "%s: out of memory", path);
		if (addr)
			nonzero++;
	}
	if (r == -1)
		return read_failed(err, path);
	if (r == -2) {
		char where[KVMLSTAR_SHORT_LEN + 24];

		snprintf(where, sizeof(where), "%s:%zu", path, lineno + 1);
		return bad_line(err, where, LINE_BAD, 0, NULL, MAP_MAX_LINE + 1);
	}
	if (s->nent == 0)
		return kvmlstar__fail(err, KVMLSTAR_E_BAD_INPUT, 0,
			"%s: no kernel symbols in it (%zu lines, module symbols "
			"only or blank); pass the System.map of the guest kernel",
			path, lineno);
	if (nonzero == 0)
		return kvmlstar__fail(err, KVMLSTAR_E_PERMISSION, 0,
			"%s: every address is 0x0: the kernel hides kallsyms "
			"addresses from this reader (kptr_restrict); read it as "
			"root or use the System.map", path);
	if (map_index(s))
		return kvmlstar__fail(err, KVMLSTAR_E_NOMEM, ENOMEM,
				      "%s: out of memory", path);
	return kvmlstar__ok(err);
}

/*
 * A text symbol below the kernel half: whatever this map is, it is not
 * the symbol table of an x86_64 kernel, and its addresses are no link
 * addresses (a program's "nm" output, say).
 */
static int text_outside_kernel(struct kvmlstar_error *err, const char *path,
			       const char *name, uint64_t addr)
{
	KVMLSTAR__SHOWN(shown, name);

	return kvmlstar__fail(err, KVMLSTAR_E_BAD_INPUT, 0,
		"%s: the text symbol %s is at 0x%" PRIx64 ", outside the kernel "
		"half (from 0x%llx) where every x86_64 kernel runs: this is not a "
		"kernel's System.map", path, shown, addr, KVMLSTAR_KERNEL_HALF);
}

/* ------------------------------------------------------------------ */
/* map text, one name (kvmlstar_syms_find())                           */
/* ------------------------------------------------------------------ */

struct find {
	const char *name;
	size_t len;
	bool found, text;	/* a definition was seen; it is a text one */
	uint64_t addr;
	char type;
};

/*
 * Look at the complete lines buf[from..to) for definitions of the name:
 * memmem() finds candidates, and only their lines are parsed.  Returns 1
 * once a text definition is found, 0 to go on, -1 with @err set.
 */
static int find_in(struct find *f, const struct line_reader *lr, size_t from, size_t to,
		   const char *path, struct kvmlstar_error *err)
{
	const char *base = lr->buf, *p = base + from, *end = base + to;

	while (p < end) {
		const char *hit = memmem(p, (size_t)(end - p), f->name, f->len);
		const char *after, *ls, *le, *name;
		size_t name_len;
		uint64_t addr;
		char type, where[KVMLSTAR_SHORT_LEN + 40];
		int r, ndig = 0;

		if (!hit)
			return 0;
		after = hit + f->len;
		p = hit + 1;
		/* A whole NAME field: a blank before it, the line's end or a blank after. */
		if (hit == base + from || !is_blank(hit[-1]) ||
		    (after < end && *after != '\n' && *after != '\r' && !is_blank(*after)))
			continue;
		ls = memrchr(base + from, '\n', (size_t)(hit - (base + from)));
		ls = ls ? ls + 1 : base + from;
		le = memchr(after, '\n', (size_t)(end - after));
		if (!le)
			le = end;
		p = le;
		r = parse_map_line(ls, (size_t)(le - ls), &addr, &type, &name, &name_len, &ndig);
		if (r == LINE_BAD || r == LINE_DIGITS) {
			snprintf(where, sizeof(where), "%s: at byte %zu", path,
				 lr->consumed + (size_t)(ls - base));
			bad_line(err, where, r, ndig, ls, (size_t)(le - ls));
			return -1;
		}
		/*
		 * The line is decided as a whole: the hit may have been its
		 * type or its module, and its name still be the one wanted.
		 */
		if (r == LINE_SKIP || name_len != f->len || memcmp(name, f->name, f->len))
			continue;
		if (!f->found || (is_text(type) && !f->text)) {
			f->found = true;
			f->text = is_text(type);
			f->addr = addr;
			f->type = type;
		}
		if (f->text)
			return 1;
	}
	return 0;
}

/*
 * The first line longer than MAP_MAX_LINE in [p, end), @p at a line's
 * start, or NULL.  One memrchr() per 64 KiB: a window without a newline
 * holds such a line, one with a newline only lines that fit.
 */
static const char *long_line(const char *p, const char *end)
{
	while ((size_t)(end - p) > MAP_MAX_LINE) {
		const char *nl = memrchr(p, '\n', MAP_MAX_LINE + 1);

		if (!nl)
			return p;
		p = nl + 1;
	}
	return NULL;
}

/*
 * Search @lr for the name.  Returns 1 when decided (found, or failed with
 * @err set: *rc says which), 0 when the whole-file check must decide: the
 * first line is not a plain symbol line, or the name is not there.
 */
static int find_map(struct find *f, struct line_reader *lr, const char *path, int *rc,
		    struct kvmlstar_error *err)
{
	const char *nl, *name;
	size_t name_len;
	uint64_t addr;
	char type;
	int r, ndig;

	/* The first line must be a symbol line, else the whole-file check says why. */
	while (!(nl = memchr(lr->buf + lr->start, '\n', lr->end - lr->start)) && !lr->eof &&
	       lr->end - lr->start <= MAP_MAX_LINE)
		if (fill(lr, FIND_CHUNK))
			return *rc = read_failed(err, path), 1;
	if (!nl || parse_map_line(lr->buf + lr->start, (size_t)(nl - (lr->buf + lr->start)),
				  &addr, &type, &name, &name_len, &ndig) != LINE_SYMBOL)
		return 0;

	for (;;) {
		const char *last = memrchr(lr->buf + lr->start, '\n', lr->end - lr->start);
		size_t to = lr->eof ? lr->end : last ? (size_t)(last - lr->buf) + 1 : lr->start;
		const char *lng = long_line(lr->buf + lr->start, lr->buf + to);

		/* The limit holds for every line, as in the whole-file check. */
		if (lng) {
			char where[KVMLSTAR_SHORT_LEN + 40];

			snprintf(where, sizeof(where), "%s: at byte %zu", path,
				 lr->consumed + (size_t)(lng - lr->buf));
			return *rc = bad_line(err, where, LINE_BAD, 0, NULL, MAP_MAX_LINE + 1), 1;
		}
		r = find_in(f, lr, lr->start, to, path, err);
		if (r < 0)	/* find_in() only fails for a bad line */
			return *rc = KVMLSTAR_E_BAD_INPUT, 1;
		if (r > 0 || lr->eof)
			break;
		lr->start = to;
		if (lr->end - lr->start > MAP_MAX_LINE) {
			char where[KVMLSTAR_SHORT_LEN + 40];

			snprintf(where, sizeof(where), "%s: at byte %zu", path,
				 lr->consumed + lr->start);
			return *rc = bad_line(err, where, LINE_BAD, 0, NULL, MAP_MAX_LINE + 1), 1;
		}
		if (fill(lr, FIND_CHUNK))
			return *rc = read_failed(err, path), 1;
	}
	if (!f->found)
		return 0;
	/*
	 * Not a kernel's map, or a /proc/kallsyms with its addresses hidden
	 * (every one 0): the whole-file check tells which.
	 */
	if ((is_text(f->type) && f->addr < KVMLSTAR_KERNEL_HALF) || f->addr == 0)
		return 0;
	return *rc = kvmlstar__ok(err), 1;
}

/* ------------------------------------------------------------------ */
/* public                                                              */
/* ------------------------------------------------------------------ */

KVMLSTAR_API void kvmlstar_syms_close(struct kvmlstar_syms *s)
{
	if (!s)
		return;
	if (s->elf)
		elf_end(s->elf);
	if (s->fd >= 0)
		close(s->fd);
	free(s->exec_scn);
	free(s->path);
	free(s->build_id);
	free(s->release);
	free(s->strs);
	free(s->ent);
	free(s->slot);
	free(s);
}

/*
 * Whether @st is an anonymous pipe (a shell's "|" or "<(...)"), not a
 * named FIFO: pipes live on the kernel's pipefs, whose device a pipe of
 * our own shows.
 */
static bool anonymous_pipe(const struct stat *st)
{
	struct stat mine;
	int p[2];
	bool same;

	if (pipe2(p, O_CLOEXEC) < 0)
		return false;
	same = fstat(p[0], &mine) == 0 && mine.st_dev == st->st_dev;
	close(p[0]);
	close(p[1]);
	return same;
}

/*
 * A named FIFO opened without a writer would block open() for ever, and
 * the library cannot tell a writer that has not come from one that is
 * slow: it was opened O_NONBLOCK, so wait here, with a limit, for data or
 * the writer's end.  An anonymous pipe has (or had) its writer from the
 * start: reading it blocks as long as that writer takes, as with cat.
 */
static int await_fifo(int fd, const char *path, struct kvmlstar_error *err)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int n, e;

	do
		n = poll(&pfd, 1, FIFO_WAIT_MS);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		e = errno;
		return kvmlstar__fail(err, kvmlstar__errno_code(e), e,
				      "%s: waiting for the FIFO: %s", path, strerror(e));
	}
	if (n == 0)
		return kvmlstar__fail(err, KVMLSTAR_E_BAD_INPUT, 0,
			"%s: a named FIFO that gave no data within %d s: is a program "
			"writing to it? Start its writer first, or pass a regular file "
			"or a pipe", path, FIFO_WAIT_MS / 1000);
	return KVMLSTAR_OK;
}

/* Open @path for reading as @fmt, refusing what cannot be read as it. */
static int open_input(const char *path, const char *shown, enum kvmlstar_symfmt fmt,
		      int *fdp, bool *regular, struct kvmlstar_error *err)
{
	struct stat st;
	int fd, e, flags, r;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		e = errno;
		return kvmlstar__fail(err, kvmlstar__errno_code(e), e,
				      "%s: cannot open: %s", shown, strerror(e));
	}
	*fdp = fd;
	*regular = false;
	if (fstat(fd, &st) < 0) {
		e = errno;
		return kvmlstar__fail(err, kvmlstar__errno_code(e), e,
				      "%s: cannot stat: %s", shown, strerror(e));
	}
	if (S_ISDIR(st.st_mode))
		return kvmlstar__fail(err, KVMLSTAR_E_BAD_INPUT, EISDIR,
				      "%s: a directory, not a vmlinux or System.map file", shown);
	if (fmt == KVMLSTAR_SYMFMT_VMLINUX && !S_ISREG(st.st_mode))
		return kvmlstar__fail(err, KVMLSTAR_E_BAD_INPUT, 0,
			"%s: not a regular file; a vmlinux is read by offset, so it "
			"must be one (a System.map can come through a pipe)", shown);
	*regular = S_ISREG(st.st_mode);
	if (S_ISFIFO(st.st_mode) && !anonymous_pipe(&st)) {
		r = await_fifo(fd, shown, err);
		if (r)
			return r;
	}
	flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0) {
		e = errno;
		return kvmlstar__fail(err, kvmlstar__errno_code(e), e,
				      "%s: fcntl: %s", shown, strerror(e));
	}
	return KVMLSTAR_OK;
}

/* Read until the ELF magic can be told, or the end. */
static int read_magic(struct line_reader *lr, const char *shown, struct kvmlstar_error *err)
{
	while (lr->end < SELFMAG && !lr->eof)
		if (fill(lr, READ_CHUNK))
			return read_failed(err, shown);
	if (lr->end == 0)
		return kvmlstar__fail(err, KVMLSTAR_E_BAD_INPUT, 0,
			"%s: the file is empty; a vmlinux or System.map is needed", shown);
	return KVMLSTAR_OK;
}

static bool has_elf_magic(const struct line_reader *lr)
{
	return lr->end >= SELFMAG && memcmp(lr->buf, elf_magic, SELFMAG) == 0;
}

static int check_args(const char *func, const char *path, enum kvmlstar_symfmt fmt,
		      const void *out, struct kvmlstar_error *err)
{
	if (!path)
		return kvmlstar__null(err, func, "path is NULL");
	if (!*path)
		return kvmlstar__null(err, func, "the path is empty");
	if (!out)
		return kvmlstar__null(err, func, "no pointer for the result");
	if (fmt != KVMLSTAR_SYMFMT_AUTO && fmt != KVMLSTAR_SYMFMT_VMLINUX &&
	    fmt != KVMLSTAR_SYMFMT_MAP)
		return kvmlstar__fail(err, KVMLSTAR_E_BAD_INPUT, EINVAL,
				      "%s: unknown symbol format %d", func, (int)fmt);
	return KVMLSTAR_OK;
}

/*
 * The open, after the input is open and its first bytes are in @lr.
 * Consumes @lr's buffer.
 */
static int open_syms(struct kvmlstar_syms *s, const char *shown, enum kvmlstar_symfmt fmt,
		     struct line_reader *lr, struct kvmlstar_error *err)
{
	bool is_elf = has_elf_magic(lr);
	int r;

	if (fmt == KVMLSTAR_SYMFMT_AUTO)
		fmt = is_elf ? KVMLSTAR_SYMFMT_VMLINUX : KVMLSTAR_SYMFMT_MAP;
	if (fmt == KVMLSTAR_SYMFMT_VMLINUX) {
		if (!is_elf)
			return kvmlstar__fail(err, KVMLSTAR_E_BAD_INPUT, 0,
				"%s: not an ELF file (no ELF magic), so not a vmlinux; "
				"if it is a System.map, read it as one", shown);
		/* An ELF that came through a pipe (the format was AUTO). */
		if (!s->regular)
			return kvmlstar__fail(err, KVMLSTAR_E_BAD_INPUT, 0,
				"%s: an ELF file, but not a regular file; a vmlinux is "
				"read by offset, so it must be one", shown);
		/* libelf reads by offset: having read the first bytes does not disturb it. */
		return open_vmlinux(s, shown, err);
	}
	r = open_map(s, shown, lr, err);
	/* Everything is in memory now. */
	close(s->fd);
	s->fd = -1;
	return r;
}

/* A handle with its input open and the first bytes read; NULL on failure. */
static struct kvmlstar_syms *begin(const char *path, enum kvmlstar_symfmt fmt,
				   struct line_reader *lr, int *rc,
				   struct kvmlstar_error *err)
{
	KVMLSTAR__SHOWN(shown, path);
	struct kvmlstar_syms *s = calloc(1, sizeof(*s));

	if (!s) {
		*rc = kvmlstar__fail(err, KVMLSTAR_E_NOMEM, ENOMEM, "%s: out of memory", shown);
		return NULL;
	}
	s->fd = -1;
	s->path = strdup(shown);
	if (!s->path) {
		*rc = kvmlstar__fail(err, KVMLSTAR_E_NOMEM, ENOMEM, "%s: out of memory", shown);
		goto fail;
	}
	*rc = open_input(path, shown, fmt, &s->fd, &s->regular, err);
	if (*rc)
		goto fail;
	lr->fd = s->fd;
	*rc = read_magic(lr, shown, err);
	if (*rc)
		goto fail;
	return s;
fail:
	kvmlstar_syms_close(s);
	return NULL;
}

KVMLSTAR_API int kvmlstar_syms_open(const char *path, enum kvmlstar_symfmt fmt,
				    struct kvmlstar_syms **out,
				    struct kvmlstar_error *err)
{
	struct line_reader lr = { .fd = -1 };
	struct kvmlstar_syms *s;
	int r = check_args("kvmlstar_syms_open", path, fmt, out, err);

	if (r)
		return r;
	s = begin(path, fmt, &lr, &r, err);
	if (s)
		r = open_syms(s, s->path, fmt, &lr, err);
	free(lr.buf);
	if (r) {
		kvmlstar_syms_close(s);
		return r;
	}
	*out = s;
	return KVMLSTAR_OK;
}

/* Every byte could be in a map line's NAME (printable, no blank). */
static bool plain_name(const char *name)
{
	for (; *name; name++)
		if ((unsigned char)*name <= ' ' || (unsigned char)*name >= 0x7f)
			return false;
	return true;
}

static int check_name(const char *func, const char *name, struct kvmlstar_error *err)
{
	if (!name)
		return kvmlstar__null(err, func, "name is NULL");
	if (!*name)
		return kvmlstar__null(err, func, "the symbol name is empty");
	return KVMLSTAR_OK;
}

static int not_found(struct kvmlstar_error *err, const char *path, const char *name,
		     enum kvmlstar_symfmt fmt)
{
	KVMLSTAR__SHOWN(shown, name);

	return kvmlstar__fail(err, KVMLSTAR_E_NOT_FOUND, 0,
		"%s: no symbol %s in this %s; is it the guest kernel's?", path, shown,
		fmt == KVMLSTAR_SYMFMT_VMLINUX ? "vmlinux" : "symbol map");
}

KVMLSTAR_API int kvmlstar_syms_lookup(const struct kvmlstar_syms *s, const char *name,
				      uint64_t *addr, struct kvmlstar_error *err)
{
	const struct map_ent *e = NULL;
	size_t len;
	uint64_t a = 0;
	int found, r;

	if (!s)
		return kvmlstar__null(err, "kvmlstar_syms_lookup", "the handle is NULL");
	r = check_name("kvmlstar_syms_lookup", name, err);
	if (r)
		return r;
	if (!addr)
		return kvmlstar__null(err, "kvmlstar_syms_lookup", "addr is NULL");
	len = strlen(name);
	if (s->fmt == KVMLSTAR_SYMFMT_VMLINUX) {
		found = lookup_vmlinux(s, name, len, &a);
	} else {
		size_t slot = *map_slot(s, name, len);

		found = slot != 0;
		if (found) {
			e = &s->ent[slot - 1];
			a = e->addr;
		}
	}
	if (!found)
		return not_found(err, s->path, name, s->fmt);
	if (e && is_text(e->type) && a < KVMLSTAR_KERNEL_HALF)
		return text_outside_kernel(err, s->path, name, a);
	*addr = a;
	return kvmlstar__ok(err);
}

KVMLSTAR_API int kvmlstar_syms_find(const char *path, enum kvmlstar_symfmt fmt,
				    const char *name, uint64_t *addr,
				    struct kvmlstar_error *err)
{
	struct line_reader lr = { .fd = -1 };
	struct find f = { .name = name };
	struct kvmlstar_syms *s;
	int r = check_args("kvmlstar_syms_find", path, fmt, addr, err);

	if (!r)
		r = check_name("kvmlstar_syms_find", name, err);
	if (r)
		return r;
	f.len = strlen(name);
	s = begin(path, fmt, &lr, &r, err);
	if (!s)
		goto out;
	if (fmt == KVMLSTAR_SYMFMT_AUTO)
		fmt = has_elf_magic(&lr) ? KVMLSTAR_SYMFMT_VMLINUX : KVMLSTAR_SYMFMT_MAP;
	if (fmt == KVMLSTAR_SYMFMT_MAP && has_elf_magic(&lr)) {
		r = elf_as_map(err, s->path);
		goto out;
	}
	/*
	 * The search runs on a regular file, which the whole-file check can
	 * read again when the search cannot decide; a pipe is read once, so
	 * it gets the whole-file check from the start.  A name with blanks or
	 * control characters is no map line's NAME: the check says so.
	 */
	if (fmt == KVMLSTAR_SYMFMT_MAP && s->regular && plain_name(name) &&
	    find_map(&f, &lr, s->path, &r, err)) {
		if (!r)
			*addr = f.addr;
		goto out;
	}
	/*
	 * A vmlinux, or a map the fast path cannot answer for: open it the
	 * normal way, from where the reader stands when it can restart (a
	 * regular file), else from what is left of the stream.
	 */
	if (fmt == KVMLSTAR_SYMFMT_MAP && (lr.consumed || lr.start)) {
		if (lseek(s->fd, 0, SEEK_SET) != 0) {
			r = read_failed(err, s->path);
			goto out;
		}
		lr.start = lr.end = lr.consumed = 0;
		lr.eof = false;
		r = read_magic(&lr, s->path, err);
		if (r)
			goto out;
	}
	r = open_syms(s, s->path, fmt, &lr, err);
	if (!r)
		r = kvmlstar_syms_lookup(s, name, addr, err);
out:
	free(lr.buf);
	kvmlstar_syms_close(s);
	return r;
}

KVMLSTAR_API enum kvmlstar_symfmt kvmlstar_syms_format(const struct kvmlstar_syms *s)
{
	return s ? s->fmt : KVMLSTAR_SYMFMT_AUTO;
}

KVMLSTAR_API const char *kvmlstar_syms_build_id(const struct kvmlstar_syms *s)
{
	return s ? s->build_id : NULL;
}

KVMLSTAR_API const char *kvmlstar_syms_release(const struct kvmlstar_syms *s)
{
	return s ? s->release : NULL;
}
