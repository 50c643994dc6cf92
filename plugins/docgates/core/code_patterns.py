"""``documents:`` patterns: which repository files a page describes (gitignore-style).

A pattern list reads as a ``.gitignore`` does: ``services/payments/**``, ``api/payments.yaml``,
``!services/payments/tests/**`` (a later ``!`` pattern takes files back out). Patterns are
repository-relative; absolute paths, ``..`` and ``~`` are refused, since a page can only
document files that git tracks. Nothing here imports mkdocs.
"""

from __future__ import annotations

import bisect
import os
import re
from typing import Any, Iterable, Sequence

from docgates.core.path_patterns import GitIgnoreSpec, PatternError, check

_WILDCARD = re.compile(r"[*?\[\\]")
_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")


class PatternListError(ValueError):
    """A ``documents`` value that cannot be used; the message says what to write instead."""


def parse_patterns(value: Any) -> list[str]:
    """One pattern or a list of them, validated; ``PatternListError`` names the bad one."""
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not values:
        raise PatternListError(
            "expected a repository-relative path pattern or a list of them, e.g. "
            "[\"services/payments/**\", \"api/payments.yaml\"]"
        )
    patterns: list[str] = []
    for item in values:
        if not isinstance(item, str) or not item.strip():
            raise PatternListError(f"{item!r} is not a path pattern; write e.g. \"services/payments/**\"")
        pattern = item.strip()
        body = pattern[1:] if pattern.startswith("!") else pattern
        if body.startswith(("/", "\\", "~")) or _DRIVE.match(body):
            raise PatternListError(
                f"{pattern!r} is an absolute path; write it relative to the repository root, "
                "e.g. \"services/payments/**\""
            )
        if ".." in re.split(r"[\\/]", body):
            raise PatternListError(
                f"{pattern!r} leaves the repository ('..'); write it relative to the repository root"
            )
        if not body.strip("/"):
            raise PatternListError(f"{pattern!r} names no file; write e.g. \"services/payments/**\"")
        try:
            check(pattern)
        except PatternError as exc:
            raise PatternListError(f"{pattern!r} is not a gitignore-style pattern ({exc})") from None
        patterns.append(pattern)
    return patterns


def literal_prefix(pattern: str) -> str:
    """The folder every match of ``pattern`` lies in ("" when it may match at any depth):
    lets a lookup skip the files of other folders before any pattern runs."""
    body = pattern[1:] if pattern.startswith("!") else pattern
    body = body.lstrip("/")
    core = body.rstrip("/")
    if "/" not in core:  # gitignore: no inner slash matches at any depth
        return ""
    cut = _WILDCARD.search(core)
    literal = core if cut is None else core[: cut.start()]
    if cut is None:
        return core  # the file itself, or the folder and everything under it
    return literal[: literal.rfind("/") + 1] if "/" in literal else ""


class CodePatterns:
    """A page's patterns, compiled once; ``matches`` takes a repository-relative path."""

    def __init__(self, patterns: Sequence[str]) -> None:
        self.patterns = tuple(patterns)
        self.spec = GitIgnoreSpec(self.patterns)
        positive = [p for p in self.patterns if not p.startswith("!")]
        prefixes = {literal_prefix(p) for p in positive}
        # "" covers everything; otherwise the folders (or files) the matches can be in.
        self.prefixes: tuple[str, ...] = ("",) if "" in prefixes else tuple(sorted(prefixes))

    def matches(self, path: str) -> bool:
        return self.spec.matches(path)

    def any_of(self, sorted_paths: Sequence[str]) -> bool:
        """Whether any path of ``sorted_paths`` (sorted) matches; stops at the first."""
        return any(self.spec.matches(p) for p in candidates(sorted_paths, self.prefixes))

    def select(self, sorted_paths: Sequence[str]) -> list[str]:
        """The paths of ``sorted_paths`` (sorted) that match, looking only under the prefixes."""
        return [p for p in candidates(sorted_paths, self.prefixes) if self.spec.matches(p)]


def candidates(sorted_paths: Sequence[str], prefixes: Iterable[str]) -> list[str]:
    """Paths of ``sorted_paths`` starting with one of ``prefixes``, each once."""
    found: dict[str, None] = {}
    for prefix in prefixes:
        if not prefix:
            return list(sorted_paths)
        start = bisect.bisect_left(sorted_paths, prefix)
        for path in sorted_paths[start:]:
            if not path.startswith(prefix):
                break
            found[path] = None
    return list(found)



_DOCUMENTS_KEY = re.compile(rb"^documents[ \t]*:", re.MULTILINE)
_PAGE_SUFFIXES = (".md", ".markdown", ".mdown", ".mkdn", ".mkd")


def docs_declare_documents(docs_dir: str | os.PathLike[str]) -> bool:
    """Whether any page's front matter, or any ``.meta.yml`` (Material's meta plugin), has a
    top-level ``documents`` key. Decides, before the build reads a page, whether the run's one
    ``git log`` covers the whole repository or only the docs: reading the first few kilobytes
    of 2,000 pages takes ~20 ms, while a history of code nobody documents costs more. A false
    alarm (the word in a code block right after the front matter) only reads more history."""
    stack = [os.fspath(docs_dir)]
    while stack:
        try:
            entries = list(os.scandir(stack.pop()))
        except OSError:
            continue
        for entry in entries:
            name = entry.name
            try:
                if entry.is_dir(follow_symlinks=True):
                    if not name.startswith("."):
                        stack.append(entry.path)
                    continue
            except OSError:
                continue
            if name == ".meta.yml" or name.endswith(_PAGE_SUFFIXES):
                if head_declares_documents(entry.path, front_matter=name != ".meta.yml"):
                    return True
    return False


def head_declares_documents(path: str, front_matter: bool) -> bool:
    try:
        with open(path, "rb") as handle:
            head = handle.read(8192)
            if front_matter:
                if not head.lstrip(b"\xef\xbb\xbf").startswith(b"---"):
                    return False
                if not re.search(rb"\n(?:---|\.\.\.)[ \t]*\r?\n", head[3:]):
                    head += handle.read()  # a front matter longer than the first 8 KB
    except OSError:
        return False
    return _DOCUMENTS_KEY.search(head) is not None
