#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/fuzz/make-seeds.sh [DIR]: (re)generate the ELF seeds of the vmlinux
# fuzz target in DIR (default tests/fuzz/corpus/vmlinux) with binutils.
# The outputs are committed (each well under 4 KB); run this only to change
# them.  entry_SYSCALL_64 is at 0xffffffff81e00080, the address the map
# seeds use too and the planted bug of the self-test (fuzz.mk) triggers on.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
dir=${1:-$top/tests/fuzz/corpus/vmlinux}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$dir"

# A kernel in miniature: _text, entry_SYSCALL_64 0x80 further, a data symbol.
# swapgs as bytes, so that the 32-bit assembler takes it too.
cat > "$tmp/k.S" <<'ASM'
	.section .text,"ax",@progbits
	.globl _text, startup_64, entry_SYSCALL_64
_text:
startup_64:
	nop
	.org 0x80
entry_SYSCALL_64:
	.byte 0x0f, 0x01, 0xf8
	.section .data,"aw",@progbits
	.globl jiffies
jiffies:
	.long 0, 0
ASM
# Like the kernel's: contents packed, the build-id note in .notes with a
# PT_NOTE, .symtab/.strtab/.shstrtab and the section headers at the end.
lds() {
	cat <<LDS
SECTIONS {
	. = $1;
	.text : { *(.text) }
	.notes : { *(.note.*) }
	.data : { *(.data) }
	/DISCARD/ : { *(.note.GNU-stack) }
}
LDS
}
lds 0xffffffff81e00000 > "$tmp/k64.lds"
lds 0xc1e00000 > "$tmp/k32.lds"
ldflags=(-n --no-warn-rwx-segments --build-id=sha1 -e startup_64)

as --64 -o "$tmp/k64.o" "$tmp/k.S"
as --32 -o "$tmp/k32.o" "$tmp/k.S"
ld -m elf_x86_64 "${ldflags[@]}" -T "$tmp/k64.lds" -o "$dir/vmlinux-tiny" "$tmp/k64.o"
ld -m elf_i386 "${ldflags[@]}" -T "$tmp/k32.lds" -o "$dir/vmlinux-32bit" "$tmp/k32.o"
strip -o "$dir/vmlinux-stripped" "$dir/vmlinux-tiny"
cp "$tmp/k64.o" "$dir/relocatable-object"	# no .o: .gitignore
size=$(stat -c %s "$dir/vmlinux-tiny")
head -c 100 "$dir/vmlinux-tiny" > "$dir/vmlinux-cut-header"
head -c $((size - 40)) "$dir/vmlinux-tiny" > "$dir/vmlinux-cut-shdrs"
chmod 0644 "$dir"/*
ls -l "$dir"
