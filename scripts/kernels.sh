# SPDX-License-Identifier: GPL-2.0
# Sourced by the VM harness and the Makefile helpers: which Debian kernel a short
# version name means, where its headers are, and how to get its image.
#
#   6.1   Debian 12's own (linux-headers-amd64; `make deps`)
#   6.12  bookworm-backports, headers installed natively (`make kernels`)
#   7.2   sid, headers inside a sid chroot in the cache (`make kernels`)
#   debug 7.2 built from linux-source-7.2 with KASAN, KFENCE, lockdep and
#         PROVE_RCU (scripts/debug-kernel.sh, `make kernels`), its tree in
#         the sid chroot where 7.2's headers are

kernel_cache() {
	echo "${KVM_LSTAR_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kvm-lstar}"
}

sid_root() {
	echo "$(kernel_cache)/sid/root"
}

# The newest 7.2 headers in the sid chroot, as a KVER.
sid_kver() {
	local d
	d=$(ls -1d "$(sid_root)"/usr/src/linux-headers-7.2*-amd64 2>/dev/null | sort -V | tail -n1)
	[ -n "$d" ] && echo "${d##*/linux-headers-}"
}

# The built debug kernel's tree in the sid chroot, if any.
debug_tree() {
	ls -1d "$(sid_root)"/usr/src/linux-headers-*-kvm-lstar-debug 2>/dev/null | sort -V | tail -n1
}

# Run a command in the sid chroot with /proc and /dev mounted for it.
sid_chroot() {
	local root rc=0
	root=$(sid_root)
	mount -t proc proc "$root/proc"
	mount --bind /dev "$root/dev"
	chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
		DEBIAN_FRONTEND=noninteractive "$@" || rc=$?
	umount "$root/dev" "$root/proc"
	return $rc
}

# The URI of Debian's main archive in this machine's apt sources (deb822
# or one-line format), so that other suites come from the same mirror.
debian_archive_uri() {
	local f uri
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		uri=$(awk 'BEGIN { RS = ""; FS = "\n" }
			/(^|\n)Suites:[^\n]*[ \t]bookworm([ \t]|\n|$)/ || /(^|\n)Suites:[ \t]*bookworm([ \t]|\n|$)/ {
				for (i = 1; i <= NF; i++)
					if ($i ~ /^URIs:/) { split($i, a, /[ \t]+/); print a[2]; exit }
			}' "$f")
		[ -n "$uri" ] && { echo "$uri"; return 0; }
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		uri=$(awk '$1 == "deb" && $3 == "bookworm" { print $2; exit }' "$f")
		[ -n "$uri" ] && { echo "$uri"; return 0; }
	done
	return 1
}

# kernel_resolve SHORT: sets kver (Debian ABI name, e.g. 6.1.0-56-amd64) and
# kdir (its headers) from the newest installed headers of that series.
kernel_resolve() {
	local short=$1 d
	case $short in
	6.1|6.12)
		d=$(ls -1d /usr/src/linux-headers-"$short".*-amd64 /usr/src/linux-headers-"$short"-*-amd64 \
			2>/dev/null | sort -V | tail -n1 || true)
		;;
	7.2)
		d=$(ls -1d "$(sid_root)"/usr/src/linux-headers-7.2*-amd64 2>/dev/null | sort -V | tail -n1 || true)
		;;
	debug)
		d=$(debug_tree || true)
		;;
	*) echo "bench: unknown kernel '$short' (known: 6.1, 6.12, 7.2, debug)" >&2; exit 2 ;;
	esac
	if [ -z "$d" ]; then
		case $short in
		6.1) echo "bench: no Debian headers for kernel 6.1 (/usr/src/linux-headers-6.1*-amd64): run 'make deps'" >&2 ;;
		*) echo "bench: no Debian headers for kernel $short: run 'make kernels' (as root)" >&2 ;;
		esac
		exit 1
	fi
	kdir=$d
	kver=${d##*/linux-headers-}
}

# kernel_fetch_image KVER DIR: unpack linux-image-KVER into DIR/root once.
# (7.2's image comes with its headers, from `make kernels`.)
kernel_fetch_image() {
	local kver=$1 dir=$2 tmp deb
	[ -f "$dir/root/boot/vmlinuz-$kver" ] && return 0
	case $kver in 7.2*|*-kvm-lstar-debug)
		echo "bench: no cached image of $kver: run 'make kernels' (as root)" >&2
		exit 1 ;;
	esac
	mkdir -p "$dir"
	tmp=$(mktemp -d)
	chmod 755 "$tmp"
	echo "bench: downloading linux-image-$kver" >&2
	if ! (cd "$tmp" && apt-get download -q "linux-image-$kver" >/dev/null 2>&1); then
		apt-get update -q >/dev/null 2>&1 || true
		(cd "$tmp" && apt-get download -q "linux-image-$kver" >/dev/null 2>&1) || {
			echo "bench: cannot download linux-image-$kver from the configured apt sources" >&2
			rm -rf "$tmp"
			exit 1
		}
	fi
	deb=$(ls "$tmp"/linux-image-*.deb)
	rm -rf "$dir/root.tmp"
	dpkg-deb -x "$deb" "$dir/root.tmp"
	rm -rf "$dir/root" "$tmp"
	mv "$dir/root.tmp" "$dir/root"
}

# kernel_fetch_debug KVER DIR: DIR/vmlinux-KVER, the kernel's debug vmlinux
# (with DWARF, for gdb), taken out of Debian's linux-image-KVER-dbg (a 0.86
# GB download for 6.1, 5.6 GB unpacked) without unpacking the rest: tar
# stops at the first copy of the one file.  Cached; echoes the path.
kernel_fetch_debug() {
	local kver=$1 dir=$2
	[ -s "$dir/vmlinux-$kver" ] || (
		f=./usr/lib/debug/boot/vmlinux-$kver
		mkdir -p "$dir"
		tmp=$(mktemp -d)
		part=$(mktemp "$dir/vmlinux-$kver.XXXXXX")
		trap 'rm -rf "$tmp" "$part"' EXIT
		chmod 755 "$tmp"
		echo "bench: downloading linux-image-$kver-dbg for its vmlinux" >&2
		(cd "$tmp" && apt-get download -q "linux-image-$kver-dbg" >/dev/null 2>&1) || {
			echo "bench: cannot download linux-image-$kver-dbg from the configured apt sources" >&2
			exit 1
		}
		# tar --occurrence=1 stops reading: dpkg-deb then dies of SIGPIPE,
		# so only tar's status counts.
		dpkg-deb --fsys-tarfile "$tmp"/linux-image-*-dbg_*.deb 2>/dev/null |
			tar -x -O --occurrence=1 "$f" >"$part"
		[ "${PIPESTATUS[1]}" = 0 ] && [ -s "$part" ] || {
			echo "bench: could not take ${f#.} out of linux-image-$kver-dbg" >&2
			exit 1
		}
		chmod 644 "$part"
		mv "$part" "$dir/vmlinux-$kver"
	) || return 1
	echo "$dir/vmlinux-$kver"
}

# kernel_extract_tool KVER: the path of the kernel's scripts/extract-vmlinux
# (which takes the ELF vmlinux out of a bzImage), from KVER's headers when
# they have it, else from Debian's linux-source-6.1 (`make deps`), extracted
# once into the cache.  Says why and returns 1 when there is none.
kernel_extract_tool() {
	local kver=$1 d tarball xdir
	for d in /usr/src/linux-headers-"$kver" /usr/src/linux-headers-"${kver%-*}"-common; do
		if [ -x "$d/scripts/extract-vmlinux" ]; then
			echo "$d/scripts/extract-vmlinux"
			return 0
		fi
	done
	tarball=$(ls -1 /usr/src/linux-source-6.1.tar.* 2>/dev/null | head -n1 || true)
	if [ -z "$tarball" ]; then
		echo "no scripts/extract-vmlinux: neither the headers nor /usr/src/linux-source-6.1.tar.* ('make deps') have it" >&2
		return 1
	fi
	xdir=$(kernel_cache)/extract-vmlinux/$(basename "$tarball")
	if [ ! -x "$xdir/extract-vmlinux" ]; then
		echo "extracting scripts/extract-vmlinux from $tarball (once)" >&2
		mkdir -p "$xdir"
		tar -xf "$tarball" -O --wildcards '*/scripts/extract-vmlinux' >"$xdir/extract-vmlinux.tmp" || {
			echo "cannot extract scripts/extract-vmlinux from $tarball" >&2
			return 1
		}
		chmod 0755 "$xdir/extract-vmlinux.tmp"
		mv "$xdir/extract-vmlinux.tmp" "$xdir/extract-vmlinux"
	fi
	echo "$xdir/extract-vmlinux"
}

# ynl_tree: a directory with Documentation/netlink/ (the YNL schemas) and
# tools/net/ynl/ from Debian's linux-source-6.12, extracted once.
ynl_tree() {
	local tarball dir
	tarball=$(ls -1 /usr/src/linux-source-6.12.tar.* 2>/dev/null | head -n1 || true)
	if [ -z "$tarball" ]; then
		echo "no /usr/src/linux-source-6.12.tar.*: run 'make kernels' (as root)" >&2
		return 1
	fi
	dir=$(kernel_cache)/ynl-$(basename "$tarball")
	if [ ! -f "$dir/.stamp" ]; then
		echo "extracting the YNL schemas and tools from $tarball (once)" >&2
		rm -rf "$dir"
		mkdir -p "$dir"
		tar -xf "$tarball" -C "$dir" --strip-components=1 --wildcards \
			'*/Documentation/netlink/*' '*/tools/net/ynl/*'
		touch "$dir/.stamp"
	fi
	echo "$dir"
}

# cached_promtool: prints the path of promtool alone, taken out of Debian's
# prometheus package (its server is not installed) into the cache once;
# false when it cannot.
cached_promtool() {
	local c p
	c=$(kernel_cache)/promtool
	p=$c/promtool
	if [ ! -x "$p" ]; then
		(
			d=$(mktemp -d)
			trap 'rm -rf "$d"' EXIT
			chmod 755 "$d"
			cd "$d" && apt-get download -q prometheus >/dev/null 2>&1 &&
				dpkg-deb --fsys-tarfile prometheus_*.deb | tar -x ./usr/bin/promtool &&
				mkdir -p "$c" && mv usr/bin/promtool "$p.tmp" && mv "$p.tmp" "$p"
		) || return 1
	fi
	echo "$p"
}
