"""Big inputs, timed: a 5 MB page, 20,000 headings on one page, 10,000 commits.

The robustness tests (tests/robustness/) check that docgates gives the right findings on
these inputs; how long it takes is measured here, each build paired with a bare build of the
same site, because a timed assertion fails on a slow machine for reasons that are not ours.
The generators live here so that the tests and the bench build the same inputs.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
from functools import partial
from pathlib import Path

from .harness import Task, docgates_plugins, run_pairs, site_in, write_config

BIG_PAGE_BYTES = 5_000_000
HEADINGS = 20_000
COMMITS = 10_000
FRONT = "---\nowner: '@a'\nreviewed: 2026-11-01\n---\n"
# The commits of the history site fall in this window, which its leaderboard ranks.
HISTORY_START = 1_700_000_000  # 2023-11-14
LEADERBOARD_WINDOW = {"since": "2023-11-01", "until": "2023-12-31"}


def big_page(size: int = BIG_PAGE_BYTES) -> str:
    """Prose with a heading every 200 paragraphs, two good links a paragraph, and a broken
    anchor and a missing page every tenth paragraph (one of each per ~1,500 bytes)."""
    rng = random.Random(12)
    words = "the team writes down what it learns so that the next person can find it and act on it".split()
    parts = [FRONT, "# Big\n\n"]
    written, index = 0, 0
    while written < size:
        sentence = " ".join(rng.choice(words) for _ in range(18)).capitalize()
        para = f"{sentence}. See [home](index.md#home) and [this part](#part-{index // 200 * 200}).\n\n"
        if index % 200 == 0:
            para = f"## Part {index}\n\n" + para
        if index % 10 == 0:
            para += "A [broken anchor](#gone) and a [missing page](nowhere.md).\n\n"
        parts.append(para)
        written += len(para)
        index += 1
    return "".join(parts)


def many_headings(count: int = HEADINGS) -> str:
    """``count`` headings with a sentence each, and a link to the last one's anchor."""
    body = "".join(f"## Heading {n}\n\nThe team writes it down.\n\n" for n in range(count))
    return FRONT + "# Headings\n\n" + body + f"[last](#heading-{count - 1})\n"


def history_stream(commits: int = COMMITS, pages: int = 50) -> bytes:
    """A ``git fast-import`` stream of ``commits`` commits on ``main``, each rewriting one of
    ``pages`` pages, by 7 authors, one a minute from HISTORY_START."""
    chunks = []
    for n in range(commits):
        page = f"docs/page{n % pages}.md"
        text = f"---\nowner: '@a'\n---\n# Page {n % pages}\n\nRevision {n}.\n".encode()
        message = f"edit {n}".encode()
        when = HISTORY_START + 60 * n
        chunks.append(
            b"commit refs/heads/main\n"
            + f"mark :{n + 1}\n".encode()
            + f"author Bot {n % 7} <bot@example.com> {when} +0000\n".encode()
            + f"committer Bot <bot@example.com> {when} +0000\n".encode()
            + f"data {len(message)}\n".encode() + message + b"\n"
            + (f"from :{n}\n".encode() if n else b"")
            + f"M 100644 inline {page}\ndata {len(text)}\n".encode() + text + b"\n"
        )
    return b"".join(chunks)


def _git(root: Path, *args: str, stdin: bytes | None = None) -> None:
    env = dict(os.environ, GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1",
               GIT_AUTHOR_NAME="Bench", GIT_AUTHOR_EMAIL="bench@example.com",
               GIT_COMMITTER_NAME="Bench", GIT_COMMITTER_EMAIL="bench@example.com",
               GIT_AUTHOR_DATE="2026-11-01T10:00:00+00:00", GIT_COMMITTER_DATE="2026-11-01T10:00:00+00:00")
    subprocess.run(["git", *args], cwd=root, input=stdin, env=env, check=True, capture_output=True)


def _site(root: Path, pages: dict[str, str], message: str | None = None, window: dict[str, str] | None = None) -> Path:
    """A site, committed with ``message`` when given, and two configurations: bare, and every
    docgates plugin (the leaderboard ranking ``window`` when given). Neither has the search
    plugin: MkDocs' own indexing of a 5 MB page is not what is measured."""
    root.mkdir(parents=True)
    _git(root, "init", "-q", "-b", "main")
    for path, text in pages.items():
        target = root / "docs" / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    if message:
        _git(root, "add", "-A")
        _git(root, "commit", "-qm", message)
    plugins = docgates_plugins()
    if window:
        plugins = [{"docgates/leaderboard": window} if isinstance(p, dict) and "docgates/leaderboard" in p else p for p in plugins]
    for name, chosen in (("bare", []), ("all", plugins)):
        write_config(root, name, chosen, search=False, site_name="Big inputs")
    return root


def make_sites(root: Path, quick: bool = False) -> dict[str, Path]:
    """The three sites, smaller with ``quick`` (1 MB, 4,000 headings, 2,000 commits)."""
    scale = 5 if quick else 1
    sites = {}
    home = {"index.md": FRONT + "# Home\n\nHello.\n"}
    label = f"{BIG_PAGE_BYTES // scale // 1_000_000} MB page"
    sites[label] = _site(root / "big-page", {**home, "big.md": big_page(BIG_PAGE_BYTES // scale)}, "A big page")
    label = f"{HEADINGS // scale:,} headings"
    sites[label] = _site(root / "headings", {**home, "headings.md": many_headings(HEADINGS // scale)}, "Many headings")
    label = f"{COMMITS // scale:,} commits"
    history = _site(root / "history", {}, window=LEADERBOARD_WINDOW)
    _git(history, "fast-import", "--quiet", stdin=history_stream(COMMITS // scale))
    _git(history, "checkout", "-q", "-f", "main")
    sites[label] = history
    return sites


def run_big_inputs(
    root: Path, runs: int, env: dict[str, str], quick: bool = False, log=print, out: Path | None = None
) -> list[Task]:
    """Per input: its bare build (the floor), every docgates plugin on an empty cache and then
    on the cache that leaves, and ``docgates check``, each paired with a bare build of the same
    site, taking turns at going first. Sites are written to ``out`` (else into each input)."""
    py = sys.executable
    rows: list[Task] = []
    for label, site in make_sites(root, quick).items():
        log(f"Big input: {label}")
        dest = site_in(out, site.name)
        floor = Task(f"{label}: bare build", [py, "-m", "mkdocs", "build", "-q", "-f", "bench-bare.yml", "-d", dest], floor=None)
        build = [py, "-m", "mkdocs", "build", "-q", "-f", "bench-all.yml", "-d", dest]
        tasks = [
            Task(f"{label}: all plugins, cold cache", build, before=partial(shutil.rmtree, site / ".cache", ignore_errors=True)),
            Task(f"{label}: all plugins, warm cache", build),
            Task(f"{label}: docgates check", [py, "-m", "docgates", "check", "-f", "bench-all.yml", "--format", "json"]),
        ]
        run_pairs(floor, tasks, runs, site, env, log)
        rows += [floor, *tasks]
    return rows
