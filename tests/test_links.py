"""docgates/links in the build: broken links and anchors, with the source line of each."""

from __future__ import annotations

import json

from docgates.links.scan import SourceLocator, scan_html

EXTENSIONS = ["attr_list", "md_in_html", {"toc": {"permalink": True}}, "pymdownx.superfences", "footnotes"]

INDEX = """\
# Home

Good: [setup](guide/setup.md), [install](guide/setup.md#install), [own](#home),
[custom id](guide/setup.md#custom-id), [raw id](guide/setup.md#raw-id), [top](#top),
[folder index](guide/index.md), [url style](guide/setup/), [spaces](my%20file.md),
[ref link][ref], [absolute](/guide/setup/), [mail](mailto:a@example.com), a footnote[^1],
[sitemap](sitemap.xml).

![logo](img/logo.png)

<a href="guide/setup/#install">raw good</a> <img src="img/logo.png" alt="raw image">

[^1]: A footnote.

[ref]: guide/setup.md#install

```
[in a fence](fenced-missing.md)
```

Inline `[in code](inline-missing.md)` stays text.

<!-- [in a comment](comment-missing.md) -->
"""

BROKEN = """\
# Broken

[missing page](missing.md)
[missing anchor](setup.md#nope)
[own anchor](#not-here)
![missing image](../img/nope.png)
<a href="setup.md">raw html source path</a>
<a href="../setup/#gone">raw html anchor</a>
[escape](../../../../etc/passwd)
[file url](file:///etc/passwd)
[script](javascript:alert(1))
[missing page](missing.md)
"""

SETUP = """\
# Setup

## Install

Text with an id.
{: #custom-id }

<div id="raw-id">raw</div>
"""


def make_site(site) -> None:
    site.config["markdown_extensions"] = EXTENSIONS
    site.plugins("docgates/links")
    site.page("index.md", INDEX)
    site.page("guide/index.md", "# Guide\n")
    site.page("guide/setup.md", SETUP)
    site.page("guide/broken.md", BROKEN)
    site.page("my file.md", "# Spaces\n")
    (site.docs / "img").mkdir()
    (site.docs / "img" / "logo.png").write_bytes(b"\x89PNG")


def findings(result, path):
    return sorted((f["line"], f["rule"], f["message"]) for f in result.page(path)["findings"])


def test_each_kind_of_broken_link_is_reported_once_with_its_line(site):
    make_site(site)
    result = site.build()
    assert result.returncode == 1, result.output
    assert result.page("index.md")["findings"] == []
    assert result.page("guide/setup.md")["findings"] == []
    found = findings(result, "guide/broken.md")
    assert [(line, rule) for line, rule, _ in found] == [
        (3, "links/broken"),
        (4, "links/anchor"),
        (5, "links/anchor"),
        (6, "links/broken"),
        (7, "links/broken"),
        (8, "links/anchor"),
        (9, "links/broken"),
        # A link that opens the author's disk or runs script is its own rule (links/scheme), so
        # a site that shows one on purpose can lower it without hiding broken links.
        (10, "links/scheme"),
        (11, "links/scheme"),
        (12, "links/broken"),
    ]
    messages = {line: message for line, _, message in found}
    assert "'missing.md' points to 'guide/missing.md'" in messages[3]
    assert "'setup.md#nope': guide/setup.md has no anchor '#nope'" in messages[4]
    assert "this page has no anchor '#not-here'" in messages[5]
    assert messages[6].startswith("image '../img/nope.png'") and "did you mean 'img/logo.png'" in messages[6]
    assert "does not rewrite links in raw HTML" in messages[7] and "'../setup/'" in messages[7]
    assert "guide/setup.md has no anchor '#gone'" in messages[8]
    assert "outside docs/" in messages[9]
    assert "file: URL" in messages[10]
    assert "runs script" in messages[11]
    # Every finding reaches the log as path:line: rule: message, and MkDocs' own validation
    # does not report the same defects a second time.
    assert "guide/broken.md:3: links/broken: link 'missing.md'" in result.output
    assert "guide/broken.md:12: links/broken: link 'missing.md'" in result.output
    assert "guide/broken.md:11: links/scheme: link 'javascript:alert(1)' runs script" in result.output
    assert "Doc file 'guide/broken.md' contains" not in result.output
    assert "Traceback" not in result.output
    links = result.report["site"]["links"]
    assert links["broken"] == 7 and links["anchors_missing"] == 3


def test_check_reports_what_the_build_reports(site):
    make_site(site)
    build = site.build()
    check = site.docgates("check", "--format", "json")
    assert check.returncode == 1, check.stderr
    checked = {p["path"]: p["findings"] for p in json.loads(check.stdout)["pages"]}
    assert checked["guide/broken.md"] == build.page("guide/broken.md")["findings"]


def test_a_site_with_good_links_builds_strict(site):
    make_site(site)
    site.page("guide/broken.md", "# Fixed\n\n[back](../index.md#home)\n")
    # MkDocs' own checks at "warn" would fail --strict on the raw HTML links; the plugin
    # takes them over, so only its verdict counts.
    site.config["validation"] = {"links": {"not_found": "warn", "anchors": "warn", "unrecognized_links": "warn"}}
    result = site.build(strict=True)
    assert result.returncode == 0, result.output
    assert result.rules() == []


def test_disabling_the_plugin_gives_mkdocs_validation_back(site):
    site.plugins({"docgates/links": {"enabled": False}}, "docgates/quality")
    site.page("index.md", "# Home\n\n[gone](gone.md)\n")
    result = site.build()
    assert "contains a link 'gone.md'" in result.output
    assert result.rules() == []


def test_the_same_broken_link_twice_points_at_each_line(site):
    site.plugins("docgates/links")
    site.page("index.md", "# Home\n\nSee [a](gone.md).\n\nText.\n\nAnd [b](gone.md) again, `[c](gone.md)`.\n")
    result = site.build()
    assert [(f["line"], f["rule"]) for f in result.page("index.md")["findings"]] == [
        (3, "links/broken"),
        (7, "links/broken"),
    ]


def test_ignored_links_are_not_checked_as_written_or_as_rendered(site):
    site.plugins({"docgates/links": {"ignore": ["generated/*", "*.pdf"]}})
    site.page(
        "index.md",
        "# Home\n\n[api](generated/api.md) [manual](files/manual.pdf) [gone](gone.md)\n",
    )
    result = site.build()
    [finding] = result.page("index.md")["findings"]
    assert finding["rule"] == "links/broken" and "'gone.md'" in finding["message"]


def test_links_without_directory_urls(site):
    site.config["use_directory_urls"] = False
    site.plugins("docgates/links")
    site.page("index.md", "# Home\n\n[a](a/page.md#b) [c](a/page.html) <a href=\"a/page.html#x\">raw</a>\n")
    site.page("a/page.md", "# Page\n\n## B\n\n[up](../index.md) [up2](../index.html) [bad](../index.md#zz)\n")
    result = site.build()
    assert [(f["line"], f["rule"]) for f in result.page("index.md")["findings"]] == [(3, "links/anchor")]
    assert [(f["line"], f["rule"]) for f in result.page("a/page.md")["findings"]] == [(5, "links/anchor")]


def test_anchors_are_checked_whichever_page_renders_first(site):
    """A link into a page rendered earlier is checked at once, one into a page rendered later
    once every page is in: the same findings either way."""
    site.config["markdown_extensions"] = EXTENSIONS
    site.plugins("docgates/links")
    site.page("a.md", "# A\n\n## Real A\n\n[good](b.md#real-b)\n[bad](b.md#missing-b)\n")
    site.page("b.md", "# B\n\n## Real B\n\n[good](a.md#real-a)\n[bad](a.md#missing-a)\n")
    result = site.build()
    assert result.returncode == 1, result.output
    assert [(f["line"], f["rule"]) for f in result.page("a.md")["findings"]] == [(6, "links/anchor")]
    assert [(f["line"], f["rule"]) for f in result.page("b.md")["findings"]] == [(6, "links/anchor")]
    assert "b.md has no anchor '#missing-b'" in result.page("a.md")["findings"][0]["message"]
    assert "a.md has no anchor '#missing-a'" in result.page("b.md")["findings"][0]["message"]
    assert result.report["site"]["links"]["anchors_missing"] == 2


def test_every_link_to_a_removed_page_gets_the_suggestion(site):
    """Fuzzy matching is budgeted per missing path, not per link: a page that 120 links still
    point to is matched once, and every one of those links is told where it probably went."""
    site.plugins("docgates/links")
    site.page("guide.md", "# Guide\n")
    site.page("a.md", "# A\n\n" + "".join(f"Line {n}: [g](gide.md)\n\n" for n in range(120)) + "[h](helpp.md)\n")
    site.page("help.md", "# Help\n")
    findings = site.build().page("a.md")["findings"]
    assert len(findings) == 121
    assert all("did you mean 'guide.md'?" in f["message"] for f in findings[:120])
    assert "did you mean 'help.md'?" in findings[120]["message"]


def test_changed_pages_mode_reads_anchors_of_pages_it_does_not_check(git_site):
    site, repo = git_site
    site.plugins("docgates/links")
    site.save_config()
    repo.commit(
        "pages",
        files={
            "docs/index.md": "# Home\n\n## Start\n\n[bad](#nowhere)\n",
            "docs/other.md": "# Other\n\n[start](index.md#start)\n",
        },
    )
    repo.commit("edit", files={"docs/other.md": "# Other\n\n[start](index.md#start) [gone](index.md#gone)\n"})
    proc = site.docgates("check", "--changed-since", "HEAD~1")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert proc.stdout.splitlines() == [
        "other.md:3: links/anchor: link 'index.md#gone': index.md has no anchor '#gone'; "
        "link to one of its headings' anchors, or give a heading that id: '## Title {#gone}' (attr_list)"
    ]


def test_bad_option_is_a_clear_config_error(site):
    site.plugins({"docgates/links": {"cache_ttl_ok": "7 months"}})
    site.page("index.md", "# Home\n")
    result = site.build()
    assert result.returncode != 0
    assert "cache_ttl_ok" in result.output and "7d" in result.output
    assert "Traceback" not in result.output


# -- the scanner and the line finder, without a build --------------------------------------
def test_scan_html_finds_links_images_and_ids():
    scan = scan_html(
        '<h2 id="a">A</h2><p><a href="x.md#a">x</a><img src="i.png" srcset="i.png 1x, j.png 2x">'
        '<a name="legacy"></a><video poster="p.jpg" src="v.mp4"></video></p>'
    )
    assert [(link.url, link.kind) for link in scan.links] == [
        ("x.md#a", "link"), ("i.png", "image"), ("i.png", "image"), ("j.png", "image"),
        ("p.jpg", "image"), ("v.mp4", "image"),
    ]
    assert scan.ids == {"a", "legacy"}


def test_source_locator_skips_code_and_comments():
    text = (
        "# T\n"
        "```md\n[x](a.md)\n```\n"
        "`[x](a.md)` inline\n"
        "<!-- [x](a.md)\n still comment -->\n"
        "~~~~\n[x](a.md)\n~~~~\n"
        "real [x](a.md) and [y](a.md#z)\n"
        "[ref]: a.md\n"
    )
    locator = SourceLocator(text)
    assert locator.line_of("a.md") == 11
    assert locator.line_of("a.md", 1) == 12  # the reference definition
    assert locator.line_of("a.md#z") == 11
    assert locator.line_of("other.md#z") == 11  # by its fragment
    assert locator.line_of("nowhere.md") == 1


def test_a_scheme_link_can_be_lowered_alone(site):
    """A site that shows a javascript: link on purpose (a demo) lowers links/scheme; broken
    links still fail the build."""
    site.plugins({"docgates/links": {"severity": {"links/scheme": "warning"}}})
    site.page("index.md", "# Home\n\n[demo](javascript:void(0)) [file](file:///tmp/x)\n")
    result = site.build()
    assert result.returncode == 0, result.output
    assert [(f["rule"], f["severity"]) for f in result.page("index.md")["findings"]] == [
        ("links/scheme", "warning"), ("links/scheme", "warning")
    ]
    site.page("other.md", "# Other\n\n[gone](gone.md)\n")
    assert site.build().returncode == 1
