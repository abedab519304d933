#!/usr/bin/env bash
# Runs every libFuzzer target listed in BUILD/fuzzers.txt for SECONDS each,
# starting from its seed corpus (copied, so seeds in git stay as written).
# Usage: scripts/fuzz.sh BUILD_DIR SECONDS
set -euo pipefail
BUILD=${1:-build-asan}
SECONDS_PER=${2:-60}
LIST=$BUILD/fuzzers.txt
[ -f "$LIST" ] || { echo "fuzz: $LIST missing; build with -DRAMPART_FUZZ=ON (make asan)" >&2; exit 2; }
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
status=0
while IFS=$'\t' read -r bin corpus; do
  [ -n "$bin" ] || continue
  name=$(basename "$bin")
  work=$(mktemp -d)
  [ -d "$corpus" ] && cp -r "$corpus"/. "$work"/ 2>/dev/null || true
  echo "fuzz: $name for ${SECONDS_PER}s (seeds: $(ls "$work" | wc -l))"
  if ! "$bin" -max_total_time="$SECONDS_PER" -rss_limit_mb=2048 -timeout=10 \
      -print_final_stats=1 -artifact_prefix="$BUILD/$name-" "$work" >"$BUILD/$name.log" 2>&1; then
    echo "fuzz: $name FAILED; see $BUILD/$name.log" >&2
    tail -40 "$BUILD/$name.log" >&2
    status=1
  else
    grep -E "^stat::number_of_executed_units|^stat::peak_rss_mb" "$BUILD/$name.log" | tr '\n' ' '
    echo
  fi
  rm -rf "$work"
done <"$LIST"
exit $status
