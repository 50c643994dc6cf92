"""The quality dashboard: everything in quality.json, for people.

It reads the report in its quality.json shape (so it shows exactly what CI sees) plus the
parsed page sources, and never assumes a gate ran: a section whose data is missing says
"not measured" instead of failing or pretending all is well.
"""

from __future__ import annotations

import fnmatch
import functools
import html
import json
import posixpath
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from docgates.core.content_cache import ContentCache, code_digest, content_key
from docgates.core.frontmatter import PageSource
from docgates.core.pagehtml import TABLE_SCRIPT, Markup, esc, link, not_measured, relative_url, section, table, tag

# Flesch reading ease bands (higher is easier), as readability guides name them.
READING_BANDS: tuple[tuple[float, str], ...] = (
    (30, "<30 very hard"),
    (50, "30–50 hard"),
    (60, "50–60 fairly hard"),
    (70, "60–70 plain"),
    (80, "70–80 fairly easy"),
    (float("inf"), "80+ easy"),
)
DEFAULT_ONBOARDING = ("onboarding*", "*/onboarding*", "**/onboarding/**")
TOP = 10


@dataclass
class DashboardInput:
    report: Mapping[str, Any]  # QualityReport.to_dict()
    sources: Mapping[str, PageSource] = field(default_factory=dict)
    page_urls: Mapping[str, str] = field(default_factory=dict)
    here: str = ""  # URL of the dashboard page itself
    gates: tuple[str, ...] | None = None  # gates that ran; None: unknown, guess from data
    # target page -> pages linking to it, from the links gate when it ran (else parsed here).
    # How many pages link to each page (from the links gate); None: counted from the sources.
    inbound: Mapping[str, int] | None = None
    onboarding: tuple[str, ...] = DEFAULT_ONBOARDING
    today: str = ""
    # Charts drawn by earlier builds, by what they show; None draws every chart.
    charts: ContentCache | None = None

    @property
    def pages(self) -> list[dict[str, Any]]:
        return [p for p in self.report.get("pages", []) if isinstance(p, dict)]

    @property
    def site(self) -> dict[str, Any]:
        value = self.report.get("site")
        return value if isinstance(value, dict) else {}

    def ran(self, gate: str, evidence: bool) -> bool:
        return gate in self.gates if self.gates is not None else evidence

    def href(self, path: str) -> str | None:
        url = self.page_urls.get(path)
        return relative_url(self.here, url) if url is not None else None

    def page_link(self, page: Mapping[str, Any] | str) -> Markup:
        path = page if isinstance(page, str) else str(page.get("path", ""))
        title = path
        if not isinstance(page, str) and page.get("title"):
            title = str(page["title"])
            source = self.sources.get(path)
            if source is None or source.meta.get("title") != title:
                # MkDocs takes titles from the rendered H1, entities and all: decode, escape
                # once. A front matter title is the author's text already: "&amp;" stays.
                title = html.unescape(title)
        return link(title, self.href(path))


def _chart(data: DashboardInput, kind: str, *args: Any) -> str:
    """``charts.<kind>(*args)``, from ``data.charts`` when an earlier build drew the same chart
    with the same code: a rebuild whose figures did not move then neither draws nor imports
    pygal (~0.06 s and ~1.4 MiB at the build's peak, 2,000 pages)."""
    cache = data.charts
    key = ""
    if cache is not None:
        key = content_key(kind, json.dumps(args, ensure_ascii=False), _chart_code())
        svg = cache.get(key)
        if isinstance(svg, str):
            return svg
    # Imported here rather than with the plugin: pygal then fills memory the gates have let go
    # of by now, instead of growing the build's heap from the start (peak -1 to -2 MiB).
    from docgates.dashboard import charts

    svg = getattr(charts, kind)(*args)
    if cache is not None:
        cache.put(key, svg)
    return svg


@functools.cache  # neither changes within a run
def _chart_code() -> str:
    """What a chart's drawing depends on besides its figures: our chart code and pygal's
    version (from its metadata, so pygal itself is not imported to ask)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        pygal = version("pygal")
    except PackageNotFoundError:
        pygal = "unknown"
    return f"{code_digest('dashboard/charts.py')}/{pygal}"


def _rules(page: Mapping[str, Any]) -> list[str]:
    return [str(f.get("rule", "")) for f in page.get("findings", []) if isinstance(f, dict)]


def _owners(page: Mapping[str, Any]) -> list[str]:
    owners = page.get("owner")
    return [str(o) for o in owners] if isinstance(owners, list) else []


def _flesch(page: Mapping[str, Any]) -> float | None:
    value = page.get("readability")
    if isinstance(value, dict) and isinstance(value.get("flesch_reading_ease"), (int, float)):
        return float(value["flesch_reading_ease"])
    return None


def _checklist(page: Mapping[str, Any]) -> dict[str, Any] | None:
    value = page.get("checklist")
    if isinstance(value, dict) and isinstance(value.get("total"), int) and value["total"] > 0:
        if value.get("template_for"):
            return None  # templates are not pages to finish
        return value
    return None


# -- measures -----------------------------------------------------------------------------
@dataclass
class Dimension:
    """One check every page can pass or fail (some apply only to some pages)."""

    name: str
    good: int
    total: int
    measured: bool
    why: str = ""
    # Pages this check holds back (the ones it applies to and that fail it).
    failing: frozenset[str] = frozenset()
    # Every page of the site, so the health score can be computed from the checks alone.
    pages: int = 0

    @property
    def percent(self) -> float | None:
        if not self.measured or not self.total:
            return None
        return 100.0 * self.good / self.total


def _dimension(name: str, applies: list[dict[str, Any]], passes: Any, measured: bool, why: str, pages: int) -> Dimension:
    failing = frozenset(str(p.get("path")) for p in applies if not passes(p))
    return Dimension(name, len(applies) - len(failing), len(applies), measured, why, failing if measured else frozenset(), pages)


def dimensions(data: DashboardInput) -> list[Dimension]:
    pages = data.pages
    count = len(pages)
    judged = [p for p in pages if p.get("due")]
    fresh = _dimension(
        # Behind the code it documents is not fresh either (freshness/code-changed).
        "Fresh pages", judged, lambda p: not p.get("stale") and not p.get("code_changed"),
        data.ran("freshness", bool(judged) or "freshness" in data.site), "the freshness gate is not enabled", count,
    )
    owned = _dimension(
        "Owned pages", pages, lambda p: bool(_owners(p)),
        data.ran("ownership", "ownership" in data.site or any(_owners(p) for p in pages)),
        "the ownership gate is not enabled", count,
    )
    link_rules = ("links/broken", "links/anchor", "links/external")
    links = _dimension(
        "Pages with working links", pages, lambda p: not any(r in link_rules for r in _rules(p)),
        data.ran("links", "links" in data.site or any(r.startswith("links/") for p in pages for r in _rules(p))),
        "the links gate is not enabled", count,
    )
    typed = [p for p in pages if _checklist(p)]
    done = _dimension(
        "Checklists complete", typed, lambda p: _checklist(p).get("done") == _checklist(p).get("total"),
        data.ran("checklist", bool(typed) or "checklist" in data.site), "the checklist gate is not enabled", count,
    )
    scored = [p for p in pages if _flesch(p) is not None]
    readable = _dimension(
        "Readable pages", scored, lambda p: "readability/hard" not in _rules(p),
        data.ran("readability", bool(scored)), "the readability gate is not enabled", count,
    )
    return [fresh, owned, links, done, readable]


HEALTH_DEFINITION = (
    "the share of pages that pass every measured check: fresh (reviewed on time and not behind "
    "the code they document), owned, with working links, "
    "with a complete checklist and readable"
)


def health_summary(dims: Iterable[Dimension]) -> dict[str, Any]:
    """The health score and its parts, as quality.json's ``site.health`` holds them: the
    percentage of pages no measured check holds back (None when nothing is measured or there
    are no pages). Baselined findings count: accepted debt is still debt."""
    measured = [d for d in dims if d.measured]
    pages = max((d.pages for d in measured), default=0)
    healthy = pages - len(frozenset().union(*(d.failing for d in measured)))
    return {
        "score": round(100.0 * healthy / pages, 1) if pages else None,
        "definition": HEALTH_DEFINITION,
        "pages": pages,
        "healthy_pages": healthy,
        "held_back": {d.name: len(d.failing) for d in measured},
    }


def health_score(dims: Iterable[Dimension]) -> float | None:
    return health_summary(dims)["score"]


def finding_counts(data: DashboardInput) -> dict[str, int]:
    """New errors and warnings (the ones that fail a build) and baselined findings."""
    counts = Counter()
    entries = [f for p in data.pages for f in p.get("findings", []) if isinstance(f, dict)]
    entries += [f for f in data.site.get("findings", []) if isinstance(f, dict)]
    for entry in entries:
        if entry.get("baselined"):
            counts["baselined"] += 1
        else:
            counts["errors" if entry.get("severity") == "error" else "warnings"] += 1
    return {"errors": counts["errors"], "warnings": counts["warnings"], "baselined": counts["baselined"]}


# -- sections -----------------------------------------------------------------------------
def render(data: DashboardInput) -> str:
    parts = [tag("h1", "Quality dashboard")]
    parts.append(_overview(data))
    parts.append(_freshness(data))
    parts.append(_behind_code(data))
    parts.append(_ownership(data))
    parts.append(_readability(data))
    parts.append(_links(data))
    parts.append(_checklists(data))
    parts.append(_silos(data))
    parts.append(_learning(data))
    return f'<div class="docgates-dashboard">{"".join(parts)}</div>{TABLE_SCRIPT}'


def _overview(data: DashboardInput) -> Markup:
    summary = data.report.get("summary") or {}
    dims = dimensions(data)
    health = health_summary(dims)
    score = health["score"]
    counts = finding_counts(data)
    baseline = data.site.get("baseline") if isinstance(data.site.get("baseline"), dict) else {}
    # The same figures the build log ends with: errors and warnings that fail it, and the
    # accepted debt beside them, never added to them.
    cards = [
        ("Health score", f"{score:.0f}" if score is not None else "not measured", "docgates-card-score"),
        ("Pages", summary.get("pages", len(data.pages)), ""),
        ("Errors", counts["errors"], "docgates-card-errors" if counts["errors"] else ""),
        ("Warnings", counts["warnings"], ""),
    ]
    if counts["baselined"]:
        where = f" in {baseline['file']}" if isinstance(baseline.get("file"), str) else ""
        cards.append((f"Baselined (accepted{where}, not failing)", counts["baselined"], "docgates-card-baselined"))
    card_html = "".join(
        f'<div class="docgates-card {esc(css)}"><span class="docgates-card-value">{esc(value)}</span>'
        f'<span class="docgates-card-label">{esc(label)}</span></div>'
        for label, value, css in cards
    )
    rows = [
        (d.name, _share(d), f"{d.good} of {d.total}" if d.measured else d.why, len(d.failing) if d.measured else "")
        for d in dims
    ]
    when = f"Report of {data.today}. " if data.today else ""
    if score is None:
        explained = "The health score needs at least one measured check and one page."
    else:
        explained = (
            f"The health score is {HEALTH_DEFINITION} ({health['healthy_pages']} of {health['pages']} pages). "
            "The last column shows how many pages each check holds back; a page can be held back by "
            "several. Baselined findings count: accepted debt is still debt."
        )
    return section(
        "Overview",
        Markup(f'<div class="docgates-cards">{card_html}</div>'),
        tag("p", f"{when}{explained} The same data is in quality.json."),
        table(("Check", "Share", "Pages", "Pages held back"), rows, numeric=(3,), css_class="docgates-dimensions"),
        section_id="overview",
    )


def _share(dim: Dimension) -> str:
    if not dim.measured:
        return "not measured"
    return f"{dim.percent:.0f}%" if dim.percent is not None else "no pages to judge"


def _freshness(data: DashboardInput) -> Markup:
    pages = data.pages
    dims = {d.name: d for d in dimensions(data)}
    if not dims["Fresh pages"].measured:
        return section("Freshness", not_measured("Freshness", dims["Fresh pages"].why), section_id="freshness")
    soon = set((data.site.get("freshness") or {}).get("due_soon_pages") or [])
    status: dict[str, str] = {}
    for page in pages:
        path = str(page.get("path"))
        if page.get("stale"):
            status[path] = "stale"
        elif path in soon or _due_soon(page):
            status[path] = "due soon"
        elif page.get("due"):
            status[path] = "fresh"
        else:
            status[path] = "unknown"
    counts = Counter(status.values())
    chart = _chart(
        data, "pie_chart", "freshness", "Freshness of pages",
        [(name, counts[name]) for name in ("fresh", "due soon", "stale", "unknown") if counts[name]],
    )
    by_owner: dict[str, Counter] = defaultdict(Counter)
    listed = []
    for page in pages:
        state = status[str(page.get("path"))]
        if state not in ("stale", "due soon"):
            continue
        owners = _owners(page) or ["(no owner)"]
        for owner in owners:
            by_owner[owner][state] += 1
        listed.append((data.page_link(page), ", ".join(owners), page.get("due") or "", state))
    owner_rows = sorted(
        ((o, c["stale"], c["due soon"]) for o, c in by_owner.items()), key=lambda r: (-r[1], -r[2], r[0].casefold())
    )
    listed.sort(key=lambda r: (r[3] != "stale", str(r[2])))
    adopted = (data.site.get("freshness") or {}).get("adopted")
    return section(
        "Stale and soon-due pages",
        tag("p", f"docgates was adopted on {adopted}: a page with no review recorded since is due "
                 "from that day plus its review interval, or from its last change if later.") if adopted else "",
        Markup(f'<figure class="docgates-chart">{chart}</figure>'),
        tag("h3", "By owner"),
        table(("Owner", "Stale", "Due soon"), owner_rows, numeric=(1, 2), empty="No page is stale or due soon."),
        tag("h3", "Pages"),
        table(("Page", "Owner", "Due", "Status"), listed, empty="No page is stale or due soon."),
        section_id="freshness",
    )


def _behind_code(data: DashboardInput) -> Markup:
    """Pages whose documented code changed after their review, newest change first; nothing
    when no page declares ``documents``."""
    rows = []
    for page in data.pages:
        change = page.get("code_changed")
        if not isinstance(change, dict):
            continue
        paths = [str(p) for p in change.get("paths") or []]
        shown = ", ".join(paths[:3]) + (f" and {len(paths) - 3} more" if len(paths) > 3 else "")
        rows.append((
            data.page_link(page), ", ".join(_owners(page)) or "(no owner)", str(change.get("date") or ""),
            change.get("commits") or 0, shown,
        ))
    if not rows and not any(page.get("documents") for page in data.pages):
        return Markup("")
    rows.sort(key=lambda r: (r[2], str(r[0])), reverse=True)
    return section(
        "Pages behind their code",
        tag("p", "Pages whose documents patterns match code changed after their last review. "
                 "Read each against the code, then record the review with docgates review."),
        table(("Page", "Owner", "Code changed", "Commits", "Files"), rows, numeric=(3,),
              empty="Every page that documents code is in line with it."),
        section_id="behind-code",
    )


def _due_soon(page: Mapping[str, Any]) -> bool:
    value = page.get("freshness")
    return isinstance(value, dict) and bool(value.get("due_soon"))


def _ownership(data: DashboardInput) -> Markup:
    dim = next(d for d in dimensions(data) if d.name == "Owned pages")
    if not dim.measured:
        return section("Ownership", not_measured("Ownership", dim.why), section_id="ownership")
    per_owner: dict[str, Counter] = defaultdict(Counter)
    for page in data.pages:
        for owner in _owners(page):
            per_owner[owner]["pages"] += 1
            per_owner[owner]["stale"] += bool(page.get("stale"))
    rows = sorted(((o, c["pages"], c["stale"]) for o, c in per_owner.items()), key=lambda r: (-r[1], r[0].casefold()))
    ownerless = [data.page_link(p) for p in data.pages if not _owners(p)]
    coverage = f"{dim.percent:.0f}%" if dim.percent is not None else "no pages"
    return section(
        "Ownership coverage",
        tag("p", f"{coverage} of pages have an owner ({dim.good} of {dim.total})."),
        table(("Owner", "Pages", "Stale"), rows, numeric=(1, 2), empty="No page has an owner yet."),
        tag("h3", f"Pages without an owner ({len(ownerless)})"),
        _list(ownerless, "Every page has an owner."),
        section_id="ownership",
    )


def _readability(data: DashboardInput) -> Markup:
    scored = [(p, _flesch(p)) for p in data.pages if _flesch(p) is not None]
    if not scored:
        why = "the readability gate is not enabled" if not data.ran("readability", False) else "no page was scored"
        return section("Readability", not_measured("Readability", why), section_id="readability")
    bands = Counter()
    for _, score in scored:
        bands[next(label for limit, label in READING_BANDS if score < limit)] += 1
    labels = [label for _, label in READING_BANDS]
    chart = _chart(
        data, "bar_chart", "readability", "Pages by Flesch reading ease", [label.split(" ", 1)[0] for label in labels],
        [bands[label] for label in labels], "Flesch reading ease (higher is easier)",
    )
    hardest = sorted(scored, key=lambda item: item[1])[:TOP]
    rows = []
    for page, score in hardest:
        grade = (page.get("readability") or {}).get("grade")
        rows.append((data.page_link(page), round(score, 1), grade if isinstance(grade, (int, float)) else ""))
    return section(
        "Readability",
        Markup(f'<figure class="docgates-chart">{chart}</figure>'),
        tag("h3", "Hardest pages"),
        table(("Page", "Reading ease", "Grade"), rows, numeric=(1, 2)),
        section_id="readability",
    )


def _links(data: DashboardInput) -> Markup:
    dim = next(d for d in dimensions(data) if d.name == "Pages with working links")
    if not dim.measured:
        return section("Link health", not_measured("Link health", dim.why), section_id="links")
    by_rule: Counter = Counter()
    baselined_by_rule: Counter = Counter()
    per_page = []
    for page in data.pages:
        found = [f for f in page.get("findings", []) if isinstance(f, dict) and str(f.get("rule", "")).startswith("links/")]
        rules = [str(f["rule"]) for f in found]
        by_rule.update(rules)
        accepted = [str(f["rule"]) for f in found if f.get("baselined")]
        baselined_by_rule.update(accepted)
        if rules:
            per_page.append((data.page_link(page), len(rules), len(accepted), ", ".join(sorted(set(rules)))))
    per_page.sort(key=lambda r: -r[1])
    labels = {"links/broken": "missing page or file", "links/anchor": "missing anchor", "links/external": "external URL failed"}
    rows = [(rule, labels.get(rule, ""), by_rule[rule], baselined_by_rule[rule]) for rule in sorted(labels)]
    extra = data.site.get("links")
    extra_rows = []
    if isinstance(extra, dict):
        extra_rows = [(str(k).replace("_", " "), v) for k, v in extra.items() if isinstance(v, (int, float))]
    return section(
        "Link health",
        tag("p", f"{dim.good} of {dim.total} pages have no broken link."),
        table(("Rule", "Meaning", "Findings", "of them baselined"), rows, numeric=(2, 3)),
        table(("Measure", "Value"), extra_rows, numeric=(1,), empty="") if extra_rows else "",
        tag("h3", "Pages with link findings"),
        table(("Page", "Findings", "Baselined", "Rules"), per_page[: TOP * 2], numeric=(1, 2), empty="No broken links."),
        section_id="links",
    )


def _checklists(data: DashboardInput) -> Markup:
    dim = next(d for d in dimensions(data) if d.name == "Checklists complete")
    if not dim.measured:
        return section("Definition of done", not_measured("Checklists", dim.why), section_id="checklists")
    by_type: dict[str, Counter] = defaultdict(Counter)
    incomplete = []
    for page in data.pages:
        checklist = _checklist(page)
        if not checklist:
            continue
        kind = str(checklist.get("type") or "?")
        by_type[kind]["pages"] += 1
        complete = checklist.get("done") == checklist.get("total")
        by_type[kind]["complete"] += complete
        if not complete:
            missing = checklist.get("missing") or []
            incomplete.append((data.page_link(page), kind, f"{checklist.get('done')} of {checklist.get('total')}",
                               "; ".join(str(m) for m in missing)))
    type_rows = sorted((k, c["pages"], c["complete"], f"{100 * c['complete'] / c['pages']:.0f}%") for k, c in by_type.items())
    actions = _postmortem_actions(data)
    return section(
        "Definition of done",
        table(("Type", "Pages", "Complete", "Share"), type_rows, numeric=(1, 2), empty="No typed pages."),
        tag("h3", "Incomplete pages"),
        table(("Page", "Type", "Done", "Missing"), incomplete, empty="Every typed page is complete."),
        tag("h3", "Open post-mortem action items"),
        actions,
        section_id="checklists",
    )


def _postmortem_actions(data: DashboardInput) -> Markup:
    rows = []
    for page in data.pages:
        open_count = page.get("open_actions")
        if not isinstance(open_count, int):
            open_count = _open_tasks(data.sources.get(str(page.get("path"))))
        if open_count:
            overdue = page.get("overdue_actions")
            rows.append((data.page_link(page), open_count, overdue if isinstance(overdue, int) else ""))
    rows.sort(key=lambda r: -r[1])
    return table(("Post-mortem", "Open items", "Overdue"), rows, numeric=(1, 2), empty="No open action items.")


def _open_tasks(source: PageSource | None) -> int:
    if source is None or source.type != "postmortem":
        return 0
    try:
        from docgates.core.markdown_outline import outline
    except ImportError:
        return 0
    return sum(not t.done for t in outline(source.body).tasks_in("Action items"))


def _silos(data: DashboardInput) -> Markup:
    single = []
    any_silo_data = False
    for page in data.pages:
        silo = page.get("silo")
        if isinstance(silo, dict):
            any_silo_data = True
        if page.get("bus_factor_one") or (isinstance(silo, dict) and silo.get("authors") == 1):
            author = silo.get("top_author") if isinstance(silo, dict) else None
            single.append((data.page_link(page), ", ".join(_owners(page)) or "(no owner)", author or ""))
    stale_by_owner: Counter = Counter()
    for page in data.pages:
        if page.get("stale"):
            for owner in _owners(page) or ["(no owner)"]:
                stale_by_owner[owner] += 1
    owner_rows = sorted(stale_by_owner.items(), key=lambda kv: (-kv[1], kv[0].casefold()))[:TOP]
    parts: list[Any] = [tag("h3", "Pages with a single author")]
    if any_silo_data:
        parts.append(table(("Page", "Owner", "Only author"), single, empty="No page depends on one author."))
    else:
        parts.append(not_measured("Single-author pages", "needs the ownership gate and git history"))
    parts += [tag("h3", "Owners with the most stale pages"),
              table(("Owner", "Stale pages"), owner_rows, numeric=(1,), empty="No stale pages.")]
    return section("Knowledge-silo audit", *parts, section_id="silos")


def _learning(data: DashboardInput) -> Markup:
    parts: list[Any] = [tag("h3", "Most-linked pages (knowledge reuse)")]
    inbound = (
        Counter(data.inbound)
        if data.inbound is not None
        else inbound_links(data.sources)
    )
    by_path = {str(p.get("path")): p for p in data.pages}
    rows = [(data.page_link(by_path.get(path, path)), count) for path, count in inbound.most_common(TOP)]
    parts.append(table(("Page", "Pages linking to it"), rows, numeric=(1,), empty="No page links to another yet."))
    parts.append(tag("h3", "Onboarding pages"))
    onboarding = [p for p in data.pages if _is_onboarding(p, data)]
    rows = [
        (data.page_link(p), p.get("freshness_date") or "", p.get("due") or "",
         "stale" if p.get("stale") else ("fresh" if p.get("due") else "unknown"))
        for p in onboarding
    ]
    parts.append(table(("Page", "Last reviewed or changed", "Due", "Status"), rows,
                       empty="No onboarding pages (pages whose path matches onboarding, or with onboarding: true)."))
    parts.append(tag("h3", "Repeated post-mortem contributing factors"))
    factors = contributing_factors(data)
    rows = [(factor, len(pages), join_links(data, pages)) for factor, pages in factors if len(pages) > 1]
    parts.append(table(("Factor", "Incidents", "Post-mortems"), rows, numeric=(1,),
                       empty="No contributing factor appears in more than one post-mortem."))
    return section("Learning indicators", *parts, section_id="learning")


def join_links(data: DashboardInput, paths: Iterable[str]) -> Markup:
    return Markup(", ".join(data.page_link(p) for p in paths))


def _is_onboarding(page: Mapping[str, Any], data: DashboardInput) -> bool:
    path = str(page.get("path", ""))
    source = data.sources.get(path)
    if source is not None:
        flag = source.meta.get("onboarding")
        tags = source.meta.get("tags")
        if flag is True or (isinstance(tags, list) and "onboarding" in [str(t).casefold() for t in tags]):
            return True
    return any(fnmatch.fnmatch(path.casefold(), pattern) for pattern in data.onboarding)


def contributing_factors(data: DashboardInput) -> list[tuple[str, list[str]]]:
    """Each factor with the post-mortems naming it, most repeated first."""
    pages: dict[str, list[str]] = defaultdict(list)
    for path, source in sorted(data.sources.items()):
        if source.type != "postmortem":
            continue
        value = source.meta.get("contributing_factors")
        if not isinstance(value, list):
            continue
        for factor in {" ".join(str(v).split()).casefold() for v in value if isinstance(v, (str, int)) and str(v).strip()}:
            pages[factor].append(path)
    return sorted(pages.items(), key=lambda kv: (-len(kv[1]), kv[0]))


def inbound_links(sources: Mapping[str, PageSource]) -> Counter:
    """How many other pages link to each page (links in code blocks do not count)."""
    try:
        from docgates.core.markdown_outline import outline
    except ImportError:
        return Counter()
    from docgates.leaderboard.probes import link_path

    known = set(sources)
    counts: Counter = Counter()
    for path, source in sources.items():
        folder = posixpath.dirname(path)
        targets = set()
        for found in outline(source.body).links:
            if not found.internal:
                continue
            target = link_path(found.target, folder)
            if target is None:
                continue
            for candidate in (target, f"{target.rstrip('/')}/index.md".lstrip("/"), f"{target}.md"):
                if candidate in known and candidate != path:
                    targets.add(candidate)
                    break
        counts.update(targets)
    return counts


def _list(items: list[Any], empty: str) -> Markup:
    if not items:
        return tag("p", empty, class_="docgates-empty")
    return Markup("<ul>" + "".join(f"<li>{esc(item)}</li>" for item in items) + "</ul>")


__all__ = ["DashboardInput", "render", "dimensions", "health_score", "health_summary", "finding_counts", "inbound_links", "contributing_factors"]
