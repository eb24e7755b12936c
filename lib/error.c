// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libkvmlstar: error codes, their classes and exit statuses.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

int kvmlstar__fail(struct kvmlstar_error *err, enum kvmlstar_err code,
		   int sys_errno, const char *fmt, ...)
{
	va_list ap;

	if (err) {
		err->code = code;
		err->sys_errno = sys_errno;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return code;
}

int kvmlstar__ok(struct kvmlstar_error *err)
{
	if (err) {
		err->code = KVMLSTAR_OK;
		err->sys_errno = 0;
		err->msg[0] = '\0';
	}
	return KVMLSTAR_OK;
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
	case KVMLSTAR_E_UNAVAILABLE:		return "unavailable";
	case KVMLSTAR_E_BAD_INPUT:
	/*
	 * The CLI contract has no class for a failed read or a failed
	 * allocation; both mean the input could not be handled, and the
	 * exit status (1, not 2) keeps them apart from a usage error.
	 */
	case KVMLSTAR_E_IO:
	case KVMLSTAR_E_NOMEM:
		return "bad_input";
	}
	return "bad_input";
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

KVMLSTAR_API int kvmlstar_err_exit_status(enum kvmlstar_err code)
{
	switch (code) {
	case KVMLSTAR_OK:
		return 0;
	case KVMLSTAR_E_LSTAR_UNSUPPORTED:
	case KVMLSTAR_E_LSTAR_ZERO:
	case KVMLSTAR_E_NON_CANONICAL:
	case KVMLSTAR_E_TIMEOUT:
		return 3;
	case KVMLSTAR_E_LINK_UNKNOWN:
	case KVMLSTAR_E_LINK_ABOVE_LSTAR:
	case KVMLSTAR_E_MISALIGNED:
	case KVMLSTAR_E_OUT_OF_RANGE:
	case KVMLSTAR_E_UNAVAILABLE:
		return 4;
	default:
		return 1;
	}
}

KVMLSTAR_API char *kvmlstar_hex(uint64_t value, char buf[KVMLSTAR_HEX_LEN])
{
	snprintf(buf, KVMLSTAR_HEX_LEN, "0x%" PRIx64, value);
	return buf;
}
