#!/usr/bin/env bash
# Writes examples/evidence/: evidence envelopes for examples/estate.yaml, each
# wrapping the output of a Rampart command run for real (docs/formats/controls.md):
#
#   scan.json          rampart scan of a model directory
#   signatures.json    rampart verify of that model, signed with rampart sign
#   ledger.json        rampart ledger verify of a ledger against its pinned key
#   node-gpu-01.json   rampart node verify of a quote from a software TPM (swtpm)
#                      and its boot logs, against examples/nodes/nodes.yaml
#   tee-snp.json       rampart attest verify of the shared SEV-SNP sample
#
# The attestation envelopes are signed with a throwaway Ed25519 key; its public
# half is written to examples/evidence/evidence-key.pem (pass it with
# --evidence-key) and the private half is deleted. Every envelope is dated
# $EVIDENCE_TIME (default 2026-12-07T00:00:00Z): the evidence is bound to the
# estate's bytes, so after an edit of examples/estate.yaml, rerun this script
# and then the golden tests with UPDATE_GOLDEN=1.
#
# Needs: a built rampart ($RAMPART, default build/rampart), openssl, python3,
# swtpm and tpm2-tools, and the shared test data ($SHARED, default ../shared).
#
#   scripts/posture/make-example-evidence.sh
#   build/rampart assess examples/estate.yaml --evidence examples/evidence \
#       --evidence-key examples/evidence/evidence-key.pem --now 2026-12-07T01:00:00Z
set -euo pipefail

src=$(cd "$(dirname "$0")/../.." && pwd)
rampart=$(realpath "${RAMPART:-$src/build/rampart}")
shared=$(realpath "${SHARED:-$src/../shared}")
time=${EVIDENCE_TIME:-2026-12-07T00:00:00Z}
estate=$src/examples/estate.yaml
out=${OUT:-$src/examples/evidence}

for tool in openssl python3 swtpm tpm2_createek tpm2_createak tpm2_pcrextend tpm2_quote; do
  command -v "$tool" >/dev/null || { echo "make-example-evidence: needs $tool" >&2; exit 2; }
done
[ -x "$rampart" ] || { echo "make-example-evidence: no rampart at $rampart" >&2; exit 2; }
snp=$shared/testdata/attest/snp-google
[ -f "$snp/attestation.bin" ] || { echo "make-example-evidence: no SNP sample in $snp" >&2; exit 2; }

work=$(mktemp -d)
swtpm_pid=
cleanup() {
  [ -n "$swtpm_pid" ] && kill "$swtpm_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
cd "$work"

# wrap KIND NAME SOURCE FILE [sign]: one envelope in $work/out/NAME.
mkdir -p out
wrap() {
  local args=(assess evidence --kind "$1" --estate "$estate" --time "$time" --source "$3")
  [ "${5:-}" = sign ] && args+=(--key "$work/evidence.key")
  "$rampart" "${args[@]}" "$4" > "out/$2"
}

openssl genpkey -algorithm ed25519 -out evidence.key 2>/dev/null
openssl pkey -in evidence.key -pubout -out out/evidence-key.pem

# ---- a model: scanned, signed, verified ----------------------------------------
mkdir -p model
printf '{"architectures": ["LlamaForCausalLM"], "hidden_size": 16}\n' > model/config.json
python3 - <<'PY'
import json, struct
header = json.dumps({"w": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}}).encode()
header += b" " * (-len(header) % 8)
with open("model/model.safetensors", "wb") as f:
    f.write(struct.pack("<Q", len(header)) + header + struct.pack("<4f", 0.5, -1.0, 2.0, 0.25))
PY
"$rampart" scan --format json model > scan.out || { echo "rampart scan found problems" >&2; cat scan.out >&2; exit 1; }
wrap scan scan.json "rampart scan --format json model/" scan.out

openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out sign.key 2>/dev/null
openssl pkey -in sign.key -pubout -out sign.pub
"$rampart" sign model --key sign.key --signature model.sig 2>/dev/null
"$rampart" verify model --signature model.sig --key sign.pub --format json > verify.out
wrap verify signatures.json "rampart verify --format json model/ --signature model.sig" verify.out

# ---- the ledger, verified against its pinned key -------------------------------
"$rampart" ledger init --store sqlite:ledger.db --key ledger.key > ledger.pub 2>/dev/null
digest=$(python3 -c 'import hashlib; print(hashlib.sha256(open("model/model.safetensors","rb").read()).hexdigest())')
printf '{"type": "model.signed", "actor": "release-bot", "subjects": [{"digest": "sha256:%s", "name": "model"}]}\n' \
  "$digest" > entry.json
"$rampart" ledger append --store sqlite:ledger.db --key ledger.key entry.json >/dev/null
"$rampart" ledger verify --store sqlite:ledger.db --pub ledger.pub --format json > ledger.out
wrap ledger-verify ledger.json "rampart ledger verify --format json --pub ledger.pub" ledger.out

# ---- measured boot of a node, on a software TPM ---------------------------------
# The node boots as examples/nodes/nodes.yaml's class gpu-training expects: a
# crypto-agile UEFI event log (firmware in PCR 0, Secure Boot variables in PCR 7,
# shim and grub in PCR 4, the kernel command line in PCR 8, kernel and initrd in
# PCR 9) and IMA measurements of its NVIDIA driver and serving binary (PCR 10),
# each event extended into the swtpm as firmware, grub and the kernel would.
mkdir -p tpm registry
swtpm socket --tpm2 --tpmstate dir=tpm --server type=unixio,path="$work/s.sock" \
  --ctrl type=unixio,path="$work/s.sock.ctrl" --flags not-need-init,startup-clear >swtpm.log 2>&1 &
swtpm_pid=$!
for _ in $(seq 100); do [ -S "$work/s.sock" ] && break; sleep 0.05; done
export TPM2TOOLS_TCTI="swtpm:path=$work/s.sock"
tpm2_createek -c ek.ctx -G rsa -u ek.pub >/dev/null
tpm2_flushcontext -t; tpm2_flushcontext -s
tpm2_createak -C ek.ctx -c ak.ctx -G rsa -g sha256 -s rsassa -u ak.pub -n ak.name >/dev/null
tpm2_flushcontext -t; tpm2_flushcontext -s
python3 - <<'PY' > extends
import hashlib, struct
le32 = lambda v: struct.pack("<I", v)
sha = lambda b: hashlib.sha256(b).digest()
utf16 = lambda s: s.encode("utf-16-le")
extends = []
# Spec ID event (SHA-1 log header format), one bank: SHA-256.
spec = b"Spec ID Event03\0" + le32(0) + bytes([0, 2, 0, 2]) + le32(1) + struct.pack("<HH", 0x000B, 32) + b"\0"
log = le32(0) + le32(0x3) + bytes(20) + le32(len(spec)) + spec
def add(pcr, etype, data, measured=None):
    global log
    d = sha(measured if measured is not None else data)
    log += le32(pcr) + le32(etype) + le32(1) + struct.pack("<H", 0x000B) + d + le32(len(data)) + data
    extends.append(f"{pcr}:sha256={d.hex()}")
def efi_var(name, value):
    return bytes([0x61] * 16) + struct.pack("<QQ", len(name), len(value)) + utf16(name) + value
add(0, 0x8, utf16("RAMPART-FW 1.0") + b"\0\0")                        # EV_S_CRTM_VERSION
add(0, 0x80000008, bytes(16), b"firmware volume 1.0")               # EV_EFI_PLATFORM_FIRMWARE_BLOB
add(7, 0x80000001, efi_var("SecureBoot", b"\x01"))                  # EV_EFI_VARIABLE_DRIVER_CONFIG
for name, value in (("PK", b"platform key"), ("KEK", b"key exchange key"),
                    ("db", b"allowed signatures"), ("dbx", b"forbidden signatures")):
    add(7, 0x80000001, efi_var(name, value))
for pcr in range(8):
    add(pcr, 0x4, bytes(4))                                          # EV_SEPARATOR
add(4, 0x80000003, bytes(32), b"shim image")                         # EV_EFI_BOOT_SERVICES_APPLICATION
add(4, 0x80000003, bytes(32), b"grub image")
add(8, 0xD, b"kernel_cmdline: BOOT_IMAGE=/vmlinuz-6.1.0-rampart root=/dev/sda1 ro\0")  # EV_IPL
add(9, 0xD, b"/vmlinuz-6.1.0-rampart\0", b"kernel image 6.1.0")
add(9, 0xD, b"/initrd.img-6.1.0-rampart\0", b"initrd image")
open("boot.log", "wb").write(log)
# IMA (ima-ng): the template hash is SHA-1 in the list, SHA-256 into PCR 10.
lines = []
for path, content in (("/usr/bin/vllm", b"vllm 0.6"),
                      ("/lib/modules/6.1.0/kernel/drivers/video/nvidia.ko", b"nvidia 550.54")):
    fh = sha(content)
    p = path.encode() + b"\0"
    td = le32(40) + b"sha256:\0" + fh + le32(len(p)) + p
    lines.append(f"10 {hashlib.sha1(td).hexdigest()} ima-ng sha256:{fh.hex()} {path}\n")
    extends.append(f"10:sha256={sha(td).hex()}")
open("ima.log", "w").write("".join(lines))
print("\n".join(extends))
PY
cp "$src/examples/nodes/nodes.yaml" nodes.yaml
xargs tpm2_pcrextend < extends
"$rampart" node enroll --name gpu-01 --class gpu-training --ak ak.pub --registry registry \
  --policy nodes.yaml >/dev/null
nonce=$("$rampart" node nonce)
tpm2_quote -c ak.ctx -l sha256:0,1,2,3,4,5,6,7,8,9,10 -q "$nonce" -m q.msg -s q.sig -g sha256 >/dev/null
tpm2_flushcontext -t; tpm2_flushcontext -s
"$rampart" node verify --quote q.msg --signature q.sig --nonce "$nonce" --log boot.log --ima ima.log \
  --policy nodes.yaml --node gpu-01 --registry registry --format json > node.out
wrap attestation node-gpu-01.json "rampart node verify --format json --node gpu-01 (swtpm)" node.out sign

# ---- a confidential VM: the shared SEV-SNP sample ---------------------------------
mkdir -p snp && cp "$snp/vcek.testcer" snp/vcek.der
"$rampart" attest verify "$snp/attestation.bin" --type snp --roots "$snp/trust/ask_ark_milan.pem" \
  --collateral snp --at 2024-01-01 > snp.out
wrap attestation tee-snp.json "rampart attest verify --type snp attestation.bin (shared SEV-SNP sample)" snp.out sign

mkdir -p "$out"
rm -f "$out"/*.json "$out"/evidence-key.pem
cp out/* "$out/"
echo "wrote $(ls "$out" | wc -l) files to $out" >&2
