"""``docgates review PATH... [--date D]``: record that pages were reviewed.

Pages must be regular files inside the project's docs folder (``docs_dir`` of mkdocs.yml, or
``./docs`` when there is no mkdocs.yml yet, as MkDocs defaults); anything else is refused with
a message and left untouched.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from docgates.core.dates import MAX_INTERVAL_DAYS, DateError, parse_date, today
from docgates.core.repo import find_repo_root
from docgates.freshness.review import ReviewError, first_commit_date, review_file
from docgates.cli.main import UsageError

# A review dated tomorrow is a reviewer east of UTC, not a typo (as in the freshness gate).
FUTURE_DAYS = 1
CONFIG_NAMES = ("mkdocs.yml", "mkdocs.yaml")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH", help="Markdown page files to mark as reviewed")
    parser.add_argument(
        "--date", metavar="YYYY-MM-DD",
        help="date of the review (default: today, or DOCGATES_TODAY when set)",
    )
    parser.add_argument("-f", "--config-file", help="path of mkdocs.yml (default: ./mkdocs.yml)")


def run(args: argparse.Namespace) -> int:
    docs_dir = _docs_dir(args.config_file)
    date = _review_date(args.date, docs_dir)
    failed = 0
    for name in args.paths:
        try:
            edit = review_file(Path(name), date, shown=name, docs_dir=docs_dir)
        except ReviewError as exc:
            print(f"docgates review: {exc}", file=sys.stderr)
            failed += 1
            continue
        if edit.action == "unchanged":
            print(f"{name}: already reviewed {date}")
        elif edit.action == "updated":
            was = f" (was {edit.previous})" if edit.previous else ""
            print(f"{name}: reviewed {date}{was}")
        elif edit.action == "added":
            print(f"{name}: reviewed {date} (added to the front matter)")
        else:
            print(f"{name}: reviewed {date} (added a front matter block)")
    if failed:
        print(f"docgates review: {failed} of {len(args.paths)} pages not updated", file=sys.stderr)
    return 1 if failed else 0


def _docs_dir(config_file: str | None) -> Path:
    """The folder pages must lie in, read through MkDocs' own config loader."""
    from docgates.cli.new import load_mkdocs_config

    if config_file is None and not any(Path(name).is_file() for name in CONFIG_NAMES) and Path("docs").is_dir():
        return Path("docs").resolve()
    return Path(load_mkdocs_config(config_file).docs_dir).resolve()  # MkDocs checks it exists


def _review_date(value: str | None, docs_dir: Path) -> dt.date:
    """``--date`` (default today), refused when it cannot be the day of a review."""
    try:
        current = today()
        date = parse_date(value) if value else current
    except DateError as exc:
        raise UsageError(f"--date: {exc}") from None
    fix = "pass the day the review happened (YYYY-MM-DD), or leave out --date for today"
    if (date - current).days > FUTURE_DAYS:
        raise UsageError(f"--date: {date} is in the future (today is {current}); {fix}")
    years = MAX_INTERVAL_DAYS // 366
    if (current - date).days > MAX_INTERVAL_DAYS:
        raise UsageError(
            f"--date: {date} is more than {years} years ago, longer than any review interval, so "
            f"the page would be stale at once; {fix}"
        )
    repo_root = find_repo_root(docs_dir) if value else None
    first = first_commit_date(repo_root) if repo_root is not None else None
    if first is not None and date < first:
        raise UsageError(
            f"--date: {date} is before the repository's first commit ({first}), so no review of "
            f"these pages can have happened then; {fix}"
        )
    return date
