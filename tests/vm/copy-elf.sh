# SPDX-License-Identifier: GPL-2.0
#
# tests/vm/copy-elf.sh: sourced by build-base.sh and build-extra.sh.
#
# copy_elf ROOT FILE...: copy each ELF FILE into the tree ROOT at the same
# path, with the shared libraries ldd says it needs (symlinks resolved,
# libraries already there kept).
copy_elf() {
	local root=$1 f lib
	shift
	for f in "$@"; do
		cp -L --parents "$f" "$root"
		for lib in $(ldd "$f" 2>/dev/null | grep -o '/[^ ]*'); do
			[ -e "$root$lib" ] || cp -L --parents "$lib" "$root"
		done
	done
}
