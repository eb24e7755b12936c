#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# build-base.sh KVER KCACHE OUT.cpio BUILD [GUEST-VMLINUZ]: the part of the
# bench's initramfs that changes only with the kernel or the host's
# packages: busybox, kmod, the KVM modules, QEMU with its libraries and
# firmware (for guest-linux), and the nested guest's kernel (KVER's own
# unless GUEST-VMLINUZ is given) and initramfs.
set -euo pipefail

kver=$1 kcache=$2 cpio_out=$3 guest_vmlinuz=${5:-}
top=$(cd "$(dirname "$0")/../.." && pwd)
root=$kcache/root
s=$(mktemp -d)
trap 'rm -rf "$s"' EXIT

mkdir -p "$s"/{bin,sbin,etc,proc,sys,dev,tmp,run,root,home/user,usr/bin,usr/share/qemu} \
	"$s/usr/share/kvm-lstar" "$s/lib/modules/$kver"
cp /bin/busybox "$s/bin/busybox"
cp "$top/tests/vm/init" "$s/init"
chmod 755 "$s/init"
mknod -m 600 "$s/dev/console" c 5 1
chmod 1777 "$s/tmp"
chown 1000:1000 "$s/home/user"

cat >"$s/etc/passwd" <<PW
root:x:0:0:root:/root:/bin/sh
user:x:1000:1000:user:/home/user:/bin/sh
PW
cat >"$s/etc/group" <<GR
root:x:0:
kvm:x:100:user
user:x:1000:
GR

# shellcheck source=tests/vm/copy-elf.sh
. "$top/tests/vm/copy-elf.sh"

# kmod provides modprobe/rmmod/insmod/lsmod/depmod.  SCRIPT runs under bash:
# busybox's shell would run its own modprobe applet ahead of PATH, and that
# one's 'modprobe -r kvm_lstar' fails trying to unload kvm too.
copy_elf "$s" /bin/kmod /usr/bin/jq /bin/bash
for t in modprobe rmmod insmod lsmod depmod modinfo; do
	ln -sf /bin/kmod "$s/sbin/$t"
done

# Libraries the project's own dynamically linked tools need (libsystemd:
# kvm-lstar watch's journal entries; copy_elf brings its own libraries).
copy_elf "$s" /usr/lib/x86_64-linux-gnu/libnl-genl-3.so.200 /usr/lib/x86_64-linux-gnu/libnl-3.so.200 \
	/usr/lib/x86_64-linux-gnu/libelf.so.1 /usr/lib/x86_64-linux-gnu/libsystemd.so.0

# KVM and what it depends on.
mdir=$root/lib/modules/$kver
want=(kvm-amd kvm-intel)
declare -A seen=()
while [ ${#want[@]} -gt 0 ]; do
	m=${want[0]}
	want=("${want[@]:1}")
	[ -n "${seen[$m]:-}" ] && continue
	seen[$m]=1
	# Debian compresses modules with xz from 6.12 (kmod reads them).
	f=$(find "$mdir/kernel" \( -name "$m.ko" -o -name "${m//-/_}.ko" -o \
		-name "$m.ko.xz" -o -name "${m//-/_}.ko.xz" \) | head -n1)
	[ -n "$f" ] || { echo "build-base: module $m not in linux-image-$kver" >&2; exit 1; }
	cp --parents "${f#"$root"/}" "$s" 2>/dev/null || (cd "$root" && cp --parents "${f#"$root"/}" "$s")
	deps=$(/sbin/modinfo -F depends "$f" | tr ',' ' ')
	for d in $deps; do want+=("$d"); done
done
cp "$mdir"/modules.order "$mdir"/modules.builtin "$mdir"/modules.builtin.modinfo "$s/lib/modules/$kver/"

# QEMU for guest-linux, with the firmware a -kernel boot reads.
copy_elf "$s" /usr/bin/qemu-system-x86_64
for fw in /usr/share/seabios/bios-256k.bin /usr/share/qemu/linuxboot_dma.bin \
	/usr/share/qemu/kvmvapic.bin; do
	cp -L --parents "$fw" "$s"
done

# The nested guest: the same Debian kernel, and an initramfs whose /init
# prints the guest's own entry_SYSCALL_64.
cp "${guest_vmlinuz:-$root/boot/vmlinuz-$kver}" "$s/usr/share/kvm-lstar/guest-vmlinuz"
bash "$top/tests/vm/guest-initrd.sh" "$s/usr/share/kvm-lstar/guest-initrd.cpio"

(cd "$s" && find . -mindepth 1 | sed 's|^\./||' | cpio -o -H newc --quiet) >"$cpio_out"
