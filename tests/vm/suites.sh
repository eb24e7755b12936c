#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/vm/suites.sh [SUITE...]: `make vm-test`.  First proves the VM harness can
# fail (a failing SCRIPT, a kernel WARNING), then runs every suite in
# tests/vm/suites/ (or the ones named) in its own VM boot, on every
# kernel in KVM_LSTAR_KERNELS (default: 6.1 6.12 7.2) on AMD (QEMU/TCG),
# the module and harden suites (KVM_LSTAR_DEBUG_SUITES) on the debug kernel,
# KVM_LSTAR_INTEL_SUITES on Intel (Bochs, VMX) on each kernel in
# KVM_LSTAR_INTEL_KERNELS (default 6.1) and KVM_LSTAR_INTEL_MORE_SUITES on
# each in KVM_LSTAR_INTEL_MORE_KERNELS (default 6.12 7.2), and
# tests/vm/gdb-proof.sh on the first kernel (KVM_LSTAR_GDB_PROOF= skips it),
# tests/host/host-test.sh when make deb has built the packages
# (KVM_LSTAR_HOST_TEST= skips it), and the make targets in
# KVM_LSTAR_POOL_MAKE (make check: bench-check) beside them,
# two boots at a time (KVM_LSTAR_BENCH_JOBS), and sums their "N passed,
# M failed" lines.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
run=$top/tests/vm/run
kernels=${KVM_LSTAR_KERNELS:-${KVM_LSTAR_KERNEL:-6.1 6.12 7.2}}
kernel=${kernels%% *}
# On the debug kernel (KASAN, KFENCE, lockdep, PROVE_RCU), the suites that
# drive the module's memory and locking hardest; empty to skip it.
debug_suites=${KVM_LSTAR_DEBUG_SUITES-module harden}
# KERNEL:SUITE runs that the debug kernel's run of the same suite stands
# in for, when it runs: it is 7.2 with KASAN, lockdep and PROVE_RCU.
debug_covers=${KVM_LSTAR_DEBUG_COVERS-7.2:harden}
# On Intel (tests/vm/run --cpu intel): Bochs is several times slower than
# TCG, so the suites that cover the capture path and every online command;
# empty to skip them.
intel_suites=${KVM_LSTAR_INTEL_SUITES-module cli linux}
intel_kernels=${KVM_LSTAR_INTEL_KERNELS-6.1}
# On the other Intel kernels, the module suite: what differs between
# kernels is the module's, and a suite takes about ten minutes there.
intel_more_suites=${KVM_LSTAR_INTEL_MORE_SUITES-module}
intel_more_kernels=${KVM_LSTAR_INTEL_MORE_KERNELS-6.12 7.2}
# tests/vm/gdb-proof.sh: the real gdb reads a KASLR guest through
# kvm-lstar's gdb lines; empty to skip it.
gdb_proof=${KVM_LSTAR_GDB_PROOF-1}
pass=0 failed=0 retried=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# tally FILE: adds FILE's last "N passed, M failed" line to the totals;
# false when it has none.
tally() {
	local line
	line=$(grep -E '^([a-z-]+: )?[0-9]+ passed, [0-9]+ failed' "$1" | tail -n1)
	[ -n "$line" ] || return 1
	line=${line#*: }
	pass=$((pass + $(echo "$line" | cut -d' ' -f1)))
	failed=$((failed + $(echo "$line" | cut -d' ' -f3)))
}

check() {	# check NAME WANT GOT
	if [ "$2" = "$3" ]; then
		pass=$((pass + 1))
	else
		failed=$((failed + 1))
		echo "FAIL: $1: expected $2, got $3"
	fi
}

echo "== the bench itself"
printf 'echo hello from the bench\nexit 3\n' >"$tmp/fails.sh"
printf 'echo "WARNING: CPU: 0 PID: 1 at bench-selftest" >/dev/kmsg\nsleep 1\n' >"$tmp/warns.sh"
printf 'kill -STOP "$(cat /run/heartbeat.pid)"\nsleep 200\n' >"$tmp/stuck.sh"
# Bochs skips the time a halted CPU waits: a sleep there ends in moments of
# wall time.  What stops the beats for good there is a busy VM.
printf 'kill -STOP "$(cat /run/heartbeat.pid)"\nwhile :; do :; done\n' >"$tmp/stuck-busy.sh"
# The Intel bench's contract, on the other core meanwhile: SCRIPT's status
# and output, a WARNING, and a VM that stops beating (Bochs: no NMI to try).
if [ -n "$intel_suites" ] && [ $# = 0 ] && [ -z "${KVM_LSTAR_KERNELS:-}" ]; then
	(
		ik=${intel_kernels%% *}
		"$run" --cpu intel --kernel "$ik" --timeout 300 "$tmp/fails.sh" >"$tmp/i-fails.out" 2>/dev/null
		echo $? >"$tmp/i-fails.rc"
		"$run" --cpu intel --kernel "$ik" --timeout 300 "$tmp/warns.sh" >/dev/null 2>&1
		echo $? >"$tmp/i-warns.rc"
		KVM_LSTAR_BENCH_STALL=10 "$run" --cpu intel --kernel "$ik" --timeout 300 "$tmp/stuck-busy.sh" \
			>/dev/null 2>"$tmp/i-stuck.err"
		echo $? >"$tmp/i-stuck.rc"
	) &
	intel_self=$!
fi
out=$("$run" --kernel "$kernel" --timeout 120 "$tmp/fails.sh" 2>/dev/null)
check "a failing SCRIPT's status comes through" 3 $?
check "SCRIPT's output is shown" "hello from the bench" "$out"
"$run" --kernel "$kernel" --timeout 120 "$tmp/warns.sh" >/dev/null 2>&1
check "a kernel WARNING fails a passing SCRIPT" 125 $?
# The heartbeat watchdog, with a short stall limit: beats that stop and come
# back after the VM harness's NMI; beats that never come back.
cat >"$tmp/stalls.sh" <<'EOF'
nmis() { awk '$1 == "NMI:" { print $2 }' /proc/interrupts; }
n=$(nmis)
kill -STOP "$(cat /run/heartbeat.pid)"
i=0
while [ "$(nmis)" = "$n" ] && [ $i -lt 120 ]; do sleep 1; i=$((i + 1)); done
kill -CONT "$(cat /run/heartbeat.pid)"
[ "$(nmis)" != "$n" ] && echo "an NMI came"
sleep 6
EOF
out=$(KVM_LSTAR_BENCH_STALL=10 "$run" --kernel "$kernel" --timeout 300 "$tmp/stalls.sh" 2>"$tmp/stalls.err")
check "a stall that an NMI ends does not fail the run" 0 $?
check "the NMI reached the VM" "an NMI came" "$out"
check "the stall is reported" 1 "$(grep -c '^bench: note: the VM stopped scheduling 1 time' "$tmp/stalls.err")"
# QEMU's lost timer interrupt (tests/vm/run): beats that stop until a
# keyboard interrupt comes; the default stall limit, so the harness's key
# press comes first (the script gives up waiting for one after 45 s).
cat >"$tmp/kick.sh" <<'EOF'
keys() { awk '/i8042/ { n = 0; for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) n += $i; print n; exit }' /proc/interrupts; }
k=$(keys)
kill -STOP "$(cat /run/heartbeat.pid)"
i=0
while [ "$(keys)" = "$k" ] && [ $i -lt 45 ]; do sleep 1; i=$((i + 1)); done
kill -CONT "$(cat /run/heartbeat.pid)"
[ "$(keys)" != "$k" ] && echo "a key came"
sleep 6
EOF
out=$("$run" --kernel "$kernel" --timeout 300 "$tmp/kick.sh" 2>"$tmp/kick.err")
check "beats that a key press starts again do not fail the run" 0 $?
check "the harness pressed a key at the VM's keyboard" "a key came" "$out"
check "the key press is reported" 1 "$(grep -c '^bench: note: 1 key press(es) after 12s without a heartbeat' "$tmp/kick.err")"
KVM_LSTAR_BENCH_STALL=10 "$run" --kernel "$kernel" --timeout 300 "$tmp/stuck.sh" >/dev/null 2>&1
check "a VM that stops scheduling for good fails with 126" 126 $?
printf 'echo "BUG: bench-selftest" >/dev/kmsg\nkill -STOP "$(cat /run/heartbeat.pid)"\nsleep 200\n' >"$tmp/stuck-bug.sh"
KVM_LSTAR_BENCH_STALL=10 "$run" --kernel "$kernel" --timeout 300 "$tmp/stuck-bug.sh" >/dev/null 2>&1
check "a stopped VM whose kernel logged a BUG fails with 125, not 126" 125 $?
if [ -n "${intel_self:-}" ]; then
	wait "$intel_self"
	check "intel: a failing SCRIPT's status comes through" 3 "$(cat "$tmp/i-fails.rc")"
	check "intel: SCRIPT's output is shown" "hello from the bench" "$(cat "$tmp/i-fails.out")"
	check "intel: a kernel WARNING fails a passing SCRIPT" 125 "$(cat "$tmp/i-warns.rc")"
	check "intel: a VM that stops scheduling fails with 126" 126 "$(cat "$tmp/i-stuck.rc")"
	check "intel: ... and the stall is reported" 1 "$(grep -c '^bench: the VM stopped scheduling' "$tmp/i-stuck.err")"
fi

# guest-linux's retry of a nested boot stuck in SeaBIOS, with a fake QEMU.
echo "== guest-linux: retries of a nested boot stuck in SeaBIOS (host, fake QEMU)"
bash "$top/tests/vm/guest-linux-test.sh" >"$tmp/guest-linux.out"
grep -v '^[0-9]* passed' "$tmp/guest-linux.out"
tally "$tmp/guest-linux.out" || failed=$((failed + 1))

suites=("$@")
[ ${#suites[@]} -gt 0 ] || suites=("$top"/tests/vm/suites/*.sh)

# suite_run N KERNEL CPU SUITE: one suite's bench run into $tmp/N.out, its exit
# status into $tmp/N.rc.  126: the VM stopped scheduling and neither a key
# press nor an NMI woke it.  The suite then runs again, four times at most.
# Before tests/vm/run pressed a key (QEMU's lost timer interrupt, which
# left a nested guest's vCPU spinning with nothing to preempt it), linux.sh
# on 7.2 stalled about one run in two; the retries are what is left for a
# stall of another cause.  A suite that makes the VM stop scheduling itself
# stalls all five times and fails.
suite_run() {
	local n=$1 kernel=$2 cpu=$3 s=$4 rc attempt start=$SECONDS limit=900
	# KASAN and lockdep make the debug kernel several times slower, and
	# Bochs is slower than TCG.
	[ "$kernel" = debug ] || [ "$cpu" = intel ] && limit=2400
	for attempt in 1 2 3 4 5; do
		case $s in
		host:*) bash "${s#host:}" --kernel "$kernel" >>"$tmp/$n.out" 2>&1 ;;
		make:*) make -s -C "$top" "${s#make:}" >>"$tmp/$n.out" 2>&1 ;;
		*) "$run" --cpu "$cpu" --kernel "$kernel" --timeout $limit "$s" >>"$tmp/$n.out" 2>&1 ;;
		esac
		rc=$?
		[ "$rc" = 126 ] && [ $attempt != 5 ] || break
		echo "== suite $(basename "$s" .sh) (kernel $kernel, $cpu): the VM stopped scheduling; running the suite once more" >>"$tmp/$n.out"
		touch "$tmp/$n.retried"
	done
	echo $((SECONDS - start)) >"$tmp/$n.secs"
	echo "$rc" >"$tmp/$n.rc"
}

# Each bench is one TCG vCPU, one core: KVM_LSTAR_BENCH_JOBS (default 2)
# run side by side.  Their output is shown whole, in order, as each ends.
jobs_max=${KVM_LSTAR_BENCH_JOBS:-2}
[[ $jobs_max =~ ^[1-9][0-9]?$ ]] || { echo "KVM_LSTAR_BENCH_JOBS '$jobs_max' is not a count (1..99)" >&2; exit 2; }
names=() kerns=() cpus=() skip=
# add_runs CPU KERNELS SUITE...: each SUITE (a name in tests/vm/suites/,
# or a path) on each of KERNELS, on CPU's bench.
add_runs() {
	local cpu=$1 ks=$2 kernel d
	shift 2
	for kernel in $ks; do
		for d in "$@"; do
			case " $skip " in *" $kernel:$(basename "$d" .sh) "*) continue ;; esac
			case $d in */*) ;; *) d=$top/tests/vm/suites/$d.sh ;; esac
			names+=("$d")
			kerns+=("$kernel")
			cpus+=("$cpu")
		done
	done
}
# The longest runs first, so that two at a time end together.
if [ $# = 0 ] && [ -z "${KVM_LSTAR_KERNELS:-}" ]; then
	# shellcheck disable=SC2086 # lists of suite names
	add_runs intel "$intel_kernels" $intel_suites
	# shellcheck disable=SC2086
	add_runs intel "$intel_more_kernels" $intel_more_suites
	# shellcheck disable=SC2086
	add_runs amd debug $debug_suites
	for c in $debug_covers; do
		case " $debug_suites " in *" ${c#*:} "*) skip="$skip $c" ;; esac
	done
fi
# KVM_LSTAR_POOL_MAKE: make targets run as one more run each ("make:TARGET"),
# beside the suites (make check: bench-check, whose VM boots build under
# the same lock as the suites' do).
for target in ${KVM_LSTAR_POOL_MAKE:-}; do
	names+=("make:$target")
	kerns+=("$kernel")
	cpus+=(amd)
done
add_runs amd "$kernels" "${suites[@]}"
# Host programs that drive a bench run themselves ("host:PATH", run with
# --kernel): gdb on a nested guest's gdbstub, once, on the first kernel.
if [ $# = 0 ] && [ -z "${KVM_LSTAR_KERNELS:-}" ] && [ -n "$gdb_proof" ]; then
	names+=("host:$top/tests/vm/gdb-proof.sh")
	kerns+=("$kernel")
	cpus+=(amd)
fi
# The AMD runs that TCG stalled most (see suite_run; KVM_LSTAR_EARLY, KERNEL:SUITE
# pairs) start first: a stalled run is run again while the others go on,
# not alone at the end.
early=${KVM_LSTAR_EARLY-7.2:linux}
if [ -n "$early" ]; then
	first=() rest=()
	for i in "${!names[@]}"; do
		case " $early " in
		*" ${kerns[$i]}:$(basename "${names[$i]}" .sh) "*) [ "${cpus[$i]}" = amd ] && first+=("$i") && continue ;;
		esac
		rest+=("$i")
	done
	n2=() k2=() c2=()
	for i in "${first[@]}" "${rest[@]}"; do
		n2+=("${names[$i]}")
		k2+=("${kerns[$i]}")
		c2+=("${cpus[$i]}")
	done
	names=("${n2[@]}") kerns=("${k2[@]}") cpus=("${c2[@]}")
fi
# The lab host (tests/host/host-test.sh, make host-test): the packages
# built by make deb, installed and booted with systemd and libvirt.  The
# longest run: it goes first.
host_test=${KVM_LSTAR_HOST_TEST-1}
if [ $# = 0 ] && [ -z "${KVM_LSTAR_KERNELS:-}" ] && [ -n "$host_test" ]; then
	version=$(sed -n 's/^VERSION[[:space:]]*:=[[:space:]]*//p' "$top/Makefile")
	O=${O:-build}
	case $O in /*) debdir=$O/deb ;; *) debdir=$top/$O/deb ;; esac
	if ls "$debdir/kvm-lstar-dkms_$version"-*.deb >/dev/null 2>&1; then
		names=("host:$top/tests/host/host-test.sh" "${names[@]}")
		kerns=(6.1 "${kerns[@]}")
		cpus=(amd "${cpus[@]}")
	else
		echo "== host-test: not run, no packages in $debdir (make deb; make check builds them)"
	fi
fi
shown=0
# show_done: print, in order, the runs that have ended and were not shown.
show_done() {
	local name
	while [ "$shown" -lt "${#names[@]}" ] && [ -f "$tmp/$shown.rc" ]; do
		name=${names[$shown]#make:}
		name=$(basename "${name#host:}" .sh)
		where="kernel ${kerns[$shown]}"
		[ "${cpus[$shown]}" = amd ] || where="$where, ${cpus[$shown]}"
		echo "== suite $name ($where)"
		cat "$tmp/$shown.out"
		rc=$(cat "$tmp/$shown.rc")
		[ -f "$tmp/$shown.retried" ] && retried=$((retried + 1))
		before=$failed
		tally "$tmp/$shown.out"
		if [ "$rc" != 0 ] && [ "$failed" = "$before" ]; then
			failed=$((failed + 1))
			echo "FAIL: suite $name ($where): bench exit $rc"
		fi
		echo "== suite $name ($where): exit $rc in $(cat "$tmp/$shown.secs")s"
		shown=$((shown + 1))
	done
}
for i in "${!names[@]}"; do
	while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do
		wait -n
		show_done
	done
	suite_run "$i" "${kerns[$i]}" "${cpus[$i]}" "${names[$i]}" &
done
wait
show_done
[ "$retried" = 0 ] || echo "vm: $retried suite run(s) repeated after the VM stopped scheduling (see above)"
echo "vm: $pass passed, $failed failed"
[ "$failed" = 0 ]
