"""Net improvement: what each person changed on each page over the whole window, kind by kind.

Each commit's change to a page gives signed steps: a link fixed +1 and broken −1; a review
date advanced +1 and taken back −1; a page made stale again, an owner removed, a checklist
no longer complete −1; reading ease by how much it moved. ``Ledger`` adds up one person's
steps per page and kind, so breaking links and fixing them later nets zero. A page then counts
at most once per person and kind (links: each link), and ``earned`` keeps a kind for a person
(or a team) only when its sum over all their pages is above zero: breaking 11 links and fixing
80 others earns 69; breaking 91 and fixing 80 earns nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable, Iterable, Mapping

from docgates.core.git_history import Commit
from docgates.leaderboard.docsday import READABILITY_STEP
from docgates.leaderboard.model import Contribution

# Kinds whose steps add up as they are (each broken link counts); the others count a page once.
COUNTED = frozenset({"links_fixed"})


@dataclass
class Step:
    """One signed change of one kind that one commit made to one page."""

    kind: str
    amount: float  # readability_gained: the change of the reading ease
    detail: str = ""


@dataclass
class _Entry:
    amount: float = 0
    commit: str = ""
    day: dt.date | None = None
    detail: str = ""
    # Detail of the newest gain and the newest loss: the one shown follows the net's sign.
    gain: str = ""
    loss: str = ""


class Ledger:
    """The steps of a window's commits, oldest first, summed per person, page and kind."""

    def __init__(self) -> None:
        self._entries: dict[tuple[str, str, str], _Entry] = {}

    def add(self, commit: Commit, path: str, step: Step) -> None:
        if not step.amount:
            return
        entry = self._entries.setdefault((commit.author or "unknown", path, step.kind), _Entry())
        entry.amount += step.amount
        entry.commit, entry.day = commit.sha, commit.date
        if step.amount > 0:
            entry.gain = step.detail
        else:
            entry.loss = step.detail

    def contributions(self, points: Mapping[str, int]) -> list[Contribution]:
        """Every person's net change of every page and kind, gains and losses, before
        ``earned`` drops the kinds a person did not gain in overall."""
        items: list[Contribution] = []
        for (author, path, kind), entry in self._entries.items():
            amount = _per_page(kind, entry.amount)
            if not amount or entry.day is None:
                continue
            detail = entry.gain if amount > 0 else entry.loss
            if kind == "links_fixed":
                detail = f"{abs(amount):g} {'fixed' if amount > 0 else 'broken'}"
            elif kind == "readability_gained":
                detail = f"reading ease {entry.amount:+.0f}"
            points_each = points.get(kind, 0)
            items.append(Contribution(kind, author, path, entry.commit, entry.day, int(round(points_each * amount)), amount, detail))
        return items


def _per_page(kind: str, total: float) -> float:
    if kind in COUNTED:
        return total
    if kind == "readability_gained":
        # Reading ease moves a little with any edit: only a clear net change counts.
        return 1 if total >= READABILITY_STEP else -1 if total <= -READABILITY_STEP else 0
    if kind == "new_page":
        # Deleting a page cancels its creation by the same person, and is no loss otherwise:
        # removing an obsolete page is no harm to the docs.
        return 1 if total > 0 else 0
    return max(-1, min(1, total))


def earned(items: Iterable[Contribution], names: Callable[[Contribution], Iterable[str]]) -> list[tuple[str, Contribution]]:
    """``(name, item)`` for each name ``names`` credits an item to, keeping only the kinds
    whose items add up to more than zero for that name: a person (or team) earns nothing
    for a kind they made worse or no better overall."""
    pairs = [(name, item) for item in items for name in names(item)]
    totals: dict[tuple[str, str], float] = {}
    for name, item in pairs:
        totals[name, item.kind] = totals.get((name, item.kind), 0) + item.amount
    return [(name, item) for name, item in pairs if totals[name, item.kind] > 0]
