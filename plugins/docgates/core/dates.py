"""Dates and review intervals: parsing with precise errors, and "today"."""

from __future__ import annotations

import calendar
import datetime as dt
import os
import re

_INTERVAL = re.compile(r"^\s*(\d{1,5})\s*([dwmy])\s*$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Intervals longer than this are typos, not policies (and would overflow date arithmetic).
MAX_INTERVAL_DAYS = 366 * 20


class DateError(ValueError):
    """A date or interval that cannot be used; the message says what is expected."""


def today(environ: dict[str, str] | None = None) -> dt.date:
    """``DOCGATES_TODAY`` when set (reproducible builds), else the real date."""
    value = (environ if environ is not None else os.environ).get("DOCGATES_TODAY", "").strip()
    if not value:
        return dt.date.today()
    try:
        return parse_date(value)
    except DateError as exc:
        raise DateError(f"DOCGATES_TODAY: {exc}") from None


def parse_date(value: object) -> dt.date:
    """An ISO ``YYYY-MM-DD`` date from YAML (already a date) or text."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip() if isinstance(value, (str, int, float)) else None
    if text is None or not _ISO_DATE.match(text):
        raise DateError(f"expected an ISO date like 2026-09-01, got {_show(value)}")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise DateError(f"{text} is not a calendar date (check month and day)") from None


class Interval:
    """A review interval such as ``90d``, ``2w``, ``6m`` or ``1y``."""

    __slots__ = ("count", "unit")

    def __init__(self, count: int, unit: str) -> None:
        self.count = count
        self.unit = unit

    def __repr__(self) -> str:
        return f"Interval({self})"

    def __str__(self) -> str:
        return f"{self.count}{self.unit}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Interval) and (self.count, self.unit) == (other.count, other.unit)

    def __hash__(self) -> int:
        return hash((self.count, self.unit))

    def after(self, start: dt.date) -> dt.date:
        """The date one interval after ``start`` (months clamp to the month's last day)."""
        if self.unit == "d":
            return start + dt.timedelta(days=self.count)
        if self.unit == "w":
            return start + dt.timedelta(weeks=self.count)
        months = self.count * (12 if self.unit == "y" else 1)
        year, month0 = divmod(start.month - 1 + months, 12)
        year += start.year
        day = min(start.day, calendar.monthrange(year, month0 + 1)[1])
        return dt.date(year, month0 + 1, day)

    @property
    def approx_days(self) -> int:
        return self.count * {"d": 1, "w": 7, "m": 31, "y": 366}[self.unit]


def parse_interval(value: object) -> Interval:
    """``<n>d``, ``<n>w``, ``<n>m`` or ``<n>y`` with n ≥ 1, at most about twenty years."""
    text = value if isinstance(value, str) else None
    match = _INTERVAL.match(text) if text is not None else None
    if not match:
        raise DateError(
            f"expected a review interval like 90d, 6w, 6m or 1y, got {_show(value)}"
        )
    interval = Interval(int(match.group(1)), match.group(2))
    if interval.count < 1:
        raise DateError(f"review interval {text.strip()} must be at least one day")
    if interval.approx_days > MAX_INTERVAL_DAYS:
        raise DateError(f"review interval {text.strip()} is longer than 20 years")
    return interval


def _show(value: object) -> str:
    text = repr(value) if not isinstance(value, str) else f"'{value}'"
    return text if len(text) <= 60 else text[:57] + "..."
