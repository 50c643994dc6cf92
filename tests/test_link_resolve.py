"""The one resolver of links written in Markdown source, and the one fence masker."""

from __future__ import annotations

import pytest

from docgates.core.markdown_outline import outline
from docgates.leaderboard.probes import count_broken, link_path, resolve_links
from docgates.links.resolve import link_destinations
from docgates.links.scan import SourceLocator


@pytest.mark.parametrize(
    ("page", "target", "expected"),
    [
        ("guide/a.md", "../setup.md#part", ("setup.md",)),
        ("guide/a.md", "b.md?plain=1", ("guide/b.md",)),
        ("a.md", "/guide/b.md", ("guide/b.md",)),
        ("a.md", "my%20page.md", ("my page.md",)),
        # URL-style: from the file's folder, then from the page's URL guide/a/.
        ("guide/a.md", "../setup/", ("setup.md", "setup/index.md", "setup/README.md",
                                     "guide/setup.md", "guide/setup/index.md", "guide/setup/README.md")),
        # An index page's URL is its folder: one way to read the link only.
        ("guide/index.md", "../setup/", ("setup.md", "setup/index.md", "setup/README.md")),
        ("guide/a.md", "./", ("guide.md", "guide/index.md", "guide/README.md", "guide/a.md",
                              "guide/a/index.md", "guide/a/README.md")),
        ("a.md", "../../out.md", ()),
        ("a.md", "https://example.com/a.md", ()),
        ("a.md", "//cdn.example.com/a.md", ()),
        ("a.md", "mailto:docs@example.com", ()),
    ],
)
def test_link_destinations(page, target, expected):
    assert link_destinations(page, target)[2] == expected


def test_fragment_only_link_names_no_file_but_keeps_its_anchor():
    assert link_destinations("a.md", "#Install%20it") == ("", "Install it", ())


def test_docs_day_count_reads_links_as_the_resolver_does():
    files = {"index.md", "guide/index.md", "guide/setup.md", "logo.png"}
    targets = ["setup.md", "../logo.png", "./", "../missing.md", "/abs.md", "../../out.md"]
    resolved = resolve_links(targets, "guide/page.md")
    # Absolute links and links out of docs/ are not counted; one of the rest is broken.
    assert resolved == ["guide/setup.md", "logo.png", "guide/", "missing.md"]
    assert count_broken(resolved, files) == 1
    assert link_path("./", "") == "./" and count_broken(["./"], files) == 0


BLOCKQUOTED = """\
> ```markdown
> [not a link](missing.md)
> ```

[real](real.md) <!-- [hidden](a.md) --> text <!-- [hidden too](b.md) --> [also](also.md)
"""


def test_blockquoted_fence_hides_its_links_from_outline_and_locator():
    assert [link.target for link in outline(BLOCKQUOTED).links] == ["real.md", "also.md"]
    locator = SourceLocator(BLOCKQUOTED)
    assert locator.find("missing.md") is None
    assert locator.find("b.md") is None
    assert locator.find("also.md") == 5
