// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libkvmlstar: error codes, their classes, and the formatting of messages.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

/* Length of the longest prefix of @s[0..@n) that does not end inside a UTF-8 character. */
static size_t utf8_floor(const char *s, size_t n)
{
	size_t i = n;

	/* Back over continuation bytes to the lead byte of the last character. */
	while (i > 0 && ((unsigned char)s[i - 1] & 0xc0) == 0x80 && n - i < 3)
		i--;
	if (i > 0) {
		unsigned char lead = (unsigned char)s[i - 1];
		size_t want = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;

		/* The last character is complete, or not UTF-8 at all: keep it. */
		if (want == 1 || n - (i - 1) >= want)
			return n;
		return i - 1;
	}
	return n;
}

int kvmlstar__fail(struct kvmlstar_error *err, enum kvmlstar_err code,
		   int sys_errno, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (err) {
		memset(err, 0, sizeof(*err));
		err->code = code;
		err->sys_errno = sys_errno;
		va_start(ap, fmt);
		n = vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
		/* Cut off: do not end in the middle of a character. */
		if (n >= (int)sizeof(err->msg))
			err->msg[utf8_floor(err->msg, sizeof(err->msg) - 1)] = '\0';
	}
	return code;
}

int kvmlstar__ok(struct kvmlstar_error *err)
{
	if (err)
		memset(err, 0, sizeof(*err));
	return KVMLSTAR_OK;
}

int kvmlstar__null(struct kvmlstar_error *err, const char *func, const char *what)
{
	return kvmlstar__fail(err, KVMLSTAR_E_BAD_INPUT, EINVAL, "%s: %s", func, what);
}

KVMLSTAR_API const char *kvmlstar_shorten(const char *s, char buf[KVMLSTAR_SHORT_LEN])
{
	const size_t max = KVMLSTAR_SHORT_LEN - 1;
	size_t len, head, tail;

	if (!s || !buf)
		return "(null)";
	len = strlen(s);
	if (len <= max) {
		memcpy(buf, s, len + 1);
		return buf;
	}
	/* The end of a path names the file: keep more of it than of the start. */
	head = utf8_floor(s, (max - 3) / 3);
	tail = max - 3 - head;
	/* Start the tail on a character, not inside one. */
	while (tail > 0 && ((unsigned char)s[len - tail] & 0xc0) == 0x80)
		tail--;
	memcpy(buf, s, head);
	memcpy(buf + head, "...", 3);
	memcpy(buf + head + 3, s + len - tail, tail + 1);
	return buf;
}

enum kvmlstar_err kvmlstar__errno_code(int sys_errno)
{
	switch (sys_errno) {
	case EACCES:
	case EPERM:
		return KVMLSTAR_E_PERMISSION;
	case ENOMEM:
		return KVMLSTAR_E_NOMEM;
	default:
		return KVMLSTAR_E_IO;
	}
}

KVMLSTAR_API const char *kvmlstar_err_class(enum kvmlstar_err code)
{
	switch (code) {
	case KVMLSTAR_OK:			return "ok";
	case KVMLSTAR_E_LSTAR_UNSUPPORTED:	return "lstar_unsupported";
	case KVMLSTAR_E_LSTAR_ZERO:		return "lstar_zero";
	case KVMLSTAR_E_LINK_UNKNOWN:		return "link_unknown";
	case KVMLSTAR_E_NON_CANONICAL:		return "non_canonical";
	case KVMLSTAR_E_LINK_ABOVE_LSTAR:	return "link_above_lstar";
	case KVMLSTAR_E_MISALIGNED:		return "misaligned";
	case KVMLSTAR_E_OUT_OF_RANGE:		return "out_of_range";
	case KVMLSTAR_E_NOT_FOUND:		return "not_found";
	case KVMLSTAR_E_NO_MODULE:		return "no_module";
	case KVMLSTAR_E_PERMISSION:		return "permission";
	case KVMLSTAR_E_TIMEOUT:		return "timeout";
	case KVMLSTAR_E_BAD_INPUT:		return "bad_input";
	case KVMLSTAR_E_IO:			return "io";
	case KVMLSTAR_E_NOMEM:			return "nomem";
	case KVMLSTAR_E_UNAVAILABLE:		return "unavailable";
	case KVMLSTAR_E_WITNESS_MISMATCH:	return "witness_mismatch";
	}
	return "unknown";
}

KVMLSTAR_API bool kvmlstar_err_retryable(enum kvmlstar_err code)
{
	switch (code) {
	/*
	 * A later read of MSR_LSTAR may give a different answer: the guest
	 * may not have booted far enough yet (zero), may be between two
	 * states (non-canonical), or the vCPU may be readable later
	 * (unsupported); a wait that timed out may succeed next time.
	 */
	case KVMLSTAR_E_LSTAR_UNSUPPORTED:
	case KVMLSTAR_E_LSTAR_ZERO:
	case KVMLSTAR_E_NON_CANONICAL:
	case KVMLSTAR_E_TIMEOUT:
		return true;
	default:
		return false;
	}
}

KVMLSTAR_API char *kvmlstar_hex(uint64_t value, char buf[KVMLSTAR_HEX_LEN])
{
	if (!buf)
		return NULL;
	snprintf(buf, KVMLSTAR_HEX_LEN, "0x%" PRIx64, value);
	return buf;
}
