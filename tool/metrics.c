// SPDX-License-Identifier: GPL-2.0
/*
 * kvm-lstar metrics: the module's counters and the records in the
 * Prometheus text exposition format (0.0.4), for node_exporter's textfile
 * collector or anything that reads it.
 *
 * The conventions of that ecosystem: every name starts kvm_lstar_; a
 * counter ends _total; values that are not numbers (the version, an LSTAR
 * value, the VM's name) are labels of an _info gauge whose value is 1;
 * the records' labels (vm, vcpu) are bounded by max_records, and so are
 * the info's (one series per record: a VM's name is fixed for its life).
 * --output writes a file whole or not at all (a temporary file beside
 * it, renamed over it), since the collector may read it at any moment.
 */
#include <errno.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

/*
 * A label value, with the three escapes the format has.  It must be
 * UTF-8: a byte that starts no character (a VM's name is bytes) is
 * written as U+FFFD.
 */
static void label_value(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;

	fputc('"', f);
	while (*p) {
		n = utf8_char(p);
		if (n == 0) {
			fputs("\xef\xbf\xbd", f);
			p++;
			continue;
		}
		if (*p == '\\' || *p == '"')
			fputc('\\', f);
		if (*p == '\n')
			fputs("\\n", f);
		else
			fwrite(p, 1, n, f);
		p += n;
	}
	fputc('"', f);
}

static void header(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP kvm_lstar_%s %s\n# TYPE kvm_lstar_%s %s\n", name, help, name, type);
}

static void gauge(FILE *f, const char *name, const char *help, uint64_t value)
{
	header(f, name, "gauge", help);
	fprintf(f, "kvm_lstar_%s %" PRIu64 "\n", name, value);
}

static void counter(FILE *f, const char *name, const char *help, uint64_t value)
{
	header(f, name, "counter", help);
	fprintf(f, "kvm_lstar_%s %" PRIu64 "\n", name, value);
}

/* CLOCK_BOOTTIME nanoseconds as Unix time in seconds. */
static double unix_time(uint64_t boot_ns)
{
	struct timespec real, boot;
	double now_boot;

	clock_gettime(CLOCK_REALTIME, &real);
	clock_gettime(CLOCK_BOOTTIME, &boot);
	now_boot = (double)boot.tv_sec + (double)boot.tv_nsec / 1e9;
	return (double)real.tv_sec + (double)real.tv_nsec / 1e9 - (now_boot - (double)boot_ns / 1e9);
}

/* One per-record gauge: its header, then a sample per record. */
static void per_record(FILE *f, const char *name, const char *help,
		       const struct kvmlstar_record *recs, size_t n,
		       uint64_t (*value)(const struct kvmlstar_record *))
{
	size_t i;

	header(f, name, "gauge", help);
	for (i = 0; i < n; i++)
		fprintf(f, "kvm_lstar_%s{vm=\"%u\",vcpu=\"%u\"} %" PRIu64 "\n", name, recs[i].vm,
			recs[i].vcpu, value(&recs[i]));
}

static uint64_t epoch_of(const struct kvmlstar_record *r) { return r->epoch; }
static uint64_t writes_of(const struct kvmlstar_record *r) { return r->writes; }
static uint64_t changed_of(const struct kvmlstar_record *r) { return r->changed; }
static uint64_t gone_of(const struct kvmlstar_record *r) { return r->gone; }
static uint64_t hypervisor_of(const struct kvmlstar_record *r) { return r->hypervisor; }

/* @st NULL: the module is not loaded, and kvm_lstar_up 0 is all there is. */
static void write_metrics(FILE *f, const struct kvmlstar_status *st,
			  const struct kvmlstar_record *recs, size_t n)
{
	char lstar[KVMLSTAR_HEX_LEN], cur[KVMLSTAR_HEX_LEN];
	size_t i;

	gauge(f, "up", "1 when the kvm_lstar module answered; 0 when it is not loaded (and "
	      "no other kvm_lstar_ series).", st != NULL);
	if (!st)
		return;
	header(f, "module_info", "gauge", "The kvm_lstar module: its version and the state of "
	       "its capture paths (intercept: kvm_msr; svm: sampling at VM exits).");
	fputs("kvm_lstar_module_info{version=", f);
	label_value(f, st->version);
	fprintf(f, ",intercept=\"%s\",svm=\"%s\"} 1\n", kvmlstar_path_state_name(st->intercept),
		kvmlstar_path_state_name(st->svm));
	gauge(f, "records", "Records held (those the caller may see).", st->records);
	gauge(f, "records_max", "The max_records module parameter.", st->capacity);
	gauge(f, "vms", "VMs with records (those the caller may see).", st->vms);
	counter(f, "evictions_total", "Records of gone VMs evicted to make room.",
		st->evictions);
	counter(f, "alloc_fails_total", "Record allocations that failed.", st->alloc_fails);
	counter(f, "refused_total", "vCPUs not recorded: the table was full of live VMs.",
		st->refused);
	counter(f, "events_lost_total", "Events merged into a later one or lost.",
		st->events_lost);

	header(f, "vcpu_info", "gauge", "One per vCPU record: the VMM's pid and its name for "
	       "the VM (QEMU's -name; no label without one), how LSTAR was seen, the first "
	       "value of the epoch and the latest.");
	for (i = 0; i < n; i++) {
		const struct kvmlstar_record *r = &recs[i];
		const char *name = record_name(r);

		fprintf(f, "kvm_lstar_vcpu_info{vm=\"%u\",vcpu=\"%u\",pid=\"%u\"", r->vm,
			r->vcpu, r->pid);
		if (name) {
			fputs(",name=", f);
			label_value(f, name);
		}
		fprintf(f, ",source=\"%s\",lstar=\"%s\",current=\"%s\"",
			kvmlstar_source_name(r->source), kvmlstar_hex(r->lstar, lstar),
			kvmlstar_hex(r->current, cur));
		if (r->unavailable)
			fprintf(f, ",unavailable=\"%s\"", kvmlstar_unavailable_reason(r->unavailable));
		fputs("} 1\n", f);
	}
	per_record(f, "vcpu_epoch", "Boot epoch of the vCPU: 0 until captured, then 1, +1 "
		   "per reboot.", recs, n, epoch_of);
	per_record(f, "vcpu_writes", "Distinct LSTAR values seen this epoch.", recs, n,
		   writes_of);
	per_record(f, "vcpu_changed", "1 when LSTAR changed after the epoch's first value "
		   "(a possible syscall hijack).", recs, n, changed_of);
	per_record(f, "vcpu_gone", "1 once the VMM exited (the record is kept).", recs, n,
		   gone_of);
	per_record(f, "vcpu_hypervisor", "1 when the guest enabled SVM or VMX this epoch.",
		   recs, n, hypervisor_of);
	header(f, "vcpu_capture_timestamp_seconds", "gauge", "Unix time of the epoch's first "
	       "capture (no sample before it).");
	for (i = 0; i < n; i++)
		if (recs[i].epoch)
			fprintf(f, "kvm_lstar_vcpu_capture_timestamp_seconds{vm=\"%u\",vcpu=\"%u\"} "
				"%.3f\n", recs[i].vm, recs[i].vcpu, unix_time(recs[i].captured_ns));
}

/*
 * @text into @path whole or not at all: a temporary file in the same
 * directory (named with a leading dot and no .prom, which the textfile
 * collector skips), written, synced, made readable, renamed over @path.
 */
static int write_file(const char *path, const char *text, size_t len,
		      struct kvmlstar_error *err)
{
	char *copy = strdup(path), *tmp = NULL;
	const char *dir, *base;
	int fd = -1, e = 0;
	FILE *f = NULL;

	if (!copy)
		return set_error(err, KVMLSTAR_E_NOMEM, "out of memory");
	base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	dir = dirname(copy);
	if (asprintf(&tmp, "%s/.%s.XXXXXX", dir, base) < 0) {
		free(copy);
		return set_error(err, KVMLSTAR_E_NOMEM, "out of memory");
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		e = errno;
		set_error(err, KVMLSTAR_E_IO, "--output %s: cannot create a file in %s: %s",
			  SHOWN(path), SHOWN(dir), strerror(e));
		goto out;
	}
	errno = 0;
	f = fdopen(fd, "w");
	if (!f || fwrite(text, 1, len, f) != len || fflush(f) || fsync(fd) ||
	    fchmod(fd, 0644))
		e = errno ? errno : EIO;
	if (f ? fclose(f) : close(fd))
		e = e ? e : errno;
	if (!e && rename(tmp, path))
		e = errno;
	if (e) {
		unlink(tmp);
		set_error(err, KVMLSTAR_E_IO, "--output %s: %s (the file is left as it was)",
			  SHOWN(path), strerror(e));
	}
out:
	free(tmp);
	free(copy);
	return e ? err->code : 0;
}

/*
 * Print the metrics, or write them to --output; frees @recs.  @st NULL:
 * the module is not loaded.  Returns the exit status.
 */
static int emit(const struct cli *c, const struct kvmlstar_status *st,
		struct kvmlstar_record *recs, size_t n)
{
	struct kvmlstar_error err;
	char *text = NULL;
	size_t len = 0;
	int rc = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f) {
		free(recs);
		set_error(&err, KVMLSTAR_E_NOMEM, "out of memory");
		return fail(c, &err);
	}
	write_metrics(f, st, recs, n);
	free(recs);
	if (fclose(f)) {
		free(text);
		set_error(&err, KVMLSTAR_E_NOMEM, "out of memory");
		return fail(c, &err);
	}
	if (c->output)
		rc = write_file(c->output, text, len, &err) ? fail(c, &err) : 0;
	else
		fwrite(text, 1, len, stdout);
	free(text);
	return rc;
}

int cmd_metrics(struct cli *c)
{
	struct kvmlstar_filter filter = { .pid = c->pid, .vm = c->vm };
	struct kvmlstar_record *recs = NULL;
	struct kvmlstar_status st;
	struct kvmlstar_error err;
	struct kvmlstar_nl *nl;
	size_t n = 0;
	int rc = kvmlstar_nl_open(&nl, &err);

	/* Without the module, that is what the metrics say: kvm_lstar_up 0. */
	if (rc == KVMLSTAR_E_NO_MODULE)
		return emit(c, NULL, NULL, 0);
	if (rc)
		return fail(c, &err);
	if (c->vm_name) {
		rc = resolve_name(c, nl, NAME_FILTER, NULL);
		if (rc) {
			kvmlstar_nl_close(nl);
			return rc;
		}
		filter.pid = c->pid;
	}
	rc = kvmlstar_nl_status(nl, &st, sizeof(st), &err);
	/* A name no VM has: the counters, and no record (as a pid without any). */
	if (!rc && !(c->vm_name && !c->pid))
		rc = kvmlstar_nl_list(nl, &filter, &recs, sizeof(*recs), &n, &err);
	kvmlstar_nl_close(nl);
	if (rc)
		return fail(c, &err);
	if (n)
		qsort(recs, n, sizeof(*recs), record_order);
	return emit(c, &st, recs, n);
}
