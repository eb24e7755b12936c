#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/unit/run.sh O ASAN_O NAME...: `make unit-test`, once the programs
# are built.  Runs each test program three ways (plain, ASan+UBSan,
# valgrind), then the ABI and install checks (make unit-abi-check,
# unit-abi-baseline, unit-install-check), and ends with one line
# "unit-test: N passed, N failed, N skipped" counting cmocka's test cases;
# a program that exits non-zero without a cmocka failure counts as one
# failure.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
O=$1 asan_o=$2
shift 2
logs=$O/tests/unit/logs
rm -rf "$logs"
mkdir -p "$logs"

# shellcheck disable=SC2054 # the commas are inside options
valgrind=(valgrind -q --error-exitcode=1 --leak-check=full
	--errors-for-leak-kinds=definite,indirect,possible
	--show-leak-kinds=definite,indirect,possible --track-fds=no)
asan_env=(ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1:strict_string_checks=1
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1)

n=0 passed=0 failed=0 skipped=0 bad=
# cmocka_count WORD LOG: the number on LOG's last "[  WORD  ] N test" line.
cmocka_count() {
	sed -n "s/^\[  $1 *\] \([0-9]*\) test.*/\1/p" "$2" | tail -n1
}
# run LABEL CMD...: one program; its output is shown and kept for the tally.
run() {
	local label=$1 log rc p f s
	shift
	n=$((n + 1))
	log=$logs/$n.log
	echo "===== $label"
	("$@"; echo $? >"$log.rc") 2>&1 | tee "$log"
	rc=$(cat "$log.rc")
	p=$(cmocka_count PASSED "$log") f=$(cmocka_count FAILED "$log") s=$(cmocka_count SKIPPED "$log")
	passed=$((passed + ${p:-0})) failed=$((failed + ${f:-0})) skipped=$((skipped + ${s:-0}))
	if [ "$rc" != 0 ] && [ "${f:-0}" = 0 ]; then
		failed=$((failed + 1))
		echo "!!!!! $label exited $rc"
	fi
	[ "$rc" = 0 ] || bad="$bad $label"
}
# check NAME TARGET: one make target that passes or fails as a whole.
check() {
	echo "===== $1"
	if make --no-print-directory -C "$top" O="$O" "$2"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1)) bad="$bad $1"
	fi
}

for t in "$@"; do run "plain $t" "$O/tests/unit/$t"; done
for t in "$@"; do run "asan+ubsan $t" env "${asan_env[@]}" "$asan_o/tests/unit/$t"; done
for t in "$@"; do run "valgrind $t" "${valgrind[@]}" "$O/tests/unit/$t"; done
check abi unit-abi-check
check abi-baseline unit-abi-baseline
check install unit-install-check
echo
[ -z "$bad" ] || echo "unit-test failures:$bad"
echo "unit-test: $passed passed, $failed failed, $skipped skipped"
[ -z "$bad" ]
