#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/bench/symbol-bench.sh [--quick] [--fault symbol] [--work DIR]: the
# symbol lookup part of `make bench`, on the host (no VM needed).
#
# mkelf writes a synthetic x86_64 vmlinux (200000 symbols, 64 MiB of text
# and data, the target entry_SYSCALL_64 as the last symbol: the worst case
# for kvm-lstar's linear walk); every tool is first checked to give the
# right address, then hyperfine times
#   kvm-lstar symbol --vmlinux F entry_SYSCALL_64
#   nm F | grep ' entry_SYSCALL_64$'
#   readelf -sW F | grep ' entry_SYSCALL_64$'
# and the medians become "RESULT name=number" lines.
#
# Then mkmap writes a synthetic x86_64 System.map (500000 lines, the target
# where a real one has it: after the bulk of .text, 45% in, followed by
# entry_SYSCALL_64_safe_stack and entry_SYSCALL_64_after_hwframe); both
# are checked to give the right address, and hyperfine times
#   kvm-lstar symbol --system-map F entry_SYSCALL_64
#   grep -m1 ' entry_SYSCALL_64$' F
# in one run; map_lookup_vs_grep is the first median over the second.
#
#   --quick         5000 symbols, 2 MiB, a 20000-line map, 3 runs each
#                   (make bench-check)
#   --fault symbol  look up a name that is not there: the bench must fail
#   --work DIR      where the synthetic vmlinux and System.map and
#                   hyperfine's output go (default $O/bench/work)
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
O=${O:-build}
case $O in /*) out=$O ;; *) out=$top/$O ;; esac
tool=$out/tool/kvm-lstar
mkelf=$out/bench/mkelf
mkmap=$out/bench/mkmap
work=$out/bench/work

quick=0 fault=
while [ $# -gt 0 ]; do
	case $1 in
	--quick) quick=1; shift ;;
	--fault) fault=${2:?}; shift 2 ;;
	--work) work=${2:?}; shift 2 ;;
	*) echo "symbol-bench: unknown argument '$1'" >&2; exit 2 ;;
	esac
done

fail() {
	echo "symbol-bench: FAIL: $*" >&2
	exit 1
}
result() { echo "RESULT $1=$2"; }

if [ $quick = 1 ]; then
	syms=5000 text_mb=1 data_mb=1 map_lines=20000 runs=(--warmup 1 --runs 3)
else
	# hyperfine's default: at least 10 runs and 3 s per command
	syms=200000 text_mb=16 data_mb=48 map_lines=500000 runs=(--warmup 3 --min-runs 10)
fi
for b in "$tool" "$mkelf" "$mkmap"; do
	[ -x "$b" ] || fail "$b is not built (make bench-tools)"
done
command -v hyperfine >/dev/null || fail "hyperfine is not installed: run 'make deps'"
mkdir -p "$work"

elf=$work/vmlinux-synth
line=$("$mkelf" --out "$elf" --symbols $syms --text-mb $text_mb --data-mb $data_mb) ||
	fail "mkelf failed"
name=$(echo "$line" | cut -d' ' -f2)
addr=$(echo "$line" | cut -d' ' -f3)
bytes=$(stat -c %s "$elf")
count=$(nm "$elf" | wc -l)
echo "  $elf: $count symbols, $bytes bytes; $name at $addr"
[ "$fault" = symbol ] && name=${name}_not_there

# Each tool must find the right address before its time means anything.
got=$("$tool" symbol --vmlinux "$elf" "$name" --json | jq -r .address) ||
	fail "kvm-lstar symbol --vmlinux $elf $name failed"
[ "$got" = "$addr" ] || fail "kvm-lstar symbol: $got, expected $addr"
got=$(nm "$elf" | grep " $name\$" | cut -d' ' -f1) || fail "nm | grep found no $name"
[ "0x${got#"${got%%[!0]*}"}" = "$addr" ] || fail "nm | grep: $got, expected $addr"
got=$(readelf -sW "$elf" | grep " $name\$" | awk '{ print $2 }') ||
	fail "readelf -s | grep found no $name"
[ "0x${got#"${got%%[!0]*}"}" = "$addr" ] || fail "readelf -s | grep: $got, expected $addr"

# No intermediate shell (-N): kvm-lstar's ~1 ms is below the noise of
# hyperfine's shell-spawn correction.  The pipelines need one, so theirs
# (about 1 ms of sh) is counted, as a user typing them pays it.
hyperfine -N --style none "${runs[@]}" --export-json "$work/symbol.json" \
	-n kvm-lstar "$tool symbol --vmlinux $elf $name" \
	-n nm "sh -c \"nm $elf | grep ' $name\$'\"" \
	-n readelf "sh -c \"readelf -sW $elf | grep ' $name\$'\"" >"$work/hyperfine.txt" 2>&1 ||
	fail "hyperfine failed: $(cat "$work/hyperfine.txt")"

# median_ms JSON NAME: hyperfine's median for that command, in ms.
median_ms() {
	jq -e --arg n "$2" '.results[] | select(.command == $n) | .median * 1000' \
		"$1" || fail "no median for $2 in $1"
}
k=$(median_ms "$work/symbol.json" kvm-lstar) || exit 1
n=$(median_ms "$work/symbol.json" nm) || exit 1
r=$(median_ms "$work/symbol.json" readelf) || exit 1
result symbol_count "$count"
result symbol_file_mb "$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1048576 }')"
result symbol_runs_kvmlstar "$(jq '.results[0].times | length' "$work/symbol.json")"
result symbol_runs_nm "$(jq '.results[1].times | length' "$work/symbol.json")"
result symbol_kvmlstar_ms "$(awk -v x="$k" 'BEGIN { printf "%.3f", x }')"
result symbol_nm_ms "$(awk -v x="$n" 'BEGIN { printf "%.3f", x }')"
result symbol_readelf_ms "$(awk -v x="$r" 'BEGIN { printf "%.3f", x }')"
result symbol_speedup_nm "$(awk -v a="$n" -v b="$k" 'BEGIN { printf "%.1f", a / b }')"
result symbol_speedup_readelf "$(awk -v a="$r" -v b="$k" 'BEGIN { printf "%.1f", a / b }')"

# The same lookup in a System.map, against grep -m1, which stops reading at
# the first match: the map is written once, then both are checked and timed
# in one hyperfine run, without a shell (-N) for either.
map=$work/System.map-synth
line=$("$mkmap" --out "$map" --lines $map_lines) || fail "mkmap failed"
mname=$(echo "$line" | cut -d' ' -f2)
maddr=$(echo "$line" | cut -d' ' -f3)
mline=$(echo "$line" | cut -d' ' -f5)
mbytes=$(stat -c %s "$map")
mcount=$(wc -l <"$map")
[ "$mcount" = "$map_lines" ] || fail "mkmap wrote $mcount lines, not $map_lines"
echo "  $map: $mcount lines, $mbytes bytes; $mname at $maddr, line $mline"
[ "$fault" = symbol ] && mname=${mname}_not_there

got=$("$tool" symbol --system-map "$map" "$mname" --json | jq -r .address) ||
	fail "kvm-lstar symbol --system-map $map $mname failed"
[ "$got" = "$maddr" ] || fail "kvm-lstar symbol --system-map: $got, expected $maddr"
got=$(grep -m1 " $mname\$" "$map" | cut -d' ' -f1) || fail "grep -m1 found no $mname"
[ "0x${got#"${got%%[!0]*}"}" = "$maddr" ] || fail "grep -m1: $got, expected $maddr"

hyperfine -N --style none "${runs[@]}" --export-json "$work/map.json" \
	-n kvm-lstar "$tool symbol --system-map $map $mname" \
	-n grep "grep -m1 ' $mname\$' $map" >"$work/hyperfine-map.txt" 2>&1 ||
	fail "hyperfine failed: $(cat "$work/hyperfine-map.txt")"
mk=$(median_ms "$work/map.json" kvm-lstar) || exit 1
mg=$(median_ms "$work/map.json" grep) || exit 1
result map_lines "$mcount"
result map_file_mb "$(awk -v b="$mbytes" 'BEGIN { printf "%.1f", b / 1048576 }')"
result map_target_line "$mline"
result map_runs_kvmlstar "$(jq '.results[0].times | length' "$work/map.json")"
result map_runs_grep "$(jq '.results[1].times | length' "$work/map.json")"
result map_kvmlstar_ms "$(awk -v x="$mk" 'BEGIN { printf "%.3f", x }')"
result map_grep_ms "$(awk -v x="$mg" 'BEGIN { printf "%.3f", x }')"
result map_lookup_vs_grep "$(awk -v a="$mk" -v b="$mg" 'BEGIN { printf "%.2f", a / b }')"
