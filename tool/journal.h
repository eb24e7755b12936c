/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kvm-lstar watch, when its standard output is the journal: each event
 * becomes one structured journal entry (journal.c).
 *
 * The MESSAGE_IDs name the kind of event for `journalctl MESSAGE_ID=...`,
 * alerts and the message catalog (pkg/kvm-lstar.catalog, which has one
 * entry per id).  They are fixed: never change one, add new ones.
 */
#ifndef KVM_LSTAR_JOURNAL_H
#define KVM_LSTAR_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "kvmlstar.h"

#define KVM_LSTAR_MESSAGE_ID_CAPTURE		"7acb4f0229984b6f99f1961d44a884fe"
#define KVM_LSTAR_MESSAGE_ID_CHANGE		"5b9e65372afb40b18a5a9032c846594d"
#define KVM_LSTAR_MESSAGE_ID_RESET		"d659afd4525e44498462379e203b3d31"
#define KVM_LSTAR_MESSAGE_ID_GONE		"6ffd2f904ed24263b2d9bd08a9be5c55"
#define KVM_LSTAR_MESSAGE_ID_UNAVAILABLE	"e3a2a074178d4344849c61a15da52c7f"
#define KVM_LSTAR_MESSAGE_ID_RESYNC		"0d218d2d8fff4589a910b5111c336b25"

/*
 * True when standard output is a stream to the journal: systemd's
 * JOURNAL_STREAM ("DEV:INO", systemd.exec(5)) names the device and inode
 * of fd 1.  False when the variable is missing or malformed, or fd 1 is
 * something else (a pipe or file it was redirected to).
 */
bool stdout_is_journal(void);

/*
 * Send event @kind ("capture", ..., "resync") of record @ev to the
 * journal: MESSAGE is @line (@len bytes, a trailing newline dropped), with
 * the kind's MESSAGE_ID and PRIORITY and the record's KVM_LSTAR_* fields;
 * KVM_LSTAR_NAME is @name, the VMM's name for the VM, when not NULL.
 * Returns 0, or a negative errno when the journal did not take it (the
 * caller then prints @line itself).
 */
int journal_send_event(const char *kind, const struct kvmlstar_record *ev, const char *name,
		       const char *line, size_t len);

#endif /* KVM_LSTAR_JOURNAL_H */
