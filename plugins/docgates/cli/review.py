"""``docgates review PATH... [--date D]``: record that pages were reviewed."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..core.dates import DateError, parse_date, today
from ..core.review import ReviewError, review_file
from .main import UsageError

# A review dated tomorrow is a reviewer east of UTC, not a typo (as in the freshness gate).
FUTURE_DAYS = 1


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH", help="Markdown page files to mark as reviewed")
    parser.add_argument(
        "--date", metavar="YYYY-MM-DD",
        help="date of the review (default: today, or DOCGATES_TODAY when set)",
    )


def run(args: argparse.Namespace) -> int:
    try:
        current = today()
        date = parse_date(args.date) if args.date else current
    except DateError as exc:
        raise UsageError(f"--date: {exc}") from None
    if (date - current).days > FUTURE_DAYS:
        raise UsageError(f"--date: {date} is in the future (today is {current}); pass the day the review happened")
    failed = 0
    for name in args.paths:
        path = Path(name)
        if path.is_dir():
            print(f"docgates review: {name}: is a folder; pass page files (e.g. {name.rstrip('/')}/*.md)", file=sys.stderr)
            failed += 1
            continue
        try:
            edit = review_file(path, date, shown=name)
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
