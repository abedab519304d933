#!/usr/bin/env bash
# Ledger benchmarks: prints each figure next to its baseline from the same run.
# Usage: bench/ledger/run.sh BUILD_DIR   (the 10M-entry proof fixture, ~1 GB, is
# built once under BUILD_DIR/bench-ledger and reused)
set -euo pipefail
BUILD=${1:-build}
BIN=$BUILD/bench/ledger/ledger_bench
[ -x "$BIN" ] || { echo "bench/ledger: $BIN missing; build first" >&2; exit 2; }
exec "$BIN" "$BUILD/bench-ledger" --proof-entries "${LEDGER_BENCH_PROOF_ENTRIES:-10000000}" \
  --seconds "${LEDGER_BENCH_SECONDS:-15}"
