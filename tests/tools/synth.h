/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the benchmarks' generators of synthetic inputs share (mkelf: a
 * vmlinux, mkmap: a System.map): errors, a seeded random stream, so that
 * each output is the same in every run, and strict number options.  The
 * includer defines PROG, its name in messages.
 */
#ifndef KVM_LSTAR_SYNTH_H
#define KVM_LSTAR_SYNTH_H

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static __attribute__((noreturn, format(printf, 1, 2)))
void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, PROG ": ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* xorshift64, from a fixed seed: the same output on every run. */
static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t next_random(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* A decimal option value in [@min, @max]; anything else exits 2. */
static unsigned long parse_num(const char *name, const char *s, unsigned long min,
			       unsigned long max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (!*s || *end || errno || v < min || v > max) {
		fprintf(stderr, PROG ": bad %s value '%s': %lu..%lu\n", name, s, min, max);
		exit(2);
	}
	return v;
}

#endif /* KVM_LSTAR_SYNTH_H */
