#!/usr/bin/env bash
# Same scores from two builds of the guards bench: the shipped model's
# classifier scores (with and without its second stage) and the rules'
# verdicts (user and tool roles), exactly, on every record of dev.jsonl,
# every line of bench/guards/trigger_benign.txt and the dev.jsonl slices the
# latency figures use (guards_bench's GUARDS_BENCH_SCORES mode). Exits 1 on
# any difference. For changes to the scoring path that must not change a
# score (normalisation, features, lexicon, rules).
# Usage: bench/guards/scores_ab.sh REF_BENCH_BINARY [BUILD_DIR]
#   REF_BENCH_BINARY  guards_bench built from the reference commit (one that
#                     has the GUARDS_BENCH_SCORES mode)
set -euo pipefail
REF=${1:?usage: scores_ab.sh REF_BENCH_BINARY [BUILD_DIR]}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${2:-$ROOT/build}
# shellcheck source=bench/guards/data_dir.sh
source "$ROOT/bench/guards/data_dir.sh" scores_ab
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for side in ref new; do
  bin=$REF
  [ "$side" = new ] && bin=$BUILD/bench/guards/guards_bench
  GUARDS_BENCH_MODEL="$ROOT/data/guards/injection.model" GUARDS_BENCH_SKIP_BLIND=1 \
    GUARDS_BENCH_SCORES="$work/$side.txt" "$bin" "$DATA" "$ROOT/bench/guards/trigger_benign.txt" \
    >"$work/$side.out"
  [ -s "$work/$side.txt" ] ||
    { echo "scores_ab: $bin wrote no scores (built before GUARDS_BENCH_SCORES?)" >&2; exit 2; }
done
n=$(wc -l <"$work/new.txt")
[ "$n" -gt 0 ] || { echo "scores_ab: no scores written" >&2; exit 2; }
if cmp -s "$work/ref.txt" "$work/new.txt"; then
  echo "scores_ab: $n texts, every score and verdict identical"
  exit 0
fi
echo "scores_ab: scores differ ($(diff "$work/ref.txt" "$work/new.txt" | grep -c '^>') of $n lines):"
diff "$work/ref.txt" "$work/new.txt" | head -20
exit 1
