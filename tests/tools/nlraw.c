// SPDX-License-Identifier: GPL-2.0
/*
 * nlraw: send one hand-built generic netlink request to the kvm_lstar
 * family and print what comes back.  The CLI only sends well-formed
 * requests; tests need malformed ones too (unknown attributes, wrong
 * lengths, oversize), and a way to see the kernel's extack message.
 *
 *   nlraw [--dump] [--family NAME] CMD [ATTR...]
 *   ATTR:  u8:TYPE=N  u16:TYPE=N  u32:TYPE=N  u64:TYPE=N  str:TYPE=TEXT
 *          hex:TYPE=BYTES (raw payload, e.g. hex:2=0102)  big:TYPE=LEN (LEN zero bytes)
 *
 * Output, one line each: "record k=v ..." for kvm_lstar records,
 * "status k=v ..." for a status reply, "ack", or
 * "error errno=E msg=TEXT" (the extack message, if any).
 * Exit 0 on ack/records, 1 on a kernel error, 2 on bad usage.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/kvm_lstar.h>

#ifndef NLMSGERR_ATTR_MSG
#define NLMSGERR_ATTR_MSG 1
#endif

#define BUFSZ (1 << 20)

/* <linux/netlink.h> has no attribute walkers for user space. */
#define NLA_OK(a, len) ((len) >= (int)sizeof(struct nlattr) && \
			(a)->nla_len >= sizeof(struct nlattr) && (a)->nla_len <= (len))
#define NLA_NEXT(a, len) ((len) -= NLA_ALIGN((a)->nla_len), \
			  (struct nlattr *)((char *)(a) + NLA_ALIGN((a)->nla_len)))

static char *buf;

static void usage(void)
{
	fprintf(stderr, "usage: nlraw [--dump] [--family NAME] CMD [u8|u16|u32|u64|str|hex|big:TYPE=VALUE...]\n");
	exit(2);
}

static struct nlattr *put_attr(struct nlmsghdr *nlh, unsigned short type,
			       const void *data, size_t len)
{
	struct nlattr *a = (struct nlattr *)((char *)nlh + NLMSG_ALIGN(nlh->nlmsg_len));

	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	if (len)
		memcpy((char *)a + NLA_HDRLEN, data, len);
	nlh->nlmsg_len = NLMSG_ALIGN(nlh->nlmsg_len) + NLA_ALIGN(a->nla_len);
	return a;
}

static int xsend(int fd, struct nlmsghdr *nlh)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };

	return sendto(fd, nlh, nlh->nlmsg_len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0 ? -1 : 0;
}

static void print_attrs(const char *what, struct nlattr *a, int len)
{
	static const char *const names[] = {
		[KVM_LSTAR_A_VM] = "vm", [KVM_LSTAR_A_PID] = "pid",
		[KVM_LSTAR_A_VCPU] = "vcpu", [KVM_LSTAR_A_LSTAR] = "lstar",
		[KVM_LSTAR_A_CURRENT] = "current", [KVM_LSTAR_A_EPOCH] = "epoch",
		[KVM_LSTAR_A_WRITES] = "writes", [KVM_LSTAR_A_CHANGED] = "changed",
		[KVM_LSTAR_A_SOURCE] = "source", [KVM_LSTAR_A_CAPTURED_NS] = "captured_ns",
		[KVM_LSTAR_A_GONE] = "gone", [KVM_LSTAR_A_EVENT] = "event",
		[KVM_LSTAR_A_UID] = "uid",
		[KVM_LSTAR_A_STATUS_VERSION] = "version",
		[KVM_LSTAR_A_STATUS_INTERCEPT] = "intercept",
		[KVM_LSTAR_A_STATUS_SVM] = "svm",
		[KVM_LSTAR_A_STATUS_REASON] = "reason",
		[KVM_LSTAR_A_STATUS_RECORDS] = "records",
		[KVM_LSTAR_A_STATUS_CAPACITY] = "capacity",
		[KVM_LSTAR_A_STATUS_VMS] = "vms",
		[KVM_LSTAR_A_STATUS_EVICTIONS] = "evictions",
		[KVM_LSTAR_A_STATUS_ALLOC_FAILS] = "alloc_fails",
		[KVM_LSTAR_A_STATUS_EVENTS_LOST] = "events_lost",
		[KVM_LSTAR_A_STATUS_REFUSED] = "refused",
		[KVM_LSTAR_A_HYPERVISOR] = "hypervisor",
		[KVM_LSTAR_A_UNAVAILABLE] = "unavailable",
	};

	printf("%s", what);
	for (; NLA_OK(a, len); a = NLA_NEXT(a, len)) {
		unsigned int t = a->nla_type & NLA_TYPE_MASK;
		const void *p = (const char *)a + NLA_HDRLEN;
		int plen = a->nla_len - NLA_HDRLEN;
		const char *n = t < sizeof(names) / sizeof(names[0]) && names[t] ? names[t] : NULL;

		if (t == KVM_LSTAR_A_PAD)
			continue;
		if (n)
			printf(" %s=", n);
		else
			printf(" attr%u=", t);
		if (t == KVM_LSTAR_A_STATUS_VERSION || t == KVM_LSTAR_A_STATUS_REASON)
			printf("'%.*s'", plen, (const char *)p);
		else if (plen == 8)
			printf("0x%llx", (unsigned long long)*(const uint64_t *)p);
		else if (plen == 4)
			printf("%u", *(const uint32_t *)p);
		else if (plen == 1)
			printf("%u", *(const uint8_t *)p);
		else
			printf("<%d bytes>", plen);
	}
	printf("\n");
}

/* Read replies until done/ack/error; return 0, or the positive errno. */
static int read_replies(int fd, uint32_t seq, int family)
{
	for (;;) {
		ssize_t n = recv(fd, buf, BUFSZ, 0);
		struct nlmsghdr *h;

		if (n < 0) {
			perror("nlraw: recv");
			return EIO;
		}
		if (getenv("NLRAW_HEXDUMP"))
			for (ssize_t i = 0; i < n; i++)
				fprintf(stderr, "%02x%s", (unsigned char)buf[i], i % 16 == 15 ? "\n" : " ");
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_seq != seq)
				continue;
			if (h->nlmsg_type == NLMSG_DONE) {
				if (h->nlmsg_flags & NLM_F_DUMP_INTR)
					printf("dump-interrupted\n");
				return 0;
			}
			if (h->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(h);
				const char *msg = "";
				struct nlattr *a;
				int alen;

				if (!e->error) {
					printf("ack\n");
					return 0;
				}
				/* extack TLVs follow the (capped) original message */
				if (h->nlmsg_flags & NLM_F_ACK_TLVS) {
					size_t off = sizeof(*e);

					if (!(h->nlmsg_flags & NLM_F_CAPPED))
						off += e->msg.nlmsg_len - sizeof(e->msg);
					a = (struct nlattr *)((char *)e + NLMSG_ALIGN(off));
					alen = h->nlmsg_len - NLMSG_HDRLEN - NLMSG_ALIGN(off);
					for (; NLA_OK(a, alen); a = NLA_NEXT(a, alen))
						if (a->nla_type == NLMSGERR_ATTR_MSG)
							msg = (const char *)a + NLA_HDRLEN;
				}
				printf("error errno=%d msg='%s'\n", -e->error, msg);
				return -e->error;
			}
			if (h->nlmsg_type == family) {
				struct genlmsghdr *g = NLMSG_DATA(h);
				struct nlattr *a = (struct nlattr *)((char *)g + GENL_HDRLEN);
				int alen = h->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);

				print_attrs(g->cmd == KVM_LSTAR_CMD_STATUS ? "status" : "record", a, alen);
				if (!(h->nlmsg_flags & NLM_F_MULTI))
					return 0;
			} else if (h->nlmsg_type == GENL_ID_CTRL) {
				return 0;
			}
		}
	}
}

static int resolve(int fd, const char *name)
{
	struct nlmsghdr *h = (struct nlmsghdr *)buf;
	struct genlmsghdr *g;
	ssize_t n;

	memset(buf, 0, 4096);
	h->nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	h->nlmsg_type = GENL_ID_CTRL;
	h->nlmsg_flags = NLM_F_REQUEST;
	h->nlmsg_seq = 1;
	g = NLMSG_DATA(h);
	g->cmd = CTRL_CMD_GETFAMILY;
	g->version = 1;
	put_attr(h, CTRL_ATTR_FAMILY_NAME, name, strlen(name) + 1);
	if (xsend(fd, h))
		return -1;
	n = recv(fd, buf, BUFSZ, 0);
	if (n < 0 || h->nlmsg_type != GENL_ID_CTRL)
		return -1;
	{
		struct nlattr *a = (struct nlattr *)((char *)NLMSG_DATA(h) + GENL_HDRLEN);
		int alen = h->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);

		for (; NLA_OK(a, alen); a = NLA_NEXT(a, alen))
			if (a->nla_type == CTRL_ATTR_FAMILY_ID)
				return *(uint16_t *)((char *)a + NLA_HDRLEN);
	}
	return -1;
}

int main(int argc, char **argv)
{
	const char *fname = KVM_LSTAR_GENL_NAME;
	struct nlmsghdr *h;
	struct genlmsghdr *g;
	int dump = 0, one = 1, fd, family, i, err;
	static char req[BUFSZ];

	buf = malloc(BUFSZ);
	if (!buf)
		return 1;
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--dump"))
			dump = 1;
		else if (!strcmp(argv[i], "--family") && i + 1 < argc)
			fname = argv[++i];
		else
			usage();
	}
	if (i >= argc)
		usage();

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (fd < 0) {
		perror("nlraw: socket");
		return 1;
	}
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	{
		struct timeval tv = { .tv_sec = 10 };

		/* Never hang a test on a reply that does not come. */
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	}
	family = resolve(fd, fname);
	if (family < 0) {
		printf("error errno=%d msg='family %s not registered'\n", ENOENT, fname);
		return 1;
	}

	h = (struct nlmsghdr *)req;
	h->nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	h->nlmsg_type = family;
	h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | (dump ? NLM_F_DUMP : 0);
	h->nlmsg_seq = 2;
	g = NLMSG_DATA(h);
	g->cmd = (uint8_t)strtoul(argv[i++], NULL, 0);
	g->version = KVM_LSTAR_GENL_VERSION;

	for (; i < argc; i++) {
		char kind[8];
		unsigned int type;
		int off = 0;
		const char *val;
		unsigned long long v;

		if (sscanf(argv[i], "%7[a-z0-9]:%u=%n", kind, &type, &off) < 2 || !off)
			usage();
		val = argv[i] + off;
		v = strtoull(val, NULL, 0);
		if (!strcmp(kind, "u8")) {
			uint8_t x = v;

			put_attr(h, type, &x, 1);
		} else if (!strcmp(kind, "u16")) {
			uint16_t x = v;

			put_attr(h, type, &x, 2);
		} else if (!strcmp(kind, "u32")) {
			uint32_t x = v;

			put_attr(h, type, &x, 4);
		} else if (!strcmp(kind, "u64")) {
			uint64_t x = v;

			put_attr(h, type, &x, 8);
		} else if (!strcmp(kind, "str")) {
			put_attr(h, type, val, strlen(val) + 1);
		} else if (!strcmp(kind, "hex")) {
			unsigned char b[4096];
			size_t n = 0;

			while (val[0] && val[1] && n < sizeof(b)) {
				sscanf(val, "%2hhx", &b[n++]);
				val += 2;
			}
			put_attr(h, type, b, n);
		} else if (!strcmp(kind, "big")) {
			static unsigned char z[60000];

			if (v > sizeof(z))
				usage();
			put_attr(h, type, z, v);
		} else {
			usage();
		}
	}
	if (xsend(fd, h)) {
		perror("nlraw: send");
		return 1;
	}
	err = read_replies(fd, 2, family);
	/* A get's reply is followed by its ack; a dump ends at NLMSG_DONE. */
	if (!err && !dump && g->cmd != KVM_LSTAR_CMD_CLEAR)
		err = read_replies(fd, 2, family);
	close(fd);
	free(buf);
	return err ? 1 : 0;
}
