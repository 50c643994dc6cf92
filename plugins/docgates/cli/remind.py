"""``docgates remind [--org DB] [--format markdown|github-issues]``.

The stale digest (``docgates stale``) turned into one message per owner: Markdown for chat, or
JSON payloads for GitHub issues (title, body, labels, assignees) that a scheduled job creates
or updates by the marker in their body. Per site it runs the project's gates as ``docgates
stale`` does; with ``--org`` it reads the newest snapshot of every site in the org database.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from docgates.cli.main import UsageError
from docgates.cli.stale import due_digest
from docgates.freshness.digest import OwnerGroup, group_by_owner


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-f", "--config-file", help="path of mkdocs.yml (default: ./mkdocs.yml)")
    parser.add_argument("--org", metavar="DB", help="remind across every site of this org database (docgates org --db)")
    parser.add_argument("--owner", action="append", metavar="O", help="only this owner (repeatable; '@' optional)")
    parser.add_argument("--within", type=int, metavar="N",
                        help="also remind of pages due within N days (default: the plugin's warn_within; 14 with --org)")
    parser.add_argument("--format", choices=("markdown", "github-issues"), default="markdown", help="output format")
    parser.add_argument("--label", action="append", metavar="LABEL",
                        help="label of the GitHub issues (repeatable; default: docs-review)")


def run(args: argparse.Namespace) -> int:
    from docgates.org import remind

    if args.within is not None and args.within < 0:
        raise UsageError("--within: expected a number of days, 0 or more")
    if args.org:
        groups, today, within, teams = _from_org(args)
    else:
        groups, today, within, teams = _from_site(args)
    if args.owner:
        wanted = {o.strip().lstrip("@").casefold() for o in args.owner}
        groups = [g for g in groups if g.owner.strip().lstrip("@").casefold() in wanted]
    if args.format == "github-issues":
        payloads = remind.github_issues(groups, today, within, teams, args.label or remind.DEFAULT_LABELS)
        sys.stdout.write(json.dumps(payloads, indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(remind.markdown(groups, today, within))
    return 0


def _from_site(args: argparse.Namespace) -> tuple[list[OwnerGroup], str, int, set[str]]:
    digest = due_digest(args.config_file, args.within)
    return group_by_owner(digest.pages), digest.today, digest.within, digest.teams


def _from_org(args: argparse.Namespace) -> tuple[list[OwnerGroup], str, int, set[str]]:
    from docgates.core.dates import today
    from docgates.org.remind import SiteDuePage
    from docgates.org.portal import page_href
    from docgates.org.store import Store, StoreError

    path = Path(args.org)
    if not path.is_file():
        raise UsageError(f"{path}: no org database there; run 'docgates org --db {path} ...' first")
    within = 14 if args.within is None else args.within
    try:
        store = Store(path)
    except StoreError as exc:
        raise UsageError(str(exc)) from None
    try:
        day = today().isoformat()
        latest = store.latest(store.site_names())
        teams = store.teams(latest)
        pages = [
            SiteDuePage(path=p, file=p, url=page_href(link, url) or "", title=title or p, owners=json.loads(owners),
                        due=due or "", days_overdue=overdue, freshness_date=None, source=None, review_every=None,
                        command=f"docgates review {p}", site=site)
            for site, link, p, url, title, owners, due, overdue in store.due_pages(latest, day, within)
        ]
    finally:
        store.close()
    return group_by_owner(pages), day, within, teams


