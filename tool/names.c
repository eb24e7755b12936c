// SPDX-License-Identifier: GPL-2.0
/*
 * kvm-lstar: VM names.  The module knows a VM by number and by its VMM's
 * pid; the VMM itself may have named it (QEMU's -name, which libvirt sets
 * to the domain's name).  The library reads that name from the VMM's
 * command line (kvmlstar_vmm_name()); here the tool caches it per VM for
 * its output, and resolves --name NAME to the pid of the one VMM whose VM
 * has that name.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <linux/capability.h>

#include "cli.h"

/* ------------------------------------------------------------------ */
/* The names of the VMs seen, by VM number                             */
/* ------------------------------------------------------------------ */

/*
 * Sorted by @vm.  A VM number is never reused while the module is
 * loaded, so an entry never goes stale, and a gone VM keeps the name read
 * while its VMM ran.  Bounded: a watch that has seen CACHE_MAX VMs starts
 * the cache afresh (gone VMs seen before then lose their names).
 */
struct named {
	uint32_t vm;
	char *name;	/* NULL: the VM has none */
};

#define CACHE_MAX	65536

static struct named *cache;
static size_t cache_n, cache_cap;

static void cache_drop(void)
{
	size_t i;

	for (i = 0; i < cache_n; i++)
		free(cache[i].name);
	free(cache);
	cache = NULL;
	cache_n = cache_cap = 0;
}

/* Where @vm is, or would be inserted. */
static size_t cache_slot(uint32_t vm)
{
	size_t lo = 0, hi = cache_n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (cache[mid].vm < vm)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Remember @vm's @name (NULL: none); false when out of memory. */
static bool cache_add(uint32_t vm, const char *name, size_t at)
{
	static bool registered;
	struct named *bigger;
	char *copy = NULL;

	if (!registered) {
		registered = true;
		atexit(cache_drop);
	}
	if (cache_n >= CACHE_MAX) {
		cache_drop();
		at = 0;
	}
	if (cache_n == cache_cap) {
		size_t cap = cache_cap ? cache_cap * 2 : 64;

		bigger = realloc(cache, cap * sizeof(*cache));
		if (!bigger)
			return false;
		cache = bigger;
		cache_cap = cap;
	}
	if (name && !(copy = strdup(name)))
		return false;
	memmove(&cache[at + 1], &cache[at], (cache_n - at) * sizeof(*cache));
	cache[at] = (struct named){ .vm = vm, .name = copy };
	cache_n++;
	return true;
}

const char *record_name(const struct kvmlstar_record *r)
{
	char name[KVMLSTAR_NAME_LEN];
	size_t at = cache_slot(r->vm);

	if (at < cache_n && cache[at].vm == r->vm)
		return cache[at].name;
	/* A gone VMM's pid may be another process's by now. */
	if (r->gone || !r->pid)
		return NULL;
	if (kvmlstar_vmm_name(r->pid, name, NULL) != KVMLSTAR_OK)
		name[0] = '\0';
	if (!cache_add(r->vm, name[0] ? name : NULL, at))
		return NULL;
	return cache[cache_slot(r->vm)].name;
}

bool name_wanted(const struct cli *c, const struct kvmlstar_record *r)
{
	const char *name;

	if (!c->vm_name)
		return true;
	name = record_name(r);
	return name && !strcmp(name, c->vm_name);
}

const char *text_name(const char *name, size_t max, char *buf)
{
	const unsigned char *s = (const unsigned char *)name;
	size_t in = 0, out = 0, n;

	if (!name)
		return NULL;
	while (s[in]) {
		n = utf8_char(s + in);
		if (in + (n ? n : 1) > max) {
			memcpy(buf + out, "...", 3);
			out += 3;
			break;
		}
		if (n > 1 || (n == 1 && s[in] >= 0x20 && s[in] != 0x7f)) {
			memcpy(buf + out, s + in, n);
			out += n;
			in += n;
		} else {
			/* A control character, or a byte that starts no character. */
			out += (size_t)snprintf(buf + out, 5, "\\x%02x", s[in]);
			in++;
		}
	}
	buf[out] = '\0';
	return buf;
}

/* ------------------------------------------------------------------ */
/* --name NAME                                                         */
/* ------------------------------------------------------------------ */

/* The VMM pids a name was found for (each once). */
struct pids {
	uint32_t *v;
	size_t n, cap;
	bool nomem;
};

static void add_pid(struct pids *p, uint32_t pid)
{
	uint32_t *bigger;
	size_t i;

	for (i = 0; i < p->n; i++)
		if (p->v[i] == pid)
			return;
	if (p->n == p->cap) {
		bigger = realloc(p->v, (p->cap ? p->cap * 2 : 8) * sizeof(*p->v));
		if (!bigger) {
			p->nomem = true;
			return;
		}
		p->v = bigger;
		p->cap = p->cap ? p->cap * 2 : 8;
	}
	p->v[p->n++] = pid;
}

struct match {
	const char *name;
	struct pids *pids;
};

/* A record of a VM with the name (which the call caches for the VM). */
static int match_record(const struct kvmlstar_record *r, void *arg)
{
	struct match *m = arg;
	const char *name = record_name(r);

	if (name && !strcmp(name, m->name))
		add_pid(m->pids, r->pid);
	return 0;
}

/* Whether this process has CAP_NET_ADMIN, which sees every VM. */
static bool net_admin(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	if (syscall(SYS_capget, &hdr, data))
		return false;
	return data[CAP_TO_INDEX(CAP_NET_ADMIN)].effective & CAP_TO_MASK(CAP_NET_ADMIN);
}

/*
 * The QEMU processes whose VM has the name, among those whose records
 * the caller could see: its own uid's, or all with CAP_NET_ADMIN.
 */
static void match_processes(const char *want, struct pids *p)
{
	char name[KVMLSTAR_NAME_LEN], path[32];
	bool admin = net_admin();
	uid_t uid = getuid();
	struct dirent *de;
	unsigned long pid;
	struct stat st;
	char *end;
	DIR *d = opendir("/proc");

	if (!d)
		return;
	while ((de = readdir(d))) {
		errno = 0;
		pid = strtoul(de->d_name, &end, 10);
		if (errno || *end || !pid || pid > UINT32_MAX || pid == (unsigned long)getpid())
			continue;
		snprintf(path, sizeof(path), "/proc/%lu", pid);
		if (!admin && (stat(path, &st) || st.st_uid != uid))
			continue;
		if (kvmlstar_vmm_name((uint32_t)pid, name, NULL) == KVMLSTAR_OK &&
		    !strcmp(name, want))
			add_pid(p, (uint32_t)pid);
	}
	closedir(d);
}

/* "116, 204, 3001" (the first few, and how many more). */
static void pid_list(const struct pids *p, char *buf, size_t len)
{
	size_t i, used = 0;

	buf[0] = '\0';
	for (i = 0; i < p->n && i < 8; i++)
		used += (size_t)snprintf(buf + used, used < len ? len - used : 0, "%s%u",
					 i ? ", " : "", p->v[i]);
	if (p->n > 8 && used < len)
		snprintf(buf + used, len - used, " and %zu more", p->n - 8);
}

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The part of a name a message quotes. */
#define SHOWN_MAX	64

/* How often wait --name looks for a QEMU process of that name. */
#define POLL_MS		100

int resolve_name(struct cli *c, struct kvmlstar_nl *nl, enum name_use use, int *timeout_ms)
{
	char shown[4 * SHOWN_MAX + 4], pids[160];
	struct pids p = { .v = NULL };
	struct match m = { .name = c->vm_name, .pids = &p };
	struct kvmlstar_error err;
	int64_t deadline = -1;
	bool procs = false;
	int rc = 0, left;

	if (use == NAME_WAIT && timeout_ms && *timeout_ms >= 0)
		deadline = mono_ms() + *timeout_ms;
	text_name(c->vm_name, SHOWN_MAX, shown);
	if (kvmlstar_nl_dump(nl, NULL, match_record, &m, &err))
		return fail(c, &err);
	/* wait: a VMM whose VM has not run yet has no record, but has its name. */
	while (!p.nomem && p.n == 0 && use == NAME_WAIT) {
		procs = true;
		match_processes(c->vm_name, &p);
		if (p.n || p.nomem)
			break;
		left = deadline < 0 ? POLL_MS : (int)(deadline - mono_ms());
		if (left <= 0) {
			set_error(&err, KVMLSTAR_E_TIMEOUT, "no VM named '%s' within the timeout: "
				  "no QEMU process you may see runs with -name guest=%s (only "
				  "CAP_NET_ADMIN sees every user's VMs)", shown, shown);
			rc = fail(c, &err);
			goto out;
		}
		left = left < POLL_MS ? left : POLL_MS;
		nanosleep(&(struct timespec){ .tv_sec = 0, .tv_nsec = left * 1000000L }, NULL);
	}
	if (p.nomem) {
		set_error(&err, KVMLSTAR_E_NOMEM, "out of memory");
		rc = fail(c, &err);
	} else if (p.n > 1) {
		pid_list(&p, pids, sizeof(pids));
		rc = usage_fail(c, "--name '%s' names the VMs of %zu %s (pids %s): give --pid "
				"PID to choose one", shown, p.n, procs ? "QEMU processes" :
				"VMM processes", pids);
	} else if (p.n == 1) {
		if (use != NAME_CHECK)
			c->pid = p.v[0];
	} else if (use == NAME_ONE) {
		set_error(&err, KVMLSTAR_E_NOT_FOUND, "no VM named '%s': no VM you may see has "
			  "a running VMM that gave it that name (QEMU's -name guest=%s; only "
			  "CAP_NET_ADMIN sees every user's VMs; '" PROG " list' shows the names)",
			  shown, shown);
		rc = fail(c, &err);
	}
	if (!rc && deadline >= 0) {
		int64_t rest = deadline - mono_ms();

		*timeout_ms = rest > 0 ? (int)rest : 0;
	}
out:
	free(p.v);
	return rc;
}
