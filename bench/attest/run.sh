#!/usr/bin/env bash
# Evidence verification time per TEE type, collateral cached on local disk,
# next to the one-signature floor measured in the same run.
# Usage: bench/attest/run.sh BUILD_DIR   (reads ../shared/testdata/attest)
set -euo pipefail
BUILD=${1:-build}
BIN=$BUILD/bench/attest/attest_bench
[ -x "$BIN" ] || { echo "bench/attest: $BIN missing; build first" >&2; exit 2; }
cd "$(dirname "$0")/../.."
exec "$BIN" --benchmark_min_time=0.5s
