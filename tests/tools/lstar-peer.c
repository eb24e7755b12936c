// SPDX-License-Identifier: GPL-2.0
/*
 * lstar-peer: loads tests/bench/bpf/lstar-peer.bpf.o, the BPF program a
 * user would write instead of kvm_lstar, for make bench (inside the VM).
 *
 *   lstar-peer attach OBJ DIR   load OBJ, attach it to kvm_exit, pin the
 *                               link as DIR/link and its map as DIR/map
 *                               (DIR on a bpf file system; a map pinned
 *                               there already is used again)
 *   lstar-peer detach DIR       unpin DIR/link: the program stops; the map
 *                               stays for dump
 *   lstar-peer dump DIR         one line per vCPU in DIR/map:
 *                               "vcpu=0x... lstar=0x..."
 *   lstar-peer forget DIR       unpin DIR/map (and DIR/link if pinned)
 *
 * Exit 0 on success, 1 on a failure (said on stderr), 2 on a usage error.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#define PROG "lstar-peer"

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs(PROG ": ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void usage(void)
{
	fputs("usage: " PROG " attach OBJ DIR | detach DIR | dump DIR | forget DIR\n", stderr);
	exit(2);
}

static void pin_path(char *buf, size_t len, const char *dir, const char *name)
{
	if ((size_t)snprintf(buf, len, "%s/%s", dir, name) >= len)
		die("path too long: '%s/%s'", dir, name);
}

/* libbpf's messages: warnings and errors only (the verifier log on failure). */
static int print_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static int cmd_attach(const char *obj_path, const char *dir)
{
	char link_pin[4096], map_pin[4096];
	struct bpf_object *obj;
	struct bpf_program *prog;
	struct bpf_link *link;
	struct bpf_map *map;
	int err;

	pin_path(link_pin, sizeof(link_pin), dir, "link");
	pin_path(map_pin, sizeof(map_pin), dir, "map");
	if (access(link_pin, F_OK) == 0)
		die("%s exists: attached already ('" PROG " detach %s' first)", link_pin, dir);
	obj = bpf_object__open_file(obj_path, NULL);
	if (!obj)
		die("cannot open '%s': %s", obj_path, strerror(errno));
	prog = bpf_object__find_program_by_name(obj, "lstar_peer_exit");
	map = bpf_object__find_map_by_name(obj, "first_lstar");
	if (!prog || !map)
		die("'%s' has no program lstar_peer_exit or no map first_lstar", obj_path);
	/* A map pinned by an earlier attach is used again: its values stay. */
	err = bpf_map__set_pin_path(map, map_pin);
	if (err)
		die("cannot pin the map as %s: %s", map_pin, strerror(-err));
	err = bpf_object__load(obj);
	if (err)
		die("cannot load '%s': %s", obj_path, strerror(-err));
	link = bpf_program__attach(prog);
	if (!link)
		die("cannot attach to kvm_exit: %s", strerror(errno));
	err = bpf_link__pin(link, link_pin);
	if (err)
		die("cannot pin the link as %s: %s", link_pin, strerror(-err));
	/* The pins hold the program and the map from here on. */
	bpf_link__disconnect(link);
	bpf_link__destroy(link);
	bpf_object__close(obj);
	return 0;
}

static int cmd_unpin(const char *dir, const char *name, int must)
{
	char pin[4096];

	pin_path(pin, sizeof(pin), dir, name);
	if (unlink(pin) && (must || errno != ENOENT))
		die("cannot unpin %s: %s", pin, strerror(errno));
	return 0;
}

static int cmd_dump(const char *dir)
{
	char pin[4096];
	__u64 key, next, val;
	__u64 *prev = NULL;
	int fd;

	pin_path(pin, sizeof(pin), dir, "map");
	fd = bpf_obj_get(pin);
	if (fd < 0)
		die("cannot open the map %s: %s", pin, strerror(errno));
	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		if (bpf_map_lookup_elem(fd, &next, &val) == 0)
			printf("vcpu=0x%llx lstar=0x%llx\n", (unsigned long long)next,
			       (unsigned long long)val);
		key = next;
		prev = &key;
	}
	if (errno != ENOENT)
		die("cannot walk the map %s: %s", pin, strerror(errno));
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	libbpf_set_print(print_libbpf);
	if (argc == 4 && !strcmp(argv[1], "attach"))
		return cmd_attach(argv[2], argv[3]);
	if (argc != 3)
		usage();
	if (!strcmp(argv[1], "detach"))
		return cmd_unpin(argv[2], "link", 1);
	if (!strcmp(argv[1], "dump"))
		return cmd_dump(argv[2]);
	if (!strcmp(argv[1], "forget")) {
		cmd_unpin(argv[2], "link", 0);
		return cmd_unpin(argv[2], "map", 1);
	}
	usage();
	return 2;
}
