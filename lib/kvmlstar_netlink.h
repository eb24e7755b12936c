/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libkvmlstar: client of the kvm_lstar kernel module's generic netlink
 * family ("kvm_lstar"), which records per KVM vCPU the first value the guest
 * wrote to MSR_LSTAR.
 *
 * Same conventions as kvmlstar.h: an opaque handle the caller owns, no
 * global state, every fallible call returns an enum kvmlstar_err and takes
 * a struct kvmlstar_error *err last (may be NULL), outputs are written only
 * on success.
 *
 * Visibility is decided by the kernel: a caller sees the records of VMs
 * whose VMM process has the caller's uid; CAP_NET_ADMIN sees all.
 * A record the caller may not see answers exactly as a missing one.
 *
 * Growing structs: struct kvmlstar_record and struct kvmlstar_status gain
 * fields at their end in later versions, without a new soname.  Every
 * call that fills one takes its size: pass sizeof() of the struct your
 * code was built with.  The library fills that many bytes: the fields
 * both sides know, and zeros for fields newer than the library (every
 * field added later reads 0 for "not known").  A size below the 1.0
 * struct's (KVMLSTAR_RECORD_SIZE_1, KVMLSTAR_STATUS_SIZE_1) is refused.
 * Records handed to a kvmlstar_record_fn are the library's own: read
 * them, or copy them into your struct (a copy takes your sizeof).
 */
#ifndef KVMLSTAR_NETLINK_H
#define KVMLSTAR_NETLINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kvmlstar.h"

#ifdef __cplusplus
extern "C" {
#endif

/* An open connection to the kvm_lstar family.  Opaque. */
struct kvmlstar_nl;

/* Where the first value of an epoch was seen (values of the netlink ABI). */
enum kvmlstar_source {
	KVMLSTAR_SOURCE_NONE = 0,	/* not captured yet */
	KVMLSTAR_SOURCE_INTERCEPT = 1,	/* at the intercepted WRMSR itself */
	KVMLSTAR_SOURCE_SAMPLE = 2,	/* at the next VM exit (AMD SVM) */
};

/* What an event reports (values of the netlink ABI). */
enum kvmlstar_event {
	KVMLSTAR_EVENT_NONE = 0,	/* not an event: a record from get/dump */
	KVMLSTAR_EVENT_CAPTURE = 1,	/* first value of an epoch */
	KVMLSTAR_EVENT_CHANGE = 2,	/* rewrite (of LSTAR or a witness) */
	KVMLSTAR_EVENT_RESET = 3,	/* LSTAR seen back at 0 */
	KVMLSTAR_EVENT_GONE = 4,	/* the VMM process exited */
	KVMLSTAR_EVENT_UNAVAILABLE = 5,	/* its LSTAR cannot be seen (0.2) */
};

/* Why a vCPU's LSTAR cannot be seen (values of the netlink ABI). */
enum kvmlstar_unavailable {
	KVMLSTAR_UNAVAILABLE_NONE = 0,		/* it can */
	KVMLSTAR_UNAVAILABLE_PROTECTED = 1,	/* KVM keeps its state encrypted */
};

/* State of one of the module's capture paths (values of the netlink ABI). */
enum kvmlstar_path_state {
	KVMLSTAR_PATH_OFF = 0,		/* not applicable on this host */
	KVMLSTAR_PATH_ACTIVE = 1,
	KVMLSTAR_PATH_DISABLED = 2,	/* applicable but turned off: see reason */
};

/* Sizes of the structs of libkvmlstar 1.0: the least a caller may pass. */
#define KVMLSTAR_RECORD_SIZE_1		64
#define KVMLSTAR_STATUS_SIZE_1		376

/**
 * struct kvmlstar_record - one (VM, vCPU) as the module reports it.
 * @vm: module-assigned VM number, never reused while the module is loaded.
 * @pid: tgid of the process that created the VM.
 * @vcpu: the vCPU id userspace chose.
 * @uid: uid of the VMM process.
 * @lstar: first LSTAR value of the current epoch; 0 while not captured.
 * @current: latest LSTAR value seen.
 * @captured_ns: CLOCK_BOOTTIME nanoseconds of the capture.
 * @epoch: 0 until captured, 1 for the first boot, +1 each time LSTAR is seen
 *	back at 0 and then written again.
 * @writes: distinct values seen in this epoch.
 * @source: where the first value was seen.
 * @event: for kvmlstar_nl_next_event() (and kvmlstar_wait() when an event
 *	answered it) what happened; KVMLSTAR_EVENT_NONE otherwise.
 * @unavailable: why this vCPU's LSTAR cannot be seen, for the record's
 *	life (an SEV-ES, SEV-SNP or TDX guest, whose state KVM keeps
 *	encrypted); KVMLSTAR_UNAVAILABLE_NONE when it can, and always with a
 *	module before 0.2.  kvmlstar_unavailable_reason() says it in words.
 * @changed: LSTAR, or a witness (@cstar, @sysenter_eip), changed after the
 *	first write of the epoch.
 * @gone: the VMM process has exited (the record is kept).
 * @hypervisor: the guest enabled SVM or VMX in this epoch: it runs guests
 *	of its own, whose LSTAR values (and its own rewrites since then) are
 *	not recorded.  Always false with a module before 0.2.
 *
 * @cstar: first MSR_CSTAR value of the epoch; 0 while not seen, and always
 *	with a module before 0.2 (libkvmlstar 1.1).
 * @sysenter_eip: first MSR_IA32_SYSENTER_EIP value of the epoch, the same
 *	way (AMD CPUs keep its low 32 bits only).
 *
 * A record is captured when @epoch >= 1; @lstar is then not 0.  Later
 * versions add fields after @sysenter_eip (see "Growing structs" above).
 * kvmlstar_witnesses() takes @lstar, @cstar and @sysenter_eip in the
 * order of enum kvmlstar_entry.
 */
struct kvmlstar_record {
	uint32_t vm;
	uint32_t pid;
	uint32_t vcpu;
	uint32_t uid;
	uint64_t lstar;
	uint64_t current;
	uint64_t captured_ns;
	uint32_t epoch;
	uint32_t writes;
	enum kvmlstar_source source;
	enum kvmlstar_event event;
	enum kvmlstar_unavailable unavailable;
	bool changed;
	bool gone;
	bool hypervisor;
	/* libkvmlstar 1.1 */
	uint64_t cstar;
	uint64_t sysenter_eip;
};

/**
 * struct kvmlstar_status - the module's state (the STATUS command).
 * @version: module version.
 * @intercept: state of the intercept path (kvm_msr tracepoint).
 * @svm: state of the sampling path (AMD SVM).
 * @reason: why a path is not active; empty when none is given.
 * @records: records held (visible to the caller).
 * @capacity: the max_records module parameter.
 * @vms: VMs held (visible to the caller).
 * @evictions: records of gone VMs evicted to make room.
 * @alloc_fails: record allocations that failed.
 * @events_lost: events not sent as themselves: merged into a later event of
 *	the same record (past its budget, or with the module's queue full),
 *	or lost for want of memory.
 * @refused: vCPUs not recorded because the table was full of live VMs.
 *
 * Later versions add fields after @refused (see "Growing structs" above).
 */
struct kvmlstar_status {
	char version[64];
	enum kvmlstar_path_state intercept;
	enum kvmlstar_path_state svm;
	char reason[256];
	uint32_t records;
	uint32_t capacity;
	uint32_t vms;
	uint64_t evictions;
	uint64_t alloc_fails;
	uint64_t events_lost;
	uint64_t refused;
};

/**
 * struct kvmlstar_filter - which records a call is about.
 * @pid: only VMs created by this process; 0 for any.
 * @vm: only this VM; 0 for any.
 *
 * A NULL filter means all records.
 */
struct kvmlstar_filter {
	uint32_t pid;
	uint32_t vm;
};

/*
 * Called once per record by kvmlstar_nl_dump(); return 0 to go on, anything
 * else to stop (the dump then returns KVMLSTAR_OK).
 */
typedef int (*kvmlstar_record_fn)(const struct kvmlstar_record *rec, void *arg);

/**
 * kvmlstar_nl_open() - connect to the kvm_lstar family.
 * @out: where to store the new handle on success.
 * @err: error details, or NULL.
 *
 * Every function taking a handle refuses a NULL one, and NULL output
 * pointers, with KVMLSTAR_E_BAD_INPUT.
 *
 * Return: KVMLSTAR_OK; KVMLSTAR_E_NO_MODULE when the family is not
 * registered (the module is not loaded: the message names the fix);
 * KVMLSTAR_E_IO; KVMLSTAR_E_NOMEM.
 */
KVMLSTAR_API int kvmlstar_nl_open(struct kvmlstar_nl **out, struct kvmlstar_error *err);

/**
 * kvmlstar_nl_close() - release a handle and its sockets.
 * @nl: a handle from kvmlstar_nl_open(), or NULL.
 */
KVMLSTAR_API void kvmlstar_nl_close(struct kvmlstar_nl *nl);

/**
 * kvmlstar_nl_status() - the module's state.
 * @nl: an open handle.
 * @st: where to store the state on success.
 * @size: sizeof(*@st) as the caller was built.
 * @err: error details, or NULL.
 *
 * Return: KVMLSTAR_OK or a run-time error code.
 */
KVMLSTAR_API int kvmlstar_nl_status(struct kvmlstar_nl *nl, struct kvmlstar_status *st,
				    size_t size, struct kvmlstar_error *err);

/**
 * kvmlstar_nl_get() - one record.
 * @nl: an open handle.
 * @vm: the VM number (not 0).
 * @vcpu: the vCPU id.
 * @rec: where to store the record on success.
 * @size: sizeof(*@rec) as the caller was built.
 * @err: error details, or NULL.
 *
 * A record exists from the vCPU's first VM exit on, captured or not.
 *
 * Return: KVMLSTAR_OK; KVMLSTAR_E_NOT_FOUND when there is no such record
 * or the caller may not see it; KVMLSTAR_E_BAD_INPUT for @vm 0; another
 * run-time error code.
 */
KVMLSTAR_API int kvmlstar_nl_get(struct kvmlstar_nl *nl, uint32_t vm, uint32_t vcpu,
				 struct kvmlstar_record *rec, size_t size,
				 struct kvmlstar_error *err);

/**
 * kvmlstar_nl_dump() - every visible record that matches a filter.
 * @nl: an open handle.
 * @filter: the filter (pid and vm both apply when both are set), or NULL.
 * @fn: called once per record, oldest record first.
 * @arg: passed to @fn.
 * @err: error details, or NULL.
 *
 * Each record is a consistent snapshot; records that change while a long
 * dump runs are reported as they were when their part was read.  A dump
 * the kernel flags as overlapping such changes (NLM_F_DUMP_INTR) is not an
 * error: no record that lived through it is skipped or repeated.
 *
 * Return: KVMLSTAR_OK (also when @fn stopped the dump, or when nothing
 * matched) or a run-time error code.
 */
KVMLSTAR_API int kvmlstar_nl_dump(struct kvmlstar_nl *nl, const struct kvmlstar_filter *filter,
				  kvmlstar_record_fn fn, void *arg,
				  struct kvmlstar_error *err);

/**
 * kvmlstar_nl_list() - kvmlstar_nl_dump() into an allocated array.
 * @nl: an open handle.
 * @filter: as for kvmlstar_nl_dump().
 * @recs: where to store the array on success; free() it.  NULL when
 *	nothing matched.
 * @size: sizeof(struct kvmlstar_record) as the caller was built: the
 *	array's elements are that size, so (*@recs)[i] is record i.
 * @n: where to store the number of records on success.
 * @err: error details, or NULL.
 *
 * Return: KVMLSTAR_OK or a run-time error code.
 */
KVMLSTAR_API int kvmlstar_nl_list(struct kvmlstar_nl *nl, const struct kvmlstar_filter *filter,
				  struct kvmlstar_record **recs, size_t size, size_t *n,
				  struct kvmlstar_error *err);

/**
 * kvmlstar_nl_clear() - drop records.
 * @nl: an open handle.
 * @filter: all records (NULL, or both fields 0), or those of one pid or one
 *	vm; not both.
 * @err: error details, or NULL.
 *
 * Return: KVMLSTAR_OK; KVMLSTAR_E_PERMISSION without CAP_NET_ADMIN;
 * KVMLSTAR_E_BAD_INPUT when both filter fields are set; another run-time
 * error code.
 */
KVMLSTAR_API int kvmlstar_nl_clear(struct kvmlstar_nl *nl, const struct kvmlstar_filter *filter,
				   struct kvmlstar_error *err);

/**
 * kvmlstar_nl_subscribe() - start receiving the module's events.
 * @nl: an open handle.
 * @err: error details, or NULL.
 *
 * Events carry every VM's records, so the kernel lets only CAP_NET_ADMIN
 * listen.  Events that happen before this call are not delivered: to miss
 * nothing, subscribe first and dump after (kvmlstar_wait() does).
 * Subscribing again is a no-op.  kvmlstar_wait() does not read from this
 * subscription (it uses a socket of its own), so events queued here stay
 * for kvmlstar_nl_next_event().
 *
 * Return: KVMLSTAR_OK; KVMLSTAR_E_PERMISSION, and only in this case, when
 * the kernel refused the subscription because the caller lacks
 * CAP_NET_ADMIN (a caller can poll with dumps instead); another run-time
 * error code.
 */
KVMLSTAR_API int kvmlstar_nl_subscribe(struct kvmlstar_nl *nl, struct kvmlstar_error *err);

/**
 * kvmlstar_nl_event_fd() - the file descriptor events arrive on.
 * @nl: a handle.
 *
 * For poll()/epoll loops: the descriptor becomes readable (POLLIN) when an
 * event is queued, or when events were lost.  Then call
 * kvmlstar_nl_next_event() with timeout 0 until it returns
 * KVMLSTAR_E_TIMEOUT (several events can arrive in one datagram, so one
 * readiness can carry more than one event).  Only read it through the
 * library; the handle owns it, and kvmlstar_nl_close() closes it.
 *
 * Return: the descriptor of a subscribed handle; -1 before
 * kvmlstar_nl_subscribe() or for a NULL handle.
 */
KVMLSTAR_API int kvmlstar_nl_event_fd(const struct kvmlstar_nl *nl);

/**
 * kvmlstar_nl_next_event() - wait for the next event.
 * @nl: a subscribed handle.
 * @timeout_ms: how long to wait; 0 polls; negative waits without limit.
 * @ev: where to store the event (a record with @ev->event set) on success.
 * @size: sizeof(*@ev) as the caller was built.
 * @err: error details, or NULL.
 *
 * Events of every visible VM arrive, in the order they happened; filter
 * them on @ev's fields.
 *
 * Return: KVMLSTAR_OK; KVMLSTAR_E_TIMEOUT; KVMLSTAR_E_IO with sys_errno
 * ENOBUFS when events were lost because the socket's buffer overran (the
 * subscription goes on: dump to learn the current state); KVMLSTAR_E_IO
 * with sys_errno EINTR when a signal interrupted the wait;
 * KVMLSTAR_E_BAD_INPUT when @nl is not subscribed; another run-time error
 * code.
 */
KVMLSTAR_API int kvmlstar_nl_next_event(struct kvmlstar_nl *nl, int timeout_ms,
					struct kvmlstar_record *ev, size_t size,
					struct kvmlstar_error *err);

/**
 * kvmlstar_wait() - wait until a vCPU's LSTAR is captured.
 * @nl: an open handle.
 * @filter: which VM(s): by pid or by vm; NULL or all-zero for any.
 * @vcpu: the vCPU id.
 * @timeout_ms: how long to wait; 0 looks once; negative waits without
 *	limit.
 * @rec: where to store the captured record on success.
 * @size: sizeof(*@rec) as the caller was built.
 * @err: error details, or NULL.
 *
 * Returns as soon as a matching record with epoch >= 1 exists, whether it
 * was captured before the call or during it, or fails at once when the
 * matching record says its LSTAR cannot be seen (@unavailable).  Race-free: it subscribes to
 * events first and dumps after, so a capture that happens in between is
 * seen in one or the other; after an event overrun it dumps again.  When
 * the caller may not subscribe (no CAP_NET_ADMIN) it dumps every 50 ms
 * instead, which is equally race-free since the module keeps the state.
 * When several VMs match, the captured one with the highest vm number
 * (the newest) wins.  It listens on an event socket of its own, opened
 * for the call and closed before it returns: on a handle the caller has
 * subscribed, the caller's events are neither read nor dropped, and they
 * stay queued (up to the socket's buffer) for kvmlstar_nl_next_event().
 * After an overrun it empties its socket before it looks again, reading
 * at most 8192 datagrams; under a flood that refills it faster, it takes
 * a fresh socket instead, so the wait never spins on a flood.
 *
 * Return: KVMLSTAR_OK; KVMLSTAR_E_UNAVAILABLE, with that record in @rec;
 * KVMLSTAR_E_TIMEOUT; KVMLSTAR_E_IO with sys_errno EINTR when a signal
 * interrupted the wait; another run-time error code.
 */
KVMLSTAR_API int kvmlstar_wait(struct kvmlstar_nl *nl, const struct kvmlstar_filter *filter,
			       uint32_t vcpu, int timeout_ms, struct kvmlstar_record *rec,
			       size_t size, struct kvmlstar_error *err);

/**
 * kvmlstar_source_name() - JSON name of a capture source.
 * @source: a source.
 *
 * Return: "none", "intercept", "sample", or "unknown" for a value this
 * library does not know.
 */
KVMLSTAR_API const char *kvmlstar_source_name(enum kvmlstar_source source);

/**
 * kvmlstar_event_name() - JSON name of an event type.
 * @event: an event type.
 *
 * Return: "capture", "change", "reset", "gone", "unavailable"; "none" for
 * KVMLSTAR_EVENT_NONE; "unknown" for a value this library does not know.
 */
KVMLSTAR_API const char *kvmlstar_event_name(enum kvmlstar_event event);

/**
 * kvmlstar_path_state_name() - name of a capture path's state.
 * @state: a state.
 *
 * Return: "off", "active", "disabled", or "unknown".
 */
KVMLSTAR_API const char *kvmlstar_path_state_name(enum kvmlstar_path_state state);

/**
 * kvmlstar_unavailable_reason() - why a vCPU's LSTAR cannot be seen.
 * @why: a record's @unavailable.
 *
 * Return: a static sentence for a known reason; NULL for
 * KVMLSTAR_UNAVAILABLE_NONE; a generic sentence for a value this library
 * does not know (a newer module).
 */
KVMLSTAR_API const char *kvmlstar_unavailable_reason(enum kvmlstar_unavailable why);

#ifdef __cplusplus
}
#endif

#endif /* KVMLSTAR_NETLINK_H */
