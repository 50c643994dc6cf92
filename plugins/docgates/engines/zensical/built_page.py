"""Read a page Zensical built: its body (what the rendered checks read, as MkDocs'
``on_page_content`` gives it), each link as written and as Zensical wrote it, the title MkDocs
would take from the body, and where docgates' header goes; and the page without the marks
``probe`` put into it.

A tokenizer (``html.parser``) walks the content area (``<article class="md-content__inner">``)
only, from its start tag to its end.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from docgates.core.content_cache import ContentCache, code_digest, content_key
from docgates.engines.zensical.inject import ArticleWalker, walk_content
from docgates.engines.zensical.probe import CONTENT_END, CONTENT_START, WRITTEN_ATTRIBUTE
from docgates.links.scan import URL_ATTRIBUTES

_WRITTEN = re.compile(rf"\s+{WRITTEN_ATTRIBUTE}\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>]+)")
_VOID = frozenset({"area", "br", "embed", "hr", "img", "input", "source", "track", "wbr"})
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})


@dataclass(frozen=True)
class Edits:
    """What docgates changes in a page Zensical wrote, by offset into it: its marks cut out,
    the header put in. Offsets, not the page: a site's pages are not held in memory."""

    # (start, end) of each mark, in order.
    cuts: tuple[tuple[int, int], ...] = ()
    # Where the header goes: under the content area's first h1; None without a content area.
    header_at: int | None = None

    def apply(self, page: str, header: str = "") -> str:
        """``page`` without the marks, with ``header`` (if any) at its place."""
        pieces: list[str] = []
        at = 0
        pending = self.header_at if header else None
        for a, b in self.cuts:
            if pending is not None and pending <= a:
                pieces += [page[at:pending], header]
                at, pending = pending, None
            pieces.append(page[at:a])
            at = b
        if pending is not None:
            at_header = max(pending, at)
            pieces += [page[at:at_header], header]
            at = at_header
        pieces.append(page[at:])
        return "".join(pieces)


@dataclass
class BuiltPage:
    edits: Edits = field(default_factory=Edits)
    # The page body between the marks (marks removed); None when Zensical wrote none.
    content: str | None = None
    # (as written, as Zensical wrote it) for each link of the body, in document order.
    pairs: list[tuple[str, str]] = field(default_factory=list)
    # The body's first element when it is an h1: its text, as MkDocs takes a page title.
    title: str | None = None
    heading_ids: list[str] = field(default_factory=list)


class _Walker(ArticleWalker):
    def __init__(self, text: str) -> None:
        # Character references kept as written: MkDocs' title keeps them too.
        super().__init__(text, convert_charrefs=False)
        self.h1_end: int | None = None
        self._h1_open = False
        self.content_start: int | None = None
        self.content_end: int | None = None
        # (start, end) of text to drop: the marks and the written attributes.
        self.cuts: list[tuple[int, int]] = []
        self.pairs: list[tuple[str, str]] = []
        self.heading_ids: list[str] = []
        self.title_parts: list[str] | None = None
        self._first_element_seen = False
        self._in_title = False
        self._skip_depth = 0  # inside the title's permalink or a footnote reference

    def _in_content(self) -> bool:
        return self.content_start is not None and self.content_end is None

    def handle_starttag(self, tag, attrs):
        if self.open_article(tag, attrs):
            return
        start_text = self.get_starttag_text() or ""
        if tag == "h1" and self.h1_end is None:
            self._h1_open = True
        values = dict(attrs)
        if self._in_content():
            written = values.get(WRITTEN_ATTRIBUTE)
            if written is not None:
                at = self.position()
                match = _WRITTEN.search(start_text)
                if match:
                    self.cuts.append((at + match.start(), at + match.end()))
                rendered = next(
                    (values[a] for a in URL_ATTRIBUTES.get(tag, ()) if a != "srcset" and values.get(a)), None
                )
                if rendered is not None:
                    self.pairs.append((written, rendered))
            if tag in _HEADINGS and values.get("id"):
                self.heading_ids.append(values["id"] or "")
            if not self._first_element_seen:
                self._first_element_seen = True
                if tag == "h1":
                    self._in_title = True
                    self.title_parts = []
                    return
            if self._in_title:
                classes = (values.get("class") or "").split()
                if tag in _VOID:
                    pass
                elif self._skip_depth or (tag == "a" and "headerlink" in classes) or (
                    tag == "sup" and (values.get("id") or "").startswith("fnref")
                ):
                    self._skip_depth += 1
                if tag == "img" and not self._skip_depth and values.get("alt") and self.title_parts is not None:
                    self.title_parts.append(values["alt"] or "")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if self._in_title:
            if self._skip_depth:
                self._skip_depth -= 1
            elif tag == "h1":
                self._in_title = False
        if tag == "h1" and self._h1_open and self.h1_end is None:
            self.h1_end = self.tag_end()
        else:
            self.close_article(tag)

    def handle_data(self, data):
        self._title_text(data)

    def handle_entityref(self, name):
        self._title_text(f"&{name};")

    def handle_charref(self, name):
        self._title_text(f"&#{name};")

    def _title_text(self, text: str) -> None:
        if self._in_title and not self._skip_depth and self.title_parts is not None:
            self.title_parts.append(text)

    def handle_comment(self, data):
        comment = f"<!--{data}-->"
        if comment == CONTENT_START and self.content_start is None:
            at = self.position()
            self.content_start = at + len(comment)
            self.cuts.append((at, self.content_start))
        elif comment == CONTENT_END and self._in_content():
            at = self.position()
            self.content_end = at
            self.cuts.append((at, at + len(comment)))


def read_built_page(page: str) -> BuiltPage:
    """What docgates needs from one page Zensical wrote (see the module's docstring)."""
    base = page.find("<article")
    return built_from(page, base, find_marks(page[base:]) if base != -1 else None)


@dataclass(frozen=True)
class Marks:
    """What the walk found, by offset into the page from its first ``<article``: values that
    depend on that text alone, so they can be kept by its content (``BuiltPages``)."""

    cuts: tuple[tuple[int, int], ...]
    header_at: int | None
    # (start, end) of the page body between the marks; None when Zensical wrote none.
    body: tuple[int, int] | None
    pairs: tuple[tuple[str, str], ...]
    title: str | None
    heading_ids: tuple[str, ...]

    def to_json(self) -> list:
        return [self.cuts, self.header_at, self.body, self.pairs, self.title, self.heading_ids]

    @classmethod
    def from_json(cls, value: list) -> "Marks":
        cuts, header_at, body, pairs, title, ids = value
        return cls(
            tuple((a, b) for a, b in cuts), header_at, tuple(body) if body else None,
            tuple((w, r) for w, r in pairs), title, tuple(ids),
        )


def find_marks(text: str) -> Marks | None:
    """The marks of ``text`` (a page from its first ``<article`` on); None without a content area."""
    found = walk_content(text, _Walker)
    if found is None:
        return None
    start, walker = found
    cuts = tuple(sorted((start + a, start + b) for a, b in walker.cuts))
    header = walker.h1_end if walker.h1_end is not None else walker.article_open
    body = title = None
    if walker.content_start is not None and walker.content_end is not None:
        body = (start + walker.content_start, start + walker.content_end)
        if walker.title_parts is not None:
            title = " ".join("".join(walker.title_parts).split())
    return Marks(
        cuts=cuts,
        header_at=None if header is None else start + header,
        body=body,
        pairs=tuple(walker.pairs),
        title=title,
        heading_ids=tuple(walker.heading_ids),
    )


def built_from(page: str, base: int, marks: Marks | None) -> BuiltPage:
    """The ``BuiltPage`` of ``page`` whose marks, from offset ``base`` on, are ``marks``."""
    if marks is None:
        return BuiltPage()
    built = BuiltPage(
        edits=Edits(
            tuple((base + a, base + b) for a, b in marks.cuts),
            None if marks.header_at is None else base + marks.header_at,
        ),
        pairs=list(marks.pairs),
        heading_ids=list(marks.heading_ids),
    )
    if marks.body is not None:
        begin, end = marks.body
        inside = Edits(tuple((a - begin, b - begin) for a, b in marks.cuts if begin <= a and b <= end))
        built.content = inside.apply(page[base + begin : base + end])
        built.title = marks.title
    return built


class BuiltPages:
    """``read_built_page`` with the marks kept by the text they were found in: a page that
    Zensical served from its own cache is the HTML of the last build, and is not walked again
    (the walk is most of what reading 2,000 pages costs). ``close`` saves what was added."""

    def __init__(self, path: Path | None) -> None:
        version = code_digest("engines/zensical/built_page.py", "engines/zensical/inject.py", "engines/zensical/probe.py")
        self._cache = ContentCache(path, version, read_ahead=True)

    def read(self, page: str) -> BuiltPage:
        base = page.find("<article")
        if base == -1:
            return BuiltPage()
        text = page[base:]
        key = content_key(text)
        cached = self._cache.get(key)
        marks = None
        if cached is not None:
            try:
                marks = Marks.from_json(cached)
            except (TypeError, ValueError):
                self._cache.miss(key)  # an entry of another shape: walk the page again
        if marks is None:
            marks = find_marks(text)
            if marks is not None:
                self._cache.put(key, marks.to_json())
        return built_from(page, base, marks)

    def close(self) -> None:
        self._cache.save()
        self._cache.close()
