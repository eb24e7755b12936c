#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/vm/bochs/build-boot.sh KVER VMLINUZ OUT: the Multiboot image that
# the Intel bench boots under Bochs: pvh-stub and the vmlinux decompressed
# from VMLINUZ (so Bochs never runs the bzImage's decompressor, most of a
# Bochs boot otherwise), put together by mkboot.py.  tests/vm/run caches OUT.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
kver=${1:?usage: build-boot.sh KVER VMLINUZ OUT}
vmlinuz=${2:?usage: build-boot.sh KVER VMLINUZ OUT}
out=${3:?usage: build-boot.sh KVER VMLINUZ OUT}

# shellcheck source=scripts/kernels.sh
. "$top/scripts/kernels.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

gcc -m32 -std=c11 -O2 -Wall -Wextra -Werror -ffreestanding -fno-pic \
	-fno-stack-protector -fno-asynchronous-unwind-tables -mgeneral-regs-only \
	-c "$here/pvh-stub.c" -o "$tmp/stub.o"
ld -m elf_i386 -nostdlib --no-warn-rwx-segments -T "$here/pvh-stub.lds" \
	-o "$tmp/stub.elf" "$tmp/stub.o"

extract=$(kernel_extract_tool "$kver")
"$extract" "$vmlinuz" >"$tmp/vmlinux" 2>/dev/null || {
	echo "bench: $extract could not unpack $vmlinuz" >&2
	exit 1
}
python3 "$here/mkboot.py" "$tmp/stub.elf" "$tmp/vmlinux" "$out"
