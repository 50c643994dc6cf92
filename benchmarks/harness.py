"""Runs builds and checks on one corpus, interleaved, and reports medians and ratios.

The machines are shared and noisy, so every figure that matters is a ratio between two
measurements taken in the same round, never an absolute time compared across runs.
"""

from __future__ import annotations

import itertools
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import yaml

PLUGINS = ("freshness", "ownership", "readability", "checklist", "links", "leaderboard", "quality")
THEME = {
    "name": "material",
    "font": False,
    "features": ["navigation.prune", "navigation.indexes", "navigation.top", "search.highlight"],
}
MARKDOWN = ["toc", "admonition", "attr_list", "md_in_html", "tables", "pymdownx.superfences"]
# The two headline runs, named so a partial bench (--only) can tell whether a cold run warms the cache.
COLD = "all plugins, cold cache"
WARM = "all plugins, warm cache"
AGAIN = "floor again (the harness's own noise)"


@dataclass
class Task:
    name: str
    argv: list[str]
    before: "callable | None" = None
    floor: str | None = "floor"
    times: list[float] = field(default_factory=list)
    memory_kb: list[int] = field(default_factory=list)
    # CPU seconds (user + system) of the build and the processes it waited for.
    cpu: list[float] = field(default_factory=list)
    codes: set[int] = field(default_factory=set)
    # The floor run made right before each of this task's runs (A B A B ...).
    floor_times: list[float] = field(default_factory=list)
    floor_memory_kb: list[int] = field(default_factory=list)
    floor_cpu: list[float] = field(default_factory=list)


def write_config(root: Path, name: str, plugins: list, search: bool = True, **extra) -> str:
    config = {
        "site_name": "Benchmark",
        "site_url": "http://127.0.0.1/",
        "docs_dir": "docs",
        "theme": THEME,
        "markdown_extensions": MARKDOWN,
        "plugins": ["search", *plugins] if search else list(plugins),
        **extra,
    }
    path = root / f"bench-{name}.yml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path.name


def docgates_plugins(only: str | None = None) -> list:
    names = PLUGINS if only is None else (only,)
    result = []
    for name in names:
        if name == "ownership":
            result.append({"docgates/ownership": {}})
        elif name == "leaderboard":
            result.append({"docgates/leaderboard": {"since": "2026-10-01", "until": "2026-10-31"}})
        else:
            result.append(f"docgates/{name}")
    return result


def measure(argv: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, int, int, float]:
    """Wall time, peak memory (KiB) of the child and everything it started, exit code, and
    CPU time (user + system, the child's and its reaped helpers'). CPU time leaves out time
    spent waiting for a busy core; on the shared 2-core machines measured so far it tracked
    the wall time within ~1 %, so the noise there is in how fast a core runs, not in waiting.

    The kernel's peak RSS (``wait4``) is the largest single process, so a helper process
    (git, a worker) would hide its memory; the process tree's summed RSS, sampled every
    20 ms, counts it. The figure is the larger of the two.
    """
    # A build writes ~260 MB of HTML (the navigation is in every page), which the kernel flushes
    # to disk up to 30 s later: without this, one run's writeback lands in the next run's time.
    os.sync()
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    tree_peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.02):
            tree_peak[0] = max(tree_peak[0], _tree_rss_kb(proc.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    done.set()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    return elapsed, max(usage.ru_maxrss, tree_peak[0]), proc.returncode, usage.ru_utime + usage.ru_stime


def _tree_rss_kb(pid: int) -> int:
    """Summed resident memory of a process and its descendants (0 once it is gone).

    A child whose command line is still its parent's has been forked but has not yet run its
    program: until then it runs in its parent's memory (vfork) or shares it page for page, so
    its resident figure is the parent's again. Counting it once showed a 2,000-page build at
    210 MiB for the instant git was being started; it is left out.
    """
    total, stack = 0, [(pid, None)]
    while stack:
        current, parent_cmdline = stack.pop()
        try:
            with open(f"/proc/{current}/cmdline", "rb") as handle:
                cmdline = handle.read()
            if cmdline != parent_cmdline:
                with open(f"/proc/{current}/status", encoding="ascii", errors="replace") as handle:
                    for line in handle:
                        if line.startswith("VmRSS:"):
                            total += int(line.split()[1])
                            break
            with open(f"/proc/{current}/task/{current}/children", encoding="ascii") as handle:
                stack.extend((int(child), cmdline) for child in handle.read().split())
        except (OSError, ValueError):
            continue
    return total


def build_tasks(root: Path, with_peers: bool, out: Path | None = None) -> list[Task]:
    """The runs, in order, the floor first. Sites are written to ``out`` (see ``output_folder``),
    or into the corpus when it is None."""
    py = sys.executable
    mkdocs = [py, "-m", "mkdocs", "build", "-q"]
    docgates = [py, "-m", "docgates"]
    cache = root / ".cache"

    def clear_cache() -> None:
        shutil.rmtree(cache, ignore_errors=True)

    tasks = [
        Task("floor", mkdocs + ["-f", write_config(root, "floor", []), "-d", site_in(out, "site-floor")], floor=None),
        # The bare build against itself: how far apart two identical builds come out here.
        Task(AGAIN, mkdocs + ["-f", "bench-floor.yml", "-d", site_in(out, "site-floor-again")]),
        Task(COLD, mkdocs + ["-f", write_config(root, "all", docgates_plugins()), "-d", site_in(out, "site-all")], before=clear_cache),
        Task(WARM, mkdocs + ["-f", "bench-all.yml", "-d", site_in(out, "site-all")]),
    ]
    for name in PLUGINS:
        tasks.append(Task(f"{name} alone", mkdocs + ["-f", write_config(root, name, docgates_plugins(name)), "-d", site_in(out, f"site-{name}")], before=clear_cache))
    if with_peers:
        tasks.append(Task("peer: git-revision-date-localized", mkdocs + ["-f", write_config(root, "peer-gitdate", [{"git-revision-date-localized": {"enable_creation_date": False}}]), "-d", site_in(out, "site-peer-gitdate")]))
        tasks.append(Task("peer: htmlproofer (no external)", mkdocs + ["-f", write_config(root, "peer-htmlproofer", [{"htmlproofer": {"validate_external_urls": False, "raise_error": False}}]), "-d", site_in(out, "site-peer-htmlproofer")]))
    tasks.append(Task("docgates check (full)", docgates + ["check", "-f", "bench-all.yml", "--format", "json"], floor="floor"))
    changed_check = docgates + ["check", "-f", "bench-all.yml", "--changed-since", "bench-base", "--format", "json"]
    tasks.append(Task("docgates check --changed-since (3 pages)", changed_check, floor="floor"))
    # As a writer runs it: the three pages edited again since the last build, so their scores
    # and link scans are not in the cache. Last of a round: the next round's builds score them.
    tasks.append(Task("docgates check --changed-since (3 pages, edited since the build)", changed_check, before=partial(edit_three_pages, root, itertools.count(1))))
    return tasks


def change_three_pages(root: Path) -> None:
    """Tag the corpus as ``bench-base`` and commit a change to three pages on top."""
    env = dict(os.environ, GIT_AUTHOR_DATE="2026-11-02T10:00:00+00:00", GIT_COMMITTER_DATE="2026-11-02T10:00:00+00:00",
               GIT_AUTHOR_NAME="Bench", GIT_AUTHOR_EMAIL="bench@example.com", GIT_COMMITTER_NAME="Bench", GIT_COMMITTER_EMAIL="bench@example.com")
    subprocess.run(["git", "tag", "-f", "bench-base"], cwd=root, check=True, capture_output=True)
    pages = sorted((root / "docs").rglob("page-*.md"))[:3]
    for page in pages:
        with page.open("a", encoding="utf-8") as handle:
            handle.write("\nA new paragraph written during the benchmark.\n")
    subprocess.run(["git", "commit", "-qam", "Change three pages"], cwd=root, env=env, check=True)


def edit_three_pages(root: Path, edits: Iterator[int]) -> None:
    """Append a new sentence to the pages ``change_three_pages`` changed, not committed."""
    number = next(edits)
    for page in sorted((root / "docs").rglob("page-*.md"))[:3]:
        with page.open("a", encoding="utf-8") as handle:
            handle.write(f"\nEdit number {number} of this page, made after the last build.\n")


def git_pass_seconds(root: Path, repeats: int = 3) -> float:
    from docgates.core.git_log import load_history

    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        load_history(root)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def select(tasks: list[Task], only: list[str]) -> list[Task]:
    """The floor and the tasks whose names contain one of ``only`` (e.g. ``warm``), to measure
    a few rows with more rounds. Raises ``ValueError`` for a word that names no task."""
    for word in only:
        if not any(word in task.name for task in tasks[1:]):
            names = ", ".join(task.name for task in tasks[1:])
            raise ValueError(f"--only {word!r} names no run; the runs are: {names}")
    return [tasks[0]] + [task for task in tasks[1:] if any(word in task.name for word in only)]


def site_dir(argv: list[str]) -> str | None:
    """Where a build writes (its ``-d``), or None for a command that writes no site."""
    return argv[argv.index("-d") + 1] if "-d" in argv else None


def site_in(out: Path | None, name: str) -> str:
    """A build's ``-d``: folder ``name`` in ``out`` (see ``output_folder``), or in the build's
    own folder when ``out`` is None."""
    return str(out / name) if out else name


def clear_site(cwd: Path, argv: list[str]) -> None:
    """Remove what the last build wrote where this one writes, before the clock starts, so
    every timed build starts from no output folder. Otherwise MkDocs deletes the last site
    inside the timed build, and on ext4 creating ~6,000 files and folders right after
    deleting as many makes the inode allocator walk past every inode freed seconds before
    (``recently_deleted`` in a kernel profile: ~10 % of a bare 2,000-page build, and more the
    more recent the deletion, so it depended on what ran just before)."""
    dest = site_dir(argv)
    if dest is not None:
        shutil.rmtree(Path(cwd) / dest, ignore_errors=True)


@contextmanager
def output_folder(min_free: int = 2 << 30) -> Iterator[Path]:
    """Where the timed builds write: a scratch folder in memory (/dev/shm) when the machine
    has one, else the system's temporary folder; removed afterwards. Both builds of a pair
    write the same files there but for docgates' few, so the floor loses only the disk's
    part of its time: a ratio over it is the larger, stricter one. On ext4 that part was
    1-3.4 s of system time in a ~20 s bare build, growing over a bench session as deleted
    inodes piled up (see ``clear_site``); in memory, 0.3-0.6 s. A /dev/shm with less than
    ``min_free`` bytes free (a container's is 64 MB by default; one site is ~260 MB) is not
    used."""
    shm = Path("/dev/shm")
    usable = shm.is_dir() and os.access(shm, os.W_OK) and shutil.disk_usage(shm).free >= min_free
    parent = shm if usable else None
    with tempfile.TemporaryDirectory(prefix="docgates-bench-sites-", dir=parent) as folder:
        yield Path(folder)


def floor_argv(floor: Task, task: Task) -> list[str]:
    """The floor's build, writing where the task's build writes. Where a build writes moves its
    time: the same bare build, 200 pages, into two folders of one disk came out 0.89-0.94x
    against each other over 8 pairs, always the same folder ahead (the same folder against
    itself: 0.98-1.04x), which is more than the margins measured here. So both halves of a pair
    write to one folder; a task that writes no site (a check) pairs with the floor's own."""
    dest = site_dir(task.argv)
    if dest is None or "-d" not in floor.argv:
        return floor.argv
    argv = list(floor.argv)
    argv[argv.index("-d") + 1] = dest
    return argv


def pair_order(round_no: int) -> tuple[str, str]:
    """Which build of a pair runs first: the floor in odd rounds, the task in even ones. The
    machine's speed drifts within a pair too (a neighbour starts, the caches warm up), and so
    the second build of a pair is not always the one that pays for it."""
    return ("floor", "task") if round_no % 2 else ("task", "floor")


def compile_docgates() -> Path:
    """Byte-compile docgates' own modules before anything is timed. The bench venv installs
    docgates editable, and pip writes bytecode only for what it installs into site-packages
    (MkDocs, Material, the peers); with PYTHONDONTWRITEBYTECODE set, as on these machines,
    every docgates build would compile ~60 modules from source (~0.1 s) while the floor loads
    bytecode. An installed docgates, like the floor, has its bytecode."""
    import compileall
    import docgates

    package = Path(docgates.__file__).resolve().parent
    compileall.compile_dir(package, quiet=1)
    return package


def bench_env() -> dict[str, str]:
    """The environment of every timed run; docgates is byte-compiled first (see compile_docgates)."""
    compile_docgates()
    return dict(os.environ, NO_MKDOCS_2_WARNING="1", DOCGATES_TODAY="2026-11-24")


def run_pairs(floor: Task, tasks: list[Task], runs: int, cwd: Path, env: dict[str, str], log=print) -> None:
    """Each task's runs, each paired with a floor run right before or after it (taking turns):
    on a shared, noisy machine only the ratio within a pair means anything. What a task needs
    first (an empty or a warm cache) is done before the pair, so between its two builds there
    is only the untimed removal of the last site (``clear_site``); the floor's build does not
    touch docgates' cache."""

    def timed(task: Task, round_no: int, argv: list[str]) -> tuple[float, int, float]:
        clear_site(cwd, argv)
        elapsed, rss, code, cpu = measure(argv, cwd, env)
        task.times.append(elapsed)
        task.memory_kb.append(rss)
        task.cpu.append(cpu)
        task.codes.add(code)
        log(f"  round {round_no}/{runs}: {task.name}: {elapsed:.2f} s, {rss / 1024:.0f} MiB, {cpu:.2f} s CPU, exit {code}")
        return elapsed, rss, cpu

    for round_no in range(1, runs + 1):
        for task in tasks:
            if task.before:
                task.before()
            for first in pair_order(round_no):
                if first == "floor":
                    floor_time, floor_rss, floor_cpu = timed(floor, round_no, floor_argv(floor, task))
                    task.floor_times.append(floor_time)
                    task.floor_memory_kb.append(floor_rss)
                    task.floor_cpu.append(floor_cpu)
                else:
                    timed(task, round_no, task.argv)
            # In memory, a dozen 260 MB sites left until the end would be 3 GB of RAM.
            clear_site(cwd, task.argv)


def run(
    root: Path, runs: int, with_peers: bool, log=print, only: list[str] | None = None, out: Path | None = None
) -> tuple[list[Task], dict[str, float | None]]:
    env = bench_env()
    tasks = build_tasks(root, with_peers, out)
    if only:
        tasks = select(tasks, only)
        if any(t.name == WARM for t in tasks) and not any(t.name == COLD for t in tasks):
            # The warm build needs the cache a cold build leaves behind, and the other runs
            # clear it: an untimed build fills it before each warm pair, as the cold run does
            # in the whole bench.
            warm = next(t for t in tasks if t.name == WARM)

            def prime(argv: list[str] = warm.argv) -> None:
                measure(argv, root, env)

            warm.before = prime
    run_pairs(tasks[0], tasks[1:], runs, root, env, log)
    if only:
        return tasks, {}
    extras: dict[str, float | None] = {"git pass (s)": git_pass_seconds(root)}
    # Each pair's site is removed after it (and its last build may have been the floor's, as
    # pairs share their folder): LinkChecker crawls a fresh docgates build.
    warm = next(t for t in tasks if t.name == WARM)
    measure(warm.argv, root, env)
    # Without [AnchorCheck]: LinkChecker refetches a page for every distinct #anchor URL (12,000
    # requests instead of 2,000 here), and the in-build check already verifies anchors exactly.
    linkcheck = [sys.executable, "-m", "docgates", "linkcheck", "--no-anchors", site_dir(warm.argv)]
    elapsed, _, code, _ = measure(linkcheck, root, env)
    extras["docgates linkcheck (s)"] = elapsed
    extras["docgates linkcheck exit"] = code
    return tasks, extras


def table(tasks: list[Task], extras: dict[str, float | None], header: str) -> str:
    lines = [
        header, "",
        "| run | median s | × floor | pairs × floor | 95 % interval | CPU × floor | peak MiB | mem × floor | exit codes |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for task in tasks:
        median = statistics.median(task.times)
        mem = statistics.median(task.memory_kb) / 1024
        paired = bool(task.floor and task.floor_times)
        pairs = pair_ratios(task.times, task.floor_times) if paired else []
        ratio = statistics.median(pairs) if pairs else None
        mem_ratio = mem / (statistics.median(task.floor_memory_kb) / 1024) if paired else None
        spread = f"{min(pairs):.2f}–{max(pairs):.2f}" if pairs else ""
        interval = median_interval(pairs)
        bounds = f"{interval[0]:.2f}–{interval[1]:.2f}" if interval else ""
        cpu_pairs = pair_ratios(task.cpu, task.floor_cpu) if paired else []
        cpu = f"{statistics.median(cpu_pairs):.2f}" if cpu_pairs else ""
        lines.append(
            f"| {task.name} | {median:.2f} | {'' if ratio is None else f'{ratio:.2f}'} | {spread} | {bounds} | {cpu} | {mem:.0f} | "
            f"{'' if mem_ratio is None else f'{mem_ratio:.2f}'} | {','.join(map(str, sorted(task.codes)))} |"
        )
    lines.append("")
    for key, value in extras.items():
        lines.append(f"- {key}: {'n/a' if value is None else (f'{value:.2f}' if isinstance(value, float) else value)}")
    return "\n".join(lines) + "\n"


def pair_ratios(values: list[float], floor_values: list[float]) -> list[float]:
    """Each run over the floor run made right before it: each pair ran back to back, so most
    noise cancels (the table shows their median and range)."""
    return [a / b for a, b in zip(values, floor_values)]


def median_interval(values: list[float], level: float = 0.95) -> tuple[float, float] | None:
    """Where the median pair ratio lies, at ``level`` confidence, whatever the noise's shape:
    between the k-th smallest and the k-th largest pair, for the largest k whose chance of
    leaving the median outside (both tails of Binomial(n, 1/2)) is at most 1 - level. None
    when there are too few pairs for it (fewer than 6 at 95 %: with 5, min to max is 94 %).

    A single pair on these machines moves by up to ±10 % (the bare build against itself), so
    a target such as 1.10x is met when this interval's top is under it, not the median alone."""
    n = len(values)
    ordered = sorted(values)
    k, outside = 0, 0.0
    while k < n // 2:
        # The chance that the median is below the (k+1)-th smallest value, counted both sides.
        tails = 2 * (outside + math.comb(n, k) / 2**n)
        if tails > 1 - level:
            break
        outside += math.comb(n, k) / 2**n
        k += 1
    if k == 0:
        return None
    return ordered[k - 1], ordered[n - k]
