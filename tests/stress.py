"""Run the whole suite several times beside CPU-bound processes, as on a shared CI machine.

``make test-stress`` (``STRESS_RUNS=5`` by default). Use it after touching a test that starts
servers, processes, threads or crawls, or anything that waits: a test that passes on an idle
machine and fails beside a second build blocks everyone's landings.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time


def main() -> int:
    parser = argparse.ArgumentParser(prog="python tests/stress.py", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="full suite runs (default: 5)")
    parser.add_argument("--hogs", type=int, default=2, help="CPU-bound processes beside it (default: 2)")
    parser.add_argument("pytest_args", nargs="*", help="passed to pytest (default: -n 2)")
    args = parser.parse_args()
    hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(args.hogs)]
    failed = []
    try:
        for run in range(1, args.runs + 1):
            started = time.monotonic()
            code = subprocess.call([sys.executable, "-m", "pytest", "-q", *(args.pytest_args or ["-n", "2"])])
            print(f"stress run {run}/{args.runs}: exit {code} in {time.monotonic() - started:.0f} s, {args.hogs} CPU hogs beside it", flush=True)
            if code != 0:
                failed.append(run)
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait()
    print(f"{args.runs - len(failed)} passed, {len(failed)} failed" + (f" (runs {failed})" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
