#!/usr/bin/env bash
# Artifacts benchmarks: each figure is printed next to a baseline measured in
# the same run on the same file. Inputs are generated into a temp dir (never
# committed): a 1 GB PyTorch-layout zip, a 50 MB opcode-dense pickle, a 10 GB
# sparse PyTorch-layout zip64 and a 10 GB sparse file.
# Usage: bench/artifacts/run.sh BUILD_DIR
set -euo pipefail
BUILD=${1:-build}
HERE=$(cd "$(dirname "$0")" && pwd)
RAMPART=$(cd "$BUILD" && pwd)/rampart
TMP=$(mktemp -d /tmp/rampart-bench-artifacts.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

now() { date +%s.%N; }
secs() { python3 -c "print(f'{$2 - $1:.3f}')"; }
rate() { python3 -c "print(f'{$1 / ($3 - $2) / 1e6:.0f}')"; }  # bytes start end -> MB/s
peak_kb() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1; }

echo "generating inputs in $TMP ..."
python3 "$HERE/gen.py" torchzip "$TMP/model.pt" 1024
python3 "$HERE/gen.py" dense "$TMP/dense.pkl" 50
python3 "$HERE/gen.py" sparsezip "$TMP/big.pt" 10
mkdir -p "$TMP/one" && ln "$TMP/model.pt" "$TMP/one/model.pt"
truncate -s 10G "$TMP/sparse10g.bin"
SZ=$(stat -c %s "$TMP/model.pt"); DZ=$(stat -c %s "$TMP/dense.pkl")
cat "$TMP/model.pt" > /dev/null  # warm the page cache

echo
echo "== hashing (SHA-256), 1 GB file, page cache warm (load average: $(cut -d' ' -f1 /proc/loadavg))"
t0=$(now); openssl dgst -sha256 "$TMP/model.pt" > /dev/null; t1=$(now)
base=$(rate "$SZ" "$t0" "$t1")
t0=$(now); "$RAMPART" manifest "$TMP/one" --threads 1 > /dev/null; t1=$(now)
one=$(rate "$SZ" "$t0" "$t1")
echo "openssl dgst -sha256 (1 thread):   $base MB/s   (baseline)"
echo "rampart manifest, 1 thread:        $one MB/s   ratio $(python3 -c "print(f'{$one/$base:.2f}')") (target >= 0.95)"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$TMP/k.pem" 2>/dev/null
for th in 1 2; do
  t0=$(now); "$RAMPART" sign "$TMP/model.pt" --key "$TMP/k.pem" --signature "$TMP/s.sig" --shard-size 64Mi --threads $th >/dev/null 2>&1
  t1=$(now)
  r=$(rate "$SZ" "$t0" "$t1")
  [ $th = 1 ] && r1=$r
  echo "rampart sign --shard-size 64Mi, $th thread(s): $r MB/s   scaling x$(python3 -c "print(f'{$r/$r1:.2f}')") (machine has $(nproc) cores)"
done

echo
echo "== scanning"
t0=$(now); cat "$TMP/model.pt" > /dev/null; t1=$(now)
raw=$(rate "$SZ" "$t0" "$t1")
t0=$(now); "$RAMPART" scan "$TMP/model.pt" > /dev/null; t1=$(now)
sc=$(rate "$SZ" "$t0" "$t1")
echo "cat (raw read, page cache):        $raw MB/s   (baseline)"
echo "rampart scan 1 GB PyTorch zip:     $sc MB/s   (target >= 1000; tensor blobs skipped by length)"
t0=$(now); "$RAMPART" scan "$TMP/dense.pkl" > /dev/null; t1=$(now)
dn=$(rate "$DZ" "$t0" "$t1")
t0=$(now); python3 -c "import pickletools,sys; [None for _ in pickletools.genops(open(sys.argv[1],'rb'))]" "$TMP/dense.pkl"; t1=$(now)
pt=$(rate "$DZ" "$t0" "$t1")
echo "python pickletools.genops (opcode walk only): $pt MB/s   (baseline; picklescan-class tools ~2 MB/s)"
echo "rampart scan 50 MB dense pickle:   $dn MB/s   (target >= 200)"
"$BUILD/bench/artifacts/artifacts_bench" --benchmark_filter=Dense 2>/dev/null | grep -E "^BM_" || true

echo
echo "== peak memory (max RSS)"
echo "cat 10 GB sparse file:             $(peak_kb cat "$TMP/sparse10g.bin") KiB   (baseline)"
echo "rampart scan 10 GB PyTorch zip64:  $(peak_kb "$RAMPART" scan "$TMP/big.pt") KiB   (target < 65536)"
mkdir -p "$TMP/ten" && ln "$TMP/sparse10g.bin" "$TMP/ten/w.bin"
echo "rampart manifest 10 GB file:       $(peak_kb "$RAMPART" manifest "$TMP/ten" --threads 2) KiB   (target < 65536)"
echo "rampart scan 10 GB unknown file:   $(peak_kb "$RAMPART" scan "$TMP/sparse10g.bin") KiB"
