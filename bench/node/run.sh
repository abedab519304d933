#!/usr/bin/env bash
# Node attestation benchmark: quote + 1,000-event log verification, next to
# raw OpenSSL (signature verify + SHA-256 over the same bytes) in the same run.
# Usage: bench/node/run.sh BUILD_DIR
set -euo pipefail
BUILD=${1:-build}
BIN="$BUILD/bench/node/node_bench"
[ -x "$BIN" ] || { echo "node bench: $BIN missing; build first (make build)" >&2; exit 2; }
PIN=()
command -v taskset >/dev/null && PIN=(taskset -c 0)
"${PIN[@]}" "$BIN"
