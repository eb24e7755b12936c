// SPDX-License-Identifier: GPL-2.0
/*
 * kvm-lstar watch to the journal.  Under systemd (kvm-lstar-watch.service),
 * standard output is a stream socket to journald, which would log each
 * line as a plain message.  Sent with sd_journal_sendv() instead, an event
 * keeps that line as its MESSAGE (so `journalctl -o cat` still shows one
 * JSON object per line) and gains fields to match on: a MESSAGE_ID per
 * kind of event (journal.h; the catalog explains each), a PRIORITY
 * (warning for a change, the possible syscall-entry hijack; info for the
 * rest) and the record as KVM_LSTAR_* fields.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <syslog.h>
#include <unistd.h>

/* No CODE_FILE, CODE_LINE, CODE_FUNC fields: they would name this file. */
#define SD_JOURNAL_SUPPRESS_LOCATION
#include <systemd/sd-journal.h>

#include "journal.h"

bool stdout_is_journal(void)
{
	const char *env = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;
	int end = 0;

	if (!env || sscanf(env, "%llu:%llu%n", &dev, &ino, &end) != 2 || env[end])
		return false;
	if (fstat(STDOUT_FILENO, &st) < 0)
		return false;
	return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

static const struct {
	const char *kind, *id;
} message_ids[] = {
	{ "capture",		KVM_LSTAR_MESSAGE_ID_CAPTURE },
	{ "change",		KVM_LSTAR_MESSAGE_ID_CHANGE },
	{ "reset",		KVM_LSTAR_MESSAGE_ID_RESET },
	{ "gone",		KVM_LSTAR_MESSAGE_ID_GONE },
	{ "unavailable",	KVM_LSTAR_MESSAGE_ID_UNAVAILABLE },
	{ "resync",		KVM_LSTAR_MESSAGE_ID_RESYNC },
};

static const char *message_id(const char *kind)
{
	size_t i;

	for (i = 0; i < sizeof(message_ids) / sizeof(message_ids[0]); i++)
		if (!strcmp(kind, message_ids[i].kind))
			return message_ids[i].id;
	return NULL;
}

/*
 * A change is the event to look at.  So is a resync line of a record that
 * changed: events were lost, and the change event may be among them.
 */
static int priority(const char *kind, const struct kvmlstar_record *ev)
{
	if (!strcmp(kind, "change") || (!strcmp(kind, "resync") && ev->changed))
		return LOG_WARNING;
	return LOG_INFO;
}

/* Where sd_journal_sendv() sends (journald's native protocol). */
#define JOURNAL_SOCKET	"/run/systemd/journal/socket"

/* The fields other than MESSAGE. */
#define NR_FIELDS	24
#define FIELD_LEN	96

struct fields {
	char text[NR_FIELDS][FIELD_LEN];
	int n;
};

static void __attribute__((format(printf, 2, 3))) field(struct fields *f, const char *fmt, ...)
{
	va_list ap;

	if (f->n == NR_FIELDS)
		return;
	va_start(ap, fmt);
	vsnprintf(f->text[f->n++], FIELD_LEN, fmt, ap);
	va_end(ap);
}

int journal_send_event(const char *kind, const struct kvmlstar_record *ev, const char *name,
		       const char *line, size_t len)
{
	struct iovec iov[NR_FIELDS + 2];
	char hex[KVMLSTAR_HEX_LEN];
	const char *id = message_id(kind);
	struct fields f = { .n = 0 };
	struct stat st;
	char *message, *name_field = NULL;
	int i, n, rc;

	if (id)
		field(&f, "MESSAGE_ID=%s", id);
	field(&f, "PRIORITY=%d", priority(kind, ev));
	field(&f, "SYSLOG_IDENTIFIER=kvm-lstar-watch");
	field(&f, "KVM_LSTAR_EVENT=%s", kind);
	field(&f, "KVM_LSTAR_VM=%" PRIu32, ev->vm);
	field(&f, "KVM_LSTAR_PID=%" PRIu32, ev->pid);
	field(&f, "KVM_LSTAR_VCPU=%" PRIu32, ev->vcpu);
	field(&f, "KVM_LSTAR_UID=%" PRIu32, ev->uid);
	field(&f, "KVM_LSTAR_LSTAR=%s", kvmlstar_hex(ev->lstar, hex));
	field(&f, "KVM_LSTAR_CURRENT=%s", kvmlstar_hex(ev->current, hex));
	field(&f, "KVM_LSTAR_EPOCH=%" PRIu32, ev->epoch);
	field(&f, "KVM_LSTAR_WRITES=%" PRIu32, ev->writes);
	field(&f, "KVM_LSTAR_CHANGED=%d", ev->changed ? 1 : 0);
	field(&f, "KVM_LSTAR_GONE=%d", ev->gone ? 1 : 0);
	field(&f, "KVM_LSTAR_SOURCE=%s", kvmlstar_source_name(ev->source));
	field(&f, "KVM_LSTAR_CSTAR=%s", kvmlstar_hex(ev->cstar, hex));
	field(&f, "KVM_LSTAR_SYSENTER_EIP=%s", kvmlstar_hex(ev->sysenter_eip, hex));
	if (ev->unavailable)
		field(&f, "KVM_LSTAR_UNAVAILABLE=%s", kvmlstar_unavailable_reason(ev->unavailable));

	/* sd_journal_sendv() reports success when the socket is missing. */
	if (stat(JOURNAL_SOCKET, &st) < 0)
		return -errno;
	if (!S_ISSOCK(st.st_mode))
		return -ENOTSOCK;
	if (len && line[len - 1] == '\n')
		len--;
	message = malloc(len + sizeof("MESSAGE="));
	if (!message)
		return -ENOMEM;
	memcpy(message, "MESSAGE=", 8);
	memcpy(message + 8, line, len);
	message[8 + len] = '\0';
	iov[0] = (struct iovec){ .iov_base = message, .iov_len = 8 + len };
	for (i = 0; i < f.n; i++)
		iov[i + 1] = (struct iovec){ .iov_base = f.text[i], .iov_len = strlen(f.text[i]) };
	n = f.n + 1;
	/* Up to KVMLSTAR_NAME_LEN bytes, longer than a field of f. */
	if (name && asprintf(&name_field, "KVM_LSTAR_NAME=%s", name) >= 0)
		iov[n++] = (struct iovec){ .iov_base = name_field, .iov_len = strlen(name_field) };
	rc = sd_journal_sendv(iov, n);
	free(name_field);
	free(message);
	return rc < 0 ? rc : 0;
}
