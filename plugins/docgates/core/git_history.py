"""The repository's history, parsed: commits, their file changes, and per-page questions.

``GitHistory`` answers every question a gate asks of a page (its changes following renames,
creation date, authors, ignored bulk-reformat commits) from one parsed ``git log``, so a
2,000-page site costs no subprocess per page. ``git_log`` reads it; ``site_history`` shares
it for a run. Nothing here imports mkdocs.

Dates are the author date in UTC: the author date survives rebases and cherry-picks, and UTC
keeps builds reproducible whatever the committer's time zone.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Literal

Status = Literal["ok", "shallow", "not-a-repo", "no-git"]


# Slots: a big history is tens of thousands of these, and each keeps no attribute dict.
@dataclass(frozen=True, eq=False, slots=True)
class Commit:
    """One commit; ``changes`` are its file changes (empty for merges)."""

    sha: str
    timestamp: int
    date: dt.date
    author: str
    email: str
    subject: str
    parents: int = 1
    changes: list["FileChange"] = field(default_factory=list, repr=False)
    # Position in ``GitHistory.commits``: 0 is the newest commit.
    position: int = 0

    @property
    def is_merge(self) -> bool:
        return self.parents > 1


@dataclass(frozen=True, eq=False, slots=True)
class FileChange:
    """One file touched by one commit. ``status`` is git's letter (A, M, D, R, T...);
    ``similarity`` is the rename score (100 for a pure rename)."""

    commit: Commit
    status: str
    path: str
    old_path: str | None = None
    similarity: int | None = None

    @property
    def is_pure_rename(self) -> bool:
        """Moved without changing a byte: not a content change."""
        return self.status == "R" and self.similarity == 100


class GitHistory:
    """The parsed history of a repository (or of the paths it was loaded for)."""

    def __init__(
        self,
        status: Status,
        message: str = "",
        root: Path | None = None,
        commits: list[Commit] | None = None,
        ignored: Iterable[str] = (),
        elapsed: float = 0.0,
        head_files: Iterable[str] | None = None,
    ) -> None:
        self.status: Status = status
        # For any status but "ok": what is wrong and what to do, ready for a finding.
        self.message = message
        self.root = root
        # Newest first.
        self.commits: list[Commit] = commits or []
        self.elapsed = elapsed
        # Every file tracked at HEAD, sorted, when the history was read for code-coupled
        # freshness (the whole repository); None when only the docs were read.
        self.head_files: list[str] | None = sorted(head_files) if head_files is not None else None
        self._by_path: dict[str, list[FileChange]] = {}
        for commit in self.commits:
            for change in commit.changes:
                self._by_path.setdefault(change.path, []).append(change)
        self.ignored: frozenset[str] = self._resolve_ignored(ignored)
        self._chains: dict[str, list[FileChange]] = {}

    # -- views --------------------------------------------------------------------------
    @property
    def ok(self) -> bool:
        """Whether git dates can be trusted (a full clone of a real repository)."""
        return self.status == "ok"

    def with_ignored(self, revs: Iterable[str]) -> "GitHistory":
        """The same parsed history with another set of ignored commits (no new git call)."""
        view = GitHistory.__new__(GitHistory)
        view.status, view.message, view.root = self.status, self.message, self.root
        view.commits, view.elapsed, view._by_path = self.commits, self.elapsed, self._by_path
        view.head_files = self.head_files
        view.ignored = self._resolve_ignored(revs)
        view._chains = {}
        return view

    def is_ignored(self, commit: Commit) -> bool:
        return commit.sha in self.ignored

    def _resolve_ignored(self, revs: Iterable[str]) -> frozenset[str]:
        wanted = {r.lower() for r in revs}
        full = {r for r in wanted if len(r) == 40}
        prefixes = tuple(r for r in wanted if len(r) < 40)
        if prefixes:
            full |= {c.sha for c in self.commits if c.sha.startswith(prefixes)}
        return frozenset(full)

    # -- per path -----------------------------------------------------------------------
    def changes(self, path: str, include_ignored: bool = False) -> list[FileChange]:
        """Every change of the file now at ``path``, newest first, following renames back
        to where it was added. Commits in the ignore list are left out unless asked for
        (renames in them are still followed)."""
        chain = self._chains.get(path)
        if chain is None:
            chain = self._chains[path] = self._follow(path)
        if include_ignored or not self.ignored:
            return list(chain)
        return [c for c in chain if c.commit.sha not in self.ignored]

    def _follow(self, path: str) -> list[FileChange]:
        chain: list[FileChange] = []
        current: str | None = path
        after = -1  # only changes older than the rename that led here
        seen: set[tuple[str, int]] = set()
        while current is not None and (current, after) not in seen:
            seen.add((current, after))
            next_path = None
            for change in self._by_path.get(current, ()):
                if change.commit.position <= after:
                    continue
                if change.status == "D":
                    # A deleted file of the same name is not this page's past.
                    return chain
                chain.append(change)
                if change.status == "A":
                    return chain
                if change.status in ("R", "C") and change.old_path:
                    next_path, after = change.old_path, change.commit.position
                    break
            current = next_path
        return chain

    def changes_at(self, path: str) -> list[FileChange]:
        """The changes git logged under exactly this path, newest first (renames not followed,
        ignored commits included)."""
        return self._by_path.get(path, [])

    def paths(self) -> Iterable[str]:
        """Every path the history has a change of."""
        return self._by_path.keys()

    def content_changes(self, path: str, since: dt.date | None = None) -> list[FileChange]:
        """Changes that altered the content (no pure renames, no ignored commits), newest
        first; with ``since``, only those dated after that day."""
        return [
            c
            for c in self.changes(path)
            if not c.is_pure_rename and c.status != "D" and (since is None or c.commit.date > since)
        ]

    def last_content_change(self, path: str) -> FileChange | None:
        """The newest change of the content, or None for a file git does not know.

        Newest by author date, not by log position: after a merge or a rebase the log can
        list an older-authored change first.
        """
        changes = self.content_changes(path)
        return max(changes, key=lambda c: c.commit.timestamp) if changes else None

    def created(self, path: str) -> FileChange | None:
        """The change that added the file (following renames), ignored commits included."""
        chain = self.changes(path, include_ignored=True)
        return chain[-1] if chain else None

    def authors(self, path: str, since: dt.date | None = None) -> Counter[str]:
        """Author names (mailmap applied) of the content changes, with their counts."""
        return Counter(c.commit.author for c in self.content_changes(path, since))

    def tracked(self, path: str) -> bool:
        return bool(self.changes(path, include_ignored=True))

