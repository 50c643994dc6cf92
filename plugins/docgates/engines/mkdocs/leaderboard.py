"""``docgates/leaderboard``: the docs-day leaderboard page, scored from git history."""

from __future__ import annotations

import datetime as dt
from typing import Any

from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig

from docgates.leaderboard.docsday import BULK_PAGES
from docgates.leaderboard.gate import DEFAULT_PAGE, LeaderboardGate
from docgates.engines.mkdocs.base import GateConfig, GatePlugin


class LeaderboardConfig(GateConfig):
    page = c.Type(str, default=DEFAULT_PAGE)
    """Docs-relative path of the generated page (default ``leaderboard.md``, served at
    ``leaderboard/``; ``leaderboard/`` means ``leaderboard/index.md``)."""

    nav = c.Type(bool, default=True)
    """With an explicit ``nav`` in mkdocs.yml that does not name the page, add it at the end of
    the menu; ``false`` leaves it out of the menu (it is still built)."""

    docs_day = c.Optional(c.Type((str, dt.date)))
    """One docs day (``2026-11-12``); the window is that day. Use instead of since/until."""

    since = c.Optional(c.Type((str, dt.date)))
    """First day of the window (inclusive, UTC). Without docs_day/since: the last 30 days."""

    until = c.Optional(c.Type((str, dt.date)))
    """Last day of the window (inclusive, UTC); default: today (``DOCGATES_TODAY``)."""

    points = c.Type(dict, default={})
    """Points per improvement kind, overriding the defaults, e.g. ``{rescued: 10}``. Kinds:
    rescued, reviewed, new_page, links_fixed, checklist_completed, readability_gained, adopted."""

    awards = c.Type((bool, list), default=True)
    """Award categories to show: ``true`` (all), ``false`` (none) or a list of ids: rescuer,
    first, reviewer, link-fixer, author, clarity, adopter, finisher."""

    bulk_pages = c.Type(int, default=BULK_PAGES)
    """A commit that edits at least this many pages by at most 3 lines each is mechanical: it
    earns nothing and the board lists it as flagged. ``0`` turns the check off."""

    worker = c.Type(bool, default=True)
    """Score the reading ease of old page versions in a second process while the site
    renders (on a machine with a spare core); ``false`` scores them in the build's process."""


class LeaderboardPlugin(GatePlugin[LeaderboardConfig]):
    gate_class = LeaderboardGate

    def gate_options(self, config: MkDocsConfig) -> dict[str, Any]:
        options = super().gate_options(config)
        # With the freshness gate in the run, the board judges staleness by its whole clock
        # (freshness/clock.py); with that plugin turned off, by its review_every still.
        freshness = config.plugins.get("docgates/freshness")
        interval = getattr(getattr(freshness, "config", None), "get", lambda *_: None)("review_every")
        if interval:
            options["review_every"] = interval
        # Old versions of pages are judged against the same definitions of done.
        checklist = config.plugins.get("docgates/checklist")
        if checklist is not None and getattr(checklist, "config", None) is not None:
            try:
                from docgates.engines.mkdocs.checklist import checklist_options

                path = checklist_options(checklist.config, config).get("checklists")
            except Exception:  # the checklist plugin reports its own bad option
                path = None
            if path:
                options["checklists"] = str(path)
        return options
