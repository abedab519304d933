#!/usr/bin/env bash
# Runs every libFuzzer target listed in BUILD/fuzzers.txt for SECONDS each,
# starting from its seed corpus (copied, so seeds in git stay as written).
# Nothing is skipped silently: an empty target list, or a target without a
# seed corpus (fuzz/<lib>/<name>_corpus/ with at least one file), fails.
# Usage: scripts/fuzz.sh BUILD_DIR SECONDS
set -euo pipefail
BUILD=${1:-build-asan}
SECONDS_PER=${2:-60}
LIST=$BUILD/fuzzers.txt
[ -f "$LIST" ] || { echo "fuzz: $LIST missing; build with -DRAMPART_FUZZ=ON (make asan)" >&2; exit 2; }
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
status=0
targets=0
failed=()
while IFS=$'\t' read -r bin corpus; do
  [ -n "$bin" ] || continue
  targets=$((targets + 1))
  name=$(basename "$bin")
  if [ ! -d "$corpus" ] || [ -z "$(ls -A "$corpus")" ]; then
    echo "fuzz: $name FAILED: no seed corpus at $corpus (every fuzz target needs one)" >&2
    failed+=("$name")
    status=1
    continue
  fi
  work=$(mktemp -d)
  cp -r "$corpus"/. "$work"/
  echo "fuzz: $name for ${SECONDS_PER}s (seeds: $(ls "$work" | wc -l))"
  if ! "$bin" -max_total_time="$SECONDS_PER" -rss_limit_mb=2048 -timeout=10 \
      -print_final_stats=1 -artifact_prefix="$BUILD/$name-" "$work" >"$BUILD/$name.log" 2>&1; then
    echo "fuzz: $name FAILED; see $BUILD/$name.log" >&2
    tail -40 "$BUILD/$name.log" >&2
    failed+=("$name")
    status=1
  else
    grep -aE "^stat::number_of_executed_units|^stat::peak_rss_mb" "$BUILD/$name.log" | tr '\n' ' ' ||
      echo -n "(no final stats in $BUILD/$name.log)"
    echo
  fi
  rm -rf "$work"
done <"$LIST"
if [ "$targets" -eq 0 ]; then
  echo "fuzz: FAILED: $LIST lists no fuzz target" >&2
  status=1
fi
echo "fuzz: $targets target(s) run"
# The failures again, last, so a log cut to its tail still names them (the
# crashing input is kept as $BUILD/<target>-crash-*).
if [ "${#failed[@]}" -gt 0 ]; then
  echo "fuzz: ${#failed[@]} target(s) FAILED: ${failed[*]}" >&2
  for name in "${failed[@]}"; do
    echo "fuzz: $name: $(grep -aE "^==[0-9]+==ERROR|^SUMMARY|deadly signal|ALARM|out-of-memory" \
      "$BUILD/$name.log" | head -3 | tr '\n' ' ')" >&2
    # The input itself, as base64, so a run seen only through its log can be
    # replayed: base64 -d > crash; $BUILD/<target> crash.
    for art in "$BUILD/$name-"*; do
      [ -f "$art" ] || continue
      echo "fuzz: $art ($(stat -c %s "$art") bytes) base64: $(head -c 3000 "$art" | base64 -w0)" >&2
    done
  done
fi
exit $status
