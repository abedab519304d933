#!/usr/bin/python3
"""Writes Rampart's OMS compatibility fixtures (see README.md beside this file).

Each bundle reproduces the shape one model_signing release writes, signed by
keys this script makes with the openssl CLI in a temporary directory (no
private key is kept). Only the Python standard library and `openssl` are used.

Run from anywhere:  /usr/bin/python3 tests/artifacts/oms_compat/gen_fixtures.py
It rewrites keys/, model/, model.bin, bundles/ and negative/ from scratch.
"""

import base64
import hashlib
import json
import pathlib
import shutil
import subprocess
import tempfile

HERE = pathlib.Path(__file__).resolve().parent
IN_TOTO = "application/vnd.in-toto+json"
STATEMENT = "https://in-toto.io/Statement/v1"
MEDIA_V03 = "application/vnd.dev.sigstore.bundle.v0.3+json"
PREDICATE_V1 = "https://model_signing/signature/v1.0"
PREDICATE_V02 = "https://model_signing/Digests/v0.1"
DEFAULT_IGNORES = [".git", ".gitattributes", ".github", ".gitignore"]
SHARD_SIZE = 16


def run(*args, cwd=None):
    subprocess.run(args, check=True, capture_output=True, cwd=cwd)


# ---- keys and certificates --------------------------------------------------


def make_pki(tmp: pathlib.Path) -> None:
    """Root CA (RSA) -> intermediate CA (RSA) -> P-384 signing certificate,
    the same shape as the reference project's published test chain; plus a
    P-256 key, an unrelated CA and an unrelated key for negative tests."""
    days = "36500"
    (tmp / "ca.cnf").write_text(
        "[ca]\nbasicConstraints=critical,CA:TRUE\n"
        "keyUsage=critical,keyCertSign,cRLSign\n"
        "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n"
        "[leaf]\nbasicConstraints=critical,CA:FALSE\n"
        "keyUsage=critical,digitalSignature\nextendedKeyUsage=codeSigning\n"
        "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n"
    )
    for ca in ("root-ca", "other-ca"):
        run("openssl", "req", "-x509", "-newkey", "rsa:3072", "-nodes",
            "-keyout", f"{ca}.key", "-out", f"{ca}.pem", "-days", days,
            "-subj", f"/CN=rampart-test-{ca}", "-addext",
            "basicConstraints=critical,CA:TRUE", "-addext",
            "keyUsage=critical,keyCertSign,cRLSign", cwd=tmp)
    run("openssl", "req", "-newkey", "rsa:3072", "-nodes", "-keyout",
        "intermediate-ca.key", "-out", "intermediate-ca.csr", "-subj",
        "/CN=rampart-test-intermediate-ca", cwd=tmp)
    run("openssl", "x509", "-req", "-in", "intermediate-ca.csr", "-CA",
        "root-ca.pem", "-CAkey", "root-ca.key", "-set_serial", "2", "-days",
        days, "-extfile", "ca.cnf", "-extensions", "ca", "-out",
        "intermediate-ca.pem", cwd=tmp)
    for name, curve in (("signing-key", "P-384"), ("p256-key", "P-256"),
                        ("other-key", "P-384")):
        run("openssl", "genpkey", "-algorithm", "EC", "-pkeyopt",
            f"ec_paramgen_curve:{curve}", "-pkeyopt", "ec_param_enc:named_curve",
            "-out", f"{name}.pem", cwd=tmp)
        run("openssl", "pkey", "-in", f"{name}.pem", "-pubout", "-out",
            f"{name}-pub.pem", cwd=tmp)
    run("openssl", "req", "-new", "-key", "signing-key.pem", "-out",
        "signing.csr", "-subj", "/CN=rampart-test-model-signer", cwd=tmp)
    run("openssl", "x509", "-req", "-in", "signing.csr", "-CA",
        "intermediate-ca.pem", "-CAkey", "intermediate-ca.key", "-set_serial",
        "3", "-days", days, "-extfile", "ca.cnf", "-extensions", "leaf",
        "-out", "signing-cert.pem", cwd=tmp)


def der_of(pem_path: pathlib.Path) -> bytes:
    return subprocess.run(["openssl", "x509", "-in", str(pem_path), "-outform",
                           "DER"], check=True, capture_output=True).stdout


def sign(key: pathlib.Path, data: bytes, digest: str) -> bytes:
    """DER ECDSA over `data` with `digest` (sha256 | sha384), as Python's
    cryptography and OpenSSL both write it."""
    with tempfile.NamedTemporaryFile() as f:
        f.write(data)
        f.flush()
        return subprocess.run(["openssl", "dgst", f"-{digest}", "-sign",
                               str(key), f.name], check=True,
                              capture_output=True).stdout


# ---- the model ----------------------------------------------------------------


def write_model() -> None:
    model = HERE / "model"
    shutil.rmtree(model, ignore_errors=True)
    files = {
        "config.json": b'{"architectures": ["TinyNet"], "hidden": 8}\n',
        "weights/part-0.bin": bytes((i * 37 + 11) % 256 for i in range(40)),
        "weights/part-1.bin": bytes((i * 91 + 3) % 256 for i in range(33)),
        # A quote and non-ASCII letters: model_signing 0.2's PAE wrote the
        # payload as a Python bytes literal, so these become \' and \xNN.
        "docs/l'\u00e9t\u00e9.md": "Notes d'\u00e9t\u00e9.\n".encode(),
        "empty.txt": b"",
    }
    for name, data in files.items():
        p = model / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
    (HERE / "model.bin").write_bytes(bytes((i * 13) % 251 for i in range(50)))


def model_files() -> list[tuple[str, bytes]]:
    root = HERE / "model"
    out = [(p.relative_to(root).as_posix(), p.read_bytes())
           for p in root.rglob("*") if p.is_file()]
    return sorted(out)


# ---- payloads -------------------------------------------------------------------


def to_json(obj) -> bytes:
    # protobuf's json_format.MessageToJson: 2-space indent, UTF-8 kept.
    return json.dumps(obj, indent=2, ensure_ascii=False).encode("utf-8")


def root_digest(hex_digests) -> str:
    h = hashlib.sha256()
    for d in hex_digests:
        h.update(bytes.fromhex(d))
    return h.hexdigest()


def digests_v01_payload() -> bytes:
    """model_signing 0.2.x: one in-toto subject per file, the digest under
    "sha256", the real algorithm in an annotation, a placeholder predicate."""
    subjects = [{"name": n, "digest": {"sha256": hashlib.sha256(d).hexdigest()},
                 "annotations": {"actual_hash_algorithm": "file-sha256"}}
                for n, d in model_files()]
    return to_json({"_type": STATEMENT, "subject": subjects,
                    "predicateType": PREDICATE_V02,
                    "predicate": {"unused":
                                  "Unused, just passed due to API requirements"}})


def signature_v1_payload(name, resources, serialization) -> bytes:
    root = root_digest(r["digest"] for r in resources)
    return to_json({"_type": STATEMENT,
                    "subject": [{"name": name, "digest": {"sha256": root}}],
                    "predicateType": PREDICATE_V1,
                    "predicate": {"serialization": serialization,
                                  "resources": resources}})


def files_resources():
    return [{"algorithm": "sha256", "digest": hashlib.sha256(d).hexdigest(),
             "name": n} for n, d in model_files()]


def shard_resources():
    """model_signing 0.3.x shards: "<path>:<start>:<end>", algorithm
    "sha256-sharded-<N>", sorted by path then start (numerically)."""
    out = []
    for n, d in model_files():
        for s in range(0, len(d), SHARD_SIZE):
            e = min(len(d), s + SHARD_SIZE)
            out.append({"algorithm": f"sha256-sharded-{SHARD_SIZE}",
                        "digest": hashlib.sha256(d[s:e]).hexdigest(),
                        "name": f"{n}:{s}:{e}"})
    return out


# ---- PAE and bundles --------------------------------------------------------------


def pae(payload: bytes) -> bytes:
    """DSSE v1 pre-authentication encoding."""
    return b"DSSEv1 %d %s %d " % (len(IN_TOTO), IN_TOTO.encode(),
                                   len(payload)) + payload


def pae_v02(payload: bytes) -> bytes:
    """What model_signing 0.2.x signed: an f-string over the *bytes* payload,
    so Python inserts its repr (b'...' with escapes), and "DSSEV1"."""
    return f"DSSEV1 {len(IN_TOTO)} {IN_TOTO} {len(payload)} {payload}".encode()


def envelope(payload: bytes, sig: bytes, keyid) -> dict:
    return {"payload": base64.b64encode(payload).decode(),
            "payloadType": IN_TOTO,
            "signatures": [{"sig": base64.b64encode(sig).decode(),
                            "keyid": keyid}]}


def raw_key(pub_pem: pathlib.Path, details: str) -> dict:
    return {"publicKey": {"rawBytes":
                          base64.b64encode(pub_pem.read_bytes()).decode(),
                          "keyDetails": details}}


def chain(keys: pathlib.Path) -> dict:
    certs = [der_of(keys / "signing-cert.pem"), der_of(keys / "intermediate-ca.pem")]
    return {"x509CertificateChain": {"certificates": [
        {"rawBytes": base64.b64encode(c).decode()} for c in certs]}}


def bundle(material: dict, env: dict) -> str:
    return json.dumps({"mediaType": MEDIA_V03, "verificationMaterial": material,
                       "dsseEnvelope": env})


def main() -> None:
    write_model()
    with tempfile.TemporaryDirectory() as t:
        tmp = pathlib.Path(t)
        make_pki(tmp)
        keys = HERE / "keys"
        shutil.rmtree(keys, ignore_errors=True)
        keys.mkdir()
        for f in ("root-ca.pem", "intermediate-ca.pem", "signing-cert.pem",
                  "signing-key-pub.pem", "p256-key-pub.pem", "other-ca.pem",
                  "other-key-pub.pem"):
            shutil.copy(tmp / f, keys / f)
        leaf, p256 = tmp / "signing-key.pem", tmp / "p256-key.pem"

        out = {}
        # model_signing 0.2.x key method: rawBytes PEM, keyDetails hard-coded
        # to P-256, the buggy PAE, ECDSA with SHA-256 whatever the curve.
        p = digests_v01_payload()
        out["bundles/v0.2-key.sig"] = bundle(
            raw_key(keys / "p256-key-pub.pem", "PKIX_ECDSA_P256_SHA_256"),
            envelope(p, sign(p256, pae_v02(p), "sha256"), None))
        out["bundles/v0.2-key-p384.sig"] = bundle(
            raw_key(keys / "signing-key-pub.pem", "PKIX_ECDSA_P256_SHA_256"),
            envelope(p, sign(leaf, pae_v02(p), "sha256"), None))
        # model_signing 0.2.x certificate method: the same envelope, the
        # signing certificate then the chain in x509CertificateChain.
        out["bundles/v0.2-certificate.sig"] = bundle(
            chain(keys), envelope(p, sign(leaf, pae_v02(p), "sha256"), None))

        # model_signing 0.3.x: the v1.0 predicate without ignore_paths, the
        # standard PAE, the curve's hash, rawBytes keys, keyid null.
        files_ser = {"method": "files", "hash_type": "sha256",
                     "allow_symlinks": False}
        single = {"name": ".", "algorithm": "sha256",
                  "digest": hashlib.sha256((HERE / "model.bin").read_bytes())
                  .hexdigest()}
        p = signature_v1_payload("model.bin", [single], files_ser)
        out["bundles/v0.3-key.sig"] = bundle(
            raw_key(keys / "signing-key-pub.pem", "PKIX_ECDSA_P384_SHA_384"),
            envelope(p, sign(leaf, pae(p), "sha384"), None))
        shards_ser = {"method": "shards", "hash_type": "sha256",
                      "allow_symlinks": False, "shard_size": float(SHARD_SIZE)}
        p = signature_v1_payload("model", shard_resources(), shards_ser)
        out["bundles/v0.3-key-shards.sig"] = bundle(
            raw_key(keys / "signing-key-pub.pem", "PKIX_ECDSA_P384_SHA_384"),
            envelope(p, sign(leaf, pae(p), "sha384"), None))
        p = signature_v1_payload("model", files_resources(), files_ser)
        out["bundles/v0.3-certificate.sig"] = bundle(
            chain(keys), envelope(p, sign(leaf, pae(p), "sha384"), None))

        # model_signing 1.x: a key hint, tlogEntries [], keyid "", ignore_paths.
        v1_ser = dict(files_ser, ignore_paths=DEFAULT_IGNORES)
        p = signature_v1_payload("model", files_resources(), v1_ser)
        hint = hashlib.sha256((keys / "signing-key-pub.pem").read_bytes()).hexdigest()
        out["bundles/v1.0-key.sig"] = bundle(
            {"publicKey": {"hint": hint}, "tlogEntries": []},
            envelope(p, sign(leaf, pae(p), "sha384"), ""))
        out["bundles/v1.0-certificate.sig"] = bundle(
            dict(chain(keys), tlogEntries=[]),
            envelope(p, sign(leaf, pae(p), "sha384"), ""))

        # Negative: the standard PAE signed with SHA-256 by a P-384 key. No
        # release wrote this; the SHA-256 relaxation is for the 0.2 PAE only.
        out["negative/v1.0-p384-sha256.sig"] = bundle(
            {"publicKey": {"hint": hint}, "tlogEntries": []},
            envelope(p, sign(leaf, pae(p), "sha256"), ""))

        for d in ("bundles", "negative"):
            shutil.rmtree(HERE / d, ignore_errors=True)
            (HERE / d).mkdir()
        for name, text in out.items():
            (HERE / name).write_text(text + "\n")


if __name__ == "__main__":
    main()
