#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/unit/install-check.sh O CC: `make unit-install-check`.  An
# installed copy of the library (make install-lib into a stage directory)
# must be usable through pkg-config alone, shared and static.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
O=$1 cc=$2
case $O in /*) ;; *) O=$top/$O ;; esac
stage=$O/tests/unit/stage
rm -rf "$stage"
make --no-print-directory -C "$top" O="$O" DESTDIR="$stage" PREFIX=/usr install-lib \
	>"$stage.log" 2>&1 || { cat "$stage.log"; exit 1; }
for f in usr/lib/libkvmlstar.so.1.0.0 usr/lib/libkvmlstar.so.1 usr/lib/libkvmlstar.so \
	 usr/lib/libkvmlstar.a usr/include/kvmlstar.h usr/lib/pkgconfig/libkvmlstar.pc; do
	[ -e "$stage/$f" ] || { echo "install: $f missing"; exit 1; }
done
pc() { pkg-config --define-variable=prefix="$stage/usr" "$@"; }
export PKG_CONFIG_PATH=$stage/usr/lib/pkgconfig
pc --static --libs libkvmlstar | grep -q -- -lelf || { echo "install: .pc lacks libelf"; exit 1; }
pc --static --libs libkvmlstar | grep -q -- -lnl-genl-3 || { echo "install: .pc lacks libnl-genl-3"; exit 1; }
printf '%s\n' '#include <kvmlstar.h>' '#include <stdio.h>' \
	'int main(void) { uint64_t o = 0; struct kvmlstar_error e;' \
	'  if (kvmlstar_derive(0xffffffffb5600080ull, 0xffffffff81e00080ull, &o, &e) || o != 0x33800000) return 1;' \
	'  puts(kvmlstar_err_class(KVMLSTAR_E_LSTAR_ZERO)); return 0; }' >"$stage/smoke.c"
# shellcheck disable=SC2046 # pkg-config's flags are words
$cc -std=c11 -Wall -Werror -o "$stage/smoke" "$stage/smoke.c" $(pc --cflags --libs libkvmlstar)
[ "$(LD_LIBRARY_PATH=$stage/usr/lib "$stage/smoke")" = lstar_zero ] ||
	{ echo "install: smoke program failed"; exit 1; }
# shellcheck disable=SC2046
$cc -std=c11 -Wall -Werror -o "$stage/smoke-static" "$stage/smoke.c" $(pc --cflags libkvmlstar) \
	"$stage/usr/lib/libkvmlstar.a" $(pc --static --libs-only-l libkvmlstar | sed 's/-lkvmlstar//')
[ "$("$stage/smoke-static")" = lstar_zero ] || { echo "install: static smoke program failed"; exit 1; }
echo "install: DESTDIR install, pkg-config and a smoke program (shared and static) ok"
