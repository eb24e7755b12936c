#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/vm/suites/cli.sh: every online kvm-lstar command against the live
# module, inside the VM harness (busybox sh, as root; kvm-lstar and
# lstar-guest on PATH; user "user" for unprivileged runs):
#
#   O=build-cli tests/vm/run tests/vm/suites/cli.sh
#
# Every --json output of the suite, errors included, must be strict JSON
# (tests/vm/lib.sh's run() checks it with python3, hence the ynl layer).
# bench-needs: ynl
#
# Ends with "N passed, M failed"; exits 1 when anything failed.
set -u

map=/usr/share/kvm-lstar/guest.map
# entry_SYSCALL_64 in $map: 0xffffffff81c00080 on 6.1, 0xffffffff81e00080 on 6.12
link=0x$(awk '$3 == "entry_SYSCALL_64" { print $1; exit }' $map)
t=/tmp/cli
mkdir -p $t
chmod 777 $t
# shellcheck source=tests/vm/lib.sh
. /bench/lib.sh

v0=$(printf '0x%x' $((link + 0x2000000)))	# offset 0x2000000
v1=$(printf '0x%x' $((link + 0x4000000)))	# offset 0x4000000
v2=$(printf '0x%x' $((link + 0x2000010)))	# misaligned against $link

# --- status -------------------------------------------------------------------
expect "status" 0 kvm-lstar status
has "status: version line" '^kvm_lstar [0-9]' "$out"
expect "status --json" 0 kvm-lstar status --json
has "status --json fields" '^\{"version": "[^"]+", "intercept": "(active|off|disabled)", "svm": "(active|off|disabled)", "reason": "[^"]*", "records": [0-9]+, "capacity": [0-9]+, "vms": [0-9]+, "evictions": [0-9]+, "alloc_fails": [0-9]+, "refused": [0-9]+, "events_lost": [0-9]+\}$' "$out"
intercept_active=no
printf '%s\n' "$out" | grep -q '"intercept": "active"' && intercept_active=yes

# --- clear, empty list ----------------------------------------------------------
expect "clear all" 0 kvm-lstar clear
has "clear all: message" 'cleared all records' "$out"
expect "list empty" 0 kvm-lstar list
same "list empty: text" "no records" "$out"
expect "list empty --json" 0 kvm-lstar list --json
same "list empty --json: nothing" "" "$out"

# --- a VM with three vCPUs ------------------------------------------------------
lstar-guest --vcpus 3 --lstar $v0,$v1,$v2 --hold $((15 * slow)) >$t/g1 2>&1 &
g1=$!
wait_ready $t/g1

expect "wait --pid" 0 kvm-lstar wait --pid $g1 --timeout 10 --json
vm=$(field vm "$out")
same "wait --pid: record" \
	"{\"vm\": $vm, \"pid\": $g1, \"vcpu\": 0, \"lstar\": \"$v0\", \"current\": \"$v0\", \"epoch\": 1, \"writes\": 1, \"changed\": false, \"source\": S, \"captured_ns\": N, \"gone\": false, \"hypervisor\": false, \"unavailable\": null, \"cstar\": \"0x0\", \"sysenter_eip\": \"0x0\", \"name\": null}" \
	"$(printf '%s\n' "$out" | mask)"
expect "wait --vm --vcpu 1" 0 kvm-lstar wait --vm "$vm" --vcpu 1 --timeout 10 --json
has "wait --vm --vcpu 1: value" "\"vcpu\": 1, \"lstar\": \"$v1\"" "$out"
expect "wait human" 0 kvm-lstar wait --vm "$vm" --timeout 10
has "wait human: lstar line" "^lstar +$v0 +first value of epoch 1" "$out"

expect "get --pid" 0 kvm-lstar get --pid $g1 --json
has "get --pid: vm" "^\{\"vm\": $vm, \"pid\": $g1, \"vcpu\": 0, \"lstar\": \"$v0\"" "$out"
has "get --pid: captured_ns" '"captured_ns": [1-9][0-9]*' "$out"
expect "get --vm --vcpu 2" 0 kvm-lstar get --vm "$vm" --vcpu 2 --json
has "get --vm --vcpu 2: value" "\"vcpu\": 2, \"lstar\": \"$v2\"" "$out"
# The library's growing structs: callers built with the 1.0 size or a newer one.
expect "abisize" 0 abisize "$vm"
has "abisize: every check" '^abisize: [0-9]+ checks passed, 0 failed$' "$out"
expect "get human" 0 kvm-lstar get --vm "$vm"
has "get human: header" "^vm $vm  pid $g1  vcpu 0" "$out"
has "get human: age" 's ago' "$out"

expect "get: no such vCPU" 1 kvm-lstar get --vm "$vm" --vcpu 7 --json
has "get: no such vCPU: not_found" '^\{"error": "not_found", "retryable": false, "message": "no record for VM [0-9]+ vCPU 7' "$out"
expect "get: no such VM" 1 kvm-lstar get --vm 99999
has "get: no such VM: text" '^kvm-lstar get: no record for VM 99999' "$err"
expect "get --pid: no such pid" 1 kvm-lstar get --pid 4000000 --json
has "get --pid: not_found" '"error": "not_found"' "$out"

expect "list --pid --json" 0 kvm-lstar list --pid $g1 --json
same "list --pid --json: 3 records" 3 "$(printf '%s\n' "$out" | jq -s 'map(select(.vm)) | length')"
same "list sorted by vcpu" "0 1 2" "$(printf '%s\n' "$out" | jq -rs 'map(.vcpu) | join(" ")')"
expect "list --vm" 0 kvm-lstar list --vm "$vm"
has "list header" '^VM +PID +VCPU +LSTAR +EPOCH +WRITES +CHANGED +SOURCE +CAPTURED +GONE$' "$out"
has "list row" "^$vm +$g1 +1 +$v1 +1 +1 +no +(intercept|sample) +[0-9.]+s ago +no$" "$out"
expect "list all" 0 kvm-lstar list --json
same "list all: 3 records" 3 "$(printf '%s\n' "$out" | grep -c '^{')"

# --- kaslr --------------------------------------------------------------------
expect "kaslr --pid" 0 kvm-lstar kaslr --pid $g1 --system-map $map --json
same "kaslr --pid: JSON" \
	"{\"lstar\": \"$v0\", \"link\": \"$link\", \"offset\": \"0x2000000\", \"symbol\": \"entry_SYSCALL_64\", \"vm\": $vm, \"pid\": $g1, \"vcpu\": 0, \"epoch\": 1, \"name\": null, \"witnesses\": [{\"msr\": \"lstar\", \"value\": \"$v0\", \"symbol\": \"entry_SYSCALL_64\", \"link\": \"$link\", \"offset\": \"0x2000000\"}], \"confirmed\": false}" "$out"
expect "kaslr --vcpu 1" 0 kvm-lstar kaslr --vm "$vm" --vcpu 1 --system-map $map --json
has "kaslr --vcpu 1: offset" '"offset": "0x4000000"' "$out"
expect "kaslr human" 0 kvm-lstar kaslr --vm "$vm" --system-map $map
has "kaslr human: offset" '^offset +0x2000000$' "$out"
expect "kaslr misaligned" 4 kvm-lstar kaslr --vm "$vm" --vcpu 2 --system-map $map --json
has "kaslr misaligned: class" '^\{"error": "misaligned", "retryable": false, "message": "offset 0x2000010' "$out"
expect "kaslr: map as vmlinux" 1 kvm-lstar kaslr --vm "$vm" --vmlinux $map --json
has "kaslr: map as vmlinux: class" '"error": "bad_input"' "$out"
expect "kaslr: no record" 1 kvm-lstar kaslr --vm "$vm" --vcpu 9 --system-map $map --json
has "kaslr: no record: class" '"error": "not_found"' "$out"

# --- unprivileged: other users' VMs are invisible -------------------------------
as_user "kvm-lstar list --json"
check_rc "user list" 0
same "user list: root's VM hidden" "" "$out"
as_user "kvm-lstar get --vm $vm"
check_rc "user get of root's VM" 1
has "user get: not found" 'no record for VM' "$err"
as_user "kvm-lstar status --json"
check_rc "user status" 0
has "user status: no visible records" '"records": 0,' "$out"
as_user "kvm-lstar watch --count 1"
check_rc "user watch" 1
same "user watch: one line" 1 "$(printf '%s\n' "$err" | wc -l)"
has "user watch: names CAP_NET_ADMIN" '^kvm-lstar watch: watch needs CAP_NET_ADMIN' "$err"
as_user "kvm-lstar watch --json"
check_rc "user watch --json" 1
has "user watch --json: permission" '^\{"error": "permission", "retryable": false' "$out"
as_user "kvm-lstar clear"
check_rc "user clear" 1
has "user clear: names CAP_NET_ADMIN" 'CAP_NET_ADMIN' "$err"

# The user's own VM, started after the wait began: the polling fallback.
su user -c "sleep 2; exec lstar-guest --lstar $v1 --hold 3" >$t/gu 2>&1 &
gu=$!
as_user "kvm-lstar wait --pid $gu --timeout 30 --json"
check_rc "user wait (polling)" 0
has "user wait: record" "\"pid\": $gu, \"vcpu\": 0, \"lstar\": \"$v1\"" "$out"
as_user "kvm-lstar kaslr --pid $gu --system-map $map --json"
check_rc "user kaslr" 0
has "user kaslr: offset" '"offset": "0x4000000"' "$out"
as_user "kvm-lstar list --json"
same "user list: only the user's VM" 1 \
	"$(printf '%s\n' "$out" | jq -s --argjson p "$gu" 'map(select(.pid == $p)) | length')"
hasnt "user list: not root's" "\"pid\": $g1," "$out"
wait $gu

# --- metrics (Prometheus text) ----------------------------------------------------
expect "metrics" 0 kvm-lstar metrics
has "metrics: kvm_lstar_up 1" '^kvm_lstar_up 1$' "$out"
has "metrics: module_info" '^kvm_lstar_module_info\{version="[^"]+",intercept="(active|off|disabled)",svm="(active|off|disabled)"\} 1$' "$out"
has "metrics: a record's info" \
	"^kvm_lstar_vcpu_info\{vm=\"$vm\",vcpu=\"0\",pid=\"$g1\",source=\"(intercept|sample)\",lstar=\"$v0\",current=\"$v0\"\} 1$" "$out"
has "metrics: a record's epoch" "^kvm_lstar_vcpu_epoch\{vm=\"$vm\",vcpu=\"2\"\} 1$" "$out"
has "metrics: a counter" '^kvm_lstar_evictions_total [0-9]+$' "$out"
same "metrics: kvm_lstar_records is what list shows" "$(kvm-lstar list --json | grep -c '^{')" \
	"$(printf '%s\n' "$out" | sed -n 's/^kvm_lstar_records //p')"
ts=$(printf '%s\n' "$out" | sed -n "s/^kvm_lstar_vcpu_capture_timestamp_seconds{vm=\"$vm\",vcpu=\"0\"} \([0-9]*\)\..*/\1/p")
age=$(( $(date +%s) - ${ts:-0} ))
[ "$age" -ge 0 ] && [ "$age" -lt $((120 * slow)) ] && ok ||
	bad "metrics: the capture timestamp ($ts) is not the last minutes' Unix time ($(date +%s))"
same "metrics: each family's HELP and TYPE come before its samples" "" \
	"$(printf '%s\n' "$out" | awk '/^# TYPE /{ t[$3] = 1; next } /^#/{ next }
		{ n = $1; sub(/\{.*/, "", n); if (!(n in t)) print n }')"
as_user "kvm-lstar metrics"
check_rc "user metrics" 0
has "user metrics: the user's VM" "pid=\"$gu\"" "$out"
hasnt "user metrics: not root's" "pid=\"$g1\"" "$out"
mkdir -p $t/textfile
expect "metrics --output" 0 kvm-lstar metrics --output $t/textfile/kvm_lstar.prom
same "metrics --output: the file alone (no temporary left)" kvm_lstar.prom "$(ls -A $t/textfile)"
same "metrics --output: readable by node_exporter's user" 644 "$(stat -c %a $t/textfile/kvm_lstar.prom)"
has "metrics --output: the records" "^kvm_lstar_vcpu_info\{vm=\"$vm\",vcpu=\"1\"" "$(cat $t/textfile/kvm_lstar.prom)"
expect "metrics --output into a missing directory" 1 kvm-lstar metrics --output $t/nodir/kvm_lstar.prom
has "metrics --output: names the directory" 'cannot create a file in .*nodir' "$err"

# --- kaslr: witnesses (CSTAR, SYSENTER_EIP) at this kernel's own entry points --
compat_link=0x$(awk '$3 == "entry_SYSCALL_compat" { print $1; exit }' $map)
sysenter_link=0x$(awk '$3 == "entry_SYSENTER_compat" { print $1; exit }' $map)
wc=$(printf '0x%x' $((compat_link + 0x2000000)))
ws=$(printf '0x%x' $((sysenter_link + 0x2000000)))
# VMX passes SYSENTER_EIP through (no exit, no kvm_msr): on Intel these
# writes go through KVM's emulator (--fep), so that all three are seen.
wfep=
on intel && wfep=--fep
lstar-guest $wfep --lstar $v0 --cstar $wc --sysenter-eip $ws --hold $((20 * slow)) >$t/gw 2>&1 &
gwbg=$!
wait_ready $t/gw
gw=$(sed -n 's/^READY pid=//p' $t/gw)
expect "kaslr with witnesses" 0 kvm-lstar kaslr --pid $gw --system-map $map --json
same "kaslr witnesses: confirmed" true "$(printf '%s\n' "$out" | jq -r .confirmed)"
has "kaslr witnesses: all three" "\"witnesses\": \[\{\"msr\": \"lstar\", \"value\": \"$v0\", \"symbol\": \"entry_SYSCALL_64\", \"link\": \"$link\", \"offset\": \"0x2000000\"\}, \{\"msr\": \"cstar\", \"value\": \"$wc\", \"symbol\": \"entry_SYSCALL_compat\", \"link\": \"$compat_link\", \"offset\": \"0x2000000\"\}, \{\"msr\": \"sysenter_eip\", \"value\": \"$ws\", \"symbol\": \"entry_SYSENTER_compat\", \"link\": \"$sysenter_link\", \"offset\": \"0x2000000\"\}\], \"confirmed\": true\}$" "$out"
expect "kaslr with witnesses, human" 0 kvm-lstar kaslr --pid $gw --system-map $map
has "kaslr human: confirmed" '^confirmed: 3 of 3 entry-point MSRs give this offset$' "$out"
# --format on a live record: its comments name the record and say the
# witnesses confirm it.
expect "kaslr --format libvmi" 0 kvm-lstar kaslr --pid $gw --system-map $map --format libvmi
has "kaslr --format libvmi: the record in a comment" \
	"^# kvm-lstar: vm [0-9]+ pid $gw vcpu 0 epoch 1: KASLR offset 0x2000000 = LSTAR $v0 - entry_SYSCALL_64 $link$" "$out"
has "kaslr --format libvmi: confirmed" '^# confirmed: 3 of 3 entry-point MSRs give this offset$' "$out"
has "kaslr --format libvmi: a stanza named after the VM" '^vm[0-9]+ \{$' "$out"
has "kaslr --format libvmi: linux_kaslr" '^    linux_kaslr = 0x2000000;$' "$out"
expect "kaslr --format crash --json" 0 kvm-lstar kaslr --pid $gw --system-map $map --format crash --json
has "kaslr --format crash --json: the word" "\"pid\": $gw, .*\"confirmed\": true, \"format\": \"crash\", \"text\": \"--kaslr=0x2000000\\\\n\"\}$" "$out"
expect "kaslr --format gdb without a vmlinux" 2 kvm-lstar kaslr --pid $gw --system-map $map --format gdb
has "kaslr --format gdb: says so" 'give --vmlinux FILE' "$err"
expect "get shows the witnesses" 0 kvm-lstar get --pid $gw --json
has "get: cstar and sysenter_eip" "\"cstar\": \"$wc\", \"sysenter_eip\": \"$ws\"" "$out"
kill $gwbg; wait $gwbg 2>/dev/null
# A hook planted before the first capture: LSTAR 2 MiB off, the others honest.
# LSTAR alone derives a valid offset; the witnesses say it is not the entry.
hook=$(printf '0x%x' $((link + 0x2200000)))
expect "hooked LSTAR guest" 0 lstar-guest $wfep --lstar $hook --cstar $wc --sysenter-eip $ws
gh=$(sed -n 's/^READY pid=//p' $t/out)
expect "kaslr of a hooked LSTAR" 4 kvm-lstar kaslr --pid $gh --system-map $map --json
has "hooked: witness_mismatch" '^\{"error": "witness_mismatch", "retryable": false, "message": "the entry-point MSRs disagree: lstar '"$hook"' gives offset 0x2200000 .*cstar '"$wc"' gives offset 0x2000000 .*sysenter_eip '"$ws"' gives offset 0x2000000 ' "$out"
# nokaslr: LSTAR at the link address is confirmed at 0, not taken on faith.
expect "nokaslr guest" 0 lstar-guest $wfep --lstar $link --cstar $compat_link --sysenter-eip $sysenter_link
gn=$(sed -n 's/^READY pid=//p' $t/out)
expect "kaslr nokaslr confirmed" 0 kvm-lstar kaslr --pid $gn --system-map $map --json
same "nokaslr: offset and confirmed" "0x0 true 3" "$(printf '%s\n' "$out" | jq -r '"\(.offset) \(.confirmed) \(.witnesses | length)"')"

# --- root: wait and kaslr --wait before the VM exists (events) -----------------
sh -c "sleep 2; exec lstar-guest --lstar $v0" >$t/g2 2>&1 &
g2=$!
expect "wait before the VM exists" 0 kvm-lstar wait --pid $g2 --timeout 30 --json
has "wait before the VM exists: record" "\"pid\": $g2, \"vcpu\": 0, \"lstar\": \"$v0\"" "$out"
wait $g2
sh -c "sleep 2; exec lstar-guest --lstar $v1" >$t/g3 2>&1 &
g3=$!
expect "kaslr --wait" 0 kvm-lstar kaslr --pid $g3 --system-map $map --wait 30 --json
has "kaslr --wait: offset" "\"offset\": \"0x4000000\", \"symbol\": \"entry_SYSCALL_64\", \"vm\": [0-9]+, \"pid\": $g3," "$out"
wait $g3

expect "wait timeout" 3 kvm-lstar wait --vm 99999 --timeout 0.5 --json
has "wait timeout: class" '^\{"error": "timeout", "retryable": true, "message": ".*VM 99999 vCPU 0' "$out"
expect "kaslr --wait timeout" 3 kvm-lstar kaslr --vm 99999 --system-map $map --wait 0.3
has "kaslr --wait timeout: text" '^kvm-lstar kaslr: no LSTAR capture' "$err"

# --- watch ------------------------------------------------------------------------
sh -c "sleep 2; exec lstar-guest --vcpus 2 --lstar $v0,$v1" >$t/g4 2>&1 &
g4=$!
expect "watch --count 2" 0 kvm-lstar watch --pid $g4 --count 2 --timeout 30 --json
same "watch: two captures" 2 "$(printf '%s\n' "$out" | grep -c "^{\"event\": \"capture\", \"vm\": [0-9]*, \"pid\": $g4, ")"
has "watch: vcpu 1 value" "\"vcpu\": 1, \"lstar\": \"$v1\"" "$out"
wait $g4

# A watch whose output fails (a full disk) stops at the first event, exit 1.
sh -c "sleep 2; exec lstar-guest --lstar $v0" >$t/g8 2>&1 &
g8=$!
kvm-lstar watch --pid $g8 --count 5 --timeout 30 --json >/dev/full 2>$t/wf
same "watch to a full disk: exit 1" 1 $?
has "watch to a full disk: says so" 'writing standard output failed: No space left' "$(cat $t/wf)"
wait $g8

sh -c "sleep 2; exec lstar-guest --lstar $v0 --rewrite $v1" >$t/g5 2>&1 &
g5=$!
expect "watch rewrite" 0 kvm-lstar watch --pid $g5 --count 2 --timeout 30 --json
has "watch rewrite: capture" "^\{\"event\": \"capture\", .*\"lstar\": \"$v0\", \"current\": \"$v0\", \"epoch\": 1, \"writes\": 1, \"changed\": false" "$out"
has "watch rewrite: change" "^\{\"event\": \"change\", .*\"lstar\": \"$v0\", \"current\": \"$v1\", \"epoch\": 1, \"writes\": 2, \"changed\": true" "$out"
expect "get after rewrite" 0 kvm-lstar get --pid $g5
has "get after rewrite: CHANGED" 'CHANGED after the first write' "$out"
wait_gone $g5
expect "kaslr after rewrite: first value" 0 kvm-lstar kaslr --pid $g5 --system-map $map --json
has "kaslr after rewrite: offset of the first value" '"offset": "0x2000000"' "$out"

sh -c "sleep 2; exec lstar-guest --lstar $v0 --reset $v1" >$t/g6 2>&1 &
g6=$!
expect "watch reset" 0 kvm-lstar watch --pid $g6 --count 3 --timeout 30
has "watch reset: human capture" "^capture +vm [0-9]+  pid $g6  vcpu 0  lstar $v0 .* epoch 1 " "$out"
has "watch reset: human reset" "^reset +vm [0-9]+  pid $g6 " "$out"
has "watch reset: epoch 2" "^capture +vm [0-9]+  pid $g6  vcpu 0  lstar $v1 .* epoch 2 " "$out"
wait_gone $g6
expect "list: gone" 0 kvm-lstar list --pid $g6 --json
has "list: gone true" "\"epoch\": 2, .*\"gone\": true" "$out"

expect "watch --timeout without --count" 0 kvm-lstar watch --vm 99999 --timeout 0.5
expect "watch --timeout before --count" 3 kvm-lstar watch --vm 99999 --count 1 --timeout 0.5 --json
has "watch timeout: class" '^\{"error": "timeout", "retryable": true' "$out"

for sig in INT TERM; do
	kvm-lstar watch >$t/w 2>&1 &
	w=$!
	sleep 1
	kill -$sig $w
	wait $w
	rc=$?
	out=$(cat $t/w)
	check_rc "watch ends on SIG$sig" 0
done

if [ "$intercept_active" = yes ]; then
	sh -c "sleep 2; exec lstar-guest --fep --lstar $v0" >$t/g7 2>&1 &
	g7=$!
	expect "wait --fep" 0 kvm-lstar wait --pid $g7 --timeout 30 --json
	has "wait --fep: source intercept" '"source": "intercept"' "$out"
	wait $g7
else
	echo "note: the intercept path is not active; the --fep case is skipped"
fi

# --- --name: a real QEMU, named as libvirt names it ------------------------------
# A name with a space and a comma (",," on QEMU's command line).
gname='web 1,a'
if on amd; then
	# wait --name started before QEMU: the name is found among the processes.
	kvm-lstar wait --name "$gname" --timeout $((150 * slow)) --json >$t/wn 2>$t/wne &
	wnbg=$!
	sleep 1
	guest-linux --name "guest=web 1,,a,debug-threads=on" --hold $((90 * slow)) >$t/gl 2>&1 &
	glbg=$!
	wait $wnbg
	rc=$?
	if [ "$rc" != 0 ]; then
		# A boot stuck in SeaBIOS (TCG) makes guest-linux start a second
		# QEMU, of the same name, after its guard: wait on that one.
		i=0
		while ! grep -q 'trying once more' $t/gl && kill -0 $glbg 2>/dev/null && [ $i -lt 120 ]; do
			sleep 1
			i=$((i + 1))
		done
		if grep -q 'trying once more' $t/gl; then
			echo "  the nested guest stopped in SeaBIOS; waiting on guest-linux's second QEMU"
			kvm-lstar wait --name "$gname" --timeout $((150 * slow)) --json >$t/wn 2>$t/wne
			rc=$?
		fi
	fi
	out=$(cat $t/wn) err=$(cat $t/wne)
	check_rc "wait --name, started before QEMU" 0
	command -v python3 >/dev/null && strict_json "wait --name" $t/wn
	qpid=$(field pid "$out")
	gvm=$(field vm "$out")
	same "wait --name: the record's name" "$gname" "$(field name "$out")"
	has "wait --name: QEMU's pid" '^qemu-system-x86_64 ' "$(tr '\0' ' ' </proc/"${qpid:-1}"/cmdline)"
	i=0
	while ! grep -q '^GUEST-BOOT' $t/gl && [ $i -lt $((120 * slow)) ]; do
		sleep 1
		i=$((i + 1))
	done
	entry=$(sed -n 's/^GUEST-BOOT .*entry_SYSCALL_64=\(0x[0-9a-f]*\).*/\1/p' $t/gl | tail -n1)
	same "wait --name: LSTAR is the guest's own entry_SYSCALL_64" "$entry" "$(field lstar "$out")"

	expect "list --json: the name" 0 kvm-lstar list --pid "$qpid" --json
	same "list --json: each vCPU's name" "$gname" "$(printf '%s\n' "$out" | jq -r .name | sort -u)"
	expect "list --name" 0 kvm-lstar list --name "$gname" --json
	same "list --name: the QEMU's records" "$qpid" "$(printf '%s\n' "$out" | jq -r .pid | sort -u)"
	expect "list: the names under the table" 0 kvm-lstar list
	has "list: the VM's name line" "^vm $gvm  pid $qpid  name $gname$" "$out"
	expect "get --name" 0 kvm-lstar get --name "$gname" --json
	same "get --name: the QEMU's record" "$gvm $qpid $gname $entry" \
		"$(printf '%s\n' "$out" | jq -r '"\(.vm) \(.pid) \(.name) \(.lstar)"')"
	expect "get --name, text" 0 kvm-lstar get --name "$gname"
	has "get --name, text: the name in the header" "^vm $gvm  pid $qpid  name $gname  vcpu 0  uid 0$" "$out"
	expect "kaslr --name" 0 kvm-lstar kaslr --name "$gname" --system-map $map --json
	same "kaslr --name: the guest's offset, its VM and name" \
		"$(printf '0x%x' $((entry - link))) $gvm $gname" \
		"$(printf '%s\n' "$out" | jq -r '"\(.offset) \(.vm) \(.name)"')"
	expect "kaslr --name, text" 0 kvm-lstar kaslr --name "$gname" --system-map $map
	has "kaslr --name, text: the name in the header" "^vm $gvm  pid $qpid  name $gname  vcpu 0  epoch 1$" "$out"
	expect "kaslr --name --format libvmi" 0 kvm-lstar kaslr --name "$gname" --system-map $map --format libvmi
	has "libvmi: the stanza is named after the VM, as LibVMI can read it" '^web_1_a \{$' "$out"
	has "libvmi: says whose name it is" "\"web_1_a\" is the VM's name \"$gname\" as LibVMI's config can spell it" "$out"
	has "libvmi: the name in the comment" "^# kvm-lstar: vm $gvm pid $qpid name $gname vcpu 0 epoch 1: KASLR offset " "$out"
	expect "metrics --name" 0 kvm-lstar metrics --name "$gname"
	has "metrics: the name label" \
		"^kvm_lstar_vcpu_info\{vm=\"$gvm\",vcpu=\"0\",pid=\"$qpid\",name=\"$gname\",source=\"(intercept|sample)\",lstar=\"$entry\"" "$out"
	same "metrics --name: that VM only" "$qpid" \
		"$(printf '%s\n' "$out" | sed -n 's/^kvm_lstar_vcpu_info{.*,pid="\([0-9]*\)".*/\1/p' | sort -u)"

	# A name no visible VM has: as a pid without records.
	expect "get --name: no such VM" 1 kvm-lstar get --name nosuch --json
	has "get --name: no such VM: not_found, naming it" \
		'^\{"error": "not_found", "retryable": false, "message": "no VM named .nosuch.: ' "$out"
	expect "kaslr --name: no such VM" 1 kvm-lstar kaslr --name nosuch --system-map $map
	has "kaslr --name: no such VM: one line naming it" "^kvm-lstar kaslr: no VM named 'nosuch': " "$err"
	expect "list --name: no such VM" 0 kvm-lstar list --name nosuch --json
	same "list --name: no such VM: no records" "" "$out"
	expect "wait --name: no such VM" 3 kvm-lstar wait --name nosuch --timeout 0.5 --json
	has "wait --name: no such VM: timeout, naming it" \
		'^\{"error": "timeout", "retryable": true, "message": "no VM named .nosuch. within the timeout' "$out"
	expect "clear --name: no such VM" 0 kvm-lstar clear --name nosuch
	same "clear --name: no such VM: nothing cleared" "no VM is named nosuch: no records cleared" "$out"
	# Another user sees neither root's VM nor, for wait, root's QEMU.
	as_user "kvm-lstar get --name '$gname' --json"
	check_rc "user get --name of root's VM" 1
	has "user get --name: not_found" '"error": "not_found"' "$out"
	as_user "kvm-lstar wait --name '$gname' --timeout 0.5 --json"
	check_rc "user wait --name of root's QEMU" 3

	# A second QEMU of that name (-name NAME,process=P): no kernel, but its
	# vCPU runs SeaBIOS, so it has a record.
	qemu-system-x86_64 -machine pc,accel=kvm -cpu qemu64 -m 64 -nodefaults -nographic \
		-vga none -nic none -name "web 1,,a,process=second" </dev/null >$t/q2 2>&1 &
	q2=$!
	i=0
	while [ -z "$(kvm-lstar list --pid $q2 --json)" ] && [ $i -lt $((150 * slow)) ]; do
		sleep 0.2
		i=$((i + 1))
	done
	expect "get --name of two QEMUs" 2 kvm-lstar get --name "$gname" --json
	has "get --name of two: a usage error listing both pids" \
		"^\{\"error\": \"bad_input\", \"retryable\": false, \"message\": \"--name '$gname' names the VMs of 2 VMM processes \(pids ($qpid, $q2|$q2, $qpid)\): give --pid PID" "$out"
	expect "kaslr --name of two QEMUs" 2 kvm-lstar kaslr --name "$gname" --system-map $map
	kill $q2
	wait_gone $q2

	# watch --name: the gone event of the VM, named as read while it ran.
	kvm-lstar watch --name "$gname" --timeout $((15 * slow)) --json >$t/wg 2>&1 &
	wgbg=$!
	sleep 3
	kill "$qpid"
	wait $wgbg
	rc=$?
	out=$(cat $t/wg)
	check_rc "watch --name" 0
	has "watch --name: the gone event, with the name" \
		"^\{\"event\": \"gone\", \"vm\": $gvm, \"pid\": $qpid, .*\"name\": \"$gname\"\}$" "$out"
	hasnt "watch --name: no other VM's events" "\"pid\": ($q2|$g1)," "$out"
	wait $glbg 2>/dev/null
	expect "a gone VM's name" 0 kvm-lstar get --vm "$gvm" --json
	same "a gone VM has no name any more (its pid may be another's)" "true null" \
		"$(printf '%s\n' "$out" | jq -r '"\(.gone) \(.name)"')"
else
	amd_only "--name on a real QEMU (a nested boot takes minutes under Bochs)"
fi

# --- clear ------------------------------------------------------------------------
expect "clear --vm" 0 kvm-lstar clear --vm "$vm"
has "clear --vm: message" "cleared the records of VM $vm" "$out"
expect "get after clear --vm" 1 kvm-lstar get --vm "$vm" --vcpu 2
expect "clear --pid" 0 kvm-lstar clear --pid $g6
expect "list after clear --pid" 0 kvm-lstar list --pid $g6 --json
same "list after clear --pid: empty" "" "$out"
wait $g1
expect "clear all" 0 kvm-lstar clear
expect "list after clear" 0 kvm-lstar list
same "list after clear: no records" "no records" "$out"

# --- without the module -------------------------------------------------------
# rmmod, not modprobe -r: the VM harness shell's modprobe is busybox's applet,
# which also tries to unload kvm (in use by kvm_amd) and then exits 1.
if rmmod kvm_lstar; then
	expect "no module: status" 1 kvm-lstar status
	same "no module: one line" 1 "$(printf '%s\n' "$err" | wc -l)"
	has "no module: names the fix" 'not loaded.*modprobe kvm_lstar' "$err"
	expect "no module: status --json" 1 kvm-lstar status --json
	has "no module: JSON" '^\{"error": "no_module", "retryable": false, "message": ' "$out"
	expect "no module: wait" 1 kvm-lstar wait --vm 1 --timeout 1
	as_user "kvm-lstar list"
	check_rc "no module: user list" 1
	if modprobe kvm_lstar; then ok; else bad "modprobe kvm_lstar again"; fi
	expect "module back: status" 0 kvm-lstar status
else
	bad "rmmod kvm_lstar"
fi

[ "$json_runs" -ge 25 ] && ok || bad "only $json_runs --json outputs were checked (no python3?)"
echo "  $json_runs --json outputs parsed as strict UTF-8 JSON"
finish
