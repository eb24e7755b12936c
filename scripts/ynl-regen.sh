#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/ynl-regen.sh [OUTDIR]: `make regen`.  Generates the files that
# doc/kvm_lstar.yaml is the source of, with the kernel's YNL generator
# (tools/net/ynl/ynl-gen-c.py of Debian's linux-source-6.12, extracted once
# into the cache):
#
#   include/uapi/linux/kvm_lstar.h   the uAPI header (uapi mode)
#   kmod/netlink-gen.h, .c           the module's attribute policy (kernel mode)
#
# into OUTDIR (default: this tree), at those paths.  tests/lint.sh generates
# into a temporary OUTDIR and compares.  A file whose content is unchanged is
# not rewritten.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$top}
# shellcheck source=scripts/kernels.sh
. "$top/scripts/kernels.sh"
ynl=$(ynl_tree)
py=/usr/bin/python3

# ynl-gen-c.py expects a kernel tree: it names the spec in the files'
# "auto-generated from" line by its path below the nearest directory with a
# MAINTAINERS file, and validates it against <protocol>.yaml two levels up
# from it.  A scratch root with the spec at doc/ gives it both.
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/doc"
: >"$root/MAINTAINERS"
cp "$top/doc/kvm_lstar.yaml" "$root/doc/"
ln -s "$ynl/Documentation/netlink/genetlink-legacy.yaml" "$root/"

gen() {	# gen FILE MODE --header|--source
	mkdir -p "$(dirname "$out/$1")"
	$py "$ynl/tools/net/ynl/ynl-gen-c.py" --cmp-out --mode "$2" "$3" \
		--spec "$root/doc/kvm_lstar.yaml" -o "$out/$1"
}
gen include/uapi/linux/kvm_lstar.h uapi --header
gen kmod/netlink-gen.h kernel --header
gen kmod/netlink-gen.c kernel --source
