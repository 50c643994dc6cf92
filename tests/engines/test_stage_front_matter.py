"""The Zensical staging reads front matter with docgates' depth-limited YAML loader: front
matter nested thousands of levels deep is staged as Markdown (MkDocs' reading of such a page),
never a RecursionError."""

from __future__ import annotations

from docgates.engines.zensical.stage import readable_for_zensical, with_escaped_title

DEEP = b"---\ntitle: '<b>x</b>'\na: " + b"[" * 5000 + b"\n---\n# Title\n\nBody.\n"


def test_deeply_nested_front_matter_is_staged_as_markdown():
    staged = readable_for_zensical(DEEP)
    assert staged == b"\n" + DEEP  # a leading blank line: Zensical renders it as Markdown
    assert with_escaped_title(DEEP) is None  # no mapping read, so no title to escape


def test_ordinary_front_matter_is_staged_unchanged():
    page = b"---\ntitle: Guide\nowner: '@docs'\n---\n# Guide\n"
    assert readable_for_zensical(page) == page
