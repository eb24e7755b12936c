// SPDX-License-Identifier: GPL-2.0
/*
 * kvm-lstar: the commands that derive KASLR offsets and look up symbols:
 * kaslr (from a recorded LSTAR), derive (from given values), symbol.
 */
#include <string.h>

#include "cli.h"

/* The symbol syscall_init() stores in MSR_LSTAR. */
#define ENTRY_SYMBOL	"entry_SYSCALL_64"

static void json_witnesses(struct json *j, const struct kvmlstar_witnesses *w)
{
	struct json array, e;
	unsigned int i;

	json_array_begin(j, "witnesses", &array);
	for (i = 0; i < w->count; i++) {
		const struct kvmlstar_witness *x = &w->w[i];

		json_element(&array, &e);
		json_str(&e, "msr", kvmlstar_entry_name(x->msr));
		json_hex(&e, "value", x->value);
		json_str(&e, "symbol", x->symbol);
		if (x->symbol)
			json_hex(&e, "link", x->link);
		else
			json_str(&e, "link", NULL);
		if (x->status == KVMLSTAR_OK)
			json_hex(&e, "offset", x->offset);
		else
			json_str(&e, "offset", NULL);
		json_element_end(&e);
	}
	json_array_end(&array);
	json_bool(j, "confirmed", w->confirmed);
}

/* One line per witness besides LSTAR, and whether they confirm it. */
static void print_witnesses(const struct kvmlstar_witnesses *w)
{
	char value[KVMLSTAR_HEX_LEN], off[KVMLSTAR_HEX_LEN];
	unsigned int i;

	for (i = 1; i < w->count; i++) {
		const struct kvmlstar_witness *x = &w->w[i];

		if (x->status == KVMLSTAR_OK)
			printf("witness %-12s %s  %s + offset %s\n", kvmlstar_entry_name(x->msr),
			       kvmlstar_hex(x->value, value), x->symbol,
			       kvmlstar_hex(x->offset, off));
		else
			printf("witness %-12s %s  not checked: the symbols define none of its "
			       "entry points\n", kvmlstar_entry_name(x->msr),
			       kvmlstar_hex(x->value, value));
	}
	if (w->confirmed)
		printf("confirmed: %u of %u entry-point MSRs give this offset\n", w->agree,
		       w->count);
	else
		printf("not confirmed: no other entry-point MSR was %s\n",
		       w->count > 1 ? "checkable" : "seen");
}

void json_derivation(struct json *j, const struct derivation *d)
{
	json_hex(j, "lstar", d->lstar);
	json_hex(j, "link", d->link);
	json_hex(j, "offset", d->offset);
	json_str(j, "symbol", ENTRY_SYMBOL);
	if (d->rec) {
		json_uint(j, "vm", d->rec->vm);
		json_uint(j, "pid", d->rec->pid);
		json_uint(j, "vcpu", d->rec->vcpu);
		json_uint(j, "epoch", d->rec->epoch);
		json_str(j, "name", record_name(d->rec));
	}
	if (d->build_id)
		json_str(j, "build_id", d->build_id);
	json_witnesses(j, &d->w);
}

/* The derivation as --json or text, or in --format's form; the exit status. */
static int print_derivation(const struct cli *c, const struct derivation *d,
			    const struct kvmlstar_syms *syms)
{
	char lstar[KVMLSTAR_HEX_LEN], link[KVMLSTAR_HEX_LEN], off[KVMLSTAR_HEX_LEN];
	char name[TEXT_NAME_LEN];
	const char *n;
	struct json j;

	if (c->format)
		return print_format(c, d, syms);
	if (c->json) {
		json_begin(&j, stdout);
		json_derivation(&j, d);
		json_end(&j);
		return 0;
	}
	if (d->rec) {
		n = text_name(record_name(d->rec), KVMLSTAR_NAME_LEN, name);
		printf("vm %u  pid %u%s%s  vcpu %u  epoch %u\n", d->rec->vm, d->rec->pid,
		       n ? "  name " : "", n ? n : "", d->rec->vcpu, d->rec->epoch);
	}
	printf("lstar   %s\n", kvmlstar_hex(d->lstar, lstar));
	if (d->file)
		printf("link    %s  %s in %s%s%s\n", kvmlstar_hex(d->link, link), ENTRY_SYMBOL,
		       d->file, d->build_id ? ", build-id " : "", d->build_id ? d->build_id : "");
	else
		printf("link    %s  %s, as given\n", kvmlstar_hex(d->link, link), ENTRY_SYMBOL);
	printf("offset  %s\n", kvmlstar_hex(d->offset, off));
	print_witnesses(&d->w);
	if (d->rec && d->rec->changed)
		printf("note: LSTAR was rewritten after the first write of the epoch (now %s), "
		       "a possible syscall hijack; the offset uses the first value\n",
		       kvmlstar_hex(d->rec->current, lstar));
	return 0;
}

static const char *syms_path(const struct cli *c)
{
	return c->vmlinux ? c->vmlinux : c->system_map;
}

/*
 * One name's link-time address, and the vmlinux's build-id (NULL for a
 * map).  A map is searched, not indexed: one lookup at grep's speed,
 * unless @handle asks for a handle (for the witnesses' lookups).  A
 * vmlinux is opened (for its build-id, which stays valid until
 * kvmlstar_syms_close(*syms)).  Returns an error code; *syms is the
 * handle or NULL either way, for the caller to close.
 */
static int look_up(const struct cli *c, const char *name, bool handle,
		   struct kvmlstar_syms **syms, uint64_t *addr, const char **build_id,
		   struct kvmlstar_error *err)
{
	int rc;

	*syms = NULL;
	*build_id = NULL;
	if (c->system_map && !handle)
		return kvmlstar_syms_find(c->system_map, KVMLSTAR_SYMFMT_MAP, name, addr, err);
	if (c->system_map) {
		rc = kvmlstar_syms_open(c->system_map, KVMLSTAR_SYMFMT_MAP, syms, err);
		return rc ? rc : kvmlstar_syms_lookup(*syms, name, addr, err);
	}
	rc = kvmlstar_syms_open(c->vmlinux, KVMLSTAR_SYMFMT_VMLINUX, syms, err);
	if (rc)
		return rc;
	*build_id = kvmlstar_syms_build_id(*syms);
	return kvmlstar_syms_lookup(*syms, name, addr, err);
}

/*
 * A symbol source without entry_SYSCALL_64 leaves the link-time address
 * unknown: the derivation class link_unknown.
 */
static int link_unknown(const char *path, struct kvmlstar_error *err)
{
	return set_error(err, KVMLSTAR_E_LINK_UNKNOWN,
			 "%s has no " ENTRY_SYMBOL ", so its link-time address is unknown: "
			 "give the vmlinux or System.map of the guest's kernel", SHOWN(path));
}

/*
 * The offset from @d->lstar and @d->link, cross-checked with the other
 * entry MSRs in @values (0: not seen) where @syms can name their symbols.
 */
static int derive_all(struct derivation *d, const struct kvmlstar_syms *syms,
		      const uint64_t values[3], struct kvmlstar_error *err)
{
	int rc = kvmlstar_witnesses(syms, d->link, values, 3, &d->w, sizeof(d->w), err);

	if (!rc)
		d->offset = d->w.offset;
	return rc;
}

int cmd_derive(struct cli *c)
{
	struct derivation d = { .lstar = c->lstar, .link = c->link };
	const uint64_t values[3] = { c->lstar, c->cstar, c->sysenter_eip };
	bool witnesses = c->cstar || c->sysenter_eip;
	struct kvmlstar_syms *syms = NULL;
	struct kvmlstar_error err;
	int rc;

	if (witnesses && (c->given & OPT(LINK)))
		return usage_fail(c, "--cstar and --sysenter-eip are checked against the symbols "
				  "of their own entry points: give --vmlinux or --system-map, "
				  "not --link");
	rc = check_format(c);
	if (rc)
		return rc;
	if (!(c->given & OPT(LINK))) {
		d.file = syms_path(c);
		rc = look_up(c, ENTRY_SYMBOL, witnesses, &syms, &d.link, &d.build_id, &err);
		/*
		 * A source without the symbol leaves the link 0: the library's
		 * order of checks then decides between lstar_zero and
		 * link_unknown.
		 */
		if (rc && rc != KVMLSTAR_E_NOT_FOUND) {
			kvmlstar_syms_close(syms);
			return fail(c, &err);
		}
		if (rc)
			d.link = 0;
	}
	/* The handle only when it has the link: else LSTAR's checks decide. */
	rc = derive_all(&d, d.link ? syms : NULL, values, &err);
	if (rc == KVMLSTAR_E_LINK_UNKNOWN && d.file)
		link_unknown(d.file, &err);
	if (rc)
		rc = fail(c, &err);
	else
		rc = print_derivation(c, &d, syms);
	kvmlstar_syms_close(syms);
	return rc;
}

/* kaslr's derivation failure, with a hint when waiting would help. */
static int kaslr_fail(const struct cli *c, struct kvmlstar_error *err)
{
	size_t n = strlen(err->msg);

	if (err->code == KVMLSTAR_E_LSTAR_ZERO && !(c->given & OPT(WAIT)))
		snprintf(err->msg + n, sizeof(err->msg) - n,
			 " (--wait SEC waits for the capture)");
	return fail(c, err);
}

/*
 * kaslr after the symbols are known: the record, then the derivation.
 * A map searched without a handle is opened now if the record has
 * witnesses to look up.
 */
static int kaslr_record(struct cli *c, struct derivation *d, struct kvmlstar_syms **syms,
			struct kvmlstar_error *err)
{
	struct kvmlstar_record rec;
	uint64_t values[3];
	struct kvmlstar_nl *nl;
	bool wait = c->given & OPT(WAIT);
	int wait_ms = c->wait_ms;
	int rc = kvmlstar_nl_open(&nl, err);

	if (rc)
		return fail(c, err);
	if (c->vm_name) {
		rc = resolve_name(c, nl, wait ? NAME_WAIT : NAME_ONE, &wait_ms);
		if (rc) {
			kvmlstar_nl_close(nl);
			return rc;
		}
	}
	rc = find_record(c, nl, wait, wait_ms, &rec, err);
	if (!rc)
		note_pid_choice(c, nl, &rec, c->given & OPT(WAIT) ? "with a capture" :
				"with that vCPU");
	kvmlstar_nl_close(nl);
	/* kvmlstar_wait() says so itself; a record taken as it is does not. */
	if (!rc && rec.unavailable)
		rc = set_error(err, KVMLSTAR_E_UNAVAILABLE, "VM %u vCPU %u has no LSTAR to derive from: %s",
			       rec.vm, rec.vcpu, kvmlstar_unavailable_reason(rec.unavailable));
	if (rc)
		return fail(c, err);

	d->rec = &rec;
	d->lstar = rec.lstar;
	values[0] = rec.lstar;
	values[1] = rec.cstar;
	values[2] = rec.sysenter_eip;
	if (!*syms && (rec.cstar || rec.sysenter_eip) && rec.lstar) {
		rc = kvmlstar_syms_open(c->system_map, KVMLSTAR_SYMFMT_MAP, syms, err);
		if (rc)
			return fail(c, err);
	}
	rc = derive_all(d, *syms, values, err);
	if (rc)
		return kaslr_fail(c, err);
	return print_derivation(c, d, *syms);
}

int cmd_kaslr(struct cli *c)
{
	struct derivation d = { .file = syms_path(c) };
	struct kvmlstar_syms *syms;
	struct kvmlstar_error err;
	int rc = check_format(c);

	if (rc)
		return rc;
	rc = look_up(c, ENTRY_SYMBOL, false, &syms, &d.link, &d.build_id, &err);

	/* Permanent whatever the guest does: say so before reading records. */
	if (rc == KVMLSTAR_E_NOT_FOUND)
		link_unknown(d.file, &err);
	rc = rc ? fail(c, &err) : kaslr_record(c, &d, &syms, &err);
	kvmlstar_syms_close(syms);
	return rc;
}

int cmd_symbol(struct cli *c)
{
	struct kvmlstar_syms *syms;
	struct kvmlstar_error err;
	const char *build_id;
	char hex[KVMLSTAR_HEX_LEN];
	uint64_t addr;
	struct json j;
	int rc = look_up(c, c->name, false, &syms, &addr, &build_id, &err);

	if (rc) {
		rc = fail(c, &err);
	} else if (c->json) {
		json_begin(&j, stdout);
		json_str(&j, "name", c->name);
		json_hex(&j, "address", addr);
		json_str(&j, "file", syms_path(c));
		json_str(&j, "build_id", build_id);
		json_end(&j);
	} else {
		printf("%s  %s  (%s%s%s)\n", c->name, kvmlstar_hex(addr, hex), syms_path(c),
		       build_id ? ", build-id " : "", build_id ? build_id : "");
	}
	kvmlstar_syms_close(syms);
	return rc;
}
