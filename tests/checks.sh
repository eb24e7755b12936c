# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# tests/checks.sh: the checks every test script counts with, on the host
# and in the VM (tests/vm/run copies it to /bench/checks.sh for
# tests/vm/lib.sh).  Each check counts one pass or one failure; a failure
# prints one "FAIL: ..." line, and the script's closing line is
# "N passed, M failed".

pass=0 failed=0

# What a kernel log line says when the kernel hit a bug: any of these fails
# a VM run (tests/vm/run) and a suite's own log checks (grep -E).
kernel_crash='Oops|BUG:|WARNING:|general protection fault|Kernel panic|UBSAN:|KASAN:|KFENCE:|ODEBUG:|kernel BUG|Call Trace:'

ok() { pass=$((pass + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL: $*"; }

# same NAME EXPECTED ACTUAL
same() {
	if [ "$2" = "$3" ]; then ok; else bad "$1"; echo "  expected: $2"; echo "  actual:   $3"; fi
}

# has NAME PATTERN TEXT: TEXT matches the extended regex PATTERN.
has() {
	if printf '%s\n' "$3" | grep -Eq -- "$2"; then ok; else bad "$1: no /$2/ in: $3"; fi
}

# hasnt NAME PATTERN TEXT: it does not.
hasnt() {
	if printf '%s\n' "$3" | grep -Eq -- "$2"; then bad "$1: unexpected /$2/ in: $3"; else ok; fi
}

# strict_json NAME FILE: every line of FILE is a JSON object that a strict
# decoder takes: its bytes are UTF-8 (nothing replaced) and its text JSON.
# Needs python3 (in the VM: "# bench-needs: ynl").
strict_json() {
	if python3 -c '
import json, sys
data = open(sys.argv[1], "rb").read()
for line in data.decode("utf-8", errors="strict").splitlines():
    if not isinstance(json.loads(line), dict):
        raise SystemExit("not an object: " + line)
' "$2" 2>"$2.json-err"; then ok; else
		bad "$1: stdout is not strict UTF-8 JSON: $(tail -n1 "$2.json-err")"
	fi
}
