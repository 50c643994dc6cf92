"""The prose of a rendered page: what a reader reads as sentences, nothing else.

Readability formulas count words per sentence and syllables per word, so anything that is
not running text skews them: one URL moved Flesch Reading Ease by ~15 points in our
measurements, and scoring raw Markdown instead of its prose by ~40. The extractor streams
over the page HTML once (no document tree) and keeps paragraphs, list items, headings,
definitions and quotes; it drops code (blocks and inline), tables, images, scripts, header
permalinks, admonition titles, footnote markers, content-tab labels, generated API reference
(mkdocstrings and mkautodoc blocks: signatures and docstrings read like code, not like the
page's prose) and list items and paragraphs whose only words are links (an index page's list
of links is navigation, not sentences). Every block ends as a sentence, so a heading or a list
item without a full stop does not run into the next one, and URLs become the single word "link".
"""

from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

# Elements whose whole content is not prose.
SKIPPED_TAGS = frozenset({
    "pre", "code", "samp", "script", "style", "template", "noscript", "table", "svg", "math",
    "img", "picture", "video", "audio", "iframe", "object", "canvas", "button", "select",
    "textarea", "label", "summary",
})
# Elements recognised by class (Python-Markdown, pymdown-extensions and Material markup).
SKIPPED_CLASSES = frozenset({
    "headerlink", "admonition-title", "footnote-ref", "footnote-backref", "arithmatex",
    "tabbed-labels", "md-annotation", "mermaid", "highlight", "highlighttable", "codehilite",
    "linenos", "katex", "MathJax",
    # Generated API reference. mkdocstrings wraps each object in <div class="doc doc-object
    # doc-KIND"> (its heading "doc-heading", signature "doc-signature", docstring "doc-contents");
    # mkautodoc in <div class="autodoc"> with "autodoc-signature", "autodoc-docstring" and
    # "autodoc-members". The inner classes count too, for themes that override the wrapper.
    "doc-object", "doc-heading", "doc-signature", "doc-contents",
    "autodoc", "autodoc-signature", "autodoc-docstring", "autodoc-members",
})
# Blocks that are not prose when every word in them is the text of a link.
LINK_LIST_BLOCKS = frozenset({"li", "p"})
# Elements that start and end a block of text; a block always ends a sentence.
BLOCK_TAGS = frozenset({
    "p", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
    "div", "section", "article", "aside", "header", "footer", "nav", "main", "figure",
    "figcaption", "details", "caption", "hr", "address", "fieldset", "legend", "form",
})
VOID_TAGS = frozenset({
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
    "track", "wbr",
})

# An email address is tried only where a run of its characters starts: tried at each word of
# "a.b.c.d...", it rescanned the rest of the run each time (quadratic). The run's leading ".+-"
# stay as text ("lead"), and a web address starting there still goes first, as it did when the
# match started at the run's first word character.
_WEB_PREFIX = r"(?:https?|ftp|file)://|www\.|mailto:"
URL = re.compile(
    rf"""\b(?:{_WEB_PREFIX})[^\s<>"']*[^\s<>"'.,;:!?)\]}}]"""
    rf"""|(?<![\w.+-])(?P<lead>[.+-]*)\b(?!{_WEB_PREFIX})[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b"""
)
URL_REPLACEMENT = "link"
_URL_SUBSTITUTE = r"\g<lead>" + URL_REPLACEMENT
# Only from the first of a run of stops: from each later one it rescanned the same run.
_SENTENCE_END = re.compile(r"""(?<![.!?…])[.!?…]+["'”’)\]]*\s+""")
_TERMINATED = re.compile(r"""[.!?…]["'”’)\]]*$""")
_OPENERS = "\"'“‘([¿¡"
_WORD = re.compile(r"\w+")


@dataclass
class Prose:
    """A page's prose as blocks (one per paragraph, heading, list item...) of sentences."""

    blocks: list[str] = field(default_factory=list)

    @property
    def sentences(self) -> list[str]:
        return [sentence for block in self.blocks for sentence in split_sentences(block)]

    @property
    def text(self) -> str:
        """All prose, each block a sentence (or several), ready for the formulas."""
        return " ".join(self.blocks)


# Elements that can sit inside a skipped element without changing what the extractor
# collects around it: no blocks (a block would end the sentence before the skipped element),
# no raw-text elements (their content is not markup).
INERT_TAGS = frozenset({
    "span", "code", "a", "em", "strong", "b", "i", "u", "s", "del", "ins", "sub", "sup", "small",
    "mark", "kbd", "var", "samp", "abbr", "q", "cite", "dfn", "time", "data", "br", "wbr", "img",
    "pre", "tr", "td", "th", "thead", "tbody", "tfoot", "col", "colgroup",
})
# A start or end tag written the plain way (ASCII names, spaces that end a tag name,
# double-quoted attributes without < or >), which HTMLParser reads as exactly that tag:
# (end tag name, start tag name, "/" if empty).
_PLAIN_TAG = re.compile(
    r"""<(?:/([a-zA-Z][a-zA-Z0-9]*)[ \t\n\r\f]*|([a-zA-Z][a-zA-Z0-9]*)"""
    r"""(?:[ \t\n\r\f]+[a-zA-Z_:][-a-zA-Z0-9_:.]*(?:[ \t\n\r\f]*=[ \t\n\r\f]*"[^"<>]*")?)*"""
    r"""[ \t\n\r\f]*(/?))>"""
)


class ProseExtractor(HTMLParser):
    """Collects prose blocks while streaming over HTML; feed it, then ``close()``.

    Skipped content is mostly code and tables: many tags (a highlighted line of code is a dozen
    spans) and no prose. When the content of a skipped element is only plain inline or table
    markup (``_inert_until``), the parser jumps over it to the element's end tag instead of
    reading it tag by tag; what it collects is the same.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.prose = Prose()
        self._open: list[tuple[str, bool]] = []  # (tag, skipped) of each open element
        self._skipping = 0
        self._buffer: list[str] = []
        self._opened_skipped: tuple[str, int] | None = None  # (tag, depth) just opened, skipped
        self._links = 0  # open <a> elements
        self._blocks: list[str] = []  # open block elements, innermost last
        self._unlinked = False  # the current block has a word outside any link

    def parse_starttag(self, i: int) -> int:
        end = super().parse_starttag(i)
        opened = self._opened_skipped
        if opened is not None:
            self._opened_skipped = None
            # Still open (not <tag/>), a plain name, and what follows is markup (not raw text).
            tag, depth = opened
            if (
                end > 0 and len(self._open) == depth and tag.isascii() and tag.isalnum()
                and getattr(self, "cdata_elem", None) is None
            ):
                return self._inert_until(end, tag)
        return end

    def _inert_until(self, start: int, tag: str) -> int:
        """Where ``tag``'s end tag starts, if what lies before it changes nothing; else ``start``."""
        rawdata = self.rawdata
        closing = _end_tag(tag).search(rawdata, start)
        if closing is None:
            return start
        content = rawdata[start : closing.start()]
        if "<" not in content:
            return closing.start()
        tags = _PLAIN_TAG.findall(content)
        if len(tags) != content.count("<"):
            return start  # a comment, a declaration, an unusual tag: let the parser read it
        inner: list[str] = []
        for end_name, start_name, empty in tags:
            name = (end_name or start_name).lower()
            if name not in INERT_TAGS:
                return start
            if end_name:
                if name in VOID_TAGS:
                    continue
                # It must close an element opened here, or it would close one outside.
                for index in range(len(inner) - 1, -1, -1):
                    if inner[index] == name:
                        del inner[index:]
                        break
                else:
                    return start
            elif not empty and name not in VOID_TAGS:
                if name == tag:
                    return start  # nested: the end tag found above would be the inner one's
                inner.append(name)
        return closing.start()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID_TAGS:
            if tag in BLOCK_TAGS:
                self._end_block()
            elif tag in ("br", "wbr") and not self._skipping:
                self._buffer.append(" ")
            return
        skipped = tag in SKIPPED_TAGS
        if not skipped and attrs:
            classes = None
            for name, value in attrs:
                if name == "class":
                    classes = value  # the last one counts, as in dict(attrs)
            skipped = bool(classes) and not SKIPPED_CLASSES.isdisjoint(classes.split())
        if tag in BLOCK_TAGS:
            self._end_block()
            self._blocks.append(tag)
        elif tag == "a":
            self._links += 1
        self._open.append((tag, skipped))
        if skipped:
            self._skipping += 1
            self._opened_skipped = (tag, len(self._open))

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID_TAGS:
            return
        opened = self._open
        if opened and opened[-1][0] == tag:
            _, skipped = opened.pop()
            self._skipping -= skipped
            if tag in BLOCK_TAGS:
                self._blocks.pop()
                self._end_block(tag)
            elif tag == "a":
                self._links -= 1
            return
        # Close up to the innermost open element of this name; a stray end tag is ignored.
        for index in range(len(opened) - 1, -1, -1):
            if opened[index][0] == tag:
                break
        else:
            return
        for open_tag, skipped in reversed(opened[index:]):
            self._skipping -= skipped
            if open_tag in BLOCK_TAGS:
                self._blocks.pop()
                self._end_block(open_tag)
            elif open_tag == "a":
                self._links -= 1
        del opened[index:]

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self._buffer.append(data)
            if not self._links and not self._unlinked and _WORD.search(data):
                self._unlinked = True

    def close(self) -> None:
        super().close()
        self._end_block()

    def _end_block(self, closing: str | None = None) -> None:
        """End the current block; ``closing`` is the block element whose end tag ends it (None:
        the next block starts, inside the innermost open one)."""
        unlinked, self._unlinked = self._unlinked, False
        if not self._buffer:
            return
        text = " ".join("".join(self._buffer).split())
        self._buffer.clear()
        if "://" in text or "@" in text or "www." in text or "mailto:" in text:  # what URL needs
            text = URL.sub(_URL_SUBSTITUTE, text)
        if not any(char.isalpha() for char in text):
            return
        if not unlinked and (closing or (self._blocks[-1] if self._blocks else None)) in LINK_LIST_BLOCKS:
            return  # only links: navigation, not a sentence
        if not _TERMINATED.search(text):
            # "Follow these steps:" and headings end here as sentences of their own.
            text = text.rstrip(" :;,-–—") + "."
        self.prose.blocks.append(text)


@functools.lru_cache(maxsize=64)
def _end_tag(tag: str) -> re.Pattern[str]:
    return re.compile(rf"</{tag}[ \t\n\r\f]*>", re.IGNORECASE | re.ASCII)


def extract_prose(html: str) -> Prose:
    parser = ProseExtractor()
    parser.feed(html)
    parser.close()
    return parser.prose


def split_sentences(block: str) -> list[str]:
    """Split at a full stop (or ! ? …) followed by a capital, digit or opening quote."""
    sentences: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(block):
        following = block[match.end() : match.end() + 1]
        if following and (following.isupper() or following.isdigit() or following in _OPENERS):
            sentences.append(block[start : match.end()].strip())
            start = match.end()
    rest = block[start:].strip()
    if rest:
        sentences.append(rest)
    return sentences


def words_of(text: str) -> list[str]:
    """The words of ``text``, lowercase."""
    if "\u0130" in text or "\u03a3" in text:
        # Lowercase, İ becomes two characters (the second no word character), and Σ becomes
        # σ or ς by what follows it: only here do the words of the lowercase text differ.
        return [word.lower() for word in _WORD.findall(text)]
    return _WORD.findall(text.lower())


def word_lengths(text: str) -> tuple[int, int]:
    """How many words ``words_of(text)`` has, and how many characters they have together."""
    words = _WORD.findall(text)
    if "\u0130" in text:
        return len(words), sum(len(word.lower()) for word in words)
    return len(words), len("".join(words))


class SourceLocator:
    """Finds the approximate Markdown line of a sentence of the rendered prose.

    Rendering loses line numbers, so a sentence is matched back to the source by its words:
    the first run of three consecutive words that also occurs in the source, after the place
    the previous sentence was found (ask in page order). Markup (``**``, link targets, line
    wraps) does not matter because only words are compared. ``line_of`` always has an answer:
    a sentence that is not in the source (a macro, an include or a plugin wrote it) gets the
    line where the previous sentence was found, else the first line.
    """

    WINDOW = 3

    def __init__(self, body: str, first_line: int = 1) -> None:
        # The source's words as one string " w1 w2 ... ", so a lookup is one str.find.
        parts: list[str] = []
        self._starts: list[int] = []  # offset in the string where each line's words start
        self._numbers: list[int] = []
        offset = 1
        for number, line in enumerate(body.splitlines(), start=first_line):
            words = words_of(line)
            if words:
                self._starts.append(offset)
                self._numbers.append(number)
                chunk = " ".join(words)
                parts.append(chunk)
                offset += len(chunk) + 1
        self._text = " " + " ".join(parts) + " "
        self._cursor = 0
        self._first_line = first_line
        self._last_line: int | None = None  # where the previous sentence was found

    def locate(self, sentence: str) -> int | None:
        """The line where ``sentence`` starts, or None when its words are not in the source."""
        words = words_of(sentence)
        for offset in range(max(len(words) - self.WINDOW + 1, 0)):
            needle = " " + " ".join(words[offset : offset + self.WINDOW]) + " "
            found = self._text.find(needle, self._cursor)
            if found < 0:
                found = self._text.find(needle)
            if found < 0:
                continue
            # The next sentence starts after this match (not after the whole sentence: the
            # prose may hold words the source does not, and overshooting would skip ahead).
            self._cursor = found + len(needle) - 1
            if offset:
                # Step back over the words before the window, as far as the source allows.
                start = found
                for _ in range(offset):
                    previous = self._text.rfind(" ", 0, start)
                    if previous < 0:
                        break
                    start = previous
                found = start
            self._last_line = self._numbers[max(bisect.bisect_right(self._starts, found + 1) - 1, 0)]
            return self._last_line
        return None

    def line_of(self, sentence: str) -> int:
        """The line where ``sentence`` starts, or the nearest line known before it."""
        line = self.locate(sentence)
        if line is not None:
            return line
        return self._first_line if self._last_line is None else self._last_line
