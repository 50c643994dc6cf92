"""``docgates leaderboard``: docs-day scores from git history, as text, JSON or Markdown.

Reads mkdocs.yml for the docs folder and the plugins' options (points, awards, the freshness
plugin's review schedule), then scores the window with the same core as the generated page. No page
is rendered: everything comes from git.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from docgates.cli.main import UsageError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-f", "--config-file", help="path of mkdocs.yml (default: ./mkdocs.yml)")
    parser.add_argument("--since", metavar="D", help="first day of the window, YYYY-MM-DD (inclusive, UTC)")
    parser.add_argument("--until", metavar="D", help="last day of the window (inclusive; default: today)")
    parser.add_argument("--docs-day", metavar="D", help="score one day (instead of --since/--until)")
    parser.add_argument(
        "--format", choices=("text", "json", "markdown"), default="text", help="output format (default: text)"
    )


def run(args: argparse.Namespace) -> int:
    from mkdocs.config import load_config
    from mkdocs.exceptions import ConfigurationError, MkDocsException

    from docgates.core.dates import DateError, today
    from docgates.core.findings import SeverityPolicy
    from docgates.core.gate import SiteContext
    from docgates.core.report import QualityReport
    from docgates.core.repo import find_repo_root
    from docgates.engines.mkdocs.headless import ProjectError, find_config
    from docgates.engines.mkdocs.session import CACHE_DIR
    from docgates.leaderboard import gate as board_module
    from docgates.leaderboard.docsday import ScoringSettings, check_awards, check_bulk_pages, check_points
    from docgates.leaderboard.render import render_json, render_markdown, render_text
    from docgates.leaderboard.window import Window, WindowError

    if not args.since and not args.docs_day:
        raise UsageError("--since is required (or --docs-day), e.g. --since 2026-11-12")
    try:
        run_today = today()
        window = Window.from_options(since=args.since, until=args.until, docs_day=args.docs_day, today=run_today)
    except (WindowError, DateError) as exc:
        raise UsageError(str(exc).replace("docs_day:", "--docs-day:").replace("since:", "--since:")
                         .replace("until:", "--until:")) from None
    try:
        path = find_config(args.config_file)
        config = load_config(str(path))
    except ProjectError as exc:
        raise UsageError(str(exc)) from None
    except (ConfigurationError, MkDocsException) as exc:
        raise UsageError(f"{args.config_file or 'mkdocs.yml'}: {exc}") from None

    plugin = config.plugins.get("docgates/leaderboard")
    options = dict(getattr(plugin, "config", {}) or {})
    try:
        clock = _review_clock(config)
        points = check_points(options.get("points"))
        awards = check_awards(options.get("awards", True))
        bulk_pages = check_bulk_pages(options.get("bulk_pages"))
        page = board_module.normalise_page_path(options.get("page"), "page", board_module.DEFAULT_PAGE)
        generated = {page, *_dashboard_page(config)}
    except (ValueError, DateError) as exc:
        raise UsageError(f"{path}: {exc}") from None

    config_dir = Path(config.config_file_path or path).resolve().parent
    site = SiteContext(
        config_dir=config_dir,
        docs_dir=Path(config.docs_dir).resolve(),
        site_dir=Path(config.site_dir).resolve(),
        today=run_today,
        policy=SeverityPolicy(),
        report=QualityReport(today=run_today),
        repo_root=find_repo_root(config_dir),
        cache_dir=config_dir / CACHE_DIR,  # the boards the build keeps
    )
    checklists = None
    checklist_plugin = config.plugins.get("docgates/checklist")
    if checklist_plugin is not None:
        from docgates.engines.mkdocs.checklist import checklist_options

        try:
            checklists = checklist_options(checklist_plugin.config, config).get("checklists")
        except MkDocsException as exc:
            raise UsageError(str(exc)) from None
    language = str((config.theme.get("language") if config.theme else None) or "en")
    settings = ScoringSettings(
        docs_prefix=board_module.docs_prefix(site),
        clock=clock,
        points=points,
        awards=awards,
        bulk_pages=bulk_pages,
        exclude=lambda docs_path: docs_path == page,
        excluded=frozenset(generated),
        checklists=str(checklists) if checklists else None,
        language=language,
    )
    board = board_module.compute(site, window, settings)
    if board.status not in ("ok", "shallow"):
        raise UsageError(board.message)
    if board.status == "shallow":
        print(f"docgates leaderboard: warning: {board.message}", file=sys.stderr)
    render = {"json": render_json, "markdown": render_markdown, "text": render_text}[args.format]
    sys.stdout.write(render(board))
    return 0


def _review_clock(config):
    """When pages fall due, as the build's board decides it: by the freshness plugin's
    ``review_every``, ``intervals`` and ``adopted`` when that plugin is on, else by its
    ``review_every`` alone (the leaderboard's fallback, which the MkDocs plugin hands it)."""
    from docgates.freshness.clock import ReviewClock

    plugin = config.plugins.get("docgates/freshness")
    options = dict(getattr(plugin, "config", {}) or {})
    if plugin is not None and options.get("enabled", True):
        try:
            return ReviewClock.from_options(options)
        except ValueError as exc:
            raise ValueError(f"docgates/freshness: {exc}") from None
    return ReviewClock.from_options({"review_every": options.get("review_every")})


def _dashboard_page(config) -> list[str]:
    """The quality dashboard's generated page, when the site makes one (links to it are fine)."""
    from docgates.dashboard.gate import QualityGate

    plugin = config.plugins.get("docgates/quality")
    if plugin is None:
        return []
    try:
        return list(QualityGate(dict(getattr(plugin, "config", {}) or {})).generated_pages())
    except ValueError:  # the build reports a bad option; the board does without the page
        return []
