"""Put docgates' HTML into a page Zensical built, inside its content area only.

The content area is Zensical's ``<article class="md-content__inner ...">``; a tokenizer
(``html.parser``) walks it from its start tag, so nothing outside it, and nothing inside a
code block that merely looks like a heading, is touched.
"""

from __future__ import annotations

from html.parser import HTMLParser

CONTENT_CLASS = "md-content__inner"
# The body of a placeholder page that a generated page's HTML replaces.
GENERATED_MARKER = "docgates-generated-page"


class _Found(Exception):
    pass


class _ContentWalker(HTMLParser):
    """Offsets (into the text fed) of the content area's start tag end, of its first ``h1``
    (start and end) and of the end of a paragraph holding only ``GENERATED_MARKER``."""

    def __init__(self, text: str, want_marker: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.text = text
        self.want_marker = want_marker
        # Where each line starts, found as far as the walk has got (it stops early).
        self._line_starts = [0]
        self.article_open: int | None = None
        self.h1_start: int | None = None
        self.h1_end: int | None = None
        self.marker_end: int | None = None
        self._depth = 0
        self._paragraph: list[str] | None = None

    def _offset(self) -> int:
        line, column = self.getpos()
        starts = self._line_starts
        while len(starts) < line:
            starts.append(self.text.index("\n", starts[-1]) + 1)
        return starts[line - 1] + column

    def _tag_end(self) -> int:
        return self.text.index(">", self._offset()) + 1

    def handle_starttag(self, tag, attrs):
        if self.article_open is None:
            classes = (dict(attrs).get("class") or "").split()
            if tag != "article" or CONTENT_CLASS not in classes:
                raise _Found  # not the content area
            self.article_open = self._offset() + len(self.get_starttag_text() or "")
            return
        if tag == "article":
            self._depth += 1
        elif tag == "h1" and self.h1_start is None:
            self.h1_start = self._offset()
        elif tag == "p" and self.want_marker and self.h1_end is not None:
            self._paragraph = []

    def handle_data(self, data):
        if self._paragraph is not None:
            self._paragraph.append(data)

    def handle_endtag(self, tag):
        if tag == "h1" and self.h1_start is not None and self.h1_end is None:
            self.h1_end = self._tag_end()
            if not self.want_marker:
                raise _Found
        elif tag == "p" and self._paragraph is not None:
            if "".join(self._paragraph).strip() == GENERATED_MARKER:
                self.marker_end = self._tag_end()
                raise _Found
            self._paragraph = None
        elif tag == "article":
            if self._depth == 0:
                raise _Found
            self._depth -= 1


def _walk(page: str, want_marker: bool) -> tuple[int, _ContentWalker] | None:
    start = page.find("<article")
    while start != -1:
        walker = _ContentWalker(page[start:], want_marker)
        try:
            walker.feed(walker.text)
            walker.close()
        except _Found:
            pass
        if walker.article_open is not None:
            return start, walker
        start = page.find("<article", start + 1)
    return None


def insert_header(page: str, header: str) -> str | None:
    """The page with ``header`` right under the content's first ``h1`` (where docgates'
    Material partial puts it), else at the top of the content; None without a content area."""
    found = _walk(page, want_marker=False)
    if found is None:
        return None
    start, walker = found
    at = start + (walker.h1_end if walker.h1_end is not None else walker.article_open)
    return page[:at] + header + page[at:]


def replace_placeholder(page: str, body: str) -> str | None:
    """The page with its placeholder (title ``h1`` up to the marker paragraph) replaced by a
    generated page's body; None if the page has no such placeholder."""
    found = _walk(page, want_marker=True)
    if found is None:
        return None
    start, walker = found
    if walker.h1_start is None or walker.marker_end is None:
        return None
    return page[: start + walker.h1_start] + body + page[start + walker.marker_end :]
