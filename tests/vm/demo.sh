#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# tests/vm/demo.sh: what `make demo` runs inside the VM harness.  A real QEMU
# boots a real Debian guest kernel with KASLR; kvm-lstar finds where that
# kernel lives from the host side, and the guest confirms.
map=/usr/share/kvm-lstar/guest.map
echo "host:  Linux $(uname -r) with kvm-amd (QEMU/TCG, -cpu max) and kvm_lstar $(cat /sys/module/kvm_lstar/version)"
echo "guest: Debian $(cat /usr/share/kvm-lstar/guest.kver), 2 vCPUs, KASLR on, booted by qemu-system-x86_64 with KVM"
guest-linux --smp 2 --hold 2 >/tmp/guest.out 2>&1 &
while [ -z "$(pidof qemu-system-x86_64)" ]; do sleep 0.05; done
pid=$(pidof qemu-system-x86_64)
echo
echo "\$ kvm-lstar wait --pid $pid          # started before the guest kernel runs"
kvm-lstar wait --pid "$pid" --timeout 60 || exit 1
echo
echo "\$ kvm-lstar list --pid $pid"
kvm-lstar wait --pid "$pid" --vcpu 1 --timeout 60 >/dev/null	# the AP boots later
kvm-lstar list --pid "$pid"
echo
echo "\$ kvm-lstar kaslr --pid $pid --system-map $map"
kvm-lstar kaslr --pid "$pid" --system-map $map || exit 1
got=$(kvm-lstar kaslr --pid "$pid" --system-map $map --json | jq -r .offset)
wait
line=$(grep '^GUEST-BOOT' /tmp/guest.out)
entry=$(echo "$line" | sed -n 's/.*entry_SYSCALL_64=\(0x[0-9a-f]*\).*/\1/p')
link=0x$(awk '$3 == "entry_SYSCALL_64" { print $1 }' $map)
own=$(printf '0x%x' $((entry - link)))
echo
echo "the guest's own /proc/kallsyms: entry_SYSCALL_64 = $entry, link-time $link, offset $own"
if [ "$got" = "$own" ]; then
	echo "kvm-lstar's answer $got matches the guest's own."
else
	echo "MISMATCH: kvm-lstar says $got, the guest says $own" >&2
	exit 1
fi
