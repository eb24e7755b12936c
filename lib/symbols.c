// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libkvmlstar: link-time symbol addresses from a vmlinux or a System.map.
 *
 * vmlinux: libelf maps the file (ELF_C_READ_MMAP); on a little-endian host
 * reading an aligned little-endian .symtab, elf_getdata() hands back
 * pointers into that mapping, so nothing is copied.  A lookup is a linear
 * walk of the symbol table comparing names in place: a few milliseconds
 * for the ~200k symbols of a distribution kernel, and no index to build.
 *
 * Map text (System.map, /proc/kallsyms): read once, line by line, through
 * a small buffer; the kept symbols go into one string arena plus an
 * open-addressing hash index, so lookups are O(1) whatever the file size.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* memmem */
#endif
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

#define MAP_MAX_LINE	(64 * 1024)	/* no System.map line comes close */
#define READ_CHUNK	(64 * 1024)

struct map_ent {
	uint64_t addr;
	size_t name_off;	/* into strs */
	size_t name_len;
	char type;
};

struct kvmlstar_syms {
	enum kvmlstar_symfmt fmt;
	char *path;		/* for messages */
	char *build_id;

	/* vmlinux */
	int fd;
	Elf *elf;
	const Elf64_Sym *sym;	/* inside the mapping (or libelf's copy) */
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
	"file /usr/lib/debug/boot/vmlinux-<ver>) and pass that, or pass its "
	"System.map with --system-map";

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

static int elf_corrupt(struct kvmlstar_error *err, const char *path, const char *what)
{
	return kvmlstar__fail(err, KVMLSTAR_E_BAD_INPUT, 0,
		"%s: cannot read the ELF %s (%s): the file is truncated or corrupt",
		path, what, elf_errmsg(-1));
}

static int open_vmlinux(struct kvmlstar_syms *s, const char *path,
			struct kvmlstar_error *err)
{
	Elf_Scn *scn = NULL, *symscn = NULL, *strscn;
	GElf_Shdr sh, symsh = { 0 }, strsh;
	Elf_Data *symdata, *strdata, *data;
	const unsigned char *ident;
	Elf64_Ehdr *eh;
	size_t i, nphdr;

	s->fmt = KVMLSTAR_SYMFMT_VMLINUX;
	if (elf_version(EV_CURRENT) == EV_NONE)
		return kvmlstar__fail(err, KVMLSTAR_E_IO, 0,
			"%s: libelf refuses its own ELF version: %s", path, elf_errmsg(-1));

	s->elf = elf_begin(s->fd, ELF_C_READ_MMAP, NULL);
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
	return kvmlstar__ok(err);
}

static int lookup_vmlinux(struct kvmlstar_syms *s, const char *name, size_t len,
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
	bool eof;
};

/*
 * Returns 1 with the next line (without its '\n') in *line and *len, 0 at the
 * end, -1 with errno set on a read error, -2 for a line over MAP_MAX_LINE.
 */
static int next_line(struct line_reader *lr, char **line, size_t *len)
{
	for (;;) {
		char *nl = memchr(lr->buf + lr->start, '\n', lr->end - lr->start);
		ssize_t n;

		if (nl) {
			*line = lr->buf + lr->start;
			*len = (size_t)(nl - *line);
			lr->start += *len + 1;
			return 1;
		}
		if (lr->end - lr->start > MAP_MAX_LINE)
			return -2;
		if (lr->eof) {
			if (lr->start == lr->end)
				return 0;
			*line = lr->buf + lr->start;
			*len = lr->end - lr->start;
			lr->start = lr->end;
			return 1;
		}
		if (lr->start > 0) {
			memmove(lr->buf, lr->buf + lr->start, lr->end - lr->start);
			lr->end -= lr->start;
			lr->start = 0;
		}
		if (lr->cap - lr->end < READ_CHUNK / 2) {
			size_t ncap = lr->cap * 2;
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

/*
 * Parse "ADDRESS TYPE NAME [\t[module]]".  Returns 1 for a symbol, 0 for a
 * line to skip (blank, or a module symbol), -1 for a line that does not fit.
 */
static int parse_map_line(const char *p, size_t len, uint64_t *addr, char *type,
			  const char **name, size_t *name_len)
{
	const char *end = p + len;
	uint64_t a = 0;
	int ndig = 0, v;

	if (len && end[-1] == '\r')
		end--;
	while (p < end && is_blank(*p))
		p++;
	if (p == end)
		return 0;

	while (p < end && (v = hexval(*p)) >= 0) {
		if (++ndig > 16)
			return -1;
		a = (a << 4) | (uint64_t)v;
		p++;
	}
	if (ndig == 0 || p == end || !is_blank(*p))
		return -1;
	while (p < end && is_blank(*p))
		p++;

	if (p == end || (unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f)
		return -1;
	*type = *p++;
	if (p == end || !is_blank(*p))
		return -1;
	while (p < end && is_blank(*p))
		p++;

	*name = p;
	while (p < end && (unsigned char)*p > ' ' && (unsigned char)*p < 0x7f)
		p++;
	*name_len = (size_t)(p - *name);
	if (*name_len == 0 || (p < end && !is_blank(*p)))
		return -1;
	while (p < end && is_blank(*p))
		p++;
	if (p == end) {
		*addr = a;
		return 1;
	}

	/* "[module]" and nothing after it: a module symbol, skipped. */
	if (*p != '[')
		return -1;
	while (p < end && *p != ']' && (unsigned char)*p > ' ')
		p++;
	if (p == end || *p != ']')
		return -1;
	p++;
	while (p < end && is_blank(*p))
		p++;
	return p == end ? 0 : -1;
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
		return kvmlstar__fail(err, KVMLSTAR_E_BAD_INPUT, 0,
			"%s: an ELF file, not System.map text; open it as a vmlinux "
			"(--vmlinux)", path);

	while ((r = next_line(lr, &line, &len)) == 1) {
		const char *name;
		size_t name_len;
		uint64_t addr;
		char type, shown[41];
		int p;

		lineno++;
		p = parse_map_line(line, len, &addr, &type, &name, &name_len);
		if (p == 0)
			continue;
		if (p < 0) {
			/* Debian ships a one-line placeholder instead of the map. */
			if (contains(line, len, "System.map") && contains(line, len, "dbg"))
				return kvmlstar__fail(err, KVMLSTAR_E_BAD_INPUT, 0,
					"%s:%zu: a placeholder System.map without symbols; "
					"install the guest kernel's debug image (package "
					"linux-image-<ver>-dbg) and pass "
					"/usr/lib/debug/boot/vmlinux-<ver> with --vmlinux",
					path, lineno);
			snippet(shown, sizeof(shown), line, len);
			return kvmlstar__fail(err, KVMLSTAR_E_BAD_INPUT, 0,
				"%s:%zu: not System.map text (expected \"ADDRESS TYPE "
				"NAME\", found \"%s\"); pass a System.map or "
				"/proc/kallsyms, or a vmlinux with --vmlinux",
				path, lineno, shown);
		}
		if (map_add(s, addr, type, name, name_len))
			return kvmlstar__fail(err, KVMLSTAR_E_NOMEM, ENOMEM,
					      "%s: out of memory", path);
		if (addr)
			nonzero++;
	}
	if (r == -1) {
		int e = errno;

		return kvmlstar__fail(err, kvmlstar__errno_code(e), e,
				      "%s: read failed: %s", path, strerror(e));
	}
	if (r == -2)
		return kvmlstar__fail(err, KVMLSTAR_E_BAD_INPUT, 0,
			"%s:%zu: a line longer than %d bytes: not System.map text; "
			"pass a System.map or /proc/kallsyms, or a vmlinux with "
			"--vmlinux", path, lineno + 1, MAP_MAX_LINE);
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
	free(s->strs);
	free(s->ent);
	free(s->slot);
	free(s);
}

KVMLSTAR_API int kvmlstar_syms_open(const char *path, enum kvmlstar_symfmt fmt,
				    struct kvmlstar_syms **out,
				    struct kvmlstar_error *err)
{
	struct line_reader lr = { .fd = -1 };
	struct kvmlstar_syms *s;
	struct stat st;
	bool is_elf;
	int r;

	if (!path || !*path || !out)
		return kvmlstar__fail(err, KVMLSTAR_E_BAD_INPUT, EINVAL,
				      "kvmlstar_syms_open: no path or no handle pointer");
	if (fmt != KVMLSTAR_SYMFMT_AUTO && fmt != KVMLSTAR_SYMFMT_VMLINUX &&
	    fmt != KVMLSTAR_SYMFMT_MAP)
		return kvmlstar__fail(err, KVMLSTAR_E_BAD_INPUT, EINVAL,
				      "%s: unknown symbol format %d", path, (int)fmt);

	s = calloc(1, sizeof(*s));
	if (!s)
		return kvmlstar__fail(err, KVMLSTAR_E_NOMEM, ENOMEM, "%s: out of memory", path);
	s->fd = -1;
	s->path = strdup(path);
	if (!s->path) {
		r = kvmlstar__fail(err, KVMLSTAR_E_NOMEM, ENOMEM, "%s: out of memory", path);
		goto fail;
	}
	s->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (s->fd < 0) {
		int e = errno;

		r = kvmlstar__fail(err, kvmlstar__errno_code(e), e,
				   "%s: cannot open: %s", path, strerror(e));
		goto fail;
	}
	if (fstat(s->fd, &st) < 0) {
		int e = errno;

		r = kvmlstar__fail(err, kvmlstar__errno_code(e), e,
				   "%s: cannot stat: %s", path, strerror(e));
		goto fail;
	}
	if (S_ISDIR(st.st_mode)) {
		r = kvmlstar__fail(err, KVMLSTAR_E_BAD_INPUT, EISDIR,
				   "%s: a directory, not a vmlinux or System.map file", path);
		goto fail;
	}

	/*
	 * Read the first bytes through the line reader's buffer: they tell
	 * ELF from text, and the map parser goes on from them, so pipes work.
	 * libelf reads by offset, so having read them does not disturb it.
	 */
	lr.fd = s->fd;
	lr.cap = READ_CHUNK;
	lr.buf = malloc(lr.cap);
	if (!lr.buf) {
		r = kvmlstar__fail(err, KVMLSTAR_E_NOMEM, ENOMEM, "%s: out of memory", path);
		goto fail;
	}
	while (lr.end < SELFMAG && !lr.eof) {
		ssize_t n = read(s->fd, lr.buf + lr.end, lr.cap - lr.end);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;

			r = kvmlstar__fail(err, kvmlstar__errno_code(e), e,
					   "%s: read failed: %s", path, strerror(e));
			goto fail;
		}
		if (n == 0)
			lr.eof = true;
		lr.end += (size_t)n;
	}
	if (lr.end == 0) {
		r = kvmlstar__fail(err, KVMLSTAR_E_BAD_INPUT, 0,
				   "%s: the file is empty; a vmlinux or System.map is needed",
				   path);
		goto fail;
	}
	is_elf = lr.end >= SELFMAG && memcmp(lr.buf, elf_magic, SELFMAG) == 0;

	if (fmt == KVMLSTAR_SYMFMT_AUTO)
		fmt = is_elf ? KVMLSTAR_SYMFMT_VMLINUX : KVMLSTAR_SYMFMT_MAP;

	if (fmt == KVMLSTAR_SYMFMT_VMLINUX) {
		if (!is_elf) {
			r = kvmlstar__fail(err, KVMLSTAR_E_BAD_INPUT, 0,
				"%s: not an ELF file (no ELF magic), so not a vmlinux; "
				"if it is a System.map, pass it with --system-map", path);
			goto fail;
		}
		if (!S_ISREG(st.st_mode)) {
			r = kvmlstar__fail(err, KVMLSTAR_E_BAD_INPUT, 0,
				"%s: not a regular file; a vmlinux must be a file that "
				"can be mapped", path);
			goto fail;
		}
		free(lr.buf);
		lr.buf = NULL;
		r = open_vmlinux(s, path, err);
	} else {
		r = open_map(s, path, &lr, err);
		free(lr.buf);
		lr.buf = NULL;
		/* Everything is in memory now. */
		close(s->fd);
		s->fd = -1;
	}
	if (r != KVMLSTAR_OK)
		goto fail;
	*out = s;
	return KVMLSTAR_OK;

fail:
	free(lr.buf);
	kvmlstar_syms_close(s);
	return r;
}

KVMLSTAR_API int kvmlstar_syms_lookup(struct kvmlstar_syms *s, const char *name,
				      uint64_t *addr, struct kvmlstar_error *err)
{
	size_t len;
	uint64_t a;
	int found;

	if (!s || !name || !*name || !addr)
		return kvmlstar__fail(err, KVMLSTAR_E_BAD_INPUT, EINVAL,
				      "kvmlstar_syms_lookup: no handle, no name or no "
				      "output pointer");
	len = strlen(name);
	if (s->fmt == KVMLSTAR_SYMFMT_VMLINUX) {
		found = lookup_vmlinux(s, name, len, &a);
	} else {
		size_t *slot = map_slot(s, name, len);

		found = *slot != 0;
		if (found)
			a = s->ent[*slot - 1].addr;
	}
	if (!found)
		return kvmlstar__fail(err, KVMLSTAR_E_NOT_FOUND, 0,
			"%s: no symbol %s in this %s; is it the guest kernel's?",
			s->path, name,
			s->fmt == KVMLSTAR_SYMFMT_VMLINUX ? "vmlinux" : "symbol map");
	*addr = a;
	return kvmlstar__ok(err);
}

KVMLSTAR_API enum kvmlstar_symfmt kvmlstar_syms_format(const struct kvmlstar_syms *s)
{
	return s ? s->fmt : KVMLSTAR_SYMFMT_AUTO;
}

KVMLSTAR_API const char *kvmlstar_syms_build_id(const struct kvmlstar_syms *s)
{
	return s ? s->build_id : NULL;
}
