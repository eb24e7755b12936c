#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/vm/guest-linux-test.sh: guest-linux's handling of a nested boot
# that stops in SeaBIOS (the TCG flake it retries once) against a real
# failure, run on the host with a fake qemu-system-x86_64 on PATH that
# plays a scripted console.  `make vm-test` runs it with the VM harness's own
# self-tests.  Prints "N passed, M failed"; exits 1 on a
# failure.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 failed=0

mkdir "$tmp/bin"
# One run per line of $FAKE_QEMU_PLAN, one word per boot: "boot" prints
# the guest's line; "bios" stops after SeaBIOS (the real one then hangs
# until guest-linux's timeout); "panic" panics.
cat >"$tmp/bin/qemu-system-x86_64" <<'EOF'
#!/bin/sh
while [ $# -gt 0 ]; do
	[ "$1" = -pidfile ] && echo $$ >"$2"
	shift
done
n=$(($(cat "$FAKE_QEMU_RUNS" 2>/dev/null || echo 0) + 1))
echo $n >"$FAKE_QEMU_RUNS"
k=0
for step in $(sed -n "${n}p" "$FAKE_QEMU_PLAN"); do
	printf 'SeaBIOS (version fake)\r\nBooting from ROM...\r\n'
	case $step in
	boot) k=$((k + 1)); printf 'GUEST-BOOT n=%d entry_SYSCALL_64=0xffffffff8%d000080\r\n' $k $k ;;
	bios) exit 0 ;;
	panic) printf 'Kernel panic - not syncing: fake\r\n'; exit 0 ;;
	esac
done
EOF
chmod +x "$tmp/bin/qemu-system-x86_64"

# case NAME PLAN WANT-RC WANT-RETRIES WANT-LAST-LINE GUEST-LINUX-ARGS...
case_() {
	local name=$1 plan=$2 want_rc=$3 want_retries=$4 want_last=$5 rc retries last
	shift 5
	printf '%b' "$plan" >"$tmp/plan"
	rm -f "$tmp/runs"
	PATH=$tmp/bin:$PATH FAKE_QEMU_PLAN=$tmp/plan FAKE_QEMU_RUNS=$tmp/runs \
		sh "$top/tests/vm/guest-linux" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	retries=$(grep -c 'never started its kernel; trying once more' "$tmp/err")
	last=$(grep '^GUEST-BOOT' "$tmp/out" | tail -n1 | cut -d' ' -f2)
	if [ "$rc" = "$want_rc" ] && [ "$retries" = "$want_retries" ] && [ "$last" = "$want_last" ]; then
		pass=$((pass + 1))
	else
		failed=$((failed + 1))
		echo "FAIL: guest-linux: $name: exit $rc retries $retries last '$last'," \
			"expected exit $want_rc retries $want_retries last '$want_last'"
		sed 's/^/  | /' "$tmp/err"
	fi
}

case_ "a boot that works" 'boot\n' 0 0 n=1
case_ "a first boot stuck in SeaBIOS is tried again" 'bios\nboot\n' 0 1 n=1
case_ "a reboot stuck in SeaBIOS is tried again" 'boot bios\nboot boot\n' 0 1 n=2 --reboots 1
case_ "stuck twice fails" 'bios\nbios\n' 1 1 "" 
case_ "a panic is not retried" 'panic\nboot\n' 1 0 ""
case_ "a panic after a reboot is not retried" 'boot panic\nboot boot\n' 1 0 n=1 --reboots 1
echo "$pass passed, $failed failed"
[ "$failed" = 0 ]
