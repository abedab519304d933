#!/usr/bin/env bash
# Monitor benchmark: detection (queries until detection per attack), false
# alarms per 10,000 benign clients per day, CPU per request against the cost
# of parsing the body, memory per client; one seeded run.
# Usage: bench/monitor/run.sh BUILD_DIR [--benign N]
set -euo pipefail
BUILD=${1:-build}
shift || true
BIN="$BUILD/bench/monitor/monitor_bench"
[ -x "$BIN" ] || { echo "monitor bench: $BIN missing; build first (make build)" >&2; exit 2; }
PIN=()
command -v taskset >/dev/null && PIN=(taskset -c 0)
"${PIN[@]}" "$BIN" "$@"
