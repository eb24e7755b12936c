#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/dkms-check.sh (make dkms-check): package kvm_lstar.ko with DKMS the
# two ways a user does, and build it with Debian's dkms for the newest
# installed Debian 6.1 headers:
#
#   - dkms.conf names the package, the module and VERSION from the Makefile
#     (the one version string);
#   - `make dkms-install DESTDIR=...` installs exactly the module sources and
#     a dkms.conf carrying VERSION; DKMS adds, builds and removes that tree;
#   - `dkms add .` from the checkout, built and removed (root only: dkms
#     refuses to copy a source tree otherwise).
#   - a PREEMPT_RT kernel (Debian's RT headers of the same version) is
#     refused: the build stops on compat.h's #error, and DKMS skips it
#     (dkms.conf BUILD_EXCLUSIVE_CONFIG, exit 77) with its message.
#
# Build only, nothing is installed or loaded, so the target kernel need not
# be the running one.  DKMS works in a temporary directory (--dkmstree,
# --sourcetree, --installtree, and a throwaway module signing key), and the
# script checks that /usr/src, /var/lib/dkms and /lib/modules hold no more
# kvm-lstar than before.
#
# Ends with "N passed, M failed"; exits 1 when anything failed.
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/kernels.sh"

command -v dkms >/dev/null || { echo "dkms-check: no dkms: run 'make deps'" >&2; exit 1; }
command -v modinfo >/dev/null || { echo "dkms-check: no modinfo: run 'make deps'" >&2; exit 1; }

kernel_resolve 6.1 # sets kver, kdir
version=$(sed -n 's/^VERSION[[:space:]]*:=[[:space:]]*//p' "$top/Makefile")
[ -n "$version" ] || { echo "dkms-check: no VERSION in $top/Makefile" >&2; exit 1; }
pkg=kvm-lstar
arch=$(uname -m)

# Our make's command-line variables (O=, DESTDIR=, ...) reach sub-makes
# through MAKEFLAGS, and kbuild would take O= as its own: run DKMS the way a
# user's shell does.
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/t" "$tmp/dkms" "$tmp/modules"
log=$tmp/log # the output of the last command run by dk or mk
# shellcheck source=tests/checks.sh
. "$top/tests/checks.sh"

# What the host holds of kvm-lstar: must be the same at the end.
host_state() {
	ls -ld --time-style=full-iso /usr/src/"$pkg"-* /var/lib/dkms/"$pkg" \
		/var/lib/dkms/mok.key /var/lib/dkms/mok.pub \
		/lib/modules/*/updates/dkms/kvm_lstar.ko* /lib/modules/*/extra/kmod/kvm_lstar.ko* 2>/dev/null
}
host_before=$(host_state)

# conf_var FILE VAR: VAR as dkms sees it after sourcing FILE.
# shellcheck disable=SC1090,SC2034 # dkms.conf reads these
conf_var() {
	(kernelver=$kver kernel_source_dir=$kdir dkms_tree=/nonexistent
	 . "$1" >/dev/null 2>&1; eval "printf '%s' \"\${$2}\"")
}

# dk SOURCETREE ARGS...: dkms in the throwaway trees, output to $log.
dk() {
	local src=$1
	shift
	echo "+ dkms $*" >"$log"
	env TMPDIR="$tmp/t" mok_signing_key="$tmp/mok.key" mok_certificate="$tmp/mok.pub" \
		dkms "$@" --dkmstree="$tmp/dkms" --sourcetree="$src" --installtree="$tmp/modules" \
		--kernelsourcedir="$kdir" >>"$log" 2>&1
}

# mk ARGS...: make in the checkout, output to $log.
mk() {
	echo "+ make $*" >"$log"
	make -C "$top" --no-print-directory "$@" >>"$log" 2>&1
}

# show_log [VERSION]: the last command's output, and the make.log of a
# failed DKMS build of VERSION.
show_log() {
	echo "  --- output (last 30 lines):"
	tail -n 30 "$log" | sed 's/^/  /'
	local ml=$tmp/dkms/$pkg/${1:-$version}/build/make.log
	if [ -f "$ml" ]; then
		echo "  --- $ml (last 30 lines):"
		tail -n 30 "$ml" | sed 's/^/  /'
	fi
}

# build_and_check NAME SOURCETREE VERSION: dkms build, check the module,
# and remove the package from the DKMS tree.  It must be added already.
build_and_check() {
	local name=$1 src=$2 v=$3 ko
	if dk "$src" build -m "$pkg" -v "$v" -k "$kver"; then
		ok
		ko=$(find "$tmp/dkms/$pkg/$v/$kver/$arch/module" -name 'kvm_lstar.ko*' 2>/dev/null | head -n1)
		if [ -n "$ko" ]; then
			ok
			same "$name: modinfo version" "$v" "$(modinfo -F version "$ko")"
			same "$name: modinfo vermagic" "$kver" "$(modinfo -F vermagic "$ko" | cut -d' ' -f1)"
		else
			bad "$name: no kvm_lstar.ko in $tmp/dkms/$pkg/$v/$kver/$arch/module/"
		fi
		if dk "$src" status -m "$pkg" -v "$v" -k "$kver" &&
			tail -n1 "$log" | grep -q ": built$"; then ok; else
			bad "$name: dkms status does not say built: $(tail -n1 "$log")"
		fi
	else
		bad "$name: dkms build -k $kver failed"; show_log "$v"
	fi
	if dk "$src" remove -m "$pkg" -v "$v" --all && [ ! -e "$tmp/dkms/$pkg" ]; then ok; else
		bad "$name: dkms remove failed or left $tmp/dkms/$pkg"; show_log
	fi
}

echo "dkms-check: $pkg $version for $kver ($kdir), $(dkms --version)"

# --- dkms.conf in the checkout ------------------------------------------
conf=$top/dkms.conf
same "dkms.conf: PACKAGE_NAME" "$pkg" "$(conf_var "$conf" PACKAGE_NAME)"
same "dkms.conf: PACKAGE_VERSION is the Makefile's VERSION (update dkms.conf)" \
	"$version" "$(conf_var "$conf" PACKAGE_VERSION)"
same "dkms.conf: BUILT_MODULE_NAME" kvm_lstar "$(conf_var "$conf" BUILT_MODULE_NAME)"
same "dkms.conf: BUILT_MODULE_LOCATION" kmod/ "$(conf_var "$conf" BUILT_MODULE_LOCATION)"
same "dkms.conf: AUTOINSTALL" yes "$(conf_var "$conf" AUTOINSTALL)"

# --- make dkms-install ----------------------------------------------------
stage=$tmp/stage
dest=$stage/usr/src/$pkg-$version
want=$( (cd "$top" && printf '%s\n' Kbuild dkms.conf include/uapi/linux/kvm_lstar.h \
	kmod/Kbuild kmod/*.c kmod/*.h) | sort)
for round in 1 2; do # installing over an installed tree works too
	if mk dkms-install DESTDIR="$stage"; then ok; else
		bad "make dkms-install (round $round) failed"; show_log
	fi
done
same "dkms-install: installed files" "$want" "$( (cd "$dest" 2>/dev/null && find . -type f | sed 's|^\./||') | sort)"
same "dkms-install: dkms.conf PACKAGE_VERSION" "$version" "$(conf_var "$dest/dkms.conf" PACKAGE_VERSION)"
for f in Kbuild kmod/Kbuild include/uapi/linux/kvm_lstar.h; do
	if cmp -s "$top/$f" "$dest/$f"; then ok; else bad "dkms-install: $f differs from the checkout"; fi
done
# The version comes from the Makefile even when dkms.conf's literal is stale.
if mk dkms-install DESTDIR="$tmp/stage-v" VERSION=9.8.7; then
	same "dkms-install VERSION=9.8.7: dkms.conf PACKAGE_VERSION" 9.8.7 \
		"$(conf_var "$tmp/stage-v/usr/src/$pkg-9.8.7/dkms.conf" PACKAGE_VERSION)"
else
	bad "make dkms-install VERSION=9.8.7 failed"; show_log
fi

# --- DKMS: the installed tree ---------------------------------------------
if dk "$stage/usr/src" add -m "$pkg" -v "$version"; then
	ok
	build_and_check "installed tree" "$stage/usr/src" "$version"
else
	bad "dkms add -m $pkg -v $version (installed tree) failed"; show_log
fi

# --- DKMS: `dkms add .` from the checkout -----------------------------------
# Under the checkout's dkms.conf version: a stale one is reported above.
cv=$(conf_var "$conf" PACKAGE_VERSION)
if [ "$(id -u)" -ne 0 ]; then
	echo "skipped: 'dkms add .' from the checkout (dkms needs root to copy a source tree)"
else
	mkdir -p "$tmp/src"
	if (cd "$top" && dk "$tmp/src" add .); then
		ok
		if [ -f "$tmp/src/$pkg-$cv/dkms.conf" ]; then ok; else
			bad "dkms add .: no $tmp/src/$pkg-$cv/dkms.conf"; fi
		build_and_check "dkms add ." "$tmp/src" "$cv"
	else
		bad "dkms add . (checkout) failed"; show_log
	fi
fi

# --- PREEMPT_RT: refused, and DKMS says why ---------------------------------
# Debian's RT headers of the same kernel, unpacked into the cache (once),
# not installed: no header glob of the bench may pick them up.
rt_kver=${kver%-amd64}-rt-amd64
rt_root=$(kernel_cache)/rt/$rt_kver/root
rt_kdir=$rt_root/usr/src/linux-headers-$rt_kver
rt_fetch() {
	local d
	[ -f "$rt_kdir/.config" ] && return 0
	d=$(mktemp -d)
	chmod 755 "$d"
	(cd "$d" && apt-get download -q "linux-headers-$rt_kver" \
		"linux-headers-${kver%-amd64}-common-rt" >/dev/null 2>&1) || { rm -rf "$d"; return 1; }
	rm -rf "$rt_root"
	mkdir -p "$rt_root/usr/lib"
	for deb in "$d"/*.deb; do dpkg-deb -x "$deb" "$rt_root"; done
	rm -rf "$d"
	# Its Makefile and scripts/ point at /usr/src and /usr/lib: here instead.
	sed -i "s|/usr/src/|$rt_root/usr/src/|" "$rt_kdir/Makefile"
	ln -sfn "/usr/lib/linux-kbuild-${kver%%.0-*}" "$rt_root/usr/lib/linux-kbuild-${kver%%.0-*}"
	[ -f "$rt_kdir/.config" ]
}
if ! rt_fetch; then
	bad "cannot fetch linux-headers-$rt_kver from the configured apt sources"
elif ! grep -q '^CONFIG_PREEMPT_RT=y' "$rt_kdir/.config"; then
	bad "$rt_kdir/.config has no CONFIG_PREEMPT_RT=y"
else
	if mk module KVER="$rt_kver" KDIR="$rt_kdir" O="$tmp/rt-build"; then
		bad "make module for $rt_kver (PREEMPT_RT) succeeded: it must refuse"
	elif grep -q 'kvm_lstar does not support PREEMPT_RT kernels' "$log"; then ok; else
		bad "make module for $rt_kver failed without naming PREEMPT_RT"; show_log
	fi
	if dk "$stage/usr/src" add -m "$pkg" -v "$version"; then
		kdir_save=$kdir kdir=$rt_kdir
		dk "$stage/usr/src" build -m "$pkg" -v "$version" -k "$rt_kver"
		rc=$?
		kdir=$kdir_save
		if [ $rc = 77 ] && grep -q 'BUILD_EXCLUSIVE directive which does not match' "$log"; then
			ok
		else
			bad "dkms build -k $rt_kver: exit $rc, not the BUILD_EXCLUSIVE refusal (77)"
			show_log
		fi
		dk "$stage/usr/src" remove -m "$pkg" -v "$version" --all || bad "dkms remove failed"
	else
		bad "dkms add -m $pkg -v $version (for the RT check) failed"; show_log
	fi
fi

# --- the host is as it was --------------------------------------------------
same "host /usr/src, /var/lib/dkms, /lib/modules unchanged" "$host_before" "$(host_state)"

echo "$pass passed, $failed failed"
[ "$failed" -eq 0 ]
