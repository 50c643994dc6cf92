"""Mechanical bulk commits: many pages, each barely changed.

A script that title-cases every heading, stamps a review date on every page or replaces one
word everywhere makes one commit that edits a hundred pages by a line each. Scored page by
page it "rescues" them all. So: a commit is **mechanical** when it edits at least
``bulk_pages`` existing pages (the option; 0 turns the check off) by at most ``BULK_LINES``
lines each, counted on the whole file, front matter included. New, deleted and purely moved
pages are not edits. Whether the edits are "the same" is not asked: the title-case commit
changes every page differently, and many one-line edits in one commit is what a script makes.

A mechanical commit's small edits earn nothing, and the board lists it so the organiser sees
it; a real edit in the same commit (a page rewritten, a new page) still earns. What any of it
breaks still counts against its author (``ledger.py``). Commits in the ignore-revs file are
skipped before this check, like every other measure.
"""

from __future__ import annotations

import difflib

from docgates.core.git_history import Commit
from docgates.leaderboard.model import Flagged
from docgates.leaderboard.pages import PageJudge

# Lines a page's edit may change, at most, to count as a mechanical one.
BULK_LINES = 3


def mechanical(commit: Commit, pages: PageJudge, threshold: int) -> tuple[Flagged, set[str]] | None:
    """``commit`` as flagged, with the docs paths of its small edits, when it is mechanical;
    else None. Reads only page versions the scorer has fetched already
    (``Scorer._prefetch_window``), and diffs only in commits that edit enough pages to be
    mechanical at all."""
    if threshold <= 0:
        return None
    edits = [
        change for change in commit.changes
        if change.status[:1] in ("M", "R", "T") and not change.is_pure_rename and pages.docs_path(change.path)
    ]
    if len(edits) < threshold:
        return None
    small: set[str] = set()
    for change in edits:
        old = pages.version(f"{commit.sha}^", change.old_path or change.path)
        new = pages.version(commit.sha, change.path)
        if old is not None and new is not None and small_edit(old.source.text, new.source.text):
            small.add(pages.docs_path(change.path))
    if len(small) < threshold:
        return None
    return Flagged(commit.sha, commit.author or "unknown", commit.date, commit.subject, len(small)), small


def small_edit(old: str, new: str, limit: int = BULK_LINES) -> bool:
    """Whether ``new`` differs from ``old`` in at most ``limit`` lines (a replaced line is one)."""
    a, b = old.splitlines(), new.splitlines()
    if abs(len(a) - len(b)) > limit:
        return False
    # The lines both share at the start and the end are most of a small edit: cut them off,
    # so difflib sees only the part that differs.
    start = 0
    while start < min(len(a), len(b)) and a[start] == b[start]:
        start += 1
    end = 0
    while end < min(len(a), len(b)) - start and a[-1 - end] == b[-1 - end]:
        end += 1
    a, b = a[start : len(a) - end], b[start : len(b) - end]
    if max(len(a), len(b)) <= limit:
        return True
    changed = 0
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag != "equal":
            changed += max(i2 - i1, j2 - j1)
            if changed > limit:
                return False
    return True
