#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/bench/vm-bench.sh [--quick] [--flood | --vmx | --icount] [--prove-faults] [--fault STEP]:
# the part of `make bench` that runs inside the VM bench (tests/bench/bench.sh
# boots it):
#   1. cost per VM exit: one VM making CPUID exits in segments, kvm_lstar
#      loaded and unloaded between them (and, first, a switch that changes
#      nothing: the method's own noise);
#   2. capture to notification: kvm-lstar watch vs KVM_GET_MSRS polling at
#      100 ms and 1 ms;
#   3. scale: 64 VMs x 64 parked vCPUs (4096 live records): dump time,
#      module memory per record, per-exit cost with them live.
# With --flood, only this, in a boot of its own:
#   5. under a flood: 65536 records of root's (the module's test build makes
#      them: test_fill), one VM making CPUID exits on CPU 0, and an
#      unprivileged client sending STATUS, GET and dump requests on CPU 1,
#      or not, in turn.  It needs 2 CPUs (tests/vm/run --smp 2 --online 1):
#      on one, a flood could only take CPU time, never make an exit wait
#      for it.  CPU 1 is online only while the exits VM exists: QEMU 7.2's
#      multi-threaded TCG can hang a vCPU on a stale translation of kernel
#      text the other vCPU patched, as making and destroying VMs and loading
#      modules do (a run hung so in kvm_destroy_vm with both online).
# With --vmx, only this, in a boot of its own on the Intel bench (Bochs):
#   6. cost per VM exit on VMX: step 1's method with kvm-intel, where the
#      module's exit probe has no sample to take and LSTAR is intercepted.
# With --icount, only this, in a boot of its own whose clock counts
# instructions (tests/vm/run --icount), the method of record for exit costs:
#   7. step 1's switches, where a segment's rate is exits per 10^9 guest
#      instructions: the null switch, kvm_lstar loaded against unloaded,
#      and the BPF peer (tests/bench/bpf/lstar-peer.bpf.c, what a user
#      would write instead of the module) against nothing and against
#      kvm_lstar; first it checks that the peer captures the guest's LSTAR,
#      the value kvm_lstar records.
# Prints "RESULT NAME=NUMBER" and "INFO NAME=TEXT" lines for bench.sh's
# table, and progress lines.  Any step that fails ends the script with a
# "vm-bench: FAIL: ..." line and exit 1: no partial result is passed off
# as a measurement.
#
#   --quick         tiny sizes, same code paths (make bench-check)
#   --fault STEP    make STEP's inner command fail, to prove that the bench
#                   then fails: exits (lstar-bench exits refuses its arguments),
#                   latency (the watch client exits), scale (lstar-bench
#                   many refuses its arguments), dump (fewer records than
#                   expected), flood (the flood client exits at once), peer
#                   (the BPF peer's map is emptied before it is compared)
#   --prove-faults  after the measurements, run this script again with
#                   each --fault (quick sizes) and check that each fails
set -u
quick=0 fault='' prove=0 flood=0 vmx=0 icount=0
while [ $# -gt 0 ]; do
	case $1 in
	--quick) quick=1; shift ;;
	--flood) flood=1; shift ;;
	--vmx) vmx=1; shift ;;
	--icount) icount=1; shift ;;
	--prove-faults) prove=1; shift ;;
	--fault) fault=${2:?}; shift 2 ;;
	*) echo "vm-bench: unknown argument '$1'" >&2; exit 2 ;;
	esac
done

# Exit cost: segments of SEG_MS ms of exits, SETTLE_MS after each switch,
# until STEADY comparisons whose neighbours agree within TOL percent (at
# most SEGS segments).
if [ $quick = 1 ]; then
	SEGS=9 STEADY=3 TOL=100 SEG_MS=50 SETTLE_MS=100
	# 256 records: fewer would drown in the slab noise (~20 KB)
	LAT_N=20 FEP_N=10 POLL100_N=4 POLL1_N=20 VMS=4 VCPUS=64 DUMPS=3 BYTES_REPS=1
	FILL=256 FLOOD_STEADY=3
else
	SEGS=121 STEADY=15 TOL=3 SEG_MS=400 SETTLE_MS=500
	LAT_N=300 FEP_N=150 POLL100_N=100 POLL1_N=300 VMS=64 VCPUS=64 DUMPS=11 BYTES_REPS=3
	FILL=65536 FLOOD_STEADY=25
fi
NREC=$((VMS * VCPUS))

t=/tmp/vm-bench.$$	# one per run: the --prove-faults runs nest
rm -rf $t
mkdir -p $t || exit 1

fail() {
	echo "vm-bench: FAIL: $*" >&2
	exit 1
}
result() {
	case $2 in
	''|*[!0-9.]*|*.*.*) fail "result $1 is not a number: '$2'" ;;
	esac
	echo "RESULT $1=$2"
}
info() { echo "INFO $1=$2"; }

# kv KEY LINE: the value of KEY=VALUE in a line of lstar-bench's output.
kv() {
	local v
	v=$(printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p" | head -n1)
	[ -n "$v" ] || fail "no $1= in: $2"
	echo "$v"
}

# median X...: the median of numbers; ratio A B: A/B.
median() {
	printf '%s\n' "$@" | awk '
		{ v[NR] = $1 + 0 }
		END {
			if (NR == 0) exit 1
			for (i = 2; i <= NR; i++)
				for (j = i; j > 1 && v[j - 1] > v[j]; j--) {
					x = v[j]; v[j] = v[j - 1]; v[j - 1] = x
				}
			m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
			printf "%.4f\n", m
		}'
}
minmax() {
	printf '%s\n' "$@" | awk 'NR == 1 { lo = hi = $1 + 0 }
		{ if ($1 + 0 < lo) lo = $1 + 0; if ($1 + 0 > hi) hi = $1 + 0 }
		END { printf "%.3f..%.3f\n", lo, hi }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.4f\n", a / b }'; }

loaded() { [ -d /sys/module/kvm_lstar ]; }
module_on() {
	loaded || /sbin/modprobe kvm_lstar || fail "modprobe kvm_lstar failed"
	kvm-lstar status >/dev/null || fail "kvm-lstar status fails after loading the module"
}
module_off() {
	if loaded; then
		/sbin/modprobe -r kvm_lstar || fail "modprobe -r kvm_lstar failed"
	fi
	! kvm-lstar status >/dev/null 2>&1 || fail "the module still answers after unloading"
}
# count_records: nrec = the records the module holds now.
count_records() {
	nrec=$(kvm-lstar status --json | jq -e .records) ||
		fail "kvm-lstar status --json failed"
}

# exits NAME ON OFF [ARGS...]: the exit benchmark, one VM in one process
# making CPUID exits in segments, with the shell command OFF, ON, OFF, ...
# run between them (untimed); each segment against the mean of its
# neighbours when those agree (the host's load was steady), median of
# those: NAME = on/off, NAME_iqr (their spread), NAME_steady (how many).
# ARGS go to lstar-bench exits.
exits() {
	local name=$1 on=$2 off=$3 out extra=
	shift 3
	[ "$fault" = exits ] && extra="--chunk 0"
	# shellcheck disable=SC2086
	out=$(lstar-bench exits --segments $SEGS --steady $STEADY --tolerance $TOL \
		--segment-ms $SEG_MS --settle-ms $SETTLE_MS --on "$on" --off "$off" $extra "$@" 2>&1) ||
		fail "lstar-bench exits ($name) failed: $out"
	printf '%s\n' "$out" | sed 's/^/  /'
	result "$name" "$(kv ratio "$out")"
	info "${name}_iqr" "$(kv ratio_p25 "$out")..$(kv ratio_p75 "$out")"
	info "${name}_steady" "$(kv steady "$out")/$(kv segments "$out")"
	rate_on=$(kv rate_on "$out") rate_off=$(kv rate_off "$out")
}

# Kernel slab memory in use, in bytes, after flushing the per-CPU caches.
slab_bytes() {
	local s
	for s in /sys/kernel/slab/*/shrink; do
		echo 1 >"$s" 2>/dev/null
	done
	awk 'NR > 2 { sum += $2 * $4 } END { printf "%d\n", sum }' /proc/slabinfo
}

memavail_kb() { awk '/^MemAvailable:/ { print $2 }' /proc/meminfo; }

# prove_faults STEP...: run this script again with each STEP's fault, at
# quick sizes, and check that each run fails as it must.
prove_faults() {
	local s rc why args=(--quick)
	[ $flood = 1 ] && args+=(--flood)
	[ $vmx = 1 ] && args+=(--vmx)
	[ $icount = 1 ] && args+=(--icount)
	echo "== each step, with its inner command failing, must fail the bench"
	for s in "$@"; do
		timeout 90 bash "$0" "${args[@]}" --fault "$s" >$t/fault-$s.out 2>&1
		rc=$?
		why=$(grep -m1 '^vm-bench: FAIL' $t/fault-$s.out)
		if [ $rc = 1 ] && [ -n "$why" ] && ! grep -q '^vm-bench: done' $t/fault-$s.out; then
			echo "  --fault $s: exit 1 ($why)"
		else
			fail "--fault $s: exit $rc, not the failure it must be: $(tail -n 5 $t/fault-$s.out)"
		fi
	done
	module_on
}

info vm_kernel "$(uname -r)"
# All its CPUs, online or not (the flood boot starts with CPU 1 offline).
cpus=(/sys/devices/system/cpu/cpu[0-9]*)
info vm_cpus "${#cpus[@]}"
info vm_mem_mb "$(awk '/^MemTotal:/ { printf "%d", $2 / 1024 }' /proc/meminfo)"
info vm_cpu "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)"

# ---- 5. under a flood (--flood: a boot of its own) ----------------------------
# The flood client runs in the background between the segments that have
# it: flood-on.sh starts it on CPU 1, flood-off.sh checks that it is still
# running (a client that failed fails the bench) and stops it; each client
# writes one summary line to flood.out when stopped.
flood_step() {
	local par=/sys/module/kvm_lstar/parameters max0 get_vm tool=lstar-bench n
	local cpu1=/sys/devices/system/cpu/cpu1/online
	[ -e $cpu1 ] || fail "the flood step needs 2 CPUs (tests/vm/run --smp 2 --online 1)"
	[ "$(cat $cpu1)" = 0 ] || echo 0 >$cpu1 || fail "cannot take CPU 1 offline"
	module_on
	[ -f $par/test_fill ] ||
		fail "kvm_lstar has no test_fill parameter: the flood step needs its test build (KVM_LSTAR_SELFTEST=1)"
	echo "== 5. under a flood: $FILL records of root's; CPUID exits on CPU 0, an unprivileged"
	echo "  client's STATUS, GET and dump requests on CPU 1, or not, in turn"
	kvm-lstar clear >/dev/null || fail "kvm-lstar clear failed"
	max0=$(cat $par/max_records)
	echo $((FILL + 64)) >$par/max_records || fail "cannot raise max_records to $((FILL + 64))"
	echo $FILL >$par/test_fill ||
		fail "test_fill=$FILL failed: $(dmesg | grep test_fill | tail -n1)"
	count_records
	[ "$nrec" = $FILL ] || fail "$nrec records after test_fill=$FILL, expected $FILL"
	# A VM of root's for the GETs: there, but not the flooding user's.
	get_vm=$(kvm-lstar list --json | head -n1 | jq -e .vm) || fail "kvm-lstar list --json failed"
	[ "$fault" = flood ] && tool=false
	# flood.sh MODE: stop the client running (which must still be: one
	# that failed fails the bench), then start MODE's: flood (the
	# requests), null (the same loop, no request) or none.
	cat >$t/flood.sh <<-EOF
	if [ -f $t/flood.pid ]; then
		p=\$(cat $t/flood.pid)
		rm -f $t/flood.pid
		if ! kill -0 \$p 2>/dev/null; then
			echo "the flood client exited early: \$(tail -n 3 $t/flood.out)" >&2
			exit 1
		fi
		kill -TERM \$p
		i=0
		while kill -0 \$p 2>/dev/null; do
			i=\$((i + 1))
			[ \$i -gt 200 ] && { echo "the flood client does not stop" >&2; exit 1; }
			sleep 0.05
		done
	fi
	case \$1 in
	flood) $tool flood --cpu 1 --uid 65534 --get-vm $get_vm >>$t/flood.out 2>&1 & ;;
	null) lstar-bench flood --null --cpu 1 --uid 65534 >>$t/flood.out 2>&1 & ;;
	*) exit 0 ;;
	esac
	echo \$! >$t/flood.pid
	EOF
	: >$t/flood.out
	# The median chunk, not the fastest decile: a wait that the flood
	# caused now and then must show.  No settling pause: the switch is a
	# process start and stop, and a pause (CPU 0 idle) seemed to flip
	# multi-threaded TCG between a fast and a slow speed (about 24000 and
	# 15000 exits/s, null and flood segments alike), which more steady
	# comparisons then outvote.
	exits exit_ratio_under_flood "sh $t/flood.sh flood" "sh $t/flood.sh null" \
		--cpu 0 --percentile 50 --settle-ms 0 --steady $FLOOD_STEADY \
		--setup "echo 1 >$cpu1 && sleep 1" --teardown "sh $t/flood.sh none && echo 0 >$cpu1"
	n=$(grep -c '^flood uid=65534 requests=[1-9]' $t/flood.out)
	[ "$n" -ge 1 ] || fail "no flood client ran a whole segment: $(tail -n 3 $t/flood.out)"
	if grep -Ev '^flood uid=65534 (requests|null loops)=[1-9]' $t/flood.out | grep -q .; then
		fail "the flood client said: $(grep -Ev '^flood uid=65534 (requests|null loops)=[1-9]' $t/flood.out | head -n 3)"
	fi
	result flood_requests_per_s "$(awk '{
			for (i = 1; i <= NF; i++) {
				if ($i ~ /^requests=/) { sub(/^requests=/, "", $i); n += $i; f = 1 }
				if (f && $i ~ /^seconds=/) { sub(/^seconds=/, "", $i); s += $i }
			}
			f = 0
		} END { printf "%.0f", n / s }' $t/flood.out)"
	result flood_records "$FILL"
	info flood_segments "$n"
	kvm-lstar clear >/dev/null || fail "kvm-lstar clear failed"
	echo "$max0" >$par/max_records || fail "cannot set max_records back to $max0"
	[ $prove = 1 ] && prove_faults flood
	echo "vm-bench: done"
	exit 0
}
[ $flood = 1 ] && flood_step

# ---- 6. cost per VM exit on VMX (--vmx: a boot of its own, on Bochs) ----------
# Bochs' clock counts instructions, so a segment's rate is in instructions,
# not in host time: steal time and frequency do not move it.
if [ $vmx = 1 ]; then
	grep -qw vmx /proc/cpuinfo || fail "--vmx needs the Intel bench (tests/vm/run --cpu intel)"
	module_on
	echo "== 6. cost per VM exit on VMX: segments of $SEG_MS ms of CPUID exits, $STEADY steady comparisons"
	exits exit_null_ratio_vmx true true
	exits exit_ratio_vmx "/sbin/modprobe kvm_lstar" "/sbin/modprobe -r kvm_lstar"
	result exit_rate_vmx_loaded "$rate_on"
	result exit_rate_vmx_unloaded "$rate_off"
	module_on
	[ $prove = 1 ] && prove_faults exits
	echo "vm-bench: done"
	exit 0
fi

# ---- 7. cost per VM exit in instructions (--icount: a boot of its own) ---------
# The switches are idempotent: lstar-bench runs OFF once more at the end.
peer_dir=/sys/fs/bpf/kvm-lstar-peer
peer_on="[ -e $peer_dir/link ] || lstar-peer attach /usr/share/kvm-lstar/lstar-peer.bpf.o $peer_dir"
peer_off="[ ! -e $peer_dir/link ] || lstar-peer detach $peer_dir"
mod_on="/sbin/modprobe kvm_lstar"
mod_off="/sbin/modprobe -r kvm_lstar"

# peer_check: the BPF peer and kvm_lstar both watch one VM's exits; the
# peer's map must hold the LSTAR kvm_lstar recorded for its vCPU, or its
# cost would be the cost of a program that does not do the job.
peer_check() {
	local want got out
	lstar-peer forget $peer_dir 2>/dev/null
	module_on
	kvm-lstar clear >/dev/null || fail "kvm-lstar clear failed"
	sh -c "$peer_on" || fail "cannot attach the BPF peer"
	out=$(lstar-bench exits --count 2000 2>&1) || fail "lstar-bench exits failed: $out"
	sh -c "$peer_off" || fail "cannot detach the BPF peer"
	want=$(kvm-lstar list --json | jq -r .lstar | sort -u)
	[ "$fault" = peer ] && { lstar-peer forget $peer_dir; sh -c "$peer_on && $peer_off"; }
	got=$(lstar-peer dump $peer_dir | sed -n 's/.* lstar=//p' | sort -u)
	lstar-peer forget $peer_dir || fail "cannot unpin the BPF peer's map"
	[ -n "$want" ] && [ "$want" != 0x0 ] || fail "kvm_lstar recorded no LSTAR for the exits VM: '$want'"
	[ "$got" = "$want" ] || fail "the BPF peer captured '$got', kvm_lstar recorded '$want'"
	echo "  the BPF peer and kvm_lstar both captured LSTAR $want"
	info peer_lstar "$want"
}

if [ $icount = 1 ]; then
	grep -qw svm /proc/cpuinfo || fail "--icount needs the AMD bench (tests/vm/run --icount)"
	grep -q "^[^ ]* /sys/fs/bpf bpf " /proc/mounts || mount -t bpf bpf /sys/fs/bpf ||
		fail "cannot mount the bpf file system on /sys/fs/bpf"
	mkdir -p $peer_dir || fail "cannot make $peer_dir"
	echo "== 7. cost per VM exit in instructions: the clock counts them, segments of $SEG_MS ms"
	info exit_segment_ms "$SEG_MS"
	peer_check
	module_on
	exits exit_null_ratio true true
	exits exit_ratio "$mod_on" "$mod_off"
	result exit_rate_loaded "$rate_on"
	result exit_rate_unloaded "$rate_off"
	exits exit_ratio_bpf "$peer_on" "$peer_off"
	result exit_rate_bpf "$rate_on"
	exits exit_ratio_vs_bpf "$peer_off; $mod_on" "$mod_off; $peer_on"
	sh -c "$peer_off" || fail "cannot detach the BPF peer"
	lstar-peer forget $peer_dir || fail "cannot unpin the BPF peer's map"
	module_on
	[ $prove = 1 ] && prove_faults exits peer
	echo "vm-bench: done"
	exit 0
fi

info scale_vms "$VMS"
info scale_vcpus "$VCPUS"
module_on

# ---- 1. cost per VM exit, wall clock ----------------------------------------
echo "== 1. cost per VM exit (wall clock): segments of $SEG_MS ms of CPUID exits, $STEADY steady comparisons"
echo "  first a switch that changes nothing (the method's own noise), then kvm_lstar"
echo "  unloaded and loaded in turn"
exits exit_null_ratio_wall true true
exits exit_ratio_wall "$mod_on" "$mod_off"
result exit_rate_wall_loaded "$rate_on"
result exit_rate_wall_unloaded "$rate_off"
module_on
info exit_segment_ms "$SEG_MS"

# ---- 2. capture to notification ----------------------------------------------
echo "== 2. capture to notification: guest WRMSR LSTAR to the client learning the value"
kvm-lstar clear >/dev/null || fail "kvm-lstar clear failed"
watch_tool=kvm-lstar
[ "$fault" = latency ] && watch_tool=false

# latency NAME ARGS...: one lstar-bench latency run; results NAME_p50_us...
latency() {
	local name=$1 out k
	shift
	out=$(lstar-bench latency "$@" 2>&1) || fail "lstar-bench latency $*: $out"
	echo "  $out"
	for k in p50_us p90_us p99_us max_us; do
		result "${name}_$k" "$(kv $k "$out")"
	done
	if [ "${name#event}" != "$name" ]; then
		for k in cap_p50_us cap_p99_us notify_p50_us notify_p99_us; do
			result "${name}_$k" "$(kv $k "$out")"
		done
	fi
	result "${name}_n" "$(kv n "$out")"
}
# The watch runs space their captures out: each is two events of one record
# (the capture, and the reset that readies the next), and a record sends 16
# events a second at most; past that they merge and wait up to a second
# (the budget, a promise of its own).  135 ms apart, 8 captures make 16.
latency event_latency --client watch --count $LAT_N --gap-ms 135:165 --kvm-lstar $watch_tool
latency event_latency_intercept --client watch --fep --count $FEP_N --gap-ms 135:165
latency poll100ms_latency --client poll --poll-ms 100 --count $POLL100_N
latency poll1ms_latency --client poll --poll-ms 1 --count $POLL1_N

# ---- 3. scale -----------------------------------------------------------------
echo "== 3. scale: $VMS VMs x $VCPUS vCPUs = $NREC live records"
kvm-lstar clear >/dev/null || fail "kvm-lstar clear failed"
mem0=$(memavail_kb)
many_args="--vms $VMS --vcpus $VCPUS"
[ "$fault" = scale ] && many_args="--vms $VMS --vcpus 65"
mkfifo $t/ctl || fail "mkfifo $t/ctl failed"
# shellcheck disable=SC2086
lstar-bench many $many_args <$t/ctl >$t/many.out 2>&1 &
many=$!
exec 3>$t/ctl
trap 'exec 3>&-; kill $many 2>/dev/null; rm -rf $t' EXIT

# wait_line PATTERN COUNT: until many.out holds COUNT lines matching PATTERN.
wait_line() {
	local i=0
	while [ "$(grep -c "$1" $t/many.out)" -lt "$2" ]; do
		kill -0 $many 2>/dev/null || fail "lstar-bench many exited: $(cat $t/many.out)"
		i=$((i + 1))
		[ $i -gt 6000 ] && fail "lstar-bench many: no '$1' after 600 s: $(cat $t/many.out)"
		sleep 0.1
	done
}
# touch.sh: one more exit for every parked vCPU, so that all the records
# exist again (after a reload or a clear), checked.  (Opening the FIFO
# would block for good once lstar-bench many is gone: check, and bound it.)
cat >$t/touch.sh <<EOF
gone() { echo "touch.sh: lstar-bench many is gone: \$(cat $t/many.out)" >&2; exit 1; }
kill -0 $many 2>/dev/null || gone
n=\$(grep -c '^TOUCHED' $t/many.out)
timeout 30 sh -c 'echo touch >$t/ctl' || gone
i=0
while [ "\$(grep -c '^TOUCHED' $t/many.out)" -le "\$n" ]; do
	kill -0 $many 2>/dev/null || gone
	i=\$((i + 1))
	[ \$i -gt 6000 ] && { echo "touch.sh: no TOUCHED after 300 s" >&2; exit 1; }
	sleep 0.05
done
r=\$(kvm-lstar status --json | jq -e .records) || exit 1
[ "\$r" -ge $NREC ] || { echo "touch.sh: \$r records after a touch, expected $NREC" >&2; exit 1; }
EOF
touch_all() {
	sh $t/touch.sh || fail "touching the parked vCPUs failed"
	sleep 0.5	# let the capture events drain
}

wait_line '^READY' 1
echo "  $(grep '^READY' $t/many.out)"
count_records
[ "$nrec" -ge $NREC ] || fail "$nrec records live, expected $NREC"
mem1=$(memavail_kb)
result scale_records "$nrec"
result kvm_kb_per_vcpu "$(awk -v a="$mem0" -v b="$mem1" -v n=$NREC 'BEGIN { printf "%.1f", (a - b) / n }')"

expect=$NREC
[ "$fault" = dump ] && expect=$((NREC * 2))
echo "  dump: all records through libkvmlstar, $DUMPS times"
out=$(lstar-bench dump --repeat $DUMPS --expect $expect 2>&1) || fail "lstar-bench dump: $out"
echo "  $out"
result dump4096_ms "$(kv p50_ms "$out")"

# ms_of CMD...: wall-clock milliseconds of one run of CMD, output to $t/cmd.out.
ms_of() {
	local t0 t1
	t0=$EPOCHREALTIME
	"$@" >$t/cmd.out || fail "$* failed"
	t1=$EPOCHREALTIME
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f\n", (b - a) * 1000 }'
}
echo "  the CLI: kvm-lstar list --json vs kvm-lstar status --json (start-up), $DUMPS times each"
list=() status=()
for k in $(seq 1 $DUMPS); do
	status+=("$(ms_of kvm-lstar status --json)") || exit 1
	list+=("$(ms_of kvm-lstar list --json)") || exit 1
	lines=$(wc -l <$t/cmd.out)
	[ "$lines" -ge $expect ] || fail "kvm-lstar list printed $lines records, expected $expect"
done
echo "  list (ms): ${list[*]}"
echo "  status (ms): ${status[*]}"
result list4096_ms "$(median "${list[@]}" | awk '{ printf "%.1f", $1 }')"
result cli_startup_ms "$(median "${status[@]}" | awk '{ printf "%.1f", $1 }')"

echo "  memory: slab bytes with the records, then after 'kvm-lstar clear'"
per=()
for k in $(seq 1 $BYTES_REPS); do
	[ "$k" -gt 1 ] && touch_all
	count_records
	n1=$nrec
	s1=$(slab_bytes)
	kvm-lstar clear >/dev/null || fail "kvm-lstar clear failed"
	sleep 2		# records are freed after an RCU grace period
	count_records
	n0=$nrec
	s0=$(slab_bytes)
	[ $((n1 - n0)) -ge $NREC ] || fail "clear dropped $((n1 - n0)) records, expected $NREC"
	b=$(awk -v a="$s1" -v b="$s0" -v n=$((n1 - n0)) 'BEGIN { printf "%.1f", (a - b) / n }')
	echo "  $((n1 - n0)) records: slab $s1 -> $s0 bytes, $b bytes per record"
	per+=("$b")
done
result record_bytes "$(median "${per[@]}" | awk '{ printf "%.1f", $1 }')"
info module_core_bytes "$(awk '$1 == "kvm_lstar" { print $2 }' /proc/modules)"

echo "== 3. per-exit cost with $NREC records live"
echo "  $NREC records live vs unloaded, then $NREC records vs none (cleared)"
exits exit_ratio_4096 "/sbin/modprobe kvm_lstar && sh $t/touch.sh" "/sbin/modprobe -r kvm_lstar"
module_on
exits exit_growth_4096 "sh $t/touch.sh" "kvm-lstar clear >/dev/null"

echo quit >&3
wait $many || fail "lstar-bench many failed: $(cat $t/many.out)"
exec 3>&-
trap 'rm -rf $t' EXIT

[ $prove = 1 ] && prove_faults exits latency scale dump
echo "vm-bench: done"
