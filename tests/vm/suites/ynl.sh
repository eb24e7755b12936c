#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/vm/suites/ynl.sh: doc/kvm_lstar.yaml drives the live module through
# the kernel's own ynl CLI (from linux-source-6.12, validating the spec
# against the genetlink-legacy schema on every call), and libnl's
# genl-ctrl-list shows the family and its group.
#
# bench-needs: ynl
set -u
t=/tmp/ynl
mkdir -p $t
# shellcheck source=tests/vm/lib.sh
. /bench/lib.sh
ynl() {
	python3 /usr/share/kvm-lstar/ynl/cli.py --spec /usr/share/kvm-lstar/kvm_lstar.yaml \
		--schema /usr/share/kvm-lstar/ynl/genetlink-legacy.yaml --output-json "$@"
}

echo "== genl-ctrl-list: the family, its version and its events group"
run genl-ctrl-list --details
check_rc "genl-ctrl-list" 0
fam=$(printf '%s\n' "$out" | sed -n '/kvm_lstar/,/^0x/p')
has "family kvm_lstar version 1" 'kvm_lstar version 1' "$fam"
has "its events group" 'grp events' "$fam"

echo "== ynl --do status"
run ynl --do status
check_rc "ynl status" 0
same "status-version" "$(cat /sys/module/kvm_lstar/version)" "$(echo "$out" | jq -r '."status-version"')"
same "status-svm by name" active "$(echo "$out" | jq -r '."status-svm"')"

echo "== ynl --dump get equals kvm-lstar list"
lstar-guest --vcpus 3 --lstar 0xffffffff81e00000,0xffffffff82000000,0xffffffff82200000 \
	--rewrite 0xffffffff90000000 --hold 60 >$t/g.out 2>&1 &
g=$!
wait_ready $t/g.out
p=$(sed -n 's/^READY pid=//p' $t/g.out)
run ynl --dump get --json "{\"pid\": $p}"
check_rc "ynl dump" 0
mine=$(echo "$out" | jq -c '.[] | [.vm, .pid, .vcpu, .lstar, .current, .epoch, .writes, .changed, .source]' | sort)
theirs=$(kvm-lstar list --pid $p --json | jq -c '[.vm, .pid, .vcpu, .lstar, .current, .epoch, .writes, (if .changed then 1 else 0 end), .source]' | sort)
same "3 records" 3 "$(echo "$mine" | grep -c .)"
same "ynl's records are kvm-lstar's" "$theirs" "$mine"
vm=$(echo "$out" | jq -r '.[0].vm')
run ynl --do get --json "{\"vm\": $vm, \"vcpu\": 1}"
check_rc "ynl do get" 0
same "do get vcpu 1 lstar" 0xffffffff82000000 "$(echo "$out" | jq -r .lstar)"
kill $g 2>/dev/null
wait $g 2>/dev/null

echo "== the spec's checks are the module's: vm 0 is refused with its message"
run ynl --do get --json '{"vm": 0}'
check_rc "ynl get vm 0" 1
has "ynl shows the kernel's extack" 'bad-attr|min|range|smaller' "$out"

echo "== ynl --subscribe events sees a capture"
ynl --subscribe events --sleep 12 >$t/ev.out 2>&1 &
s=$!
sleep 6
lstar-guest --lstar 0xffffffff84000000 >$t/g2.out 2>&1
wait $s
p2=$(sed -n 's/^READY pid=//p' $t/g2.out)
ev=$(jq -c ".[] | select(.msg.pid == $p2) | [.name, .msg.event, .msg.lstar]" $t/ev.out 2>/dev/null | head -n1)
same "the first event of that VM" "[\"event\",\"capture\",\"0xffffffff84000000\"]" "$ev"
finish
