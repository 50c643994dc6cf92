"""What a docs day rewards: the improvement kinds with their default points, the awards, and
the options that change them (``points``, ``awards``), and the site settings scoring uses.

Points go to what made the docs better, never to raw commit counts. The scoring is in
``scorer.py``; a page at one revision, as the gates judge it, in ``pages.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping

from docgates.core.frontmatter import PageSource
from docgates.freshness.clock import ReviewClock

# Improvement kinds, in the order they are shown, with default points and a label.
KINDS: dict[str, tuple[int, str]] = {
    "rescued": (5, "stale pages made fresh"),
    "reviewed": (2, "pages reviewed"),
    "new_page": (3, "new pages"),
    "links_fixed": (1, "broken links fixed"),
    "checklist_completed": (3, "checklists completed"),
    "readability_gained": (2, "pages made easier to read"),
    "adopted": (2, "ownerless pages adopted"),
}
# A change of the Flesch reading ease smaller than this is noise, not an improvement.
READABILITY_STEP = 5.0
# A commit that edits at least this many pages by a few lines each is mechanical (bulk.py).
BULK_PAGES = 20

AWARDS: dict[str, tuple[str, str]] = {
    # id: (title, what it counts)
    "rescuer": ("Stale-page rescuer", "rescued"),
    "first": ("Best first contribution", "points"),
    "reviewer": ("Most pages reviewed", "reviewed"),
    "link-fixer": ("Link fixer", "links_fixed"),
    "author": ("Most new pages", "new_page"),
    "clarity": ("Clarity champion", "readability_gained"),
    "adopter": ("Page adopter", "adopted"),
    "finisher": ("Checklist finisher", "checklist_completed"),
}


def default_points() -> dict[str, int]:
    return {kind: points for kind, (points, _) in KINDS.items()}


def nothing_excluded(path: str) -> bool:
    return False


@dataclass
class ScoringSettings:
    """What the scorer needs to know about the site (all from plugin options or mkdocs.yml)."""

    docs_prefix: str  # the docs folder, repository-relative, "" or ending in "/"
    # When a page falls due: the freshness gate's clock when that gate runs, so the board's
    # "stale" is the site's own; else the leaderboard's ``review_every`` alone.
    clock: ReviewClock = field(default_factory=lambda: ReviewClock.from_options({}))
    points: dict[str, int] = field(default_factory=default_points)
    awards: tuple[str, ...] = tuple(AWARDS)
    # Pages a mechanical commit edits at least (bulk.py); 0: no commit is mechanical.
    bulk_pages: int = BULK_PAGES
    # Current owner of each docs page (from the ownership gate), to credit teams.
    current_owners: Mapping[str, list[str]] = field(default_factory=dict)
    exclude: Callable[[str], bool] = nothing_excluded
    # Docs paths left out like ``exclude`` does (the generated pages); unlike a function,
    # a set can be part of ``boards.result_key``. They are never in git, yet a link to one
    # is not broken.
    excluded: frozenset[str] = frozenset()
    # The checklist plugin's definitions file, so old versions are judged by the same list.
    checklists: Any = None
    language: str = "en"
    # The build's parsed pages (docs path -> PageSource): a revision holding the same bytes
    # as the working tree is not read and parsed a second time.
    sources: Mapping[str, PageSource] = field(default_factory=dict)
    # Where readability scores of old versions are kept between runs (None: not kept).
    cache_file: Path | None = None

    def probe_options(self) -> dict[str, Any]:
        """``probes.load_probes``' options for this site."""
        return {"checklists": self.checklists, "language": self.language, "cache_file": self.cache_file}


def check_points(value: Mapping[str, Any] | None) -> dict[str, int]:
    """Default points with the ``points`` option's overrides; ValueError names a bad key."""
    points = default_points()
    for kind, amount in (value or {}).items():
        if kind not in KINDS:
            raise ValueError(f"points: unknown improvement {kind!r}; known: {', '.join(KINDS)}")
        if not isinstance(amount, int) or isinstance(amount, bool) or amount < 0:
            raise ValueError(f"points: {kind} must be a whole number of points ≥ 0, not {amount!r}")
        points[kind] = amount
    return points


def check_bulk_pages(value: Any) -> int:
    """The ``bulk_pages`` option: a whole number of pages ≥ 0 (0 turns the check off)."""
    if value is None:
        return BULK_PAGES
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"bulk_pages: expected a whole number of pages ≥ 0 (0 turns the check off), not {value!r}")
    return value


def check_awards(value: Any) -> tuple[str, ...]:
    """The ``awards`` option: a list of award ids (``true`` for all, ``false`` for none)."""
    if value is True or value is None:
        return tuple(AWARDS)
    if value is False:
        return ()
    if not isinstance(value, (list, tuple)):
        raise ValueError(f"awards: expected a list of award ids ({', '.join(AWARDS)}), or true/false")
    for award in value:
        if award not in AWARDS:
            raise ValueError(f"awards: unknown award {award!r}; known: {', '.join(AWARDS)}")
    return tuple(value)
