"""``docgates org NAME=REPORT... [--from FILE] [--db FILE] [--out DIR] [--offline]``.

Records every site's quality.json as a snapshot in the org database and writes the portal:
``org.json`` and ``index.html``. A report that cannot be read is named with the reason, the
others are still recorded, and the exit status is 1.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sqlite3
import sys
from pathlib import Path

from docgates.cli.main import UsageError
from docgates.core import outputs


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("sites", nargs="*", metavar="NAME=REPORT",
                        help="a site's name and its quality.json: a file, a built site folder or an http(s) URL")
    parser.add_argument("--from", dest="sites_file", metavar="FILE",
                        help="a YAML or CSV list of sites (name, report, optional link)")
    parser.add_argument("--db", default="docgates-org.sqlite", metavar="FILE",
                        help="the SQLite database of snapshots (default: docgates-org.sqlite)")
    parser.add_argument("--out", default="org-site", metavar="DIR", help="where to write index.html and org.json (default: org-site)")
    parser.add_argument("--offline", action="store_true",
                        help="read no report: write the portal from what the database holds")
    parser.add_argument("--timeout", type=float, default=20.0, metavar="SECONDS", help="per-URL timeout (default: 20)")
    parser.add_argument("--per-host", type=int, default=4, metavar="N", help="concurrent fetches per host (default: 4)")
    parser.add_argument("--max-size", type=float, default=64, metavar="MIB", help="largest report read (default: 64 MiB)")
    parser.add_argument("--since", metavar="YYYY-MM-DD", help="merge the sites' docs-day boards from this day")
    parser.add_argument("--until", metavar="YYYY-MM-DD", help="last day of the docs day (default: today)")


def run(args: argparse.Namespace) -> int:
    from docgates.core.dates import today as today_date
    from docgates.org.docsday import merge_boards
    from docgates.org.ingest import ingest
    from docgates.org.portal import write_portal
    from docgates.org.sources import Fetcher, SourcesError, load_sites_file, parse_pair
    from docgates.org.store import Store, StoreError
    from docgates.org.view import org_view

    if args.timeout <= 0 or args.per_host < 1 or args.max_size <= 0:
        raise UsageError("--timeout and --max-size must be above 0, --per-host at least 1")
    today = today_date().isoformat()
    since, until = _window(args, today)
    try:
        sources = [parse_pair(p) for p in args.sites]
        if args.sites_file:
            sources += load_sites_file(Path(args.sites_file))
    except SourcesError as exc:
        raise UsageError(str(exc)) from None
    names = [s.name for s in sources]
    if len(set(names)) != len(names):
        raise UsageError("a site name is given twice; give each site its own name")
    if not sources and not args.offline:
        raise UsageError("no sites: give NAME=REPORT arguments or --from sites.yml")
    out = Path(args.out)
    try:
        store = Store(Path(args.db))
    except StoreError as exc:
        raise UsageError(str(exc)) from None
    try:
        problems = []
        if not args.offline:
            fetcher = Fetcher(timeout=args.timeout, per_host=args.per_host, max_bytes=int(args.max_size * (1 << 20)))
            problems = ingest(store, sources, fetcher, today, out)
        view = org_view(store, names or store.site_names(), today, problems)
        if since is not None:
            latest = [s.latest for s in view.sites]
            view.docs_day = merge_boards(store.contributions(latest, since, until), since, until)
    except sqlite3.OperationalError as exc:
        # Locked by another run, or the disk is full: nothing of this run was kept.
        raise UsageError(f"{args.db}: {exc}; nothing was recorded (is another 'docgates org' using it?)") from None
    finally:
        store.close()
    write_portal(view, out)
    for problem in problems:
        print(f"docgates org: {outputs.terminal_text(problem.name)}: {outputs.terminal_text(problem.location)}: "
              f"{outputs.terminal_text(problem.reason)}", file=sys.stderr)
    print(f"docgates org: {len(view.sites)} sites, {sum(s.latest.pages for s in view.sites)} pages; "
          f"{len(problems)} not read; portal: {out / 'index.html'}")
    return 1 if problems else 0


def _window(args: argparse.Namespace, today: str) -> tuple[str | None, str]:
    if args.since is None:
        if args.until is not None:
            raise UsageError("--until needs --since (the docs day's first day)")
        return None, today
    try:
        since = dt.date.fromisoformat(args.since).isoformat()
        until = dt.date.fromisoformat(args.until).isoformat() if args.until else today
    except ValueError:
        raise UsageError("--since/--until: expected dates as YYYY-MM-DD") from None
    if until < since:
        raise UsageError(f"--until {until} is before --since {since}")
    return since, until
