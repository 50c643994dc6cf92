"""``docgates review PATH... [--date D]``: record that pages were reviewed.

``docgates review --owner O [--dry-run]`` records a review on every page of that owner that
``docgates stale`` lists (stale, due soon, or behind its code): a team adopting docgates reviews
its backlog in one step. The edits go through the same ``review_file`` as named pages.

Pages must be regular files inside the project's docs folder (``docs_dir`` of mkdocs.yml, or
``./docs`` when there is no mkdocs.yml yet, as MkDocs defaults); anything else is refused with
a message and left untouched.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from docgates.core.outputs import count, terminal_text
from docgates.core.dates import MAX_INTERVAL_DAYS, DateError, parse_date, today
from docgates.core.repo import find_repo_root
from docgates.core.git_log import first_commit_date
from docgates.freshness.review import review_file
from docgates.freshness.review_edit import ReviewError
from docgates.cli.main import UsageError

# A review dated tomorrow is a reviewer east of UTC, not a typo (as in the freshness gate).
FUTURE_DAYS = 1
CONFIG_NAMES = ("mkdocs.yml", "mkdocs.yaml")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", metavar="PATH", help="Markdown page files to mark as reviewed")
    parser.add_argument(
        "--owner", action="append", metavar="O",
        help="instead of PATHs: every page of this owner that 'docgates stale' lists (repeatable; '@' optional)",
    )
    parser.add_argument("--dry-run", action="store_true", help="with --owner: list the pages, change nothing")
    parser.add_argument(
        "--date", metavar="YYYY-MM-DD",
        help="date of the review (default: today, or DOCGATES_TODAY when set)",
    )
    parser.add_argument("-f", "--config-file", help="path of mkdocs.yml (default: ./mkdocs.yml)")


def run(args: argparse.Namespace) -> int:
    if args.owner and args.paths:
        raise UsageError("give page PATHs or --owner, not both")
    if not args.owner and not args.paths:
        raise UsageError("name the pages to mark as reviewed (PATH...), or an owner with --owner")
    if args.dry_run and not args.owner:
        raise UsageError("--dry-run lists an owner's pages: use it with --owner")
    docs_dir = _docs_dir(args.config_file)
    date = _review_date(args.date, docs_dir)
    pages = [(Path(name), name) for name in args.paths]
    if args.owner:
        pages = _owner_pages(args, date)
        if args.dry_run:
            return 0
    failed = 0
    for path, name in pages:
        try:
            edit = review_file(path, date, shown=name, docs_dir=docs_dir)
        except ReviewError as exc:
            print(terminal_text(f"docgates review: {exc}"), file=sys.stderr)
            failed += 1
            continue
        if edit.action == "unchanged":
            print(terminal_text(f"{name}: already reviewed {date}"))
        elif edit.action == "updated":
            was = f" (was {edit.previous})" if edit.previous else ""
            print(terminal_text(f"{name}: reviewed {date}{was}"))
        elif edit.action == "added":
            print(terminal_text(f"{name}: reviewed {date} (added to the front matter)"))
        else:
            print(terminal_text(f"{name}: reviewed {date} (added a front matter block)"))
    if failed:
        print(f"docgates review: {failed} of {len(pages)} pages not updated", file=sys.stderr)
    return 1 if failed else 0


def _owner_pages(args: argparse.Namespace, date: dt.date) -> list[tuple[Path, str]]:
    """The pages of ``--owner`` that ``docgates stale`` lists, printed; refused when none."""
    from docgates.cli.stale import due_digest, when

    digest = due_digest(args.config_file)
    pages = digest.of_owners(args.owner)
    owners = " or ".join(args.owner)
    if not pages:
        raise UsageError(
            f"no page of {owners} is stale, due within {digest.within} days or behind its code, so "
            "there is nothing to review; check the owner's spelling against 'docgates stale'"
        )
    pages.sort(key=lambda p: (-p.days_overdue, p.file))
    verb = "would record" if args.dry_run else "recording"
    print(terminal_text(f"{verb} a review dated {date} on {count(len(pages), 'page')} of {owners}:"))
    for page in pages:
        print(terminal_text(f"  {when(page):<20} {page.file}  {page.title}"))
    if args.dry_run:
        print("Nothing was changed: read the pages, then run the same command without --dry-run.")
    return [(digest.config_dir / page.file, page.file) for page in pages]


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
