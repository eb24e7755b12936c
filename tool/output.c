// SPDX-License-Identifier: GPL-2.0
/*
 * kvm-lstar: output.  JSON is written by hand in one fixed style, '{"key":
 * value, ...}' on one line, because shell tests match it textually; u64
 * addresses are hex strings (they exceed 2^53), other numbers plain.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio_ext.h>
#include <string.h>
#include <time.h>

#include "cli.h"

void json_begin(struct json *j, FILE *f)
{
	j->f = f;
	j->first = true;
	fputc('{', f);
}

void json_end(struct json *j)
{
	fputs("}\n", j->f);
}

/*
 * Length of the well-formed UTF-8 character at @s (RFC 3629: no overlong
 * forms, no surrogates, nothing above U+10FFFF), or 0 when @s does not
 * start one.
 */
size_t utf8_char(const unsigned char *s)
{
	unsigned char c = s[0];
	size_t n, i;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4;
	else
		return 0;
	for (i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	if ((c == 0xe0 && s[1] < 0xa0) || (c == 0xed && s[1] > 0x9f) ||
	    (c == 0xf0 && s[1] < 0x90) || (c == 0xf4 && s[1] > 0x8f))
		return 0;
	return n;
}

/*
 * A JSON string.  File and symbol names are bytes, not always UTF-8: a
 * byte that does not start a well-formed character becomes U+FFFD, so
 * the output is always valid JSON for a strict decoder.
 */
static void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	while (*s) {
		unsigned char ch = (unsigned char)*s;
		size_t n = utf8_char((const unsigned char *)s);

		if (n == 0) {
			fputs("\\ufffd", f);
			s++;
			continue;
		}
		if (n > 1) {
			fwrite(s, 1, n, f);
			s += n;
			continue;
		}
		s++;
		switch (ch) {
		case '"':	fputs("\\\"", f); break;
		case '\\':	fputs("\\\\", f); break;
		case '\n':	fputs("\\n", f); break;
		case '\r':	fputs("\\r", f); break;
		case '\t':	fputs("\\t", f); break;
		case '\b':	fputs("\\b", f); break;
		case '\f':	fputs("\\f", f); break;
		default:
			if (ch < 0x20)
				fprintf(f, "\\u%04x", ch);
			else
				fputc(ch, f);
		}
	}
	fputc('"', f);
}

static void json_key(struct json *j, const char *key)
{
	if (!j->first)
		fputs(", ", j->f);
	j->first = false;
	json_string(j->f, key);
	fputs(": ", j->f);
}

void json_str(struct json *j, const char *key, const char *val)
{
	json_key(j, key);
	if (val)
		json_string(j->f, val);
	else
		fputs("null", j->f);
}

void json_uint(struct json *j, const char *key, uint64_t val)
{
	json_key(j, key);
	fprintf(j->f, "%" PRIu64, val);
}

void json_hex(struct json *j, const char *key, uint64_t val)
{
	char hex[KVMLSTAR_HEX_LEN];

	json_str(j, key, kvmlstar_hex(val, hex));
}

void json_bool(struct json *j, const char *key, bool val)
{
	json_key(j, key);
	fputs(val ? "true" : "false", j->f);
}

/* The record fields, in the order of the interface contract's table. */
void json_record(struct json *j, const struct kvmlstar_record *r)
{
	json_uint(j, "vm", r->vm);
	json_uint(j, "pid", r->pid);
	json_uint(j, "vcpu", r->vcpu);
	json_hex(j, "lstar", r->lstar);
	json_hex(j, "current", r->current);
	json_uint(j, "epoch", r->epoch);
	json_uint(j, "writes", r->writes);
	json_bool(j, "changed", r->changed);
	json_str(j, "source", kvmlstar_source_name(r->source));
	json_uint(j, "captured_ns", r->captured_ns);
	json_bool(j, "gone", r->gone);
	json_bool(j, "hypervisor", r->hypervisor);
	json_str(j, "unavailable", kvmlstar_unavailable_reason(r->unavailable));
	json_hex(j, "cstar", r->cstar);
	json_hex(j, "sysenter_eip", r->sysenter_eip);
	/* The VMM's, not the module's: last, after the record's own fields. */
	json_str(j, "name", record_name(r));
}

void json_array_begin(struct json *j, const char *key, struct json *array)
{
	json_key(j, key);
	fputc('[', j->f);
	array->f = j->f;
	array->first = true;
}

void json_element(struct json *array, struct json *obj)
{
	if (!array->first)
		fputs(", ", array->f);
	array->first = false;
	obj->f = array->f;
	obj->first = true;
	fputc('{', obj->f);
}

void json_element_end(struct json *obj)
{
	fputc('}', obj->f);
}

void json_array_end(struct json *array)
{
	fputc(']', array->f);
}

void format_age(uint64_t captured_ns, char *buf, size_t len)
{
	struct timespec ts;
	uint64_t now, s;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	now = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	if (captured_ns > now) {
		snprintf(buf, len, "just now");
		return;
	}
	s = (now - captured_ns) / 1000000000u;
	if (s < 60)
		snprintf(buf, len, "%.1fs ago", (double)(now - captured_ns) / 1e9);
	else if (s < 3600)
		snprintf(buf, len, "%" PRIu64 "m%02" PRIu64 "s ago", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, len, "%" PRIu64 "h%02" PRIu64 "m ago", s / 3600, s / 60 % 60);
	else
		snprintf(buf, len, "%" PRIu64 "d%02" PRIu64 "h ago", s / 86400, s / 3600 % 24);
}

void print_record_block(const struct kvmlstar_record *r)
{
	char lstar[KVMLSTAR_HEX_LEN], cur[KVMLSTAR_HEX_LEN], age[32], name[TEXT_NAME_LEN];
	const char *n = text_name(record_name(r), KVMLSTAR_NAME_LEN, name);

	printf("vm %u  pid %u%s%s  vcpu %u  uid %u%s\n", r->vm, r->pid, n ? "  name " : "",
	       n ? n : "", r->vcpu, r->uid, r->gone ? "  (VMM exited, record kept)" : "");
	if (r->unavailable) {
		printf("lstar    unavailable: %s\n", kvmlstar_unavailable_reason(r->unavailable));
		return;
	}
	if (r->epoch == 0) {
		printf("lstar    not captured yet: the guest has not written MSR_LSTAR\n");
		return;
	}
	format_age(r->captured_ns, age, sizeof(age));
	printf("lstar    %s  first value of epoch %u, seen by %s %s\n",
	       kvmlstar_hex(r->lstar, lstar), r->epoch, kvmlstar_source_name(r->source), age);
	printf("current  %s  %u %s this epoch%s\n", kvmlstar_hex(r->current, cur),
	       r->writes, r->writes == 1 ? "value" : "values",
	       r->changed ? ": CHANGED after the first write (possible syscall hijack)" : "");
	if (r->cstar || r->sysenter_eip)
		printf("witness  cstar %s  sysenter_eip %s  first values of the epoch\n",
		       kvmlstar_hex(r->cstar, lstar), kvmlstar_hex(r->sysenter_eip, cur));
	if (r->hypervisor)
		printf("guest    a hypervisor (it enabled SVM or VMX): its own guests' LSTAR\n"
		       "         values are not recorded, nor are its rewrites since then\n");
}

/*
 * A message as one line of text: the control characters a file name may
 * bring (a newline would start a second line) are written as C escapes.
 */
static void text_line(FILE *f, const char *msg)
{
	for (; *msg; msg++) {
		unsigned char ch = (unsigned char)*msg;

		if (ch == '\n')
			fputs("\\n", f);
		else if (ch < 0x20 || ch == 0x7f)
			fprintf(f, "\\x%02x", ch);
		else
			fputc(ch, f);
	}
	fputc('\n', f);
}

static void print_error(const struct cli *c, const char *class, bool retryable, const char *msg)
{
	struct json j;

	if (c->json) {
		json_begin(&j, stdout);
		json_str(&j, "error", class);
		json_bool(&j, "retryable", retryable);
		json_str(&j, "message", msg);
		json_end(&j);
	} else if (c->cmd) {
		fprintf(stderr, PROG " %s: ", c->cmd->name);
		text_line(stderr, msg);
	} else {
		fputs(PROG ": ", stderr);
		text_line(stderr, msg);
	}
}

/*
 * The contract's error class: the library's, except that its "io" and
 * "nomem" (and codes newer than this tool) are reported as "bad_input",
 * the input could not be read or handled; exit status 1 still tells them
 * from a usage error.
 */
static const char *cli_class(enum kvmlstar_err code)
{
	switch (code) {
	case KVMLSTAR_E_IO:
	case KVMLSTAR_E_NOMEM:
		return "bad_input";
	default:
		break;
	}
	return strcmp(kvmlstar_err_class(code), "unknown") ? kvmlstar_err_class(code) :
	       "bad_input";
}

int exit_status(enum kvmlstar_err code)
{
	switch (code) {
	case KVMLSTAR_OK:
		return 0;
	case KVMLSTAR_E_LSTAR_UNSUPPORTED:
	case KVMLSTAR_E_LSTAR_ZERO:
	case KVMLSTAR_E_NON_CANONICAL:
	case KVMLSTAR_E_TIMEOUT:
		return 3;
	case KVMLSTAR_E_LINK_UNKNOWN:
	case KVMLSTAR_E_LINK_ABOVE_LSTAR:
	case KVMLSTAR_E_MISALIGNED:
	case KVMLSTAR_E_OUT_OF_RANGE:
	case KVMLSTAR_E_UNAVAILABLE:
	case KVMLSTAR_E_WITNESS_MISMATCH:
		return 4;
	default:
		return 1;
	}
}

int fail(const struct cli *c, const struct kvmlstar_error *err)
{
	print_error(c, cli_class(err->code), kvmlstar_err_retryable(err->code), err->msg);
	return exit_status(err->code);
}

int set_error(struct kvmlstar_error *err, enum kvmlstar_err code, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	memset(err, 0, sizeof(*err));
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	/* Cut off: end before a character the cut split (JSON would say U+FFFD). */
	n = strlen(err->msg);
	if (n == sizeof(err->msg) - 1) {
		size_t i = n;

		while (i > 0 && ((unsigned char)err->msg[i - 1] & 0xc0) == 0x80)
			i--;
		if (i > 0 && (unsigned char)err->msg[i - 1] >= 0xc0 &&
		    utf8_char((const unsigned char *)err->msg + i - 1) == 0)
			err->msg[i - 1] = '\0';
	}
	return code;
}

int usage_fail(const struct cli *c, const char *fmt, ...)
{
	char msg[440], full[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (c->cmd)
		snprintf(full, sizeof(full), "%s (see '" PROG " %s --help')", msg, c->cmd->name);
	else
		snprintf(full, sizeof(full), "%s (see '" PROG " --help')", msg);
	print_error(c, cli_class(KVMLSTAR_E_BAD_INPUT), false, full);
	return EXIT_USAGE;
}

/* The errno of the first failed write to stdout that stdout_failed() saw. */
static int stdout_errno;

bool stdout_failed(void)
{
	if (!ferror(stdout))
		return false;
	if (!stdout_errno)
		stdout_errno = errno;
	return true;
}

void forget_interrupted_output(void)
{
	if (!stdout_failed() || stdout_errno != EINTR)
		return;
	__fpurge(stdout);
	clearerr(stdout);
	stdout_errno = 0;
}

int finish_output(int rc)
{
	int bad = stdout_failed(), e;

	/* fclose() flushes, and reports what the last writes hit (ENOSPC, EBADF, EIO). */
	errno = 0;
	if (fclose(stdout) != 0 || bad) {
		e = stdout_errno ? stdout_errno : errno;
		fprintf(stderr, PROG ": writing standard output failed: %s\n",
			e ? strerror(e) : "I/O error");
		return rc ? rc : 1;
	}
	return rc;
}
