#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# guest-initrd.sh OUT.cpio: the nested guest's initramfs: /init is
# tests/vm/guest-init.c, built static; /dev/console so it has a stdout.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
s=$(mktemp -d)
trap 'rm -rf "$s"' EXIT
mkdir -p "$s/dev" "$s/proc"
mknod -m 600 "$s/dev/console" c 5 1
${CC:-cc} -std=gnu11 -Wall -Wextra -Werror -O2 -static -o "$s/init" "$top/tests/vm/guest-init.c"
(cd "$s" && find . -mindepth 1 | sed 's|^\./||' | cpio -o -H newc --quiet) >"$1"
