#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/spec-check.sh: `make spec-check`.  Validates doc/kvm_lstar.yaml
# against the kernel's schema for its protocol (genetlink-legacy), and
# checks the names it refers to (spec-check.py), with the schemas taken
# from Debian's linux-source-6.12 (the first Debian kernel source that has
# them), extracted once into the cache.  Then proves each check can fail:
# specs with a misspelt type, with the stricter genetlink protocol, and
# with an attribute, an enum, an attribute set or the group renamed must
# all be refused.
#
# That the uAPI header and the module's policy are what the spec generates
# is `make lint`'s to check.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/kernels.sh
. "$top/scripts/kernels.sh"
ynl=$(ynl_tree)
py=/usr/bin/python3
schemas=$ynl/Documentation/netlink
spec=$top/doc/kvm_lstar.yaml

$py "$top/tests/spec-check.py" "$schemas" "$spec"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 failed=0
mutant() {	# mutant NAME SED-EXPR
	sed "$2" "$spec" >"$tmp/m.yaml"
	if cmp -s "$spec" "$tmp/m.yaml"; then
		echo "FAIL: mutant '$1' changed nothing"; failed=$((failed + 1)); return
	fi
	if $py "$top/tests/spec-check.py" "$schemas" "$tmp/m.yaml" >"$tmp/out" 2>&1; then
		echo "FAIL: mutant '$1' passed the check"; failed=$((failed + 1))
	else
		pass=$((pass + 1))
	fi
}
mutant "u64 spelled u65" '0,/type: u64/s//type: u65/'
mutant "protocol genetlink, whose schema has no kernel-policy" \
	's/^protocol: genetlink-legacy$/protocol: genetlink/'
mutant "an attribute renamed" 's/name: status-refused/name: status-refuse/'
mutant "an enum renamed" 's/^    name: path$/    name: paths/'
mutant "an op's attribute set renamed" '0,/attribute-set: kvm-lstar$/s//attribute-set: kvm_lstar/'
mutant "the events group renamed" 's/^      name: events$/      name: event/'
echo "spec self-check: $pass passed, $failed failed"
[ "$failed" = 0 ]
