"""Put docgates' HTML into a page Zensical built, inside its content area only.

The content area is Zensical's ``<article class="md-content__inner ...">``; a tokenizer
(``html.parser``) walks it from its start tag, so nothing outside it, and nothing inside a
code block that merely looks like a heading, is touched.
"""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Callable, TypeVar

CONTENT_CLASS = "md-content__inner"
# The body of a placeholder page that a generated page's HTML replaces.
GENERATED_MARKER = "docgates-generated-page"


class Stop(Exception):
    """Raised by a walker when it has what it wants (or the tag is not the content area)."""


class ArticleWalker(HTMLParser):
    """A tokenizer fed a page from an ``<article`` on: offsets into that text, the content
    area's start tag checked (``Stop`` if it is not one), its end found (``Stop``)."""

    def __init__(self, text: str, convert_charrefs: bool = True) -> None:
        super().__init__(convert_charrefs=convert_charrefs)
        self.text = text
        # Where each line starts, found as far as the walk has got (it stops early).
        self._line_starts = [0]
        self.article_open: int | None = None
        self._depth = 0

    def position(self) -> int:
        line, column = self.getpos()
        starts = self._line_starts
        while len(starts) < line:
            starts.append(self.text.index("\n", starts[-1]) + 1)
        return starts[line - 1] + column

    def tag_end(self) -> int:
        return self.text.index(">", self.position()) + 1

    def open_article(self, tag: str, attrs) -> bool:
        """True for the content area's own start tag (taken note of); False inside it."""
        if self.article_open is None:
            classes = (dict(attrs).get("class") or "").split()
            if tag != "article" or CONTENT_CLASS not in classes:
                raise Stop
            self.article_open = self.position() + len(self.get_starttag_text() or "")
            return True
        if tag == "article":
            self._depth += 1
        return False

    def close_article(self, tag: str) -> None:
        if tag == "article":
            if self._depth == 0:
                raise Stop
            self._depth -= 1


W = TypeVar("W", bound=ArticleWalker)


def walk_content(page: str, make: Callable[[str], W]) -> tuple[int, W] | None:
    """The first content area of ``page`` walked by ``make(text from its start tag)``, with
    where it starts in ``page``; None without one."""
    start = page.find("<article")
    while start != -1:
        walker = make(page[start:])
        try:
            walker.feed(walker.text)
            walker.close()
        except Stop:
            pass
        if walker.article_open is not None:
            return start, walker
        start = page.find("<article", start + 1)
    return None


class _PlaceholderWalker(ArticleWalker):
    """Offsets of the content's first ``h1`` start and of the end of the paragraph holding
    only ``GENERATED_MARKER``."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.h1_start: int | None = None
        self.h1_done = False
        self.marker_end: int | None = None
        self._paragraph: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if self.open_article(tag, attrs):
            return
        if tag == "h1" and self.h1_start is None:
            self.h1_start = self.position()
        elif tag == "p" and self.h1_done:
            self._paragraph = []

    def handle_data(self, data):
        if self._paragraph is not None:
            self._paragraph.append(data)

    def handle_endtag(self, tag):
        if tag == "h1" and self.h1_start is not None:
            self.h1_done = True
        elif tag == "p" and self._paragraph is not None:
            if "".join(self._paragraph).strip() == GENERATED_MARKER:
                self.marker_end = self.tag_end()
                raise Stop
            self._paragraph = None
        else:
            self.close_article(tag)


def replace_placeholder(page: str, body: str) -> str | None:
    """The page with its placeholder (title ``h1`` up to the marker paragraph) replaced by a
    generated page's body; None if the page has no such placeholder."""
    found = walk_content(page, _PlaceholderWalker)
    if found is None:
        return None
    start, walker = found
    if walker.h1_start is None or walker.marker_end is None:
        return None
    return page[: start + walker.h1_start] + body + page[start + walker.marker_end :]
