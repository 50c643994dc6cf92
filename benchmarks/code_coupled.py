"""The git pass with code-coupled freshness, against the docs-only pass it replaces.

When pages declare ``documents``, the run's one ``git log`` reads the whole repository instead
of the docs folder, ``git ls-tree`` lists HEAD's files beside it, and the history is indexed by
code path once. The issue's budget: at most 0.2 s more than the docs-only pass, at 3,000 commits
over 2,000 pages and a code tree of 5,000 files. Both passes run in this process, interleaved,
so they share the machine's noise; the difference of the medians is the figure.
"""

from __future__ import annotations

import datetime as dt
import random
import resource
import statistics
import time
from pathlib import Path

from .corpus import HistoryStream

PAGES = 2000
CODE_FILES = 5000
COMMITS = 3000
SERVICES = 50
START = int(dt.datetime(2023, 11, 1, tzinfo=dt.timezone.utc).timestamp())


def generate(root: Path, pages: int = PAGES, code_files: int = CODE_FILES, commits: int = COMMITS) -> Path:
    """A repository whose commits change 1-3 pages and 1-4 code files each; every tenth page
    documents one service folder (``documents: services/svcN/**``), reviewed mid-history."""
    rng = random.Random(7)
    page_paths = [f"docs/f{i % 8}/page-{i:05d}.md" for i in range(pages)]
    code_paths = [f"services/svc{i % SERVICES}/mod{i // SERVICES:03d}/file{i}.py" for i in range(code_files)]
    history = HistoryStream()
    blob = history.blob

    def page_text(index: int, revision: int) -> str:
        front = "reviewed: 2025-06-01\n"
        if index % 10 == 0:
            front += f"documents: services/svc{index % SERVICES}/**\n"
        return f"---\n{front}---\n# Page {index}\n\nRevision {revision}.\n"

    creation = max(1, commits // 15)
    per_pages, per_code = -(-pages // creation), -(-code_files // creation)
    for n in range(commits):
        changes: list[tuple[str, int]] = []
        if n < creation:
            for i in range(n * per_pages, min((n + 1) * per_pages, pages)):
                changes.append((page_paths[i], blob(page_text(i, 0))))
            for path in code_paths[n * per_code : (n + 1) * per_code]:
                changes.append((path, blob(f"# {path}\nVALUE = 0\n")))
        else:
            for _ in range(rng.randint(1, 3)):
                i = rng.randrange(pages)
                changes.append((page_paths[i], blob(page_text(i, n))))
            for _ in range(rng.randint(1, 4)):
                path = rng.choice(code_paths)
                changes.append((path, blob(f"# {path}\nVALUE = {n}\n")))
        history.commit("A", "a@example.com", START + 9000 * n, f"commit {n}", changes)
    return history.write(root)


def docs_only_pass(root: Path) -> int:
    from docgates.core.git_log import load_history

    return len(load_history(root, paths=["docs"]).commits)


def code_pass(root: Path) -> int:
    """What a build does when pages document code: the front matter look, the whole-repository
    log with HEAD's files, the index, and each declaring page's question."""
    import datetime

    from docgates.core.code_patterns import CodePatterns, docs_declare_documents
    from docgates.core.git_log import load_history
    from docgates.freshness.code import CodeIndex

    assert docs_declare_documents(root / "docs")
    history = load_history(root, head_files=True)
    index = CodeIndex(history)
    behind = 0
    since, latest = datetime.date(2025, 6, 1), datetime.date(2027, 1, 1)
    compiled: dict[str, CodePatterns] = {}  # as the gate does: once per distinct list
    for page in range(0, PAGES, 10):
        pattern = f"services/svc{page % SERVICES}/**"
        patterns = compiled.setdefault(pattern, CodePatterns([pattern]))
        behind += index.behind(patterns, since, latest, "") is not None
        index.missing(pattern)
    return behind


def _cpu_seconds() -> float:
    """CPU of this process and its finished children (git): less moved by other load on a
    shared machine than the wall clock."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def run_code_coupled(tmp: Path, runs: int) -> str:
    root = generate(tmp / "code-coupled")
    code_pass(root)  # imports and the first read of the pack files, outside the clock
    wall: dict[object, list[float]] = {docs_only_pass: [], code_pass: []}
    cpu: dict[object, list[float]] = {docs_only_pass: [], code_pass: []}
    rounds = max(3, runs * 2)
    for round_ in range(rounds):
        # Alternate which goes first, so neither always meets a warmer cache.
        order = (docs_only_pass, code_pass) if round_ % 2 == 0 else (code_pass, docs_only_pass)
        for measure in order:
            started, cpu_started = time.perf_counter(), _cpu_seconds()
            measure(root)
            wall[measure].append(time.perf_counter() - started)
            cpu[measure].append(_cpu_seconds() - cpu_started)
    rows = []
    for name, measure in (
        ("docs folder only (no page declares documents)", docs_only_pass),
        (f"whole repository + HEAD's files + index + {PAGES // 10} pages asked", code_pass),
    ):
        rows.append(f"| {name} | {statistics.median(wall[measure]):.3f} | {statistics.median(cpu[measure]):.3f} |")
    extra_wall = statistics.median(wall[code_pass]) - statistics.median(wall[docs_only_pass])
    extra_cpu = statistics.median(cpu[code_pass]) - statistics.median(cpu[docs_only_pass])
    return (
        f"### Git pass with code-coupled freshness: {PAGES} pages, {CODE_FILES} code files, "
        f"{COMMITS} commits, {rounds} interleaved rounds (medians)\n\n"
        "| pass | wall s | CPU s (with git) |\n|---|---:|---:|\n" + "\n".join(rows) + "\n"
        f"\n- extra: {extra_wall:+.3f} s wall, {extra_cpu:+.3f} s CPU (budget: +0.2 s)\n"
    )


if __name__ == "__main__":
    import sys
    import tempfile

    # python -m benchmarks.code_coupled [rounds]
    with tempfile.TemporaryDirectory(prefix="docgates-bench-") as folder:
        print(run_code_coupled(Path(folder), int(sys.argv[1]) if len(sys.argv) > 1 else 4))
