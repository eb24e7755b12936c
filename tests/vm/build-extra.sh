#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# build-extra.sh NAME OUT.cpio: an initramfs layer with a big tool that only
# some suites need, appended by tests/vm/run to the base when SCRIPT has a
# "# bench-needs: NAME" line.  Userspace only, so one layer serves every
# kernel.
#
#   bpftrace   Debian's bpftrace with its LLVM and clang libraries (~150 MB)
#   ynl        python3 with yaml and jsonschema, the kernel's ynl CLI and the
#              genetlink-legacy schema (from linux-source-6.12), and libnl's
#              genl-ctrl-list
#
# build-extra.sh --inputs NAME prints the files whose change rebuilds it.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=scripts/kernels.sh
. "$top/scripts/kernels.sh"

if [ "$1" = --inputs ]; then
	case $2 in
	bpftrace) echo /usr/bin/bpftrace ;;
	ynl) echo /usr/bin/python3.11 /usr/bin/genl-ctrl-list /usr/src/linux-source-6.12.tar.xz \
		/usr/lib/python3/dist-packages/yaml /usr/lib/python3/dist-packages/jsonschema ;;
	esac
	exit 0
fi
name=$1 out=$2
s=$(mktemp -d)
trap 'rm -rf "$s"' EXIT

# shellcheck source=tests/vm/copy-elf.sh
. "$top/tests/vm/copy-elf.sh"

case $name in
bpftrace)
	[ -x /usr/bin/bpftrace ] || { echo "build-extra: no /usr/bin/bpftrace: run 'make deps'" >&2; exit 1; }
	copy_elf "$s" /usr/bin/bpftrace
	;;
ynl)
	[ -x /usr/bin/genl-ctrl-list ] || { echo "build-extra: no genl-ctrl-list: run 'make deps'" >&2; exit 1; }
	ynl=$(ynl_tree)
	copy_elf "$s" /usr/bin/python3.11 /usr/bin/genl-ctrl-list
	ln -s python3.11 "$s/usr/bin/python3"
	# The standard library without its tests, GUI and packaging tools.
	(cd / && tar -cf - --exclude='__pycache__' --exclude='usr/lib/python3.11/test' \
		--exclude='usr/lib/python3.11/idlelib' --exclude='usr/lib/python3.11/tkinter' \
		--exclude='usr/lib/python3.11/turtledemo' --exclude='usr/lib/python3.11/ensurepip' \
		--exclude='usr/lib/python3.11/lib2to3' --exclude='usr/lib/python3.11/pydoc_data' \
		usr/lib/python3.11) | tar -xf - -C "$s"
	copy_elf "$s" /usr/lib/python3.11/lib-dynload/*.so
	mkdir -p "$s/usr/lib/python3/dist-packages"
	for m in yaml _yaml attr attrs jsonschema pyrsistent _pyrsistent_version.py; do
		cp -a /usr/lib/python3/dist-packages/$m "$s/usr/lib/python3/dist-packages/"
	done
	for so in "$s"/usr/lib/python3/dist-packages/_yaml/*.so "$s"/usr/lib/python3/dist-packages/pyrsistent/*.so; do
		[ -e "$so" ] && copy_elf "$s" "${so#"$s"}"
	done
	mkdir -p "$s/usr/share/kvm-lstar/ynl"
	cp -a "$ynl/tools/net/ynl/." "$s/usr/share/kvm-lstar/ynl/"
	cp "$ynl/Documentation/netlink/genetlink-legacy.yaml" "$s/usr/share/kvm-lstar/ynl/"
	;;
*)
	echo "build-extra: unknown layer '$name' (known: bpftrace, ynl)" >&2
	exit 2
	;;
esac
(cd "$s" && find . -mindepth 1 | sed 's|^\./||' | cpio -o -H newc --quiet) >"$out"
