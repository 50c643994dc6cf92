"""The build and check pipeline every gate plugs into."""

from __future__ import annotations

import html
import json
import os
import re
import stat
import sys

from conftest import TODAY

GOOD = """\
---
owner: "@docs"
reviewed: 2026-11-01
---
# Good page

Some text.
"""


def test_site_without_docgates_is_unaffected(site):
    site.page("index.md", GOOD)
    result = site.build(strict=True)
    assert result.returncode == 0, result.output
    assert result.report is None


def test_quality_json_is_written_on_a_clean_build(site):
    site.plugins("docgates/quality").page("index.md", GOOD)
    result = site.build(strict=True)
    assert result.returncode == 0, result.output
    report = result.report
    assert report["today"] == TODAY
    assert report["summary"] == {"pages": 1, "errors": 0, "warnings": 0}
    page = result.page("index.md")
    assert page["url"] == ""
    assert page["title"] == "Good page"
    assert page["findings"] == []


def test_quality_json_is_as_readable_as_the_pages_beside_it(site):
    # A temporary file is private (0600); a deployed site's web server must still read it.
    site.plugins("docgates/quality").page("index.md", GOOD)
    assert site.build(strict=True).returncode == 0
    report, page = site.root / "site" / "quality.json", site.root / "site" / "index.html"
    assert stat.S_IMODE(report.stat().st_mode) == stat.S_IMODE(page.stat().st_mode)
    assert report.stat().st_mode & stat.S_IROTH


def test_reports_are_written_with_the_umask_or_the_mode_the_file_had(tmp_path):
    from docgates.core.report import write_atomic

    old = os.umask(0o027)
    try:
        assert stat.S_IMODE(write_atomic(tmp_path / "new.json", "{}").stat().st_mode) == 0o640
        kept = tmp_path / "kept.json"
        kept.write_text("[]")
        kept.chmod(0o604)
        write_atomic(kept, ["{", "}"])
        assert kept.read_text() == "{}"
        assert stat.S_IMODE(kept.stat().st_mode) == 0o604
    finally:
        os.umask(old)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept.json", "new.json"]


def test_broken_front_matter_fails_the_build_with_file_and_line(site):
    site.plugins("docgates/quality")
    site.page("index.md", GOOD)
    site.page("guide/bad.md", "---\nowner: '@docs'\nreviewed: [2026-11-01\n---\n# Bad\n")
    site.page("other.md", "---\ntitle: \"unclosed\nowner: x\n---\n# Other\n")
    result = site.build()
    assert result.returncode == 1
    # Every finding is reported, not only the first, each as path:line: rule: message.
    assert "guide/bad.md:3: frontmatter/invalid: " in result.stderr
    assert "other.md:2: frontmatter/invalid: " in result.stderr
    assert "Traceback" not in result.output
    # The report is written even though the build failed.
    assert result.rules("guide/bad.md") == ["frontmatter/invalid"]
    assert result.report["summary"]["errors"] == 2


def test_every_subset_of_plugins_builds(site):
    site.page("index.md", GOOD)
    names = ["freshness", "ownership", "readability", "checklist", "links", "leaderboard", "quality"]
    for name in names:
        site.plugins(f"docgates/{name}")
        result = site.build()
        assert result.returncode == 0, f"docgates/{name} alone: {result.output}"
        assert result.report is not None


def test_severity_override_turns_an_error_into_a_warning(site):
    site.plugins({"docgates/quality": {"severity": {"frontmatter/invalid": "warning"}}})
    site.page("index.md", "---\nreviewed: someday\n---\n# Page\n")
    result = site.build()
    assert result.returncode == 0, result.output
    [finding] = result.page("index.md")["findings"]
    assert finding["severity"] == "warning"
    assert finding["line"] == 2


def test_unknown_rule_in_severity_is_a_config_error(site):
    site.plugins({"docgates/quality": {"severity": {"freshness/rotten": "warning"}}})
    site.page("index.md", GOOD)
    result = site.build()
    assert result.returncode != 0
    assert "freshness/rotten" in result.output
    assert "Traceback" not in result.output


def test_check_reports_the_same_findings_as_the_build(site):
    site.plugins("docgates/quality")
    site.page("index.md", GOOD)
    site.page("bad.md", "---\nreviewed: 2026-13-45\n---\n# Bad\n")
    build = site.build()
    check = site.docgates("check", "--format", "json")
    assert check.returncode == 1, check.stderr
    checked = json.loads(check.stdout)
    assert [p["findings"] for p in checked["pages"]] == [p["findings"] for p in build.report["pages"]]
    text = site.docgates("check")
    assert text.stdout.strip() == "bad.md:2: frontmatter/invalid: reviewed: 2026-13-45 is not a calendar date (check month and day); write the date of the last review as YYYY-MM-DD"


def test_check_without_a_config_is_a_usage_error(tmp_path, site):
    proc = site.run(sys.executable, "-m", "docgates", "check", cwd=tmp_path)
    assert proc.returncode == 2
    assert "mkdocs.yml" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_quality_json_holds_one_line_per_page_and_the_reports_whole_data(site):
    """quality.json is written a page at a time: each page on one line (so grep and diffs
    find it), the rest indented, and the text is the report's data, nothing lost."""
    site.plugins("docgates/freshness", "docgates/quality")
    site.page("index.md", GOOD)
    site.page("tricky.md", '---\nowner: "@docs"\nreviewed: 2026-11-01\ntitle: "Quote \\" and\\nnewline é"\n---\nText.\n')
    site.page("stale.md", '---\nowner: "@docs"\nreviewed: 2020-01-01\n---\n# Old\n\nText.\n')
    result = site.build()
    text = (site.root / "site" / "quality.json").read_text(encoding="utf-8")
    lines = text.splitlines()
    start = lines.index('  "pages": [')
    assert lines[start + 4:] == ["  ]", "}"] and text.endswith("}\n")
    pages = [json.loads(line.strip().rstrip(",")) for line in lines[start + 1:start + 4]]
    assert [p["path"] for p in pages] == ["index.md", "stale.md", "tricky.md"]
    assert pages == result.report["pages"]
    assert pages[2]["title"] == 'Quote " and\nnewline é'  # not ASCII-escaped, still one line
    assert [f["rule"] for f in pages[1]["findings"]] == ["freshness/stale"]
    assert result.report["summary"] == {"pages": 3, "errors": 1, "warnings": 0}
    assert lines[1] == f'  "generated": "{TODAY}",'  # the head stays indented


def test_same_inputs_give_the_same_report(site):
    site.plugins("docgates/quality")
    site.page("index.md", GOOD)
    first = site.build().report
    second = site.build().report
    assert first == second


def test_the_core_and_the_gates_never_import_mkdocs():
    """The core and every gate must outlive MkDocs 1.x: only engines/ and the command line may import it."""
    import ast
    from pathlib import Path

    import docgates

    package = Path(docgates.__file__).parent
    modules = [p for p in package.rglob("*.py") if p.relative_to(package).parts[0] not in {"engines", "cli"}]
    assert any(p.parts[-2] == "freshness" for p in modules)  # the walk reaches the gate packages
    offenders = []
    for module in modules:
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            offenders += [f"{module.relative_to(package)}: {name}" for name in names if name.split(".")[0] == "mkdocs"]
    assert not offenders


PROBE_HOOK = """\
import json
from docgates.engines.mkdocs.base import session_of

def on_post_build(config):
    session = session_of(config)
    gates = {gate.name: gate for gate in session.gates}
    state = {
        "inputs": len(session.inputs),
        "raw": len(session._raw),
        "sources": len(session.site.sources),
        "shared": sorted(session.site.shared),
        "freshness": len(gates["freshness"].results) + len(gates["freshness"].views),
        "ownership": len(gates["ownership"].resolutions),
        "links": len(gates["links"].pages) + len(gates["links"].anchors),
        "checklist": len(gates["checklist"]._pages),
        "reports": len(session.site.report.pages),
    }
    with open("probe.json", "w") as out:
        json.dump(state, out)
"""


def test_a_rendering_build_lets_go_of_per_page_state_before_the_theme_renders(git_site):
    """The build's peak memory comes after every page is rendered; by then the gates have
    handed over what the pages show, and only the report is kept."""
    site, repo = git_site
    site.plugins(*(f"docgates/{name}" for name in (
        "freshness", "ownership", "readability", "checklist", "links", "leaderboard", "quality")))
    site.config["hooks"] = ["probe.py"]
    site.write("probe.py", PROBE_HOOK, dedent=False)
    site.page("index.md", GOOD + "\nSee [the guide](guide.md#setup).\n")
    site.page("guide.md", GOOD.replace("Good page", "Guide") + "\n## Setup\n\nSteps.\n")
    site.save_config()
    repo.commit("Add the docs", date="2026-11-20T10:00:00+00:00", author="Ann Author <ann@example.com>")
    result = site.build(keep_config=True)
    assert result.returncode == 0, result.output
    state = json.loads((site.root / "probe.json").read_text())
    assert state == {
        "inputs": 0, "raw": 0, "sources": 0, "shared": ["gates"], "freshness": 0, "ownership": 0,
        "links": 0, "checklist": 0, "reports": 2,
    }
    # What readers see was made before the state went: headers, dashboard, leaderboard.
    index = (site.root / "site" / "index.html").read_text(encoding="utf-8")
    assert 'class="docgates-owner' in index and "2026-11-01" in index
    dashboard = (site.root / "site" / "quality" / "index.html").read_text(encoding="utf-8")
    assert "guide/" in dashboard
    leaderboard = (site.root / "site" / "leaderboard" / "index.html").read_text(encoding="utf-8")
    assert "Ann Author" in leaderboard
    assert result.page("index.md")["owner"] == ["@docs"]


FREEZE_PROBE = """\
import gc, json
from mkdocs.plugins import event_priority

def note(event):
    with open("freeze.jsonl", "a") as out:
        out.write(json.dumps([event, gc.get_freeze_count() > 0]) + "\\n")

def on_env(env, config, files):
    note("pages read")
    return env

def on_page_context(context, page, config, nav):
    if page.file.src_uri == "index.md":
        note("rendering")
    return context

# MkDocs ends every run with on_shutdown: noted before docgates' handler here, after it below.
@event_priority(100)
def on_shutdown():
    note("ending")
"""

FREEZE_PROBE_LAST = """\
from mkdocs.plugins import event_priority
from probe import note

@event_priority(-100)
def on_shutdown():
    note("ended")
"""


def test_a_build_leaves_the_garbage_collector_alone(site):
    """docgates never steers the interpreter globally (``gc.freeze`` saved ~0.2 s on 2,000 pages
    and kept every ``mkdocs serve`` rebuild's objects out of the collector's reach): nothing is
    frozen while pages are read and rendered, in a build that passes, one that fails, or a check."""
    site.plugins("docgates/ownership", "docgates/links", "docgates/quality")
    site.config["hooks"] = ["probe.py", "probe_last.py"]
    site.write("probe.py", FREEZE_PROBE, dedent=False)
    site.write("probe_last.py", FREEZE_PROBE_LAST, dedent=False)
    site.page("index.md", GOOD + "\nSee [the guide](guide.md).\n")
    site.page("guide.md", GOOD.replace("Good page", "Guide"))
    notes = site.root / "freeze.jsonl"

    def noted(run) -> tuple[list, object]:
        notes.unlink(missing_ok=True)
        outcome = run()
        return [json.loads(line) for line in notes.read_text().splitlines()], outcome

    built = [["pages read", False], ["rendering", False], ["ending", False], ["ended", False]]
    events, result = noted(site.build)
    assert result.returncode == 0, result.output
    assert events == built
    site.page("index.md", GOOD + "\nSee [the guide](nowhere.md).\n")
    events, result = noted(site.build)
    assert result.returncode == 1 and "links/broken" in result.output
    assert events == built
    events, _ = noted(lambda: site.docgates("check"))
    assert events == [["pages read", False], ["ending", False], ["ended", False]]


def test_pages_link_one_stylesheet_holding_the_enabled_gates_styles(site):
    site.plugins("docgates/ownership", "docgates/readability").page("index.md", GOOD)
    result = site.build(strict=True)
    assert result.returncode == 0, result.output
    html = (site.root / "site" / "index.html").read_text(encoding="utf-8")
    assert html.count('href="assets/docgates/') == 1
    assert '<link rel="stylesheet" href="assets/docgates/docgates.css">' in html
    css = (site.root / "site" / "assets" / "docgates" / "docgates.css").read_text(encoding="utf-8")
    assert ".docgates-owner" in css and ".docgates-readability" in css
    assert ".docgates-leaderboard" not in css and ".docgates-dashboard" not in css
    # A site's own file at that path replaces ours.
    site.page("assets/docgates/docgates.css", ".mine { color: red; }\n")
    assert site.build(strict=True).returncode == 0
    assert (site.root / "site" / "assets" / "docgates" / "docgates.css").read_text() == ".mine { color: red; }\n"


def test_the_page_header_keeps_an_ascii_page_ascii(site):
    # One non-ASCII character anywhere makes Python hold the whole rendered page as 2 bytes a
    # character, and MkDocs' UTF-8 encoding of each page then ~60x slower (0.35 s against
    # 0.005 s on 2,000 pages): the header's separators and marks are character references.
    prose = " ".join(["We restarted the service and the queue drained in ten minutes."] * 20)
    site.plugins(
        "docgates/ownership", "docgates/freshness", "docgates/readability", "docgates/checklist"
    ).page(
        "outage.md",
        "---\nowner: \"@docs\"\nreviewed: 2026-11-01\ntype: postmortem\nseverity: SEV2\n"
        "incident_date: 2026-11-01\ncontributing_factors: [alerting]\n---\n# Outage\n\n"
        # No Timeline: one item missing, so the header marks items both ways.
        f"## Summary\n\n{prose}\n\n## Impact\n\n## Contributing factors\n\n"
        "## Action items\n\n- [x] Page the on-call.\n- [ ] Add an alert.\n",
    )
    result = site.build()
    assert result.returncode == 0, result.output
    page = (site.root / "site" / "outage" / "index.html").read_bytes()
    assert page.isascii(), sorted({ch for ch in page.decode("utf-8") if not ch.isascii()})
    header = html.unescape(page.decode("ascii").split('<div class="docgates-header">', 1)[1])
    header = header.split("<!-- /docgates-header -->", 1)[0]
    assert "Reviewed 2026-11-01 · next review due" in re.sub(r"<[^>]+>", "", header)
    assert "· 1 of 2 action items open" in header
    assert header.count("✓") == header.count("docgates-checklist__item--done") > 0
    assert header.count("✗") == header.count("docgates-checklist__item--missing") > 0
    assert "Flesch–Kincaid grade" in header


def test_a_sites_own_header_partial_replaces_ours(site):
    # The build hands the theme the gates' partials as one template; each is read through the
    # theme's loader, so a copy in the site's custom_dir is the one rendered.
    site.config["theme"]["custom_dir"] = "overrides"
    site.write(
        "overrides/docgates/owner.html",
        '<p class="my-owner">{{ page.meta.docgates.view.ownership.owners[0].handle }}</p>\n',
    )
    site.plugins("docgates/ownership", "docgates/freshness").page("index.md", GOOD)
    result = site.build(strict=True)
    assert result.returncode == 0, result.output
    page = (site.root / "site" / "index.html").read_text(encoding="utf-8")
    header = page.split('<div class="docgates-header">', 1)[1].split("<!-- /docgates-header -->", 1)[0]
    assert '<p class="my-owner">@docs</p>' in header
    assert "docgates-owner" not in header
    assert 'class="docgates-freshness docgates-freshness--ok"' in header
