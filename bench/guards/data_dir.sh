# Sourced by the bench/guards scripts: sets DATA to the shared injection data
# (../shared/testdata/injection beside the repository, or one level further
# up for a worktree), or exits 2 naming the caller ($1).
# Usage: ROOT=<repository root>; source bench/guards/data_dir.sh NAME
DATA=""
for d in "$ROOT/../shared/testdata/injection" "$ROOT/../../shared/testdata/injection"; do
  [ -f "$d/dev.jsonl" ] && DATA=$d && break
done
[ -n "$DATA" ] || { echo "$1: ../shared/testdata/injection not found" >&2; exit 2; }
