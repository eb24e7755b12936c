# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# scripts/apt-sources.sh: sourced by the scripts that debootstrap a Debian 12
# tree (pkg/deb-check.sh's chroot, tests/host/host-test.sh's host image):
# what this machine's apt uses, for the tree's apt to use too.

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


# bookworm_mirror SOURCES: the archive URI of SOURCES' bookworm entry (for
# debootstrap).
bookworm_mirror() {
	awk '$NF != "" { for (i = 2; i <= NF; i++) if ($i !~ /^\[/ && $i !~ /\]$/) break
		if ($(i + 1) == "bookworm") { print $i; exit } }' <<<"$1"
}

# cached_base CACHE BASE WHAT BUILD: BASE, a directory of CACHE named by
# its inputs' hash, holds the tree `BUILD BASE/root` made; built when it is
# not there (then the older bases of CACHE go), reused while it is.  WHAT
# names it in the caller's `say` lines.  False when BUILD fails.
cached_base() {
	local cache=$1 base=$2 what=$3 build=$4 t=$SECONDS d
	if [ -f "$base/.ready" ]; then
		say "$what $base (cached)"
		return 0
	fi
	say "building $what $base (debootstrap bookworm, then its packages: minutes, once)"
	rm -rf "$base"
	mkdir -p "$base"
	"$build" "$base/root" || return 1
	touch "$base/.ready"
	say "$what built in $((SECONDS - t)) s"
	for d in "$cache"/*/; do # older bases
		d=${d%/}
		[ "$d" = "$base" ] || case ${d##*/} in run.*) ;; *)
			grep -qF " $d/" /proc/self/mounts || rm -rf "$d" ;; esac
	done
}

# debootstrap_tree DIR MIRROR SOURCES LOGDIR: a minimal bookworm in DIR
# from MIRROR, its apt pointed at SOURCES with this machine's settings (and
# no pty for dpkg: a chroot has no /dev/pts), no service started by a
# package's scripts (policy-rc.d), and this machine's resolv.conf.  Its log
# is LOGDIR/debootstrap.log.  A base's cache key hashes this text too.
debootstrap_tree() {
	local d=$1 mirror=$2 sources=$3 log=$4/debootstrap.log
	debootstrap --variant=minbase bookworm "$d" "$mirror" >"$log" 2>&1 || {
		echo "  debootstrap failed; see $log"; tail -n 20 "$log"
		return 1; }
	printf '%s\n' "$sources" >"$d/etc/apt/sources.list"
	{ apt_conf; echo 'Dpkg::Use-Pty "0";'; } >"$d/etc/apt/apt.conf.d/90kvm-lstar"
	printf '#!/bin/sh\nexit 101\n' >"$d/usr/sbin/policy-rc.d"
	chmod 0755 "$d/usr/sbin/policy-rc.d"
	cp -L /etc/resolv.conf "$d/etc/resolv.conf"
}
