#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# tests/vm/suites/module.sh: kvm_lstar.ko's capture, records, netlink and
# visibility rules, inside the VM bench (kernel with kvm-amd; the module is
# loaded).  AMD exercises the sample path directly and, through KVM's
# forced-emulation prefix (lstar-guest --fep), the intercept path.
#
#   tests/vm/run tests/vm/suites/module.sh
set -u
t=/tmp/module
mkdir -p $t
chmod 777 $t
. /bench/lib.sh

# guest NAME ARGS...: start lstar-guest in the background, wait for READY;
# sets gpid (its pid) and gbg (the background job's pid).
guest() {
	name=$1
	shift
	lstar-guest "$@" >$t/$name.out 2>&1 &
	gbg=$!
	wait_ready $t/$name.out
	gpid=$(sed -n 's/^READY pid=//p' $t/$name.out)
}

# field PID VCPU KEY: one field of one record, as JSON text.
rfield() {
	kvm-lstar get --pid "$1" --vcpu "$2" --json | jq -r ".$3"
}

echo "== four vCPUs, four values (sample path)"
vals="0xffffffff81e00000 0xffffffff82000000 0xffffffff82200000 0xffffffff82400000"
guest four --vcpus 4 --lstar "$(echo $vals | tr ' ' ,)" --hold 30
run kvm-lstar list --pid "$gpid" --json
check_rc "list four" 0
same "four records" 4 "$(echo "$out" | grep -c .)"
i=0
for v in $vals; do
	same "vcpu $i lstar" "$v" "$(rfield $gpid $i lstar)"
	same "vcpu $i current" "$v" "$(rfield $gpid $i current)"
	same "vcpu $i epoch" 1 "$(rfield $gpid $i epoch)"
	same "vcpu $i writes" 1 "$(rfield $gpid $i writes)"
	same "vcpu $i source" sample "$(rfield $gpid $i source)"
	same "vcpu $i changed" false "$(rfield $gpid $i changed)"
	i=$((i + 1))
done
root_vm=$(rfield $gpid 0 vm)

echo "== visibility: uid 1000 sees its own VM only, root sees both"
su user -c "lstar-guest --lstar 0xffffffff86000000 --hold 30" >$t/user.out 2>&1 &
ubg=$!
wait_ready $t/user.out
upid=$(sed -n 's/^READY pid=//p' $t/user.out)
as_user "kvm-lstar list --json"
check_rc "user list" 0
has "user sees own" "\"pid\": $upid" "$out"
hasnt "user does not see root's" "\"pid\": $gpid" "$out"
as_user "kvm-lstar get --pid $gpid --json"
check_rc "user get root's VM" 1
has "looks just like missing" '"error": "not_found"' "$out"
as_user "kvm-lstar status --json"
same "user status counts own records only" 1 "$(echo "$out" | jq -r .records)"
run kvm-lstar list --json
has "root sees user's" "\"pid\": $upid" "$out"
has "root sees own" "\"pid\": $gpid" "$out"
as_user "kvm-lstar clear --vm $root_vm"
check_rc "user cannot clear" 1
has "clear names the missing capability" "CAP_NET_ADMIN" "$err"
same "root's records intact" 4 "$(kvm-lstar list --pid $gpid --json | grep -c .)"
as_user "nlraw 3"
check_rc "raw clear as user" 1
has "raw clear: EPERM, and a message naming the capability" "errno=1 msg='.*CAP_NET_ADMIN" "$out"

echo "== malformed requests: error and extack, module keeps serving"
expect "unknown attribute" 1 nlraw 2 u32:2=$root_vm u32:60=1
has "unknown attribute message" "msg='.+'" "$out"
expect "wrong length" 1 nlraw 2 u32:2=$root_vm u64:4=0
has "wrong length message" "errno=22 msg='.+'" "$out"
expect "oversize" 1 nlraw 2 big:2=40000
has "oversize message" "errno=22 msg='.+'" "$out"
expect "missing VM" 1 nlraw 2 u32:4=0
has "missing VM message" "missing VM attribute" "$out"
expect "pid on get" 1 nlraw 2 u32:2=$root_vm u32:3=1
has "pid on get message" "PID filters dumps only" "$out"
expect "vm and pid on clear" 1 nlraw 3 u32:2=$root_vm u32:3=1
has "clear both message" "not both" "$out"
expect "attribute on status" 1 nlraw 1 u32:2=1
has "attribute on status message" "STATUS takes no attributes" "$out"
expect "any attribute on status" 1 nlraw 1 u64:25=1
expect "vm 0" 1 nlraw 2 u32:2=0
has "vm 0 message" "msg='.+'" "$out"
expect "unknown command" 1 nlraw 77
expect "status after abuse" 0 kvm-lstar status
same "records intact after abuse" 4 "$(kvm-lstar list --pid $gpid --json | grep -c .)"
kill $ubg $gbg 2>/dev/null
wait_gone $gpid
wait_gone $upid

echo "== rewrite: changed set, first value kept"
expect "rewrite guest" 0 lstar-guest --vcpus 2 --lstar 0xffffffff81e00000 --rewrite 0xffffffff90000000
p=$(sed -n 's/^READY pid=//p' $t/out)
for i in 0 1; do
	same "rewrite vcpu $i lstar" 0xffffffff81e00000 "$(rfield $p $i lstar)"
	same "rewrite vcpu $i current" 0xffffffff90000000 "$(rfield $p $i current)"
	same "rewrite vcpu $i changed" true "$(rfield $p $i changed)"
	same "rewrite vcpu $i writes" 2 "$(rfield $p $i writes)"
	same "rewrite vcpu $i epoch" 1 "$(rfield $p $i epoch)"
done

echo "== reset: epoch 2 with the new value"
expect "reset guest" 0 lstar-guest --vcpus 2 --lstar 0xffffffff81e00000 --reset 0xffffffff84000000
p=$(sed -n 's/^READY pid=//p' $t/out)
for i in 0 1; do
	same "reset vcpu $i epoch" 2 "$(rfield $p $i epoch)"
	same "reset vcpu $i lstar" 0xffffffff84000000 "$(rfield $p $i lstar)"
	same "reset vcpu $i changed" false "$(rfield $p $i changed)"
done

echo "== forced emulation: the intercept path (kvm_msr) and its vCPU mapping"
fvals="0xffffffff81e00000,0xffffffff82000000,0xffffffff82200000"
expect "fep guest" 0 lstar-guest --fep --vcpus 3 --lstar $fvals
p=$(sed -n 's/^READY pid=//p' $t/out)
i=0
for v in $(echo $fvals | tr , ' '); do
	same "fep vcpu $i lstar" "$v" "$(rfield $p $i lstar)"
	same "fep vcpu $i source" intercept "$(rfield $p $i source)"
	i=$((i + 1))
done
expect "fep rewrite+reset guest" 0 lstar-guest --fep --vcpus 2 --lstar 0xffffffff81e00000 \
	--rewrite 0xffffffff90000000 --reset 0xffffffff84000000
p=$(sed -n 's/^READY pid=//p' $t/out)
same "fep reset epoch" 2 "$(rfield $p 1 epoch)"
same "fep reset lstar" 0xffffffff84000000 "$(rfield $p 1 lstar)"
same "fep reset source" intercept "$(rfield $p 1 source)"

echo "== events: capture, change, reset, gone"
kvm-lstar watch --json --count 5 --timeout 60 >$t/events 2>&1 &
wbg=$!
sleep 1
expect "event guest" 0 lstar-guest --lstar 0xffffffff81e00000 --rewrite 0xffffffff90000000 --reset 0xffffffff84000000
p=$(sed -n 's/^READY pid=//p' $t/out)
wait $wbg
same "watch exit" 0 $?
ev=$(jq -r "select(.pid == $p) | .event + \" \" + .lstar + \" \" + .current" $t/events | tr '\n' ';')
same "event sequence" "capture 0xffffffff81e00000 0xffffffff81e00000;change 0xffffffff81e00000 0xffffffff90000000;reset 0xffffffff81e00000 0x0;capture 0xffffffff84000000 0xffffffff84000000;gone 0xffffffff84000000 0xffffffff84000000;" "$ev"
as_user "kvm-lstar watch --count 1 --timeout 1"
check_rc "user may not watch everyone's events" 1

echo "== module loaded after the VM started, unloaded while VMs run"
echo "  (before: $(ps | grep -c lstar-guest) lstar-guest processes)"
run timeout 30 rmmod kvm_lstar
check_rc "rmmod" 0
guest late --vcpus 2 --lstar 0xffffffff8a000000 --hold 6
run timeout 30 modprobe kvm_lstar
check_rc "modprobe while a VM runs" 0
i=0
while [ "$(rfield $gpid 1 epoch 2>/dev/null)" != 1 ] && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
same "late vcpu 0 captured" 0xffffffff8a000000 "$(rfield $gpid 0 lstar)"
same "late vcpu 1 captured" 0xffffffff8a000000 "$(rfield $gpid 1 lstar)"
run timeout 30 rmmod kvm_lstar
check_rc "rmmod while the VM runs" 0
wait $gbg
same "VM survives the unload" 0 $?
run timeout 30 modprobe kvm_lstar
check_rc "modprobe again" 0
run modprobe -r kvm_lstar
check_rc "modprobe -r" 0
same "modprobe -r unloaded it" "" "$(grep '^kvm_lstar ' /proc/modules)"
run modprobe kvm_lstar
check_rc "modprobe after modprobe -r" 0

echo "== a new VM never inherits an old record"
for n in 1 2 3; do
	lstar-guest --vcpus 2 --lstar 0xffffffff8${n}000000 >$t/seq$n.out 2>&1
done
run kvm-lstar list --json
vms=$(echo "$out" | jq -r .vm | sort -u | grep -c .)
same "three VMs, three numbers" 3 "$vms"
same "each VM epoch 1, one write" "" "$(echo "$out" | jq -c 'select(.epoch != 1 or .writes != 1)')"
for n in 1 2 3; do
	p=$(sed -n 's/^READY pid=//p' $t/seq$n.out)
	same "VM $n value" 0xffffffff8${n}000000 "$(rfield $p 0 lstar)"
done

echo "== a real Linux guest (nested KVM, KASLR on, 2 vCPUs)"
run guest-linux --smp 2
check_rc "guest-linux" 0
line=$(echo "$out" | grep '^GUEST-BOOT')
entry=$(echo "$line" | sed -n 's/.*entry_SYSCALL_64=\(0x[0-9a-f]*\).*/\1/p')
qpid=$(echo "$line" | sed -n 's/.* pid=\([0-9]*\).*/\1/p')
for i in 0 1; do
	same "linux vcpu $i lstar = guest's entry_SYSCALL_64" "$entry" "$(rfield $qpid $i lstar)"
done

echo "== dumps while VMs come and go never fail"
# A dump whose records change between its parts ends flagged
# NLM_F_DUMP_INTR; the library takes it (per-record snapshots) instead of
# failing.  Many records make dumps multi-part; nlraw counts the flags.
for i in 1 2; do lstar-guest --vcpus 64 >/dev/null 2>&1; done
# First a quiet one, read 4 kB at a time: each part resumes right after the
# record the last one ended with, and every record comes exactly once.
nlfuzz --dump >$t/qdump 2>&1
read -r _ _ recs _ parts _ intr <$t/qdump
echo "  (quiet dump: $(cat $t/qdump))"
same "a quiet dump lists every record once" "$(kvm-lstar status --json | jq -r .records)" "$recs"
[ "${parts:-0}" -gt 2 ] && ok || bad "the quiet dump came in ${parts:-no} parts, not several"
( for i in $(seq 1 12); do lstar-guest --vcpus 2 >/dev/null 2>&1; done ) &
churn=$!
n=0 fails=0 intr=0
while kill -0 $churn 2>/dev/null; do
	kvm-lstar list --json >/dev/null 2>$t/dumperr || { fails=$((fails + 1)); cat $t/dumperr; }
	intr=$((intr + $(nlraw --dump 2 | grep -c dump-interrupted)))
	n=$((n + 1))
done
wait $churn
echo "  ($n dumps each; nlraw saw $intr interrupted)"
same "kvm-lstar list failures during churn" 0 $fails

echo "== max_records: bounds, eviction of gone VMs"
before=$(cat /sys/module/kvm_lstar/parameters/max_records)
run sh -c 'echo 5 >/sys/module/kvm_lstar/parameters/max_records'
check_rc "max_records=5 rejected" 1
run sh -c 'echo junk >/sys/module/kvm_lstar/parameters/max_records'
check_rc "max_records=junk rejected" 1
same "max_records unchanged" "$before" "$(cat /sys/module/kvm_lstar/parameters/max_records)"
has "the log names the bad value" "max_records=5 rejected" "$(dmesg | tail -n 5)"
echo 16 >/sys/module/kvm_lstar/parameters/max_records
for n in 1 2 3 4 5 6; do
	lstar-guest --vcpus 4 >/dev/null 2>&1
done
sleep 1
run kvm-lstar status --json
check_rc "status" 0
rec=$(echo "$out" | jq -r .records)
[ "$rec" -le 16 ] && ok || bad "records $rec above max_records 16"
[ "$(echo "$out" | jq -r .evictions)" -gt 0 ] && ok || bad "no evictions counted: $out"
echo "$before" >/sys/module/kvm_lstar/parameters/max_records

echo "== libkvmlstar's KVM_GET_MSRS reader on a real KVM vCPU"
run msrread 0xffffffff81e00080
check_rc "msrread" 0
same "msrread value" "lstar 0xffffffff81e00080" "$out"
as_user "msrread 0xffffffff82000080"
check_rc "msrread as uid 1000" 0

echo "== clear"
run kvm-lstar clear
check_rc "clear all" 0
same "nothing left" "" "$(kvm-lstar list --json)"
finish
