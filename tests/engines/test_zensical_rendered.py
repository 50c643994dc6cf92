"""``docgates build --engine zensical`` judges the HTML Zensical itself renders (readability,
links, anchors), not a second Python-Markdown rendering of the pages."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import REPO_ROOT, base_env
from docgates.engines.zensical.built_page import BuiltPages, read_built_page
from docgates.engines.zensical.probe import CONTENT_END, CONTENT_START, WRITTEN_ATTRIBUTE
from .test_engines import PROSE, docgates, make_project, needs, page, report


def _rules(site: Path) -> dict[str, list[str]]:
    data = report(site)
    return {p["path"]: sorted(f["rule"] for f in p["findings"]) for p in data["pages"]}


@needs("mkdocs", "zensical")
def test_each_engine_is_judged_on_the_html_it_serves(tmp_path):
    """Without ``markdown_extensions`` MkDocs renders with toc and tables alone, Zensical with
    its own defaults (attr_list among them), and Zensical rewrites links in raw HTML, which
    MkDocs copies as written. A link that works for Zensical's readers is no finding there."""
    root = tmp_path / "project"
    make_project(root, plugins=["search", "docgates/links"], clean=True)
    config = yaml.safe_load((root / "mkdocs.yml").read_text(encoding="utf-8"))
    del config["markdown_extensions"]
    (root / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    body = "## Setup {#setup-steps}\n\n" + PROSE + "\n\n[Go](#setup-steps) and <a href=\"stale.md\">the old page</a>.\n"
    (root / "docs" / "ids.md").write_text(page({"owner": "@docs-team"}, "Ids", body), encoding="utf-8")
    rules = {}
    for engine in ("mkdocs", "zensical"):
        proc = docgates(root, "build", "--engine", engine, "-d", f"site-{engine}")
        assert "Traceback" not in proc.stderr, proc.stderr[-2000:]
        rules[engine] = _rules(root / f"site-{engine}")
    assert rules["mkdocs"]["ids.md"] == ["links/anchor", "links/broken"]
    assert rules["zensical"]["ids.md"] == []
    html = (root / "site-zensical" / "ids" / "index.html").read_text(encoding="utf-8")
    assert 'id="setup-steps"' in html and 'href="../stale/"' in html
    # docgates' marks in Zensical's output are gone from what readers get.
    assert WRITTEN_ATTRIBUTE not in html and CONTENT_START not in html and CONTENT_END not in html


@needs("zensical")
def test_a_broken_link_in_zensical_html_is_quoted_and_located_as_written(tmp_path):
    """Zensical writes ``missing.md`` as ``../missing/``; the finding names the source."""
    root = tmp_path / "project"
    make_project(root, plugins=["search", "docgates/links"], clean=True)
    body = PROSE + "\n\nSee <a href=\"gone.md\">raw</a>.\n\n[Away](away.md#part)\n"
    (root / "docs" / "links.md").write_text(page({"owner": "@docs-team"}, "Links", body), encoding="utf-8")
    proc = docgates(root, "build", "--engine", "zensical")
    assert proc.returncode == 1, proc.stderr[-2000:]
    lines = [line for line in proc.stdout.splitlines() if line.startswith("links.md:")]
    assert lines == [
        "links.md:8: links/broken: link 'gone.md' points to 'gone.md', which is not a page or file in docs/; "
        "fix the path or add the missing file",
        "links.md:10: links/broken: link 'away.md#part' points to 'away.md', which is not a page or file in "
        "docs/; fix the path or add the missing file",
    ]


@pytest.fixture(scope="module")
def handbook_sites(tmp_path_factory):
    """The bundled handbook (a clone, with its history) built by MkDocs and by Zensical."""
    root = tmp_path_factory.mktemp("handbook") / "repo"
    subprocess.run(["git", "clone", "-q", str(REPO_ROOT), str(root)], env=base_env(), check=True, timeout=300)
    results = {}
    for engine in ("mkdocs", "zensical"):
        results[engine] = subprocess.run(
            [sys.executable, "-m", "docgates", "build", "--engine", engine, "-d", f"site-{engine}"],
            cwd=root, env=base_env(), capture_output=True, text=True, timeout=600,
        )
    return root, results


@needs("mkdocs", "zensical")
def test_the_handbook_gets_the_same_report_from_zensical_html(handbook_sites):
    """Readability scores, link counts and findings from Zensical's HTML are MkDocs' own."""
    root, results = handbook_sites
    for engine, proc in results.items():
        assert "Traceback" not in proc.stderr, f"{engine}: {proc.stderr[-2000:]}"
    assert results["zensical"].returncode == results["mkdocs"].returncode
    mkdocs, zensical = report(root / "site-mkdocs"), report(root / "site-zensical")
    scored = [p for p in mkdocs["pages"] if (p.get("readability") or {}).get("flesch_reading_ease") is not None]
    assert len(scored) >= 30
    assert zensical == mkdocs


def test_reading_a_built_page_takes_out_the_marks_and_keeps_the_rest():
    body = (
        f'{CONTENT_START}<h1 id="a">A &amp; <b>B</b><a class="headerlink" {WRITTEN_ATTRIBUTE}="#a" href="#a">&para;</a></h1>\n'
        f'<p>See <a {WRITTEN_ATTRIBUTE}="b.md#x" href="../b/#x">b</a>.</p>{CONTENT_END}'
    )
    frame = '<html><body><nav><a href="../">Home</a></nav><article class="md-content__inner md-typeset">\n{}\n</article><footer/></body></html>'
    page = frame.format(body)
    built = read_built_page(page)
    content = '<h1 id="a">A &amp; <b>B</b><a class="headerlink" href="#a">&para;</a></h1>\n<p>See <a href="../b/#x">b</a>.</p>'
    assert built.content == content
    assert built.edits.apply(page) == frame.format(content)
    # The header goes right under the h1, the marks out all the same.
    with_header = built.edits.apply(page, "<div>H</div>")
    assert with_header == frame.format(content.replace("</h1>", "</h1><div>H</div>"))
    assert built.pairs == [("#a", "#a"), ("b.md#x", "../b/#x")]
    # MkDocs' title from a render: the h1's text without its permalink, references as written.
    assert built.title == "A &amp; B"
    assert built.heading_ids == ["a"]


def test_a_page_read_again_from_the_cache_is_the_page_walked(tmp_path):
    """A rebuild in which Zensical served its pages from its cache: the marks come from
    docgates' cache, keyed by the page from its content area on, and say what a walk says."""
    body = (
        f'{CONTENT_START}<h1 id="a">A &amp; B</h1>\n'
        f'<p>See <a {WRITTEN_ATTRIBUTE}="b.md#x" href="../b/#x">b</a>.</p>{CONTENT_END}'
    )
    frame = '<html><body><nav>{}</nav><article class="md-content__inner md-typeset">\n{}\n</article></body></html>'
    cache = tmp_path / "pages.sqlite"
    first = BuiltPages(cache)
    walked = first.read(frame.format("one nav", body))
    first.close()
    again = BuiltPages(cache)
    # The navigation differs (another page's build), the content area does not: offsets move.
    page = frame.format("a longer navigation bar", body)
    cached = again.read(page)
    assert again._cache.hits == 1
    assert walked.content == cached.content and walked.pairs == cached.pairs == [("b.md#x", "../b/#x")]
    assert cached.title == "A &amp; B" and cached.heading_ids == ["a"]
    assert cached == read_built_page(page)
    assert cached.edits.apply(page, "<i>H</i>") == read_built_page(page).edits.apply(page, "<i>H</i>")
    # Another content area is walked, not taken from the cache.
    other = page.replace("A &amp; B", "C")
    assert again.read(other).title == "C"
    again.close()


def test_a_page_without_a_rendered_body_reads_as_none():
    """A page Zensical wrote from its cache of another config, or a theme without the marks."""
    frame = '<article class="md-content__inner"><h1>T</h1><p>x</p></article>'
    built = read_built_page(frame)
    assert built.content is None and built.title is None
    assert built.edits.apply(frame, "<div>H</div>") == frame.replace("</h1>", "</h1><div>H</div>")
    assert read_built_page("<html><p>no content area</p></html>").edits.header_at is None
