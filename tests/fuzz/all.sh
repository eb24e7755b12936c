#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/fuzz/all.sh FUZZ_O run SECONDS TARGET...: `make fuzz` (and the
# second half of `make fuzz-check`): each TARGET in turn for SECONDS with
# run.sh, all of them even when one fails.
# tests/fuzz/all.sh FUZZ_O selftest SECONDS TARGET-N...: `make fuzz-selftest`:
# each build with planted bug N (FUZZ_PLANT, see fuzz.h) must be reported,
# with that bug's own kind of report.
# FUZZ_O is where fuzz.mk built the fuzzers ($(O)/fuzz).
set -uo pipefail
dir=$(cd "$(dirname "$0")" && pwd)
if [ $# -lt 4 ]; then
	sed -n '4,11p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
fi
fo=$1 mode=$2 secs=$3
shift 3

# libFuzzer options per target.
flags() {
	case $1 in
	map) echo "-max_len=4096 -dict=$dir/map.dict" ;;
	vmlinux) echo "-max_len=4096" ;;
	esac
}
# What each planted bug must be reported as (fuzz.h).
expect() {
	case $1 in
	1) echo 'planted bug: abort' ;;
	2) echo 'AddressSanitizer: heap-buffer-overflow' ;;
	3) echo 'LeakSanitizer: detected memory leaks' ;;
	4) echo 'runtime error: signed integer overflow' ;;
	esac
}

fail=0
case $mode in
run)
	for t in "$@"; do
		# shellcheck disable=SC2046 # the flags are words
		"$dir/run.sh" "$t" "$fo/fuzz_$t" "$secs" "$dir/corpus/$t" "$fo/corpus/$t" \
			"$fo/artifacts/$t" "$fo/logs/$t.log" $(flags "$t") || fail=1
	done
	if [ $fail = 0 ]; then
		echo "fuzz: no failure; inputs that fail would be kept in $fo/artifacts/"
	else
		echo "fuzz: FAILED; the failing inputs are in $fo/artifacts/ (logs in $fo/logs/)"
	fi
	;;
selftest)
	d=$fo/selftest
	rm -rf "$d"
	for p in "$@"; do
		t=${p%-*} n=${p##*-}
		# shellcheck disable=SC2046
		"$dir/run.sh" --expect "$(expect "$n")" "plant-$p" "$fo/plant/fuzz_$p" "$secs" \
			"$dir/corpus/$t" "$d/corpus-$p" "$d/artifacts-$p" "$d/$p.log" $(flags "$t") || fail=1
	done
	[ $fail = 0 ] || echo "fuzz-selftest: FAILED: a planted bug went unreported" >&2
	;;
*) echo "all.sh: unknown mode '$mode' (run or selftest)" >&2; exit 2 ;;
esac
[ $fail = 0 ]
