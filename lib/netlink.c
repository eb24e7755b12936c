// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libkvmlstar: client of the kvm_lstar generic netlink family.
 *
 * A handle holds two sockets.  Requests (status, get, dump, clear) use one,
 * driven by libnl with per-request callbacks.  Events arrive on a second
 * one, opened by kvmlstar_nl_subscribe(): multicast messages mixed into the
 * replies of a dump would break libnl's sequence checking, and an overrun
 * of the event socket must not fail a request.  The event socket is read
 * with plain recv(), because libnl reports ENOBUFS (events lost) as
 * NLE_NOMEM, indistinguishable from a failed allocation.  kvmlstar_wait()
 * opens an event socket of its own for the time it waits, so the events
 * queued for the caller's subscription are left for the caller.
 *
 * Records and status are copied out to the size the caller passes (the
 * sizeof of the struct it was built with): a caller built against an
 * older, shorter struct gets the fields it knows; a newer caller gets
 * zeros in the fields this library does not know.
 *
 * Replies are parsed against one policy with exact sizes; attributes newer
 * than this library (above KVM_LSTAR_A_MAX) are skipped by nla_parse(), so
 * a newer module keeps working with an older library.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include "internal.h"
#include "kvmlstar_netlink.h"
#include "uapi/linux/kvm_lstar.h"

/* The public enums are the ABI's values; keep them from drifting apart. */
#define SAME(a, b)	((int)(a) == (int)(b))
_Static_assert(SAME(KVMLSTAR_SOURCE_INTERCEPT, KVM_LSTAR_SOURCE_INTERCEPT) &&
	       SAME(KVMLSTAR_SOURCE_SAMPLE, KVM_LSTAR_SOURCE_SAMPLE), "source values");
_Static_assert(SAME(KVMLSTAR_EVENT_CAPTURE, KVM_LSTAR_EVENT_CAPTURE) &&
	       SAME(KVMLSTAR_EVENT_CHANGE, KVM_LSTAR_EVENT_CHANGE) &&
	       SAME(KVMLSTAR_EVENT_RESET, KVM_LSTAR_EVENT_RESET) &&
	       SAME(KVMLSTAR_EVENT_GONE, KVM_LSTAR_EVENT_GONE), "event values");
_Static_assert(SAME(KVMLSTAR_PATH_OFF, KVM_LSTAR_PATH_OFF) &&
	       SAME(KVMLSTAR_PATH_ACTIVE, KVM_LSTAR_PATH_ACTIVE) &&
	       SAME(KVMLSTAR_PATH_DISABLED, KVM_LSTAR_PATH_DISABLED), "path state values");

/* Events are ~150 bytes, one per datagram; this holds any plausible batch. */
#define EV_BUF_SIZE		(16 * 1024)
/* Room for bursts of events before the kernel drops some (ENOBUFS). */
#define EV_RCVBUF		(1024 * 1024)
/* How often kvmlstar_wait() dumps when it may not subscribe. */
#define POLL_PERIOD_MS		50
/*
 * Datagrams kvmlstar_wait() reads to empty its socket after an overrun,
 * at most: more than EV_RCVBUF holds.  Under a flood that refills it as
 * fast, it takes a fresh socket instead.
 */
#define DRAIN_MAX		8192

_Static_assert(offsetof(struct kvmlstar_record, cstar) == KVMLSTAR_RECORD_SIZE_1,
	       "struct kvmlstar_record grows after the fields of libkvmlstar 1.0");
_Static_assert(sizeof(struct kvmlstar_status) == KVMLSTAR_STATUS_SIZE_1,
	       "struct kvmlstar_status of libkvmlstar 1.0");

static const char no_module_msg[] =
	"the kvm_lstar kernel module is not loaded (no generic netlink family "
	"\"" KVM_LSTAR_GENL_NAME "\"): load it with 'modprobe kvm_lstar', or "
	"install the kvm-lstar-dkms package to build it for this kernel";

/* An event socket and the datagram being handed out from it. */
struct evsock {
	int fd;			/* -1 while not subscribed */
	size_t len, off;
	unsigned char buf[EV_BUF_SIZE];
};

struct kvmlstar_nl {
	struct nl_sock *sk;	/* requests and their replies */
	int family;		/* the family's id, resolved at open */
	struct evsock ev;	/* kvmlstar_nl_subscribe()'s */
};

static int check_size(struct kvmlstar_error *err, const char *func, const char *what,
		      size_t size, size_t min)
{
	if (size >= min)
		return KVMLSTAR_OK;
	return kvmlstar__fail(err, KVMLSTAR_E_BAD_INPUT, EINVAL,
		"%s: the %s is %zu bytes, less than the %zu of libkvmlstar 1.0: pass "
		"sizeof() of the struct", func, what, size, min);
}

#define U8	{ .type = NLA_U8, .maxlen = sizeof(uint8_t) }
#define U32	{ .type = NLA_U32, .maxlen = sizeof(uint32_t) }
#define U64	{ .type = NLA_U64, .maxlen = sizeof(uint64_t) }
/* Strings have no maximum: a longer one is truncated when copied. */
#define STR	{ .type = NLA_STRING }

static const struct nla_policy attr_policy[KVM_LSTAR_A_MAX + 1] = {
	[KVM_LSTAR_A_VM] = U32,
	[KVM_LSTAR_A_PID] = U32,
	[KVM_LSTAR_A_VCPU] = U32,
	[KVM_LSTAR_A_LSTAR] = U64,
	[KVM_LSTAR_A_CURRENT] = U64,
	[KVM_LSTAR_A_EPOCH] = U32,
	[KVM_LSTAR_A_WRITES] = U32,
	[KVM_LSTAR_A_CHANGED] = U8,
	[KVM_LSTAR_A_SOURCE] = U8,
	[KVM_LSTAR_A_CAPTURED_NS] = U64,
	[KVM_LSTAR_A_GONE] = U8,
	[KVM_LSTAR_A_EVENT] = U8,
	[KVM_LSTAR_A_UID] = U32,
	[KVM_LSTAR_A_HYPERVISOR] = U8,
	[KVM_LSTAR_A_UNAVAILABLE] = U8,
	[KVM_LSTAR_A_CSTAR] = U64,
	[KVM_LSTAR_A_SYSENTER_EIP] = U64,
	[KVM_LSTAR_A_STATUS_VERSION] = STR,
	[KVM_LSTAR_A_STATUS_INTERCEPT] = U8,
	[KVM_LSTAR_A_STATUS_SVM] = U8,
	[KVM_LSTAR_A_STATUS_REASON] = STR,
	[KVM_LSTAR_A_STATUS_RECORDS] = U32,
	[KVM_LSTAR_A_STATUS_CAPACITY] = U32,
	[KVM_LSTAR_A_STATUS_VMS] = U32,
	[KVM_LSTAR_A_STATUS_EVICTIONS] = U64,
	[KVM_LSTAR_A_STATUS_ALLOC_FAILS] = U64,
	[KVM_LSTAR_A_STATUS_EVENTS_LOST] = U64,
	[KVM_LSTAR_A_STATUS_REFUSED] = U64,
};

static const struct nla_policy extack_policy[NLMSGERR_ATTR_MAX + 1] = {
	[NLMSGERR_ATTR_MSG] = { .type = NLA_STRING },
};

/* ------------------------------------------------------------------ */
/* Reply parsing                                                       */
/* ------------------------------------------------------------------ */

static int malformed(struct kvmlstar_error *err, const char *what)
{
	return kvmlstar__fail(err, KVMLSTAR_E_IO, EPROTO,
		"malformed reply from the kvm_lstar module (%s): the module and "
		"libkvmlstar do not agree on the netlink ABI; install matching versions",
		what);
}

/* Parse a kvm_lstar message into tb[] against the policy. */
static int parse_msg(struct nlmsghdr *nlh, struct nlattr **tb, struct kvmlstar_error *err)
{
	if (!genlmsg_valid_hdr(nlh, 0))
		return malformed(err, "short generic netlink header");
	if (genlmsg_parse(nlh, 0, tb, KVM_LSTAR_A_MAX, attr_policy) < 0)
		return malformed(err, "attribute of the wrong size");
	return kvmlstar__ok(err);
}

/* Optional attributes read as 0 when absent (an older module). */
static uint8_t get_u8(const struct nlattr *a)
{
	return a ? nla_get_u8(a) : 0;
}

static uint32_t get_u32(const struct nlattr *a)
{
	return a ? nla_get_u32(a) : 0;
}

static uint64_t get_u64(const struct nlattr *a)
{
	return a ? nla_get_u64(a) : 0;
}

static int record_from_attrs(struct nlattr **tb, struct kvmlstar_record *r,
			     struct kvmlstar_error *err)
{
	/* Without these a record cannot be named or interpreted. */
	static const int required[] = {
		KVM_LSTAR_A_VM, KVM_LSTAR_A_PID, KVM_LSTAR_A_VCPU,
		KVM_LSTAR_A_LSTAR, KVM_LSTAR_A_CURRENT, KVM_LSTAR_A_EPOCH,
	};
	size_t i;

	for (i = 0; i < sizeof(required) / sizeof(required[0]); i++)
		if (!tb[required[i]])
			return malformed(err, "record without VM, PID, VCPU, LSTAR, CURRENT or EPOCH");

	r->vm = get_u32(tb[KVM_LSTAR_A_VM]);
	r->pid = get_u32(tb[KVM_LSTAR_A_PID]);
	r->vcpu = get_u32(tb[KVM_LSTAR_A_VCPU]);
	r->uid = get_u32(tb[KVM_LSTAR_A_UID]);
	r->lstar = get_u64(tb[KVM_LSTAR_A_LSTAR]);
	r->current = get_u64(tb[KVM_LSTAR_A_CURRENT]);
	r->epoch = get_u32(tb[KVM_LSTAR_A_EPOCH]);
	r->writes = get_u32(tb[KVM_LSTAR_A_WRITES]);
	r->changed = get_u8(tb[KVM_LSTAR_A_CHANGED]) != 0;
	r->source = (enum kvmlstar_source)get_u8(tb[KVM_LSTAR_A_SOURCE]);
	r->captured_ns = get_u64(tb[KVM_LSTAR_A_CAPTURED_NS]);
	r->gone = get_u8(tb[KVM_LSTAR_A_GONE]) != 0;
	r->event = (enum kvmlstar_event)get_u8(tb[KVM_LSTAR_A_EVENT]);
	r->hypervisor = get_u8(tb[KVM_LSTAR_A_HYPERVISOR]) != 0;
	r->unavailable = get_u8(tb[KVM_LSTAR_A_UNAVAILABLE]);
	r->cstar = get_u64(tb[KVM_LSTAR_A_CSTAR]);
	r->sysenter_eip = get_u64(tb[KVM_LSTAR_A_SYSENTER_EIP]);
	return kvmlstar__ok(err);
}

static int status_from_attrs(struct nlattr **tb, struct kvmlstar_status *st,
			     struct kvmlstar_error *err)
{
	if (!tb[KVM_LSTAR_A_STATUS_VERSION])
		return malformed(err, "status without VERSION");

	memset(st, 0, sizeof(*st));
	nla_strlcpy(st->version, tb[KVM_LSTAR_A_STATUS_VERSION], sizeof(st->version));
	if (tb[KVM_LSTAR_A_STATUS_REASON])
		nla_strlcpy(st->reason, tb[KVM_LSTAR_A_STATUS_REASON], sizeof(st->reason));
	st->intercept = (enum kvmlstar_path_state)get_u8(tb[KVM_LSTAR_A_STATUS_INTERCEPT]);
	st->svm = (enum kvmlstar_path_state)get_u8(tb[KVM_LSTAR_A_STATUS_SVM]);
	st->records = get_u32(tb[KVM_LSTAR_A_STATUS_RECORDS]);
	st->capacity = get_u32(tb[KVM_LSTAR_A_STATUS_CAPACITY]);
	st->vms = get_u32(tb[KVM_LSTAR_A_STATUS_VMS]);
	st->evictions = get_u64(tb[KVM_LSTAR_A_STATUS_EVICTIONS]);
	st->alloc_fails = get_u64(tb[KVM_LSTAR_A_STATUS_ALLOC_FAILS]);
	st->events_lost = get_u64(tb[KVM_LSTAR_A_STATUS_EVENTS_LOST]);
	st->refused = get_u64(tb[KVM_LSTAR_A_STATUS_REFUSED]);
	return kvmlstar__ok(err);
}

/* ------------------------------------------------------------------ */
/* Requests                                                            */
/* ------------------------------------------------------------------ */

/* What to send. */
struct request {
	uint8_t cmd;
	int flags;		/* NLM_F_DUMP or 0 */
	uint32_t vm, pid;	/* sent when not 0 */
	const uint32_t *vcpu;	/* sent when not NULL */
	const char *what;	/* names the request in messages */
};

/* One request in flight: what the callbacks collect. */
struct xact {
	uint8_t cmd;
	/*
	 * Takes one parsed reply; returns KVMLSTAR_OK or a code to fail with.
	 * NULL for requests answered by an ACK only.
	 */
	int (*on_reply)(struct nlattr **tb, void *arg, struct kvmlstar_error *err);
	void *arg;
	struct kvmlstar_error *err;
	bool done;		/* the ACK, NLMSG_DONE or an error arrived */
	int code;		/* the first failure of parsing or on_reply */
	int sys_errno;		/* the kernel's error, 0 if none */
	char extack[256];	/* the kernel's message for it, "" if none */
};

static int xact_valid(struct nl_msg *msg, void *arg)
{
	struct xact *x = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct nlattr *tb[KVM_LSTAR_A_MAX + 1];

	/*
	 * After a failure keep reading without looking, so the rest of a
	 * dump and its end leave the socket and the next request starts
	 * clean.
	 */
	if (x->code || !x->on_reply || !genlmsg_valid_hdr(nlh, 0) ||
	    genlmsg_hdr(nlh)->cmd != x->cmd)
		return NL_SKIP;
	x->code = parse_msg(nlh, tb, x->err);
	if (!x->code)
		x->code = x->on_reply(tb, x->arg, x->err);
	return NL_OK;
}

/* The kernel's extended ACK message (NETLINK_EXT_ACK), if it sent one. */
static void read_extack(const struct nlmsgerr *e, char *buf, size_t len)
{
	const struct nlmsghdr *nlh =
		(const struct nlmsghdr *)((const char *)e - NLMSG_HDRLEN);
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	size_t off = sizeof(*e);

	buf[0] = '\0';
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	/* Unless capped, the whole request is echoed before the TLVs. */
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) {
		if (e->msg.nlmsg_len < NLMSG_HDRLEN)
			return;
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	}
	off = NLMSG_ALIGN(off);
	if (nlh->nlmsg_len < NLMSG_HDRLEN + off)
		return;
	if (nla_parse(tb, NLMSGERR_ATTR_MAX, (struct nlattr *)((char *)e + off),
		      nlh->nlmsg_len - NLMSG_HDRLEN - off, extack_policy) < 0)
		return;
	if (tb[NLMSGERR_ATTR_MSG])
		nla_strlcpy(buf, tb[NLMSGERR_ATTR_MSG], len);
}

static int xact_error(struct sockaddr_nl *who, struct nlmsgerr *e, void *arg)
{
	struct xact *x = arg;

	(void)who;
	x->sys_errno = -e->error;
	read_extack(e, x->extack, sizeof(x->extack));
	x->done = true;
	return NL_STOP;
}

/*
 * A dump part whose records changed since the dump began carries
 * NLM_F_DUMP_INTR.  The module's dumps walk a cursor in creation order, so
 * no record that lived through the dump is skipped or repeated: take the
 * part as it is (kvmlstar_nl_dump() promises per-record snapshots, not one
 * of the whole table).  libnl's default would fail the whole dump.
 */
static int xact_dump_intr(struct nl_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	return NL_OK;
}

static int xact_ack(struct nl_msg *msg, void *arg)
{
	struct xact *x = arg;

	(void)msg;
	x->done = true;
	return NL_STOP;
}

/* End of a dump; a dump that failed part-way says so here. */
static int xact_finish(struct nl_msg *msg, void *arg)
{
	struct xact *x = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	int status;

	if (nlmsg_datalen(nlh) >= (int)sizeof(status)) {
		memcpy(&status, nlmsg_data(nlh), sizeof(status));
		if (status < 0)
			x->sys_errno = -status;
	}
	x->done = true;
	return NL_STOP;
}

/*
 * Turn the kernel's refusal into a code.  ENOENT without a message is
 * generic netlink's answer for an unknown family id: the module was
 * unloaded since the handle was opened.
 */
static int kernel_fail(const struct xact *x, const char *what, struct kvmlstar_error *err)
{
	int e = x->sys_errno;
	const char *why = x->extack[0] ? x->extack : strerror(e);

	switch (e) {
	case EPERM:
	case EACCES:
		if (x->extack[0])	/* the module names what is missing */
			return kvmlstar__fail(err, KVMLSTAR_E_PERMISSION, e,
				"%s: %s; run it as root", what, why);
		return kvmlstar__fail(err, KVMLSTAR_E_PERMISSION, e,
			"%s needs CAP_NET_ADMIN (kernel: %s): run it as root", what, why);
	case EPROTONOSUPPORT:
		/* A dump that started while the module was being unloaded. */
		return kvmlstar__fail(err, KVMLSTAR_E_NO_MODULE, e,
			"%s: the kvm_lstar module was being unloaded: %s", what, no_module_msg);
	case ENOENT:
		if (!x->extack[0])
			return kvmlstar__fail(err, KVMLSTAR_E_NO_MODULE, e, "%s", no_module_msg);
		return kvmlstar__fail(err, KVMLSTAR_E_NOT_FOUND, e, "%s: %s", what, why);
	case EINVAL:
	case ERANGE:
		return kvmlstar__fail(err, KVMLSTAR_E_BAD_INPUT, e,
			"%s: rejected by the kvm_lstar module: %s", what, why);
	default:
		return kvmlstar__fail(err, kvmlstar__errno_code(e), e,
			"%s: kvm_lstar module error: %s", what, why);
	}
}

static int build_request(struct kvmlstar_nl *nl, const struct request *rq, struct nl_msg **out)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (!msg)
		return -NLE_NOMEM;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0, rq->flags,
			 rq->cmd, KVM_LSTAR_GENL_VERSION) ||
	    (rq->vm && nla_put_u32(msg, KVM_LSTAR_A_VM, rq->vm) < 0) ||
	    (rq->pid && nla_put_u32(msg, KVM_LSTAR_A_PID, rq->pid) < 0) ||
	    (rq->vcpu && nla_put_u32(msg, KVM_LSTAR_A_VCPU, *rq->vcpu) < 0)) {
		nlmsg_free(msg);
		return -NLE_NOMEM;
	}
	*out = msg;
	return 0;
}

/* Send @rq and feed every reply to @x->on_reply until the kernel is done. */
static int transact(struct kvmlstar_nl *nl, const struct request *rq, struct xact *x)
{
	struct nl_msg *msg = NULL;
	struct nl_cb *cb;
	int rc;

	x->cmd = rq->cmd;
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb)
		return kvmlstar__fail(x->err, KVMLSTAR_E_NOMEM, ENOMEM, "%s: out of memory", rq->what);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, xact_valid, x);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, xact_ack, x);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, xact_finish, x);
	nl_cb_set(cb, NL_CB_DUMP_INTR, NL_CB_CUSTOM, xact_dump_intr, x);
	nl_cb_err(cb, NL_CB_CUSTOM, xact_error, x);

	rc = build_request(nl, rq, &msg);
	if (rc >= 0)
		rc = nl_send_auto(nl->sk, msg);
	while (rc >= 0 && !x->done)
		rc = nl_recvmsgs(nl->sk, cb);
	nlmsg_free(msg);
	nl_cb_put(cb);

	if (x->sys_errno)
		return kernel_fail(x, rq->what, x->err);
	if (rc < 0)
		return kvmlstar__fail(x->err, rc == -NLE_NOMEM ? KVMLSTAR_E_NOMEM : KVMLSTAR_E_IO,
			0, "%s: netlink: %s", rq->what, nl_geterror(rc));
	if (x->code)
		return x->code;
	return kvmlstar__ok(x->err);
}

/* ------------------------------------------------------------------ */
/* Handle                                                              */
/* ------------------------------------------------------------------ */

KVMLSTAR_API int kvmlstar_nl_open(struct kvmlstar_nl **out, struct kvmlstar_error *err)
{
	struct kvmlstar_nl *nl;
	int one = 1, rc;

	if (!out)
		return kvmlstar__null(err, "kvmlstar_nl_open", "out is NULL");
	nl = calloc(1, sizeof(*nl));
	if (!nl)
		return kvmlstar__fail(err, KVMLSTAR_E_NOMEM, ENOMEM, "out of memory");
	nl->ev.fd = -1;
	nl->sk = nl_socket_alloc();
	if (!nl->sk) {
		free(nl);
		return kvmlstar__fail(err, KVMLSTAR_E_NOMEM, ENOMEM, "out of memory");
	}
	rc = genl_connect(nl->sk);
	if (rc < 0) {
		kvmlstar_nl_close(nl);
		return kvmlstar__fail(err, KVMLSTAR_E_IO, 0,
			"cannot open a generic netlink socket: %s", nl_geterror(rc));
	}
	/* Best effort: without it errors come with strerror() text only. */
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));

	nl->family = genl_ctrl_resolve(nl->sk, KVM_LSTAR_GENL_NAME);
	if (nl->family < 0) {
		rc = nl->family;
		kvmlstar_nl_close(nl);
		if (rc == -NLE_OBJ_NOTFOUND)
			return kvmlstar__fail(err, KVMLSTAR_E_NO_MODULE, ENOENT, "%s", no_module_msg);
		return kvmlstar__fail(err, KVMLSTAR_E_IO, 0,
			"cannot look up the generic netlink family \"%s\": %s",
			KVM_LSTAR_GENL_NAME, nl_geterror(rc));
	}
	*out = nl;
	return kvmlstar__ok(err);
}

KVMLSTAR_API void kvmlstar_nl_close(struct kvmlstar_nl *nl)
{
	if (!nl)
		return;
	if (nl->ev.fd >= 0)
		close(nl->ev.fd);
	nl_socket_free(nl->sk);
	free(nl);
}

/* ------------------------------------------------------------------ */
/* Commands                                                            */
/* ------------------------------------------------------------------ */

/* A status request answers with one message; remember it and whether it came. */
struct one_status {
	struct kvmlstar_status st;
	bool got;
};

static int on_status(struct nlattr **tb, void *arg, struct kvmlstar_error *err)
{
	struct one_status *o = arg;
	int rc = status_from_attrs(tb, &o->st, err);

	o->got = rc == KVMLSTAR_OK;
	return rc;
}

KVMLSTAR_API int kvmlstar_nl_status(struct kvmlstar_nl *nl, struct kvmlstar_status *st,
				    size_t size, struct kvmlstar_error *err)
{
	struct request rq = { .cmd = KVM_LSTAR_CMD_STATUS, .what = "kvm_lstar status" };
	struct one_status o = { .got = false };
	struct xact x = { .on_reply = on_status, .arg = &o, .err = err };
	int rc;

	if (!nl || !st)
		return kvmlstar__null(err, "kvmlstar_nl_status", nl ? "st is NULL" :
				      "the handle is NULL");
	rc = check_size(err, "kvmlstar_nl_status", "status", size, KVMLSTAR_STATUS_SIZE_1);
	if (!rc)
		rc = transact(nl, &rq, &x);
	if (rc)
		return rc;
	if (!o.got)
		return malformed(err, "no status in the reply");
	kvmlstar__copy_out(st, size, &o.st, sizeof(o.st));
	return kvmlstar__ok(err);
}

/* A get answers with one record; remember it and whether it came. */
struct one_record {
	struct kvmlstar_record rec;
	bool got;
};

static int on_one_record(struct nlattr **tb, void *arg, struct kvmlstar_error *err)
{
	struct one_record *o = arg;
	int rc = record_from_attrs(tb, &o->rec, err);

	o->got = rc == KVMLSTAR_OK;
	return rc;
}

KVMLSTAR_API int kvmlstar_nl_get(struct kvmlstar_nl *nl, uint32_t vm, uint32_t vcpu,
				 struct kvmlstar_record *rec, size_t size,
				 struct kvmlstar_error *err)
{
	struct request rq = {
		.cmd = KVM_LSTAR_CMD_GET, .vm = vm, .vcpu = &vcpu,
		.what = "kvm_lstar get",
	};
	struct one_record o = { .got = false };
	struct xact x = { .on_reply = on_one_record, .arg = &o, .err = err };
	int rc;

	if (!nl || !rec)
		return kvmlstar__null(err, "kvmlstar_nl_get", nl ? "rec is NULL" :
				      "the handle is NULL");
	rc = check_size(err, "kvmlstar_nl_get", "record", size, KVMLSTAR_RECORD_SIZE_1);
	if (rc)
		return rc;
	if (!vm)
		return kvmlstar__fail(err, KVMLSTAR_E_BAD_INPUT, 0,
			"VM numbers start at 1; 0 names no VM");
	rc = transact(nl, &rq, &x);
	if (rc == KVMLSTAR_E_NOT_FOUND)
		return kvmlstar__fail(err, rc, ENOENT,
			"no record for VM %u vCPU %u: no such VM or vCPU, the vCPU has not "
			"run yet, or the VM belongs to another user (only CAP_NET_ADMIN "
			"sees every VM)", vm, vcpu);
	if (rc)
		return rc;
	if (!o.got)
		return malformed(err, "no record in the reply");
	kvmlstar__copy_out(rec, size, &o.rec, sizeof(o.rec));
	return kvmlstar__ok(err);
}

/* kvmlstar_nl_dump(): hands each record to the caller until told to stop. */
struct dump_ctx {
	kvmlstar_record_fn fn;
	void *arg;
	bool stopped;
};

static int on_dump_record(struct nlattr **tb, void *arg, struct kvmlstar_error *err)
{
	struct dump_ctx *d = arg;
	struct kvmlstar_record rec;
	int rc;

	if (d->stopped)
		return KVMLSTAR_OK;
	rc = record_from_attrs(tb, &rec, err);
	if (rc)
		return rc;
	d->stopped = d->fn(&rec, d->arg) != 0;
	return KVMLSTAR_OK;
}

KVMLSTAR_API int kvmlstar_nl_dump(struct kvmlstar_nl *nl, const struct kvmlstar_filter *filter,
				  kvmlstar_record_fn fn, void *arg,
				  struct kvmlstar_error *err)
{
	struct request rq = {
		.cmd = KVM_LSTAR_CMD_GET, .flags = NLM_F_DUMP,
		.vm = filter ? filter->vm : 0, .pid = filter ? filter->pid : 0,
		.what = "kvm_lstar dump",
	};
	struct dump_ctx d = { .fn = fn, .arg = arg };
	struct xact x = { .on_reply = on_dump_record, .arg = &d, .err = err };

	if (!nl || !fn)
		return kvmlstar__null(err, "kvmlstar_nl_dump", nl ? "fn is NULL" :
				      "the handle is NULL");
	return transact(nl, &rq, &x);
}

/* kvmlstar_nl_list(): a growing array of elements of the caller's size. */
struct list_ctx {
	char *recs;
	size_t n, cap, size;
	bool nomem;
};

static int list_add(const struct kvmlstar_record *rec, void *arg)
{
	struct list_ctx *l = arg;
	char *bigger;

	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 16;

		bigger = cap <= SIZE_MAX / l->size ? realloc(l->recs, cap * l->size) : NULL;
		if (!bigger) {
			l->nomem = true;
			return 1;
		}
		l->recs = bigger;
		l->cap = cap;
	}
	kvmlstar__copy_out(l->recs + l->n++ * l->size, l->size, rec, sizeof(*rec));
	return 0;
}

KVMLSTAR_API int kvmlstar_nl_list(struct kvmlstar_nl *nl, const struct kvmlstar_filter *filter,
				  struct kvmlstar_record **recs, size_t size, size_t *n,
				  struct kvmlstar_error *err)
{
	struct list_ctx l = { .recs = NULL, .size = size };
	int rc;

	if (!nl || !recs || !n)
		return kvmlstar__null(err, "kvmlstar_nl_list", !nl ? "the handle is NULL" :
				      "recs or n is NULL");
	rc = check_size(err, "kvmlstar_nl_list", "record", size, KVMLSTAR_RECORD_SIZE_1);
	if (!rc)
		rc = kvmlstar_nl_dump(nl, filter, list_add, &l, err);

	if (!rc && l.nomem)
		rc = kvmlstar__fail(err, KVMLSTAR_E_NOMEM, ENOMEM,
				    "out of memory after %zu records", l.n);
	if (rc) {
		free(l.recs);
		return rc;
	}
	*recs = (struct kvmlstar_record *)(void *)l.recs;
	*n = l.n;
	return kvmlstar__ok(err);
}

KVMLSTAR_API int kvmlstar_nl_clear(struct kvmlstar_nl *nl, const struct kvmlstar_filter *filter,
				   struct kvmlstar_error *err)
{
	struct request rq = {
		.cmd = KVM_LSTAR_CMD_CLEAR,
		.vm = filter ? filter->vm : 0, .pid = filter ? filter->pid : 0,
		.what = "clearing kvm_lstar records",
	};
	struct xact x = { .err = err };

	if (!nl)
		return kvmlstar__null(err, "kvmlstar_nl_clear", "the handle is NULL");
	if (rq.vm && rq.pid)
		return kvmlstar__fail(err, KVMLSTAR_E_BAD_INPUT, 0,
			"clear takes a pid or a VM, not both (pid %u, VM %u)", rq.pid, rq.vm);
	return transact(nl, &rq, &x);
}

/* ------------------------------------------------------------------ */
/* Events                                                              */
/* ------------------------------------------------------------------ */

/* Open @ev and join the events group. */
static int ev_open(struct kvmlstar_nl *nl, struct evsock *ev, struct kvmlstar_error *err)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int grp, fd, e, size = EV_RCVBUF;

	grp = genl_ctrl_resolve_grp(nl->sk, KVM_LSTAR_GENL_NAME, KVM_LSTAR_MCGRP_EVENTS);
	if (grp == -NLE_OBJ_NOTFOUND)
		return kvmlstar__fail(err, KVMLSTAR_E_NO_MODULE, ENOENT,
			"the kvm_lstar module has no \"%s\" group: it was unloaded, or it "
			"is older than this library; load a current one with 'modprobe "
			"kvm_lstar' (or install the kvm-lstar-dkms package)",
			KVM_LSTAR_MCGRP_EVENTS);
	if (grp < 0)
		return kvmlstar__fail(err, KVMLSTAR_E_IO, 0,
			"cannot look up the kvm_lstar \"%s\" group: %s",
			KVM_LSTAR_MCGRP_EVENTS, nl_geterror(grp));

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		e = errno;
		if (fd >= 0)
			close(fd);
		return kvmlstar__fail(err, kvmlstar__errno_code(e), e,
			"cannot open a netlink socket for kvm_lstar events: %s", strerror(e));
	}
	/* Best effort: capped by net.core.rmem_max for unprivileged callers. */
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	if (setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &grp, sizeof(grp)) < 0) {
		e = errno;
		close(fd);
		if (e == EPERM || e == EACCES)
			return kvmlstar__fail(err, KVMLSTAR_E_PERMISSION, e,
				"kvm_lstar events need CAP_NET_ADMIN: the kernel lets only "
				"it listen to the \"%s\" group, which carries every VM's "
				"records; run as root, or poll the records instead",
				KVM_LSTAR_MCGRP_EVENTS);
		return kvmlstar__fail(err, kvmlstar__errno_code(e), e,
			"cannot subscribe to kvm_lstar events: %s", strerror(e));
	}
	ev->fd = fd;
	ev->len = ev->off = 0;
	return kvmlstar__ok(err);
}

static void ev_close(struct evsock *ev)
{
	if (ev->fd >= 0)
		close(ev->fd);
	ev->fd = -1;
	ev->len = ev->off = 0;
}

KVMLSTAR_API int kvmlstar_nl_subscribe(struct kvmlstar_nl *nl, struct kvmlstar_error *err)
{
	if (!nl)
		return kvmlstar__null(err, "kvmlstar_nl_subscribe", "the handle is NULL");
	if (nl->ev.fd >= 0)
		return kvmlstar__ok(err);
	return ev_open(nl, &nl->ev, err);
}

KVMLSTAR_API int kvmlstar_nl_event_fd(const struct kvmlstar_nl *nl)
{
	return nl ? nl->ev.fd : -1;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Deadline of a timeout in CLOCK_MONOTONIC ms; -1 for none. */
static int64_t deadline_of(int timeout_ms)
{
	return timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
}

/* What is left until @deadline, as a poll() timeout. */
static int remaining_ms(int64_t deadline)
{
	int64_t left;

	if (deadline < 0)
		return -1;
	left = deadline - now_ms();
	return left < 0 ? 0 : (int)left;
}

/* The next kvm_lstar event of the buffered datagram, if any is left. */
static struct nlmsghdr *next_buffered(const struct kvmlstar_nl *nl, struct evsock *ev)
{
	while (ev->off < ev->len) {
		struct nlmsghdr *nlh = (struct nlmsghdr *)(ev->buf + ev->off);
		int left = (int)(ev->len - ev->off);

		if (!nlmsg_ok(nlh, left))
			break;
		ev->off += NLMSG_ALIGN(nlh->nlmsg_len);
		if (nlh->nlmsg_type == nl->family && genlmsg_valid_hdr(nlh, 0) &&
		    genlmsg_hdr(nlh)->cmd == KVM_LSTAR_CMD_EVENT)
			return nlh;
	}
	ev->len = ev->off = 0;
	return NULL;
}

/* Wait for the event socket, then read one datagram into the buffer. */
static int fill_buffer(struct evsock *ev, int64_t deadline, struct kvmlstar_error *err)
{
	struct pollfd pfd = { .fd = ev->fd, .events = POLLIN };
	ssize_t n;
	int e;

	for (;;) {
		switch (poll(&pfd, 1, remaining_ms(deadline))) {
		case 0:
			return kvmlstar__fail(err, KVMLSTAR_E_TIMEOUT, 0,
					      "no kvm_lstar event in time");
		case -1:
			e = errno;
			return kvmlstar__fail(err, kvmlstar__errno_code(e), e,
				"waiting for kvm_lstar events: %s", strerror(e));
		}
		/* MSG_TRUNC: the real length, so a cut datagram is noticed. */
		n = recv(ev->fd, ev->buf, sizeof(ev->buf), MSG_DONTWAIT | MSG_TRUNC);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n < 0) {
			e = errno;
			if (e == ENOBUFS)
				return kvmlstar__fail(err, KVMLSTAR_E_IO, e,
					"kvm_lstar events were lost (the socket buffer overran); "
					"the subscription goes on: dump the records to resync");
			return kvmlstar__fail(err, kvmlstar__errno_code(e), e,
				"reading kvm_lstar events: %s", strerror(e));
		}
		if ((size_t)n > sizeof(ev->buf))
			return malformed(err, "event datagram larger than any event");
		ev->len = (size_t)n;
		ev->off = 0;
		return kvmlstar__ok(err);
	}
}

/* The next event into @rec (a whole library-sized record). */
static int next_event(struct kvmlstar_nl *nl, struct evsock *ev, int64_t deadline,
		      struct kvmlstar_record *rec, struct kvmlstar_error *err)
{
	struct nlattr *tb[KVM_LSTAR_A_MAX + 1];
	struct nlmsghdr *nlh;
	int rc;

	while (!(nlh = next_buffered(nl, ev))) {
		rc = fill_buffer(ev, deadline, err);
		if (rc)
			return rc;
	}
	rc = parse_msg(nlh, tb, err);
	if (!rc)
		rc = record_from_attrs(tb, rec, err);
	return rc;
}

KVMLSTAR_API int kvmlstar_nl_next_event(struct kvmlstar_nl *nl, int timeout_ms,
					struct kvmlstar_record *ev, size_t size,
					struct kvmlstar_error *err)
{
	struct kvmlstar_record rec;
	int rc;

	if (!nl || !ev)
		return kvmlstar__null(err, "kvmlstar_nl_next_event", nl ? "ev is NULL" :
				      "the handle is NULL");
	rc = check_size(err, "kvmlstar_nl_next_event", "record", size, KVMLSTAR_RECORD_SIZE_1);
	if (rc)
		return rc;
	if (nl->ev.fd < 0)
		return kvmlstar__fail(err, KVMLSTAR_E_BAD_INPUT, 0,
			"not subscribed to kvm_lstar events: call kvmlstar_nl_subscribe() first");
	rc = next_event(nl, &nl->ev, deadline_of(timeout_ms), &rec, err);
	if (!rc)
		kvmlstar__copy_out(ev, size, &rec, sizeof(rec));
	return rc;
}

/* ------------------------------------------------------------------ */
/* Waiting for a capture                                               */
/* ------------------------------------------------------------------ */

struct wanted {
	struct kvmlstar_filter f;
	uint32_t vcpu;
	struct kvmlstar_record best;	/* valid when found */
	bool found;
};

/* Captured, or never to be: a record kvmlstar_wait() can answer with. */
static bool is_wanted(const struct wanted *w, const struct kvmlstar_record *r)
{
	return (r->epoch >= 1 || r->unavailable) && r->vcpu == w->vcpu &&
	       (!w->f.pid || r->pid == w->f.pid) && (!w->f.vm || r->vm == w->f.vm);
}

static int keep_newest(const struct kvmlstar_record *r, void *arg)
{
	struct wanted *w = arg;

	if (is_wanted(w, r) && (!w->found || r->vm > w->best.vm)) {
		w->best = *r;
		w->found = true;
	}
	return 0;
}

/* Look at the current state; KVMLSTAR_E_NOT_FOUND when not captured yet. */
static int find_captured(struct kvmlstar_nl *nl, struct wanted *w, struct kvmlstar_error *err)
{
	int rc;

	w->found = false;
	rc = kvmlstar_nl_dump(nl, &w->f, keep_newest, w, err);
	if (rc)
		return rc;
	return w->found ? KVMLSTAR_OK : KVMLSTAR_E_NOT_FOUND;
}

/*
 * After an overrun the kernel drops every event for this socket, and says
 * ENOBUFS only once, until the socket's queue has been read empty.  So
 * empty it before looking at the state again: what is queued is older than
 * that look anyway, and from then on each event is either delivered or
 * reported by a new ENOBUFS.  Looking first and reading the stale events
 * after would lose a capture made in between, silently.  A flood can
 * refill the queue as fast as it is read: after DRAIN_MAX datagrams, give
 * up on this socket and take a fresh one (empty, and joined before the
 * look), so the wait neither spins nor loses a capture.
 */
static int drain_events(struct kvmlstar_nl *nl, struct evsock *ev, int64_t deadline,
			struct kvmlstar_error *err)
{
	ssize_t n;
	int i;

	ev->len = ev->off = 0;
	for (i = 0; i < DRAIN_MAX; i++) {
		n = recv(ev->fd, ev->buf, sizeof(ev->buf), MSG_DONTWAIT | MSG_TRUNC);
		if (n < 0 && errno == EAGAIN)
			return KVMLSTAR_OK;
		if (remaining_ms(deadline) == 0)
			return KVMLSTAR_OK;	/* the next look is the last */
	}
	ev_close(ev);
	return ev_open(nl, ev, err);
}

/*
 * KVMLSTAR_TEST_NO_RESYNC: for tests only, never for a real build.  It
 * makes kvmlstar_wait() carry on after an event overrun as if no event had
 * been lost, so the bench can show that its overrun test fails without the
 * resync (tests/tools/tools.mk builds kvm-lstar-noresync with it).
 */
#ifdef KVMLSTAR_TEST_NO_RESYNC
#define resync_after_overrun	false
#else
#define resync_after_overrun	true
#endif

/*
 * Wait for an event announcing a capture.  KVMLSTAR_E_NOT_FOUND asks the
 * caller to look at the state again: events were lost.  @err must not be
 * NULL: its sys_errno tells an overrun from other failures.
 */
static int await_event(struct kvmlstar_nl *nl, struct evsock *evs, struct wanted *w,
		       int64_t deadline, struct kvmlstar_error *err)
{
	struct kvmlstar_record ev;
	int rc;

	for (;;) {
		rc = next_event(nl, evs, deadline, &ev, err);
		if (rc == KVMLSTAR_E_IO && err->sys_errno == ENOBUFS) {
			if (!resync_after_overrun)
				continue;
			rc = drain_events(nl, evs, deadline, err);
			return rc ? rc : KVMLSTAR_E_NOT_FOUND;
		}
		if (rc)
			return rc;
		if (is_wanted(w, &ev)) {
			w->best = ev;
			w->found = true;
			return KVMLSTAR_OK;
		}
	}
}

/* Sleep one polling period, or until @deadline; then look again. */
static int nap(int64_t deadline, struct kvmlstar_error *err)
{
	int left = remaining_ms(deadline);
	int e;

	if (left == 0)
		return kvmlstar__fail(err, KVMLSTAR_E_TIMEOUT, 0, "no capture in time");
	if (poll(NULL, 0, left < 0 || left > POLL_PERIOD_MS ? POLL_PERIOD_MS : left) < 0) {
		e = errno;
		return kvmlstar__fail(err, KVMLSTAR_E_IO, e, "waiting for a capture: %s", strerror(e));
	}
	return KVMLSTAR_E_NOT_FOUND;
}

static void describe_wanted(const struct wanted *w, char *buf, size_t len)
{
	if (w->f.vm)
		snprintf(buf, len, "VM %u vCPU %u", w->f.vm, w->vcpu);
	else if (w->f.pid)
		snprintf(buf, len, "pid %u vCPU %u", w->f.pid, w->vcpu);
	else
		snprintf(buf, len, "vCPU %u of any VM", w->vcpu);
}

KVMLSTAR_API int kvmlstar_wait(struct kvmlstar_nl *nl, const struct kvmlstar_filter *filter,
			       uint32_t vcpu, int timeout_ms, struct kvmlstar_record *rec,
			       size_t size, struct kvmlstar_error *err)
{
	struct wanted w = { .vcpu = vcpu };
	int64_t deadline = deadline_of(timeout_ms);
	struct kvmlstar_error local;
	struct evsock *evs;
	bool events;
	char what[64];
	int rc;

	if (!nl || !rec)
		return kvmlstar__null(err, "kvmlstar_wait", nl ? "rec is NULL" :
				      "the handle is NULL");
	rc = check_size(err, "kvmlstar_wait", "record", size, KVMLSTAR_RECORD_SIZE_1);
	if (rc)
		return rc;
	if (filter)
		w.f = *filter;
	if (!err)
		err = &local;
	evs = malloc(sizeof(*evs));
	if (!evs)
		return kvmlstar__fail(err, KVMLSTAR_E_NOMEM, ENOMEM, "out of memory");
	evs->fd = -1;
	/*
	 * A socket of its own, joined before the first look, so nothing
	 * falls in between, and the caller's subscription (if any) keeps
	 * its events.
	 */
	rc = ev_open(nl, evs, err);
	events = rc == KVMLSTAR_OK;
	if (rc && rc != KVMLSTAR_E_PERMISSION)
		goto out;

	do {
		rc = find_captured(nl, &w, err);
		if (rc != KVMLSTAR_E_NOT_FOUND)
			break;
		rc = events ? await_event(nl, evs, &w, deadline, err) : nap(deadline, err);
	} while (rc == KVMLSTAR_E_NOT_FOUND);

	if (rc == KVMLSTAR_E_TIMEOUT) {
		describe_wanted(&w, what, sizeof(what));
		rc = kvmlstar__fail(err, rc, 0,
			"no LSTAR capture for %s within %d ms: the guest has not written "
			"MSR_LSTAR yet (or the VM does not exist or belongs to another user); "
			"wait longer", what, timeout_ms);
		goto out;
	}
	if (rc)
		goto out;
	kvmlstar__copy_out(rec, size, &w.best, sizeof(w.best));
	if (w.best.unavailable) {
		describe_wanted(&w, what, sizeof(what));
		rc = kvmlstar__fail(err, KVMLSTAR_E_UNAVAILABLE, 0,
			"no LSTAR capture for %s (VM %u), and none will come: %s",
			what, w.best.vm, kvmlstar_unavailable_reason(w.best.unavailable));
		goto out;
	}
	rc = kvmlstar__ok(err);
out:
	ev_close(evs);
	free(evs);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Names                                                               */
/* ------------------------------------------------------------------ */

KVMLSTAR_API const char *kvmlstar_source_name(enum kvmlstar_source source)
{
	switch (source) {
	case KVMLSTAR_SOURCE_NONE:	return "none";
	case KVMLSTAR_SOURCE_INTERCEPT:	return "intercept";
	case KVMLSTAR_SOURCE_SAMPLE:	return "sample";
	}
	return "unknown";
}

KVMLSTAR_API const char *kvmlstar_event_name(enum kvmlstar_event event)
{
	switch (event) {
	case KVMLSTAR_EVENT_NONE:	return "none";
	case KVMLSTAR_EVENT_CAPTURE:	return "capture";
	case KVMLSTAR_EVENT_CHANGE:	return "change";
	case KVMLSTAR_EVENT_RESET:	return "reset";
	case KVMLSTAR_EVENT_GONE:	return "gone";
	case KVMLSTAR_EVENT_UNAVAILABLE: return "unavailable";
	}
	return "unknown";
}

KVMLSTAR_API const char *kvmlstar_unavailable_reason(enum kvmlstar_unavailable why)
{
	switch (why) {
	case KVMLSTAR_UNAVAILABLE_NONE:
		return NULL;
	case KVMLSTAR_UNAVAILABLE_PROTECTED:
		return "KVM keeps this vCPU's state encrypted (an SEV-ES, SEV-SNP or TDX guest): "
		       "the host cannot read its LSTAR";
	}
	return "the kvm_lstar module says this vCPU's LSTAR cannot be seen, for a reason "
	       "this libkvmlstar does not know: update it";
}

KVMLSTAR_API const char *kvmlstar_path_state_name(enum kvmlstar_path_state state)
{
	switch (state) {
	case KVMLSTAR_PATH_OFF:		return "off";
	case KVMLSTAR_PATH_ACTIVE:	return "active";
	case KVMLSTAR_PATH_DISABLED:	return "disabled";
	}
	return "unknown";
}
