"""The outline of a Markdown page: headings, task items, links and words, outside code.

One pass over the lines of the page body. Fenced code blocks (any indentation, so fences in
list items count too) and HTML comments are skipped, and headings indented four spaces or more
are not headings, so a ``## Steps`` line in a code example is not a section and a ``- [ ]`` in
a comment is not a task.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Iterator

# Every pattern here runs on page lines of any length (issue 34: a line of 120,000 spaces). None
# may start a repeat at each of many places and scan on from each, or split one run of spaces
# between two repeats: that is quadratic, minutes on such a line. So trailing spaces, attribute
# lists, closing hashes and code spans are cut with str methods, and a run of spaces that two
# repeats could share is taken whole ("*+").
# The one fence test of docgates (links.scan masks code with source_lines too). A fence may
# stand in a list item or a blockquote ("> ```"); the run of ">" and spaces before it is
# taken whole ("*+"), as "\s*" beside "[>\s]*" split a line of spaces every possible way.
_FENCE = re.compile(r"^[>\s]*+(`{3,}|~{3,})")
# The heading text keeps its trailing spaces (heading_text drops them): a lazy ".*?" before
# "[ \t]*$" would scan the rest of the line again for each character it takes.
_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*))?$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_BACKTICKS = re.compile(r"`+")
_TASK = re.compile(r"^\s*(?:[-*+]|\d{1,9}[.)])[ \t]+\[([ xX])\][ \t]+(.*)$")
_LIST_OR_QUOTE = re.compile(r"^\s*(?:[-*+>|]|\d{1,9}[.)])(?:\s|$)")
# Bounded repeats and no "[" inside the text keep these linear on hostile lines ("[[[[...").
# The spaces around the URL are taken whole; the look-behind asks for one before a title.
_INLINE_LINK = re.compile(
    r"(!?)\[(?:[^\[\]\\]|\\.){0,300}\]\(\s*+<?([^()\s<>]{0,2000})>?"
    r"(?:\s*+(?<=\s)[\"'(][^()]{0,500})?\)"
)
_REFERENCE_DEF = re.compile(r"^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s.*)?$")
# No "<" inside (CommonMark allows none): else each "<" would scan to the end of the line.
_AUTOLINK = re.compile(r"<([a-zA-Z][a-zA-Z0-9+.-]*:[^<>\s]+)>")
_HTML_TAG = re.compile(r"<[^<>]{0,1000}>")
# An address in raw HTML (``<a href>``, ``<img src>``): the rendered page keeps it as written.
_HTML_URL = re.compile(r"""\b(?:href|src)\s*+=\s*+["']([^"']{1,2000})["']""", re.IGNORECASE)
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
    text = _without_closing_hashes(_without_attr_list(raw))
    return " ".join(text.split())


def _without_attr_list(text: str) -> str:
    """``text`` without a trailing attribute list (``{#id}``, ``{: .class}``, ``{.class}``)."""
    body = text.rstrip()
    if not body.endswith("}"):
        return text
    # The list opens at the first "{:", "{#" or "{." after the "}" before the last one.
    last = len(body) - 1
    opening = body.find("{", body.rfind("}", 0, last) + 1, last)
    while opening != -1 and body[opening + 1] not in ":#.":
        opening = body.find("{", opening + 1, last)
    return text if opening == -1 else body[:opening].rstrip()


def _without_closing_hashes(text: str) -> str:
    """``text`` without an ATX heading's closing ``#`` run (a space or tab must precede it)."""
    body = text.rstrip(" \t")
    before = body.rstrip("#")
    if before == body or before[-1:] not in ("", " ", "\t"):
        return text
    return before.rstrip(" \t")


def code_spans(line: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each code span in ``line``, as Python-Markdown finds them.

    A run of n backticks is closed by the next run of exactly n; when no such run follows,
    its first n-1 backticks open a span that a run of n-1 closes, and so on down to one.
    One cursor per run width only moves forward, so each run is looked at a bounded number of
    times (a regex tries every opening run against the rest of the line).
    """
    if "`" not in line:
        return []
    runs = [match.span() for match in _BACKTICKS.finditer(line)]
    runs_of_width: dict[int, list[int]] = {}
    for index, (start, end) in enumerate(runs):
        runs_of_width.setdefault(end - start, []).append(index)
    cursors = dict.fromkeys(runs_of_width, 0)
    spans: list[tuple[int, int]] = []
    index = 0
    while index < len(runs):
        start, end = runs[index]
        closer = None
        for width in range(end - start, 0, -1):
            candidates = runs_of_width.get(width)
            if candidates is None:
                continue
            cursor = cursors[width]
            while cursor < len(candidates) and candidates[cursor] <= index:
                cursor += 1
            cursors[width] = cursor
            if cursor < len(candidates):
                closer = candidates[cursor]
                break
        if closer is None:
            index += 1
            continue
        spans.append((start, runs[closer][1]))
        index = closer + 1
    return spans


def replace_code_spans(line: str, replacement: Callable[[str], str]) -> str:
    """``line`` with each code span, backticks included, replaced by ``replacement(span)``."""
    parts: list[str] = []
    position = 0
    for start, end in code_spans(line):
        parts.append(line[position:start])
        parts.append(replacement(line[start:end]))
        position = end
    if not parts:
        return line
    parts.append(line[position:])
    return "".join(parts)


def source_lines(body: str) -> Iterator[tuple[int, str | None]]:
    """``(index, line)`` for each line of ``body`` outside fenced code, with HTML comments cut
    out; a fence's opening line comes as ``(index, None)``, so callers can reset what they
    carry from line to line (a setext heading's text cannot span a fence)."""
    fence: str | None = None
    in_comment = False
    for index, line in enumerate(body.splitlines()):
        if fence is not None:
            stripped = line.strip().lstrip("> ").strip()
            if stripped.startswith(fence) and not stripped.strip(fence[0]):
                fence = None
            continue
        if in_comment:
            if "-->" not in line:
                continue
            in_comment = False
            line = line.split("-->", 1)[1]
        # Substring test first: most lines hold no fence, and the regex is the costlier check.
        opening = _FENCE.match(line) if ("```" in line or "~~~" in line) else None
        if opening:
            fence = opening.group(1)
            yield index, None
            continue
        if "<!--" in line:
            line, in_comment = _cut_comments(line)
        yield index, line


def _cut_comments(line: str) -> tuple[str, bool]:
    """``line`` without its HTML comments, and whether the last one stays open. Found by
    position, never by slicing off the rest: a line of many comments stays linear."""
    kept: list[str] = []
    position = 0
    while True:
        start = line.find("<!--", position)
        if start == -1:
            kept.append(line[position:])
            return "".join(kept), False
        kept.append(line[position:start])
        end = line.find("-->", start + 4)
        if end == -1:
            return "".join(kept), True
        position = end + 3


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


def link_targets(body: str, *, rendered: bool = False) -> list[str]:
    """The targets of the internal links ``outline(body).links`` finds, in order, without
    building the rest of the outline (words, headings, tasks).

    The same line walk as ``outline`` (``source_lines``), skipping ATX heading lines too. A
    line with neither ``[`` nor ``<`` holds no link of any kind.

    With ``rendered``, every internal address the rendered page will hold instead: images too
    (a badge inside a link as well), links in headings and raw HTML ``href``/``src``. Those are
    what the links gate judges, so ``check --changed-since`` asks this for the pages that may
    link to a removed file; the docs-day probes keep counting what the outline counts.
    """
    if "[" not in body and "<" not in body:
        return []
    targets: list[str] = []
    for _, line in source_lines(body):
        if line is None or ("[" not in line and "<" not in line) or (not rendered and _ATX.match(line)):
            continue
        targets.extend(link.target for link in _links(line, 0, rendered) if link.internal)
    return targets


def _links(line: str, number: int, rendered: bool = False) -> list[Link]:
    plain = replace_code_spans(line, lambda code: "")
    found: list[Link] = []
    if rendered:
        images = [Link(m.group(2), number) for m in _INLINE_LINK.finditer(plain) if m.group(1)]
        found.extend(images)
        found.extend(Link(m.group(1), number) for m in _HTML_URL.finditer(plain))
        # A link's text holds no "[" for _INLINE_LINK, so an image inside it
        # ("[![build](badge.svg)](ci.md)") hides the link: read the links with images taken out.
        if images:
            plain = _INLINE_LINK.sub(lambda m: "image" if m.group(1) else m.group(0), plain)
    found.extend(Link(m.group(2), number) for m in _INLINE_LINK.finditer(plain) if not m.group(1))
    definition = _REFERENCE_DEF.match(plain)
    if definition:
        found.append(Link(definition.group(1), number))
    found.extend(Link(m.group(1), number) for m in _AUTOLINK.finditer(plain))
    return found


def _count_words(line: str) -> int:
    text = replace_code_spans(line, lambda code: " ")
    if _REFERENCE_DEF.match(text):
        return 0
    text = _INLINE_LINK.sub(lambda m: "" if m.group(1) else m.group(0).split("](", 1)[0], text)
    text = _HTML_TAG.sub(" ", text)
    return len(_WORD.findall(text))
