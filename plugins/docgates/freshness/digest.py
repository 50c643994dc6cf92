"""The pages of a site that are due for review, grouped by owner: what ``docgates stale``,
``docgates remind`` and the org view's reminders list."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

NO_OWNER = "(no owner)"


@dataclass
class DuePage:
    path: str
    file: str
    url: str
    title: str
    owners: list[str]
    due: str
    days_overdue: int
    freshness_date: str | None
    source: str | None
    review_every: str | None
    command: str
    # {"date", "commits", "paths"} when the code the page documents changed after its review.
    code_changed: dict[str, Any] | None = None
    # Due within the window; False for a page listed only because it is behind its code.
    due_soon: bool = True

    @property
    def status(self) -> str:
        if self.days_overdue > 0:
            return "stale"
        return "due-soon" if self.due_soon else "behind-code"

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path, "file": self.file, "url": self.url, "title": self.title,
            "owners": self.owners, "status": self.status, "due": self.due,
            "days_overdue": self.days_overdue, "freshness_date": self.freshness_date,
            "source": self.source, "review_every": self.review_every, "command": self.command,
            "code_changed": self.code_changed,
        }


@dataclass
class OwnerGroup:
    owner: str
    pages: list[DuePage] = field(default_factory=list)
    # Pages left out by --limit.
    more: int = 0


def group_by_owner(pages: list[DuePage], only: set[str] | None = None, limit: int | None = None) -> list[OwnerGroup]:
    """One group per owner (a page with two owners is in both), most overdue page first;
    groups ordered by their most overdue page, then by name. ``limit``: pages per group."""
    groups: dict[str, OwnerGroup] = {}
    for page in pages:
        for owner in page.owners or [NO_OWNER]:
            if only is not None and owner_key(owner) not in only:
                continue
            groups.setdefault(owner, OwnerGroup(owner)).pages.append(page)
    return _ordered(groups.values(), limit)


def group_by_owners(pages: list[DuePage], limit: int | None = None) -> list[OwnerGroup]:
    """Each page once: pages grouped by their whole set of owners, so a co-owned page is listed
    once under "@a and @b" rather than under each owner. ``limit``: pages per group."""
    groups: dict[tuple[str, ...], OwnerGroup] = {}
    for page in pages:
        owners = tuple(dict.fromkeys(page.owners)) or (NO_OWNER,)
        name = owners[0] if len(owners) == 1 else ", ".join(owners[:-1]) + " and " + owners[-1]
        groups.setdefault(owners, OwnerGroup(name)).pages.append(page)
    return _ordered(groups.values(), limit)


def _ordered(groups: Iterable[OwnerGroup], limit: int | None) -> list[OwnerGroup]:
    for group in groups:
        group.pages.sort(key=lambda p: (-p.days_overdue, p.path))
        if limit is not None and len(group.pages) > limit:
            group.more = len(group.pages) - limit
            del group.pages[limit:]
    return sorted(groups, key=lambda g: (-g.pages[0].days_overdue, g.owner == NO_OWNER, g.owner.casefold()))


def owner_key(owner: str) -> str:
    """An owner as compared: '@' optional, any case."""
    return owner.strip().lstrip("@").casefold()
