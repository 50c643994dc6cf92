"""What the freshness gate decides for a page (``Freshness``, kept in the page's report) and
what the page header renders from it (``FreshnessView``, ``CodeChangedView``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from docgates.core.dates import Interval


@dataclass(slots=True)
class Freshness:
    """The freshness of one page, as the gate decided it."""

    source: str | None = None  # "reviewed", "git", "adopted" or None (unknown)
    reviewed: dt.date | None = None
    adopted: dt.date | None = None
    last_changed: dt.date | None = None
    created: dt.date | None = None
    interval: Interval | None = None
    interval_source: str = "default"
    due: dt.date | None = None
    days_overdue: int | None = None
    stale: bool = False
    due_soon: bool = False
    archived: bool = False
    commits: int | None = None
    authors: int | None = None
    commits_since_review: int | None = None
    authors_since_review: int | None = None
    git: str = "ok"
    # Whether the page is judged at all (valid front matter, not archived, a known date).
    judged: bool = False

    @property
    def date(self) -> dt.date | None:
        return {"reviewed": self.reviewed, "git": self.last_changed, "adopted": self.adopted}.get(self.source or "")

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "reviewed": self.reviewed,
            "last_changed": self.last_changed,
            "created": self.created,
            "review_every": str(self.interval) if self.interval else None,
            "review_every_from": self.interval_source,
            "days_overdue": self.days_overdue,
            "due_soon": self.due_soon,
            "archived": self.archived,
            "commits": self.commits,
            "authors": self.authors,
            "commits_since_review": self.commits_since_review,
            "authors_since_review": self.authors_since_review,
            "git": self.git,
        }


@dataclass(slots=True)
class CodeChangedView:
    """What the ``docgates-code-changed`` banner renders (escaped there)."""

    date: str | None
    commits: int | None
    paths: list[str]
    more: int
    basis: str  # "the last review", "the page last changed", or "this change" (PR mode)
    owners: list[str]
    command: str


@dataclass(slots=True)
class FreshnessView:
    """What ``docgates/freshness.html`` renders (every value is escaped there)."""

    state: str  # stale, due-soon, ok, archived, unknown, untracked
    source: str | None
    reviewed: str | None
    last_changed: str | None
    due: str | None
    days_overdue: int | None
    adopted: str | None = None
    owners: list[str] = field(default_factory=list)
    command: str = ""
    # False: the site keeps maintainer commands out of what readers see (show_commands).
    show_command: bool = True
    edits_since_review: int | None = None
    # Set when the page is behind the code it documents (the docgates-code-changed banner).
    code_changed: CodeChangedView | None = None

    @property
    def stale(self) -> bool:
        return self.state == "stale"

    @property
    def days_left(self) -> int | None:
        return None if self.days_overdue is None else -self.days_overdue
