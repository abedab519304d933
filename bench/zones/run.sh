#!/usr/bin/env bash
# Zones benchmark: connectivity, diff and nftables size, with their baselines.
# Usage: bench/zones/run.sh BUILD_DIR
set -euo pipefail
BUILD=${1:-build}
BIN="$BUILD/bench/zones/zones_bench"
[ -x "$BIN" ] || { echo "zones bench: $BIN missing; build first (make build)" >&2; exit 2; }
# One core, as the targets are stated.
if command -v taskset >/dev/null; then
  taskset -c 0 "$BIN"
else
  "$BIN"
fi
