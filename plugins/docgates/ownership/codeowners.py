"""CODEOWNERS files with GitHub's semantics, and owner patterns for folder defaults.

Patterns are gitignore-style as GitHub reads them, and the last matching rule wins. Each line
is validated the way GitHub does: a line with invalid syntax is skipped as a whole and reported
with its line number, instead of silently dropping an owner or failing the whole file. Matching
lives in ``ownership/path_pattern.py``: segment by segment, never through a backtracking regex.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from docgates.ownership.path_pattern import PathPattern, PatternError

# Where GitHub looks, in its order; the first file found is the one that counts.
CODEOWNERS_LOCATIONS = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")
_ESCAPED_SPACE = "\x00"

# GitHub's owner forms: @user, @org/team-slug, or an email address. Flat character classes
# around fixed separators (fullmatch, no repeat inside a repeat), so any token is read in one
# pass. A quote or another character GitHub refuses in a handle makes the token no owner.
_HANDLE = r"[A-Za-z0-9][A-Za-z0-9_-]*"
_OWNER = re.compile(
    rf"@{_HANDLE}(?:/[A-Za-z0-9_][A-Za-z0-9_.-]*)?"
    r"|[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"
)


def is_owner(token: str) -> bool:
    """Whether GitHub reads ``token`` as an owner: ``@user``, ``@org/team`` or an email address."""
    return _OWNER.fullmatch(token) is not None


@dataclass(frozen=True)
class OwnerRule:
    """One valid rule: a pattern and its owners (none means "explicitly unowned")."""

    line: int
    pattern: str
    owners: tuple[str, ...]


@dataclass(frozen=True)
class Problem:
    line: int
    message: str


@dataclass
class CodeownersFile:
    """A parsed CODEOWNERS file: its valid rules and the lines GitHub would skip."""

    display_path: str
    # The file read (None for text parsed directly).
    source: Path | None = None
    rules: dict[int, OwnerRule] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    _patterns: list[tuple[PathPattern, OwnerRule]] = field(default_factory=list)

    def rule_for(self, repo_path: str) -> OwnerRule | None:
        """The last rule matching a repository-relative path (its owners may be empty)."""
        for pattern, rule in reversed(self._patterns):
            if pattern.matches(repo_path):
                return rule
        return None


def find_codeowners(repo_root: Path) -> Path | None:
    for location in CODEOWNERS_LOCATIONS:
        candidate = repo_root / location
        if candidate.is_file():
            return candidate
    return None


def load_codeowners(path: Path, display_path: str) -> CodeownersFile:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        result = CodeownersFile(display_path, path)
        result.problems.append(Problem(1, f"cannot be read: {exc.strerror or exc}"))
        return result
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        result = CodeownersFile(display_path, path)
        result.problems.append(Problem(line, "the file is not valid UTF-8; save it as UTF-8"))
        return result
    result = parse_codeowners(text, display_path)
    result.source = path
    return result


def parse_codeowners(text: str, display_path: str) -> CodeownersFile:
    result = CodeownersFile(display_path)
    for number, line in enumerate(text.splitlines(), start=1):
        parsed, message = _parse_line(number, line)
        if message:
            result.problems.append(Problem(number, message))
        if parsed:
            pattern, rule = parsed
            result.rules[number] = rule
            result._patterns.append((pattern, rule))
    return result


def _parse_line(number: int, line: str) -> tuple[tuple[PathPattern, OwnerRule] | None, str | None]:
    stripped = line.strip()
    if not stripped or stripped.startswith("#"):
        return None, None
    tokens = stripped.replace("\\ ", _ESCAPED_SPACE).split()
    # Everything from a token starting with '#' on is a comment, as GitHub reads it.
    for index, token in enumerate(tokens):
        if token.startswith("#"):
            tokens = tokens[:index]
            break
    pattern, owners = tokens[0].replace(_ESCAPED_SPACE, "\\ "), tokens[1:]
    skipped = "; GitHub skips this line"
    if pattern.startswith("!"):
        return None, f"negated pattern {pattern!r}: CODEOWNERS has no '!' negation{skipped}"
    if pattern.startswith("\\#"):
        return None, (f"pattern {pattern!r}: CODEOWNERS cannot escape a leading '#' (GitHub "
                      f"documents it as not working); name the file with a pattern such as "
                      f"'?{pattern[2:]}'{skipped}")
    try:
        matcher = PathPattern(pattern)
    except PatternError as exc:
        return None, f"pattern {pattern!r}: {exc}{skipped}"
    for owner in owners:
        if not is_owner(owner):
            return None, (f"{owner!r} is not an owner; write @user, @org/team or an email "
                          f"address{skipped}")
    return (matcher, OwnerRule(number, pattern, tuple(owners))), None


@dataclass(frozen=True)
class DefaultOwners:
    """Owners for docs paths from plugin config: ``{pattern: owner or [owners]}``.

    Patterns use CODEOWNERS syntax relative to ``docs_dir`` and are anchored there (``runbooks/``
    means the top-level folder); ``*`` covers the whole site. Like CODEOWNERS, the last
    matching entry wins, so list general entries before specific ones.
    """

    entries: tuple[tuple[str, tuple[str, ...]], ...] = ()
    _patterns: tuple[PathPattern, ...] = ()

    @classmethod
    def parse(cls, value: object) -> "DefaultOwners":
        if not value:
            return cls()
        if not isinstance(value, dict):
            raise ValueError(
                "defaults: expected a mapping of docs folders to owners, e.g. "
                '{runbooks/: "@sre-team", decisions/: ["@eng-leads"]}'
            )
        entries: list[tuple[str, tuple[str, ...]]] = []
        patterns: list[PathPattern] = []
        for key, owners in value.items():
            pattern = str(key).strip()
            owner_list = owners if isinstance(owners, list) else [owners]
            if not owner_list or not all(isinstance(o, str) and o.strip() for o in owner_list):
                raise ValueError(
                    f"defaults: {pattern!r}: expected an owner handle such as \"@sre-team\" "
                    "or a list of handles"
                )
            try:
                patterns.append(PathPattern(_anchor(pattern)))
            except PatternError as exc:
                raise ValueError(f"defaults: {pattern!r} is not a valid pattern: {exc}") from None
            entries.append((pattern, tuple(o.strip() for o in owner_list)))
        return cls(tuple(entries), tuple(patterns))

    def owners_for(self, docs_path: str) -> tuple[str, tuple[str, ...]] | None:
        """``(pattern, owners)`` of the last entry matching a docs-relative path."""
        for entry, pattern in zip(reversed(self.entries), reversed(self._patterns)):
            if pattern.matches(docs_path):
                return entry
        return None

    def handles(self) -> Iterable[str]:
        for _, owners in self.entries:
            yield from owners


def _anchor(pattern: str) -> str:
    if pattern in ("", ".", "/", "./"):
        return "*"
    if pattern.startswith("./"):
        pattern = pattern[2:]
    if pattern.startswith(("/", "*")):
        return pattern
    return "/" + pattern
