#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# pkg/deb-check.sh (make deb-check): build the Debian packages, lint them, and
# install them into a clean Debian 12 chroot, the way an admin would:
#
#   - one version: debian/changelog's upstream version and dkms.conf's
#     PACKAGE_VERSION are the Makefile's VERSION; debian/libkvmlstar1.symbols
#     is what pkg/gen-symbols.sh makes of lib/libkvmlstar.map;
#   - `make install-extras` installs the units (ExecStart from BINDIR), the
#     udev rule, the catalog and the modules-load.d example under
#     DESTDIR/PREFIX;
#   - `make deb` builds the four packages; lintian finds no error or warning
#     (overrides in debian/*lintian-overrides, suppressions in
#     pkg/lintian-suppress, each with its reason);
#   - in a chroot debootstrapped from this machine's own apt sources, with
#     linux-headers-<flavour> of this host's 6.1 headers: `apt-get install`
#     of the .debs resolves their dependencies, DKMS builds and installs
#     kvm_lstar.ko for those headers, kvm-lstar runs, pkg-config finds
#     libkvmlstar and programs link against it (shared and static),
#     systemd-analyze verifies kvm-lstar-watch.service,
#     kvm-lstar-metrics.service and kvm-lstar-metrics.timer, none enabled;
#     the message catalog is installed, compiled by systemd's dpkg trigger
#     (journalctl --list-catalog has its MESSAGE_IDs) and parses cleanly;
#     the metrics unit's command, run with the unit's capabilities (root,
#     CAP_NET_ADMIN alone), writes node_exporter's textfile (Debian's
#     prometheus-node-exporter is in the chroot) a file its user reads; no
#     modules-load.d file loads kvm_lstar;
#   - purging the packages runs `dkms remove`, removes the units, the
#     catalog (and its entries from the database) and the metrics file, and
#     leaves the chroot's files as they were before the install.
#
# Build only: nothing is loaded.  Needs root (debootstrap, chroot, mounts)
# and the apt mirror.  The chroot base (debootstrap + headers + systemd) is
# cached in ~/.cache/kvm-lstar/deb-chroot/<key>, rebuilt when its inputs
# change (apt sources, header flavour and version, package list, the
# function that builds it); each run works in a throwaway overlay over it.
#
# Ends with "deb: N passed, M failed"; exits 1 when anything failed.
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/kernels.sh
. "$top/scripts/kernels.sh" # kernel_resolve, kernel_cache
# shellcheck source=scripts/apt-sources.sh
. "$top/scripts/apt-sources.sh" # apt_sources, apt_conf, bookworm_mirror

start=$SECONDS
O=${O:-build}
case $O in /*) out=$O/deb ;; *) out=$top/$O/deb ;; esac
version=$(sed -n 's/^VERSION[[:space:]]*:=[[:space:]]*//p' "$top/Makefile")
cache=$(kernel_cache)/deb-chroot
pkgs=(kvm-lstar-dkms libkvmlstar1 libkvmlstar-dev kvm-lstar)

# shellcheck source=tests/checks.sh
. "$top/tests/checks.sh"
say() { echo "deb-check: $*"; }
finish() {
	say "$((SECONDS - start)) s"
	echo "deb: $pass passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit
}

[ "$(id -u)" -eq 0 ] || { echo "deb-check: needs root (debootstrap, chroot, mount)" >&2; exit 1; }
for t in dpkg-buildpackage lintian debootstrap systemd-analyze; do
	command -v "$t" >/dev/null || { echo "deb-check: no $t: run 'make deps'" >&2; exit 1; }
done
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES

tmp=$(mktemp -d)
run= # the chroot's overlay while it exists
base_proc= # the base's /proc while build_base runs
# shellcheck disable=SC2317 # run by the trap
cleanup() {
	local m
	[ -n "$base_proc" ] && mountpoint -q "$base_proc" && umount -l "$base_proc"
	if [ -n "$run" ]; then
		for m in "$run/root/dev" "$run/root/proc" "$run/root"; do
			mountpoint -q "$m" 2>/dev/null && { umount "$m" 2>/dev/null || umount -l "$m"; }
		done
		# Never rm -rf through a mount (a bound /dev would go with it).
		if grep -qF " $run/" /proc/self/mounts; then
			echo "deb-check: still mounted under $run, not removing it" >&2
		else
			rm -rf "$run"
		fi
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- one version ---------------------------------------------------------
cl=$(dpkg-parsechangelog -l "$top/debian/changelog" -SVersion)
cl_up=${cl%-*}
same "debian/changelog's upstream version is the Makefile's VERSION (dch -v $version-1)" \
	"$version" "${cl_up#*:}"
same "dkms.conf PACKAGE_VERSION is the Makefile's VERSION" "$version" \
	"$(sed -n 's/^PACKAGE_VERSION="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$top/dkms.conf")"
if "$top/pkg/gen-symbols.sh" "$top/lib/libkvmlstar.map" "$top/debian/libkvmlstar1.symbols" "$version" \
	>"$tmp/symbols" && cmp -s "$tmp/symbols" "$top/debian/libkvmlstar1.symbols"; then ok; else
	bad "debian/libkvmlstar1.symbols is stale (lib/libkvmlstar.map changed): run 'make deb-symbols'"
	diff -u "$top/debian/libkvmlstar1.symbols" "$tmp/symbols" | sed 's/^/  /'
fi

# --- make install-extras ---------------------------------------------------
if make -s -C "$top" --no-print-directory O="$tmp/o" DESTDIR="$tmp/dest" PREFIX=/opt/kl \
	install-extras >"$tmp/log" 2>&1; then
	ok
	same "install-extras: files" "$(printf '%s\n' \
		/opt/kl/lib/systemd/catalog/kvm-lstar.catalog \
		/opt/kl/lib/systemd/system/kvm-lstar-metrics.service \
		/opt/kl/lib/systemd/system/kvm-lstar-metrics.timer \
		/opt/kl/lib/systemd/system/kvm-lstar-watch.service \
		/opt/kl/lib/udev/rules.d/60-kvm-lstar.rules \
		/opt/kl/share/doc/kvm-lstar/examples/kvm-lstar.conf)" \
		"$(cd "$tmp/dest" && find . -type f | sed 's|^\.||' | sort)"
	same "install-extras: ExecStart from BINDIR" "ExecStart=/opt/kl/bin/kvm-lstar watch --json" \
		"$(grep '^ExecStart=' "$tmp/dest/opt/kl/lib/systemd/system/kvm-lstar-watch.service")"
	same "install-extras: the metrics unit's ExecStart from BINDIR" \
		"ExecStart=/opt/kl/bin/kvm-lstar metrics --output /var/lib/prometheus/node-exporter/kvm_lstar.prom" \
		"$(grep '^ExecStart=' "$tmp/dest/opt/kl/lib/systemd/system/kvm-lstar-metrics.service" 2>&1)"
else
	bad "make install-extras failed"; sed 's/^/  /' "$tmp/log"
fi

# --- make deb --------------------------------------------------------------
say "building the packages (make deb, log: $out/build.log)"
t=$SECONDS
if make -C "$top" --no-print-directory O="$O" deb >"$tmp/log" 2>&1; then
	ok
else
	bad "make deb failed"; tail -n 30 "$tmp/log" | sed 's/^/  /'
	finish
fi
say "built in $((SECONDS - t)) s"
debs=()
for p in "${pkgs[@]}"; do
	f=$(ls "$out/${p}_${version}"-*_*.deb 2>/dev/null | head -n1)
	if [ -n "$f" ]; then ok; debs+=("$f"); else bad "make deb: no ${p}_${version}-*.deb in $out"; fi
done
[ ${#debs[@]} -eq ${#pkgs[@]} ] || finish

# --- lintian ------------------------------------------------------------------
# As nobody when it can (lintian warns against root), errors and warnings
# fail, informational tags are shown.
changes=$(ls "$out"/kvm-lstar_*.changes)
lint=(lintian --display-info --fail-on "error,warning"
	--suppress-tags-from-file "$top/pkg/lintian-suppress" "$changes")
if runuser -u nobody -- true 2>/dev/null && runuser -u nobody -- test -r "$changes"; then
	lint=(runuser -u nobody -- env TMPDIR=/tmp "${lint[@]}")
fi
if "${lint[@]}" >"$tmp/lintian" 2>&1; then ok; else bad "lintian:"; fi
if [ -s "$tmp/lintian" ]; then sed 's/^/  lintian: /' "$tmp/lintian"; else
	say "lintian: no errors, warnings or informational tags (overrides: debian/*lintian-overrides)"; fi

# The units' maintainer scripts: never enabled or started by the package;
# on upgrade only try-restart (a plain restart would wait for the module);
# stopped on removal, and the metrics file they wrote removed.
mkdir -p "$tmp/ctl"
dpkg-deb -e "$out/kvm-lstar_${version}"-*_amd64.deb "$tmp/ctl"
scripts=$(cat "$tmp/ctl/preinst" "$tmp/ctl/postinst" 2>/dev/null)
if grep -Eq "deb-systemd-invoke (start|restart) |systemctl [^|]*(start|enable) " <<<"$scripts"; then
	bad "kvm-lstar's preinst/postinst start or enable a unit"
	grep -E "deb-systemd-invoke (start|restart) |systemctl [^|]*(start|enable) " <<<"$scripts" | sed 's/^/  /'
else ok; fi
for u in kvm-lstar-watch.service kvm-lstar-metrics.timer; do
	if grep -Eq "deb-systemd-invoke try-restart .*'$u'" <<<"$scripts"; then ok; else
		bad "kvm-lstar's postinst does not try-restart $u on upgrade"; fi
	if grep -A1 'deb-systemd-invoke stop' "$tmp/ctl/prerm" 2>/dev/null | grep -q "$u"; then ok; else
		bad "kvm-lstar's prerm does not stop $u on removal"; fi
done
if grep -q 'rm -f .*/var/lib/prometheus/node-exporter/kvm_lstar.prom' "$tmp/ctl/postrm" 2>/dev/null; then ok; else
	bad "kvm-lstar's postrm does not remove the metrics file kvm-lstar-metrics.service wrote"; fi

# --- the chroot's base (cached) ----------------------------------------------
kernel_resolve 6.1 # kver, kdir: this host's newest 6.1 headers
flavour=${kver#*-*-}  # 6.1.0-56-amd64 -> amd64
sources=$(apt_sources | awk '!seen[$0]++')
mirror=$(bookworm_mirror "$sources")
if [ -z "$mirror" ]; then
	bad "no bookworm entry in /etc/apt/sources.list.d/debian.sources or /etc/apt/sources.list"
	finish
fi
# The headers; systemd for systemd-analyze and journalctl (the catalog);
# man-db for the units' Documentation=; a C compiler and pkg-config for the
# library's test; prometheus-node-exporter for the textfile directory (its
# user and permissions) that kvm-lstar-metrics.service writes into.
base_pkgs=("linux-headers-$flavour" systemd man-db gcc libc6-dev pkg-config prometheus-node-exporter)

# build_base DIR: debootstrap bookworm into DIR, point apt at this
# machine's sources and install the base packages.  The cache key hashes
# this function's text, so changing it rebuilds the base.
# shellcheck disable=SC2317 # called by cached_base
build_base() {
	local d=$1 rc=0
	debootstrap_tree "$d" "$mirror" "$sources" "$cache" || return 1
	base_proc=$d/proc
	mount -t proc proc "$d/proc"
	{ chroot "$d" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C.UTF-8 \
		DEBIAN_FRONTEND=noninteractive sh -ec "apt-get update -q
			echo 'man-db man-db/auto-update boolean false' | debconf-set-selections
			apt-get install -y -q --no-install-recommends ${base_pkgs[*]}
			apt-get clean"; } >"$cache/base.log" 2>&1 || rc=$?
	umount "$d/proc" && base_proc=
	if [ $rc -ne 0 ]; then
		echo "  installing ${base_pkgs[*]} in the chroot failed; see $cache/base.log"
		tail -n 20 "$cache/base.log"
		return 1
	fi
	# 6.1 headers of the same ABI as this host's, from the same archive.
	[ -d "$d/usr/src/linux-headers-$kver" ] ||
		echo "  note: the chroot got $(ls -d "$d"/usr/src/linux-headers-*-"$flavour" | sed 's|.*/||'), this host has linux-headers-$kver"
}

key=$( { printf '%s\n' "$sources" "$(apt_conf)" "$flavour" "$kver" "${base_pkgs[*]}"; declare -f build_base debootstrap_tree; } |
	sha256sum | cut -c1-16)
base=$cache/$key
mkdir -p "$cache"
cached_base "$cache" "$base" "the chroot base" build_base || { bad "building the chroot base failed"; finish; }

# --- a throwaway chroot over it -----------------------------------------------
run=$(mktemp -d "$cache/run.XXXXXX")
root=$run/root
mkdir -p "$root" "$run/upper" "$run/work"
if ! mount -t overlay overlay -o "lowerdir=$base/root,upperdir=$run/upper,workdir=$run/work" "$root" 2>/dev/null; then
	say "no overlayfs here: copying the base"
	cp -a "$base/root/." "$root/"
fi
mount -t proc proc "$root/proc"
[ -c "$root/dev/null" ] || mount --bind /dev "$root/dev"
cp -L /etc/resolv.conf "$root/etc/resolv.conf"
mkdir -p "$root/tmp/debs"
cp "${debs[@]}" "$root/tmp/debs/"
chmod -R a+rX "$root/tmp/debs"

# in_root CMD...: run in the chroot, output to $tmp/log.
in_root() {
	chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C.UTF-8 \
		DEBIAN_FRONTEND=noninteractive "$@" >"$tmp/log" 2>&1
}
show() { tail -n "${1:-30}" "$tmp/log" | sed 's/^/  /'; }

# What the chroot holds, to compare after the purge.
snapshot() {
	(cd "$root" && find . -xdev \( -path ./proc -o -path ./dev -o -path ./sys -o -path ./run \
		-o -path ./tmp -o -path ./var/cache -o -path ./var/lib/apt -o -path ./var/lib/dpkg \
		-o -path ./var/log -o -path ./root \) -prune -o -print | LC_ALL=C sort)
}

if in_root apt-get update -q; then ok; else bad "apt-get update in the chroot failed"; show; finish; fi
snapshot >"$tmp/before"
installed() { chroot "$root" dpkg-query -W -f '${db:Status-Abbrev} ${binary:Package}\n' | awk '$1 ~ /^.i/ { print $2 }' | sort; }
installed >"$tmp/before-pkgs"

# The chroot's "running kernel" is this host's, which has no headers there,
# so DKMS's postinst would build for no kernel; autoinstall_all_kernels
# (dkms's own setting for chroots and image builds) makes it build for
# every kernel in /lib/modules: the headers' 6.1.
say "apt-get install ${debs[*]##*/}"
t=$SECONDS
if (cd "$root/tmp/debs" && in_root sh -c 'cd /tmp/debs && autoinstall_all_kernels=1 \
	apt-get install -y -q --no-install-recommends ./*.deb'); then
	ok
else
	bad "apt-get install ./*.deb in the chroot failed"; show 40
	finish
fi
cp "$tmp/log" "$out/chroot-install.log"
say "installed (with the DKMS build) in $((SECONDS - t)) s; log: $out/chroot-install.log"

ckver=$(ls -1d "$root"/usr/src/linux-headers-*-"$flavour" 2>/dev/null | sed 's|.*/linux-headers-||' | sort -V | tail -n1)
same "chroot: linux-headers-$flavour has this host's 6.1 ABI" "$kver" "$ckver"
[ -n "$ckver" ] || ckver=$kver

# DKMS: built and installed for the headers.
in_root dkms status -m kvm-lstar -v "$version" -k "$ckver"
same "dkms status" "kvm-lstar/$version, $ckver, x86_64: installed" "$(tail -n1 "$tmp/log")"
ko=$(ls "$root/lib/modules/$ckver"/updates/dkms/kvm_lstar.ko* 2>/dev/null | head -n1)
if [ -n "$ko" ]; then
	ok
	same "module version" "$version" "$(modinfo -F version "$ko")"
	same "module vermagic" "$ckver" "$(modinfo -F vermagic "$ko" | cut -d' ' -f1)"
	# depmod ran: modprobe would find it by name.
	in_root modinfo -k "$ckver" -F filename kvm_lstar
	same "modinfo -k $ckver kvm_lstar (depmod)" "${ko#"$root"}" "$(tail -n1 "$tmp/log")"
else
	bad "no kvm_lstar.ko in /lib/modules/$ckver/updates/dkms"
	ml=$(ls "$root/var/lib/dkms/kvm-lstar/$version/build/make.log" 2>/dev/null)
	[ -n "$ml" ] && tail -n 20 "$ml" | sed 's/^/  make.log: /'
fi

# The tool.
if in_root kvm-lstar --help && grep -q '^Usage: kvm-lstar COMMAND' "$tmp/log"; then ok; else
	bad "kvm-lstar --help"; show; fi
if in_root kvm-lstar --version && grep -qF "$version" "$tmp/log"; then ok; else
	bad "kvm-lstar --version does not say $version"; show; fi
in_root kvm-lstar watch --json
rc=$?
if [ $rc -eq 1 ] && grep -q '^{"error": "no_module"' "$tmp/log"; then ok; else
	bad "kvm-lstar watch --json without the module: exit $rc (want 1 and a no_module error)"; show; fi
for f in /usr/share/man/man8/kvm-lstar.8.gz /usr/share/bash-completion/completions/kvm-lstar; do
	if [ -f "$root$f" ]; then ok; else bad "no $f"; fi
done
if in_root bash -c '. /usr/share/bash-completion/completions/kvm-lstar && complete -p kvm-lstar'; then ok; else
	bad "the bash completion does not register for kvm-lstar"; show; fi

# The library: pkg-config, a program linked to the .so, one to the .a.
in_root pkg-config --modversion libkvmlstar
same "pkg-config --modversion libkvmlstar" "$version" "$(tail -n1 "$tmp/log")"
cat >"$root/tmp/t.c" <<'EOF'
#include <kvmlstar.h>
#include <stdio.h>

int main(void)
{
	char buf[KVMLSTAR_HEX_LEN];
	uint64_t offset;
	int rc = kvmlstar_derive(0xffffffffb8a00080ULL, 0xffffffff81c00080ULL, &offset, NULL);

	printf("%s %s\n", kvmlstar_err_class(rc), kvmlstar_hex(offset, buf));
	return rc;
}
EOF
if in_root sh -ec 'cd /tmp && gcc -Wall -Werror -o t t.c $(pkg-config --cflags --libs libkvmlstar) && ./t && ldd ./t'; then
	same "a program linked to libkvmlstar.so" "ok 0x36e00000" "$(head -n1 "$tmp/log")"
	if grep -Eq 'libkvmlstar.so.1 => (/usr)?/lib/x86_64-linux-gnu/libkvmlstar.so.1 ' "$tmp/log"; then ok; else
		bad "the program does not load /usr/lib/x86_64-linux-gnu/libkvmlstar.so.1"; show; fi
else
	bad "compiling a program with pkg-config libkvmlstar failed"; show
fi
if in_root sh -ec 'cd /tmp && gcc -Wall -Werror -o ts t.c $(pkg-config --cflags libkvmlstar) \
	"$(pkg-config --variable=libdir libkvmlstar)/libkvmlstar.a" \
	$(pkg-config --static --libs libkvmlstar | sed "s/-lkvmlstar//") && ./ts && ! ldd ./ts | grep -q libkvmlstar'; then
	same "a program linked to libkvmlstar.a" "ok 0x36e00000" "$(head -n1 "$tmp/log")"
else
	bad "linking a program to libkvmlstar.a (pkg-config --static) failed"; show
fi

# The units and the modules-load.d snippet: installed, verified, opt-in.
units=(kvm-lstar-watch.service kvm-lstar-metrics.service kvm-lstar-metrics.timer)
for u in "${units[@]}"; do
	unit=/lib/systemd/system/$u
	if [ -f "$root$unit" ]; then ok; else bad "no $unit"; continue; fi
	if in_root systemd-analyze verify "$unit" && [ ! -s "$tmp/log" ]; then ok; else
		bad "systemd-analyze verify $unit"; show; fi
	case $u in *.service)
		if in_root systemd-analyze security --offline=yes --threshold=30 "$unit"; then ok; else
			bad "systemd-analyze security $u: exposure above 3.0"; fi
		say "$u: $(grep -o 'Overall exposure level.*' "$tmp/log" | sed 's/\x1b\[[0-9;]*m//g')" ;;
	esac
done
# Not enabled (the metrics service has no [Install]: its timer starts it).
for u in kvm-lstar-watch.service:disabled kvm-lstar-metrics.timer:disabled kvm-lstar-metrics.service:static; do
	in_root systemctl is-enabled "${u%:*}"
	same "${u%:*} is not enabled" "${u#*:}" "$(tail -n1 "$tmp/log")"
done

# The message catalog: installed where systemd's dpkg trigger looks, and
# compiled by it (journalctl --list-catalog reads the database), with every
# MESSAGE_ID of pkg/kvm-lstar.catalog; and journalctl parses it cleanly.
catalog=/usr/lib/systemd/catalog/kvm-lstar.catalog
if [ -f "$root$catalog" ]; then ok; else bad "no $catalog"; fi
catalog_ids=$(sed -n 's/^-- \([0-9a-f]\{32\}\)$/\1 kvm-lstar/p' "$top/pkg/kvm-lstar.catalog" | sort)
in_root journalctl --list-catalog
same "the catalog database (systemd's trigger) has kvm-lstar's $(wc -l <<<"$catalog_ids") MESSAGE_IDs" \
	"$catalog_ids" "$(awk '$2 == "kvm-lstar:" { print $1, "kvm-lstar" }' "$tmp/log" | sort)"
if in_root journalctl --update-catalog && [ ! -s "$tmp/log" ]; then ok; else
	bad "journalctl --update-catalog complains"; show; fi

# kvm-lstar-metrics.service's command, as the unit runs it: root with no
# capability but CAP_NET_ADMIN, into node_exporter's textfile directory.
textfile=/var/lib/prometheus/node-exporter
same "node_exporter's textfile directory: root's, 0755 (so the unit runs as root)" "root:root 755" \
	"$(stat -c '%U:%G %a' "$root$textfile" 2>&1)"
metrics_cmd=$(sed -n 's/^ExecStart=//p' "$root/lib/systemd/system/kvm-lstar-metrics.service" 2>/dev/null)
# shellcheck disable=SC2054 # the commas are inside options
as_unit=(setpriv --no-new-privs --inh-caps=-all --ambient-caps=-all --bounding-set=-all,+net_admin --)
in_root "${as_unit[@]}" grep '^CapEff:' /proc/self/status
same "the unit's capabilities: CAP_NET_ADMIN alone" "CapEff:	0000000000001000" "$(tail -n1 "$tmp/log")"
up=0
[ -d /sys/module/kvm_lstar ] && up=1
# shellcheck disable=SC2086 # the unit's command line, split as systemd does
if [ -n "$metrics_cmd" ] && in_root "${as_unit[@]}" $metrics_cmd; then
	same "the metrics file: kvm_lstar_up $up" "kvm_lstar_up $up" \
		"$(grep '^kvm_lstar_up ' "$root$textfile/kvm_lstar.prom" 2>&1)"
	same "the metrics file: root's, 0644, and alone" "root:root 644 kvm_lstar.prom" \
		"$(stat -c '%U:%G %a' "$root$textfile/kvm_lstar.prom" 2>&1) $(ls -A "$root$textfile")"
	if in_root runuser -u prometheus -- cat "$textfile/kvm_lstar.prom"; then ok; else
		bad "node_exporter's user cannot read $textfile/kvm_lstar.prom"; show; fi
else
	bad "kvm-lstar-metrics.service's command failed: ${metrics_cmd:-no ExecStart}"; show
fi
# ... and, without CAP_DAC_OVERRIDE, root writes only where root may: not
# into prometheus's own /var/lib/prometheus.
if in_root "${as_unit[@]}" kvm-lstar metrics --output /var/lib/prometheus/kvm_lstar.prom; then
	bad "with the unit's capabilities, kvm-lstar wrote into prometheus's own /var/lib/prometheus"
	rm -f "$root/var/lib/prometheus/kvm_lstar.prom"
elif grep -q 'cannot create a file in /var/lib/prometheus: Permission denied' "$tmp/log"; then ok; else
	bad "with the unit's capabilities, writing into /var/lib/prometheus failed, but not for want of permission"; show
fi
if [ -f "$root/lib/udev/rules.d/60-kvm-lstar.rules" ]; then ok; else bad "no 60-kvm-lstar.rules"; fi
if [ -f "$root/usr/share/doc/kvm-lstar-dkms/examples/kvm-lstar.conf" ]; then ok; else
	bad "no /usr/share/doc/kvm-lstar-dkms/examples/kvm-lstar.conf"; fi
loads=$(grep -rlsx 'kvm_lstar' "$root"/etc/modules-load.d "$root"/usr/lib/modules-load.d \
	"$root"/lib/modules-load.d "$root"/etc/modules | sed "s|^$root||")
same "no modules-load.d file loads kvm_lstar (opt-in)" "" "$loads"

# --- removal ---------------------------------------------------------------------
if in_root apt-get purge -y -q --autoremove "${pkgs[@]}"; then ok; else
	bad "apt-get purge ${pkgs[*]} failed"; show; fi
cp "$tmp/log" "$out/chroot-purge.log"
if grep -q "^Deleting module kvm-lstar-$version completely from the DKMS tree" "$tmp/log"; then ok; else
	bad "the purge did not run dkms remove (log: $out/chroot-purge.log)"; show; fi
if [ -e "$root/var/lib/dkms/kvm-lstar" ]; then bad "/var/lib/dkms/kvm-lstar is left"; else ok; fi
left=$(ls -d "$root"/lib/systemd/system/kvm-lstar* "$root"/etc/systemd/system/*/kvm-lstar* \
	"$root$catalog" "$root$textfile/kvm_lstar.prom" 2>/dev/null | sed "s|^$root||")
same "no unit, enablement link, catalog or metrics file left" "" "$left"
in_root journalctl --list-catalog
same "the catalog database (systemd's trigger) has no kvm-lstar entry left" "" \
	"$(awk '$2 == "kvm-lstar:"' "$tmp/log")"
left=$(ls -d "$root"/usr/src/kvm-lstar-* "$root"/lib/modules/*/updates/dkms/kvm_lstar.ko* 2>/dev/null | sed "s|^$root||")
same "no module sources or kvm_lstar.ko left" "" "$left"
if in_root modinfo -k "$ckver" -F filename kvm_lstar; then bad "modinfo still finds kvm_lstar (depmod not rerun)"; else ok; fi
# apt keeps dependencies that a base package suggests (apt suggests
# dpkg-dev): purge them too, so that the files can be compared.
extra=$(installed | comm -13 "$tmp/before-pkgs" -)
if [ -n "$extra" ]; then
	say "purging the dependencies autoremove kept: ${extra//$'\n'/ }"
	# shellcheck disable=SC2086 # a list
	in_root apt-get purge -y -q $extra || { bad "apt-get purge $extra failed"; show; }
fi
same "installed packages as before the install" "" "$(installed | diff "$tmp/before-pkgs" - | grep '^[<>]')"
snapshot >"$tmp/after"
# Except depmod's index files (modules.dep, modules.alias, ...) of the 6.1
# kernel: its image, which owns them on a real host, is not installed here,
# so the install's depmod made them and the removal's depmod rewrote them.
same "the purge leaves the chroot's files as they were before the install" "" \
	"$(diff "$tmp/before" "$tmp/after" | grep '^[<>]' |
		grep -Ev "^> \./(usr/)?lib/modules/$ckver/modules\.[a-z.]+$")"

finish
