#!/usr/bin/env bash
# Trains the shipped injection classifier, data/guards/injection.model
# (docs/formats/guard-model.md): ../shared/testdata/injection/train.jsonl
# (public, licensed: see its README) plus the benign trigger-word prompts of
# data/guards/benign_trigger_train.jsonl (written for Rampart by
# scripts/guards/gen_benign_trigger.py) three times over; threshold at 1 % FPR
# on dev.jsonl.
# Usage: scripts/guards/train_model.sh BUILD_DIR [DATA_DIR]
set -euo pipefail
BUILD=${1:-build}
HERE=$(cd "$(dirname "$0")/../.." && pwd)
DATA=${2:-$HERE/../shared/testdata/injection}
[ -f "$DATA/train.jsonl" ] || { echo "train_model: $DATA/train.jsonl not found" >&2; exit 2; }
EXTRA=$HERE/data/guards/benign_trigger_train.jsonl
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
tmp=$dir/injection-train.jsonl+benign_trigger_train.jsonl-x3.jsonl
cat "$DATA/train.jsonl" "$EXTRA" "$EXTRA" "$EXTRA" >"$tmp"
"$BUILD/rampart" guard train "$tmp" --dev "$DATA/dev.jsonl" --max-fpr 0.01 \
  -o "$HERE/data/guards/injection.model"
