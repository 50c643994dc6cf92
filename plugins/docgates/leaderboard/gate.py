"""The docs-day leaderboard gate: its options, and the generated page that credits what
improved the docs in a window of days.

Scoring is in ``scorer.py``, the renderings in ``render.py`` (shared with ``docgates
leaderboard``), computed boards are kept by ``boards.py``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any, Mapping

from docgates.core.dates import today as real_today
from docgates.core.gate import Gate, SiteContext
from docgates.core.git_history import GitHistory
from docgates.core.site_history import history_for
from docgates.core.gitblobs import BlobReader
from docgates.core.pagehtml import relative_url
from docgates.freshness.clock import CLOCK_KEY, ReviewClock
from docgates.leaderboard.boards import BoardCache, result_key
from docgates.leaderboard.docsday import ScoringSettings, check_awards, check_bulk_pages, check_points
from docgates.leaderboard.model import Leaderboard
from docgates.leaderboard.probes import CachedReadability, Probes, load_probes
from docgates.leaderboard.render import TITLE, render_html
from docgates.leaderboard.scorer import Scorer
from docgates.leaderboard.window import Window

# A top-level page, so the nav shows one entry; its URL is still leaderboard/.
DEFAULT_PAGE = "leaderboard.md"
# Without a configured window the page shows the last 30 days, so it is never empty by design.
DEFAULT_DAYS = 30
# Readability scores of old page versions, kept between runs (see probes.CachedReadability).
CACHE_FILE = "leaderboard.sqlite"
# Boards computed by earlier runs, by everything they depend on (``boards.result_key``).
BOARDS_FILE = "leaderboard-boards.sqlite"


def normalise_page_path(value: Any, option: str, default: str) -> str:
    """``leaderboard/`` -> ``leaderboard/index.md``; ``board`` -> ``board/index.md``."""
    text = str(value if value not in (None, "") else default).strip().lstrip("/")
    if not text or ".." in text.split("/"):
        raise ValueError(f"{option}: expected a docs-relative page path like {default!r}, got {value!r}")
    if text.endswith("/"):
        return text + "index.md"
    return text if text.endswith(".md") else text + "/index.md"


class LeaderboardGate(Gate):
    name = "leaderboard"
    rules = ()
    stylesheet = "leaderboard.css"

    def __init__(self, options: Mapping[str, Any] | None = None) -> None:
        super().__init__(options)
        opts = self.options
        self.page = normalise_page_path(opts.get("page"), "page", DEFAULT_PAGE)
        self.points = check_points(opts.get("points"))
        self.awards = check_awards(opts.get("awards", True))
        self.bulk_pages = check_bulk_pages(opts.get("bulk_pages"))
        # Used only when the freshness gate does not run: then its clock decides (``settings``).
        self.clock = ReviewClock.from_options({"review_every": opts.get("review_every")})
        self.window_options = {k: opts.get(k) for k in ("docs_day", "since", "until")}
        # Validate now, so a bad date fails at config time, not halfway through the build.
        self.window(real_today())
        self.board: Leaderboard | None = None
        # Probes already scoring old page versions in a worker process (``start_scoring``).
        self.probes: Probes | None = None

    def window(self, today: dt.date) -> Window:
        if not any(v not in (None, "") for v in self.window_options.values()):
            return Window(today - dt.timedelta(days=DEFAULT_DAYS - 1), today)
        return Window.from_options(**self.window_options, today=today)

    def begin(self, site: SiteContext) -> None:
        self.board = None
        self._end_scoring()  # a rebuild after a failed one (mkdocs serve)
        if self.options.get("worker", True) and site.renders:
            self.probes = start_scoring(site, self.window(site.today), self.settings(site))

    def generated_pages(self) -> dict[str, str]:
        return {self.page: TITLE}

    def render_generated(self, src_uri: str, site: SiteContext) -> str:
        if self.board is None:
            try:
                self.board = compute(site, self.window(site.today), self.settings(site), cached=True, probes=self.probes)
            finally:
                self._end_scoring()
            site.report.site["leaderboard"] = summary(self.board)
        here = site.page_urls.get(src_uri, "")
        return render_html(self.board, lambda path: _page_href(site, here, path), site.templates)

    def release(self, site: SiteContext) -> None:
        self.board = None
        self._end_scoring()

    def _end_scoring(self) -> None:
        if self.probes is not None:
            self.probes.close()
            self.probes = None

    def settings(self, site: SiteContext) -> ScoringSettings:
        owners = {path: list(page.owner) for path, page in site.report.pages.items() if page.owner}
        # Every gate's generated pages (the dashboard's too): pages of the site with no file.
        generated = set(self.generated_pages()) | {path for path in site.page_urls if not (site.docs_dir / path).is_file()}
        return ScoringSettings(
            docs_prefix=docs_prefix(site),
            clock=site.shared.get(CLOCK_KEY) or self.clock,
            points=self.points,
            awards=self.awards,
            bulk_pages=self.bulk_pages,
            current_owners=owners,
            excluded=frozenset(generated),
            checklists=self.options.get("checklists"),
            language=site.language,
            sources=site.sources,
        )


def docs_prefix(site: SiteContext) -> str:
    """The docs folder as seen from the repository root: "" or "docs/"."""
    return site.repo_path("x")[:-1]


def load_history(site: SiteContext) -> GitHistory:
    """The run's one git history (shared with the freshness and ownership gates)."""
    return history_for(site)


def start_scoring(site: SiteContext, window: Window, settings: ScoringSettings) -> Probes | None:
    """At the start of a build whose board is not in the cache: the probes, with the reading
    ease of the old page versions the board compares already being scored in a worker process
    (``CachedReadability.prefetch``), to hand to ``compute``. None when there is nothing to
    start: a cached board, no history, no readability probe."""
    history = load_history(site)
    if history.status not in ("ok", "shallow"):
        return None
    settings = _with_cache_file(site, settings)
    key = result_key(window, settings, history)
    if key is not None and BoardCache(site.cache_dir / BOARDS_FILE).has(key):
        return None
    probes = load_probes(settings.probe_options())
    readability = probes.readability
    if not isinstance(readability, CachedReadability):
        return None
    root = site.repo_root or site.config_dir
    with BlobReader(Path(root)) as reader:
        bodies = Scorer(history, reader, settings, probes).bodies_to_score(window)
    readability.prefetch(bodies, site.shared)
    return probes


def _with_cache_file(site: SiteContext, settings: ScoringSettings) -> ScoringSettings:
    if settings.cache_file is None:
        return dataclasses.replace(settings, cache_file=site.cache_dir / CACHE_FILE)
    return settings


def compute(
    site: SiteContext, window: Window, settings: ScoringSettings, cached: bool = False, probes: Probes | None = None,
) -> Leaderboard:
    """Score ``window``. With ``cached``, a board an earlier run computed from the same
    inputs comes from the site's cache folder instead, and no page is read from git.
    ``probes``: those ``start_scoring`` made (their scores may be waiting already)."""
    history = load_history(site)
    settings = _with_cache_file(site, settings)
    boards = BoardCache(site.cache_dir / BOARDS_FILE) if cached else None
    key = result_key(window, settings, history) if boards is not None else None
    if boards is not None and key is not None:
        board = boards.get(key, settings.current_owners)
        if board is not None:
            return board
    root = site.repo_root or site.config_dir
    with BlobReader(Path(root)) as reader:
        scorer = Scorer(history, reader, settings, probes)
        board = scorer.score(window, candidates=sorted(site.sources) or sorted(site.page_urls))
    if boards is not None and key is not None:
        boards.put(key, board, settings.current_owners)
    return board


def summary(board: Leaderboard) -> dict[str, Any]:
    """The ``site.leaderboard`` section of quality.json."""
    return board.to_dict()


def _page_href(site: SiteContext, here: str, path: str) -> str | None:
    url = site.page_urls.get(path)
    return relative_url(here, url) if url is not None else None
