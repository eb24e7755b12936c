#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/vm/fuzz-netlink.sh SECONDS [KERNEL...]: `make fuzz-netlink`.  The
# netlink fuzzer of tests/vm/suites/harden.sh for SECONDS on each KERNEL
# (default 6.1 6.12 7.2), one boot each; the first failure stops it (the
# suite prints the seed: replay with harden.sh --fuzz-seed).
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
secs=${1:?usage: fuzz-netlink.sh SECONDS [KERNEL...]}
shift
[ $# -gt 0 ] || set -- 6.1 6.12 7.2
for k in "$@"; do
	"$top/tests/vm/run" --kernel "$k" --timeout $((secs + 300)) \
		"$top/tests/vm/suites/harden.sh" --only fuzz --fuzz-seconds "$secs"
done
