// SPDX-License-Identifier: GPL-2.0
/*
 * lstar-bench: the measurements of `make bench` that need a VMM of their
 * own or a raw netlink client.  Runs inside the VM harness, as root.
 *
 *   lstar-bench latency --client watch|poll [--poll-ms MS] [--count N]
 *                       [--gap-ms MIN:MAX] [--fep] [--kvm-lstar PATH]
 *                       [--samples FILE]
 *   lstar-bench exits [--count N] [--chunk C] [--on CMD --off CMD
 *                     [--segments K] [--segment-ms MS] [--settle-ms MS]
 *                     [--steady G] [--tolerance PCT] [--percentile P]
 *                     [--setup CMD] [--teardown CMD]]
 *   lstar-bench many --vms M --vcpus V
 *   lstar-bench dump [--repeat K] [--expect N]
 *   lstar-bench flood [--uid UID] [--get-vm ID] [--null]
 * Every mode takes --cpu N: run on CPU N only.
 *
 * exits: one VM, one vCPU that makes CPUID exits (each one a VM exit that
 * KVM handles in the kernel) in chunks of C.  Alone: N exits, one rate.
 * With --on/--off: segments of MS ms of exits, the shell command OFF run
 * before the first, ON before the second, and so on in turn (e.g. loading
 * and unloading kvm_lstar), each followed by a pause (--settle-ms) and a
 * few warm-up chunks, in the same VM and process.  Each segment is
 * compared with the mean of its two neighbours when those agree within
 * PCT percent, until G such comparisons (at most K segments); their median
 * is printed: "exits ... steady=G ratio=R ... rate_on=.. rate_off=..".
 *
 * many: M VMs of V vCPUs in this one process; each vCPU writes its LSTAR
 * and exits once (the module creates and fills its record), then is parked
 * (no KVM_RUN, so no exits) while the VMs stay open.  Prints "READY ...",
 * then reads commands on stdin: "touch" runs every vCPU once more (one HLT
 * exit each, which re-creates the records after a module reload or clear)
 * and prints "TOUCHED ..."; "quit" or end of input exits.
 *
 * dump: K dumps of every record through libkvmlstar on one open handle,
 * timed: "dump records=N repeat=K p50_ms=... open_ms=...".
 *
 * flood: as uid UID (default 65534, an unprivileged user with no VMs),
 * STATUS, a GET of VM ID's vCPU 0 (another user's: not found) and a dump
 * (nothing to see), in turn, as fast as it can, until SIGTERM or SIGINT;
 * then prints "flood requests=N status=.. get=.. dump=.. seconds=S".
 * --null: the same loop with no request, as the flood's baseline: the
 * other CPU is as busy, and only the requests differ.
 *
 * Exit status: 0 success, 1 failure (one line on stderr), 2 bad usage.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <grp.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/kvm.h>

#include "kvmlstar.h"
#include "longmode.h"

#define PROG			"lstar-bench"

#define BENCH_PORT		0x4c42		/* 'L' 'B' */
#define MAX_VCPUS		LM_MAX_VCPUS

/*
 * Guest memory as in longmode.h, one mapping shared by every VM; vCPU i's
 * code at LM_CODE_GPA(i).  All vCPUs get the same RSP (no guest code here
 * touches the stack).
 */
#define VALUE_GPA		LM_FREE_GPA	/* latency: the next value */
#define STACK_TOP		0x100000ull

/* Values: canonical, 2 MiB apart, distinct per capture. */
#define VALUE_BASE		0xffff900000000000ull
#define WARMUP_BASE		0xffffa00000000000ull
#define VALUE_STEP		0x200000ull

#define NSEC_PER_SEC		1000000000ull
#define EVENT_TIMEOUT_NS	(20 * NSEC_PER_SEC)

enum step_code {
	STEP_WROTE = 1,		/* a value was just written */
	STEP_ZERO,		/* LSTAR was just set back to 0 */
	STEP_CHUNK,		/* exits: a chunk of CPUID exits is done */
};

struct vcpu {
	int id;
	int fd;
	struct kvm_run *run;
};

struct vm {
	int fd;
	int nvcpus;
	struct vcpu *vcpus;
};

static struct lm_kvm kvm;

static __attribute__((noreturn, format(printf, 1, 2)))
void die(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, PROG ": ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static __attribute__((noreturn, format(printf, 1, 2)))
void usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, PROG ": ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see --help)\n");
	exit(2);
}

static void usage(void)
{
	printf(
"usage: " PROG " latency --client watch|poll [--poll-ms MS] [--count N]\n"
"                          [--gap-ms MIN:MAX] [--fep] [--kvm-lstar PATH]\n"
"                          [--samples FILE]\n"
"       " PROG " exits [--count N] [--chunk C] [--on CMD --off CMD\n"
"                        [--segments K] [--segment-ms MS] [--settle-ms MS]\n"
"                        [--steady G] [--tolerance PCT] [--percentile P]\n"
"                        [--setup CMD] [--teardown CMD]]\n"
"       " PROG " many --vms M --vcpus V\n"
"       " PROG " dump [--repeat K] [--expect N]\n"
"       " PROG " flood [--uid UID] [--get-vm ID] [--null]\n"
"       every mode: [--cpu N] (run on CPU N only)\n"
"\n"
"latency  guest write to client, over N captures (default 200); the client\n"
"         is 'kvm-lstar watch' (PATH, default kvm-lstar) or a KVM_GET_MSRS\n"
"         poll every MS ms (default 100); --fep writes through KVM's\n"
"         emulator (the intercept path); --gap-ms: random pause before\n"
"         each write (default 1:MS for poll; 70:80 for watch, below the\n"
"         module's budget of 16 events a second per vCPU)\n"
"exits    N CPUID exits (default 10000) in chunks of C (default 50); or\n"
"         segments of MS ms of exits (default 400), OFF, ON, OFF... run\n"
"         before each and a pause of --settle-ms (default 500); each one\n"
"         against its neighbours when they agree within PCT%% (default 3),\n"
"         until G (default 15) such, at most K segments (default 121);\n"
"         a segment's rate: its chunk at percentile P of times (default\n"
"         10, the fast tail); SETUP once before the first segment and\n"
"         TEARDOWN once after the last, with the VM made\n"
"many     M VMs of V vCPUs (1..%d) that each capture once, then park;\n"
"         stdin: 'touch' (one more exit per vCPU), 'quit'\n"
"dump     K timed dumps of all records through libkvmlstar (default 11);\n"
"         --expect: fail unless at least N records come back\n"
"flood    as UID (default 65534): STATUS, GET of VM ID's vCPU 0 (default 1:\n"
"         not UID's, so not found) and a dump, in turn, until SIGTERM;\n"
"         --null: the same loop with no request (a CPU kept busy)\n",
		MAX_VCPUS);
	exit(0);
}

static unsigned long parse_ulong(const char *name, const char *s,
				 unsigned long min, unsigned long max)
{
	unsigned long v;
	char *end;

	if (!*s || !strchr("0123456789", *s))
		usage_error("bad %s value '%s': not a number", name, s);
	errno = 0;
	v = strtoul(s, &end, 10);
	if (*end || errno || v < min || v > max)
		usage_error("bad %s value '%s': must be %lu..%lu", name, s, min, max);
	return v;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

static void sleep_ns(uint64_t ns)
{
	struct timespec ts = {
		.tv_sec = (time_t)(ns / NSEC_PER_SEC),
		.tv_nsec = (long)(ns % NSEC_PER_SEC),
	};

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static uint32_t random_u32(void)
{
	uint32_t r;

	if (getrandom(&r, sizeof(r), 0) != sizeof(r))
		die("getrandom failed: %s", strerror(errno));
	return r;
}

/* ---- guest set-up ------------------------------------------------------ */

/* /dev/kvm, the shared guest memory (page tables, GDT, TSS) and CPUID. */
static void kvm_init(void)
{
	struct lm_error err;

	if (lm_init(&kvm, &err))
		die("%s", err.msg);
}

static void vm_create(struct vm *vm, int nvcpus)
{
	struct lm_error err;

	vm->fd = lm_vm_create(&kvm, &err);
	if (vm->fd < 0)
		die("%s", err.msg);
	vm->nvcpus = nvcpus;
	vm->vcpus = calloc(nvcpus, sizeof(*vm->vcpus));
	if (!vm->vcpus)
		die("out of memory");
	for (int i = 0; i < nvcpus; i++) {
		struct vcpu *v = &vm->vcpus[i];

		v->id = i;
		v->fd = lm_vcpu_create(&kvm, vm->fd, i, STACK_TOP, &v->run,
				       &err);
		if (v->fd < 0)
			die("%s", err.msg);
	}
}

/* ---- guest code ---------------------------------------------------------- */

/* "mov dx, BENCH_PORT; mov al, code; out dx, al": one exit to the VMM. */
static void emit_step(struct lm_code *c, uint8_t code)
{
	lm_emit_out(c, BENCH_PORT, code);
}

/* "mov ecx, MSR_LSTAR; [ud2; kvm]; wrmsr" (edx:eax already set). */
static void emit_wrmsr(struct lm_code *c, bool fep)
{
	lm_emit8(c, 0xb9);
	lm_emit32(c, MSR_LSTAR);
	if (fep)
		lm_emit_fep(c);
	lm_emit(c, "\x0f\x30", 2);
}

/* "mov eax, imm32; mov edx, imm32": edx:eax = value. */
static void emit_value(struct lm_code *c, uint64_t value)
{
	lm_emit8(c, 0xb8);
	lm_emit32(c, (uint32_t)value);
	lm_emit8(c, 0xba);
	lm_emit32(c, (uint32_t)(value >> 32));
}

/* The end of a guest's code: all of it must have fitted. */
static void code_done(const struct lm_code *c)
{
	if (c->overflow)
		die("internal error: guest code too big");
}

/*
 * latency guest, at LM_CODE_GPA(0):
 *   1: edx:eax = [VALUE_GPA]; wrmsr LSTAR; out STEP_WROTE
 *      edx:eax = 0;           wrmsr LSTAR; out STEP_ZERO; jmp 1b
 */
static void build_latency_guest(bool fep)
{
	struct lm_code c = { .p = kvm.mem + LM_CODE_GPA(0) };
	int32_t back;

	lm_emit(&c, "\x8b\x04\x25", 3);		/* mov eax, [disp32] */
	lm_emit32(&c, VALUE_GPA);
	lm_emit(&c, "\x8b\x14\x25", 3);		/* mov edx, [disp32] */
	lm_emit32(&c, VALUE_GPA + 4);
	emit_wrmsr(&c, fep);
	emit_step(&c, STEP_WROTE);
	emit_value(&c, 0);
	emit_wrmsr(&c, fep);
	emit_step(&c, STEP_ZERO);
	back = -(int32_t)(c.len + 5);
	lm_emit8(&c, 0xe9);			/* jmp rel32 */
	lm_emit32(&c, (uint32_t)back);
	code_done(&c);
}

/* many guest, at LM_CODE_GPA(i): write LSTAR once, out, 1: hlt; jmp 1b. */
static void build_many_guest(int i, uint64_t value)
{
	struct lm_code c = { .p = kvm.mem + LM_CODE_GPA(i) };

	emit_value(&c, value);
	emit_wrmsr(&c, false);
	emit_step(&c, STEP_WROTE);
	lm_emit(&c, "\xf4\xeb\xfd", 3);
	code_done(&c);
}

/*
 * exits guest, at LM_CODE_GPA(0): write LSTAR once (a captured guest, as in
 * real life), then 1: @chunk times "cpuid" (each one a VM exit that KVM
 * handles in the kernel), out STEP_CHUNK, jmp 1b.
 */
static void build_exits_guest(uint32_t chunk)
{
	struct lm_code c = { .p = kvm.mem + LM_CODE_GPA(0) };
	size_t loop;

	emit_value(&c, VALUE_BASE);
	emit_wrmsr(&c, false);
	emit_step(&c, STEP_WROTE);
	loop = c.len;
	lm_emit8(&c, 0xbe);			/* mov esi, chunk */
	lm_emit32(&c, chunk);
	/* 2: xor eax, eax; xor ecx, ecx; cpuid; dec esi; jnz 2b */
	lm_emit(&c, "\x31\xc0\x31\xc9\x0f\xa2\xff\xce\x75\xf6", 10);
	emit_step(&c, STEP_CHUNK);
	lm_emit8(&c, 0xe9);			/* jmp rel32 1b */
	lm_emit32(&c, (uint32_t)-(int32_t)(c.len + 4 - loop));
	code_done(&c);
}

static void run_once(struct vcpu *v)
{
	struct lm_error err;

	if (lm_vcpu_run(v->fd, v->id, &err))
		die("%s", err.msg);
}

/* Run until the guest's next step "out"; anything else is a failure. */
static void run_step(struct vcpu *v, uint8_t want)
{
	struct kvm_run *r = v->run;
	uint8_t got;

	run_once(v);
	if (r->exit_reason != KVM_EXIT_IO || r->io.port != BENCH_PORT ||
	    r->io.direction != KVM_EXIT_IO_OUT || r->io.size != 1)
		die("vcpu %d: unexpected exit (reason %u) waiting for step %u",
		    v->id, r->exit_reason, want);
	got = *((uint8_t *)r + r->io.data_offset);
	if (got != want)
		die("vcpu %d: guest reported step %u, expected %u", v->id, got, want);
}

/* ---- statistics ---------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Nearest-rank percentile of @n sorted values. */
static double pct(const double *v, size_t n, double p)
{
	size_t rank = (size_t)(p / 100.0 * n + 0.999999);

	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return v[rank - 1];
}

static void print_dist(const char *prefix, double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	printf(" %sp50_us=%.1f %sp90_us=%.1f %sp99_us=%.1f %smin_us=%.1f %smax_us=%.1f",
	       prefix, pct(v, n, 50), prefix, pct(v, n, 90), prefix, pct(v, n, 99),
	       prefix, v[0], prefix, v[n - 1]);
}

/* ---- latency ------------------------------------------------------------- */

/*
 * What the observer (watch reader or poller) and the VMM share: the value
 * the VMM waits to see learnt, and when and how the client learnt it.
 */
static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	uint64_t want;		/* 0: nothing awaited */
	bool seen;
	uint64_t seen_ns;	/* CLOCK_BOOTTIME when the client had it */
	uint64_t captured_ns;	/* watch: the record's captured_ns */
	bool dead;		/* the client is gone */
	char why[200];
	bool stop;
} obs = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.cond = PTHREAD_COND_INITIALIZER,
};

static void obs_learnt(uint64_t value, uint64_t t, uint64_t captured_ns)
{
	pthread_mutex_lock(&obs.lock);
	if (obs.want && value == obs.want && !obs.seen) {
		obs.seen = true;
		obs.seen_ns = t;
		obs.captured_ns = captured_ns;
		pthread_cond_signal(&obs.cond);
	}
	pthread_mutex_unlock(&obs.lock);
}

static void obs_dead(const char *why)
{
	pthread_mutex_lock(&obs.lock);
	if (!obs.dead) {
		obs.dead = true;
		snprintf(obs.why, sizeof(obs.why), "%s", why);
	}
	pthread_cond_signal(&obs.cond);
	pthread_mutex_unlock(&obs.lock);
}

static uint64_t json_u64(const char *line, const char *key, int base)
{
	const char *p = strstr(line, key);

	return p ? strtoull(p + strlen(key), NULL, base) : 0;
}

/* The watch child's stdout: one JSON object per event. */
static void *watch_reader(void *arg)
{
	FILE *f = arg;
	char *line = NULL;
	size_t cap = 0;

	while (getline(&line, &cap, f) > 0) {
		uint64_t t = now_ns();

		if (!strstr(line, "\"event\": \"capture\""))
			continue;
		obs_learnt(json_u64(line, "\"lstar\": \"", 16), t,
			   json_u64(line, "\"captured_ns\": ", 10));
	}
	free(line);
	obs_dead("the kvm-lstar watch client closed its output (exited)");
	return NULL;
}

static pid_t start_watch(const char *tool, pthread_t *reader)
{
	char pid_arg[16];
	int fds[2];
	FILE *f;
	pid_t pid;

	snprintf(pid_arg, sizeof(pid_arg), "%d", (int)getpid());
	if (pipe(fds))
		die("pipe failed: %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		die("fork failed: %s", strerror(errno));
	if (pid == 0) {
		dup2(fds[1], STDOUT_FILENO);
		close(fds[0]);
		close(fds[1]);
		execlp(tool, tool, "watch", "--json", "--pid", pid_arg, (char *)NULL);
		fprintf(stderr, PROG ": cannot run %s: %s\n", tool, strerror(errno));
		_exit(127);
	}
	close(fds[1]);
	f = fdopen(fds[0], "r");
	if (!f)
		die("fdopen failed: %s", strerror(errno));
	if (pthread_create(reader, NULL, watch_reader, f))
		die("pthread_create failed");
	return pid;
}

/*
 * End the watch: SIGTERM, and SIGKILL if it has not exited within 2 s.
 * (kvm-lstar watch checks its stop flag only after a receive returns, so
 * a SIGTERM that lands while it prints blocks it until the next event.)
 */
static void stop_watch(pid_t pid)
{
	int status;

	kill(pid, SIGTERM);
	for (int i = 0; i < 200; i++) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			return;
		if (r < 0)
			die("waitpid failed: %s", strerror(errno));
		sleep_ns(10000000);
	}
	fprintf(stderr, PROG ": note: kvm-lstar watch ignored SIGTERM for 2 s; killed\n");
	kill(pid, SIGKILL);
	if (waitpid(pid, &status, 0) < 0)
		die("waitpid failed: %s", strerror(errno));
}

struct poller {
	struct vcpu *v;
	uint64_t period_ns;
	uint64_t polls;
};

static void ts_add(struct timespec *ts, uint64_t ns)
{
	ts->tv_sec += (time_t)(ns / NSEC_PER_SEC);
	ts->tv_nsec += (long)(ns % NSEC_PER_SEC);
	if (ts->tv_nsec >= (long)NSEC_PER_SEC) {
		ts->tv_sec++;
		ts->tv_nsec -= NSEC_PER_SEC;
	}
}

static bool ts_before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec ||
	       (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

/* KVM_GET_MSRS of LSTAR every period, on a fixed schedule. */
static void *poll_thread(void *arg)
{
	struct poller *p = arg;
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry entry;
	} req;
	struct timespec next, now;

	clock_gettime(CLOCK_MONOTONIC, &next);
	for (;;) {
		ts_add(&next, p->period_ns);
		/* Behind schedule: skip the ticks already missed, like a timer. */
		clock_gettime(CLOCK_MONOTONIC, &now);
		while (ts_before(&next, &now))
			ts_add(&next, p->period_ns);
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL) == EINTR)
			;
		pthread_mutex_lock(&obs.lock);
		if (obs.stop) {
			pthread_mutex_unlock(&obs.lock);
			return NULL;
		}
		pthread_mutex_unlock(&obs.lock);

		memset(&req, 0, sizeof(req));
		req.hdr.nmsrs = 1;
		req.entry.index = MSR_LSTAR;
		if (ioctl(p->v->fd, KVM_GET_MSRS, &req) != 1) {
			obs_dead("KVM_GET_MSRS of LSTAR failed");
			return NULL;
		}
		p->polls++;
		obs_learnt(req.entry.data, now_ns(), 0);
	}
}

/*
 * One capture: write @value, wait until the client learnt it, reset.
 * Returns the client's delay in ns (and the split through captured_ns),
 * or 0 if @timeout_ns ran out (only allowed while warming up).
 */
static uint64_t one_capture(struct vcpu *v, uint64_t value, uint64_t gap_ns,
			    uint64_t timeout_ns, uint64_t *t0_out,
			    uint64_t *captured_out)
{
	struct timespec until;
	uint64_t t0, lat = 0;
	int err = 0;

	*(volatile uint64_t *)(kvm.mem + VALUE_GPA) = value;
	sleep_ns(gap_ns);

	pthread_mutex_lock(&obs.lock);
	obs.want = value;
	obs.seen = false;
	pthread_mutex_unlock(&obs.lock);

	t0 = now_ns();
	run_step(v, STEP_WROTE);

	clock_gettime(CLOCK_REALTIME, &until);
	ts_add(&until, timeout_ns);
	pthread_mutex_lock(&obs.lock);
	while (!obs.seen && !obs.dead && err != ETIMEDOUT)
		err = pthread_cond_timedwait(&obs.cond, &obs.lock, &until);
	if (obs.dead) {
		pthread_mutex_unlock(&obs.lock);
		die("%s", obs.why);
	}
	if (obs.seen) {
		lat = obs.seen_ns > t0 ? obs.seen_ns - t0 : 1;
		*captured_out = obs.captured_ns;
	}
	obs.want = 0;
	pthread_mutex_unlock(&obs.lock);
	*t0_out = t0;

	run_step(v, STEP_ZERO);
	return lat;
}

struct latency_opts {
	bool poll;
	unsigned long poll_ms;
	unsigned long count;
	unsigned long gap_min_ms, gap_max_ms;
	bool gap_set;
	bool fep;
	const char *tool;
	const char *samples;
};

static uint64_t random_gap(const struct latency_opts *o)
{
	uint64_t span = (o->gap_max_ms - o->gap_min_ms) * 1000000ull;

	return o->gap_min_ms * 1000000ull +
	       (span ? (uint64_t)random_u32() * span / UINT32_MAX : 0);
}

static int cmd_latency(const struct latency_opts *o)
{
	double *lat, *cap = NULL, *notify = NULL;
	struct poller poller = { 0 };
	pthread_t thread;
	pid_t watch = -1;
	struct vm vm;
	FILE *samples = NULL;
	unsigned long warm, ncap = 0;
	uint64_t t0, captured, d, start;

	kvm_init();
	build_latency_guest(o->fep);
	vm_create(&vm, 1);

	lat = calloc(o->count, sizeof(*lat));
	cap = calloc(o->count, sizeof(*cap));
	notify = calloc(o->count, sizeof(*notify));
	if (!lat || !cap || !notify)
		die("out of memory");
	if (o->samples) {
		samples = fopen(o->samples, "w");
		if (!samples)
			die("cannot write %s: %s", o->samples, strerror(errno));
		fprintf(samples, "# t0_ns captured_ns client_ns (CLOCK_BOOTTIME)\n");
	}

	if (o->poll) {
		poller.v = &vm.vcpus[0];
		poller.period_ns = o->poll_ms * 1000000ull;
		if (pthread_create(&thread, NULL, poll_thread, &poller))
			die("pthread_create failed");
	} else {
		watch = start_watch(o->tool, &thread);
	}

	/*
	 * Warm up until the client has learnt one value: a watch subscribes
	 * some time after it starts, and says nothing when it has.
	 */
	for (warm = 0; ; warm++) {
		if (warm == 30)
			die("the client learnt none of 30 warm-up captures (1 s each)");
		if (one_capture(&vm.vcpus[0], WARMUP_BASE + warm * VALUE_STEP,
				random_gap(o), NSEC_PER_SEC + poller.period_ns,
				&t0, &captured))
			break;
	}

	start = now_ns();
	for (unsigned long i = 0; i < o->count; i++) {
		d = one_capture(&vm.vcpus[0], VALUE_BASE + (i + 1) * VALUE_STEP,
				random_gap(o), EVENT_TIMEOUT_NS, &t0, &captured);
		if (!d)
			die("capture %lu: the client did not learn 0x%" PRIx64 " within %llu s",
			    i, (uint64_t)(VALUE_BASE + (i + 1) * VALUE_STEP),
			    EVENT_TIMEOUT_NS / NSEC_PER_SEC);
		lat[i] = d / 1000.0;
		if (!o->poll) {
			if (captured < t0 || captured > t0 + d)
				die("capture %lu: captured_ns %" PRIu64 " outside [write %" PRIu64
				    ", client %" PRIu64 "]: clocks disagree", i, captured, t0, t0 + d);
			cap[ncap] = (captured - t0) / 1000.0;
			notify[ncap++] = (t0 + d - captured) / 1000.0;
		}
		if (samples)
			fprintf(samples, "%" PRIu64 " %" PRIu64 " %" PRIu64 "\n",
				t0, captured, t0 + d);
	}

	printf("latency client=%s", o->poll ? "poll" : "watch");
	if (o->poll)
		printf(" poll_ms=%lu", o->poll_ms);
	printf(" path=%s n=%lu warmup=%lu seconds=%.1f", o->fep ? "intercept" : "sample",
	       o->count, warm + 1, (now_ns() - start) / 1e9);
	print_dist("", lat, o->count);
	if (ncap) {
		print_dist("cap_", cap, ncap);
		print_dist("notify_", notify, ncap);
	}
	if (o->poll)
		printf(" polls=%" PRIu64, poller.polls);
	printf("\n");

	pthread_mutex_lock(&obs.lock);
	obs.stop = true;
	pthread_mutex_unlock(&obs.lock);
	if (o->poll) {
		pthread_join(thread, NULL);
	} else {
		stop_watch(watch);
		pthread_join(thread, NULL);
	}
	if (samples && fclose(samples))
		die("writing %s failed: %s", o->samples, strerror(errno));
	return 0;
}

/* ---- exits ------------------------------------------------------------- */

/* Run a shell command between two segments (not timed); it must succeed. */
static void run_command(const char *cmd)
{
	int status;

	fflush(stdout);
	status = system(cmd);
	if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status))
		die("'%s' failed (status 0x%x)", cmd, status);
}

#define WARMUP_CHUNKS	4

struct segment {
	bool on;
	double rate;		/* exits/s of its p10 chunk */
};

/*
 * Exits per second of the chunk at percentile @p of @n chunk durations.
 * The fast tail (p10) is the machine's own speed: a chunk lasts ~1.5 ms,
 * less than a host time slice, so under load many chunks still run whole
 * while the median ones share the CPU.
 */
static double chunk_rate(double *ns, size_t n, unsigned long chunk, double p)
{
	qsort(ns, n, sizeof(*ns), cmp_double);
	return chunk * 1e9 / pct(ns, n, p);
}

/*
 * exits: CPUID exits in chunks of @chunk.  Without @on: @count exits, one
 * rate.  With @on and @off: segments of about @seg_ms of exits, the first
 * one after @off, then after @on, @off, ... in turn; the same VM and
 * process throughout; the commands, @settle_ms after each and a few
 * warm-up chunks are left out of the timing.  A segment's rate is that of
 * its chunk at percentile @chunk_pct of durations (default 10: see
 * chunk_rate()), so host load that comes and goes spoils chunks, not the
 * segment.  Each segment is compared with the mean of its two
 * neighbours (A-B-A: that cancels a steady drift of the machine's speed),
 * and a comparison counts only when the two neighbours agree within
 * @tol_pct percent: the load did not change in between.  Segments go on
 * until @good comparisons count (or @nseg segments, which fails if fewer
 * than 3 counted); the median of them is the result.  @setup runs once
 * before the first segment, in the VM's process, @teardown once after the
 * last (e.g. to bring a CPU online only while no VM is made or destroyed).
 */
struct exits_opts {
	unsigned long count, chunk;
	const char *on, *off;		/* the switch between segments */
	const char *setup, *teardown;	/* once, around all the segments */
	unsigned long nseg, seg_ms, settle_ms, good;
	double tol_pct, chunk_pct;
};

static int cmd_exits(const struct exits_opts *o)
{
	double *ratio, *ron, *roff, *ns = NULL;
	size_t ns_cap = 0, n;
	unsigned long nratio = 0, non = 0, noff = 0, i;
	uint64_t t0, d, total;
	struct segment *seg;
	struct vcpu *v;
	struct vm vm;

	kvm_init();
	build_exits_guest((uint32_t)o->chunk);
	vm_create(&vm, 1);
	v = &vm.vcpus[0];
	run_step(v, STEP_WROTE);
	run_step(v, STEP_CHUNK);		/* warm-up */

	if (!o->on) {
		unsigned long chunks = (o->count + o->chunk - 1) / o->chunk;

		total = 0;
		for (i = 0; i < chunks; i++) {
			t0 = now_ns();
			run_step(v, STEP_CHUNK);
			total += now_ns() - t0;
		}
		printf("exits n=%lu chunk=%lu seconds=%.3f exits_per_s=%.1f\n",
		       chunks * o->chunk, o->chunk, total / 1e9, chunks * o->chunk * 1e9 / total);
		return 0;
	}

	seg = calloc(o->nseg, sizeof(*seg));
	ratio = calloc(o->nseg, sizeof(*ratio));
	ron = calloc(o->nseg, sizeof(*ron));
	roff = calloc(o->nseg, sizeof(*roff));
	if (!seg || !ratio || !ron || !roff)
		die("out of memory");
	if (o->setup)
		run_command(o->setup);
	printf("exits segments:");
	for (i = 0; i < o->nseg && nratio < o->good; i++) {
		seg[i].on = i % 2;
		run_command(seg[i].on ? o->on : o->off);
		/*
		 * Let the switch's deferred work finish (on this one-CPU
		 * bench it would be timed as exits), and re-warm what it
		 * flushed (patched kernel text is re-translated by TCG).
		 */
		sleep_ns(o->settle_ms * 1000000ull);
		for (int w = 0; w < WARMUP_CHUNKS; w++)
			run_step(v, STEP_CHUNK);
		for (n = 0, total = 0; total < o->seg_ms * 1000000ull; n++) {
			t0 = now_ns();
			run_step(v, STEP_CHUNK);
			d = now_ns() - t0;
			total += d;
			if (n == ns_cap) {
				ns_cap = ns_cap ? 2 * ns_cap : 256;
				ns = realloc(ns, ns_cap * sizeof(*ns));
				if (!ns)
					die("out of memory");
			}
			ns[n] = (double)d;
		}
		seg[i].rate = chunk_rate(ns, n, o->chunk, o->chunk_pct);
		printf(" %s%.0f", seg[i].on ? "+" : "-", seg[i].rate);
		if (seg[i].on)
			ron[non++] = seg[i].rate;
		else
			roff[noff++] = seg[i].rate;

		/* The triplet centred on the previous segment, if steady. */
		if (i >= 2) {
			double a = seg[i - 2].rate, b = seg[i].rate;
			double mid = seg[i - 1].rate, around = (a + b) / 2;

			if (fabs(a - b) / around * 100 <= o->tol_pct)
				ratio[nratio++] = seg[i - 1].on ? mid / around : around / mid;
		}
	}
	printf("\n");
	run_command(o->off);
	if (o->teardown)
		run_command(o->teardown);
	if (nratio < 3 || (nratio < o->good && nratio * 2 < i - 2))
		die("too noisy to measure: %lu of %lu comparisons had neighbours within %.1f%% (the host is busy)",
		    nratio, i - 2, o->tol_pct);

	qsort(ratio, nratio, sizeof(*ratio), cmp_double);
	qsort(ron, non, sizeof(*ron), cmp_double);
	qsort(roff, noff, sizeof(*roff), cmp_double);
	printf("exits segments=%lu segment_ms=%lu chunk=%lu steady=%lu ratio=%.4f ratio_p25=%.4f ratio_p75=%.4f rate_on=%.1f rate_off=%.1f\n",
	       i, o->seg_ms, o->chunk, nratio, pct(ratio, nratio, 50), pct(ratio, nratio, 25),
	       pct(ratio, nratio, 75), pct(ron, non, 50), pct(roff, noff, 50));
	free(ns);
	return 0;
}

/* ---- many -------------------------------------------------------------- */

static int cmd_many(unsigned long nvms, unsigned long nvcpus)
{
	struct rlimit rl;
	struct vm *vms;
	char cmd[64];
	uint64_t start;
	unsigned long need = nvms * (nvcpus + 1) + 64;

	/* Every vCPU keeps its fd, for "touch". */
	if (getrlimit(RLIMIT_NOFILE, &rl))
		die("getrlimit failed: %s", strerror(errno));
	if (rl.rlim_cur < need) {
		rl.rlim_cur = need;
		if (rl.rlim_max < need)
			rl.rlim_max = need;
		if (setrlimit(RLIMIT_NOFILE, &rl))
			die("cannot raise the open file limit to %lu: %s", need,
			    strerror(errno));
	}

	kvm_init();
	for (unsigned long i = 0; i < nvcpus; i++)
		build_many_guest(i, VALUE_BASE + (i + 1) * VALUE_STEP);
	vms = calloc(nvms, sizeof(*vms));
	if (!vms)
		die("out of memory");

	start = now_ns();
	for (unsigned long m = 0; m < nvms; m++) {
		vm_create(&vms[m], nvcpus);
		for (unsigned long i = 0; i < nvcpus; i++)
			run_step(&vms[m].vcpus[i], STEP_WROTE);
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("READY pid=%d vms=%lu vcpus=%lu records=%lu seconds=%.1f\n",
	       (int)getpid(), nvms, nvcpus, nvms * nvcpus, (now_ns() - start) / 1e9);

	while (fgets(cmd, sizeof(cmd), stdin)) {
		if (!strcmp(cmd, "quit\n"))
			break;
		if (strcmp(cmd, "touch\n"))
			die("unknown command '%.*s' (touch, quit)",
			    (int)strcspn(cmd, "\n"), cmd);
		start = now_ns();
		for (unsigned long m = 0; m < nvms; m++) {
			for (unsigned long i = 0; i < nvcpus; i++) {
				struct vcpu *v = &vms[m].vcpus[i];

				run_once(v);
				if (v->run->exit_reason != KVM_EXIT_HLT)
					die("vcpu %d of VM %lu: exit reason %u, expected HLT",
					    v->id, m, v->run->exit_reason);
			}
		}
		printf("TOUCHED exits=%lu seconds=%.2f\n", nvms * nvcpus,
		       (now_ns() - start) / 1e9);
	}
	return 0;
}

/* ---- dump --------------------------------------------------------------- */

/*
 * K dumps of every record through libkvmlstar (kvmlstar_nl_list(): the
 * netlink dump, libnl's parsing, the records array), on one open handle,
 * as a monitoring program pays per refresh; the connection is timed apart.
 */
static int cmd_dump(unsigned long repeat, unsigned long expect)
{
	struct kvmlstar_record *recs;
	struct kvmlstar_error err;
	struct kvmlstar_nl *nl;
	size_t n = 0;
	double *ms, open_ms;
	uint64_t t;

	ms = calloc(repeat, sizeof(*ms));
	if (!ms)
		die("out of memory");
	t = now_ns();
	if (kvmlstar_nl_open(&nl, &err))
		die("%s", err.msg);
	open_ms = (now_ns() - t) / 1e6;
	for (unsigned long k = 0; k < repeat; k++) {
		t = now_ns();
		if (kvmlstar_nl_list(nl, NULL, &recs, sizeof(*recs), &n, &err))
			die("dump %lu: %s", k, err.msg);
		ms[k] = (now_ns() - t) / 1e6;
		free(recs);
		if (n < expect)
			die("dump %lu: %zu records, expected at least %lu", k, n, expect);
	}
	kvmlstar_nl_close(nl);
	qsort(ms, repeat, sizeof(*ms), cmp_double);
	printf("dump records=%zu repeat=%lu p50_ms=%.2f min_ms=%.2f max_ms=%.2f open_ms=%.2f\n",
	       n, repeat, pct(ms, repeat, 50), ms[0], ms[repeat - 1], open_ms);
	return 0;
}

/* ---- flood -------------------------------------------------------------- */

static volatile sig_atomic_t flood_stop;

static void flood_signal(int sig)
{
	(void)sig;
	flood_stop = 1;
}

static int flood_count(const struct kvmlstar_record *rec, void *arg)
{
	(void)rec;
	++*(unsigned long *)arg;
	return 0;
}

/*
 * flood: what any user may send, as fast as one client can, as @uid: the
 * requests that must not slow down other users' VMs.  Each one must give
 * what an unprivileged caller with no VM gets: a status, "not found", an
 * empty dump.
 */
static int cmd_flood(unsigned long uid, unsigned long get_vm, bool null)
{
	unsigned long nstatus = 0, nget = 0, ndump = 0, seen = 0;
	struct sigaction sa = { .sa_handler = flood_signal };
	struct kvmlstar_record rec;
	struct kvmlstar_status st;
	struct kvmlstar_error err;
	struct kvmlstar_nl *nl;
	uint64_t t0;
	int rc;

	if (setgroups(0, NULL) || setresgid((gid_t)uid, (gid_t)uid, (gid_t)uid) ||
	    setresuid((uid_t)uid, (uid_t)uid, (uid_t)uid))
		die("cannot become uid %lu: %s", uid, strerror(errno));
	if (sigaction(SIGTERM, &sa, NULL) || sigaction(SIGINT, &sa, NULL))
		die("sigaction failed: %s", strerror(errno));
	if (kvmlstar_nl_open(&nl, &err))
		die("%s", err.msg);
	t0 = now_ns();
	while (null && !flood_stop)
		nstatus++;	/* the same CPU kept busy, without a request */
	while (!null && !flood_stop) {
		if (kvmlstar_nl_status(nl, &st, sizeof(st), &err))
			die("status as uid %lu: %s", uid, err.msg);
		if (st.records)
			die("status as uid %lu: %u records visible, expected none", uid, st.records);
		nstatus++;
		rc = kvmlstar_nl_get(nl, (uint32_t)get_vm, 0, &rec, sizeof(rec), &err);
		if (rc != KVMLSTAR_E_NOT_FOUND)
			die("get --vm %lu as uid %lu: %s", get_vm, uid,
			    rc ? err.msg : "found, expected not found");
		nget++;
		if (kvmlstar_nl_dump(nl, NULL, flood_count, &seen, &err))
			die("dump as uid %lu: %s", uid, err.msg);
		if (seen)
			die("dump as uid %lu: %lu records, expected none", uid, seen);
		ndump++;
	}
	kvmlstar_nl_close(nl);
	if (null)
		printf("flood uid=%lu null loops=%lu seconds=%.3f\n", uid, nstatus,
		       (now_ns() - t0) / 1e9);
	else
		printf("flood uid=%lu requests=%lu status=%lu get=%lu dump=%lu seconds=%.3f\n",
		       uid, nstatus + nget + ndump, nstatus, nget, ndump, (now_ns() - t0) / 1e9);
	return 0;
}

/* Run the calling thread (and what it starts) on CPU @cpu only. */
static void pin_cpu(long cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET((int)cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		die("cannot run on CPU %ld: %s", cpu, strerror(errno));
}

/* ---- main ----------------------------------------------------------------- */

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "client",    required_argument, NULL, 'c' },
		{ "poll-ms",   required_argument, NULL, 'p' },
		{ "count",     required_argument, NULL, 'n' },
		{ "gap-ms",    required_argument, NULL, 'g' },
		{ "fep",       no_argument,       NULL, 'f' },
		{ "kvm-lstar", required_argument, NULL, 't' },
		{ "samples",   required_argument, NULL, 's' },
		{ "vms",       required_argument, NULL, 'm' },
		{ "vcpus",     required_argument, NULL, 'v' },
		{ "repeat",    required_argument, NULL, 'r' },
		{ "expect",    required_argument, NULL, 'e' },
		{ "chunk",     required_argument, NULL, 'C' },
		{ "on",        required_argument, NULL, 'O' },
		{ "off",       required_argument, NULL, 'F' },
		{ "setup",     required_argument, NULL, 'B' },
		{ "teardown",  required_argument, NULL, 'E' },
		{ "segments",  required_argument, NULL, 'S' },
		{ "segment-ms", required_argument, NULL, 'M' },
		{ "settle-ms", required_argument, NULL, 'W' },
		{ "steady",    required_argument, NULL, 'G' },
		{ "tolerance", required_argument, NULL, 'T' },
		{ "percentile", required_argument, NULL, 'P' },
		{ "uid",       required_argument, NULL, 'u' },
		{ "get-vm",    required_argument, NULL, 'V' },
		{ "cpu",       required_argument, NULL, 'U' },
		{ "null",      no_argument,       NULL, 'N' },
		{ "help",      no_argument,       NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct latency_opts lo = {
		.poll_ms = 100, .count = 200, .gap_min_ms = 1, .gap_max_ms = 10,
		.tool = "kvm-lstar",
	};
	unsigned long vms = 0, vcpus = 0, repeat = 11, expect = 0;
	struct exits_opts xo = {
		.count = 10000, .chunk = 50, .nseg = 121, .seg_ms = 400,
		.settle_ms = 500, .good = 15, .tol_pct = 3.0, .chunk_pct = 10,
	};
	unsigned long uid = 65534, get_vm = 1;
	bool null = false;
	long cpu = -1;
	const char *mode, *client = NULL;
	char *colon;
	int c;

	if (argc < 2)
		usage_error("missing mode: latency, exits, many, dump or flood");
	mode = argv[1];
	if (!strcmp(mode, "--help") || !strcmp(mode, "-h"))
		usage();
	opterr = 0;
	optind = 2;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			client = optarg;
			break;
		case 'p':
			lo.poll_ms = parse_ulong("--poll-ms", optarg, 1, 10000);
			break;
		case 'n':
			lo.count = parse_ulong("--count", optarg, 1, 100000000);
			xo.count = lo.count;
			break;
		case 'C':
			xo.chunk = parse_ulong("--chunk", optarg, 1, 1000000);
			break;
		case 'O':
			xo.on = optarg;
			break;
		case 'F':
			xo.off = optarg;
			break;
		case 'B':
			xo.setup = optarg;
			break;
		case 'E':
			xo.teardown = optarg;
			break;
		case 'S':
			xo.nseg = parse_ulong("--segments", optarg, 3, 10000);
			break;
		case 'M':
			xo.seg_ms = parse_ulong("--segment-ms", optarg, 1, 600000);
			break;
		case 'W':
			xo.settle_ms = parse_ulong("--settle-ms", optarg, 0, 600000);
			break;
		case 'G':
			xo.good = parse_ulong("--steady", optarg, 1, 10000);
			break;
		case 'P':
			xo.chunk_pct = parse_ulong("--percentile", optarg, 1, 100);
			break;
		case 'T':
			errno = 0;
			xo.tol_pct = strtod(optarg, &colon);
			if (!*optarg || *colon || errno || !(xo.tol_pct > 0 && xo.tol_pct <= 100))
				usage_error("bad --tolerance value '%s': percent, 0..100", optarg);
			break;
		case 'g':
			colon = strchr(optarg, ':');
			if (!colon)
				usage_error("bad --gap-ms value '%s': MIN:MAX", optarg);
			*colon = '\0';
			lo.gap_min_ms = parse_ulong("--gap-ms", optarg, 0, 10000);
			lo.gap_max_ms = parse_ulong("--gap-ms", colon + 1, lo.gap_min_ms, 10000);
			lo.gap_set = true;
			break;
		case 'f':
			lo.fep = true;
			break;
		case 't':
			lo.tool = optarg;
			break;
		case 's':
			lo.samples = optarg;
			break;
		case 'm':
			vms = parse_ulong("--vms", optarg, 1, 4096);
			break;
		case 'v':
			vcpus = parse_ulong("--vcpus", optarg, 1, MAX_VCPUS);
			break;
		case 'r':
			repeat = parse_ulong("--repeat", optarg, 1, 10000);
			break;
		case 'e':
			expect = parse_ulong("--expect", optarg, 0, 1UL << 24);
			break;
		case 'u':
			uid = parse_ulong("--uid", optarg, 1, 4294967294UL);
			break;
		case 'V':
			get_vm = parse_ulong("--get-vm", optarg, 1, UINT32_MAX);
			break;
		case 'N':
			null = true;
			break;
		case 'U':
			cpu = (long)parse_ulong("--cpu", optarg, 0, CPU_SETSIZE - 1);
			break;
		case 'h':
			usage();
			break;
		case ':':
			usage_error("option '%s' needs a value", argv[optind - 1]);
		default:
			usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		usage_error("unexpected argument '%s'", argv[optind]);
	pin_cpu(cpu);

	if (!strcmp(mode, "latency")) {
		if (!client || (strcmp(client, "watch") && strcmp(client, "poll")))
			usage_error("latency needs --client watch or --client poll");
		lo.poll = !strcmp(client, "poll");
		if (lo.poll && !lo.gap_set)
			lo.gap_max_ms = lo.poll_ms > 1 ? lo.poll_ms : 2;
		/*
		 * Faster than 16 captures a second, the module holds the
		 * rest for up to a second: that would time the budget.
		 */
		if (!lo.poll && !lo.gap_set) {
			lo.gap_min_ms = 70;
			lo.gap_max_ms = 80;
		}
		return cmd_latency(&lo);
	}
	if (!strcmp(mode, "exits")) {
		if (!xo.on != !xo.off)
			usage_error("exits needs both --on and --off, or neither");
		if ((xo.setup || xo.teardown) && !xo.on)
			usage_error("--setup and --teardown go with --on and --off");
		return cmd_exits(&xo);
	}
	if (!strcmp(mode, "many")) {
		if (!vms || !vcpus)
			usage_error("many needs --vms and --vcpus");
		return cmd_many(vms, vcpus);
	}
	if (!strcmp(mode, "dump"))
		return cmd_dump(repeat, expect);
	if (!strcmp(mode, "flood"))
		return cmd_flood(uid, get_vm, null);
	usage_error("unknown mode '%s': latency, exits, many, dump or flood", mode);
}
