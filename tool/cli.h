/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kvm-lstar: what the command-line tool's files share.
 *
 * kvm-lstar.c parses the command line into a struct cli and runs the
 * command; records.c holds the commands that talk to the module, kaslr.c
 * the ones that derive offsets and look up symbols; output.c prints JSON,
 * human text and errors the way the interface contract says.
 */
#ifndef KVM_LSTAR_CLI_H
#define KVM_LSTAR_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "kvmlstar.h"
#include "kvmlstar_netlink.h"

#define PROG		"kvm-lstar"

/* A value quoted in a message, shortened (into a compound literal buffer). */
#define SHOWN(s)	kvmlstar_shorten((s), (char[KVMLSTAR_SHORT_LEN]){ 0 })

/* Exit status for a malformed command line (the library never returns it). */
#define EXIT_USAGE	2

/* The options; a command lists those it accepts as a mask of OPT(x). */
enum opt_id {
	OPT_JSON,
	OPT_PID,
	OPT_VM,
	OPT_NAME,
	OPT_VCPU,
	OPT_TIMEOUT,
	OPT_COUNT,
	OPT_VMLINUX,
	OPT_SYSTEM_MAP,
	OPT_WAIT,
	OPT_LSTAR,
	OPT_LINK,
	OPT_CSTAR,
	OPT_SYSENTER_EIP,
	OPT_FORMAT,
	OPT_OUTPUT,
	OPT_HELP,
	NR_OPTS
};
#define OPT(x)		(1u << OPT_##x)

struct cli;
struct json;

struct command {
	const char *name;
	unsigned int opts;	/* OPT() mask of the accepted options */
	unsigned int one_of[2];	/* groups of which exactly one must be given */
	bool takes_name;	/* one NAME operand (symbol) */
	int (*run)(struct cli *c);
	const char *args;	/* synopsis after the command name */
	const char *summary;	/* one line for 'kvm-lstar --help' */
	const char *help;	/* the description for 'kvm-lstar CMD --help' */
};

/* The parsed command line.  Fields of options not given keep defaults. */
struct cli {
	const struct command *cmd;
	unsigned int given;	/* OPT() mask of the options present */
	bool json;
	uint32_t pid, vm;	/* 0: not given (pid: also set by --name) */
	const char *vm_name;	/* --name: the VM's name, or NULL */
	uint32_t vcpu;		/* default 0, the boot vCPU */
	uint32_t count;		/* watch: 0 for no limit */
	int timeout_ms;		/* -1: no limit */
	int wait_ms;		/* kaslr --wait, when given */
	uint64_t lstar, link;
	uint64_t cstar, sysenter_eip;	/* derive's witnesses; 0: not given */
	const char *vmlinux, *system_map;
	const char *name;	/* symbol's NAME */
	int format;		/* --format: enum format, FORMAT_NONE when not given */
	const char *output;	/* metrics --output FILE */
};

/* kaslr and derive --format: the consumers the offset is printed for. */
enum format {
	FORMAT_NONE,
	FORMAT_GDB,
	FORMAT_CRASH,
	FORMAT_LIBVMI,
	FORMAT_VMCOREINFO,
};

/* What a derivation prints (kaslr.c fills it, formats.c prints it too). */
struct derivation {
	uint64_t lstar, link, offset;
	const char *file;		/* the symbol source; NULL for --link */
	const char *build_id;		/* of a vmlinux, or NULL */
	const struct kvmlstar_record *rec;	/* kaslr's record; NULL for derive */
	struct kvmlstar_witnesses w;	/* LSTAR and the other entry MSRs */
};

/* records.c */
int cmd_status(struct cli *c);
int cmd_list(struct cli *c);
int cmd_get(struct cli *c);
int cmd_wait(struct cli *c);
int cmd_watch(struct cli *c);
int cmd_clear(struct cli *c);
/* qsort() order of records: by VM, then vCPU. */
int record_order(const void *a, const void *b);
int find_record(struct cli *c, struct kvmlstar_nl *nl, bool wait, int timeout_ms,
		struct kvmlstar_record *rec, struct kvmlstar_error *err);
void note_pid_choice(const struct cli *c, struct kvmlstar_nl *nl,
		     const struct kvmlstar_record *rec, const char *how);

/* kaslr.c */
int cmd_kaslr(struct cli *c);
int cmd_derive(struct cli *c);
int cmd_symbol(struct cli *c);
/* The fields of a derivation's JSON object. */
void json_derivation(struct json *j, const struct derivation *d);

/* metrics.c */
int cmd_metrics(struct cli *c);

/* names.c: the VMM's name for a VM (QEMU's -name), and --name. */
/*
 * The name of @r's VM, or NULL when there is none (not QEMU, no -name,
 * the VMM gone or unreadable).  Read from /proc once per VM (by VM
 * number, which the module never reuses) while its VMM runs; a gone
 * record keeps the name read while it ran, in this process.  The string
 * stays valid until record_name() is called for another VM.
 */
const char *record_name(const struct kvmlstar_record *r);
/* Does @r's VM have --name's name (always, without --name)? */
bool name_wanted(const struct cli *c, const struct kvmlstar_record *r);
/* How a command takes --name (resolve_name()). */
enum name_use {
	NAME_ONE,	/* exactly one VMM: not_found without one (get, kaslr) */
	NAME_FILTER,	/* at most one: without one, c->pid stays 0 (list, metrics, clear) */
	NAME_CHECK,	/* at most one, c->pid untouched: matched by name_wanted() (watch) */
	NAME_WAIT,	/* one, found in the processes too, waited for (wait, kaslr --wait) */
};
/*
 * --name: set c->pid to the VMM whose VM has that name, from the
 * records the caller sees (and, for NAME_WAIT, the QEMU processes,
 * polled until one has it or *@timeout_ms, negative for no limit, runs
 * out; *@timeout_ms is then what is left).  A name of several VMMs is a
 * usage error listing their pids.  Returns 0, or the exit status after
 * reporting the failure.
 */
int resolve_name(struct cli *c, struct kvmlstar_nl *nl, enum name_use use, int *timeout_ms);
/*
 * A name for text output: control characters as \xNN escapes, at most
 * @max bytes of the name (cut at a character, "..." marking it).  @buf
 * holds at least 4 * @max + 4 bytes.  NULL for NULL.
 */
const char *text_name(const char *name, size_t max, char *buf);
/* Buffer size of text_name() for a whole name. */
#define TEXT_NAME_LEN	(4 * KVMLSTAR_NAME_LEN + 4)

/* formats.c */
/* The enum format of a --format name; FORMAT_NONE for an unknown one. */
int parse_format(const char *name);
const char *format_name(int format);
/* Usage error (exit 2) when --format cannot be made from the options given. */
int check_format(const struct cli *c);
/* Print @d in --format's form (JSON with --json); returns the exit status. */
int print_format(const struct cli *c, const struct derivation *d,
		 const struct kvmlstar_syms *syms);

/* output.c: JSON objects on one line, keys in the order they are added. */
struct json {
	FILE *f;
	bool first;
};

void json_begin(struct json *j, FILE *f);
void json_end(struct json *j);
void json_str(struct json *j, const char *key, const char *val);	/* NULL: null */
void json_uint(struct json *j, const char *key, uint64_t val);
void json_hex(struct json *j, const char *key, uint64_t val);
void json_bool(struct json *j, const char *key, bool val);
void json_record(struct json *j, const struct kvmlstar_record *r);
/* "key": [ {...}, ... ]: each element opened on @array, closed by itself. */
void json_array_begin(struct json *j, const char *key, struct json *array);
void json_element(struct json *array, struct json *obj);
void json_element_end(struct json *obj);
void json_array_end(struct json *array);

/* Print @r as a short human-readable block. */
void print_record_block(const struct kvmlstar_record *r);
/* "3.2s ago" for a CLOCK_BOOTTIME time in ns. */
void format_age(uint64_t captured_ns, char *buf, size_t len);

/*
 * Report a failure: a JSON error object on stdout with --json, else one
 * line on stderr.  Returns the exit status that goes with @err->code.
 */
int fail(const struct cli *c, const struct kvmlstar_error *err);
/* The exit status of an error code (0, 1, 3 or 4: see --help). */
int exit_status(enum kvmlstar_err code);
/* A write to stdout failed (its errno is kept for finish_output()). */
bool stdout_failed(void);
/* After a stop signal: drop the line a signal cut short, and its error. */
void forget_interrupted_output(void);
/*
 * Flush and close stdout; when that or an earlier write failed, say so on
 * stderr and return 1 (or @rc if it already is a failure).  Else @rc.
 */
int finish_output(int rc);
/* Length of the well-formed UTF-8 character at @s, or 0 when @s starts none. */
size_t utf8_char(const unsigned char *s);
/* Fill @err like the library does, for the tool's own failures; returns @code. */
int set_error(struct kvmlstar_error *err, enum kvmlstar_err code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Report a malformed command line (class bad_input); returns EXIT_USAGE. */
int usage_fail(const struct cli *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif /* KVM_LSTAR_CLI_H */
