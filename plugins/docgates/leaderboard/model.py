"""A docs-day board as values: who improved which page, the scores, the awards, site health.

Each value is kept in the boards' cache as JSON (``to_cache``) and read back (``from_cache``)
by one generic codec, driven by the dataclass fields; ``to_dict`` is the form published in
quality.json and by ``docgates leaderboard --format json`` (short commit ids, counts).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import types
import typing
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from docgates.leaderboard.docsday import KINDS
from docgates.leaderboard.window import Window


class Cached:
    """``to_cache`` gives JSON values (dates as ISO text, sets as sorted lists); ``from_cache``
    gives an equal value back, so a cached board renders byte for byte as the one computed.
    ``from_cache`` raises KeyError, TypeError or ValueError for data it did not write."""

    def to_cache(self) -> dict[str, Any]:
        return _to_json(self)

    @classmethod
    def from_cache(cls, data: Any) -> Any:
        return _from_json(cls, data)


def _to_json(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (set, frozenset)):
        return sorted(_to_json(item) for item in value)
    if isinstance(value, dict):
        return {key: _to_json(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_to_json(item) for item in value]
    return value


def _from_json(kind: Any, data: Any) -> Any:
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin in (typing.Union, types.UnionType):
        if data is None and type(None) in args:
            return None
        (inner,) = [arg for arg in args if arg is not type(None)]
        return _from_json(inner, data)
    if dataclasses.is_dataclass(kind):
        hints = _field_types(kind)
        return kind(**{name: _from_json(hint, _of(dict, data)[name]) for name, hint in hints.items()})
    if kind is dt.date:
        return dt.date.fromisoformat(_of(str, data))
    if origin in (list, set):
        return origin(_from_json(args[0], item) for item in _of(list, data))
    if origin is dict or kind in (dict, Counter):
        # A Counter holds amounts: 1.5 links fixed is a float.
        value_type = args[1] if args else float if kind is Counter else Any
        return (kind if kind is Counter else dict)(
            {_of(str, key): _from_json(value_type, item) for key, item in _of(dict, data).items()}
        )
    if kind is float:
        return _of((int, float), data)
    if kind in (str, int, bool):
        return _of(kind, data)
    return data  # Any


@functools.cache
def _field_types(kind: type) -> dict[str, Any]:
    hints = typing.get_type_hints(kind)
    return {f.name: hints[f.name] for f in dataclasses.fields(kind) if f.init}


def _of(kind: Any, data: Any) -> Any:
    if not isinstance(data, kind):
        raise TypeError(f"expected {kind}, got {type(data).__name__}")
    return data


def number(value: float) -> float | int:
    """A count as published: whole numbers as ints, others to one decimal."""
    return int(value) if float(value).is_integer() else round(float(value), 1)


@dataclass
class Contribution(Cached):
    """The net change one person made to one page of one kind in the window (``ledger.py``):
    ``commit`` and ``day`` are of the last commit that moved it. A negative ``amount`` is a
    loss (links broken) that a person's gains elsewhere outweigh."""

    kind: str
    author: str
    path: str
    commit: str
    day: dt.date
    points: int
    amount: float = 1
    detail: str = ""

    def to_dict(self) -> dict[str, Any]:
        return dict(self.to_cache(), commit=self.commit[:12])


@dataclass
class Score(Cached):
    """The points of a person or a team, with the count of each improvement kind."""

    name: str
    points: int = 0
    kinds: Counter = field(default_factory=Counter)
    pages: set[str] = field(default_factory=set)
    commits: set[str] = field(default_factory=set)
    first_contribution: bool = False

    def add(self, item: Contribution) -> None:
        self.points += item.points
        self.kinds[item.kind] += item.amount
        self.pages.add(item.path)
        self.commits.add(item.commit)

    def to_dict(self) -> dict[str, Any]:
        result = {
            "name": self.name,
            "points": self.points,
            "pages": len(self.pages),
            "commits": len(self.commits),
            **{kind: number(self.kinds.get(kind, 0)) for kind in KINDS},
        }
        if self.first_contribution:
            result["first_contribution"] = True
        return result


@dataclass
class Award(Cached):
    id: str
    title: str
    winner: str
    amount: float
    unit: str

    def to_dict(self) -> dict[str, Any]:
        return dict(self.to_cache(), amount=number(self.amount))


@dataclass
class Flagged(Cached):
    """A mechanical bulk commit (``bulk.py``): it earned nothing, and the organiser sees it."""

    commit: str
    author: str
    day: dt.date
    subject: str
    pages: int  # the pages it edited by a few lines each

    def to_dict(self) -> dict[str, Any]:
        return dict(self.to_cache(), commit=self.commit[:12])


@dataclass
class Health(Cached):
    """Site health at one revision (stale pages, broken links, ownerless pages)."""

    revision: str | None
    day: dt.date
    pages: int = 0
    stale: int = 0
    ownerless: int = 0
    broken_links: int | None = None

    def to_dict(self) -> dict[str, Any]:
        cached = self.to_cache()
        del cached["revision"]
        return {"commit": self.revision[:12] if self.revision else None, **cached}


@dataclass
class Leaderboard(Cached):
    window: Window
    status: str = "ok"
    message: str = ""
    commits: int = 0
    people: list[Score] = field(default_factory=list)
    teams: list[Score] = field(default_factory=list)
    awards: list[Award] = field(default_factory=list)
    contributions: list[Contribution] = field(default_factory=list)
    flagged: list[Flagged] = field(default_factory=list)
    # The ``bulk_pages`` it was scored with (0: no commit is mechanical).
    bulk_pages: int = 0
    before: Health | None = None
    after: Health | None = None
    # Improvement kinds that could not be measured (e.g. no link scanner) and why.
    not_measured: dict[str, str] = field(default_factory=dict)
    points: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "since": self.window.since.isoformat(),
            "until": self.window.until.isoformat(),
            "status": self.status,
            "message": self.message,
            "commits": self.commits,
            "points": dict(self.points),
            "not_measured": dict(self.not_measured),
            "people": [p.to_dict() for p in self.people],
            "teams": [t.to_dict() for t in self.teams],
            "awards": [a.to_dict() for a in self.awards],
            "bulk_pages": self.bulk_pages,
            "flagged": [f.to_dict() for f in self.flagged],
            "health": {
                "before": self.before.to_dict() if self.before else None,
                "after": self.after.to_dict() if self.after else None,
            },
            "contributions": [c.to_dict() for c in self.contributions],
        }
