#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/fuzz/run.sh: run one libFuzzer target for a bounded time and judge it.
#
#   run.sh [--expect REGEX] NAME BIN SECONDS SEEDS WORK ARTIFACTS LOG [FLAG...]
#
# Runs BIN on the corpus WORK (grown in place) plus the read-only seeds
# SEEDS for SECONDS, with the libFuzzer FLAGs, crash/leak/timeout inputs
# going to ARTIFACTS/ and the whole output to LOG.  The run fails on a
# non-zero exit, a new artifact, or any sanitizer report in the output (an
# ASan or LSan error, a UBSan "runtime error", a broken contract).  It
# prints one line with the numbers, and on failure the reason, the
# artifacts and the command that reproduces each.
#
# --expect REGEX inverts the verdict for the self-test: the run passes only
# when it failed, left an artifact, and its output matches REGEX.
set -uo pipefail

expect=
if [ "${1:-}" = --expect ]; then
	expect=$2
	shift 2
fi
if [ $# -lt 7 ]; then
	sed -n '4,18p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
fi
name=$1 bin=$2 secs=$3 seeds=$4 work=$5 art=$6 log=$7
shift 7

[ -x "$bin" ] || { echo "fuzz: $name: no fuzzer $bin" >&2; exit 1; }
[ -d "$seeds" ] || { echo "fuzz: $name: no seed corpus $seeds" >&2; exit 1; }
mkdir -p "$work" "$art" "$(dirname "$log")"

before=$(ls -1 "$art")
start=$SECONDS
# libFuzzer stops itself after SECONDS; the outer timeout only guards a hang
# in start-up or at exit.
env ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:allocator_may_return_null=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	timeout -k 10 $((secs + 120)) "$bin" -max_total_time="$secs" -print_final_stats=1 \
	-timeout=25 -rss_limit_mb=2048 -artifact_prefix="$art/" "$@" "$work" "$seeds" \
	> "$log" 2>&1
rc=$?
elapsed=$((SECONDS - start))
new=$(comm -13 <(printf '%s\n' "$before" | sort) <(ls -1 "$art" | sort) | sed '/^$/d')

fstat() { sed -n "s/^stat::$1: *\([0-9]*\).*/\1/p" "$log" | tail -n1; }
runs=$(fstat number_of_executed_units)
speed=$(fstat average_exec_per_sec)
cov=$(grep -Eo 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -n1)
corpus=$(find "$work" -type f | wc -l)
nseeds=$(find "$seeds" -type f | wc -l)

reports='ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:|contract broken|^SUMMARY: '
failed=0
if [ "$rc" != 0 ] || [ -n "$new" ] || grep -Eq "$reports" "$log"; then
	failed=1
fi
reason=$(grep -Em1 '^SUMMARY: |runtime error:|contract broken|ERROR: libFuzzer|deadly signal' "$log" |
	sed 's/^==[0-9]*==//; s/^[[:space:]]*//')
[ -n "$reason" ] || reason="exit status $rc"

numbers="${runs:-0} runs in ${elapsed} s (${speed:-0} exec/s), ${cov:-no coverage line}, corpus $corpus inputs ($nseeds seeds)"

if [ -n "$expect" ]; then
	if [ "$failed" = 1 ] && [ -n "$new" ] && grep -Eq "$expect" "$log"; then
		echo "fuzz-selftest: $name: failure reported as it must be: $reason"
		exit 0
	fi
	echo "fuzz-selftest: $name: the planted bug was NOT reported (exit $rc, artifacts: ${new:-none}," \
		"expected /$expect/ in $log)" >&2
	tail -n 30 "$log" >&2
	exit 1
fi

if [ "$failed" = 0 ]; then
	echo "fuzz: $name: ok: $numbers"
	exit 0
fi
echo "fuzz: $name: FAILED: $reason"
echo "fuzz: $name: $numbers"
echo "fuzz: $name: full output in $log"
if [ -n "$new" ]; then
	echo "fuzz: $name: inputs kept in $art/:"
	for f in $new; do
		echo "  $art/$f    (reproduce: $bin $art/$f)"
	done
else
	echo "fuzz: $name: no artifact was written (see the log)"
fi
grep -E -A12 'ERROR: |runtime error:|contract broken' "$log" | head -n 40
exit 1
