"""The days a docs-day board covers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from docgates.core.dates import DateError, parse_date


class WindowError(ValueError):
    """A docs-day window that cannot be used; the message says what to write instead."""


@dataclass(frozen=True)
class Window:
    """Inclusive calendar days, in UTC like every git date docgates uses: a commit belongs
    to the UTC day of its author date (``Commit.date``), whatever the time zone of the machine
    that builds."""

    since: dt.date
    until: dt.date

    def __contains__(self, day: dt.date) -> bool:
        return self.since <= day <= self.until

    def __str__(self) -> str:
        if self.since == self.until:
            return self.since.isoformat()
        return f"{self.since.isoformat()} – {self.until.isoformat()}"

    @classmethod
    def from_options(
        cls, since: Any = None, until: Any = None, docs_day: Any = None, today: dt.date | None = None
    ) -> "Window":
        """From ``docs_day`` (one day) or ``since`` [and ``until``, default today]."""
        if docs_day not in (None, ""):
            if since not in (None, "") or until not in (None, ""):
                raise WindowError("docs_day: give either docs_day or since/until, not both")
            day = _date("docs_day", docs_day)
            return cls(day, day)
        if since in (None, ""):
            raise WindowError("since: a start date is needed, e.g. since: 2026-11-12 (or docs_day: 2026-11-12)")
        start = _date("since", since)
        end = _date("until", until) if until not in (None, "") else (today or dt.date.today())
        if end < start:
            raise WindowError(f"until: {end.isoformat()} is before since: {start.isoformat()}; swap them")
        return cls(start, end)


def _date(option: str, value: Any) -> dt.date:
    try:
        return parse_date(value)
    except DateError as exc:
        raise WindowError(f"{option}: {exc}") from None
