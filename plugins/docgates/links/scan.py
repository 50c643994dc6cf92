"""Find links and anchor ids in rendered HTML, and the source line each link came from.

The links gate reads the HTML the build really produced, so an anchor counts only when the
page really has that id (toc slugs, ``attr_list`` ids, ids in raw HTML), and a link counts
only when a reader can click it (text inside code blocks and inline code is never a link).
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from html import escape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, unquote

from docgates.core.content_cache import ContentCache, content_key
from docgates.core.markdown_outline import replace_code_spans, source_lines

# Bump when what scan_html finds changes, so old cache entries are ignored.
SCAN_VERSION = 1

# Element -> attributes that hold a URL a reader's browser follows or loads.
URL_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "a": ("href",),
    "area": ("href",),
    "img": ("src", "srcset"),
    "source": ("src", "srcset"),
    "video": ("src", "poster"),
    "audio": ("src",),
    "track": ("src",),
    "iframe": ("src",),
    "embed": ("src",),
    "object": ("data",),
}
IMAGE_TAGS = frozenset({"img", "source", "video"})


@dataclass(frozen=True)
class RenderedLink:
    """One URL in a page's rendered HTML (``tag`` is ``a``, ``img``...)."""

    url: str
    tag: str

    @property
    def kind(self) -> str:
        return "image" if self.tag in IMAGE_TAGS else "link"


@dataclass
class HtmlScan:
    links: list[RenderedLink] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)


class _LinkParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scan = HtmlScan()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        wanted = URL_ATTRIBUTES.get(tag, ())
        for name, value in attrs:
            if value is None:
                continue
            if name == "id" or (name == "name" and tag == "a"):
                self.scan.ids.add(value)
            elif name in wanted:
                urls = _srcset_urls(value) if name == "srcset" else [value.strip()]
                self.scan.links.extend(RenderedLink(url, tag) for url in urls if url)

    handle_startendtag = handle_starttag


def scan_html(html: str) -> HtmlScan:
    """Every link and every id of one page body, in document order."""
    parser = _LinkParser()
    parser.feed(html)
    parser.close()
    return parser.scan


class ScanCache:
    """``scan_html`` results by a hash of the page body: an unchanged page is not parsed again."""

    def __init__(self, path: Path | None, read_ahead: bool = False) -> None:
        self.cache = ContentCache(path, version=f"scan-{SCAN_VERSION}", read_ahead=read_ahead)

    def scan(self, html: str, key: str | None = None) -> HtmlScan:
        """``scan_html(html)``; ``key`` is ``content_key(html)`` when the caller has it."""
        key = key or content_key(html)
        entry = self.cache.get(key)
        if entry is not None:
            try:
                links, ids = entry
                return HtmlScan([RenderedLink(url, tag) for url, tag in links], set(ids))
            except (ValueError, TypeError):
                self.cache.miss(key)
        scan = scan_html(html)
        self.cache.put(key, [[[l.url, l.tag] for l in scan.links], sorted(scan.ids)])
        return scan

    def close(self) -> None:
        self.cache.close()


def _srcset_urls(value: str) -> list[str]:
    # "a.png 1x, b.png 2x": the URL is the first word of each candidate.
    return [part.split()[0] for part in value.split(",") if part.split()]


# -- source lines ------------------------------------------------------------------------
# What may stand right before a URL in Markdown or HTML source: "(url", "<url>", "href='url'",
# "[ref]: url", or a bare URL after a space.
_BEFORE = set("(<\"'= \t:")
_AFTER = set(")>\"' \t")


class SourceLocator:
    """Finds the line of a link in a page's Markdown source, outside code and comments.

    The build only tells which links a page has, not where; the same href written twice is
    matched occurrence by occurrence, so each finding points at its own line.
    """

    def __init__(self, text: str, first_line: int = 1) -> None:
        self.lines = _mask_code(text)
        self.first_line = first_line
        # One string and its line starts: str.find over it runs in C, so a page with
        # thousands of links (a generated 5 MB page) is not a Python loop per link and line.
        self._text = "\n".join(self.lines)
        self._starts = [0]
        for line in self.lines[:-1]:
            self._starts.append(self._starts[-1] + len(line) + 1)
        self._found: dict[tuple[str, bool], list[int]] = {}

    def line_of(self, href: str, occurrence: int = 0) -> int:
        """The line of the ``occurrence``-th time ``href`` is written (else of its fragment,
        else the first line of the body)."""
        found = self.find(href, occurrence)
        return self.first_line if found is None else found

    def find(self, href: str, occurrence: int = 0) -> int | None:
        for variant in _variants(href):
            lines = self._occurrences(variant)
            if lines:
                return lines[min(occurrence, len(lines) - 1)]
        fragment = href.partition("#")[2]
        if fragment:
            lines = self._occurrences("#" + fragment, loose=True)
            if lines:
                return lines[0]
        return None

    def _occurrences(self, needle: str, loose: bool = False) -> list[int]:
        cached = self._found.get((needle, loose))
        if cached is not None:
            return cached
        found: list[int] = []
        text = self._text
        start = text.find(needle) if "\n" not in needle else -1
        while start != -1:
            end = start + len(needle)
            before_ok = loose or start == 0 or text[start - 1] == "\n" or text[start - 1] in _BEFORE
            after_ok = (
                end == len(text) or text[end] in _AFTER or text[end] == "\n" or (loose and not text[end].isalnum())
            )
            if before_ok and after_ok:
                found.append(bisect_right(self._starts, start))
            start = text.find(needle, start + 1)
        self._found[(needle, loose)] = found
        return found


def _variants(href: str) -> list[str]:
    variants = [href, unquote(href), escape(href, quote=False), quote(href, safe="/#:?&=%@+~")]
    return [v for i, v in enumerate(variants) if v and v not in variants[:i]]


def _mask_code(text: str) -> list[str]:
    """The lines of ``text`` with fenced code blocks, inline code and HTML comments blanked."""
    masked = [""] * len(text.splitlines())
    for index, line in source_lines(text):
        if line:
            masked[index] = replace_code_spans(line, lambda code: " " * len(code))
    return masked
