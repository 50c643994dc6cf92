"""``docgates stale [--owner O] [--within N] [--format text|json|markdown] [--limit N]``.

Stale and soon-due pages grouped by owner, most overdue first (in Markdown each page once, a
co-owned page under all its owners together), and beside them the pages behind
the code they document (``freshness/code-changed``). Runs the same ownership and
freshness gates as the build (so owners and dates are exactly what the build would say);
the markdown output is ready to paste into a chat digest or an issue.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docgates.core import outputs
from docgates.cli.main import UsageError
from docgates.freshness.digest import NO_OWNER, DuePage, OwnerGroup, group_by_owner, group_by_owners, owner_key

def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-f", "--config-file", help="path of mkdocs.yml (default: ./mkdocs.yml)")
    parser.add_argument("--owner", action="append", metavar="O", help="only pages of this owner (repeatable; '@' optional)")
    parser.add_argument(
        "--within", type=int, metavar="N",
        help="also list pages due within N days (default: the plugin's warn_within)",
    )
    parser.add_argument("--format", choices=("text", "json", "markdown"), default="text", help="output format")
    parser.add_argument(
        "--limit", type=int, metavar="N",
        help="at most N pages per owner group, most overdue first (the rest are counted)",
    )


@dataclass
class Digest:
    """What ``docgates stale`` knows about a site: its due pages, as the build judges them."""

    pages: list[DuePage]
    today: str
    within: int
    # Registered owner handles (casefolded): teams, which cannot be assigned an issue.
    teams: set[str]
    # The project folder, where the pages' ``file`` paths start.
    config_dir: Path
    # freshness/unknown messages: why some pages could not be dated.
    warnings: list[str] = field(default_factory=list)

    def of_owners(self, owners: list[str] | None) -> list[DuePage]:
        """The pages one of ``owners`` owns ('@' optional, any case); all pages for None."""
        if not owners:
            return list(self.pages)
        wanted = {owner_key(o) for o in owners}
        return [p for p in self.pages if wanted & {owner_key(o) for o in (p.owners or [NO_OWNER])}]


def due_digest(config_file: str | None, within: int | None = None) -> Digest:
    """Run the ownership and freshness gates of the project as the build does and collect the
    pages that are stale, due within ``within`` days (default: the plugin's ``warn_within``) or
    behind the code they document. Problems with the project raise UsageError."""
    from docgates.engines.mkdocs.headless import ProjectError, run_headless

    if within is not None and within < 0:
        raise UsageError("--within: expected a number of days, 0 or more")
    try:
        result = run_headless(config_file, gates=("ownership", "freshness"))
    except ProjectError as exc:
        raise UsageError(str(exc)) from None
    except Exception as exc:  # a plugin error (bad option...) is a configuration error
        if type(exc).__name__ in ("PluginError", "ConfigurationError", "Abort"):
            raise UsageError(str(exc)) from None
        raise
    gate = next((g for g in result.session.gates if g.name == "freshness"), None)
    if gate is None:
        raise UsageError("docgates/freshness is not enabled in mkdocs.yml; add it under plugins")
    site = result.session.site
    assert site is not None
    within = gate.warn_within if within is None else within
    config = result.session.config
    pages = _due_pages(gate, result.report, within, str(config.site_url or ""))
    ownership = result.report.site.get("ownership")
    owners = getattr(ownership, "to_dict", lambda: ownership)()
    owners = owners.get("owners") if isinstance(owners, dict) else None
    teams = {str(h).casefold() for h, v in (owners or {}).items() if isinstance(v, dict) and v.get("registered")}
    return Digest(
        pages, site.today.isoformat(), within, teams, Path(config.config_file_path).resolve().parent,
        [f.message for f in result.report.site_findings if f.rule == "freshness/unknown"],
    )


def run(args: argparse.Namespace) -> int:
    if args.limit is not None and args.limit < 1:
        raise UsageError("--limit: expected a number of pages, 1 or more")
    digest = due_digest(args.config_file, args.within)
    pages = digest.of_owners(args.owner)
    only = {owner_key(o) for o in args.owner} if args.owner else None
    for message in digest.warnings:
        print(f"docgates stale: warning: {outputs.terminal_text(message)}", file=sys.stderr)
    today, within = digest.today, digest.within
    if args.format == "json":
        groups = group_by_owner(pages, only=only, limit=args.limit)
        sys.stdout.write(outputs.dumps({
            "today": today,
            "within": within,
            "stale": sum(p.status == "stale" for p in pages),
            "due_soon": sum(p.status == "due-soon" for p in pages),
            "behind_code": sum(p.code_changed is not None for p in pages),
            "owners": [
                {"owner": g.owner, "pages": [p.to_dict() for p in g.pages], "more": g.more} for g in groups
            ],
        }))
    elif args.format == "markdown":
        sys.stdout.write(format_markdown(group_by_owners(pages, limit=args.limit), pages, today, within))
    else:
        sys.stdout.write(format_text(group_by_owner(pages, only=only, limit=args.limit), pages, within))
    return 0


def _due_pages(gate: Any, report: Any, within: int, site_url: str) -> list[DuePage]:
    pages: list[DuePage] = []
    for path, fresh in gate.results.items():
        page = report.pages.get(path)
        code_changed = page.data.get("code_changed") if page else None
        if not fresh.judged or fresh.days_overdue is None:
            continue
        due_soon = fresh.days_overdue >= -within
        if not due_soon and code_changed is None:
            continue
        view = gate.views.get(path)
        url = page.url if page else ""
        pages.append(DuePage(
            path=path,
            file=view.command.removeprefix("docgates review ") if view else path,
            url=(site_url.rstrip("/") + "/" + url) if site_url else url,
            title=(page.title if page else "") or path,
            owners=list(view.owners if view else []),
            due=fresh.due.isoformat(),
            days_overdue=fresh.days_overdue,
            freshness_date=fresh.date.isoformat() if fresh.date else None,
            source=fresh.source,
            review_every=str(fresh.interval) if fresh.interval else None,
            command=view.command if view else f"docgates review {path}",
            code_changed=code_changed,
            due_soon=due_soon,
        ))
    return pages


def when(page: DuePage) -> str:
    if page.status == "behind-code":
        return "behind its code"
    if page.days_overdue > 0:
        return f"{page.days_overdue} day{'s' if page.days_overdue != 1 else ''} overdue"
    if page.days_overdue == 0:
        return "due today"
    left = -page.days_overdue
    return f"due in {left} day{'s' if left != 1 else ''}"


def _summary(pages: list[DuePage], within: int) -> str:
    stale = sum(p.status == "stale" for p in pages)
    soon = sum(p.status == "due-soon" for p in pages)
    behind = sum(p.code_changed is not None for p in pages)
    text = f"{stale} stale page{'s' if stale != 1 else ''}, {soon} due within {within} days"
    return text + (f", {behind} behind the code they document" if behind else "")


def _code_note(page: DuePage) -> str:
    """"code changed 2026-06-03 (2 commits): a.py, b.py" for a page behind its code."""
    change = page.code_changed
    if not change:
        return ""
    commits = change.get("commits") or 0
    paths = list(change.get("paths") or [])
    shown = ", ".join(paths[:3]) + (f" and {len(paths) - 3} more" if len(paths) > 3 else "")
    return f"code changed {change.get('date')} ({commits} commit{'s' if commits != 1 else ''}): {shown}"


def format_text(groups: list[OwnerGroup], pages: list[DuePage], within: int) -> str:
    if not pages:
        return f"No pages are stale or due within {within} days.\n"
    out: list[str] = []
    for group in groups:
        out.append(f"{group.owner} ({outputs.count(len(group.pages) + group.more, 'page')})")
        for page in group.pages:
            out.append(f"  {when(page):<20} {page.file}  (due {page.due})  {page.title}")
            if page.code_changed:
                out.append(f"  {'':<20} {_code_note(page)}")
        if group.more:
            out.append(f"  and {outputs.count(group.more, 'more page')} (--limit)")
        out.append("")
    out.append(_summary(pages, within) + "; record a review with: docgates review PATH")
    return "".join(outputs.terminal_text(line) + "\n" for line in out)


def format_markdown(groups: list[OwnerGroup], pages: list[DuePage], today: str, within: int) -> str:
    out = [f"## Docs due for review ({today})", ""]
    if not pages:
        out.append(f"Nothing is stale or due within {within} days.")
        return "\n".join(out) + "\n"
    out += [_summary(pages, within) + ".", ""]
    for group in groups:
        out += [f"### {outputs.markdown_text(group.owner)} ({len(group.pages) + group.more})", ""]
        out += ["| Page | Status | Due | Record the review |", "|---|---|---|---|"]
        for page in group.pages:
            label = outputs.markdown_text(page.title)
            link = f"[{label}]({page.url.replace(')', '%29').replace(' ', '%20')})" if page.url else label
            status = f"**{when(page)}**" if page.status == "stale" else when(page)
            if page.code_changed:
                status += f"<br>{outputs.markdown_text(_code_note(page))}"
            command = outputs.markdown_text(page.command)
            out.append(f"| {link} | {status} | {page.due} | <code>{command}</code> |")
        if group.more:
            out += ["", f"And {outputs.count(group.more, 'more page')}."]
        out.append("")
    return "\n".join(out)
