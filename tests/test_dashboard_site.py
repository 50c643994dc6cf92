"""The dashboard as a site sees it: its own copy of the template, and the same page whether it
is drawn from the build's report or from quality.json read back."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import docgates
from docgates.core.findings import SeverityPolicy
from docgates.core.report import QualityReport
from docgates.dashboard.inputs import DashboardInput
from docgates.dashboard.measures import dimensions, health_summary
from docgates.dashboard.page import render
from docgates.freshness.model import Freshness

PACKAGE_TEMPLATE = Path(docgates.__file__).parent / "templates" / "docgates" / "dashboard.html"
HOSTILE = "O'Brien & <Co>"


def _handbook(site):
    site.page("index.md", "---\nowner: '@docs'\n---\n# Home\n\n[Guide](guide.md)\n")
    site.page("guide.md", f"---\ntitle: \"{HOSTILE}\"\nowner: '@docs'\n---\n# Guide\n")
    site.plugins("docgates/ownership", "docgates/links", "docgates/quality")
    return site


def _override(site, text: str) -> None:
    """The site keeps its own docgates/dashboard.html in the theme's custom_dir."""
    site.config["theme"]["custom_dir"] = "overrides"
    site.write("overrides/docgates/dashboard.html", text, dedent=False)


def test_a_site_copy_of_the_template_renders_the_page(site):
    _handbook(site)
    package = PACKAGE_TEMPLATE.read_text(encoding="utf-8")
    note = '<p class="site-note">Start at {{ learning.most_linked[0][0] }} ({{ overview.cards[0].label }}).</p>\n'
    assert '<div class="docgates-dashboard">\n' in package
    _override(site, package.replace('<div class="docgates-dashboard">\n', '<div class="docgates-dashboard">\n' + note))
    result = site.build()
    assert result.returncode == 0, result.output
    html = (site.root / "site" / "quality" / "index.html").read_text(encoding="utf-8")
    # The site's copy, with the front matter title still escaped, and the rest as the package has it.
    assert ('<p class="site-note">Start at <a href="../guide/">O&#x27;Brien &amp; &lt;Co&gt;</a> (Health score).</p>'
            in html)
    assert "<Co>" not in html
    assert 'id="overview"' in html and 'id="links"' in html and "links/broken" in html


@pytest.mark.parametrize(
    "line, message",
    [
        ("{% if %}", "dashboard.html:2: Expected an expression"),
        ("{{ overview.cardz }}", "dashboard.html:2: "),
    ],
)
def test_a_broken_site_template_fails_the_build_naming_its_line(site, line, message):
    _handbook(site)
    _override(site, f"<p>Quality</p>\n{line}\n")
    result = site.build()
    assert result.returncode != 0
    assert message in result.output and "fix the template or remove the site's copy" in result.output
    assert "Traceback" not in result.output


def _report() -> QualityReport:
    """A build's report with every kind of figure the dashboard shows, typed as the gates leave it."""
    policy = SeverityPolicy({"links/anchor": "warning"})
    report = QualityReport(today=dt.date(2026, 12, 5))
    fresh = report.page("a.md")
    fresh.title, fresh.owner, fresh.due, fresh.freshness_date = "A &amp; B", ["@team"], dt.date(2027, 1, 1), dt.date(2026, 6, 1)
    fresh.data["freshness"] = Freshness(source="reviewed", due_soon=True, judged=True)
    fresh.readability = {"flesch_reading_ease": 22.25, "grade": 14.1}
    stale = report.page("ops/onboarding.md")
    stale.owner, stale.due, stale.stale = [HOSTILE], dt.date(2026, 1, 1), True
    stale.data.update(silo={"authors": 1, "top_author": "Solo <b>"}, bus_factor_one=True,
                      code_changed={"date": dt.date(2026, 11, 2), "commits": 4, "paths": ["a.py", "b.py", "c.py", "d.py"]},
                      documents=["*.py"])
    howto = report.page("howto.md")
    howto.checklist = {"type": "howto", "done": 1, "total": 3, "missing": ["Prerequisites <x>"]}
    howto.data.update(open_actions=2, overdue_actions=1)
    for finding in (policy.finding("links/broken", "a.md", 3, "gone.md"),
                    policy.finding("links/anchor", "a.md", 4, "#nowhere"),
                    policy.finding("readability/hard", "a.md", 1, "hard"),
                    policy.finding("ownership/missing", "howto.md", 1, "no owner")):
        report.add(finding)
    report.add(policy.finding("config/invalid", "", 0, "bad option"))
    report.baselined.add(policy.finding("links/broken", "a.md", 3, "gone.md"))
    report.page("quality.md")  # the dashboard itself: left out of what it shows
    report.site.update(links={"external_checked": 3}, baseline={"file": ".docgates-baseline.json"},
                       freshness={"adopted": dt.date(2026, 3, 1), "due_soon_pages": ["a.md"]})
    return report


def test_the_build_report_and_quality_json_draw_the_same_dashboard():
    report = _report()
    gates = ("freshness", "ownership", "links", "readability", "checklist")
    options = dict(gates=gates, page_urls={"a.md": "a/", "ops/onboarding.md": "ops/onboarding/"}, here="quality/",
                   today="2026-12-05", leave_out=("quality.md",), inbound={"a.md": 2, "howto.md": 2})
    typed = DashboardInput(report, **options)
    read_back = DashboardInput(report.to_dict(), **options)
    assert health_summary(dimensions(typed)) == health_summary(dimensions(read_back))
    html = render(typed)
    assert html == render(read_back)
    # Figures from each kind of value reach the page, escaped.
    assert "quality.md" not in html
    assert "docgates was adopted on 2026-03-01" in html
    assert "A &amp; B" in html and "O&#x27;Brien &amp; &lt;Co&gt;" in html and "Solo &lt;b&gt;" in html
    assert "<td>a.py, b.py, c.py and 1 more</td>" in html and "Prerequisites &lt;x&gt;" in html
    assert '<span class="docgates-card-value">1</span><span class="docgates-card-label">Baselined' in html
    # Ties in the most-linked table are listed by path, whatever order the counts came in.
    most_linked = html.split("Most-linked pages")[1].split("</table>")[0]
    assert most_linked.index("a/") < most_linked.index("howto.md")
    reordered = DashboardInput(report, **{**options, "inbound": {"howto.md": 2, "a.md": 2}})
    assert render(reordered) == html
