/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libkvmlstar: derive a KVM guest's virtual KASLR offset from MSR_LSTAR.
 *
 * A 64-bit Linux guest (without FRED) points MSR_LSTAR at the run-time
 * address of its entry_SYSCALL_64.  Subtracting the link-time address of the
 * same symbol, taken from the guest kernel's vmlinux or System.map, gives the
 * virtual KASLR offset.  This header covers the offline half of the library:
 *
 *  - error reporting (enum kvmlstar_err, struct kvmlstar_error);
 *  - kvmlstar_derive(): the validated subtraction;
 *  - kvmlstar_witnesses(): the same, cross-checked with the other
 *    entry-point MSRs (CSTAR, SYSENTER_EIP);
 *  - kvmlstar_syms_*(): link-time symbol lookup in a vmlinux or a System.map;
 *  - kvmlstar_read_lstar(): read MSR_LSTAR from a vCPU fd the caller owns;
 *  - kvmlstar_vmm_name(), kvmlstar_cmdline_name(): the VMM's own name for
 *    its VM (QEMU's -name), from its command line.
 *
 * Conventions:
 *  - The library keeps no global state; every object is an opaque handle the
 *    caller owns.  Different handles may be used from different threads, and
 *    so may one symbol handle for lookups (they do not modify it).
 *  - Functions that can fail return an int that is a value of
 *    enum kvmlstar_err: KVMLSTAR_OK (0) on success, a positive code otherwise.
 *    Output parameters are written only on success.
 *  - Every such function takes a struct kvmlstar_error *err last.  It may be
 *    NULL.  When not NULL it is always written: on success code is
 *    KVMLSTAR_OK and msg is empty; on failure msg holds one line of text
 *    (no trailing newline) naming the values involved (u64 values as
 *    lowercase "0x..." hex without leading zeros) and what to do about it.
 */
#ifndef KVMLSTAR_H
#define KVMLSTAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(KVMLSTAR_BUILDING) && defined(__GNUC__)
#define KVMLSTAR_API __attribute__((visibility("default")))
#else
#define KVMLSTAR_API
#endif

/* MSR_LSTAR, the SYSCALL target of long mode. */
#define KVMLSTAR_MSR_LSTAR		0xc0000082u

/*
 * Lowest address accepted for a run-time entry_SYSCALL_64: the start of the
 * kernel half with 4-level paging.  The kernel image always lives at or
 * above __START_KERNEL_map (0xffffffff80000000), with 4- and 5-level paging
 * alike, so anything lower is not an entry_SYSCALL_64 address.
 */
#define KVMLSTAR_KERNEL_HALF		0xffff800000000000ull

/* Granule of the KASLR slots (CONFIG_PHYSICAL_ALIGN default): 2 MiB. */
#define KVMLSTAR_KASLR_ALIGN		0x200000ull

/* Size of the virtual window KASLR places the image in (KERNEL_IMAGE_SIZE). */
#define KVMLSTAR_KERNEL_IMAGE_SIZE	0x40000000ull

/* Buffer size for kvmlstar_hex(): "0x" + 16 digits + NUL. */
#define KVMLSTAR_HEX_LEN		19

/**
 * enum kvmlstar_err - why a call failed.
 *
 * The first group are the derivation classes; KVMLSTAR_E_OUT_OF_RANGE is
 * this library's addition to the six classes of the design reference.  The
 * second group are run-time failures.  kvmlstar_err_class() gives the
 * JSON class name of each code.
 *
 * @KVMLSTAR_OK: success.
 * @KVMLSTAR_E_LSTAR_UNSUPPORTED: KVM_GET_MSRS returned no entry for
 *	MSR_LSTAR (the host's KVM does not expose it for this vCPU, e.g. a
 *	confidential guest).  Retryable.
 * @KVMLSTAR_E_LSTAR_ZERO: MSR_LSTAR is 0: the guest has not reached
 *	syscall_init yet, or it is a FRED kernel that never writes LSTAR.
 *	Retryable.
 * @KVMLSTAR_E_LINK_UNKNOWN: the link-time address is 0, i.e. unknown
 *	(the symbol table has no entry_SYSCALL_64).  Permanent.
 * @KVMLSTAR_E_NON_CANONICAL: MSR_LSTAR is not 0 but below
 *	KVMLSTAR_KERNEL_HALF: a transitional or garbage value.  Retryable.
 * @KVMLSTAR_E_LINK_ABOVE_LSTAR: the link-time address is above MSR_LSTAR,
 *	which KASLR never does: the symbols are not the guest kernel's.
 *	Permanent.
 * @KVMLSTAR_E_MISALIGNED: the offset is not a multiple of
 *	KVMLSTAR_KASLR_ALIGN: the two inputs disagree about the kernel
 *	image.  Permanent.
 * @KVMLSTAR_E_OUT_OF_RANGE: the offset is KVMLSTAR_KERNEL_IMAGE_SIZE or
 *	more, outside the window KASLR chooses from.  Permanent.
 * @KVMLSTAR_E_NOT_FOUND: the thing asked for (a symbol, a record) does
 *	not exist.
 * @KVMLSTAR_E_NO_MODULE: the kvm_lstar kernel module is not loaded.
 * @KVMLSTAR_E_PERMISSION: the caller lacks a permission it needs
 *	(EACCES/EPERM, or /proc/kallsyms with hidden addresses).
 * @KVMLSTAR_E_TIMEOUT: a wait ran out of time.  Retryable.
 * @KVMLSTAR_E_BAD_INPUT: an argument or the contents of an input file
 *	cannot be used (not ELF, stripped, 32-bit, truncated, garbage text,
 *	a directory, ...).
 * @KVMLSTAR_E_IO: a system call failed; sys_errno tells which errno.
 * @KVMLSTAR_E_NOMEM: out of memory.
 * @KVMLSTAR_E_UNAVAILABLE: the host cannot see the vCPU's state (an
 *	SEV-ES, SEV-SNP or TDX guest keeps it encrypted).  Permanent.
 * @KVMLSTAR_E_WITNESS_MISMATCH: the entry-point MSRs give different
 *	offsets (kvmlstar_witnesses()): an entry point was redirected, or
 *	the symbols are not the guest's.  Permanent.  (libkvmlstar 1.1)
 */
enum kvmlstar_err {
	KVMLSTAR_OK = 0,

	KVMLSTAR_E_LSTAR_UNSUPPORTED,
	KVMLSTAR_E_LSTAR_ZERO,
	KVMLSTAR_E_LINK_UNKNOWN,
	KVMLSTAR_E_NON_CANONICAL,
	KVMLSTAR_E_LINK_ABOVE_LSTAR,
	KVMLSTAR_E_MISALIGNED,
	KVMLSTAR_E_OUT_OF_RANGE,

	KVMLSTAR_E_NOT_FOUND,
	KVMLSTAR_E_NO_MODULE,
	KVMLSTAR_E_PERMISSION,
	KVMLSTAR_E_TIMEOUT,
	KVMLSTAR_E_BAD_INPUT,
	KVMLSTAR_E_IO,
	KVMLSTAR_E_NOMEM,
	KVMLSTAR_E_UNAVAILABLE,
	KVMLSTAR_E_WITNESS_MISMATCH,
};

/* Room kvmlstar_shorten() needs: 160 bytes of text and the NUL. */
#define KVMLSTAR_SHORT_LEN		161

/**
 * struct kvmlstar_error - details of a failure.
 * @code: the same value the failing function returned.
 * @sys_errno: the errno behind the failure when a system call or libelf
 *	reported one, else 0.
 * @msg: one line of text, NUL-terminated, valid UTF-8 whenever the values
 *	it quotes (file and symbol names) are.  Long values are shortened in
 *	the middle ("/very/long/...name") so that the reason always fits; a
 *	message that still does not fit is cut at a character boundary.
 * @reserved: zeroed by the library; later versions put new fields here,
 *	so the struct keeps its size (and callers built against 1.0 their
 *	ABI) while it grows.
 */
struct kvmlstar_error {
	enum kvmlstar_err code;
	int sys_errno;
	char msg[512];
	uint32_t reserved[8];
};

/**
 * kvmlstar_err_class() - name of an error code's class.
 * @code: an error code.
 *
 * Return: a static string: "ok" for KVMLSTAR_OK; "lstar_unsupported",
 * "lstar_zero", "link_unknown", "non_canonical", "link_above_lstar",
 * "misaligned", "out_of_range", "not_found", "no_module", "permission",
 * "timeout", "bad_input", "io", "nomem", "unavailable",
 * "witness_mismatch" for the codes of those names; "unknown" for a code this library does not know.
 */
KVMLSTAR_API const char *kvmlstar_err_class(enum kvmlstar_err code);

/**
 * kvmlstar_err_retryable() - whether trying again later may succeed.
 * @code: an error code.
 *
 * Return: true for KVMLSTAR_E_LSTAR_UNSUPPORTED, KVMLSTAR_E_LSTAR_ZERO,
 * KVMLSTAR_E_NON_CANONICAL and KVMLSTAR_E_TIMEOUT; false for every other
 * code, including KVMLSTAR_OK.
 */
KVMLSTAR_API bool kvmlstar_err_retryable(enum kvmlstar_err code);

/**
 * kvmlstar_shorten() - a string cut to fit a message.
 * @s: the string (a path, a symbol name).
 * @buf: at least KVMLSTAR_SHORT_LEN bytes.
 *
 * Copies @s when it has at most 160 bytes; otherwise its first and last
 * bytes around "...", cut at UTF-8 character boundaries, 160 bytes in
 * all.  What the library's own messages do with the values they quote.
 *
 * Return: @buf, or "(null)" for a NULL @s or @buf.
 */
KVMLSTAR_API const char *kvmlstar_shorten(const char *s, char buf[KVMLSTAR_SHORT_LEN]);

/**
 * kvmlstar_hex() - format a u64 the way the project prints addresses.
 * @value: the value.
 * @buf: at least KVMLSTAR_HEX_LEN bytes.
 *
 * Writes lowercase hex with a "0x" prefix and no leading zeros ("0x0",
 * "0xffffffff81e00080").
 *
 * Return: @buf; NULL when @buf is NULL.
 */
KVMLSTAR_API char *kvmlstar_hex(uint64_t value, char buf[KVMLSTAR_HEX_LEN]);

/**
 * kvmlstar_derive() - derive the virtual KASLR offset.
 * @lstar: the guest's MSR_LSTAR, the run-time entry_SYSCALL_64.
 * @link: the link-time address of entry_SYSCALL_64.
 * @offset: where to store lstar - link on success.
 * @err: error details, or NULL.
 *
 * The checks run in this order and the first that fails decides the code:
 * @lstar == 0 (LSTAR_ZERO), @link == 0 (LINK_UNKNOWN),
 * @lstar < KVMLSTAR_KERNEL_HALF (NON_CANONICAL), @link > @lstar
 * (LINK_ABOVE_LSTAR), offset not a multiple of KVMLSTAR_KASLR_ALIGN
 * (MISALIGNED), offset >= KVMLSTAR_KERNEL_IMAGE_SIZE (OUT_OF_RANGE).
 *
 * An offset of 0 is a valid result: the guest runs without KASLR (nokaslr,
 * CONFIG_RANDOMIZE_BASE=n).  It cannot be told apart from a corrupted
 * MSR_LSTAR that happens to equal the link address; a caller that must know
 * has to ask another source (the guest's command line or config).
 *
 * Return: KVMLSTAR_OK, one of the derivation codes above, or
 * KVMLSTAR_E_BAD_INPUT for a NULL @offset.
 */
KVMLSTAR_API int kvmlstar_derive(uint64_t lstar, uint64_t link, uint64_t *offset,
				 struct kvmlstar_error *err);

/**
 * enum kvmlstar_symfmt - format of a symbol source.
 * @KVMLSTAR_SYMFMT_AUTO: an ELF file (by its magic) is a vmlinux, anything
 *	else is read as map text.
 * @KVMLSTAR_SYMFMT_VMLINUX: an x86_64 ELF vmlinux with a .symtab.
 * @KVMLSTAR_SYMFMT_MAP: System.map or /proc/kallsyms text.
 */
enum kvmlstar_symfmt {
	KVMLSTAR_SYMFMT_AUTO = 0,
	KVMLSTAR_SYMFMT_VMLINUX,
	KVMLSTAR_SYMFMT_MAP,
};

/* An open symbol source.  Opaque. */
struct kvmlstar_syms;

/**
 * kvmlstar_syms_open() - open a vmlinux or a System.map for lookups.
 * @path: the file.
 * @fmt: its format, or KVMLSTAR_SYMFMT_AUTO.
 * @out: where to store the new handle on success.
 * @err: error details, or NULL.
 *
 * A vmlinux must be a regular file holding a 64-bit x86_64 ELF kernel: a
 * linked image whose code is in the kernel half of the address space (an
 * ordinary program is refused as "not a Linux kernel"), with a .symtab.
 * Only its section headers, notes, .symtab and .strtab are read (a few MB
 * for a distribution kernel; the debug info is never touched), into
 * memory, at open: the handle holds no file descriptor and no mapping, so
 * a file that is replaced or truncated later does not disturb it.  A
 * stripped image (such as the ELF inside a bzImage) is refused with a
 * message naming the fix (the linux-image-<ver>-dbg package's
 * /usr/lib/debug/boot/vmlinux-<ver>, or a System.map).
 *
 * Map text is read as a stream (a pipe works too) and indexed in memory.
 * Lines are "ADDRESS TYPE NAME", optionally followed by "\t[module]";
 * ADDRESS has the 16 hex digits of a 64-bit kernel's map.  Module lines
 * are skipped, and so are undefined symbols (types U, w and v).  When a
 * name appears more than once, the first occurrence of type T or t (text)
 * wins; if it never has a text type, its first occurrence wins.  Blank
 * lines are ignored; any other line that does not fit, or is longer than
 * 64 KiB, is an error naming the line.  A file without symbols, or a
 * /proc/kallsyms whose addresses are all 0 (hidden from an unprivileged
 * reader: KVMLSTAR_E_PERMISSION), is refused.  A named FIFO is waited for
 * at most 5 s for its first data, so one that no program writes to fails
 * instead of blocking for ever; an anonymous pipe (a shell's "|" or
 * "<(...)") is read for as long as its writer takes.
 *
 * Return: KVMLSTAR_OK; KVMLSTAR_E_IO or KVMLSTAR_E_PERMISSION when the file
 * cannot be opened or read; KVMLSTAR_E_BAD_INPUT for unusable contents
 * (empty, directory, not ELF, not x86_64, 32-bit, not a kernel, truncated,
 * stripped, garbage text, a FIFO without a writer) and for a NULL or empty
 * @path or a NULL @out; KVMLSTAR_E_NOMEM.
 */
KVMLSTAR_API int kvmlstar_syms_open(const char *path, enum kvmlstar_symfmt fmt,
				    struct kvmlstar_syms **out,
				    struct kvmlstar_error *err);

/**
 * kvmlstar_syms_lookup() - link-time address of a symbol.
 * @syms: an open handle.
 * @name: the symbol, e.g. "entry_SYSCALL_64".
 * @addr: where to store the address on success.
 * @err: error details, or NULL.
 *
 * In a vmlinux, undefined symbols and section/file symbols are ignored;
 * among several definitions of one name the first in an executable section
 * wins, else the first.  A text symbol of a map whose address is outside
 * the kernel half means the map is not a kernel's: KVMLSTAR_E_BAD_INPUT.
 * Lookups do not modify the handle: threads may share one.
 *
 * Return: KVMLSTAR_OK, KVMLSTAR_E_NOT_FOUND, or KVMLSTAR_E_BAD_INPUT for
 * such a map, a NULL handle or pointer, or an empty name.
 */
KVMLSTAR_API int kvmlstar_syms_lookup(const struct kvmlstar_syms *syms, const char *name,
				      uint64_t *addr, struct kvmlstar_error *err);

/**
 * kvmlstar_syms_find() - look up one symbol without keeping a handle.
 * @path: a vmlinux or a System.map, as for kvmlstar_syms_open().
 * @fmt: its format, or KVMLSTAR_SYMFMT_AUTO.
 * @name: the symbol.
 * @addr: where to store the address on success.
 * @err: error details, or NULL.
 *
 * The answer is the one kvmlstar_syms_open() and kvmlstar_syms_lookup()
 * give, found faster for map text in a regular file: the text is searched
 * as it is read, as grep would, without an index, and the search stops at
 * the name's first text definition.  So only the first line, the lines
 * that define @name and the line lengths are checked; garbage elsewhere
 * is reported only when the name is not found, or its definition is
 * suspect (address 0, or a text symbol outside the kernel half): the
 * whole file is then read again and checked as kvmlstar_syms_open()
 * would.  Map text from a pipe, which can be read only once, always gets
 * the whole-file check.  For a vmlinux it is kvmlstar_syms_open(), one
 * lookup and kvmlstar_syms_close().  Open a handle instead to look up many
 * names.
 *
 * Return: as kvmlstar_syms_open() and kvmlstar_syms_lookup().
 */
KVMLSTAR_API int kvmlstar_syms_find(const char *path, enum kvmlstar_symfmt fmt,
				    const char *name, uint64_t *addr,
				    struct kvmlstar_error *err);

/**
 * kvmlstar_syms_format() - what an open handle reads.
 * @syms: an open handle.
 *
 * Return: KVMLSTAR_SYMFMT_VMLINUX or KVMLSTAR_SYMFMT_MAP; KVMLSTAR_SYMFMT_AUTO
 * only for a NULL handle.
 */
KVMLSTAR_API enum kvmlstar_symfmt kvmlstar_syms_format(const struct kvmlstar_syms *syms);

/**
 * kvmlstar_syms_build_id() - GNU build-id of a vmlinux.
 * @syms: an open handle.
 *
 * Return: the build-id as lowercase hex (no "0x"), valid until
 * kvmlstar_syms_close(); NULL for map text or a vmlinux without one.
 */
KVMLSTAR_API const char *kvmlstar_syms_build_id(const struct kvmlstar_syms *syms);

/**
 * kvmlstar_syms_release() - the kernel release of a vmlinux.
 * @syms: an open handle.
 *
 * Return: the release (what uname -r prints on that kernel), read from the
 * vmlinux's linux_banner, valid until kvmlstar_syms_close(); NULL for map
 * text (a System.map does not hold it) or a vmlinux without that banner.
 * Since 0.2 (KVMLSTAR_1.1).
 */
KVMLSTAR_API const char *kvmlstar_syms_release(const struct kvmlstar_syms *syms);

/**
 * kvmlstar_syms_close() - release a handle.
 * @syms: a handle from kvmlstar_syms_open(), or NULL.
 */
KVMLSTAR_API void kvmlstar_syms_close(struct kvmlstar_syms *syms);

/**
 * enum kvmlstar_entry - the entry-point MSRs a booting Linux points at its
 *	own text, each one a witness of the KASLR offset (libkvmlstar 1.1).
 * @KVMLSTAR_ENTRY_LSTAR: MSR_LSTAR, entry_SYSCALL_64.
 * @KVMLSTAR_ENTRY_CSTAR: MSR_CSTAR, entry_SYSCALL_compat; without IA32
 *	emulation entry_SYSCALL32_ignore (6.7+) or ignore_sysret.  Newer
 *	kernels do not write it on Intel-vendor CPUs.
 * @KVMLSTAR_ENTRY_SYSENTER_EIP: MSR_IA32_SYSENTER_EIP,
 *	entry_SYSENTER_compat; 0 without IA32 emulation.  AMD CPUs keep its
 *	low 32 bits only, which still carry the offset: a value below 2^32
 *	is taken as the kernel-text address with those low bits.
 *
 * Values index the arrays of kvmlstar_witnesses().  A FRED kernel writes
 * none of them (it programs MSR_IA32_FRED_CONFIG); a later version may
 * add that, and others, after these.
 */
enum kvmlstar_entry {
	KVMLSTAR_ENTRY_LSTAR,
	KVMLSTAR_ENTRY_CSTAR,
	KVMLSTAR_ENTRY_SYSENTER_EIP,
};

/* Entries of struct kvmlstar_witnesses: room for MSRs added later. */
#define KVMLSTAR_WITNESSES_MAX		8

/**
 * struct kvmlstar_witness - what one entry-point MSR says of the offset.
 * @msr: which MSR.
 * @status: KVMLSTAR_OK when @offset is valid; else the derivation code
 *	(as kvmlstar_derive() gives it) of the best candidate symbol, or
 *	KVMLSTAR_E_NOT_FOUND when the symbols define none.
 * @value: the MSR as the host saw it.
 * @link: link-time address of @symbol; 0 when none.
 * @offset: @value (completed to 64 bits, for SYSENTER_EIP) - @link.
 * @symbol: the symbol @value was matched with (a static string), or NULL.
 */
struct kvmlstar_witness {
	enum kvmlstar_entry msr;
	enum kvmlstar_err status;
	uint64_t value;
	uint64_t link;
	uint64_t offset;
	const char *symbol;
};

/**
 * struct kvmlstar_witnesses - the offset, cross-checked.
 * @offset: the offset LSTAR gives, as kvmlstar_derive() does.
 * @count: entries of @w used: LSTAR first, then each other MSR whose
 *	value is not 0 (0: not written, or not seen by the host).
 * @agree: entries that give @offset, LSTAR's included.
 * @confirmed: at least two entries give @offset and none disagrees.
 * @w: the entries.
 *
 * Later versions add fields at the end; kvmlstar_witnesses() takes the
 * size the caller was built with, as the netlink calls do.
 */
struct kvmlstar_witnesses {
	uint64_t offset;
	unsigned int count;
	unsigned int agree;
	bool confirmed;
	struct kvmlstar_witness w[KVMLSTAR_WITNESSES_MAX];
};

/* Size of struct kvmlstar_witnesses in libkvmlstar 1.1: the least accepted. */
#define KVMLSTAR_WITNESSES_SIZE_1_1	344

/**
 * kvmlstar_witnesses() - the offset from LSTAR, checked against the others.
 * @syms: the guest kernel's symbols, or NULL when only @link is known.
 * @link: link-time entry_SYSCALL_64 when @syms is NULL; ignored otherwise.
 * @values: the MSRs, indexed by enum kvmlstar_entry; 0 for "not seen".
 * @nvalues: entries in @values (at least 1: LSTAR).  Entries past the
 *	MSRs this library knows are ignored.
 * @out: where to store the result on success.
 * @size: sizeof(*@out) as the caller was built.
 * @err: error details, or NULL.
 *
 * LSTAR is derived first, exactly as kvmlstar_derive() does, and its
 * failure is the result.  Each other MSR that is not 0 is then matched
 * with the symbols it may hold (see enum kvmlstar_entry; among several, one
 * giving LSTAR's offset, else the first giving a valid one).  It agrees
 * when it gives LSTAR's offset; it disagrees when its symbols are there
 * and it gives another offset, or none that is valid.  Without @syms
 * only LSTAR is used.
 *
 * An offset confirmed by two witnesses tells an honest nokaslr guest
 * (offset 0) from a value that merely equals the link address, and an
 * LSTAR hooked before the first capture (it then disagrees with CSTAR
 * and SYSENTER_EIP, which a hook rarely redirects too).
 *
 * Return: KVMLSTAR_OK; a derivation code of LSTAR's; or
 * KVMLSTAR_E_WITNESS_MISMATCH, whose message names each MSR's value and
 * offset; KVMLSTAR_E_BAD_INPUT for a NULL @values or @out, @nvalues 0, or
 * a @size below KVMLSTAR_WITNESSES_SIZE_1_1.
 */
KVMLSTAR_API int kvmlstar_witnesses(const struct kvmlstar_syms *syms, uint64_t link,
				    const uint64_t *values, size_t nvalues,
				    struct kvmlstar_witnesses *out, size_t size,
				    struct kvmlstar_error *err);

/**
 * kvmlstar_entry_name() - the name of an entry-point MSR.
 * @msr: an enum kvmlstar_entry value.
 *
 * Return: "lstar", "cstar", "sysenter_eip", or "unknown" (libkvmlstar 1.1).
 */
KVMLSTAR_API const char *kvmlstar_entry_name(enum kvmlstar_entry msr);

/**
 * kvmlstar_read_lstar() - read MSR_LSTAR from a KVM vCPU.
 * @vcpu_fd: a vCPU fd from KVM_CREATE_VCPU, owned by the caller.
 * @lstar: where to store the value on success.
 * @err: error details, or NULL.
 *
 * For VMMs that hold their own vCPU fds.  Issues KVM_GET_MSRS for the one
 * MSR.  Read the boot vCPU (0), after the guest has booted far enough to
 * run syscall_init; before that the value is 0.  The value is returned as
 * read; pass it to kvmlstar_derive() to validate it.
 *
 * Return: KVMLSTAR_OK; KVMLSTAR_E_LSTAR_UNSUPPORTED when KVM answered with
 * no entry; KVMLSTAR_E_IO (sys_errno set) when the ioctl failed, e.g. on an
 * fd that is not a vCPU.
 */
KVMLSTAR_API int kvmlstar_read_lstar(int vcpu_fd, uint64_t *lstar,
				     struct kvmlstar_error *err);

/* Room for a VM name: at most 255 bytes, and the NUL. */
#define KVMLSTAR_NAME_LEN		256

/* The longest command line searched for a VM name: 1 MiB. */
#define KVMLSTAR_CMDLINE_MAX		(1u << 20)

/**
 * kvmlstar_cmdline_name() - the VM's name in a VMM's command line.
 * @cmdline: the arguments, each ended by a NUL, as /proc/PID/cmdline
 *	gives them (the last one may lack its NUL).
 * @len: bytes of @cmdline, at most KVMLSTAR_CMDLINE_MAX.
 * @name: at least KVMLSTAR_NAME_LEN bytes: the name, NUL-terminated, on
 *	success.
 * @err: error details, or NULL.
 *
 * Only QEMU names its VMs here: the base name of argv[0] must start with
 * "qemu" (qemu-system-x86_64, qemu-kvm).  Each -name (or --name) takes the
 * next argument as its value, which QEMU splits at single commas into
 * key=value pairs and flags (",," is one comma); its first element without
 * '=' is the guest name, as is a guest=NAME anywhere in it.  So
 * "-name guest=web,,1,debug-threads=on" (libvirt's form),
 * "-name web,,1,process=qemu-web" and "-name web,,1" all name the VM
 * "web,1".  As QEMU merges every -name, the last guest name given wins.
 * The name is the bytes QEMU has (not necessarily UTF-8; never a NUL).
 * Arguments are taken at face value: a word "-name" that another option
 * takes as its value is read as -name (no real command line does that).
 *
 * Return: KVMLSTAR_OK; KVMLSTAR_E_NOT_FOUND when the command line is empty,
 * not QEMU's, or gives no name (no -name, only process= or debug-threads=,
 * -name as the last word, an empty name); KVMLSTAR_E_BAD_INPUT for a name
 * longer than KVMLSTAR_NAME_LEN - 1 bytes, a @len above
 * KVMLSTAR_CMDLINE_MAX, or a NULL @name (or @cmdline with @len not 0);
 * KVMLSTAR_E_NOMEM.  Since 0.2 (KVMLSTAR_1.1).
 */
KVMLSTAR_API int kvmlstar_cmdline_name(const char *cmdline, size_t len,
				       char name[KVMLSTAR_NAME_LEN],
				       struct kvmlstar_error *err);

/**
 * kvmlstar_vmm_name() - the name a running VMM gave its VM.
 * @pid: the VMM process (a record's @pid: as the caller's pid namespace,
 *	and so its /proc, see it).
 * @name: at least KVMLSTAR_NAME_LEN bytes: the name on success.
 * @err: error details, or NULL.
 *
 * Reads /proc/@pid/cmdline (at most KVMLSTAR_CMDLINE_MAX bytes, only its
 * first word when that is not QEMU) and finds the name as
 * kvmlstar_cmdline_name() does.  Any user may read another's command line
 * unless /proc is mounted with hidepid.  A pid is reused once its process
 * has exited: ask about a record that is not @gone.
 *
 * Return: KVMLSTAR_OK; KVMLSTAR_E_NOT_FOUND when no such process exists
 * (it exited) or it gives no name; KVMLSTAR_E_PERMISSION when /proc
 * refuses; KVMLSTAR_E_BAD_INPUT as for kvmlstar_cmdline_name(), and for
 * @pid 0 or a NULL @name; KVMLSTAR_E_IO; KVMLSTAR_E_NOMEM.  Since 0.2
 * (KVMLSTAR_1.1).
 */
KVMLSTAR_API int kvmlstar_vmm_name(uint32_t pid, char name[KVMLSTAR_NAME_LEN],
				   struct kvmlstar_error *err);

#ifdef __cplusplus
}
#endif

/* The netlink client: records, status, events and the race-free wait. */
#include "kvmlstar_netlink.h"

#endif /* KVMLSTAR_H */
