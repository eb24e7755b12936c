#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/vm/gdb-guest.sh: the VM side of tests/vm/gdb-proof.sh, which runs it
# with tests/vm/run --hostlink.  Boots the nested Debian guest (KASLR on)
# with its gdbstub on /dev/ttyS3, the host's socket; waits for kvm_lstar's
# capture; prints what the host's gdb needs and must find:
#   GUEST-VERSION <the guest's /proc/version>
#   METRICS-BEGIN, kvm-lstar metrics' lines, METRICS-END (for promtool)
#   GDB-READY pid=P lstar=0x.. cstar=0x.. sysenter_eip=0x.. offset=0x.. release=R end
# (GDB-READY last, and whole when it ends in "end"), then holds the guest until the host's gdb ends it with "kill" (or until
# --hold SEC, default 180, runs out: the host never came).
set -u
t=/tmp/gdb-guest
mkdir -p $t
# shellcheck source=tests/vm/lib.sh
. /bench/lib.sh

hold=${2:-180}
[ "${1:-}" = --hold ] || hold=180
# The 8250 driver makes /dev/ttyS3 whether or not a UART is behind it.
[ "$(cat /sys/class/tty/ttyS3/type 2>/dev/null)" != 0 ] && [ -c /dev/ttyS3 ] ||
	{ bad "no UART at /dev/ttyS3: run this with tests/vm/run --hostlink"; finish; exit; }

guest-linux --hold "$hold" --gdb /dev/ttyS3 >$t/g.out 2>&1 &
gbg=$!
i=0
while ! grep -q '^GUEST-BOOT' $t/g.out && kill -0 $gbg 2>/dev/null && [ $i -lt 1200 ]; do
	sleep 0.1
	i=$((i + 1))
done
booted=$(date +%s)
boot=$(grep '^GUEST-BOOT' $t/g.out | tail -n1)
pid=$(echo "$boot" | sed -n 's/.* pid=\([0-9]*\).*/\1/p')
rel=$(echo "$boot" | sed -n 's/.* release=\([^ ]*\).*/\1/p')
entry=$(echo "$boot" | sed -n 's/.* entry_SYSCALL_64=\(0x[0-9a-f]*\).*/\1/p')
if [ -z "$pid" ]; then
	bad "the nested guest did not boot: $(tail -n 5 $t/g.out)"
	finish
	exit
fi
run kvm-lstar kaslr --pid "$pid" --system-map /usr/share/kvm-lstar/guest.map --wait 60 --json
check_rc "kaslr of the gdb guest" 0
same "the capture is the guest's entry_SYSCALL_64" "$entry" "$(echo "$out" | jq -r .lstar)"
offset=$(echo "$out" | jq -r .offset)
run kvm-lstar get --pid "$pid" --json
grep '^GUEST-VERSION ' $t/g.out | tail -n1
# The live module's metrics, for the host's promtool.
echo METRICS-BEGIN
kvm-lstar metrics
echo METRICS-END
echo "GDB-READY pid=$pid lstar=$(echo "$out" | jq -r .lstar) cstar=$(echo "$out" | jq -r .cstar)" \
	"sysenter_eip=$(echo "$out" | jq -r .sysenter_eip) offset=$offset release=$rel end"

# The host's gdb ends the guest (its kill packet makes QEMU exit), well
# before the hold the guest began at its GUEST-BOOT line runs out.
wait $gbg
grc=$?
took=$(( $(date +%s) - booted ))
echo "  the guest ran ${took}s after its boot line, until the host's gdb ended it (guest-linux exit $grc)"
same "guest-linux: QEMU ended cleanly" 0 "$grc"
if [ "$took" -lt $((hold / 2)) ]; then ok; else
	bad "the host's gdb did not end the guest within half its hold of ${hold}s"
fi
finish
