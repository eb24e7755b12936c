// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libkvmlstar: the virtual KASLR offset from MSR_LSTAR.
 *
 * Why it works: the decompressor applies the KASLR delta to every absolute
 * 64-bit relocation before the kernel proper runs, so when syscall_init()
 * stores the address of entry_SYSCALL_64 in MSR_LSTAR it stores the
 * relocated (run-time) address.  Run-time minus link-time is the virtual
 * offset, which KASLR picks independently of the physical one.
 *
 * Each check below rejects one way the two inputs can fail to describe the
 * same booted kernel; their order is part of the contract (see
 * kvmlstar_derive() in kvmlstar.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

KVMLSTAR_API int kvmlstar_derive(uint64_t lstar, uint64_t link, uint64_t *offset,
				 struct kvmlstar_error *err)
{
	uint64_t off;

	if (!offset)
		return kvmlstar__null(err, "kvmlstar_derive", "offset is NULL");
	/*
	 * KVM starts every vCPU with LSTAR 0; it stays 0 until the guest's
	 * syscall_init() runs, and forever on a FRED kernel, which programs
	 * MSR_IA32_FRED_CONFIG instead.
	 */
	if (lstar == 0)
		return kvmlstar__fail(err, KVMLSTAR_E_LSTAR_ZERO, 0,
			"MSR_LSTAR is 0x0: the guest has not reached syscall_init yet, "
			"or its kernel uses FRED and never sets MSR_LSTAR; "
			"try again once the guest has booted");

	/*
	 * A 0 link address means the caller has none (symbol missing); the
	 * subtraction would hand back LSTAR itself as an "offset".
	 */
	if (link == 0)
		return kvmlstar__fail(err, KVMLSTAR_E_LINK_UNKNOWN, 0,
			"link-time address of entry_SYSCALL_64 is 0x0 (unknown; "
			"MSR_LSTAR is 0x%" PRIx64 "): give the vmlinux or System.map "
			"of the guest's kernel, one that defines entry_SYSCALL_64",
			lstar);

	/*
	 * The kernel image sits at or above __START_KERNEL_map, far above
	 * the start of the kernel half; a non-zero value below it was not
	 * written by syscall_init().
	 */
	if (lstar < KVMLSTAR_KERNEL_HALF)
		return kvmlstar__fail(err, KVMLSTAR_E_NON_CANONICAL, 0,
			"MSR_LSTAR is 0x%" PRIx64 ", below the kernel half (0x%llx): "
			"not an entry_SYSCALL_64 address, the guest may be in the "
			"middle of booting or resetting; try again later",
			lstar, KVMLSTAR_KERNEL_HALF);

	/* KASLR only ever moves the kernel up. */
	if (link > lstar)
		return kvmlstar__fail(err, KVMLSTAR_E_LINK_ABOVE_LSTAR, 0,
			"MSR_LSTAR 0x%" PRIx64 " is below the link-time "
			"entry_SYSCALL_64 0x%" PRIx64 ": the symbols are not those of "
			"the guest's kernel; give the vmlinux or System.map of the "
			"kernel the guest runs",
			lstar, link);

	off = lstar - link;

	/* KASLR slots are multiples of CONFIG_PHYSICAL_ALIGN. */
	if (off & (KVMLSTAR_KASLR_ALIGN - 1))
		return kvmlstar__fail(err, KVMLSTAR_E_MISALIGNED, 0,
			"offset 0x%" PRIx64 " (MSR_LSTAR 0x%" PRIx64 " - link 0x%"
			PRIx64 ") is not a multiple of 2 MiB (0x%llx): the symbols "
			"do not match the guest's kernel image; give the vmlinux or "
			"System.map of the kernel the guest runs",
			off, lstar, link, KVMLSTAR_KASLR_ALIGN);

	/*
	 * KASLR places the image inside the KERNEL_IMAGE_SIZE (1 GiB) window
	 * above __START_KERNEL_map, so the offset is below 1 GiB.  This is
	 * permanent, not retryable: the value passed every earlier check,
	 * i.e. it is a kernel-half address exactly a whole number of 2 MiB
	 * slots above the link address.  That is not what an early-boot or
	 * half-written MSR looks like (those read 0 or non-canonical); it is
	 * what a consistent LSTAR looks like next to the symbols of a
	 * different kernel.  The guest writes LSTAR once per boot, so reading
	 * it again gives the same value, and only other symbols can help.
	 */
	if (off >= KVMLSTAR_KERNEL_IMAGE_SIZE)
		return kvmlstar__fail(err, KVMLSTAR_E_OUT_OF_RANGE, 0,
			"offset 0x%" PRIx64 " (MSR_LSTAR 0x%" PRIx64 " - link 0x%"
			PRIx64 ") is beyond the 1 GiB kernel image window (0x%llx): "
			"the symbols are not those of the guest's kernel; give the "
			"vmlinux or System.map of the kernel the guest runs",
			off, lstar, link, KVMLSTAR_KERNEL_IMAGE_SIZE);

	*offset = off;
	return kvmlstar__ok(err);
}

/* The symbols each entry-point MSR may hold, most likely first. */
static const char *const witness_syms[][3] = {
	[KVMLSTAR_ENTRY_LSTAR] = { "entry_SYSCALL_64" },
	/* Without IA32 emulation: 6.7+ point CSTAR at a stub of their own. */
	[KVMLSTAR_ENTRY_CSTAR] = { "entry_SYSCALL_compat", "entry_SYSCALL32_ignore",
				 "ignore_sysret" },
	[KVMLSTAR_ENTRY_SYSENTER_EIP] = { "entry_SYSENTER_compat" },
};
#define KNOWN_MSRS	(sizeof(witness_syms) / sizeof(witness_syms[0]))
#define MAX_CANDIDATES	(sizeof(witness_syms[0]) / sizeof(witness_syms[0][0]))

_Static_assert(sizeof(struct kvmlstar_witnesses) == KVMLSTAR_WITNESSES_SIZE_1_1,
	       "struct kvmlstar_witnesses of libkvmlstar 1.1");
_Static_assert(KNOWN_MSRS <= KVMLSTAR_WITNESSES_MAX, "room for every known MSR");

KVMLSTAR_API const char *kvmlstar_entry_name(enum kvmlstar_entry msr)
{
	switch (msr) {
	case KVMLSTAR_ENTRY_LSTAR:	return "lstar";
	case KVMLSTAR_ENTRY_CSTAR:	return "cstar";
	case KVMLSTAR_ENTRY_SYSENTER_EIP:	return "sysenter_eip";
	}
	return "unknown";
}

/*
 * The kernel-text address an MSR value stands for.  AMD CPUs keep the low
 * 32 bits of SYSENTER_EIP; kernel text lies in the top 2 GiB, whose
 * addresses all have 0xffffffff in their high half.
 */
static uint64_t witness_address(enum kvmlstar_entry msr, uint64_t value)
{
	if (msr == KVMLSTAR_ENTRY_SYSENTER_EIP && value <= UINT32_MAX)
		return value | 0xffffffff00000000ull;
	return value;
}

/*
 * Match @w->value with the symbols its MSR may hold: one giving @want,
 * else the first giving a valid offset, else the first defined (with its
 * derivation code), else none (NOT_FOUND).
 */
static void witness_match(const struct kvmlstar_syms *syms, struct kvmlstar_witness *w,
			  uint64_t want)
{
	const uint64_t addr = witness_address(w->msr, w->value);
	struct kvmlstar_witness best = *w;
	size_t i;

	best.status = KVMLSTAR_E_NOT_FOUND;
	for (i = 0; i < MAX_CANDIDATES && witness_syms[w->msr][i]; i++) {
		struct kvmlstar_witness c = *w;

		c.symbol = witness_syms[w->msr][i];
		if (kvmlstar_syms_lookup(syms, c.symbol, &c.link, NULL))
			continue;
		c.status = kvmlstar_derive(addr, c.link, &c.offset, NULL);
		if (c.status == KVMLSTAR_OK && c.offset == want) {
			best = c;
			break;
		}
		if (best.status == KVMLSTAR_E_NOT_FOUND ||
		    (best.status != KVMLSTAR_OK && c.status == KVMLSTAR_OK))
			best = c;
	}
	*w = best;
}

/* "cstar 0x... gives offset 0x...", or why it gives none, for a message. */
static size_t witness_say(char *buf, size_t len, const struct kvmlstar_witness *w)
{
	int n;

	if (w->status == KVMLSTAR_OK)
		n = snprintf(buf, len, "%s 0x%" PRIx64 " gives offset 0x%" PRIx64 " (%s)",
			     kvmlstar_entry_name(w->msr), w->value, w->offset, w->symbol);
	else
		n = snprintf(buf, len, "%s 0x%" PRIx64 " gives no valid offset from %s 0x%"
			     PRIx64 " (%s)", kvmlstar_entry_name(w->msr), w->value,
			     w->symbol, w->link, kvmlstar_err_class(w->status));
	/* What it wrote: a message cut short still ends in a NUL. */
	return n < 0 ? 0 : (size_t)n < len ? (size_t)n : len - 1;
}

static int witness_mismatch(const struct kvmlstar_witnesses *r, struct kvmlstar_error *err)
{
	char said[384];
	size_t n = 0;
	unsigned int i;

	said[0] = '\0';
	for (i = 0; i < r->count; i++) {
		if (r->w[i].status == KVMLSTAR_E_NOT_FOUND)
			continue;
		if (n && n + 2 < sizeof(said)) {
			memcpy(said + n, "; ", 3);
			n += 2;
		}
		n += witness_say(said + n, sizeof(said) - n, &r->w[i]);
	}
	return kvmlstar__fail(err, KVMLSTAR_E_WITNESS_MISMATCH, 0,
		"the entry-point MSRs disagree: %s; an entry point was redirected "
		"(a syscall hook), or the symbols are not those of the guest's kernel",
		said);
}

KVMLSTAR_API int kvmlstar_witnesses(const struct kvmlstar_syms *syms, uint64_t link,
				    const uint64_t *values, size_t nvalues,
				    struct kvmlstar_witnesses *out, size_t size,
				    struct kvmlstar_error *err)
{
	struct kvmlstar_witnesses r = { 0 };
	bool disagree = false;
	size_t i;
	int rc;

	if (!values || !nvalues)
		return kvmlstar__null(err, "kvmlstar_witnesses", "no values (LSTAR first)");
	if (!out)
		return kvmlstar__null(err, "kvmlstar_witnesses", "out is NULL");
	if (size < KVMLSTAR_WITNESSES_SIZE_1_1)
		return kvmlstar__fail(err, KVMLSTAR_E_BAD_INPUT, EINVAL,
			"kvmlstar_witnesses: size %zu is below that of libkvmlstar 1.1's "
			"struct kvmlstar_witnesses (%d): pass sizeof(struct kvmlstar_witnesses)",
			size, KVMLSTAR_WITNESSES_SIZE_1_1);
	if (syms) {
		rc = kvmlstar_syms_lookup(syms, witness_syms[KVMLSTAR_ENTRY_LSTAR][0], &link, err);
		if (rc == KVMLSTAR_E_NOT_FOUND)
			link = 0;	/* kvmlstar_derive()'s order decides */
		else if (rc)
			return rc;
	}
	rc = kvmlstar_derive(values[KVMLSTAR_ENTRY_LSTAR], link, &r.offset, err);
	if (rc)
		return rc;
	r.w[0] = (struct kvmlstar_witness){
		.msr = KVMLSTAR_ENTRY_LSTAR, .value = values[KVMLSTAR_ENTRY_LSTAR],
		.link = link, .offset = r.offset,
		.symbol = witness_syms[KVMLSTAR_ENTRY_LSTAR][0],
	};
	r.count = r.agree = 1;
	for (i = 1; syms && i < nvalues && i < KNOWN_MSRS; i++) {
		struct kvmlstar_witness *w = &r.w[r.count];

		if (!values[i])
			continue;
		*w = (struct kvmlstar_witness){ .msr = (enum kvmlstar_entry)i, .value = values[i] };
		witness_match(syms, w, r.offset);
		r.count++;
		if (w->status == KVMLSTAR_OK && w->offset == r.offset)
			r.agree++;
		else if (w->status != KVMLSTAR_E_NOT_FOUND)
			disagree = true;
	}
	if (disagree)
		return witness_mismatch(&r, err);
	r.confirmed = r.agree >= 2;
	kvmlstar__copy_out(out, size, &r, sizeof(r));
	return kvmlstar__ok(err);
}
