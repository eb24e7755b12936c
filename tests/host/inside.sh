#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/host/inside.sh: the checks of `make host-test`, run in the booted
# lab host (systemd as PID 1, the packages installed by apt and built by
# DKMS, /etc/modules-load.d/kvm-lstar.conf copied as the README says) by a
# unit that powers the host off when it ends.  It does what an admin
# would, step by step, and checks each; its stdout is the VM's second serial
# port.  node_exporter's scrape is printed between SCRAPE-BEGIN and
# SCRAPE-END for host-test.sh's promtool.  Ends with "N passed, M failed".
set -u
# shellcheck source=tests/checks.sh
. /opt/host-test/checks.sh
export LC_ALL=C.UTF-8 SYSTEMD_PAGER='' SYSTEMD_COLORS=0
t0=$SECONDS
step() { echo "== $* ($((SECONDS - t0)) s)"; }
guest=labguest
kver=$(uname -r)

# wait_for SEC CMD...: until CMD succeeds, at most SEC seconds.
wait_for() {
	local n=$1
	shift
	while ! "$@" >/dev/null 2>&1; do
		[ "$n" -gt 0 ] || return 1
		sleep 1
		n=$((n - 1))
	done
}
active() { [ "$(systemctl is-active "$1")" = active ]; }
inactive() { [ "$(systemctl is-active "$1")" != active ]; }
main_pid() { systemctl show -P MainPID "$1"; }

step "boot"
state=$(systemctl is-system-running --wait)
same "the host booted (systemctl is-system-running)" running "$state"
[ "$state" = running ] || systemctl --failed --no-legend | sed 's/^/  failed unit: /'
same "systemd is PID 1" systemd "$(cat /proc/1/comm)"

step "the module, loaded at boot by modules-load.d"
has "kvm_lstar is loaded" '^kvm_lstar ' "$(cat /proc/modules)"
has "systemd-modules-load inserted it" "Inserted module 'kvm_lstar'" \
	"$(journalctl -b -o cat SYSLOG_IDENTIFIER=systemd-modules-load)"
has "DKMS built the module that is loaded" "^/lib/modules/$kver/updates/dkms/kvm_lstar.ko" \
	"$(modinfo -F filename kvm_lstar)"
has "kvm-lstar status names the module" '^kvm_lstar [0-9]' "$(kvm-lstar status)"
[ -c /dev/kvm ] && ok || bad "no /dev/kvm (kvm_amd: $(grep -c '^kvm_amd ' /proc/modules))"

step "kvm-lstar-watch.service: systemctl enable --now"
systemctl enable --now kvm-lstar-watch.service 2>&1 | sed 's/^/  /'
wait_for 30 active kvm-lstar-watch.service || bad "kvm-lstar-watch.service is not active: $(systemctl is-active kvm-lstar-watch.service)"
pid=$(main_pid kvm-lstar-watch.service)
if [ "${pid:-0}" -gt 0 ]; then
	ok
	# DynamicUser=yes: a uid systemd allocates in 61184..65519.
	uid=$(awk '$1 == "Uid:" { print $2 }' "/proc/$pid/status")
	echo "  watcher: pid $pid, uid $uid"
	[ "${uid:-0}" -ge 61184 ] && [ "$uid" -le 65519 ] && ok ||
		bad "the watcher's uid $uid is not a dynamic user's (61184..65519)"
	# CAP_NET_ADMIN is bit 12: effective, permitted and bounding sets.
	for c in CapEff CapPrm CapBnd; do
		same "the watcher's $c is CAP_NET_ADMIN only" 0000000000001000 \
			"$(awk -v c="$c:" '$1 == c { print $2 }' "/proc/$pid/status")"
	done
else
	bad "kvm-lstar-watch.service has no main pid"
fi
step "the watcher follows the module: rmmod stops it, modprobe starts it"
modprobe -r kvm_lstar
if wait_for 30 inactive kvm-lstar-watch.service; then ok; else bad "the watcher still runs without the module"; fi
hasnt "no watcher process without the module" . "$(pgrep -x kvm-lstar)"
modprobe kvm_lstar
if wait_for 30 active kvm-lstar-watch.service; then ok; else
	bad "the watcher did not start again with the module: $(systemctl status kvm-lstar-watch.service 2>&1 | tail -n 5)"
fi
pid2=$(main_pid kvm-lstar-watch.service)
[ "${pid2:-0}" -gt 0 ] && [ "$pid2" != "$pid" ] && ok || bad "the watcher's pid after the reload: $pid2 (was $pid)"

step "kvm-lstar-metrics.timer: systemctl enable --now"
systemctl enable --now kvm-lstar-metrics.timer 2>&1 | sed 's/^/  /'
same "kvm-lstar-metrics.timer" active "$(systemctl is-active kvm-lstar-metrics.timer)"
same "prometheus-node-exporter runs (enabled by its package)" active \
	"$(systemctl is-active prometheus-node-exporter.service)"

step "libvirt: virsh define and start a KASLR guest"
sed "s|@KERNEL@|/boot/vmlinuz-$kver|" /opt/host-test/guest.xml >/run/guest.xml
virsh -q define /run/guest.xml 2>&1 | sed 's/^/  /'
if virsh -q start "$guest" >/run/virsh.log 2>&1; then ok; else bad "virsh start $guest: $(cat /run/virsh.log)"; fi
qpid=$(cat "/run/libvirt/qemu/$guest.pid" 2>/dev/null)
same "QEMU runs as libvirt's user" libvirt-qemu "$(ps -o user= -p "${qpid:-1}")"
has "QEMU was given the domain's name" '-name guest=labguest' "$(tr '\0' ' ' <"/proc/${qpid:-1}/cmdline")"

step "kvm-lstar: the guest by its name"
if rec=$(kvm-lstar wait --name "$guest" --timeout 600 --json 2>&1); then ok; else bad "kvm-lstar wait --name $guest: $rec"; fi
echo "  $rec"
same "wait --name: name" "$guest" "$(jq -r .name <<<"$rec" 2>&1)"
same "wait --name: pid is QEMU's" "$qpid" "$(jq -r .pid <<<"$rec" 2>&1)"
lstar=$(jq -r .lstar <<<"$rec" 2>/dev/null)
# The guest's own word: its entry_SYSCALL_64, read from its /proc/kallsyms.
serial=/var/log/libvirt/qemu/$guest-serial.log
wait_for 300 grep -q GUEST-BOOT "$serial" || bad "the guest printed no GUEST-BOOT line: $(tail -n 5 "$serial")"
boot=$(tr -d '\r' <"$serial" | grep -o 'GUEST-BOOT.*' | tail -n1)
echo "  guest: $boot"
same "LSTAR is the guest's own entry_SYSCALL_64" "entry_SYSCALL_64=$lstar" \
	"$(grep -o 'entry_SYSCALL_64=0x[0-9a-f]*' <<<"$boot")"
list=$(kvm-lstar list)
echo "$list" | sed 's/^/  list: /'
has "list shows the guest by name" "name $guest" "$list"
same "get --name --json: the same record" "$(jq -c '{vm, pid, name, lstar}' <<<"$rec" 2>&1)" \
	"$(kvm-lstar get --name "$guest" --json | jq -c '{vm, pid, name, lstar}' 2>&1)"
# Debian's own System.map is a placeholder: kaslr says where the real one is.
k=$(kvm-lstar kaslr --name "$guest" --system-map "/boot/System.map-$kver" 2>&1)
same "kaslr with Debian's placeholder System.map exits 1" 1 "$?"
has "... and names the -dbg package" "linux-image-<ver>-dbg" "$k"
# The guest's link-time symbols, from a nokaslr boot (host-test.sh).
map=/opt/host-test/guest.map
k=$(kvm-lstar kaslr --name "$guest" --system-map "$map" --json 2>&1)
echo "  kaslr: $k"
link=$(awk '$3 == "entry_SYSCALL_64" { print "0x" $1 }' "$map" | sed 's/0x0*/0x/')
same "kaslr --name: offset = guest's entry_SYSCALL_64 - System.map's" \
	"$(printf '0x%x' $((lstar - link)))" "$(jq -r .offset <<<"$k" 2>&1)"

step "who sees it"
vm=$(jq -r .vm <<<"$rec")
has "root sees it" "\"vm\": ?$vm," "$(kvm-lstar list --json)"
has "libvirt's user (QEMU's) sees it" "\"vm\": ?$vm," \
	"$(runuser -u libvirt-qemu -- kvm-lstar list --json 2>&1)"
same "another user (nobody) does not" "" "$(runuser -u nobody -- kvm-lstar list --json 2>&1)"
runuser -u nobody -- kvm-lstar get --name "$guest" --json >/run/nobody.json 2>&1
same "nobody: get --name exits 1" 1 "$?"
same "nobody: get --name is not_found" not_found "$(jq -r .error </run/nobody.json 2>&1)"

step "the journal: one JSON line per capture, with its MESSAGE_ID and catalog entry"
wait_for 30 sh -c "journalctl -u kvm-lstar-watch -o cat | grep -q '\"vm\": *$vm,'" || true
j=$(journalctl _SYSTEMD_UNIT=kvm-lstar-watch.service -o json --output-fields=MESSAGE,MESSAGE_ID,PRIORITY,KVM_LSTAR_NAME |
	jq -c --argjson vm "$vm" 'select((.MESSAGE | fromjson? // {}) as $m | $m.vm == $vm)')
echo "$j" | sed 's/^/  journal: /'
same "one journal entry for the guest's capture" 1 "$(grep -c . <<<"$j")"
mid=$(jq -r .MESSAGE_ID <<<"$j" 2>/dev/null | head -n1)
has "it has a MESSAGE_ID" '^[0-9a-f]{32}$' "$mid"
same "its MESSAGE is the capture event" "capture $guest $lstar" \
	"$(jq -r '.MESSAGE | fromjson | "\(.event) \(.name) \(.lstar)"' <<<"$j" 2>&1 | head -n1)"
cat=$(journalctl -x _SYSTEMD_UNIT=kvm-lstar-watch.service MESSAGE_ID="$mid" 2>&1)
same "its KVM_LSTAR_NAME field" "$guest" "$(jq -r .KVM_LSTAR_NAME <<<"$j" 2>&1 | head -n1)"
has "the catalog explains it (journalctl -x)" "^(--|░░) Subject: " "$cat"
printf '%s\n' "$cat" | head -n 8 | sed 's/^/  /'

step "metrics: the timer's file, served by node_exporter"
prom=$(systemctl show -P ExecStart kvm-lstar-metrics.service | grep -o -- '--output [^ ;]*' | cut -d' ' -f2)
wait_for 60 grep -q "name=\"$guest\"" "$prom" || bad "$prom has no series of $guest"
scrape=$(curl -fsS http://127.0.0.1:9100/metrics 2>&1)
has "node_exporter serves kvm_lstar_ metrics" "^kvm_lstar_.*name=\"$guest\"" "$scrape"
has "node_exporter read the file without error" '^node_textfile_scrape_error 0$' "$scrape"
echo SCRAPE-BEGIN
printf '%s\n' "$scrape"
echo SCRAPE-END

step "virsh destroy: the record is gone"
virsh -q destroy "$guest" >/dev/null 2>&1
wait_for 30 sh -c "kvm-lstar get --vm $vm --json | jq -e .gone" || bad "the record of vm $vm is not gone"
virsh -q undefine "$guest" >/dev/null 2>&1

step "apt purge"
pkgs="kvm-lstar kvm-lstar-dkms libkvmlstar1 libkvmlstar-dev"
if apt-get purge -y -q $pkgs >/run/purge.log 2>&1; then ok; else bad "apt-get purge: $(tail -n 10 /run/purge.log)"; fi
same "no package left" "" "$(dpkg-query -W -f '${db:Status-Abbrev} ${Package}\n' $pkgs 2>/dev/null | awk '$1 !~ /^(un|pn)/')"
same "dkms knows no kvm-lstar" "" "$(dkms status 2>/dev/null | grep kvm-lstar)"
[ -e /var/lib/dkms/kvm-lstar ] && bad "/var/lib/dkms/kvm-lstar is still there" || ok
same "no kvm_lstar.ko under /lib/modules" "" "$(find /lib/modules -name 'kvm_lstar.ko*')"
same "no kvm-lstar process" "" "$(pgrep -a -f 'kvm-lstar ' | grep -v inside.sh)"
for f in /lib/systemd/system/kvm-lstar-watch.service /lib/systemd/system/kvm-lstar-metrics.service \
	/lib/systemd/system/kvm-lstar-metrics.timer /usr/bin/kvm-lstar /usr/src/kvm-lstar-*; do
	[ -e "$f" ] && bad "$f is still there after the purge" || ok
done
same "no unit of kvm-lstar left enabled" "" \
	"$(find /etc/systemd/system -name 'kvm-lstar*' 2>/dev/null)"
echo "  left, as an admin's own file: $(ls /etc/modules-load.d/kvm-lstar.conf 2>&1)"
step "done"
echo "$pass passed, $failed failed"
