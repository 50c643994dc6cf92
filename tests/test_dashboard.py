"""The quality dashboard: a generated page built from the report, with build-time SVG charts."""

from __future__ import annotations

import re

import pytest

from conftest import base_env
from docgates.dashboard import charts
from docgates.dashboard.inputs import DashboardInput
from docgates.dashboard.measures import dimensions, health_score, health_summary
from docgates.dashboard.page import render
from docgates.core.frontmatter import parse_page

OLD = "2026-01-05T10:00:00+00:00"
PROSE = "We write short pages. Readers find what they need. Teams keep them fresh. " * 12
ALL_GATES = ["docgates/ownership", "docgates/freshness", "docgates/readability", "docgates/checklist",
             "docgates/links", "docgates/leaderboard", "docgates/quality"]

POSTMORTEM = """\
---
type: postmortem
owner: "@sre-team"
reviewed: 2026-11-01
incident_date: 2026-10-01
severity: SEV2
contributing_factors: [{factors}]
---
# {title}

## Summary

Something broke.

## Impact

Some users.

## Timeline

It happened.

## Contributing factors

Several.

## Action items

- [ ] Add an alert
- [x] Fix the pipeline
- [ ] Write a runbook
"""


def _handbook(git_site):
    site, repo = git_site
    site.plugins(*ALL_GATES)
    repo.commit("pages", OLD, author="Solo Author <solo@corp.example>", files={
        "docs/index.md": "---\nowner: \"@docs\"\nreviewed: 2026-11-01\n---\n# Home\n\n"
                         "[Onboarding](onboarding/start.md) and [the first incident](postmortems/one.md).\n\n" + PROSE,
        "docs/onboarding/start.md": "---\nowner: \"@docs\"\nreviewed: 2025-01-01\n---\n# Start here\n\n"
                                    "Read [home](../index.md) and [the first incident](../postmortems/one.md).\n",
        "docs/postmortems/one.md": POSTMORTEM.format(title="Outage one", factors="deploy-pipeline, alerting"),
        "docs/postmortems/two.md": POSTMORTEM.format(title="Outage two", factors="Deploy-Pipeline, capacity"),
        "docs/orphan.md": "---\nreviewed: 2026-11-01\n---\n# O'Brien &amp; &lt;Co&gt; notes\n\n[Nowhere](missing.md)\n",
    })
    return site, repo


def test_dashboard_page_in_the_built_site(git_site):
    site, _ = _handbook(git_site)
    result = site.build()
    assert result.report is not None
    html = (site.root / "site" / "quality" / "index.html").read_text(encoding="utf-8")
    body = html[html.index('<div class="docgates-dashboard">'):]
    assert "assets/docgates/docgates.css" in html
    assert ".docgates-dashboard" in (site.root / "site" / "assets" / "docgates" / "docgates.css").read_text()
    # Overview: totals and a health score.
    assert "Health score" in body and "Pages" in body
    # Stale pages by owner: the onboarding page is stale, owned by @docs.
    assert re.search(r"<td>@docs</td><td data-sort=\"1\">1</td>", body)
    # Ownership coverage: orphan.md has no owner; its title is escaped everywhere.
    assert "O&#x27;Brien &amp; &lt;Co&gt; notes" in body and "<Co>" not in body
    # Link health from the links gate: the orphan's broken link.
    assert "links/broken" in body
    # Open post-mortem action items: two open in each post-mortem.
    assert re.search(r"Outage one</a></td><td data-sort=\"2\">2</td>", body)
    # Repeated contributing factors, case-insensitively.
    assert re.search(r"<td>deploy-pipeline</td><td data-sort=\"2\">2</td>", body)
    assert "capacity" not in body.split("Repeated post-mortem contributing factors")[1].split("</table>")[0]
    # Most-linked pages: the first incident is linked from two pages.
    most_linked = body.split("Most-linked pages")[1].split("</table>")[0]
    assert re.search(r"Outage one</a></td><td data-sort=\"2\">2</td>", most_linked)
    # Onboarding freshness.
    onboarding = body.split("Onboarding pages")[1].split("</table>")[0]
    assert "Start here" in onboarding and "stale" in onboarding
    # Single-author pages (knowledge silos).
    assert "Solo Author" in body.split("Pages with a single author")[1]
    assert "corp.example" not in body
    assert "Pages by Flesch reading ease" in body
    # Charts are inline SVG, with no script and no URL but SVG's own namespace.
    svgs = re.findall(r"<svg.*?</svg>", body, re.S)
    assert len(svgs) >= 2
    for svg in svgs:
        assert "<script" not in svg
        assert set(re.findall(r"https?://[^\"'\s)<]+", svg)) <= {"http://www.w3.org/2000/svg"}
    assert not (site.docs / "quality.md").exists()


def test_dashboard_without_other_gates_says_not_measured(site):
    site.page("index.md", "# Home\n")
    site.plugins("docgates/quality")
    result = site.build()
    assert result.returncode == 0, result.output
    body = (site.root / "site" / "quality" / "index.html").read_text(encoding="utf-8")
    for what in ("Freshness: not measured", "Ownership: not measured", "Readability: not measured",
                 "Link health: not measured", "Checklists: not measured"):
        assert what in body
    assert "<svg" not in body.split('class="docgates-dashboard"')[1]


def test_dashboard_path_option_and_off(site):
    site.page("index.md", "# Home\n")
    site.plugins({"docgates/quality": {"dashboard": "health/"}})
    site.build()
    assert (site.root / "site" / "health" / "index.html").is_file()
    site.plugins({"docgates/quality": {"dashboard": False}})
    site.build()
    assert not (site.root / "site" / "quality").exists() and not (site.root / "site" / "health").exists()


def test_render_reads_a_sparse_report_defensively():
    # Sections other gates did not write, odd values, an empty site: no exception.
    report = {"summary": {"pages": 1}, "site": {"checklist": "???"},
              "pages": [{"path": "a.md", "owner": None, "findings": [{"rule": 3}], "readability": {"grade": 2}},
                        "not a page"]}
    html = render(DashboardInput(report=report, gates=None))
    assert 'class="docgates-dashboard"' in html and "not measured" in html
    assert "docgates-dashboard" in render(DashboardInput(report={}))


def test_health_score_is_the_share_of_pages_no_check_holds_back():
    # Four pages, each failing a different check: the mean of the shares would say 75; no page
    # passes every check, so health is 0. A lead can say it in one sentence.
    pages = [
        {"path": "a.md", "owner": [], "due": "2027-01-01", "stale": False, "findings": []},
        {"path": "b.md", "owner": ["@t"], "due": "2026-01-01", "stale": True, "findings": []},
        {"path": "c.md", "owner": ["@t"], "due": "2027-01-01", "stale": False,
         "findings": [{"rule": "links/broken", "baselined": True}]},
        {"path": "d.md", "owner": ["@t"], "findings": [{"rule": "readability/hard"}],
         "readability": {"flesch_reading_ease": 20.0}},
        {"path": "e.md", "owner": ["@t"], "findings": []},
    ]
    data = DashboardInput(report={"pages": pages}, gates=("ownership", "freshness", "links", "readability"))
    shares = {d.name: d.percent for d in dimensions(data)}
    assert shares["Owned pages"] == 80 and shares["Checklists complete"] is None
    # e.md passes every check that applies to it (it has no due date and no score).
    assert health_score(dimensions(data)) == 20
    summary = health_summary(dimensions(data))
    assert summary["healthy_pages"] == 1 and summary["pages"] == 5
    assert summary["held_back"] == {"Fresh pages": 1, "Owned pages": 1, "Pages with working links": 1, "Readable pages": 1}
    assert health_summary(dimensions(DashboardInput(report={"pages": []}, gates=("ownership",))))["score"] is None


def test_overview_counts_baselined_findings_apart_from_errors():
    pages = [
        {"path": "a.md", "owner": ["@t"], "findings": [
            {"rule": "links/broken", "severity": "error", "baselined": True},
            {"rule": "links/anchor", "severity": "error", "baselined": True},
            {"rule": "readability/hard", "severity": "warning", "baselined": False},
        ]},
    ]
    report = {"summary": {"pages": 1, "errors": 2, "warnings": 1}, "pages": pages,
              "site": {"baseline": {"file": ".docgates-baseline.json", "remaining": 2}}}
    html = render(DashboardInput(report=report, gates=("ownership", "links")))
    overview = html.split('id="overview"')[1].split("</section>")[0]
    cards = dict(re.findall(r'<span class="docgates-card-value">([^<]*)</span><span class="docgates-card-label">([^<]*)</span>', overview)[i][::-1]
                 for i in range(5))
    assert cards["Errors"] == "0" and cards["Warnings"] == "1"
    assert cards["Baselined (accepted in .docgates-baseline.json, not failing)"] == "2"
    assert "docgates-card-errors" not in overview
    assert "The health score is the share of pages that pass every measured check" in overview
    links = html.split('id="links"')[1].split("</section>")[0]
    assert re.search(r"<td>links/broken</td><td>[^<]*</td><td data-sort=\"1\">1</td><td data-sort=\"1\">1</td>", links)


def test_contributing_factors_come_from_postmortem_front_matter():
    from docgates.dashboard.inputs import contributing_factors

    sources = {
        "pm/a.md": parse_page("pm/a.md", "---\ntype: postmortem\ncontributing_factors: [dns, Alerting]\n---\n# A\n"),
        "pm/b.md": parse_page("pm/b.md", "---\ntype: postmortem\ncontributing_factors: [alerting]\n---\n# B\n"),
        "howto.md": parse_page("howto.md", "---\ntype: howto\ncontributing_factors: [alerting]\n---\n# C\n"),
    }
    assert contributing_factors(DashboardInput(report={}, sources=sources)) == [
        ("alerting", ["pm/a.md", "pm/b.md"]),
        ("dns", ["pm/a.md"]),
    ]


def test_charts_are_self_contained_reproducible_and_escaped():
    first = charts.bar_chart("r", "Pages <by> ease", ["a & b", "<c>"], [1, 2])
    second = charts.bar_chart("r", "Pages <by> ease", ["a & b", "<c>"], [1, 2])
    assert first == second  # no random ids, no build date
    assert "<script" not in first and "<!--" not in first
    assert "a &amp; b" in first and "&lt;c&gt;" in first and "<c>" not in first
    assert 'id="docgates-chart-r"' in first
    assert set(re.findall(r"https?://[^\"'\s)<]+", first)) == {"http://www.w3.org/2000/svg"}


def test_the_chart_library_loads_only_when_the_dashboard_is_drawn():
    """pygal is imported when the dashboard is drawn, after the gates let go of their per-page
    state, not with the plugins: its ~1.4 MiB then reuse memory instead of adding to the peak."""
    import subprocess
    import sys

    probe = (
        "import sys\n"
        "from docgates.engines.mkdocs import quality, leaderboard, readability, links\n"
        "loaded = 'pygal' in sys.modules\n"
        "from docgates.dashboard.inputs import DashboardInput\n"
        "from docgates.dashboard.page import render\n"
        "page = {'path': 'a.md', 'freshness_date': '2026-11-01', 'due': '2027-05-01', 'stale': False, 'findings': []}\n"
        "html = render(DashboardInput(report={'summary': {'pages': 1}, 'pages': [page]}, today='2026-11-24'))\n"
        "print(loaded, 'pygal' in sys.modules, '<svg' in html)\n"
    )
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["False", "True", "True"]


PYGAL_HOOK = """\
import sys

def on_post_build(config):
    with open("pygal-loaded.txt", "w") as out:
        out.write(str("pygal" in sys.modules))
"""


def test_a_rebuild_reuses_the_charts_it_drew_until_their_figures_move(git_site):
    """Charts are cached by what they show: a rebuild with the same figures shows the same SVG
    without drawing it (pygal is not even imported); moved figures, or ``cache: false``, draw."""
    site, _ = _handbook(git_site)
    site.config["hooks"] = ["pygal_probe.py"]
    site.write("pygal_probe.py", PYGAL_HOOK, dedent=False)
    page = site.root / "site" / "quality" / "index.html"

    def build(**env: str) -> tuple[str, list[str]]:
        site.build(env=base_env(**env))
        svgs = re.findall(r"<svg role=\"img\".*?</svg>", page.read_text(encoding="utf-8"), re.S)
        assert len(svgs) == 2
        return (site.root / "pygal-loaded.txt").read_text(), svgs

    loaded, drawn = build()
    assert loaded == "True"
    loaded, reused = build()
    assert loaded == "False" and reused == drawn
    # A year on, every page is stale: the freshness pie is drawn again, the other chart reused.
    loaded, later = build(DOCGATES_TODAY="2027-11-24")
    assert loaded == "True" and later[0] != drawn[0] and later[1] == drawn[1]
    site.config["plugins"][-1] = {"docgates/quality": {"cache": False}}
    loaded, uncached = build()
    assert loaded == "True" and uncached == drawn


def test_a_baselined_build_shows_no_errors_and_its_health_in_quality_json(site):
    site.page("index.md", "---\nowner: '@t'\n---\n# Home\n\n[gone](gone.md)\n")
    site.page("ok.md", "---\nowner: '@t'\n---\n# Fine\n")
    site.plugins("docgates/ownership", "docgates/links", "docgates/quality")
    assert site.build().returncode == 1
    assert site.docgates("baseline").returncode == 0
    result = site.build()
    assert result.returncode == 0, result.output
    html = (site.root / "site" / "quality" / "index.html").read_text(encoding="utf-8")
    overview = html.split('id="overview"')[1].split("</section>")[0]
    assert '<span class="docgates-card-value">0</span><span class="docgates-card-label">Errors</span>' in overview
    assert ('<span class="docgates-card-value">1</span><span class="docgates-card-label">Baselined '
            "(accepted in .docgates-baseline.json, not failing)</span>") in overview
    assert "docgates-card-errors" not in overview
    # The broken link still holds its page back: one of the two pages is healthy.
    health = result.report["site"]["health"]
    assert health["score"] == 50 and health["held_back"]["Pages with working links"] == 1
    assert "(1 of 2 pages)" in overview

    # Without a dashboard page, quality.json still has the score.
    site.plugins("docgates/ownership", "docgates/links", {"docgates/quality": {"dashboard": False}})
    assert site.build().report["site"]["health"] == health


def test_a_report_read_back_is_the_typed_report_with_wrong_types_missing():
    from docgates.core.report_file import report_from_dict

    data = {"today": "2026-11-24", "site": {"findings": [{"rule": "links/x", "severity": "error", "path": "b.md"}, 7]},
            "pages": [{"path": "a.md", "due": "2026-13-45", "owner": "@not-a-list",
                       "findings": [{"rule": "r/one", "severity": "loud", "line": "3"},
                                    {"rule": "r/two", "severity": "error", "line": 4, "baselined": True}, None]},
                      ["not a page"]]}
    report = report_from_dict(data, untrusted=True)
    page = report.pages["a.md"]
    assert list(report.pages) == ["a.md"] and page.due is None and page.owner == []
    assert [(f.rule, f.severity, f.line) for f in page.findings] == [("r/one", "warning", 0), ("r/two", "error", 4)]
    assert [f.rule for f in report.baselined] == ["r/two"] and report.site_findings[0].path == "b.md"
    with pytest.raises((TypeError, ValueError)):
        report_from_dict(data)  # a report docgates wrote itself is never quietly patched up
    view = DashboardInput(report=data).view
    assert [(r.rule, r.fails) for r in view.findings] == [("r/one", True), ("r/two", False), ("links/x", True)]
