"""Times ``docgates check --changed-since`` on the benchmark corpus (issue 9's ≤ 3 s target).

    .venv/bin/python -m benchmarks.changed_check [--root DIR] [--pages 2000] [--runs 5]

Reuses (or generates) a corpus from ``benchmarks.corpus`` with three pages changed on top of
the ``bench-base`` tag, then measures, as medians:

- change detection alone (merge base, one ``git diff``, untracked pages), in-process;
- the whole ``docgates check --changed-since bench-base`` with 3 changed pages, as a user runs it;
- the same after also removing the corpus's most linked page in the working tree, so the
  scan for pages linking to it runs and those pages are checked too (restored afterwards).

``measure_changed_check(root, ...)`` returns the figures for the main harness to print.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

CONFIG = "bench-all.yml"
_LINK = re.compile(r"\]\(([^)#\s]+\.md)")


def _env() -> dict[str, str]:
    return dict(os.environ, NO_MKDOCS_2_WARNING="1", DOCGATES_TODAY="2026-11-24")


def prepare(root: Path, pages: int) -> None:
    from . import corpus, harness

    if root.exists():
        return
    corpus.generate(root, corpus.CorpusSpec(pages=pages))
    harness.write_config(root, "all", harness.docgates_plugins())
    harness.change_three_pages(root)


def most_linked_page(docs: Path) -> str:
    counts: Counter[str] = Counter()
    for page in docs.rglob("*.md"):
        for target in _LINK.findall(page.read_text(encoding="utf-8")):
            resolved = (page.parent / target).resolve()
            if resolved.is_file():
                counts[resolved.relative_to(docs.resolve()).as_posix()] += 1
    return counts.most_common(1)[0][0]


def _time_check(root: Path, runs: int) -> tuple[float, float, str]:
    """Median wall time, median CPU time (user + system; steadier on a busy machine) and the
    check's first stderr line (what it decided to check)."""
    argv = [sys.executable, "-m", "docgates", "check", "-f", CONFIG, "--changed-since", "bench-base", "--format", "json"]
    walls, cpus = [], []
    first_line = ""
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=root, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        stderr = proc.stderr.read().decode() if proc.stderr else ""
        _, _, usage = os.wait4(proc.pid, 0)
        walls.append(time.perf_counter() - start)
        cpus.append(usage.ru_utime + usage.ru_stime)
        first_line = stderr.strip().splitlines()[0] if stderr.strip() else ""
    return statistics.median(walls), statistics.median(cpus), first_line


def measure_changed_check(root: Path, runs: int = 5) -> dict[str, float | str]:
    from docgates.cli.changed import compute_changes

    config = str(root / CONFIG)
    detection = []
    for _ in range(runs):
        start = time.perf_counter()
        compute_changes(config, "bench-base")
        detection.append(time.perf_counter() - start)
    figures: dict[str, float | str] = {"change detection (s)": statistics.median(detection)}
    wall, cpu, what = _time_check(root, runs)
    figures.update({"check, 3 changed pages (s)": wall, "check, 3 changed pages, CPU (s)": cpu, "check, 3 changed pages, scope": what})
    docs = root / "docs"
    removed = most_linked_page(docs)
    parked = root / ".removed-page.md"
    shutil.move(docs / removed, parked)
    try:
        wall, cpu, what = _time_check(root, runs)
        figures.update({"check, 3 changed + 1 removed page (s)": wall, "check, with a removal, CPU (s)": cpu, "check, with a removal, scope": what})
    finally:
        shutil.move(parked, docs / removed)
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path("benchmarks/out/changed-corpus"))
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    prepare(args.root, args.pages)
    for name, value in measure_changed_check(args.root, args.runs).items():
        print(f"{name}: {value:.2f}" if isinstance(value, float) else f"{name}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
