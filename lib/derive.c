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
#include <inttypes.h>

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
