#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/host/host-test.sh (make host-test): the packages on a booted lab host.
#
# A Debian 12 host image, debootstrapped from this machine's apt sources
# with systemd, Debian's kernel and headers, libvirt, QEMU and
# prometheus-node-exporter, is cached in ~/.cache/kvm-lstar/host-image/<key>
# (rebuilt when its inputs change).  Each run, in a throwaway overlay over it:
#
#   - `apt-get install ./kvm-lstar*.deb ./libkvmlstar*.deb` of $(O)/deb, so
#     DKMS builds kvm_lstar for the image's kernel, as on a real host;
#   - the README's install steps that come before the first boot (the
#     modules-load.d snippet copied into /etc/modules-load.d/);
#   - the image is written to an ext4 disk and booted under QEMU/TCG with
#     -cpu max (AMD SVM), systemd as PID 1.
#
# In the booted host, tests/host/inside.sh does as an admin would (systemctl,
# virsh, kvm-lstar, journalctl, curl, apt purge) and checks each step; its
# output comes out on the VM's second serial port.  Here, Debian's promtool
# checks the node_exporter scrape it printed.
#
# Needs root (debootstrap, chroot, mounts) and the apt mirror.  Prints the
# steps and ends with "host: N passed, M failed"; exits 1 when anything
# failed.  KVM_LSTAR_HOST_TIMEOUT: seconds the booted host may take
# (default 1200).  KVM_LSTAR_HOST_KEEP=1 keeps the run's directory.
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=scripts/kernels.sh
. "$top/scripts/kernels.sh"
# shellcheck source=scripts/apt-sources.sh
. "$top/scripts/apt-sources.sh"
# shellcheck source=tests/checks.sh
. "$top/tests/checks.sh"

# tests/vm/suites.sh runs it as it runs the suites, with --kernel: the
# host image's kernel is Debian 12's own.
case "${1:-}/${2:-}" in
/) ;;
--kernel/6.1) ;;
*) echo "usage: host-test.sh [--kernel 6.1]" >&2; exit 2 ;;
esac
start=$SECONDS
O=${O:-build}
case $O in /*) ;; *) O=$top/$O ;; esac
out=$O/host-test
version=$(sed -n 's/^VERSION[[:space:]]*:=[[:space:]]*//p' "$top/Makefile")
cache=$(kernel_cache)/host-image
timeout=${KVM_LSTAR_HOST_TIMEOUT:-1200}
pkgs=(kvm-lstar-dkms libkvmlstar1 libkvmlstar-dev kvm-lstar)

say() { echo "host-test: $*"; }
finish() {
	say "$((SECONDS - start)) s"
	echo "host: $pass passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit
}

[ "$(id -u)" -eq 0 ] || { echo "host-test: needs root (debootstrap, chroot, mount)" >&2; exit 1; }
for t in debootstrap mke2fs qemu-system-x86_64; do
	command -v "$t" >/dev/null || { echo "host-test: no $t: run 'make deps'" >&2; exit 1; }
done
promtool=$(cached_promtool) ||
	{ echo "host-test: could not take promtool out of Debian's prometheus package" >&2; exit 1; }

debs=()
for p in "${pkgs[@]}"; do
	f=$(ls "$O/deb/${p}_${version}"-*_*.deb 2>/dev/null | head -n1)
	[ -n "$f" ] || { echo "host-test: no $O/deb/${p}_${version}-*.deb: run 'make deb'" >&2; exit 1; }
	debs+=("$f")
done
mkdir -p "$out" "$cache"
rm -f "$out"/*.log "$out/scrape.txt"

run= # this run's directory while it exists
base_mnt=() # what build_base mounted
# shellcheck disable=SC2317 # run by the trap
cleanup() {
	local m
	for m in "${base_mnt[@]}"; do mountpoint -q "$m" && umount -l "$m"; done
	[ -n "$run" ] || return 0
	for m in "$run/root/dev" "$run/root/proc" "$run/root"; do
		mountpoint -q "$m" 2>/dev/null && { umount "$m" 2>/dev/null || umount -l "$m"; }
	done
	if grep -qF " $run/" /proc/self/mounts; then
		echo "host-test: still mounted under $run, not removing it" >&2
	elif [ -n "${KVM_LSTAR_HOST_KEEP:-}" ]; then
		say "kept $run"
	else
		rm -rf "$run"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# in_tree DIR CMD...: run CMD in the tree at DIR, as apt would on a host.
in_tree() {
	local d=$1
	shift
	chroot "$d" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C.UTF-8 \
		DEBIAN_FRONTEND=noninteractive "$@"
}

# --- the host image's base (cached) -----------------------------------------
sources=$(apt_sources | awk '!seen[$0]++')
mirror=$(bookworm_mirror "$sources")
[ -n "$mirror" ] || { bad "no bookworm entry in this machine's apt sources"; finish; }

# A lab host: systemd, Debian's kernel with its headers (DKMS builds for
# them), libvirt with QEMU, node_exporter; jq and curl for the checks; what
# the packages depend on, so that installing them needs no download.
base_pkgs=(systemd-sysv udev dbus kmod procps initramfs-tools linux-image-amd64 linux-headers-amd64
	libvirt-daemon-system libvirt-daemon-driver-qemu libvirt-clients qemu-system-x86 seabios
	prometheus-node-exporter curl jq dkms gcc make libc6-dev pkg-config
	libnl-genl-3-200 libelf1 libsystemd0 libnl-genl-3-dev libelf-dev)

# build_base DIR: debootstrap bookworm into DIR and install base_pkgs.  The
# cache key hashes this function's text: changing it rebuilds the base.
# shellcheck disable=SC2317 # called by cached_base
build_base() {
	local d=$1 rc=0
	debootstrap_tree "$d" "$mirror" "$sources" "$cache" || return 1
	mount -t proc proc "$d/proc" && base_mnt+=("$d/proc")
	mount --bind /dev "$d/dev" && base_mnt+=("$d/dev")
	in_tree "$d" sh -ec "apt-get update -q
		echo 'man-db man-db/auto-update boolean false' | debconf-set-selections
		apt-get install -y -q --no-install-recommends ${base_pkgs[*]}
		apt-get clean" >"$cache/base.log" 2>&1 || rc=$?
	umount "$d/dev" "$d/proc" && base_mnt=()
	if [ $rc -ne 0 ]; then
		echo "  installing the base packages failed; see $cache/base.log"
		tail -n 20 "$cache/base.log"
		return 1
	fi
	rm -f "$d/etc/resolv.conf"
}

key=$( { printf '%s\n' "$sources" "$(apt_conf)" "${base_pkgs[*]}"; declare -f build_base debootstrap_tree; } |
	sha256sum | cut -c1-16)
base=$cache/$key
cached_base "$cache" "$base" "the host image base" build_base || { bad "building the host image base failed"; finish; }

# --- this run's host: the packages installed as an admin would ----------------
run=$(mktemp -d "$cache/run.XXXXXX")
root=$run/root
mkdir -p "$root" "$run/upper" "$run/work"
mount -t overlay overlay -o "lowerdir=$base/root,upperdir=$run/upper,workdir=$run/work" "$root" ||
	{ bad "cannot mount an overlay over $base/root"; finish; }
mount -t proc proc "$root/proc"
mount --bind /dev "$root/dev"
mkdir -p "$root/tmp/debs"
cp "${debs[@]}" "$root/tmp/debs/"
cp -L /etc/resolv.conf "$root/etc/resolv.conf" # should a dependency be new

kver=$(ls -1 "$root/lib/modules" | sort -V | tail -n1)
say "the image's kernel: $kver; apt-get install ${debs[*]##*/}"
t=$SECONDS
# The chroot's running kernel is this machine's: autoinstall_all_kernels
# makes DKMS build for the image's kernel, as it would booted there.
if in_tree "$root" sh -c 'cd /tmp/debs && autoinstall_all_kernels=1 \
	apt-get install -y -q --no-install-recommends ./*.deb' >"$out/install.log" 2>&1; then
	ok
else
	bad "apt-get install ./*.deb in the host image failed (log: $out/install.log)"
	tail -n 30 "$out/install.log" | sed 's/^/  /'
	finish
fi
say "installed, DKMS build included, in $((SECONDS - t)) s"
same "dkms status" "kvm-lstar/$version, $kver, x86_64: installed" \
	"$(in_tree "$root" dkms status -m kvm-lstar -v "$version" -k "$kver" 2>&1 | tail -n1)"

# The README's step before the first boot: load the module at boot.
in_tree "$root" cp /usr/share/doc/kvm-lstar-dkms/examples/kvm-lstar.conf /etc/modules-load.d/

# The test's own parts: what an admin would not do.  The checks run from a
# unit that powers the host off when they end; the nested guest's initramfs
# (tests/vm/guest-init.c) prints its own entry_SYSCALL_64.
rm -rf "$root/tmp/debs" "$root/usr/sbin/policy-rc.d" "$root/etc/resolv.conf"
printf '/dev/vda / ext4 rw,errors=remount-ro 0 1\n' >"$root/etc/fstab"
echo labhost >"$root/etc/hostname"
for u in apt-daily.timer apt-daily-upgrade.timer man-db.timer e2scrub_all.timer fstrim.timer; do
	ln -sf /dev/null "$root/etc/systemd/system/$u"
done
install -d "$root/opt/host-test"
install -m 0755 "$top/tests/host/inside.sh" "$root/opt/host-test/inside.sh"
install -m 0644 "$top/tests/checks.sh" "$top/tests/host/guest.xml" "$root/opt/host-test/"
CC=${CC:-cc} "$top/tests/vm/guest-initrd.sh" "$root/opt/host-test/guest-initrd.cpio"
chmod 0644 "$root/opt/host-test/guest-initrd.cpio"
cat >"$root/etc/systemd/system/host-test.service" <<-UNIT
	[Unit]
	Description=kvm-lstar host-test checks
	After=multi-user.target
	SuccessAction=poweroff-force
	FailureAction=poweroff-force
	[Service]
	Type=exec
	ExecStart=/opt/host-test/inside.sh
	StandardOutput=file:/dev/ttyS1
	StandardError=inherit
	TimeoutStartSec=infinity
	[Install]
	WantedBy=multi-user.target
UNIT
ln -sf /etc/systemd/system/host-test.service "$root/etc/systemd/system/multi-user.target.wants/host-test.service"

# The guest's link-time symbols: Debian's /boot/System.map is a placeholder
# (the real one is in the -dbg package), so a nokaslr boot's kallsyms,
# made once per base (tests/vm/make-guest-map.sh).
if [ ! -s "$base/guest.map-$kver" ]; then
	mkdir -p "$run/kc/root/boot"
	cp -L "$root/boot/vmlinuz-$kver" "$run/kc/root/boot/"
	if bash "$top/tests/vm/make-guest-map.sh" "$kver" "$run/kc" >"$out/guest-map.log" 2>&1 &&
		[ -s "$run/kc/guest.map" ]; then
		mv "$run/kc/guest.map" "$base/guest.map-$kver"
	else
		bad "could not make the guest's System.map (log: $out/guest-map.log)"
	fi
fi
[ -s "$base/guest.map-$kver" ] && install -m 0644 "$base/guest.map-$kver" "$root/opt/host-test/guest.map"

cp -L "$root/boot/vmlinuz-$kver" "$run/vmlinuz"
cp -L "$root/boot/initrd.img-$kver" "$run/initrd"
umount "$root/dev" "$root/proc"
size=$(( $(du -sxm "$root" | cut -f1) + 1024 ))
t=$SECONDS
if mke2fs -q -F -t ext4 -L labhost -d "$root" "$run/disk.img" "${size}M" >"$out/mke2fs.log" 2>&1; then
	ok
else
	bad "mke2fs -d of the host image failed"; sed 's/^/  /' "$out/mke2fs.log"; finish
fi
umount "$root"
say "disk image (${size} MB) in $((SECONDS - t)) s; booting it (console: $out/console.log)"

# --- the booted host ----------------------------------------------------------
t=$SECONDS
timeout --foreground "$timeout" qemu-system-x86_64 -accel tcg -cpu max -smp 1 -m 3072 \
	-nodefaults -nographic -no-reboot -vga none -nic none \
	-kernel "$run/vmlinuz" -initrd "$run/initrd" \
	-append "root=/dev/vda rw console=ttyS0 panic=-1 systemd.show_status=0" \
	-drive "file=$run/disk.img,format=raw,if=virtio,cache=unsafe" \
	-serial "file:$out/console.log" -serial "file:$out/inside.log" </dev/null >"$out/qemu.log" 2>&1
rc=$?
say "the host ran $((SECONDS - t)) s"
[ $rc -eq 124 ] && bad "the booted host did not power off within $timeout s (console: $out/console.log)"
tr -d '\r' <"$out/inside.log" | sed -n '/^SCRAPE-BEGIN$/,/^SCRAPE-END$/!p' | sed 's/^/  /'
line=$(tr -d '\r' <"$out/inside.log" | grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -n1)
if [ -n "$line" ]; then
	pass=$((pass + ${line%% *}))
	failed=$((failed + $(echo "$line" | cut -d' ' -f3)))
else
	bad "the booted host printed no result; console tail:"
	tr -d '\r' <"$out/console.log" | tail -n 40 | sed 's/^/  /'
fi

# --- a real scrape, checked by Prometheus' own linter ---------------------------
# promtool on kvm_lstar's families as node_exporter served them must find
# nothing; on the whole scrape it finds node_exporter's own names
# (node_memory_MemFree_bytes is camelCase), none of ours.
tr -d '\r' <"$out/inside.log" | sed -n '/^SCRAPE-BEGIN$/,/^SCRAPE-END$/p' | sed '1d;$d' >"$out/scrape.txt"
grep -E '^(# (HELP|TYPE) )?kvm_lstar_' "$out/scrape.txt" >"$out/scrape-kvm_lstar.txt"
if grep -q '^kvm_lstar_' "$out/scrape-kvm_lstar.txt"; then
	ok
	say "node_exporter's scrape: $(grep -c '^kvm_lstar_' "$out/scrape-kvm_lstar.txt") kvm_lstar_ samples of $(grep -vc '^#' "$out/scrape.txt")"
	if lint=$("$promtool" check metrics <"$out/scrape-kvm_lstar.txt" 2>&1) && [ -z "$lint" ]; then
		ok
		say "promtool check metrics on kvm_lstar's families of the scrape: nothing to fix"
	else
		bad "promtool check metrics on kvm_lstar's families of node_exporter's scrape:"
		printf '%s\n' "$lint" | sed 's/^/  /'
	fi
	all=$("$promtool" check metrics <"$out/scrape.txt" 2>&1)
	same "promtool on the whole scrape: nothing about kvm_lstar_" "" "$(grep kvm_lstar_ <<<"$all")"
	say "promtool on the whole scrape: $(grep -c . <<<"$all") findings, all node_exporter's own"
else
	bad "node_exporter's scrape has no kvm_lstar_ samples (saved: $out/scrape.txt)"
fi
finish
