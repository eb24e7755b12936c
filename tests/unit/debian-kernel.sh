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

extract=
for d in /usr/src/linux-headers-"$kver" /usr/src/linux-headers-"${kver%-*}"-common; do
	if [ -x "$d/scripts/extract-vmlinux" ]; then
		extract=$d/scripts/extract-vmlinux
		break
	fi
done
if [ -z "$extract" ]; then
	tarball=$(ls -1 /usr/src/linux-source-6.1.tar.* 2>/dev/null | head -n1 || true)
	[ -n "$tarball" ] || warn "no scripts/extract-vmlinux: neither the headers nor /usr/src/linux-source-6.1.tar.* ('make deps') have it"
	xdir=$cache/extract-vmlinux/$(basename "$tarball")
	if [ ! -x "$xdir/extract-vmlinux" ]; then
		echo "unit-test: extracting scripts/extract-vmlinux from $tarball (once)" >&2
		mkdir -p "$xdir"
		tar -xf "$tarball" -O --wildcards '*/scripts/extract-vmlinux' > "$xdir/extract-vmlinux.tmp" ||
			warn "cannot extract scripts/extract-vmlinux from $tarball"
		chmod 0755 "$xdir/extract-vmlinux.tmp"
		mv "$xdir/extract-vmlinux.tmp" "$xdir/extract-vmlinux"
	fi
	extract=$xdir/extract-vmlinux
fi

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
