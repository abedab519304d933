#!/usr/bin/env bash
# Zones benchmark: connectivity, diff and nftables size, with their baselines.
# Usage: bench/zones/run.sh BUILD_DIR
set -euo pipefail
BUILD=${1:-build}
BIN="$BUILD/bench/zones/zones_bench"
[ -x "$BIN" ] || { echo "zones bench: $BIN missing; build first (make build)" >&2; exit 2; }
# One core, as the targets are stated.
PIN=()
command -v taskset >/dev/null && PIN=(taskset -c 0)
"${PIN[@]}" "$BIN"

# End to end through the CLI (YAML parsing included) on the same generated sets.
RAMPART="$BUILD/rampart"
if [ -x "$RAMPART" ]; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  "$BIN" --write-manifests "$work"
  t0=$(date +%s.%N)
  # CPU seconds (user + sys) beside the wall time: the machine may be shared.
  TIMEFORMAT='%U %S'
  cpu=$({ time "${PIN[@]}" "$RAMPART" zones analyze "$work/a" --format json >"$work/list.json"; } 2>&1)
  cpu=$(awk -v u="${cpu% *}" -v s="${cpu#* }" 'BEGIN{print u+s}')
  t1=$(date +%s.%N)
  set +e
  "${PIN[@]}" "$RAMPART" zones diff "$work/a" "$work/b" >"$work/diff.txt"
  set -e
  t2=$(date +%s.%N)
  echo "CLI end to end (YAML parsing and output included):"
  analyze_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b-a}')
  printf '  rampart zones analyze (10,000 workloads, %s lines of output): %.2f s (cpu %.2f s)   target < 1 s   %s\n' \
    "$(grep -c '"src"' "$work/list.json")" "$analyze_s" "$cpu" \
    "$(awk -v s="$analyze_s" 'BEGIN{print (s < 1 ? "OK" : "MISSED")}')"
  echo "  (yaml-cpp's time on the same text: the 'baseline: yaml-cpp' lines above)"
  printf '  rampart zones diff A B (%s changed connections):                 %.2f s\n' \
    "$(($(wc -l <"$work/diff.txt") - 1))" "$(awk -v a="$t1" -v b="$t2" 'BEGIN{print b-a}')"
fi
