// SPDX-License-Identifier: GPL-2.0
/*
 * nlfuzz: throw random and malformed generic netlink traffic at the
 * kvm_lstar family for a bounded time, and check the answers.
 *
 *   nlfuzz [--seconds N | --iterations N] [--seed S] [--sockets K]
 *          [--uid UID] [--check-as UID] [--family NAME] [--verbose]
 *   nlfuzz --dump
 *
 * The family id and the "events" group id come from the genl controller.
 * The traffic: valid and invalid commands (0, 1..3, 4 which has no op,
 * 5..255), wrong versions and reserved bytes, odd and huge flags, attributes
 * of the wrong type or length, truncated or overlong headers and
 * attributes, nested garbage, several messages in one datagram, random
 * bytes; dumps that are read slowly, read with too small a buffer,
 * abandoned by closing the socket mid-way, or interleaved with CLEAR from
 * another socket; joining and leaving the events group; shrinking socket
 * buffers.  K sockets (default 64) are used at once.  With --uid the
 * process drops to that uid (and gid) first.
 *
 * It fails (exit 1) when an answer breaks a rule:
 *  - a reply is malformed: bad lengths, a generic netlink message without
 *    its header, attributes that do not tile the payload;
 *  - without CAP_NET_ADMIN: a record of another uid arrives, joining the
 *    events group succeeds, an event arrives, a CLEAR is acknowledged, or
 *    a CLEAR sent alone with clean flags and valid attributes is answered
 *    with anything but EPERM (matched by the echo of its whole header).
 * The kernel surviving it is checked by the caller (the VM harness fails on any
 * oops, BUG or WARNING).  --check-as UID is the checks' self-test: run as
 * root, judge the answers as if the process were UID without
 * CAP_NET_ADMIN; root's answers must then show violations.
 *
 * It prints its seed first; the same seed replays the same requests (the
 * kernel's state and the timing may differ).  The last line is a summary.
 * Exit 0: no violation; 1: violations; 2: bad usage or no such family.
 *
 * --dump makes one well-formed dump of every visible record instead, read
 * in parts of at most 4 kB, and prints "dump records N parts P
 * interrupted 0|1": interrupted when any message of it carried
 * NLM_F_DUMP_INTR (the kernel flags the first message of a part when the
 * records changed since the part before, and NLMSG_DONE when they changed
 * before the last one).  Exit 0, or 1 when the dump failed.
 */
#include <errno.h>
#include <grp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/kvm_lstar.h>

#define PROG		"nlfuzz"
#define MAX_SOCKETS	256
#define MSG_MAX		65536
#define RX_MAX		(128 * 1024)
#define POOL		64	/* VM numbers and pids seen in replies */
#define EXPECT_RING	4096	/* requests whose answer is checked, by seq */
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#ifndef NLMSGERR_ATTR_MSG
#define NLMSGERR_ATTR_MSG 1
#endif

/* <linux/netlink.h> has no attribute walkers for user space. */
#define NLA_OK(a, len) ((len) >= (int)sizeof(struct nlattr) && \
			(a)->nla_len >= sizeof(struct nlattr) && (a)->nla_len <= (len))
#define NLA_NEXT(a, len) ((len) -= NLA_ALIGN((a)->nla_len), \
			  (struct nlattr *)((char *)(a) + NLA_ALIGN((a)->nla_len)))

struct fsock {
	int fd;
	bool dumping;		/* a dump of ours is in flight */
	bool slow;		/* read one datagram per turn */
	bool joined;		/* member of the events group */
};

/*
 * What the answer to one request must be; indexed by seq.  A CLEAR without
 * CAP_NET_ADMIN is never acknowledged; with clean flags and valid
 * attributes it is refused with EPERM (odd flags, NLM_F_DUMP or attributes
 * the policy rejects get EINVAL or EOPNOTSUPP first).
 */
enum expect { EXPECT_ANY, EXPECT_REFUSED, EXPECT_EPERM };

static struct {
	uint64_t iterations, sent, send_errors, datagrams, replies, records;
	uint64_t acks, errors[135], dumps_started, dumps_done, dumps_abandoned;
	uint64_t dumps_intr, truncated, overruns, clears, joins, reopen, foreign;
	uint64_t violations;
} st;

static uint64_t rng_state;
static struct fsock socks[MAX_SOCKETS];
static int nsocks = 64;
static int family = -1, mcgrp = -1;
static bool admin, verbose;
static uid_t my_uid;
static uint32_t seq = 1000;
static uint32_t vm_pool[POOL], pid_pool[POOL];
static unsigned int vm_pool_n, pid_pool_n;
static struct {
	struct nlmsghdr sent;	/* the header as sent */
	uint8_t expect;
} expect_ring[EXPECT_RING];
static unsigned char msg[MSG_MAX], rx[RX_MAX];

/* xorshift64*: small, fast, and the same sequence for the same seed. */
static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static uint32_t below(uint32_t n)
{
	return n ? (uint32_t)(rnd() % n) : 0;
}

static bool chance(unsigned int percent)
{
	return below(100) < percent;
}

static void __attribute__((format(printf, 1, 2))) violation(const char *fmt, ...)
{
	va_list ap;

	st.violations++;
	fprintf(stderr, PROG ": VIOLATION: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/*
 * Answers never decide how many random numbers are drawn, so a seed
 * replays the same requests; only values taken from answers (VM numbers,
 * pids) follow the kernel's state.
 */
static void pool_add(uint32_t *pool, unsigned int *n, uint32_t v)
{
	if (!v)
		return;
	pool[*n % POOL] = v;
	(*n)++;
}

/* A u32 worth sending: mostly a VM number or pid that exists. */
static uint32_t pick_u32(const uint32_t *pool, unsigned int n)
{
	uint32_t kind = below(8), r = (uint32_t)rnd();

	switch (kind) {
	case 0:
		return 0;
	case 1:
		return UINT32_MAX - r % 4;
	case 2:
		return r;
	case 3:
		return r % 70;
	default:
		if (!n)
			return 1 + r % 20;
		return pool[(r >> 2) % (n < POOL ? n : POOL)] + r % 3 - 1;
	}
}

/* ------------------------------------------------------------------ */
/* Sockets                                                             */
/* ------------------------------------------------------------------ */

static int open_socket(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int fd, one = 1;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_GENERIC);
	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	if (chance(30))
		setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	return fd;
}

static void reopen(struct fsock *s)
{
	if (s->fd >= 0) {
		if (s->dumping)
			st.dumps_abandoned++;
		close(s->fd);
		st.reopen++;
	}
	memset(s, 0, sizeof(*s));
	s->fd = open_socket();
	s->slow = chance(30);
}

static void xsend(struct fsock *s, const void *buf, size_t len)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };

	if (s->fd < 0)
		return;
	st.sent++;
	if (sendto(s->fd, buf, len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		st.send_errors++;
}

/* ------------------------------------------------------------------ */
/* The controller: family and group ids                                */
/* ------------------------------------------------------------------ */

static void put_attr_raw(struct nlmsghdr *h, uint16_t type, const void *data, size_t len)
{
	struct nlattr *a = (struct nlattr *)((char *)h + NLMSG_ALIGN(h->nlmsg_len));

	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	memcpy((char *)a + NLA_HDRLEN, data, len);
	h->nlmsg_len = NLMSG_ALIGN(h->nlmsg_len) + NLA_ALIGN(a->nla_len);
}

/* The group id named @grp inside a CTRL_ATTR_MCAST_GROUPS nest. */
static int find_group(struct nlattr *nest, const char *grp)
{
	struct nlattr *g = (struct nlattr *)((char *)nest + NLA_HDRLEN);
	int glen = nest->nla_len - NLA_HDRLEN;

	for (; NLA_OK(g, glen); g = NLA_NEXT(g, glen)) {
		struct nlattr *a = (struct nlattr *)((char *)g + NLA_HDRLEN);
		int alen = g->nla_len - NLA_HDRLEN, id = -1;
		const char *name = NULL;

		for (; NLA_OK(a, alen); a = NLA_NEXT(a, alen)) {
			if (a->nla_type == CTRL_ATTR_MCAST_GRP_ID)
				id = *(uint32_t *)((char *)a + NLA_HDRLEN);
			else if (a->nla_type == CTRL_ATTR_MCAST_GRP_NAME)
				name = (const char *)a + NLA_HDRLEN;
		}
		if (name && id >= 0 && !strcmp(name, grp))
			return id;
	}
	return -1;
}

static int resolve(const char *name)
{
	struct nlmsghdr *h = (struct nlmsghdr *)msg;
	struct genlmsghdr *g = NLMSG_DATA(h);
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct pollfd pfd;
	struct nlattr *a;
	int fd, alen;
	ssize_t n;

	fd = open_socket();
	if (fd < 0)
		return -1;
	memset(msg, 0, 4096);
	h->nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	h->nlmsg_type = GENL_ID_CTRL;
	h->nlmsg_flags = NLM_F_REQUEST;
	h->nlmsg_seq = 1;
	g->cmd = CTRL_CMD_GETFAMILY;
	g->version = 1;
	put_attr_raw(h, CTRL_ATTR_FAMILY_NAME, name, strlen(name) + 1);
	if (sendto(fd, h, h->nlmsg_len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		goto fail;
	pfd = (struct pollfd){ .fd = fd, .events = POLLIN };
	if (poll(&pfd, 1, 5000) != 1)
		goto fail;
	n = recv(fd, rx, sizeof(rx), 0);
	h = (struct nlmsghdr *)rx;
	if (n < (ssize_t)NLMSG_LENGTH(GENL_HDRLEN) || h->nlmsg_type != GENL_ID_CTRL)
		goto fail;
	a = (struct nlattr *)((char *)NLMSG_DATA(h) + GENL_HDRLEN);
	alen = h->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);
	for (; NLA_OK(a, alen); a = NLA_NEXT(a, alen)) {
		if (a->nla_type == CTRL_ATTR_FAMILY_ID)
			family = *(uint16_t *)((char *)a + NLA_HDRLEN);
		else if (a->nla_type == CTRL_ATTR_MCAST_GROUPS)
			mcgrp = find_group(a, KVM_LSTAR_MCGRP_EVENTS);
	}
	close(fd);
	return family;
fail:
	close(fd);
	return -1;
}

/* ------------------------------------------------------------------ */
/* Requests                                                            */
/* ------------------------------------------------------------------ */

/* Start a message at @off of msg[]; returns its header. */
static struct nlmsghdr *begin(size_t off, uint16_t type, uint16_t flags, uint8_t cmd,
			      uint8_t version)
{
	struct nlmsghdr *h = (struct nlmsghdr *)(msg + off);
	struct genlmsghdr *g = NLMSG_DATA(h);

	memset(h, 0, NLMSG_LENGTH(GENL_HDRLEN));
	h->nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	h->nlmsg_type = type;
	h->nlmsg_flags = flags;
	h->nlmsg_seq = ++seq;
	g->cmd = cmd;
	g->version = version;
	expect_ring[h->nlmsg_seq % EXPECT_RING].expect = EXPECT_ANY;
	return h;
}

/*
 * Remember what the answer to @h must be.  Only for a message sent alone
 * and intact: inside a batch, a mangled neighbour can make the kernel read
 * attribute bytes (pids among them) as a header with any seq.  The answer
 * is matched by its echo of the whole header, not by seq alone.
 */
static void expect_answer(const struct nlmsghdr *h, enum expect e)
{
	expect_ring[h->nlmsg_seq % EXPECT_RING].sent = *h;
	expect_ring[h->nlmsg_seq % EXPECT_RING].expect = e;
}

/* Room left after @h for attributes, keeping the whole message in msg[]. */
static size_t room(const struct nlmsghdr *h)
{
	size_t used = (size_t)((const unsigned char *)h - msg) + NLMSG_ALIGN(h->nlmsg_len);

	return used + NLA_HDRLEN + 8 < MSG_MAX ? MSG_MAX - used - NLA_HDRLEN - 8 : 0;
}

static void put_attr(struct nlmsghdr *h, uint16_t type, const void *data, size_t len)
{
	if (len > room(h))
		len = room(h);
	if (len + NLA_HDRLEN > 0xffff)
		len = 0xffff - NLA_HDRLEN;
	put_attr_raw(h, type, data, len);
}

static void put_u32(struct nlmsghdr *h, uint16_t type, uint32_t v)
{
	put_attr(h, type, &v, sizeof(v));
}

/* Random bytes into @p. */
static void fill(void *p, size_t len)
{
	unsigned char *b = p;
	size_t i;

	for (i = 0; i < len; i++)
		b[i] = (unsigned char)rnd();
}

/* An attribute type to send: mostly ours, sometimes anything. */
static uint16_t pick_type(void)
{
	switch (below(10)) {
	case 0:
		return (uint16_t)rnd();	/* NLA_F_NESTED, NLA_F_NET_BYTEORDER too */
	case 1:
		return KVM_LSTAR_A_MAX + 1 + below(200);
	case 2:
		return below(KVM_LSTAR_A_MAX + 1) | NLA_F_NESTED;
	default:
		return below(KVM_LSTAR_A_MAX + 1);
	}
}

static void put_nested_garbage(struct nlmsghdr *h, int depth);

/* One attribute: right or wrong type, size and content. */
static void put_random_attr(struct nlmsghdr *h, int depth)
{
	static unsigned char blob[MSG_MAX];
	uint16_t type = pick_type();
	size_t len;

	switch (below(12)) {
	case 0:			/* the filters, well formed */
	case 1:
	case 2:
		put_u32(h, KVM_LSTAR_A_VM + below(3),
			chance(50) ? pick_u32(vm_pool, vm_pool_n) : pick_u32(pid_pool, pid_pool_n));
		return;
	case 3:			/* right type, random value and size class */
		len = (size_t[]){ 0, 1, 2, 4, 8 }[below(5)];
		break;
	case 4:			/* odd sizes */
		len = below(17);
		break;
	case 5:			/* big */
		len = chance(10) ? 4096 + below(60000) : 64 + below(2000);
		break;
	case 6:			/* strings, with and without their NUL */
		len = below(300);
		fill(blob, len);
		if (len && chance(50))
			blob[len - 1] = 0;
		put_attr(h, type, blob, len);
		return;
	case 7:
		if (depth < 4) {
			put_nested_garbage(h, depth + 1);
			return;
		}
		len = below(16);
		break;
	default:
		len = 4;
		break;
	}
	fill(blob, len);
	put_attr(h, type, blob, len);
}

/* A nest (NLA_F_NESTED or not) holding more random attributes. */
static void put_nested_garbage(struct nlmsghdr *h, int depth)
{
	struct nlattr *nest = (struct nlattr *)((char *)h + NLMSG_ALIGN(h->nlmsg_len));
	uint32_t start = h->nlmsg_len, i, n = below(5);

	if (room(h) < 64)
		return;
	nest->nla_type = (chance(70) ? NLA_F_NESTED : 0) | below(KVM_LSTAR_A_MAX + 3);
	h->nlmsg_len = NLMSG_ALIGN(h->nlmsg_len) + NLA_HDRLEN;
	for (i = 0; i < n && room(h) > 64; i++)
		put_random_attr(h, depth);
	nest->nla_len = (uint16_t)(h->nlmsg_len - NLMSG_ALIGN(start));
	if (chance(20))		/* a nest that claims more or less than it holds */
		nest->nla_len = (uint16_t)(nest->nla_len + below(9) - 4);
}

/* Break the framing of a built message; returns the bytes to send. */
static size_t mangle(struct nlmsghdr *h)
{
	size_t len = h->nlmsg_len;
	struct nlattr *a = (struct nlattr *)((char *)NLMSG_DATA(h) + GENL_HDRLEN);
	size_t alen = len - NLMSG_LENGTH(GENL_HDRLEN);

	switch (below(8)) {
	case 0:			/* header says less than we send */
		h->nlmsg_len = below((uint32_t)len + 1);
		return len;
	case 1:			/* header says more than we send */
		h->nlmsg_len = (uint32_t)len + 1 + below(100);
		return len;
	case 2:			/* the datagram is cut short */
		return below((uint32_t)len + 1);
	case 3:			/* first attribute too short */
		if (alen >= NLA_HDRLEN)
			a->nla_len = below(NLA_HDRLEN);
		return len;
	case 4:			/* first attribute runs past the end */
		if (alen >= NLA_HDRLEN)
			a->nla_len = (uint16_t)(alen + 1 + below(64));
		return len;
	case 5:			/* a dangling partial attribute header */
		len += 1 + below(NLA_HDRLEN - 1);
		fill((char *)h + h->nlmsg_len, len - h->nlmsg_len);
		h->nlmsg_len = (uint32_t)len;
		return len;
	case 6:			/* nonzero reserved byte in the genl header */
		((struct genlmsghdr *)NLMSG_DATA(h))->reserved = (uint16_t)(1 + below(0xffff));
		return len;
	default:		/* a header with no room for the genl header */
		h->nlmsg_len = NLMSG_HDRLEN + below(GENL_HDRLEN);
		return h->nlmsg_len;
	}
}

static uint8_t pick_cmd(void)
{
	switch (below(10)) {
	case 0:
		return 0;
	case 1:
		return KVM_LSTAR_CMD_EVENT;
	case 2:
		return 5 + below(251);
	default:
		return 1 + below(3);
	}
}

static uint16_t pick_flags(void)
{
	static const uint16_t odd[] = {
		NLM_F_ROOT, NLM_F_MATCH, NLM_F_ATOMIC, NLM_F_ECHO, NLM_F_EXCL,
		NLM_F_CREATE, NLM_F_APPEND, NLM_F_REPLACE, NLM_F_MULTI,
		NLM_F_DUMP_INTR, NLM_F_NONREC, NLM_F_BULK,
	};
	uint16_t f = NLM_F_REQUEST;

	switch (below(6)) {
	case 0:
		return (uint16_t)rnd();
	case 1:
		return (uint16_t)rnd() | NLM_F_REQUEST;
	case 2:
		f |= odd[below(sizeof(odd) / sizeof(odd[0]))];
		/* fall through */
	default:
		if (chance(70))
			f |= NLM_F_ACK;
		if (chance(30))
			f |= NLM_F_DUMP;
		return f;
	}
}

/*
 * One request into msg[] at @off; returns the bytes to send.  @alone: it
 * goes in a datagram of its own, so its answer can be checked.
 */
static size_t build_random(size_t off, bool alone)
{
	struct nlmsghdr *h;
	struct genlmsghdr *g;
	uint16_t type = family;
	unsigned int i, n;

	if (chance(3))
		type = below(4);	/* NLMSG_NOOP, _ERROR, _DONE and 0 */
	h = begin(off, type, pick_flags(), pick_cmd(),
		  chance(85) ? KVM_LSTAR_GENL_VERSION : (uint8_t)rnd());
	g = NLMSG_DATA(h);
	n = chance(20) ? 0 : 1 + below(chance(10) ? 40 : 4);
	for (i = 0; i < n && room(h) > 64; i++)
		put_random_attr(h, 0);
	/*
	 * Without CAP_NET_ADMIN a CLEAR is never acknowledged.  The genetlink
	 * core checks the flags (only REQUEST, ACK, ECHO, or DUMP for a dump)
	 * and the attributes against the policy before the module checks the
	 * permission: with clean flags and no attribute the answer is EPERM.
	 */
	if (chance(25))
		return mangle(h);
	if (!admin && alone && type == family && g->cmd == KVM_LSTAR_CMD_CLEAR &&
	    (h->nlmsg_flags & NLM_F_REQUEST))
		expect_answer(h, n || (h->nlmsg_flags & ~(NLM_F_REQUEST | NLM_F_ACK | NLM_F_ECHO)) ?
		       EXPECT_REFUSED : EXPECT_EPERM);
	return h->nlmsg_len;
}

/* Several messages, good and bad, in one datagram. */
static size_t build_batch(void)
{
	size_t off = 0, len;
	unsigned int i, n = 2 + below(6);

	for (i = 0; i < n && off + 4096 < MSG_MAX / 2; i++) {
		len = build_random(off, false);
		off += NLMSG_ALIGN(len);
	}
	return off;
}

/* A well-formed dump of the records, maybe filtered. */
static void start_dump(struct fsock *s)
{
	struct nlmsghdr *h = begin(0, family, NLM_F_REQUEST | NLM_F_DUMP |
				   (chance(50) ? NLM_F_ACK : 0), KVM_LSTAR_CMD_GET,
				   KVM_LSTAR_GENL_VERSION);

	if (chance(20))
		put_u32(h, KVM_LSTAR_A_VM, pick_u32(vm_pool, vm_pool_n));
	if (chance(20))
		put_u32(h, KVM_LSTAR_A_PID, pick_u32(pid_pool, pid_pool_n));
	xsend(s, h, h->nlmsg_len);
	s->dumping = true;
	st.dumps_started++;
}

/* A well-formed CLEAR, all or filtered. */
static void send_clear(struct fsock *s)
{
	struct nlmsghdr *h = begin(0, family, NLM_F_REQUEST | NLM_F_ACK,
				   KVM_LSTAR_CMD_CLEAR, KVM_LSTAR_GENL_VERSION);
	uint32_t v = 1;

	if (chance(40))
		put_u32(h, KVM_LSTAR_A_VM, v = pick_u32(vm_pool, vm_pool_n));
	else if (chance(40))
		put_u32(h, KVM_LSTAR_A_PID, v = pick_u32(pid_pool, pid_pool_n));
	/* VM or pid 0 fails the policy (ERANGE) before the permission check. */
	if (!admin)
		expect_answer(h, v ? EXPECT_EPERM : EXPECT_REFUSED);
	xsend(s, h, h->nlmsg_len);
	st.clears++;
}

/* Join or leave the events group; only CAP_NET_ADMIN may join. */
static void toggle_events(struct fsock *s)
{
	int opt = s->joined ? NETLINK_DROP_MEMBERSHIP : NETLINK_ADD_MEMBERSHIP;
	int grp = mcgrp;

	if (mcgrp < 0 || s->fd < 0)
		return;
	if (chance(10))
		grp = (int)below(64);	/* any group id: ours is the one checked */
	if (setsockopt(s->fd, SOL_NETLINK, opt, &grp, sizeof(grp)) < 0) {
		if (grp == mcgrp && opt == NETLINK_ADD_MEMBERSHIP && admin)
			violation("root cannot join the %s group (errno %d)",
				  KVM_LSTAR_MCGRP_EVENTS, errno);
		return;
	}
	if (grp != mcgrp)
		return;
	if (opt == NETLINK_ADD_MEMBERSHIP) {
		if (!admin)
			violation("uid %u, without CAP_NET_ADMIN, joined the %s group",
				  (unsigned int)my_uid, KVM_LSTAR_MCGRP_EVENTS);
		s->joined = true;
		st.joins++;
	} else {
		s->joined = false;
	}
}

/* ------------------------------------------------------------------ */
/* Answers                                                             */
/* ------------------------------------------------------------------ */

/* Attributes must tile the payload exactly. */
static bool attrs_ok(struct nlattr *a, int len)
{
	for (; NLA_OK(a, len); a = NLA_NEXT(a, len))
		;
	return len == 0 || (len > 0 && len < NLA_ALIGNTO);
}

static void check_record(struct nlattr *a, int len, bool event)
{
	uint32_t uid = UINT32_MAX;

	st.records++;
	for (; NLA_OK(a, len); a = NLA_NEXT(a, len)) {
		uint32_t v;

		if (a->nla_len != NLA_HDRLEN + 4)
			continue;
		memcpy(&v, (char *)a + NLA_HDRLEN, 4);
		switch (a->nla_type) {
		case KVM_LSTAR_A_VM:
			pool_add(vm_pool, &vm_pool_n, v);
			break;
		case KVM_LSTAR_A_PID:
			pool_add(pid_pool, &pid_pool_n, v);
			break;
		case KVM_LSTAR_A_UID:
			uid = v;
			break;
		}
	}
	if (admin)
		return;
	if (event)
		violation("an event reached uid %u, which has no CAP_NET_ADMIN",
			  (unsigned int)my_uid);
	else if (uid != my_uid)
		violation("uid %u was shown a record of uid %u (%s)", (unsigned int)my_uid,
			  uid, uid == UINT32_MAX ? "no UID attribute" : "another user's VM");
}

/* The kernel's extack message in an NLMSG_ERROR, or "". */
static const char *extack_msg(struct nlmsghdr *h)
{
	struct nlmsgerr *e = NLMSG_DATA(h);
	size_t off = sizeof(*e);
	struct nlattr *a;
	int alen;

	if (!(h->nlmsg_flags & NLM_F_ACK_TLVS))
		return "";
	if (!(h->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - sizeof(e->msg);
	a = (struct nlattr *)((char *)e + NLMSG_ALIGN(off));
	alen = (int)h->nlmsg_len - NLMSG_HDRLEN - (int)NLMSG_ALIGN(off);
	for (; NLA_OK(a, alen); a = NLA_NEXT(a, alen))
		if (a->nla_type == NLMSGERR_ATTR_MSG && a->nla_len > NLA_HDRLEN &&
		    ((char *)a)[a->nla_len - 1] == '\0')
			return (const char *)a + NLA_HDRLEN;
	return "";
}

static void check_error(struct nlmsghdr *h)
{
	struct nlmsgerr *e = NLMSG_DATA(h);
	enum expect want = EXPECT_ANY;
	int err;

	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*e))) {
		violation("short NLMSG_ERROR (%u bytes)", h->nlmsg_len);
		return;
	}
	/* Only the answer to a request remembered, echoing its header. */
	if (!memcmp(&expect_ring[h->nlmsg_seq % EXPECT_RING].sent, &e->msg, sizeof(e->msg)))
		want = expect_ring[h->nlmsg_seq % EXPECT_RING].expect;
	err = -e->error;
	if (!err) {
		st.acks++;
		if (want != EXPECT_ANY)
			violation("CLEAR acknowledged without CAP_NET_ADMIN (seq %u)", h->nlmsg_seq);
		return;
	}
	st.errors[err > 0 && err < 134 ? err : 134]++;
	if (want == EXPECT_EPERM && err != EPERM)
		violation("CLEAR without CAP_NET_ADMIN answered errno %d, not EPERM "
			  "(seq %u, flags 0x%x, len %u): '%s'", err, h->nlmsg_seq,
			  e->msg.nlmsg_flags, e->msg.nlmsg_len, extack_msg(h));
	if (verbose)
		printf("seq %u errno %d: %s\n", h->nlmsg_seq, err, extack_msg(h));
}

static void check_message(struct fsock *s, struct nlmsghdr *h)
{
	struct genlmsghdr *g;

	st.replies++;
	switch (h->nlmsg_type) {
	case NLMSG_ERROR:
		check_error(h);
		return;
	case NLMSG_DONE:
		if (h->nlmsg_flags & NLM_F_DUMP_INTR)
			st.dumps_intr++;
		st.dumps_done++;
		s->dumping = false;
		return;
	}
	if (h->nlmsg_type != family) {
		/* Multicast of another family, from a random group joined. */
		st.foreign++;
		return;
	}
	if (h->nlmsg_len < NLMSG_LENGTH(GENL_HDRLEN)) {
		violation("kvm_lstar message without a genl header (%u bytes)", h->nlmsg_len);
		return;
	}
	g = NLMSG_DATA(h);
	if (!attrs_ok((struct nlattr *)((char *)g + GENL_HDRLEN),
		      (int)(h->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN)))) {
		violation("attributes of a kvm_lstar message (cmd %u) do not tile it", g->cmd);
		return;
	}
	if (g->cmd == KVM_LSTAR_CMD_GET || g->cmd == KVM_LSTAR_CMD_EVENT)
		check_record((struct nlattr *)((char *)g + GENL_HDRLEN),
			     (int)(h->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN)),
			     g->cmd == KVM_LSTAR_CMD_EVENT);
	else if (g->cmd != KVM_LSTAR_CMD_STATUS)
		violation("reply with unexpected command %u", g->cmd);
}

/* Read what is queued on @s: one datagram, or all of it. */
static void drain(struct fsock *s, bool all)
{
	/* A small buffer cuts datagrams (MSG_TRUNC tells): the kernel goes on. */
	size_t len = chance(5) ? 16 + below(512) : sizeof(rx);
	ssize_t n;

	while (s->fd >= 0) {
		n = recv(s->fd, rx, len, MSG_DONTWAIT | MSG_TRUNC);
		if (n < 0) {
			if (errno == ENOBUFS) {
				st.overruns++;
				continue;
			}
			return;
		}
		st.datagrams++;
		if ((size_t)n > len) {
			st.truncated++;
		} else {
			struct nlmsghdr *h = (struct nlmsghdr *)rx;
			int left = (int)n;

			for (; NLMSG_OK(h, left); h = NLMSG_NEXT(h, left))
				check_message(s, h);
			if (left)
				violation("datagram with %d bytes after its last message", left);
		}
		if (!all)
			return;
	}
}

/* ------------------------------------------------------------------ */
/* Main loop                                                           */
/* ------------------------------------------------------------------ */

static const int sockopts[] = {
	NETLINK_EXT_ACK, NETLINK_CAP_ACK, NETLINK_NO_ENOBUFS, NETLINK_GET_STRICT_CHK,
	NETLINK_PKTINFO, NETLINK_BROADCAST_ERROR, NETLINK_LISTEN_ALL_NSID,
};

static void one_step(void)
{
	struct fsock *s = &socks[below(nsocks)];
	size_t len;
	int size;

	if (s->fd < 0)
		reopen(s);
	switch (below(20)) {
	case 0: case 1: case 2: case 3: case 4: case 5:
		len = build_random(0, true);
		if (len)
			xsend(s, msg, len);
		break;
	case 6:
		xsend(s, msg, build_batch());
		break;
	case 7:			/* random bytes */
		len = below(200);
		fill(msg, len);
		xsend(s, msg, len);
		break;
	case 8: case 9:
		start_dump(s);
		break;
	case 10:		/* a CLEAR while dumps run on other sockets */
		send_clear(s);
		break;
	case 11:		/* abandon whatever is in flight */
		reopen(s);
		break;
	case 12:
		toggle_events(s);
		break;
	case 13:		/* tiny buffers: more dump parts, overruns */
		size = (int)(chance(50) ? 1 + below(4096) : 1u << (12 + below(8)));
		setsockopt(s->fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
		break;
	case 14:		/* netlink socket options, on or off */
		size = (int)below(2);
		setsockopt(s->fd, SOL_NETLINK, sockopts[below(ARRAY_SIZE(sockopts))],
			   &size, sizeof(size));
		break;
	default:
		drain(s, !s->slow);
		break;
	}
	st.iterations++;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void drop_to(uid_t uid)
{
	if (setgroups(0, NULL) < 0 || setgid(uid) < 0 || setuid(uid) < 0) {
		perror(PROG ": cannot drop to --uid");
		exit(2);
	}
}

static void summary(double secs)
{
	static const struct { int e; const char *name; } names[] = {
		{ EPERM, "EPERM" }, { ENOENT, "ENOENT" }, { EINVAL, "EINVAL" },
		{ ERANGE, "ERANGE" }, { EOPNOTSUPP, "EOPNOTSUPP" }, { EMSGSIZE, "EMSGSIZE" },
		{ ENOBUFS, "ENOBUFS" }, { EBUSY, "EBUSY" },
	};
	uint64_t other = 0;
	unsigned int i, j;

	for (i = 1; i < sizeof(st.errors) / sizeof(st.errors[0]); i++) {
		for (j = 0; j < sizeof(names) / sizeof(names[0]); j++)
			if (names[j].e == (int)i)
				break;
		if (j == sizeof(names) / sizeof(names[0]))
			other += st.errors[i];
	}
	printf(PROG ": %.1fs %llu steps: sent %llu (send errors %llu), %llu datagrams, "
	       "%llu replies, %llu acks, %llu records, dumps %llu started %llu done "
	       "%llu interrupted %llu abandoned, %llu clears, %llu joins, %llu reopens, "
	       "%llu truncated reads, %llu overruns, %llu foreign; errors:",
	       secs, (unsigned long long)st.iterations, (unsigned long long)st.sent,
	       (unsigned long long)st.send_errors, (unsigned long long)st.datagrams,
	       (unsigned long long)st.replies, (unsigned long long)st.acks,
	       (unsigned long long)st.records, (unsigned long long)st.dumps_started,
	       (unsigned long long)st.dumps_done, (unsigned long long)st.dumps_intr,
	       (unsigned long long)st.dumps_abandoned, (unsigned long long)st.clears,
	       (unsigned long long)st.joins, (unsigned long long)st.reopen,
	       (unsigned long long)st.truncated, (unsigned long long)st.overruns,
	       (unsigned long long)st.foreign);
	for (j = 0; j < sizeof(names) / sizeof(names[0]); j++)
		printf(" %s=%llu", names[j].name, (unsigned long long)st.errors[names[j].e]);
	printf(" other=%llu; violations %llu\n", (unsigned long long)other,
	       (unsigned long long)st.violations);
}

/* One clean dump, read in small parts; see --dump above. */
static int dump_once(void)
{
	struct fsock s = { .fd = open_socket() };
	struct nlmsghdr *h;
	struct pollfd pfd;
	unsigned int records = 0, parts = 0;
	bool intr = false;
	ssize_t n;
	int left;

	if (s.fd < 0)
		return 1;
	h = begin(0, family, NLM_F_REQUEST | NLM_F_DUMP, KVM_LSTAR_CMD_GET,
		  KVM_LSTAR_GENL_VERSION);
	xsend(&s, h, h->nlmsg_len);
	for (;;) {
		pfd = (struct pollfd){ .fd = s.fd, .events = POLLIN };
		if (poll(&pfd, 1, 10000) != 1)
			return 1;
		n = recv(s.fd, rx, 4096, MSG_DONTWAIT | MSG_TRUNC);
		if (n < 0 || n > 4096)
			return 1;
		parts++;
		left = (int)n;
		for (h = (struct nlmsghdr *)rx; NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
			if (h->nlmsg_flags & NLM_F_DUMP_INTR)
				intr = true;
			if (h->nlmsg_type == NLMSG_ERROR)
				return 1;
			if (h->nlmsg_type == NLMSG_DONE) {
				printf("dump records %u parts %u interrupted %d\n", records,
				       parts, intr);
				return 0;
			}
			if (h->nlmsg_type == family)
				records++;
		}
	}
}

static void usage(void)
{
	fprintf(stderr, "usage: " PROG " [--seconds N | --iterations N] [--seed S] "
		"[--sockets K] [--uid UID] [--check-as UID] [--family NAME] [--verbose]\n"
		"       " PROG " --dump\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *fname = KVM_LSTAR_GENL_NAME;
	unsigned long long iterations = 0, seed = 0;
	double seconds = 10, start, end;
	long uid = -1, check_as = -1;
	bool have_seed = false, dump = false;
	int i;

	for (i = 1; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		char *e;

		if (!strcmp(argv[i], "--verbose")) {
			verbose = true;
			continue;
		}
		if (!strcmp(argv[i], "--dump")) {
			dump = true;
			continue;
		}
		if (!v)
			usage();
		i++;
		errno = 0;
		if (!strcmp(argv[i - 1], "--seconds")) {
			seconds = strtod(v, &e);
			if (*e || seconds <= 0)
				usage();
		} else if (!strcmp(argv[i - 1], "--iterations")) {
			iterations = strtoull(v, &e, 0);
			if (*e || !iterations)
				usage();
		} else if (!strcmp(argv[i - 1], "--seed")) {
			seed = strtoull(v, &e, 0);
			if (*e || errno)
				usage();
			have_seed = true;
		} else if (!strcmp(argv[i - 1], "--sockets")) {
			nsocks = (int)strtol(v, &e, 0);
			if (*e || nsocks < 1 || nsocks > MAX_SOCKETS)
				usage();
		} else if (!strcmp(argv[i - 1], "--uid")) {
			uid = strtol(v, &e, 0);
			if (*e || uid < 0)
				usage();
		} else if (!strcmp(argv[i - 1], "--check-as")) {
			check_as = strtol(v, &e, 0);
			if (*e || check_as < 0)
				usage();
		} else if (!strcmp(argv[i - 1], "--family")) {
			fname = v;
		} else {
			usage();
		}
	}
	if (dump) {
		if (resolve(fname) < 0) {
			fprintf(stderr, PROG ": generic netlink family %s not found\n", fname);
			return 2;
		}
		return dump_once();
	}
	if (!have_seed) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		seed = (unsigned long long)ts.tv_nsec ^ ((unsigned long long)ts.tv_sec << 20) ^
		       ((unsigned long long)getpid() << 40);
	}
	if (uid >= 0)
		drop_to((uid_t)uid);
	my_uid = check_as >= 0 ? (uid_t)check_as : getuid();
	admin = check_as < 0 && geteuid() == 0;	/* the bench's root has CAP_NET_ADMIN */
	rng_state = seed ? seed : 1;
	printf(PROG ": seed %llu uid %u sockets %d %s %g\n", seed, (unsigned int)my_uid, nsocks,
	       iterations ? "iterations" : "seconds",
	       iterations ? (double)iterations : seconds);
	printf(PROG ": replay: " PROG " --seed %llu --sockets %d --uid %u %s %g\n", seed,
	       nsocks, (unsigned int)my_uid, iterations ? "--iterations" : "--seconds",
	       iterations ? (double)iterations : seconds);
	fflush(stdout);

	if (resolve(fname) < 0) {
		fprintf(stderr, PROG ": generic netlink family %s not found\n", fname);
		return 2;
	}
	for (i = 0; i < nsocks; i++) {
		socks[i].fd = -1;
		reopen(&socks[i]);
	}
	start = now();
	end = start + seconds;
	while (iterations ? st.iterations < iterations : now() < end)
		one_step();
	for (i = 0; i < nsocks; i++)
		drain(&socks[i], true);
	summary(now() - start);
	return st.violations ? 1 : 0;
}
