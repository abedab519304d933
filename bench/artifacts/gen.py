#!/usr/bin/env python3
"""Generates large benign benchmark inputs (never committed).

  gen.py torchzip OUT SIZE_MB     PyTorch-layout zip: data.pkl + stored tensor blobs
  gen.py dense OUT SIZE_MB        opcode-dense protocol-4 pickle (small ints, floats, strings, tuples)
  gen.py sparsezip OUT SIZE_GB    PyTorch-layout zip64 with one sparse tensor blob of SIZE_GB
"""
import io
import os
import pickle
import struct
import sys
import zipfile
import zlib


def gl(m, n):
    return b"c" + m.encode() + b"\n" + n.encode() + b"\n"


def state_dict_pickle(n):
    out = bytearray(b"\x80\x02" + gl("collections", "OrderedDict") + b")R(")
    for i in range(n):
        k = f"layers.{i}.weight".encode()
        out += b"X" + struct.pack("<I", len(k)) + k + gl("torch._utils", "_rebuild_tensor_v2") + b"("
        key = str(i).encode()
        out += b"(X\x07\x00\x00\x00storage" + gl("torch", "FloatStorage") + b"X" + struct.pack("<I", len(key)) + key
        out += b"X\x03\x00\x00\x00cpuJ" + struct.pack("<i", 1 << 20) + b"tQK\x00M\x00\x04M\x00\x01\x86M\x00\x01K\x01\x86\x89"
        out += gl("collections", "OrderedDict") + b")RtR"
    return bytes(out + b"u.")


mode, out = sys.argv[1], sys.argv[2]
if mode == "torchzip":
    mb = int(sys.argv[3])
    blob = os.urandom(4 << 20)
    n = mb // 4
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as z:
        z.writestr("archive/data.pkl", state_dict_pickle(n))
        z.writestr("archive/byteorder", "little")
        for i in range(n):
            z.writestr(f"archive/data/{i}", blob)
        z.writestr("archive/version", "3\n")
elif mode == "dense":
    mb = int(sys.argv[3])
    items = []
    size = 0
    i = 0
    while size < mb << 20:
        chunk = [(j, j * 0.5, f"k{j}", {"a": j, "b": [j, j + 1]}) for j in range(i, i + 100000)]
        items.append(chunk)
        i += 100000
        size = len(pickle.dumps(items, protocol=4))
    with open(out, "wb") as f:
        f.write(pickle.dumps(items, protocol=4))
elif mode == "sparsezip":
    gb = int(sys.argv[3])
    size = gb << 30
    pkl = state_dict_pickle(1)
    with open(out, "wb") as f:
        def local(name, data_len, crc, zip64):
            n = name.encode()
            extra = struct.pack("<HHQQ", 1, 16, data_len, data_len) if zip64 else b""
            sz = 0xFFFFFFFF if zip64 else data_len
            return struct.pack("<IHHHHHIIIHH", 0x04034B50, 45, 0, 0, 0, 0, crc, sz, sz, len(n), len(extra)) + n + extra
        entries = []
        off = f.tell()
        f.write(local("archive/data.pkl", len(pkl), zlib.crc32(pkl), False) + pkl)
        entries.append(("archive/data.pkl", off, len(pkl), zlib.crc32(pkl)))
        off = f.tell()
        f.write(local("archive/data/0", size, 0, True))
        data_at = f.tell()
        f.truncate(data_at + size)
        f.seek(data_at + size)
        entries.append(("archive/data/0", off, size, 0))
        cd_start = f.tell()
        for name, loff, ln, crc in entries:
            n = name.encode()
            big = ln >= 0xFFFFFFFF or loff >= 0xFFFFFFFF
            extra = struct.pack("<HHQQQ", 1, 24, ln, ln, loff) if big else b""
            f.write(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 45, 45, 0, 0, 0, 0, crc,
                                0xFFFFFFFF if big else ln, 0xFFFFFFFF if big else ln, len(n), len(extra), 0, 0, 0, 0,
                                0xFFFFFFFF if big else loff) + n + extra)
        cd_end = f.tell()
        f.write(struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, len(entries), len(entries),
                            cd_end - cd_start, cd_start))
        f.write(struct.pack("<IIQI", 0x07064B50, 0, cd_end, 1))
        f.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0))
