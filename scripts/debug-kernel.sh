#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/debug-kernel.sh: build the VM harness's debug kernel once (`make
# kernels`): Debian's linux-source-7.2 with scripts/debug.config on top of
# allnoconfig (KASAN, KFENCE, lockdep, PROVE_RCU, full preemption), in the
# sid chroot, whose gcc is the one 7.2 is built with.
#
# The built tree stays in the chroot as /usr/src/linux-headers-KVER, so that
# `make module KVER=KVER` builds kvm_lstar against it like against sid's
# headers; the image and modules go to the cache as for the other kernels.
# It is rebuilt when debug.config or this script changes (not their comments).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/kernels.sh
. "$top/scripts/kernels.sh"

say() { echo "debug-kernel: $*" >&2; }
die() { say "$*"; exit 1; }

cfg=$top/scripts/debug.config
root=$(sid_root)
[ -d "$root/usr/src" ] || die "no sid chroot at $root: run 'make kernels' (it sets up 7.2 first)"
# Comments do not count: moving or rewording them rebuilds nothing.
key=$(grep -hv '^[[:space:]]*#' "$cfg" "$0" | sha256sum | cut -c1-16)
old=$(debug_tree || true)
if [ -n "$old" ] && [ "$(cat "$old/.kvm-lstar-debug" 2>/dev/null)" = "$key" ] &&
   [ -f "$(kernel_cache)/${old##*/linux-headers-}/root/boot/vmlinuz-${old##*/linux-headers-}" ]; then
	exit 0
fi

say "installing the build tools and linux-source-7.2 in the sid chroot"
sid_chroot apt-get install -y -q --no-install-recommends make gcc bc bison flex \
	libelf-dev libssl-dev xz-utils kmod linux-source-7.2 >/dev/null ||
	die "cannot install linux-source-7.2 and the build tools in the sid chroot"
tarball=$(ls -1 "$root"/usr/src/linux-source-7.2.tar.* 2>/dev/null | head -n1 || true)
[ -n "$tarball" ] || die "linux-source-7.2 installed no /usr/src/linux-source-7.2.tar.*"

src=/build/debug-src
rm -rf "${root:?}$src"
mkdir -p "$root$src"
say "unpacking $(basename "$tarball")"
tar -xf "$tarball" -C "$root$src" --strip-components=1
cp "$cfg" "$root$src/kvm-lstar-debug.config"
sid_chroot sh -c "cd $src && make -s allnoconfig >/dev/null &&
	scripts/kconfig/merge_config.sh -m .config kvm-lstar-debug.config >/dev/null &&
	make -s olddefconfig >/dev/null && make -s syncconfig >/dev/null" ||
	die "configuring the debug kernel failed"

# Every line of debug.config must have survived: Kconfig drops an option
# whose dependencies are unmet, without a word.
missing=
while IFS= read -r line; do
	case $line in
	CONFIG_*=*) grep -qxF -- "$line" "$root$src/.config" || missing="$missing $line" ;;
	"# CONFIG_"*" is not set")
		opt=${line#\# }
		opt=${opt%% *}
		grep -q "^$opt=" "$root$src/.config" && missing="$missing !$opt" ;;
	esac
done <"$cfg"
[ -z "$missing" ] || die "debug.config options the kernel would not take (unmet dependencies):$missing"

kver=$(sid_chroot make -s -C "$src" kernelrelease)
[ -n "$kver" ] || die "no kernel release from the configured tree"
tree=/usr/src/linux-headers-$kver
rm -rf "${root:?}$tree"
mv "$root$src" "$root$tree"
log=$(kernel_cache)/debug-build.log
say "building $kver ($(nproc) jobs; log: $log)"
start=$SECONDS
sid_chroot make -C "$tree" -j"$(nproc)" bzImage modules >"$log" 2>&1 ||
	{ tail -n 30 "$log" >&2; die "building the debug kernel failed; see $log"; }
rm -rf "$root/build/debug-out"
sid_chroot make -C "$tree" -s INSTALL_MOD_PATH=/build/debug-out INSTALL_MOD_STRIP=1 \
	modules_install >>"$log" 2>&1 || die "installing the debug kernel's modules failed; see $log"

dir=$(kernel_cache)/$kver
rm -rf "$dir"
mkdir -p "$dir/root.tmp/boot" "$dir/root.tmp/lib"
cp "$root$tree/arch/x86/boot/bzImage" "$dir/root.tmp/boot/vmlinuz-$kver"
mv "$root/build/debug-out/lib/modules" "$dir/root.tmp/lib/modules"
rm -rf "$root/build/debug-out"
mv "$dir/root.tmp" "$dir/root"
echo "$key" >"$root$tree/.kvm-lstar-debug"
# Older debug trees are superseded.
for t in "$root"/usr/src/linux-headers-*-kvm-lstar-debug; do
	v=${t##*/linux-headers-}
	[ "$t" = "$root$tree" ] || rm -rf "$t" "$(kernel_cache)/${v:?}"
done
say "$kver built in $((SECONDS - start)) s"
