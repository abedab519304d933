#!/usr/bin/env bash
# Runs every test: unit and integration tests of the normal build, unit tests
# of the sanitizer build, and a short smoke run of each fuzz target.
# Usage: scripts/test.sh BUILD_DIR ASAN_BUILD_DIR
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
ASAN_BUILD=${2:-build-asan}
JOBS=${JOBS:-2}
FUZZ_SMOKE_SECONDS=${FUZZ_SMOKE_SECONDS:-15}

eval "$(bash scripts/test-services.sh start)"
# Stop the servers afterwards only if this run started them.
if [ "$RAMPART_TEST_SERVICES_STARTED" = 1 ]; then
  trap 'bash scripts/test-services.sh stop' EXIT
fi

echo "== unit + integration tests ($BUILD)"
ctest --test-dir "$BUILD" -j"$JOBS" --output-on-failure --timeout 600

echo "== unit tests under ASan+UBSan ($ASAN_BUILD)"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
ctest --test-dir "$ASAN_BUILD" -j"$JOBS" -L unit --output-on-failure --timeout 900

echo "== fuzz smoke (${FUZZ_SMOKE_SECONDS}s per target)"
bash scripts/fuzz.sh "$ASAN_BUILD" "$FUZZ_SMOKE_SECONDS"
echo "== all tests passed"
