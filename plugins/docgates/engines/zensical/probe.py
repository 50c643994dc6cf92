"""A Python-Markdown extension that ``docgates build --engine zensical`` adds to Zensical's
own Markdown rendering, so the gates' rendered checks can read Zensical's output instead of
rendering every page a second time.

Zensical rewrites links after Python-Markdown (``page.md`` becomes ``../page/``); the links
gate quotes and locates a link as the author wrote it. So each element with a URL carries the
href as written (``data-docgates-written``), and the page body sits between two comments,
telling it apart from the theme's frame around it. Both are marks in the HTML itself, not a
side file, because Zensical caches a page's HTML: a page it does not render again still has
them. ``built_page`` reads and removes them after the build.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from html import escape
from html.parser import HTMLParser

from markdown import Extension, Markdown
from markdown.postprocessors import Postprocessor
from markdown.treeprocessors import Treeprocessor

from docgates.links.scan import URL_ATTRIBUTES

# Zensical keys its cache of rendered pages by content and config, not by an extension's
# code: bump this (it goes into the config) when the marks change, so no page keeps old ones.
VERSION = 1
WRITTEN_ATTRIBUTE = "data-docgates-written"
CONTENT_START = "<!--docgates-content-->"
CONTENT_END = "<!--/docgates-content-->"
# Markdown hides backslash-escaped characters as STX<code>ETX until its "unescape" step.
_ESCAPED = re.compile("\x02(\\d+)\x03")


class _WrittenHrefs(Treeprocessor):
    def run(self, root: etree.Element) -> None:
        for element in root.iter():
            for attribute in URL_ATTRIBUTES.get(element.tag, ()):  # type: ignore[arg-type]
                value = element.get(attribute)
                # srcset holds several URLs; the MkDocs adapter does not pair it either.
                if value and attribute != "srcset":
                    element.set(WRITTEN_ATTRIBUTE, _ESCAPED.sub(lambda m: chr(int(m.group(1))), value))
                    break


class _RawHtmlHrefs(Postprocessor):
    """The same mark on links in raw HTML (which Zensical rewrites too, unlike MkDocs), put
    into Markdown's stash of raw HTML before it goes back into the page."""

    def run(self, text: str) -> str:
        blocks = self.md.htmlStash.rawHtmlBlocks
        for index, block in enumerate(blocks):
            if isinstance(block, str) and "<" in block and WRITTEN_ATTRIBUTE not in block:
                blocks[index] = _mark_raw_html(block)
        return text


class _TagFinder(HTMLParser):
    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.text = text
        self.line_starts = [0]
        for at, char in enumerate(text):
            if char == "\n":
                self.line_starts.append(at + 1)
        # (offset right after the tag name, the URL as written)
        self.marks: list[tuple[int, str]] = []

    def handle_starttag(self, tag, attrs):
        for attribute in URL_ATTRIBUTES.get(tag, ()):
            value = dict(attrs).get(attribute)
            if value and attribute != "srcset":
                line, column = self.getpos()
                self.marks.append((self.line_starts[line - 1] + column + 1 + len(tag), value))
                return

    handle_startendtag = handle_starttag


def _mark_raw_html(block: str) -> str:
    finder = _TagFinder(block)
    finder.feed(block)
    finder.close()
    for at, value in reversed(finder.marks):
        block = f'{block[:at]} {WRITTEN_ATTRIBUTE}="{escape(value)}"{block[at:]}'
    return block


class _TreeDone(Treeprocessor):
    def __init__(self, md: Markdown, marks: _ContentMarks) -> None:
        super().__init__(md)
        self.marks = marks

    def run(self, root: etree.Element) -> None:
        self.marks.document = True


class _ContentMarks(Postprocessor):
    """Marks the page body only: the toc extension also runs the postprocessors, over each
    heading's HTML (Zensical shows those in its table of contents), before this one's turn."""

    document = False

    def run(self, text: str) -> str:
        if not self.document:
            return text
        self.document = False
        return f"{CONTENT_START}{text}{CONTENT_END}"


class DocgatesProbe(Extension):
    def __init__(self, **kwargs) -> None:
        self.config = {"version": [VERSION, "the marks' version (see VERSION)"]}
        super().__init__(**kwargs)

    def extendMarkdown(self, md: Markdown) -> None:
        # After every extension has made its links (inline 20, attr_list 8, toc 5), as the
        # MkDocs adapter records them.
        md.treeprocessors.register(_WrittenHrefs(md), "docgates_written_hrefs", 0.5)
        # Before "raw_html" (30) puts the stash back into the page.
        md.postprocessors.register(_RawHtmlHrefs(md), "docgates_raw_html_hrefs", 31)
        marks = _ContentMarks(md)
        md.treeprocessors.register(_TreeDone(md, marks), "docgates_tree_done", -1000)
        # Last: around everything, raw HTML included.
        md.postprocessors.register(marks, "docgates_content_marks", -1000)


def makeExtension(**kwargs) -> DocgatesProbe:  # noqa: N802 - Python-Markdown's entry point name
    return DocgatesProbe(**kwargs)
