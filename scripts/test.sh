#!/usr/bin/env bash
# Runs every test: unit and integration tests of the normal build, unit tests
# of the sanitizer build, and a short smoke run of each fuzz target.
# After each ctest run it prints how many tests were skipped and why
# (scripts/ctest-skips.py). With CI=true or RAMPART_REQUIRE_ALL=1 (.ci/run sets
# CI=true) a test that needs a missing dependency fails (RAMPART_NEEDS in
# tests/testing/testing.h), and any test that still did not run fails the run.
# Usage: scripts/test.sh BUILD_DIR ASAN_BUILD_DIR
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
ASAN_BUILD=${2:-build-asan}
JOBS=${JOBS:-2}
FUZZ_SMOKE_SECONDS=${FUZZ_SMOKE_SECONDS:-10}

eval "$(bash scripts/test-services.sh start)"
# Stop the servers afterwards only if this run started them.
if [ "$RAMPART_TEST_SERVICES_STARTED" = 1 ]; then
  trap 'bash scripts/test-services.sh stop' EXIT
fi

# run_ctest NAME BUILD_DIR CTEST_ARGS...: ctest with a JUnit report, then the
# skip report; fails if ctest failed, found no test, or a test was skipped
# under CI=true / RAMPART_REQUIRE_ALL=1.
run_ctest() {
  local name=$1 dir=$2
  shift 2
  local junit
  junit="$(cd "$dir" && pwd)/ctest-junit.xml"
  rm -f "$junit"
  local rc=0
  ctest --test-dir "$dir" --no-tests=error --output-junit "$junit" \
    --test-output-size-passed 65536 "$@" || rc=$?
  /usr/bin/python3 scripts/ctest-skips.py "$name" "$junit" || rc=1
  return $rc
}

echo "== unit + integration tests ($BUILD)"
run_ctest build "$BUILD" -j"$JOBS" --output-on-failure --timeout 600

echo "== unit tests under ASan+UBSan ($ASAN_BUILD)"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
run_ctest asan "$ASAN_BUILD" -j"$JOBS" -L unit --output-on-failure --timeout 900

echo "== fuzz smoke (${FUZZ_SMOKE_SECONDS}s per target)"
bash scripts/fuzz.sh "$ASAN_BUILD" "$FUZZ_SMOKE_SECONDS"
echo "== all tests passed"
