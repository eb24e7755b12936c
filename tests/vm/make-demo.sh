#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/vm/make-demo.sh: `make demo`.  Installs what it needs, builds,
# boots the VM harness and runs tests/vm/demo.sh there (a real Debian guest
# with KASLR, found from the host side).  One line per step; the output of
# apt, the builds and the VM harness's preparation goes to $O/demo.log, and a
# failed step names itself and ends with the log's last lines.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
O=${O:-build}
case $O in /*) out=$O ;; *) out=$top/$O ;; esac
mkdir -p "$out"
log=$out/demo.log
: >"$log"
export O

# failed WHAT: say that WHAT failed, with the log's last lines, and exit.
failed() {
	echo "demo: $1 failed; its last lines ($log has them all):" >&2
	tail -n 20 "$log" | sed 's/^/  | /' >&2
	exit 1
}

# step TEXT CMD...: one progress line, CMD's output to the log.
step() {
	local what=$1 t0=$SECONDS
	shift
	printf 'demo: %s ... ' "$what"
	echo "==== $what: $*" >>"$log"
	if "$@" >>"$log" 2>&1; then
		echo "done ($((SECONDS - t0)) s)"
		return
	fi
	echo "FAILED"
	failed "'$what'"
}

step "installing the packages it needs (apt; a new machine only)" make -C "$top" deps
step "building the module, library and tool" make -C "$top" all
# The answer goes to the terminal; the VM harness's own lines (downloads,
# initramfs builds, the console log's name) go to the log.
echo "demo: booting the VM bench (QEMU/TCG, kvm-amd, kvm_lstar), then a Debian guest in it;"
echo "      the first run downloads and prepares kernels and initramfs (log: $log)"
echo
echo "==== the demo: tests/vm/run --timeout 300 tests/vm/demo.sh" >>"$log"
if ! "$top/tests/vm/run" --timeout 300 "$top/tests/vm/demo.sh" 2>>"$log"; then
	echo
	failed "the VM part"
fi

# Then what the offset is for: gdb on a running KASLR guest, through its
# gdbstub, with nothing but kvm-lstar's gdb lines and the debug vmlinux.
echo
echo "demo: gdb on another KASLR guest, through its QEMU gdbstub, with kvm-lstar's gdb lines"
echo "      (the guest kernel's debug vmlinux: linux-image-<ver>-dbg, 0.86 GB, downloaded once)"
echo
echo "==== the gdb step: tests/vm/gdb-proof.sh --demo" >>"$log"
if ! bash "$top/tests/vm/gdb-proof.sh" --demo 2>>"$log" | grep -v '^[0-9]* passed, 0 failed$'; then
	echo
	failed "the gdb step"
fi
