#!/usr/bin/env python3
"""Writes Rampart's scanner test corpus into a directory.

Every sample is generated here, with the standard library only (pickle,
pickletools, zipfile, tarfile, gzip, bz2, lzma, struct, json): no torch,
numpy or joblib, whose on-disk layouts are written by hand. Next to the
samples, expect.json says what the scanner must report for each:

  {"name": {"clean": true}}                               no finding >= low
  {"name": {"rule": "pickle.import", "symbol": "os.system",
            "severity": "critical", "inner": "archive/data.pkl"}}

Usage: make_corpus.py OUT_DIR
"""
import bz2
import gzip
import io
import json
import lzma
import os
import pickle
import struct
import sys
import tarfile
import zipfile
import zlib

OUT = sys.argv[1]
os.makedirs(OUT, exist_ok=True)
EXPECT = {}


def write(name, data, **expect):
    path = os.path.join(OUT, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)
    EXPECT[name] = expect if expect else {"clean": True}


def op_global(module, name):
    return b"c" + module.encode() + b"\n" + name.encode() + b"\n"


def sbu(s):  # SHORT_BINUNICODE
    b = s.encode()
    return b"\x8c" + bytes([len(b)]) + b


# ---- malicious pickles -------------------------------------------------------

class Reduce:
    def __init__(self, fn, args):
        self.fn, self.args = fn, args

    def __reduce__(self):
        return (self.fn, self.args)


# os.system via REDUCE, every protocol.
for proto in range(0, 6):
    write(f"mal/os_system_p{proto}.pkl", pickle.dumps(Reduce(os.system, ("id",)), protocol=proto),
          rule="pickle.import", symbol="posix.system", severity="critical", call="REDUCE")

# builtins.eval / exec / getattr.
write("mal/eval.pkl", pickle.dumps(Reduce(eval, ("1+1",)), protocol=2),
      rule="pickle.import", symbol="builtins.eval", severity="critical")
write("mal/exec_p4.pkl", pickle.dumps(Reduce(exec, ("print(1)",)), protocol=4),
      rule="pickle.import", symbol="builtins.exec", severity="critical")

# Python 2 name: __builtin__.eval, mapped by fix_imports (protocol < 3).
write("mal/py2_builtin.pkl",
      b"\x80\x02" + op_global("__builtin__", "eval") + b"X\x03\x00\x00\x001+1\x85R.",
      rule="pickle.import", symbol="builtins.eval", severity="critical")

# STACK_GLOBAL operands from the memo (BINPUT/BINGET) and from STRING.
write("mal/stack_global_memo.pkl",
      b"\x80\x04" + sbu("subprocess") + b"\x94" + sbu("check_output") + b"\x94"
      + b"h\x00h\x01\x93" + sbu("id") + b"\x85R.",
      rule="pickle.import", symbol="subprocess.check_output", severity="critical", call="REDUCE")
write("mal/stack_global_string.pkl",
      b"\x80\x02S'os'\nS'system'\n\x93X\x02\x00\x00\x00id\x85R.",
      rule="pickle.import", symbol="os.system", severity="critical")
write("mal/stack_global_long_binget.pkl",
      b"\x80\x04" + sbu("runpy") + b"r\x05\x00\x00\x00" + sbu("run_path") + b"r\x06\x00\x00\x00"
      + b"j\x05\x00\x00\x00j\x06\x00\x00\x00\x93" + sbu("/tmp/x") + b"\x85R.",
      rule="pickle.import", symbol="runpy.run_path", severity="critical")
# Unresolvable: operands computed by a call.
write("mal/stack_global_unresolved.pkl",
      b"\x80\x04" + op_global("builtins", "str") + sbu("os") + b"\x85R" + sbu("system") + b"\x93"
      + sbu("id") + b"\x85R.",
      rule="pickle.unresolved-import", severity="critical")

# INST and OBJ.
write("mal/inst.pkl", b"(S'id'\nios\nsystem\n.",
      rule="pickle.import", symbol="os.system", severity="critical", call="INST")
write("mal/obj.pkl", b"\x80\x02(" + op_global("subprocess", "Popen") + b"X\x02\x00\x00\x00ido.",
      rule="pickle.import", symbol="subprocess.Popen", severity="critical", call="OBJ")
# NEWOBJ / NEWOBJ_EX.
write("mal/newobj.pkl", b"\x80\x02" + op_global("subprocess", "Popen") + b"X\x02\x00\x00\x00id\x85\x81.",
      rule="pickle.import", symbol="subprocess.Popen", severity="critical", call="NEWOBJ")
write("mal/newobj_ex.pkl",
      b"\x80\x04" + op_global("subprocess", "Popen") + sbu("id") + b"\x85}\x92.",
      rule="pickle.import", symbol="subprocess.Popen", severity="critical", call="NEWOBJ_EX")
# BUILD calls __setstate__ of an unknown class.
write("mal/build_setstate.pkl",
      b"\x80\x02" + op_global("evil.module", "Thing") + b")\x81}b.",
      rule="pickle.import", symbol="evil.module.Thing", severity="high",
      call="NEWOBJ")
# EXT codes resolve through copyreg's registry: unknown, reported.
write("mal/ext1.pkl", b"\x80\x02\x82\x01)R.", rule="pickle.extension-code", severity="high")
write("mal/ext4.pkl", b"\x80\x02\x84\xff\xff\x00\x00)R.", rule="pickle.extension-code", severity="high")
# Persistent ids in a plain pickle: info only.
# operator.attrgetter, nested pickle, torch.load, marshal, socket, shutil.
for mod, name in [("operator", "attrgetter"), ("pickle", "loads"), ("torch", "load"),
                  ("marshal", "loads"), ("socket", "create_connection"), ("shutil", "rmtree"),
                  ("webbrowser", "open"), ("pty", "spawn"), ("importlib", "import_module"),
                  ("pkgutil", "resolve_name"), ("os.path", "join"), ("nt", "system"),
                  ("torch.storage", "_load_from_bytes"), ("builtins", "__import__"),
                  ("builtins", "getattr"), ("builtins", "open"), ("builtins", "compile")]:
    write(f"mal/import_{mod}_{name}.pkl",
          b"\x80\x02" + op_global(mod, name) + b"X\x01\x00\x00\x00x\x85R.",
          rule="pickle.import", symbol=f"{mod}.{name}", severity="critical")
# An unknown module is high (not allowed, not in the table).
write("mal/unknown_module.pkl", b"\x80\x02" + op_global("mypkg.helpers", "run") + b")R.",
      rule="pickle.import", symbol="mypkg.helpers.run", severity="high")
# numpy.testing runstring: a known bypass of denylist scanners.
write("mal/numpy_runstring.pkl",
      b"\x80\x02" + op_global("numpy.testing._private.utils", "runstring")
      + b"X\x0b\x00\x00\x00import os;1}\x86R.",
      rule="pickle.import", symbol="numpy.testing._private.utils.runstring", severity="critical")

# Tricks: payload discarded with POP; concatenated pickles; malformed after the payload.
benign = pickle.dumps({"a": 1}, protocol=2)
payload = pickle.dumps(Reduce(os.system, ("id",)), protocol=2)
write("mal/pop_discard.pkl",
      b"\x80\x02" + op_global("os", "system") + b"X\x02\x00\x00\x00id\x85R0N.",
      rule="pickle.import", symbol="os.system", severity="critical")
write("mal/concatenated.pkl", benign + payload,
      rule="pickle.import", symbol="posix.system", severity="critical")
write("mal/malformed_after.pkl", payload[:-1] + b"\xff\xfe garbage",
      rule="pickle.import", symbol="posix.system", severity="critical",
      also=["pickle.malformed"])
write("mal/truncated.pkl", payload[: len(payload) // 2 + 6],
      rule="scan.truncated", severity="high")
# FRAME lengths that lie: a frame that claims 4 bytes, with the payload
# straddling its end (a scanner trusting frames would read garbage).
framed = b"\x80\x04\x95\x04\x00\x00\x00\x00\x00\x00\x00" + b"N0" \
    + op_global("os", "system") + sbu("id") + b"\x85R."
write("mal/frame_lies.pkl", framed, rule="pickle.import", symbol="os.system", severity="critical",
      also=["pickle.frame-mismatch"])
# Memo grows: many PUTs are fine (limits are high); a GET of a missing key is malformed.
write("mal/memo_missing.pkl", b"\x80\x02h\x07.", rule="pickle.malformed", severity="high")
# Protocol-0 payload with no PROTO header, found by content.
write("mal/text_payload.dat", b"cos\nsystem\n(S'id'\ntR.", rule="pickle.import",
      symbol="os.system", severity="critical")

# ---- benign pickles -----------------------------------------------------------
import collections
write("ok/dict_p2.pkl", pickle.dumps({"lr": 0.1, "layers": [1, 2, 3], "name": "x"}, protocol=2))
write("ok/ordereddict_p4.pkl",
      pickle.dumps(collections.OrderedDict([("w", [1.0] * 10), ("b", (1, 2))]), protocol=4))
write("ok/set_p0.pkl", pickle.dumps({"s": {1, 2}, "f": frozenset([3])}, protocol=0))
write("ok/bytes_p5.pkl", pickle.dumps([b"x" * 5000, bytearray(b"abc")], protocol=5))


# ---- PyTorch zip layout (written by hand) --------------------------------------

def torch_state_dict_pickle(n_tensors, proto=2):
    """A state_dict pickle as torch.save writes it: OrderedDict of
    _rebuild_tensor_v2(persistent storage, ...)."""
    out = bytearray(b"\x80" + bytes([proto]))
    out += op_global("collections", "OrderedDict") + b")R"
    out += b"("
    for i in range(n_tensors):
        out += b"X" + struct.pack("<I", len(f"layer{i}.weight")) + f"layer{i}.weight".encode()
        out += op_global("torch._utils", "_rebuild_tensor_v2")
        out += b"("  # args tuple
        # persistent id: ('storage', torch.FloatStorage, key, 'cpu', numel)
        out += b"(X\x07\x00\x00\x00storage" + op_global("torch", "FloatStorage")
        key = str(i).encode()
        out += b"X" + struct.pack("<I", len(key)) + key + b"X\x03\x00\x00\x00cpuK\x04tQ"
        out += b"K\x00K\x02K\x02\x86K\x02K\x01\x86\x89"  # offset, size, stride, requires_grad
        out += op_global("collections", "OrderedDict") + b")R"
        out += b"tR"
    out += b"u."
    return bytes(out)


def torch_zip(pkl, tensors, name="archive", extra=None, compress=zipfile.ZIP_STORED):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=compress) as z:
        z.writestr(f"{name}/data.pkl", pkl)
        z.writestr(f"{name}/byteorder", "little")
        for i, t in enumerate(tensors):
            z.writestr(f"{name}/data/{i}", t)
        z.writestr(f"{name}/version", "3\n")
        z.writestr(f"{name}/.data/serialization_id", "1234567890")
        for k, v in (extra or {}).items():
            z.writestr(k, v)
    return buf.getvalue()


tensor = struct.pack("<4f", 1.0, 2.0, 3.0, 4.0)
# Tensor blobs that happen to start like a pickle must not be parsed.
trap = b"\x80\x02" + op_global("os", "system") + b"X\x02\x00\x00\x00id\x85R."
write("ok/torch_state_dict.pt", torch_zip(torch_state_dict_pickle(3), [tensor, tensor, trap]))
write("ok/torch_deflated.pth",
      torch_zip(torch_state_dict_pickle(2, proto=4), [tensor, tensor], compress=zipfile.ZIP_DEFLATED))
write("mal/torch_payload.pt", torch_zip(payload, [tensor]), rule="pickle.import",
      symbol="posix.system", severity="critical", inner="archive/data.pkl")
write("mal/torch_extra_pickle.bin",
      torch_zip(torch_state_dict_pickle(1), [tensor], extra={"archive/extra.pkl": payload}),
      rule="pickle.import", symbol="posix.system", severity="critical", inner="archive/extra.pkl")

# Zip tricks: bad CRC, local/central name mismatch, flag bits, duplicate names.
good = bytearray(torch_zip(payload, [tensor]))
bad_crc = bytearray(good)
cd = bad_crc.rfind(b"PK\x01\x02archive/data.pkl"[:4])
# Corrupt the CRC of the first member in both headers.
lh = bad_crc.find(b"PK\x03\x04")
struct.pack_into("<I", bad_crc, lh + 14, 0xDEADBEEF)
ch = bad_crc.find(b"PK\x01\x02")
struct.pack_into("<I", bad_crc, ch + 16, 0xDEADBEEF)
write("mal/zip_bad_crc.pt", bytes(bad_crc), rule="pickle.import", symbol="posix.system",
      severity="critical", also=["zip.crc-mismatch"])
mism = bytearray(good)
lh = mism.find(b"PK\x03\x04")
name_at = lh + 30
mism[name_at:name_at + 7] = b"ARCHIVE"
write("mal/zip_name_mismatch.pt", bytes(mism), rule="pickle.import", symbol="posix.system",
      severity="critical", also=["zip.header-mismatch"])
flags = bytearray(good)
lh = flags.find(b"PK\x03\x04")
ch = flags.find(b"PK\x01\x02")
struct.pack_into("<H", flags, lh + 6, 0x0040)
struct.pack_into("<H", flags, ch + 8, 0x0040)
write("mal/zip_flags.pt", bytes(flags), rule="pickle.import", symbol="posix.system",
      severity="critical", also=["zip.flags"])
buf = io.BytesIO()
with zipfile.ZipFile(buf, "w") as z:
    import warnings
    warnings.simplefilter("ignore")
    z.writestr("archive/data.pkl", benign)
    z.writestr("archive/data.pkl", payload)
write("mal/zip_duplicate.pt", buf.getvalue(), rule="zip.duplicate-name", severity="high",
      also=["pickle.import"])
# No central directory: the lenient reader walks local headers.
no_cd = bytes(good[: good.find(b"PK\x01\x02")])
write("mal/zip_no_central_dir.pt", no_cd, rule="pickle.import", symbol="posix.system",
      severity="critical", also=["zip.malformed"])

# Zip bomb: a member that claims (and has) a high ratio above the floor.
bomb = io.BytesIO()
with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as z:
    z.writestr("zeros.bin", b"\0" * (110 << 20))
write("mal/zip_bomb.zip", bomb.getvalue(), rule="archive.bomb", severity="high")

# Nested archives: zip inside zip inside tar.gz.
inner = io.BytesIO()
with zipfile.ZipFile(inner, "w") as z:
    z.writestr("model.pkl", payload)
outer = io.BytesIO()
with zipfile.ZipFile(outer, "w", compression=zipfile.ZIP_DEFLATED) as z:
    z.writestr("inner.zip", inner.getvalue())
tbuf = io.BytesIO()
with tarfile.open(fileobj=tbuf, mode="w:gz") as t:
    info = tarfile.TarInfo("models/outer.zip")
    info.size = len(outer.getvalue())
    t.addfile(info, io.BytesIO(outer.getvalue()))
write("mal/nested.tar.gz", tbuf.getvalue(), rule="pickle.import", symbol="posix.system",
      severity="critical", inner="models/outer.zip!inner.zip!model.pkl")
# Compressed single files.
write("mal/payload.pkl.gz", gzip.compress(payload), rule="pickle.import", symbol="posix.system",
      severity="critical")
write("mal/payload.pkl.bz2", bz2.compress(payload), rule="pickle.import", symbol="posix.system",
      severity="critical")
write("mal/payload.pkl.xz", lzma.compress(payload), rule="pickle.import", symbol="posix.system",
      severity="critical")
# Nesting beyond the limit: zip inside zip ... 8 levels.
deep = payload
for level in range(8):
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w") as z:
        z.writestr(f"level{level}", deep)
    deep = b.getvalue()
write("mal/deep.zip", deep, rule="archive.nesting", severity="high")
# gzip inside gzip: libarchive peels every layer.
layered = payload
for _ in range(4):
    layered = gzip.compress(layered)
write("mal/layers.gz", layered, rule="pickle.import", symbol="posix.system", severity="critical")
# Extension does not matter: a zip called .txt, a pickle called .json.
write("mal/looks_like.txt", torch_zip(payload, [tensor]), rule="pickle.import",
      symbol="posix.system", severity="critical")
write("mal/config.json", payload, rule="pickle.import", symbol="posix.system", severity="critical")

# ---- legacy PyTorch: magic, protocol, sys info, object, keys, raw storage ------
MAGIC = 0x1950a86a20f9469cfc6c
legacy = (pickle.dumps(MAGIC, protocol=2) + pickle.dumps(1001, protocol=2)
          + pickle.dumps({"protocol_version": 1001, "little_endian": True}, protocol=2))
legacy_ok = legacy + torch_state_dict_pickle(1) + pickle.dumps(["0"], protocol=2) \
    + struct.pack("<q", 4) + tensor
write("ok/legacy.pt", legacy_ok)
write("mal/legacy_payload.pt", legacy + payload + pickle.dumps(["0"], protocol=2)
      + struct.pack("<q", 4) + tensor, rule="pickle.import", symbol="posix.system",
      severity="critical")

# ---- numpy .npy / .npz --------------------------------------------------------

def npy(descr, shape, data):
    header = "{'descr': %s, 'fortran_order': False, 'shape': %s, }" % (descr, shape)
    header = header.encode()
    pad = 64 - (10 + len(header) + 1) % 64
    header += b" " * pad + b"\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header + data


write("ok/array.npy", npy("'<f4'", "(4,)", tensor))
write("ok/structured.npy", npy("[('a', '<i4'), ('b', '<f8')]", "(1,)", b"\0" * 12))
write("mal/object.npy", npy("'|O'", "(1,)", payload), rule="pickle.import",
      symbol="posix.system", severity="critical", also=["npy.object-dtype"])
npz = io.BytesIO()
with zipfile.ZipFile(npz, "w", compression=zipfile.ZIP_DEFLATED) as z:
    z.writestr("a.npy", npy("'<f4'", "(4,)", tensor))
    z.writestr("b.npy", npy("'<f4'", "(4,)", tensor))
write("ok/arrays.npz", npz.getvalue())
npz = io.BytesIO()
with zipfile.ZipFile(npz, "w") as z:
    z.writestr("a.npy", npy("'<f4'", "(4,)", tensor))
    z.writestr("b.npy", npy("'|O'", "(1,)", payload))
write("mal/objects.npz", npz.getvalue(), rule="pickle.import", symbol="posix.system",
      severity="critical", inner="b.npy")

# ---- joblib: raw array bytes interleaved in the pickle stream -----------------

def joblib_pickle(arrays_raw, payload_after=b"", alignment=True, proto=4):
    out = bytearray(b"\x80" + bytes([proto]))
    out += b"]("  # list of arrays
    for raw in arrays_raw:
        out += op_global("joblib.numpy_pickle", "NumpyArrayWrapper") + b")\x81}("
        out += sbu("subclass") + op_global("numpy", "ndarray")
        out += sbu("shape") + b"K" + bytes([len(raw) // 8]) + b"\x85"
        out += sbu("order") + sbu("C")
        out += sbu("dtype") + op_global("numpy", "dtype") + sbu("f8") + b"\x89\x88\x87R"
        out += b"(K\x03" + sbu("<") + b"NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00tb"
        out += sbu("allow_mmap") + b"\x88"
        if alignment:
            out += sbu("numpy_array_alignment_bytes") + b"K\x10"
        out += b"ub"
        # Raw array bytes follow BUILD, outside any opcode.
        if alignment:
            pos = len(out) + 1
            padlen = 16 - pos % 16
            out += bytes([padlen]) + b"\xff" * padlen
        out += raw
    out += b"e" + payload_after + b"."
    return bytes(out)


arr = struct.pack("<4d", 1, 2, 3, 4)
# The raw bytes contain what looks like a payload: a scanner that parses them as opcodes is wrong.
trap_arr = (b"c" + b"os\nsystem\n" + b"\0" * 64)[:64]
write("ok/model.joblib", joblib_pickle([arr, trap_arr]))
write("ok/model_noalign.joblib", joblib_pickle([arr], alignment=False))
write("ok/model.joblib.gz", gzip.compress(joblib_pickle([arr])))
write("ok/model.joblib.z", zlib.compress(joblib_pickle([arr])))
write("mal/joblib_payload.joblib",
      joblib_pickle([arr], payload_after=op_global("os", "system") + sbu("id") + b"\x85R0"),
      rule="pickle.import", symbol="os.system", severity="critical")

# ---- safetensors ---------------------------------------------------------------

def safetensors(header_obj, data, pad=True, raw_header=None):
    h = raw_header if raw_header is not None else json.dumps(header_obj).encode()
    if pad:
        h += b" " * ((8 - len(h) % 8) % 8)
    return struct.pack("<Q", len(h)) + h + data


write("ok/model.safetensors", safetensors(
    {"__metadata__": {"format": "pt"},
     "a": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 16]},
     "b": {"dtype": "BF16", "shape": [4], "data_offsets": [16, 24]}}, b"\1" * 24))
write("mal/st_header_len.safetensors", struct.pack("<Q", 1 << 40) + b"{}",
      rule="safetensors.header-length", severity="high")
write("mal/st_overlap.safetensors", safetensors(
    {"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
     "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}}, b"\1" * 12),
      rule="safetensors.offsets", severity="high")
write("mal/st_trailing.safetensors", safetensors(
    {"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}, b"\1" * 8 + payload),
      rule="safetensors.trailing-data", severity="high")
write("mal/st_dtype_shape.safetensors", safetensors(
    {"a": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}}, b"\1" * 8),
      rule="safetensors.dtype-shape", severity="high")
write("mal/st_bad_json.safetensors", safetensors(None, b"", raw_header=b'{"a": [1,'),
      rule="safetensors.malformed", severity="high")
write("mal/st_out_of_bounds.safetensors", safetensors(
    {"a": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}}, b"\1" * 8),
      rule="safetensors.offsets", severity="high")

# ---- GGUF ------------------------------------------------------------------------

def gstr(s):
    b = s.encode()
    return struct.pack("<Q", len(b)) + b


def gguf(kvs, tensors=(), data=b""):
    out = b"GGUF" + struct.pack("<IQQ", 3, len(tensors), len(kvs))
    for k, t, v in kvs:
        out += gstr(k) + struct.pack("<I", t) + v
    for name, dims, ttype, off in tensors:
        out += gstr(name) + struct.pack("<I", len(dims)) + b"".join(struct.pack("<Q", d) for d in dims)
        out += struct.pack("<IQ", ttype, off)
    out += b"\0" * ((32 - len(out) % 32) % 32)
    return out + data


arch = ("general.architecture", 8, gstr("llama"))
write("ok/model.gguf", gguf([arch, ("general.alignment", 4, struct.pack("<I", 32))],
                            [("tok.weight", [4, 2], 0, 0)], b"\0" * 32))
write("mal/gguf_template.gguf",
      gguf([arch, ("tokenizer.chat_template", 8,
                   gstr("{% for m in messages %}{{ m.content }}{% endfor %}"))]),
      rule="gguf.chat-template", severity="medium")
write("mal/gguf_ssti.gguf",
      gguf([arch, ("tokenizer.chat_template", 8,
                   gstr("{{ ''.__class__.__mro__[1].__subclasses__() }}"))]),
      rule="gguf.chat-template-suspicious", severity="high")
write("mal/gguf_bad_string.gguf",
      b"GGUF" + struct.pack("<IQQ", 3, 0, 1) + struct.pack("<Q", 1 << 50) + b"x",
      rule="gguf.malformed", severity="high")
write("mal/gguf_tensor_oob.gguf", gguf([arch], [("w", [1024, 1024], 0, 0)], b"\0" * 32),
      rule="gguf.tensor-bounds", severity="high")

# ---- ONNX (protobuf wire format by hand) ----------------------------------------

def varint(n):
    out = b""
    while True:
        b = n & 0x7f
        n >>= 7
        if n:
            out += bytes([b | 0x80])
        else:
            return out + bytes([b])


def field(num, payload):
    return varint(num << 3 | 2) + varint(len(payload)) + payload


def onnx_model(nodes, initializers, opsets=(("", 17),)):
    graph = b"".join(field(1, n) for n in nodes) + field(2, b"g") \
        + b"".join(field(5, t) for t in initializers)
    model = varint(1 << 3) + varint(8) + field(2, b"pytorch") + field(3, b"2.1")
    model += field(7, graph)
    for dom, ver in opsets:
        model += field(8, field(1, dom.encode()) + varint(2 << 3) + varint(ver))
    return model


def node(op, domain=b""):
    n = field(1, b"x") + field(2, b"y") + field(4, op)
    if domain:
        n += field(7, domain)
    return n


def ext_tensor(name, location):
    t = field(8, name) + field(13, field(1, b"location") + field(2, location))
    t += varint(14 << 3) + varint(1)
    return t


write("ok/model.onnx", onnx_model([node(b"Relu")], [field(8, b"w") + field(9, b"\0" * 64)]))
write("ok/model_ext.onnx", onnx_model([node(b"MatMul")], [ext_tensor(b"w", b"weights.bin")]))
write("mal/onnx_escape.onnx", onnx_model([node(b"MatMul")], [ext_tensor(b"w", b"../../etc/passwd")]),
      rule="onnx.external-data-escape", severity="high")
write("mal/onnx_abs.onnx", onnx_model([node(b"MatMul")], [ext_tensor(b"w", b"/etc/shadow")]),
      rule="onnx.external-data-escape", severity="high")
write("mal/onnx_custom_op.onnx",
      onnx_model([node(b"EvilOp", b"com.evil.ops")], [], opsets=(("", 17), ("com.evil.ops", 1))),
      rule="onnx.custom-domain", severity="medium")
# A custom op inside a subgraph (If node's then_branch attribute).
sub = field(1, node(b"Hidden", b"org.hidden"))
attr = field(1, b"then_branch") + field(6, sub)
if_node = field(4, b"If") + field(5, attr)
write("mal/onnx_subgraph_op.onnx", onnx_model([if_node], []),
      rule="onnx.custom-domain", severity="medium")

# ---- Keras v3 -------------------------------------------------------------------

def keras_zip(config):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("metadata.json", json.dumps({"keras_version": "3.3.3"}))
        z.writestr("config.json", json.dumps(config))
        z.writestr("model.weights.h5", b"\x89HDF\r\n\x1a\n" + b"\0" * 64)
    return buf.getvalue()


dense = {"module": "keras.layers", "class_name": "Dense", "config": {"name": "d", "units": 2},
         "registered_name": None}
seq = {"module": "keras", "class_name": "Sequential",
       "config": {"name": "seq", "layers": [dense]}, "registered_name": None}
write("ok/model.keras", keras_zip(seq))
lam = {"module": "keras.layers", "class_name": "Lambda",
       "config": {"name": "lam", "function": {"class_name": "__lambda__",
                                              "config": {"code": "4wEAAAAAAAAA"}}},
       "registered_name": None}
nested = {"module": "keras", "class_name": "Functional",
          "config": {"name": "outer", "layers": [
              {"module": "keras", "class_name": "Sequential",
               "config": {"name": "inner", "layers": [dense, lam]}}]}}
write("mal/keras_lambda.keras", keras_zip(nested), rule="keras.lambda", severity="critical")
evil = {"module": "keras", "class_name": "Sequential",
        "config": {"name": "seq", "layers": [dense, {
            "module": "builtins", "class_name": "function", "config": "exec",
            "registered_name": "function"}]}}
write("mal/keras_module.keras", keras_zip(evil), rule="keras.module", severity="critical",
      symbol="builtins.exec")
custom = {"module": "mylib.layers", "class_name": "MyLayer", "config": {"name": "m"},
          "registered_name": "MyLayer"}
write("mal/keras_custom_module.keras",
      keras_zip({"module": "keras", "class_name": "Sequential",
                 "config": {"name": "s", "layers": [custom]}}),
      rule="keras.module", severity="high")

# Legacy Keras HDF5: the JSON config sits in a root attribute near the start.
h5cfg = json.dumps({"class_name": "Sequential", "config": {"layers": [
    {"class_name": "Lambda", "config": {"name": "l", "function": ["4wEAAAAA", None, None]}}]}})
write("mal/legacy_lambda.h5", b"\x89HDF\r\n\x1a\n" + b"\0" * 120 + b"model_config"
      + b"\0" * 8 + h5cfg.encode() + b"\0" * 256, rule="keras.lambda", severity="critical")
write("ok/legacy_dense.h5", b"\x89HDF\r\n\x1a\n" + b"\0" * 120 + b"model_config" + b"\0" * 8
      + json.dumps({"class_name": "Sequential", "config": {"layers": [
          {"class_name": "Dense", "config": {"units": 2}}]}}).encode())

# ---- benign non-model files -------------------------------------------------------
write("ok/readme.md", b"# A model card\n\ncopyright the authors\n")
write("ok/data.csv", b"id,label\n1,cat\n2,dog\n")
write("ok/config.yaml", b"lr: 0.1\n")

with open(os.path.join(OUT, "expect.json"), "w") as f:
    json.dump(EXPECT, f, indent=1, sort_keys=True)
