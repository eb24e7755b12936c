// SPDX-License-Identifier: GPL-2.0
/*
 * abisize: the size contract of libkvmlstar's growing structs, against the
 * live module (tests/vm/suites/cli.sh).
 *
 *   abisize VM
 *
 * For the status and VM's vCPU 0 record, through kvmlstar_nl_status(),
 * kvmlstar_nl_get(), kvmlstar_nl_list() and kvmlstar_wait():
 *  - the 1.0 size (KVMLSTAR_*_SIZE_1) is taken, and nothing past it written;
 *  - one byte less is refused (KVMLSTAR_E_BAD_INPUT), the output untouched;
 *  - a caller built with a bigger struct (a newer header) gets the same
 *    fields, and zeros after them;
 *  - kvmlstar_nl_list() lays its array out at the caller's size.
 * Also kvmlstar_nl_event_fd(): -1 before kvmlstar_nl_subscribe(), the
 * socket after.  Prints "abisize: N checks passed" (exit 0), or a "FAIL:"
 * line per broken check (exit 1).
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kvmlstar.h"
#include "kvmlstar_netlink.h"

/* What a caller built against a later header might pass. */
#define NEWER		64

static int checks, failures;

static void check(int ok, const char *what)
{
	checks++;
	if (!ok) {
		failures++;
		printf("FAIL: %s\n", what);
	}
}

static int all_zero(const unsigned char *p, size_t n)
{
	while (n--)
		if (*p++)
			return 0;
	return 1;
}

int main(int argc, char **argv)
{
	union {
		struct kvmlstar_record rec;
		unsigned char b[sizeof(struct kvmlstar_record) + NEWER];
	} big;
	union {
		struct kvmlstar_status st;
		unsigned char b[sizeof(struct kvmlstar_status) + NEWER];
	} bigst;
	struct kvmlstar_filter f = { 0 };
	struct kvmlstar_record rec, *recs = NULL;
	struct kvmlstar_status st;
	struct kvmlstar_error err;
	struct kvmlstar_nl *nl;
	size_t n = 0, stride = sizeof(struct kvmlstar_record) + NEWER;
	uint32_t vm;

	if (argc != 2 || !(vm = (uint32_t)strtoul(argv[1], NULL, 10))) {
		fprintf(stderr, "usage: abisize VM\n");
		return 2;
	}
	f.vm = vm;
	if (kvmlstar_nl_open(&nl, &err)) {
		printf("FAIL: open: %s\n", err.msg);
		return 1;
	}
	/* 1.1 added cstar and sysenter_eip after the 1.0 fields. */
	check(offsetof(struct kvmlstar_record, cstar) == KVMLSTAR_RECORD_SIZE_1 &&
	      sizeof(struct kvmlstar_record) == KVMLSTAR_RECORD_SIZE_1 + 16,
	      "record size is 1.1's, grown after 1.0's");
	check(sizeof(struct kvmlstar_status) == KVMLSTAR_STATUS_SIZE_1, "status size is 1.0's");

	/* status */
	check(kvmlstar_nl_status(nl, &st, KVMLSTAR_STATUS_SIZE_1, &err) == KVMLSTAR_OK,
	      "status at the 1.0 size");
	memset(&bigst, 0xaa, sizeof(bigst));
	check(kvmlstar_nl_status(nl, &bigst.st, KVMLSTAR_STATUS_SIZE_1 - 1, &err) ==
	      KVMLSTAR_E_BAD_INPUT && strstr(err.msg, "376"), "status one byte short: refused");
	check(bigst.b[0] == 0xaa, "status refused: output untouched");
	check(kvmlstar_nl_status(nl, &bigst.st, sizeof(bigst), &err) == KVMLSTAR_OK,
	      "status at a newer size");
	check(!strcmp(bigst.st.version, st.version) && bigst.st.capacity == st.capacity,
	      "status at a newer size: the same fields");
	check(all_zero(bigst.b + sizeof(st), NEWER), "status at a newer size: zeros after");

	/* get */
	memset(&big, 0xaa, sizeof(big));
	check(kvmlstar_nl_get(nl, vm, 0, &big.rec, KVMLSTAR_RECORD_SIZE_1, &err) == KVMLSTAR_OK,
	      "get at the 1.0 size");
	check(big.b[KVMLSTAR_RECORD_SIZE_1] == 0xaa && big.b[sizeof(big) - 1] == 0xaa,
	      "get at the 1.0 size: nothing written past it");
	check(kvmlstar_nl_get(nl, vm, 0, &rec, sizeof(rec), &err) == KVMLSTAR_OK,
	      "get at this build's size");
	memset(&big, 0xaa, sizeof(big));
	check(kvmlstar_nl_get(nl, vm, 0, &big.rec, KVMLSTAR_RECORD_SIZE_1 - 1, &err) ==
	      KVMLSTAR_E_BAD_INPUT, "get one byte short: refused");
	check(big.b[0] == 0xaa, "get refused: output untouched");
	check(kvmlstar_nl_get(nl, vm, 0, &big.rec, sizeof(big), &err) == KVMLSTAR_OK,
	      "get at a newer size");
	check(big.rec.vm == vm && big.rec.lstar == rec.lstar && big.rec.epoch == rec.epoch &&
	      big.rec.hypervisor == rec.hypervisor && big.rec.cstar == rec.cstar &&
	      big.rec.sysenter_eip == rec.sysenter_eip, "get at a newer size: the same fields");
	check(all_zero(big.b + sizeof(rec), NEWER), "get at a newer size: zeros after");

	/* list, at a stride of the caller's size */
	check(kvmlstar_nl_list(nl, &f, &recs, stride, &n, &err) == KVMLSTAR_OK && n >= 1,
	      "list at a newer size");
	if (recs && n) {
		size_t i;

		for (i = 0; i < n; i++) {
			const unsigned char *e = (const unsigned char *)recs + i * stride;
			const struct kvmlstar_record *r = (const struct kvmlstar_record *)(const void *)e;

			check(r->vm == vm, "list at a newer size: element i is record i");
			check(all_zero(e + sizeof(*r), NEWER), "list at a newer size: zeros after");
		}
	}
	free(recs);
	recs = NULL;
	check(kvmlstar_nl_list(nl, &f, &recs, KVMLSTAR_RECORD_SIZE_1 - 1, &n, &err) ==
	      KVMLSTAR_E_BAD_INPUT && !recs, "list one byte short: refused");

	/* wait (the record is captured: it returns at once) */
	memset(&big, 0xaa, sizeof(big));
	check(kvmlstar_wait(nl, &f, 0, 5000, &big.rec, sizeof(big), &err) == KVMLSTAR_OK &&
	      big.rec.lstar == rec.lstar, "wait at a newer size");
	check(all_zero(big.b + sizeof(rec), NEWER), "wait at a newer size: zeros after");
	check(kvmlstar_wait(nl, &f, 0, 0, &big.rec, 3, &err) == KVMLSTAR_E_BAD_INPUT,
	      "wait far too short: refused");

	/* the event socket */
	check(kvmlstar_nl_event_fd(nl) == -1, "no event fd before subscribing");
	check(kvmlstar_nl_subscribe(nl, &err) == KVMLSTAR_OK && kvmlstar_nl_event_fd(nl) >= 0,
	      "an event fd after subscribing");
	check(kvmlstar_nl_next_event(nl, 0, &rec, KVMLSTAR_RECORD_SIZE_1 - 1, &err) ==
	      KVMLSTAR_E_BAD_INPUT, "next_event one byte short: refused");
	kvmlstar_nl_close(nl);

	printf("abisize: %d checks passed, %d failed\n", checks - failures, failures);
	return failures ? 1 : 0;
}
