"""The figures of each dashboard section, as values the template lays out.

A table's rows are tuples of cells (a page is a link, already ``Markup``); every other text
is escaped by the template. A section whose gate did not run carries why (``why``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from docgates.dashboard.inputs import DashboardInput
from docgates.dashboard.measures import Dimension, dimensions, finding_counts, health_summary
from docgates.dashboard.model import PageView

# Flesch reading ease bands (higher is easier), as readability guides name them.
READING_BANDS: tuple[tuple[float, str], ...] = (
    (30, "<30 very hard"),
    (50, "30–50 hard"),
    (60, "50–60 fairly hard"),
    (70, "60–70 plain"),
    (80, "70–80 fairly easy"),
    (float("inf"), "80+ easy"),
)
LINK_RULE_MEANINGS = {"links/anchor": "missing anchor", "links/broken": "missing page or file", "links/external": "external URL failed"}
TOP = 10
Rows = list[tuple[Any, ...]]


@dataclass
class Card:
    label: str
    value: Any
    css: str = ""


@dataclass
class Overview:
    cards: list[Card]
    health: dict[str, Any]  # health_summary()
    checks: Rows  # check, share, pages, pages held back


def overview(data: DashboardInput, dims: list[Dimension]) -> Overview:
    health = health_summary(dims)
    score = health["score"]
    counts = finding_counts(data)
    # The same figures the build log ends with: errors and warnings that fail it, and the
    # accepted debt beside them, never added to them.
    cards = [
        Card("Health score", f"{score:.0f}" if score is not None else "not measured", "docgates-card-score"),
        Card("Pages", data.view.page_count),
        Card("Errors", counts["errors"], "docgates-card-errors" if counts["errors"] else ""),
        Card("Warnings", counts["warnings"]),
    ]
    if counts["baselined"]:
        where = f" in {data.view.baseline_file}" if data.view.baseline_file is not None else ""
        cards.append(Card(f"Baselined (accepted{where}, not failing)", counts["baselined"], "docgates-card-baselined"))
    checks = [
        (d.name, d.share, f"{d.good} of {d.total}" if d.measured else d.why, len(d.failing) if d.measured else "")
        for d in dims
    ]
    return Overview(cards, health, checks)


@dataclass
class Freshness:
    chart: Markup
    adopted: str
    by_owner: Rows  # owner, stale, due soon
    pages: Rows  # page, owners, due, status


def freshness_status(data: DashboardInput, page: PageView) -> str:
    if page.stale:
        return "stale"
    if page.path in data.view.due_soon_pages or page.due_soon:
        return "due soon"
    return "fresh" if page.due else "unknown"


def freshness(data: DashboardInput) -> Freshness:
    status = {page.path: freshness_status(data, page) for page in data.view.pages}
    counts = Counter(status.values())
    chart = data.chart(
        "pie_chart", "freshness", "Freshness of pages",
        [(name, counts[name]) for name in ("fresh", "due soon", "stale", "unknown") if counts[name]],
    )
    by_owner: dict[str, Counter] = defaultdict(Counter)
    listed = []
    for page in data.view.pages:
        state = status[page.path]
        if state not in ("stale", "due soon"):
            continue
        owners = list(page.owners) or ["(no owner)"]
        for owner in owners:
            by_owner[owner][state] += 1
        listed.append((data.page_link(page), ", ".join(owners), page.due, state))
    owner_rows = sorted(
        ((o, c["stale"], c["due soon"]) for o, c in by_owner.items()), key=lambda r: (-r[1], -r[2], r[0].casefold())
    )
    listed.sort(key=lambda r: (r[3] != "stale", str(r[2])))
    return Freshness(chart, data.view.adopted, owner_rows, listed)


def behind_code(data: DashboardInput) -> Rows | None:
    """Pages whose documented code changed after their review, newest change first; None
    when no page declares ``documents``."""
    rows = []
    for page in data.view.pages:
        change = page.code_changed
        if change is None:
            continue
        paths = change.paths
        shown = ", ".join(paths[:3]) + (f" and {len(paths) - 3} more" if len(paths) > 3 else "")
        rows.append((data.page_link(page), _owners(page), change.date, change.commits, shown))
    if not rows and not any(page.documents for page in data.view.pages):
        return None
    rows.sort(key=lambda r: (r[2], str(r[0])), reverse=True)
    return rows


@dataclass
class Ownership:
    coverage: str
    owners: Rows  # owner, pages, stale
    ownerless: list[Markup]


def ownership(data: DashboardInput, dim: Dimension) -> Ownership:
    per_owner: dict[str, Counter] = defaultdict(Counter)
    for page in data.view.pages:
        for owner in page.owners:
            per_owner[owner]["pages"] += 1
            per_owner[owner]["stale"] += page.stale
    rows = sorted(((o, c["pages"], c["stale"]) for o, c in per_owner.items()), key=lambda r: (-r[1], r[0].casefold()))
    coverage = f"{dim.percent:.0f}%" if dim.percent is not None else "no pages"
    return Ownership(coverage, rows, [data.page_link(p) for p in data.view.pages if not p.owners])


@dataclass
class Readability:
    chart: Markup
    hardest: Rows  # page, reading ease, grade


def readability(data: DashboardInput) -> Readability | None:
    scored = [p for p in data.view.pages if p.flesch is not None]
    if not scored:
        return None
    bands: Counter = Counter()
    for page in scored:
        bands[next(label for limit, label in READING_BANDS if page.flesch < limit)] += 1
    labels = [label for _, label in READING_BANDS]
    chart = data.chart(
        "bar_chart", "readability", "Pages by Flesch reading ease", [label.split(" ", 1)[0] for label in labels],
        [bands[label] for label in labels], "Flesch reading ease (higher is easier)",
    )
    hardest = sorted(scored, key=lambda p: p.flesch)[:TOP]
    rows = [(data.page_link(p), round(p.flesch, 1), p.grade if p.grade is not None else "") for p in hardest]
    return Readability(chart, rows)


@dataclass
class Links:
    rules: Rows  # rule, meaning, findings, of them baselined
    measures: Rows  # the links gate's site figures
    pages: Rows  # page, findings, baselined, rules


def links(data: DashboardInput) -> Links:
    by_rule: Counter = Counter()
    baselined_by_rule: Counter = Counter()
    per_page = []
    for page in data.view.pages:
        found = [f for f in page.findings if f.rule.startswith("links/")]
        rules = [f.rule for f in found]
        by_rule.update(rules)
        accepted = [f.rule for f in found if f.baselined]
        baselined_by_rule.update(accepted)
        if rules:
            per_page.append((data.page_link(page), len(rules), len(accepted), ", ".join(sorted(set(rules)))))
    per_page.sort(key=lambda r: -r[1])
    rows = [(rule, meaning, by_rule[rule], baselined_by_rule[rule]) for rule, meaning in LINK_RULE_MEANINGS.items()]
    return Links(rows, list(data.view.link_measures), per_page[: TOP * 2])


@dataclass
class Checklists:
    types: Rows  # type, pages, complete, share
    incomplete: Rows  # page, type, done, missing
    actions: Rows  # post-mortem, open items, overdue


def checklists(data: DashboardInput) -> Checklists:
    by_type: dict[str, Counter] = defaultdict(Counter)
    incomplete = []
    for page in data.view.pages:
        checklist = page.checklist
        if checklist is None:
            continue
        by_type[checklist.type]["pages"] += 1
        by_type[checklist.type]["complete"] += checklist.complete
        if not checklist.complete:
            incomplete.append((data.page_link(page), checklist.type, f"{checklist.done} of {checklist.total}",
                               "; ".join(checklist.missing)))
    types = sorted((k, c["pages"], c["complete"], f"{100 * c['complete'] / c['pages']:.0f}%") for k, c in by_type.items())
    return Checklists(types, incomplete, _postmortem_actions(data))


def _postmortem_actions(data: DashboardInput) -> Rows:
    rows = []
    for page in data.view.pages:
        open_count = page.open_actions if page.open_actions is not None else data.open_tasks(page.path)
        if open_count:
            rows.append((data.page_link(page), open_count, page.overdue_actions if page.overdue_actions is not None else ""))
    rows.sort(key=lambda r: -r[1])
    return rows


@dataclass
class Silos:
    measured: bool  # git told who wrote the pages
    single_author: Rows  # page, owner, only author
    stale_by_owner: Rows  # owner, stale pages


def silos(data: DashboardInput) -> Silos:
    pages = data.view.pages
    single = [(data.page_link(p), _owners(p), p.top_author) for p in pages if p.single_author]
    stale_by_owner: Counter = Counter()
    for page in pages:
        if page.stale:
            stale_by_owner.update(page.owners or ["(no owner)"])
    owner_rows = sorted(stale_by_owner.items(), key=lambda kv: (-kv[1], kv[0].casefold()))[:TOP]
    return Silos(any(p.silo_known for p in pages), single, owner_rows)


@dataclass
class Learning:
    most_linked: Rows  # page, pages linking to it
    onboarding: Rows  # page, last reviewed or changed, due, status
    factors: Rows  # factor, incidents, post-mortems


def learning(data: DashboardInput) -> Learning:
    by_path = {p.path: p for p in data.view.pages}
    # Ties by path: the links gate counts from sets, whose order changes from run to run.
    counts = sorted(data.inbound_counts().items(), key=lambda kv: (-kv[1], kv[0]))[:TOP]
    most_linked = [(data.page_link(by_path.get(path, path)), count) for path, count in counts]
    onboarding = [
        (data.page_link(p), p.freshness_date, p.due, "stale" if p.stale else ("fresh" if p.due else "unknown"))
        for p in data.view.pages if data.is_onboarding(p)
    ]
    factors = [
        (factor, len(pages), Markup(", ").join(data.page_link(p) for p in pages))
        for factor, pages in data.contributing_factors() if len(pages) > 1
    ]
    return Learning(most_linked, onboarding, factors)


def _owners(page: PageView) -> str:
    return ", ".join(page.owners) or "(no owner)"
