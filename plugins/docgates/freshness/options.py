"""The freshness options that map folders to values: ``intervals`` (a review interval per
page glob) and ``documents`` (code patterns per page glob), and the page glob both use."""

from __future__ import annotations

from typing import Any, Mapping

from docgates.core.code_patterns import PatternListError, parse_patterns
from docgates.core.dates import DateError, Interval, parse_interval
from docgates.core.path_patterns import AS_FILE, GitIgnorePattern, PatternError, path_names

DEFAULT_REVIEW_EVERY = "180d"
DEFAULT_WARN_WITHIN = 14


class FolderIntervals:
    """``{glob: interval}`` per folder; the last matching glob wins, as in CODEOWNERS.

    Globs are docs-relative: ``*`` matches within a folder name, ``**`` across folders,
    ``runbooks/`` (or ``runbooks``) means everything under that folder.
    """

    def __init__(self, intervals: Mapping[str, Any] | None) -> None:
        self.rules: list[tuple[str, PageGlob, Interval]] = []
        for pattern, value in (intervals or {}).items():
            if not isinstance(pattern, str) or not pattern.strip():
                raise ValueError(f"intervals: {pattern!r} is not a glob; write e.g. 'runbooks/**: 90d'")
            try:
                interval = parse_interval(value)
                glob = PageGlob(pattern)
            except (DateError, ValueError) as exc:
                raise ValueError(f"intervals: {pattern}: {exc}") from None
            self.rules.append((pattern, glob, interval))

    def match(self, path: str) -> tuple[str, Interval] | None:
        for pattern, glob, interval in reversed(self.rules):
            if glob.matches(path):
                return pattern, interval
        return None


class PageGlob:
    """A docs-relative page glob of ``intervals`` and ``documents``: gitignore syntax, always
    anchored at the docs folder, naming pages rather than folders (``runbooks/*`` is the pages
    directly in ``runbooks``); ``runbooks/`` or a bare ``runbooks`` is every page below it."""

    def __init__(self, pattern: str) -> None:
        text = pattern.strip().lstrip("/")
        if text.endswith("/"):
            text += "**"
        elif not any(ch in text for ch in "*?[") and not text.endswith(".md"):
            text += "/**"  # a bare folder name
        try:
            self.pattern = GitIgnorePattern("/" + text)
        except PatternError as exc:
            raise ValueError(f"{pattern!r} is not a glob ({exc})") from None

    def matches(self, path: str) -> bool:
        return self.pattern.reach(path_names(path)) == AS_FILE


class FolderDocuments:
    """The freshness option ``documents``: ``{page glob: [code patterns]}``, docs-relative page
    globs as in ``intervals``; the last matching glob wins."""

    def __init__(self, mapping: Mapping[str, Any] | None) -> None:
        if mapping is not None and not isinstance(mapping, Mapping):
            raise ValueError(
                "documents: expected a mapping of page globs to code patterns, e.g. "
                "{'billing/*.md': ['services/billing/**']}"
            )
        self.rules: list[tuple[PageGlob, list[str]]] = []
        for glob, value in (mapping or {}).items():
            if not isinstance(glob, str) or not glob.strip():
                raise ValueError(f"documents: {glob!r} is not a page glob; write e.g. 'billing/*.md'")
            try:
                self.rules.append((PageGlob(glob), parse_patterns(value)))
            except (PatternListError, ValueError) as exc:
                raise ValueError(f"documents: {glob}: {exc}") from None

    def __bool__(self) -> bool:
        return bool(self.rules)

    def match(self, page: str) -> list[str] | None:
        for glob, patterns in reversed(self.rules):
            if glob.matches(page):
                return patterns
        return None
