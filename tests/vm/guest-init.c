// SPDX-License-Identifier: GPL-2.0
/*
 * /init of the nested Linux guest that guest-linux boots inside the VM harness.
 *
 * It reads the guest's own run-time entry_SYSCALL_64 (and the compat entry
 * points CSTAR and SYSENTER_EIP hold) from /proc/kallsyms
 * (the truth kvm-lstar is checked against), prints one GUEST-BOOT line on
 * the console, optionally stays up, then reboots or powers off.
 *
 * The boot number lives in a spare byte of the RTC's CMOS RAM: QEMU keeps
 * CMOS contents across a guest reset, so a reboot can tell it is boot 2.
 *
 * Kernel command line knobs: kvm_lstar.reboots=K (reboot K times before
 * powering off), kvm_lstar.hold=SEC (stay up SEC seconds after printing),
 * kvm_lstar.dump=1 (print /proc/kallsyms between KALLSYMS-BEGIN/-END
 * markers on ttyS1: the VM harness makes guest.map that way from a nokaslr boot),
 * kvm_lstar.version=1 (print a "GUEST-VERSION <its /proc/version>" line
 * before GUEST-BOOT: what a debugger reading linux_banner must find).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/utsname.h>

#define CMOS_INDEX	0x70
#define CMOS_DATA	0x71
#define CMOS_BOOTS	0x6e	/* QEMU and SeaBIOS leave 0x60..0x7f alone */

static unsigned int cmdline_uint(const char *cmdline, const char *key)
{
	const char *p = strstr(cmdline, key);

	return p ? (unsigned int)strtoul(p + strlen(key), NULL, 10) : 0;
}

/*
 * Port I/O through /dev/port: the kernel does the in/out itself.  (A
 * user-space outb after ioperm() took a #GP in a nested guest here.)
 */
static unsigned int next_boot_number(void)
{
	unsigned char idx = CMOS_BOOTS, n = 0;
	int fd = open("/dev/port", O_RDWR);

	if (fd < 0)
		return 1;
	if (pwrite(fd, &idx, 1, CMOS_INDEX) != 1 || pread(fd, &n, 1, CMOS_DATA) != 1)
		n = 0;
	n++;
	if (pwrite(fd, &idx, 1, CMOS_INDEX) != 1 || pwrite(fd, &n, 1, CMOS_DATA) != 1)
		n = 1;
	close(fd);
	return n;
}

static unsigned long long find_symbol(const char *want)
{
	char line[512], name[256], type;
	unsigned long long addr;
	FILE *f = fopen("/proc/kallsyms", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx %c %255s", &addr, &type, name) == 3 &&
		    !strcmp(name, want)) {
			fclose(f);
			return addr;
		}
	}
	fclose(f);
	return 0;
}

static void dump_kallsyms(void)
{
	char buf[65536];
	ssize_t n;
	int in = open("/proc/kallsyms", O_RDONLY);
	int out = open("/dev/ttyS1", O_WRONLY | O_NOCTTY);

	if (in < 0 || out < 0)
		return;
	dprintf(out, "KALLSYMS-BEGIN\n");
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, n) != n)
			break;
	dprintf(out, "KALLSYMS-END\n");
	close(in);
	close(out);
}

/* "GUEST-VERSION " and the guest's /proc/version, its linux_banner. */
static void print_version(void)
{
	char line[512];
	FILE *f = fopen("/proc/version", "r");

	if (!f)
		return;
	if (fgets(line, sizeof(line), f))
		printf("GUEST-VERSION %s%s", line, strchr(line, '\n') ? "" : "\n");
	fclose(f);
}

int main(void)
{
	char cmdline[4096] = "";
	unsigned int boot, reboots, hold;
	unsigned long long entry, compat, sysenter;
	struct utsname uts;
	FILE *f;

	mount("proc", "/proc", "proc", 0, NULL);
	mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	f = fopen("/proc/cmdline", "r");
	if (f) {
		if (!fgets(cmdline, sizeof(cmdline), f))
			cmdline[0] = '\0';
		fclose(f);
	}
	reboots = cmdline_uint(cmdline, "kvm_lstar.reboots=");
	hold = cmdline_uint(cmdline, "kvm_lstar.hold=");
	boot = next_boot_number();

	entry = find_symbol("entry_SYSCALL_64");
	/* What syscall_init() put in CSTAR and SYSENTER_EIP (IA32 emulation on). */
	compat = find_symbol("entry_SYSCALL_compat");
	sysenter = find_symbol("entry_SYSENTER_compat");
	if (strstr(cmdline, "kvm_lstar.dump=1"))
		dump_kallsyms();
	if (strstr(cmdline, "kvm_lstar.version=1"))
		print_version();
	if (uname(&uts))
		strcpy(uts.release, "unknown");
	printf("GUEST-BOOT n=%u entry_SYSCALL_64=0x%llx entry_SYSCALL_compat=0x%llx "
	       "entry_SYSENTER_compat=0x%llx release=%s\n", boot, entry, compat, sysenter,
	       uts.release);
	fflush(stdout);

	if (hold) {
		struct timespec ts = { .tv_sec = hold };

		nanosleep(&ts, NULL);
	}
	sync();
	reboot(boot <= reboots ? RB_AUTOBOOT : RB_POWER_OFF);
	return 0;
}
