// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libkvmlstar: the VMM's own name for its VM (QEMU's -name), read from the
 * VMM's command line, so that callers can know VMs by name, not only by
 * pid.  The module knows nothing of names: they are the VMM's business,
 * and its command line is where a host user (and libvirt) set them.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

/* The name being decoded, and the last one a -name gave (QEMU: last wins). */
struct guest_name {
	bool given;		/* a guest= (or implied first value) was seen */
	size_t len;		/* its length, counted even past the buffer */
	char buf[KVMLSTAR_NAME_LEN];
};

/* Is this argv[0] QEMU's?  Its base name starts "qemu" (qemu-system-x86_64, qemu-kvm). */
static bool is_qemu(const char *arg, size_t len)
{
	const char *base = arg, *p;

	for (p = arg; p < arg + len; p++)
		if (*p == '/')
			base = p + 1;
	return (size_t)(arg + len - base) >= 4 && !memcmp(base, "qemu", 4);
}

/*
 * QEMU's get_opt_value(): a value runs to the first ',' that is not
 * ",,"; ",," stands for one ','.  Decodes it into @g when @g is not NULL.
 * Returns where the value ends (at its ',' or at @end).
 */
static const char *opt_value(const char *p, const char *end, struct guest_name *g)
{
	if (g) {
		g->given = true;
		g->len = 0;
	}
	while (p < end) {
		char ch = *p;

		if (ch == ',') {
			if (p + 1 == end || p[1] != ',')
				break;
			p++;	/* ",," is one ',' */
		}
		p++;
		if (g) {
			if (g->len < KVMLSTAR_NAME_LEN - 1)
				g->buf[g->len] = ch;
			g->len++;
		}
	}
	return p;
}

/*
 * One -name argument, parsed as QEMU's opts_do_parse() does with the
 * implied key "guest": "key=value" pairs and flags, split at single
 * commas; a first element without '=' is the value of "guest".  Each
 * guest value replaces the one before (QEMU merges every -name into one
 * option list, whose last guest= wins).
 */
static void parse_name_opts(const char *s, const char *end, struct guest_name *g)
{
	const char *p = s, *key;
	bool first = true;
	size_t len;

	while (p < end) {
		for (len = 0; p + len < end && p[len] != '=' && p[len] != ','; len++)
			;
		if (p + len == end || p[len] == ',') {
			/* "foo,more": the implied guest= first, a flag after. */
			p = first ? opt_value(p, end, g) : p + len;
		} else {
			key = p;
			p = opt_value(p + len + 1, end,
				      len == 5 && !memcmp(key, "guest", 5) ? g : NULL);
		}
		if (p < end && *p == ',')
			p++;
		first = false;
	}
}

/*
 * The name in the NUL-separated arguments @cl[0..@len), for messages
 * about @who ("pid 123", "the command line").
 */
static int name_of(const char *cl, size_t len, char name[KVMLSTAR_NAME_LEN],
		   const char *who, struct kvmlstar_error *err)
{
	const char *end = cl + len, *arg = cl, *next, *nul;
	struct guest_name *g;
	size_t argv0_len;
	int rc;

	if (len == 0)
		return kvmlstar__fail(err, KVMLSTAR_E_NOT_FOUND, 0,
				      "%s is empty (a kernel thread, or a process that exited): "
				      "no VM name", who);
	if (len > KVMLSTAR_CMDLINE_MAX)
		return kvmlstar__fail(err, KVMLSTAR_E_BAD_INPUT, 0,
				      "%s is longer than %u bytes, more than a VM name is "
				      "looked for in", who, KVMLSTAR_CMDLINE_MAX);
	nul = memchr(cl, '\0', len);
	argv0_len = nul ? (size_t)(nul - cl) : len;
	if (!is_qemu(cl, argv0_len)) {
		char prog[KVMLSTAR_SHORT_LEN];

		snprintf(prog, sizeof(prog), "%.*s", (int)(argv0_len < sizeof(prog) - 1 ?
							   argv0_len : sizeof(prog) - 1), cl);
		KVMLSTAR__SHOWN(shown, prog);
		return kvmlstar__fail(err, KVMLSTAR_E_NOT_FOUND, 0,
				      "%s is not QEMU's (its program is '%s'): only QEMU's "
				      "-name gives a VM a name", who, shown);
	}
	g = calloc(1, sizeof(*g));
	if (!g)
		return kvmlstar__fail(err, KVMLSTAR_E_NOMEM, ENOMEM, "out of memory");
	/* Argument by argument; the last one may lack its NUL. */
	for (arg = nul ? nul + 1 : end; arg < end; arg = next) {
		const char *stop = memchr(arg, '\0', (size_t)(end - arg));
		size_t n;

		stop = stop ? stop : end;
		next = stop < end ? stop + 1 : end;
		n = (size_t)(stop - arg);
		/* QEMU takes "-name" and "--name" alike, and the next word as its value. */
		if ((n == 5 && !memcmp(arg, "-name", 5)) || (n == 6 && !memcmp(arg, "--name", 6))) {
			const char *v = next, *vend;

			if (v >= end)
				break;
			vend = memchr(v, '\0', (size_t)(end - v));
			vend = vend ? vend : end;
			parse_name_opts(v, vend, g);
			next = vend < end ? vend + 1 : end;
		}
	}
	if (!g->given || g->len == 0)
		rc = kvmlstar__fail(err, KVMLSTAR_E_NOT_FOUND, 0,
				    "%s (QEMU) gives the VM no name: %s", who, g->given ?
				    "its -name guest= is empty" :
				    "no -name NAME or -name guest=NAME");
	else if (g->len >= KVMLSTAR_NAME_LEN)
		rc = kvmlstar__fail(err, KVMLSTAR_E_BAD_INPUT, 0,
				    "%s (QEMU) names the VM with %zu bytes, more than the %u "
				    "of the longest VM name read", who, g->len,
				    KVMLSTAR_NAME_LEN - 1);
	else
		rc = KVMLSTAR_OK;
	if (rc == KVMLSTAR_OK) {
		memcpy(name, g->buf, g->len);
		name[g->len] = '\0';
		kvmlstar__ok(err);
	}
	free(g);
	return rc;
}

KVMLSTAR_API int kvmlstar_cmdline_name(const char *cmdline, size_t len,
				       char name[KVMLSTAR_NAME_LEN],
				       struct kvmlstar_error *err)
{
	if (!cmdline && len)
		return kvmlstar__null(err, "kvmlstar_cmdline_name", "cmdline is NULL");
	if (!name)
		return kvmlstar__null(err, "kvmlstar_cmdline_name", "name is NULL");
	return name_of(cmdline ? cmdline : "", len, name, "the command line", err);
}

/* The part of a /proc file read at a time, and the first buffer's size. */
#define CMDLINE_CHUNK	4096

KVMLSTAR_API int kvmlstar_vmm_name(uint32_t pid, char name[KVMLSTAR_NAME_LEN],
				   struct kvmlstar_error *err)
{
	char path[32], who[48], *buf = NULL, *bigger;
	size_t used = 0, cap = 0, want;
	bool checked = false;
	int fd, rc, e;
	ssize_t n;

	if (!pid)
		return kvmlstar__null(err, "kvmlstar_vmm_name", "pid is 0");
	if (!name)
		return kvmlstar__null(err, "kvmlstar_vmm_name", "name is NULL");
	snprintf(path, sizeof(path), "/proc/%u/cmdline", pid);
	snprintf(who, sizeof(who), "the command line of pid %u", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		e = errno;
		if (e == ENOENT || e == ESRCH)
			return kvmlstar__fail(err, KVMLSTAR_E_NOT_FOUND, e, "no process %u in "
					      "/proc (it exited, or this /proc is another pid "
					      "namespace's): no VM name", pid);
		return kvmlstar__fail(err, kvmlstar__errno_code(e), e, "%s: %s", path,
				      strerror(e));
	}
	for (;;) {
		if (used == cap) {
			/* One byte past the limit tells a command line that exceeds it. */
			if (cap > KVMLSTAR_CMDLINE_MAX)
				break;
			want = cap ? cap * 2 : CMDLINE_CHUNK;
			if (want > (size_t)KVMLSTAR_CMDLINE_MAX + 1)
				want = (size_t)KVMLSTAR_CMDLINE_MAX + 1;
			bigger = realloc(buf, want);
			if (!bigger) {
				close(fd);
				free(buf);
				return kvmlstar__fail(err, KVMLSTAR_E_NOMEM, ENOMEM,
						      "out of memory for %s", who);
			}
			buf = bigger;
			cap = want;
		}
		n = read(fd, buf + used, cap - used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			e = errno;
			close(fd);
			free(buf);
			if (e == ESRCH)
				return kvmlstar__fail(err, KVMLSTAR_E_NOT_FOUND, e, "pid %u "
						      "exited while its command line was read", pid);
			return kvmlstar__fail(err, kvmlstar__errno_code(e), e, "%s: %s", path,
					      strerror(e));
		}
		if (n == 0)
			break;
		used += (size_t)n;
		/* Not QEMU: the rest of its command line does not matter. */
		if (!checked && memchr(buf, '\0', used)) {
			checked = true;
			if (!is_qemu(buf, strlen(buf)))
				break;
		}
	}
	close(fd);
	rc = name_of(buf ? buf : "", used, name, who, err);
	free(buf);
	return rc;
}
