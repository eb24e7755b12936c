#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/vm/gdb-proof.sh [--kernel 6.1] [--demo]: kvm-lstar's gdb lines, proven
# with the real gdb on a real KASLR guest.  (make vm-test runs it.)
#
# The bench VM (tests/vm/run --hostlink) runs tests/vm/gdb-guest.sh: a
# nested Debian guest, KASLR on, whose QEMU gdbstub is the VM's /dev/ttyS3,
# a Unix socket here.  kvm_lstar in the VM captures the guest's LSTAR (and
# CSTAR, SYSENTER_EIP).  Here, Debian's gdb gets the guest kernel's debug
# vmlinux (from linux-image-<ver>-dbg, cached) and nothing but the lines of
#   kvm-lstar derive --lstar .. --cstar .. --sysenter-eip .. --vmlinux VMLINUX --format gdb
# (kaslr --format gdb prints the same lines where the module and the
# vmlinux are on one host), attaches to the guest and reads linux_banner
# and init_uts_ns.name.release from its memory: they must equal the guest's
# own /proc/version and uname -r.  The same without the offset must not.
# --demo prints each step as a user would type it.  Beside that, Debian's
# promtool (from the prometheus package, cached) checks the live module's
# kvm-lstar metrics, as a scrape would bring them.
#
# Ends with "N passed, M failed"; exits 1 when anything failed, and with the
# bench's 126 when the VM stopped scheduling (make vm-test runs it again).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
O=${O:-build}
case $O in /*) out=$O ;; *) out=$top/$O ;; esac
cache=${KVM_LSTAR_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kvm-lstar}
bin=$out/tool/kvm-lstar
kernel=6.1 demo=
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) kernel=${2:?--kernel needs a version}; shift 2 ;;
	--demo) demo=1; shift ;;
	*) echo "gdb-proof.sh: unknown argument '$1'" >&2; exit 2 ;;
	esac
done
# shellcheck source=tests/checks.sh
. "$top/tests/checks.sh"
# shellcheck source=scripts/kernels.sh
. "$top/scripts/kernels.sh"
kernel_resolve "$kernel"	# kver: the bench's kernel, and so its nested guest's

tmp=$(mktemp -d)
rpid=
trap '[ -z "$rpid" ] || kill "$rpid" 2>/dev/null; rm -rf "$tmp"' EXIT

# say CMD...: in --demo, the command as a user would type it.
say() {
	[ -z "$demo" ] || printf '$ %s\n' "$*"
}

# vm_result: wait for the bench, show its output, fold its tally into ours.
vm_result() {
	local rc vm
	wait "$rpid"
	rc=$?
	rpid=
	# --demo: the VM's own lines only when something failed.
	if [ -z "$demo" ] || [ "$rc" != 0 ]; then
		cat "$tmp/run.out"
	fi
	[ "$rc" = 126 ] && exit 126
	vm=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$tmp/run.out" | tail -n1)
	if [ -n "$vm" ]; then
		pass=$((pass + ${vm%% *}))
		failed=$((failed + $(echo "$vm" | cut -d' ' -f3)))
	fi
	same "the VM side: bench exit" 0 "$rc"
}

dbg=$(kernel_fetch_debug "$kver" "$cache/$kver") || {
	bad "no debug vmlinux of $kver"
	echo "$pass passed, $failed failed"
	exit 1
}

promtool=$(cached_promtool) ||
	echo "gdb-proof.sh: could not take promtool out of Debian's prometheus package" >&2

outlog=$out/vm-logs/gdb-guest-$kver.out
rm -f "$outlog"
sock=$tmp/gdb.sock
"$top/tests/vm/run" --kernel "$kernel" --hostlink "$sock" --timeout 900 \
	"$top/tests/vm/gdb-guest.sh" >"$tmp/run.out" 2>&1 &
rpid=$!

# The VM says when the guest runs and kvm_lstar has its capture: a whole
# GDB-READY line (it ends in "end"), after the guest's GUEST-VERSION.  The
# bench builds kvm-lstar (under its lock) before it boots.
ready=
while kill -0 "$rpid" 2>/dev/null; do
	ready=$(tr -d '\r' 2>/dev/null <"$outlog" | grep '^GDB-READY .* end$' | tail -n1)
	[ -n "$ready" ] && break
	sleep 1
done
version=$(tr -d '\r' 2>/dev/null <"$outlog" | sed -n 's/^GUEST-VERSION //p' | tail -n1)
if [ -z "$ready" ] || [ -z "$version" ]; then
	bad "the VM never said GDB-READY"
	vm_result
	echo "$pass passed, $failed failed"
	exit 1
fi
# promtool on what a scrape of the live module would bring.
tr -d '\r' <"$outlog" | sed -n '/^METRICS-BEGIN$/,/^METRICS-END$/p' | sed '1d;$d' >"$tmp/metrics"
has "the VM's metrics: a record" '^kvm_lstar_vcpu_info\{' "$(cat "$tmp/metrics")"
if lint=$("$promtool" check metrics <"$tmp/metrics" 2>&1); then ok; else
	bad "promtool check metrics: $lint"
fi
# ... and it can fail: a counter without _total, a family without HELP.
sed 's/^\(.*\)kvm_lstar_evictions_total/\1kvm_lstar_evictions/; /^# HELP kvm_lstar_vms /d' \
	"$tmp/metrics" >"$tmp/metrics.bad"
if "$promtool" check metrics <"$tmp/metrics.bad" >/dev/null 2>&1; then
	bad "promtool finds nothing wrong with a spoilt copy: this check cannot fail"
else
	ok
fi
[ -z "$demo" ] || echo "# kvm-lstar metrics in the bench: promtool check metrics finds nothing to fix"

field() { echo "$ready" | sed -n "s/.* $1=\([^ ]*\).*/\1/p"; }
lstar=$(field lstar) cstar=$(field cstar) sysenter=$(field sysenter_eip)
offset=$(field offset) release=$(field release)
has "the VM's values" '^0x[0-9a-f]+ 0x[0-9a-f]+ 0x[0-9a-f]+ 0x[0-9a-f]+ [0-9].*[^ ]$' \
	"$lstar $cstar $sysenter $offset $release"
echo "== gdb on the nested guest (pid $(field pid) in the bench, release $release): KASLR offset $offset"
if [ -n "$demo" ]; then
	echo "# kvm_lstar in the bench recorded LSTAR $lstar, CSTAR $cstar, SYSENTER_EIP $sysenter;"
	echo "# gdb and the debug vmlinux are out here, so derive takes the values (where both are"
	echo "# on one host: kvm-lstar kaslr --pid PID --vmlinux VMLINUX --format gdb)"
fi

say kvm-lstar derive --lstar "$lstar" --cstar "$cstar" --sysenter-eip "$sysenter" \
	--vmlinux "$dbg" --format gdb ">kaslr.gdb"
"$bin" derive --lstar "$lstar" --cstar "$cstar" --sysenter-eip "$sysenter" --vmlinux "$dbg" \
	--format gdb >"$tmp/kaslr.gdb" 2>"$tmp/derive.err"
same "derive --format gdb with the debug vmlinux" 0 "$?"
cat "$tmp/derive.err"
[ -z "$demo" ] || cat "$tmp/kaslr.gdb"
has "the gdb lines: the offset kaslr gave in the VM" "^symbol-file -o $offset " "$(cat "$tmp/kaslr.gdb")"
has "the gdb lines: confirmed by the witnesses" '^# confirmed: 3 of 3 ' "$(cat "$tmp/kaslr.gdb")"

# One gdb session (QEMU 7.2 with KVM died of SIGSEGV when a second gdb
# attached after a detach): first the symbols without the offset, as gdb is
# told without kvm-lstar, where it must not find the guest's banner (else
# this test could not fail); then kvm-lstar's lines, from their file alone,
# and the same reads; "kill" ends the guest.  Each command is an -ex of
# its own: gdb goes on after one that fails (a file would stop there).
banner_cmd='printf "BANNER=%s", linux_banner'
release_cmd='printf "RELEASE=%s\n", init_uts_ns.name.release'
say gdb -batch -x kaslr.gdb -ex "'target remote $sock'" -ex "'${banner_cmd/BANNER=/}'" \
	-ex "'${release_cmd/RELEASE=/}'" -ex kill
got=$(timeout 120 gdb -batch -nx -ex "symbol-file $dbg" -ex "target remote $sock" \
	-ex "${banner_cmd/BANNER/PLAIN-BANNER}" -ex "${release_cmd/RELEASE/PLAIN-RELEASE}" \
	-ex 'echo KVM-LSTAR-LINES\n' -ex "source $tmp/kaslr.gdb" -ex "$banner_cmd" \
	-ex "$release_cmd" -ex kill 2>&1)
[ -z "$demo" ] || printf '%s\n' "$got" | sed -n 's/^BANNER=//p; s/^RELEASE=//p'
if [ "$offset" = 0x0 ]; then
	echo "  (KASLR put this guest at offset 0: no check without the offset)"
elif printf '%s\n' "$got" | grep -qxF "PLAIN-BANNER=$version"; then
	bad "without the offset, gdb read the guest's banner all the same: this test cannot fail"
else
	ok
fi
same "gdb reads linux_banner: the guest's /proc/version" "$version" \
	"$(printf '%s\n' "$got" | sed -n 's/^BANNER=//p')"
same "gdb reads init_uts_ns.name.release: the guest's uname -r" "$release" \
	"$(printf '%s\n' "$got" | sed -n 's/^RELEASE=//p')"
has "gdb: the session reached kvm-lstar's lines" '^KVM-LSTAR-LINES$' "$got"
hasnt "gdb: no error after kvm-lstar's lines" 'No symbol|rror|closed|Cannot access' \
	"$(printf '%s\n' "$got" | sed -n '/^KVM-LSTAR-LINES$/,$p')"
if [ "$failed" != 0 ]; then
	printf '  gdb said:\n%s\n' "$got"
elif [ -n "$demo" ]; then
	echo "# the guest's own /proc/version and uname -r say the same; without the offset,"
	echo "# gdb finds nothing at linux_banner's link-time address"
fi

vm_result
echo "$pass passed, $failed failed"
[ "$failed" = 0 ]
