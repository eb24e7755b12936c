/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the libFuzzer targets of libkvmlstar's symbol readers.
 *
 * kvmlstar_syms_open() takes a path, so each input is written to one memfd
 * (reused across runs) and opened as /proc/self/fd/N: a regular file that
 * libelf can map and the map reader can stream, with no file system I/O.
 *
 * Besides the sanitizers, the targets check the API contract of kvmlstar.h
 * on every input (abort() when broken): a failure returns a code of the
 * right kind, leaves *out alone and fills err with one line that names the
 * file; a success has an empty message.
 *
 * FUZZ_PLANT=N (a -D flag, only for `make fuzz-selftest`) plants a bug that
 * fires when entry_SYSCALL_64 resolves to FUZZ_PLANT_ADDR, the address the
 * seeds use: 1 abort(), 2 a heap-buffer-overflow, 3 a leak, 4 a signed
 * integer overflow (UBSan).  Each must make the runner report a failure.
 */
#ifndef KVMLSTAR_FUZZ_H
#define KVMLSTAR_FUZZ_H

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kvmlstar.h"

#define FUZZ_ENTRY		"entry_SYSCALL_64"
#define FUZZ_PLANT_ADDR		0xffffffff81e00080ull

#define fuzz_assert(cond)							\
	do {									\
		if (!(cond)) {							\
			fprintf(stderr, "%s:%d: contract broken: %s\n",		\
				__FILE__, __LINE__, #cond);			\
			abort();						\
		}								\
	} while (0)

/* The input as a file: the path of a memfd holding exactly @data. */
static const char *fuzz_file(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];
	size_t off = 0;

	if (fd < 0) {
		fd = memfd_create("kvmlstar-fuzz", MFD_CLOEXEC);
		if (fd < 0) {
			perror("memfd_create");
			abort();
		}
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) != 0) {
		perror("ftruncate");
		abort();
	}
	while (off < size) {
		ssize_t n = pwrite(fd, data + off, size - off, (off_t)off);

		if (n <= 0) {
			perror("pwrite");
			abort();
		}
		off += (size_t)n;
	}
	return path;
}

/* kvmlstar_syms_open()'s contract, whatever the input. */
static void fuzz_check_open(int r, const struct kvmlstar_syms *s,
			    const struct kvmlstar_error *err, const char *path,
			    enum kvmlstar_symfmt fmt)
{
	fuzz_assert(memchr(err->msg, '\0', sizeof(err->msg)) != NULL);
	fuzz_assert(err->code == (enum kvmlstar_err)r);
	if (r == KVMLSTAR_OK) {
		fuzz_assert(s != NULL);
		fuzz_assert(err->msg[0] == '\0');
		fuzz_assert(kvmlstar_syms_format(s) == fmt);
		return;
	}
	/* Contents can only be unusable (or hidden kallsyms, or no memory). */
	fuzz_assert(r == KVMLSTAR_E_BAD_INPUT || r == KVMLSTAR_E_PERMISSION ||
		    r == KVMLSTAR_E_NOMEM || r == KVMLSTAR_E_IO);
	fuzz_assert(s == (const struct kvmlstar_syms *)0x1);	/* left alone */
	fuzz_assert(strstr(err->msg, path) != NULL);
	fuzz_assert(strchr(err->msg, '\n') == NULL);
}

/* Look @name up; check the contract; returns 1 with *addr when found. */
static int fuzz_lookup(struct kvmlstar_syms *s, const char *name, uint64_t *addr)
{
	struct kvmlstar_error err;
	uint64_t a = 0x5a5a5a5a5a5a5a5aull;
	int r = kvmlstar_syms_lookup(s, name, &a, &err);

	fuzz_assert(err.code == (enum kvmlstar_err)r);
	fuzz_assert(memchr(err.msg, '\0', sizeof(err.msg)) != NULL);
	if (r == KVMLSTAR_OK) {
		fuzz_assert(err.msg[0] == '\0');
		*addr = a;
		return 1;
	}
	/* BAD_INPUT: an empty name, or a map's text symbol outside the kernel half. */
	fuzz_assert(r == KVMLSTAR_E_NOT_FOUND || r == KVMLSTAR_E_BAD_INPUT);
	fuzz_assert(r == KVMLSTAR_E_NOT_FOUND || !*name ||
		    strstr(err.msg, "outside the kernel half"));
	fuzz_assert(a == 0x5a5a5a5a5a5a5a5aull);	/* left alone */
	return 0;
}

/* What the CLI does with entry_SYSCALL_64 (derive, kaslr). */
static void fuzz_entry(struct kvmlstar_syms *s)
{
	struct kvmlstar_error err;
	uint64_t link = 0, offset = 0;
	int r;

	if (!fuzz_lookup(s, FUZZ_ENTRY, &link))
		return;
	r = kvmlstar_derive(0xffffffffb8a00080ull, link, &offset, &err);
	fuzz_assert(err.code == (enum kvmlstar_err)r);
	fuzz_assert(r != KVMLSTAR_OK || link + offset == 0xffffffffb8a00080ull);
#ifdef FUZZ_PLANT
	if (link == FUZZ_PLANT_ADDR) {
#if FUZZ_PLANT == 1
		fprintf(stderr, "planted bug: abort\n");
		abort();
#elif FUZZ_PLANT == 2
		volatile char *p = malloc(8);

		p[8] = 1;	/* heap-buffer-overflow */
		free((void *)p);
#elif FUZZ_PLANT == 3
		volatile char *p = malloc(24);

		p[0] = 1;	/* leaked */
		p = NULL;
#elif FUZZ_PLANT == 4
		volatile int x = INT_MAX;

		x = x + 1;	/* signed-integer-overflow */
#else
#error "FUZZ_PLANT: 1 abort, 2 overflow, 3 leak, 4 ubsan"
#endif
	}
#endif
}

/*
 * What both targets do first, the way the CLI does it: open the input in
 * format @fmt, check the contract, resolve entry_SYSCALL_64 and derive, and
 * look up _text.  Returns the open table, or NULL when the input was refused.
 */
static struct kvmlstar_syms *fuzz_open(const uint8_t *data, size_t size,
				       enum kvmlstar_symfmt fmt)
{
	const char *path = fuzz_file(data, size);
	struct kvmlstar_syms *s = (struct kvmlstar_syms *)0x1;
	struct kvmlstar_error err;
	uint64_t a;
	int r;

	memset(&err, 0x7f, sizeof(err));
	r = kvmlstar_syms_open(path, fmt, &s, &err);
	fuzz_check_open(r, s, &err, path, fmt);
	if (r != KVMLSTAR_OK)
		return NULL;
	fuzz_entry(s);
	fuzz_lookup(s, "_text", &a);
	return s;
}

#endif /* KVMLSTAR_FUZZ_H */
