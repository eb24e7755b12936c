#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/vm/gdb-guest.sh: the VM side of tests/vm/gdb-proof.sh, which runs it
# with tests/vm/run --hostlink.  Boots the nested Debian guest (KASLR on)
# with its gdbstub on /dev/ttyS3, the host's socket; waits for kvm_lstar's
# capture; prints what the host's gdb needs and must find:
#   GDB-READY pid=P lstar=0x.. cstar=0x.. sysenter_eip=0x.. offset=0x.. release=R
#   GUEST-VERSION <the guest's /proc/version>
# then holds the guest until the host's gdb ends it with "kill" (or until
# --hold SEC, default 180, runs out: the host never came).
set -u
t=/tmp/gdb-guest
mkdir -p $t
# shellcheck source=tests/vm/lib.sh
. /bench/lib.sh

hold=${2:-180}
[ "${1:-}" = --hold ] || hold=180
[ -c /dev/ttyS3 ] || { bad "no /dev/ttyS3: run this with tests/vm/run --hostlink"; finish; }

guest-linux --hold "$hold" --gdb /dev/ttyS3 >$t/g.out 2>&1 &
gbg=$!
i=0
while ! grep -q '^GUEST-BOOT' $t/g.out && kill -0 $gbg 2>/dev/null && [ $i -lt 1200 ]; do
	sleep 0.1
	i=$((i + 1))
done
boot=$(grep '^GUEST-BOOT' $t/g.out | tail -n1)
pid=$(echo "$boot" | sed -n 's/.* pid=\([0-9]*\).*/\1/p')
rel=$(echo "$boot" | sed -n 's/.* release=\([^ ]*\).*/\1/p')
entry=$(echo "$boot" | sed -n 's/.* entry_SYSCALL_64=\(0x[0-9a-f]*\).*/\1/p')
if [ -z "$pid" ]; then
	bad "the nested guest did not boot: $(tail -n 5 $t/g.out)"
	finish
fi
run kvm-lstar kaslr --pid "$pid" --system-map /usr/share/kvm-lstar/guest.map --wait 60 --json
check_rc "kaslr of the gdb guest" 0
same "the capture is the guest's entry_SYSCALL_64" "$entry" "$(echo "$out" | jq -r .lstar)"
run kvm-lstar get --pid "$pid" --json
echo "GDB-READY pid=$pid lstar=$(echo "$out" | jq -r .lstar) cstar=$(echo "$out" | jq -r .cstar)" \
	"sysenter_eip=$(echo "$out" | jq -r .sysenter_eip)" \
	"offset=$(kvm-lstar kaslr --pid "$pid" --system-map /usr/share/kvm-lstar/guest.map --json | jq -r .offset)" \
	"release=$rel"
grep '^GUEST-VERSION ' $t/g.out | tail -n1

# The host's gdb ends the guest (its kill packet makes QEMU exit).
start=$(date +%s)
wait $gbg
grc=$?
took=$(( $(date +%s) - start ))
echo "  the guest ran ${took}s more, until the host's gdb ended it (guest-linux exit $grc)"
same "guest-linux: QEMU ended cleanly" 0 "$grc"
[ "$took" -lt $((hold - 5)) ] && ok ||
	bad "the host's gdb did not end the guest: its hold of ${hold}s ran out"
finish
