# SPDX-License-Identifier: GPL-2.0
#
# tests/vm/lib.sh: helpers the VM harness suites share (sourced inside the VM as
# /bench/lib.sh).  Each check counts one pass or one failure; finish prints
# the closing "N passed, M failed" line and sets the exit status.
# Callers set t (a scratch directory) first.

# shellcheck source=tests/checks.sh
. /bench/checks.sh

# The bench's CPU (tests/vm/run --cpu): amd (QEMU/TCG, SVM; a plain guest
# write is seen by the sample path) or intel (Bochs, VMX; by the intercept
# path).  Suites assert what each vendor truthfully gives.
vendor=$(cat /bench/cpu 2>/dev/null || echo amd)
plain=sample
[ "$vendor" = intel ] && plain=intercept

# slow: how many times longer a VM must outlive the checks made while it
# runs (--hold): each command is several times slower under Bochs.
slow=1
[ "$vendor" = intel ] && slow=4

# on VENDOR: true on that vendor's bench.
on() {
	[ "$vendor" = "$1" ]
}

# amd_only WHAT: says, in the suite's output, that WHAT is not run here.
amd_only() {
	echo "  (AMD only, not run on $vendor: $1)"
}

# run CMD...: sets rc, out, err.
# With python3 in the VM (a suite with "# bench-needs: ynl"), the stdout of
# every kvm-lstar command run with --json (directly or through as_user) is
# checked to be strict JSON; json_runs counts them.  Other programs' --json
# (ynl's cli.py takes a request with it) are not kvm-lstar's output.
json_runs=0
run() {
	"$@" >$t/out 2>$t/err
	rc=$?
	out=$(cat $t/out)
	err=$(cat $t/err)
	json_cmd=$1
	[ "$1" = su ] && json_cmd=${4%% *}
	case "$json_cmd $*" in
	kvm-lstar*" --help"*) ;;
	kvm-lstar*--json*)
		if command -v python3 >/dev/null; then
			json_runs=$((json_runs + 1))
			strict_json "$*" $t/out
		fi ;;
	esac
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


# field KEY JSON: a field of the first JSON object in JSON (empty if none).
field() {
	printf '%s\n' "$2" | jq -r ".$1 // empty" 2>/dev/null | head -n1
}

# count FILTER FILE [JQ ARGS...]: how many JSON lines of FILE match FILTER.
count() {
	local filter=$1 file=$2
	shift 2
	jq -s "$@" "map(select($filter)) | length" "$file"
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

# guest NAME ARGS...: start lstar-guest in the background, wait for READY;
# sets gpid (its pid) and gbg (the background job's pid).
guest() {
	name=$1
	shift
	lstar-guest "$@" >$t/$name.out 2>&1 &
	gbg=$!
	wait_ready $t/$name.out
	gpid=$(sed -n 's/^READY pid=//p' $t/$name.out)
}

# wait_gone PID: until that VMM has exited and the module marked it gone.
wait_gone() {
	wait "$1" 2>/dev/null
	i=0
	while ! kvm-lstar list --pid "$1" --json | jq -e 'select(.gone)' >/dev/null; do
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
