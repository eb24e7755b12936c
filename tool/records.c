// SPDX-License-Identifier: GPL-2.0
/*
 * kvm-lstar: the commands that read or change the module's records:
 * status, list, get, wait, watch, clear.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "journal.h"

static int open_nl(const struct cli *c, struct kvmlstar_nl **nl)
{
	struct kvmlstar_error err;

	if (kvmlstar_nl_open(nl, &err))
		return fail(c, &err);
	return 0;
}

static struct kvmlstar_filter filter_of(const struct cli *c)
{
	return (struct kvmlstar_filter){ .pid = c->pid, .vm = c->vm };
}

/* ------------------------------------------------------------------ */
/* status                                                              */
/* ------------------------------------------------------------------ */

static void print_status(const struct cli *c, const struct kvmlstar_status *st)
{
	struct json j;

	if (c->json) {
		json_begin(&j, stdout);
		json_str(&j, "version", st->version);
		json_str(&j, "intercept", kvmlstar_path_state_name(st->intercept));
		json_str(&j, "svm", kvmlstar_path_state_name(st->svm));
		json_str(&j, "reason", st->reason);
		json_uint(&j, "records", st->records);
		json_uint(&j, "capacity", st->capacity);
		json_uint(&j, "vms", st->vms);
		json_uint(&j, "evictions", st->evictions);
		json_uint(&j, "alloc_fails", st->alloc_fails);
		json_uint(&j, "refused", st->refused);
		json_uint(&j, "events_lost", st->events_lost);
		json_end(&j);
		return;
	}
	printf("kvm_lstar %s\n", st->version);
	printf("intercept  %s\n", kvmlstar_path_state_name(st->intercept));
	printf("svm        %s\n", kvmlstar_path_state_name(st->svm));
	if (st->reason[0])
		printf("reason     %s\n", st->reason);
	printf("records    %u of %u, in %u %s\n", st->records, st->capacity, st->vms,
	       st->vms == 1 ? "VM" : "VMs");
	printf("counters   evictions %" PRIu64 ", alloc_fails %" PRIu64 ", refused %" PRIu64
	       ", events_lost %" PRIu64 "\n",
	       st->evictions, st->alloc_fails, st->refused, st->events_lost);
}

int cmd_status(struct cli *c)
{
	struct kvmlstar_status st;
	struct kvmlstar_error err;
	struct kvmlstar_nl *nl;
	int rc = open_nl(c, &nl);

	if (rc)
		return rc;
	rc = kvmlstar_nl_status(nl, &st, sizeof(st), &err);
	kvmlstar_nl_close(nl);
	if (rc)
		return fail(c, &err);
	print_status(c, &st);
	return 0;
}

/* ------------------------------------------------------------------ */
/* list                                                                */
/* ------------------------------------------------------------------ */

enum { COL_VM, COL_PID, COL_VCPU, COL_LSTAR, COL_EPOCH, COL_WRITES, COL_CHANGED,
       COL_SOURCE, COL_CAPTURED, COL_GONE, NR_COLS };

static const char *const col_names[NR_COLS] = {
	"VM", "PID", "VCPU", "LSTAR", "EPOCH", "WRITES", "CHANGED", "SOURCE",
	"CAPTURED", "GONE",
};

typedef char row_t[NR_COLS][24];

static void format_row(const struct kvmlstar_record *r, row_t row)
{
	bool captured = r->epoch >= 1;

	snprintf(row[COL_VM], sizeof(row[0]), "%u", r->vm);
	snprintf(row[COL_PID], sizeof(row[0]), "%u", r->pid);
	snprintf(row[COL_VCPU], sizeof(row[0]), "%u", r->vcpu);
	if (captured)
		kvmlstar_hex(r->lstar, row[COL_LSTAR]);
	else
		snprintf(row[COL_LSTAR], sizeof(row[0]), "%s", r->unavailable ? "unavailable" : "-");
	snprintf(row[COL_EPOCH], sizeof(row[0]), "%u", r->epoch);
	snprintf(row[COL_WRITES], sizeof(row[0]), "%u", r->writes);
	snprintf(row[COL_CHANGED], sizeof(row[0]), "%s", r->changed ? "yes" : "no");
	snprintf(row[COL_SOURCE], sizeof(row[0]), "%s", kvmlstar_source_name(r->source));
	if (captured)
		format_age(r->captured_ns, row[COL_CAPTURED], sizeof(row[0]));
	else
		snprintf(row[COL_CAPTURED], sizeof(row[0]), "-");
	snprintf(row[COL_GONE], sizeof(row[0]), "%s", r->gone ? "yes" : "no");
}

static void print_row(const char *const cells[NR_COLS], const size_t width[NR_COLS])
{
	int i;

	for (i = 0; i < NR_COLS - 1; i++)
		printf("%-*s  ", (int)width[i], cells[i]);
	printf("%s\n", cells[NR_COLS - 1]);
}

/* Returns 0, or 1 (the exit status) when out of memory. */
static int print_table(const struct kvmlstar_record *recs, size_t n)
{
	size_t width[NR_COLS], i;
	const char *cells[NR_COLS];
	row_t *rows = calloc(n ? n : 1, sizeof(*rows));
	int k;

	if (!rows) {
		fprintf(stderr, PROG " list: out of memory for %zu rows\n", n);
		return 1;
	}
	for (k = 0; k < NR_COLS; k++)
		width[k] = strlen(col_names[k]);
	for (i = 0; i < n; i++) {
		format_row(&recs[i], rows[i]);
		for (k = 0; k < NR_COLS; k++)
			if (strlen(rows[i][k]) > width[k])
				width[k] = strlen(rows[i][k]);
	}
	print_row(col_names, width);
	for (i = 0; i < n; i++) {
		for (k = 0; k < NR_COLS; k++)
			cells[k] = rows[i][k];
		print_row(cells, width);
	}
	free(rows);
	return 0;
}

int record_order(const void *a, const void *b)
{
	const struct kvmlstar_record *x = a, *y = b;

	if (x->vm != y->vm)
		return x->vm < y->vm ? -1 : 1;
	return x->vcpu < y->vcpu ? -1 : x->vcpu > y->vcpu;
}

/*
 * Under the table, a line per VM that has a name: "vm 1  pid 116  name
 * web1", as get's header says it.  A name can be long, too long for a
 * column of the table.  @recs are sorted by VM.
 */
static void print_names(const struct kvmlstar_record *recs, size_t n)
{
	char buf[TEXT_NAME_LEN];
	const char *name;
	bool first = true;
	size_t i;

	for (i = 0; i < n; i++) {
		if (i && recs[i].vm == recs[i - 1].vm)
			continue;
		name = text_name(record_name(&recs[i]), KVMLSTAR_NAME_LEN, buf);
		if (!name)
			continue;
		if (first)
			putchar('\n');
		first = false;
		printf("vm %u  pid %u  name %s\n", recs[i].vm, recs[i].pid, name);
	}
}

/* --name gave no VMM: as a pid without records, nothing matches. */
static bool name_matches_none(const struct cli *c)
{
	return c->vm_name && !c->pid;
}

int cmd_list(struct cli *c)
{
	struct kvmlstar_filter f;
	struct kvmlstar_record *recs = NULL;
	struct kvmlstar_error err;
	struct kvmlstar_nl *nl;
	struct json j;
	size_t n = 0, i;
	int rc = open_nl(c, &nl);

	if (rc)
		return rc;
	if (c->vm_name)
		rc = resolve_name(c, nl, NAME_FILTER, NULL);
	if (!rc && !name_matches_none(c)) {
		f = filter_of(c);
		rc = kvmlstar_nl_list(nl, &f, &recs, sizeof(*recs), &n, &err);
		if (rc)
			rc = fail(c, &err);
	}
	kvmlstar_nl_close(nl);
	if (rc)
		return rc;
	if (n)
		qsort(recs, n, sizeof(*recs), record_order);
	if (c->json) {
		for (i = 0; i < n; i++) {
			json_begin(&j, stdout);
			json_record(&j, &recs[i]);
			json_end(&j);
		}
	} else if (n) {
		rc = print_table(recs, n);
		print_names(recs, n);
	} else {
		printf("no records\n");
	}
	free(recs);
	return rc;
}

/* ------------------------------------------------------------------ */
/* get, wait: one record                                               */
/* ------------------------------------------------------------------ */

struct newest {
	uint32_t vcpu;
	struct kvmlstar_record rec;
	bool found;
};

static int keep_newest(const struct kvmlstar_record *r, void *arg)
{
	struct newest *nw = arg;

	if (r->vcpu == nw->vcpu && (!nw->found || r->vm > nw->rec.vm)) {
		nw->rec = *r;
		nw->found = true;
	}
	return 0;
}

/* The record of --vcpu in the newest VM of --pid, captured or not. */
static int get_by_pid(const struct cli *c, struct kvmlstar_nl *nl,
		      struct kvmlstar_record *rec, struct kvmlstar_error *err)
{
	struct kvmlstar_filter f = { .pid = c->pid };
	struct newest nw = { .vcpu = c->vcpu };
	int rc = kvmlstar_nl_dump(nl, &f, keep_newest, &nw, err);

	if (rc)
		return rc;
	if (!nw.found)
		return set_error(err, KVMLSTAR_E_NOT_FOUND,
			"no record for pid %u vCPU %u: that process has no VM whose vCPU %u "
			"has run, or its VMs belong to another user (only CAP_NET_ADMIN sees "
			"every VM)", c->pid, c->vcpu, c->vcpu);
	*rec = nw.rec;
	return KVMLSTAR_OK;
}

/*
 * The record that --pid/--vm (or --name, once resolve_name() made it a
 * pid) and --vcpu name.  With @wait, wait up to @timeout_ms (negative:
 * no limit) for it to be captured; without, take it as it is.
 */
int find_record(struct cli *c, struct kvmlstar_nl *nl, bool wait, int timeout_ms,
		struct kvmlstar_record *rec, struct kvmlstar_error *err)
{
	struct kvmlstar_filter f = filter_of(c);

	if (wait)
		return kvmlstar_wait(nl, &f, c->vcpu, timeout_ms, rec, sizeof(*rec), err);
	if (c->vm)
		return kvmlstar_nl_get(nl, c->vm, c->vcpu, rec, sizeof(*rec), err);
	return get_by_pid(c, nl, rec, err);
}

/* Only whether a process has more than one VM matters. */
struct vm_count {
	uint32_t first;
	bool any, several;
};

static int count_vms(const struct kvmlstar_record *r, void *arg)
{
	struct vm_count *vc = arg;

	if (!vc->any) {
		vc->first = r->vm;
		vc->any = true;
	} else if (r->vm != vc->first) {
		vc->several = true;
	}
	return vc->several;
}

/* With --pid, say when the process has several VMs and which one is used. */
void note_pid_choice(const struct cli *c, struct kvmlstar_nl *nl,
		     const struct kvmlstar_record *rec, const char *how)
{
	struct kvmlstar_filter f = { .pid = c->pid };
	struct vm_count vc = { .any = false };

	if (!c->pid || c->json || kvmlstar_nl_dump(nl, &f, count_vms, &vc, NULL))
		return;
	if (vc.several)
		printf("note: pid %u has several VMs; using VM %u, the newest %s\n",
		       c->pid, rec->vm, how);
}

static int show_one(struct cli *c, bool wait)
{
	struct kvmlstar_record rec;
	struct kvmlstar_error err;
	struct kvmlstar_nl *nl;
	int timeout_ms = c->timeout_ms;
	struct json j;
	int rc = open_nl(c, &nl);

	if (rc)
		return rc;
	if (c->vm_name) {
		rc = resolve_name(c, nl, wait ? NAME_WAIT : NAME_ONE, &timeout_ms);
		if (rc) {
			kvmlstar_nl_close(nl);
			return rc;
		}
	}
	rc = find_record(c, nl, wait, timeout_ms, &rec, &err);
	if (rc) {
		kvmlstar_nl_close(nl);
		return fail(c, &err);
	}
	note_pid_choice(c, nl, &rec, wait ? "with a capture" : "with that vCPU");
	kvmlstar_nl_close(nl);
	if (c->json) {
		json_begin(&j, stdout);
		json_record(&j, &rec);
		json_end(&j);
	} else {
		print_record_block(&rec);
	}
	return 0;
}

int cmd_get(struct cli *c)
{
	return show_one(c, false);
}

int cmd_wait(struct cli *c)
{
	return show_one(c, true);
}

/* ------------------------------------------------------------------ */
/* watch                                                               */
/* ------------------------------------------------------------------ */

/*
 * Ctrl-C and SIGTERM end a watch cleanly.  The handler only sets a flag.
 * The signals are blocked except inside ppoll(), which unblocks them
 * atomically while it sleeps, so a stop cannot slip in between the check
 * of the flag and the sleep, and the watch sleeps until something happens
 * (no periodic wake-ups); and except while printing, so a write blocked on
 * a stalled reader is interrupted too.  SA_RESETHAND: a second Ctrl-C
 * kills the process whatever it is doing.
 */
static volatile sig_atomic_t stop_requested;
static sigset_t stop_signals, open_mask;

static void on_stop_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static int catch_stop_signals(void)
{
	struct sigaction sa = { .sa_handler = on_stop_signal, .sa_flags = SA_RESETHAND };

	sigemptyset(&sa.sa_mask);
	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGINT);
	sigaddset(&stop_signals, SIGTERM);
	if (sigaction(SIGINT, &sa, NULL) < 0 || sigaction(SIGTERM, &sa, NULL) < 0)
		return -1;
	return sigprocmask(SIG_BLOCK, &stop_signals, &open_mask);
}

/* Printing: let a stop interrupt a blocked write. */
static void stops_open(bool open)
{
	sigprocmask(open ? SIG_UNBLOCK : SIG_BLOCK, &stop_signals, NULL);
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Milliseconds left until @deadline (-1: none), as a poll() timeout. */
static int remaining_ms(int64_t deadline)
{
	int64_t left;

	if (deadline < 0)
		return -1;
	left = deadline - now_ms();
	return left > 0 ? (int)left : 0;
}

/* A record read back after lost events is printed as event "resync". */
static const char *event_name(const struct kvmlstar_record *ev)
{
	return ev->event == KVMLSTAR_EVENT_NONE ? "resync" : kvmlstar_event_name(ev->event);
}

/* Write @ev to @f: its JSON object with --json, else one line. */
static void write_event(FILE *f, const struct cli *c, const struct kvmlstar_record *ev)
{
	char lstar[KVMLSTAR_HEX_LEN], cur[KVMLSTAR_HEX_LEN], name[TEXT_NAME_LEN];
	const char *n;
	struct json j;

	if (c->json) {
		json_begin(&j, f);
		json_str(&j, "event", event_name(ev));
		json_record(&j, ev);
		json_end(&j);
		return;
	}
	n = text_name(record_name(ev), KVMLSTAR_NAME_LEN, name);
	fprintf(f, "%-7s  vm %u  pid %u%s%s  vcpu %u  lstar %s  current %s  epoch %u  writes %u  "
		"source %s%s%s\n",
		event_name(ev), ev->vm, ev->pid, n ? "  name " : "", n ? n : "", ev->vcpu,
		kvmlstar_hex(ev->lstar, lstar), kvmlstar_hex(ev->current, cur), ev->epoch,
		ev->writes, kvmlstar_source_name(ev->source),
		ev->changed ? "  CHANGED" : "", ev->gone ? "  gone" : "");
}

/*
 * Under systemd (kvm-lstar-watch.service) stdout may be the journal: then
 * each event goes to it as a structured entry whose MESSAGE is the line
 * printed otherwise (journal.c).  When the journal does not take one, the
 * line goes to stdout after all, a plain journal line, and stderr says why
 * (once, until the journal takes one again): no event is lost unseen.
 */
static int to_journal = -1;	/* -1: not looked at yet */
static bool journal_failing;

static void print_event(const struct cli *c, const struct kvmlstar_record *ev)
{
	char *line = NULL;
	size_t len = 0;
	FILE *f = NULL;
	int rc;

	if (to_journal < 0)
		to_journal = stdout_is_journal();
	if (to_journal)
		f = open_memstream(&line, &len);
	if (!f) {
		write_event(stdout, c, ev);
		return;
	}
	write_event(f, c, ev);
	if (fclose(f)) {
		free(line);
		write_event(stdout, c, ev);
		return;
	}
	rc = journal_send_event(event_name(ev), ev, record_name(ev), line, len);
	/* A stop interrupted the send: a stop, as for a write to stdout. */
	if (rc == -EINTR && stop_requested) {
		free(line);
		return;
	}
	if (rc < 0) {
		if (!journal_failing)
			fprintf(stderr, PROG " watch: the journal did not take an event (%s); "
				"printing it on standard output\n", strerror(-rc));
		fwrite(line, 1, len, stdout);
	}
	journal_failing = rc < 0;
	free(line);
}

static int subscribe(const struct cli *c, struct kvmlstar_nl *nl)
{
	struct kvmlstar_error err;
	int rc = kvmlstar_nl_subscribe(nl, &err);

	if (rc == KVMLSTAR_E_PERMISSION)
		snprintf(err.msg, sizeof(err.msg),
			 "watch needs CAP_NET_ADMIN: the kernel lets only it listen to "
			 "kvm_lstar events, which carry every VM's records; run it as root, "
			 "or use '" PROG " wait' or '" PROG " list', which work for your own VMs");
	return rc ? fail(c, &err) : 0;
}

static bool event_wanted(const struct cli *c, const struct kvmlstar_record *ev)
{
	return (!c->pid || ev->pid == c->pid) && (!c->vm || ev->vm == c->vm) &&
	       name_wanted(c, ev);
}

static bool overrun(int rc, const struct kvmlstar_error *err)
{
	return rc == KVMLSTAR_E_IO && err->sys_errno == ENOBUFS;
}

static int print_resync(const struct kvmlstar_record *r, void *arg)
{
	/* The dump's filter has no name: --name is matched here. */
	if (name_wanted(arg, r))
		print_event(arg, r);
	return 0;
}

/* Events a resync prints before it reads the records, at most. */
#define RESYNC_DRAIN_MAX	4096

/* What a watch is at. */
struct watch {
	const struct cli *c;
	struct kvmlstar_nl *nl;
	uint32_t seen;		/* events printed, towards --count */
};

/*
 * Events were lost: print what is still queued (all older than what a
 * dump reads now, so a vCPU's last line stays its latest state), then
 * every matching record as a "resync" line.  Lines of one vCPU that come
 * after may still be a little older than its resync line: their epoch and
 * writes tell.  Resync lines do not count towards --count.
 */
static int resync(struct watch *w)
{
	struct kvmlstar_filter f = filter_of(w->c);
	struct kvmlstar_record ev;
	struct kvmlstar_error err;
	int i, rc;

	fprintf(stderr, PROG " watch: kvm_lstar events were lost (the socket buffer "
		"overran); printing the current records as \"resync\" events\n");
	for (i = 0; i < RESYNC_DRAIN_MAX && !stop_requested; i++) {
		rc = kvmlstar_nl_next_event(w->nl, 0, &ev, sizeof(ev), &err);
		if (rc == KVMLSTAR_E_TIMEOUT)
			break;
		if (overrun(rc, &err))
			continue;
		if (rc)
			return fail(w->c, &err);
		if (event_wanted(w->c, &ev)) {
			stops_open(true);
			print_event(w->c, &ev);
			stops_open(false);
		}
	}
	if (stop_requested)
		return 0;
	stops_open(true);
	rc = kvmlstar_nl_dump(w->nl, &f, print_resync, (void *)w->c, &err);
	stops_open(false);
	return rc ? fail(w->c, &err) : 0;
}

/* The timeout ran out: fine unless --count events were asked for. */
static int watch_timed_out(const struct watch *w)
{
	struct kvmlstar_error err;

	if (!w->c->count)
		return 0;
	set_error(&err, KVMLSTAR_E_TIMEOUT,
		  "the timeout ended the watch after %u of the %u events asked for",
		  w->seen, w->c->count);
	return fail(w->c, &err);
}

static bool count_reached(const struct watch *w)
{
	return w->c->count && w->seen >= w->c->count;
}

/*
 * Print the events queued on the socket, until none is left, --count is
 * reached or stdout fails.  Returns 0 to go on, else the exit status
 * (-1 for "stop, exit 0").
 */
static int print_queued(struct watch *w)
{
	struct kvmlstar_record ev;
	struct kvmlstar_error err;
	int rc;

	while (!count_reached(w)) {
		/* A flood must not outlast a stop. */
		if (stop_requested)
			return -1;
		rc = kvmlstar_nl_next_event(w->nl, 0, &ev, sizeof(ev), &err);
		if (rc == KVMLSTAR_E_TIMEOUT)
			return 0;
		if (overrun(rc, &err)) {
			rc = resync(w);
			if (rc)
				return rc;
			continue;
		}
		if (rc)
			return fail(w->c, &err);
		if (event_wanted(w->c, &ev)) {
			stops_open(true);
			print_event(w->c, &ev);
			stops_open(false);
			w->seen++;
		}
		/* A stop that interrupted the write is a stop, not a failure. */
		if (stop_requested)
			return -1;
		/* A reader that went away, or a full disk: stop, and say so at exit. */
		if (stdout_failed())
			return 1;
	}
	return -1;
}

/* Print events until a stop; returns the exit status. */
static int watch_loop(struct watch *w)
{
	int64_t deadline = w->c->timeout_ms < 0 ? -1 : now_ms() + w->c->timeout_ms;
	struct pollfd pfd = { .fd = kvmlstar_nl_event_fd(w->nl), .events = POLLIN };
	struct timespec ts, *tsp;
	int n, rc, e, left;

	while (!count_reached(w)) {
		if (stop_requested)
			return 0;
		left = remaining_ms(deadline);
		ts = (struct timespec){ .tv_sec = left / 1000, .tv_nsec = left % 1000 * 1000000L };
		tsp = left < 0 ? NULL : &ts;
		/* The stop signals are unblocked only while this sleeps. */
		n = ppoll(&pfd, 1, tsp, &open_mask);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			struct kvmlstar_error err;

			e = errno;
			set_error(&err, KVMLSTAR_E_IO, "waiting for events: %s", strerror(e));
			return fail(w->c, &err);
		}
		if (n == 0)
			return watch_timed_out(w);
		if (pfd.revents) {
			rc = print_queued(w);
			if (rc)
				return rc < 0 ? 0 : rc;
		}
	}
	return 0;
}

int cmd_watch(struct cli *c)
{
	struct watch w = { .c = c };
	struct kvmlstar_error err;
	int rc;

	/* Each event should reach a pipe reader as it happens. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (catch_stop_signals() < 0) {
		set_error(&err, KVMLSTAR_E_IO, "cannot set up the stop signals: %s",
			  strerror(errno));
		return fail(c, &err);
	}
	rc = open_nl(c, &w.nl);
	if (!rc)
		rc = subscribe(c, w.nl);
	/*
	 * Subscribed first: the names of the VMs alive now are read (and kept
	 * for their gone events), those of VMs started later at their first.
	 */
	if (!rc && c->vm_name)
		rc = resolve_name(c, w.nl, NAME_CHECK, NULL);
	if (!rc)
		rc = watch_loop(&w);
	kvmlstar_nl_close(w.nl);
	if (stop_requested)
		forget_interrupted_output();
	/* From here a second stop signal is delivered (and kills) at once. */
	sigprocmask(SIG_SETMASK, &open_mask, NULL);
	return rc;
}

/* ------------------------------------------------------------------ */
/* clear                                                               */
/* ------------------------------------------------------------------ */

/* Above PID_MAX_LIMIT: no process has it, so no record either. */
#define NO_SUCH_PID	4194305u

int cmd_clear(struct cli *c)
{
	struct kvmlstar_filter f;
	struct kvmlstar_error err;
	struct kvmlstar_nl *nl;
	char name[TEXT_NAME_LEN];
	int rc = open_nl(c, &nl);

	if (rc)
		return rc;
	if (c->vm_name) {
		rc = resolve_name(c, nl, NAME_FILTER, NULL);
		if (rc) {
			kvmlstar_nl_close(nl);
			return rc;
		}
	}
	f = filter_of(c);
	/*
	 * A name no VM has clears what a pid without records does, nothing,
	 * but is still asked of the module, which decides who may clear.
	 */
	if (name_matches_none(c))
		f.pid = NO_SUCH_PID;
	rc = kvmlstar_nl_clear(nl, &f, &err);
	kvmlstar_nl_close(nl);
	if (rc)
		return fail(c, &err);
	text_name(c->vm_name, KVMLSTAR_NAME_LEN, name);
	if (name_matches_none(c))
		printf("no VM is named %s: no records cleared\n", name);
	else if (c->vm_name)
		printf("cleared the records of pid %u, whose VM is named %s\n", c->pid, name);
	else if (c->pid)
		printf("cleared the records of pid %u\n", c->pid);
	else if (c->vm)
		printf("cleared the records of VM %u\n", c->vm);
	else
		printf("cleared all records\n");
	return 0;
}
