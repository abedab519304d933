#!/usr/bin/env bash
# Trains the shipped injection classifier, data/guards/injection.model
# (docs/formats/guard-model.md): ../shared/testdata/injection/train.jsonl
# (public, licensed: see its README) plus, once each, the benign trigger-word
# prompts of data/guards/benign_trigger_train.jsonl and the documents and
# role-play frames of data/guards/documents_train.jsonl (both written for
# Rampart by scripts/guards/gen_benign_trigger.py and gen_train_documents.py);
# the n-gram model and its second stage (intent features over out-of-fold
# n-gram logits, 4 folds; the generated rows' "group" keeps each kind, and
# each family of role-play prompts, in one fold), combined by veto: a text is
# flagged only when both the n-gram model and the second stage flag it, each
# at its own threshold at 1 % FPR on dev.jsonl; a bare persona frame (no lift,
# harm or override phrase) needs its n-gram logit 3 logits over the n-gram
# threshold as well (--stage2-frame-margin), and so does a text whose lift and
# override phrases are all a fiction's (within 6 words of a fiction_scope
# phrase, no model_scope or harm phrase: --stage2-fiction-scope). To see how the recipe does on training rows it did not see,
# add e.g. `--cv 4 --cv-out cv.jsonl` (grouped cross-validation).
# Usage: scripts/guards/train_model.sh BUILD_DIR [DATA_DIR]
set -euo pipefail
BUILD=${1:-build}
HERE=$(cd "$(dirname "$0")/../.." && pwd)
DATA=${2:-$HERE/../shared/testdata/injection}
[ -f "$DATA/train.jsonl" ] || { echo "train_model: $DATA/train.jsonl not found" >&2; exit 2; }
EXTRA=$HERE/data/guards/benign_trigger_train.jsonl
DOCS=$HERE/data/guards/documents_train.jsonl
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
tmp=$dir/injection-train.jsonl+benign_trigger_train.jsonl+documents_train.jsonl
cat "$DATA/train.jsonl" "$EXTRA" "$DOCS" >"$tmp"
"$BUILD/rampart" guard train "$tmp" --dev "$DATA/dev.jsonl" --max-fpr 0.01 --folds 4 \
  --stage2-veto --stage2-frame-margin 3 --stage2-fiction-scope 6 -o "$HERE/data/guards/injection.model"
