"""The org docs day: every site's docs-day board, merged into one leaderboard with awards.

Each site's board already names people by their mailmapped git name; the same name on two
sites is one person. Boards carry no emails, and a name that is itself an address is shown
without it.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any, Iterable

from docgates.leaderboard.docsday import AWARDS, KINDS

_EMAIL = re.compile(r"<?[^\s<>@]+@[^\s<>@]+>?")


def shown_name(name: str) -> str:
    return " ".join(_EMAIL.sub("(address hidden)", name).split()) or "(address hidden)"


def merge_boards(rows: Iterable[tuple[str, str, int, float, str]], since: str, until: str) -> dict[str, Any]:
    """``rows``: (author, kind, points, amount, site) of the window's scored contributions."""
    people: dict[str, dict[str, Any]] = {}
    for author, kind, points, amount, site in rows:
        name = shown_name(author)
        person = people.setdefault(name.casefold(), {"name": name, "points": 0, "sites": set(), "kinds": Counter()})
        person["points"] += points
        person["sites"].add(site)
        person["kinds"][kind] += amount
    ranked = sorted(people.values(), key=lambda p: (-p["points"], p["name"].casefold(), p["name"]))
    awards = []
    for award_id, (title, measure) in AWARDS.items():
        if measure not in KINDS:
            continue  # "first contribution" needs each site's whole history, not its board
        best = min(ranked, key=lambda p: (-p["kinds"][measure], p["name"].casefold()), default=None)
        if best and best["kinds"][measure] > 0:
            awards.append({"id": award_id, "title": title, "winner": best["name"],
                           "amount": _number(best["kinds"][measure]), "unit": KINDS[measure][1]})
    return {
        "since": since,
        "until": until,
        "people": [{"name": p["name"], "points": p["points"], "sites": sorted(p["sites"]),
                    **{kind: _number(p["kinds"][kind]) for kind in KINDS}} for p in ranked],
        "awards": awards,
    }


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else round(float(value), 1)
