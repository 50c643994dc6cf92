"""``docgates linkcheck``: a real LinkChecker crawl of a built site on a loopback server."""

from __future__ import annotations

import json
import socket
import struct
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import yaml
from conftest import base_env

from docgates.core.findings import SeverityPolicy
from docgates.core.report_file import read_report, report_from_dict
from docgates.links.crawl import (
    Failure,
    SiteMap,
    classify,
    findings_for,
    linkchecker_config,
    CrawlOptions,
    missing_anchors,
    parse_csv,
    unfinished,
)
from docgates.links.crawl_report import merge_into_report
from docgates.links.site_server import SiteServer

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
    # In the build's order (by line), as if the build had seen it.
    assert [(f["line"], f["rule"], f.get("source")) for f in pages["index.md"]["findings"]] == [
        (1, "links/broken", "linkcheck"),
        (5, "links/broken", None),
        (7, "links/anchor", None),
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


def test_the_report_read_back_writes_the_same_file_and_a_broken_one_is_named(site):
    build_site(site, copyright='<a href="/licence/">Licence</a>')
    report_file = site.root / "site" / "quality.json"
    text = report_file.read_text(encoding="utf-8")
    # Every key, date, extra and fingerprint survives (a gate's fingerprint is not its message's).
    assert read_report(report_file).to_json() == text

    report_file.write_text('{"today": "2026-11-24", "pages": [{"path": "a.md", "findings": [{"rule": "x"}]}]}')
    proc = linkcheck(site, "site")
    assert proc.returncode == 2
    assert "quality.json: not a docgates quality.json" in proc.stderr and "rebuild the site" in proc.stderr
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
    # An anchor warning of LinkChecker's is not a failure: anchors are checked from the built
    # pages (missing_anchors), never by its AnchorCheck plugin.
    assert sorted((f.kind, f.url) for f in failures) == [
        ("broken", "http://127.0.0.1:9/a/gone.md"),
        ("external", "https://example.com/x"),
    ]
    failures.append(Failure("http://127.0.0.1:9/#top-x", "anchor", "no such anchor"))
    parents["http://127.0.0.1:9/#top-x"] = {"http://127.0.0.1:9/\x1f#top-x"}
    report = report_from_dict({
        "today": "2026-11-24",
        "pages": [{"path": "index.md", "url": "", "findings": []}, {"path": "a/index.md", "url": "a/", "findings": []}],
    })
    site = SiteMap.from_report(report, "http://127.0.0.1:9/", docs)
    found = findings_for(failures, parents, {}, site, SeverityPolicy())
    assert [(f.path, f.line, f.rule) for f in found] == [
        ("a/index.md", 1, "links/external"),
        ("a/index.md", 3, "links/broken"),
        ("index.md", 3, "links/anchor"),
    ]
    merged = merge_into_report(report, found, {"failures": 3}).to_dict()
    assert merged["summary"] == {"pages": 2, "errors": 3, "warnings": 0}
    assert [f["source"] for p in merged["pages"] for f in p["findings"]] == ["linkcheck"] * 3


def test_config_lifts_the_throttle_and_leaves_anchors_to_docgates():
    text = linkchecker_config(CrawlOptions())
    assert "maxrequestspersecond=1000" in text and "checkextern=0" in text
    # With AnchorCheck, LinkChecker fetches a page once per distinct #fragment URL, and says
    # nothing about a fragment whose page it could not read to the end.
    assert "[AnchorCheck]" not in text


def test_missing_anchors_are_found_in_the_built_pages(tmp_path):
    (tmp_path / "guide").mkdir()
    (tmp_path / "index.html").write_text(
        '<h2 id="start">Start</h2><a href="#start">ok</a> <a href="#nope">same page</a> '
        '<a href="guide/#caf%C3%A9">encoded ok</a> <a href="guide/#named">a name ok</a> '
        '<a href="guide/#gone">other page</a> <a href="missing/#x">missing page: not an anchor question</a> '
        '<a href="https://example.com/#x">other site</a> <img src="logo.png#x">'
    )
    (tmp_path / "guide" / "index.html").write_text(
        '<h1 id="café">Café</h1><a name="named"></a><a href="../#gone">back</a><a href="../#start">ok</a>'
    )
    base = "http://127.0.0.1:9/"
    failures, parents = missing_anchors(tmp_path, base)
    assert sorted(f.url for f in failures) == [base + "#gone", base + "#nope", base + "guide/#gone"]
    assert {f.kind for f in failures} == {"anchor"}
    assert parents[base + "#gone"] == {base + "guide/\x1f../#gone"}
    assert parents[base + "guide/#gone"] == {base + "\x1fguide/#gone"}


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


def test_a_client_that_hangs_up_is_no_server_error(tmp_path, capfd):
    # LinkChecker closes responses it does not need to read: socketserver printed a traceback
    # for each (BrokenPipeError) into the crawl's output.
    (tmp_path / "big.bin").write_bytes(b"x" * 8_000_000)
    with SiteServer(tmp_path) as server:
        for _ in range(3):
            with socket.create_connection(("127.0.0.1", int(server.base_url.rsplit(":", 1)[1].strip("/")))) as conn:
                conn.sendall(b"GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n")
                conn.recv(1)
                # RST instead of FIN: the server's next write fails at once.
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        with urllib.request.urlopen(server.base_url + "big.bin", timeout=30) as response:
            assert len(response.read()) == 8_000_000
        assert server.requests == 4 and server.errors == 0
    assert "Traceback" not in capfd.readouterr().err


def test_pages_linkchecker_could_not_read_make_the_crawl_unfinished():
    rows = parse_csv(
        "urlname;parentname;base;result;warningstring;infostring;valid;url;line;column;name;dltime;size;checktime;cached;level;modified\n"
        "a/;http://127.0.0.1:9/;;200 OK;could not get content: Read timed out.;;True;http://127.0.0.1:9/a/;3;1;x;0;0;0;0;1;\n"
        "b/;http://127.0.0.1:9/;;200 OK;;;True;http://127.0.0.1:9/b/;4;1;x;0;0;0;0;1;\n"
        "https://example.com/;http://127.0.0.1:9/;;200 OK;could not get content: x;;True;https://example.com/;5;1;x;0;0;0;0;1;\n"
    )
    assert unfinished(rows, "http://127.0.0.1:9/") == ["http://127.0.0.1:9/a/"]


def test_linkcheck_honours_the_baseline_like_check_and_the_build(site):
    build = build_site(site, copyright='<a href="/licence/">Licence</a>')
    assert build.returncode == 1
    # The crawl first, so that the links only it sees (the footer's) are recorded too.
    assert linkcheck(site, "site").returncode == 1
    recorded = site.docgates("baseline")
    assert recorded.returncode == 0, recorded.stderr

    rebuilt = site.build()
    assert rebuilt.returncode == 0, rebuilt.output
    proc = linkcheck(site, "site")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout == ""
    assert "0 errors, 6 baselined findings (not failing; recorded in .docgates-baseline.json)" in proc.stderr
    report = json.loads((site.root / "site" / "quality.json").read_text())
    crawl_only = [f for p in report["pages"] for f in p["findings"] if f.get("source") == "linkcheck"]
    assert len(crawl_only) == 2 and all(f["baselined"] for f in crawl_only)
    assert report["site"]["linkcheck"]["baselined"] == 6

    as_json = json.loads(linkcheck(site, "site", "--format", "json").stdout)
    assert [f["baselined"] for f in as_json["findings"]] == [True] * 6

    # A new broken link fails, and only it is shown.
    site.page("guide.md", GUIDE + "\n[new](nowhere.md)\n")
    site.build()
    proc = linkcheck(site, "site")
    assert proc.returncode == 1
    assert [line.split(": ")[0:2] for line in proc.stdout.splitlines()] == [["guide.md:9", "links/broken"]]
    assert "1 error, 6 baselined findings" in proc.stderr


def test_linkcheck_without_a_baseline_option_uses_none_when_turned_off(site):
    build_site(site, copyright='<a href="/licence/">Licence</a>')
    linkcheck(site, "site")
    assert site.docgates("baseline").returncode == 0
    site.plugins("docgates/links", {"docgates/quality": {"baseline": False}})
    site.build()
    proc = linkcheck(site, "site")
    assert proc.returncode == 1 and len(proc.stdout.splitlines()) == 6
    assert "baselined" not in proc.stderr


def test_linkcheck_reads_mkdocs_yml_as_the_build_does_inherit_and_tags(site):
    # The docs folder comes from !ENV and the links options from the INHERITed file: a reader
    # that skipped either would look for sources in docs/ (no line numbers) and fail on errors.
    site.write("content/index.md", "# Home\n\nText.\n\n[missing](missing.md)\n")
    site.write("base.yml", yaml.safe_dump({
        "site_name": "Fixture",
        "site_url": "http://127.0.0.1/",
        "theme": {"name": "material", "font": False},
        "plugins": ["search", {"docgates/links": {"severity": {"links/broken": "warning"}}}],
    }))
    site.write("mkdocs.yml", (
        "INHERIT: base.yml\n"
        "docs_dir: !ENV [FIXTURE_DOCS, nowhere]\n"
        "markdown_extensions:\n"
        "  - pymdownx.superfences:\n"
        "      custom_fences:\n"
        "        - name: diagram\n"
        "          class: diagram\n"
        "          format: !!python/name:pymdownx.superfences.fence_code_format\n"
    ), dedent=False)
    env = base_env(FIXTURE_DOCS="content")
    assert site.build(keep_config=True, env=env).returncode == 0
    proc = site.docgates("linkcheck", "site", env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert [line.split(": ")[0:2] for line in proc.stdout.splitlines()] == [["index.md:5", "links/broken"]]
    assert "0 errors" in proc.stderr

    # A config MkDocs cannot read is a usage error naming the file, not a traceback.
    site.write("mkdocs.yml", "INHERIT: no-such-base.yml\n", dedent=False)
    broken = site.docgates("linkcheck", "site", env=env)
    assert broken.returncode == 2
    assert "mkdocs.yml: cannot read the configuration" in broken.stderr and "Traceback" not in broken.stderr


def test_a_baselined_crawl_finding_follows_a_pure_rename(git_site):
    site, repo = git_site
    site.plugins("docgates/links")
    # The footer link only the crawl sees (on every page), and a broken link in the guide's
    # Markdown that the build reports too.
    site.config["copyright"] = '<a href="/licence/">Licence</a>'
    site.save_config()
    repo.commit("pages", "2026-01-10T10:00:00+00:00", files={
        ".gitignore": "site/\n.cache/\n",
        "docs/index.md": "# Home\n\n[guide](old/guide.md)\n",
        "docs/old/guide.md": "# Guide\n\nSee [gone](missing.md).\n",
    })
    assert site.build(keep_config=True).returncode == 1
    assert linkcheck(site, "site").returncode == 1
    assert site.docgates("baseline").returncode == 0
    repo.commit("baseline", "2026-11-01T10:00:00+00:00")

    repo.git("mv", "docs/old", "docs/new")
    repo.commit("move the guide", "2026-11-20T10:00:00+00:00", files={
        "docs/index.md": "# Home\n\n[guide](new/guide.md)\n",
    })
    assert site.build(keep_config=True).returncode == 0
    proc = linkcheck(site, "site")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout == ""
    assert "0 errors, 3 baselined findings" in proc.stderr
    report = json.loads((site.root / "site" / "quality.json").read_text())
    moved = {p["path"]: p for p in report["pages"]}["new/guide.md"]["findings"]
    assert sorted((f["rule"], f.get("source", ""), f["baselined"]) for f in moved) == [
        ("links/broken", "", True),  # the build's, which the crawl found again
        ("links/broken", "linkcheck", True),  # the footer's, only the crawl's
    ]

    # A new broken link on the moved page is new.
    repo.commit("new defect", "2026-11-21T10:00:00+00:00", files={
        "docs/new/guide.md": "# Guide\n\nSee [gone](missing.md).\n\n[another](nowhere.md)\n",
    })
    site.build(keep_config=True)
    again = linkcheck(site, "site")
    assert again.returncode == 1
    assert [line.split(": ")[0:2] for line in again.stdout.splitlines()] == [["new/guide.md:5", "links/broken"]]
