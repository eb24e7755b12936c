// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the System.map / /proc/kallsyms text reader
 * (kvmlstar_syms_open(..., KVMLSTAR_SYMFMT_MAP, ...) and lookups).
 *
 * After a successful open, every name in the input is looked up.  Lines in
 * the plain form "hex T name" or "hex t name" must be found; "hex X name\t[mod]"
 * must not; and when the name occurs nowhere else in the input, the address
 * must be the line's.
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
 * The plain form: 1-16 lowercase hex digits, ' ', a letter, ' ', a name of
 * [A-Za-z0-9_.], and either the end or "\t[" [a-z0-9_]+ "]".  Returns 1 for a
 * kernel symbol, 2 for a module symbol, 0 for anything else.
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
	if (n == 0 || n > 16 || i + 4 > len || p[i] != ' ' || p[i + 2] != ' ')
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
		return 1;
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

/* Look up the third field of every line, and check the plain ones. */
static void check_lines(struct kvmlstar_syms *s, const uint8_t *data, size_t size)
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
			if (kind == 1 && (type == 'T' || type == 't')) {
				fuzz_assert(fuzz_lookup(s, name, &got));
				fuzz_assert(!unique(data, size, nm, nlen) || got == addr);
			} else if (kind == 1) {
				fuzz_assert(fuzz_lookup(s, name, &got));
			} else if (unique(data, size, nm, nlen)) {
				fuzz_assert(!fuzz_lookup(s, name, &got));
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
				fuzz_lookup(s, name, &got);
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
	check_lines(s, data, size);
	kvmlstar_syms_close(s);
	return 0;
}
