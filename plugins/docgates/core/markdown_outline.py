"""The outline of a Markdown page: headings, task items, links and words, outside code.

One pass over the lines of the page body. Fenced code blocks (any indentation, so fences in
list items count too) and HTML comments are skipped, and headings indented four spaces or more
are not headings, so a ``## Steps`` line in a code example is not a section and a ``- [ ]`` in
a comment is not a task.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterator

_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_ATTR_LIST = re.compile(r"\s*\{[:#.][^}]*\}\s*$")
_CLOSING_HASHES = re.compile(r"(?:^|[ \t]+)#+[ \t]*$")
_TASK = re.compile(r"^\s*(?:[-*+]|\d{1,9}[.)])[ \t]+\[([ xX])\][ \t]+(.*)$")
_LIST_OR_QUOTE = re.compile(r"^\s*(?:[-*+>|]|\d{1,9}[.)])(?:\s|$)")
_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1")
# Bounded repeats and no "[" inside the text keep these linear on hostile lines ("[[[[...").
_INLINE_LINK = re.compile(r"(!?)\[(?:[^\[\]\\]|\\.){0,300}\]\(\s*<?([^()\s<>]{0,2000})>?(?:\s+[\"'(][^()]{0,500})?\)")
_REFERENCE_DEF = re.compile(r"^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s.*)?$")
_AUTOLINK = re.compile(r"<([a-zA-Z][a-zA-Z0-9+.-]*:[^>\s]+)>")
_HTML_TAG = re.compile(r"<[^<>]{0,1000}>")
_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
_EMPHASIS = re.compile(r"[*_`~]+")
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
_DUE = re.compile(r"\bdue:?\s*(\d{4}-\d{2}-\d{2})\b", re.IGNORECASE)


@dataclass(frozen=True)
class Heading:
    level: int
    text: str
    line: int

    @property
    def key(self) -> str:
        return heading_key(self.text)


@dataclass(frozen=True)
class Task:
    done: bool
    text: str
    line: int
    # The H2 section the task is under ("" before the first H2).
    section: str

    @property
    def due(self) -> str | None:
        """An explicit ``due 2026-12-01`` in the task text, as written."""
        match = _DUE.search(self.text)
        return match.group(1) if match else None


@dataclass(frozen=True)
class Link:
    target: str
    line: int

    @property
    def internal(self) -> bool:
        """A link to another page or file of the site (not external, not a same-page anchor)."""
        target = self.target
        return bool(target) and not target.startswith(("#", "//")) and not _SCHEME.match(target)


@dataclass
class Outline:
    headings: list[Heading] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    words: int = 0

    @property
    def h1(self) -> Heading | None:
        return next((h for h in self.headings if h.level == 1), None)

    @property
    def sections(self) -> list[Heading]:
        return [h for h in self.headings if h.level == 2]

    def section(self, name: str) -> Heading | None:
        key = heading_key(name)
        return next((h for h in self.sections if h.key == key), None)

    def tasks_in(self, name: str) -> list[Task]:
        key = heading_key(name)
        return [t for t in self.tasks if heading_key(t.section) == key]


def heading_key(text: str) -> str:
    """What two headings must share to be the same section: case, emphasis and spacing aside."""
    text = _EMPHASIS.sub("", text)
    return " ".join(text.split()).rstrip(":").casefold()


def heading_text(raw: str) -> str:
    """The visible text of a heading line's content: no closing hashes, no ``{#id}``."""
    text = _ATTR_LIST.sub("", raw)
    text = _CLOSING_HASHES.sub("", text)
    return " ".join(text.split())


def source_lines(body: str) -> Iterator[tuple[int, str | None]]:
    """``(index, line)`` for each line of ``body`` outside fenced code, with HTML comments cut
    out; a fence's opening line comes as ``(index, None)``, so callers can reset what they
    carry from line to line (a setext heading's text cannot span a fence)."""
    fence: str | None = None
    in_comment = False
    for index, line in enumerate(body.splitlines()):
        if fence is not None:
            stripped = line.strip()
            if stripped.startswith(fence) and not stripped.strip(fence[0]):
                fence = None
            continue
        if in_comment:
            if "-->" in line:
                in_comment = False
                line = line.split("-->", 1)[1]
            else:
                continue
        # Substring test first: most lines hold no fence, and the regex is the costlier check.
        opening = _FENCE.match(line) if ("```" in line or "~~~" in line) else None
        if opening:
            fence = opening.group(1)
            yield index, None
            continue
        if "<!--" in line:
            before, _, after = line.partition("<!--")
            if "-->" in after:
                line = before + after.split("-->", 1)[1]
            else:
                in_comment = True
                line = before
        yield index, line


def outline(body: str, first_line: int = 1) -> Outline:
    """Outline of ``body``, whose first line is file line ``first_line``."""
    result = Outline()
    section = ""
    previous_text: str | None = None  # the previous line, when it may start a setext heading
    for index, line in source_lines(body):
        number = first_line + index
        if line is None:
            previous_text = None
            continue
        atx = _ATX.match(line)
        if atx:
            text = heading_text(atx.group(2) or "")
            level = len(atx.group(1))
            result.headings.append(Heading(level, text, number))
            if level == 2:
                section = text
            previous_text = None
            continue
        setext = _SETEXT.match(line)
        if setext and previous_text:
            level = 1 if setext.group(1).startswith("=") else 2
            text = heading_text(previous_text)
            result.headings.append(Heading(level, text, number - 1))
            if level == 2:
                section = text
            result.words -= _count_words(previous_text)
            previous_text = None
            continue
        task = _TASK.match(line)
        if task:
            result.tasks.append(Task(task.group(1) != " ", task.group(2).strip(), number, section))
        result.links.extend(_links(line, number))
        result.words += _count_words(line)
        stripped = line.strip()
        previous_text = stripped if stripped and not _LIST_OR_QUOTE.match(line) else None
    return result


def _links(line: str, number: int) -> list[Link]:
    plain = _CODE_SPAN.sub("", line)
    found = [Link(m.group(2), number) for m in _INLINE_LINK.finditer(plain) if not m.group(1)]
    definition = _REFERENCE_DEF.match(plain)
    if definition:
        found.append(Link(definition.group(1), number))
    found.extend(Link(m.group(1), number) for m in _AUTOLINK.finditer(plain))
    return found


def _count_words(line: str) -> int:
    text = _CODE_SPAN.sub(" ", line)
    if _REFERENCE_DEF.match(text):
        return 0
    text = _INLINE_LINK.sub(lambda m: "" if m.group(1) else m.group(0).split("](", 1)[0], text)
    text = _HTML_TAG.sub(" ", text)
    return len(_WORD.findall(text))
