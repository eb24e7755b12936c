#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/unit/abi-check.sh SO SONAME WORKDIR HEADER...: `make unit-abi-check`.
# The functions SO exports must be exactly those declared KVMLSTAR_API (on
# the line that names them) in the public HEADERs and listed in
# lib/libkvmlstar.map, each at the version node the map lists it in
# (KVMLSTAR_1, KVMLSTAR_1.1, ...), and SO's soname SONAME.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
so=$1 soname=$2 d=$3
shift 3
mkdir -p "$d"
sed -n 's/^KVMLSTAR_API .*[ *]\(kvmlstar_[a-z0-9_]*\)(.*/\1/p' "$@" | sort >"$d/header"
sed -n 's/^[[:space:]]*\(kvmlstar_[a-z0-9_]*\);.*/\1/p' "$top/lib/libkvmlstar.map" | sort >"$d/map"
nm -D --defined-only "$so" | awk '$2 == "T" { print $3 }' | sort >"$d/so"
# "name@@NODE" for each name the map lists, under the node it is in.
awk '/^KVMLSTAR_[0-9.]* *\{/ { node = $1 }
     /^[[:space:]]*kvmlstar_[a-z0-9_]*;/ { sub(/^[[:space:]]*/, ""); sub(/;.*/, "");
					     print $0 "@@" node }' \
	"$top/lib/libkvmlstar.map" | sort >"$d/map-versions"
sed 's/@.*//' "$d/so" >"$d/so-names"

ok=1
if ! cmp -s "$d/header" "$d/map"; then
	echo "abi: the headers (<) and libkvmlstar.map (>) differ:"
	diff "$d/header" "$d/map" || true
	ok=0
fi
if ! cmp -s "$d/header" "$d/so-names"; then
	echo "abi: the headers (<) and the .so's exports (>) differ:"
	diff "$d/header" "$d/so-names" || true
	ok=0
fi
if ! cmp -s "$d/map-versions" "$d/so"; then
	echo "abi: the versions libkvmlstar.map gives (<) and the .so's (>) differ:"
	diff "$d/map-versions" "$d/so" || true
	ok=0
fi
if ! readelf -d "$so" | grep -q "Library soname: \[$soname\]"; then
	echo "abi: soname is not $soname"
	ok=0
fi
[ $ok = 1 ] || exit 1
echo "abi: $(wc -l <"$d/header") functions exported at their versions" \
	"($(sed 's/.*@@//' "$d/so" | sort | uniq -c | awk '{ printf "%s%s %s", n++ ? ", " : "", $1, $2 }')), soname $soname"
