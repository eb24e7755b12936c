// SPDX-License-Identifier: GPL-2.0
/*
 * kvm-lstar: the command-line tool of the kvm_lstar module.
 *
 * This file is the command line: the command table, option parsing with
 * strict number checks, and the help texts.  The contract it implements
 * (commands, flags, JSON, error classes, exit statuses) is fixed by the
 * project's interface document; the man page kvm-lstar(8) tells users.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#ifndef KVM_LSTAR_VERSION
#define KVM_LSTAR_VERSION "unknown"
#endif

/* PID_MAX_LIMIT on 64-bit: no pid is larger. */
#define PID_MAX		4194304u
/* Longest timeout: its milliseconds must fit an int (poll()). */
#define SECONDS_MAX	(INT_MAX / 1000)

/* Option groups: the VM(s) a command is about, the symbol source. */
#define TARGET		(OPT(PID) | OPT(VM) | OPT(NAME))
#define SYMBOLS		(OPT(VMLINUX) | OPT(SYSTEM_MAP))

/* --name, in the help of the commands that take it. */
#define NAME_HELP \
	"\n--name NAME is the VM that QEMU was given -name NAME or -name guest=NAME\n" \
	"(libvirt: the domain's name), read from the command line of each running\n" \
	"VMM whose records you see: the same as --pid of that VMM.  A name that no\n" \
	"such VM has is as a pid without records; a name of VMs of several\n" \
	"processes is a usage error (exit 2) that lists their pids for --pid.\n"
#define NAME_WAIT_HELP(cmd) \
	cmd " --name also looks among the QEMU processes you may see while no\n" \
	"VM has the name yet (QEMU started, its VM not run yet), every 100 ms\n" \
	"until one has it, then waits for that process: the wait may start\n" \
	"before QEMU does.\n"

/* kaslr's and derive's --format, in their help. */
#define FORMAT_HELP \
	"\n--format prints the offset as a consumer takes it (with --json, as the\n" \
	"object's \"text\"):\n" \
	"  gdb         symbol-file -o OFFSET VMLINUX, for gdb 8.3 or newer (--vmlinux)\n" \
	"  crash       --kaslr=OFFSET, for crash's command line\n" \
	"  libvmi      a libvmi.conf stanza with sysmap and linux_kaslr (--system-map)\n" \
	"  vmcoreinfo  OSRELEASE, PAGESIZE, SYMBOL(swapper_pg_dir) and KERNELOFFSET\n" \
	"              lines, for drgn --vmcoreinfo (--vmlinux, or a System.map named\n" \
	"              System.map-RELEASE)\n"

static const struct command commands[] = {
	{
		.name = "status", .opts = OPT(JSON), .run = cmd_status,
		.args = "[--json]",
		.summary = "show the module's version, capture paths and counters",
		.help = "Show the kvm_lstar module's version, the state of its two capture\n"
			"paths (intercept: the kvm_msr tracepoint; svm: sampling at VM exits\n"
			"on AMD) and its counters.  Unprivileged callers see counts of their\n"
			"own VMs only.\n",
	},
	{
		.name = "list", .opts = OPT(JSON) | TARGET, .run = cmd_list,
		.args = "[--pid PID | --vm N | --name NAME] [--json]",
		.summary = "list the records (all, or of one VMM process or VM)",
		.help = "List the records visible to you (your VMs; all with CAP_NET_ADMIN),\n"
			"one per VM and vCPU, sorted by VM and vCPU, then the name of each\n"
			"VM that has one.  With --json, one object per line.\n"
			NAME_HELP,
	},
	{
		.name = "get", .opts = OPT(JSON) | TARGET | OPT(VCPU),
		.one_of = { TARGET }, .run = cmd_get,
		.args = "(--pid PID | --vm N | --name NAME) [--vcpu ID] [--json]",
		.summary = "show one record",
		.help = "Show the record of one vCPU, captured or not.  With --pid, the VM of\n"
			"that VMM process; if it has several, the newest (highest VM number).\n"
			NAME_HELP,
	},
	{
		.name = "wait",
		.opts = OPT(JSON) | TARGET | OPT(VCPU) | OPT(TIMEOUT),
		.one_of = { TARGET }, .run = cmd_wait,
		.args = "(--pid PID | --vm N | --name NAME) [--vcpu ID] [--timeout SEC] [--json]",
		.summary = "wait until a vCPU's LSTAR is captured, then show it",
		.help = "Wait until the guest's first LSTAR write of the vCPU is captured and\n"
			"show the record.  Returns at once when it already is; a capture that\n"
			"happens while the command starts is never missed.  The VM need not\n"
			"exist yet.  Without --timeout it waits without limit; on timeout it\n"
			"exits 3 with the error class \"timeout\".  A vCPU whose LSTAR cannot be\n"
			"seen (KVM keeps an SEV-ES, SEV-SNP or TDX guest's state encrypted)\n"
			"fails at once: exit 4, class \"unavailable\".\n"
			NAME_HELP NAME_WAIT_HELP("wait"),
	},
	{
		.name = "watch",
		.opts = OPT(JSON) | TARGET | OPT(COUNT) | OPT(TIMEOUT),
		.run = cmd_watch,
		.args = "[--pid PID | --vm N | --name NAME] [--count N] [--timeout SEC] [--json]",
		.summary = "print capture, change, reset and gone events as they happen",
		.help = "Print the module's events as they happen: capture (first value of an\n"
			"epoch), change (a rewrite: possible hijack), reset (LSTAR back at 0),\n"
			"unavailable (the vCPU's LSTAR cannot be seen: an encrypted guest) and\n"
			"gone (the VMM exited).  If events were lost (the socket overran),\n"
			"it says so on stderr and prints every matching record as a \"resync\"\n"
			"event, not counted by --count.  Needs CAP_NET_ADMIN.  Runs until Ctrl-C\n"
			"(exit 0), until --count events were printed (exit 0), or until\n"
			"--timeout runs out: exit 0 without --count, exit 3 (class \"timeout\")\n"
			"when --count events had not been reached.\n"
			NAME_HELP
			"watch --name follows the VMs of that name, also those started while it\n"
			"runs (each event's VM is matched by its name).\n",
	},
	{
		.name = "kaslr",
		.opts = OPT(JSON) | TARGET | OPT(VCPU) | OPT(VMLINUX) |
			OPT(SYSTEM_MAP) | OPT(WAIT) | OPT(FORMAT),
		.one_of = { TARGET, SYMBOLS }, .run = cmd_kaslr,
		.args = "(--pid PID | --vm N | --name NAME) (--vmlinux FILE | --system-map FILE)\n"
			"                  [--vcpu ID] [--wait SEC] [--format FORMAT] [--json]",
		.summary = "derive a guest's virtual KASLR offset from its recorded LSTAR",
		.help = "Derive the guest's virtual KASLR offset: the recorded first LSTAR\n"
			"value of the epoch minus the link-time address of entry_SYSCALL_64 in\n"
			"the guest kernel's vmlinux or System.map.  With --wait, wait up to SEC\n"
			"seconds for the capture first.  The record's other entry-point MSRs\n"
			"(CSTAR, SYSENTER_EIP), where the module saw them, are witnesses: each\n"
			"is matched with its own symbol, and the offset is confirmed when two\n"
			"agree; one that gives another offset fails with witness_mismatch (an\n"
			"entry point redirected, or symbols not this guest's).  Derivation\n"
			"failures exit 3 (retryable) or 4 (permanent) with their class.\n"
			NAME_HELP NAME_WAIT_HELP("kaslr --wait")
			FORMAT_HELP,
	},
	{
		.name = "derive",
		.opts = OPT(JSON) | OPT(LSTAR) | OPT(LINK) | OPT(VMLINUX) | OPT(SYSTEM_MAP) |
			OPT(CSTAR) | OPT(SYSENTER_EIP) | OPT(FORMAT),
		.one_of = { OPT(LSTAR), OPT(LINK) | SYMBOLS }, .run = cmd_derive,
		.args = "--lstar HEX (--link HEX | --vmlinux FILE | --system-map FILE)\n"
			"                  [--cstar HEX] [--sysenter-eip HEX] [--format FORMAT] [--json]",
		.summary = "derive a KASLR offset from given values (no module needed)",
		.help = "Derive a virtual KASLR offset from an LSTAR value and the link-time\n"
			"address of entry_SYSCALL_64, given or looked up in a vmlinux or\n"
			"System.map.  --cstar and --sysenter-eip add witnesses, checked as\n"
			"kaslr checks them (they need the symbols, not --link).  Works\n"
			"without the module.\n"
			FORMAT_HELP,
	},
	{
		.name = "symbol", .opts = OPT(JSON) | OPT(VMLINUX) | OPT(SYSTEM_MAP),
		.one_of = { SYMBOLS }, .takes_name = true, .run = cmd_symbol,
		.args = "(--vmlinux FILE | --system-map FILE) NAME [--json]",
		.summary = "look up a symbol's link-time address",
		.help = "Print the link-time address of symbol NAME in a vmlinux (with its\n"
			"GNU build-id) or a System.map / /proc/kallsyms text file.\n",
	},
	{
		.name = "metrics", .opts = TARGET | OPT(OUTPUT), .run = cmd_metrics,
		.args = "[--pid PID | --vm N | --name NAME] [--output FILE]",
		.summary = "print the counters and records for Prometheus",
		.help = "Print the module's counters and the records you may see in the\n"
			"Prometheus text format: kvm_lstar_up (1; without the module, 0 and\n"
			"nothing else, exit 0), kvm_lstar_module_info (version, capture\n"
			"paths), kvm_lstar_records, _records_max, _vms, the counters\n"
			"kvm_lstar_evictions_total, _alloc_fails_total, _refused_total and\n"
			"_events_lost_total, and per vCPU (labels vm, vcpu): kvm_lstar_vcpu_info\n"
			"(pid, name, source, lstar, current as labels), _epoch, _writes,\n"
			"_changed, "
			"_gone, _hypervisor and _capture_timestamp_seconds.  With --output,\n"
			"the file is replaced whole (written beside it, then renamed), as\n"
			"node_exporter's textfile collector needs.\n"
			NAME_HELP,
	},
	{
		.name = "clear", .opts = TARGET, .run = cmd_clear,
		.args = "[--pid PID | --vm N | --name NAME]",
		.summary = "drop records (all, or of one VMM process or VM)",
		.help = "Drop records: all, or those of one VMM process or one VM.  Needs\n"
			"CAP_NET_ADMIN.  A live vCPU gets a new record at its next VM exit.\n"
			NAME_HELP,
	},
};

#define NR_COMMANDS	(sizeof(commands) / sizeof(commands[0]))

static const struct option long_opts[] = {
	{ "json", no_argument, NULL, OPT_JSON },
	{ "pid", required_argument, NULL, OPT_PID },
	{ "vm", required_argument, NULL, OPT_VM },
	{ "name", required_argument, NULL, OPT_NAME },
	{ "vcpu", required_argument, NULL, OPT_VCPU },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "count", required_argument, NULL, OPT_COUNT },
	{ "vmlinux", required_argument, NULL, OPT_VMLINUX },
	{ "system-map", required_argument, NULL, OPT_SYSTEM_MAP },
	{ "wait", required_argument, NULL, OPT_WAIT },
	{ "lstar", required_argument, NULL, OPT_LSTAR },
	{ "link", required_argument, NULL, OPT_LINK },
	{ "cstar", required_argument, NULL, OPT_CSTAR },
	{ "sysenter-eip", required_argument, NULL, OPT_SYSENTER_EIP },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "output", required_argument, NULL, OPT_OUTPUT },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

/* One help line per option, in long_opts order. */
static const char *const opt_help[NR_OPTS] = {
	[OPT_JSON] = "--json             print JSON (errors too, on stdout)",
	[OPT_PID] = "--pid PID          the VM(s) created by process PID",
	[OPT_VM] = "--vm N             the VM numbered N by the module",
	[OPT_NAME] = "--name NAME        the VM its VMM named NAME (QEMU's -name guest=NAME)",
	[OPT_VCPU] = "--vcpu ID          the vCPU id (default 0, the boot vCPU)",
	[OPT_TIMEOUT] = "--timeout SEC      give up after SEC seconds (decimals allowed)",
	[OPT_COUNT] = "--count N          stop after N events",
	[OPT_VMLINUX] = "--vmlinux FILE     the guest kernel's vmlinux (with symbols)",
	[OPT_SYSTEM_MAP] = "--system-map FILE  the guest kernel's System.map (or kallsyms text)",
	[OPT_WAIT] = "--wait SEC         wait up to SEC seconds for the capture",
	[OPT_LSTAR] = "--lstar HEX        the guest's MSR_LSTAR value (0x optional)",
	[OPT_LINK] = "--link HEX         the link-time entry_SYSCALL_64 (0x optional)",
	[OPT_CSTAR] = "--cstar HEX        the guest's MSR_CSTAR, a witness (0x optional)",
	[OPT_SYSENTER_EIP] = "--sysenter-eip HEX the guest's MSR_IA32_SYSENTER_EIP, a witness",
	[OPT_FORMAT] = "--format FORMAT    gdb, crash, libvmi or vmcoreinfo (see above)",
	[OPT_OUTPUT] = "--output FILE      write to FILE (replaced whole), not stdout",
	[OPT_HELP] = "--help             show this help",
};

static const char exit_help[] =
	"Exit status: 0 success, 1 runtime error (no module, permission, not found,\n"
	"unreadable file), 2 usage error, 3 retryable failure or timeout, 4 permanent\n"
	"derivation failure or an unavailable LSTAR.\n";

static void print_overview(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: " PROG " COMMAND [OPTIONS]\n\n"
		"Read the first MSR_LSTAR value each KVM guest vCPU wrote, as recorded by\n"
		"the kvm_lstar kernel module, and derive the guest's virtual KASLR offset.\n\n"
		"Commands:\n");
	for (i = 0; i < NR_COMMANDS; i++)
		fprintf(f, "  %-9s%s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\nRun '" PROG " COMMAND --help' for a command's options.\n"
		"Other options: --help, --version.\n\n%s", exit_help);
}

static void print_command_help(const struct command *cmd)
{
	int i;

	printf("Usage: " PROG " %s %s\n\n%s\nOptions:\n", cmd->name, cmd->args, cmd->help);
	for (i = 0; i < NR_OPTS; i++)
		if ((cmd->opts | OPT(HELP)) & (1u << i))
			printf("  %s\n", opt_help[i]);
	printf("\n%s", exit_help);
}

/* ------------------------------------------------------------------ */
/* Values                                                              */
/* ------------------------------------------------------------------ */

/* A decimal number in [min, max]: digits only, nothing before or after. */
static bool parse_dec(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (!*s || strspn(s, "0123456789") != strlen(s))
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || v < min || v > max)
		return false;
	*out = v;
	return true;
}

/* A u64 in hex, with or without 0x: 1 to 16 digits, nothing else. */
static bool parse_hex(const char *s, uint64_t *out)
{
	size_t n;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	n = strlen(s);
	if (n == 0 || n > 16 || strspn(s, "0123456789abcdefABCDEF") != n)
		return false;
	*out = strtoull(s, NULL, 16);
	return true;
}

/* Seconds as "N" or "N.F" (up to millisecond precision), into ms. */
static bool parse_seconds(const char *s, int *ms)
{
	const char *dot = strchr(s, '.');
	char whole[16];
	uint64_t sec, frac = 0;
	size_t n = dot ? (size_t)(dot - s) : strlen(s), digits;

	if (n == 0 || n >= sizeof(whole))
		return false;
	memcpy(whole, s, n);
	whole[n] = '\0';
	if (!parse_dec(whole, 0, SECONDS_MAX, &sec))
		return false;
	if (dot) {
		digits = strlen(dot + 1);
		if (digits < 1 || digits > 3 || !parse_dec(dot + 1, 0, 999, &frac))
			return false;
		while (digits++ < 3)
			frac *= 10;
	}
	if (sec * 1000 + frac > INT_MAX)
		return false;
	*ms = (int)(sec * 1000 + frac);
	return true;
}

static int set_u32(struct cli *c, const char *flag, const char *arg, uint32_t min,
		   uint32_t max, const char *what, uint32_t *out)
{
	uint64_t v;

	if (!parse_dec(arg, min, max, &v))
		return usage_fail(c, "%s '%s' is not %s (a decimal number from %u to %u)",
				  flag, SHOWN(arg), what, min, max);
	*out = (uint32_t)v;
	return 0;
}

static int set_hex(struct cli *c, const char *flag, const char *arg, uint64_t *out)
{
	if (!parse_hex(arg, out))
		return usage_fail(c, "%s '%s' is not a 64-bit hex number (1 to 16 hex "
				  "digits, 0x optional)", flag, SHOWN(arg));
	return 0;
}

static int set_seconds(struct cli *c, const char *flag, const char *arg, int *ms)
{
	if (!parse_seconds(arg, ms))
		return usage_fail(c, "%s '%s' is not a number of seconds (0 to %d, up to "
				  "3 decimals)", flag, SHOWN(arg), SECONDS_MAX);
	return 0;
}

/*
 * A FILE value.  getopt takes the next word whatever it is, so
 * "--system-map --json" would read a file named "--json": a value that
 * looks like an option is refused, with the way to name such a file.
 */
static int set_file(struct cli *c, const char *flag, const char *arg, const char **out)
{
	if (!*arg)
		return usage_fail(c, "%s needs a file name, not an empty string", flag);
	if (arg[0] == '-')
		return usage_fail(c, "%s needs a FILE, got '%s', which looks like an option "
				  "(for a file of that name, write ./%s)", flag, SHOWN(arg),
				  SHOWN(arg));
	*out = arg;
	return 0;
}

/*
 * --name NAME: 1 to 255 bytes, what a VM name can be.  A value that looks
 * like an option is refused as set_file() does: "--name --json" is a
 * forgotten NAME, not a VM named "--json".
 */
static int set_name(struct cli *c, const char *arg)
{
	if (!*arg)
		return usage_fail(c, "--name needs a VM name, not an empty string");
	if (strlen(arg) > KVMLSTAR_NAME_LEN - 1)
		return usage_fail(c, "--name '%s' has %zu bytes: a VM name kvm-lstar reads has "
				  "at most %d", SHOWN(arg), strlen(arg), KVMLSTAR_NAME_LEN - 1);
	if (!strncmp(arg, "--", 2))
		return usage_fail(c, "--name needs a NAME, got '%s', which looks like an option",
				  SHOWN(arg));
	c->vm_name = arg;
	return 0;
}

/* Store one option's value; non-zero (the exit status) on a bad value. */
static int set_option(struct cli *c, int id, const char *arg)
{
	char flag[24];

	snprintf(flag, sizeof(flag), "--%s", long_opts[id].name);
	switch (id) {
	case OPT_JSON:
		c->json = true;
		return 0;
	case OPT_PID:
		return set_u32(c, flag, arg, 1, PID_MAX, "a process id", &c->pid);
	case OPT_VM:
		return set_u32(c, flag, arg, 1, UINT32_MAX, "a VM number", &c->vm);
	case OPT_NAME:
		return set_name(c, arg);
	case OPT_VCPU:
		return set_u32(c, flag, arg, 0, UINT32_MAX, "a vCPU id", &c->vcpu);
	case OPT_COUNT:
		return set_u32(c, flag, arg, 1, UINT32_MAX, "an event count", &c->count);
	case OPT_TIMEOUT:
		return set_seconds(c, flag, arg, &c->timeout_ms);
	case OPT_WAIT:
		return set_seconds(c, flag, arg, &c->wait_ms);
	case OPT_LSTAR:
		return set_hex(c, flag, arg, &c->lstar);
	case OPT_LINK:
		return set_hex(c, flag, arg, &c->link);
	case OPT_CSTAR:
		return set_hex(c, flag, arg, &c->cstar);
	case OPT_SYSENTER_EIP:
		return set_hex(c, flag, arg, &c->sysenter_eip);
	case OPT_VMLINUX:
		return set_file(c, flag, arg, &c->vmlinux);
	case OPT_SYSTEM_MAP:
		return set_file(c, flag, arg, &c->system_map);
	case OPT_OUTPUT:
		return set_file(c, flag, arg, &c->output);
	case OPT_FORMAT:
		c->format = parse_format(arg);
		if (!c->format)
			return usage_fail(c, "--format '%s' is not one of gdb, crash, libvmi, "
					  "vmcoreinfo", SHOWN(arg));
		return 0;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Command line                                                        */
/* ------------------------------------------------------------------ */

/* "--pid, --vm": the options of @set, for messages. */
static void option_names(unsigned int set, char *buf, size_t len)
{
	size_t used = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < NR_OPTS; i++)
		if (set & (1u << i))
			used += (size_t)snprintf(buf + used, used < len ? len - used : 0,
						 "%s--%s", used ? ", " : "", long_opts[i].name);
}

/* At most one of @set, or with @required exactly one. */
static int check_group(struct cli *c, unsigned int set, bool required)
{
	int n = __builtin_popcount(c->given & set);
	char names[96];

	option_names(set, names, sizeof(names));
	if (n > 1)
		return usage_fail(c, "give only one of %s", names);
	if (n == 0 && required)
		return usage_fail(c, set & (set - 1) ? "give one of %s" : "give %s", names);
	return 0;
}

/* The combinations the synopsis of the command allows. */
static int check_combination(struct cli *c)
{
	size_t i;
	int rc = 0;

	/* --pid, --vm and --name never go together, even where all are optional. */
	if (c->cmd->opts & TARGET)
		rc = check_group(c, TARGET, false);
	for (i = 0; !rc && i < 2 && c->cmd->one_of[i]; i++)
		rc = check_group(c, c->cmd->one_of[i], true);
	return rc;
}

static int bad_option(struct cli *c, int ch, const char *word)
{
	if (ch == ':')
		return usage_fail(c, "%s needs a value", SHOWN(word));
	return usage_fail(c, "unknown option '%s'", SHOWN(word));
}

/* Parse the arguments after the command name into @c. */
static int parse_args(struct cli *c, int argc, char **argv)
{
	int ch, rc;

	opterr = 0;	/* our own messages, in JSON when asked */
	optind = 1;
	while ((ch = getopt_long(argc, argv, ":h", long_opts, NULL)) != -1) {
		if (ch == 'h')
			ch = OPT_HELP;
		if (ch == '?' || ch == ':')
			return bad_option(c, ch, argv[optind - 1]);
		if (!((c->cmd->opts | OPT(HELP)) & (1u << ch)))
			return usage_fail(c, "%s does not take --%s", c->cmd->name,
					  long_opts[ch].name);
		if (c->given & (1u << ch))
			return usage_fail(c, "--%s given twice", long_opts[ch].name);
		c->given |= 1u << ch;
		rc = set_option(c, ch, optarg);
		if (rc)
			return rc;
	}
	if (c->given & OPT(HELP))
		return 0;
	if (c->cmd->takes_name && optind == argc - 1) {
		c->name = argv[optind];
		optind++;
		if (!*c->name)
			return usage_fail(c, "the symbol NAME is empty");
	} else if (c->cmd->takes_name && optind == argc) {
		return usage_fail(c, "give the symbol NAME to look up");
	}
	if (optind < argc)
		return usage_fail(c, "unexpected argument '%s'", SHOWN(argv[optind]));
	return check_combination(c);
}

/* --json anywhere before "--": errors of the command line go out as JSON too. */
static bool wants_json(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--json"))
			return true;
	return false;
}

static const struct command *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < NR_COMMANDS; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

/*
 * A descriptor 0, 1 or 2 the caller closed would be handed to the next
 * open(): output meant for stdout would then go into a netlink socket or
 * a file.  Hold each closed one with /dev/null opened read-only, so writes
 * to it still fail (and finish_output() reports them), as the caller
 * meant by closing it.
 */
static void hold_std_fds(void)
{
	int fd;

	for (fd = 0; fd <= 2; fd++)
		if (fcntl(fd, F_GETFD) < 0 && errno == EBADF &&
		    open("/dev/null", O_RDONLY) < 0)
			exit(1);
}

static int run(int argc, char **argv)
{
	struct cli c = { .timeout_ms = -1, .json = wants_json(argc, argv) };
	int rc;

	if (argc < 2) {
		print_overview(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		print_overview(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf(PROG " %s\n", KVM_LSTAR_VERSION);
		return 0;
	}
	c.cmd = find_command(argv[1]);
	if (!c.cmd)
		return usage_fail(&c, "unknown command '%s'", SHOWN(argv[1]));
	/* clear has no JSON output: its errors stay text too. */
	c.json = c.json && (c.cmd->opts & OPT(JSON));
	rc = parse_args(&c, argc - 1, argv + 1);
	if (rc)
		return rc;
	if (c.given & OPT(HELP)) {
		print_command_help(c.cmd);
		return 0;
	}
	return c.cmd->run(&c);
}

int main(int argc, char **argv)
{
	hold_std_fds();
	return finish_output(run(argc, argv));
}
