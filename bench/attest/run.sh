#!/usr/bin/env bash
# Seal/unseal throughput of `rampart seal|unseal` against OpenSSL's own
# AES-256-GCM and SHA-256 speed, measured in the same run on the same core.
#
# The issue names `openssl enc -aes-256-gcm` as the baseline, but OpenSSL 3's
# `enc` refuses AEAD ciphers ("AEAD ciphers not supported"), so the baseline is
# `openssl speed -evp aes-256-gcm` with 1 MiB blocks (the chunk size), plus
# `openssl speed -evp sha256` since sealing must also hash every byte for the
# OMS digests: the best a single core can do is 1/(1/aes + 1/sha256), unless
# the digests come from a verified `rampart sign` bundle (--signature).
# Usage: bench/attest/run.sh BUILD_DIR   (ATTEST_BENCH_MB sets the model size,
# ATTEST_BENCH_RUNS the runs of which the best is kept)
set -euo pipefail
BUILD=${1:-build}
BIN=$BUILD/rampart
[ -x "$BIN" ] || { echo "bench/attest: $BIN missing; build first" >&2; exit 2; }
MB=${ATTEST_BENCH_MB:-1024}
DIR=$(mktemp -d "${TMPDIR:-/tmp}/rampart-bench-attest.XXXXXX")
trap 'rm -rf "$DIR"' EXIT
mkdir -p "$DIR/model"
head -c $((MB << 20)) /dev/urandom > "$DIR/model/weights.bin"
"$BIN" seal "$DIR/model" -o "$DIR/warm" --resource bench/model/key --kek "$DIR/kek" --create-kek \
  > /dev/null 2>&1
rm -rf "$DIR/warm"

# CPU seconds (user + sys) of a command: `openssl speed` counts CPU user time
# too (unless -elapsed), so both sides are measured alike on a shared machine.
cpu() {
  /usr/bin/time -f "%U %S %e" -o "$DIR/time" "$@" > /dev/null
  awk '{print $1 + $2, $3}' "$DIR/time"
}
# The OMS bundle of the model, for sealing with its verified digests.
openssl ecparam -name prime256v1 -genkey -noout -out "$DIR/signer.pem" 2> /dev/null
openssl ec -in "$DIR/signer.pem" -pubout -out "$DIR/signer.pub" 2> /dev/null
"$BIN" sign "$DIR/model" --key "$DIR/signer.pem" --signature "$DIR/model.sig" > /dev/null 2>&1
SIGNED=(--signature "$DIR/model.sig" --signer-key "$DIR/signer.pub")

seal() {  # seal [taskset args...] -- [seal args...]: prints CPU seconds and wall seconds
  local pin=()
  while [ "$1" != "--" ]; do pin+=("$1"); shift; done
  shift
  rm -rf "$DIR/sealed"
  cpu "${pin[@]}" "$BIN" seal "$DIR/model" -o "$DIR/sealed" --resource bench/model/key \
    --kek "$DIR/kek" "$@"
}
# Best of RUNS (the machine is shared): the least CPU time and the least wall
# time over the runs.
RUNS=${ATTEST_BENCH_RUNS:-3}
best() {  # best CMD...: runs CMD RUNS times, prints min CPU and min wall seconds
  local i c w bc="" bw=""
  for ((i = 0; i < RUNS; i++)); do
    read -r c w < <("$@")
    bc=$(awk -v a="$bc" -v b="$c" 'BEGIN {print (a == "" || b < a) ? b : a}')
    bw=$(awk -v a="$bw" -v b="$w" 'BEGIN {print (a == "" || b < a) ? b : a}')
  done
  echo "$bc $bw"
}
unseal() {
  rm -rf "$DIR/out"
  cpu taskset -c 0 "$BIN" unseal "$DIR/sealed" -o "$DIR/out" --kek "$DIR/kek"
}
read -r s sw < <(best seal taskset -c 0 --)             # hashing, both threads on one core
read -r s2 sw2 < <(best seal --)                        # hashing, reader and sealer on two cores
read -r d dw < <(best seal taskset -c 0 -- "${SIGNED[@]}")  # the bundle's digests, one core
read -r u uw < <(best unseal)
cmp -s "$DIR/model/weights.bin" "$DIR/out/weights.bin" || { echo "bench/attest: mismatch" >&2; exit 1; }

speed() {  # bytes/s of `openssl speed -evp ALG` at 1 MiB blocks, one core
  taskset -c 0 openssl speed -evp "$1" -bytes 1048576 -seconds 2 2>/dev/null |
    awk -v a="$1" '$1 == a || $1 == toupper(a) || $1 ~ /AES-256-GCM|sha256/ {v=$NF} END {sub(/k$/, "", v); print v * 1000}'
}
aes=$(speed aes-256-gcm)
sha=$(speed sha256)
awk -v mb="$MB" -v s="$s" -v sw="$sw" -v s2="$s2" -v sw2="$sw2" -v d="$d" -v dw="$dw" \
    -v u="$u" -v uw="$uw" -v aes="$aes" -v sha="$sha" -v runs="$RUNS" 'BEGIN {
  b = mb * 1048576
  both = 1 / (1 / aes + 1 / sha)
  printf "attest: %d MiB model; GB/s per CPU second (user + sys, all threads), then wall; best of %d\n", mb, runs
  printf "  openssl speed aes-256-gcm           %6.2f GB/s (one core)\n", aes / 1e9
  printf "  openssl speed sha256                %6.2f GB/s (one core)\n", sha / 1e9
  printf "  ideal aes-gcm + sha256, one core    %6.2f GB/s\n", both / 1e9
  printf "  seal, hashing, one core             %6.2f GB/s per core (%.2fx aes-gcm, %.2fx ideal)  wall %.2f GB/s\n", b / s / 1e9, b / s / aes, b / s / both, b / sw / 1e9
  printf "  seal, hashing, two cores            %6.2f GB/s per core  wall %.2f GB/s\n", b / s2 / 1e9, b / sw2 / 1e9
  printf "  seal, signed digests, one core      %6.2f GB/s per core (%.2fx aes-gcm)  wall %.2f GB/s\n", b / d / 1e9, b / d / aes, b / dw / 1e9
  printf "  unseal (hashes), one core           %6.2f GB/s per core (%.2fx aes-gcm, %.2fx ideal)  wall %.2f GB/s\n", b / u / 1e9, b / u / aes, b / u / both, b / uw / 1e9
  printf "  (blobs are written with O_DIRECT and fsynced: wall time is this disk'"'"'s)\n"
}'

# Evidence verification time per TEE type, collateral cached on local disk,
# next to the one-signature floor measured in the same run (reads
# ../shared/testdata/attest).
VBIN=$BUILD/bench/attest/attest_bench
[ -x "$VBIN" ] || { echo "bench/attest: $VBIN missing; build first" >&2; exit 2; }
(cd "$(dirname "$0")/../.." && "$VBIN" --benchmark_min_time=0.5s)
