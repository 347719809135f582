"""The command line and timing loop the Python competitors share (sheetjs_check.js has its own).

    SCRIPT FILE [--runs N] [--warmup W]

The file is read into memory once; each run parses it from memory. One JSON object goes to
stdout; on failure a message goes to stderr and the exit code is 1.
"""

import argparse
import json
import sys
import time


def parse_args(description):
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("file", help="the workbook (.xlsx)")
    parser.add_argument("--runs", type=int, default=10, help="timed runs (default 10)")
    parser.add_argument("--warmup", type=int, default=2, help="untimed runs first (default 2)")
    args = parser.parse_args()
    if args.runs < 1 or args.warmup < 0:
        parser.error("--runs must be at least 1 and --warmup at least 0")
    return args


def read_bytes(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError as e:
        fail(f"cannot read {path}: {e}")


def time_runs(work, runs, warmup):
    """Runs `work()` warmup + runs times; returns (times of the timed runs in ns, last result)."""
    result = None
    for _ in range(warmup):
        result = work()
    times = []
    for _ in range(runs):
        start = time.perf_counter_ns()
        result = work()
        times.append(time.perf_counter_ns() - start)
    return times, result


def emit(tool, version, times, sums):
    print(json.dumps({"tool": tool, "version": version, "times_ns": times, **sums}))


def fail(message):
    print(message, file=sys.stderr)
    sys.exit(1)
