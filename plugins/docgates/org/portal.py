"""The org portal: ``org.json`` and one self-contained ``index.html`` (class ``docgates-org``).

The page has the site dashboard's look (its stylesheet, inlined) and its charts (pygal SVG
drawn now, inlined), so it opens from a file or any static host with no network at all.
"""

from __future__ import annotations

import html
import urllib.parse
from importlib import resources
from pathlib import Path
from typing import Any, Sequence

from docgates.core import outputs
from docgates.core.pagehtml import TABLE_SCRIPT, Markup, esc, link, section, table, tag
from docgates.core.report import write_atomic
from docgates.dashboard import charts
from docgates.org.view import OrgView, SiteView

TITLE = "Docs across the organisation"
LOWEST_HEALTH = 20
OWNERS_SHOWN = 200
# The dashboard's stylesheet is written for Material's page; a bare page needs a frame.
FRAME_CSS = """
body { margin: 0; font: 15px/1.5 -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, sans-serif; color: #222; }
main.docgates-org { max-width: 72rem; margin: 0 auto; padding: 1rem 1.5rem 3rem; }
.docgates-org h1 { font-weight: 400; font-size: 2rem; }
.docgates-org h2 { font-weight: 400; margin-top: 2.5rem; border-bottom: 1px solid #e5e5e5; }
.docgates-org table { border-collapse: collapse; width: 100%; font-size: 0.85rem; }
.docgates-org th, .docgates-org td { text-align: left; padding: 0.3rem 0.6rem; border-bottom: 1px solid #eee; vertical-align: middle; }
.docgates-org th { background: #f5f5f5; }
.docgates-org a { color: #3f51b5; }
.docgates-org figure.docgates-chart { max-width: 40rem; margin: 1rem 0; }
.docgates-org .docgates-sparkline svg { display: block; width: 120px; height: 24px; }
.docgates-org .docgates-problem { color: #c62828; }
"""


def write_portal(view: OrgView, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    write_atomic(out / "org.json", outputs.dumps(view.to_dict()))
    write_atomic(out / "index.html", render(view))


def render(view: OrgView) -> str:
    css = resources.files("docgates").joinpath("assets/dashboard.css").read_text(encoding="utf-8")
    body = "".join([
        tag("h1", TITLE),
        _overview(view),
        _problems(view),
        _sites(view),
        _owners(view),
        _worst(view),
        _indicators(view),
        _docs_day(view),
    ])
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(TITLE)}</title><style>{FRAME_CSS}{css}</style></head>"
        f'<body><main class="docgates-org docgates-dashboard">{body}</main>{TABLE_SCRIPT}</body></html>\n'
    )


def _overview(view: OrgView) -> Markup:
    sites = [s.latest for s in view.sites]
    pages = sum(s.pages for s in sites)
    healths = [s.health for s in sites if s.health is not None]
    cards = [
        ("Sites", len(sites), ""),
        ("Pages", pages, ""),
        ("Median health", f"{sorted(healths)[len(healths) // 2]:.0f}" if healths else "not measured", "docgates-card-score"),
        ("Errors", sum(s.errors for s in sites), "docgates-card-errors" if any(s.errors for s in sites) else ""),
        ("Stale pages", sum(s.stale for s in sites), ""),
        ("Pages without owner", sum(s.ownerless for s in sites), ""),
    ]
    html_cards = "".join(
        f'<div class="docgates-card {esc(css)}"><span class="docgates-card-value">{esc(value)}</span>'
        f'<span class="docgates-card-label">{esc(label)}</span></div>' for label, value, css in cards
    )
    return Markup(
        f'<div class="docgates-cards">{html_cards}</div>'
        + tag("p", f"Recorded {view.today}. Each site's health is its dashboard's score: the share of its "
                   "pages that pass every measured check (fresh, owned, working links, complete checklist, readable).")
    )


def _problems(view: OrgView) -> str:
    if not view.problems:
        return ""
    rows = [(p.name, p.location, Markup(f'<span class="docgates-problem">{esc(p.reason)}</span>')) for p in view.problems]
    return section("Reports that could not be read", tag("p", "These sites show their last recorded figures, if any."),
                   table(("Site", "Report", "Reason"), rows), section_id="problems")


def _sites(view: OrgView) -> Markup:
    behind = any(s.latest.behind_code for s in view.sites)
    headers = ["Site", "Pages", "Errors", "Warnings", "Stale", "Ownerless"] + (["Behind code"] if behind else []) + ["Health", "Trend"]
    rows = []
    for index, site in enumerate(view.sites):
        s = site.latest
        name = link(s.site, s.link or None)
        if site.problem:
            name = Markup(f'{name} <span class="docgates-problem" title="{esc(site.problem)}">(not read this run)</span>')
        row: list[Any] = [name, s.pages, s.errors, s.warnings, s.stale, s.ownerless]
        if behind:
            row.append(s.behind_code)
        row += [s.health if s.health is not None else "not measured", _sparkline(index, site)]
        rows.append(row)
    numeric = tuple(range(1, len(headers) - 1))
    lowest = sorted((s.latest for s in view.sites if s.latest.health is not None), key=lambda s: (s.health, s.site))
    parts: list[Any] = [table(headers, rows, numeric=numeric, css_class="docgates-org-sites", empty="No site recorded yet.")]
    if lowest:
        chosen = lowest[:LOWEST_HEALTH]
        svg = charts.horizontal_bar_chart("org-health", f"Health of the {len(chosen)} least healthy sites",
                                          [s.site for s in chosen], [s.health or 0 for s in chosen])
        parts.append(Markup(f'<figure class="docgates-chart">{svg}</figure>'))
    return section("Sites", *parts, section_id="sites")


def _sparkline(index: int, site: SiteView) -> Markup:
    """The site's health over its snapshots as one line. Drawn here, not with pygal: a line
    is all it is, and pygal takes ~5 ms and ~11 KB a sparkline (2.5 s and 5 MB for 500 sites)."""
    values = [h.health for h in site.history if h.health is not None]
    if len(values) < 2:
        return Markup("")
    width, height, pad = 120, 24, 2
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    step = (width - 2 * pad) / (len(values) - 1)
    points = " ".join(
        f"{pad + i * step:.1f},{height - pad - (v - low) / span * (height - 2 * pad):.1f}" for i, v in enumerate(values)
    )
    label = f"Health over {len(values)} snapshots: {values[0]:g} to {values[-1]:g}"
    return Markup(
        f'<span class="docgates-sparkline"><svg role="img" aria-labelledby="docgates-trend-{index}" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="docgates-trend-{index}">{esc(label)}</title>'
        f'<polyline points="{points}" fill="none" stroke="{charts.STYLE.colors[0]}" stroke-width="1.5"/></svg></span>'
    )


def _owners(view: OrgView) -> Markup:
    rows = [(owner, pages, stale, sites) for owner, pages, stale, sites in view.owners[:OWNERS_SHOWN]]
    more = len(view.owners) - len(rows)
    return section(
        "Owners across all sites",
        table(("Owner", "Pages", "Stale", "Sites"), rows, numeric=(1, 2, 3), empty="No page has an owner yet."),
        tag("p", f"{more} more owners are in org.json.") if more > 0 else "",
        section_id="owners",
    )


def _worst(view: OrgView) -> Markup:
    links = {s.latest.site: s.latest.link for s in view.sites}
    rows = []
    for page in view.worst:
        href = page_href(links.get(page["site"], ""), page["url"])
        overdue = page["days_overdue"] if page["stale"] and page["days_overdue"] is not None else ""
        rows.append((page["site"], link(page["title"], href), ", ".join(page["owners"]) or "(no owner)",
                     page["errors"], page["warnings"], overdue))
    return section(
        "Worst pages",
        tag("p", "Most errors first, then the most overdue stale pages."),
        table(("Site", "Page", "Owner", "Errors", "Warnings", "Days overdue"), rows, numeric=(3, 4, 5),
              empty="No page has a finding or is stale."),
        section_id="worst",
    )


def page_href(site_link: str, url: str) -> str | None:
    if not site_link:
        return None
    return urllib.parse.urljoin(site_link if site_link.endswith("/") else site_link.rsplit("/", 1)[0] + "/", url)


def _indicators(view: OrgView) -> Markup:
    points = view.indicators
    rows = [(i.day, i.pages, _pct(i.share(i.stale)), _pct(i.share(i.ownerless)), _pct(i.share(i.single_author)), i.open_actions)
            for i in points]
    parts: list[Any] = []
    if len(points) >= 2:
        parts.append(Markup(f'<figure class="docgates-chart">{_line_chart(points)}</figure>'))
    parts.append(table(("Recorded", "Pages", "Stale", "Without owner", "Single author", "Open post-mortem actions"),
                       rows, numeric=(1, 5), empty="Nothing recorded yet."))
    return section("Org indicators over time", *parts, section_id="indicators")


def _line_chart(points: Sequence[Any]) -> str:
    import pygal

    title = "Share of pages (%) over time"
    chart = pygal.Line(style=charts.STYLE, js=[], disable_xml_declaration=True, title=title, width=640, height=320,
                       explicit_size=False, pretty_print=False, legend_at_bottom=True, truncate_label=-1)
    chart.x_labels = [p.day for p in points]
    chart.add("stale", [p.share(p.stale) for p in points])
    chart.add("without owner", [p.share(p.ownerless) for p in points])
    if any(p.single_author is not None for p in points):
        chart.add("single author", [p.share(p.single_author) for p in points])
    svg = charts.clean_svg(chart.render(is_unicode=True), "org-indicators")
    return svg.replace(">", f'><title id="docgates-chart-org-indicators-title">{html.escape(title)}</title>', 1)


def _pct(value: float | None) -> str:
    return "not measured" if value is None else f"{value:.1f}%"


def _docs_day(view: OrgView) -> str:
    board = view.docs_day
    if board is None:
        return ""
    people = [(p["name"], p["points"], len(p["sites"]), ", ".join(p["sites"])) for p in board["people"]]
    awards = [(a["title"], a["winner"], f'{a["amount"]} {a["unit"]}') for a in board["awards"]]
    return section(
        f"Org docs day {board['since']} to {board['until']}",
        table(("Award", "Winner", "For"), awards, empty="No award: nobody scored in this window."),
        table(("Person", "Points", "Sites", "Where"), people, numeric=(1, 2), empty="Nobody scored in this window."),
        section_id="docs-day",
    )


__all__ = ["write_portal", "render"]
