// SPDX-License-Identifier: GPL-2.0
/*
 * The VMM's name for its VM: kvmlstar_cmdline_name() on QEMU command lines
 * as libvirt and users write them (guest=, the implied first value, ",,",
 * process=, debug-threads, several -name), the ones that name nothing, the
 * bounds; and kvmlstar_vmm_name() on live processes through /proc.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "unit.h"

/* A command line literal: its NULs separate the arguments (sizeof - 1: no final NUL twice). */
#define CL(s)		s, sizeof(s) - 1

/* The name @cl gives; fails the test unless it is KVMLSTAR_OK. */
static const char *named(const char *cl, size_t len)
{
	static char name[KVMLSTAR_NAME_LEN];
	struct kvmlstar_error err;
	int rc = kvmlstar_cmdline_name(cl, len, name, &err);

	if (rc != KVMLSTAR_OK)
		fail_msg("expected a name, got %s: %s", kvmlstar_err_class(rc), err.msg);
	assert_int_equal(err.code, KVMLSTAR_OK);
	assert_string_equal(err.msg, "");
	return name;
}

/* @cl gives no name: @code, with a message containing @why; @name untouched. */
static void unnamed(const char *cl, size_t len, int code, const char *why)
{
	char name[KVMLSTAR_NAME_LEN] = "untouched";
	struct kvmlstar_error err;

	assert_int_equal(kvmlstar_cmdline_name(cl, len, name, &err), code);
	assert_int_equal(err.code, code);
	assert_contains(err.msg, why);
	assert_string_equal(name, "untouched");
}

/* libvirt: -name guest=DOMAIN,debug-threads=on. */
static void libvirt_guest_key(void **state)
{
	(void)state;
	assert_string_equal(named(CL("/usr/bin/qemu-system-x86_64\0-name\0"
				     "guest=web1,debug-threads=on\0-S\0-machine\0pc\0")), "web1");
	assert_string_equal(named(CL("qemu-system-x86_64\0-name\0debug-threads=on,guest=db\0")),
			    "db");
	/* The short boolean form of debug-threads is a flag, not a name. */
	assert_string_equal(named(CL("qemu-system-x86_64\0-name\0guest=x,debug-threads\0")), "x");
	/* A value may hold '=' after guest=. */
	assert_string_equal(named(CL("qemu-kvm\0-name\0guest=a=b\0")), "a=b");
}

/* The first value without '=' is the guest name: -name NAME, -name NAME,process=P. */
static void implied_first_value(void **state)
{
	(void)state;
	assert_string_equal(named(CL("qemu-system-x86_64\0-m\0" "512\0-name\0web1\0-nographic\0")),
			    "web1");
	assert_string_equal(named(CL("qemu-system-x86_64\0-name\0web1,process=qemu-web1\0")),
			    "web1");
	assert_string_equal(named(CL("qemu-system-x86_64\0-name\0process=p,guest=g\0")), "g");
	assert_string_equal(named(CL("/usr/libexec/qemu-kvm\0--name\0dashdash\0")), "dashdash");
	/* Spaces, UTF-8: bytes as given. */
	assert_string_equal(named(CL("qemu-system-x86_64\0-name\0my guest \xc3\xa9\0")),
			    "my guest \xc3\xa9");
}

/* ",," is a comma in a value; a single comma ends it. */
static void comma_escapes(void **state)
{
	(void)state;
	assert_string_equal(named(CL("qemu-system-x86_64\0-name\0guest=a,,b,debug-threads=on\0")),
			    "a,b");
	assert_string_equal(named(CL("qemu-system-x86_64\0-name\0web,,1,process=p\0")), "web,1");
	assert_string_equal(named(CL("qemu-system-x86_64\0-name\0a,,,,b\0")), "a,,b");
	assert_string_equal(named(CL("qemu-system-x86_64\0-name\0,,lead\0")), ",lead");
	assert_string_equal(named(CL("qemu-system-x86_64\0-name\0trail,,\0")), "trail,");
	/* A single trailing comma ends the list. */
	assert_string_equal(named(CL("qemu-system-x86_64\0-name\0end,\0")), "end");
}

/* QEMU merges every -name: the last guest name wins, other keys do not clear it. */
static void several_name_options(void **state)
{
	(void)state;
	assert_string_equal(named(CL("qemu-system-x86_64\0-name\0first\0-name\0guest=second\0")),
			    "second");
	assert_string_equal(named(CL("qemu-system-x86_64\0-name\0guest=kept\0"
				     "-name\0process=p,debug-threads=on\0")), "kept");
	assert_string_equal(named(CL("qemu-system-x86_64\0-name\0guest=a,guest=b\0")), "b");
}

/* process= and debug-threads alone, no -name, -name without its value, empty names. */
static void no_name(void **state)
{
	(void)state;
	unnamed(CL("qemu-system-x86_64\0-m\0" "512\0-nographic\0"), KVMLSTAR_E_NOT_FOUND,
		"no -name NAME or -name guest=NAME");
	unnamed(CL("qemu-system-x86_64\0-name\0process=qemu-web1\0"), KVMLSTAR_E_NOT_FOUND,
		"no -name");
	unnamed(CL("qemu-system-x86_64\0-name\0debug-threads=on\0"), KVMLSTAR_E_NOT_FOUND,
		"no -name");
	/* -name as the last word: QEMU would refuse it; no name. */
	unnamed(CL("qemu-system-x86_64\0-m\0" "512\0-name\0"), KVMLSTAR_E_NOT_FOUND, "no -name");
	unnamed(CL("qemu-system-x86_64\0-m\0" "512\0-name"), KVMLSTAR_E_NOT_FOUND, "no -name");
	unnamed(CL("qemu-system-x86_64\0-name\0guest=\0"), KVMLSTAR_E_NOT_FOUND,
		"-name guest= is empty");
	unnamed(CL("qemu-system-x86_64\0-name\0\0"), KVMLSTAR_E_NOT_FOUND, "no -name");
	unnamed(CL("qemu-system-x86_64\0-name\0,process=p\0"), KVMLSTAR_E_NOT_FOUND,
		"-name guest= is empty");
	/* A key that is not "guest", and an '=' in the first element, name nothing. */
	unnamed(CL("qemu-system-x86_64\0-name\0guests=x\0"), KVMLSTAR_E_NOT_FOUND, "no -name");
	unnamed(CL("qemu-system-x86_64\0-name\0a=b\0"), KVMLSTAR_E_NOT_FOUND, "no -name");
	/* "-name=x" is no option of QEMU's, nor "-namex". */
	unnamed(CL("qemu-system-x86_64\0-name=x\0-namex\0y\0"), KVMLSTAR_E_NOT_FOUND, "no -name");
	/* Empty command lines: kernel threads, exited processes. */
	unnamed("", 0, KVMLSTAR_E_NOT_FOUND, "is empty");
	unnamed(NULL, 0, KVMLSTAR_E_NOT_FOUND, "is empty");
}

/* Only QEMU's -name names a VM. */
static void not_qemu(void **state)
{
	(void)state;
	unnamed(CL("lstar-guest\0-name\0web1\0"), KVMLSTAR_E_NOT_FOUND,
		"is not QEMU's (its program is 'lstar-guest')");
	unnamed(CL("/usr/bin/crosvm\0run\0--name\0x\0"), KVMLSTAR_E_NOT_FOUND, "not QEMU's");
	unnamed(CL("/opt/qemu/notqemu\0-name\0x\0"), KVMLSTAR_E_NOT_FOUND, "not QEMU's");
	unnamed(CL("qem\0-name\0x\0"), KVMLSTAR_E_NOT_FOUND, "not QEMU's");
	assert_string_equal(named(CL("/opt/qemu/bin/qemu-system-x86_64\0-name\0x\0")), "x");
	/* argv[0] alone, without its NUL. */
	unnamed(CL("qemu-system-x86_64"), KVMLSTAR_E_NOT_FOUND, "no -name");
}

/* The last argument without its NUL still counts, to the byte. */
static void last_argument_unterminated(void **state)
{
	(void)state;
	assert_string_equal(named(CL("qemu-system-x86_64\0-name\0web1")), "web1");
	assert_string_equal(named("qemu-system-x86_64\0-name\0web1XXX", 29), "web1");
}

/* Names up to 255 bytes; a longer one, or a command line over 1 MiB, is refused. */
static void bounds(void **state)
{
	static const char head[] = "qemu-system-x86_64\0-name\0guest=";
	size_t hl = sizeof(head) - 1, len;
	char name[KVMLSTAR_NAME_LEN];
	struct kvmlstar_error err;
	char *cl;

	(void)state;
	cl = malloc(KVMLSTAR_CMDLINE_MAX + 2);
	assert_non_null(cl);
	memcpy(cl, head, hl);
	memset(cl + hl, 'n', KVMLSTAR_NAME_LEN - 1);
	cl[hl + KVMLSTAR_NAME_LEN - 1] = '\0';
	assert_int_equal(kvmlstar_cmdline_name(cl, hl + KVMLSTAR_NAME_LEN, name, &err),
			 KVMLSTAR_OK);
	assert_int_equal(strlen(name), KVMLSTAR_NAME_LEN - 1);
	/* 256 bytes: too long, and said so with the length. */
	memset(cl + hl, 'n', KVMLSTAR_NAME_LEN);
	cl[hl + KVMLSTAR_NAME_LEN] = '\0';
	assert_int_equal(kvmlstar_cmdline_name(cl, hl + KVMLSTAR_NAME_LEN + 1, name, &err),
			 KVMLSTAR_E_BAD_INPUT);
	assert_contains(err.msg, "names the VM with 256 bytes, more than the 255");
	/* ... but a later, shorter guest= wins, as in QEMU. */
	len = hl + KVMLSTAR_NAME_LEN + 1;
	memcpy(cl + len, "-name\0short", 12);
	assert_int_equal(kvmlstar_cmdline_name(cl, len + 11, name, &err), KVMLSTAR_OK);
	assert_string_equal(name, "short");
	/* The whole command line: 1 MiB is read, one byte more is refused. */
	memset(cl + hl, 'a', KVMLSTAR_CMDLINE_MAX + 2 - hl);
	memcpy(cl + KVMLSTAR_CMDLINE_MAX - 12, "\0-name\0big", 11);
	assert_int_equal(kvmlstar_cmdline_name(cl, KVMLSTAR_CMDLINE_MAX - 1, name, &err),
			 KVMLSTAR_OK);
	assert_string_equal(name, "big");
	assert_int_equal(kvmlstar_cmdline_name(cl, KVMLSTAR_CMDLINE_MAX + 1, name, &err),
			 KVMLSTAR_E_BAD_INPUT);
	assert_contains(err.msg, "longer than 1048576 bytes");
	free(cl);
	/* NULL pointers. */
	assert_int_equal(kvmlstar_cmdline_name(CL("qemu\0-name\0x\0"), NULL, &err),
			 KVMLSTAR_E_BAD_INPUT);
	assert_int_equal(kvmlstar_cmdline_name(NULL, 3, name, NULL), KVMLSTAR_E_BAD_INPUT);
}

/* ------------------------------------------------------------------ */
/* kvmlstar_vmm_name(): live processes                                 */
/* ------------------------------------------------------------------ */

struct child {
	pid_t pid;
	int fd;		/* its stdin: closing it ends the child */
};

/*
 * A process whose command line is @argv (argv[0] as given): /bin/sh
 * waiting on a pipe ("-c", "read x" are argv[1] and [2]).  Returns once
 * /proc shows the new command line.
 */
static struct child start(char *const argv[])
{
	struct child c;
	char path[64], buf[64];
	int p[2], i, fd;
	ssize_t n;

	assert_int_equal(pipe(p), 0);
	c.pid = fork();
	assert_true(c.pid >= 0);
	if (c.pid == 0) {
		dup2(p[0], 0);
		close(p[0]);
		close(p[1]);
		execv("/bin/sh", argv);
		_exit(127);
	}
	close(p[0]);
	c.fd = p[1];
	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)c.pid);
	for (i = 0; i < 500; i++) {
		fd = open(path, O_RDONLY);
		n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
		if (fd >= 0)
			close(fd);
		/* argv[0] and its NUL: the exec happened. */
		if (n > (ssize_t)strlen(argv[0]) && !memcmp(buf, argv[0], strlen(argv[0]) + 1))
			return c;
		nanosleep(&(struct timespec){ .tv_nsec = 10 * 1000 * 1000 }, NULL);
	}
	fail_msg("the child's command line never became %s's", argv[0]);
	return c;
}

static void stop(struct child *c)
{
	int status;

	close(c->fd);
	assert_int_equal(waitpid(c->pid, &status, 0), c->pid);
}

static void live_qemu_process(void **state)
{
	char *argv[] = { "qemu-system-x86_64", "-c", "read x", "-machine", "pc",
			 "-name", "guest=unit,,vm,debug-threads=on", NULL };
	char name[KVMLSTAR_NAME_LEN];
	struct kvmlstar_error err;
	struct child c;

	(void)state;
	c = start(argv);
	assert_int_equal(kvmlstar_vmm_name((uint32_t)c.pid, name, &err), KVMLSTAR_OK);
	assert_string_equal(name, "unit,vm");
	stop(&c);
	/* Gone: no such process. */
	assert_int_equal(kvmlstar_vmm_name((uint32_t)c.pid, name, &err), KVMLSTAR_E_NOT_FOUND);
	assert_contains(err.msg, "no process");
}

static void live_other_processes(void **state)
{
	char *noname[] = { "qemu-system-x86_64", "-c", "read x", "-name", "process=p", NULL };
	char name[KVMLSTAR_NAME_LEN];
	struct kvmlstar_error err;
	char pidmsg[64];
	struct child c;

	(void)state;
	c = start(noname);
	assert_int_equal(kvmlstar_vmm_name((uint32_t)c.pid, name, &err), KVMLSTAR_E_NOT_FOUND);
	snprintf(pidmsg, sizeof(pidmsg), "the command line of pid %d (QEMU)", (int)c.pid);
	assert_contains(err.msg, pidmsg);
	stop(&c);
	/* This test program is no QEMU. */
	assert_int_equal(kvmlstar_vmm_name((uint32_t)getpid(), name, &err),
			 KVMLSTAR_E_NOT_FOUND);
	assert_contains(err.msg, "not QEMU's");
	assert_int_equal(kvmlstar_vmm_name(0, name, &err), KVMLSTAR_E_BAD_INPUT);
	assert_int_equal(kvmlstar_vmm_name(1, NULL, &err), KVMLSTAR_E_BAD_INPUT);
}

/* Over 1 MiB of arguments (nine of 128 KiB, the most one may be): refused, not read whole. */
static void live_oversized_command_line(void **state)
{
	char *argv[16] = { "qemu-system-x86_64", "-c", "read x" };
	char name[KVMLSTAR_NAME_LEN];
	struct kvmlstar_error err;
	size_t big = 128 * 1024 - 1;
	char *arg = malloc(big + 1);
	struct child c;
	int i;

	(void)state;
	assert_non_null(arg);
	memset(arg, 'x', big);
	arg[big] = '\0';
	for (i = 3; i < 12; i++)
		argv[i] = arg;
	argv[12] = "-name";
	argv[13] = "late";
	argv[14] = NULL;
	c = start(argv);
	assert_int_equal(kvmlstar_vmm_name((uint32_t)c.pid, name, &err), KVMLSTAR_E_BAD_INPUT);
	assert_contains(err.msg, "longer than 1048576 bytes");
	stop(&c);
	free(arg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(libvirt_guest_key),
		cmocka_unit_test(implied_first_value),
		cmocka_unit_test(comma_escapes),
		cmocka_unit_test(several_name_options),
		cmocka_unit_test(no_name),
		cmocka_unit_test(not_qemu),
		cmocka_unit_test(last_argument_unterminated),
		cmocka_unit_test(bounds),
		cmocka_unit_test(live_qemu_process),
		cmocka_unit_test(live_other_processes),
		cmocka_unit_test(live_oversized_command_line),
	};

	/* A child that exits early must not kill the test with SIGPIPE. */
	signal(SIGPIPE, SIG_IGN);
	return UNIT_RUN("vmname", tests);
}
