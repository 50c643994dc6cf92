"""What the portal and org.json show, read from the org database: the figures are counted by
SQLite over the page rows, so a 1 M-row snapshot is never loaded into Python."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Sequence

from docgates.org.store import Snapshot, Store

WORST_PAGES = 25


@dataclass
class Problem:
    name: str
    location: str
    reason: str

    def to_dict(self) -> dict[str, str]:
        return {"name": self.name, "location": self.location, "reason": self.reason}


@dataclass
class SiteView:
    latest: Snapshot
    history: list[Snapshot]
    problem: str | None = None  # this run could not read the site: the figures are the last known

    def to_dict(self) -> dict[str, Any]:
        s = self.latest
        return {
            "name": s.site, "link": s.link, "generated": s.generated,
            "pages": s.pages, "errors": s.errors, "warnings": s.warnings, "stale": s.stale,
            "ownerless": s.ownerless, "behind_code": s.behind_code, "single_author": s.single_author,
            "open_actions": s.open_actions, "health": s.health,
            "history": [{"generated": h.generated, "health": h.health, "errors": h.errors, "stale": h.stale}
                        for h in self.history],
            **({"problem": self.problem} if self.problem else {}),
        }


@dataclass
class Indicator:
    day: str
    pages: int
    stale: int
    ownerless: int
    single_author: int | None
    open_actions: int

    def share(self, count: int | None) -> float | None:
        return round(100 * count / self.pages, 1) if self.pages and count is not None else None

    def to_dict(self) -> dict[str, Any]:
        return {"day": self.day, "pages": self.pages, "stale_share": self.share(self.stale),
                "ownerless_share": self.share(self.ownerless), "single_author_share": self.share(self.single_author),
                "open_actions": self.open_actions}


@dataclass
class OrgView:
    today: str
    sites: list[SiteView]
    owners: list[tuple[str, int, int, int]]
    worst: list[dict[str, Any]]
    indicators: list[Indicator]
    problems: list[Problem] = field(default_factory=list)
    docs_day: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = {
            "generated": self.today,
            "sites": [s.to_dict() for s in self.sites],
            "owners": [{"owner": o, "pages": p, "stale": st, "sites": n} for o, p, st, n in self.owners],
            "worst_pages": self.worst,
            "indicators": [i.to_dict() for i in self.indicators],
            "problems": [p.to_dict() for p in self.problems],
        }
        if self.docs_day is not None:
            result["docs_day"] = self.docs_day
        return result


def org_view(store: Store, names: Sequence[str], today: str, problems: Sequence[Problem] = ()) -> OrgView:
    failed = {p.name: p.reason for p in problems}
    latest = store.latest(names)
    sites = [SiteView(s, store.history(s.site), failed.get(s.site)) for s in latest]
    worst = [
        {"site": site, "path": path, "url": url, "title": title, "owners": json.loads(owners),
         "errors": errors, "warnings": warnings, "stale": bool(stale), "days_overdue": overdue}
        for site, path, url, title, owners, errors, warnings, stale, overdue in store.worst_pages(latest, WORST_PAGES)
    ]
    indicators = [Indicator(*row) for row in store.indicators([s.site for s in latest])]
    return OrgView(today, sites, store.owners(latest), worst, indicators, list(problems))
