#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""mkboot.py STUB.elf VMLINUX OUT.elf

Writes one Multiboot (v1) ELF32 image for syslinux's mboot.c32: the segments
of pvh-stub (at 1 MiB; its Multiboot header first in the file) and the
loadable segments of an x86-64 vmlinux at their physical addresses.  The
kernel's PVH entry point (the XEN_ELFNOTE_PHYS32_ENTRY note) goes into the
stub's header, where the stub jumps to it.  VMLINUX is the ELF that the
kernel's scripts/extract-vmlinux takes out of a bzImage.
"""
import struct
import sys

MB_MAGIC = 0x1BADB002
XEN_ELFNOTE_PHYS32_ENTRY = 18
PT_LOAD, PT_NOTE = 1, 4
PAGE = 4096


def die(msg):
    sys.exit(f"mkboot: {msg}")


def segments(path, data):
    """(type, paddr, bytes, memsz) of each program header of an ELF file."""
    if data[:4] != b"\x7fELF":
        die(f"{path} is not an ELF file")
    cls = data[4]
    if cls == 1:
        phoff, = struct.unpack_from("<I", data, 28)
        phentsize, phnum = struct.unpack_from("<HH", data, 42)
        fmt = "<IIIIIIII"
    elif cls == 2:
        phoff, = struct.unpack_from("<Q", data, 32)
        phentsize, phnum = struct.unpack_from("<HH", data, 54)
        fmt = "<IIQQQQQQ"
    else:
        die(f"{path}: unknown ELF class {cls}")
    out = []
    for i in range(phnum):
        f = struct.unpack_from(fmt, data, phoff + i * phentsize)
        if cls == 1:
            ptype, off, _vaddr, paddr, filesz, memsz = f[:6]
        else:
            ptype, _flags, off, _vaddr, paddr, filesz, memsz = f[:7]
        if off + filesz > len(data):
            die(f"{path}: segment {i} runs past the end of the file (truncated?)")
        out.append((ptype, paddr, data[off:off + filesz], memsz))
    return out


def pvh_entry(path, segs):
    for ptype, _paddr, note, _memsz in segs:
        if ptype != PT_NOTE:
            continue
        pos = 0
        while pos + 12 <= len(note):
            namesz, descsz, ntype = struct.unpack_from("<III", note, pos)
            name = note[pos + 12:pos + 12 + namesz].rstrip(b"\0")
            desc_at = pos + 12 + ((namesz + 3) & ~3)
            if name == b"Xen" and ntype == XEN_ELFNOTE_PHYS32_ENTRY:
                if descsz == 4:
                    return struct.unpack_from("<I", note, desc_at)[0]
                if descsz == 8:
                    return struct.unpack_from("<Q", note, desc_at)[0]
                die(f"{path}: PHYS32_ENTRY note of {descsz} bytes")
            pos = desc_at + ((descsz + 3) & ~3)
    die(f"{path} has no PVH entry point (a kernel built without CONFIG_PVH?)")


def main():
    if len(sys.argv) != 4:
        die("usage: mkboot.py STUB.elf VMLINUX OUT.elf")
    stub_path, vmlinux_path, out_path = sys.argv[1:]
    with open(stub_path, "rb") as f:
        raw = f.read()
    stub = segments(stub_path, raw)
    if raw[4] != 1:
        die(f"{stub_path} is not an ELF32 file")
    stub_entry, = struct.unpack_from("<I", raw, 24)
    with open(vmlinux_path, "rb") as f:
        vmlinux = segments(vmlinux_path, f.read())

    loads = [s for s in stub if s[0] == PT_LOAD]
    if len(loads) != 1:
        die(f"{stub_path}: expected one loadable segment, found {len(loads)}")
    stub_paddr, stub_data, stub_memsz = loads[0][1:]
    stub_data = bytearray(stub_data)
    mb = stub_data.find(struct.pack("<I", MB_MAGIC))
    if mb < 0 or mb % 4 or mb + 16 > min(len(stub_data), 8192 - PAGE):
        die(f"{stub_path}: no Multiboot header at the start of its segment")
    magic, flags, checksum = struct.unpack_from("<III", stub_data, mb)
    if (magic + flags + checksum) & 0xFFFFFFFF:
        die(f"{stub_path}: the Multiboot header's checksum is wrong")
    entry = pvh_entry(vmlinux_path, vmlinux)
    if entry >= 1 << 32:
        die(f"{vmlinux_path}: PVH entry {entry:#x} is above 4 GiB")
    struct.pack_into("<I", stub_data, mb + 12, entry)

    loads = [(stub_paddr, bytes(stub_data), stub_memsz)]
    loads += [(p, d, m) for t, p, d, m in vmlinux if t == PT_LOAD]
    spans = sorted((p, p + m) for p, _d, m in loads)
    for (a0, a1), (b0, _b1) in zip(spans, spans[1:]):
        if a1 > b0:
            die(f"segments overlap: [{a0:#x}, {a1:#x}) and one at {b0:#x}")
    if spans[-1][1] > 1 << 32:
        die(f"{vmlinux_path}: a segment ends above 4 GiB")

    ehdr_size, phdr_size = 52, 32
    offset = PAGE  # the stub's segment, with its header, first: < 8 KiB in
    phdrs = b""
    body = b""
    for paddr, data, memsz in loads:
        phdrs += struct.pack("<IIIIIIII", PT_LOAD, offset, paddr, paddr,
                             len(data), memsz, 7, PAGE)
        body += data + b"\0" * (-len(data) % PAGE)
        offset += len(data) + (-len(data) % PAGE)
    ident = b"\x7fELF\x01\x01\x01" + b"\0" * 9
    ehdr = ident + struct.pack("<HHIIIIIHHHHHH", 2, 3, 1,
                               stub_entry,
                               ehdr_size, 0, 0, ehdr_size, phdr_size,
                               len(loads), 40, 0, 0)
    head = ehdr + phdrs
    if len(head) > PAGE:
        die("too many segments for one page of headers")
    with open(out_path, "wb") as f:
        f.write(head + b"\0" * (PAGE - len(head)) + body)


if __name__ == "__main__":
    main()
