#!/usr/bin/env bash
# Runs every pillar's benchmark script (bench/<pillar>/run.sh BUILD_DIR); each
# prints its figures next to a baseline measured in the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
eval "$(bash scripts/test-services.sh start)"
if [ "$RAMPART_TEST_SERVICES_STARTED" = 1 ]; then
  trap 'bash scripts/test-services.sh stop' EXIT
fi
# The gateway bench also builds and runs the gateway as it was before it moved
# onto the core HTTP layer, in the same run (issue 11's check); set
# GATEWAY_BASELINE_REF= (empty) to skip that build.
export GATEWAY_BASELINE_REF=${GATEWAY_BASELINE_REF-ef93538^}
found=0
for script in bench/*/run.sh; do
  [ -f "$script" ] || continue
  found=1
  echo "== $(dirname "$script")"
  bash "$script" "$BUILD"
done
[ $found -eq 1 ] || echo "bench: no benchmarks yet"
