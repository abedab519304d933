#!/usr/bin/python3
"""Reports the CTest cases that did not run, and why, from ctest's JUnit file.

Usage: ctest-skips.py NAME JUNIT.xml
  NAME       one word naming the run in the output ("build", "asan")
  JUNIT.xml  written by `ctest --output-junit`

Prints one line per reason a test was skipped (the message a GoogleTest skip
printed, such as "needs PostgreSQL: RAMPART_TEST_PG_URL is not set") with the
tests it skipped, then a closing line "NAME: P passed, F failed, S skipped".
A disabled test (DISABLED_ prefix, CTest DISABLED) counts as skipped.

Exit 0; 1 when a test was skipped and CI=true or RAMPART_REQUIRE_ALL=1 (every
dependency must be present there, see RAMPART_NEEDS in tests/testing/testing.h);
2 when the file is missing or unreadable.
"""
import os
import sys
import xml.etree.ElementTree as ET

MAX_NAMES = 8  # tests listed per reason; the rest are counted


def require_all():
    return os.environ.get("CI") == "true" or os.environ.get("RAMPART_REQUIRE_ALL") == "1"


def skip_reason(output):
    """The message of a GoogleTest skip: the lines after 'file:line: Skipped'."""
    lines = output.splitlines()
    for i, line in enumerate(lines):
        if line.rstrip().endswith(": Skipped"):
            reason = []
            for more in lines[i + 1:]:
                if not more.strip() or more.startswith("["):
                    break
                reason.append(more.strip())
            return " ".join(reason) or "(GTEST_SKIP without a message)"
    return "(no GoogleTest skip message; see the test's output)"


def main(argv):
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    name, path = argv[1], argv[2]
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as e:
        print(f"{name}: cannot read the ctest JUnit report {path}: {e}", file=sys.stderr)
        return 2
    passed = failed = 0
    skipped = {}  # reason -> [test names]
    for case in root.iter("testcase"):
        status = case.get("status", "")
        test = case.get("name", "?").split("  #")[0]  # without "  # GetParam() = ..."
        out = case.findtext("system-out") or ""
        if status == "run":
            passed += 1
        elif status == "disabled":
            skipped.setdefault("disabled (DISABLED_ prefix or CTest DISABLED)", []).append(test)
        elif status == "notrun" and case.find("skipped") is not None:
            skipped.setdefault(skip_reason(out), []).append(test)
        else:  # fail, or notrun without a skip (a missing executable): ctest fails the run
            failed += 1
    count = sum(len(v) for v in skipped.values())
    if count:
        print(f"{name}: {count} test(s) did not run:")
        for reason, tests in sorted(skipped.items(), key=lambda kv: (-len(kv[1]), kv[0])):
            print(f"  {len(tests)} x {reason}")
            for test in tests[:MAX_NAMES]:
                print(f"      {test}")
            if len(tests) > MAX_NAMES:
                print(f"      and {len(tests) - MAX_NAMES} more")
    print(f"{name}: {passed} passed, {failed} failed, {count} skipped")
    if count and require_all():
        print(f"{name}: FAILED: {count} test(s) skipped under CI=true or RAMPART_REQUIRE_ALL=1, "
              "where every dependency must be present (scripts/install-deps.sh, "
              "scripts/test-services.sh, ../shared, root)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
