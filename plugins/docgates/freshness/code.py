"""Code-coupled freshness: a page falls due when the code it documents changes.

A page names its code with ``documents:`` patterns (front matter, or the freshness option
``documents`` per folder). It is *behind its code* when a content commit touching a matching
file is dated after the page's freshness date. The run's one ``git log`` (whole repository when
pages document code) is indexed here once; each page then costs a few dictionary lookups.
Nothing here imports mkdocs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from docgates.core.code_patterns import CodePatterns, candidates
from docgates.core.git_history import Commit, FileChange, GitHistory

# Where ``docgates check --changed-since`` leaves the pages whose code the change touched.
CHANGED_CODE_KEY = "freshness:changed-code"


@dataclass
class ChangedCode:
    """What a pull request changed, for ``freshness/code-changed`` in PR mode: per page, the
    changed files its patterns match (the page itself unchanged), and the pages it changed."""

    ref: str
    pages: dict[str, list[str]] = field(default_factory=dict)
    changed_pages: set[str] = field(default_factory=set)


@dataclass(slots=True)
class CodeChange:
    """The commits that left one page behind its code, newest first."""

    commits: list[Commit]
    paths: list[str]
    since: dt.date

    @property
    def newest(self) -> Commit:
        return self.commits[0]

    @property
    def date(self) -> dt.date:
        return self.newest.date

    def to_dict(self) -> dict[str, Any]:
        return {"date": self.date.isoformat(), "commits": len(self.commits), "paths": list(self.paths)}


class CodeIndex:
    """The history's content changes, found by the path a file had then and the path it has
    now (a rename of documented code follows the file), built once per run. Only changes made
    under an older name are indexed here; the rest are the history's own per-path lists."""

    def __init__(self, history: GitHistory) -> None:
        self.history = history
        self.head_files: list[str] = history.head_files or []
        self._head_set = frozenset(self.head_files)
        # Changes made under a name the file no longer has: id(change) -> its name now, and
        # the name now -> those changes.
        self._renamed: dict[int, str] = {}
        self._by_new_name: dict[str, list[FileChange]] = {}
        # Walking newest to oldest: the name a path had at this point -> the file's name now.
        now_named: dict[str, str] = {}
        for commit in history.commits:
            for change in commit.changes:
                if now_named:
                    head = now_named.get(change.path)
                    if head is not None and head != change.path:
                        self._renamed[id(change)] = head
                        self._by_new_name.setdefault(head, []).append(change)
                status = change.status
                if status == "M":
                    continue
                if status in ("A", "R", "C"):
                    now_named.pop(change.path, None)  # before this commit the name was another file
                if status == "R" and change.old_path:
                    now_named[change.old_path] = self._renamed.get(id(change), change.path)
        self._paths = sorted({*history.paths(), *self._by_new_name})
        self._matching: dict[tuple[str, ...], list[tuple[FileChange, str]]] = {}

    def matching(self, patterns: CodePatterns) -> list[tuple[FileChange, str]]:
        """Content changes of files matching ``patterns`` (by their name then or now), with
        the file's name now, newest first (cached per pattern list)."""
        found = self._matching.get(patterns.patterns)
        if found is None:
            history, renamed = self.history, self._renamed
            seen: set[int] = set()
            found = []
            for path in candidates(self._paths, patterns.prefixes):
                if not patterns.matches(path):
                    continue
                for change in (*history.changes_at(path), *self._by_new_name.get(path, ())):
                    if id(change) in seen or change.is_pure_rename or history.is_ignored(change.commit):
                        continue
                    seen.add(id(change))
                    found.append((change, renamed.get(id(change), change.path)))
            found.sort(key=lambda item: -item[0].commit.timestamp)
            self._matching[patterns.patterns] = found
        return found

    def behind(
        self, patterns: CodePatterns, since: dt.date, latest: dt.date, own_path: str
    ) -> CodeChange | None:
        """The content commits dated after ``since`` (and not after ``latest``: a committer's
        wrong clock must not keep a page behind for years) touching matching files."""
        commits: dict[str, Commit] = {}
        paths: dict[str, None] = {}
        for change, head in self.matching(patterns):
            date = change.commit.date
            if date <= since:
                break  # newest first
            if date > latest or own_path in (change.path, head):
                continue
            commits.setdefault(change.commit.sha, change.commit)
            paths.setdefault(head if head in self._head_set else change.path)
        if not commits:
            return None
        ordered = sorted(commits.values(), key=lambda c: (-c.timestamp, c.position))
        return CodeChange(ordered, list(paths), since)

    def missing(self, pattern: str) -> bool:
        """Whether a positive pattern matches no file tracked at HEAD."""
        return not CodePatterns([pattern]).any_of(self.head_files)

    def last_move(self, pattern: str) -> tuple[Commit, list[tuple[str, str | None]]] | None:
        """The newest commit that renamed or deleted the files a pattern matched, with each
        file's (old path, new path or None when deleted); None when git has none."""
        spec = CodePatterns([pattern])
        for commit in self.history.commits:
            moved = [
                (c.old_path or c.path, c.path if c.status == "R" else None)
                for c in commit.changes
                if c.status in ("R", "D") and spec.matches(c.old_path or c.path)
                and not (c.status == "R" and spec.matches(c.path))
            ]
            if moved:
                return commit, moved
        return None
