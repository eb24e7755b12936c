// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the libelf vmlinux reader
 * (kvmlstar_syms_open(..., KVMLSTAR_SYMFMT_VMLINUX, ...)), used the way the
 * CLI uses it: open, read the build-id, look up entry_SYSCALL_64 and derive,
 * look up other names, close.  The names looked up besides the fixed ones
 * are the NUL-terminated strings of the input, as a string table holds them.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* memfd_create */
#endif
#include "fuzz.h"

#define MAX_NAMES	64
#define MAX_NAME	64

static void check_build_id(const struct kvmlstar_syms *s)
{
	const char *id = kvmlstar_syms_build_id(s);
	size_t i, n;

	if (!id)
		return;
	/* Lowercase hex of at least one byte. */
	n = strlen(id);
	fuzz_assert(n >= 2 && n % 2 == 0);
	for (i = 0; i < n; i++)
		fuzz_assert((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f'));
}

static void lookup_strings(struct kvmlstar_syms *s, const uint8_t *data, size_t size)
{
	char name[MAX_NAME + 1];
	unsigned names = 0;
	size_t i = 1;
	uint64_t a;

	while (i < size && names < MAX_NAMES) {
		size_t start = i;

		if (data[i - 1] != 0 || data[i] <= ' ' || data[i] >= 0x7f) {
			i++;
			continue;
		}
		while (i < size && data[i] > ' ' && data[i] < 0x7f && i - start < MAX_NAME)
			i++;
		if (i < size && data[i] == 0) {
			memcpy(name, data + start, i - start);
			name[i - start] = '\0';
			fuzz_lookup(s, name, &a);
			names++;
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kvmlstar_syms *s = fuzz_open(data, size, KVMLSTAR_SYMFMT_VMLINUX);
	uint64_t a;

	if (!s)
		return 0;
	check_build_id(s);
	fuzz_lookup(s, "a_name_longer_than_any_in_a_tiny_string_table", &a);
	lookup_strings(s, data, size);
	kvmlstar_syms_close(s);
	return 0;
}
