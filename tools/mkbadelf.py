#!/usr/bin/env python3
"""Writes a damaged copy of a user program (IN) as OUT, for the loader's
in-OS tests (user/utest/process.c, bad_elf).  KIND is one of:

  wx          the text segment writable and executable     -E_PERM
  execstack   PT_GNU_STACK asks for an executable stack    -E_PERM
  kernelseg   the text segment in the kernel half          -E_RANGE
  huge        a data segment of 2^60 bytes                 -E_RANGE
  overlap     the rodata segment on the text's pages       -E_CORRUPT
  interp      PT_INTERP naming an interpreter that is not there  -E_NOENT
              (-E_NOCAP with no Directory to look it up in)
  nointerp    PT_INTERP past the end of the file           -E_CORRUPT
  interp=PATH PT_INTERP naming PATH (in place of PT_GNU_STACK): not bad
              in itself, the interpreter decides (user/utest/exec.c)
  machine     the other architecture's e_machine           -E_NOTSUP
"""
import struct
import sys

PT_LOAD, PT_INTERP, PT_GNU_STACK = 1, 3, 0x6474E551


def main(kind, src, dst):
    b = bytearray(open(src, "rb").read())
    phoff, = struct.unpack_from("<Q", b, 32)
    phnum, = struct.unpack_from("<H", b, 56)
    ph = [phoff + 56 * i for i in range(phnum)]
    loads = [p for p in ph if struct.unpack_from("<I", b, p)[0] == PT_LOAD]
    stack = [p for p in ph if struct.unpack_from("<I", b, p)[0] == PT_GNU_STACK][0]
    if kind == "wx":
        struct.pack_into("<I", b, loads[0] + 4, 7)
    elif kind == "execstack":
        struct.pack_into("<I", b, stack + 4, 7)
    elif kind == "kernelseg":
        struct.pack_into("<Q", b, loads[0] + 16, 0xFFFFFFFF80000000)
    elif kind == "huge":
        struct.pack_into("<Q", b, loads[-1] + 40, 1 << 60)
    elif kind == "overlap":
        text_va, = struct.unpack_from("<Q", b, loads[0] + 16)
        struct.pack_into("<Q", b, loads[1] + 16, text_va)
    elif kind == "machine":
        machine, = struct.unpack_from("<H", b, 18)
        struct.pack_into("<H", b, 18, 183 if machine == 62 else 62)
    elif kind in ("interp", "nointerp") or kind.startswith("interp="):
        path = b"/lib/ld-musl.so.1\0"
        if kind.startswith("interp="):
            path = kind[len("interp="):].encode() + b"\0"
            kind = "interp"
        at = len(b) if kind == "interp" else len(b) + 4096
        if kind == "interp":
            b += path
        struct.pack_into("<IIQQQQQQ", b, stack, PT_INTERP, 4, at, 0, 0,
                         len(path), len(path), 1)
    else:
        sys.exit("mkbadelf: unknown kind " + kind)
    open(dst, "wb").write(b)


if __name__ == "__main__":
    main(*sys.argv[1:4])
