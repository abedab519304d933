#!/usr/bin/env bash
# Guards benchmark: evaluation table on the shared data, latency, scanner throughput.
# Usage: bench/guards/run.sh BUILD_DIR
# GUARDS_BENCH_SKIP_BLIND=1 leaves out the blind role-play sets (roleplay_benign2/3/4/5),
# for runs made while the guard is being changed.
set -euo pipefail
BUILD=${1:-build}
BIN="$BUILD/bench/guards/guards_bench"
[ -x "$BIN" ] || { echo "guards bench: $BIN missing; build first (make build)" >&2; exit 2; }
HERE=$(cd "$(dirname "$0")" && pwd)
DATA=""
for d in "$HERE/../../../shared/testdata/injection" "$HERE/../../../../shared/testdata/injection"; do
  [ -f "$d/train.jsonl" ] && DATA=$d && break
done
[ -n "$DATA" ] || { echo "guards bench: ../shared/testdata/injection not found" >&2; exit 2; }
PIN=()
command -v taskset >/dev/null && PIN=(taskset -c 0)
extra=$(mktemp)
trap 'rm -f "$extra"' EXIT
cat "$HERE/../../data/guards/benign_trigger_train.jsonl" "$HERE/../../data/guards/documents_train.jsonl" >"$extra"
"${PIN[@]}" "$BIN" "$DATA" "$HERE/trigger_benign.txt" "$extra"
# Gateway throughput with the guards (and the shipped classifier) on vs off.
if [ -x "$BUILD/rampart" ] && command -v wrk >/dev/null && command -v nginx >/dev/null; then
  echo
  bash "$HERE/gateway.sh" "$BUILD" "$HERE/../../data/guards/injection.model"
else
  echo "gateway throughput with guards on vs off: skipped (needs $BUILD/rampart, wrk, nginx)"
fi
