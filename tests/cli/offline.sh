#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/cli/offline.sh: the kvm-lstar commands that need no module (derive,
# symbol), every derivation error class with its exit status and JSON error
# object, usage errors (exit 2), and the no-module error when the host has
# no kvm_lstar loaded.  Runs on the host; builds a small synthetic vmlinux
# (an x86_64 ELF with entry_SYSCALL_64 at a known link address) with gcc.
#
#   KVM_LSTAR=path/to/kvm-lstar tests/cli/offline.sh      (make cli-test)
#
# Ends with "N passed, M failed"; exits 1 when anything failed.
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
bin=${KVM_LSTAR:-$top/${O:-build}/tool/kvm-lstar}
case $bin in /*) ;; *) bin=$PWD/$bin ;; esac
[ -x "$bin" ] || { echo "offline.sh: no kvm-lstar at $bin (make tool, or set KVM_LSTAR)" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# shellcheck source=tests/checks.sh
. "$top/tests/checks.sh"

# run ARGS...: run kvm-lstar; sets rc, out (stdout) and err (stderr).  The
# stdout of every run with --json must be strict JSON (empty is fine only
# for a --help).
json_runs=0
run() {
	# A command that blocks (a bug) fails its checks instead of the whole run.
	timeout 60 "$bin" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	out=$(cat "$tmp/out")
	err=$(cat "$tmp/err")
	case " $* " in
	*" --help "*) ;;
	*" --json "*)
		json_runs=$((json_runs + 1))
		strict_json "kvm-lstar $*" "$tmp/out" ;;
	esac
}

# expect NAME RC ARGS...: run and check the exit status.
expect() {
	local name=$1 want=$2
	shift 2
	run "$@"
	if [ "$rc" = "$want" ]; then ok; else
		bad "$name: exit $rc, expected $want (kvm-lstar $*)"
		[ -n "$out" ] && echo "  stdout: $out"
		[ -n "$err" ] && echo "  stderr: $err"
	fi
}


# json_error NAME RC CLASS RETRYABLE ARGS...: a --json failure prints one
# error object on stdout with that class and nothing on stderr.
json_error() {
	local name=$1 want=$2 class=$3 retry=$4
	shift 4
	expect "$name" "$want" "$@" --json
	has "$name: error object" "^\{\"error\": \"$class\", \"retryable\": $retry, \"message\": \".+\"\}$" "$out"
	same "$name: stderr empty" "" "$err"
	if command -v jq >/dev/null; then
		if printf '%s\n' "$out" | jq -e . >/dev/null 2>&1; then ok; else bad "$name: not JSON: $out"; fi
	fi
}

# text_error NAME RC PATTERN ARGS...: without --json, one line on stderr.
text_error() {
	local name=$1 want=$2 pattern=$3
	shift 3
	expect "$name" "$want" "$@"
	same "$name: stdout empty" "" "$out"
	same "$name: one stderr line" 1 "$(printf '%s\n' "$err" | wc -l)"
	has "$name: message" "$pattern" "$err"
}

# --- inputs -------------------------------------------------------------------
link=0xffffffff81c00080			# entry_SYSCALL_64 at link time
build_id=0123456789abcdef0123456789abcdef01234567

cat >"$tmp/fake.S" <<'EOF'
	.section .text,"ax",@progbits
	.globl _text, _start
_text:
_start:
	ret
	.section .entry.text,"ax",@progbits
	.globl entry_SYSCALL_64, entry_SYSENTER_compat, entry_SYSCALL_compat
entry_SYSCALL_64:
	.fill 0x1870, 1, 0xcc
entry_SYSENTER_compat:
	.fill 0xc0, 1, 0xcc
entry_SYSCALL_compat:
	ret
#ifndef NO_BANNER
	.section .rodata,"a",@progbits
	.globl linux_banner
linux_banner:
	.asciz "Linux version 6.1.0-99-amd64 (debian-kernel@lists.debian.org) (gcc) #1 SMP\n"
	.section .bss..page_aligned,"aw",@nobits
	.globl init_top_pgt
	.balign 4096
init_top_pgt:
	.skip 4096
#endif
EOF
for v in vmlinux: vmlinux.nobanner:-DNO_BANNER; do
	# shellcheck disable=SC2086 # ${v#*:} is one flag or none
	if ! gcc -nostdlib -static -no-pie -Wl,--build-id=0x$build_id ${v#*:} \
		-Wl,-Ttext=0xffffffff81000000 -Wl,--section-start=.entry.text=$link \
		-o "$tmp/${v%%:*}" "$tmp/fake.S" 2>"$tmp/gcc.err"; then
		cat "$tmp/gcc.err"
		bad "building the synthetic vmlinux"
		echo "$pass passed, $failed failed"
		exit 1
	fi
done
cp "$tmp/vmlinux" "$tmp/vmlinux.stripped"
strip "$tmp/vmlinux.stripped"

cat >"$tmp/System.map" <<EOF
ffffffff81000000 T _text
ffffffff81000000 T startup_64
ffffffff81c00000 T entry_SYSCALL_64_early
${link#0x} T entry_SYSCALL_64
ffffffff81c018f0 T entry_SYSENTER_compat
ffffffff81c019b0 T entry_SYSCALL_compat
ffffffff82000000 D _edata
EOF
grep -v ' entry_SYSCALL_64$' "$tmp/System.map" >"$tmp/nosym.map"
printf 'this is not\na System.map\n' >"$tmp/garbage.map"
mkdir "$tmp/dir"
weird="$tmp/we\"ird\\name"
cp "$tmp/System.map" "$weird"

# --- help and version -------------------------------------------------------
expect "--version" 0 --version
has "--version text" '^kvm-lstar [0-9]+\.[0-9]+' "$out"
expect "--help" 0 --help
overview=$out
for cmd in status list get wait watch kaslr derive symbol metrics clear; do
	has "--help lists $cmd" "^  $cmd " "$overview"
	expect "$cmd --help" 0 "$cmd" --help
	has "$cmd --help usage" "^Usage: kvm-lstar $cmd " "$out"
done
expect "no arguments" 2

# --- derive -------------------------------------------------------------------
expect "derive --link" 0 derive --lstar 0xffffffff85c00080 --link $link --json
same "derive --link JSON" \
	'{"lstar": "0xffffffff85c00080", "link": "0xffffffff81c00080", "offset": "0x4000000", "symbol": "entry_SYSCALL_64", "witnesses": [{"msr": "lstar", "value": "0xffffffff85c00080", "symbol": "entry_SYSCALL_64", "link": "0xffffffff81c00080", "offset": "0x4000000"}], "confirmed": false}' "$out"
expect "derive hex without 0x, upper case" 0 derive --lstar FFFFFFFF85C00080 --link ffffffff81c00080 --json
has "derive hex without 0x" '"offset": "0x4000000"' "$out"
expect "derive --system-map" 0 derive --lstar 0xffffffffa1c00080 --system-map "$tmp/System.map" --json
same "derive --system-map JSON" \
	'{"lstar": "0xffffffffa1c00080", "link": "0xffffffff81c00080", "offset": "0x20000000", "symbol": "entry_SYSCALL_64", "witnesses": [{"msr": "lstar", "value": "0xffffffffa1c00080", "symbol": "entry_SYSCALL_64", "link": "0xffffffff81c00080", "offset": "0x20000000"}], "confirmed": false}' "$out"
expect "derive --vmlinux" 0 derive --lstar 0xffffffff82000080 --vmlinux "$tmp/vmlinux" --json
same "derive --vmlinux JSON" \
	"{\"lstar\": \"0xffffffff82000080\", \"link\": \"0xffffffff81c00080\", \"offset\": \"0x400000\", \"symbol\": \"entry_SYSCALL_64\", \"build_id\": \"$build_id\", \"witnesses\": [{\"msr\": \"lstar\", \"value\": \"0xffffffff82000080\", \"symbol\": \"entry_SYSCALL_64\", \"link\": \"0xffffffff81c00080\", \"offset\": \"0x400000\"}], \"confirmed\": false}" "$out"
# Witnesses: CSTAR and SYSENTER_EIP at their own symbols (entry_SYSENTER_compat
# at +0x1870, entry_SYSCALL_compat at +0x1930 from entry_SYSCALL_64).
expect "derive with witnesses (map)" 0 derive --lstar 0xffffffffa1c00080 --cstar 0xffffffffa1c019b0 \
	--sysenter-eip 0xffffffffa1c018f0 --system-map "$tmp/System.map" --json
same "derive with witnesses JSON" \
	'{"lstar": "0xffffffffa1c00080", "link": "0xffffffff81c00080", "offset": "0x20000000", "symbol": "entry_SYSCALL_64", "witnesses": [{"msr": "lstar", "value": "0xffffffffa1c00080", "symbol": "entry_SYSCALL_64", "link": "0xffffffff81c00080", "offset": "0x20000000"}, {"msr": "cstar", "value": "0xffffffffa1c019b0", "symbol": "entry_SYSCALL_compat", "link": "0xffffffff81c019b0", "offset": "0x20000000"}, {"msr": "sysenter_eip", "value": "0xffffffffa1c018f0", "symbol": "entry_SYSENTER_compat", "link": "0xffffffff81c018f0", "offset": "0x20000000"}], "confirmed": true}' "$out"
expect "derive with witnesses (vmlinux, SYSENTER_EIP's low half)" 0 derive --lstar 0xffffffff82000080 \
	--sysenter-eip 0x820018f0 --vmlinux "$tmp/vmlinux" --json
has "vmlinux witnesses confirm" '"msr": "sysenter_eip", "value": "0x820018f0", "symbol": "entry_SYSENTER_compat", "link": "0xffffffff81c018f0", "offset": "0x400000"}], "confirmed": true}$' "$out"
expect "derive nokaslr, confirmed" 0 derive --lstar $link --cstar 0xffffffff81c019b0 --system-map "$tmp/System.map"
has "nokaslr confirmed in words" '^confirmed: 2 of 2 entry-point MSRs give this offset$' "$out"
has "witness line" '^witness cstar +0xffffffff81c019b0  entry_SYSCALL_compat \+ offset 0x0$' "$out"
json_error "a hooked LSTAR beside honest witnesses" 4 witness_mismatch false derive --lstar 0xffffffffa1e00080 \
	--cstar 0xffffffffa1c019b0 --sysenter-eip 0xffffffffa1c018f0 --system-map "$tmp/System.map"
has "the mismatch names each offset" 'lstar 0xffffffffa1e00080 gives offset 0x20200000 .*cstar 0xffffffffa1c019b0 gives offset 0x20000000 .*sysenter_eip 0xffffffffa1c018f0 gives offset 0x20000000' "$out"
text_error "witness_mismatch without --json" 4 '^kvm-lstar derive: the entry-point MSRs disagree: .*redirected' \
	derive --lstar 0xffffffffa1c00080 --cstar 0xffffffffc0001000 --system-map "$tmp/System.map"
expect "derive offset 0 (nokaslr)" 0 derive --lstar $link --link $link --json
has "derive offset 0" '"offset": "0x0"' "$out"
expect "derive human" 0 derive --lstar 0xffffffff85c00080 --vmlinux "$tmp/vmlinux"
has "derive human offset" '^offset +0x4000000$' "$out"
has "derive human link" "^link +0xffffffff81c00080 +entry_SYSCALL_64 in .*vmlinux, build-id $build_id$" "$out"

# --- --format: the offset as each consumer takes it, read by that consumer ---
# gdb, crash and drgn (Debian 12's 0.0.22) read the output here; LibVMI is
# not in Debian, so its stanza is held to the grammar of its config lexer.
off=0x4000000 lstar=0xffffffff85c00080
expect "--format gdb" 0 derive --lstar $lstar --vmlinux "$tmp/vmlinux" --format gdb
same "--format gdb: the command" "symbol-file -o $off \"$tmp/vmlinux\"" "$(grep -v '^#' <<<"$out")"
has "--format gdb: the offset's origin as a comment" \
	"^# kvm-lstar: KASLR offset $off = LSTAR $lstar - entry_SYSCALL_64 $link$" "$out"
has "--format gdb: not confirmed, said" '^# not confirmed: no other entry-point MSR was seen$' "$out"
# A file name with a space, a quote and a backslash, loaded by the real gdb
# from the commands alone: the symbols land at their run-time addresses.
odd="$tmp/a dir/we\"ird\\name"
mkdir -p "$tmp/a dir"
cp "$tmp/vmlinux" "$odd"
expect "--format gdb, odd file name" 0 derive --lstar $lstar --cstar 0xffffffff85c019b0 \
	--vmlinux "$odd" --format gdb
has "--format gdb: confirmed, said" '^# confirmed: 2 of 2 entry-point MSRs give this offset$' "$out"
printf '%s\n' "$out" >"$tmp/cmds.gdb"
gout=$(cd / && gdb -batch -nx -x "$tmp/cmds.gdb" -ex 'info address entry_SYSCALL_64' \
	-ex 'output/x &linux_banner' 2>&1)
has "gdb reads the commands: entry_SYSCALL_64 at LSTAR" \
	"Symbol \"entry_SYSCALL_64\" is at $lstar in a file" "$gout"
has "gdb reads the commands: linux_banner moved by the offset" '0xffffffff85001000$' "$gout"
hasnt "gdb reads the commands: no error" 'No such file|No symbol table|rror' "$gout"
expect "--format gdb --json" 0 derive --lstar $lstar --vmlinux "$tmp/vmlinux" --format gdb --json
has "--format gdb --json: the derivation, the format and the text" \
	"^\{\"lstar\": \"$lstar\", .*\"confirmed\": false, \"format\": \"gdb\", \"text\": \"# kvm-lstar: .*nsymbol-file -o $off .*vmlinux.*n\"\}$" "$out"
json_error "--format gdb with a System.map" 2 bad_input false \
	derive --lstar $lstar --system-map "$tmp/System.map" --format gdb
has "--format gdb: says it needs a vmlinux" 'give --vmlinux FILE' "$out"
json_error "--format gdb with --link" 2 bad_input false derive --lstar $lstar --link $link --format gdb
# A name no gdb command line can hold, and one gdb could not open later.
nl="$tmp/new
line"
cp "$tmp/vmlinux" "$nl"
json_error "--format gdb, a line break in the name" 1 bad_input false \
	derive --lstar $lstar --vmlinux "$nl" --format gdb
text_error "--format gdb, a line break in the name, as one line of text" 1 \
	'line break.*link the file to a plainer name' derive --lstar $lstar --vmlinux "$nl" --format gdb
json_error "--format libvmi through a pipe" 1 bad_input false \
	derive --lstar $lstar --system-map <(cat "$tmp/System.map") --format libvmi
has "--format libvmi through a pipe: says why" 'names no regular file.*give the file itself' "$out"
json_error "kaslr --format gdb with a System.map, before any netlink" 2 bad_input false \
	kaslr --vm 1 --system-map "$tmp/System.map" --format gdb
json_error "--format unknown" 2 bad_input false derive --lstar $lstar --link $link --format lldb
has "--format unknown: names it and the choices" "'lldb' is not one of gdb, crash, libvmi, vmcoreinfo" "$out"
json_error "--format not taken by symbol" 2 bad_input false \
	symbol --vmlinux "$tmp/vmlinux" _text --format gdb

expect "--format crash" 0 derive --lstar $lstar --link $link --format crash
same "--format crash: one word" "--kaslr=$off" "$out"
# crash refuses a --kaslr value it cannot parse before it opens anything.
cout=$(crash "$out" "$tmp/vmlinux" "$tmp/no-such-dump" 2>&1 </dev/null)
has "crash ran" 'crash 8|crash [0-9]' "$cout"
hasnt "crash takes the word" 'invalid --kaslr' "$cout"
cout=$(crash --kaslr=0xzz "$tmp/vmlinux" "$tmp/no-such-dump" 2>&1 </dev/null)
has "crash refuses a bad word (this check can fail)" 'invalid --kaslr argument' "$cout"

expect "--format libvmi" 0 derive --lstar $lstar --system-map "$tmp/System.map" --format libvmi
same "--format libvmi: the stanza" "guest {
    ostype = \"Linux\";
    sysmap = \"$tmp/System.map\";
    linux_kaslr = $off;
}" "$(grep -v '^#' <<<"$out")"
# LibVMI's lexer (libvmi/config/lexicon.l): a stanza name is a WORD, a
# quoted file name is [a-zA-Z0-9/._@-]+, a number 0x[0-9a-fA-F]+, and '#'
# comments run to the end of the line.
same "--format libvmi: every line one LibVMI's grammar takes" "" \
	"$(grep -Ev '^(#.*|[a-zA-Z0-9][a-zA-Z0-9._-]+ \{|    ostype = "[a-zA-Z0-9][a-zA-Z0-9._-]+";|    sysmap = "[a-zA-Z0-9/._@-]+";|    linux_kaslr = 0x[0-9a-fA-F]+;|\})$' <<<"$out")"
json_error "--format libvmi with a vmlinux" 2 bad_input false \
	derive --lstar $lstar --vmlinux "$tmp/vmlinux" --format libvmi
has "--format libvmi: says it needs a System.map" 'give --system-map FILE' "$out"
json_error "--format libvmi, a file name its config cannot hold" 1 bad_input false \
	derive --lstar $lstar --system-map "$weird" --format libvmi
has "--format libvmi: names the file and the fix" 'we.*ird.*link the System.map' "$out"

# x86_64 calls init_top_pgt swapper_pg_dir in its VMCOREINFO.
pgd=$(nm "$tmp/vmlinux" | awk '$3 == "init_top_pgt" { print $1 }')
expect "--format vmcoreinfo" 0 derive --lstar $lstar --vmlinux "$tmp/vmlinux" --format vmcoreinfo
same "--format vmcoreinfo: the lines" "OSRELEASE=6.1.0-99-amd64
PAGESIZE=4096
BUILD-ID=$build_id
SYMBOL(swapper_pg_dir)=$(printf '%x' $((0x$pgd + off)))
KERNELOFFSET=${off#0x}" "$out"
json_error "--format vmcoreinfo with a System.map whose name has no release" 2 bad_input false \
	derive --lstar $lstar --system-map "$tmp/System.map" --format vmcoreinfo
has "--format vmcoreinfo: says how to name the map" 'System.map-RELEASE.*--vmlinux FILE' "$out"
json_error "--format vmcoreinfo with --link" 2 bad_input false \
	derive --lstar $lstar --link $link --format vmcoreinfo
# A System.map named as /boot names them states its release.
mkdir "$tmp/boot"
{ cat "$tmp/System.map"; echo "$pgd d init_top_pgt"; } >"$tmp/boot/System.map-6.1.0-99-amd64"
expect "--format vmcoreinfo from System.map-RELEASE" 0 \
	derive --lstar $lstar --system-map "$tmp/boot/System.map-6.1.0-99-amd64" --format vmcoreinfo
same "--format vmcoreinfo from System.map-RELEASE: the lines" "OSRELEASE=6.1.0-99-amd64
PAGESIZE=4096
SYMBOL(swapper_pg_dir)=$(printf '%x' $((0x$pgd + off)))
KERNELOFFSET=${off#0x}" "$out"
cp "$tmp/System.map" "$tmp/boot/System.map-6.1.0-98-amd64"
json_error "--format vmcoreinfo, a map without the page table root" 1 bad_input false \
	derive --lstar $lstar --system-map "$tmp/boot/System.map-6.1.0-98-amd64" --format vmcoreinfo
has "--format vmcoreinfo: names what is missing" 'init_top_pgt nor swapper_pg_dir' "$out"
json_error "--format vmcoreinfo, a vmlinux without linux_banner" 1 bad_input false \
	derive --lstar $lstar --vmlinux "$tmp/vmlinux.nobanner" --format vmcoreinfo
has "--format vmcoreinfo: says what is missing" 'linux_banner' "$out"
# drgn 0.0.22 has no --vmcoreinfo (0.0.27 added it); it reads the same text
# from a core dump's VMCOREINFO note.  A core holding the lines: drgn takes
# it as a Linux kernel of that release and page size, and refuses it when
# swapper_pg_dir is spoilt (so it did parse that line).
derive_vmci() {
	"$bin" derive --lstar $lstar --vmlinux "$tmp/vmlinux" --format vmcoreinfo
}
drgn_core() {	# drgn_core TEXTFILE: what drgn makes of a core with that note
	/usr/bin/python3 - "$1" "$tmp/core" <<'PY' 2>&1
import struct, sys
import drgn
text = open(sys.argv[1], 'rb').read()
def pad(b):
    return b + b'\0' * (-len(b) % 4)
note = struct.pack('<III', 11, len(text), 0) + pad(b'VMCOREINFO\0') + pad(text)
notes_at, load_at = 64 + 2 * 56, 4096
ehdr = b'\x7fELF\x02\x01\x01' + b'\0' * 9 + struct.pack(
    '<HHIQQQIHHHHHH', 4, 62, 1, 0, 64, 0, 0, 64, 56, 2, 64, 0, 0)
phdrs = struct.pack('<IIQQQQQQ', 4, 0, notes_at, 0, 0, len(note), len(note), 4)
phdrs += struct.pack('<IIQQQQQQ', 1, 7, load_at, 0, 0, 4096, 4096, 4096)
core = ehdr + phdrs + note
core += b'\0' * (load_at - len(core)) + b'\0' * 4096
open(sys.argv[2], 'wb').write(core)
p = drgn.Program()
p.set_core_dump(sys.argv[2])
print(p.flags, p['UTS_RELEASE'].string_().decode(), p['PAGE_SIZE'].value_())
PY
}
derive_vmci >"$tmp/vmci"
has "drgn reads the lines from a core" '^ProgramFlags.IS_LINUX_KERNEL 6\.1\.0-99-amd64 4096$' \
	"$(drgn_core "$tmp/vmci")"
sed 's/^SYMBOL(swapper_pg_dir)=.*/SYMBOL(swapper_pg_dir)=zz/' "$tmp/vmci" >"$tmp/vmci.bad"
has "drgn refuses a spoilt swapper_pg_dir (this check can fail)" 'VMCOREINFO' \
	"$(drgn_core "$tmp/vmci.bad")"

# --- every derivation error class --------------------------------------------
json_error "lstar_zero" 3 lstar_zero true derive --lstar 0 --link $link
json_error "link_unknown (--link 0)" 4 link_unknown false derive --lstar 0xffffffff85c00080 --link 0
json_error "link_unknown (map without symbol)" 4 link_unknown false \
	derive --lstar 0xffffffff85c00080 --system-map "$tmp/nosym.map"
has "link_unknown names the file" 'nosym\.map.*entry_SYSCALL_64' "$out"
json_error "lstar_zero before link_unknown" 3 lstar_zero true derive --lstar 0 --system-map "$tmp/nosym.map"
json_error "non_canonical" 3 non_canonical true derive --lstar 0x7fffffff1000 --link $link
json_error "link_above_lstar" 4 link_above_lstar false derive --lstar 0xffffffff81000000 --link $link
json_error "misaligned" 4 misaligned false derive --lstar 0xffffffff85c00090 --link $link
json_error "out_of_range" 4 out_of_range false derive --lstar 0xffffffffc1c00080 --link $link
has "out_of_range names the values" '0x40000000.*0xffffffffc1c00080.*0xffffffff81c00080' "$out"
text_error "misaligned without --json" 4 '^kvm-lstar derive: offset 0x4000010 .*0xffffffff85c00090.*0xffffffff81c00080' \
	derive --lstar 0xffffffff85c00090 --link $link
text_error "lstar_zero without --json" 3 'MSR_LSTAR is 0x0' derive --lstar 0 --link $link

# --- symbol -------------------------------------------------------------------
expect "symbol --vmlinux" 0 symbol --vmlinux "$tmp/vmlinux" entry_SYSCALL_64 --json
same "symbol --vmlinux JSON" \
	"{\"name\": \"entry_SYSCALL_64\", \"address\": \"0xffffffff81c00080\", \"file\": \"$tmp/vmlinux\", \"build_id\": \"$build_id\"}" "$out"
expect "symbol --system-map" 0 symbol --system-map "$tmp/System.map" _text --json
same "symbol --system-map JSON" \
	"{\"name\": \"_text\", \"address\": \"0xffffffff81000000\", \"file\": \"$tmp/System.map\", \"build_id\": null}" "$out"
expect "symbol NAME before the options" 0 symbol _text --system-map "$tmp/System.map"
has "symbol human" '^_text +0xffffffff81000000 ' "$out"
expect "symbol: JSON escaping of the file name" 0 symbol --system-map "$weird" _text --json
has "symbol: escaped quote and backslash" '"file": ".*we\\"ird\\\\name"' "$out"
if command -v jq >/dev/null; then
	same "symbol: escaped name round-trips" "$weird" "$(printf '%s\n' "$out" | jq -r .file)"
fi
json_error "symbol not_found" 1 not_found false symbol --vmlinux "$tmp/vmlinux" no_such_symbol
has "not_found names symbol and file" 'vmlinux.*no_such_symbol|no_such_symbol.*vmlinux' "$out"
json_error "stripped vmlinux" 1 bad_input false symbol --vmlinux "$tmp/vmlinux.stripped" _text
has "stripped: names the fix" 'symbol table|\.symtab' "$out"
json_error "stripped vmlinux in derive" 1 bad_input false derive --lstar 0xffffffff85c00080 --vmlinux "$tmp/vmlinux.stripped"
json_error "map as --vmlinux" 1 bad_input false symbol --vmlinux "$tmp/System.map" _text
json_error "garbage map" 1 bad_input false symbol --system-map "$tmp/garbage.map" _text
json_error "missing file" 1 bad_input false symbol --system-map "$tmp/missing.map" _text
json_error "directory" 1 bad_input false symbol --vmlinux "$tmp/dir" _text
text_error "missing file without --json" 1 'missing\.map' symbol --system-map "$tmp/missing.map" _text

# --- usage errors: exit 2, class bad_input ------------------------------------
usage() {
	local name=$1
	shift
	json_error "usage: $name" 2 bad_input false "$@"
}
usage "unknown command" bogus
usage "unknown option" list --bogus
usage "missing value" list --pid
usage "pid with junk" list --pid 12x
usage "pid 0" list --pid 0
usage "pid too large" list --pid 4194305
usage "pid negative" list --pid -1
usage "pid with space" list --pid " 12"
usage "vm too large" list --vm 4294967296
usage "vcpu negative" get --vm 1 --vcpu -1
usage "pid and vm" list --pid 1 --vm 1
usage "get without target" get
usage "wait without target" wait --timeout 1
usage "timeout junk" wait --vm 1 --timeout 1s
usage "timeout 4 decimals" wait --vm 1 --timeout 1.2345
usage "timeout empty fraction" wait --vm 1 --timeout 1.
usage "count 0" watch --count 0
usage "option twice" derive --lstar 1 --lstar 2 --link 1
usage "option not taken" status --pid 1
usage "kaslr without symbols" kaslr --vm 1
usage "kaslr with both symbol sources" kaslr --vm 1 --vmlinux a --system-map b
usage "derive without --lstar" derive --link 1
usage "witnesses with --link" derive --lstar 0xffffffffa1c00080 --cstar 0xffffffffa1c019b0 --link $link
usage "bad --cstar" derive --lstar 0xffffffffa1c00080 --cstar zz --system-map "$tmp/System.map"
usage "derive without link" derive --lstar 1
usage "derive with --link and --vmlinux" derive --lstar 1 --link 1 --vmlinux "$tmp/vmlinux"
usage "derive hex junk" derive --lstar 0xzz --link 1
usage "derive hex empty" derive --lstar 0x --link 1
usage "derive hex 17 digits" derive --lstar 0x11111111111111111 --link 1
usage "symbol without NAME" symbol --vmlinux "$tmp/vmlinux"
usage "symbol with two NAMEs" symbol --vmlinux "$tmp/vmlinux" a b
text_error "usage without --json" 2 '^kvm-lstar list: --pid .x. is not a process id.*--help' list --pid x
text_error "clear takes no --json" 2 'does not take --json' clear --json

# --- --name NAME: wherever --pid is taken, and never with --pid or --vm -------
for cmd in list get wait watch kaslr metrics clear; do
	expect "$cmd --help" 0 "$cmd" --help
	has "$cmd --help: the synopsis has --name" "^Usage: kvm-lstar $cmd .*--pid PID \| --vm N \| --name NAME" "$out"
	has "$cmd --help: the option" '^  --name NAME +the VM its VMM named NAME' "$out"
	has "$cmd --help: what a name is" "QEMU was given -name NAME or -name guest=NAME" "$out"
done
expect "wait --help" 0 wait --help
has "wait --help: a name before QEMU starts" 'wait --name also looks among the QEMU processes' "$out"
usage "--pid and --name" get --pid 1 --name web1
has "--pid and --name: names all three" 'give only one of --pid, --vm, --name' "$out"
usage "--vm and --name" list --vm 1 --name web1
usage "--name and --pid, wait" wait --name web1 --pid 1
usage "--name and --vm, kaslr" kaslr --name web1 --vm 1 --system-map "$tmp/System.map"
text_error "clear --name and --pid" 2 'give only one of --pid, --vm, --name' clear --name web1 --pid 1
text_error "metrics --name and --vm" 2 'give only one of --pid, --vm, --name' metrics --vm 1 --name web1
usage "watch --name and --pid" watch --pid 1 --name web1
usage "--name twice" get --name a --name b
usage "get without a target offers --name" get
has "get without a target: the three" 'give one of --pid, --vm, --name' "$out"
usage "empty --name" get --name ""
has "empty --name: says so" '--name needs a VM name, not an empty string' "$out"
name256=$(printf 'n%.0s' $(seq 256))
usage "256-byte --name" get --name "$name256"
has "256-byte --name: the limit" "has 256 bytes: a VM name kvm-lstar reads has at most 255" "$out"
usage "an option as --name's NAME" get --name --json
has "an option as NAME: says so" "got '--json', which looks like an option" "$out"
for cmd in status symbol; do
	usage "$cmd takes no --name" "$cmd" --name web1
	has "$cmd takes no --name: says so" "$cmd does not take --name" "$out"
done
usage "derive takes no --name" derive --lstar 1 --link 1 --name web1

# --- hostile input (issue 17) ----------------------------------------------

# 1. A failed write to stdout is an error (exit 1 and a message), never a
# silent success: a full disk, a closed stdout.
for args in "symbol --system-map $tmp/System.map entry_SYSCALL_64" \
	"derive --lstar 0xffffffff85c00080 --link $link --json" "--help" "symbol --help" \
	"--version"; do
	# shellcheck disable=SC2086 # the words of $args are the arguments
	"$bin" $args >/dev/full 2>"$tmp/err"
	same "stdout /dev/full: exit 1 ($args)" 1 $?
	has "stdout /dev/full: says so ($args)" 'writing standard output failed: No space left' "$(cat "$tmp/err")"
	# shellcheck disable=SC2086
	"$bin" $args >&- 2>"$tmp/err"
	same "stdout closed: exit 1 ($args)" 1 $?
	has "stdout closed: says so ($args)" 'writing standard output failed' "$(cat "$tmp/err")"
done
"$bin" derive --lstar 0 --link $link --json >/dev/full 2>"$tmp/err"
same "stdout /dev/full: a failure keeps its own status" 3 $?

# 2. --json is valid JSON whatever the bytes of the names: a file name and
# a symbol name that are not UTF-8, and messages about very long values,
# which are shortened so that the reason still fits.
latin1=$(printf '%s/caf\351.map' "$tmp")
cp "$tmp/System.map" "$latin1"
expect "non-UTF-8 file name" 0 symbol --system-map "$latin1" _text --json
has "non-UTF-8 file name: U+FFFD in its place" 'caf\\ufffd\.map' "$out"
json_error "non-UTF-8 file name, error" 1 bad_input false symbol --vmlinux "$latin1" _text
json_error "non-UTF-8 symbol name" 1 not_found false symbol --system-map "$tmp/System.map" "$(printf 'a\377\300b')"
long=$(printf 'é%.0s' $(seq 400))
json_error "800-byte symbol name" 1 not_found false symbol --system-map "$tmp/System.map" "$long"
has "800-byte symbol name: the reason is kept" 'no symbol .*\.\.\..* in this symbol map; is it the guest' "$out"
json_error "800-byte file name" 1 bad_input false symbol --system-map "$tmp/$long" _text
has "800-byte file name: the reason is kept" 'cannot open: (No such file|File name too long)' "$out"
json_error "800-byte option value" 2 bad_input false list --pid "$long"
has "800-byte option value: the reason is kept" "is not a process id.*see 'kvm-lstar list --help'" "$out"

# 3. An empty NAME or FILE is a usage error.
usage "empty NAME" symbol --system-map "$tmp/System.map" ""
has "empty NAME: says so" 'NAME is empty' "$out"
usage "empty --system-map" symbol --system-map "" _text
usage "empty --vmlinux" derive --lstar 1 --vmlinux ""
has "empty --vmlinux: says so" '--vmlinux needs a file name' "$out"
text_error "metrics takes no --json" 2 'does not take --json' metrics --json
text_error "metrics --output empty" 2 'needs a file name' metrics --output ""
text_error "metrics --pid and --vm" 2 'give only one of --pid, --vm' metrics --pid 1 --vm 1
# 8. An option where a FILE belongs is not taken as the file name.
usage "option as --system-map's FILE" symbol --system-map --json _text
has "option as FILE: names the way out" "got '--json'.*\./--json" "$out"

# 4. Files that are not a kernel's.
printf 'int main(void) { return 0; }\n' >"$tmp/prog.c"
gcc -O0 -g -fPIE -pie -o "$tmp/prog-pie" "$tmp/prog.c"
gcc -O0 -g -fno-pie -no-pie -o "$tmp/prog-nopie" "$tmp/prog.c"
json_error "a PIE program as vmlinux" 1 bad_input false symbol --vmlinux "$tmp/prog-pie" main
has "a PIE program: not a Linux kernel" 'not a Linux kernel: its code is linked at 0x' "$out"
json_error "a non-PIE program in derive" 1 bad_input false derive --lstar 0xffffffff85c00080 --vmlinux "$tmp/prog-nopie"
has "a non-PIE program: not a kernel (not misaligned)" 'not a Linux kernel' "$out"
json_error "/usr/bin/ls as vmlinux" 1 bad_input false symbol --vmlinux /usr/bin/ls main
has "/usr/bin/ls: not a kernel (not a stripped one)" 'not a Linux kernel' "$out"
hasnt "/usr/bin/ls: not called a stripped kernel" 'stripped kernel' "$out"
printf '0000000000000000 U undef0\n%s' "$(cat "$tmp/System.map")" >"$tmp/undef.map"
json_error "type U is not a definition" 1 not_found false symbol --system-map "$tmp/undef.map" undef0
printf 'c1000000 T _text\nc1c00080 T entry_SYSCALL_64\n' >"$tmp/map32"
json_error "8-digit addresses (a 32-bit map)" 1 bad_input false symbol --system-map "$tmp/map32" entry_SYSCALL_64
has "8-digit addresses: says so" '8 hex digits' "$out"
nm "$tmp/prog-nopie" | grep -E '^[0-9a-f]{16} ' >"$tmp/prog.map"
json_error "a program's nm output as System.map" 1 bad_input false symbol --system-map "$tmp/prog.map" main
has "a program's map: outside the kernel half" 'outside the kernel half' "$out"

# 5. Lines over 64 KiB are refused the same way, whatever they hold and
# wherever the lookup stops (before or after the name, full check or not).
name100k=$(head -c 100000 /dev/zero | tr '\0' n)
{ echo "ffffffff81000000 T $name100k"; cat "$tmp/System.map"; } >"$tmp/long1.map"
{ head -c 100000 /dev/zero | tr '\0' a; echo; cat "$tmp/System.map"; } >"$tmp/long2.map"
{ cat "$tmp/System.map"; head -c 200000 /dev/zero | tr '\0' a; echo; } >"$tmp/long3.map"
{ head -n2 "$tmp/System.map"; echo "ffffffff81000000 T ${name100k}x"; cat "$tmp/System.map"; } >"$tmp/long4.map"
for m in long1 long2 long3 long4; do
	json_error "a 100 KB line ($m), symbol" 1 bad_input false symbol --system-map "$tmp/$m.map" nope
	has "a 100 KB line ($m): the line limit" 'a line longer than 65536 bytes' "$out"
done
json_error "a 100 KB line before the name, symbol" 1 bad_input false symbol --system-map "$tmp/long4.map" entry_SYSCALL_64
has "a line before the name: the line limit" 'a line longer than 65536 bytes' "$out"
json_error "a 100 KB line, derive" 1 bad_input false derive --lstar 0xffffffff85c00080 --system-map "$tmp/long1.map"
{ echo "ffffffff81000000 T $(head -c 65517 /dev/zero | tr '\0' n)"; cat "$tmp/System.map"; } >"$tmp/fits.map"
expect "a 65536-byte line fits" 0 symbol --system-map "$tmp/fits.map" entry_SYSCALL_64
{ echo "ffffffff81000000 T $(head -c 65518 /dev/zero | tr '\0' n)"; cat "$tmp/System.map"; } >"$tmp/over.map"
json_error "a 65537-byte line does not" 1 bad_input false symbol --system-map "$tmp/over.map" entry_SYSCALL_64

# 6. A FIFO nobody writes to fails within seconds instead of blocking.
mkfifo "$tmp/fifo"
t0=$(date +%s)
timeout 30 "$bin" symbol --system-map "$tmp/fifo" _text --json >"$tmp/out" 2>"$tmp/err"
rc=$? out=$(cat "$tmp/out")
same "FIFO without a writer: exit 1" 1 $rc
has "FIFO without a writer: says so" '"error": "bad_input".*named FIFO that gave no data within 5 s: is a program writing' "$out"
[ $(($(date +%s) - t0)) -le 10 ] && ok || bad "FIFO without a writer took $(($(date +%s) - t0)) s"
json_error "FIFO as vmlinux" 1 bad_input false symbol --vmlinux "$tmp/fifo" _text
has "FIFO as vmlinux: not a regular file" 'not a regular file' "$out"
expect "a System.map through a pipe" 0 symbol --system-map <(cat "$tmp/System.map") entry_SYSCALL_64 --json
has "through a pipe: the address" "\"address\": \"$link\"" "$out"
expect "a map through a pipe, not found" 1 symbol --system-map <(cat "$tmp/System.map") nope
# A pipe's writer may be slow (ssh asking for a password): it is waited for.
expect "a pipe whose writer takes 6 s" 0 symbol --system-map <(sleep 6; cat "$tmp/System.map") _text
# Through a pipe, the answers (and failures) are those of the file.
printf '0000000000000000 T _text\n0000000000000000 D init_task\n' >"$tmp/hidden.map"
json_error "hidden kallsyms, a data symbol" 1 permission false symbol --system-map "$tmp/hidden.map" init_task
json_error "hidden kallsyms through a pipe" 1 permission false symbol --system-map <(cat "$tmp/hidden.map") init_task
{ cat "$tmp/System.map"; echo "not a map line"; } >"$tmp/tail-garbage.map"
json_error "garbage, name missing" 1 bad_input false symbol --system-map "$tmp/tail-garbage.map" nope
json_error "garbage, name missing, through a pipe" 1 bad_input false symbol --system-map <(cat "$tmp/tail-garbage.map") nope
json_error "a name with a newline" 1 not_found false symbol --system-map "$tmp/System.map" "$(printf '_text\nffffffff81000000')"

# Every --json run above printed strict JSON (run() checked each one).
[ "$json_runs" -ge 60 ] && ok || bad "only $json_runs --json runs were checked"
echo "  $json_runs --json outputs parsed as strict UTF-8 JSON"

# --- without the module (only when this host has none loaded) ---------------
if [ ! -d /sys/module/kvm_lstar ]; then
	json_error "no module: status" 1 no_module false status
	text_error "no module: status text" 1 'not loaded.*modprobe kvm_lstar' status
	json_error "no module: list" 1 no_module false list
	json_error "no module: get" 1 no_module false get --vm 1
	json_error "no module: wait" 1 no_module false wait --vm 1 --timeout 0
	json_error "no module: watch" 1 no_module false watch --count 1
	json_error "no module: kaslr" 1 no_module false kaslr --vm 1 --system-map "$tmp/System.map"
	text_error "no module: clear" 1 'modprobe kvm_lstar' clear
	# metrics: a missing module is a state to report (for the textfile
	# collector, kvm-lstar-metrics.service), not a failure.
	echo "old" >"$tmp/up0.prom"
	expect "no module: metrics --output" 0 metrics --output "$tmp/up0.prom"
	same "no module: metrics --output: nothing on stderr" "" "$err"
	same "no module: metrics --output: kvm_lstar_up 0 and nothing else" "kvm_lstar_up 0" \
		"$(grep -v '^#' "$tmp/up0.prom")"
	same "no module: metrics --output: its HELP and TYPE" "# TYPE kvm_lstar_up gauge" \
		"$(grep '^# ' "$tmp/up0.prom" | sed -n '/^# HELP kvm_lstar_up ./{n;p}')"
	same "no module: metrics --output leaves no temporary file" "up0.prom" \
		"$(cd "$tmp" && for f in .*prom* *prom*; do [ -e "$f" ] && echo "$f"; done)"
	expect "no module: metrics" 0 metrics
	same "no module: metrics prints what --output writes" "$(cat "$tmp/up0.prom")" "$out"
	text_error "no module: metrics --output into a missing directory" 1 'cannot create a file in' \
		metrics --output "$tmp/nodir/kvm_lstar.prom"
	json_error "kaslr: link_unknown before the module" 4 link_unknown false \
		kaslr --vm 1 --system-map "$tmp/nosym.map"
	# --name is read from the records: without the module, no_module.
	name255=$(printf 'n%.0s' $(seq 255))
	json_error "no module: get --name (255 bytes)" 1 no_module false get --name "$name255"
	json_error "no module: wait --name" 1 no_module false wait --name web1 --timeout 0
	json_error "no module: list --name" 1 no_module false list --name web1
	json_error "no module: watch --name" 1 no_module false watch --name web1 --count 1
	json_error "no module: kaslr --name" 1 no_module false kaslr --name web1 --system-map "$tmp/System.map"
	text_error "no module: clear --name" 1 'modprobe kvm_lstar' clear --name web1
	json_error "kaslr --name: link_unknown before the module" 4 link_unknown false \
		kaslr --name web1 --system-map "$tmp/nosym.map"
else
	echo "note: kvm_lstar is loaded on this host; the no-module cases are skipped"
fi

# --- no leaks (valgrind) ------------------------------------------------------
if command -v valgrind >/dev/null; then
	vg() {
		local name=$1
		shift
		if valgrind -q --leak-check=full --errors-for-leak-kinds=all --error-exitcode=99 \
			"$bin" "$@" >/dev/null 2>"$tmp/vg"; [ $? = 99 ]; then
			bad "valgrind: $name"
			cat "$tmp/vg"
		else
			ok
		fi
	}
	vg "derive --vmlinux" derive --lstar 0xffffffff85c00080 --vmlinux "$tmp/vmlinux" --json
	vg "derive --system-map" derive --lstar 0xffffffff85c00080 --system-map "$tmp/System.map"
	vg "derive link_unknown" derive --lstar 0xffffffff85c00080 --system-map "$tmp/nosym.map" --json
	vg "symbol --vmlinux" symbol --vmlinux "$tmp/vmlinux" entry_SYSCALL_64
	vg "symbol not found" symbol --system-map "$tmp/System.map" nope --json
	vg "symbol stripped" symbol --vmlinux "$tmp/vmlinux.stripped" _text
	vg "usage error" derive --lstar zz --link 1 --json
	vg "status (no module or module)" status --json
	vg "kaslr link_unknown" kaslr --vm 1 --system-map "$tmp/nosym.map"
	vg "symbol --system-map, found" symbol --system-map "$tmp/long3.map" entry_SYSCALL_64
	vg "symbol --system-map, a long line" symbol --system-map "$tmp/long4.map" entry_SYSCALL_64 --json
	vg "symbol --system-map, through a pipe" symbol --system-map <(cat "$tmp/System.map") nope
	vg "symbol --vmlinux, a program" symbol --vmlinux "$tmp/prog-pie" main
	vg "symbol, a long name" symbol --system-map "$tmp/System.map" "$long" --json
	vg "get --name (no module, or no such VM)" get --name web1 --json
	vg "usage: --name twice" get --name a --name b
	if [ ! -d /sys/module/kvm_lstar ]; then
		vg "metrics --output without the module" metrics --output "$tmp/vg.prom"
	fi
else
	echo "note: no valgrind; the leak checks are skipped"
fi

echo "$pass passed, $failed failed"
[ "$failed" = 0 ]
