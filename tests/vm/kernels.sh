# SPDX-License-Identifier: GPL-2.0
# Sourced by the bench and the Makefile helpers: which Debian kernel a short
# version name means, and how to get its image.

# kernel_resolve SHORT: sets kver (Debian ABI name, e.g. 6.1.0-56-amd64) and
# kdir (its headers) from the newest installed headers of that series.
kernel_resolve() {
	local short=$1 d
	case $short in
	6.1|6.12|7.2) ;;
	*) echo "bench: unknown kernel '$short' (known: 6.1, 6.12, 7.2)" >&2; exit 2 ;;
	esac
	d=$(ls -1d /usr/src/linux-headers-"$short".*-amd64 /usr/src/linux-headers-"$short"-*-amd64 \
		2>/dev/null | sort -V | tail -n1 || true)
	if [ -z "$d" ]; then
		echo "bench: no Debian headers for kernel $short installed (/usr/src/linux-headers-$short*-amd64);" \
			"run 'make deps' (6.1), or see the README for 6.12 and 7.2" >&2
		exit 1
	fi
	kdir=$d
	kver=${d#/usr/src/linux-headers-}
}

# kernel_fetch_image KVER DIR: unpack linux-image-KVER into DIR/root once.
kernel_fetch_image() {
	local kver=$1 dir=$2 tmp deb
	[ -f "$dir/root/boot/vmlinuz-$kver" ] && return 0
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
