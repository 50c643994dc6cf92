"""The docs-day leaderboard: a generated page that credits what improved the docs.

Scoring lives in ``docsday.py``; this module is the gate (options, the generated page) and
the renderings shared with ``docgates leaderboard`` (HTML, text, Markdown, JSON).
Emails never leave git: people are shown by their (mailmapped) names only.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Mapping

from docgates.core.content_cache import ContentCache
from docgates.core.dates import DateError, parse_interval, today as real_today
from docgates.leaderboard.docsday import (
    AWARDS,
    KINDS,
    VERSION,
    Contribution,
    Leaderboard,
    Score,
    Scorer,
    ScoringSettings,
    Window,
    check_awards,
    check_points,
    result_key,
)
from docgates.leaderboard.probes import CachedReadability, Probes, load_probes
from docgates.core.gate import Gate, SiteContext
from docgates.core.gitblobs import BlobReader
from docgates.core.outputs import markdown_text
from docgates.core.pagehtml import TABLE_SCRIPT, Markup, esc, link, relative_url, section, table, tag

# A top-level page, so the nav shows one entry; its URL is still leaderboard/.
DEFAULT_PAGE = "leaderboard.md"
TITLE = "Docs-day leaderboard"
# Without a configured window the page shows the last 30 days, so it is never empty by design.
DEFAULT_DAYS = 30
# Readability scores of old page versions, kept between runs (see docsday_probes).
CACHE_FILE = "leaderboard.sqlite"
# Boards computed by earlier runs, by everything they depend on (``docsday.result_key``).
BOARDS_FILE = "leaderboard-boards.sqlite"
# A few windows or option sets (a build and a serve, two docs days) without thrashing.
BOARDS_KEPT = 4


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
        try:
            self.review_every = parse_interval(opts.get("review_every") or "180d")
        except DateError as exc:
            raise ValueError(f"review_every: {exc}") from None
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
        return render_html(self.board, lambda path: _page_href(site, here, path))

    def release(self, site: SiteContext) -> None:
        self.board = None
        self._end_scoring()

    def _end_scoring(self) -> None:
        if self.probes is not None:
            self.probes.close()
            self.probes = None

    def settings(self, site: SiteContext) -> ScoringSettings:
        owners = {path: list(page.owner) for path, page in site.report.pages.items() if page.owner}
        generated = set(self.generated_pages())
        return ScoringSettings(
            docs_prefix=docs_prefix(site),
            review_every=self.review_every,
            points=self.points,
            awards=self.awards,
            current_owners=owners,
            excluded=frozenset(generated),
            checklists=self.options.get("checklists"),
            language=site.language,
            sources=site.sources,
        )


def docs_prefix(site: SiteContext) -> str:
    """The docs folder as seen from the repository root: "" or "docs/"."""
    return site.repo_path("x")[:-1]


def load_history(site: SiteContext) -> Any:
    """The run's one git history (shared with the freshness and ownership gates)."""
    try:
        from docgates.core.git_history import history_for
    except ImportError:
        return SimpleNamespace(status="no-git", message="git history support is not installed", commits=[])
    return history_for(site)


def start_scoring(site: SiteContext, window: Window, settings: ScoringSettings) -> Probes | None:
    """At the start of a build whose board is not in the cache: the probes, with the reading
    ease of the old page versions the board compares already being scored in a worker process
    (``CachedReadability.prefetch``), to hand to ``compute``. None when there is nothing to
    start: a cached board, no history, no readability probe."""
    history = load_history(site)
    if getattr(history, "status", "ok") not in ("ok", "shallow"):
        return None
    settings = _with_cache_file(site, settings)
    key = result_key(window, settings, history)
    if key is not None and BoardCache(site.cache_dir / BOARDS_FILE).has(key):
        return None
    probes = load_probes({"checklists": settings.checklists, "language": settings.language, "cache_file": settings.cache_file})
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


class BoardCache:
    """Computed boards by ``result_key``, each with the current owners it credited teams by.

    Those owners come from the working tree (CODEOWNERS, front matter), not from git, so the
    key cannot hold them: a board is reused only while the pages it credits have the owners
    it used. A missing or corrupt file is an empty cache; one that cannot be written costs
    speed, never the build.
    """

    def __init__(self, path: Path) -> None:
        self.cache = ContentCache(path, VERSION, limit=BOARDS_KEPT)

    def has(self, key: str) -> bool:
        """Whether a board is kept under ``key`` (whatever owners it credited)."""
        return self.cache.get(key) is not None

    def get(self, key: str, current_owners: Mapping[str, list[str]]) -> Leaderboard | None:
        entry = self.cache.get(key)
        if entry is None:
            return None
        try:
            used = entry["owners"]
            if not isinstance(used, dict) or _owners_of(used, current_owners) != used:
                raise ValueError("the owners changed")
            return Leaderboard.from_cache(entry["board"])
        except (KeyError, TypeError, ValueError, AttributeError):
            self.cache.miss(key)
            return None

    def put(self, key: str, board: Leaderboard, current_owners: Mapping[str, list[str]]) -> None:
        used = _owners_of(_credited_pages(board.contributions), current_owners)
        self.cache.put(key, {"owners": used, "board": board.to_cache()})
        self.cache.save()


def _credited_pages(contributions: list[Contribution]) -> list[str]:
    return sorted({item.path for item in contributions})


def _owners_of(paths: Any, current_owners: Mapping[str, list[str]]) -> dict[str, list[str]]:
    # As the scorer reads them: no current owner means the owners after the commit (from git).
    return {path: list(current_owners.get(path) or []) for path in paths}


def summary(board: Leaderboard) -> dict[str, Any]:
    """The ``site.leaderboard`` section of quality.json."""
    return board.to_dict()


def _page_href(site: SiteContext, here: str, path: str) -> str | None:
    url = site.page_urls.get(path)
    return relative_url(here, url) if url is not None else None


# -- renderings ---------------------------------------------------------------------------
# Column headings of the score tables (the legend below them spells each out).
SHORT_LABELS = {
    "rescued": "Rescued",
    "reviewed": "Reviewed",
    "new_page": "New",
    "links_fixed": "Links fixed",
    "checklist_completed": "Checklists",
    "readability_gained": "Clearer",
    "adopted": "Adopted",
}


def _kind_label(kind: str) -> str:
    return KINDS[kind][1]


def _amount(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def _award_text(award: Any) -> str:
    return f"{award.title}: {award.winner} ({_amount(award.amount)} {award.unit})"


def _health_rows(board: Leaderboard) -> list[tuple[str, Any, Any, str]]:
    rows: list[tuple[str, Any, Any, str]] = []
    before, after = board.before, board.after
    if before is None or after is None:
        return rows
    for key, label in (("stale", "Stale pages"), ("broken_links", "Broken links"), ("ownerless", "Ownerless pages")):
        old, new = getattr(before, key), getattr(after, key)
        if old is None or new is None:
            rows.append((label, "not measured", "not measured", ""))
            continue
        change = new - old
        rows.append((label, old, new, f"{change:+d}" if change else "±0"))
    rows.append(("Pages", before.pages, after.pages, f"{after.pages - before.pages:+d}" if after.pages != before.pages else "±0"))
    return rows


def render_html(board: Leaderboard, href: Any = lambda path: None) -> str:
    parts: list[str] = [tag("h1", TITLE)]
    parts.append(
        tag(
            "p",
            Markup(
                f"Window: <strong>{esc(str(board.window))}</strong> (inclusive, by the UTC date of "
                f"each commit) · {board.commits} commit{'s' if board.commits != 1 else ''}"
            ),
            class_="docgates-lb-window",
        )
    )
    if board.status != "ok":
        parts.append(tag("p", f"Git history: {board.message}", class_="docgates-lb-status admonition warning"))
        if board.status != "shallow":
            return _wrap(parts)
    if not board.people:
        parts.append(tag("p", "No improvements were committed in this window yet.", class_="docgates-empty"))
    if board.awards:
        items = "".join(
            f'<li><span class="docgates-lb-award">{esc(a.title)}</span> '
            f'<strong>{esc(a.winner)}</strong> <span class="docgates-lb-amount">'
            f"{esc(_amount(a.amount))} {esc(a.unit)}</span></li>"
            for a in board.awards
        )
        parts.append(section("Awards", Markup(f'<ul class="docgates-lb-awards">{items}</ul>'), section_id="awards"))
    health = _health_rows(board)
    if health:
        parts.append(
            section(
                "Health before → after",
                tag("p", f"Before the window (end of {board.before.day.isoformat()}) and at its end "
                    f"({board.after.day.isoformat()})."),
                table(("Measure", "Before", "After", "Change"), health, numeric=(1, 2), css_class="docgates-lb-health"),
                section_id="health",
            )
        )
    parts.append(section("People", _score_table(board.people, "Person"), section_id="people"))
    parts.append(section("Owning teams", _score_table(board.teams, "Team"), section_id="teams"))
    if board.contributions:
        rows = [
            (c.day.isoformat(), c.author, link(c.path, href(c.path)), _kind_label(c.kind), c.detail, c.points)
            for c in board.contributions
        ]
        parts.append(
            section(
                "What improved",
                Markup(
                    "<details class=\"docgates-lb-details\"><summary>"
                    f"{len(rows)} improvement{'s' if len(rows) != 1 else ''}</summary>"
                    + table(("Day", "Person", "Page", "Improvement", "Detail", "Points"), rows, numeric=(5,))
                    + "</details>"
                ),
                section_id="improvements",
            )
        )
    parts.append(section("How points are counted", _points_legend(board), section_id="points"))
    return _wrap(parts)


def _wrap(parts: list[str]) -> str:
    return f'<div class="docgates-leaderboard">{"".join(parts)}</div>{TABLE_SCRIPT}'


def _score_table(scores: list[Score], label: str) -> Markup:
    # Only the kinds someone earned: ten columns of zeros would hide the ones that count.
    shown = [k for k in KINDS if any(s.kinds.get(k) for s in scores)]
    headers = ["#", label, "Points", *[SHORT_LABELS[k] for k in shown]]
    rows = []
    for rank, score in enumerate(scores, start=1):
        name: Any = score.name
        if score.first_contribution:
            name = Markup(f'{esc(score.name)} <span class="docgates-lb-first" title="first contribution">new</span>')
        rows.append([rank, name, score.points, *[_number(score.kinds.get(k, 0)) for k in shown]])
    return table(headers, rows, numeric=[0, *range(2, len(headers))], css_class="docgates-lb-scores",
                 empty="No points yet.")


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else round(float(value), 1)


def _points_legend(board: Leaderboard) -> Markup:
    items = []
    for kind, (_, label) in KINDS.items():
        why = board.not_measured.get(kind)
        note = f" — not measured ({why})" if why else ""
        items.append(
            f"<li><strong>{esc(SHORT_LABELS[kind])}</strong> — {esc(label)}: "
            f"{board.points.get(kind, 0)} points{esc(note)}</li>"
        )
    return Markup(
        "<ul>" + "".join(items) + "</ul>"
        "<p>Each page counts once per person and kind in the window. Authors are named as "
        "git's mailmap says; email addresses are never shown.</p>"
    )


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def render_text(board: Leaderboard) -> str:
    lines = [f"{TITLE}: {board.window} ({_plural(board.commits, 'commit')})"]
    if board.status != "ok":
        lines.append(f"git history: {board.message}")
        if board.status != "shallow":
            return "\n".join(lines) + "\n"
    if board.awards:
        lines.append("")
        lines.append("Awards:")
        lines.extend(f"  {_award_text(a)}" for a in board.awards)
    for title, scores in (("People", board.people), ("Teams", board.teams)):
        lines.append("")
        lines.append(f"{title}:")
        if not scores:
            lines.append("  (none)")
        width = max((len(s.name) for s in scores), default=0)
        for rank, score in enumerate(scores, start=1):
            detail = ", ".join(f"{_amount(score.kinds[k])} {_kind_label(k)}" for k in KINDS if score.kinds.get(k))
            first = " (first contribution)" if score.first_contribution else ""
            lines.append(f"  {rank:>2}. {score.name:<{width}}  {score.points:>4} points  {detail}{first}")
    health = _health_rows(board)
    if health:
        lines.append("")
        lines.append("Health before -> after:")
        lines.extend(f"  {label}: {old} -> {new} ({change})" for label, old, new, change in health)
    for kind, why in board.not_measured.items():
        lines.append(f"note: {_kind_label(kind)} not measured: {why}")
    return "\n".join(lines) + "\n"


def render_markdown(board: Leaderboard) -> str:
    out = [f"## {TITLE}: {board.window}", "", f"{_plural(board.commits, 'commit')} in the window."]
    if board.status != "ok":
        out += ["", f"> git history: {markdown_text(board.message)}"]
        if board.status != "shallow":
            return "\n".join(out) + "\n"
    if board.awards:
        out += ["", "### Awards", ""]
        out += [f"- **{markdown_text(a.title)}**: {markdown_text(a.winner)} ({_amount(a.amount)} {markdown_text(a.unit)})" for a in board.awards]
    for title, label, scores in (("People", "Person", board.people), ("Owning teams", "Team", board.teams)):
        out += ["", f"### {title}", ""]
        if not scores:
            out.append("No points yet.")
            continue
        shown = [k for k in KINDS if any(s.kinds.get(k) for s in scores)]
        out.append("| " + " | ".join(["#", label, "Points", *(SHORT_LABELS[k] for k in shown)]) + " |")
        out.append("|---:|---|---:|" + "---:|" * len(shown))
        for rank, s in enumerate(scores, start=1):
            cells = [str(rank), markdown_text(s.name), str(s.points), *(_amount(s.kinds.get(k, 0)) for k in shown)]
            out.append("| " + " | ".join(cells) + " |")
    health = _health_rows(board)
    if health:
        out += ["", "### Health before → after", "", "| Measure | Before | After | Change |", "|---|---:|---:|---:|"]
        out += [f"| {label} | {old} | {new} | {change} |" for label, old, new, change in health]
    return "\n".join(out) + "\n"


def render_json(board: Leaderboard) -> str:
    return json.dumps(board.to_dict(), indent=2, ensure_ascii=False) + "\n"


__all__ = [
    "AWARDS",
    "DEFAULT_PAGE",
    "LeaderboardGate",
    "compute",
    "normalise_page_path",
    "render_html",
    "render_json",
    "render_markdown",
    "render_text",
]
