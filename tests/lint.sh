#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/lint.sh: kernel style for kmod/ and the uapi header, with the
# checkpatch.pl of Debian's kernel sources (linux-source-6.1), extracted
# once into the cache.  Any checkpatch ERROR or WARNING fails, and so does
# a generated file (the uapi header, kmod/netlink-gen.[ch]) that is not
# what doc/kvm_lstar.yaml generates, a W=1 warning in the module's build
# for 6.1, 6.12 or 7.2, and any warning or error that shellcheck finds in
# the project's shell code (every tracked file whose first line names sh or
# bash, sourced files followed).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cache=${KVM_LSTAR_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kvm-lstar}/checkpatch
tarball=$(ls -1 /usr/src/linux-source-6.1.tar.* 2>/dev/null | head -n1 || true)
if [ -z "$tarball" ]; then
	echo "lint: no /usr/src/linux-source-6.1.tar.*: run 'make deps'" >&2
	exit 1
fi
stamp=$cache/$(basename "$tarball").stamp
if [ ! -f "$stamp" ]; then
	echo "lint: extracting checkpatch.pl from $tarball (once)" >&2
	rm -rf "$cache"
	mkdir -p "$cache"
	tar -xf "$tarball" -C "$cache" --strip-components=1 --wildcards \
		'*/scripts/checkpatch.pl' '*/scripts/spelling.txt' '*/scripts/const_structs.checkpatch'
	touch "$stamp"
fi

pass=0 failed=0
for f in "$top"/kmod/*.c "$top"/kmod/*.h "$top"/include/uapi/linux/kvm_lstar.h; do
	if out=$(perl "$cache/scripts/checkpatch.pl" --no-tree --terse --show-types -f "$f" 2>&1) &&
	   ! grep -Eq ': (ERROR|WARNING):' <<<"$out"; then
		pass=$((pass + 1))
	else
		failed=$((failed + 1))
		echo "lint: ${f#"$top"/}:" >&2
		grep -E ': (ERROR|WARNING|CHECK):' <<<"$out" | sed "s|$top/||" >&2 || echo "$out" >&2
	fi
done
# What doc/kvm_lstar.yaml generates (scripts/ynl-regen.sh, `make regen`) is
# what is committed: regenerate into a scratch tree and compare, file by
# file; and every file that says it is generated (YNL-GEN) is regenerated.
gen=$(mktemp -d)
trap 'rm -rf "$gen"' EXIT
if out=$("$top/scripts/ynl-regen.sh" "$gen" 2>&1); then
	mapfile -t genfiles < <(cd "$gen" && find . -type f | sed 's|^\./||' | sort)
	for f in "${genfiles[@]}"; do
		if d=$(diff -u --label "$f" --label "$f (from the spec)" "$top/$f" "$gen/$f" 2>&1); then
			pass=$((pass + 1))
		else
			failed=$((failed + 1))
			echo "lint: $f is not what doc/kvm_lstar.yaml generates: run 'make regen'" >&2
			echo "$d" >&2
		fi
	done
	marked=$(cd "$top" && git grep --untracked -l '^/\* YNL-GEN ' 2>/dev/null | sort || true)
	if [ "$marked" = "$(printf '%s\n' "${genfiles[@]}")" ]; then
		pass=$((pass + 1))
	else
		failed=$((failed + 1))
		echo "lint: the files marked YNL-GEN are not those scripts/ynl-regen.sh generates:" >&2
		diff <(echo "$marked") <(printf '%s\n' "${genfiles[@]}") >&2 || true
	fi
else
	failed=$((failed + 1))
	echo "lint: scripts/ynl-regen.sh failed:" >&2
	echo "$out" >&2
fi
# No warnings under W=1 (the Makefile's default for the module), for every
# kernel the project supports; a kernel whose headers are missing fails.
# shellcheck source=scripts/kernels.sh
. "$top/scripts/kernels.sh"
# The debug kernel's build carries the self-tests (KVM_LSTAR_SELFTEST=1).
for k in 6.1 6.12 7.2 debug; do
	if ! kv=$(kernel_resolve "$k" 2>&1 && echo "$kver"); then
		failed=$((failed + 1))
		echo "lint: cannot build for $k: $kv" >&2
		continue
	fi
	kv=$(tail -n1 <<<"$kv")
	st=
	[ "$k" = debug ] && st=1
	if out=$(make -s -C "$top" module KVER="$kv" W=1 KVM_LSTAR_SELFTEST=$st 2>&1) &&
	   ! grep -q 'warning:' <<<"$out"; then
		pass=$((pass + 1))
	else
		failed=$((failed + 1))
		echo "lint: the module does not build warning-free with W=1 for $kv:" >&2
		grep -B2 -A5 -E 'warning:|error:' <<<"$out" >&2 || echo "$out" >&2
	fi
done
# The shell code: shellcheck at warning level (style notes are not
# enforced), one check per file.
mapfile -t shells < <(cd "$top" && git ls-files 2>/dev/null | while read -r f; do
	[ -f "$f" ] && head -n1 "$f" | grep -Eq '^#!.*\b(ba)?sh\b' && echo "$f"
done)
if [ ${#shells[@]} = 0 ]; then
	failed=$((failed + 1))
	echo "lint: no shell files found (not a git checkout?)" >&2
fi
for f in "${shells[@]}"; do
	if out=$(cd "$top" && shellcheck -x -S warning -f gcc "$f" 2>&1); then
		pass=$((pass + 1))
	else
		failed=$((failed + 1))
		echo "lint: shellcheck $f:" >&2
		echo "$out" >&2
	fi
done
echo "lint: $pass passed, $failed failed"
[ "$failed" = 0 ]
