#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/unit/debian-kernel.sh DIR: real bad inputs from Debian's kernel
# package for test_symbols (`make unit-test` runs this and passes DIR in
# $KVMLSTAR_UNIT_DEBIAN_KERNEL):
#
#   DIR/vmlinux     the ELF inside the bzImage /boot/vmlinuz-<kver>, as the
#                   kernel's scripts/extract-vmlinux gives it (no .symtab)
#   DIR/System.map  the package's /boot/System.map-<kver> (a placeholder)
#   DIR/kver        <kver>
#
# The package is the VM harness's (scripts/kernels.sh: the newest 6.1
# headers installed name it; kernel_fetch_image unpacks it into the VM harness's
# cache, downloading it when it is not there yet).  scripts/extract-vmlinux
# comes from the kernel headers when they have it, else from Debian's
# kernel sources (linux-source-6.1, extracted once into the cache).
#
# Never fails the build: when something is missing (offline, no headers),
# it says so and leaves DIR without the files, and the tests skip.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
dir=${1:?usage: debian-kernel.sh DIR}

warn() {
	echo "unit-test: $*; the tests of Debian's kernel image will be skipped" >&2
	exit 0
}

# shellcheck source=scripts/kernels.sh
. "$top/scripts/kernels.sh"
cache=$(kernel_cache)
# Both helpers exit on failure: run them in subshells.
kver=$( (kernel_resolve 6.1 && echo "$kver") 2>/dev/null) || warn "no Debian 6.1 kernel headers installed ('make deps')"
[ -f "$dir/vmlinux" ] && [ -f "$dir/System.map" ] && [ "$(cat "$dir/kver" 2>/dev/null)" = "$kver" ] && exit 0

kcache=$cache/$kver
(kernel_fetch_image "$kver" "$kcache") || warn "cannot get linux-image-$kver"
vmlinuz=$kcache/root/boot/vmlinuz-$kver
[ -f "$vmlinuz" ] || warn "no $vmlinuz"

extract=$(kernel_extract_tool "$kver") || warn "no scripts/extract-vmlinux"

mkdir -p "$dir"
rm -f "$dir/vmlinux" "$dir/System.map" "$dir/kver"
"$extract" "$vmlinuz" > "$dir/vmlinux.tmp" 2>/dev/null || {
	rm -f "$dir/vmlinux.tmp"
	warn "$extract could not unpack $vmlinuz"
}
mv "$dir/vmlinux.tmp" "$dir/vmlinux"
cp "$kcache/root/boot/System.map-$kver" "$dir/System.map" || warn "no System.map-$kver in linux-image-$kver"
echo "$kver" > "$dir/kver"
echo "unit-test: $dir: the vmlinux inside Debian's vmlinuz-$kver ($(stat -c %s "$dir/vmlinux") bytes) and its System.map" >&2
