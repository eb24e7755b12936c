#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/unit/abidiff-check.sh [--update] SO BASELINE OUT HEADER...:
# `make unit-abi-baseline` and, with --update, `make abi-update`.
# abidw (abigail-tools) writes SO's ABI to OUT from SO's debug info,
# keeping only the types the public HEADERs define (private types, and the
# functions SO only calls, are dropped).  abidiff then compares it with the
# committed BASELINE (lib/libkvmlstar.abi): any change it reports fails,
# with its report (exit bits: 4 ABI change, 8 incompatible change, 1 and 2
# abidiff's own errors), and so do a missing or unreadable BASELINE.
# --harmless: changes libabigail calls harmless, such as a new enumerator,
# count too; a renamed parameter or a change to a private type does not.
# --update writes OUT and copies it to BASELINE instead.
#
# The ABI file names no path of this checkout (no corpus path, no
# compilation directory, locations as bare file names), so a baseline made
# in one clone holds in any other.  The locations must stay (not
# --no-show-locs): abidiff's --hd1/--hd2 tell public types by them, and
# without them it filters every change out.  So an edit of a public header
# that moves lines changes the baseline's line numbers, not its verdict.
set -euo pipefail
update=0
if [ "${1:-}" = --update ]; then
	update=1
	shift
fi
so=$1 baseline=$2 out=$3
shift 3
[ $# -gt 0 ] || { echo "abi-baseline: no public headers given" >&2; exit 1; }
for t in abidw abidiff abilint; do
	command -v "$t" >/dev/null ||
		{ echo "abi-baseline: no $t: run 'make deps' (abigail-tools)" >&2; exit 1; }
done
fix="abi-baseline: if the change is intended: update lib/libkvmlstar.map (a new version node for new functions once released) and run 'make abi-update'"

# The public headers, alone in a directory of their own, for abidw's and
# abidiff's --headers-dir (lib/ also holds internal.h).  Not --header-file:
# abidiff 2.2, comparing two ABI files written with --short-locs, filters
# out every change with it, the public types' too.
hdrs=$(dirname "$out")/public-headers
rm -rf "$hdrs"
mkdir -p "$hdrs"
cp "$@" "$hdrs/"
# No DWARF, no types: abidw would write a baseline of bare symbols.
sections=$(readelf -S "$so")
if ! grep -q '\.debug_info' <<<"$sections"; then
	echo "abi-baseline: $so has no debug info (the library must be built with -g)" >&2
	exit 1
fi
abidw --headers-dir "$hdrs" --drop-private-types --drop-undefined-syms \
	--no-corpus-path --no-comp-dir-path --short-locs \
	--out-file "$out.tmp" "$so"
mv -f "$out.tmp" "$out"

if [ $update = 1 ]; then
	cp "$out" "$baseline"
	echo "abi-baseline: wrote $baseline ($(grep -c '<elf-symbol ' "$baseline") symbols)"
	exit 0
fi

if [ ! -f "$baseline" ]; then
	echo "abi-baseline: no baseline $baseline: run 'make abi-update' and commit it"
	exit 1
fi
# abidiff 2.2 reads a malformed ABI file (a bad merge, a truncated file) as
# an empty one, says so only on stderr and exits 0: lint the baseline first,
# and take anything abidiff writes to stderr as a failure.
if ! abilint --noout "$baseline" >"$out.lint" 2>&1; then
	echo "abi-baseline: $baseline is not a readable ABI file:"
	cat "$out.lint"
	echo "abi-baseline: restore it from git, or rewrite it with 'make abi-update'"
	exit 1
fi
rc=0
abidiff --harmless --hd1 "$hdrs" --hd2 "$hdrs" --no-corpus-path \
	"$baseline" "$out" >"$out.diff" 2>"$out.err" || rc=$?
if [ $rc != 0 ] || [ -s "$out.err" ]; then
	what=
	[ ! -s "$out.err" ] || what="$what messages on stderr,"
	[ $((rc & 1)) = 0 ] || what="$what abidiff error,"
	[ $((rc & 2)) = 0 ] || what="$what abidiff usage error,"
	[ $((rc & 4)) = 0 ] || what="$what ABI change,"
	[ $((rc & 8)) = 0 ] || what="$what incompatible ABI change,"
	echo "abi-baseline: $so differs from $baseline (abidiff exit $rc:${what%,}):"
	cat "$out.diff" "$out.err"
	echo "$fix"
	exit 1
fi
echo "abi-baseline: $so matches $baseline ($(grep -c '<elf-symbol ' "$out") symbols)"
