"""A deterministic benchmark corpus: pages, CODEOWNERS and a git history, from a seed.

The history is written with one ``git fast-import`` stream, so 3,000 commits take seconds.
"""

from __future__ import annotations

import datetime as dt
import random
import subprocess
from dataclasses import dataclass
from pathlib import Path

WORDS = (
    "team service deploy review change owner page docs incident alert metric queue cache "
    "request response latency budget error retry timeout config release branch build test "
    "runbook decision context learning shared model system feedback loop habit practice "
    "write read check update migrate rollback schedule capacity database index replica "
    "customer support handover onboarding mentor pairing talk notes summary action item"
).split()
FOLDERS = ("guides", "runbooks", "decisions", "services", "teams", "postmortems", "howto", "reference")
TEAMS = ("@platform-team", "@sre-team", "@payments", "@search", "@data", "@mobile", "@web", "@infra")
AUTHORS = [(f"Author {i:02d}", f"author{i:02d}@example.com") for i in range(20)]
START = dt.datetime(2023, 11, 1, 9, 0, tzinfo=dt.timezone.utc)
END = dt.datetime(2026, 11, 1, 17, 0, tzinfo=dt.timezone.utc)


@dataclass
class CorpusSpec:
    pages: int = 2000
    commits: int = 3000
    seed: int = 42
    words_per_page: int = 600


def page_path(index: int) -> str:
    return f"{FOLDERS[index % len(FOLDERS)]}/page-{index:05d}.md"


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(7, 18))]
    return " ".join(words).capitalize() + "."


def _paragraph(rng: random.Random, words: int) -> str:
    out: list[str] = []
    count = 0
    while count < words:
        sentence = _sentence(rng)
        out.append(sentence)
        count += len(sentence.split())
    return " ".join(out)


def render_page(index: int, spec: CorpusSpec, revision: int) -> str:
    """Page ``index`` at a given revision (later revisions change one paragraph)."""
    rng = random.Random(spec.seed * 1_000_003 + index)
    reviewed = dt.date(2026, 1, 1) + dt.timedelta(days=rng.randint(0, 320))
    owner = TEAMS[index % len(TEAMS)]
    lines = ["---"]
    if index % 17:  # some pages rely on CODEOWNERS
        lines.append(f'owner: "{owner}"')
    if index % 5:  # others fall back to git dates
        lines.append(f"reviewed: {reviewed.isoformat()}")
    lines += ["---", "", f"# Page {index}", ""]
    per_section = spec.words_per_page // 4
    for section in range(4):
        lines += [f"## Section {section} of page {index}", ""]
        text = _paragraph(rng, per_section)
        if section == 0 and revision:
            text = f"Revision {revision}. " + text
        target = rng.randrange(spec.pages)
        rel = "../" + page_path(target)
        anchor = f"section-{rng.randrange(4)}-of-page-{target}"
        lines += [text + f" See [page {target}]({rel}#{anchor}).", ""]
        if section == 1:
            lines += ["```python", "def handler(event):", "    return event['id']", "```", ""]
        if section == 2:
            lines += ["| key | value |", "|---|---|", "| owner | team |", "| tier | 2 |", ""]
    if index % 97 == 0:  # a few broken links, as real sites have
        lines += ["See the [missing page](../nowhere/missing.md) and [bad anchor](#no-such).", ""]
    return "\n".join(lines) + "\n"


def codeowners() -> str:
    rows = ["# Benchmark CODEOWNERS", "* @platform-team"]
    rows += [f"/docs/{folder}/ {TEAMS[i % len(TEAMS)]}" for i, folder in enumerate(FOLDERS)]
    return "\n".join(rows) + "\n"


class HistoryStream:
    """A git history written as one ``git fast-import`` stream: blobs and commits on ``main``,
    added in order, then written into a new repository in one go."""

    def __init__(self) -> None:
        self._stream: list[bytes] = []
        self._mark = 0

    def blob(self, text: str) -> int:
        """Add a file's content; returns the mark a commit names it by."""
        self._mark += 1
        raw = text.encode()
        self._stream.append(b"blob\nmark :%d\ndata %d\n%s\n" % (self._mark, len(raw), raw))
        return self._mark

    def commit(self, name: str, email: str, stamp: int, message: str, changes: list[tuple[str, int]]) -> None:
        """A commit by ``name`` at ``stamp`` (Unix seconds, UTC) setting each path to a blob."""
        msg = message.encode()
        self._stream.append(
            b"commit refs/heads/main\n"
            + f"author {name} <{email}> {stamp} +0000\ncommitter {name} <{email}> {stamp} +0000\n".encode()
            + b"data %d\n%s\n" % (len(msg), msg)
            + b"".join(b"M 100644 :%d %s\n" % (m, p.encode()) for p, m in changes)
            + b"\n"
        )

    def write(self, root: Path) -> Path:
        """A new repository at ``root`` (created; must not exist) holding the history, checked out."""
        root.mkdir(parents=True)
        subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True)
        subprocess.run(["git", "fast-import", "--quiet"], cwd=root, input=b"".join(self._stream), check=True)
        subprocess.run(["git", "checkout", "-q", "-f", "main"], cwd=root, check=True)
        return root


def generate(root: Path, spec: CorpusSpec) -> Path:
    """Write a git repository with the corpus at ``root`` (created; must not exist)."""
    rng = random.Random(spec.seed)
    revisions = [0] * spec.pages
    span = (END - START).total_seconds()
    creation_commits = max(1, min(spec.commits // 10, spec.pages))
    per_creation = -(-spec.pages // creation_commits)
    history = HistoryStream()
    blob = history.blob

    for n in range(spec.commits):
        when = START + dt.timedelta(seconds=span * n / max(1, spec.commits - 1))
        name, email = AUTHORS[rng.randrange(len(AUTHORS))]
        changes: list[tuple[str, int]] = []
        if n < creation_commits:
            first = n * per_creation
            for index in range(first, min(first + per_creation, spec.pages)):
                changes.append((f"docs/{page_path(index)}", blob(render_page(index, spec, 0))))
            if n == 0:
                changes.append(("CODEOWNERS", blob(codeowners())))
                changes.append(("docs/index.md", blob("---\nowner: \"@platform-team\"\nreviewed: 2026-10-01\n---\n# Benchmark corpus\n\nGenerated pages.\n")))
            message = f"Add pages {first}-{min(first + per_creation, spec.pages) - 1}"
        else:
            for _ in range(rng.randint(1, 3)):
                index = rng.randrange(spec.pages)
                revisions[index] += 1
                changes.append((f"docs/{page_path(index)}", blob(render_page(index, spec, revisions[index]))))
            message = f"Update {len(changes)} pages"
        history.commit(name, email, int(when.timestamp()), message, changes)
    return history.write(root)
