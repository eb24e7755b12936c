#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/bench/bench-doc.sh RESULTS OUT: write OUT (doc/benchmarks.md for
# `make bench`) from tests/bench/benchmarks.md.in with RESULTS, a run's
# results.txt, in place of @RESULTS@.  OUT is replaced whole or not at all.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
results=${1:?usage: bench-doc.sh RESULTS OUT}
doc=${2:?usage: bench-doc.sh RESULTS OUT}
tmpl=$top/tests/bench/benchmarks.md.in

[ -s "$results" ] || { echo "bench-doc: $results is missing or empty" >&2; exit 1; }
grep -q '^@RESULTS@$' "$tmpl" || { echo "bench-doc: $tmpl has no @RESULTS@ line" >&2; exit 1; }
tmp=$(mktemp "$doc.XXXXXX")
trap 'rm -f "$tmp"' EXIT
while IFS= read -r line; do
	if [ "$line" = @RESULTS@ ]; then
		cat "$results"
	else
		printf '%s\n' "$line"
	fi
done <"$tmpl" >"$tmp"
chmod 0644 "$tmp"
mv "$tmp" "$doc"
trap - EXIT
