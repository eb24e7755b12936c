#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/chroot-kbuild.sh ROOT KDIR MOD_OUT [KBUILD ARGS...]: build the
# module tree MOD_OUT with the kernel headers at KDIR inside the chroot
# ROOT (sid's 7.2 headers need sid's gcc-16 and glibc), and copy the
# results back into MOD_OUT.  `make module` calls this for such a KVER.
set -euo pipefail
root=$1 kdir=$2 mod_out=$3
shift 3
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/kernels.sh
. "$top/scripts/kernels.sh"
[ "$(id -u)" = 0 ] || { echo "chroot-kbuild: building in $root needs root" >&2; exit 1; }
[ -d "$root$kdir" ] || { echo "chroot-kbuild: no $kdir in $root: run 'make kernels'" >&2; exit 1; }
# One directory per MOD_OUT, so that builds from several trees can run.
inside=/build/$(printf '%s' "$mod_out" | sha256sum | cut -c1-12)-$(basename "$mod_out")
rm -rf "${root:?}$inside"
mkdir -p "$root/build"
cp -a "$mod_out" "$root$inside"
KVM_LSTAR_CACHE=$(dirname "$(dirname "$root")") sid_chroot \
	make -C "$kdir" M="$inside" "$@"
cp -a "$root$inside/." "$mod_out/"
rm -rf "${root:?}$inside"
