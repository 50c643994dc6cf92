"""When a page falls due for review: the one rule both the freshness gate and the docs-day
leaderboard judge staleness by, so the board's "stale" is the site's own.

Fresh from = the page's ``reviewed``, else its last content change, but never earlier than the
``adopted`` day (pages unreviewed before adoption start green). Interval = the page's
``review_every``, else the last matching ``intervals`` glob, else the default ``review_every``.
Due = fresh from + interval; an archived page has no due date. Stale: ``day > due``.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any, Mapping

from docgates.core.dates import DateError, Interval, parse_date, parse_interval
from docgates.freshness.options import DEFAULT_REVIEW_EVERY, FolderIntervals

# Where the freshness gate leaves its clock for the other gates of the run (SiteContext.shared).
CLOCK_KEY = "freshness_clock"


@dataclass(frozen=True, slots=True)
class Schedule:
    """One page's review schedule, as ``ReviewClock.schedule`` works it out."""

    fresh_from: dt.date | None
    source: str | None  # "reviewed", "git", "adopted" or None (no date known)
    interval: Interval
    interval_source: str  # "page", "intervals: <glob>" or "default"
    due: dt.date | None  # None: archived, or no date to count from

    def stale(self, day: dt.date) -> bool:
        return self.due is not None and day > self.due


class ReviewClock:
    """The freshness options that decide due dates: ``review_every``, ``intervals``, ``adopted``."""

    def __init__(
        self, review_every: Interval, intervals: FolderIntervals | None = None, adopted: dt.date | None = None
    ) -> None:
        self.review_every = review_every
        self.intervals = intervals or FolderIntervals(None)
        self.adopted = adopted

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> "ReviewClock":
        """The clock of the freshness options; ValueError names the option that is wrong."""
        try:
            review_every = parse_interval(options.get("review_every") or DEFAULT_REVIEW_EVERY)
        except DateError as exc:
            raise ValueError(f"review_every: {exc}") from None
        intervals = FolderIntervals(options.get("intervals"))
        adopted = options.get("adopted")
        try:
            day = parse_date(adopted) if adopted else None
        except DateError as exc:
            raise ValueError(f"adopted: {exc}; write the day the site adopted docgates, e.g. 2026-12-01") from None
        return cls(review_every, intervals, day)

    def interval_for(self, path: str, review_every: Interval | None) -> tuple[Interval, str]:
        """The page's interval and where it comes from; ``path`` is docs-relative."""
        if review_every is not None:
            return review_every, "page"
        match = self.intervals.match(path)
        if match is not None:
            return match[1], f"intervals: {match[0]}"
        return self.review_every, "default"

    def schedule(
        self,
        path: str,
        reviewed: dt.date | None,
        review_every: Interval | None,
        archived: bool,
        last_changed: dt.date | None,
    ) -> Schedule:
        """The schedule of the docs page ``path`` with these front matter values, last changed
        (by content) on ``last_changed``."""
        if reviewed is not None:
            fresh_from, source = reviewed, "reviewed"
        elif last_changed is not None:
            fresh_from, source = last_changed, "git"
            if self.adopted is not None and self.adopted > last_changed:
                # Unreviewed before adoption: the clock runs from the adoption, not from history.
                fresh_from, source = self.adopted, "adopted"
        else:
            fresh_from, source = None, None
        interval, interval_source = self.interval_for(path, review_every)
        due = interval.after(fresh_from) if fresh_from is not None and not archived else None
        return Schedule(fresh_from, source, interval, interval_source, due)

    def key(self) -> str:
        """Everything the due dates depend on, as text (for keys of cached results)."""
        rules = [[pattern, str(interval)] for pattern, _, interval in self.intervals.rules]
        adopted = self.adopted.isoformat() if self.adopted else None
        return json.dumps([str(self.review_every), rules, adopted], ensure_ascii=False)
