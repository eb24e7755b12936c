#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/vm/suites/linux.sh: the end-to-end proof.  A real QEMU boots a real
# Debian kernel with KASLR as a nested KVM guest; kvm-lstar kaslr, from the
# module's record and the guest kernel's link-time map, must equal the
# offset the guest itself reports (its own /proc/kallsyms), on every vCPU.
# bpftrace on the stock kvm:kvm_msr tracepoint counts beside the module.
# On Intel (tests/vm/run --cpu intel) a nested boot takes about two minutes
# under Bochs: one KASLR boot (and the reboot's two), the default guest
# kernel only, no nokaslr boot.
#
# bench-needs: bpftrace
# bench-guest-kernels: 6.1 6.12 7.2
set -u
t=/tmp/linux
mkdir -p $t
# shellcheck source=tests/vm/lib.sh
. /bench/lib.sh
map=/usr/share/kvm-lstar/guest.map
link=0x$(awk '$3 == "entry_SYSCALL_64" { print $1 }' $map)

# hexsub A B: A - B as 0x hex.
hexsub() { printf '0x%x' $(($1 - $2)); }

# boot_fields LINE: sets entry, compat, sysenter (the guest's own run-time
# entry_SYSCALL_64, entry_SYSCALL_compat, entry_SYSENTER_compat) and qpid
# from a GUEST-BOOT line.
boot_fields() {
	entry=$(echo "$1" | sed -n 's/.*entry_SYSCALL_64=\(0x[0-9a-f]*\).*/\1/p')
	compat=$(echo "$1" | sed -n 's/.*entry_SYSCALL_compat=\(0x[0-9a-f]*\).*/\1/p')
	sysenter=$(echo "$1" | sed -n 's/.*entry_SYSENTER_compat=\(0x[0-9a-f]*\).*/\1/p')
	qpid=$(echo "$1" | sed -n 's/.* pid=\([0-9]*\).*/\1/p')
}

# check_kaslr NAME WANT-OFFSET VCPU...: kvm-lstar kaslr for each vCPU (with
# the link-time map $kmap, default $map), with
# its three witnesses: each holds the guest's own address of its entry
# point (SYSENTER_EIP in its low half at least, as AMD keeps it), each gives
# the guest's own offset, and together they confirm it.  On Intel, LSTAR
# alone: Linux writes no CSTAR on an Intel-vendor CPU, and VMX passes
# SYSENTER_EIP through (no exit).
check_kaslr() {
	name=$1 want=$2
	shift 2
	for v in "$@"; do
		run kvm-lstar kaslr --pid "$qpid" --vcpu "$v" --system-map "${kmap:-$map}" --json
		check_rc "$name vcpu $v kaslr" 0
		same "$name vcpu $v offset" "$want" "$(echo "$out" | jq -r .offset)"
		if on intel; then
			same "$name vcpu $v on VMX: LSTAR alone, not confirmed" "lstar $want false" \
				"$(echo "$out" | jq -r '"\([.witnesses[].msr] | join(" ")) \([.witnesses[].offset] | join(" ")) \(.confirmed)"')"
			continue
		fi
		same "$name vcpu $v confirmed" true "$(echo "$out" | jq -r .confirmed)"
		same "$name vcpu $v witnesses" "lstar cstar sysenter_eip" \
			"$(echo "$out" | jq -r '[.witnesses[].msr] | join(" ")')"
		same "$name vcpu $v every witness's offset" "$want $want $want" \
			"$(echo "$out" | jq -r '[.witnesses[].offset] | join(" ")')"
		same "$name vcpu $v cstar is the guest's entry_SYSCALL_compat" "$compat" \
			"$(echo "$out" | jq -r '.witnesses[1].value')"
		same "$name vcpu $v sysenter_eip is the guest's entry_SYSENTER_compat" \
			"$(printf '0x%x' $((sysenter & 0xffffffff)))" \
			"$(printf '0x%x' $(($(echo "$out" | jq -r '.witnesses[2].value') & 0xffffffff)))"
	done
}

# bpftrace on the stock kvm:kvm_msr tracepoint, counting guest writes to
# MSR_LSTAR, for comparison with what the module captures.  Its BEGIN runs
# once every probe is attached.  It is stopped by a kill(2) to a pid that
# does not exist (its own probe calls exit()), not by SIGINT: a second
# bpftrace in a row once ignored SIGINT for good on 6.12.
bt_magic=4194000
bt_start() {
	: >$t/bt.out
	bpftrace -e 'BEGIN { printf("ready\n"); }
		tracepoint:kvm:kvm_msr /args->ecx == 0xc0000082 && args->write/ { @w++; }
		tracepoint:syscalls:sys_enter_kill /args->pid == '$bt_magic' && args->sig == 0/ { exit(); }
		END { printf("lstar-writes %d\n", @w); clear(@w); }' >$t/bt.out 2>&1 &
	bt=$!
	i=0
	while ! grep -q '^ready' $t/bt.out && [ $i -lt 240 ]; do sleep 0.5; i=$((i + 1)); done
	grep -q '^ready' $t/bt.out || bad "bpftrace did not start: $(cat $t/bt.out)"
}
bt_stop() {	# sets bt_seen
	i=0
	while kill -0 $bt 2>/dev/null && [ $i -lt 60 ]; do
		kill -0 $bt_magic 2>/dev/null
		sleep 0.5
		i=$((i + 1))
	done
	if kill -0 $bt 2>/dev/null; then
		bad "bpftrace did not stop: $(grep State /proc/$bt/status) wchan $(cat /proc/$bt/wchan)"
		kill -9 $bt
	fi
	wait $bt
	bt_seen=$(sed -n 's/^lstar-writes //p' $t/bt.out)
}

# Five KASLR boots on the 6.1 host, two on the others (for time: each boot
# is one more draw of the guest's offset through the same capture path,
# and the nokaslr, reboot and wait boots below add four more on every
# host).  On Intel one: the reboot below makes two more KASLR boots, and
# each nested boot takes minutes under Bochs.
boots="1 2 3 4 5"
case $(uname -r) in 6.1.*) ;; *) boots="1 2" ;; esac
on intel && boots="1"
nboots=$(echo $boots | wc -w)
echo "== $nboots KASLR boots, 2 vCPUs each (bpftrace on kvm:kvm_msr beside)"
bt_start
captured=0
for n in $boots; do
	run guest-linux --smp 2
	check_rc "boot $n" 0
	boot_fields "$(echo "$out" | grep '^GUEST-BOOT')"
	echo "  boot $n: guest entry_SYSCALL_64 $entry, offset $(hexsub $entry $link)"
	check_kaslr "boot $n" "$(hexsub "$entry" "$link")" 0 1
	captured=$((captured + $(kvm-lstar list --pid "$qpid" --json | jq -r 'select(.lstar != "0x0") | .vcpu' | wc -l)))
done
bt_stop
echo "  $nboots boots x 2 vCPUs: kvm_lstar captured $captured LSTAR values; bpftrace on kvm:kvm_msr saw ${bt_seen:-?} LSTAR writes"
same "kvm_lstar captured every vCPU of every boot" $((2 * nboots)) "$captured"
if on amd; then
	# On AMD, LSTAR is passed through: the guest's WRMSR never exits, so
	# the tracepoint never fires.  That is why the module samples the VMCB.
	same "bpftrace saw no LSTAR write on AMD (passed through)" 0 "${bt_seen:-missing}"
else
	# VMX intercepts each one: the tracepoint the module listens on.
	same "bpftrace saw each vCPU's LSTAR write on VMX (intercepted)" $((2 * nboots)) "${bt_seen:-missing}"
fi
bt_start
run lstar-guest --fep --vcpus 2
check_rc "emulated writes (control)" 0
bt_stop
echo "  control: 2 writes through KVM's emulator; bpftrace saw ${bt_seen:-?}"
same "bpftrace sees emulated LSTAR writes (its probe works)" 2 "${bt_seen:-missing}"

# Guest kernels times host kernels is a product: the guests on the 6.1
# host only (the KASLR boots above prove each host's capture).
gkernels="6.1 6.12 7.2"
case $(uname -r) in 6.1.*) ;; *) gkernels="" ;; esac
on intel && gkernels=""
echo "== every Debian guest kernel, each with its own link-time map"
on intel && echo "  (not on Intel, for time: each nested boot takes two minutes under Bochs)"
[ -z "$gkernels" ] && on amd && echo "  (on the 6.1 host only, for time)"
for gv in $gkernels; do
	run guest-linux --kernel $gv
	check_rc "guest kernel $gv boot" 0
	line=$(echo "$out" | grep '^GUEST-BOOT' | tail -n1)
	boot_fields "$line"
	rel=$(echo "$line" | sed -n 's/.* release=\([^ ]*\).*/\1/p')
	case $rel in
	"$gv".*) ok ;;
	*) bad "guest-linux --kernel $gv booted release '$rel'" ;;
	esac
	kmap=/usr/share/kvm-lstar/guest-$rel.map
	klink=0x$(awk '$3 == "entry_SYSCALL_64" { print $1 }' "$kmap")
	echo "  guest $rel: entry_SYSCALL_64 $entry, offset $(hexsub $entry $klink)"
	check_kaslr "guest $rel" "$(hexsub "$entry" "$klink")" 0
	kmap=
done

echo "== nokaslr gives offset 0"
if on amd; then
	run guest-linux --smp 2 --nokaslr
	check_rc "nokaslr boot" 0
	boot_fields "$(echo "$out" | grep '^GUEST-BOOT')"
	same "nokaslr entry is the link address" "$link" "$entry"
	check_kaslr "nokaslr" 0x0 0 1
else
	# The capture is the KASLR boots' (intercepted); offset 0 is the
	# derivation's, the same on both vendors.
	echo "  (not on Intel, for time: a nested boot takes two minutes under Bochs)"
fi

echo "== a guest reboot: epoch 2, the second boot's offset"
run guest-linux --smp 2 --reboots 1
check_rc "reboot boot" 0
boot_fields "$(echo "$out" | grep '^GUEST-BOOT n=2')"
same "epoch after reboot" 2 "$(kvm-lstar get --pid $qpid --json | jq -r .epoch)"
check_kaslr "second boot" "$(hexsub "$entry" "$link")" 0 1

echo "== wait, started before the guest boots"
# new_qemu OLD: sets qpid to a running QEMU's pid other than OLD (up to 10 s).
new_qemu() {
	i=0
	while [ $i -lt 200 ]; do
		qpid=$(pidof qemu-system-x86_64)
		[ -n "$qpid" ] && [ "$qpid" != "$1" ] && return
		sleep 0.05
		i=$((i + 1))
	done
	qpid=
}
guest-linux --smp 2 --hold 3 >$t/g.out 2>&1 &
gbg=$!
new_qemu ""
run kvm-lstar wait --pid "$qpid" --timeout $((60 * slow)) --json
if [ "$rc" != 0 ]; then
	# A boot stuck in SeaBIOS (TCG) makes guest-linux start a second QEMU
	# after its 90 s guard: wait on that one.
	i=0
	while ! grep -q 'trying once more' $t/g.out && kill -0 $gbg 2>/dev/null && [ $i -lt 120 ]; do
		sleep 1
		i=$((i + 1))
	done
	if grep -q 'trying once more' $t/g.out; then
		echo "  the nested guest stopped in SeaBIOS; waiting on guest-linux's second QEMU"
		new_qemu "$qpid"
		run kvm-lstar wait --pid "$qpid" --timeout $((60 * slow)) --json
	fi
fi
check_rc "wait" 0
waited=$(echo "$out" | jq -r .lstar)
early=$(grep -c GUEST-BOOT $t/g.out)
same "wait returned before the guest's init printed" 0 "$early"
wait $gbg
boot_fields "$(grep '^GUEST-BOOT' $t/g.out)"
same "wait's value is the guest's entry_SYSCALL_64" "$entry" "$waited"
finish
