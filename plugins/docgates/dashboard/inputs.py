"""What the quality dashboard reads: the report as typed values, the parsed page sources, the
site's URLs and templates, and what each section asks of them (``DashboardInput``)."""

from __future__ import annotations

import fnmatch
import functools
import html
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any, Mapping

from markupsafe import Markup

from docgates.checklist.evaluate import factor_tags
from docgates.core.content_cache import ContentCache, code_digest, content_key
from docgates.core.frontmatter import PageSource
from docgates.core.markdown_outline import outline
from docgates.core.pagehtml import link, relative_url
from docgates.core.report import QualityReport
from docgates.core.report_file import report_from_dict
from docgates.dashboard.model import PageView, SiteView, from_report
from docgates.links.resolve import link_destinations

DEFAULT_ONBOARDING = ("onboarding*", "*/onboarding*", "**/onboarding/**")


@dataclass
class DashboardInput:
    # The build's report, or a quality.json read back (QualityReport.to_dict()'s shape).
    report: QualityReport | Mapping[str, Any]
    sources: Mapping[str, PageSource] = field(default_factory=dict)
    page_urls: Mapping[str, str] = field(default_factory=dict)
    here: str = ""  # URL of the dashboard page itself
    gates: tuple[str, ...] | None = None  # gates that ran; None: unknown, guess from data
    # How many pages link to each page (from the links gate); None: counted from the sources.
    inbound: Mapping[str, int] | None = None
    onboarding: tuple[str, ...] = DEFAULT_ONBOARDING
    today: str = ""
    # Charts drawn by earlier builds, by what they show; None draws every chart.
    charts: ContentCache | None = None
    # Pages of the report the dashboard leaves out (the generated pages).
    leave_out: tuple[str, ...] = ()
    # The site's own templates (a jinja2 loader), searched before the package's.
    templates: Any = None

    @functools.cached_property
    def view(self) -> SiteView:
        report = self.report
        if not isinstance(report, QualityReport):
            report = report_from_dict(report, untrusted=True)
        return from_report(report, self.leave_out)

    def ran(self, gate: str, evidence: bool) -> bool:
        return gate in self.gates if self.gates is not None else evidence

    def href(self, path: str) -> str | None:
        url = self.page_urls.get(path)
        return relative_url(self.here, url) if url is not None else None

    def page_link(self, page: PageView | str) -> Markup:
        path = page if isinstance(page, str) else page.path
        title = path
        if not isinstance(page, str) and page.title:
            title = page.title
            source = self.sources.get(path)
            if source is None or source.meta.get("title") != title:
                # MkDocs takes titles from the rendered H1, entities and all: decode, escape
                # once. A front matter title is the author's text already: "&amp;" stays.
                title = html.unescape(title)
        # pagehtml's link: only addresses a reader may follow (no javascript:) become links.
        return Markup(link(title, self.href(path)))

    def chart(self, kind: str, *args: Any) -> Markup:
        """``charts.<kind>(*args)``, from ``charts`` when an earlier build drew the same chart
        with the same code: a rebuild whose figures did not move then neither draws nor
        imports pygal (~0.06 s and ~1.4 MiB at the build's peak, 2,000 pages)."""
        key = ""
        if self.charts is not None:
            key = content_key(kind, json.dumps(args, ensure_ascii=False), _chart_code())
            svg = self.charts.get(key)
            if isinstance(svg, str):
                return Markup(svg)
        # Imported here rather than with the plugin: pygal then fills memory the gates have
        # let go of by now, instead of growing the build's heap from the start.
        from docgates.dashboard import charts

        svg = getattr(charts, kind)(*args)
        if self.charts is not None:
            self.charts.put(key, svg)
        return Markup(svg)

    def open_tasks(self, path: str) -> int:
        """Open action items of a post-mortem, counted from its source."""
        source = self.sources.get(path)
        if source is None or source.type != "postmortem":
            return 0
        return sum(not t.done for t in outline(source.body).tasks_in("Action items"))

    def inbound_counts(self) -> Counter:
        return Counter(self.inbound) if self.inbound is not None else inbound_links(self.sources)

    def is_onboarding(self, page: PageView) -> bool:
        source = self.sources.get(page.path)
        if source is not None:
            flag = source.meta.get("onboarding")
            tags = source.meta.get("tags")
            if flag is True or (isinstance(tags, list) and "onboarding" in [str(t).casefold() for t in tags]):
                return True
        return any(fnmatch.fnmatch(page.path.casefold(), pattern) for pattern in self.onboarding)

    def contributing_factors(self) -> list[tuple[str, list[str]]]:
        return contributing_factors(self)


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


def contributing_factors(data: DashboardInput) -> list[tuple[str, list[str]]]:
    """Each factor with the post-mortems naming it, most repeated first."""
    pages: dict[str, list[str]] = defaultdict(list)
    for path, source in sorted(data.sources.items()):
        if source.type != "postmortem":
            continue
        for factor in set(factor_tags(source.meta.get("contributing_factors"))):
            pages[factor].append(path)
    return sorted(pages.items(), key=lambda kv: (-len(kv[1]), kv[0]))


def inbound_links(sources: Mapping[str, PageSource]) -> Counter:
    """How many other pages link to each page (links in code blocks do not count), each link
    read by the one source-link resolver, as MkDocs reads it."""
    known = set(sources)
    counts: Counter = Counter()
    for path, source in sources.items():
        targets = set()
        for found in outline(source.body).links:
            if not found.internal:
                continue
            candidates = link_destinations(path, found.target)[2]
            target = next((c for c in candidates if c in known and c != path), None)
            if target is not None:
                targets.add(target)
        counts.update(targets)
    return counts
