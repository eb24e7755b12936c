// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the System.map / /proc/kallsyms text reader
 * (kvmlstar_syms_open(..., KVMLSTAR_SYMFMT_MAP, ...) and lookups).
 *
 * After a successful open, every name in the input is looked up.  Lines in
 * the plain form "hex T name" or "hex t name" must be found; "hex X name\t[mod]"
 * must not; and when the name occurs nowhere else in the input, the address
 * must be the line's.  kvmlstar_syms_find() on the same file must give
 * every name the same answer as the index (it searches the text instead).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* memfd_create, memmem */
#endif
#include "fuzz.h"

#define MAX_LINES	512
#define MAX_NAME	255

static int is_lhex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

static int is_name(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '.';
}

/*
 * The plain form: 16 lowercase hex digits, ' ', a letter, ' ', a name of
 * [A-Za-z0-9_.], and either the end or "\t[" [a-z0-9_]+ "]".  Returns 1 for a
 * kernel symbol, 2 for a module symbol or an undefined one (U, w, v), 0 for
 * anything else.
 */
static int plain_line(const char *p, size_t len, uint64_t *addr, char *type,
		      const char **name, size_t *nlen)
{
	size_t i = 0, n = 0;
	uint64_t a = 0;

	while (i < len && is_lhex(p[i]) && n < 17) {
		a = a << 4 | (uint64_t)(p[i] <= '9' ? p[i] - '0' : p[i] - 'a' + 10);
		i++;
		n++;
	}
	if (n != 16 || i + 4 > len || p[i] != ' ' || p[i + 2] != ' ')
		return 0;
	*type = p[i + 1];
	if (!((*type >= 'a' && *type <= 'z') || (*type >= 'A' && *type <= 'Z')))
		return 0;
	i += 3;
	*name = p + i;
	while (i < len && is_name(p[i]))
		i++;
	*nlen = (size_t)(p + i - *name);
	*addr = a;
	if (*nlen == 0 || *nlen > MAX_NAME)
		return 0;
	if (i == len)
		return *type == 'U' || *type == 'w' || *type == 'v' ? 2 : 1;
	if (len - i < 4 || p[i] != '\t' || p[i + 1] != '[' || p[len - 1] != ']')
		return 0;
	for (i += 2; i < len - 1; i++)
		if (!((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= '0' && p[i] <= '9') ||
		      p[i] == '_'))
			return 0;
	return 2;
}

/* Does @name occur exactly once in the whole input (as any substring)? */
static int unique(const uint8_t *data, size_t size, const char *name, size_t nlen)
{
	const uint8_t *hit = memmem(data, size, name, nlen);

	return hit && !memmem(hit + 1, size - (size_t)(hit + 1 - data), name, nlen);
}

/* Look @name up in the index and with kvmlstar_syms_find(): the same answer. */
static int lookup_both(struct kvmlstar_syms *s, const char *path, const char *name,
		       uint64_t *got)
{
	struct kvmlstar_error err;
	uint64_t a = 0x1111, b = 0x2222;
	int r1, r2;

	r1 = kvmlstar_syms_lookup(s, name, &a, &err);
	r2 = kvmlstar_syms_find(path, KVMLSTAR_SYMFMT_MAP, name, &b, &err);
	fuzz_assert(r1 == r2);
	fuzz_assert(r1 != KVMLSTAR_OK || a == b);
	return fuzz_lookup(s, name, got);
}

/* Look up the third field of every line, and check the plain ones. */
static void check_lines(struct kvmlstar_syms *s, const char *path, const uint8_t *data,
			size_t size)
{
	const char *p = (const char *)data, *end = p + size;
	char name[MAX_NAME + 1];
	unsigned lines = 0;

	while (p < end && lines++ < MAX_LINES) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		const char *q = p, *qe = p + len, *nm;
		uint64_t addr, got;
		size_t nlen;
		char type;
		int kind, field;

		kind = plain_line(p, len, &addr, &type, &nm, &nlen);
		if (kind) {
			memcpy(name, nm, nlen);
			name[nlen] = '\0';
			if (kind == 1 && (type == 'T' || type == 't') &&
			    addr >= KVMLSTAR_KERNEL_HALF) {
				/*
				 * Found, unless an earlier text definition of the
				 * name (outside the kernel half) wins.
				 */
				if (unique(data, size, nm, nlen))
					fuzz_assert(lookup_both(s, path, name, &got) &&
						    got == addr);
				else
					lookup_both(s, path, name, &got);
			} else if (kind == 1 && type != 'T' && type != 't') {
				/* Unless a text definition elsewhere wins. */
				if (unique(data, size, nm, nlen))
					fuzz_assert(lookup_both(s, path, name, &got) &&
						    got == addr);
				else
					lookup_both(s, path, name, &got);
			} else if (kind == 1) {
				/* Text outside the kernel half: refused. */
				fuzz_assert(!lookup_both(s, path, name, &got) ||
					    !unique(data, size, nm, nlen));
			} else if (unique(data, size, nm, nlen)) {
				fuzz_assert(!lookup_both(s, path, name, &got));
			}
		} else {
			/* Any third field: exercise the index with odd names. */
			for (field = 0; field < 3 && q < qe; field++) {
				while (q < qe && (*q == ' ' || *q == '\t'))
					q++;
				nm = q;
				while (q < qe && *q != ' ' && *q != '\t')
					q++;
			}
			nlen = (size_t)(q - nm);
			if (field == 3 && nlen > 0 && nlen <= MAX_NAME &&
			    !memchr(nm, '\0', nlen)) {
				memcpy(name, nm, nlen);
				name[nlen] = '\0';
				lookup_both(s, path, name, &got);
			}
		}
		p += len + 1;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kvmlstar_syms *s = fuzz_open(data, size, KVMLSTAR_SYMFMT_MAP);

	if (!s)
		return 0;
	fuzz_assert(kvmlstar_syms_build_id(s) == NULL);
	/* fuzz_open() left the input in fuzz_file()'s file. */
	check_lines(s, fuzz_file(data, size), data, size);
	kvmlstar_syms_close(s);
	return 0;
}
