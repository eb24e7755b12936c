#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/cli/journal.sh: what kvm-lstar watch does with an event when its
# stdout is the journal, without the module and without systemd.
# tests/cli/journal-event is tool/records.c, whose print_event() prints one
# event of each kind as watch does.
#
#   - stdout not the journal (no JOURNAL_STREAM, one naming another file, a
#     malformed one): the lines go to stdout as they always did;
#   - stdout the journal (JOURNAL_STREAM is its device:inode): each event
#     goes to journald's native socket instead, nothing to stdout.  Here that
#     socket is one the program binds itself, in a mount namespace of its
#     own over a private tmpfs /run (unshare; root, or an unprivileged user
#     namespace; skipped when neither works).  Each datagram's MESSAGE is
#     the line stdout gets otherwise, JSON or text; MESSAGE_ID is the kind's
#     (tool/journal.h); PRIORITY is 4 (warning) for a change and a changed
#     record's resync, 6 (info) for the rest; the record's KVM_LSTAR_*
#     fields are there;
#   - the journal's socket missing (journald gone): every line goes to
#     stdout after all, and stderr says so once;
#   - pkg/kvm-lstar.catalog has one entry per MESSAGE_ID (and kvm-lstar(8)
#     lists them), and journalctl
#     (when there is one) compiles it and lists those ids alone;
#   - the journal path leaks nothing under valgrind.
#
#   JOURNAL_EVENT=path/to/journal-event tests/cli/journal.sh   (make cli-test)
#
# The real journald is the booted-systemd test's (make host-test).
# Ends with "N passed, M failed"; exits 1 when anything failed.
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
bin=${JOURNAL_EVENT:-$top/${O:-build}/tests/cli/journal-event}
case $bin in /*) ;; *) bin=$PWD/$bin ;; esac
[ -x "$bin" ] || { echo "journal.sh: no journal-event at $bin (make cli-test builds it)" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# shellcheck source=tests/checks.sh
. "$top/tests/checks.sh"

kinds=(capture change reset gone unavailable resync)
priorities=(6 4 6 6 6 4)
catalog=$top/pkg/kvm-lstar.catalog

# The ids, from the header the tool is built with.
declare -A id
for k in "${kinds[@]}"; do
	id[$k]=$(sed -n "s/^#define KVM_LSTAR_MESSAGE_ID_${k^^}[[:space:]]*\"\([0-9a-f]*\)\"$/\1/p" \
		"$top/tool/journal.h")
	has "journal.h: a 128-bit MESSAGE_ID for $k" '^[0-9a-f]{32}$' "${id[$k]}"
done
same "the MESSAGE_IDs are distinct" 6 "$(printf '%s\n' "${id[@]}" | sort -u | wc -l)"

# --- stdout is not the journal ---------------------------------------------
echo "== not the journal"
"$bin" --json >"$tmp/plain.json" 2>"$tmp/err"
same "no JOURNAL_STREAM: exit 0, nothing on stderr" "0:" "$?:$(cat "$tmp/err")"
same "no JOURNAL_STREAM: one line per event" 6 "$(wc -l <"$tmp/plain.json")"
same "no JOURNAL_STREAM: the kinds, in order" "${kinds[*]}" \
	"$(sed 's/^{"event": "\([a-z]*\)".*/\1/' "$tmp/plain.json" | tr '\n' ' ' | sed 's/ $//')"
"$bin" >"$tmp/plain.text"
same "text: one line per event" 6 "$(wc -l <"$tmp/plain.text")"

: >"$tmp/other"
JOURNAL_STREAM=$(stat -c %d:%i "$tmp/other") "$bin" --json >"$tmp/elsewhere.json"
if cmp -s "$tmp/plain.json" "$tmp/elsewhere.json"; then ok; else
	bad "JOURNAL_STREAM naming another file: stdout is not what it is without it"; fi
: >"$tmp/malformed.json"
JOURNAL_STREAM="$(stat -c %d:%i "$tmp/malformed.json")x" "$bin" --json >>"$tmp/malformed.json"
if cmp -s "$tmp/plain.json" "$tmp/malformed.json"; then ok; else
	bad "a malformed JOURNAL_STREAM: stdout is not what it is without it"; fi

# --- catalog ---------------------------------------------------------------
echo "== catalog"
for k in "${kinds[@]}"; do
	same "catalog: one entry for $k (${id[$k]})" 1 "$(grep -c "^-- ${id[$k]}\$" "$catalog")"
done
same "catalog: no other entries" 6 "$(grep -c '^-- ' "$catalog")"
for k in "${kinds[@]}"; do
	same "kvm-lstar(8) lists the MESSAGE_ID of $k" 1 \
		"$(grep -Ec "^$k +${id[$k]}\$" "$top/tool/kvm-lstar.8")"
done
if command -v journalctl >/dev/null; then
	mkdir -p "$tmp/root/usr/lib/systemd/catalog"
	cp "$catalog" "$tmp/root/usr/lib/systemd/catalog/"
	if journalctl --root="$tmp/root" --update-catalog >"$tmp/cat.out" 2>&1 && [ ! -s "$tmp/cat.out" ]; then
		ok
	else
		bad "journalctl --update-catalog: $(cat "$tmp/cat.out")"
	fi
	journalctl --root="$tmp/root" --list-catalog >"$tmp/list" 2>&1
	same "journalctl --list-catalog: the six ids, each defined by kvm-lstar" \
		"$(printf '%s kvm-lstar\n' "${id[@]}" | sort)" "$(awk '{ print $1, $2 }' "$tmp/list" | tr -d : | sort)"
else
	echo "note: no journalctl here; the catalog is not compiled"
fi

# --- stdout is the journal ---------------------------------------------------
# in_ns CMD...: CMD with a private tmpfs /run holding /run/systemd/journal.
ns=()
if unshare -m true 2>/dev/null; then
	ns=(unshare -m)
elif unshare -rm true 2>/dev/null; then
	ns=(unshare -rm)
fi
in_ns() {
	"${ns[@]}" bash -c 'mount -t tmpfs -o mode=0755 kvm-lstar-test /run &&
		mkdir -p /run/systemd/journal && exec "$@"' in_ns "$@"
}

# field ENTRY NAME: the value of NAME= in entry number ENTRY (from 1) of
# $dump (datagrams separated by empty lines).
field() {
	awk -v n="$1" -v f="$2=" 'BEGIN { e = 1 } /^$/ { e++; next }
		e == n && index($0, f) == 1 { print substr($0, length(f) + 1); exit }' "$dump"
}

if [ ${#ns[@]} -eq 0 ] || ! in_ns true; then
	echo "note: no mount namespace here (unshare -m, unshare -rm); the journal cases are skipped"
else
	echo "== the journal (a socket of our own at /run/systemd/journal/socket)"
	for mode in json text; do
		dump=$tmp/dump.$mode
		out=$tmp/journal.$mode
		: >"$out"
		flag=--json
		[ "$mode" = text ] && flag=
		# shellcheck disable=SC2086 # an empty flag is no argument
		in_ns env JOURNAL_STREAM="$(stat -c %d:%i "$out")" "$bin" $flag --listen "$dump" \
			>>"$out" 2>"$tmp/err"
		same "$mode: exit 0, nothing on stderr" "0:" "$?:$(cat "$tmp/err")"
		same "$mode: nothing on stdout" "" "$(cat "$out")"
		same "$mode: one journal entry per event" 6 "$(grep -c '^MESSAGE=' "$dump" 2>/dev/null)"
		i=0
		while IFS= read -r line; do
			i=$((i + 1))
			same "$mode: entry $i's MESSAGE is the line stdout gets" "$line" "$(field $i MESSAGE)"
		done <"$tmp/plain.$mode"
		same "$mode: the lines compared" 6 "$i"
	done

	dump=$tmp/dump.json
	for i in 1 2 3 4 5 6; do
		k=${kinds[$((i - 1))]}
		same "$k: MESSAGE_ID" "${id[$k]}" "$(field $i MESSAGE_ID)"
		same "$k: PRIORITY" "${priorities[$((i - 1))]}" "$(field $i PRIORITY)"
		same "$k: KVM_LSTAR_EVENT" "$k" "$(field $i KVM_LSTAR_EVENT)"
		same "$k: SYSLOG_IDENTIFIER" kvm-lstar-watch "$(field $i SYSLOG_IDENTIFIER)"
	done
	# The record, as journal-event.c has it.
	same "capture: VM, PID, VCPU, UID" "3 4242 0 1000" \
		"$(field 1 KVM_LSTAR_VM) $(field 1 KVM_LSTAR_PID) $(field 1 KVM_LSTAR_VCPU) $(field 1 KVM_LSTAR_UID)"
	same "capture: LSTAR, CURRENT, EPOCH, WRITES, SOURCE" \
		"0xffffffffb7e00080 0xffffffffb7e00080 1 1 sample" \
		"$(field 1 KVM_LSTAR_LSTAR) $(field 1 KVM_LSTAR_CURRENT) $(field 1 KVM_LSTAR_EPOCH) $(field 1 KVM_LSTAR_WRITES) $(field 1 KVM_LSTAR_SOURCE)"
	same "capture: CSTAR, SYSENTER_EIP" "0xffffffffb7e019b0 0xb7e018f0" \
		"$(field 1 KVM_LSTAR_CSTAR) $(field 1 KVM_LSTAR_SYSENTER_EIP)"
	same "change: CURRENT, CHANGED" "0xffffffffc0de0000 1" \
		"$(field 2 KVM_LSTAR_CURRENT) $(field 2 KVM_LSTAR_CHANGED)"
	same "reset: EPOCH, CHANGED" "2 0" "$(field 3 KVM_LSTAR_EPOCH) $(field 3 KVM_LSTAR_CHANGED)"
	same "gone: GONE" 1 "$(field 4 KVM_LSTAR_GONE)"
	has "unavailable: UNAVAILABLE says why" 'encrypted' "$(field 5 KVM_LSTAR_UNAVAILABLE)"
	same "capture: no KVM_LSTAR_UNAVAILABLE" "" "$(field 1 KVM_LSTAR_UNAVAILABLE)"

	echo "== the journal's socket missing"
	out=$tmp/nosocket.json
	: >"$out"
	in_ns env JOURNAL_STREAM="$(stat -c %d:%i "$out")" "$bin" --json >>"$out" 2>"$tmp/err"
	same "no socket: exit 0" 0 "$?"
	if cmp -s "$tmp/plain.json" "$out"; then ok; else
		bad "no socket: stdout does not have every line"; sed 's/^/  /' "$out"; fi
	same "no socket: stderr says so, once" \
		"kvm-lstar watch: the journal did not take an event (No such file or directory); printing it on standard output" \
		"$(cat "$tmp/err")"

	if command -v valgrind >/dev/null; then
		out=$tmp/vg.json
		: >"$out"
		if in_ns env JOURNAL_STREAM="$(stat -c %d:%i "$out")" valgrind -q --leak-check=full \
			--errors-for-leak-kinds=all --error-exitcode=99 "$bin" --json --listen "$tmp/vg.dump" \
			>>"$out" 2>"$tmp/vg"; then ok; else
			bad "valgrind: the journal path"; cat "$tmp/vg"; fi
		: >"$out"
		if in_ns env JOURNAL_STREAM="$(stat -c %d:%i "$out")" valgrind -q --leak-check=full \
			--errors-for-leak-kinds=all --error-exitcode=99 "$bin" --json \
			>>"$out" 2>"$tmp/vg"; then ok; else
			bad "valgrind: the fallback to stdout"; cat "$tmp/vg"; fi
	fi
fi

echo "$pass passed, $failed failed"
[ "$failed" -eq 0 ]
