#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# pkg/build-deb.sh OUTDIR VERSION (make deb): build the Debian packages from
# a copy of the working tree, so the source tree gets no build files.
#
#   - debian/changelog's upstream version must be VERSION (the Makefile's);
#   - the copy holds the tracked and untracked files git does not ignore (so
#     no build*/), with their working-tree contents (outside git: all but
#     build*/);
#   - OUTDIR/kvm-lstar_VERSION.orig.tar.xz is made from it without debian/
#     (reproducibly: sorted, owner 0, mtime of the changelog entry);
#   - dpkg-buildpackage builds source and binary packages (unsigned, at most
#     2 jobs) in OUTDIR/kvm-lstar-VERSION; .deb, .ddeb, .dsc, .changes,
#     .buildinfo and the tarballs land in OUTDIR, the build log in
#     OUTDIR/build.log.
set -euo pipefail

[ $# -eq 2 ] || { echo "usage: $0 OUTDIR VERSION" >&2; exit 2; }
top=$(cd "$(dirname "$0")/.." && pwd)
out=$1 version=$2
case $out in /*) ;; *) out=$PWD/$out ;; esac

say() { echo "deb: $*" >&2; }
die() { say "$*"; exit 1; }

for t in dpkg-buildpackage dpkg-parsechangelog dh git; do
	command -v "$t" >/dev/null || die "no $t: run 'make deps'"
done
[ -f /usr/share/perl5/Debian/Debhelper/Sequence/dkms.pm ] || die "no dh-dkms: run 'make deps'"

cd "$top"
v=$(dpkg-parsechangelog -l debian/changelog -SVersion)
up=${v%-*}
up=${up#*:}
[ "$up" = "$version" ] ||
	die "debian/changelog is at $v, but the Makefile's VERSION is $version: add a changelog entry for $version-1 (dch -v $version-1)"

src=$out/kvm-lstar-$version
case $out in "$top"|"$top"/) die "refusing to build into the source tree itself" ;; esac
rm -rf "$out"
mkdir -p "$src"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	git ls-files -z --cached --others --exclude-standard |
		while IFS= read -r -d '' f; do
			if [ -e "$f" ] || [ -L "$f" ]; then printf '%s\0' "$f"; fi # not deleted ones
		done |
		tar --null -T - -cf - | tar -xf - -C "$src"
else # an unpacked tarball: all but the build trees
	tar --exclude=./build --exclude='./build-*' --exclude=./.git -cf - . | tar -xf - -C "$src"
fi

tar -C "$out" --exclude="kvm-lstar-$version/debian" --sort=name --owner=0 --group=0 \
	--numeric-owner --mtime="@$(dpkg-parsechangelog -l debian/changelog -STimestamp)" \
	-cJf "$out/kvm-lstar_$version.orig.tar.xz" "kvm-lstar-$version"

# A clean environment: a make above us exports its command-line variables
# (O=, PREFIX=, DESTDIR=, ...) and MAKEFLAGS, and the upstream Makefile
# would take them (O= would even make dh_auto_clean remove $out).
say "building in $src (log: $out/build.log)"
if ! (cd "$src" && env -i PATH="$PATH" HOME="${HOME:-/root}" TMPDIR="${TMPDIR:-/tmp}" LC_ALL=C.UTF-8 \
	DEB_BUILD_OPTIONS="parallel=2 ${DEB_BUILD_OPTIONS:-}" \
	dpkg-buildpackage --no-sign) >"$out/build.log" 2>&1; then
	tail -n 40 "$out/build.log" >&2
	die "dpkg-buildpackage failed; the whole log is $out/build.log"
fi
grep -E '^dpkg-gensymbols: (warning|error)' "$out/build.log" >&2 || true
say "built in $out:"
(cd "$out" && ls -1 ./*.deb ./*.dsc ./*.changes | sed 's|^\./|  |') >&2
