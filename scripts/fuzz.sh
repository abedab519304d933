#!/usr/bin/env bash
# Runs every libFuzzer target listed in BUILD/fuzzers.txt for SECONDS each,
# starting from its seed corpus (copied, so seeds in git stay as written).
# Nothing is skipped silently: an empty target list, or a target without a
# seed corpus (fuzz/<lib>/<name>_corpus/ with at least one file), fails.
# Usage: [FUZZ_JOBS=N] scripts/fuzz.sh BUILD_DIR SECONDS
set -euo pipefail
BUILD=${1:-build-asan}
SECONDS_PER=${2:-60}
LIST=$BUILD/fuzzers.txt
[ -f "$LIST" ] || { echo "fuzz: $LIST missing; build with -DRAMPART_FUZZ=ON (make asan)" >&2; exit 2; }
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
JOBS=${FUZZ_JOBS:-2}
status=0
targets=0
failed=()

# run_one BIN CORPUS: one target from a copy of its seed corpus; its verdict
# goes to $BUILD/<name>.verdict ("ok" or "FAILED") for report below.
run_one() {
  local bin=$1 corpus=$2 name work
  name=$(basename "$bin")
  work=$(mktemp -d)
  cp -r "$corpus"/. "$work"/
  if "$bin" -max_total_time="$SECONDS_PER" -rss_limit_mb=2048 -timeout=10 \
      -print_final_stats=1 -artifact_prefix="$BUILD/$name-" "$work" >"$BUILD/$name.log" 2>&1; then
    echo ok >"$BUILD/$name.verdict"
  else
    echo FAILED >"$BUILD/$name.verdict"
  fi
  rm -rf "$work"
}

# Targets run FUZZ_JOBS at a time (default 2, one per core); each prints its
# result when it ends.
report() {
  local name=$1
  if [ "$(cat "$BUILD/$name.verdict" 2>/dev/null)" = ok ]; then
    echo "fuzz: $name done: $(grep -aE "^stat::number_of_executed_units|^stat::peak_rss_mb" \
      "$BUILD/$name.log" | tr '\n' ' ' || echo "(no final stats in $BUILD/$name.log)")"
  else
    echo "fuzz: $name FAILED; see $BUILD/$name.log" >&2
    tail -40 "$BUILD/$name.log" >&2
    failed+=("$name")
    status=1
  fi
}
running=()
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
  rm -f "$BUILD/$name.verdict"
  echo "fuzz: $name for ${SECONDS_PER}s (seeds: $(ls -A "$corpus" | wc -l))"
  run_one "$bin" "$corpus" &
  running+=("$!:$name")
  if [ "${#running[@]}" -ge "$JOBS" ]; then
    # Wait for the oldest; targets run equally long, so it ends first.
    wait "${running[0]%%:*}" || true
    report "${running[0]#*:}"
    running=("${running[@]:1}")
  fi
done <"$LIST"
for r in "${running[@]}"; do
  wait "${r%%:*}" || true
  report "${r#*:}"
done
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
