#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/bench/check.sh: `make bench-check`, the benchmark's own test (for
# `make check`; under 2 minutes).  Runs tests/bench/bench.sh at tiny sizes
# through the same code paths as `make bench`, and checks:
#   - it passes, ends with well-formed "BENCH name=number" lines (every
#     figure the issue names, once) and writes the same to results.txt;
#   - inside the VM, each step with its inner command failing (exits,
#     latency, scale, dump, flood; exits on Intel too; exits and the BPF
#     peer's capture check in the instruction-count boot) fails
#     vm-bench.sh (--prove-faults);
#   - a failing host step (symbol) and a failing VM step (exits) each fail
#     the whole bench, end to end, with no BENCH line and no results.txt.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
O=${O:-build}
case $O in /*) out=$O ;; *) out=$top/$O ;; esac
export O
# Each run's output and VM console log are kept here, for a failure's sake;
# the runs' results go to $tmp/run, not over make bench's in $out/bench.
tmp=$out/bench/check
rm -rf "$tmp"
mkdir -p "$tmp"
bench() {
	rm -f "$tmp/run/benchmarks.md"
	"$top/tests/bench/bench.sh" --out "$tmp/run" --doc "$tmp/run/benchmarks.md" "$@"
}
# shellcheck source=tests/checks.sh
. "$top/tests/checks.sh"
started=$(date +%s)
# expect_rc NAME WANT GOT FILE: a status, with FILE's end when it is wrong.
expect_rc() {
	if [ "$2" = "$3" ]; then ok; else
		bad "$1: exit $3, expected $2; the end of its output ($4):"
		grep -v '^ *\[ *[0-9.]*\]' "$4" | tail -n 25 | sed 's/^/  | /'
	fi
}

# keep_console NAME: save the last bench boot's console log as NAME.console.log.
keep_console() {
	local log
	log=$(sed -n 's/^bench: console log: //p' "$tmp/$1.out" | tail -n1)
	[ -n "$log" ] && [ -f "$log" ] && cp "$log" "$tmp/$1.console.log"
	return 0
}

required=(exit_ratio event_latency_p50_us event_latency_p99_us poll100ms_latency_p50_us
	dump4096_ms record_bytes exit_ratio_4096 exit_ratio_under_flood symbol_speedup_nm
	map_lookup_vs_grep exit_ratio_vmx exit_ratio_vs_bpf)

echo "== the bench at tiny sizes (and, in the VM, each step's fault)"
bench --quick --prove-faults >"$tmp/ok.out" 2>&1
expect_rc "bench.sh --quick" 0 $? "$tmp/ok.out"
keep_console ok
bench_lines=$(grep '^BENCH ' "$tmp/ok.out")
for k in "${required[@]}"; do
	n=$(grep -c "^BENCH $k=" <<<"$bench_lines")
	if [ "$n" = 1 ]; then ok; else bad "BENCH $k appears $n times"; fi
done
bad_lines=$(grep -Ev '^BENCH [a-z0-9_]+=[0-9]+(\.[0-9]+)?$' <<<"$bench_lines")
if [ -n "$bench_lines" ] && [ -z "$bad_lines" ]; then ok; else
	bad "malformed BENCH lines: ${bad_lines:-none at all}"
fi
if tail -n1 "$tmp/ok.out" | grep -q '^BENCH '; then ok; else
	bad "the output does not end with a BENCH line: $(tail -n1 "$tmp/ok.out")"
fi
if [ -f "$tmp/run/results.txt" ] &&
   [ "$(grep '^BENCH ' "$tmp/run/results.txt")" = "$bench_lines" ]; then ok; else
	bad "$tmp/run/results.txt is missing or its BENCH lines differ from the output's"
fi
# The document make bench writes: the template with this run's results.
if [ -f "$tmp/run/benchmarks.md" ] && ! grep -q '@RESULTS@' "$tmp/run/benchmarks.md" &&
   [ "$(grep '^BENCH ' "$tmp/run/benchmarks.md")" = "$bench_lines" ] &&
   grep -q '^## How to read it' "$tmp/run/benchmarks.md"; then ok; else
	bad "$tmp/run/benchmarks.md is missing, or lacks this run's BENCH lines or the template"
fi
for s in exits latency scale dump flood; do
	if grep -q "^  --fault $s: exit 1 (vm-bench: FAIL: " "$tmp/ok.out"; then ok; else
		bad "no proof in the VM that a failing $s step fails the bench"
	fi
done
if grep -q "^  --fault exits: exit 1 (vm-bench: FAIL: " "$tmp/run/vmx.out"; then ok; else
	bad "no proof on the Intel bench that a failing exits step fails the bench"
fi
# Step 7 (icount): its exits, and the BPF peer's capture check, which must
# fail when the peer's map holds nothing.
for s in exits peer; do
	if grep -q "^  --fault $s: exit 1 (vm-bench: FAIL: " "$tmp/run/icount.out"; then ok; else
		bad "no proof in the instruction-count boot that a failing $s step fails the bench"
	fi
done

# fails STEP WHAT: the bench with STEP's inner command failing must fail.
fails() {
	local step=$1 what=$2 rc
	echo "== a failing $step step ($what) fails the whole bench"
	bench --quick --fault "$step" >"$tmp/$step.out" 2>&1
	rc=$?
	expect_rc "bench.sh --quick --fault $step" 1 $rc "$tmp/$step.out"
	keep_console "$step"
	if grep -q '^BENCH ' "$tmp/$step.out" || [ -f "$tmp/run/results.txt" ] ||
	   [ -f "$tmp/run/benchmarks.md" ]; then
		bad "--fault $step: BENCH lines, results.txt or benchmarks.md despite the failure"
	else
		ok
	fi
	if grep -q "FAIL: " "$tmp/$step.out"; then ok; else
		bad "--fault $step: no FAIL line says what failed"
	fi
	grep -m1 "FAIL: " "$tmp/$step.out" | sed 's/^/  /'
}
fails symbol "the host's symbol lookup finds nothing"
fails exits "lstar-bench exits refuses its arguments, in the VM"

echo "bench-check took $(($(date +%s) - started)) s"
echo "bench-check: $pass passed, $failed failed"
[ "$failed" = 0 ]
