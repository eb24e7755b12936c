#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/spec-check.sh: `make spec-check`.  Validates doc/kvm_lstar.yaml
# against the kernel's genetlink schema and the uAPI header (spec-check.py),
# with the schema and the ynl tools taken from Debian's linux-source-6.12
# (the first Debian kernel source that has them) and extracted once into the
# cache.  Then proves the check can fail: a spec with a wrong type and one
# with a misnamed attribute must both be refused.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/kernels.sh
. "$top/scripts/kernels.sh"
ynl=$(ynl_tree)
py=/usr/bin/python3
schema=$ynl/Documentation/netlink/genetlink.yaml
hdr=$top/include/uapi/linux/kvm_lstar.h
spec=$top/doc/kvm_lstar.yaml

$py "$top/tests/spec-check.py" "$schema" "$spec" "$hdr"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 failed=0
mutant() {	# mutant NAME SED-EXPR
	sed "$2" "$spec" >"$tmp/m.yaml"
	if cmp -s "$spec" "$tmp/m.yaml"; then
		echo "FAIL: mutant '$1' changed nothing"; failed=$((failed + 1)); return
	fi
	if $py "$top/tests/spec-check.py" "$schema" "$tmp/m.yaml" "$hdr" >"$tmp/out" 2>&1; then
		echo "FAIL: mutant '$1' passed the check"; failed=$((failed + 1))
	else
		pass=$((pass + 1))
	fi
}
mutant "u64 spelled u65" '0,/type: u64/s//type: u65/'
mutant "an attribute renamed" 's/name: status-refused/name: status-refuse/'
mutant "a command renumbered" 's/      value: 1$/      value: 2/'
echo "spec self-check: $pass passed, $failed failed"
[ "$failed" = 0 ]
