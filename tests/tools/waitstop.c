// SPDX-License-Identifier: GPL-2.0
/*
 * waitstop: kvmlstar_wait() with two stop points, so a test can make the
 * kernel overrun the waiter's event socket at exactly the moments that
 * matter, with no timing guesswork.
 *
 *   waitstop (--pid PID | --vm N) [--vcpu ID] [--timeout SEC]
 *
 * Linked with -Wl,--wrap=poll,--wrap=recv against the static library, so
 * the library's own calls come here first (libnl reads the request socket
 * with recvmsg(), so every recv() is on the event socket):
 *  1. the first poll() on the event socket, i.e. once the waiter has
 *     subscribed and looked at the state: prints "WAITING" and stops
 *     itself (SIGSTOP);
 *  2. the first event read after the library saw the overrun (ENOBUFS):
 *     prints "STOPPED-AFTER-OVERRUN" and stops itself again.  The library
 *     is then handling the overrun, and the kernel still drops every event
 *     for this socket without a new ENOBUFS until its queue has been read
 *     empty: a capture made now is seen only if the library looks at the
 *     state again after emptying the queue.
 * The test continues it with SIGCONT each time.  Then, like 'kvm-lstar
 * wait', it prints "lstar 0x... vm N pid P vcpu V" (exit 0), or the
 * library's error (exit status as the CLI's: 1 runtime, 3 timeout).
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>
#include "kvmlstar.h"
#include "kvmlstar_netlink.h"

int __real_poll(struct pollfd *fds, nfds_t nfds, int timeout);
ssize_t __real_recv(int fd, void *buf, size_t len, int flags);
int __wrap_poll(struct pollfd *fds, nfds_t nfds, int timeout);
ssize_t __wrap_recv(int fd, void *buf, size_t len, int flags);

static bool announced, overrun, stopped_again;

static void stop_here(const char *what)
{
	printf("%s pid=%d\n", what, (int)getpid());
	fflush(stdout);
	raise(SIGSTOP);
}

int __wrap_poll(struct pollfd *fds, nfds_t nfds, int timeout)
{
	/* The library's nap() polls nothing; only the event socket counts. */
	if (!announced && nfds == 1 && fds[0].fd >= 0) {
		announced = true;
		stop_here("WAITING");
	}
	return __real_poll(fds, nfds, timeout);
}

ssize_t __wrap_recv(int fd, void *buf, size_t len, int flags)
{
	ssize_t n = __real_recv(fd, buf, len, flags);
	int e = errno;

	if (n < 0 && e == ENOBUFS && !overrun) {
		overrun = true;
		printf("OVERRUN\n");
		fflush(stdout);
	} else if (n >= 0 && overrun && !stopped_again) {
		stopped_again = true;
		stop_here("STOPPED-AFTER-OVERRUN");
	}
	errno = e;
	return n;
}

static void usage(void)
{
	fprintf(stderr, "usage: waitstop (--pid PID | --vm N) [--vcpu ID] [--timeout SEC]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct kvmlstar_filter f = { 0 };
	struct kvmlstar_record rec;
	struct kvmlstar_error err;
	struct kvmlstar_nl *nl;
	char hex[KVMLSTAR_HEX_LEN];
	unsigned long vcpu = 0;
	long timeout_ms = 30000;
	int i, rc;

	for (i = 1; i + 1 < argc; i += 2) {
		unsigned long v = strtoul(argv[i + 1], NULL, 0);

		if (!strcmp(argv[i], "--pid"))
			f.pid = (uint32_t)v;
		else if (!strcmp(argv[i], "--vm"))
			f.vm = (uint32_t)v;
		else if (!strcmp(argv[i], "--vcpu"))
			vcpu = v;
		else if (!strcmp(argv[i], "--timeout"))
			timeout_ms = (long)v * 1000;
		else
			usage();
	}
	if (i != argc || (!f.pid && !f.vm))
		usage();
	setvbuf(stdout, NULL, _IOLBF, 0);

	rc = kvmlstar_nl_open(&nl, &err);
	if (!rc) {
		rc = kvmlstar_wait(nl, &f, (uint32_t)vcpu, (int)timeout_ms, &rec, sizeof(rec),
				   &err);
		kvmlstar_nl_close(nl);
	}
	if (rc) {
		fprintf(stderr, "waitstop: %s: %s\n", kvmlstar_err_class(rc), err.msg);
		return rc == KVMLSTAR_E_TIMEOUT ? 3 : 1;
	}
	printf("lstar %s vm %u pid %u vcpu %u\n", kvmlstar_hex(rec.lstar, hex), rec.vm,
	       rec.pid, rec.vcpu);
	return 0;
}
