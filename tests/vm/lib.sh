# SPDX-License-Identifier: GPL-2.0
#
# tests/vm/lib.sh: helpers the bench suites share (sourced inside the VM as
# /bench/lib.sh).  Each check counts one pass or one failure; finish prints
# the closing "N passed, M failed" line and sets the exit status.
# Callers set t (a scratch directory) first.

pass=0 failed=0

ok() { pass=$((pass + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL: $*"; }

# run CMD...: sets rc, out, err.
run() {
	"$@" >$t/out 2>$t/err
	rc=$?
	out=$(cat $t/out)
	err=$(cat $t/err)
}

# as_user CMD: run a shell command line as the unprivileged user.
as_user() {
	run su user -c "$1"
}

check_rc() {
	if [ "$rc" = "$2" ]; then ok; else
		bad "$1: exit $rc, expected $2"
		[ -n "$out" ] && echo "  stdout: $out"
		[ -n "$err" ] && echo "  stderr: $err"
	fi
}

# expect NAME RC CMD...
expect() {
	name=$1 want=$2
	shift 2
	run "$@"
	check_rc "$name" "$want"
}

# has NAME PATTERN TEXT (extended regex)
has() {
	if printf '%s\n' "$3" | grep -Eq -- "$2"; then ok; else bad "$1: no /$2/ in: $3"; fi
}

hasnt() {
	if printf '%s\n' "$3" | grep -Eq -- "$2"; then bad "$1: unexpected /$2/ in: $3"; else ok; fi
}

same() {
	if [ "$2" = "$3" ]; then ok; else bad "$1"; echo "  expected: $2"; echo "  actual:   $3"; fi
}

# field KEY JSON: a number field of a one-line JSON object.
field() {
	printf '%s\n' "$2" | sed -n "s/.*\"$1\": \([0-9]*\).*/\1/p" | head -n1
}

# The exact JSON of a record, captured_ns and the source masked.
mask() {
	sed -E -e 's/"captured_ns": [0-9]+/"captured_ns": N/' \
	    -e 's/"source": "(intercept|sample)"/"source": S/'
}

# wait_ready FILE: until lstar-guest printed READY (20 s at most).
wait_ready() {
	i=0
	while ! grep -q '^READY' "$1" 2>/dev/null; do
		i=$((i + 1))
		[ $i -gt 100 ] && { bad "no READY in $1: $(cat "$1")"; return 1; }
		sleep 0.2
	done
	ok
}

# wait_gone PID: until that VMM has exited and the module marked it gone.
wait_gone() {
	wait "$1" 2>/dev/null
	i=0
	while ! kvm-lstar list --pid "$1" --json | grep -q '"gone": true'; do
		i=$((i + 1))
		[ $i -gt 50 ] && { bad "pid $1 never marked gone"; return 1; }
		sleep 0.2
	done
	ok
}

# finish: the closing line and status of a suite.
finish() {
	echo "$pass passed, $failed failed"
	[ "$failed" = 0 ]
}
