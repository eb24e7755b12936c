#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/kernels-setup.sh [6.12] [7.2] [debug]: make the kernels beyond
# Debian 12's own 6.1 buildable and bootable here, once (`make kernels`).
#
#   6.12  bookworm-backports' headers, installed natively: they are built for
#         bookworm and its gcc-12.  Also linux-source-6.12, for the YNL
#         genetlink schema and tools.  The suite is added to apt by copying the
#         archive's URIs from this machine's own apt sources.
#   7.2   sid's headers need gcc-16 and glibc 2.38, so they live in a sid
#         chroot that this script debootstraps into the cache, with the
#         kernel image downloaded beside them.  `make module` builds inside
#         that chroot for a 7.2 KVER.
#   debug 7.2 with the memory and lock detectors, built from source in that
#         chroot (scripts/debug-kernel.sh: minutes on 2 cores, once).
#
# A kernel that cannot be had today fails with the reason; nothing is
# skipped quietly.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/kernels.sh
. "$top/scripts/kernels.sh"

say() { echo "kernels: $*" >&2; }
die() { say "$*"; exit 1; }

[ "$(id -u)" = 0 ] || die "needs root (apt, debootstrap, chroot): run 'sudo make kernels'"
export DEBIAN_FRONTEND=noninteractive
# Wait for another apt run (a second make, unattended upgrades) to finish.
apt_lock=(-o DPkg::Lock::Timeout=600)

setup_612() {
	local list=/etc/apt/sources.list.d/kvm-lstar-backports.sources uri pkg
	if ! apt-cache policy 2>/dev/null | grep -q ' bookworm-backports/main '; then
		uri=$(debian_archive_uri) || die "cannot find Debian's archive in this machine's apt sources"
		say "adding bookworm-backports to apt ($list)"
		cat >"$list" <<-EOF
		# Added by kvm-lstar's scripts/kernels-setup.sh for the 6.12 kernel.
		Types: deb
		URIs: $uri
		Suites: bookworm-backports
		Components: main
		Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
		EOF
		apt-get "${apt_lock[@]}" update -q >/dev/null || die "apt-get update failed after adding bookworm-backports"
	fi
	# The ABI package the backports metapackage points at, installed by its
	# own name so that linux-headers-amd64 (6.1) stays what it is.
	pkg=$(apt-cache show 'linux-headers-amd64/bookworm-backports' 2>/dev/null |
		sed -n 's/^Depends: .*\(linux-headers-6\.12[^ ,]*-amd64\).*/\1/p' | head -n1)
	[ -n "$pkg" ] || die "bookworm-backports offers no linux-headers-6.12*-amd64 today"
	# linux-source-6.12 too: the YNL schemas and tools (make spec-check,
	# make regen and lint's check of the generated files, ynl in the VM harness)
	# first ship in 6.12's sources.
	if dpkg-query -W -f='${Status}' "$pkg" linux-source-6.12 2>/dev/null |
		grep -c 'ok installed' | grep -qx 2; then
		return 0
	fi
	say "installing $pkg and linux-source-6.12 from bookworm-backports"
	apt-get "${apt_lock[@]}" install -y -q --no-install-recommends -t bookworm-backports \
		"$pkg" linux-source-6.12 >/dev/null || die "cannot install $pkg and linux-source-6.12"
}

setup_72() {
	local root stamp uri kpkg kver
	root=$(sid_root)
	stamp=$root/.kvm-lstar-ready
	if [ ! -f "$stamp" ]; then
		command -v debootstrap >/dev/null || die "debootstrap is missing: run 'make deps'"
		uri=$(debian_archive_uri) || die "cannot find Debian's archive in this machine's apt sources"
		say "debootstrapping a sid chroot for the 7.2 headers into $root (once, a few minutes)"
		rm -rf "$root.tmp"
		mkdir -p "$(dirname "$root")"
		debootstrap --variant=minbase --include=ca-certificates sid "$root.tmp" "$uri" \
			>"$(dirname "$root")/debootstrap.log" 2>&1 ||
			die "debootstrap sid failed; see $(dirname "$root")/debootstrap.log"
		# The archive's sid Release can be past its Valid-Until on a frozen
		# mirror; signatures are still checked.
		echo 'Acquire::Check-Valid-Until "false";' \
			>"$root.tmp/etc/apt/apt.conf.d/99kvm-lstar"
		rm -rf "$root"
		mv "$root.tmp" "$root"
		touch "$stamp"
	fi
	kver=$(sid_kver || true)
	if [ -z "$kver" ] || [ ! -f "$(kernel_cache)/$kver/root/boot/vmlinuz-$kver" ]; then
		sid_chroot apt-get update -q >/dev/null || die "apt-get update in the sid chroot failed"
		kpkg=$(sid_chroot apt-cache show linux-headers-amd64 2>/dev/null |
			sed -n 's/^Depends: .*\(linux-headers-7\.2[^ ,]*-amd64\).*/\1/p' | head -n1)
		[ -n "$kpkg" ] || die "sid offers no linux-headers-7.2*-amd64 today (it has moved on: the supported 7.2 must move with it; see HACKING.md, make kernels)"
		kver=${kpkg#linux-headers-}
		say "installing $kpkg (and gcc-16) in the sid chroot"
		sid_chroot apt-get install -y -q --no-install-recommends make "$kpkg" >/dev/null ||
			die "cannot install $kpkg in the sid chroot"
		say "downloading linux-image-$kver"
		fetch_sid_image "$kver"
	fi
}

# From 7.2 Debian splits an image into linux-binary (vmlinuz),
# linux-modules and linux-base; older ones are one linux-image package.
fetch_sid_image() {
	local kver=$1 dir root pkgs p
	root=$(sid_root)
	dir=$(kernel_cache)/$kver
	mkdir -p "$dir" "$root/tmp/img"
	rm -f "$root"/tmp/img/*.deb
	pkgs="linux-binary-$kver linux-modules-$kver linux-base-$kver"
	sid_chroot sh -c "cd /tmp/img && apt-get download -q $pkgs" >/dev/null 2>&1 ||
		sid_chroot sh -c "cd /tmp/img && apt-get download -q linux-image-$kver" >/dev/null 2>&1 ||
		die "cannot download linux-image-$kver (or $pkgs) from sid"
	rm -rf "$dir/root.tmp"
	for p in "$root"/tmp/img/*.deb; do
		dpkg-deb -x "$p" "$dir/root.tmp"
	done
	# Merged /usr: the VM harness looks for boot/ and lib/modules/ at the top.
	[ -e "$dir/root.tmp/lib" ] || ln -s usr/lib "$dir/root.tmp/lib"
	if [ ! -e "$dir/root.tmp/boot/vmlinuz-$kver" ] &&
	   [ -f "$dir/root.tmp/usr/lib/modules/$kver/vmlinuz" ]; then
		mkdir -p "$dir/root.tmp/boot"
		ln -s "../usr/lib/modules/$kver/vmlinuz" "$dir/root.tmp/boot/vmlinuz-$kver"
	fi
	[ -f "$dir/root.tmp/boot/vmlinuz-$kver" ] || die "no boot/vmlinuz-$kver in the packages of $kver"
	rm -rf "$dir/root" "$root"/tmp/img/*.deb
	mv "$dir/root.tmp" "$dir/root"
}

want=("$@")
[ ${#want[@]} -gt 0 ] || want=(6.12 7.2 debug)
for k in "${want[@]}"; do
	case $k in
	6.1) ;;
	6.12) setup_612 ;;
	7.2) setup_72 ;;
	debug) setup_72 && bash "$top/scripts/debug-kernel.sh" ;;
	*) die "unknown kernel '$k' (known: 6.1, 6.12, 7.2, debug)" ;;
	esac
done
for k in "${want[@]}"; do
	(kernel_resolve "$k" && echo "kernels: $k ready: $kver ($kdir)")
done
