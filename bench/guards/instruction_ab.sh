#!/usr/bin/env bash
# The planted-instruction detector of the working tree against its version
# at REF (default main), in one process: same verdicts on the tuning and
# evaluation documents and on generated ones, then p50/p99 CPU time for
# 2 KB and 32 KB slices of dev.jsonl, before and after, same run.
# Usage: bench/guards/instruction_ab.sh [REF]   (needs g++ and python3)
set -euo pipefail
REF=${1:-main}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=bench/guards/data_dir.sh
source "$ROOT/bench/guards/data_dir.sh" instruction_ab
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
git -C "$ROOT" show "$REF:src/guards/instruction.cc" >"$work/before.cc" ||
  { echo "instruction_ab: no src/guards/instruction.cc at $REF" >&2; exit 2; }
# The earlier version in its own namespace; its FoldText forwards to this one.
printf '#define rampart rampart_before\n#include "%s/before.cc"\n' "$work" >"$work/before_tu.cc"
cat >"$work/shim.cc" <<'CC'
#include "guards/normalize.h"
namespace rampart_before::guards {
std::string FoldText(std::string_view s) { return rampart::guards::FoldText(s); }
}
CC
python3 - "$DATA/dev.jsonl" "$ROOT" "$work" <<'PY'
import json, sys
dev, root, work = sys.argv[1:]
with open(dev, encoding="utf-8") as f:
    open(f"{work}/corpus.txt", "w", encoding="utf-8").write(
        "".join(json.loads(l)["text"] + " " for l in f))
docs = []
for name in ("data/guards/instruction_docs.jsonl", "bench/guards/indirect.jsonl"):
    with open(f"{root}/{name}", encoding="utf-8") as f:
        docs += [json.loads(l)["text"] for l in f if l.strip()]
open(f"{work}/docs.bin", "wb").write(b"\0".join(d.encode() for d in docs))
PY
FLAGS=(-std=c++23 -O2 -g -DNDEBUG -I"$ROOT/src" -I"$ROOT/tests")
for f in "$work/before_tu.cc" "$work/shim.cc" "$ROOT/src/guards/instruction.cc" \
  "$ROOT/src/guards/normalize.cc" "$ROOT/bench/guards/instruction_ab.cc"; do
  nice g++ "${FLAGS[@]}" -c "$f" -o "$work/$(basename "$f" .cc).o"
done
g++ -o "$work/instruction_ab" "$work"/*.o
PIN=()
command -v taskset >/dev/null && PIN=(taskset -c 0)
"${PIN[@]}" "$work/instruction_ab" "$work/corpus.txt" "$work/docs.bin"
