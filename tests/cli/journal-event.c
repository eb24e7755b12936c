// SPDX-License-Identifier: GPL-2.0
/*
 * tests/cli/journal-event.c: kvm-lstar watch's event output without the
 * module (tests/cli/journal.sh).  It is tool/records.c itself, included,
 * so that its own print_event() prints one event of each kind, as watch
 * does, with the rest of the tool linked in.
 *
 *   journal-event [--json] [--listen DUMP]
 *
 * --listen DUMP first binds a datagram socket at journald's native socket,
 * /run/systemd/journal/socket (the caller gives it a private tmpfs /run in
 * a mount namespace of its own), and after printing writes every datagram
 * it got to DUMP, each followed by an empty line.  Whether events go to the
 * journal is up to print_event(): JOURNAL_STREAM and stdout are the
 * caller's.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include "../../tool/records.c"

#define JOURNAL_SOCKET "/run/systemd/journal/socket"

static const struct kvmlstar_record events[] = {
	{ .event = KVMLSTAR_EVENT_CAPTURE, .vm = 3, .pid = 4242, .vcpu = 0, .uid = 1000,
	  .lstar = 0xffffffffb7e00080, .current = 0xffffffffb7e00080, .epoch = 1, .writes = 1,
	  .source = KVMLSTAR_SOURCE_SAMPLE, .captured_ns = 5000000000,
	  .cstar = 0xffffffffb7e019b0, .sysenter_eip = 0xb7e018f0 },
	{ .event = KVMLSTAR_EVENT_CHANGE, .vm = 3, .pid = 4242, .vcpu = 0, .uid = 1000,
	  .lstar = 0xffffffffb7e00080, .current = 0xffffffffc0de0000, .epoch = 1, .writes = 2,
	  .changed = true, .source = KVMLSTAR_SOURCE_INTERCEPT, .captured_ns = 5000000000 },
	{ .event = KVMLSTAR_EVENT_RESET, .vm = 3, .pid = 4242, .vcpu = 1, .uid = 1000,
	  .lstar = 0xffffffff9a000080, .current = 0xffffffff9a000080, .epoch = 2, .writes = 1,
	  .source = KVMLSTAR_SOURCE_SAMPLE, .captured_ns = 9000000000 },
	{ .event = KVMLSTAR_EVENT_GONE, .vm = 3, .pid = 4242, .vcpu = 1, .uid = 1000,
	  .lstar = 0xffffffff9a000080, .current = 0xffffffff9a000080, .epoch = 2, .writes = 1,
	  .gone = true, .source = KVMLSTAR_SOURCE_SAMPLE, .captured_ns = 9000000000 },
	{ .event = KVMLSTAR_EVENT_UNAVAILABLE, .vm = 4, .pid = 4343, .vcpu = 0, .uid = 0,
	  .unavailable = KVMLSTAR_UNAVAILABLE_PROTECTED },
	{ .event = KVMLSTAR_EVENT_NONE, .vm = 3, .pid = 4242, .vcpu = 0, .uid = 1000,
	  .lstar = 0xffffffffb7e00080, .current = 0xffffffffc0de0000, .epoch = 1, .writes = 2,
	  .changed = true, .source = KVMLSTAR_SOURCE_INTERCEPT, .captured_ns = 5000000000 },
};

static int listen_journal(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX, .sun_path = JOURNAL_SOCKET };
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror("journal-event: " JOURNAL_SOCKET);
		exit(1);
	}
	return fd;
}

/* Every datagram queued on @fd into @path. */
static void dump(int fd, const char *path)
{
	static char buf[1 << 16];
	FILE *f = fopen(path, "w");
	ssize_t n;

	if (!f) {
		perror(path);
		exit(1);
	}
	while ((n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
		fwrite(buf, 1, (size_t)n, f);
		fputc('\n', f);
	}
	if (fclose(f)) {
		perror(path);
		exit(1);
	}
}

int main(int argc, char **argv)
{
	struct cli c = { .vcpu = 0 };
	const char *listen = NULL;
	size_t i;
	int fd = -1, a;

	for (a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "--json")) {
			c.json = true;
		} else if (!strcmp(argv[a], "--listen") && a + 1 < argc) {
			listen = argv[++a];
		} else {
			fprintf(stderr, "usage: journal-event [--json] [--listen DUMP]\n");
			return 2;
		}
	}
	if (listen)
		fd = listen_journal();
	for (i = 0; i < sizeof(events) / sizeof(events[0]); i++)
		print_event(&c, &events[i]);
	if (fflush(stdout))
		return 1;
	if (listen) {
		dump(fd, listen);
		close(fd);
	}
	return 0;
}
