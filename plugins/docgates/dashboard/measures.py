"""The checks every page can pass or fail, and the health score made of them."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any, Callable, Iterable

from docgates.dashboard.inputs import DashboardInput
from docgates.dashboard.model import PageView

HEALTH_DEFINITION = (
    "the share of pages that pass every measured check: fresh (reviewed on time and not behind "
    "the code they document), owned, with working links, "
    "with a complete checklist and readable"
)
LINK_RULES = ("links/broken", "links/anchor", "links/external")


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

    @property
    def share(self) -> str:
        if not self.measured:
            return "not measured"
        return f"{self.percent:.0f}%" if self.percent is not None else "no pages to judge"


def _dimension(
    name: str, applies: list[PageView], passes: Callable[[PageView], bool], measured: bool, why: str, pages: int
) -> Dimension:
    failing = frozenset(p.path for p in applies if not passes(p))
    return Dimension(name, len(applies) - len(failing), len(applies), measured, why, failing if measured else frozenset(), pages)


def dimensions(data: DashboardInput) -> list[Dimension]:
    view = data.view
    pages = list(view.pages)
    count = len(pages)
    judged = [p for p in pages if p.due]
    fresh = _dimension(
        # Behind the code it documents is not fresh either (freshness/code-changed).
        "Fresh pages", judged, lambda p: not p.stale and p.code_changed is None,
        data.ran("freshness", bool(judged) or "freshness" in view.sections), "the freshness gate is not enabled", count,
    )
    owned = _dimension(
        "Owned pages", pages, lambda p: bool(p.owners),
        data.ran("ownership", "ownership" in view.sections or any(p.owners for p in pages)),
        "the ownership gate is not enabled", count,
    )
    links = _dimension(
        "Pages with working links", pages, lambda p: not any(r in LINK_RULES for r in p.rules),
        data.ran("links", "links" in view.sections or any(r.startswith("links/") for p in pages for r in p.rules)),
        "the links gate is not enabled", count,
    )
    typed = [p for p in pages if p.checklist is not None]
    done = _dimension(
        "Checklists complete", typed, lambda p: p.checklist is not None and p.checklist.complete,
        data.ran("checklist", bool(typed) or "checklist" in view.sections), "the checklist gate is not enabled", count,
    )
    scored = [p for p in pages if p.flesch is not None]
    readable = _dimension(
        "Readable pages", scored, lambda p: "readability/hard" not in p.rules,
        data.ran("readability", bool(scored)), "the readability gate is not enabled", count,
    )
    return [fresh, owned, links, done, readable]


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
    counts: Counter = Counter()
    for reported in data.view.findings:
        if reported.baselined:
            counts["baselined"] += 1
        else:
            counts["errors" if reported.finding.severity == "error" else "warnings"] += 1
    return {"errors": counts["errors"], "warnings": counts["warnings"], "baselined": counts["baselined"]}
