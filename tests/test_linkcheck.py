"""``docgates linkcheck``: a real LinkChecker crawl of a built site on a loopback server."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from docgates.core.findings import SeverityPolicy
from docgates.core.linkcheck import (
    SiteMap,
    SiteServer,
    classify,
    findings_for,
    linkchecker_config,
    CrawlOptions,
    merge_into_report,
    parse_csv,
)

INDEX = """\
# Home

## Start

[guide](guide.md) [missing](missing.md) [start](#start)

<a href="guide/#nowhere">raw anchor</a>
"""

GUIDE = """\
# Guide

Text.

<a href="../#gone">raw anchor home</a> and <a href="../gone/">raw gone</a>

<a href="../#gone">again</a>
"""


def build_site(site, index=INDEX, guide=GUIDE, **config):
    site.plugins("docgates/links")
    site.config.update(config)
    site.page("index.md", index)
    site.page("guide.md", guide)
    # A build with broken links fails, but the site and quality.json are written.
    return site.build()


def linkcheck(site, *args):
    return site.docgates("linkcheck", *args)


def test_linkcheck_finds_broken_links_and_anchors_and_maps_them_to_source_lines(site):
    # The footer link comes from mkdocs.yml through the theme: only the crawl can see it.
    build = build_site(site, copyright='<a href="/licence/">Licence</a>')
    assert build.returncode == 1
    proc = linkcheck(site, "site")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    assert [line.split(": ")[0:2] for line in lines] == [
        ["guide.md:1", "links/broken"],
        ["guide.md:5", "links/anchor"],
        ["guide.md:5", "links/broken"],
        ["index.md:1", "links/broken"],
        ["index.md:5", "links/broken"],
        ["index.md:7", "links/anchor"],
    ]
    assert "link '/licence/' leads to /licence/: 404 File not found (LinkChecker) (not in this page's Markdown" in lines[0]
    assert "link 'missing.md' leads to /missing.md: 404" in lines[4]
    assert "link 'guide/#nowhere' leads to /guide/#nowhere, but that page has no such anchor" in lines[5]
    assert "Traceback" not in proc.stderr
    assert "URLs fetched" in proc.stderr

    # What the build already reported is not counted twice; what only the crawl saw is added.
    report = json.loads((site.root / "site" / "quality.json").read_text())
    pages = {p["path"]: p for p in report["pages"]}
    assert [(f["line"], f["rule"], f.get("source")) for f in pages["index.md"]["findings"]] == [
        (5, "links/broken", None),
        (7, "links/anchor", None),
        (1, "links/broken", "linkcheck"),
    ]
    assert report["summary"]["errors"] == build.report["summary"]["errors"] + 2
    assert report["site"]["linkcheck"]["already_reported_by_build"] == 4

    # A second run replaces its findings instead of adding them again.
    again = linkcheck(site, "site", "--format", "json")
    assert again.returncode == 1
    assert len(json.loads(again.stdout)["findings"]) == 6
    assert json.loads((site.root / "site" / "quality.json").read_text())["summary"] == report["summary"]


def test_linkcheck_of_a_clean_site_passes(site):
    build = build_site(site, index="# Home\n\n## Start\n\n[guide](guide.md#guide) [start](#start)\n", guide="# Guide\n\n[home](index.md)\n")
    assert build.returncode == 0, build.output
    proc = linkcheck(site)  # SITE_DIR defaults to ./site
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout == ""


def test_linkcheck_without_a_site_is_a_usage_error(site, tmp_path):
    proc = site.docgates("linkcheck", str(tmp_path / "nope"))
    assert proc.returncode == 2
    assert "no built site here" in proc.stderr and "mkdocs build" in proc.stderr
    assert "Traceback" not in proc.stderr


# -- pieces, without LinkChecker ------------------------------------------------------------
CSV = """\
# created by LinkChecker at 2026-11-24 11:20:18+000
urlname;parentname;base;result;warningstring;infostring;valid;url;line;column;name;dltime;size;checktime;cached;level;modified
gone.md;http://127.0.0.1:9/a/;;404 File not found;;;False;http://127.0.0.1:9/a/gone.md;3;1;x;-1;0;0;0;1;
#top-x;http://127.0.0.1:9/;;200 OK;Anchor `top-x' (decoded: `top-x') not found. Available anchors: `a'.;;True;http://127.0.0.1:9/#top-x;4;1;y;0;0;0;0;1;
../;http://127.0.0.1:9/a/;;200 OK;Redirected to `x'.;;True;http://127.0.0.1:9/;5;1;z;0;0;0;0;1;
https://example.com/x;http://127.0.0.1:9/a/;;ConnectionError;;;False;https://example.com/x;6;1;w;0;0;0;0;1;
# Stopped checking at 2026-11-24 11:20:20+000 (1 seconds)
"""


def test_csv_rows_become_findings_on_source_pages(tmp_path):
    docs = tmp_path / "docs"
    (docs / "a").mkdir(parents=True)
    (docs / "a" / "index.md").write_text("# A\n\nsee [g](gone.md)\n")
    (docs / "index.md").write_text("# Home\n\n[t](#top-x)\n")
    rows = parse_csv(CSV)
    assert [r["urlname"] for r in rows] == ["gone.md", "#top-x", "../", "https://example.com/x"]
    failures, parents = classify(rows, "http://127.0.0.1:9/")
    assert sorted((f.kind, f.url) for f in failures) == [
        ("anchor", "http://127.0.0.1:9/#top-x"),
        ("broken", "http://127.0.0.1:9/a/gone.md"),
        ("external", "https://example.com/x"),
    ]
    report = {"pages": [{"path": "index.md", "url": "", "findings": []}, {"path": "a/index.md", "url": "a/", "findings": []}]}
    site = SiteMap.from_report(report, "http://127.0.0.1:9/", docs)
    found = findings_for(failures, parents, {}, site, SeverityPolicy())
    assert [(f.path, f.line, f.rule) for f in found] == [
        ("a/index.md", 1, "links/external"),
        ("a/index.md", 3, "links/broken"),
        ("index.md", 3, "links/anchor"),
    ]
    merged = merge_into_report(report, found, {"failures": 3})
    assert merged["summary"] == {"errors": 3, "warnings": 0}
    assert [f["source"] for p in merged["pages"] for f in p["findings"]] == ["linkcheck"] * 3


def test_config_lifts_the_throttle_and_checks_anchors():
    text = linkchecker_config(CrawlOptions())
    assert "maxrequestspersecond=1000" in text and "[AnchorCheck]" in text and "checkextern=0" in text
    assert "[AnchorCheck]" not in linkchecker_config(CrawlOptions(anchors=False))


def test_site_server_sends_the_linkchecker_header_and_no_folder_listings(tmp_path):
    (tmp_path / "index.html").write_text("<p>home</p>")
    (tmp_path / "empty").mkdir()
    with SiteServer(tmp_path) as server:
        with urllib.request.urlopen(server.base_url, timeout=5) as response:
            assert response.headers["LinkChecker"] == "docgates"
        with pytest.raises(urllib.error.HTTPError) as info:
            urllib.request.urlopen(server.base_url + "empty/", timeout=5)
        assert info.value.code == 404
        info.value.close()
        assert server.requests == 2
    assert Path(tmp_path / "index.html").is_file()
