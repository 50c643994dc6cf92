"""Page front matter: the page split into front matter and body, and the contract's keys
(owner, reviewed, review_every, type, archived, documents) checked into typed fields.

MkDocs silently drops front matter it cannot parse; docgates reports it instead, with the
file line of the problem. The YAML itself is read by ``core.safe_yaml`` (no aliases, no
object tags, no duplicate keys, a nesting limit).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator, Mapping

import yaml

from docgates.core.code_patterns import PatternListError, parse_patterns
from docgates.core.dates import DateError, Interval, parse_date, parse_interval
from docgates.core.findings import Finding, SeverityPolicy
from docgates.core.safe_yaml import load_with_key_lines

RULE = "frontmatter/invalid"
# Keys the contract gives a meaning to, with the checker of each value.
KNOWN_KEYS = ("owner", "reviewed", "review_every", "type", "archived", "title", "documents")
# Keys that describe one page only: a folder-wide declaration never gives them to a page.
_PAGE_ONLY_KEYS = frozenset({"title", "docgates"})
@dataclass
class PageSource:
    """A Markdown page split into front matter and body, with typed contract fields."""

    path: str
    text: str
    meta: dict[str, Any] = field(default_factory=dict)
    key_lines: dict[str, int] = field(default_factory=dict)
    # Where the body starts in ``text``: the body is sliced on demand rather than kept as a
    # second copy of every page for the whole build.
    body_offset: int = 0
    body_line: int = 1
    has_front_matter: bool = False
    front_matter_valid: bool = True
    # Keys present in the front matter whose values could not be used.
    invalid_keys: set[str] = field(default_factory=set)
    # Keys the site declares for the page outside its front matter, with where: e.g.
    # ``{"owner": "docs/reference/.meta.yml:1"}`` (see ``add_declared``).
    declared_in: dict[str, str] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    reviewed: dt.date | None = None
    review_every: Interval | None = None
    owners: list[str] = field(default_factory=list)
    type: str | None = None
    archived: bool = False
    # Repository-relative patterns of the code the page describes (None: it names none).
    documents: list[str] | None = None

    @property
    def body(self) -> str:
        """The Markdown after the front matter."""
        return self.text[self.body_offset :] if self.body_offset else self.text

    def line_of(self, key: str) -> int:
        """The file line of a top-level front matter key, else the front matter's first line."""
        return self.key_lines.get(key, 1)

    def unreadable(self, key: str) -> bool:
        """Whether the page may well say ``key`` but it could not be read: the front matter as a
        whole is invalid, or the key's value is (``frontmatter/invalid`` names it). A gate then
        reports nothing that follows only from the missing value: one root cause, one finding."""
        return not self.front_matter_valid or (key in self.meta and key in self.invalid_keys)

    @property
    def lines(self) -> list[str]:
        return self.text.splitlines()


def split_front_matter(text: str) -> tuple[str | None, str, int]:
    """``(yaml_text or None, body, body_first_line)``; yaml_text is None when there is no
    front matter. Raises ``ValueError`` with the line for a block that never closes."""
    yaml_text, offset, body_line = _front_matter_bounds(text)
    return yaml_text, text[offset:], body_line


def _front_matter_bounds(text: str) -> tuple[str | None, int, int]:
    """``(yaml_text or None, body offset, body_first_line)``, reading only the front matter's
    lines (a page is not split into lines just to find its first few)."""
    lines = _lines_with_ends(text)
    first = next(lines, None)
    if first is None or first[1].rstrip("\r\n").rstrip(" \t") != "---":
        return None, 0, 1
    yaml_start = first[0] + len(first[1])
    for number, (start, line) in enumerate(lines, start=2):
        if line.rstrip("\r\n").rstrip(" \t") in ("---", "..."):
            return text[yaml_start:start], start + len(line), number + 1
    raise ValueError("front matter opened with '---' on line 1 is never closed; add a line '---' after it")


# The line breaks of str.splitlines(), so offsets agree with the file lines MkDocs counts.
_LINE_BREAK = re.compile("\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


def _lines_with_ends(text: str) -> Iterator[tuple[int, str]]:
    """``(offset, line)`` pairs as ``str.splitlines(keepends=True)`` cuts them, lazily."""
    start = 0
    for match in _LINE_BREAK.finditer(text):
        yield start, text[start : match.end()]
        start = match.end()
    if start < len(text):
        yield start, text[start:]


def decode(raw: bytes) -> str:
    """UTF-8 text without a BOM; ``UnicodeDecodeError`` is left for the caller to report."""
    text = raw.decode("utf-8")
    return text[1:] if text.startswith("\ufeff") else text


def undecodable_message(raw: bytes, exc: UnicodeDecodeError) -> tuple[int, str]:
    line = raw.count(b"\n", 0, exc.start) + 1
    return line, f"the file is not valid UTF-8 (byte 0x{raw[exc.start]:02x} at line {line}); save it as UTF-8"


def parse_page(path: str, source: str | bytes, policy: SeverityPolicy | None = None) -> PageSource:
    """Parse a page's front matter and validate the contract's keys.

    Never raises for bad content: every problem becomes a ``frontmatter/invalid`` finding.
    """
    policy = policy or SeverityPolicy()
    if isinstance(source, bytes):
        try:
            text = decode(source)
        except UnicodeDecodeError as exc:
            # Reported, and the rest still read (bad bytes shown as U+FFFD): the page's
            # owner and dates stay known, so one bad byte is one finding, not several.
            line, message = undecodable_message(source, exc)
            page = parse_page(path, source.decode("utf-8", "replace"), policy)
            page.findings.insert(0, policy.finding(RULE, path, line, message))
            return page
    else:
        text = source[1:] if source.startswith("\ufeff") else source
    page = PageSource(path=path, text=text)
    try:
        yaml_text, body_offset, body_line = _front_matter_bounds(text)
    except ValueError as exc:
        page.front_matter_valid = False
        page.has_front_matter = True
        page.findings.append(policy.finding(RULE, path, 1, str(exc)))
        return page
    if yaml_text is None:
        return page
    page.has_front_matter = True
    page.body_offset, page.body_line = body_offset, body_line
    try:
        data, key_lines = load_with_key_lines(yaml_text)
    except yaml.YAMLError as exc:
        page.front_matter_valid = False
        line, message = _yaml_error(exc)
        page.findings.append(policy.finding(RULE, path, line + 1, message))
        return page
    if data is None:
        return page
    if not isinstance(data, dict):
        page.front_matter_valid = False
        kind = type(data).__name__.replace("str", "text").replace("list", "a list")
        page.findings.append(
            policy.finding(RULE, path, 2, f"front matter must be a mapping of keys to values, not {kind}")
        )
        return page
    page.meta = {str(k): v for k, v in data.items()}
    page.key_lines = {str(k): line + 1 for k, line in key_lines.items()}
    _validate_known_keys(page, policy)
    return page


def _yaml_error(exc: yaml.YAMLError) -> tuple[int, str]:
    # The context mark is where the broken construct starts (an unclosed bracket or quote),
    # which is where the author has to look; the problem mark is where YAML gave up.
    context_mark = getattr(exc, "context_mark", None)
    problem_mark = getattr(exc, "problem_mark", None)
    mark = context_mark or problem_mark
    line = (mark.line + 1) if mark is not None else 1
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    context = getattr(exc, "context", None)
    if context and context_mark is not None:
        where = f" (line {problem_mark.line + 2})" if problem_mark is not None else ""
        problem = f"{context}: {problem}{where}"
    if "could not determine a constructor" in str(problem) or "tag" in str(problem).lower():
        problem = f"{problem}; YAML tags are not allowed in front matter, remove the '!' tag"
    if "found character '\\t'" in str(problem):
        problem = "a tab character is used for indentation; indent with spaces"
    return line, f"front matter is not valid YAML: {problem}"


Checker = Callable[[PageSource, Any, SeverityPolicy], None]


def add_declared(
    page: PageSource, declared: Mapping[str, Any], origin_of: Callable[[str], str], policy: SeverityPolicy | None = None
) -> None:
    """Give the page the metadata its site declares for it outside its front matter (Material's
    ``meta`` plugin's ``.meta.yml`` files, another plugin's ``page.meta``), as the engine does:
    the page's own keys win. Declared values are checked like front matter; a bad one is a
    ``frontmatter/invalid`` finding on the page that names where the value came from
    (``origin_of(key)``)."""
    policy = policy or SeverityPolicy()
    new = {
        key: value
        for key, value in declared.items()
        if isinstance(key, str) and not key.startswith("_") and key not in page.meta and key not in _PAGE_ONLY_KEYS
    }
    if not new:
        return
    page.declared_in.update((key, origin_of(key)) for key in new)
    page.meta.update(new)
    _validate_known_keys(page, policy, new)


def _validate_known_keys(page: PageSource, policy: SeverityPolicy, keys: Iterable[str] | None = None) -> None:
    meta = {key: page.meta[key] for key in keys} if keys is not None else page.meta

    def bad(key: str, message: str) -> None:
        page.invalid_keys.add(key)
        where = f" (from {page.declared_in[key]})" if key in page.declared_in else ""
        page.findings.append(policy.finding(RULE, page.path, page.line_of(key), f"{key}{where}: {message}"))

    if "reviewed" in meta:
        try:
            page.reviewed = parse_date(meta["reviewed"])
        except DateError as exc:
            bad("reviewed", f"{exc}; write the date of the last review as YYYY-MM-DD")
    if "review_every" in meta:
        try:
            page.review_every = parse_interval(meta["review_every"])
        except DateError as exc:
            bad("review_every", str(exc))
    if "owner" in meta:
        owner = meta["owner"]
        values = owner if isinstance(owner, list) else [owner]
        if not values or not all(isinstance(v, str) and v.strip() for v in values):
            bad("owner", "expected a handle such as \"@sre-team\" or a list of handles")
        else:
            page.owners = [v.strip() for v in values]
    if "type" in meta:
        if isinstance(meta["type"], str) and meta["type"].strip():
            page.type = meta["type"].strip().lower()
        else:
            bad("type", "expected a page type such as adr, postmortem, runbook or howto")
    if "archived" in meta:
        if isinstance(meta["archived"], bool):
            page.archived = meta["archived"]
        else:
            bad("archived", "expected true or false")
    if "documents" in meta:
        try:
            page.documents = parse_patterns(meta["documents"])
        except PatternListError as exc:
            bad("documents", str(exc))
