#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make-guest-map.sh KVER KCACHE: write KCACHE/guest.map, the guest kernel's
# link-time symbols in System.map format.  Debian ships the real symbols
# only in the 0.85 GB -dbg package, so boot the kernel once under TCG with
# nokaslr (run-time addresses then equal link-time addresses) and keep its
# /proc/kallsyms.
set -euo pipefail
kver=$1 kcache=$2
top=$(cd "$(dirname "$0")/../.." && pwd)
s=$(mktemp -d)
trap 'rm -rf "$s"' EXIT
bash "$top/tests/vm/guest-initrd.sh" "$s/initrd.cpio"
timeout -k 5 300 qemu-system-x86_64 -machine q35,accel=tcg -cpu max -m 512 \
	-nodefaults -nographic -no-reboot -vga none -nic none \
	-kernel "$kcache/root/boot/vmlinuz-$kver" -initrd "$s/initrd.cpio" \
	-append "console=ttyS0 nokaslr panic=-1 kvm_lstar.dump=1" \
	-serial "file:$s/console" -serial "file:$s/dump" </dev/null >/dev/null 2>&1 || true
tr -d '\r' <"$s/dump" | sed -n '/^KALLSYMS-BEGIN$/,/^KALLSYMS-END$/p' | sed '1d;$d' |
	grep -v '\[' >"$s/map" || true
if ! grep -q ' entry_SYSCALL_64$' "$s/map"; then
	echo "make-guest-map: the nokaslr boot of $kver gave no entry_SYSCALL_64; console:" >&2
	tail -n 20 "$s/console" >&2
	exit 1
fi
mv "$s/map" "$kcache/guest.map"
echo "make-guest-map: $(wc -l <"$kcache/guest.map") symbols of $kver" >&2
