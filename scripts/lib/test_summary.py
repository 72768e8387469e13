#!/usr/bin/env python3
"""What a failed `swift test` log says in a few lines: failed tests, tests that started and never finished
(the ones running when the process crashed), fatal errors and the first frames of a crashed thread.

    python3 scripts/lib/test_summary.py .build/test-logs/swift-test.log
"""
import re
import sys

STARTED = re.compile(r"Test (.+) started\.$")
FINISHED = re.compile(r"Test (.+?)(?: with \d+ test cases?)? (passed|failed|skipped)\b")
FAILED = re.compile(r"Test (.+?) (failed after|recorded an issue)")


def main(path: str) -> None:
    with open(path, errors="replace") as f:
        lines = [line.rstrip("\n") for line in f]
    running: dict[str, int] = {}
    failed: list[str] = []
    fatal: list[str] = []
    crashed: list[str] = []
    in_crash = 0
    for number, line in enumerate(lines, 1):
        if "Test case " in line or "Test run " in line:
            pass
        elif m := STARTED.search(line):
            running[m.group(1)] = number
        elif m := FINISHED.search(line):
            running.pop(m.group(1), None)
        if (m := FAILED.search(line)) and len(failed) < 20:
            failed.append(line)
        if "Fatal error" in line or "fatal error:" in line or "Precondition failed" in line:
            fatal.append(line)
        if re.search(r"Thread \d+ .*crashed", line) or line.startswith("💣"):
            in_crash = 25
        if in_crash:
            crashed.append(line)
            in_crash -= 1
    print("=== swift test summary ===")
    if fatal:
        print("fatal errors:")
        for line in fatal[:10]:
            print("  " + line)
    if running:
        print("started and never finished (running when the process stopped):")
        for name in sorted(running, key=running.get)[:20]:
            print("  " + name)
    if failed:
        print("failures:")
        for line in failed:
            print("  " + line)
    if crashed:
        print("crashed thread:")
        for line in crashed[:60]:
            print("  " + line)


if __name__ == "__main__":
    main(sys.argv[1])
