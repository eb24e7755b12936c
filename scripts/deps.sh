#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Install every Debian package kvm-lstar needs to build and test, and
# nothing when they are all there already.  `make deps` runs this; so do
# `make check` and `make demo`, so a fresh Debian 12 machine needs nothing
# else.
set -euo pipefail

pkgs=(
	# build (libsystemd-dev: kvm-lstar watch sends its events to the journal)
	gcc make pkg-config libc6-dev libnl-3-dev libnl-genl-3-dev libelf-dev libsystemd-dev
	linux-headers-amd64 dkms
	# kernel style: scripts/checkpatch.pl comes only with the kernel sources
	linux-source-6.1
	# unit tests; abigail-tools' abidw and abidiff check the library's ABI
	# against its baseline, lib/libkvmlstar.abi
	libcmocka-dev valgrind abigail-tools
	# fuzzing (make fuzz, make fuzz-check): clang, and the libFuzzer runtime
	# (libclang_rt.fuzzer), which clang-14 only recommends
	clang libclang-rt-14-dev
	# the VM harness: QEMU, the initramfs pieces, the kernel image
	qemu-system-x86 busybox-static kmod cpio jq
	# the 7.2 kernel's sid chroot (scripts/kernels-setup.sh); the hang reporter
	debootstrap python3
	# the Intel bench (tests/vm/run --cpu intel): Bochs, which emulates VMX
	# (bochs-term only so that apt picks no graphical front end; the bench
	# uses the rfb display), and the isolinux CD it boots from
	bochs bochs-term bochsbios vgabios isolinux syslinux-common xorriso
	# the end-to-end suite runs bpftrace on kvm:kvm_msr beside the module
	bpftrace
	# make spec-check and make regen: the YNL spec against the kernel's
	# schema, and the kernel's generator; the ynl suite also runs libnl's
	# genl-ctrl-list in the VM harness
	python3-jsonschema python3-yaml libnl-utils
	# Debian packages (make deb, make deb-check): debhelper and dh-dkms build
	# them, lintian checks them, debootstrap makes the clean bookworm chroot
	# they are installed into, systemd-analyze verifies the unit
	debhelper dh-dkms dpkg-dev fakeroot lintian debootstrap
	debian-archive-keyring systemd
	# make host-test: the host image's ext4 disk (mke2fs -d)
	e2fsprogs
	# make bench: hyperfine times the symbol lookup against nm and readelf
	# (binutils); libbpf-dev (with clang, above) builds the BPF peer that
	# step 7 measures beside the module
	hyperfine binutils libbpf-dev
	# make lint: the shell code
	shellcheck
	# make cli-test: kaslr --format's output, read by the consumers Debian
	# has (gdb, crash, drgn)
	gdb crash python3-drgn
)

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
	echo "deps: all ${#pkgs[@]} packages present"
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages: ${missing[*]}; run 'make deps' as root" >&2
	exit 1
fi

# libsystemd-dev requires the libsystemd0 of its own version: after `make
# kernels` that is bookworm-backports' (its 6.12 packages pull in systemd),
# which apt would not pick by itself (it prefers bookworm's, a downgrade).
for i in "${!missing[@]}"; do
	if [ "${missing[$i]}" = libsystemd-dev ] &&
		v=$(dpkg-query -W -f='${Version}' libsystemd0 2>/dev/null) && [ -n "$v" ]; then
		missing[i]=libsystemd-dev=$v
	fi
done

echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=600 update -q || echo "deps: warning: apt-get update reported errors" >&2
apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "${missing[@]}"
