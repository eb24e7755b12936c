#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# pkg/deb-check.sh (make deb-check): build the Debian packages, lint them, and
# install them into a clean Debian 12 chroot, the way an admin would:
#
#   - one version: debian/changelog's upstream version and dkms.conf's
#     PACKAGE_VERSION are the Makefile's VERSION; debian/libkvmlstar1.symbols
#     is what pkg/gen-symbols.sh makes of lib/libkvmlstar.map;
#   - `make install-extras` installs the unit (ExecStart from BINDIR), the
#     udev rule and the modules-load.d example under DESTDIR/PREFIX;
#   - `make deb` builds the four packages; lintian finds no error or warning
#     (overrides in debian/*lintian-overrides, suppressions in
#     pkg/lintian-suppress, each with its reason);
#   - in a chroot debootstrapped from this machine's own apt sources, with
#     linux-headers-<flavour> of this host's 6.1 headers: `apt-get install`
#     of the .debs resolves their dependencies, DKMS builds and installs
#     kvm_lstar.ko for those headers, kvm-lstar runs, pkg-config finds
#     libkvmlstar and programs link against it (shared and static),
#     systemd-analyze verifies kvm-lstar-watch.service, which is not enabled,
#     and no modules-load.d file loads kvm_lstar;
#   - purging the packages runs `dkms remove` and leaves the chroot's files
#     as they were before the install.
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
		/opt/kl/lib/systemd/system/kvm-lstar-watch.service \
		/opt/kl/lib/udev/rules.d/60-kvm-lstar.rules \
		/opt/kl/share/doc/kvm-lstar/examples/kvm-lstar.conf)" \
		"$(cd "$tmp/dest" && find . -type f | sed 's|^\.||' | sort)"
	same "install-extras: ExecStart from BINDIR" "ExecStart=/opt/kl/bin/kvm-lstar watch --json" \
		"$(grep '^ExecStart=' "$tmp/dest/opt/kl/lib/systemd/system/kvm-lstar-watch.service")"
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

# The watcher's maintainer scripts: never enabled or started by the package;
# on upgrade only try-restart (a plain restart would wait for the module).
mkdir -p "$tmp/ctl"
dpkg-deb -e "$out/kvm-lstar_${version}"-*_amd64.deb "$tmp/ctl"
scripts=$(cat "$tmp/ctl/preinst" "$tmp/ctl/postinst" 2>/dev/null)
if grep -Eq "deb-systemd-invoke (start|restart) |systemctl [^|]*(start|enable) " <<<"$scripts"; then
	bad "kvm-lstar's preinst/postinst start or enable kvm-lstar-watch.service"
	grep -E "deb-systemd-invoke (start|restart) |systemctl [^|]*(start|enable) " <<<"$scripts" | sed 's/^/  /'
else ok; fi
if grep -q "deb-systemd-invoke try-restart 'kvm-lstar-watch.service'" <<<"$scripts"; then ok; else
	bad "kvm-lstar's postinst does not try-restart kvm-lstar-watch.service on upgrade"; fi

# --- the chroot's base (cached) ----------------------------------------------
# The archive as this machine's apt sees it: deb822 stanzas of
# /etc/apt/sources.list.d/debian.sources and one-line entries of
# /etc/apt/sources.list, bookworm, -updates and -security only, as one-line
# entries for the chroot.
apt_sources() {
	local f=/etc/apt/sources.list.d/debian.sources
	if [ -f "$f" ]; then
		awk 'BEGIN { RS = ""; FS = "\n" }
		{
			types = uris = suites = comps = keyring = ""
			for (i = 1; i <= NF; i++) {
				line = $i
				if (line ~ /^[ \t]*#/) continue
				key = tolower(line); sub(/:.*/, "", key)
				val = line; sub(/^[^:]*:[ \t]*/, "", val)
				if (key == "types") types = val
				else if (key == "uris") uris = val
				else if (key == "suites") suites = val
				else if (key == "components") comps = val
				else if (key == "signed-by") keyring = val
			}
			if (types !~ /(^|[ \t])deb([ \t]|$)/ || uris == "" || suites == "") next
			n = split(uris, u, /[ \t]+/); m = split(suites, s, /[ \t]+/)
			for (a = 1; a <= n; a++) for (b = 1; b <= m; b++)
				if (s[b] ~ /^bookworm(-updates|-security)?$/)
					printf "deb%s %s %s %s\n", (keyring ~ /^\// ? " [signed-by=" keyring "]" : ""), u[a], s[b], comps
		}' "$f"
	fi
	if [ -f /etc/apt/sources.list ]; then
		awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i !~ /^\[/ && $i !~ /\]$/) break
			if ($(i + 1) ~ /^bookworm(-updates|-security)?$/) print }' /etc/apt/sources.list
	fi
}
# Settings of this machine's apt the chroot needs too (an old mirror
# snapshot's Valid-Until, a proxy).
apt_conf() {
	apt-config dump Acquire::Check-Valid-Until Acquire::Check-Date \
		Acquire::http::Proxy Acquire::https::Proxy 2>/dev/null | grep -v '^[^ ]* "";$' || true
}

kernel_resolve 6.1 # kver, kdir: this host's newest 6.1 headers
flavour=${kver#*-*-}  # 6.1.0-56-amd64 -> amd64
sources=$(apt_sources | awk '!seen[$0]++')
mirror=$(awk '$NF != "" { for (i = 2; i <= NF; i++) if ($i !~ /^\[/ && $i !~ /\]$/) break
	if ($(i + 1) == "bookworm") { print $i; exit } }' <<<"$sources")
if [ -z "$mirror" ]; then
	bad "no bookworm entry in /etc/apt/sources.list.d/debian.sources or /etc/apt/sources.list"
	finish
fi
# The headers; systemd for systemd-analyze; man-db for the unit's
# Documentation=; a C compiler and pkg-config for the library's test.
base_pkgs=("linux-headers-$flavour" systemd man-db gcc libc6-dev pkg-config)

# build_base DIR: debootstrap bookworm into DIR, point apt at this
# machine's sources and install the base packages.  The cache key hashes
# this function's text, so changing it rebuilds the base.
build_base() {
	local d=$1 rc=0
	debootstrap --variant=minbase bookworm "$d" "$mirror" >"$cache/debootstrap.log" 2>&1 || {
		echo "  debootstrap failed; see $cache/debootstrap.log"; tail -n 20 "$cache/debootstrap.log"
		return 1; }
	printf '%s\n' "$sources" >"$d/etc/apt/sources.list"
	{ apt_conf; echo 'Dpkg::Use-Pty "0";'; } >"$d/etc/apt/apt.conf.d/90kvm-lstar" # no /dev/pts
	printf '#!/bin/sh\nexit 101\n' >"$d/usr/sbin/policy-rc.d" # start no services
	chmod 0755 "$d/usr/sbin/policy-rc.d"
	cp -L /etc/resolv.conf "$d/etc/resolv.conf"
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

key=$( { printf '%s\n' "$sources" "$(apt_conf)" "$flavour" "$kver" "${base_pkgs[*]}"; declare -f build_base; } |
	sha256sum | cut -c1-16)
base=$cache/$key
mkdir -p "$cache"
if [ -f "$base/.ready" ]; then
	say "chroot base $base (cached)"
else
	say "building the chroot base $base (debootstrap bookworm from $mirror, then ${base_pkgs[*]}: a few minutes, once)"
	t=$SECONDS
	rm -rf "$base"
	mkdir -p "$base"
	if build_base "$base/root"; then
		touch "$base/.ready"
		say "chroot base built in $((SECONDS - t)) s"
		for d in "$cache"/*/; do # older bases
			d=${d%/}
			[ "$d" = "$base" ] || case ${d##*/} in run.*) ;; *)
				grep -qF " $d/" /proc/self/mounts || rm -rf "$d" ;; esac
		done
	else
		bad "building the chroot base failed"
		finish
	fi
fi

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

# The service and the modules-load.d snippet: installed, verified, opt-in.
unit=/lib/systemd/system/kvm-lstar-watch.service
if in_root systemd-analyze verify "$unit" && [ ! -s "$tmp/log" ]; then ok; else
	bad "systemd-analyze verify $unit"; show; fi
if in_root systemd-analyze security --offline=yes --threshold=30 "$unit"; then ok; else
	bad "systemd-analyze security: exposure above 3.0"; fi
say "kvm-lstar-watch.service: $(grep -o 'Overall exposure level.*' "$tmp/log" | sed 's/\x1b\[[0-9;]*m//g')"
in_root systemctl is-enabled kvm-lstar-watch.service
same "kvm-lstar-watch.service is not enabled" disabled "$(tail -n1 "$tmp/log")"
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
