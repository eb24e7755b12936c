/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libkvmlstar: helpers shared by the library's source files.  Not installed;
 * nothing here is exported (the library is built with -fvisibility=hidden).
 */
#ifndef KVMLSTAR_INTERNAL_H
#define KVMLSTAR_INTERNAL_H

#include <string.h>

#include "kvmlstar.h"

/*
 * Fill @err (when not NULL) with @code, @sys_errno and a printf-formatted
 * message, and return @code, so that a failure path is one statement:
 *	return kvmlstar__fail(err, KVMLSTAR_E_IO, errno, "%s: ...", path);
 */
int kvmlstar__fail(struct kvmlstar_error *err, enum kvmlstar_err code,
		   int sys_errno, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Mark @err (when not NULL) as success and return KVMLSTAR_OK. */
int kvmlstar__ok(struct kvmlstar_error *err);

/*
 * A NULL handle or pointer (or an empty name) passed to @func: fail with
 * KVMLSTAR_E_BAD_INPUT and "@func: @what", the same way at every entry point.
 */
int kvmlstar__null(struct kvmlstar_error *err, const char *func, const char *what);

/* A value quoted in a message: kvmlstar_shorten() into a local buffer. */
#define KVMLSTAR__SHOWN(var, s)	char var##_buf[KVMLSTAR_SHORT_LEN]; \
				const char *var = kvmlstar_shorten(s, var##_buf)

/*
 * The code for a failed system call: KVMLSTAR_E_PERMISSION for EACCES and
 * EPERM, KVMLSTAR_E_NOMEM for ENOMEM, KVMLSTAR_E_IO for everything else.
 */
enum kvmlstar_err kvmlstar__errno_code(int sys_errno);

/*
 * Copy a growing struct out to a caller's @size bytes: what both know,
 * zeros after (the "Growing structs" rule of kvmlstar_netlink.h).
 */
static inline void kvmlstar__copy_out(void *dst, size_t size, const void *src, size_t have)
{
	memcpy(dst, src, size < have ? size : have);
	if (size > have)
		memset((char *)dst + have, 0, size - have);
}

#endif /* KVMLSTAR_INTERNAL_H */
