"""The quality gate: owns the site-wide quality dashboard page (engine-agnostic).

The dashboard is rendered after every gate's ``finish``, from the same report quality.json
is written from, so it always shows what CI sees.
"""

from __future__ import annotations

from typing import Any, Mapping

from docgates.core.content_cache import ContentCache
from docgates.core.gate import Gate, SiteContext
from docgates.dashboard.inputs import DEFAULT_ONBOARDING, DashboardInput
from docgates.dashboard.measures import dimensions, health_summary
from docgates.dashboard.page import TITLE, render
from docgates.leaderboard.gate import normalise_page_path

# A top-level page, so the nav shows one entry; its URL is still quality/.
DEFAULT_DASHBOARD = "quality.md"
# The charts cache's format (what each entry holds: the chart's SVG text).
CHARTS_CACHE_VERSION = 1


class QualityGate(Gate):
    name = "quality"
    rules = ("config/invalid", )
    stylesheet = "dashboard.css"

    def __init__(self, options: Mapping[str, Any] | None = None) -> None:
        super().__init__(options)
        dashboard = self.options.get("dashboard", DEFAULT_DASHBOARD)
        if dashboard is True:
            dashboard = DEFAULT_DASHBOARD
        # ``dashboard: false`` keeps the report and baseline without the page.
        self.page = None if dashboard is False else normalise_page_path(dashboard, "dashboard", DEFAULT_DASHBOARD)
        onboarding = self.options.get("onboarding") or DEFAULT_ONBOARDING
        if isinstance(onboarding, str):
            onboarding = [onboarding]
        if not isinstance(onboarding, (list, tuple)) or not all(isinstance(p, str) and p.strip() for p in onboarding):
            raise ValueError("onboarding: expected a list of docs-relative path patterns, e.g. [onboarding/*]")
        self.onboarding = tuple(p.strip().casefold() for p in onboarding)
        self.use_cache = bool(self.options.get("cache", True))

    def finish(self, site: SiteContext) -> None:
        # quality.json carries the score and its parts even without a dashboard page; with
        # one, render_generated fills them in from the report it reads anyway.
        if self.page is None or not site.renders:
            site.report.site["health"] = health_summary(dimensions(DashboardInput(site.report, gates=_gates(site))))

    def generated_pages(self) -> dict[str, str]:
        return {self.page: TITLE} if self.page else {}

    def render_generated(self, src_uri: str, site: SiteContext) -> str:
        generated = tuple(self.generated_pages())
        gates = _gates(site)
        data = DashboardInput(
            report=site.report,
            # The session never judges generated pages; keep it that way if that changes.
            leave_out=generated,
            sources={p: s for p, s in site.sources.items() if p not in generated},
            page_urls=site.page_urls,
            here=site.page_urls.get(src_uri, ""),
            gates=gates,
            onboarding=self.onboarding,
            today=site.today.isoformat(),
            inbound=site.shared.get("links.inbound", {}) if "links" in (gates or ()) else None,
            templates=site.templates,
            # A few entries: the charts of the latest builds (the file trims the rest).
            charts=ContentCache(site.cache_dir / "charts.sqlite", CHARTS_CACHE_VERSION, limit=16) if self.use_cache else None,
        )
        site.report.site["health"] = health_summary(dimensions(data))
        try:
            return render(data)
        finally:
            if data.charts is not None:
                data.charts.close()


def _gates(site: SiteContext) -> tuple[str, ...] | None:
    gates = site.shared.get("gates")
    return tuple(gates) if gates is not None else None
