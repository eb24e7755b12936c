#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/vm/suites/module.sh: kvm_lstar.ko's capture, records, netlink and
# visibility rules, inside the VM harness (the module is loaded).  AMD
# (kvm-amd) exercises the sample path directly and, through KVM's
# forced-emulation prefix (lstar-guest --fep), the intercept path; Intel
# (kvm-intel, under Bochs) intercepts every LSTAR write, and sees a reboot
# by the new boot's EFER write (lstar-guest --reset makes one).
#
#   tests/vm/run [--cpu intel] tests/vm/suites/module.sh
set -u
t=/tmp/module
mkdir -p $t
chmod 777 $t
# shellcheck source=tests/vm/lib.sh
. /bench/lib.sh

# rfield PID VCPU KEY: one field of one record, as JSON text.
rfield() {
	kvm-lstar get --pid "$1" --vcpu "$2" --json | jq -r ".$3"
}

# rfields PID VCPU KEY...: those fields of one record, space-separated, from
# one get (each command costs seconds on the Intel bench).
rfields() {
	local pid=$1 vcpu=$2 f=
	shift 2
	for k in "$@"; do f="$f\(.$k) "; done
	kvm-lstar get --pid "$pid" --vcpu "$vcpu" --json | jq -r "\"${f% }\""
}

echo "== four vCPUs, four values ($plain path)"
vals="0xffffffff81e00000 0xffffffff82000000 0xffffffff82200000 0xffffffff82400000"
guest four --vcpus 4 --lstar "$(echo $vals | tr ' ' ,)" --hold 30
run kvm-lstar list --pid "$gpid" --json
check_rc "list four" 0
same "four records" 4 "$(echo "$out" | grep -c .)"
i=0
for v in $vals; do
	same "vcpu $i: lstar current epoch writes source changed" "$v $v 1 1 $plain false" \
		"$(rfields $gpid $i lstar current epoch writes source changed)"
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
	same "rewrite vcpu $i: lstar current changed writes epoch" \
		"0xffffffff81e00000 0xffffffff90000000 true 2 1" \
		"$(rfields $p $i lstar current changed writes epoch)"
done

# reset_check NAME PID VCPU NEW: a vCPU after the VMM's reset (KVM_SET_MSRS,
# LSTAR 0) and the new boot (EFER, then NEW): epoch 2 starts with NEW.  AMD's
# sample path sees the 0; on Intel, nothing shows the VMM's write, and the
# boot's EFER write (LME set from outside long mode) ends the epoch.
reset_check() {
	same "$1: epoch 2, the new value, no change" "2 $4 $4 false" \
		"$(kvm-lstar get --pid $2 --vcpu $3 --json | jq -r '"\(.epoch) \(.lstar) \(.current) \(.changed)"')"
}

echo "== reset: the VMM zeroes LSTAR, the guest writes a new one"
expect "reset guest" 0 lstar-guest --vcpus 2 --lstar 0xffffffff81e00000 --reset 0xffffffff84000000
p=$(sed -n 's/^READY pid=//p' $t/out)
for i in 0 1; do
	reset_check "reset vcpu $i" $p $i 0xffffffff84000000
done

echo "== forced emulation: the intercept path (kvm_msr) and its vCPU mapping"
fvals="0xffffffff81e00000,0xffffffff82000000,0xffffffff82200000"
expect "fep guest" 0 lstar-guest --fep --vcpus 3 --lstar $fvals
p=$(sed -n 's/^READY pid=//p' $t/out)
i=0
for v in $(echo $fvals | tr , ' '); do
	same "fep vcpu $i: lstar source" "$v intercept" "$(rfields $p $i lstar source)"
	i=$((i + 1))
done
expect "fep rewrite+reset guest" 0 lstar-guest --fep --vcpus 2 --lstar 0xffffffff81e00000 \
	--rewrite 0xffffffff90000000 --reset 0xffffffff84000000
p=$(sed -n 's/^READY pid=//p' $t/out)
reset_check "fep reset" $p 1 0xffffffff84000000
same "fep reset source" intercept "$(rfield $p 1 source)"

echo "== witnesses: CSTAR and SYSENTER_EIP beside LSTAR, plain and through the FEP"
wl=0xffffffffa4c00080 wc=0xffffffffa4c019b0 ws=0xffffffffa4c018f0
for how in $plain fep; do
	flag='' src=$how wse=$ws
	[ $how = fep ] && flag=--fep src=intercept
	# VMX passes SYSENTER_EIP through (no exit): seen only when emulated.
	on intel && [ $how != fep ] && wse=0x0
	expect "$how witness guest" 0 lstar-guest $flag --vcpus 2 --lstar $wl --cstar $wc --sysenter-eip $ws
	p=$(sed -n 's/^READY pid=//p' $t/out)
	for i in 0 1; do
		# AMD's KVM keeps SYSENTER_EIP's low half, the sampler sees that: no change.
		same "$how vcpu $i: lstar cstar sysenter_eip source, one write, no change" \
			"$wl $wc $wse $src 1 false" \
			"$(rfields $p $i lstar cstar sysenter_eip source writes changed)"
	done
	# A reset zeroes all three (as a VMM's reset does); the new boot writes them again.
	expect "$how witness reset guest" 0 lstar-guest $flag --lstar $wl --cstar $wc --sysenter-eip $ws \
		--reset 0xffffffffa6c00080
	p=$(sed -n 's/^READY pid=//p' $t/out)
	same "$how reset: epoch 2 with its own witnesses, no change" "2 0xffffffffa6c00080 $wc $wse false" \
		"$(kvm-lstar get --pid $p --json | jq -r '"\(.epoch) \(.lstar) \(.cstar) \(.sysenter_eip) \(.changed)"')"
done
# A guest that writes LSTAR alone: the others read "0x0" (not seen).
same "no witnesses: 0x0" "0x0 0x0" "$(kvm-lstar get --pid $gpid --json | jq -r '"\(.cstar) \(.sysenter_eip)"')"

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
if on amd; then
	i=0
	while [ "$(rfield $gpid 1 epoch 2>/dev/null)" != 1 ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	same "late vcpus 0 and 1 captured" "0xffffffff8a000000 0xffffffff8a000000" \
		"$(rfield $gpid 0 lstar) $(rfield $gpid 1 lstar)"
else
	# VMX: the write came before the module, and only writes are seen.
	sleep 1
	for i in 0 1; do
		same "late vcpu $i on VMX: listed, no value (its write preceded the load)" "0 0x0" \
			"$(kvm-lstar get --pid $gpid --vcpu $i --json | jq -r '"\(.epoch) \(.lstar)"')"
	done
fi
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

echo "== a dump takes no VCPU (a get names one record)"
expect "dump with VCPU refused" 1 nlraw --dump 2 u32:4=0
# 6.1 hands a dump's start no extack (6.12 and later do): EINVAL alone there.
case $(uname -r) in
6.1.*) has "dump with VCPU: EINVAL" "errno=22" "$out" ;;
*) has "dump with VCPU: EINVAL, a message naming get" "errno=22 msg='.*get" "$out" ;;
esac

# From here on, VMs of this suite only: the earlier held guests end first.
pkill lstar-guest 2>/dev/null
sleep 1
kvm-lstar clear
param=/sys/module/kvm_lstar/parameters

echo "== one guest's LSTAR flood: budgeted events, the last value still sent, other VMs' captures go out"
lost0=$(kvm-lstar status --json | jq -r .events_lost)
kvm-lstar watch --json --timeout 30 >$t/flood.watch 2>$t/flood.err &
wpid=$!
sleep 1
t0=$(cut -d. -f1 /proc/uptime)
# --hold 3: the VM outlives the flood, so its last value must come in a
# change event (held over the budget, then sent), not in the gone event.
lstar-guest --lstar 0xffffffff81000000 --rewrite 0xffffffff81200000 --flood 3000 --hold 3 \
	>$t/flood.out 2>&1 &
fpid=$!
sleep 0.5
guest during --lstar 0xffffffff8f000000 --hold 2
wait $fpid
rc=$?
secs=$(( $(cut -d. -f1 /proc/uptime) - t0 + 1 ))
check_rc "flood guest" 0
wait $gbg
sleep 1
kill $wpid 2>/dev/null
wait $wpid 2>/dev/null
fev=$(count '.pid == $p' $t/flood.watch --argjson p "$fpid")
echo "  (flood: 6002 values in ${secs}s or less, $fev events; $(grep -c . $t/flood.watch) events in all)"
# 16 a second, in each of the flood's (at most secs+1) one-second windows.
[ "$fev" -ge 1 ] && [ "$fev" -le $((16 * (secs + 1))) ] && ok ||
	bad "flood guest sent $fev events in ${secs}s (16 a second expected)"
[ "$(count '.event == "capture" and .pid == $p and .lstar == "0xffffffff8f000000"' \
	$t/flood.watch --argjson p "$gpid")" -ge 1 ] && ok || bad "the other VM's capture did not come through"
lost=$(( $(kvm-lstar status --json | jq -r .events_lost) - lost0 ))
[ "$lost" -ge $((6002 - 16 * (secs + 1))) ] && ok || bad "events_lost grew by $lost only, for 6002 values in ${secs}s"
same "the flood's record has every value" "6002 true 0xffffffff81200000" \
	"$(kvm-lstar get --pid $fpid --json | jq -r '"\(.writes) \(.changed) \(.current)"')"
same "the flood's last event before gone has its last value" "change 6002 0xffffffff81200000" \
	"$(jq -r --argjson p "$fpid" 'select(.pid == $p and .event != "gone") |
		"\(.event) \(.writes) \(.current)"' $t/flood.watch | tail -n1)"

echo "== watch after lost events: it says so and prints every record as a resync"
# A tiny socket buffer and a stopped watcher: 32 captures cannot all be
# queued.  Before the resync, watch printed the few that were and no more.
rmem=$(cat /proc/sys/net/core/rmem_max)
echo 4096 >/proc/sys/net/core/rmem_max
kvm-lstar watch --json --timeout 60 >$t/rs.watch 2>$t/rs.err &
wpid=$!
sleep 1
echo "$rmem" >/proc/sys/net/core/rmem_max
kill -STOP $wpid
guest resync --vcpus 32 --lstar 0xffffffff8e000000 --hold 3
kill -CONT $wpid
sleep 2
kill $wpid
wait $wpid
same "watch ends cleanly after the resync" 0 $?
has "watch says events were lost" "events were lost.*resync" "$(cat $t/rs.err)"
[ "$(count '.event == "resync" and .pid == $p' $t/rs.watch --argjson p "$gpid")" -ge 1 ] &&
	ok || bad "watch printed no resync event for pid $gpid"
same "every vCPU's capture is in the watch's output" 32 \
	"$(jq -r --argjson p "$gpid" 'select(.pid == $p and .lstar == "0xffffffff8e000000") | .vcpu' $t/rs.watch |
		sort -un | grep -c .)"
wait $gbg

echo "== max_records_per_uid: bounds, one uid cannot fill the table, refusals count vCPUs"
expect "max_records_per_uid=junk rejected" 1 sh -c "echo junk >$param/max_records_per_uid"
expect "max_records_per_uid above 4194304 rejected" 1 sh -c "echo 4194305 >$param/max_records_per_uid"
has "the log names the bad value" "max_records_per_uid=4194305 rejected" "$(dmesg | tail -n 5)"
same "max_records_per_uid unchanged: no limit" 0 "$(cat $param/max_records_per_uid)"
echo 4 >$param/max_records_per_uid
kvm-lstar clear
ref0=$(kvm-lstar status --json | jq -r .refused)
su user -c "lstar-guest --vcpus 4 --hold $((8 * slow))" >$t/q1.out 2>&1 &
q1=$!
wait_ready $t/q1.out
# Three more vCPUs of the same uid, each exiting about 150 times.
as_user "lstar-guest --vcpus 3 --hold 3"
check_rc "uid 1000's second VM runs" 0
st=$(kvm-lstar status --json)
same "refused counts the 3 vCPUs, not their exits" 3 $(( $(echo "$st" | jq -r .refused) - ref0 ))
as_user "kvm-lstar status --json"
same "uid 1000 holds its quota of 4 records" 4 "$(echo "$out" | jq -r .records)"
run lstar-guest --vcpus 2
same "root's VMs are not held back by uid 1000's quota" 2 "$(kvm-lstar list --json | jq -r "select(.pid == $(sed -n 's/^READY pid=//p' $t/out)) | .vcpu" | grep -c .)"
kill $q1 2>/dev/null
wait_gone $q1
ev0=$(kvm-lstar status --json | jq -r .evictions)
as_user "lstar-guest --vcpus 2"
upid=$(sed -n 's/^READY pid=//p' $t/out)
same "at the quota, uid 1000's gone VM makes room" 2 "$(kvm-lstar list --pid $upid --json | grep -c .)"
[ "$(kvm-lstar status --json | jq -r .evictions)" -gt "$ev0" ] && ok || bad "no eviction of uid 1000's gone VM"
echo 0 >$param/max_records_per_uid

echo "== pid namespaces: pids as the caller sees them"
guest outside --hold 6
opid=$gpid
unshare -p -f sh -c 'lstar-guest --hold 4 >/tmp/module/ns.out 2>&1 & sleep 2; kvm-lstar list --json' >$t/ns.list 2>&1
nspid=$(sed -n 's/^READY pid=//p' $t/ns.out)
has "the VMM in the namespace is listed by its pid there" "\"pid\": $nspid," "$(cat $t/ns.list)"
hasnt "the real pid of the VM outside is not shown in the namespace" "\"pid\": $opid," "$(cat $t/ns.list)"
has "a VM outside the namespace shows pid 0 there" '"pid": 0,' "$(cat $t/ns.list)"
hasnt "outside, the namespace's VMM has its real pid, not $nspid" "\"pid\": $nspid," "$(kvm-lstar list --json)"
wait $gbg

echo "== a VMM that makes its VM on a worker thread: its pid, its uid, gone once it exits"
# The creating thread has exited before any vCPU runs, as in VMMs with a
# VMM thread; its thread id is what KVM keeps as the VM's creator.
guest vmthread --vm-thread --vcpus 2 --lstar 0xffffffff8d000000 --hold 120
vmt=$gpid
same "root's: listed under the VMM's pid, both vCPUs" 2 "$(kvm-lstar list --pid $vmt --json | grep -c .)"
su user -c "lstar-guest --vm-thread --lstar 0xffffffff8d200000 --hold 120" >$t/vmtu.out 2>&1 &
wait_ready $t/vmtu.out
vmtu=$(sed -n 's/^READY pid=//p' $t/vmtu.out)
as_user "kvm-lstar list --pid $vmtu --json"
same "uid 1000's: its own, under its pid" 0xffffffff8d200000 "$(echo "$out" | jq -r .lstar)"
sleep 1
same "not gone while it runs" false "$(kvm-lstar list --pid $vmt --json | jq -r .gone | sort -u)"
# Held long (a slow kernel takes seconds over the checks above): stop them.
kill $vmt $vmtu
wait_gone $vmt
wait_gone $vmtu

echo "== vCPUs that move between threads: each intercepted write is its own vCPU's"
# The intercept path names the vCPU by the task that last exited from it.
# With --hop every KVM_RUN of the writes runs on a new thread, and two
# VMMs do so at once, so a thread's task_struct is often one another vCPU
# ran on a moment ago: a stale entry would credit one vCPU's write to
# another, or to nothing.
hfep=--fep
on intel && hfep=
lstar-guest --hop $hfep --vcpus 4 --lstar 0xffffffff8e000000,0xffffffff8e200000,0xffffffff8e400000,0xffffffff8e600000 \
	--rewrite 0xffffffff8f000000 --hold $((5 * slow)) >$t/hop1.out 2>&1 &
hb1=$!
lstar-guest --hop $hfep --vcpus 4 --lstar 0xffffffff8e800000,0xffffffff8ea00000,0xffffffff8ec00000,0xffffffff8ee00000 \
	--rewrite 0xffffffff8f200000 --hold $((5 * slow)) >$t/hop2.out 2>&1 &
hb2=$!
wait_ready $t/hop1.out
wait_ready $t/hop2.out
hop_rewrite=(0xffffffff8f000000 0xffffffff8f200000)
for h in 1 2; do
	hp=$(sed -n 's/^READY pid=//p' $t/hop$h.out)
	want=
	for i in 0 1 2 3; do
		want="$want $i $(printf '0xffffffff8e%x00000' $(( (h - 1) * 8 + i * 2 ))) ${hop_rewrite[h - 1]}"
	done
	same "VMM $h: each vCPU's first and latest value, two writes, intercepted" \
		"$want" \
		"$(kvm-lstar list --pid "$hp" --json | jq -rs 'sort_by(.vcpu) | map(" \(.vcpu) \(.lstar) \(.current)" +
			(if .writes == 2 and .changed and .source == "intercept" and .epoch == 1 then "" else " BAD \(.)" end)) | join("")')"
done
wait $hb1 $hb2
same "no --hop VMM failed its own checks" "0 0" "$(grep -c 'lstar-guest:' $t/hop1.out) $(grep -c 'lstar-guest:' $t/hop2.out)"

echo "== a guest that is a hypervisor: L1 keeps its own value, its L2's is no change of it"
# After its own write each L1 becomes a hypervisor and ends holding its
# L2's LSTAR value.  AMD: L1 sets EFER.SVME and runs an L2 (VMRUN) that
# writes another value and exits (VMMCALL); L1 then halts with L2's value
# in vmcb01, as an L1 that does not VMLOAD its own state would.  Intel:
# L2's own WRMSR exits to L1, never to the host's kvm_msr; what the host
# sees is L1's KVM loading L2's value into LSTAR (a user-return MSR) with
# CR4.VMXE set, and that is what L1 does here.  The module without the
# hypervisor check took L2's value for an L1 rewrite on both.
kvm-lstar watch --json --timeout $((30 * slow)) >$t/nested.watch 2>$t/nested.err &
wpid=$!
sleep 1
nested_check() {	# NAME PID SOURCE: the record of PID's vCPU 0
	same "$1: own first value, no false change, says hypervisor" \
		"0xffffffff8c000000 0xffffffff8c000000 false 1 true $3" \
		"$(echo "$out" | jq -r '"\(.lstar) \(.current) \(.changed) \(.writes) \(.hypervisor) \(.source)"')"
}
nested_line="vcpu 0: nested 0xffffffff8c400000 exit 0x81"
on intel && nested_line="vcpu 0: nested 0xffffffff8c400000 loaded by L1"
guest nested --lstar 0xffffffff8c000000 --nested 0xffffffff8c400000 --hold $slow
same "L1 ends holding its L2's value" "$nested_line" "$(grep '^vcpu 0: nested' $t/nested.out)"
sleep 0.5	# L1's halt exits (AMD: with L2's value in vmcb01)
run kvm-lstar get --pid $gpid --json
nested_check "$plain path" $gpid $plain
npid=$gpid
wait $gbg
# Through the FEP, the write reaches kvm_msr from KVM's emulator (AMD:
# L2's own write, while KVM runs L1's guest).
guest nestedfep --fep --lstar 0xffffffff8c000000 --nested 0xffffffff8c400000 --hold $slow
sleep 0.5
run kvm-lstar get --pid $gpid --json
nested_check "intercept path, emulated" $gpid intercept
nfpid=$gpid
wait $gbg
su user -c "lstar-guest --lstar 0xffffffff8c000000 --nested 0xffffffff8c400000 --hold $slow" >$t/nestedu.out 2>&1 &
ubg=$!
wait_ready $t/nestedu.out
nupid=$(sed -n 's/^READY pid=//p' $t/nestedu.out)
sleep 0.5
as_user "kvm-lstar get --pid $nupid --json"
nested_check "uid 1000's" $nupid $plain
wait $ubg
as_user "kvm-lstar get --pid $nupid"
has "get says the guest is a hypervisor" "a hypervisor" "$out"
sleep 1
kill $wpid
wait $wpid
for p in $npid $nfpid $nupid; do
	same "no change event for pid $p's L2 value" 0 \
		"$(count '.pid == $p and .event == "change"' $t/nested.watch --argjson p "$p")"
done

echo "== a vCPU whose state KVM keeps encrypted: unavailable, and wait and kaslr fail at once"
# SEV-ES, SEV-SNP and TDX cannot run under TCG.  A test build of the module
# (the debug kernel's) takes a uid whose vCPUs count as protected; all that
# follows KVM's guest_state_protected is then the real code.
tp=/sys/module/kvm_lstar/parameters/test_protected_uid
if [ ! -e $tp ]; then
	case $(uname -r) in
	*-kvm-lstar-debug) bad "the debug kernel's module has no test_protected_uid" ;;
	*) echo "  (not a test build of the module: this part runs on the debug kernel)" ;;
	esac
else
	printf 'ffffffff81000000 T entry_SYSCALL_64\n' >$t/unav.map
	chmod 644 $t/unav.map
	kvm-lstar watch --json --timeout 30 >$t/unav.watch 2>$t/unav.err &
	wpid=$!
	sleep 1
	echo 1000 >$tp
	su user -c "lstar-guest --vcpus 2 --lstar 0xffffffff8d000000 --hold 3" >$t/unav.out 2>&1 &
	ubg=$!
	wait_ready $t/unav.out
	echo -1 >$tp
	upid=$(sed -n 's/^READY pid=//p' $t/unav.out)
	sleep 0.3
	as_user "kvm-lstar get --pid $upid --json"
	same "the record says why, and holds no value" \
		"0 0x0 0x0 none KVM keeps this vCPU's state encrypted (an SEV-ES, SEV-SNP or TDX guest): the host cannot read its LSTAR" \
		"$(echo "$out" | jq -r '"\(.epoch) \(.lstar) \(.current) \(.source) \(.unavailable)"')"
	# Polling (uid 1000) and subscribed (root): both answer at once.
	as_user "kvm-lstar wait --pid $upid --timeout 20 --json"
	check_rc "uid 1000's wait fails at once" 4
	same "... as unavailable, permanent" "unavailable false" "$(echo "$out" | jq -r '"\(.error) \(.retryable)"')"
	expect "root's wait --vcpu 1 fails at once" 4 kvm-lstar wait --pid $upid --vcpu 1 --timeout 20
	has "... and says why" "^kvm-lstar wait: no LSTAR capture for pid $upid vCPU 1 .*encrypted" "$err"
	as_user "kvm-lstar kaslr --pid $upid --system-map $t/unav.map --json"
	check_rc "kaslr without --wait: unavailable, not lstar_zero" 4
	same "... its class" unavailable "$(echo "$out" | jq -r .error)"
	expect "kaslr --wait" 4 kvm-lstar kaslr --pid $upid --system-map $t/unav.map --wait 20 --json
	same "... its class" unavailable "$(echo "$out" | jq -r .error)"
	run kvm-lstar get --pid $upid
	has "get says so" "^lstar +unavailable: KVM keeps this vCPU's state encrypted" "$out"
	run kvm-lstar list --pid $upid
	same "list: both vCPUs unavailable" 2 "$(echo "$out" | grep -c " unavailable ")"
	wait $ubg
	sleep 1
	kill $wpid
	wait $wpid
	same "one unavailable event per vCPU" 2 \
		"$(count '.pid == $p and .event == "unavailable"' $t/unav.watch --argjson p "$upid")"
	same "no capture event" 0 \
		"$(count '.pid == $p and .event == "capture"' $t/unav.watch --argjson p "$upid")"
	# Past the test uid, vCPUs capture as before.
	guest unav2 --lstar 0xffffffff8d200000 --hold 1
	sleep 0.3
	same "a vCPU of another uid still captures" "0xffffffff8d200000 null" \
		"$(rfield $gpid 0 lstar) $(rfield $gpid 0 unavailable)"
	wait $gbg
fi

echo "== clear"
run kvm-lstar clear
check_rc "clear all" 0
same "nothing left" "" "$(kvm-lstar list --json)"
finish
